#!/bin/sh
# Runs vestibule-server ($VESTIBULE_REAL_SERVER_BINARY) under valgrind's
# memcheck, for tests/server/vsttest.py (VESTIBULE_SERVER_BINARY): any
# memory error or definite leak makes the server exit 99, which the harness
# reports with the log, where valgrind writes. G_SLICE=always-malloc lets
# valgrind see GObjects one by one.
here=$(dirname "$0")
G_SLICE=always-malloc exec valgrind --tool=memcheck --quiet --error-exitcode=99 \
  --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
  --num-callers=30 --suppressions=/usr/share/glib-2.0/valgrind/glib.supp \
  --suppressions="$here/../valgrind.supp" \
  "$VESTIBULE_REAL_SERVER_BINARY" "$@"
