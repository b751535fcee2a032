#!/bin/sh
# npm-deps.sh - install the npm packages the browser tests use
# (package.json, pinned by package-lock.json) into node_modules, only when
# they are missing or the lock file changed since the last install.
# Non-interactive; safe to run any number of times.
set -eu
cd "$(dirname "$0")/.."
stamp=node_modules/.stagewise-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
    exit 0
fi
echo "Installing npm packages (package-lock.json)"
npm ci --no-audit --no-fund --silent
cp package-lock.json "$stamp"
