#!/usr/bin/env python3
"""What exact rate limits through PostgreSQL would cost (issue 19: "per-node buckets sized limit ÷ N, or exact
through PostgreSQL — measure the cost and choose").

    scripts/bench-ratelimit.py [--seconds 10] [--connections 8]

Starts a private PostgreSQL (bench-cluster.py's) and runs pgbench with the statement an exact limiter would send on
every business call: one round trip that counts the call in its client's per-second and per-minute windows (an
UNLOGGED table, rows keyed by client and window start, `INSERT … ON CONFLICT DO UPDATE … RETURNING`), refusing past
the limits. Three loads, each --connections connections (the request threads of every node together):
  spread    — calls of 1,000 clients (what a platform with many clients sees);
  one       — every call from one client (its two rows are hot: the calls queue on their locks);
  platform  — as spread, plus the platform-wide per-second row every call must also count in (one row for all).
Prints a Markdown table for BENCHMARKS.md: calls/s and mean latency of each (pgbench's figures).
"""
import argparse, importlib.util, os, re, subprocess, tempfile

_spec = importlib.util.spec_from_file_location("bench_cluster", os.path.join(os.path.dirname(__file__), "bench-cluster.py"))
bench_cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_cluster)

SCHEMA = """
CREATE UNLOGGED TABLE rate_window (client TEXT NOT NULL, span INT NOT NULL, start BIGINT NOT NULL,
                                   calls INT NOT NULL, PRIMARY KEY (client, span, start));
"""

# One call: counted in the client's second and minute windows (and with `platform` the platform's second) unless a
# window is full. The limits are set high: what is measured is the counting, not refusals.
def script(clients, platform):
    windows = [("second", "'c' || :c", 1), ("minute", "'c' || :c", 60)] + ([("platform", "'*'", 1)] if platform else [])
    ctes = ",\n".join(f"""{name} AS (INSERT INTO rate_window SELECT {client}, {span}, s / {span} * {span}, 1 FROM now
        ON CONFLICT (client, span, start) DO UPDATE SET calls = rate_window.calls + 1 WHERE rate_window.calls < 100000000
        RETURNING calls)""" for name, client, span in windows)
    select = ", ".join(f"(SELECT calls FROM {name})" for name, _, _ in windows)
    body = f"WITH now AS (SELECT floor(extract(epoch FROM clock_timestamp()))::bigint AS s),\n{ctes}\nSELECT {select};"
    return f"\\set c random(1, {clients})\n" + " ".join(body.split()) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    postgres = bench_cluster.Postgres()
    try:
        url = postgres.database("ratelimit")
        subprocess.run([postgres.bin + "/psql", url, "-q", "-c", SCHEMA], check=True)
        print("| load | calls/s | mean latency (ms) |")
        print("|---|---:|---:|")
        for name, clients, platform in [("spread: 1,000 clients", 1000, False), ("one client", 1, False),
                                        ("spread + platform row", 1000, True)]:
            with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as file:
                file.write(script(clients, platform))
            result = subprocess.run([postgres.bin + "/pgbench", "-n", "-c", str(args.connections), "-j", "2",
                                     "-T", str(args.seconds), "-f", file.name, url],
                                    check=True, capture_output=True, text=True)
            os.unlink(file.name)
            tps = re.search(r"tps = ([\d.]+)", result.stdout).group(1)
            latency = re.search(r"latency average = ([\d.]+) ms", result.stdout).group(1)
            print(f"| {name} | {float(tps):,.0f} | {latency} |")
    finally:
        postgres.stop()


if __name__ == "__main__":
    main()
