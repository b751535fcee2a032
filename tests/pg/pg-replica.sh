#!/bin/sh
# pg-replica.sh start|catch-up|restart-primary|stop DIR - a throwaway
# PostgreSQL primary with a streaming-replication hot standby, for the
# replica test (tests/integration/test_pg_replica.c).
#
#   start            initdb a primary (wal_level=replica, replication
#                    allowed from 127.0.0.1 without a password), copy it
#                    with pg_basebackup -R into a standby, start both on
#                    free ports from 26432 up (below the ephemeral range), wait until the standby is in
#                    recovery. DIR gets primary_url and standby_url.
#   catch-up         waits until the standby has replayed everything the
#                    primary has written so far (at most 60 s).
#   restart-primary  stops the primary (-m fast), waits 2 s, starts it
#                    again on the same port.
#   stop             stops both servers and removes their directories.
#
# Like pg-ctl.sh: fsync stays on, and as root the server programs run as
# the postgres user, from /tmp. Only directories this script made (under
# /tmp/sw-pgrep.*) are ever removed.
set -u

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|catch-up|restart-primary|stop DIR" >&2
    exit 2
fi

. "$(dirname "$0")/pg-common.sh"

# psql on port $1 with query $2: the bare value.
q() {
    psql -X -q -t -A -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2" 2>/dev/null
}

fail() {
    echo "pg-replica: $*" >&2
    for f in primary standby; do
        [ -f "$(state_get base)/$f.log" ] && tail -n 15 "$(state_get base)/$f.log" >&2
    done
    do_stop
    exit 1
}

do_stop() {
    base=$(state_get base)
    for f in standby primary; do
        if [ -n "$base" ] && [ -f "$base/$f/postmaster.pid" ]; then
            as_pg pg_ctl -D "$base/$f" -m fast -w -t 15 stop >/dev/null 2>&1 ||
                as_pg pg_ctl -D "$base/$f" -m immediate -w -t 10 stop >/dev/null 2>&1
        fi
    done
    case "$base" in
        /tmp/sw-pgrep.*) rm -rf "$base" ;;
    esac
    rm -f "$dir/state" "$dir/primary_url" "$dir/standby_url"
    return 0
}

start_server() { # data port log
    as_pg pg_ctl -D "$1" -l "$3" -w -t 60 \
        -o "-p $2 -h 127.0.0.1 -k $1 -c max_connections=100" start >/dev/null 2>&1
}

do_start() {
    do_stop
    mkdir -p "$dir" || exit 1
    command -v initdb >/dev/null 2>&1 && command -v pg_basebackup >/dev/null 2>&1 ||
        { echo "pg-replica: initdb or pg_basebackup not found" >&2; exit 1; }
    base=$(mktemp -d /tmp/sw-pgrep.XXXXXX) || exit 1
    chmod 755 "$base"
    mkdir -m 700 "$base/primary" "$base/standby"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$base"
    printf 'base=%s\n' "$base" >"$dir/state"

    as_pg initdb -D "$base/primary" -A trust -U postgres --no-sync -E UTF8 \
        >"$base/initdb.log" 2>&1 || fail "initdb failed"
    cat >>"$base/primary/postgresql.conf" <<EOF
wal_level = replica
max_wal_senders = 5
hot_standby = on
EOF
    # initdb -A trust already lets "replication" in from 127.0.0.1; said
    # again so the test does not depend on that default.
    echo "host replication all 127.0.0.1/32 trust" >>"$base/primary/pg_hba.conf"

    pport=$(free_port 26432)
    start_server "$base/primary" "$pport" "$base/primary.log" ||
        fail "the primary did not start"
    printf 'base=%s\npport=%s\n' "$base" "$pport" >"$dir/state"

    as_pg pg_basebackup -h 127.0.0.1 -p "$pport" -U postgres -D "$base/standby" \
        -R -X stream >"$base/basebackup.log" 2>&1 || fail "pg_basebackup failed"
    chmod 700 "$base/standby"
    sport=$(free_port $((pport + 1)))
    start_server "$base/standby" "$sport" "$base/standby.log" ||
        fail "the standby did not start"
    printf 'base=%s\npport=%s\nsport=%s\n' "$base" "$pport" "$sport" >"$dir/state"

    waited=0
    until [ "$(q "$sport" 'SELECT pg_is_in_recovery()')" = t ]; do
        waited=$((waited + 1))
        [ "$waited" -ge 60 ] && fail "the standby is not in recovery"
        sleep 1
    done
    printf 'postgresql://postgres@127.0.0.1:%s/postgres\n' "$pport" >"$dir/primary_url"
    printf 'postgresql://postgres@127.0.0.1:%s/postgres\n' "$sport" >"$dir/standby_url"
    echo "pg-replica: primary 127.0.0.1:$pport, standby 127.0.0.1:$sport ($base)"
}

do_catch_up() {
    pport=$(state_get pport)
    sport=$(state_get sport)
    target=$(q "$pport" 'SELECT pg_current_wal_lsn()')
    [ -n "$target" ] || { echo "pg-replica: the primary does not answer" >&2; exit 1; }
    waited=0
    until [ "$(q "$sport" "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ]; do
        waited=$((waited + 1))
        if [ "$waited" -ge 300 ]; then
            echo "pg-replica: the standby did not replay up to $target" >&2
            exit 1
        fi
        sleep 0.2
    done
}

# Stops the primary (-m fast, as pg_ctl restart does), leaves it down for
# ${SW_PG_DOWN_S:-2} seconds so that clients surely meet the outage, and
# starts it again on the same port.
do_restart_primary() {
    base=$(state_get base)
    pport=$(state_get pport)
    as_pg pg_ctl -D "$base/primary" -m fast -w -t 60 stop >/dev/null 2>&1 ||
        { echo "pg-replica: the primary did not stop" >&2; exit 1; }
    sleep "${SW_PG_DOWN_S:-2}"
    start_server "$base/primary" "$pport" "$base/primary.log" ||
        { echo "pg-replica: the primary did not start again" >&2; exit 1; }
    echo "pg-replica: the primary restarted"
}

case "$cmd" in
    start) do_start ;;
    catch-up) do_catch_up ;;
    restart-primary) do_restart_primary ;;
    stop)
        do_stop
        echo "pg-replica: stopped"
        ;;
    *)
        echo "usage: $0 start|catch-up|restart-primary|stop DIR" >&2
        exit 2
        ;;
esac
exit 0
