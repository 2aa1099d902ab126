"""Drives our server with patsnap-pythonsdk (PyPI, MIT), an independent PatSnap client,
unchanged but for its base_url: the SDK obtains a token from /oauth/token and counts with
query-search-count/v2; its private HTTP client creates an export task; plain requests
polls the task and downloads the file. Prints one JSON object for the Swift test."""
import json
import sys
import time

import requests
from patsnap_pythonSDK.client import PatsnapClient

base, client_id, client_secret, query = sys.argv[1:5]
client = PatsnapClient(client_id=client_id, client_secret=client_secret, base_url=base)
count = client.analytics.search.query_count(query_text=query)
created = client._http.post("/patent-search/export/V2", json={
    "query_text": query, "fields": "PN,TTL,APD", "export_type": "csv", "rows": 10,
})["data"]
token = client._auth.get_token()
auth = {"Authorization": f"Bearer {token}"}
deadline = time.time() + 60
while True:
    task = requests.get(f"{base}/patent-search/task", params={"task_id": created["task_id"], "apikey": client_id},
                        headers=auth, timeout=10).json()["data"]
    if task["export_status"] != "PENDING" or time.time() > deadline:
        break
    time.sleep(0.1)
download = requests.get(task["url"], timeout=30)
print(json.dumps({
    "total": count.total_search_result_count,
    "task_count": created["count"],
    "status": task["export_status"],
    "download_status": download.status_code,
    "content_type": download.headers.get("Content-Type"),
    "csv": download.content.decode("utf-8-sig"),
}))
