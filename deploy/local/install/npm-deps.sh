#!/usr/bin/env bash
# npm packages of the workspace, installed with the pinned Node; re-run only when the lockfile changes.
source "$(dirname "$0")/../lib.sh"
cd "$SLUICE_ROOT"
stamp="node_modules/.sluice-lock-stamp"
if [[ -f "$stamp" ]] && cmp -s package-lock.json "$stamp"; then exit 0; fi
say "npm ci"
PATH="$(dirname "$NODE_BIN"):$PATH" npm ci --no-audit --no-fund >"$CACHE_DIR/npm-ci.log" 2>&1 \
  || { echo "npm ci failed; see $CACHE_DIR/npm-ci.log (is the npm registry reachable?)" >&2; tail -5 "$CACHE_DIR/npm-ci.log" >&2; exit 1; }
cp package-lock.json "$stamp"
