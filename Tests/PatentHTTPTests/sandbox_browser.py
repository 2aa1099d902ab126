"""Drives the sandbox page in headless Chromium (Debian's chromium + chromium-driver, selenium
from PyPI): API key -> a query with a syntax error (caret shown) -> a fixed query with its count
and fee -> preview -> create -> SUCCESS -> download; then the reference at /docs. Saves
screenshots (desktop 1280 px and phone 390 px wide) in the folder given and prints a JSON
summary of what it saw. Any step that does not happen raises (exit status 1).

usage: sandbox_browser.py BASE_URL SK_KEY SCREENSHOT_DIR
"""
import json
import os
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

base, key, shots = sys.argv[1:4]
os.makedirs(shots, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 30)
summary = {}


def text(element_id):
    return driver.find_element(By.ID, element_id).text


def console_errors():
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def full_page(name, width):
    driver.set_window_size(width, 1000)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 800), 6000))
    path = os.path.join(shots, name)
    driver.save_screenshot(path)
    return path


try:
    driver.get(base + "/")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#export-fields input"))
    summary["title"] = driver.title

    # Keyboard: from the key field, Tab reaches the Connect button.
    field = driver.find_element(By.ID, "api-key")
    field.send_keys(key)
    field.send_keys(Keys.TAB)
    summary["tab_from_key_reaches"] = driver.switch_to.active_element.get_attribute("id")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda d: "Connected" in text("auth-status"))
    summary["auth_status"] = text("auth-status")
    summary["key_in_url"] = key in driver.current_url

    query = driver.find_element(By.ID, "query")
    query.send_keys("TTL:(battery AND) OR cell")
    wait.until(lambda d: d.find_element(By.ID, "query-error").is_displayed() and "^" in text("query-caret"))
    summary["error_echo"] = text("query-echo")
    summary["error_caret"] = driver.find_element(By.ID, "query-caret").get_attribute("textContent")
    summary["error_text"] = text("query-error-text")
    full_page("sandbox-query-error-desktop.png", 1280)

    query.send_keys(Keys.CONTROL, "a")
    query.send_keys(Keys.DELETE)
    query.send_keys("TTL:battery OR TTL:vehicle")
    wait.until(lambda d: "match" in text("query-count"))
    summary["count_text"] = text("query-count")
    wait.until(lambda d: text("fee").startswith("Fee:"))
    summary["fee_text"] = text("fee")

    driver.find_element(By.ID, "preview").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#preview-rows li"))
    summary["preview_rows"] = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#preview-rows li")]

    rows = driver.find_element(By.ID, "rows")
    rows.clear()
    rows.send_keys("100001")
    wait.until(lambda d: "rows must be between" in text("window-error"))
    summary["window_error"] = text("window-error")
    rows.clear()
    rows.send_keys("50")
    wait.until(lambda d: text("window-error") == "")

    summary["curl"] = driver.find_element(By.ID, "curl").get_attribute("value")
    driver.find_element(By.ID, "create").click()
    wait.until(lambda d: "SUCCESS" in text("task-status"))
    summary["task_status"] = text("task-status")
    link = driver.find_element(By.ID, "download")
    wait.until(lambda d: link.is_displayed())
    with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as response:
        body = response.read().decode("utf-8-sig")
    summary["download_lines"] = body.splitlines()[:3]
    summary["download_rows"] = len(body.splitlines()) - 1
    summary["desktop"] = full_page("sandbox-desktop.png", 1280)
    summary["phone"] = full_page("sandbox-phone.png", 390)
    summary["phone_overflow"] = driver.execute_script(
        "return document.documentElement.scrollWidth > document.documentElement.clientWidth")
    summary["console_errors"] = console_errors()

    driver.set_window_size(1280, 1000)
    driver.get(base + "/docs")
    wait.until(lambda d: "/patent-search/export/V2" in d.find_element(By.TAG_NAME, "body").text)
    summary["docs_has_export"] = True
    summary["docs"] = full_page("docs-desktop.png", 1280)
    summary["docs_console_errors"] = console_errors()
finally:
    driver.quit()

print(json.dumps(summary))
