#!/usr/bin/env python3
"""Load benchmark of the HTTP API (hardening issue): throughput, latency per route and
errors under a realistic mix, and what a flood of wrong secrets at /oauth/token does to
everyone else.

    scripts/bench-load.py [--data DIR] [--binary .build/release/patents] [--duration 60]
                          [--clients 32] [--flood-rate 20] [--compare-seconds 20]

Without --data it imports ../shared/data/patents (the shared corpus) into a fresh folder.
Starts `patents serve` on a free loopback port, makes a client without call limits, then
  1. mix: --clients connections for --duration s, each looping P001 count (60 %), P055
     create (20 %, 100-row csv) and a poll of one of its tasks (20 %), while a sender
     posts --flood-rate wrong secrets per second to /oauth/token;
  2. flood comparison: 8 connections counting with P001 for --compare-seconds alone, then
     as long again while 4 connections send wrong secrets to /oauth/token back to back.
Prints Markdown for BENCHMARKS.md: requests/s, p50/p99 per route, answers by error code,
the server's RSS at start, end and peak, and the flooded/unflooded ratio. Only loopback
is used; every loop stops by itself. Python is only the load generator here.
"""
import argparse, asyncio, base64, json, multiprocessing, os, random, re, shutil, subprocess, tempfile, time

QUERIES = ["TTL:method", "TA:(system AND method)", "ABST:device", "TAC:(battery OR cell)", "TTL:apparatus",
           "ABST:(signal $W3 processing)", "IPC:H01M", "TA:sensor*", "AUTHORITY:US AND TTL:system"]


class Connection:
    """One keep-alive HTTP/1.1 connection; a request at a time."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path, body=b"", headers=()):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
        if chunked:
            payload = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                payload += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            payload = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, payload

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Stats:
    def __init__(self):
        self.latency = {}
        self.codes = {}

    def add(self, route, seconds, code):
        self.latency.setdefault(route, []).append(seconds)
        self.codes[(route, code)] = self.codes.get((route, code), 0) + 1

    def total(self, routes=None):
        return sum(len(v) for k, v in self.latency.items() if routes is None or k in routes)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def code_of(status, payload):
    try:
        answer = json.loads(payload)
        return answer.get("error_code", 0) if isinstance(answer, dict) else status
    except ValueError:
        return status


async def timed(stats, route, connection, method, path, body=b"", headers=()):
    start = time.perf_counter()
    try:
        status, payload = await connection.request(method, path, body, headers)
    except (ConnectionError, asyncio.IncompleteReadError, OSError) as error:
        connection.close()
        stats.add(route, time.perf_counter() - start, f"connection: {type(error).__name__}")
        return None
    stats.add(route, time.perf_counter() - start, code_of(status, payload))
    return payload


def business_headers(key):
    return (("Authorization", f"Bearer {key}"), ("Content-Type", "application/json"))


async def mixed_client(host, port, key, stats, deadline, seed):
    rng = random.Random(seed)
    connection, tasks = Connection(host, port), []
    headers = business_headers(key)
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < 0.6 or (roll >= 0.8 and not tasks):
            body = json.dumps({"query_text": rng.choice(QUERIES)}).encode()
            await timed(stats, "P001 count", connection, "POST", "/search/patent/query-search-count/v2", body, headers)
        elif roll < 0.8:
            body = json.dumps({"query_text": rng.choice(QUERIES), "fields": "PN,TTL,APD", "export_type": "csv",
                               "rows": 100}).encode()
            payload = await timed(stats, "P055 create", connection, "POST", "/patent-search/export/V2", body, headers)
            try:
                task = json.loads(payload or b"{}").get("data", {}).get("task_id")
            except ValueError:
                task = None
            if task:
                tasks.append(task)
        else:
            await timed(stats, "task poll", connection, "GET", f"/patent-search/task?task_id={rng.choice(tasks)}",
                        headers=headers[:1])
    connection.close()


def wrong_secret_request(client_id):
    basic = base64.b64encode(f"{client_id}:wrong-secret".encode()).decode()
    return b"grant_type=client_credentials", (("Authorization", f"Basic {basic}"),
                                             ("Content-Type", "application/x-www-form-urlencoded"))


async def paced_flood(host, port, client_id, rate, stats, deadline):
    """`rate` wrong-secret token requests per second, each on its own task."""
    body, headers = wrong_secret_request(client_id)
    pending = set()

    async def one():
        connection = Connection(host, port)
        await timed(stats, "token (wrong secret)", connection, "POST", "/oauth/token", body, headers)
        connection.close()

    start = time.monotonic()
    sent = 0
    while time.monotonic() < deadline:
        due = int((time.monotonic() - start) * rate)
        while sent < due:
            pending.add(asyncio.ensure_future(one()))
            sent += 1
        pending = {task for task in pending if not task.done()}
        await asyncio.sleep(0.01)
    if pending:
        await asyncio.wait(pending, timeout=10)


async def flooder(host, port, client_id, stats, deadline):
    body, headers = wrong_secret_request(client_id)
    connection = Connection(host, port)
    while time.monotonic() < deadline:
        await timed(stats, "token (wrong secret)", connection, "POST", "/oauth/token", body, headers)
    connection.close()


def flood_process(host, port, client_id, seconds, connections, results):
    """Flooders in a process of their own, so that they do not slow the measuring loop."""
    async def run():
        stats = Stats()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(flooder(host, port, client_id, stats, deadline) for _ in range(connections)))
        return stats
    stats = asyncio.run(run())
    results.put((stats.latency, stats.codes))


async def counter(host, port, key, stats, deadline, seed):
    rng, connection = random.Random(seed), Connection(host, port)
    while time.monotonic() < deadline:
        body = json.dumps({"query_text": rng.choice(QUERIES)}).encode()
        await timed(stats, "P001 count", connection, "POST", "/search/patent/query-search-count/v2", body,
                    business_headers(key))
    connection.close()


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


async def sample_rss(pid, samples, deadline):
    while time.monotonic() < deadline:
        samples.append(rss_mb(pid))
        await asyncio.sleep(1)


def run_cli(binary, *args):
    return subprocess.check_output([binary, *args], text=True)


def start_server(binary, data):
    proc = subprocess.Popen([binary, "serve", "--data", data, "--port", "0", "--log-level", "error",
                             "--platform-rate", "1000000"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for _ in range(200):
        line = proc.stdout.readline()
        match = re.search(r"http://([0-9.]+):(\d+)", line)
        if match:
            return proc, match.group(1), int(match.group(2))
    proc.kill()
    raise SystemExit("server did not start")


def report(title, stats, seconds, routes=None):
    print(f"\n### {title}\n")
    print(f"{stats.total(routes):,} requests in {seconds:.0f} s: **{stats.total(routes) / seconds:,.0f} req/s**\n")
    print("| route | requests | req/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for route, values in sorted(stats.latency.items()):
        print(f"| {route} | {len(values):,} | {len(values) / seconds:,.1f} | {percentile(values, 50) * 1000:.1f} "
              f"| {percentile(values, 99) * 1000:.1f} |")
    print("\n| route | answer code | count |")
    print("|---|---|---:|")
    for (route, code), count in sorted(stats.codes.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        print(f"| {route} | {code} | {count:,} |")


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data")
    parser.add_argument("--binary", default=".build/release/patents")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--flood-rate", type=float, default=20)
    parser.add_argument("--compare-seconds", type=float, default=20)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    scratch = None
    data = args.data
    if data is None:
        scratch = tempfile.mkdtemp(prefix="bench-load-")
        data = os.path.join(scratch, "data")
        shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "patents")
        subprocess.check_call([binary, "import", "--data", data, shared], stdout=subprocess.DEVNULL)
    created = json.loads(run_cli(binary, "clients", "create", "--data", data, "--name", "load", "--balance", "100000000",
                                 "--rate-per-second", "1000000", "--rate-per-minute", "100000000", "--json"))
    key = json.loads(run_cli(binary, "clients", "keys", "create", created["client_id"], "--data", data, "--json"))["api_key"]
    victim = created["client_id"]
    proc, host, port = start_server(binary, data)
    try:
        patents = json.loads(run_cli(binary, "stats", "--data", data, "--json")).get("publications", "?")
        print(f"## Load: {args.clients} clients, {args.duration:.0f} s, {args.flood_rate:g} wrong secrets/s "
              f"({patents} patents, {os.cpu_count()} cores)")
        stats, rss = Stats(), [rss_mb(proc.pid)]
        deadline = time.monotonic() + args.duration
        started = time.monotonic()
        await asyncio.gather(*(mixed_client(host, port, key, stats, deadline, seed) for seed in range(args.clients)),
                             paced_flood(host, port, victim, args.flood_rate, stats, deadline),
                             sample_rss(proc.pid, rss, deadline))
        elapsed = time.monotonic() - started
        report("Mixed load", stats, elapsed)
        print(f"\nserver RSS: start {rss[0]:.0f} MB, end {rss[-1]:.0f} MB, peak {max(rss):.0f} MB "
              f"(VmHWM {rss_mb(proc.pid, 'VmHWM'):.0f} MB); every 10 s: "
              + ", ".join(f"{value:.0f}" for value in rss[::10]))

        alone = Stats()
        deadline = time.monotonic() + args.compare_seconds
        await asyncio.gather(*(counter(host, port, key, alone, deadline, seed) for seed in range(8)))
        flooded = Stats()
        results = multiprocessing.Queue()
        flood = multiprocessing.Process(target=flood_process, args=(host, port, victim, args.compare_seconds, 4, results))
        flood.start()
        deadline = time.monotonic() + args.compare_seconds
        await asyncio.gather(*(counter(host, port, key, flooded, deadline, seed) for seed in range(8)))
        latency, codes = results.get(timeout=args.compare_seconds + 60)
        flood.join()
        flooded.latency.update(latency)
        flooded.codes.update(codes)
        business = {"P001 count"}
        report("8 clients counting, alone", alone, args.compare_seconds)
        report("8 clients counting, 4 clients flooding /oauth/token with wrong secrets", flooded, args.compare_seconds)
        ratio = flooded.total(business) / max(1, alone.total(business))
        print(f"\nbusiness throughput while flooded: **{ratio:.0%}** of unflooded "
              f"({flooded.total(business) / args.compare_seconds:,.0f} vs {alone.total(business) / args.compare_seconds:,.0f} req/s)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
