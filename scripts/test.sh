#!/usr/bin/env bash
# The project's whole test run, from a fresh machine: install deps, build, run every test
# tier this machine supports, then the ASan+UBSan build of the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
(cd build && ctest --output-on-failure -j2 --timeout 300)
# Sanitizers: unit tier only (root tiers exec many binaries; ASan there adds minutes, no signal).
BUILD_DIR=build-asan BUILD_TYPE=Debug TARGETS=unit_tests ./scripts/build.sh -DNETRUN_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j2 -L unit)
