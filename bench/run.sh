#!/usr/bin/env bash
# Build and run the plugin benchmark against the Go reference plugins. Usage: bench/run.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec build/bench/bench_plugins "${1:-100}" "$PWD/build/bin"
