#!/usr/bin/env bash
# Builds libvaultmesh (release), installs the package and the benchmark-only packages (rfc8785,
# blake3, PyNaCl) into a private virtual environment outside the repository, and runs bench.py.
# Usage: bindings/python/bench/run.sh [bench.py options]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
cargo build --release --quiet -p vaultmesh-ffi
venv="${VAULTMESH_BENCH_VENV:-$HOME/.cache/vaultmesh/bench-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check rfc8785 blake3 pynacl
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
VAULTMESH_LIBRARY="$target/release/libvaultmesh.so" "$venv/bin/python" bindings/python/bench/bench.py "$@"
