#!/bin/sh
# Vestibule's whole test run, as CI does it: install what is missing, check
# that French is complete, build with warnings as errors and run every test,
# check that the release tarball builds, build again with AddressSanitizer +
# UndefinedBehaviorSanitizer and run every test again, then run each libFuzzer
# target briefly.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

./build-aux/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

run_suite () {
  dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
  ninja -C "$dir" -j "$jobs"
  meson test -C "$dir" --print-errorlogs --num-processes "$jobs"
}

echo "== French translation is complete"
msgfmt --check --statistics -o /dev/null po/fr.po
if msgfmt --statistics -o /dev/null po/fr.po 2>&1 | grep -Eq 'untranslated|fuzzy'; then
  echo "po/fr.po is not complete" >&2
  exit 1
fi

echo "== Build with -Werror and run every test"
run_suite _build/werror --werror --buildtype=debugoptimized

echo "== meson dist: the release tarball builds"
# meson dist archives the committed tree (git archive of HEAD): CI runs in a
# clean clone; a local run with uncommitted changes checks HEAD, and says so.
dist_args="--no-tests --formats xztar"
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
  echo "(uncommitted changes: the tarball holds HEAD only)"
  dist_args="$dist_args --allow-dirty"
fi
# shellcheck disable=SC2086
meson dist -C _build/werror $dist_args
dist_tmp=$(mktemp -d "${TMPDIR:-/tmp}/vestibule-dist.XXXXXX")
tar -xJf "_build/werror/meson-dist/vestibule-$(sed -n "s/^  version: '\(.*\)',$/\1/p" meson.build).tar.xz" -C "$dist_tmp"
meson setup "$dist_tmp/build" "$dist_tmp"/vestibule-*/ --werror >/dev/null
ninja -C "$dist_tmp/build" -j "$jobs"
rm -rf "$dist_tmp"

echo "== Same again under AddressSanitizer + UndefinedBehaviorSanitizer"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite _build/sanitize --werror --buildtype=debug \
    -Db_sanitize=address,undefined -Db_lundef=false

echo "== libFuzzer targets, 10 s each (longer runs: docs/reliability.md)"
FUZZ_BUILDDIR=_build/fuzz FUZZ_SECONDS=10 ./build-aux/run-fuzzers.sh

# One closing line for whoever reads the log: every result of both runs.
/usr/bin/python3 - "$top/_build/werror" "$top/_build/sanitize" <<'PY'
import json, sys
passed = failed = skipped = 0
for d in sys.argv[1:]:
    with open(d + "/meson-logs/testlog.json") as f:
        for line in f:
            r = json.loads(line)["result"]
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or skipped else 0)
PY
