#!/usr/bin/env bash
# The tools that check the Kubernetes manifests (deploy/k8s/, test/unit/k8s-manifests.test.ts),
# built once into $CACHE_DIR/k8s-tools/ from the package registries this project reaches:
# - kustomize and kubeconform, compiled with `go install` through the Go module proxy;
# - the JSON schemas kubeconform validates with (its default download from GitHub is out of
#   reach): Kubernetes' own OpenAPI spec (api/openapi-spec/swagger.json of the Go module
#   k8s.io/kubernetes), the ServiceMonitor CRD of the Go module
#   github.com/prometheus-operator/prometheus-operator, and the KafkaTopic CRD that Strimzi's own
#   CRD generator (io.strimzi:crd-generator, Maven Central) writes from its published API classes
#   (io.strimzi:api; the CRD YAML itself is in no package), each converted by
#   deploy/k8s/tools/json-schemas.ts.
# A cold run took 2m02s on this 2-core machine while others loaded it (about 70 s compiling the
# two tools, 50 s downloading and converting; 59 s with the Maven downloads already local). It
# leaves 41 MB: the module downloads and the build cache are removed. Later runs check two stamp
# files and exit (0.05 s).
# Needs go (>= 1.26; GOTOOLCHAIN=local, no toolchain download), java and mvn.
# Usage: deploy/local/install/k8s-tools.sh          install what is missing
#        deploy/local/install/k8s-tools.sh --check  exit 0 when everything is installed and current
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

KUBECONFORM_VERSION="${SLUICE_KUBECONFORM_VERSION:-v0.8.0}"
KUSTOMIZE_VERSION="${SLUICE_KUSTOMIZE_VERSION:-v5.8.2}"  # v5.8.3 needs Go 1.27
K8S_SCHEMA_VERSION="${SLUICE_K8S_SCHEMA_VERSION:-1.34.4}"
PROMETHEUS_OPERATOR_VERSION="${SLUICE_PROMETHEUS_OPERATOR_VERSION:-v0.85.0}"
STRIMZI_VERSION="${SLUICE_STRIMZI_VERSION:-0.45.0}"  # the newest with io.strimzi:crd-generator published

TOOLS="$CACHE_DIR/k8s-tools"
CONVERTER="$SLUICE_ROOT/deploy/k8s/tools/json-schemas.ts"
SCHEMAS="$TOOLS/schemas"
LOG="$TOOLS/install.log"
# What each stamp stands for: a change of version (or of the converter) rebuilds that part.
tools_id="kubeconform $KUBECONFORM_VERSION, kustomize $KUSTOMIZE_VERSION"
schemas_id="kubernetes $K8S_SCHEMA_VERSION, prometheus-operator $PROMETHEUS_OPERATOR_VERSION, strimzi $STRIMZI_VERSION, converter $(sha256sum "$CONVERTER" | cut -c1-16)"
tools_ok() { [[ -x "$TOOLS/bin/kubeconform" && -x "$TOOLS/bin/kustomize" && "$(cat "$TOOLS/.tools" 2>/dev/null)" == "$tools_id" ]]; }
schemas_ok() { [[ "$(cat "$SCHEMAS/.schemas" 2>/dev/null)" == "$schemas_id" ]]; }

# What the test reads: where the tools and schemas are, and the Kubernetes version of the schemas.
write_env() {
  cat >"$TOOLS/k8s-tools.env" <<EOF
KUBECONFORM=$TOOLS/bin/kubeconform
KUSTOMIZE=$TOOLS/bin/kustomize
K8S_SCHEMA_VERSION=$K8S_SCHEMA_VERSION
SCHEMA_LOCATION_K8S=$SCHEMAS/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json
SCHEMA_LOCATION_CRDS=$SCHEMAS/crds{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json
EOF
}

if [[ "${1:-}" == --check ]]; then
  if tools_ok && schemas_ok; then echo "$TOOLS/k8s-tools.env"; exit 0; fi
  tools_ok || echo "missing or out of date: $tools_id (in $TOOLS/bin)"
  schemas_ok || echo "missing or out of date: schemas of $schemas_id (in $SCHEMAS)"
  exit 1
fi
if tools_ok && schemas_ok; then write_env; exit 0; fi

mkdir -p "$TOOLS"
: >"$LOG"
GO="$(command -v go || true)"
[[ -n "$GO" ]] || { [[ -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go; }
[[ -n "$GO" ]] || fail_part k8s-tools "$LOG" "" "go not found (Go >= 1.26 builds kustomize and kubeconform)"
# The modules and the build cache stay in the cache folder; -modcacherw lets `rm -rf` remove them.
export GOMODCACHE="$TOOLS/gomod" GOCACHE="$TOOLS/go-build" GOTOOLCHAIN=local GOFLAGS="-modcacherw -buildvcs=false" CGO_ENABLED=0

start=$SECONDS
if ! tools_ok; then
  say "building kubeconform $KUBECONFORM_VERSION and kustomize $KUSTOMIZE_VERSION into $TOOLS/bin (1-2 min once); log: $LOG"
  rm -f "$TOOLS/.tools"
  for pkg in "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" \
             "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"; do
    GOBIN="$TOOLS/bin" nice -n 19 "$GO" install "$pkg" >>"$LOG" 2>&1 \
      || fail_part k8s-tools "$LOG" "" "go install $pkg failed (is the Go module proxy reachable? go $("$GO" env GOVERSION))"
  done
  "$TOOLS/bin/kubeconform" -v >>"$LOG" 2>&1 && "$TOOLS/bin/kustomize" version >>"$LOG" 2>&1 \
    || fail_part k8s-tools "$LOG" "" "the built tools do not run"
  echo "$tools_id" >"$TOOLS/.tools"
fi

if ! schemas_ok; then
  say "making the JSON schemas of Kubernetes $K8S_SCHEMA_VERSION, ServiceMonitor and KafkaTopic; log: $LOG"
  rm -f "$SCHEMAS/.schemas"
  command -v java >/dev/null && command -v mvn >/dev/null \
    || fail_part k8s-tools "$LOG" "" "java and mvn are needed (Strimzi's CRD generator, from Maven Central)"
  moddir() {  # moddir MODULE@VERSION: the unpacked module (downloaded once into GOMODCACHE)
    "$GO" mod download -json "$1" 2>>"$LOG" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
  }
  k8s="$(moddir "k8s.io/kubernetes@v$K8S_SCHEMA_VERSION")"
  [[ -f "$k8s/api/openapi-spec/swagger.json" ]] \
    || fail_part k8s-tools "$LOG" "" "no api/openapi-spec/swagger.json in k8s.io/kubernetes@v$K8S_SCHEMA_VERSION"
  promop="$(moddir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
  servicemonitor="$promop/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"
  [[ -f "$servicemonitor" ]] || fail_part k8s-tools "$LOG" "" "no ServiceMonitor CRD in prometheus-operator $PROMETHEUS_OPERATOR_VERSION"

  # Strimzi's CRD generator, run as Strimzi's build runs it (api/pom.xml), on the published classes.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sluice</groupId><artifactId>strimzi-crds</artifactId><version>0</version>
  <dependencies>
    <dependency><groupId>io.strimzi</groupId><artifactId>api</artifactId><version>$STRIMZI_VERSION</version></dependency>
    <dependency><groupId>io.strimzi</groupId><artifactId>crd-generator</artifactId><version>$STRIMZI_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  # A Maven repository of its own, dropped with $work: only the schemas made from it are kept.
  (cd "$work" && mvn -q -B -Dmaven.repo.local="$work/m2" dependency:build-classpath -Dmdep.outputFile="$work/cp.txt") >>"$LOG" 2>&1 \
    || fail_part k8s-tools "$LOG" "" "maven could not fetch io.strimzi:api and io.strimzi:crd-generator $STRIMZI_VERSION (is Maven Central reachable?)"
  java -cp "$(cat "$work/cp.txt")" io.strimzi.crdgenerator.CrdGenerator \
      --crd-api-version v1 --api-versions v1beta2 --storage-version v1beta2 \
      --yaml "io.strimzi.api.kafka.model.topic.KafkaTopic=$work/kafkatopic.yaml" >>"$LOG" 2>&1 \
    || fail_part k8s-tools "$LOG" "" "Strimzi's CRD generator failed"

  rm -rf "$SCHEMAS" && mkdir -p "$SCHEMAS"
  node_bin="$(dirname "$NODE_BIN")"
  PATH="$node_bin:$PATH" node "$CONVERTER" --swagger "$k8s/api/openapi-spec/swagger.json" \
      --out "$SCHEMAS/v$K8S_SCHEMA_VERSION-standalone-strict" >>"$LOG" 2>&1 \
    && PATH="$node_bin:$PATH" node "$CONVERTER" --crd "$servicemonitor" --crd "$work/kafkatopic.yaml" \
      --out "$SCHEMAS/crds-strict" >>"$LOG" 2>&1 \
    || fail_part k8s-tools "$LOG" "" "converting the OpenAPI spec and CRDs to JSON schemas failed"
  echo "$schemas_id" >"$SCHEMAS/.schemas"
fi
# The module downloads and the build cache (about 500 MB) served their purpose.
rm -rf "$GOMODCACHE" "$GOCACHE"
write_env
say "k8s tools ready in $TOOLS ($((SECONDS - start))s)"
