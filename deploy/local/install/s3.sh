#!/usr/bin/env bash
# Build SeaweedFS's `weed` (Apache-2.0; the S3-compatible object store the archive tests run
# against, components/s3.sh) from the Go module proxy into $CACHE_DIR/seaweedfs/$SEAWEEDFS_VERSION/weed.
# Idempotent: a binary that answers `weed version` is kept (0.05 s). No MinIO: it is AGPL.
# `go install pkg@version` refuses modules with replace directives (SeaweedFS has one), so the
# module is downloaded and built in place: its own go.mod and go.sum, so every dependency is
# hash-checked against them (GOSUMDB is out of reach here).
# Usage: deploy/local/install/s3.sh          install what is missing
#        deploy/local/install/s3.sh --check  exit 0 when the binary is there
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

MOD="github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION"
BIN="$CACHE_DIR/seaweedfs/$SEAWEEDFS_VERSION/weed"
LOG="$CACHE_DIR/seaweedfs/build-$SEAWEEDFS_VERSION.log"

built() { [[ -x "$BIN" ]] && "$BIN" version >/dev/null 2>&1; }
if [[ "${1:-}" == --check ]]; then built && { echo "$BIN"; exit 0; }; echo "missing: $BIN"; exit 1; fi
if built; then say "seaweedfs $SEAWEEDFS_VERSION is already built: $BIN"; exit 0; fi

mkdir -p "$CACHE_DIR/seaweedfs"
: >"$LOG"
GO="$(command -v go || true)"
[[ -n "$GO" ]] || { [[ -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go; }
[[ -n "$GO" ]] || fail_part s3-install "$LOG" "" "go not found (Go >= 1.26 builds SeaweedFS)"
command -v jq >/dev/null || fail_part s3-install "$LOG" "" "jq is needed (apt-get install jq)"
# The module cache and build cache are Go's defaults (shared with the TiDB build); no toolchain download.
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
step() { # step NAME CMD...: output to the build log; stop with a clear message on failure
  local name="$1"; shift
  echo "---- $(date -Is) $name: $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 || fail_part s3-install "$LOG" "" "step '$name' failed (go $("$GO" env GOVERSION); is the Go module proxy reachable?)"
}
start=$SECONDS
say "building seaweedfs weed $SEAWEEDFS_VERSION ($MOD) into $(dirname "$BIN") (several minutes once); log: $LOG"
step download "$GO" mod download -json "$MOD"
src="$("$GO" mod download -json "$MOD" | jq -r .Dir)"
[[ -d "$src/weed" ]] || fail_part s3-install "$LOG" "" "no ./weed in $MOD"
mkdir -p "$(dirname "$BIN")"
# Built in the (read-only) module directory as the main module; -p 2: this machine's cores.
(cd "$src" && step build nice -n 10 "$GO" build -p 2 -trimpath -ldflags "-s -w" -o "$BIN.part" ./weed)
step check "$BIN.part" version
mv -f "$BIN.part" "$BIN"
took=$((SECONDS - start))
echo "built in ${took}s" >>"$LOG"
say "built $BIN in $((took / 60))m$((took % 60))s"
