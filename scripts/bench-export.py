#!/usr/bin/env python3
"""Export API benchmark: create-task latency over HTTP and export throughput per format.

    scripts/bench-export.py --data DIR [--binary .build/release/patents] [--rows 100000]
                            [--types csv,json,xml,xls,pdf,full_text] [--skip-latency]

Starts `patents serve` on DIR (a store + index, e.g. a generated corpus), then
  1. create-task latency: >= 10 realistic queries, each created --repeat times over HTTP
     (rows 100 csv, so the file work stays small), p50/p99 per query and overall;
  2. throughput: one --rows export per format (pdf and full_text: their cap of 1,000),
     each on a freshly started server, timed from the create call to SUCCESS; rows/s and
     the server's peak RSS (VmHWM) while writing it.
Prints Markdown tables for BENCHMARKS.md. Python is only the load generator here.
"""
import argparse, json, os, re, statistics, subprocess, time, urllib.error, urllib.request

QUERIES = [
    "TTL:battery",
    "ABST:(lithium AND electrode)",
    "TA:(battery OR cell) AND NOT TTL:fuel",
    "TTL:\"electric vehicle\"",
    "ABST:(method $W3 device)",
    "TA:batter*",
    "IPC:H01M",
    "CPC:G06F AND PBD:[20100101 TO 20201231]",
    "APD:[20150101 TO 20151231]",
    "TA:(system AND method) AND AUTHORITY:US",
    "ABST:(signal $SEN processing)",
    "TTL:(sensor OR detector OR probe)",
]


def start(binary, data, extra=()):
    """Starts `patents serve` on a free port; returns the process and its base URL once the
    index is verified (bench-cluster.py starts its nodes with it too)."""
    proc = subprocess.Popen([binary, "serve", "--data", data, "--port", "0", "--log-level", "warning", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://[0-9.]+:\d+", line)
    if not match:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    base = match.group(0)
    # Searching opens the index, and the server then verifies its checksums in the
    # background (every segment file read once): timings start after that, not during.
    deadline = time.time() + 300
    while time.time() < deadline:
        with urllib.request.urlopen(base + "/health") as response:
            if json.loads(response.read())["data"].get("index_verified"):
                break
        time.sleep(0.1)
    return proc, base


KEY = None  # an sk- key of a client made for the run (see make_client)


def make_client(binary, data):
    """A client with room for every export of the run, and its sk- key."""
    global KEY
    created = json.loads(subprocess.check_output([binary, "clients", "create", "--data", data, "--name", "bench",
                                                  "--balance", "10000000", "--rate-per-second", "100000",
                                                  "--rate-per-minute", "1000000", "--json"]))
    KEY = json.loads(subprocess.check_output([binary, "clients", "keys", "create", created["client_id"],
                                              "--data", data, "--json"]))["api_key"]


def call(base, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {KEY}"}
    if data:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{path}: HTTP {error.code}: {error.read().decode(errors='replace')}")


def wait(base, task):
    """Polls a task until it is no longer PENDING; returns its status."""
    while True:
        status = call(base, f"/patent-search/task?task_id={task}")["data"]
        if status["export_status"] != "PENDING":
            return status
        time.sleep(0.02)


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(binary, data, repeat):
    proc, base = start(binary, data)
    try:
        print("| query | total | p50 ms | p99 ms |")
        print("|---|---:|---:|---:|")
        every = []
        for query in QUERIES:
            body = {"query_text": query, "fields": "PN,TTL,PBD", "export_type": "csv", "rows": 100}
            wait(base, call(base, "/patent-search/export/V2", body)["data"]["task_id"])  # warm-up
            times, total = [], 0
            for _ in range(repeat):
                started = time.perf_counter()
                answer = call(base, "/patent-search/export/V2", body)
                times.append((time.perf_counter() - started) * 1000)
                assert answer["status"], answer
                total = answer["data"]["total"]
                # Untimed: the task finishes before the next create (a client may have 10
                # exports waiting at most).
                wait(base, answer["data"]["task_id"])
            every += times
            print(f"| `{query}` | {total:,} | {percentile(times, 50):.1f} | {percentile(times, 99):.1f} |")
        print(f"| **all {len(every)} creates** | | **{percentile(every, 50):.1f}** | **{percentile(every, 99):.1f}** |")
    finally:
        proc.terminate()
        proc.wait()


FIELDS = {
    "pdf": "PN,KD,APNO,APD,PBD,TTL,ABST,AN,IN,IPC,CPC,PRNO,CLMS",
    "full_text": "PN,ABST,CLMS,DESC",
}


def throughput(binary, data, rows, types):
    print("| format | rows | seconds | rows/s | file MB | server peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for export_type in types:
        proc, base = start(binary, data)
        try:
            fields = FIELDS.get(export_type, "PN,KD,APNO,APD,PBD,TTL,ABST,AN,IN,IPC,CPC,PRNO,FAM_ID")
            body = {"query_text": "PBD:[18000101 TO 20991231]", "fields": fields, "export_type": export_type,
                    "rows": min(rows, 1000) if export_type in FIELDS else rows}
            started = time.perf_counter()
            answer = call(base, "/patent-search/export/V2", body)
            status = wait(base, answer["data"]["task_id"])
            seconds = time.perf_counter() - started
            assert status["export_status"] == "SUCCESS", status
            print(f"| {export_type} | {status['count']:,} | {seconds:.1f} | {status['count'] / seconds:,.0f} | "
                  f"{status['file_size'] / 1e6:.0f} | {peak_rss_mb(proc.pid):.0f} |")
        finally:
            proc.terminate()
            proc.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--binary", default=".build/release/patents")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--types", default="csv,json,xml,xls,pdf,full_text")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    make_client(args.binary, args.data)
    if not args.skip_latency:
        latency(args.binary, args.data, args.repeat)
        print()
    throughput(args.binary, args.data, args.rows, args.types.split(","))


if __name__ == "__main__":
    main()
