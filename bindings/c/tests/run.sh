#!/usr/bin/env bash
# Builds libvaultmesh (cargo, debug profile) and runs the C tests against it:
#   1. plain: the C programs linked to the shared library;
#   2. sanitize: rebuilt with -fsanitize=address,undefined and linked to the static library;
#   3. valgrind: the plain programs under valgrind --leak-check=full, errors and leaks fatal;
#   4. example: examples/verify.c built through pkg-config (vaultmesh.pc) and run on a vector.
# Every C file is compiled with -std=c11 -Wall -Wextra -Werror -Wpedantic.
# Usage: bindings/c/tests/run.sh [plain|sanitize|valgrind|example|all] (default all).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"
what="${1:-all}"

cargo build --quiet -p vaultmesh-ffi
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
lib="$target/debug"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT

cflags=(-std=c11 -Wall -Wextra -Werror -Wpedantic -g -O1 -I "$root/bindings/c/include")
# From `cargo rustc -p vaultmesh-ffi --crate-type staticlib -- --print native-static-libs`.
static_libs=(-lpthread -ldl -lm -lrt -lutil)
vectors="$root/test-vectors"

compile_plain() {
  cc "${cflags[@]}" -o "$build/vectors" "$here/vectors.c" "$here/json.c" -L"$lib" -lvaultmesh -Wl,-rpath,"$lib"
  cc "${cflags[@]}" -o "$build/misuse" "$here/misuse.c" -L"$lib" -lvaultmesh -Wl,-rpath,"$lib"
}

run_plain() {
  echo "-- C tests (shared library)"
  "$build/vectors" "$vectors" | tail -n 1
  "$build/misuse"
}

run_sanitize() {
  echo "-- C tests under AddressSanitizer + UndefinedBehaviorSanitizer (static library)"
  local san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  cc "${cflags[@]}" "${san[@]}" -o "$build/vectors-san" "$here/vectors.c" "$here/json.c" "$lib/libvaultmesh.a" "${static_libs[@]}"
  cc "${cflags[@]}" "${san[@]}" -o "$build/misuse-san" "$here/misuse.c" "$lib/libvaultmesh.a" "${static_libs[@]}"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  "$build/vectors-san" "$vectors" | tail -n 1
  "$build/misuse-san"
}

run_valgrind() {
  echo "-- C tests under Valgrind (shared library; any error or leak fails)"
  if ! command -v valgrind >/dev/null; then
    echo "installing valgrind" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  fi
  local vg=(valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible)
  "${vg[@]}" "$build/vectors" "$vectors" | tail -n 1
  "${vg[@]}" "$build/misuse"
}

run_example() {
  echo "-- examples/verify.c through pkg-config"
  if ! command -v pkg-config >/dev/null; then
    echo "installing pkg-config" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config >/dev/null
  fi
  mkdir -p "$build/pkgconfig"
  sed -e "s|^prefix=.*|prefix=$root|" -e "s|^libdir=.*|libdir=$lib|" -e "s|^includedir=.*|includedir=$root/bindings/c/include|" \
    "$root/bindings/c/vaultmesh.pc" >"$build/pkgconfig/vaultmesh.pc"
  # shellcheck disable=SC2046
  cc "${cflags[@]}" -o "$build/verify" "$root/bindings/c/examples/verify.c" \
    $(PKG_CONFIG_PATH="$build/pkgconfig" pkg-config --cflags --libs vaultmesh) -Wl,-rpath,"$lib"
  python3 - "$vectors/signatures.json" "$build" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[2] + "/keyring.json", "w").write(json.dumps(d["keyring"]))
good = next(c for c in d["cases"] if c["expect"]["valid"] and "kind" not in c)
bad = next(c for c in d["cases"] if c["expect"].get("error") == "SIGNATURE_MISMATCH" and "kind" not in c)
open(sys.argv[2] + "/good.json", "w").write(good["input"])
open(sys.argv[2] + "/bad.json", "w").write(bad["input"])
EOF
  "$build/verify" "$build/keyring.json" "$build/good.json"
  if "$build/verify" "$build/keyring.json" "$build/bad.json"; then
    echo "example accepted a record with a bad signature" >&2
    exit 1
  fi
}

compile_plain
case "$what" in
  plain) run_plain ;;
  sanitize) run_sanitize ;;
  valgrind) run_valgrind ;;
  example) run_example ;;
  all) run_plain; run_sanitize; run_valgrind; run_example ;;
  *) echo "usage: $0 [plain|sanitize|valgrind|example|all]" >&2; exit 2 ;;
esac
