#!/usr/bin/env bash
# Build and run the plugin benchmarks against the Go reference plugins, then the kernel floors. Usage: bench/run.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
build/bench/bench_plugins "${1:-100}" "$PWD/build/bin"
build/bench/bench_macvlan "${1:-100}" "$PWD/build/bin"
build/bench/bench_kernel_floors "${1:-100}"
build/bench/bench_firewall_tuning "${1:-100}" "$PWD/build/bin"
build/bench/bench_runner "${1:-30}" "$PWD/build/bin/netrun"
build/bench/bench_runner_publish "${1:-20}" "$PWD/build/bin/netrun"
build/bench/bench_portmap "${1:-30}" "$PWD/build/bin"
