# Shared helpers of the local-stack scripts: logging, process control by pid file, readiness
# waits, and failure messages that name the part, its log and the likely cause.
# shellcheck shell=bash
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

say() { printf '\033[1m[stack]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[33m[stack]\033[0m %s\n' "$*" >&2; }

# part_dir NAME -> .stack/NAME (data, pid file and log of one part)
part_dir() { mkdir -p "$STACK_DIR/$1" && printf '%s' "$STACK_DIR/$1"; }
part_log() { printf '%s/%s.log' "$(part_dir "$1")" "$1"; }
part_pidfile() { printf '%s/pid' "$(part_dir "$1")"; }

# is_running NAME: the pid file names a live process.
is_running() {
  local f pid; f="$(part_pidfile "$1")"
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  kill -0 "$pid" 2>/dev/null || return 1
  # A killed process that nobody has reaped yet is not running (state Z in /proc/<pid>/stat).
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# likely_cause LOG PORT: one line that guesses why a part did not come up.
likely_cause() {
  local raw="$1" port="${2:-}" log
  # Only what the part printed: our own '---- starting: <command>' lines would match themselves.
  log="$(mktemp)"; [[ -f "$raw" ]] && grep -v '^---- ' "$raw" >"$log" || true
  _likely_cause "$log" "$port"; rm -f "$log"
}
_likely_cause() {
  local log="$1" port="${2:-}"
  if [[ -f "$log" ]] && grep -qiE 'address already in use|bind.*failed|Can.t start server: Bind' "$log"; then
    echo "port ${port:-?} is taken by another process (see: ss -ltnp | grep :$port)"
  elif [[ -f "$log" ]] && grep -qiE 'no space left|disk full|errno: 28' "$log"; then
    echo "out of disk space (df -h $STACK_DIR)"
  elif [[ -f "$log" ]] && grep -qiE 'OutOfMemory|Cannot allocate memory' "$log"; then
    echo "out of memory"
  elif [[ -f "$log" ]] && grep -qiE 'could not resolve|connection refused|failed to download|404 Not Found' "$log"; then
    echo "a download failed (is the package registry reachable?)"
  else
    echo "unknown: read the last lines of the log"
  fi
}

# fail_part NAME LOG PORT REASON: stop the run with a message that an operator can act on.
fail_part() {
  local name="$1" log="$2" port="$3" reason="$4"
  printf '\033[31m[stack] %s failed: %s\033[0m\n' "$name" "$reason" >&2
  printf '  log:          %s\n  likely cause: %s\n' "$log" "$(likely_cause "$log" "$port")" >&2
  if [[ -f "$log" ]]; then echo "  last lines:" >&2; tail -n 15 "$log" | sed 's/^/    /' >&2; fi
  exit 1
}

# start_bg NAME PORT CMD...: start CMD detached in its own session, pid in .stack/NAME/pid.
# Refuses when PORT is already taken by something that is not this part.
start_bg() {
  local name="$1" port="$2"; shift 2
  local log; log="$(part_log "$name")"
  if [[ -n "$port" ]] && port_in_use "$port"; then
    echo "Address already in use (port $port, before start)" >>"$log"
    fail_part "$name" "$log" "$port" "port $port is already in use"
  fi
  echo "---- $(date -Is) starting: $*" >>"$log"
  setsid nohup "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$(part_pidfile "$name")"
}

# wait_ready NAME PORT TIMEOUT_S PROBE...: poll PROBE until it succeeds; fail if the process dies
# or the timeout passes.
wait_ready() {
  local name="$1" port="$2" timeout="$3"; shift 3
  local log; log="$(part_log "$name")"
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    is_running "$name" || fail_part "$name" "$log" "$port" "the process exited during start-up"
    ((SECONDS < deadline)) || fail_part "$name" "$log" "$port" "not ready after ${timeout}s"
    sleep 0.5
  done
}

# stop_part NAME: TERM, wait up to 30 s, then KILL. Only ever the pid we recorded.
stop_part() {
  local name="$1" f pid
  f="$(part_pidfile "$name")"
  [[ -s "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then warn "$name did not stop in 30 s; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

# part_status NAME WHERE READY_CMD...: one line on stdout; exit 0 ready, 1 running but not
# ready, 3 stopped.
part_status() {
  local name="$1" where="$2" pid; shift 2
  if ! is_running "$name"; then echo "$name: stopped"; return 3; fi
  pid="$(cat "$(part_pidfile "$name")")"
  if "$@" >/dev/null 2>&1; then echo "$name: running, ready on $where (pid $pid)"; return 0; fi
  echo "$name: running, not ready (pid $pid; log $(part_log "$name"))"
  return 1
}

# Run node (the pinned version) from the cache.
node_bin() { printf '%s' "$NODE_BIN"; }

# Kafka 4 brokers log through log4j 2, Kafka 3 through log4j 1: install and start differ there.
kafka_log4j2() { [[ "${KAFKA_VERSION%%.*}" -ge 4 ]]; }
