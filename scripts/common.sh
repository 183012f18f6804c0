#!/usr/bin/env bash
# Shared helpers for the README's two commands (scripts/demo.sh, scripts/test.sh)
# and for test/ and bench/ scripts: system packages, build, and a throwaway
# PostgreSQL cluster run as the postgres user on a loopback port.
set -euo pipefail

BM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BM_ROOT
# Real sample data: ../shared/data beside the checkout, or BUURTMONITOR_DATA.
export BUURTMONITOR_DATA=${BUURTMONITOR_DATA:-$(cd "$BM_ROOT/.." && pwd)/shared/data}
export PGPORT=${PGPORT:-54329}
export PGHOST=127.0.0.1
export PGUSER=postgres
export PGDATABASE=${PGDATABASE:-buurtmonitor}
BM_CLUSTER_DIR=${BM_CLUSTER_DIR:-/tmp/buurtmonitor-cluster-$PGPORT}
# BM_PREFIX (optional): a private copy of the server's tree (bin, lib, share) for one developer.
# `make install` then goes there (DESTDIR) and the cluster runs from there, so several builds on
# one machine never overwrite each other's buurtmonitor.so. Unset: the system's server, as in CI.
BM_PREFIX=${BM_PREFIX:-}
PG_BIN=${BM_PREFIX:+$BM_PREFIX}/usr/lib/postgresql/15/bin

BM_PACKAGES="postgresql-15 postgresql-15-postgis-3 postgresql-server-dev-15 libgeos-dev gdal-bin make gcc r-base-core r-cran-sf r-cran-spdep r-cran-classint python3 nodejs python3-qgis qgis-providers valgrind"

# Install the system packages the build, the tests and the oracles need.
bm_install_packages() {
    local missing=""
    for p in $BM_PACKAGES; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "== apt-get install$missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
}

# With BM_PREFIX: copy the system server's tree there once (PostgreSQL finds lib and share
# relative to its own binary, so the copy is a complete private installation).
bm_private_tree() {
    [ -n "$BM_PREFIX" ] || return 0
    [ -x "$PG_BIN/postgres" ] && return 0
    echo "== private server tree in $BM_PREFIX"
    mkdir -p "$BM_PREFIX/usr/lib/postgresql" "$BM_PREFIX/usr/share/postgresql"
    cp -a /usr/lib/postgresql/15 "$BM_PREFIX/usr/lib/postgresql/"
    cp -a /usr/share/postgresql/15 "$BM_PREFIX/usr/share/postgresql/"
}

# Build and install the extension into the server's directories (or the private tree).
bm_build_install() {
    echo "== build and install buurtmonitor"
    bm_private_tree
    make -C "$BM_ROOT" -s -j2 >/dev/null
    make -C "$BM_ROOT" -s install ${BM_PREFIX:+DESTDIR=$BM_PREFIX} >/dev/null
}

# Start (or reuse) a throwaway cluster owned by postgres on 127.0.0.1:$PGPORT.
bm_cluster_start() {
    if [ -f "$BM_CLUSTER_DIR/postmaster.pid" ] && su postgres -c "$PG_BIN/pg_ctl -D $BM_CLUSTER_DIR status" >/dev/null 2>&1; then
        return 0
    fi
    echo "== start throwaway cluster in $BM_CLUSTER_DIR on port $PGPORT"
    rm -rf "$BM_CLUSTER_DIR"
    mkdir -p "$BM_CLUSTER_DIR"
    chown postgres:postgres "$BM_CLUSTER_DIR"
    su postgres -c "$PG_BIN/initdb -D $BM_CLUSTER_DIR -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    su postgres -c "$PG_BIN/pg_ctl -D $BM_CLUSTER_DIR -l $BM_CLUSTER_DIR/server.log -w -o '-p $PGPORT -c listen_addresses=127.0.0.1 -k /tmp -c max_parallel_workers_per_gather=2' start" >/dev/null
}

bm_cluster_stop() {
    [ -d "$BM_CLUSTER_DIR" ] && su postgres -c "$PG_BIN/pg_ctl -D $BM_CLUSTER_DIR -m fast stop" >/dev/null 2>&1 || true
}

# Create a database with the extension installed.
bm_createdb() {
    local db=$1
    psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" >/dev/null
    psql -qX -d postgres -c "CREATE DATABASE $db" >/dev/null
    psql -qX -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION buurtmonitor CASCADE" >/dev/null
}
