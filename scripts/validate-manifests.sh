#!/usr/bin/env bash
# Renders every Kustomize target under deploy/ with `kubectl kustomize` and
# validates each rendered object against the OpenAPI schemas of the named
# Kubernetes versions (PyPI kubernetes-validate, strict: unknown fields are
# errors), then checks what schemas cannot (scripts/check_manifests.py:
# namespaces, security context, probes, wiring, the flags regboard has).
#
# Installs kubernetes-validate into .tools/venv when missing. Without
# kubectl or Python it skips on a laptop and fails under CI=true.
#
#   scripts/validate-manifests.sh              # base and every overlay
#   KUBERNETES_VERSIONS="1.33.0" scripts/validate-manifests.sh
#   REGBOARD_BIN=target/release/regboard ...   # also check the serve flags
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.tools/venv"
VALIDATE_VERSION="1.37.0"
# The oldest Kubernetes release still supported upstream when this was
# written, and a current one.
KUBERNETES_VERSIONS="${KUBERNETES_VERSIONS:-1.30.0 1.34.0}"
KUBECTL="${KUBECTL:-kubectl}"

missing() {
  if [ "${CI:-}" = "true" ]; then
    echo "validate-manifests: FAILED: $* (required under CI=true)" >&2
    exit 1
  fi
  echo "validate-manifests: SKIPPED: $*" >&2
  exit 0
}

command -v "$KUBECTL" >/dev/null 2>&1 || missing "kubectl is not installed"
command -v python3 >/dev/null 2>&1 || missing "python3 is not installed"
if ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -qx "$VALIDATE_VERSION"; then
  echo "validate-manifests: installing kubernetes-validate $VALIDATE_VERSION into .tools/venv"
  { [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"; } \
    && "$VENV/bin/pip" install --quiet "kubernetes-validate==$VALIDATE_VERSION" \
    || missing "cannot install kubernetes-validate $VALIDATE_VERSION"
fi

help_file=""
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${REGBOARD_BIN:-}" ]; then
  help_file="$work/serve-help.txt"
  "$REGBOARD_BIN" serve --help >"$help_file"
fi

targets=(deploy/base)
for overlay in deploy/overlays/*/; do targets+=("${overlay%/}"); done

failed=0
objects=0
for target in "${targets[@]}"; do
  out="$work/$(echo "$target" | tr / _).yaml"
  if ! "$KUBECTL" kustomize "$target" >"$out"; then
    echo "validate-manifests: $target does not render" >&2
    failed=$((failed + 1))
    continue
  fi
  count="$(grep -c '^kind:' "$out")"
  objects=$((objects + count))
  for version in $KUBERNETES_VERSIONS; do
    if ! "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "$out"; then
      echo "validate-manifests: $target is not valid Kubernetes $version" >&2
      failed=$((failed + 1))
    fi
  done
  if ! "$VENV/bin/python" scripts/check_manifests.py "$out" $help_file; then
    failed=$((failed + 1))
  fi
  echo "validate-manifests: $target: $count objects checked against Kubernetes $KUBERNETES_VERSIONS"
done

# deploy/monitoring holds CRD kinds kubernetes-validate has no schema for:
# checked against the binary's real metrics and with promtool instead.
if ! KUBERNETES_VERSIONS="$KUBERNETES_VERSIONS" bash scripts/check-monitoring.sh; then
  failed=$((failed + 1))
fi

if [ "$failed" -ne 0 ]; then
  echo "validate-manifests: $failed check(s) failed" >&2
  exit 1
fi
echo "validate-manifests: ${#targets[@]} targets, $objects objects valid (strict) against Kubernetes $KUBERNETES_VERSIONS"
