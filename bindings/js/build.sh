#!/usr/bin/env bash
# Builds the npm package and the auditor page from a clean checkout:
#   pkg/web/   ESM for browsers and bundlers (wasm-bindgen --target web), with .d.ts
#   pkg/node/  the Node build (wasm-bindgen --target nodejs, CommonJS), with .d.ts
#   page/vendor/  the page's scripts: the classic-script glue and the .wasm inlined as base64,
#                 so page/index.html works from file:// as well as from any static server
#   dist/vaultmesh-auditor.html  the whole page in one file
# Needs cargo (rustup) and node. Installs the wasm32 target and the pinned wasm-bindgen CLI.
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd ../.. && pwd)

# The CLI must be exactly the wasm-bindgen version in Cargo.lock.
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo/Cargo.lock")
[ -n "$version" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
wasm_bindgen=$(./install-wasm-bindgen.sh "$version")
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target list --installed | grep -qx wasm32-unknown-unknown

(cd "$repo" && cargo build -p vaultmesh-wasm --target wasm32-unknown-unknown --profile wasm-release)
target_dir=$(cd "$repo" && cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/vaultmesh_wasm.wasm"

rm -rf pkg page/vendor dist
"$wasm_bindgen" --remove-name-section --remove-producers-section --target web --out-dir pkg/web "$wasm"
"$wasm_bindgen" --remove-name-section --remove-producers-section --target nodejs --out-dir pkg/node "$wasm"
echo '{"type": "commonjs"}' > pkg/node/package.json
"$wasm_bindgen" --remove-name-section --remove-producers-section --target no-modules --out-dir page/vendor "$wasm"
node tools/vendor.mjs

raw=$(wc -c < pkg/web/vaultmesh_wasm_bg.wasm)
gz=$(gzip -9 -c pkg/web/vaultmesh_wasm_bg.wasm | wc -c)
echo "built pkg/web, pkg/node, page/vendor, dist/vaultmesh-auditor.html (wasm-bindgen $version)"
echo "vaultmesh_wasm_bg.wasm: $raw bytes raw, $gz bytes gzip -9"
