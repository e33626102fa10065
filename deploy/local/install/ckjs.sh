#!/usr/bin/env bash
# Build Confluent's librdkafka client (@confluentinc/kafka-javascript) from its bundled sources into
# $CACHE_DIR/ckjs/$CKJS_VERSION-node<major>/ once, then link it into node_modules. Its prebuilt binary
# and its default static build both download from outside the package registries, so it is linked
# against Debian's zstd, lz4, sasl and curl instead (CKJS_LINKING=dynamic). A cold build took 1m12s on
# this 2-core machine (librdkafka's 85 objects and the addon); the native module is per Node major,
# hence the folder name.
# It is not in package.json: npm would then build it on every install (and fail without the -dev
# packages). Run after install/npm-deps.sh, whose npm install prunes the link.
source "$(dirname "$0")/../lib.sh"

CKJS_VERSION="${SLUICE_CKJS_VERSION:-1.10.1}"
NODE_DIR="$(dirname "$(dirname "$NODE_BIN")")"  # headers for node-gyp: the pinned Node, no download
major="${NODE_VERSION%%.*}"
HOME_DIR="$CACHE_DIR/ckjs/$CKJS_VERSION-node$major"
PKG="$HOME_DIR/node_modules/@confluentinc/kafka-javascript"
LOG="$CACHE_DIR/ckjs/build-$CKJS_VERSION-node$major.log"
LINK="$SLUICE_ROOT/node_modules/@confluentinc/kafka-javascript"

STAMP="$HOME_DIR/.built"  # written last: a build that stopped half-way is redone
built() { [[ -f "$STAMP" ]] && [[ -f "$PKG/package.json" ]]; }
link() {
  mkdir -p "$(dirname "$LINK")"
  [[ "$(readlink "$LINK" 2>/dev/null)" == "$PKG" ]] || ln -sfn "$PKG" "$LINK"
}

if built; then link; exit 0; fi

need=()
for lib in libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev; do
  dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
done
for tool in make g++ python3; do command -v "$tool" >/dev/null || need+=("$tool"); done
mkdir -p "$CACHE_DIR/ckjs"
: >"$LOG"
if ((${#need[@]})); then
  say "apt-get install ${need[*]} (to build @confluentinc/kafka-javascript)"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"; } >>"$LOG" 2>&1 \
    || fail_part ckjs-install "$LOG" "" "apt-get install ${need[*]} failed (is the Debian mirror reachable?)"
fi

start=$SECONDS
say "building @confluentinc/kafka-javascript $CKJS_VERSION for Node $major (1-2 min); log: $LOG"
# Built in place (the native module may keep its build path), so a stamp marks a finished build.
rm -rf "$HOME_DIR" && mkdir -p "$HOME_DIR"
# node-pre-gyp first tries the prebuilt download (refused here), then builds from the bundled source.
# No JOBS=2: with parallel make the addon races librdkafka's configure step (config.h missing).
( cd "$HOME_DIR" && echo '{"private":true}' >package.json \
  && PATH="$(dirname "$NODE_BIN"):$PATH" CKJS_LINKING=dynamic npm_config_nodedir="$NODE_DIR" \
     nice -n 19 npm install --no-audit --no-fund --save-exact \
     "@confluentinc/kafka-javascript@$CKJS_VERSION" ) >>"$LOG" 2>&1 \
  || fail_part ckjs-install "$LOG" "" "npm install @confluentinc/kafka-javascript failed (build dir $HOME_DIR)"
( cd "$PKG" && "$NODE_BIN" -e 'require("./")' ) >>"$LOG" 2>&1 \
  || fail_part ckjs-install "$LOG" "" "the built module does not load (build dir $HOME_DIR)"
touch "$STAMP"
link
say "built @confluentinc/kafka-javascript in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s: $PKG"
