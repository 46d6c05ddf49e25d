#!/usr/bin/env bash
# Assembles the root filesystem of regboard's image under OUT/rootfs, for
# the runtime stage of the Containerfile (`COPY --from=build /rootfs/ /`):
#
#   /app/regboard              the release binary, stripped
#   /app/hash.txt              cargo-leptos' list of the site's content hashes
#                              (beside the binary, where the server reads it)
#   /app/site/                 the site (wasm, js, css, public files; each
#                              with its precompressed .br and .gz)
#   /lib…, /usr/lib…, /lib64…  exactly the shared libraries `ldd` names,
#                              and the dynamic loader, at the same paths
#   /etc/passwd, /etc/group    user and group regboard, 65532, home /data
#   /etc/ssl/certs/ca-certificates.crt   when the build machine has it
#   OUT/data/                  the database directory, kept out of rootfs:
#                              the runtime stage copies it with --chown
#   /tmp                       1777
#
# No shell and no other program. Used by the Containerfile's builder stage
# and by `./dev image`, so both images are the same.
#
#   scripts/image-rootfs.sh BINARY SITE_DIR OUT
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 BINARY SITE_DIR OUT" >&2
  exit 2
fi
binary="$1"
site="$2"
root="$3/rootfs"
UID_GID=65532

[ -x "$binary" ] || { echo "image-rootfs: $binary is not an executable" >&2; exit 1; }
hashes="$(dirname "$binary")/hash.txt"
[ -f "$hashes" ] || { echo "image-rootfs: no $hashes beside the binary (build the release site first: cargo leptos build --release --precompress)" >&2; exit 1; }
wasm="regboard.$(awk -F': *' '$1 == "wasm" { print $2 }' "$hashes").wasm"
[ -f "$site/pkg/$wasm" ] || { echo "image-rootfs: $site has no pkg/$wasm, which $hashes names (build the release site first)" >&2; exit 1; }

rm -rf "$root" "$3/data"
mkdir -p "$root/app" "$root/etc" "$root/tmp" "$3/data"
cp "$binary" "$root/app/regboard"
cp "$hashes" "$root/app/hash.txt"
# Symbols are half the binary and nothing at run time reads them (a panic's
# backtrace then shows addresses instead of function names).
if command -v strip >/dev/null 2>&1; then strip "$root/app/regboard"; fi
cp -R "$site" "$root/app/site"

# Every absolute path ldd prints: libraries ("name => /path (addr)") and the
# loader ("/lib64/ld-linux-x86-64.so.2 (addr)"). A library ldd cannot find
# is an error, not a smaller image.
if ldd "$binary" | grep -q 'not found'; then
  ldd "$binary" >&2
  echo "image-rootfs: a shared library is missing" >&2
  exit 1
fi
ldd "$binary" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

echo "regboard:x:$UID_GID:$UID_GID:regboard:/data:/nonexistent" >"$root/etc/passwd"
echo "regboard:x:$UID_GID:" >"$root/etc/group"
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi

chmod 0755 "$root/app/regboard"
chmod 1777 "$root/tmp"
chmod 0700 "$3/data"  # (COPY gives the directory 0755 in the image)
echo "image-rootfs: $(du -sh "$root" | cut -f1) in $root ($(find "$root" -type f | wc -l) files)"
