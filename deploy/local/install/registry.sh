#!/usr/bin/env bash
# Install Apicurio Registry (Confluent-compatible schema registry) into the cache: the Quarkus
# "all" tarball of io.apicurio:apicurio-registry-app from Maven Central, unpacked.
# Idempotent: a marker file written last says the install is complete.
# Usage: deploy/local/install/registry.sh
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

REGISTRY_HOME="$CACHE_DIR/apicurio-$APICURIO_VERSION"
MARKER="$REGISTRY_HOME/.installed"

if [[ -f "$MARKER" && -s "$REGISTRY_HOME/.run-jar" ]]; then
  say "apicurio registry $APICURIO_VERSION already installed in $REGISTRY_HOME"
  exit 0
fi

command -v java >/dev/null || { warn "java not found (the registry needs Java 17+)"; exit 1; }
# Registry 3.0.x runs on Java 17; 3.1 and later are built for Java 21 (on 17 they stop at start-up
# with UnsupportedClassVersionError), so refuse early rather than download 150 MB for nothing.
case "$APICURIO_VERSION" in 3.0.*) need_java=17 ;; *) need_java=21 ;; esac
java_major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')"
if (( ${java_major:-0} < need_java )); then
  warn "apicurio registry $APICURIO_VERSION needs Java $need_java, found Java ${java_major:-?}; use SLUICE_APICURIO_VERSION=3.0.9 or a newer JDK"
  exit 1
fi
command -v mvn >/dev/null || { warn "mvn not found (the install fetches the registry from Maven Central)"; exit 1; }

say "installing apicurio registry $APICURIO_VERSION into $REGISTRY_HOME (Maven Central)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! mvn -q -B dependency:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$work" -Dmdep.stripVersion=false >"$work/mvn.log" 2>&1; then
  warn "registry install failed: maven could not fetch io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
  tail -n 30 "$work/mvn.log" >&2
  exit 1
fi
tarball="$(compgen -G "$work/apicurio-registry-app-*-all.tar.gz" | head -n1)"
[[ -n "$tarball" ]] || { warn "registry install failed: no tarball after maven copy"; exit 1; }

# The tarball is flat (no top directory). Its launcher differs by release: 3.0.x ships a Quarkus
# legacy jar (apicurio-registry-app-<v>-runner.jar + lib/), 3.1+ a fast jar (quarkus-run.jar +
# lib/ app/ quarkus/). The install records which one in .run-jar for components/registry.sh.
rm -rf "$REGISTRY_HOME.partial"
mkdir -p "$REGISTRY_HOME.partial"
tar -xzf "$tarball" -C "$REGISTRY_HOME.partial"
if [[ -f "$REGISTRY_HOME.partial/quarkus-run.jar" ]]; then
  run_jar="quarkus-run.jar"
else
  run_jar="$(find "$REGISTRY_HOME.partial" -maxdepth 1 -name '*-runner.jar' -printf '%f\n' | head -n1)"
fi
[[ -n "$run_jar" ]] || { warn "registry install failed: neither quarkus-run.jar nor *-runner.jar in $tarball"; exit 1; }
printf '%s\n' "$run_jar" >"$REGISTRY_HOME.partial/.run-jar"

rm -rf "$REGISTRY_HOME"
mv "$REGISTRY_HOME.partial" "$REGISTRY_HOME"
date -Is >"$MARKER"
say "apicurio registry $APICURIO_VERSION installed (launcher: $run_jar)"
