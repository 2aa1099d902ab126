# make run  — install what is missing, build, import the bundled sample on first run, serve
# make test — install what is missing, build with tests, run every test
SWIFT ?= swift
DATA ?= ./patents-data
SAMPLE ?= Tests/Fixtures
APT_PACKAGES := libsqlite3-dev zlib1g-dev gzip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build deps clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

# Until the HTTP server exists (the export-API issue), `run` shows the store's statistics.
run: build
	@if [ ! -f "$(DATA)/patents.sqlite" ]; then \
		echo "first run: importing the bundled sample ($(SAMPLE)) into $(DATA)"; \
		.build/release/patents import --data "$(DATA)" "$(SAMPLE)"; \
	fi
	.build/release/patents stats --data "$(DATA)"

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
