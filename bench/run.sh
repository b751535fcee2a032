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
#   fhir     read by id (64 connections) and create (16 connections) over
#            /fhir, wrk with the same Lua scripts against our server (fresh
#            SQLite database, synchronous=FULL) and against Medplum's FHIR
#            router over its in-memory repository (bench/medplum);
#   search   Patient?family=X and Observation?patient=X&code=Y on 1 million
#            resources (p50/p99 at 4 connections), the database prepared
#            once and cached under BUILD_DIR/bench-cache; Medplum's router
#            on the same searches over the 100,000 resources it holds;
#   import   `stagewise import` of 100,000 generated resources against
#            Medplum's router creating the same (a row that says "not run"
#            until the import command exists);
#   start    bench/serve_start: exec of `stagewise serve` to its ready line
#            (median of 5) and its idle RSS;
#   rollout  bench/decide_bench: the per-request rollout decision against
#            the permission check every request already pays, same process;
#   adoption bench/adoption_bench: the roll-up of a 1-million-entry audit
#            trail (100 users, 90 days), then 100 users' reports against
#            counting the same features straight from the trail;
#   hl7      bench/hl7_parse_bench against hl7v2 (npm, bench/hl7net/parse.mjs)
#            on the same real messages; bench/mllp_load's ADT^A04 messages
#            over 16 MLLP connections to `serve --mllp` (each stored with its
#            Patient before the ACK) and to hl7v2-net's server (bench/hl7net),
#            which parses and acknowledges, storing nothing.
# Every process it starts is stopped and its temp dir removed on exit,
# failure or Ctrl-C. Takes about five minutes (and about eight more for the
# adoption rows on PostgreSQL, unless SW_BENCH_SKIP_POSTGRES=1), plus once the preparation of
# the 1-million-resource database (see docs/bench.md). The temp dir lives
# under BUILD_DIR unless SW_BENCH_TMPDIR says otherwise, because /tmp is
# often tmpfs, where fsync costs nothing and storage figures would flatter
# us. SW_BENCH_SKIP_SEARCH=1 leaves out the search row (it says "not run").
set -eu

# Fixed settings, printed with the table so that two tables can be compared.
WRK_THREADS=2
WRK_CONNS=64
WRK_SECS=10
WARM_SECS=2
STORE_SECS=5
JSON_SECS=3
START_RUNS=5
# Adoption rows: audit entries in the trail (100 users, 90 days).
ADOPTION_ENTRIES=1000000
# HL7 rows: seconds of parsing per parser, MLLP connections.
HL7_PARSE_SECS=3
HL7_CONNS=16
IDLE_MS=500
# FHIR rows: Patients created before the read run (its ids), connections.
FHIR_PATIENTS=1000
FHIR_READ_CONNS=64
FHIR_CREATE_CONNS=16
# Search row: the generator's seed and counts of the cached database (a
# change of any of them, of bench/fhir_gen.mjs or of the schema version
# prepares a new one), the connections, and how many connections load it.
SEARCH_SEED=1
SEARCH_PATIENTS=200000
SEARCH_OBSERVATIONS=800000
SEARCH_CONNS=4
LOAD_CONNS=64
# What both sides create for the import row: the same generated files.
SMALL_SEED=2
SMALL_PATIENTS=20000
SMALL_OBSERVATIONS=80000
# What Medplum's in-memory router holds for the search comparison: its
# repository has no index and evaluates each search parameter's FHIRPath
# on every resource of the type, so it can hold only this much and answer.
TINY_SEED=3
TINY_PATIENTS=2000
TINY_OBSERVATIONS=8000

die() { echo "bench: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: sh bench/run.sh BUILD_DIR"
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" 2>/dev/null && pwd) || die "build directory $1 does not exist; run make bench."
bin=$build/stagewise
store_bench=$build/bench/store_bench
serve_start=$build/bench/serve_start
json_bench=$build/bench/json_bench
decide_bench=$build/bench/decide_bench
adoption_bench=$build/bench/adoption_bench
hl7_parse_bench=$build/bench/hl7_parse_bench
mllp_load=$build/bench/mllp_load
hl7net_dir=$here/hl7net
json_input=$here/../tests/data/synthea/Breana975_Harvey63_47e5d1f6-a017-1481-f0a2-49ef0edb3b72.json
[ -x "$bin" ] || die "$bin is missing; build first (make bench)."
{ [ -x "$store_bench" ] && [ -x "$serve_start" ] && [ -x "$json_bench" ] && [ -x "$decide_bench" ] && [ -x "$adoption_bench" ] &&
  [ -x "$hl7_parse_bench" ] && [ -x "$mllp_load" ]; } ||
    die "the bench programs are missing from $build/bench; configure with -DSW_BENCH=ON (make bench does)."
nginx=$(command -v nginx || true)
[ -n "$nginx" ] || { [ -x /usr/sbin/nginx ] && nginx=/usr/sbin/nginx; } ||
    die "nginx is not installed; install the Debian package nginx (sh scripts/deps.sh bench)."
command -v wrk >/dev/null 2>&1 ||
    die "wrk is not installed; install the Debian package wrk (sh scripts/deps.sh bench)."
command -v curl >/dev/null 2>&1 ||
    die "curl is not installed; install the Debian package curl (sh scripts/deps.sh bench)."
# node runs the Medplum comparison and the bench's FHIR clients; npm
# installs Medplum's pinned packages (bench/medplum/package-lock.json).
{ command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } ||
    die "node and npm are not installed; install node 20 or later with npm (the Medplum comparison needs them)."
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] ||
    die "node $(node --version 2>/dev/null) is too old for the Medplum comparison; it needs node 20 or later."
medplum_dir=$here/medplum

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
    [ -f "$tmp/pg/state" ] && sh "$here/../tests/pg/pg-ctl.sh" stop "$tmp/pg" >/dev/null 2>&1
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
# Two decimals; two significant digits below 0.1, so that 0.004 is not 0.00.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else if (a / b >= 0.1 || a == 0) printf "%.2f", a / b
                                           else printf "%.2g", a / b }'; }
# verdict VALUE OP LIMIT: "meets" when VALUE OP LIMIT holds, else "short".
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
    ok = (op == ">=") ? v >= l : v < l; print ok ? "meets" : "short" }'; }

rows=$tmp/rows
: >"$rows"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"; }

# ---- HTTP: our /healthz against nginx's static 2 KB file ---------------------

# wrk_run URL [CONNS [SCRIPT]]: a warm-up, then the measured run, with the
# same threads and durations for every row; CONNS defaults to WRK_CONNS,
# SCRIPT is a wrk Lua script (its settings come in SW_BENCH_* variables).
# The summary reduced to "REQ_PER_S P99_MS ERRORS P50_MS"; errors are socket
# errors plus non-2xx answers, which would make a fast figure meaningless.
wrk_run() {
    wrk_url=$1 wrk_conns=${2:-$WRK_CONNS}
    if [ -n "${3:-}" ]; then set -- -s "$3"; else set --; fi
    wrk -t"$WRK_THREADS" -c"$wrk_conns" -d"${WARM_SECS}s" "$@" "$wrk_url" >/dev/null
    wrk -t"$WRK_THREADS" -c"$wrk_conns" -d"${WRK_SECS}s" --latency "$@" "$wrk_url" >"$tmp/wrk.out"
    awk '
        function ms(v,   u) { u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                             return (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { err += $NF }
        END { printf "%s %.2f %d %.2f\n", rps, p99, err, p50 }' "$tmp/wrk.out"
}

# A progress line: label, then the figure, aligned.
say() { printf '%-34s %s\n' "$1" "$2"; }

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# start_ours DBFILE NAME [OPTION...]: `stagewise serve` on the SQLite
# database DBFILE with its default settings (and any OPTIONs) on a free port;
# sets serve_pid and sw_port. Its output goes to $tmp/NAME.out and
# $tmp/NAME.log.
start_ours() {
    # Created first, so that polling it never races the shell's redirection.
    : >"$tmp/$2.out"
    db=$1 name=$2
    shift 2
    "$bin" serve --db "sqlite:$db" --listen 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
    serve_pid=$!
    pids="$pids $serve_pid"
    n=0
    until grep -q '^Stagewise is serving' "$tmp/$name.out"; do
        { running "$serve_pid" && [ $n -lt 200 ]; } ||
            die "stagewise serve did not become ready: $(tail -n 3 "$tmp/$name.log")"
        sleep 0.05; n=$((n + 1))
    done
    sw_port=$(sed -n 's|^Stagewise is serving http://[^ ]*:\([0-9][0-9]*\) .*|\1|p' "$tmp/$name.out")
    sw_mllp_port=$(sed -n 's|^Stagewise is receiving HL7 v2 over MLLP on [^ ]*:\([0-9][0-9]*\)$|\1|p' "$tmp/$name.out")
}

# sign_in PORT PASSWORD: prints a session token for admin (docs/auth.md).
sign_in() {
    curl -fsS -X POST -H 'Content-Type: application/json' \
        --data "{\"username\":\"admin\",\"password\":\"$2\"}" \
        "http://127.0.0.1:$1/api/session" >"$tmp/session.json" ||
        die "signing in to our server failed: $(cat "$tmp/session.json" 2>/dev/null)"
    sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p' "$tmp/session.json"
}

# init_db DBFILE PASSWORD: a new database whose admin has PASSWORD and, so
# that it may work with records and charges, clinical and billing roles too
# (the admin role alone may not; docs/security.md).
init_db() {
    STAGEWISE_ADMIN_PASSWORD=$2 "$bin" init --db "sqlite:$1" >"$tmp/init.out" 2>"$tmp/init.err" ||
        die "stagewise init failed: $(cat "$tmp/init.err")"
    "$bin" user set-role --db "sqlite:$1" admin physician,practice_admin,biller \
        >"$tmp/init.out" 2>"$tmp/init.err" ||
        die "stagewise user set-role failed: $(cat "$tmp/init.err")"
}

# A password for this run's databases (the cached search database keeps
# its own, beside it).
bench_pw=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

echo "Stagewise bench: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "$("$bin" --version), $("$nginx" -v 2>&1 | sed "s/^nginx version: //"), $(wrk -v 2>&1 | head -1 | cut -d" " -f1-2), node $(node --version)"
echo "temp dir on $(stat -f -c %T "$tmp") ($tmp); wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECS}s after ${WARM_SECS}s warm-up"

init_db "$tmp/http.db" "$bench_pw"
# The schema version keys the cached search database.
schema=$(sed -n 's/.*schema version \([0-9][0-9]*\).*/\1/p' "$tmp/init.out" | head -1)
start_ours "$tmp/http.db" serve
curl -fsS -o /dev/null "http://127.0.0.1:$sw_port/healthz" ||
    die "our GET /healthz does not answer 200 before the run."
out=$(wrk_run "http://127.0.0.1:$sw_port/healthz") || die "wrk against our server failed."
# shellcheck disable=SC2086 # split into its figures
set -- $out
{ [ $# -eq 4 ] && [ -n "$1" ]; } || die "could not read wrk's summary for our server: $(cat "$tmp/wrk.out")"
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
# shellcheck disable=SC2086 # split into its figures
set -- $out
{ [ $# -eq 4 ] && [ -n "$1" ]; } || die "could not read wrk's summary for nginx: $(cat "$tmp/wrk.out")"
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

# ---- FHIR: read by id and create, ours against Medplum's in-memory router ----

# medplum_install: bench/medplum/node_modules from the pinned lock file, with
# npm ci, when missing or older than the lock file. Medplum 5.x declares
# node >= 22; npm's engine warning is expected on node 20 (server.mjs says
# what it supplies), so only a failure is shown.
medplum_install() {
    if [ ! -f "$medplum_dir/node_modules/.package-lock.json" ] || [ -n "$(find "$medplum_dir/package-lock.json" \
        -newer "$medplum_dir/node_modules/.package-lock.json" 2>/dev/null)" ]; then
        echo "installing the Medplum comparison (npm ci in bench/medplum)"
        (cd "$medplum_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$tmp/npm.log" 2>&1 ||
            die "npm ci in $medplum_dir failed: $(tail -n 5 "$tmp/npm.log")"
    fi
    medplum_version=$(node -p 'require(process.argv[1]).version' \
        "$medplum_dir/node_modules/@medplum/fhir-router/package.json" 2>/dev/null) ||
        die "@medplum/fhir-router is not installed in $medplum_dir/node_modules."
}

# start_medplum NAME: bench/medplum/server.mjs on a free port; sets
# medplum_pid and medplum_port. Loading the R4 definitions takes a second.
start_medplum() {
    : >"$tmp/$1.out"
    node "$medplum_dir/server.mjs" 0 >"$tmp/$1.out" 2>"$tmp/$1.log" &
    medplum_pid=$!
    pids="$pids $medplum_pid"
    n=0
    until grep -q '^Medplum router is serving' "$tmp/$1.out"; do
        { running "$medplum_pid" && [ $n -lt 600 ]; } ||
            die "the Medplum server did not become ready: $(tail -n 5 "$tmp/$1.log")"
        sleep 0.05; n=$((n + 1))
    done
    medplum_port=$(sed -n 's|^Medplum router is serving http://[^:]*:\([0-9][0-9]*\)$|\1|p' "$tmp/$1.out")
}

# fhir_measure BASE NAME: the read and create runs against one server, the
# same for both. Creates FHIR_PATIENTS Patients from bench/fhir_patient.json
# (the read run's ids: $tmp/NAME.ids), then wrk GET /fhir/Patient/{id} at
# FHIR_READ_CONNS connections, then wrk POST /fhir/Patient at
# FHIR_CREATE_CONNS. Sets f_read_rps f_read_p99 f_read_err f_create_rps
# f_create_err. SW_BENCH_TOKEN must be exported (Medplum ignores it).
fhir_measure() {
    node "$here/fhir_seed.mjs" create "$1" "$here/fhir_patient.json" "$FHIR_PATIENTS" "$tmp/$2.ids" \
        2>"$tmp/seed.err" || die "creating $FHIR_PATIENTS Patients on $2 failed: $(cat "$tmp/seed.err")"
    first=$(head -n 1 "$tmp/$2.ids")
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SW_BENCH_TOKEN" "$1$first")
    [ "$code" = 200 ] || die "GET $first on $2 answered $code before the read run."
    SW_BENCH_PATHS=$tmp/$2.ids
    export SW_BENCH_PATHS
    out=$(wrk_run "$1" "$FHIR_READ_CONNS" "$here/fhir_get.lua") || die "wrk (FHIR read) against $2 failed."
    # shellcheck disable=SC2086 # split into its figures
    set -- "$1" "$2" $out
    [ $# -eq 6 ] || die "could not read wrk's summary of the FHIR read run on $2: $(cat "$tmp/wrk.out")"
    f_read_rps=$3 f_read_p99=$4 f_read_err=$5
    SW_BENCH_BODY=$here/fhir_patient.json
    export SW_BENCH_BODY
    out=$(wrk_run "$1" "$FHIR_CREATE_CONNS" "$here/fhir_create.lua") || die "wrk (FHIR create) against $2 failed."
    # shellcheck disable=SC2086 # split into its figures
    set -- "$1" "$2" $out
    [ $# -eq 6 ] || die "could not read wrk's summary of the FHIR create run on $2: $(cat "$tmp/wrk.out")"
    f_create_rps=$3 f_create_err=$5
}

medplum_install

init_db "$tmp/fhir.db" "$bench_pw"
start_ours "$tmp/fhir.db" fhir
token=$(sign_in "$sw_port" "$bench_pw")
[ -n "$token" ] || die "signing in to our server gave no token: $(cat "$tmp/session.json")"
SW_BENCH_TOKEN=$token
export SW_BENCH_TOKEN
# Whether search has landed decides whether the search row runs.
search_code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$sw_port/fhir/Patient?family=Bench1")
fhir_measure "http://127.0.0.1:$sw_port" stagewise
running "$serve_pid" ||
    die "our server exited during the FHIR runs: $(grep -v ' access ' "$tmp/fhir.log" | tail -n 3)"
stop_pid "$serve_pid"
sw_read_rps=$f_read_rps sw_read_p99=$f_read_p99 sw_read_err=$f_read_err
sw_create_rps=$f_create_rps sw_create_err=$f_create_err
say "fhir  stagewise read by id" "$(commas "$sw_read_rps") req/s  p99 $sw_read_p99 ms  errors $sw_read_err"
say "fhir  stagewise create" "$(commas "$sw_create_rps") creates/s  errors $sw_create_err"

start_medplum medplum
fhir_measure "http://127.0.0.1:$medplum_port" medplum
running "$medplum_pid" ||
    die "the Medplum server exited during the FHIR runs: $(tail -n 5 "$tmp/medplum.log")"
stop_pid "$medplum_pid"
mp_read_rps=$f_read_rps mp_read_p99=$f_read_p99 mp_read_err=$f_read_err
mp_create_rps=$f_create_rps mp_create_err=$f_create_err
say "fhir  Medplum $medplum_version read by id" "$(commas "$mp_read_rps") req/s  p99 $mp_read_p99 ms  errors $mp_read_err"
say "fhir  Medplum $medplum_version create" "$(commas "$mp_create_rps") creates/s  errors $mp_create_err"

# A figure made of errors is no figure: any error on our side is "short".
errs() { [ "$1" -eq 0 ] && [ "$2" -eq 0 ] || echo " [errors: ours $1, Medplum $2]"; }
ok_or_short() { if [ "$2" -eq 0 ]; then echo "$1"; else echo short; fi; }
r=$(ratio "$sw_read_rps" "$mp_read_rps")
row "FHIR read by id, ${FHIR_READ_CONNS} conns" "$(commas "$sw_read_rps") req/s" \
    "Medplum mem $(commas "$mp_read_rps") req/s" "$r" ">=1.5x Medplum$(errs "$sw_read_err" "$mp_read_err")" \
    "$(ok_or_short "$(verdict "$r" ">=" 1.5)" "$sw_read_err")"
r=$(ratio "$sw_read_rps" "$ng_rps")
row "FHIR read by id, ${FHIR_READ_CONNS} conns" "$(commas "$sw_read_rps") req/s" \
    "nginx 2KB $(commas "$ng_rps") req/s" "$r" ">=0.60 nginx" \
    "$(ok_or_short "$(verdict "$r" ">=" 0.60)" "$sw_read_err")"
row "FHIR read by id p99, ${FHIR_READ_CONNS} conns" "$sw_read_p99 ms" "Medplum mem $mp_read_p99 ms" \
    "$(ratio "$sw_read_p99" "$mp_read_p99")" "<5 ms" "$(verdict "$sw_read_p99" "<" 5)"
r=$(ratio "$sw_create_rps" "$mp_create_rps")
row "FHIR create Patient, ${FHIR_CREATE_CONNS} conns" "$(commas "$sw_create_rps")/s" \
    "Medplum mem $(commas "$mp_create_rps")/s" "$r" ">=1.5x Medplum$(errs "$sw_create_err" "$mp_create_err")" \
    "$(ok_or_short "$(verdict "$r" ">=" 1.5)" "$sw_create_err")"
row "FHIR create Patient, ${FHIR_CREATE_CONNS} conns" "$(commas "$sw_create_rps")/s" \
    "store_write x16 $(commas "$ours16")/s" "$(ratio "$sw_create_rps" "$ours16")" ">=10,000/s durable" \
    "$(ok_or_short "$(verdict "$sw_create_rps" ">=" 10000)" "$sw_create_err")"

# ---- Search on 1 million resources, and bulk import ---------------------------

# gen DIR SEED PATIENTS OBSERVATIONS: the synthetic record (bench/fhir_gen.mjs).
gen() {
    node "$here/fhir_gen.mjs" "$2" "$3" "$4" "$1" >"$tmp/gen.err" 2>&1 ||
        die "generating the synthetic record failed: $(tail -n 3 "$tmp/gen.err")"
}

# HOOK (bulk import): the one place that loads NDJSON into a database of
# ours. With `stagewise import` (issue 3) it imports the files; without it,
# it serves the database and PUTs every line over HTTP with LOAD_CONNS
# connections (bench/fhir_seed.mjs put), which is much slower. Leaves the
# loader's summary lines in $tmp/load.summary. Runs in this shell (never in
# a pipe or $(...)), so that what it starts is stopped on any exit.
load_ndjson() { # DBFILE PASSWORD FILE...
    load_db=$1 load_pw=$2
    shift 2
    if [ "$import_landed" = 1 ]; then
        "$bin" import --db "sqlite:$load_db" "$@" >"$tmp/import.out" 2>"$tmp/import.err" ||
            die "stagewise import failed: $(tail -n 3 "$tmp/import.err")"
        # Its summary line ends with "(N/s)"; the last line of either stream.
        { tail -n 1 "$tmp/import.out"; tail -n 1 "$tmp/import.err"; } | grep '/s)' >"$tmp/load.summary" || true
        return 0
    fi
    start_ours "$load_db" load
    load_token=$(sign_in "$sw_port" "$load_pw")
    [ -n "$load_token" ] || die "signing in to the database being loaded gave no token."
    : >"$tmp/load.summary"
    for f in "$@"; do
        SW_BENCH_TOKEN=$load_token node "$here/fhir_seed.mjs" put "http://127.0.0.1:$sw_port" "$f" "$LOAD_CONNS" \
            >>"$tmp/load.summary" 2>"$tmp/seed.err" || die "loading $f failed: $(cat "$tmp/seed.err")"
    done
    running "$serve_pid" || die "our server exited while loading: $(grep -v ' access ' "$tmp/load.log" | tail -n 3)"
    stop_pid "$serve_pid"
}

# search_db: the 1-million-resource database, prepared once and kept in
# BUILD_DIR/bench-cache/search-KEY/ (the database, its admin password, the
# generator's query paths and summary). KEY is the generator's seed and
# counts, the hash of bench/fhir_gen.mjs and our schema version: a change
# of any of them prepares a new one (and removes the old). The database is
# whatever the program that prepared it wrote: after a change to indexing
# that keeps the schema version, delete BUILD_DIR/bench-cache. A directory
# without its "complete" mark (an interrupted preparation) is redone.
# Sets search_dir.
search_db() {
    gen_hash=$(sha256sum "$here/fhir_gen.mjs" | cut -c1-12)
    key=s$SEARCH_SEED-p$SEARCH_PATIENTS-o$SEARCH_OBSERVATIONS-gen$gen_hash-schema${schema:-unknown}
    search_dir=$build/bench-cache/search-$key
    [ -f "$search_dir/complete" ] && return 0
    rm -rf "$build"/bench-cache/search-*
    mkdir -p "$search_dir"
    total=$((SEARCH_PATIENTS + SEARCH_OBSERVATIONS))
    if [ "$import_landed" = 1 ]; then how="stagewise import"; else how="PUT over HTTP, $LOAD_CONNS connections; minutes"; fi
    echo "search: preparing the $(commas "$total")-resource database once ($how) in $search_dir"
    gen "$tmp/gen-search" "$SEARCH_SEED" "$SEARCH_PATIENTS" "$SEARCH_OBSERVATIONS"
    cp "$tmp/gen-search/family.paths" "$tmp/gen-search/obs.paths" "$tmp/gen-search/summary" "$search_dir/"
    echo "$bench_pw" >"$search_dir/password"
    init_db "$search_dir/stagewise.db" "$bench_pw"
    started=$(date +%s)
    load_ndjson "$search_dir/stagewise.db" "$bench_pw" \
        "$tmp/gen-search/Patient.ndjson" "$tmp/gen-search/Observation.ndjson"
    sed 's/^/search: /' "$tmp/load.summary"
    echo "search: prepared in $(($(date +%s) - started)) s"
    rm -rf "$tmp/gen-search"
    : >"$search_dir/complete"
}

# search_measure BASE PATHS: wrk over the paths at SEARCH_CONNS; sets
# s_p50 s_p99 s_rps s_err.
search_measure() {
    SW_BENCH_PATHS=$2
    export SW_BENCH_PATHS
    out=$(wrk_run "$1" "$SEARCH_CONNS" "$here/fhir_get.lua") || die "wrk (search) failed."
    # shellcheck disable=SC2086 # split into its figures
    set -- $out
    [ $# -eq 4 ] || die "could not read wrk's summary of a search run: $(cat "$tmp/wrk.out")"
    s_rps=$1 s_p99=$2 s_err=$3 s_p50=$4
}

import_landed=0
"$bin" import --help >/dev/null 2>&1 && import_landed=1
search_run=1
search_why=""
if [ "${SW_BENCH_SKIP_SEARCH:-0}" = 1 ]; then
    search_run=0 search_why="not run (SW_BENCH_SKIP_SEARCH=1)"
elif [ "$search_code" != 200 ]; then
    search_run=0 search_why="not run (GET /fhir/Patient?family= answers $search_code)"
fi

# medplum_load DIR NAME: creates DIR's Patients, then its Observations,
# through Medplum's router (in process, one after another: POST
# /bench/load); sets mp_created and mp_ms.
medplum_load() {
    mp_created=0 mp_ms=0
    for f in Patient Observation; do
        curl -fsS -X POST --data "$1/$f.ndjson" "http://127.0.0.1:$medplum_port/bench/load" \
            >"$tmp/mpload.json" || die "loading $f into Medplum failed: $(tail -n 5 "$tmp/$2.log")"
        c=$(sed -n 's/.*"created":\([0-9]*\).*/\1/p' "$tmp/mpload.json")
        fl=$(sed -n 's/.*"failed":\([0-9]*\).*/\1/p' "$tmp/mpload.json")
        ms=$(sed -n 's/.*"ms":\([0-9.]*\).*/\1/p' "$tmp/mpload.json")
        [ "${fl:-1}" -eq 0 ] || die "Medplum refused resources of $f.ndjson: $(cat "$tmp/mpload.json")"
        mp_created=$((mp_created + c))
        mp_ms=$(awk -v a="$mp_ms" -v b="$ms" 'BEGIN { print a + b }')
    done
}

# medplum_import_comparison: Medplum's router creates the small record (the
# import row's comparison); sets mp_import_rate. Leaves $tmp/gen-small.
medplum_import_comparison() {
    gen "$tmp/gen-small" "$SMALL_SEED" "$SMALL_PATIENTS" "$SMALL_OBSERVATIONS"
    start_medplum medplum-import
    medplum_load "$tmp/gen-small" medplum-import
    running "$medplum_pid" || die "the Medplum server exited while loading: $(tail -n 5 "$tmp/medplum-import.log")"
    stop_pid "$medplum_pid"
    mp_import_rate=$(awk -v n="$mp_created" -v ms="$mp_ms" 'BEGIN { printf "%.0f", n * 1000 / ms }')
    say "import Medplum creates $small_k" "$(commas "$mp_import_rate") resources/s (through the router, in process)"
}

# medplum_search_comparison: Medplum holds the tiny record; wrk runs the
# family search over it as over ours. Its Observation?patient=&code= search
# takes seconds per query even there, so it gets one timed request, not a
# run. Sets mp_fam_p50 mp_fam_p99 mp_fam_err mp_obs_s.
medplum_search_comparison() {
    gen "$tmp/gen-tiny" "$TINY_SEED" "$TINY_PATIENTS" "$TINY_OBSERVATIONS"
    start_medplum medplum-search
    medplum_load "$tmp/gen-tiny" medplum-search
    search_measure "http://127.0.0.1:$medplum_port" "$tmp/gen-tiny/family.paths"
    mp_fam_p50=$s_p50 mp_fam_p99=$s_p99 mp_fam_err=$s_err
    say "search Medplum family, $tiny_k" "p50 $s_p50 ms  p99 $s_p99 ms  $(commas "$s_rps") req/s  errors $s_err"
    first=$(head -n 1 "$tmp/gen-tiny/obs.paths")
    mp_obs_one=$(curl -sS -o /dev/null --max-time 60 -w '%{http_code} %{time_total}' \
        "http://127.0.0.1:$medplum_port$first" || true)
    mp_obs_s=$(echo "$mp_obs_one" | awk '$1 == 200 { printf "%.1f s", $2 } $1 != 200 { print "no answer in 60 s" }')
    say "search Medplum patient+code, $tiny_k" "one request: $mp_obs_s"
    running "$medplum_pid" || die "the Medplum server exited during the search runs: $(tail -n 5 "$tmp/medplum-search.log")"
    stop_pid "$medplum_pid"
    rm -rf "$tmp/gen-tiny"
}

# HOOK (search): search_rows measures ours on the cached 1-million-resource
# database (search_db) with the generator's query paths and adds the rows.
search_rows() {
    search_db
    start_ours "$search_dir/stagewise.db" search
    token=$(sign_in "$sw_port" "$(cat "$search_dir/password")")
    [ -n "$token" ] || die "signing in to the search database gave no token."
    SW_BENCH_TOKEN=$token
    export SW_BENCH_TOKEN
    first=$(head -n 1 "$search_dir/obs.paths")
    curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$sw_port$first" | grep -q '"total":[1-9]' ||
        die "the search database does not find what it should ($first); delete $build/bench-cache."
    search_measure "http://127.0.0.1:$sw_port" "$search_dir/family.paths"
    sw_fam_p50=$s_p50 sw_fam_p99=$s_p99 sw_fam_err=$s_err
    say "search stagewise family, 1M" "p50 $s_p50 ms  p99 $s_p99 ms  $(commas "$s_rps") req/s  errors $s_err"
    search_measure "http://127.0.0.1:$sw_port" "$search_dir/obs.paths"
    sw_obs_p50=$s_p50 sw_obs_p99=$s_p99 sw_obs_err=$s_err
    say "search stagewise patient+code, 1M" "p50 $s_p50 ms  p99 $s_p99 ms  $(commas "$s_rps") req/s  errors $s_err"
    running "$serve_pid" || die "our server exited during the search runs: $(grep -v ' access ' "$tmp/search.log" | tail -n 3)"
    stop_pid "$serve_pid"
    label="Patient?family=X"
    row "search $label, 1M, p50" "$sw_fam_p50 ms" "Medplum mem ${tiny_k}: $mp_fam_p50 ms" \
        "$(ratio "$sw_fam_p50" "$mp_fam_p50")" "none (orientation)$(errs "$sw_fam_err" "$mp_fam_err")" "-"
    row "search $label, 1M, p99" "$sw_fam_p99 ms" "Medplum mem ${tiny_k}: $mp_fam_p99 ms" \
        "$(ratio "$sw_fam_p99" "$mp_fam_p99")" "<20 ms$(errs "$sw_fam_err" "$mp_fam_err")" \
        "$(ok_or_short "$(verdict "$sw_fam_p99" "<" 20)" "$sw_fam_err")"
    label="Observation?patient=X&code=Y"
    row "search $label, 1M, p50" "$sw_obs_p50 ms" "none (Medplum ${tiny_k}: $mp_obs_s/query)" "-" \
        "none (orientation)$(errs "$sw_obs_err" 0)" "-"
    row "search $label, 1M, p99" "$sw_obs_p99 ms" "none (Medplum ${tiny_k}: $mp_obs_s/query)" "-" \
        "<20 ms$(errs "$sw_obs_err" 0)" "$(ok_or_short "$(verdict "$sw_obs_p99" "<" 20)" "$sw_obs_err")"
}

# HOOK (bulk import): import_row times `stagewise import` of the small
# record into a fresh database, from exec to exit (what a user waits for),
# against Medplum's router creating the same resources; until the import
# command exists the row says "not run".
import_row() {
    if [ "$import_landed" != 1 ]; then
        row "bulk import NDJSON, ${small_k} resources" "not run (no stagewise import)" \
            "Medplum mem $(commas "$mp_import_rate")/s" "-" ">=20,000/s" "-"
        return 0
    fi
    init_db "$tmp/import.db" "$bench_pw"
    t0=$(date +%s%N)
    load_ndjson "$tmp/import.db" "$bench_pw" "$tmp/gen-small/Patient.ndjson" "$tmp/gen-small/Observation.ndjson"
    t1=$(date +%s%N)
    summary=$(tr '\n' ' ' <"$tmp/load.summary")
    im_rate=$(awk -v n="$small_total" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n * 1e9 / ns }')
    say "import stagewise import $small_k" "$(commas "$im_rate") resources/s (its summary: $summary)"
    r=$(ratio "$im_rate" "$mp_import_rate")
    row "bulk import NDJSON, ${small_k} resources" "$(commas "$im_rate")/s" \
        "Medplum mem $(commas "$mp_import_rate")/s" "$r" ">=20,000/s" "$(verdict "$im_rate" ">=" 20000)"
}

small_total=$((SMALL_PATIENTS + SMALL_OBSERVATIONS))
small_k=$((small_total / 1000))k
tiny_total=$((TINY_PATIENTS + TINY_OBSERVATIONS))
tiny_k=$((tiny_total / 1000))k
medplum_import_comparison
if [ "$search_run" = 1 ]; then
    medplum_search_comparison
    search_rows
else
    row "search on 1M resources" "$search_why" "-" "-" "p99 <20 ms" "-"
fi
import_row
rm -rf "$tmp/gen-small"

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

# ---- Rollout: the decision on every request against the permission check ----

"$decide_bench" 2 >"$tmp/decide.out" 2>"$tmp/decide.err" ||
    die "decide_bench failed: $(cat "$tmp/decide.err")"
d_ns=$(awk '$1 == "decide" { print $2 }' "$tmp/decide.out")
a_ns=$(awk '$1 == "authz" { print $2 }' "$tmp/decide.out")
say "rollout  decision per request" "$d_ns ns"
say "rollout  permission check, same users" "$a_ns ns"
row "rollout decision per request" "$d_ns ns" "permission check $a_ns ns" \
    "$(ratio "$d_ns" "$a_ns")" "no measurable cost (<1 us)" "$(verdict "$d_ns" "<" 1000)"

# ---- Adoption: roll-ups and reports on 1 million audit entries -------------

# SQLite, and PostgreSQL: the empty database SW_BENCH_POSTGRES_URL names,
# else a private server the bench starts the way the tests do
# (tests/pg/pg-ctl.sh) and stops on exit; SW_BENCH_SKIP_POSTGRES=1 leaves
# PostgreSQL out (the rows say which store).
adoption_pg=${SW_BENCH_POSTGRES_URL:-}
if [ -z "$adoption_pg" ] && [ "${SW_BENCH_SKIP_POSTGRES:-0}" != 1 ]; then
    if sh "$here/../tests/pg/pg-ctl.sh" start "$tmp/pg" >"$tmp/pg.log" 2>&1; then
        pg_admin=$(cat "$tmp/pg/url")
        if psql -q "$pg_admin" -c "CREATE DATABASE sw_bench_adoption" >>"$tmp/pg.log" 2>&1; then
            adoption_pg=$(printf '%s' "$pg_admin" | sed 's|/postgres$|/sw_bench_adoption|')
        fi
    fi
    [ -n "$adoption_pg" ] ||
        say "adoption  PostgreSQL" "not measured: no test server ($(tail -n 1 "$tmp/pg.log"))"
fi
"$adoption_bench" "$tmp" "$ADOPTION_ENTRIES" "$adoption_pg" \
    >"$tmp/adoption.out" 2>"$tmp/adoption.err" ||
    die "adoption_bench failed: $(tail -n 3 "$tmp/adoption.err")"
aval() { awk -v k="$1" -v s="$2" '$1 == k && $2 == s { print $3 }' "$tmp/adoption.out"; }
for st in sqlite postgres; do
    [ -n "$(aval rollup_rate "$st")" ] || continue
    a_rate=$(aval rollup_rate "$st") a_report=$(aval report_ms "$st") a_scan=$(aval scan_ms "$st")
    say "adoption  roll-up of $(commas "$ADOPTION_ENTRIES") entries, $st" "$(commas "$a_rate") entries/s ($(aval rollup_s "$st") s)"
    say "adoption  100 users' reports, $st" "$a_report ms"
    say "adoption  same feature counts from the trail, $st" "$a_scan ms"
    row "adoption roll-up, $(commas "$ADOPTION_ENTRIES") entries ($st)" "$(commas "$a_rate") entries/s" "-" "-" \
        "none (a one-time cost; then seconds' worth)" "-"
    row "adoption reports, 100 users ($st)" "$a_report ms" "trail scan $a_scan ms" \
        "$(ratio "$a_report" "$a_scan")" "<1 s (1M audit entries)" "$(verdict "$a_report" "<" 1000)"
done

# ---- HL7 v2: parse throughput, and ADT messages stored and acknowledged -----

# hl7net_install: bench/hl7net/node_modules (hl7v2 and hl7v2-net, pinned)
# with npm ci, when missing or older than the lock file.
hl7net_install() {
    if [ ! -f "$hl7net_dir/node_modules/.package-lock.json" ] || [ -n "$(find "$hl7net_dir/package-lock.json" \
        -newer "$hl7net_dir/node_modules/.package-lock.json" 2>/dev/null)" ]; then
        echo "installing the HL7 comparison (npm ci in bench/hl7net)"
        (cd "$hl7net_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$tmp/npm.log" 2>&1 ||
            die "npm ci in $hl7net_dir failed: $(tail -n 5 "$tmp/npm.log")"
    fi
    hl7net_version=$(node -p 'require(process.argv[1]).version' \
        "$hl7net_dir/node_modules/hl7v2-net/package.json" 2>/dev/null) ||
        die "hl7v2-net is not installed in $hl7net_dir/node_modules."
}
hl7net_install

# Parse: both parsers on the messages of tests/data/hl7v2 that hl7v2 parses.
# shellcheck disable=SC2046
node "$hl7net_dir/parse.mjs" --list $(find "$here/../tests/data/hl7v2" -type f \( -name '*.hl7' -o -name '*.txt' \) | sort) \
    >"$tmp/hl7files" 2>"$tmp/hl7parse.err" || die "hl7v2 could not list the messages: $(tail -n 3 "$tmp/hl7parse.err")"
# shellcheck disable=SC2046
"$hl7_parse_bench" "$HL7_PARSE_SECS" $(cat "$tmp/hl7files") >"$tmp/hl7parse.out" 2>>"$tmp/hl7parse.err" ||
    die "hl7_parse_bench failed: $(tail -n 3 "$tmp/hl7parse.err")"
# shellcheck disable=SC2046
node "$hl7net_dir/parse.mjs" "$HL7_PARSE_SECS" $(cat "$tmp/hl7files") >"$tmp/hl7parse.node" 2>>"$tmp/hl7parse.err" ||
    die "hl7v2's parse run failed: $(tail -n 3 "$tmp/hl7parse.err")"
p_ours=$(awk '$1 == "parse_mbps" { print $2 }' "$tmp/hl7parse.out")
p_node=$(awk '$1 == "parse_mbps" { print $2 }' "$tmp/hl7parse.node")
p_files=$(awk '$1 == "files" { print $2 }' "$tmp/hl7parse.out")
say "hl7  parse, $p_files messages" "$(commas "$p_ours") MB/s"
say "hl7  hl7v2 $hl7net_version parse, same" "$p_node MB/s"
row "HL7 v2 parse, $p_files real messages" "$(commas "$p_ours") MB/s" "hl7v2 $p_node MB/s" \
    "$(ratio "$p_ours" "$p_node")" ">=200 MB/s" "$(verdict "$p_ours" ">=" 200)"

# ADT over MLLP: ours stores each message (and its Patient) durably before
# the ACK; hl7v2-net parses and acknowledges, storing nothing.
"$bin" init --db "sqlite:$tmp/hl7.db" >/dev/null 2>"$tmp/init.err" ||
    die "stagewise init failed: $(cat "$tmp/init.err")"
"$bin" interface peer --db "sqlite:$tmp/hl7.db" --allow 127.0.0.1 >/dev/null 2>"$tmp/peer.err" ||
    die "stagewise interface peer failed: $(cat "$tmp/peer.err")"
start_ours "$tmp/hl7.db" hl7 --mllp 127.0.0.1:0
[ -n "$sw_mllp_port" ] || die "stagewise serve did not say its MLLP port."
"$mllp_load" 127.0.0.1 "$sw_mllp_port" "$HL7_CONNS" "$WARM_SECS" warm >/dev/null 2>"$tmp/mllp.err" ||
    die "the MLLP warm-up failed: $(tail -n 3 "$tmp/mllp.err")"
"$mllp_load" 127.0.0.1 "$sw_mllp_port" "$HL7_CONNS" "$WRK_SECS" run >"$tmp/mllp.out" 2>>"$tmp/mllp.err" ||
    die "the MLLP run failed: $(tail -n 3 "$tmp/mllp.err")"
stop_pid "$serve_pid"
node "$hl7net_dir/server.mjs" >"$tmp/hl7net.out" 2>"$tmp/hl7net.log" &
hl7net_pid=$!
pids="$pids $hl7net_pid"
n=0
until grep -q '^listening ' "$tmp/hl7net.out"; do
    { running "$hl7net_pid" && [ $n -lt 200 ]; } ||
        die "the hl7v2-net server did not start: $(tail -n 3 "$tmp/hl7net.log")"
    sleep 0.05; n=$((n + 1))
done
hl7net_port=$(awk '$1 == "listening" { print $2 }' "$tmp/hl7net.out")
"$mllp_load" 127.0.0.1 "$hl7net_port" "$HL7_CONNS" "$WARM_SECS" warm >/dev/null 2>>"$tmp/mllp.err" ||
    die "the hl7v2-net warm-up failed: $(tail -n 3 "$tmp/mllp.err")"
"$mllp_load" 127.0.0.1 "$hl7net_port" "$HL7_CONNS" "$WRK_SECS" run >"$tmp/hl7net.load" 2>>"$tmp/mllp.err" ||
    die "the hl7v2-net run failed: $(tail -n 3 "$tmp/mllp.err")"
stop_pid "$hl7net_pid"
mval() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
m_ours=$(mval rate "$tmp/mllp.out") m_net=$(mval rate "$tmp/hl7net.load")
say "hl7  ADT over MLLP, $HL7_CONNS conns, stored" "$(commas "$m_ours") msgs/s  p99 $(mval p99_ms "$tmp/mllp.out") ms  rejected $(mval rejected "$tmp/mllp.out")  errors $(mval errors "$tmp/mllp.out")"
say "hl7  hl7v2-net $hl7net_version, not stored" "$(commas "$m_net") msgs/s  p99 $(mval p99_ms "$tmp/hl7net.load") ms  errors $(mval errors "$tmp/hl7net.load")"
row "HL7 ADT acknowledged over MLLP, $HL7_CONNS conns" "$(commas "$m_ours") msgs/s" "hl7v2-net $(commas "$m_net") msgs/s" \
    "$(ratio "$m_ours" "$m_net")" ">=10,000/s and >=2.5x hl7v2-net" \
    "$(awk -v a="$m_ours" -v b="$m_net" 'BEGIN { print (a >= 10000 && b > 0 && a / b >= 2.5) ? "meets" : "short" }')"

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
