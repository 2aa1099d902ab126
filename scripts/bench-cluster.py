#!/usr/bin/env python3
"""Several nodes on PostgreSQL beside one on SQLite: create-task latency and exports per second.

    scripts/bench-cluster.py --data DIR [--binary .build/release/patents] [--creates 300] [--exports 60]
                             [--rows 1000] [--workers 2]

DIR is a data folder with a store and index (e.g. `patents import --data DIR Tests/Fixtures`); each node
gets a copy. Starts a private PostgreSQL (Debian's postgresql-15: initdb in a temporary folder, a free
loopback port, stopped by PID at the end), then for each set-up — 1 node on SQLite, 1 node on PostgreSQL,
3 nodes on PostgreSQL (one exports folder) —
  1. create-task latency: --creates P055 creates (csv, 100 rows) sent one at a time, in turn to each node;
  2. throughput: --exports P055 creates of --rows rows each, 8 at a time, in turn to each node, timed from
     the first create to the last SUCCESS: exports/s and rows/s.
Prints a Markdown table for BENCHMARKS.md. Python is only the load generator here.
"""
import argparse, importlib.util, json, os, pwd, shutil, socket, subprocess, tempfile, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

# `start` (serve on a free port, wait for the verified index) is bench-export.py's.
_spec = importlib.util.spec_from_file_location("bench_export", os.path.join(os.path.dirname(__file__), "bench-export.py"))
bench_export = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_export)

QUERIES = ["TTL:battery OR TTL:vehicle", "ABST:(method AND device)", "TA:batter*", "PBD:[20000101 TO 20201231]",
           "TA:(system OR apparatus)", "ABST:(signal $SEN processing)"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A private PostgreSQL server, as the tests' PostgresServer starts it."""

    def __init__(self):
        binaries = sorted(d for d in os.listdir("/usr/lib/postgresql"))
        self.bin = f"/usr/lib/postgresql/{binaries[-1]}/bin"
        self.dir = tempfile.mkdtemp(prefix="bench-postgres-")
        self.as_postgres = os.getuid() == 0
        if self.as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
        data = self.dir + "/data"
        self.run([self.bin + "/initdb", "-D", data, "-U", "patents", "--auth=trust", "-E", "UTF8", "--no-sync",
                  "--no-instructions"])
        self.port = free_port()
        self.proc = subprocess.Popen(self.wrap([self.bin + "/postgres", "-D", data, "-p", str(self.port), "-k", self.dir,
                                                "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run([self.bin + "/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                              stdout=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.1)
        raise SystemExit("PostgreSQL did not start")

    def wrap(self, command):
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"] + command if self.as_postgres else command

    def run(self, command):
        subprocess.run(self.wrap(command), check=True, stdout=subprocess.DEVNULL)

    def database(self, name):
        subprocess.run([self.bin + "/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "patents", name], check=True)
        return f"postgresql://patents@127.0.0.1:{self.port}/{name}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def call(base, key, path, body=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def client(binary, data, database):
    shared = ["--database", database] if database else []
    created = json.loads(subprocess.check_output([binary, "clients", "create", "--data", data, "--name", "bench",
                                                  "--balance", "10000000", "--rate-per-second", "100000",
                                                  "--rate-per-minute", "1000000", "--json"] + shared))
    return json.loads(subprocess.check_output([binary, "clients", "keys", "create", created["client_id"], "--data", data,
                                               "--json"] + shared))["api_key"]


def export(bases, key, index, rows):
    body = {"query_text": QUERIES[index % len(QUERIES)], "fields": "PN,TTL,AN,APD,PBD,IPC", "export_type": "csv",
            "rows": rows}
    started = time.perf_counter()
    answer = call(bases[index % len(bases)], key, "/patent-search/export/V2", body)
    if not answer.get("status"):
        raise SystemExit(f"create refused: {answer}")
    return (time.perf_counter() - started) * 1000, answer["data"]["task_id"], answer["data"]["count"]


def finished(bases, key, task):
    while True:
        data = call(bases[0], key, f"/patent-search/task?task_id={task}")["data"]
        if data["export_status"] != "PENDING":
            return data
        time.sleep(0.05)


def measure(name, binary, folders, database, exports, args):
    extra = ["--workers", str(args.workers), "--max-pending-per-client", "100000", "--platform-rate", "100000"]
    if database:
        extra += ["--database", database, "--exports", exports]
    key = client(binary, folders[0], database)
    nodes = [bench_export.start(binary, folder, extra + (["--node", f"n{i}"] if database else [])) for i, folder in enumerate(folders)]
    bases = [base for _, base in nodes]
    try:
        latencies = [export(bases, key, i, 100)[0] for i in range(args.creates)]
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            created = list(pool.map(lambda i: export(bases, key, i, args.rows), range(args.exports)))
        rows = 0
        for _, task, count in created:
            data = finished(bases, key, task)
            if data["export_status"] != "SUCCESS":
                raise SystemExit(f"{name}: task {task} ended {data['export_status']}")
            rows += count
        elapsed = time.perf_counter() - started
    finally:
        for proc, _ in nodes:
            proc.terminate()
            proc.wait()
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    return (f"| {name} | {p(0.5):.1f} | {p(0.99):.1f} | {args.exports / elapsed:.1f} | {rows / elapsed:,.0f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--binary", default=".build/release/patents")
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--exports", type=int, default=60)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-cluster-")
    postgres = Postgres()
    try:
        def copies(prefix, count):
            folders = []
            for i in range(count):
                folder = f"{work}/{prefix}-{i}"
                shutil.copytree(args.data, folder, ignore=shutil.ignore_patterns("tasks.sqlite*", "exports", "secret.key"))
                folders.append(folder)
            return folders
        print(f"{args.creates} creates of 100 rows one at a time; {args.exports} exports of up to {args.rows} rows, 8 at a time; "
              f"{args.workers} writers per node\n")
        print("| set-up | create p50 (ms) | create p99 (ms) | exports/s | rows/s |")
        print("|---|---:|---:|---:|---:|")
        print(measure("1 node, SQLite", args.binary, copies("sqlite", 1), None, None, args), flush=True)
        print(measure("1 node, PostgreSQL", args.binary, copies("pg1", 1), postgres.database("one"), f"{work}/exports-1", args),
              flush=True)
        print(measure("3 nodes, PostgreSQL", args.binary, copies("pg3", 3), postgres.database("three"), f"{work}/exports-3",
                      args), flush=True)
    finally:
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
