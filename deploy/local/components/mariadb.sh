#!/usr/bin/env bash
# A private MariaDB instance with its own datadir, port and socket under .stack/<role>/.
#   mariadb.sh start|stop|status source|target-mariadb
# The source writes a ROW binlog with full row images and full row metadata, which is what
# capture needs to name columns and keep values exact; targets have no binlog.
source "$(dirname "$0")/../lib.sh"

action="${1:?start|stop|status}" role="${2:?source|target-mariadb}"
case "$role" in
  source) port="$SOURCE_PORT" ;;
  target-mariadb) port="$TARGET_MARIADB_PORT" ;;
  *) echo "unknown role $role" >&2; exit 2 ;;
esac
dir="$(part_dir "$role")"
cnf="$dir/my.cnf" sock="$dir/mysqld.sock" log="$(part_log "$role")"

write_cnf() {
  cat >"$cnf" <<CNF
[mariadbd]
user=$(id -un)
datadir=$dir/data
socket=$sock
port=$port
bind-address=127.0.0.1
pid-file=$dir/mariadbd.pid
# Own temp dir: two instances bootstrapping at once in a shared /tmp trip over each other's files.
tmpdir=$dir/tmp
log-error=$log
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
skip-name-resolve
innodb_buffer_pool_size=256M
innodb_log_file_size=128M
innodb_flush_log_at_trx_commit=2
max_allowed_packet=256M
performance_schema=OFF
CNF
  if [[ "$role" == source ]]; then
    cat >>"$cnf" <<CNF
server-id=1
log-bin=$dir/data/binlog
binlog_format=ROW
binlog_row_image=FULL
binlog_row_metadata=FULL
expire_logs_days=7
sync_binlog=0
CNF
  fi
  printf '[client]\nsocket=%s\nuser=root\n' "$sock" >>"$cnf"
}

sql() { mariadb --defaults-file="$cnf" -uroot "$@"; }

bootstrap_users() {
  # The capture user gets only what reading the binlog and snapshotting needs.
  if [[ "$role" == source ]]; then
    sql <<SQL
CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED BY 'sluice';
GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR, SHOW VIEW ON *.* TO 'sluice'@'%';
CREATE USER IF NOT EXISTS 'admin'@'%' IDENTIFIED BY 'admin';
GRANT ALL ON *.* TO 'admin'@'%' WITH GRANT OPTION;
SQL
  else
    # Sinks create databases and tables and write rows, so they need broad rights on the target.
    sql <<SQL
CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED BY 'sluice';
GRANT ALL ON *.* TO 'sluice'@'%';
SQL
  fi
}

case "$action" in
  start)
    if ! is_running "$role"; then
      write_cnf
      mkdir -p "$dir/tmp"
      if [[ ! -d "$dir/data/mysql" ]]; then
        say "initialising $role datadir"
        mariadb-install-db --defaults-file="$cnf" --auth-root-authentication-method=socket >>"$log" 2>&1 \
          || fail_part "$role" "$log" "$port" "mariadb-install-db failed"
      fi
      start_bg "$role" "$port" mariadbd --defaults-file="$cnf"
    fi
    wait_ready "$role" "$port" 60 sql -e 'SELECT 1'
    bootstrap_users
    ;;
  stop) stop_part "$role" ;;
  status) part_status "$role" "127.0.0.1:$port" sql -e 'SELECT 1' ;;
  *) echo "usage: $0 start|stop|status source|target-mariadb" >&2; exit 2 ;;
esac
