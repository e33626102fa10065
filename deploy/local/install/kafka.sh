#!/usr/bin/env bash
# Install Apache Kafka (broker + CLI tools) into the cache, from Maven Central, without the
# binary tarball: a throwaway pom lists the jars and Maven copies them with their dependencies.
# Idempotent: a marker file written last says the install is complete.
# Usage: deploy/local/install/kafka.sh
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
MARKER="$KAFKA_HOME/.installed"

if [[ -f "$MARKER" ]] && compgen -G "$KAFKA_HOME/libs/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then
  say "kafka $KAFKA_VERSION already installed in $KAFKA_HOME"
  exit 0
fi

command -v java >/dev/null || { warn "java not found (Kafka needs Java 17+)"; exit 1; }
command -v mvn >/dev/null || { warn "mvn not found (the install fetches Kafka from Maven Central)"; exit 1; }

# Kafka 3 logs through log4j 1 (reload4j), Kafka 4 through log4j 2 (components/kafka.sh picks the
# matching configuration).
logging_deps() {
  if kafka_log4j2; then
    echo "    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>"
    echo "    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>"
  else
    echo "    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>"
    echo "    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>"
  fi
}

say "installing kafka $KAFKA_VERSION into $KAFKA_HOME (Maven Central)"
mkdir -p "$KAFKA_HOME"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
$(logging_deps)
  </dependencies>
</project>
POM

rm -rf "$KAFKA_HOME/libs.partial"
if ! mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs.partial" >"$work/mvn.log" 2>&1; then
  warn "kafka install failed: maven could not fetch the jars (is Maven Central reachable?)"
  tail -n 30 "$work/mvn.log" >&2
  exit 1
fi
compgen -G "$KAFKA_HOME/libs.partial/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null \
  || { warn "kafka install failed: kafka_2.13-$KAFKA_VERSION.jar missing after maven copy"; exit 1; }
rm -rf "$KAFKA_HOME/libs"
mv "$KAFKA_HOME/libs.partial" "$KAFKA_HOME/libs"
date -Is >"$MARKER"
say "kafka $KAFKA_VERSION installed ($(find "$KAFKA_HOME/libs" -name "*.jar" | wc -l) jars)"
