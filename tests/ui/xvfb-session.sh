#!/bin/sh
# Runs a command on a private X server and session bus. Xvfb picks a free
# display itself (-displayfd) once it is listening, so two runs never race
# for one number, as `xvfb-run -a` can when one server is still going away;
# -noreset, because an X server resets when its last client leaves, and a
# client connecting then (the wizard, after a screenshot) is turned away.
set -eu

dir=$(mktemp -d "${TMPDIR:-/tmp}/vst-xvfb.XXXXXX")
xvfb=
cleanup () {
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null && wait "$xvfb" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -noreset 3>"$dir/display" 2>"$dir/xvfb.log" &
xvfb=$!

tries=0
until [ -s "$dir/display" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 200 ] || ! kill -0 "$xvfb" 2>/dev/null; then
    echo "Xvfb did not start:" >&2
    cat "$dir/xvfb.log" >&2
    exit 1
  fi
  sleep 0.05
done

DISPLAY=":$(cat "$dir/display")"
export DISPLAY
status=0
dbus-run-session -- "$@" || status=$?
exit "$status"
