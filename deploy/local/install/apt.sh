#!/usr/bin/env bash
# Installs the Debian packages the stack needs (MariaDB server and client, kcat, curl, jq), once.
source "$(dirname "$0")/../lib.sh"

need=()
command -v mariadbd >/dev/null || [[ -x /usr/sbin/mariadbd ]] || need+=(mariadb-server)
command -v mariadb >/dev/null || need+=(mariadb-client)
command -v kcat >/dev/null || need+=(kcat)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)  # install/tidb.sh reads go.mod replace lines with it
[[ -x /usr/bin/chromium ]] || need+=(chromium)  # tests only: test/scenario/status-page.test.ts drives it (playwright-core)
((${#need[@]})) || exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
say "apt-get install ${need[*]}"
log="$CACHE_DIR/apt.log"; mkdir -p "$CACHE_DIR"
{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"; } >"$log" 2>&1 \
  || { echo "apt-get install ${need[*]} failed; see $log (is the Debian mirror reachable?)" >&2; tail -5 "$log" >&2; exit 1; }
