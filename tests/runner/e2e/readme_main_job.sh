#!/usr/bin/env bash
# The README's main-job command, run exactly as written on a fresh clone of this checkout's
# HEAD: it must print the page served by the container through the published port.
# Usage: readme_main_job.sh SOURCE_DIR
set -euo pipefail
src=$1
cmd=$(awk '/<!-- main-job -->/{getline; getline; print; exit}' "$src/README.md")
[ -n "$cmd" ] || { echo "README.md has no <!-- main-job --> block" >&2; exit 1; }
work=$(mktemp -d /tmp/netrun-readme-XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q "$src" "$work/netrun"
cd "$work/netrun"
echo "running the README main job: $cmd"
out=$(bash -c "$cmd" 2>&1) || { printf '%s\n' "$out" | tail -40; echo "main job failed" >&2; exit 1; }
printf '%s\n' "$out" | tail -15
grep -qx "hello from netrun" <<<"$out" || { echo "the page was not printed" >&2; exit 1; }
