#!/usr/bin/env bash
# make logs: follow the logs of every part (PART=capture make logs for one).
source "$(dirname "$0")/lib.sh"
shopt -s nullglob
if [[ -n "${PART:-}" ]]; then files=("$STACK_DIR/$PART/$PART.log"); else files=("$STACK_DIR"/*/*.log); fi
((${#files[@]})) || { echo "no logs yet under $STACK_DIR (make up first)"; exit 0; }
exec tail -n 20 -F "${files[@]}"
