#!/bin/sh
# deps.sh GROUP... - install the Debian packages a make target needs, only
# when some are missing. Silent when everything is present; non-interactive;
# safe to run any number of times. Groups: build, test, bench.
set -eu

pkgs_build="cmake gcc make pkg-config libmicrohttpd-dev libgnutls28-dev libsqlite3-dev libpq-dev libjansson-dev libsodium-dev libutf8proc-dev"
pkgs_test="libcmocka-dev libcurl4-openssl-dev postgresql python3-hl7 clang libclang-rt-14-dev curl procps util-linux openssl chromium nodejs"
pkgs_bench="nginx wrk curl nodejs"

wanted=""
for group in "$@"; do
    case $group in
        build) wanted="$wanted $pkgs_build" ;;
        test)  wanted="$wanted $pkgs_build $pkgs_test" ;;
        bench) wanted="$wanted $pkgs_build $pkgs_bench" ;;
        *) echo "deps.sh: unknown group '$group' (build, test, bench)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $wanted; do
    case " $missing " in *" $p "*) continue ;; esac
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case $status in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
# npm comes with some builds of nodejs and as Debian's own package with
# others: only a machine without the command needs the package.
case " $wanted " in
    *" nodejs "*) command -v npm >/dev/null 2>&1 || missing="$missing npm" ;;
esac
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    echo "deps.sh: these Debian packages are missing:$missing; install them as root (apt-get install$missing)" >&2
    exit 1
fi

echo "Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# Servers installed only for tests and benchmarks must not start themselves.
policy=/usr/sbin/policy-rc.d
added_policy=""
if [ ! -e $policy ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null
    $sudo chmod 755 $policy
    added_policy=1
fi
cleanup() { [ -n "$added_policy" ] && $sudo rm -f $policy; }
trap cleanup EXIT
$sudo apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
