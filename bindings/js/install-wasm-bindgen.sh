#!/usr/bin/env bash
# Installs the wasm-bindgen CLI of exactly VERSION (the wasm-bindgen crate version in
# Cargo.lock) into a cache outside the repository, unless that version is already there, and
# prints the binary's path. From crates.io with cargo, so nothing is downloaded as a binary.
#
#   install-wasm-bindgen.sh VERSION      (cache: $VAULTMESH_CACHE, default ~/.cache/vaultmesh)
set -euo pipefail
version=${1:?usage: install-wasm-bindgen.sh VERSION}
root="${VAULTMESH_CACHE:-$HOME/.cache/vaultmesh}/wasm-bindgen-$version"
bin="$root/bin/wasm-bindgen"
if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "wasm-bindgen $version" ]; then
  echo "$bin"
  exit 0
fi
echo "installing wasm-bindgen-cli $version into $root (takes several minutes, once)" >&2
# Not --locked: the CLI's own lock file pins versions that may not build with this toolchain.
cargo install wasm-bindgen-cli --version "$version" --root "$root" --force >&2
"$bin" --version >&2
echo "$bin"
