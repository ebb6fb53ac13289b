#!/usr/bin/env bash
# The main job, from a fresh machine: install deps, build, then attach two network
# namespaces to a bridge with our plugins (through `netrun net add`) and ping between them.
# Everything runs inside a private sandbox (own network and mount namespaces), so the
# machine's real network is never touched and nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec unshare --net --mount --propagation private -- bash scripts/demo-inner.sh
