#!/usr/bin/env bash
# make status: what runs, with pid and port.
source "$(dirname "$0")/lib.sh"
here="$(dirname "$0")"
set +e
bash "$here/components/mariadb.sh" status source
bash "$here/components/mariadb.sh" status target-mariadb
bash "$here/components/mysql8.sh" status
bash "$here/components/tidb.sh" status
bash "$here/components/kafka.sh" status
bash "$here/components/registry.sh" status
[[ "${SLUICE_S3:-on}" == off ]] || bash "$here/components/s3.sh" status
for s in capture sink-mariadb sink-tidb; do bash "$here/components/service.sh" status "$s"; done
exit 0
