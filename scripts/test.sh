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

step "cargo test (workspace)"
cargo test --workspace --all-features
