#!/usr/bin/env bash
# Builds libvaultmesh (release) and installs it with its header and pkg-config file:
#   bindings/c/install.sh [PREFIX]        (default /usr/local)
# Files: PREFIX/lib/libvaultmesh.{so,a}, PREFIX/include/vaultmesh.h,
#        PREFIX/lib/pkgconfig/vaultmesh.pc.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${1:-/usr/local}"
cd "$root"
cargo build --release -p vaultmesh-ffi
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
install -d "$prefix/lib/pkgconfig" "$prefix/include"
install -m 0755 "$target/release/libvaultmesh.so" "$prefix/lib/"
install -m 0644 "$target/release/libvaultmesh.a" "$prefix/lib/"
install -m 0644 bindings/c/include/vaultmesh.h "$prefix/include/"
sed "s|^prefix=.*|prefix=$prefix|" bindings/c/vaultmesh.pc >"$prefix/lib/pkgconfig/vaultmesh.pc"
echo "installed libvaultmesh into $prefix"
