#!/usr/bin/env bash
# TiDB target: a single tidb-server on the embedded unistore engine (no PD/TiKV), data in
# .stack/tidb. Usage: tidb.sh start|stop|status. Built by install/tidb.sh.
# The root user has no password (TiDB's insecure bootstrap); this stack only listens on 127.0.0.1.
source "$(dirname "$0")/../lib.sh"

BIN="$CACHE_DIR/tidb/$TIDB_VERSION/tidb-server"

# Ready means: the status API answers with JSON and a SQL round trip as root works (an open
# port alone says nothing about the bootstrap of the system tables).
tidb_ready() {
  [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:$TIDB_STATUS_PORT/status")" == *'"version"'* ]] &&
    [[ "$(mariadb --protocol=tcp -h127.0.0.1 -P"$TIDB_PORT" -uroot --connect-timeout=2 -Nse 'SELECT 1')" == 1 ]]
}

start() {
  local dir; dir="$(part_dir tidb)"
  if ! is_running tidb; then
    [[ -x "$BIN" ]] || fail_part tidb "$(part_log tidb)" "$TIDB_PORT" "no binary at $BIN (run install/tidb.sh)"
    mkdir -p "$dir/data" "$dir/tmp"
    say "starting tidb $TIDB_VERSION on 127.0.0.1:$TIDB_PORT (status $TIDB_STATUS_PORT)"
    # Keep every file of TiDB in .stack/tidb: cd for files relative to its cwd (oom_record),
    # TMPDIR for its spill storage, -temp-dir instead of the shared /tmp/tidb, no unix socket.
    (cd "$dir" && export TMPDIR="$dir/tmp" && start_bg tidb "$TIDB_PORT" "$BIN" -store=unistore -path="$dir/data" \
      -host=127.0.0.1 -P="$TIDB_PORT" -status-host=127.0.0.1 -status="$TIDB_STATUS_PORT" \
      -socket= -temp-dir="$dir/tmp" -log-file="$(part_log tidb)" -log-slow-query="$dir/tidb-slow.log")
  fi
  wait_ready tidb "$TIDB_PORT" 180 tidb_ready
  say "tidb ready: mariadb -h127.0.0.1 -P$TIDB_PORT -uroot"
}

case "${1:-}" in
  start) start ;;
  stop) stop_part tidb ;;
  status) part_status tidb "127.0.0.1:$TIDB_PORT" tidb_ready ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
