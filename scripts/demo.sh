#!/usr/bin/env bash
# The main job, from a fresh machine: install deps, build, then start the built-in busybox
# image as a web server with `netrun -d --name web -p 8088:80 ...` and fetch its page through
# the published port. Everything runs inside a private sandbox (own network and mount
# namespaces), so the machine's real network is never touched and nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec unshare --net --mount --propagation private -- bash scripts/demo-inner.sh
