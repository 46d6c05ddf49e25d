#!/usr/bin/env bash
# Checks deploy/monitoring against the metrics the real binary exports:
#   1. scrapes `regboard serve --sandbox --metrics-listen …` ($REGBOARD_BIN)
#      and lints the scrape (`promtool check metrics`);
#   2. renders deploy/monitoring; scripts/check_monitoring.py checks the
#      PrometheusRule and ServiceMonitor fields (no schema exists for CRD
#      kinds in kubernetes-validate), that every metric name in the rules,
#      their unit tests and the Grafana dashboard is in the scrape, and that
#      every alert has a unit test;
#   3. `promtool check rules` and `promtool test rules` (tests/alerts-test.yaml);
#   4. kubernetes-validate (strict) on the objects of core kinds (the
#      dashboard's ConfigMap).
# Needs promtool (Debian package prometheus), kubectl, python3 and the
# regboard binary; skips without them on a laptop and fails under CI=true.
#
#   REGBOARD_BIN=target/release/regboard scripts/check-monitoring.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.tools/venv"
PROMETHEUS_CLIENT_VERSION="0.26.0"
VALIDATE_VERSION="1.37.0"
KUBERNETES_VERSIONS="${KUBERNETES_VERSIONS:-1.30.0 1.34.0}"
KUBECTL="${KUBECTL:-kubectl}"

missing() {
  if [ "${CI:-}" = "true" ]; then
    echo "check-monitoring: FAILED: $* (required under CI=true)" >&2
    exit 1
  fi
  echo "check-monitoring: SKIPPED: $*" >&2
  exit 0
}

command -v promtool >/dev/null 2>&1 || missing "promtool is not installed (apt-get install prometheus)"
command -v "$KUBECTL" >/dev/null 2>&1 || missing "kubectl is not installed"
command -v python3 >/dev/null 2>&1 || missing "python3 is not installed"
command -v curl >/dev/null 2>&1 || missing "curl is not installed"
[ -x "${REGBOARD_BIN:-}" ] || missing "REGBOARD_BIN does not name the regboard binary"
{ [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"; } || missing "cannot make $VENV"
if ! "$VENV/bin/python" -c "import prometheus_client, yaml" 2>/dev/null \
  || ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -qx "$VALIDATE_VERSION"; then
  echo "check-monitoring: installing prometheus_client and kubernetes-validate into .tools/venv"
  "$VENV/bin/pip" install --quiet "prometheus_client==$PROMETHEUS_CLIENT_VERSION" \
    "kubernetes-validate==$VALIDATE_VERSION" || missing "cannot install the Python packages"
fi

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port="$(free_port)"
metrics_port="$(free_port)"
"$REGBOARD_BIN" serve --sandbox --database "$work/regboard.db" --listen "127.0.0.1:$port" \
  --metrics-listen "127.0.0.1:$metrics_port" >"$work/regboard.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" \
  || { cat "$work/regboard.log" >&2; echo "check-monitoring: regboard did not start" >&2; exit 1; }
curl -sf -o "$work/scrape.txt" "http://127.0.0.1:$metrics_port/metrics"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

failed=0
promtool check metrics <"$work/scrape.txt" || { echo "check-monitoring: the scrape does not lint" >&2; failed=1; }
"$KUBECTL" kustomize deploy/monitoring >"$work/monitoring.yaml"
"$KUBECTL" kustomize deploy/base >"$work/base.yaml"
cp deploy/monitoring/tests/alerts-test.yaml "$work/alerts-test.yaml"
"$VENV/bin/python" scripts/check_monitoring.py "$work/monitoring.yaml" "$work/base.yaml" \
  "$work/scrape.txt" "$work/alerts-test.yaml" "$work" || failed=1
promtool check rules "$work/rules.yaml" || failed=1
promtool test rules "$work/alerts-test.yaml" || failed=1
for version in $KUBERNETES_VERSIONS; do
  "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "$work/core.yaml" || failed=1
done

if [ "$failed" -ne 0 ]; then
  echo "check-monitoring: FAILED" >&2
  exit 1
fi
echo "check-monitoring: deploy/monitoring matches the metrics regboard exports; its alerts pass their unit tests"
