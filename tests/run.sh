#!/bin/sh
# run.sh BUILD JOBS - run every test suite with CTest. The pg fixture starts
# a private PostgreSQL server and CTest stops it even when tests fail; the
# trap below stops it too if this script is interrupted. The output ends
# with CTest's summary line.
set -u
build=$1
jobs=${2:-2}
stop_pg() { sh "$(dirname "$0")/pg/pg-ctl.sh" stop "$build/tests/pg" >/dev/null 2>&1 || true; }
trap stop_pg INT TERM
cd "$build" || exit 1
ctest --output-on-failure -j"$jobs"
rc=$?
stop_pg
exit $rc
