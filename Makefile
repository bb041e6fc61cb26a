# Quorum's two entry points, `make run` and `make test`, and the test matrix they share
# with CI (.ci/run calls `make test`).

BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
JOBS        ?= 2
QUORUM_ARGS ?=
QUORUM_APP_ARGS ?=

CMAKE_CONFIGURE = cmake -S . -G Ninja -Wno-dev
CTEST           = ctest --output-on-failure --timeout 300 -j $(JOBS)

.PHONY: run app server test package deps-run deps-package deps-test build build-programs \
        build-asan test-release test-sanitize check-format format bench bench-postgres clean

## run: install what is missing, build, and start Quorum: the desktop app with its embedded
## server where a display exists, the headless quorumd on http://127.0.0.1:8080 otherwise
run: deps-run build-programs
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "Starting the desktop app (make server runs the headless quorumd instead)"; \
		exec $(BUILD_DIR)/bin/quorum $(QUORUM_APP_ARGS); \
	else \
		echo "No display: starting the headless quorumd (make app needs a display)"; \
		exec $(BUILD_DIR)/bin/quorumd $(QUORUM_ARGS); \
	fi

## app: the desktop app for hosts with its embedded server
app: deps-run build-programs
	exec $(BUILD_DIR)/bin/quorum $(QUORUM_APP_ARGS)

## server: the headless quorumd on http://127.0.0.1:8080, display or not
server: deps-run build-programs
	exec $(BUILD_DIR)/bin/quorumd $(QUORUM_ARGS)

## test: the whole matrix: formatting, every suite on the release build (the integration
## suite twice: on SQLite and on a PostgreSQL server of its own), and the unit and SQLite
## integration suites again under AddressSanitizer and UndefinedBehaviorSanitizer
test: deps-test check-format test-release test-sanitize

## package: the release build, then a .deb and a .tar.gz in $(BUILD_DIR)/packages/
package: deps-package build
	cd $(BUILD_DIR) && cpack

deps-run:
	@installer/debian-packages.sh run

deps-package:
	@installer/debian-packages.sh package

deps-test:
	@installer/debian-packages.sh test
	@installer/browser-tools.sh

build:
	$(CMAKE_CONFIGURE) -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The two programs alone, without the test suite: what run, app and server need.
build-programs:
	$(CMAKE_CONFIGURE) -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD_DIR) -j $(JOBS) --target quorumd quorum

build-asan:
	$(CMAKE_CONFIGURE) -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DQUORUM_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)

test-release: build
	$(CTEST) --test-dir $(BUILD_DIR)

test-sanitize: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(CTEST) --test-dir $(ASAN_DIR) -L 'unit|integration' -E '_pg$$'

check-format:
	@installer/check-format.sh

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

## bench: the benchmarks of tests/bench against a real quorumd on loopback (not a test)
bench: deps-test build
	tests/bench/run.sh $(BUILD_DIR)/bin/quorumd
	tests/bench/run_signal.sh $(BUILD_DIR)/bin/quorumd $(BUILD_DIR)/bin/signal_bench
	tests/bench/run_webhooks.sh $(BUILD_DIR)/bin/quorumd $(BUILD_DIR)/bin/webhook_bench
	tests/bench/run_oauth.sh $(BUILD_DIR)/bin/quorumd
	tests/bench/run_downloads.sh $(BUILD_DIR)/bin/quorumd
	tests/bench/run_processing.sh $(BUILD_DIR)/bin/processing_bench
	tests/bench/run_media.sh $(BUILD_DIR)/bin/quorumd

## bench-postgres: the API benchmarks on PostgreSQL beside SQLite, and two nodes' freshness
bench-postgres: deps-test build
	tests/bench/run_postgres.sh $(BUILD_DIR)/bin/quorumd

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
