#!/usr/bin/env bash
# S3-compatible object store of the local stack: SeaweedFS (`weed server`: master, one volume
# server, filer and S3 gateway in one process), data in .stack/s3, built by install/s3.sh. The
# archive tests (test/integration/archive-s3.test.ts) keep their archives in its bucket.
# Ports, all on 127.0.0.1: the S3 API on $S3_PORT (18333); master 18334 (gRPC 18335), volume
# 18336 (gRPC 18337), filer 18338 (gRPC 18339), S3 gRPC 18340. Small: 64 MB volumes, at most 8
# of them, in-memory needle maps; no 10 s wait at stop (nobody else reads the volume).
# Credentials: one identity ($S3_ACCESS_KEY / $S3_SECRET_KEY) in the S3 config JSON; the bucket
# $S3_BUCKET is created at start.
# Usage: deploy/local/components/s3.sh start|stop|status
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

NAME=s3
BIN="$CACHE_DIR/seaweedfs/$SEAWEEDFS_VERSION/weed"
MASTER_PORT="${SLUICE_S3_MASTER_PORT:-$((S3_PORT + 1))}"
VOLUME_PORT="${SLUICE_S3_VOLUME_PORT:-$((S3_PORT + 3))}"
FILER_PORT="${SLUICE_S3_FILER_PORT:-$((S3_PORT + 5))}"
START_TIMEOUT="${SLUICE_S3_START_TIMEOUT:-90}"

dir="$(part_dir "$NAME")"
URL="http://127.0.0.1:$S3_PORT"

# A signed request (curl's SigV4) as the stack's identity: the S3 API answers and takes the credentials.
s3_curl() { curl -fsS -m 5 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$@"; }
ready() { s3_curl -o /dev/null "$URL/"; }
bucket_ready() { s3_curl -o /dev/null "$URL/$S3_BUCKET?list-type=2&max-keys=1"; }

render_config() {
  mkdir -p "$dir/data" "$dir/meta"
  # The secret stays in the stack's own directory (mode 600), as the other parts' passwords do.
  umask 077
  cat >"$dir/s3.json" <<JSON
{
  "identities": [
    {
      "name": "sluice",
      "credentials": [{ "accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY" }],
      "actions": ["Admin", "Read", "List", "Tagging", "Write"]
    }
  ]
}
JSON
}

start() {
  if ! is_running "$NAME"; then
    [[ -x "$BIN" ]] || fail_part "$NAME" "$(part_log "$NAME")" "$S3_PORT" "no binary at $BIN (run deploy/local/install/s3.sh)"
    for p in "$MASTER_PORT" "$VOLUME_PORT" "$FILER_PORT"; do
      port_in_use "$p" && fail_part "$NAME" "$(part_log "$NAME")" "$p" "port $p (an internal SeaweedFS port) is already in use"
    done
    render_config
    say "starting seaweedfs (S3 API on 127.0.0.1:$S3_PORT, bucket $S3_BUCKET)"
    local t0=$SECONDS
    (cd "$dir" && start_bg "$NAME" "$S3_PORT" "$BIN" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" \
      -master.port="$MASTER_PORT" -master.port.grpc="$((MASTER_PORT + 1))" -master.dir="$dir/meta" \
      -master.volumeSizeLimitMB=64 \
      -volume.port="$VOLUME_PORT" -volume.port.grpc="$((VOLUME_PORT + 1))" -volume.max=8 -volume.index=memory -volume.preStopSeconds=0 \
      -filer -filer.port="$FILER_PORT" -filer.port.grpc="$((FILER_PORT + 1))" \
      -s3 -s3.port="$S3_PORT" -s3.port.grpc="$((S3_PORT + 7))" -s3.config="$dir/s3.json" \
      -s3.port.iceberg=0 -s3.port.lance=0)
    wait_ready "$NAME" "$S3_PORT" "$START_TIMEOUT" ready
    echo "started in $((SECONDS - t0))s" >>"$(part_log "$NAME")"
  fi
  wait_ready "$NAME" "$S3_PORT" "$START_TIMEOUT" ready
  bucket_ready 2>/dev/null || s3_curl -X PUT -o /dev/null "$URL/$S3_BUCKET" \
    || fail_part "$NAME" "$(part_log "$NAME")" "$S3_PORT" "could not create the bucket $S3_BUCKET"
  wait_ready "$NAME" "$S3_PORT" 30 bucket_ready
  say "seaweedfs ready: S3 on $URL, bucket $S3_BUCKET (access key $S3_ACCESS_KEY)"
}

case "${1:-}" in
  start) start ;;
  stop) stop_part "$NAME" ;;
  status) part_status "$NAME" "$URL (bucket $S3_BUCKET)" bucket_ready ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
