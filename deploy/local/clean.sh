#!/usr/bin/env bash
# make clean: stop the stack and remove its data (.stack). Caches in ~/.cache/sluice stay.
source "$(dirname "$0")/lib.sh"
bash "$(dirname "$0")/down.sh"
rm -rf "$STACK_DIR"
say "removed $STACK_DIR"
