# The two commands of the README: `make demo` and `make test`. Every target
# first installs what is missing (scripts/install-deps is idempotent; so is
# scripts/install-geoip, which fetches the pinned GeoIP data into data/geoip
# once).
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
# Empty: every fuzz target; else e.g. FUZZ_TARGETS="dns_fuzz tls_fuzz".
FUZZ_TARGETS ?=

.PHONY: all deps geoip build demo test tsan fixtures golden bench bench-threads fuzz tidy format clean

all: build

deps:
	@scripts/install-deps

geoip: deps
	@scripts/install-geoip

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

demo: build geoip
	./build/phonehome scan examples/demo.pcap

test: deps geoip
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --preset asan

# Regenerates the committed example capture(s) from tools/fixture.
# ThreadSanitizer (clang-14) over the tests that run several threads: the
# pipelines of --threads on fixtures and on every real capture, the parallel
# jsonl writer, certificates parsed on two threads. Not part of `make test`
# (a third build of the tests: CI's time).
TSAN_TESTS = Threads.*:ParallelLines.*:TlsSession.CertificatesParsedOnSeveralThreadsAtOnce
tsan: deps geoip
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/phonehome_tests --gtest_filter='$(TSAN_TESTS)'

fixtures: build
	./build/phonehome-fixture demo examples/demo.pcap
	./build/phonehome-fixture profile examples/device-profile.toml
	./build/phonehome-fixture profile-demo examples/profile-demo.pcap

# Regenerates the golden reports (tests/golden/) from the example capture;
# review the diff before committing. Keep in sync with tests/golden/golden_test.cc.
golden: build geoip
	./build/phonehome scan --no-progress --format jsonl examples/demo.pcap > tests/golden/demo.jsonl
	./build/phonehome scan --no-progress --format text --color never examples/demo.pcap > tests/golden/demo.txt

bench: deps geoip
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench -j $(JOBS)
	bench/run-whole-capture

# --threads N against --threads 1 and against N single-threaded scans at once
# (the machine's own ceiling), on the whole-capture benchmark's capture.
bench-threads: deps geoip
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench -j $(JOBS)
	@[ -s bench/data/whole.pcap ] || bench/run-whole-capture
	bench/run-threads

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	fuzz/run-all $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# clang-tidy (checks in .clang-tidy) over every source file in src/, with
# the compile commands of the `tidy` preset (which builds only the
# generated tables the sources include). Any warning fails.
tidy: deps
	@cmake --preset tidy >/dev/null
	@cmake --build --preset tidy
	run-clang-tidy-14 -p build-tidy -j $(JOBS) -quiet '$(CURDIR)/src/'

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-asan build-fuzz build-bench build-tidy
