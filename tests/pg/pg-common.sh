# pg-common.sh - what the test run's PostgreSQL scripts share (sourced by
# pg-ctl.sh and pg-replica.sh, which set $dir first): the server programs
# on PATH, running them as the cluster's owner, their state file, and
# finding a free port.

# The newest installed server, else whatever is on PATH.
bindir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5n | tail -n 1)
if [ -d "$bindir" ]; then
    PATH=$bindir:$PATH
    export PATH
fi

# Runs a server program as the user that owns the cluster; from /tmp so the
# postgres user never needs access to the caller's directory.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        (cd /tmp && runuser -u postgres -- env PATH="$PATH" "$@")
    else
        (cd /tmp && "$@")
    fi
}

state_get() {
    [ -f "$dir/state" ] && sed -n "s/^$1=//p" "$dir/state" | head -n 1
}

# True when any TCP socket (IPv4 or IPv6, listening or connected) has port
# $1 as its local end: a connected client's port cannot be listened on.
port_busy() {
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p=":$hex" '$2 ~ p"$" { found = 1 } END { exit !found }'
}

# The first port from $1 up that port_busy finds free.
free_port() {
    p=$1
    while port_busy "$p"; do
        p=$((p + 1))
    done
    echo "$p"
}
