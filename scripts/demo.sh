#!/usr/bin/env bash
# The auditor's job, end to end: build vm-verify and check records and proofs from test-vectors/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p vm-verify
bin="$(realpath "${CARGO_TARGET_DIR:-target}/release/vm-verify")"
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
