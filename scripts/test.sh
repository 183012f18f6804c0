#!/usr/bin/env bash
# Command 2 of the README: run the whole test suite against a throwaway cluster.
#   pg_regress (make installcheck) on sql/ + expected/, then every test/*.sh.
# Exits non-zero on any failure and ends with one line "N passed, N failed".
source "$(dirname "$0")/common.sh"

bm_install_packages
bm_build_install
bm_cluster_start
trap bm_cluster_stop EXIT

passed=0; failed=0; failures=""

echo "== pg_regress"
if make -C "$BM_ROOT" -s installcheck; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); failures="$failures pg_regress"
    [ -f "$BM_ROOT/regression.diffs" ] && head -200 "$BM_ROOT/regression.diffs"
fi

for t in "$BM_ROOT"/test/*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    echo "== test/$name"
    if bash "$t"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); failures="$failures $name"
    fi
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
