#!/bin/sh
# Builds the libFuzzer targets of tests/fuzz with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, then runs each for a while from its seed corpus
# in tests/fuzz/corpus/<target>/. Fails on the first crash, leak, sanitizer
# report, timeout or out-of-memory; the input that did it is left in the
# work folder and named on the last lines.
#
#   build-aux/run-fuzzers.sh                 # 20 s per target, as CI does
#   FUZZ_SECONDS=3600 build-aux/run-fuzzers.sh fuzz-api-bodies   # one, longer
#
# Environment: FUZZ_SECONDS (default 20), FUZZ_BUILDDIR (default
# _build/fuzz), FUZZ_WORKDIR (default $FUZZ_BUILDDIR/fuzz-work: the corpus
# each run grows, kept between runs; the repository's corpus is only read).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

seconds=${FUZZ_SECONDS:-20}
builddir=${FUZZ_BUILDDIR:-_build/fuzz}
targets=${*:-fuzz-base32 fuzz-otpauth fuzz-policy-json fuzz-api-bodies}

if [ -f "$builddir/build.ninja" ]; then
  meson setup --reconfigure "$builddir" >/dev/null
else
  CC=clang meson setup "$builddir" --werror --buildtype=debugoptimized \
    -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$builddir" $(for t in $targets; do echo "tests/fuzz/$t"; done)

workdir=${FUZZ_WORKDIR:-$builddir/fuzz-work}
status=0
for t in $targets; do
  mkdir -p "$workdir/$t"
  echo "== $t: $seconds s"
  # New inputs go to the first folder; the seeds are read from the second.
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "$builddir/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$workdir/$t-" \
       "$workdir/$t" "$top/tests/fuzz/corpus/$t" >"$workdir/$t.log" 2>&1; then
    grep -E '^#[0-9]+[[:space:]]+DONE' "$workdir/$t.log" | tail -n 1
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$workdir/$t.log"
  else
    status=1
    tail -n 40 "$workdir/$t.log"
    echo "$t FAILED: see $workdir/$t.log and $workdir/$t-*" >&2
  fi
done
exit $status
