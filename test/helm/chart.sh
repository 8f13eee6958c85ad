#!/usr/bin/env bash
# The Helm chart deploy/helm/modelyard, checked offline: `helm lint`, then every rendering
# (the defaults, one replica on SQLite with a volume, and the production shape in ci/production-values.yaml: 2 replicas on PostgreSQL
# and S3, 2 runners, a serving agent) validated by kubeconform against the strict schemas of
# Kubernetes 1.36 kept in test/data/kubernetes-schemas (no network). It also checks that the
# validation can fail, and that the rendering holds what the chart promises (probes, Secrets,
# securityContext, NetworkPolicy ports).
#   bash test/helm/chart.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
chart="$root/deploy/helm/modelyard"
production="$chart/ci/production-values.yaml"
helm=$(bash "$root/scripts/go-tools.sh" helm)
kubeconform=$(bash "$root/scripts/go-tools.sh" kubeconform)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Helm keeps nothing of its own outside the scratch folder.
export HELM_CACHE_HOME="$work/cache" HELM_CONFIG_HOME="$work/config" HELM_DATA_HOME="$work/data"

validate() {
  "$kubeconform" -strict -summary -kubernetes-version 1.36.6 \
    -schema-location "$root/test/data/kubernetes-schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "$@"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

"$helm" lint --strict --kube-version 1.36.6 "$chart"
"$helm" lint --strict --kube-version 1.36.6 "$chart" -f "$production"

"$helm" template modelyard "$chart" --kube-version 1.36.6 --namespace mlops >"$work/default.yaml"
"$helm" template modelyard "$chart" --kube-version 1.36.6 --namespace mlops -f "$production" >"$work/production.yaml"
# One replica on SQLite with its data in a PersistentVolumeClaim.
"$helm" template modelyard "$chart" --kube-version 1.36.6 --namespace mlops --set persistence.enabled=true >"$work/sqlite.yaml"
validate "$work/default.yaml"
validate "$work/production.yaml"
validate "$work/sqlite.yaml"
grep -q '^kind: PersistentVolumeClaim' "$work/sqlite.yaml" || fail "persistence.enabled rendered no PersistentVolumeClaim"
grep -q 'type: Recreate' "$work/sqlite.yaml" || fail "SQLite on a volume is not updated with Recreate"

# The strict schemas refuse a field Kubernetes does not have, and a missing required one.
sed 's/^  replicas: 2$/  replicas: 2\n  replicaz: 2/' "$work/production.yaml" >"$work/unknown-field.yaml"
grep -q replicaz "$work/unknown-field.yaml" || fail "the unknown-field case was not made"
if validate "$work/unknown-field.yaml" >"$work/out.txt" 2>&1; then fail "kubeconform took a Deployment with an unknown field"; fi
grep -q "replicaz" "$work/out.txt" || fail "kubeconform refused the unknown field for another reason: $(cat "$work/out.txt")"

# What the production rendering must hold (yq-free: the rendering is checked as text).
count() { grep -c -- "$1" "$work/production.yaml" || true; }
expect() { [ "$(count "$1")" -ge "$2" ] || fail "the production rendering has $(count "$1") of '$1', expected at least $2"; }
expect 'kind: Deployment' 3
expect 'kind: NetworkPolicy' 3
expect '  replicas: 2' 2
expect '  replicas: 1' 1
expect 'path: /-/readiness' 1
expect 'path: /-/health' 2
expect 'readOnlyRootFilesystem: true' 3
expect 'runAsNonRoot: true' 3
expect 'name: MODELYARD_DATABASE_URL' 1
expect 'name: modelyard-postgres' 1
expect 'name: MODELYARD_SECRET_KEY' 1
expect 'name: modelyard-secret-key' 1
expect 'value: "s3://ml-artifacts/modelyard"' 1
expect 'name: MODELYARD_RUNNER_TOKEN' 1
expect '$(MODELYARD_RUNNER_TOKEN)' 1
expect 'name: MODELYARD_AGENT_TOKEN' 1
# The agent's model servers on its pod's IP, which the server's gateway may call (policy and network).
expect 'name: MODELYARD_AGENT_LISTEN_ADDRESS' 1
expect 'fieldPath: status.podIP' 1
expect 'name: MODELYARD_OUTBOUND_ALLOW' 1
expect 'value: "10.42.0.0/16"' 1
expect 'app.kubernetes.io/component: agent' 5
expect '"http://modelyard.mlops.svc:80"' 2
expect 'port: 5432' 1
expect 'port: 9000' 1
expect 'port: 53' 6

# Several replicas without shared state are refused, with the reason.
if "$helm" template modelyard "$chart" --kube-version 1.36.6 --set server.replicaCount=2 >"$work/out.txt" 2>&1; then fail "2 replicas on SQLite rendered"; fi
grep -q "needs PostgreSQL" "$work/out.txt" || fail "2 replicas on SQLite: $(cat "$work/out.txt")"
if "$helm" template modelyard "$chart" --kube-version 1.36.6 --set agent.enabled=true --set agent.token.secretName=agent >"$work/out.txt" 2>&1; then fail "an agent without agent.podCidr rendered"; fi
grep -q "needs agent.podCidr" "$work/out.txt" || fail "an agent without agent.podCidr: $(cat "$work/out.txt")"
echo "helm chart: lint clean, default and production renderings valid for Kubernetes 1.36 (strict)"
