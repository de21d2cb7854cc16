# sondar: the two commands a newcomer needs.
#   make demo   build everything and run the main job
#   make test   build everything and run every test
# Both install what is missing first (Debian 12; uses sudo when not root).

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Debian packages the native build, the tests, the fuzzers and the benchmarks need. Node.js and
# npm are installed from Debian only when missing (a NodeSource node already bundles npm, and
# Debian's npm package conflicts with it).
APT_PACKAGES := build-essential cmake ninja-build clang libclang-rt-14-dev \
	nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev \
	libboost-dev libcurl4-openssl-dev libssl-dev zlib1g-dev libbrotli-dev libsqlite3-dev libpq-dev libcsv-dev libmimalloc-dev pkg-config \
	emscripten chromium fonts-noto-color-emoji brotli curl iproute2 time \
	firefox-esr webkit2gtk-driver xvfb xauth

# Only the tests need a PostgreSQL server (they start their own, in a temp folder); Debian's
# package also sets up and starts a system cluster, which `make demo` has no reason to do. The
# sqlite3 shell lets a test change a database file as an older collector left it.
TEST_APT_PACKAGES := postgresql sqlite3 openssl

FUZZ_SECONDS ?= 60
# What make test gives each fuzz target: enough to catch a crash the seeds lead to quickly.
TEST_FUZZ_SECONDS ?= 10
DEMO_PORT ?= 8787
BENCH_RESPONSES ?= 1000000

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Emscripten 3.1.6 (Debian) finds its node modules only through NODE_PATH; Closure shrinks the
# JS glue and comes from npm.
export NODE_PATH := /usr/share/nodejs
export EM_CLOSURE_COMPILER := $(CURDIR)/web/node_modules/.bin/google-closure-compiler

.PHONY: help deps npm wasm web load test test-native test-js test-fuzz demo fuzz bench size visible phone format clean

help:
	@echo "make demo    build and run the main job"
	@echo "make test    build and run every test"
	@echo "make fuzz    run the libFuzzer targets for FUZZ_SECONDS each (default $(FUZZ_SECONDS))"
	@echo "make bench   run the benchmarks (release build)"
	@echo "make size    bytes a checkout page downloads for the widget"
	@echo "make visible trigger -> survey visible, next to SurveyJS; longest main-thread task"
	@echo "make phone   the survey on a slow phone (throttled Chromium), next to SurveyJS"
	@echo "make load    load on the collector over loopback (throughput, p99)"
	@echo "make format  clang-format the C++ sources"

deps:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null && command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

npm: deps
	@[ web/node_modules/.package-lock.json -nt web/package-lock.json ] || (cd web && npm ci --no-audit --no-fund)

wasm: npm
	emcmake cmake --preset wasm -DSONDAR_CLOSURE=ON
	cmake --build --preset wasm

web: wasm
	cd web && node build.mjs


test: test-native test-js test-fuzz

test test-native test-js test-fuzz: EXTRA_APT_PACKAGES = $(TEST_APT_PACKAGES)
test-native: deps
	cmake --preset debug
	cmake --build --preset debug
	ctest --preset debug

test-js: test-native web
	SONDAR_NATIVE_BUILD=$(CURDIR)/build/debug node --test --test-concurrency=1 tests/wasm/ tests/web/ tests/collector/ tests/e2e/

test-fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz
	tests/fuzz/run.sh build/fuzz $(TEST_FUZZ_SECONDS)

size: web
	node tests/bench/size.mjs

visible: web
	node tests/bench/visible.mjs 9

phone: web
	node tests/bench/phone.mjs 5

load: deps
	cmake --preset release
	cmake --build --preset release
	node tests/bench/load.mjs 10 32

demo: web
	cmake --preset release
	cmake --build --preset release
	demo/run.sh build/release $(DEMO_PORT)

fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz
	tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

bench: deps
	cmake --preset release
	cmake --build --preset release
	build/release/tests/bench/sondar_bench --benchmark_counters_tabular=true
	tests/bench/report_bench.sh build/release $(BENCH_RESPONSES)
	@[ tests/bench/duckdb/node_modules/.package-lock.json -nt tests/bench/duckdb/package-lock.json ] || \
	  (cd tests/bench/duckdb && npm ci --no-audit --no-fund)
	node tests/bench/duckdb/report_vs_duckdb.mjs build/release/demo/cli/sondar \
	  tests/fixtures/surveys/order_nps.json build/bench/responses-$(BENCH_RESPONSES).jsonl
	node tests/bench/workspace.mjs $(BENCH_RESPONSES)

format:
	clang-format -i core/include/sondar/*.h core/src/*.cpp core/src/*.h tests/core/*.cpp \
	  tests/core/*.h tests/fuzz/*.cpp tests/bench/*.cpp demo/cli/*.cpp demo/cli/*.h \
	  demo/collector/*.cpp demo/collector/*.h wasm/*.cpp wasm/*.h

clean:
	rm -rf build
