#!/bin/sh
# Load figures for vestibule-server (see docs/reliability.md): builds a
# release binary in BUILD (default /tmp/vestibule-build-load), then runs
# bench/run-load.py against it. Needs wrk (build-aux/install-deps.sh).
# Pass --quick for a 3-second smoke run.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-/tmp/vestibule-build-load}
if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" --buildtype=release >/dev/null
else
  meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" src/server/vestibule-server >/dev/null
VESTIBULE_DATADIR="$(pwd)/data" VESTIBULE_LOCALEDIR="$build/po" \
  exec /usr/bin/python3 bench/run-load.py "$build/src/server/vestibule-server" "$@"
