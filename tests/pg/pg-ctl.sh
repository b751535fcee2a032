#!/bin/sh
# pg-ctl.sh start|stop DIR - a private, throwaway PostgreSQL server for one
# test run.
#
# CTest runs `start` as the pg.start fixture before the first test that
# needs PostgreSQL and `stop` as pg.stop after the last one, even when tests
# fail; tests/run.sh also calls `stop` if the run is interrupted. The server
# lives in a fresh data directory under /tmp, listens on 127.0.0.1 on the
# first free port from 25432 up (below the kernel's ephemeral range, so no
# client connection can hold it; several builds may run tests at once), and
# keeps fsync on, because the store tests check that acknowledged commits
# survive. DIR gets two files:
#   url    the maintenance URL tests connect to (tests/support/testdb.c)
#   state  data directory, postmaster pid and port, for `stop`
# initdb and postgres refuse to run as root, so as root they run as the
# postgres user.
set -u

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

. "$(dirname "$0")/pg-common.sh"

do_stop() {
    data=$(state_get data)
    pid=$(state_get pid)
    if [ -n "$data" ] && [ -f "$data/postmaster.pid" ]; then
        as_pg pg_ctl -D "$data" -m fast -w -t 15 stop >/dev/null 2>&1 ||
            as_pg pg_ctl -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1
    fi
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null
        sleep 1
    fi
    # Only ever remove a directory this script made.
    case "$data" in
        /tmp/sw-pg.*) rm -rf "$data" ;;
    esac
    rm -f "$dir/url" "$dir/state"
    return 0
}

do_start() {
    do_stop
    mkdir -p "$dir" || exit 1
    if ! command -v initdb >/dev/null 2>&1 || ! command -v pg_ctl >/dev/null 2>&1; then
        echo "pg-ctl: no PostgreSQL server programs (initdb, pg_ctl) found" >&2
        exit 1
    fi
    data=$(mktemp -d /tmp/sw-pg.XXXXXX) || exit 1
    chmod 700 "$data"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$data" || exit 1
    fi
    printf 'data=%s\n' "$data" >"$dir/state"
    if ! as_pg initdb -D "$data" -A trust -U postgres --no-sync -E UTF8 \
            >"$dir/initdb.log" 2>&1; then
        echo "pg-ctl: initdb failed:" >&2
        tail -n 20 "$dir/initdb.log" >&2
        do_stop
        exit 1
    fi
    rm -f "$dir/initdb.log"

    port=25432
    tries=0
    while :; do
        while port_busy "$port"; do
            port=$((port + 1))
        done
        if as_pg pg_ctl -D "$data" -l "$data/server.log" -w -t 60 \
                -o "-p $port -h 127.0.0.1 -k $data -c max_connections=300" \
                start >/dev/null 2>&1; then
            break
        fi
        tries=$((tries + 1))
        # Another run may have taken the port between the check and the
        # bind; anything else is a real failure.
        if [ "$tries" -ge 20 ] || ! grep -q "could not bind\|could not create any TCP/IP sockets\|already in use" "$data/server.log" 2>/dev/null; then
            echo "pg-ctl: the server did not start; its log:" >&2
            tail -n 20 "$data/server.log" >&2 2>/dev/null
            do_stop
            exit 1
        fi
        port=$((port + 1))
    done

    pid=$(head -n 1 "$data/postmaster.pid")
    printf 'data=%s\npid=%s\nport=%s\n' "$data" "$pid" "$port" >"$dir/state"

    # pg_ctl -w already waited; make sure TCP connections are accepted too.
    waited=0
    until pg_isready -q -h 127.0.0.1 -p "$port" -d postgres -U postgres; do
        waited=$((waited + 1))
        if [ "$waited" -ge 60 ]; then
            echo "pg-ctl: the server on port $port does not accept connections" >&2
            do_stop
            exit 1
        fi
        sleep 1
    done
    printf 'postgresql://postgres@127.0.0.1:%s/postgres\n' "$port" >"$dir/url"
    echo "pg-ctl: PostgreSQL on 127.0.0.1:$port (data $data)"
}

case "$cmd" in
    start) do_start ;;
    stop)
        do_stop
        echo "pg-ctl: stopped"
        ;;
    *)
        echo "usage: $0 start|stop DIR" >&2
        exit 2
        ;;
esac
exit 0
