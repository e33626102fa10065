#!/usr/bin/env bash
# make up: install what is missing, start the whole local stack, wait until every part is
# ready, write .stack/stack.env and print how to try it. Safe to run again: running parts are
# kept and only checked.
source "$(dirname "$0")/lib.sh"
here="$(dirname "$0")"
t0=$SECONDS
mkdir -p "$STACK_DIR"

has_target() { [[ ",$STACK_TARGETS," == *",$1,"* ]]; }
# The S3 server (SeaweedFS) of the archive tests; SLUICE_S3=off leaves it out.
has_s3() { [[ "${SLUICE_S3:-on}" != off ]]; }

say "installing what is missing (cache: $CACHE_DIR)"
bash "$here/install/apt.sh"
bash "$here/install/node.sh"
bash "$here/install/npm-deps.sh"
bash "$here/install/ckjs.sh"  # after npm-deps: its npm install drops the link
bash "$here/install/kafka.sh"
bash "$here/install/registry.sh"
bash "$here/install/mysql8.sh"
if has_s3; then
  bash "$here/install/s3.sh" || {
    echo "SeaweedFS (the S3 server of the archive tests) could not be built (see above). Without it: SLUICE_S3=off make up" >&2
    exit 1
  }
fi
if has_target tidb; then
  bash "$here/install/tidb.sh" || {
    echo "TiDB could not be built (see above). Run with the MariaDB target only: SLUICE_TARGETS=mariadb make up" >&2
    exit 1
  }
fi

# Infrastructure in parallel: each start waits for its own readiness and fails with the part's
# name, log and likely cause.
say "starting source, targets, kafka and registry"
pids=()
bash "$here/components/mariadb.sh" start source & pids+=($!)
bash "$here/components/mysql8.sh" start & pids+=($!)
has_target mariadb && { bash "$here/components/mariadb.sh" start target-mariadb & pids+=($!); }
has_target tidb && { bash "$here/components/tidb.sh" start & pids+=($!); }
bash "$here/components/kafka.sh" start & pids+=($!)
bash "$here/components/registry.sh" start & pids+=($!)
has_s3 && { bash "$here/components/s3.sh" start & pids+=($!); }
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
((failed == 0)) || { echo "the stack did not come up; see the messages above. 'make down' stops what started." >&2; exit 1; }

if has_target tidb; then
  # The sink writes as 'sluice' on every target, as on MariaDB.
  mariadb -h127.0.0.1 -P"$TIDB_PORT" -uroot -e \
    "CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED BY 'sluice'; GRANT ALL ON *.* TO 'sluice'@'%';"
fi

target_urls=() target_names=()
has_target mariadb && { target_urls+=("mysql://sluice:sluice@127.0.0.1:$TARGET_MARIADB_PORT/"); target_names+=(mariadb); }
has_target tidb && { target_urls+=("mysql://sluice:sluice@127.0.0.1:$TIDB_PORT/"); target_names+=(tidb); }
cat >"$STACK_DIR/stack.env" <<ENV
# Written by make up. Shell syntax: . .stack/stack.env
SOURCE_URL=mysql://admin:admin@127.0.0.1:$SOURCE_PORT/
MYSQL8_URL=mysql://admin:admin@127.0.0.1:$MYSQL8_PORT/
CAPTURE_SOURCE_URL=mysql://sluice:sluice@127.0.0.1:$SOURCE_PORT/
TARGET_URLS=$(IFS=,; echo "${target_urls[*]}")
TARGET_NAMES=$(IFS=,; echo "${target_names[*]}")
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
KAFKA_FAULT_PORT=$KAFKA_FAULT_PORT
KAFKA_FAULT_PROXY_PORT=$KAFKA_FAULT_PROXY_PORT
SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7
TOPIC_PREFIX=sluice
CAPTURE_METRICS_URL=http://127.0.0.1:$CAPTURE_HTTP_PORT/metrics
ENV
if has_s3; then
  cat >>"$STACK_DIR/stack.env" <<ENV
S3_ENDPOINT=http://127.0.0.1:$S3_PORT
S3_BUCKET=$S3_BUCKET
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
ENV
fi

say "starting capture and sinks"
bash "$here/components/service.sh" start capture
pids=()
for t in "${target_names[@]}"; do bash "$here/components/service.sh" start "sink-$t" & pids+=($!); done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
((failed == 0)) || exit 1

cat <<SUMMARY

sluice is running ($((SECONDS - t0))s). Connection settings: $STACK_DIR/stack.env

  source MariaDB   127.0.0.1:$SOURCE_PORT   (admin/admin; capture reads as sluice/sluice)
  MySQL 8.0        127.0.0.1:$MYSQL8_PORT   (admin/admin; a second source for the MySQL tests)
$(has_target mariadb && echo "  target MariaDB   127.0.0.1:$TARGET_MARIADB_PORT   (sluice/sluice)  <- sink 'mariadb'")
$(has_target tidb && echo "  target TiDB      127.0.0.1:$TIDB_PORT   (sluice/sluice)  <- sink 'tidb'")
  Kafka            127.0.0.1:$KAFKA_PORT   topics sluice.<db>.<table>
  schema registry  http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7
$(has_s3 && echo "  S3 (SeaweedFS)   http://127.0.0.1:$S3_PORT   bucket $S3_BUCKET ($S3_ACCESS_KEY/$S3_SECRET_KEY)  <- archive tests")

Try it:
  mariadb -h127.0.0.1 -P$SOURCE_PORT -uadmin -padmin -e "CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(50), price DECIMAL(10,2)); INSERT INTO shop.items VALUES (1, 'tea', 3.50);"
$(has_target mariadb && echo "  mariadb -h127.0.0.1 -P$TARGET_MARIADB_PORT -usluice -psluice -e 'SELECT * FROM shop.items'")
$(has_target tidb && echo "  mariadb -h127.0.0.1 -P$TIDB_PORT -usluice -psluice -e 'SELECT * FROM shop.items'")
  kcat -b 127.0.0.1:$KAFKA_PORT -L            # topics

make status · make logs · make down (keeps data) · make clean (removes it)
SUMMARY
