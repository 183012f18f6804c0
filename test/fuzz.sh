#!/usr/bin/env bash
# Fuzz test (issue 9): every SQL-visible function and aggregate of the extension, found in the
# catalogue, called with hostile values per argument type (test/fuzz.py), against the fixtures of
# test/sql/fuzz_fixtures.sql in a database of its own. Fails on a crash or restart, an XX error, a
# user-facing error without a hint, an undocumented NaN/infinite result, or a call that ignores
# statement_timeout. Deterministic; about a minute on two busy cores.
#   FUZZ_QUICK=1   the reduced value set used under valgrind (scripts/valgrind.sh)
#   FUZZ_ONLY=re   only functions whose name matches
source "$(dirname "$0")/../scripts/common.sh"
export FUZZ_DB=${FUZZ_DB:-bm_fuzz}
bm_createdb "$FUZZ_DB"
psql -qX -v ON_ERROR_STOP=1 -d "$FUZZ_DB" -f "$BM_ROOT/test/sql/fuzz_fixtures.sql" >/dev/null
# a small CSV for the file loaders, readable by the server
export FUZZ_CSV=$(mktemp /tmp/buurtmonitor-fuzz.XXXXXX.csv)
trap 'rm -f "$FUZZ_CSV"' EXIT
printf 'code,jaar,a_inw,p_koopw\nBU99010101,2023,5,40\nBU99010102,2023,7,-\n' >"$FUZZ_CSV"
chmod 644 "$FUZZ_CSV"
status=0
python3 "$BM_ROOT/test/fuzz.py" || status=1
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $FUZZ_DB" >/dev/null 2>&1 || true
exit $status
