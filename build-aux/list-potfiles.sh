#!/bin/sh
# Prints every source file with a translatable string, sorted, as
# po/POTFILES.in must list them. `build-aux/list-potfiles.sh > po/POTFILES.in`
# refreshes the list; the test run fails when the two differ.
set -eu
cd "$(dirname "$0")/.."
{
  git ls-files -co --exclude-standard 'src/*.c' | xargs grep -lE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|g_dngettext|ngettext|g_dpgettext2?)[[:space:]]*\(' || true
  git ls-files -co --exclude-standard 'src/*.ui' | xargs grep -l 'translatable="yes"' || true
  git ls-files -co --exclude-standard 'data/*.desktop.in' 'data/*.metainfo.xml.in' 'data/*.gschema.xml' || true
} | LC_ALL=C sort -u
