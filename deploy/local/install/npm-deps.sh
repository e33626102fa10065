#!/usr/bin/env bash
# npm packages of the workspace, installed with the pinned Node; re-run only when the lockfile changes.
# (npm install, not npm ci: npm 11.19 writes lockfiles without other platforms' optional packages, which npm ci then rejects.)
source "$(dirname "$0")/../lib.sh"
cd "$SLUICE_ROOT"
stamp="node_modules/.sluice-lock-stamp"
# The lock file and the patches applied to packages (patches/, by patch-package at postinstall).
want() { cat package-lock.json patches/*.patch 2>/dev/null; }
if [[ -f "$stamp" ]] && cmp -s <(want) "$stamp"; then exit 0; fi
say "npm install (from package-lock.json)"
PATH="$(dirname "$NODE_BIN"):$PATH" npm install --no-audit --no-fund >"$CACHE_DIR/npm-install.log" 2>&1 \
  || { echo "npm install failed; see $CACHE_DIR/npm-install.log (is the npm registry reachable?)" >&2; tail -5 "$CACHE_DIR/npm-install.log" >&2; exit 1; }
want >"$stamp"
