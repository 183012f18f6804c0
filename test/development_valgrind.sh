#!/usr/bin/env bash
# Memory check of development(), reference_values(), trend(), the significance tests and signals:
# runs the pg_regress tests 400-440 against a private
# server started under valgrind (memcheck, following the parallel workers) and fails if valgrind
# reports any error with a frame in buurtmonitor.so.  Server-internal reports (uninitialised
# padding written to disk and the like, which PostgreSQL's own valgrind.supp suppresses) are
# counted but ignored.  Takes several minutes, so it runs only with BM_VALGRIND=1:
#   BM_VALGRIND=1 bash test/development_valgrind.sh
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
if [ "${BM_VALGRIND:-0}" != 1 ]; then
    echo "development_valgrind: skipped (set BM_VALGRIND=1 to run it)"
    exit 0
fi
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }

VG=$(mktemp -d /tmp/bm_dev_valgrind.XXXXXX)
chmod 755 "$VG"; mkdir "$VG/sock" "$VG/logs" "$VG/data"; chown postgres:postgres "$VG/sock" "$VG/logs" "$VG/data"
su postgres -c "$PG_BIN/initdb -D $VG/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
su postgres -c "valgrind --quiet --error-limit=no --trace-children=yes --num-callers=30 \
    --log-file=$VG/logs/vg.%p.log $PG_BIN/postgres -D $VG/data -c listen_addresses='' \
    -c unix_socket_directories=$VG/sock -c port=$PGPORT > $VG/logs/server.log 2>&1 &"
stop() { su postgres -c "$PG_BIN/pg_ctl -D $VG/data -m fast stop" >/dev/null 2>&1 || true; }
trap stop EXIT
ready=0
for _ in $(seq 180); do
    "$PG_BIN/pg_isready" -q -h "$VG/sock" -p "$PGPORT" && { ready=1; break; }
    sleep 1
done
[ "$ready" = 1 ] || { echo "server under valgrind did not start; see $VG/logs" >&2; exit 1; }

status=0
PGHOST=$VG/sock make -C "$BM_ROOT" -s installcheck \
    REGRESS="000_install 400_development 410_development_baarn 412_development_woudenberg 414_development_utrecht 420_significance 440_signals" \
    REGRESS_OPTS="--inputdir=. --load-extension=postgis --outputdir=$VG/out" || status=1
stop; trap - EXIT

ours=$(grep -l 'buurtmonitor\.so\|development\.c\|significance\.c' "$VG"/logs/vg.*.log || true)
other=$(cat "$VG"/logs/vg.*.log | grep -c '^==[0-9]*== [A-Z]' || true)
echo "development_valgrind: $other valgrind reports in total, logs in $VG/logs"
if [ -n "$ours" ]; then
    echo "development_valgrind: errors in buurtmonitor.so:"
    for f in $ours; do cat "$f"; done
    status=1
fi
[ "$status" = 0 ] && echo "development_valgrind: no valgrind errors in buurtmonitor.so, tests pass"
exit $status
