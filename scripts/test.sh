#!/usr/bin/env bash
# Runs every test of the project, installing what it needs. CI calls this same script.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain: rustfmt, clippy and the no_std target"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add thumbv7em-none-eabihf >/dev/null

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "core builds for thumbv7em-none-eabihf without default features"
cargo build -p vaultmesh-core --no-default-features --target thumbv7em-none-eabihf

step "PostgreSQL server for the node's PG tests: Debian's postgresql (if absent)"
# node/tests/common/pg.rs starts a throwaway cluster per test (initdb in a temp dir, as the
# postgres system user when run as root, on a free loopback port) and stops it; the store, API,
# crash and two-process tests run on it as well as on SQLite. Without the server those tests
# fail (VAULTMESH_SKIP_PG=1 skips them on purpose).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
# The Debian package starts a system cluster of its own; the tests never use it.

step "cargo test (workspace)"
cargo test --workspace --all-features

# ---- node (node/; docs/node.md) ---------------------------------------------------------------
# The node's API and crash tests ran in `cargo test` above (real servers on 127.0.0.1, 20
# SIGKILLs). Here: the README's demo mesh end to end on the debug build (seconds), and its
# audit bundle checked again by a separate process.
step "node: vm-node demo (a demo mesh in a temp dir, end to end) and verify-bundle"
cargo build -q -p vaultmesh-node
node_demo="$(mktemp -d)"
"${CARGO_TARGET_DIR:-target}/debug/vm-node" demo --dir "$node_demo" | tail -n 6
"${CARGO_TARGET_DIR:-target}/debug/vm-node" verify-bundle "$node_demo/guardian-bundle.json"
rm -rf "$node_demo"
# ---- end of node ------------------------------------------------------------------------------

# ---- fuzzing (fuzz/; scripts/fuzz.sh) ---------------------------------------------------------
# Every parser of untrusted bytes under libFuzzer for 5 s per target from the committed seeds
# (about 40 s to build the fuzz workspace, then 7 targets x ~6 s: under 2 minutes in all).
step "fuzz: each cargo-fuzz target for 5 s (pinned cargo-fuzz; seeds from test-vectors/)"
scripts/fuzz.sh 5
# ---- end of fuzzing ---------------------------------------------------------------------------

# ---- WebAssembly build, npm package and auditor page (wasm/, bindings/js/; docs/SPEC.md §11) --
step "wasm: the wasm32 target, clippy for wasm32, the package and page (pinned wasm-bindgen CLI)"
rustup target add wasm32-unknown-unknown >/dev/null
cargo clippy -p vaultmesh-wasm --target wasm32-unknown-unknown -- -D warnings
bindings/js/build.sh

step "browser tests' tools: Debian's chromium (if absent) and playwright-core from package-lock"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
(cd bindings/js && npm ci --no-audit --no-fund --loglevel=error)

step "JS under Node (node:test): every vector through the Node build, the API, the bundles"
(cd bindings/js && node --test test/vectors.test.mjs test/api.test.mjs)

step "JS in headless Chromium (node:test + playwright-core): vectors, the auditor page, bench page"
(cd bindings/js && node --test test/browser.test.mjs)
# ---- end of the WebAssembly build, npm package and auditor page -----------------------------

# ---- C library and Python package (ffi/, bindings/c/, bindings/python/; docs/ffi.md) -------
step "C header: regenerate with the pinned cbindgen and compare with the committed one"
header="$(mktemp)"
bindings/c/generate-header.sh "$header"
if ! diff -u bindings/c/include/vaultmesh.h "$header"; then
  echo "bindings/c/include/vaultmesh.h is out of date: run bindings/c/generate-header.sh and commit it" >&2
  exit 1
fi
rm -f "$header"

step "C tests: every vector and misuse (-Wall -Wextra -Werror), then ASan+UBSan, Valgrind, the example"
bindings/c/tests/run.sh all

step "Python package: pip install ./bindings/python, pytest over every vector"
venv="${HOME}/.cache/vaultmesh/test-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pytest
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
(cd bindings/python && "$venv/bin/python" -m pytest -q -p no:cacheprovider tests)
# ---- end of the C library and Python package -----------------------------------------------
