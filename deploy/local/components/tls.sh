#!/usr/bin/env bash
# TLS and SASL servers for the TLS tests (test/scenario/tls-sasl.test.ts), beside the stack and on
# their own ports; the stack's own servers and configs are not touched.
#   tls.sh start|stop|status
# - .stack/tls/: a CA, a server certificate (names localhost and 127.0.0.1), a client certificate,
#   a second CA that signed nothing here (for "not trusted"), and the generated passwords, one file
#   each (*.password). Written once; tls.env lists them for the tests.
# - tls-mariadb: a MariaDB (the stack's binaries) that REQUIRES TLS (require_secure_transport=ON),
#   with a ROW binlog as the stack's source has, on $TLS_MARIADB_PORT. Users, all REQUIRE SSL:
#   admin (everything), sluice (capture's rights), sink (everything; REQUIRE X509: a client
#   certificate signed by the CA).
# - tls-kafka: a single-node KRaft Kafka (the stack's install) whose only client listener is
#   SASL_SSL on $TLS_KAFKA_PORT, with SCRAM-SHA-512 (users created at format time) and PLAIN;
#   the controller listens on $TLS_KAFKA_CONTROLLER_PORT.
# Each start is idempotent: what runs is only checked. Pids are in .stack/tls-*/pid: make down stops them.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

TLS_MARIADB_PORT="${SLUICE_TLS_MARIADB_PORT:-13316}"
TLS_KAFKA_PORT="${SLUICE_TLS_KAFKA_PORT:-19392}"
TLS_KAFKA_CONTROLLER_PORT="${SLUICE_TLS_KAFKA_CONTROLLER_PORT:-19393}"
TLS_DIR="$STACK_DIR/tls"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
DAYS=3650

# ---- certificates and passwords --------------------------------------------------------------

# cert NAME CN SAN: a key and a certificate signed by the CA.
cert() {
  local name="$1" cn="$2" san="$3"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TLS_DIR/$name.key" 2>/dev/null
  openssl req -new -key "$TLS_DIR/$name.key" -subj "/CN=$cn" -out "$TLS_DIR/$name.csr"
  printf '%s\n' "$san" "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" >"$TLS_DIR/$name.ext"
  openssl x509 -req -in "$TLS_DIR/$name.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
    -days "$DAYS" -sha256 -extfile "$TLS_DIR/$name.ext" -out "$TLS_DIR/$name.pem" 2>/dev/null
  rm -f "$TLS_DIR/$name.csr" "$TLS_DIR/$name.ext"
}

# ca NAME CN: a self-signed CA.
ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS_DIR/$1.key" -out "$TLS_DIR/$1.pem" -days "$DAYS" -sha256 \
    -subj "/CN=$2" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

password() { openssl rand -hex 12 >"$TLS_DIR/$1.password"; }

material() {
  [[ -f "$TLS_DIR/.complete" ]] && return 0
  # New passwords: the servers' data made with the old ones (users, SCRAM credentials) goes too.
  stop_part tls-mariadb; stop_part tls-kafka
  rm -rf "$TLS_DIR" "$STACK_DIR/tls-mariadb/data" "$STACK_DIR/tls-kafka/data"
  mkdir -p "$TLS_DIR" && chmod 700 "$TLS_DIR"
  say "generating a CA, server and client certificates and passwords in $TLS_DIR"
  ca ca "sluice local test CA"
  ca other-ca "sluice other CA (signs nothing here)"
  cert server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1"
  cert client sink "subjectAltName=DNS:sluice-client"
  # Kafka reads its key and chain from one PEM file (ssl.keystore.type=PEM).
  cat "$TLS_DIR/server.key" "$TLS_DIR/server.pem" >"$TLS_DIR/kafka-keystore.pem"
  for p in mariadb-admin mariadb-sluice mariadb-sink kafka-admin kafka-sluice kafka-plain; do password "$p"; done
  chmod 600 "$TLS_DIR"/*.key "$TLS_DIR"/*.password "$TLS_DIR/kafka-keystore.pem"
  touch "$TLS_DIR/.complete"
}

write_env() {
  cat >"$TLS_DIR/tls.env" <<ENV
# Written by deploy/local/components/tls.sh: the TLS test servers. Passwords are in the files named.
TLS_DIR=$TLS_DIR
TLS_CA=$TLS_DIR/ca.pem
TLS_OTHER_CA=$TLS_DIR/other-ca.pem
TLS_CLIENT_CERT=$TLS_DIR/client.pem
TLS_CLIENT_KEY=$TLS_DIR/client.key
TLS_SERVER_CERT=$TLS_DIR/server.pem
TLS_SERVER_KEY=$TLS_DIR/server.key
TLS_MARIADB_PORT=$TLS_MARIADB_PORT
TLS_KAFKA_BROKERS=127.0.0.1:$TLS_KAFKA_PORT
ENV
}

pw() { cat "$TLS_DIR/$1.password"; }

# ---- MariaDB that requires TLS ---------------------------------------------------------------

MDB=tls-mariadb
mdb_dir="$(part_dir "$MDB")"
mdb_cnf="$mdb_dir/my.cnf" mdb_sock="$mdb_dir/mysqld.sock" mdb_log="$(part_log "$MDB")"

mdb_sql() { mariadb --defaults-file="$mdb_cnf" -uroot "$@"; }

mdb_cnf() {
  cat >"$mdb_cnf" <<CNF
[mariadbd]
user=$(id -un)
datadir=$mdb_dir/data
socket=$mdb_sock
port=$TLS_MARIADB_PORT
bind-address=127.0.0.1
pid-file=$mdb_dir/mariadbd.pid
tmpdir=$mdb_dir/tmp
log-error=$mdb_log
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
skip-name-resolve
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
# TCP only with TLS (the unix socket, for root here, counts as secure).
require_secure_transport=ON
ssl_ca=$TLS_DIR/ca.pem
ssl_cert=$TLS_DIR/server.pem
ssl_key=$TLS_DIR/server.key
tls_version=TLSv1.2,TLSv1.3
server-id=16
log-bin=$mdb_dir/data/binlog
binlog_format=ROW
binlog_row_image=FULL
binlog_row_metadata=FULL
expire_logs_days=2
sync_binlog=0
[client]
socket=$mdb_sock
user=root
CNF
}

mdb_users() {
  mdb_sql <<SQL
CREATE USER IF NOT EXISTS 'admin'@'%' IDENTIFIED BY '$(pw mariadb-admin)' REQUIRE SSL;
GRANT ALL ON *.* TO 'admin'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED BY '$(pw mariadb-sluice)' REQUIRE SSL;
GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR, SHOW VIEW ON *.* TO 'sluice'@'%';
CREATE USER IF NOT EXISTS 'sink'@'%' IDENTIFIED BY '$(pw mariadb-sink)' REQUIRE X509;
GRANT ALL ON *.* TO 'sink'@'%';
SQL
}

mdb_start() {
  if ! is_running "$MDB"; then
    mdb_cnf
    mkdir -p "$mdb_dir/tmp"
    if [[ ! -d "$mdb_dir/data/mysql" ]]; then
      mariadb-install-db --defaults-file="$mdb_cnf" --auth-root-authentication-method=socket >>"$mdb_log" 2>&1 \
        || fail_part "$MDB" "$mdb_log" "$TLS_MARIADB_PORT" "mariadb-install-db failed"
    fi
    start_bg "$MDB" "$TLS_MARIADB_PORT" mariadbd --defaults-file="$mdb_cnf"
  fi
  wait_ready "$MDB" "$TLS_MARIADB_PORT" 60 mdb_sql -e 'SELECT 1'
  mdb_users
}

# ---- Kafka with SASL_SSL ---------------------------------------------------------------------

KFK=tls-kafka
kfk_dir="$(part_dir "$KFK")"
kfk_log="$(part_log "$KFK")"
kfk_props="$kfk_dir/server.properties"

kfk_java() { java -cp "$KAFKA_HOME/libs/*" "$@"; }
kfk_log_conf() {
  if kafka_log4j2; then echo "-Dlog4j2.configurationFile=file:$kfk_dir/log4j2.properties"; else echo "-Dlog4j.configuration=file:$kfk_dir/log4j.properties"; fi
}

kfk_ready() {
  port_in_use "$TLS_KAFKA_PORT" || return 1
  awk '/^---- .* starting: /{ok=0} /Kafka Server started/{ok=1} END{exit !ok}' "$kfk_log"
}

kfk_config() {
  local conf; conf="$(cd "$(dirname "$0")/../conf/kafka" && pwd)"
  cp "$conf/log4j.properties" "$conf/log4j2.properties" "$kfk_dir/"
  # The broker talks to itself over SASL_SSL as admin (SCRAM-SHA-512); clients log in with SCRAM
  # (users made at format time) or PLAIN (users of the JAAS line). No ACLs: any user may do anything.
  cat >"$kfk_props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$TLS_KAFKA_CONTROLLER_PORT
listeners=SASL_SSL://127.0.0.1:$TLS_KAFKA_PORT,CONTROLLER://127.0.0.1:$TLS_KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$TLS_KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
inter.broker.listener.name=SASL_SSL
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(pw kafka-admin)";
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$(pw kafka-admin)" user_admin="$(pw kafka-admin)" user_plain="$(pw kafka-plain)";
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/kafka-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
ssl.endpoint.identification.algorithm=https
log.dirs=$kfk_dir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.num.partitions=2
transaction.state.log.num.partitions=2
group.initial.rebalance.delay.ms=0
num.partitions=1
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
log.segment.bytes=16777216
log.retention.hours=24
PROPS
  chmod 600 "$kfk_props"
}

kfk_format() {
  [[ -f "$kfk_dir/data/meta.properties" ]] && return 0
  local id
  id="$(kfk_java "$(kfk_log_conf)" kafka.tools.StorageTool random-uuid 2>>"$kfk_log" | tail -n1)"
  [[ -n "$id" ]] || fail_part "$KFK" "$kfk_log" "$TLS_KAFKA_PORT" "could not generate a cluster id"
  # SCRAM users live in the cluster metadata: created here, before the first start.
  kfk_java "$(kfk_log_conf)" kafka.tools.StorageTool format -t "$id" -c "$kfk_props" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$(pw kafka-admin)]" \
    --add-scram "SCRAM-SHA-512=[name=sluice,password=$(pw kafka-sluice)]" >>"$kfk_log" 2>&1 \
    || fail_part "$KFK" "$kfk_log" "$TLS_KAFKA_PORT" "formatting the storage failed"
}

kfk_start() {
  if ! is_running "$KFK"; then
    [[ -f "$KAFKA_HOME/.installed" ]] \
      || fail_part "$KFK" "$kfk_log" "$TLS_KAFKA_PORT" "kafka $KAFKA_VERSION is not installed (run deploy/local/install/kafka.sh)"
    port_in_use "$TLS_KAFKA_CONTROLLER_PORT" \
      && fail_part "$KFK" "$kfk_log" "$TLS_KAFKA_CONTROLLER_PORT" "controller port $TLS_KAFKA_CONTROLLER_PORT is already in use"
    mkdir -p "$kfk_dir/data" "$kfk_dir/logs"
    kfk_config
    kfk_format
    start_bg "$KFK" "$TLS_KAFKA_PORT" java -Xmx256m -Xms128m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:TieredStopAtLevel=1 -Djava.awt.headless=true "$(kfk_log_conf)" -Dkafka.logs.dir="$kfk_dir/logs" \
      -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$kfk_props"
  fi
  wait_ready "$KFK" "$TLS_KAFKA_PORT" 120 kfk_ready
}

# ---- main ------------------------------------------------------------------------------------

start() {
  local t0=$SECONDS
  material
  write_env
  # Both at once, each waiting for its own readiness.
  mdb_start & local m=$!
  kfk_start & local k=$!
  local failed=0
  wait "$m" || failed=1
  wait "$k" || failed=1
  ((failed == 0)) || exit 1
  say "tls servers ready in $((SECONDS - t0))s: MariaDB (TLS required) 127.0.0.1:$TLS_MARIADB_PORT, Kafka SASL_SSL 127.0.0.1:$TLS_KAFKA_PORT; settings in $TLS_DIR/tls.env"
}

case "${1:-}" in
  start) start ;;
  stop) stop_part "$KFK"; stop_part "$MDB" ;;
  status)
    set +e
    part_status "$MDB" "127.0.0.1:$TLS_MARIADB_PORT" mdb_sql -e 'SELECT 1'
    part_status "$KFK" "127.0.0.1:$TLS_KAFKA_PORT" kfk_ready
    exit 0
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
