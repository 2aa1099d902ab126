// The sandbox page: every P055 parameter, live query checking (P001), a preview (P002),
// the export's lifecycle and the request as curl and Python. Plain browser JavaScript,
// no build step; credentials stay in sessionStorage.
"use strict";

const $ = (id) => document.getElementById(id);
const WINDOW = 100000;
const AUTH_KEY = "patents.sandbox.auth";

// Plain words for each error code of API.md.
const ERRORS = {
  67200001: "The platform's total call limit is used up; try again later.",
  67200002: "Your export quota for this period is used up.",
  67200003: "The credentials were not accepted: check the key, or the client id and secret (a token lasts 30 minutes).",
  67200004: "Your package does not include this API or a field of this level, or its quota is used up.",
  67200005: "Your balance does not cover this export.",
  67200006: "This client has expired.",
  67200007: "Too many calls in a short time; wait a moment.",
  68300004: "A parameter is not valid.",
  68300005: "The search failed.",
  68300007: "The request could not be read.",
  68300008: "The service had a problem; please try again.",
};

const state = { auth: null, catalogue: null, total: null, checkTimer: null, checkSeq: 0, pollTimer: null, fieldOrder: [] };

class ApiError extends Error {
  constructor(code, message) { super(message); this.code = code; }
  get plain() {
    const words = ERRORS[this.code] || "The request failed.";
    return `${words} (error ${this.code}: ${this.message})`;
  }
}

// ---- credentials ----

function loadAuth() {
  try { state.auth = JSON.parse(sessionStorage.getItem(AUTH_KEY) || "null"); } catch { state.auth = null; }
}

function saveAuth() {
  if (state.auth) sessionStorage.setItem(AUTH_KEY, JSON.stringify(state.auth));
  else sessionStorage.removeItem(AUTH_KEY);
}

function base64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  bytes.forEach((b) => { binary += String.fromCharCode(b); });
  return btoa(binary);
}

async function fetchToken(id, secret) {
  const response = await fetch("/oauth/token", {
    method: "POST",
    headers: { "Authorization": "Basic " + base64(`${id}:${secret}`), "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  const answer = await response.json();
  if (!answer.token) throw new ApiError(answer.error_code || response.status, answer.error_msg || "no token");
  return { kind: "client", id, secret, token: answer.token, expires: Date.now() + (answer.expires_in - 60) * 1000 };
}

async function bearer() {
  if (!state.auth) throw new ApiError(67200003, "connect first (section 1)");
  if (state.auth.kind === "key") return state.auth.key;
  if (Date.now() > state.auth.expires) {
    state.auth = await fetchToken(state.auth.id, state.auth.secret);
    saveAuth();
  }
  return state.auth.token;
}

async function call(method, path, body) {
  const token = await bearer();
  let url = path;
  if (state.auth.kind === "client") url += (path.includes("?") ? "&" : "?") + "apikey=" + encodeURIComponent(state.auth.id);
  const options = { method, headers: { "Authorization": "Bearer " + token } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  let answer;
  try { answer = await response.json(); } catch { throw new ApiError(response.status, `HTTP ${response.status}`); }
  if (!answer.status) throw new ApiError(answer.error_code, answer.error_msg || `HTTP ${response.status}`);
  return answer.data;
}

async function connect() {
  const status = $("auth-status");
  status.className = "";
  status.textContent = "Connecting…";
  try {
    if ($("auth-key").checked) {
      const key = $("api-key").value.trim();
      if (!key.startsWith("sk-")) throw new ApiError(67200003, "an API key starts with sk-");
      state.auth = { kind: "key", key };
    } else {
      state.auth = await fetchToken($("client-id").value.trim(), $("client-secret").value);
    }
    // A count proves the credentials work.
    await call("POST", "/search/patent/query-search-count/v2", { query_text: "PN:SANDBOX0" });
    saveAuth();
    status.className = "ok";
    status.textContent = state.auth.kind === "key" ? "Connected with the API key." : `Connected as client ${state.auth.id}.`;
    scheduleCheck();
  } catch (error) {
    state.auth = null;
    saveAuth();
    status.className = "error";
    status.textContent = error instanceof ApiError ? error.plain : String(error);
  }
}

function forget() {
  state.auth = null;
  saveAuth();
  $("api-key").value = $("client-id").value = $("client-secret").value = "";
  $("auth-status").className = "";
  $("auth-status").textContent = "Forgotten.";
}

function showAuthKind() {
  const key = $("auth-key").checked;
  $("key-inputs").hidden = !key;
  $("client-inputs").hidden = key;
}

// ---- parameters ----

function value(id) { return $(id).value.trim(); }

/// The query parameters P001, P002 and P055 share.
function queryParameters() {
  const body = { query_text: $("query").value };
  if ($("stemming").checked) body.stemming = 1;
  for (const name of ["apdt_from", "apdt_to", "pbdt_from", "pbdt_to"]) if (value(name)) body[name] = value(name);
  const type = value("collapse_type");
  if (type !== "ALL") {
    body.collapse_type = type;
    if (value("collapse_by")) body.collapse_by = value("collapse_by");
    if (!$("collapse-order-row").hidden) body.collapse_order = value("collapse_order");
    if (!$("collapse-authority-row").hidden) {
      body.collapse_order_authority = value("collapse_order_authority").split(",").map((s) => s.trim().toUpperCase()).filter((s) => s);
    }
  }
  return body;
}

/// The checked fields in the order they were checked (the file's column order).
function selectedFields() {
  const checked = new Set([...document.querySelectorAll("#export-fields input:checked")].map((box) => box.value));
  state.fieldOrder = state.fieldOrder.filter((code) => checked.has(code));
  for (const code of checked) if (!state.fieldOrder.includes(code)) state.fieldOrder.push(code);
  return [...state.fieldOrder];
}

function exportBody() {
  const body = queryParameters();
  body.fields = selectedFields().join(",");
  body.export_type = value("export_type");
  body.rows = Number(value("rows"));
  const offset = Number(value("offset"));
  if (offset) body.offset = offset;
  if (value("lang") !== "en") body.lang = value("lang");
  if (value("trans_lang") !== "en") body.trans_lang = value("trans_lang");
  return body;
}

function showCollapseOptions() {
  const type = value("collapse_type");
  const by = value("collapse_by");
  $("collapse-by-row").hidden = type === "ALL";
  // PatSnap: the order applies to APNO, or when collapse_by is APD or PBD.
  $("collapse-order-row").hidden = type === "ALL" || !(by === "APD" || by === "PBD" || (type === "APNO" && !by));
  $("collapse-authority-row").hidden = type === "ALL" || by !== "AUTHORITY";
}

function maximumRows() { return ["pdf", "full_text"].includes(value("export_type")) ? 1000 : WINDOW; }

/// The server's window rules; a message, or "" when the numbers are fine.
function windowProblem() {
  const rows = Number(value("rows"));
  const offset = Number(value("offset") || "0");
  const max = maximumRows();
  if (!Number.isInteger(rows) || rows < 1 || rows > max) return `rows must be between 1 and ${max.toLocaleString("en")} for export_type ${value("export_type")}`;
  if (!Number.isInteger(offset) || offset < 0) return "offset must be 0 or more";
  if (offset + rows > WINDOW) return `offset + rows must be at most ${WINDOW.toLocaleString("en")}, not ${(offset + rows).toLocaleString("en")}`;
  if (selectedFields().length === 0) return "choose at least one field";
  return "";
}

// ---- catalogue: fields, levels, prices ----

async function loadCatalogue() {
  const response = await fetch("/sandbox/catalogue");
  state.catalogue = (await response.json()).data;
  const list = $("search-fields");
  list.replaceChildren(...state.catalogue.search_fields.map((field) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "field";
    button.innerHTML = "<code></code> — <span></span>";
    button.querySelector("code").textContent = field.code;
    button.querySelector("span").textContent = field.description;
    button.addEventListener("click", () => insertField(field.code));
    item.append(button);
    return item;
  }));
  renderExportFields();
}

function insertField(code) {
  const area = $("query");
  const start = area.selectionStart ?? area.value.length;
  const end = area.selectionEnd ?? start;
  area.value = area.value.slice(0, start) + code + ":" + area.value.slice(end);
  area.focus();
  area.selectionStart = area.selectionEnd = start + code.length + 1;
  scheduleCheck();
}

function renderExportFields() {
  if (!state.catalogue) return;
  const type = value("export_type");
  const chosen = new Set(selectedFields());
  const defaults = type === "full_text" ? ["PN", "ABST", "CLMS", "DESC"] : ["PN", "TTL", "AN", "APD", "PBD"];
  const list = $("export-fields");
  list.replaceChildren(...state.catalogue.export_fields.filter((field) => field.export_types.includes(type)).map((field) => {
    const item = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = field.code;
    box.checked = chosen.size ? chosen.has(field.code) : defaults.includes(field.code);
    box.addEventListener("change", refresh);
    label.append(box, " ");
    const code = document.createElement("code");
    code.textContent = field.code;
    label.append(code, ` ${field.title} (level ${field.level})`);
    item.append(label);
    return item;
  }));
  if (!chosen.size) state.fieldOrder = [...defaults];
  $("rows-limit").textContent = `(1 – ${maximumRows().toLocaleString("en")})`;
}

function formatCents(cents) { return (cents / 100).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); }

function showFee() {
  const fee = $("fee");
  if (!state.catalogue || state.total === null) { fee.textContent = ""; return; }
  const levels = Object.fromEntries(state.catalogue.export_fields.map((field) => [field.code, field.level]));
  let level = value("export_type") === "pdf" ? 3 : 1;
  for (const code of selectedFields()) level = Math.max(level, levels[code] || 1);
  const price = state.catalogue.level_prices[String(level)] ?? 0;
  const offset = Number(value("offset") || "0");
  const count = Math.max(0, Math.min(Number(value("rows")) || 0, Math.min(state.total, WINDOW) - offset));
  const patents = count === 1 ? "1 patent" : `${count.toLocaleString("en")} patents`;
  fee.textContent = `Fee: ${patents} × ${formatCents(price)} (level ${level}) = ${formatCents(count * price)}`;
}

// ---- live query check (P001) ----

function scheduleCheck() {
  clearTimeout(state.checkTimer);
  state.checkTimer = setTimeout(checkQuery, 350);
}

async function checkQuery() {
  const sequence = ++state.checkSeq;
  const query = $("query").value;
  const count = $("query-count");
  if (!query.trim()) { count.textContent = ""; $("query-error").hidden = true; state.total = null; refresh(); return; }
  if (!state.auth) { count.textContent = "Connect (section 1) to count matches as you type."; return; }
  try {
    const data = await call("POST", "/search/patent/query-search-count/v2", queryParameters());
    if (sequence !== state.checkSeq) return;
    state.total = data.total_search_result_count;
    $("query-error").hidden = true;
    count.className = "ok";
    count.textContent = state.total === 1 ? "1 patent matches" : `${state.total.toLocaleString("en")} patents match`;
  } catch (error) {
    if (sequence !== state.checkSeq) return;
    state.total = null;
    count.textContent = "";
    showQueryError(error);
  }
  refresh();
}

function showQueryError(error) {
  $("query-error").hidden = false;
  $("query-error-text").textContent = error instanceof ApiError ? error.plain : String(error);
  const match = error instanceof ApiError && error.code === 68300004 ? /^query_text: .* at (\d+)$/.exec(error.message) : null;
  if (match) {
    // The position is 1-based and counts code points; the echo shows the line holding it.
    const points = [...$("query").value];
    const position = Math.min(Number(match[1]), points.length + 1) - 1;
    const before = points.slice(0, position).join("");
    const lineStart = before.lastIndexOf("\n") + 1;
    const lineEnd = $("query").value.indexOf("\n", before.length);
    $("query-echo").textContent = $("query").value.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    $("query-caret").textContent = " ".repeat([...before.slice(lineStart)].length) + "^";
  } else {
    $("query-echo").textContent = "";
    $("query-caret").textContent = "";
  }
}

// ---- preview, create, progress ----

function showActionError(error) {
  $("action-error").textContent = error instanceof ApiError ? error.plain : String(error);
}

async function preview() {
  $("action-error").textContent = "";
  try {
    const data = await call("POST", "/search/patent/query-search-patent/v2", { ...queryParameters(), limit: 10 });
    $("preview-rows").replaceChildren(...data.results.map((patent) => {
      const item = document.createElement("li");
      item.textContent = patent.pn;
      return item;
    }));
    if (data.results.length === 0) $("action-error").textContent = "No patent matches this query.";
  } catch (error) { showActionError(error); }
}

async function create() {
  $("action-error").textContent = "";
  const problem = windowProblem();
  if (problem) { $("window-error").textContent = problem; return; }
  clearTimeout(state.pollTimer);
  $("create").disabled = true;
  try {
    const data = await call("POST", "/patent-search/export/V2", exportBody());
    $("task").hidden = false;
    $("download").hidden = true;
    $("task-status").className = "";
    $("task-status").textContent = `Task ${data.task_id}: ${data.count.toLocaleString("en")} patents, PENDING`;
    poll(data.task_id);
  } catch (error) {
    showActionError(error);
  } finally {
    $("create").disabled = false;
  }
}

async function poll(id) {
  try {
    const data = await call("GET", "/patent-search/task?task_id=" + encodeURIComponent(id));
    $("task-progress").value = data.percent ?? 0;
    const status = $("task-status");
    status.textContent = `Task ${id}: ${data.export_status}, ${data.percent ?? 0} % (${(data.rows_written ?? 0).toLocaleString("en")} of ${data.count.toLocaleString("en")} rows)`;
    if (data.export_status === "PENDING") { state.pollTimer = setTimeout(() => poll(id), 500); return; }
    if (data.export_status === "SUCCESS") {
      status.className = "ok";
      const link = $("download");
      link.href = data.url;
      link.textContent = `Download the file (${(data.file_size ?? 0).toLocaleString("en")} bytes)`;
      link.hidden = false;
    } else {
      status.className = "error";
      status.textContent += data.failure ? ` — ${data.failure}` : "";
    }
  } catch (error) { showActionError(error); }
}

// ---- the request as code ----

function showCode() {
  const body = JSON.stringify(exportBody(), null, 2);
  const origin = window.location.origin;
  const client = state.auth && state.auth.kind === "client";
  const auth = client ? "Authorization: Bearer $PATSNAP_TOKEN" : "Authorization: Bearer $PATSNAP_API_KEY";
  const query = client ? "?apikey=$PATSNAP_CLIENT_ID" : "";
  $("curl").value = `curl -X POST '${origin}/patent-search/export/V2${query}' \\\n  -H '${auth}' \\\n  -H 'Content-Type: application/json' \\\n  -d '${body.replaceAll("'", "'\\''")}'`;
  $("python").value = [
    "import os, time, requests",
    "from patsnap_pythonSDK.client import PatsnapClient",
    "",
    `client = PatsnapClient(client_id=os.environ["PATSNAP_CLIENT_ID"], client_secret=os.environ["PATSNAP_CLIENT_SECRET"], base_url="${origin}")`,
    `body = ${body}`,
    'task = client._http.post("/patent-search/export/V2", json=body)["data"]',
    'auth = {"Authorization": f"Bearer {client._auth.get_token()}"}',
    "while True:",
    `    status = requests.get("${origin}/patent-search/task", params={"task_id": task["task_id"], "apikey": os.environ["PATSNAP_CLIENT_ID"]}, headers=auth).json()["data"]`,
    '    if status["export_status"] != "PENDING":',
    "        break",
    "    time.sleep(1)",
    'print(status["export_status"], status.get("url"))',
  ].join("\n");
}

async function copy(id) {
  try { await navigator.clipboard.writeText($(id).value); } catch { $(id).select(); document.execCommand("copy"); }
}

// ---- wiring ----

function refresh() {
  showCollapseOptions();
  $("window-error").textContent = windowProblem();
  showFee();
  showCode();
}

function start() {
  loadAuth();
  if (state.auth) {
    $("auth-status").className = "ok";
    $("auth-status").textContent = state.auth.kind === "key" ? "Connected with the API key (this tab)." : `Connected as client ${state.auth.id} (this tab).`;
    if (state.auth.kind === "client") { $("auth-client").checked = true; $("client-id").value = state.auth.id; }
  }
  showAuthKind();
  for (const radio of document.querySelectorAll("input[name=auth-kind]")) radio.addEventListener("change", showAuthKind);
  $("connect").addEventListener("click", connect);
  $("disconnect").addEventListener("click", forget);
  $("query").addEventListener("input", scheduleCheck);
  for (const id of ["stemming", "apdt_from", "apdt_to", "pbdt_from", "pbdt_to", "collapse_type", "collapse_by", "collapse_order", "collapse_order_authority"]) {
    $(id).addEventListener("change", () => { refresh(); scheduleCheck(); });
  }
  for (const id of ["rows", "offset", "lang", "trans_lang"]) $(id).addEventListener("input", refresh);
  $("export_type").addEventListener("change", () => { renderExportFields(); refresh(); });
  $("preview").addEventListener("click", preview);
  $("create").addEventListener("click", create);
  for (const button of document.querySelectorAll("button.copy")) button.addEventListener("click", () => copy(button.dataset.copy));
  loadCatalogue().then(refresh).catch((error) => { $("action-error").textContent = "The field catalogue could not be loaded: " + error; });
  refresh();
}

start();
