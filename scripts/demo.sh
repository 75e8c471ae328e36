#!/usr/bin/env bash
# The README's main command. First a demo mesh (vm-node demo, in a temporary directory): scrolls
# with realistic receipts, checkpoints, a refused forgery and a recorded delete attempt, a proof
# fetched and checked, an audit bundle exported and verified with the core, verify-store, three
# meshes federating, a governed mesh through PROP-2025-12-001 and its lapses; then the
# auditor's job: vm-verify re-checks the node's output and records and proofs from
# test-vectors/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p vm-verify -p vaultmesh-node
bin="$(realpath "${CARGO_TARGET_DIR:-target}/release/vm-verify")"

# ---- the node demo (node/, docs/node.md) -----------------------------------------------------
node_bin="$(realpath "${CARGO_TARGET_DIR:-target}/release/vm-node")"
mesh="$(mktemp -d "${TMPDIR:-/tmp}/vaultmesh-demo-XXXXXX")"
"$node_bin" demo --dir "$mesh"
printf '\nThe node'"'"'s evidence, re-checked by the auditor'"'"'s tool from the files the demo wrote:\n'
f="$mesh/files"
node_check() {
  printf '$ vm-verify %s\n' "${*//$mesh/\$DEMO}"
  "$bin" "$@" >/dev/null && echo "→ exit 0 (valid)" || { echo "→ exit $? (not valid)"; exit 1; }
}
node_check bundle "$mesh/guardian-bundle.json" --keyring "$f/keyring.json"
node_check checkpoint "$f/checkpoint.json" --keyring "$f/keyring.json"
node_check record "$f/receipt.json" --keyring "$f/keyring.json"
node_check agreement "$f/agreement.json" --keyring "$f/keyring.json"
node_check governance "$mesh/governance-chain.json"
node_check merkle verify-inclusion --record "$f/receipt.json" --proof "$f/proof.json" \
  --root "$(cat "$f/root.txt")" --tree-size "$(cat "$f/tree_size.txt")"
printf '(DEMO=%s; audit bundle: %s)\n\n== The auditor'"'"'s examples from test-vectors/\n' "$mesh" "$mesh/guardian-bundle.json"
# ---- end of the node demo --------------------------------------------------------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Pull example inputs out of the vector files (python3 only to slice JSON; the checks are vm-verify's).
python3 - "$work" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
tv = pathlib.Path("test-vectors")
def case(file, name):
    return next(c for c in json.loads((tv / file).read_text())["cases"] if c["name"] == name)
(out / "keyring.json").write_text(json.dumps(json.loads((tv / "signatures.json").read_text())["keyring"]))
(out / "vote.json").write_text(case("signatures.json", "gov_vote: valid")["input"])
(out / "vote-tampered.json").write_text(case("signatures.json", "gov_vote: field changed after signing")["input"])
(out / "agreement.json").write_text(case("agreements.json", "valid, trust level 3")["input"])
(out / "checkpoint.json").write_text(case("checkpoints-witnesses.json", "checkpoint")["input"])
root = case("merkle-roots.json", "7 receipts")
(out / "scroll.jsonl").write_text("".join(r + "\n" for r in root["records"]))
inc = case("inclusion-proofs.json", "verify 3 of 7")
(out / "receipt.json").write_text(inc["record"])
(out / "proof.json").write_text(json.dumps(inc["proof"]))
(out / "root.txt").write_text(inc["root"])
PY

run() {
  printf '\n$ vm-verify %s\n' "$*"
  "$bin" "$@" && echo "→ exit 0 (valid)" || echo "→ exit $? (1 = invalid, 2 = unusable input)"
}
cd "$work"
run record vote.json --keyring keyring.json
run record vote-tampered.json --keyring keyring.json
run agreement agreement.json --keyring keyring.json
run checkpoint checkpoint.json --keyring keyring.json
run merkle root scroll.jsonl
run merkle prove scroll.jsonl --index 3
run merkle verify-inclusion --record receipt.json --proof proof.json --root "$(cat root.txt)" --tree-size 7
run record vote.json --keyring keyring.json --json
