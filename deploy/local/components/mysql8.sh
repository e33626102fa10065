#!/usr/bin/env bash
# A private MySQL 8 server, the second capture source: datadir, socket, pid file and log under
# .stack/mysql8/, port $MYSQL8_PORT on 127.0.0.1 only. Built by install/mysql8.sh.
#   mysql8.sh start|stop|status        (status exits 3 when stopped, 1 when running but not ready)
# Like the MariaDB source it writes a ROW binlog with full row images and full row metadata
# (capture names columns and keeps values exact from it), and it runs with GTIDs on, as most
# MySQL 8 production servers do. Users: root over the socket only (no password); 'sluice'
# (capture: read + replication) and 'admin' (everything) over TCP.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

name=mysql8 port="$MYSQL8_PORT"
BIN="$MYSQL8_HOME/bin/mysqld"
dir="$(part_dir "$name")"
cnf="$dir/my.cnf" sock="$dir/mysqld.sock" log="$(part_log "$name")"

write_cnf() {
  # mysql_native_password: every client we use (mysql2, zongji, the MariaDB CLI) speaks it over
  # plain TCP without TLS or an RSA key exchange; caching_sha2_password (the 8.0 default) needs one
  # of those for a full authentication.
  # log-bin is relative, so the binlog and its index stay inside the datadir (which is initialised
  # under another name and renamed; see init_datadir).
  cat >"$cnf" <<CNF
[mysqld]
user=$(id -un)
basedir=$MYSQL8_HOME
datadir=$dir/data
tmpdir=$dir/tmp
socket=$sock
pid-file=$dir/mysqld.pid
log-error=$log
port=$port
bind-address=127.0.0.1
mysqlx=OFF
skip-name-resolve
character-set-server=utf8mb4
default-authentication-plugin=mysql_native_password
performance_schema=OFF
innodb_buffer_pool_size=128M
innodb_flush_log_at_trx_commit=2
max_allowed_packet=256M
server-id=2
log-bin=binlog
binlog_format=ROW
binlog_row_image=FULL
binlog_row_metadata=FULL
gtid_mode=ON
enforce_gtid_consistency=ON
binlog_expire_logs_seconds=604800
sync_binlog=0
[client]
socket=$sock
user=root
CNF
}

# shellcheck disable=SC2120  # wait_ready passes -e through
sql() { mariadb --defaults-file="$cnf" -uroot "$@"; }
# What clients do: TCP to 127.0.0.1 as the capture user.
tcp_select1() {
  [[ "$(mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$port" -usluice -psluice --connect-timeout=2 -Nse 'SELECT 1' 2>/dev/null)" == 1 ]]
}

# mysqld --initialize-insecure: system tables and a root@localhost without password. It runs into
# data.init and is renamed on success, so a failed or interrupted initialisation never leaves a
# half-made datadir behind that the next start would take for a real one.
init_datadir() {
  say "initialising $name datadir (MySQL $MYSQL8_VERSION)"
  rm -rf "$dir/data.init"
  echo "---- $(date -Is) initialising: $BIN --initialize-insecure" >>"$log"
  "$BIN" --defaults-file="$cnf" --datadir="$dir/data.init" --initialize-insecure >>"$log" 2>&1 \
    || { rm -rf "$dir/data.init"; fail_part "$name" "$log" "$port" "mysqld --initialize-insecure failed"; }
  mv "$dir/data.init" "$dir/data"
}

bootstrap_users() {
  # The capture user gets only what reading the binlog and snapshotting needs (REPLICATION CLIENT
  # for SHOW MASTER STATUS / SHOW BINARY LOGS, REPLICATION SLAVE for the binlog dump).
  # sql_log_bin=0: these are not changes of the captured data, so they stay out of the binlog.
  # shellcheck disable=SC2119
  sql <<SQL
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED WITH mysql_native_password BY 'sluice';
GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW ON *.* TO 'sluice'@'%';
CREATE USER IF NOT EXISTS 'admin'@'%' IDENTIFIED WITH mysql_native_password BY 'admin';
GRANT ALL ON *.* TO 'admin'@'%' WITH GRANT OPTION;
SQL
}

start() {
  if ! is_running "$name"; then
    [[ -x "$BIN" ]] || fail_part "$name" "$log" "$port" "no mysqld at $BIN (run install/mysql8.sh)"
    mkdir -p "$dir/tmp"
    write_cnf
    [[ -d "$dir/data/mysql" ]] || init_datadir
    say "starting mysql $MYSQL8_VERSION on 127.0.0.1:$port"
    start_bg "$name" "$port" "$BIN" --defaults-file="$cnf"
  fi
  # Ready in two steps: SQL over the socket as root (the server is up), then, once the users
  # exist, SQL over TCP as the capture user (what capture and tests actually do).
  wait_ready "$name" "$port" 120 sql -e 'SELECT 1'
  bootstrap_users
  wait_ready "$name" "$port" 30 tcp_select1
  say "mysql8 ready: mariadb -h127.0.0.1 -P$port -uadmin -padmin"
}

case "${1:-}" in
  start) start ;;
  stop) stop_part "$name" ;;
  status) part_status "$name" "127.0.0.1:$port" tcp_select1 ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
