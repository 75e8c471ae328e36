#!/usr/bin/env bash
# Writes the C header generated from ffi/src by the pinned cbindgen to $1 (default: the committed
# bindings/c/include/vaultmesh.h). Installs that cbindgen first when it is missing, into
# ${VAULTMESH_TOOLS:-$HOME/.cache/vaultmesh}/bin (outside the repository).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version=0.29.4
tools="${VAULTMESH_TOOLS:-$HOME/.cache/vaultmesh}"
cbindgen="$tools/bin/cbindgen"
if ! [ -x "$cbindgen" ] || [ "$("$cbindgen" --version 2>/dev/null)" != "cbindgen $version" ]; then
  echo "installing cbindgen $version into $tools/bin" >&2
  cargo install cbindgen --version "$version" --root "$tools" --quiet
fi
out="${1:-$root/bindings/c/include/vaultmesh.h}"
"$cbindgen" --quiet --config "$root/ffi/cbindgen.toml" --crate vaultmesh-ffi --output "$out" "$root/ffi"
