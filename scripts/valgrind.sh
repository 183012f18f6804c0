#!/usr/bin/env bash
# Run pg_regress tests with the server under valgrind memcheck and report every error whose
# stack passes through buurtmonitor.so. Slow (10-30x): give a subset as arguments, e.g.
#   bash scripts/valgrind.sh 100_aggregates 200_overlap
# Without arguments it runs the whole suite. Exits non-zero when an error touches our code.
# BM_VALGRIND_FUZZ=quick (or full) also runs test/fuzz.sh against the server under valgrind.
source "$(dirname "$0")/common.sh"
# a port nobody listens on (another cluster on the port would be tested instead, without valgrind)
PGPORT=${VG_PORT:-54339}
while pg_isready -q -h 127.0.0.1 -p "$PGPORT"; do PGPORT=$((PGPORT + 1)); done
export PGPORT
dir=$(mktemp -d /tmp/buurtmonitor-valgrind.XXXXXX)   # private, so two runs do not collide
logs=$dir/logs
[ "${BM_SKIP_BUILD:-0}" = 1 ] || bm_build_install
chmod 755 "$dir"; mkdir -p "$logs"; chown -R postgres:postgres "$dir"
su postgres -c "$PG_BIN/initdb -D $dir/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
su postgres -c "valgrind --quiet --tool=memcheck --trace-children=yes --error-limit=no --num-callers=30 \
    --read-var-info=no --log-file=$logs/vg.%p.log \
    $PG_BIN/postgres -D $dir/data -p $PGPORT -c listen_addresses=127.0.0.1 -k /tmp \
    -c max_parallel_workers_per_gather=2 >$dir/server.log 2>&1 &"
for _ in $(seq 1 120); do pg_isready -q -h 127.0.0.1 -p $PGPORT && break; sleep 1; done
pgrep -f "valgrind.*-D $dir/data" >/dev/null || { echo "valgrind: the server under valgrind did not start (see $dir/server.log)"; exit 1; }
tests=${*:-}
status=0
# BM_VALGRIND_BUDGET (seconds, optional): stop the regression tests when it runs out, so a memory
# check inside CI cannot overrun CI's limit; the log scan below still covers everything that ran.
budget=${BM_VALGRIND_BUDGET:-0}
t0=$(date +%s)
limit=(); [ "$budget" -gt 0 ] && limit=(timeout --foreground "$budget")
rc=0
if [ -n "$tests" ]; then
    "${limit[@]}" make -C "$BM_ROOT" -s installcheck REGRESS="000_install $tests" \
         REGRESS_OPTS="--inputdir=. --load-extension=postgis --outputdir=$dir/out" || rc=$?
else
    "${limit[@]}" make -C "$BM_ROOT" -s installcheck REGRESS_OPTS="--inputdir=. --load-extension=postgis --outputdir=$dir/out" || rc=$?
fi
if [ $rc -eq 124 ]; then
    echo "valgrind: the time budget of ${budget} s ran out; the tests listed above ran under valgrind, the rest did not"
elif [ $rc -ne 0 ]; then
    status=1
fi
# the fuzz test against the same server (BM_VALGRIND_FUZZ=quick: the reduced value set; full: all)
if [ "${BM_VALGRIND_FUZZ:-0}" != 0 ] && [ $rc -ne 124 ]; then
    echo "== fuzz under valgrind (${BM_VALGRIND_FUZZ})"
    FUZZ_QUICK=$([ "$BM_VALGRIND_FUZZ" = full ] && echo 0 || echo 1) FUZZ_TIMEOUT_MS=60000 FUZZ_GRACE_S=120 \
        bash "$BM_ROOT/test/fuzz.sh" >"$dir/fuzz.out" 2>&1 || { status=1; echo "fuzz failed under valgrind:"; }
    grep -E '^(FAIL|[0-9]+ functions)' "$dir/fuzz.out" | head -40
fi
echo "valgrind: $(( $(date +%s) - t0 )) s under valgrind"
su postgres -c "$PG_BIN/pg_ctl -D $dir/data -m fast -w -t 300 stop" >/dev/null 2>&1 || true
sleep 2
# an error block starts with "==pid== <Description>" and its stack follows; keep the blocks
# that mention buurtmonitor.so
ours=$(awk '/^==[0-9]+== [A-Z]/ { if (blk ~ /buurtmonitor\.so/) print blk; blk = $0 "\n"; next }
            /^==[0-9]+==/ { blk = blk $0 "\n"; next }
            END { if (blk ~ /buurtmonitor\.so/) print blk }' "$logs"/vg.*.log)
total=$(cat "$logs"/vg.*.log | grep -c '^==[0-9]*== [A-Z]' || true)
echo "valgrind: $(ls "$logs" | wc -l) processes, $total error reports in all (PostgreSQL's own included)"
if [ -n "$ours" ]; then
    echo "errors in buurtmonitor.so:"; echo "$ours" | head -200
    exit 1
fi
echo "valgrind: no errors in buurtmonitor.so (logs in $logs)"
# Memory errors in our code fail the run (above). Result differences under valgrind are reported;
# they fail it only with BM_VALGRIND_STRICT=1: valgrind computes long double in 64 bits and runs
# 20-50x slower (statement timeouts), and the same tests run natively in the same suite.
if [ $status -ne 0 ]; then
    echo "valgrind: some tests gave other results under valgrind (see $dir/out/regression.diffs, $dir/fuzz.out)"
    [ "${BM_VALGRIND_STRICT:-0}" = 1 ] && exit 1
fi
