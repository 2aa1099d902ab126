#!/usr/bin/env python3
"""The patents' feed on PostgreSQL: what publishing costs an import, how fast a new node takes the patents in, and
how soon a patent imported through one node is searched on another.

    scripts/bench-feed.py --data DIR [--binary .build/release/patents] [--count 20000] [--extra 200]

DIR is a data folder with patents to learn a synthetic corpus from (`patents generate`). Starts a private PostgreSQL
(bench-cluster.py's), then measures, on one machine:
  1. `patents import --no-index` of --count synthetic patents into a folder of its own (SQLite only), and the same
     through the feed (`--database`): patents/s of each;
  2. a new node's catch-up: `patents index --database` on an empty folder (every patent taken from the database, then
     indexed): seconds, and patents/s of the catch-up alone (`patents stats --database` on another empty folder);
  3. propagation: a node serving with `--database`; --extra more patents imported through another folder; seconds
     from the import's end until the serving node's /health counts them and shows a new index generation.
Prints a Markdown table for BENCHMARKS.md.
"""
import argparse, importlib.util, json, os, subprocess, tempfile, time, urllib.request

_spec = importlib.util.spec_from_file_location("bench_cluster", os.path.join(os.path.dirname(__file__), "bench-cluster.py"))
bench_cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_cluster)


def timed(command):
    start = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def health(base):
    with urllib.request.urlopen(base + "/health") as response:
        return json.loads(response.read())["data"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--binary", default=".build/release/patents")
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--extra", type=int, default=200)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-feed-")
    corpus, extra = work + "/corpus", work + "/extra"
    subprocess.run([args.binary, "generate", "--data", args.data, "--count", str(args.count), "--seed", "1", "--biblio-only",
                    "--out", corpus], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([args.binary, "generate", "--data", args.data, "--count", str(args.extra), "--seed", "2",
                    "--biblio-only", "--out", extra], check=True, stdout=subprocess.DEVNULL)
    postgres = bench_cluster.Postgres()
    server = None
    try:
        url = postgres.database("feed")
        local = timed([args.binary, "import", "--data", work + "/local", "--no-index", corpus])
        published = timed([args.binary, "import", "--data", work + "/a", "--no-index", "--database", url, corpus])
        caught_up = timed([args.binary, "stats", "--data", work + "/c", "--database", url])
        indexed = timed([args.binary, "index", "--data", work + "/b", "--database", url])
        server = subprocess.Popen([args.binary, "serve", "--data", work + "/b", "--database", url, "--exports",
                                   work + "/exports", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True)
        base = server.stdout.readline().split()[-1]
        before = health(base)
        timed([args.binary, "import", "--data", work + "/a", "--no-index", "--database", url, extra])
        start = time.monotonic()
        while True:
            now = health(base)
            if now["patents"] > before["patents"] and now["index_generation"] > before["index_generation"]:
                break
            if time.monotonic() - start > 60:
                raise SystemExit(f"no propagation after 60 s: {now}")
            time.sleep(0.02)
        propagation = time.monotonic() - start
        print(f"| step ({args.count:,} synthetic bibliographic patents) | seconds | patents/s |")
        print("|---|---:|---:|")
        print(f"| import, one machine (SQLite) | {local:.1f} | {args.count / local:,.0f} |")
        print(f"| import through the feed (`--database`) | {published:.1f} | {args.count / published:,.0f} |")
        print(f"| a new node takes them in (`stats --database`, store only) | {caught_up:.1f} | {args.count / caught_up:,.0f} |")
        print(f"| a new node takes them in and indexes (`index --database`) | {indexed:.1f} | {args.count / indexed:,.0f} |")
        print(f"| {args.extra} more through node A: searched on serving node B after | {propagation:.2f} | |")
    finally:
        if server:
            server.terminate()
            server.wait()
        postgres.stop()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
