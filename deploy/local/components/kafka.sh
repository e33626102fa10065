#!/usr/bin/env bash
# Kafka broker of the local stack: one KRaft node (broker + controller) on 127.0.0.1.
# Data (and the cluster id) persist in $STACK_DIR/kafka across restarts; storage is formatted
# only on the first start.
# Usage: deploy/local/components/kafka.sh start|stop|status
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

NAME=kafka
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
CONF_SRC="$(cd "$(dirname "$0")/../conf/kafka" && pwd)"
KAFKA_HEAP="${SLUICE_KAFKA_HEAP:--Xmx512m -Xms256m}"
START_TIMEOUT="${SLUICE_KAFKA_START_TIMEOUT:-120}"

dir="$(part_dir "$NAME")"
log="$(part_log "$NAME")"
data="$dir/data"
props="$dir/server.properties"

# ready: the broker port accepts connections and the log of the current run (after the last
# "---- ... starting:" line that start_bg writes) has the server's start-up line, which Kafka
# prints only once the broker is registered with the controller, unfenced and serving.
ready() {
  port_in_use "$KAFKA_PORT" || return 1
  [[ -f "$log" ]] || return 1
  awk '/^---- .* starting: /{ok=0} /Kafka Server started/{ok=1} END{exit !ok}' "$log"
}

java_kafka() { java -cp "$KAFKA_HOME/libs/*" "$@"; }

render_config() {
  mkdir -p "$data" "$dir/logs"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_FAULT_PORT@|$KAFKA_FAULT_PORT|g" \
      -e "s|@KAFKA_FAULT_PROXY_PORT@|$KAFKA_FAULT_PROXY_PORT|g" \
      -e "s|@DATA_DIR@|$data|g" \
      "$CONF_SRC/server.properties.in" >"$props"
  cp "$CONF_SRC/log4j.properties" "$CONF_SRC/log4j2.properties" "$dir/"
}

# The logging configuration for this Kafka version's log4j (2 from Kafka 4 on, 1 before).
log_conf() {
  if kafka_log4j2; then echo "-Dlog4j2.configurationFile=file:$dir/log4j2.properties"; else echo "-Dlog4j.configuration=file:$dir/log4j.properties"; fi
}

# format_once: KRaft storage needs a cluster id and a formatted log dir. Formatted once; the
# cluster id is kept in $STACK_DIR/kafka/cluster.id so the data survives restarts.
format_once() {
  if [[ -f "$data/meta.properties" ]]; then
    # A newer Kafka's metadata cannot be read by an older one: say so instead of a broker that dies.
    local by
    by="$(cat "$dir/formatted-by" 2>/dev/null || true)"
    if [[ -n "$by" && "${by%%.*}" -gt "${KAFKA_VERSION%%.*}" ]]; then
      fail_part "$NAME" "$log" "$KAFKA_PORT" "kafka data in $data was written by Kafka $by, which Kafka $KAFKA_VERSION cannot read: set SLUICE_KAFKA_VERSION=$by, or make clean"
    fi
    return 0
  fi
  local id
  if [[ -s "$dir/cluster.id" ]]; then
    id="$(cat "$dir/cluster.id")"
  else
    id="$(java_kafka "$(log_conf)" kafka.tools.StorageTool random-uuid 2>>"$log" | tail -n1)"
    [[ -n "$id" ]] || fail_part "$NAME" "$log" "$KAFKA_PORT" "could not generate a cluster id"
    echo "$id" >"$dir/cluster.id"
  fi
  say "formatting kafka storage in $data (cluster id $id)"
  java_kafka "$(log_conf)" kafka.tools.StorageTool format -t "$id" -c "$props" >>"$log" 2>&1 \
    || fail_part "$NAME" "$log" "$KAFKA_PORT" "formatting the storage failed"
  echo "$KAFKA_VERSION" >"$dir/formatted-by"
}

start() {
  if is_running "$NAME"; then
    say "kafka already running (pid $(cat "$(part_pidfile "$NAME")")); waiting until ready"
    wait_ready "$NAME" "$KAFKA_PORT" "$START_TIMEOUT" ready
    say "kafka ready on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  [[ -f "$KAFKA_HOME/.installed" ]] \
    || fail_part "$NAME" "$log" "$KAFKA_PORT" "kafka $KAFKA_VERSION is not installed (run deploy/local/install/kafka.sh)"
  port_in_use "$KAFKA_CONTROLLER_PORT" \
    && fail_part "$NAME" "$log" "$KAFKA_CONTROLLER_PORT" "controller port $KAFKA_CONTROLLER_PORT is already in use"
  port_in_use "$KAFKA_FAULT_PORT" \
    && fail_part "$NAME" "$log" "$KAFKA_FAULT_PORT" "fault-test listener port $KAFKA_FAULT_PORT is already in use"
  render_config
  format_once
  local t0=$SECONDS
  # shellcheck disable=SC2086 # KAFKA_HEAP is a list of JVM flags
  start_bg "$NAME" "$KAFKA_PORT" java $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    "$(log_conf)" -Dkafka.logs.dir="$dir/logs" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$props"
  wait_ready "$NAME" "$KAFKA_PORT" "$START_TIMEOUT" ready
  say "kafka ready on 127.0.0.1:$KAFKA_PORT (pid $(cat "$(part_pidfile "$NAME")"), $((SECONDS - t0))s)"
}

case "${1:-}" in
  start) start ;;
  stop) stop_part "$NAME" ;;
  status) part_status "$NAME" "127.0.0.1:$KAFKA_PORT" ready ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
