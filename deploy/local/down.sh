#!/usr/bin/env bash
# make down: stop every part this checkout started (by its pid file), services first. Data stays.
source "$(dirname "$0")/lib.sh"
# tls-kafka, tls-mariadb: the TLS test servers (components/tls.sh), started by their test when needed.
for p in sink-tidb sink-mariadb capture s3 registry kafka tidb target-mariadb mysql8 source tls-kafka tls-mariadb; do
  [[ -d "$STACK_DIR/$p" ]] && stop_part "$p"
done
say "stack stopped (data kept in $STACK_DIR; make clean removes it)"
