#!/usr/bin/env bash
# Memory check of all C code: the pg_regress suite against a server under valgrind memcheck
# (scripts/valgrind.sh), failing on any report with a frame in buurtmonitor.so. It takes about
# an hour on two cores, so scripts/test.sh runs it only with BM_VALGRIND=1; a subset:
#   BM_VALGRIND=1 bash test/valgrind_regress.sh 100_aggregates 400_development
set -euo pipefail
if [ "${BM_VALGRIND:-0}" != 1 ]; then
    echo "valgrind_regress: skipped (set BM_VALGRIND=1 to run it)"
    exit 0
fi
BM_SKIP_BUILD=1 exec bash "$(dirname "$0")/../scripts/valgrind.sh" "$@"
