#!/usr/bin/env bash
# Runs regboard's image with podman the way the Deployment runs it (read-only
# root, every capability dropped, no new privileges, a writable /data and
# /tmp, a user that is not root) and checks what a platform engineer relies
# on: the database is created in /data, /healthz answers, the sign-in page and the site's wasm are served, the
# log names the one-time setup link and that link opens the first-admin form,
# the image has no shell, and the configured user and command are the
# Containerfile's.
#
# Without podman or the image it skips on a laptop and fails under CI=true;
# so does a machine where podman cannot start a container (the reason is
# printed).
#
#   REGBOARD_IMAGE=localhost/regboard:0.1.0 scripts/image-test.sh   (./dev image builds it)
set -euo pipefail

IMAGE="${REGBOARD_IMAGE:-localhost/regboard:0.1.0}"
NAME="regboard-image-test-$$"
passed=0

fail() {
  echo "image-test: FAILED: $*" >&2
  exit 1
}

missing() {
  if [ "${CI:-}" = "true" ]; then
    fail "$* (required under CI=true)"
  fi
  echo "image-test: SKIPPED: $*" >&2
  exit 0
}

ok() {
  passed=$((passed + 1))
  echo "image-test: ok - $*"
}

command -v podman >/dev/null 2>&1 || missing "podman is not installed (./dev image installs it)"
command -v curl >/dev/null 2>&1 || missing "curl is not installed"
podman image exists "$IMAGE" || missing "there is no image $IMAGE (run ./dev image)"

inspect() { podman image inspect --format "$1" "$IMAGE"; }
[ "$(inspect '{{.Config.User}}')" = "65532:65532" ] || fail "the image runs as $(inspect '{{.Config.User}}'), not 65532:65532"
[ "$(inspect '{{json .Config.Entrypoint}}') $(inspect '{{json .Config.Cmd}}')" \
  = '["/app/regboard"] ["serve","--listen","0.0.0.0:3000"]' ] \
  || fail "unexpected command: $(inspect '{{json .Config.Entrypoint}}') $(inspect '{{json .Config.Cmd}}')"
ok "runs /app/regboard serve --listen 0.0.0.0:3000 as 65532:65532"

# Podman's defaults first. Where they fail, runc with resource limits this
# process may set: on these machines crun refuses cgroup v1 with a v2
# controller mounted ("cgroups in hybrid mode not supported"), and podman's
# default limits (1048576 open files) exceed the hard limit without
# CAP_SYS_RESOURCE ("setrlimit RLIMIT_NOFILE: Operation not permitted"); podman
# also lowers its own process limit to 32768 before it starts the runtime.
nofile="$(ulimit -Hn)"
if [ "$nofile" = unlimited ]; then nofile=1048576; fi
nproc="$(ulimit -Hu)"
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
variants=("" "--runtime runc --ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc")
flags=()
reasons=""
for variant in "${variants[@]}"; do
  read -r -a try <<<"$variant"
  if out="$(podman run --rm --network none "${try[@]}" "$IMAGE" --version 2>&1)"; then
    flags=("${try[@]}")
    reasons=""
    break
  fi
  reasons="$reasons [podman run ${variant:-(defaults)}: $(echo "$out" | tail -1)]"
done
[ -z "$reasons" ] || missing "podman cannot start a container here:$reasons"
ok "podman starts the image${flags[*]:+ with ${flags[*]}}"

if podman run --rm --network none "${flags[@]}" --entrypoint /bin/sh "$IMAGE" -c true >/dev/null 2>&1; then
  fail "the image has a shell at /bin/sh"
fi
ok "the image has no shell"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() { podman rm -f -v "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# /data is the image's VOLUME: a fresh volume that starts as the image's
# /data (owned by 65532), so the database can be created with the root
# read-only. slirp4netns: the container's own network, reached only through this
# machine's loopback; no bridge and no firewall rules.
podman run -d --name "$NAME" "${flags[@]}" \
  --read-only --cap-drop ALL --security-opt no-new-privileges \
  --tmpfs /tmp:rw,mode=1777 \
  --network slirp4netns -p "127.0.0.1:$port:3000" "$IMAGE" >/dev/null
url="http://127.0.0.1:$port"

healthy=""
for _ in $(seq 1 120); do
  if [ "$(curl -fsS --max-time 2 "$url/healthz" 2>/dev/null)" = "ok" ]; then
    healthy=yes
    break
  fi
  if [ "$(podman inspect --format '{{.State.Running}}' "$NAME" 2>/dev/null)" != "true" ]; then
    podman logs "$NAME" >&2 || true
    fail "the container stopped before /healthz answered"
  fi
  sleep 0.5
done
if [ -z "$healthy" ]; then
  podman logs "$NAME" >&2 || true
  fail "/healthz did not answer within 60 s"
fi
ok "/healthz answers ok"

curl -fsS --max-time 10 "$url/login" | grep -q "Sign in to regboard" \
  || fail "/login is not the sign-in page"
ok "/login is the sign-in page"

# The wasm the sign-in page names (content-hashed, from /app/hash.txt) is there.
wasm="$(curl -fsS --max-time 10 "$url/login" | grep -o '/pkg/regboard[^"]*\.wasm' | head -1)"
[ -n "$wasm" ] || fail "/login names no /pkg/regboard…wasm"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url$wasm")"
[ "$code" = 200 ] || fail "the site is not served: $wasm answered $code"
ok "the site beside the binary is served ($wasm, which /login names)"

token="$(podman logs "$NAME" 2>&1 | grep -o 'setup?token=[A-Za-z0-9_-]*' | head -1 | cut -d= -f2)"
[ -n "$token" ] || { podman logs "$NAME" >&2; fail "the log has no setup link"; }
page="$(curl -fsS --max-time 10 "$url/setup?token=$token")"
grep -q "Create the first admin" <<<"$page" || fail "the setup link does not open the first-admin page"
! grep -q 'data-testid="setup-no-token"' <<<"$page" || fail "the setup link's token was refused"
ok "the log's setup link opens the first-admin form"

echo "image-test: $passed passed, 0 failed"
