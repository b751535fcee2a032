#!/bin/sh
# run.sh BUILD_DIR - the `make bench` table: our figures beside comparisons
# measured in this same run, on this machine, and their ratio.
#
# Why comparisons in the same run: absolute figures swing with the machine
# and its load; a ratio against nginx or raw SQLite measured minutes apart
# on the same cores and disk does not. DESIGN.md section 9 sets the targets
# and docs/bench.md explains each row. Rows, in the order they run:
#   HTTP     wrk against our GET /healthz and against nginx serving a 2 KB
#            static JSON file, same wrk settings, each after a warm-up;
#   storage  bench/store_bench: raw SQLite vs store_write, 2 KB rows, WAL
#            with synchronous=FULL, fresh databases;
#   json     bench/json_bench: sw_json_parse vs jansson's json_loads on the
#            same 2 MB Synthea FHIR bundle (tests/data/synthea), in turns;
#   start    bench/serve_start: exec of `stagewise serve` to its ready line
#            (median of 5) and its idle RSS.
# Every process it starts is stopped and its temp dir removed on exit,
# failure or Ctrl-C. Takes about a minute. The temp dir lives under
# BUILD_DIR unless SW_BENCH_TMPDIR says otherwise, because /tmp is often
# tmpfs, where fsync costs nothing and storage figures would flatter us.
set -eu

# Fixed settings, printed with the table so that two tables can be compared.
WRK_THREADS=2
WRK_CONNS=64
WRK_SECS=10
WARM_SECS=2
STORE_SECS=5
JSON_SECS=3
START_RUNS=5
IDLE_MS=500

die() { echo "bench: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: sh bench/run.sh BUILD_DIR"
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" 2>/dev/null && pwd) || die "build directory $1 does not exist; run make bench."
bin=$build/stagewise
store_bench=$build/bench/store_bench
serve_start=$build/bench/serve_start
json_bench=$build/bench/json_bench
json_input=$here/../tests/data/synthea/Breana975_Harvey63_47e5d1f6-a017-1481-f0a2-49ef0edb3b72.json
[ -x "$bin" ] || die "$bin is missing; build first (make bench)."
{ [ -x "$store_bench" ] && [ -x "$serve_start" ] && [ -x "$json_bench" ]; } ||
    die "the bench programs are missing from $build/bench; configure with -DSW_BENCH=ON (make bench does)."
nginx=$(command -v nginx || true)
[ -n "$nginx" ] || { [ -x /usr/sbin/nginx ] && nginx=/usr/sbin/nginx; } ||
    die "nginx is not installed; install the Debian package nginx (sh scripts/deps.sh bench)."
command -v wrk >/dev/null 2>&1 ||
    die "wrk is not installed; install the Debian package wrk (sh scripts/deps.sh bench)."
command -v curl >/dev/null 2>&1 ||
    die "curl is not installed; install the Debian package curl (sh scripts/deps.sh bench)."

tmp=$(mktemp -d "${SW_BENCH_TMPDIR:-$build}/bench-run.XXXXXX") ||
    die "cannot create a temp dir under ${SW_BENCH_TMPDIR:-$build}."
tmp=$(cd "$tmp" && pwd)
pids=""

# A zombie still answers kill -0, so ask /proc whether the process runs.
running() {
    [ -r "/proc/$1/stat" ] || return 1
    ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# SIGTERM, up to 10 s for a clean exit, then SIGKILL for it and its children
# (nginx's workers), by pid only.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || true
    n=0
    while running "$1" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    if running "$1"; then
        for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill -KILL "$c" 2>/dev/null || true; done
        kill -KILL "$1" 2>/dev/null || true
    fi
    wait "$1" 2>/dev/null || true
    pids=$(echo "$pids" | sed "s/ $1\b//")
}

cleanup() {
    trap - EXIT INT TERM
    for p in $pids; do stop_pid "$p"; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "bench: interrupted; everything it started is stopped." >&2; exit 130' INT
trap 'exit 143' TERM

# ---- Formatting -------------------------------------------------------------

commas() { awk -v n="$1" 'BEGIN {
    s = sprintf("%.0f", n); o = ""
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
    print s o }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# verdict VALUE OP LIMIT: "meets" when VALUE OP LIMIT holds, else "short".
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
    ok = (op == ">=") ? v >= l : v < l; print ok ? "meets" : "short" }'; }

rows=$tmp/rows
: >"$rows"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"; }

# ---- HTTP: our /healthz against nginx's static 2 KB file ---------------------

# wrk's summary reduced to "REQ_PER_S P99_MS ERRORS"; errors are socket
# errors plus non-2xx answers, which would make a fast figure meaningless.
wrk_run() {
    wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARM_SECS}s" "$1" >/dev/null
    wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_SECS}s" --latency "$1" >"$tmp/wrk.out"
    awk '
        /^Requests\/sec:/ { rps = $2 }
        $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                      p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
        /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { err += $NF }
        END { printf "%s %.2f %d\n", rps, p99, err }' "$tmp/wrk.out"
}

# A progress line: label, then the figure, aligned.
say() { printf '%-34s %s\n' "$1" "$2"; }

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

echo "Stagewise bench: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "$("$bin" --version), $("$nginx" -v 2>&1 | sed "s/^nginx version: //"), $(wrk -v 2>&1 | head -1 | cut -d" " -f1-2)"
echo "temp dir on $(stat -f -c %T "$tmp") ($tmp); wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECS}s after ${WARM_SECS}s warm-up"

"$bin" init --db "sqlite:$tmp/http.db" >/dev/null 2>"$tmp/init.err" ||
    die "stagewise init failed: $(cat "$tmp/init.err")"
# Created first, so that polling it never races the shell's redirection.
: >"$tmp/serve.out"
"$bin" serve --db "sqlite:$tmp/http.db" --listen 127.0.0.1:0 \
    >"$tmp/serve.out" 2>"$tmp/serve.log" &
serve_pid=$!
pids="$pids $serve_pid"
n=0
until grep -q '^Stagewise is serving' "$tmp/serve.out"; do
    { running "$serve_pid" && [ $n -lt 200 ]; } ||
        die "stagewise serve did not become ready: $(tail -n 3 "$tmp/serve.log")"
    sleep 0.05; n=$((n + 1))
done
sw_port=$(sed -n 's|^Stagewise is serving http://[^ ]*:\([0-9][0-9]*\) .*|\1|p' "$tmp/serve.out")
curl -fsS -o /dev/null "http://127.0.0.1:$sw_port/healthz" ||
    die "our GET /healthz does not answer 200 before the run."
out=$(wrk_run "http://127.0.0.1:$sw_port/healthz") || die "wrk against our server failed."
# shellcheck disable=SC2086 # split into its three figures
set -- $out
{ [ $# -eq 3 ] && [ -n "$1" ]; } || die "could not read wrk's summary for our server: $(cat "$tmp/wrk.out")"
sw_rps=$1 sw_p99=$2 sw_err=$3
say "http  stagewise GET /healthz" "$(commas "$sw_rps") req/s  p99 $sw_p99 ms  errors $sw_err"
running "$serve_pid" ||
    die "our server exited during the wrk run: $(grep -v ' access ' "$tmp/serve.log" | tail -n 3)"
sleep 1
sw_rss_loaded=$(rss_mb "$serve_pid")
say "http  stagewise RSS after the run" "$sw_rss_loaded MB"
stop_pid "$serve_pid"

# nginx: a private config and docroot; a random port, retried if taken.
mkdir -p "$tmp/nginx/www"
awk 'BEGIN {
    head = "{\"resourceType\":\"Patient\",\"id\":\"bench\",\"active\":true," \
           "\"name\":[{\"family\":\"Chalmers\",\"given\":[\"Peter\",\"James\"]}]," \
           "\"gender\":\"male\",\"birthDate\":\"1974-12-25\",\"text\":{\"status\":\"generated\",\"div\":\""
    tail = "\"}}\n"; pad = ""
    while (length(head pad tail) < 2048) pad = pad "x"
    printf "%s%s%s", head, pad, tail }' >"$tmp/nginx/www/patient.json"
[ "$(wc -c <"$tmp/nginx/www/patient.json")" -eq 2048 ] || die "could not write the 2 KB JSON file."
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
ngx_pid=""
for _ in 1 2 3 4 5; do
    ngx_port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
    sed -e "s|@DIR@|$tmp/nginx|g" -e "s|@PORT@|$ngx_port|" -e "s|@USER@|$user_line|" \
        "$here/nginx.conf.in" >"$tmp/nginx/nginx.conf"
    rm -f "$tmp/nginx/nginx.pid"
    "$nginx" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" \
        >/dev/null 2>&1 &
    ngx_pid=$!
    pids="$pids $ngx_pid"
    # nginx writes its pid file only after it holds the port, so a foreign
    # server on a taken port is never mistaken for ours.
    n=0
    while running "$ngx_pid" && [ ! -s "$tmp/nginx/nginx.pid" ] && [ $n -lt 100 ]; do
        sleep 0.05; n=$((n + 1))
    done
    if running "$ngx_pid" && [ -s "$tmp/nginx/nginx.pid" ]; then break; fi
    stop_pid "$ngx_pid"
    ngx_pid=""
done
[ -n "$ngx_pid" ] || die "nginx did not start: $(tail -n 2 "$tmp/nginx/error.log" 2>/dev/null)"
curl -fsS -o /dev/null "http://127.0.0.1:$ngx_port/patient.json" ||
    die "nginx does not serve the 2 KB JSON file."
out=$(wrk_run "http://127.0.0.1:$ngx_port/patient.json") || die "wrk against nginx failed."
# shellcheck disable=SC2086 # split into its three figures
set -- $out
{ [ $# -eq 3 ] && [ -n "$1" ]; } || die "could not read wrk's summary for nginx: $(cat "$tmp/wrk.out")"
ng_rps=$1 ng_p99=$2 ng_err=$3
running "$ngx_pid" ||
    die "nginx exited during the wrk run: $(tail -n 2 "$tmp/nginx/error.log" 2>/dev/null)"
say "http  nginx static 2 KB JSON" "$(commas "$ng_rps") req/s  p99 $ng_p99 ms  errors $ng_err"
stop_pid "$ngx_pid"

errnote=""
[ "$sw_err" -eq 0 ] && [ "$ng_err" -eq 0 ] || errnote=" [errors: ours $sw_err, nginx $ng_err]"
r=$(ratio "$sw_rps" "$ng_rps")
# A rate made of failed requests is no rate: any error on our side is "short".
rate_verdict=$(verdict "$r" ">=" 0.60)
[ "$sw_err" -eq 0 ] || rate_verdict=short
row "GET /healthz rate" "$(commas "$sw_rps") req/s" "nginx 2KB $(commas "$ng_rps") req/s" "$r" \
    ">=0.60 (ceiling for FHIR reads)$errnote" "$rate_verdict"
row "GET /healthz p99, 64 conns" "$sw_p99 ms" "nginx 2KB $ng_p99 ms" "$(ratio "$sw_p99" "$ng_p99")" \
    "<5 ms (FHIR read p99)" "$(verdict "$sw_p99" "<" 5)"

# ---- Storage: raw SQLite against store_write ---------------------------------

"$store_bench" "$tmp" "$STORE_SECS" >"$tmp/store.out" 2>"$tmp/store.err" ||
    die "store_bench failed: $(cat "$tmp/store.err")"
rate() { awk -v k="$1" '$1 == k { print $4 }' "$tmp/store.out"; }
raw1=$(rate raw_1) raw1000=$(rate raw_1000) ours1=$(rate ours_1) ours16=$(rate ours_16)
say "store raw SQLite 1 row/txn" "$(commas "$raw1") rows/s"
say "store raw SQLite 1,000 rows/txn" "$(commas "$raw1000") rows/s"
say "store store_write, 1 writer" "$(commas "$ours1") rows/s"
say "store store_write, 16 writers" "$(commas "$ours16") rows/s"
row "store_write 2KB, 1 writer" "$(commas "$ours1") rows/s" "raw 1/txn $(commas "$raw1") rows/s" \
    "$(ratio "$ours1" "$raw1")" "none (orientation: raw 1/txn ~2.9k)" "-"
row "store_write 2KB, 16 writers" "$(commas "$ours16") rows/s" "raw 1/txn $(commas "$raw1") rows/s" \
    "$(ratio "$ours16" "$raw1")" ">=10,000/s (ceiling for FHIR create)" "$(verdict "$ours16" ">=" 10000)"
row "store_write 2KB, 16 writers" "$(commas "$ours16") rows/s" "raw 1000/txn $(commas "$raw1000") rows/s" \
    "$(ratio "$ours16" "$raw1000")" "none (orientation: raw 1000/txn ~32k)" "-"

# ---- JSON: our parser against jansson on a FHIR bundle ------------------------

[ -r "$json_input" ] || die "the FHIR bundle $json_input is missing."
"$json_bench" "$json_input" "$JSON_SECS" >"$tmp/json.out" 2>"$tmp/json.err" ||
    die "json_bench failed: $(cat "$tmp/json.err")"
jrate() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/json.out"; }
j_ours=$(jrate ours_parse) j_jansson=$(jrate jansson_parse)
j_compact=$(jrate ours_compact) j_write=$(jrate ours_write)
j_mb=$(awk '$1 == "bytes" { printf "%.1f", $2 / 1e6 }' "$tmp/json.out")
say "json  sw_json_parse, Synthea bundle" "$(commas "$j_ours") MB/s ($j_mb MB pretty-printed)"
say "json  jansson json_loads, same file" "$(commas "$j_jansson") MB/s"
say "json  sw_json_parse, compacted" "$(commas "$j_compact") MB/s"
say "json  sw_json_write, compact" "$(commas "$j_write") MB/s"
row "JSON parse, FHIR bundle ${j_mb} MB" "$(commas "$j_ours") MB/s" "jansson $(commas "$j_jansson") MB/s" \
    "$(ratio "$j_ours" "$j_jansson")" ">=100 MB/s (FHIR import)" "$(verdict "$j_ours" ">=" 100)"

# ---- Start-up: exec to ready, and idle memory --------------------------------

"$bin" init --db "sqlite:$tmp/start.db" >/dev/null 2>"$tmp/init.err" ||
    die "stagewise init failed: $(cat "$tmp/init.err")"
"$serve_start" "$bin" "sqlite:$tmp/start.db" "$START_RUNS" "$IDLE_MS" \
    >"$tmp/start.out" 2>"$tmp/start.log" ||
    die "measuring start-up failed: $(tail -n 3 "$tmp/start.log")"
start_ms=$(awk '$1 == "start_ms" { print $2 }' "$tmp/start.out")
idle_mb=$(awk '$1 == "idle_rss_kb" { printf "%.1f", $2 / 1024 }' "$tmp/start.out")
say "start exec to ready" "median $start_ms ms (runs:$(awk '$1 == "start_ms" { for (i = 3; i <= NF; i++) printf " %s", $i }' "$tmp/start.out") ms)"
say "start idle RSS, ${IDLE_MS} ms after ready" "median $idle_mb MB"
row "serve: exec to ready (median of $START_RUNS)" "$start_ms ms" "-" "-" "<200 ms" "$(verdict "$start_ms" "<" 200)"
row "serve: idle RSS after start" "$idle_mb MB" "-" "-" "<30 MB" "$(verdict "$idle_mb" "<" 30)"
row "serve: idle RSS after the HTTP run" "$sw_rss_loaded MB" "-" "-" "<30 MB" "$(verdict "$sw_rss_loaded" "<" 30)"

# ---- The table ---------------------------------------------------------------

echo
awk -F '\t' '
    BEGIN { h[1] = "metric"; h[2] = "ours"; h[3] = "comparison"; h[4] = "ratio"
            h[5] = "target"; h[6] = "verdict"
            for (i = 1; i <= 6; i++) w[i] = length(h[i]) }
    { n++; for (i = 1; i <= 6; i++) { c[n, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
    # mawk has no %*s, so the widths go into the format itself.
    function line(f1, f2, f3, f4, f5, f6) {
        printf "%-" w[1] "s  %" w[2] "s  %" w[3] "s  %" w[4] "s  %-" w[5] "s  %s\n", f1, f2, f3, f4, f5, f6 }
    END { line(h[1], h[2], h[3], h[4], h[5], h[6])
          for (r = 1; r <= n; r++) line(c[r, 1], c[r, 2], c[r, 3], c[r, 4], c[r, 5], c[r, 6]) }
' "$rows"
echo
echo "ratio = ours / comparison, both measured above in this run (for p99, lower is better)."
