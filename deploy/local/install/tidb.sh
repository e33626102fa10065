#!/usr/bin/env bash
# Build tidb-server from the Go module proxy into $CACHE_DIR/tidb/$TIDB_VERSION/tidb-server.
# Idempotent: a binary that already answers -V is kept. A cold build takes 10-25 min on 2 cores.
source "$(dirname "$0")/../lib.sh"

GO="$(command -v go || echo /usr/local/go/bin/go)"
BIN="$CACHE_DIR/tidb/$TIDB_VERSION/tidb-server"
WORK="$CACHE_DIR/tidb/build-$TIDB_VERSION"
LOG="$CACHE_DIR/tidb/build-$TIDB_VERSION.log"

# TIDB_VERSION -> commit part of the module pseudo-versions. Release tags (v8.5.1) are not Go
# module versions (no /v8 suffix), so TiDB is required at a commit, as pingcap/tiflow does.
# The registry mirror here serves only commits that public go.mod files pin: no release-8.5
# commit is among them, so the newest buildable 8.5 code is master of 2024-11-19, the day
# before release-8.5 was cut (pinned by tiflow e555eea6; v8.5.0 itself pins 82376c7732c1).
case "$TIDB_VERSION" in
  v8.5.0-alpha-50b5cd27d413) PSEUDO=20241119124618-50b5cd27d413 ;;
  *) fail_part tidb-install "$LOG" "" "no module commit is known for TIDB_VERSION=$TIDB_VERSION (add it in $0)" ;;
esac
TIDB_MOD="github.com/pingcap/tidb@v1.1.0-beta.0.$PSEUDO"
PARSER_MOD="github.com/pingcap/tidb/pkg/parser@v0.0.0-$PSEUDO"

if [[ -x "$BIN" ]] && "$BIN" -V >/dev/null 2>&1; then
  say "tidb-server $TIDB_VERSION is already built: $BIN"
  exit 0
fi
command -v jq >/dev/null || fail_part tidb-install "$LOG" "" "jq is needed to read TiDB's go.mod (apt-get install jq)"

# GOTOOLCHAIN=local: never download a toolchain. GOSUMDB=off: sum.golang.org is not reachable
# here; instead go.sum is seeded from TiDB's own go.sum, so dependencies are still hash-checked.
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=1
mkdir -p "$CACHE_DIR/tidb"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
: >"$LOG"
step() { # step NAME CMD...: run CMD with output to the build log; stop with a clear message on failure
  local name="$1"; shift
  echo "---- $(date -Is) $name: $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 || fail_part tidb-install "$LOG" "" "step '$name' failed (build dir $WORK)"
}
start=$SECONDS
say "building tidb-server $TIDB_VERSION ($TIDB_MOD); log: $LOG"

step download "$GO" mod download -json "$TIDB_MOD"
info="$("$GO" mod download -json "$TIDB_MOD")"
src="$(jq -r .Dir <<<"$info")"
hash="$(jq -r .Origin.Hash <<<"$info")"

# A wrapper module that requires TiDB and its parser at the same commit, with TiDB's non-local
# replace directives (replaces only apply in the main module, so they must be copied).
step init "$GO" mod init sluice.local/tidb-build
cp "$src/go.sum" go.sum && chmod u+w go.sum
step require "$GO" mod edit -require="$TIDB_MOD" -require="$PARSER_MOD"
mapfile -t replaces < <("$GO" mod edit -json "$src/go.mod" | jq -r '.Replace[]? | select(.New.Path | startswith(".") | not)
  | "-replace=\(.Old.Path)\(if .Old.Version then "@" + .Old.Version else "" end)=\(.New.Path)\(if .New.Version then "@" + .New.Version else "" end)"')
((${#replaces[@]} == 0)) || step replace "$GO" mod edit "${replaces[@]}"

# The same tags and version stamps as TiDB's Makefile ("codes" leaves test-only code out).
ldflags="-X 'github.com/pingcap/tidb/pkg/parser/mysql.TiDBReleaseVersion=$TIDB_VERSION'
 -X 'github.com/pingcap/tidb/pkg/util/versioninfo.TiDBGitHash=$hash'
 -X 'github.com/pingcap/tidb/pkg/util/versioninfo.TiDBGitBranch=module-proxy'
 -X 'github.com/pingcap/tidb/pkg/util/versioninfo.TiDBBuildTS=$(date -u '+%Y-%m-%d %H:%M:%S')'"
step build "$GO" build -p 2 -tags codes -ldflags "$ldflags" -o "$WORK/tidb-server" github.com/pingcap/tidb/cmd/tidb-server
step check "$WORK/tidb-server" -V

# Same file system, so mv is an atomic rename: a half-written binary never sits at $BIN.
mkdir -p "$(dirname "$BIN")"
mv -f "$WORK/tidb-server" "$BIN"
rm -rf "$WORK"
say "built $BIN in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s"
