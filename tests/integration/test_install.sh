#!/bin/sh
# test_install.sh - `make install`'s layout and the installed program:
# installs this build into a scratch DESTDIR with PREFIX=/usr (the cmake
# --install step that `make install` ends with), checks every file is where
# docs/operations.md "Install" says, that the systemd unit passes
# systemd-analyze verify when systemd is on the machine, that an existing
# configuration file is kept, and that the installed program, started with
# the installed default configuration (its paths moved under DESTDIR, a
# scratch database and a free port), serves the web app's index from the
# installed share/stagewise/web.
#
# Usage: test_install.sh BUILD_DIR
set -eu
build=$1
root=$(mktemp -d /tmp/sw-install-XXXXXX)
server=
cleanup() {
    if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$root"
}
trap cleanup EXIT
fail() { echo "test_install: $*" >&2; exit 1; }

dest=$root/dest
DESTDIR=$dest cmake --install "$build" --prefix /usr >"$root/install.log" 2>&1 \
    || { cat "$root/install.log" >&2; fail "cmake --install failed"; }

for f in usr/bin/stagewise usr/share/stagewise/web/index.html \
         usr/lib/systemd/system/stagewise.service etc/stagewise/stagewise.conf \
         usr/share/doc/stagewise/operations.md usr/share/doc/stagewise/README.md; do
    [ -e "$dest/$f" ] || fail "missing $f"
done
[ -x "$dest/usr/bin/stagewise" ] || fail "usr/bin/stagewise is not executable"
ls "$dest"/usr/share/stagewise/courses/*.json >/dev/null 2>&1 || fail "no courses installed"
unit=$dest/usr/lib/systemd/system/stagewise.service
grep -qx 'ExecStart=/usr/bin/stagewise serve --config /etc/stagewise/stagewise.conf' "$unit" \
    || fail "the unit's ExecStart does not name /usr/bin and /etc"
for opt in NoNewPrivileges=yes ProtectSystem=strict ReadWritePaths=/var/lib/stagewise \
           StateDirectory=stagewise 'CapabilityBoundingSet=' User=stagewise Restart=on-failure; do
    grep -qx "$opt" "$unit" || fail "the unit lacks $opt"
done
if command -v systemd-analyze >/dev/null 2>&1; then
    # The program is under DESTDIR, not /usr/bin: that one complaint is expected.
    systemd-analyze verify "$unit" 2>&1 | grep -v 'is not executable' \
        | grep -Ei 'unknown|invalid|failed to parse|ignoring' && fail "systemd-analyze verify complained"
fi

# Every key of the default configuration is a serve option: the file as
# installed is accepted (paths checked when serving, below).
conf=$dest/etc/stagewise/stagewise.conf
# Every option of `serve --help` is documented there (a commented line).
keys=$("$dest/usr/bin/stagewise" serve --help | grep '^  --' \
       | grep -Eo -- '(^  |, )--[a-z][a-z-]*' | sed 's/^.*--//' | sort -u)
[ -n "$keys" ] || fail "serve --help lists no options"
for k in $keys; do
    [ "$k" = config ] && continue
    grep -Eq "^#? ?$k = " "$conf" || fail "the default configuration does not document $k"
done

# An existing configuration is kept by a second install.
echo "# the administrator's" >>"$conf"
DESTDIR=$dest cmake --install "$build" --prefix /usr >"$root/install2.log" 2>&1 \
    || fail "second install failed"
grep -q "the administrator's" "$conf" || fail "install replaced an existing configuration"

# The installed program with the installed configuration, moved under DESTDIR.
db=$root/stagewise.db
sed -e "s|^db = .*|db = sqlite:$db|" -e 's|^listen = .*|listen = 127.0.0.1:0|' \
    -e "s|^web = /usr|web = $dest/usr|" -e "s|^courses = /usr|courses = $dest/usr|" \
    "$conf" >"$root/test.conf"
echo "no-training = true" >>"$root/test.conf"
STAGEWISE_ADMIN_PASSWORD=correct-horse-battery "$dest/usr/bin/stagewise" init \
    --db "sqlite:$db" >"$root/init.log" 2>&1 || { cat "$root/init.log" >&2; fail "init failed"; }
"$dest/usr/bin/stagewise" serve --config "$root/test.conf" >"$root/serve.log" 2>&1 &
server=$!
url=
i=0
while [ $i -lt 100 ] && [ -z "$url" ]; do
    url=$(sed -n 's|^Stagewise is serving \(http://[0-9.:]*\).*|\1|p' "$root/serve.log")
    kill -0 "$server" 2>/dev/null || { cat "$root/serve.log" >&2; fail "serve exited"; }
    [ -n "$url" ] || sleep 0.1
    i=$((i + 1))
done
[ -n "$url" ] || { cat "$root/serve.log" >&2; fail "serve did not start"; }
curl -sS -o "$root/index.html" "$url/" || fail "GET / failed"
cmp -s "$root/index.html" "$dest/usr/share/stagewise/web/index.html" \
    || fail "GET / is not the installed index.html"
kill -TERM "$server"
wait "$server" || fail "serve did not stop cleanly"
server=
echo "test_install: ok"
