#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]: coverage-guided fuzzing (cargo-fuzz, libFuzzer) of every parser of
# untrusted bytes, fuzz/fuzz_targets/*.rs. Installs the pinned cargo-fuzz if absent, builds the
# targets once, then runs each for SECONDS (default 10) on a copy of its committed seed corpus
# (fuzz/corpus/TARGET, from test-vectors/ by fuzz/make-seeds.py). A crash, panic, timeout or
# out-of-memory ends the script non-zero and leaves the input in fuzz/artifacts/TARGET/.
#
# Environment: FUZZ_TARGETS="a b" (default: all), FUZZ_SANITIZER (default none: the core
# forbids unsafe code, and without ASan each second runs several times more inputs; `address`
# for the dependencies' unsafe code), CARGO_TARGET_DIR (builds go to $CARGO_TARGET_DIR/fuzz, or
# fuzz/target).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-10}"
CARGO_FUZZ_VERSION="0.13.2"
tools="${VAULTMESH_TOOLS:-$HOME/.cache/vaultmesh/tools}"
export PATH="$tools/bin:$PATH"
if ! cargo-fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
  echo "installing cargo-fuzz $CARGO_FUZZ_VERSION into $tools"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$tools"
fi

# cargo-fuzz needs nightly's -Z flags. The machine's toolchain is the one rustup installed; a
# nightly is used when present, else the stable compiler with RUSTC_BOOTSTRAP=1 (the same
# flags, allowed on stable; nothing is downloaded).
if cargo +nightly --version >/dev/null 2>&1; then
  cargo=(cargo +nightly)
else
  export RUSTC_BOOTSTRAP=1
  cargo=(cargo)
fi
sanitizer="${FUZZ_SANITIZER:-none}"
# Its own build folder (other flags than the workspace's builds): beside CI's cache, if set.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR/fuzz}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/fuzz/target}"

targets="${FUZZ_TARGETS:-$("${cargo[@]}" fuzz list --fuzz-dir fuzz)}"
start=$(date +%s)
if [ -z "${FUZZ_TARGETS:-}" ]; then
  "${cargo[@]}" fuzz build --fuzz-dir fuzz -s "$sanitizer"
else
  for target in $targets; do "${cargo[@]}" fuzz build --fuzz-dir fuzz -s "$sanitizer" "$target"; done
fi
echo "fuzz build: $(( $(date +%s) - start )) s"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for target in $targets; do
  mkdir -p "$work/$target"
  cp -R "fuzz/corpus/$target/." "$work/$target/" 2>/dev/null || true
  echo "== fuzz $target for ${seconds} s ($(ls "$work/$target" | wc -l) seeds)"
  # -rss_limit_mb and -timeout: a parser that takes 2 GiB or 10 s on one input is a finding.
  status=0
  "${cargo[@]}" fuzz run --fuzz-dir fuzz -s "$sanitizer" "$target" "$work/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 >"$work/$target.log" 2>&1 || status=$?
  grep -E '^stat::(number_of_executed_units|new_units_added)' "$work/$target.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$work/$target.log" >&2
    echo "fuzz target $target failed (status $status); input in fuzz/artifacts/$target/" >&2
    exit "$status"
  fi
done
echo "fuzzing: $(wc -w <<<"$targets") targets, ${seconds} s each, $(( $(date +%s) - start )) s in all"
