#!/usr/bin/env bash
# Runs the integration suite against the real local stack. Re-uses a stack that is already up;
# otherwise starts one and stops it again afterwards (data is kept for inspection).
source "$(dirname "$0")/../deploy/local/lib.sh"
cd "$SLUICE_ROOT"
started=0
# Whatever this run starts, it stops again, also when make up fails halfway.
trap '((started)) && bash deploy/local/down.sh' EXIT
if ! bash deploy/local/status.sh | grep -q '^capture: running, ready'; then
  started=1
  bash deploy/local/up.sh
fi
PATH="$(dirname "$NODE_BIN"):$PATH" npx vitest run --project integration --project scenario "$@"
