#!/usr/bin/env bash
# The release binary's own figures, for `./dev bench`: cold start to
# /readyz, idle RSS, and the site as a browser receives it (the wasm, JS and
# CSS the sign-in page names, as sent for Accept-Encoding br, gzip and none).
#
#   REGBOARD_BIN=target/release/regboard scripts/bench-site.sh
#
# The server runs as `regboard serve --sandbox` on free ports with a fresh
# database, reading its site from target/site (LEPTOS_SITE_ROOT).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="${REGBOARD_BIN:-target/release/regboard}"
[ -x "$bin" ] || { echo "bench-site: no $bin (cargo leptos build --release --precompress)" >&2; exit 1; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work="$(mktemp -d)"
http="$(port)"
url="http://127.0.0.1:$http"
now_ms() { date +%s%3N; }

start="$(now_ms)"
LEPTOS_SITE_ROOT="$PWD/target/site" "$bin" serve --sandbox --sandbox-listen "127.0.0.1:$(port)" \
  --listen "127.0.0.1:$http" --database "$work/regboard.db" >"$work/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz" 2>/dev/null)" = 200 ]; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; echo "bench-site: regboard exited" >&2; exit 1; }
  sleep 0.005
done
ready="$(( $(now_ms) - start ))"
sleep 2
rss_kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")"
printf '%-28s %8s\n' "cold start to /readyz" "$ready ms"
printf '%-28s %8s\n' "idle RSS (2 s after ready)" "$((rss_kb / 1024)) MiB"

login="$(curl -fsS "$url/login")"
printf '\n%-44s %10s %10s %10s\n' "file the sign-in page names" "identity" "gzip" "br"
total_id=0 total_gz=0 total_br=0
for file in $(grep -oE '/pkg/regboard[^"]*\.(wasm|js|css)' <<<"$login" | sort -u); do
  id="$(curl -fsS -o /dev/null -w '%{size_download}' "$url$file")"
  gz="$(curl -fsS -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$url$file")"
  br="$(curl -fsS -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: br' "$url$file")"
  printf '%-44s %10s %10s %10s\n' "$file" "$id" "$gz" "$br"
  total_id=$((total_id + id)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
done
printf '%-44s %10s %10s %10s\n' "total bytes on the wire" "$total_id" "$total_gz" "$total_br"
