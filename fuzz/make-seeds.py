#!/usr/bin/env python3
"""Writes the committed seed corpus (fuzz/corpus/TARGET/) from test-vectors/: a few valid and
invalid inputs per target, so the fuzzer starts inside the formats instead of at random bytes.
Run it again after the vectors change; libFuzzer adds what it finds to the same folders (those
additions are not committed: scripts/fuzz.sh runs on a copy)."""
import hashlib
import json
import pathlib
import shutil

root = pathlib.Path(__file__).resolve().parent
tv = root.parent / "test-vectors"
corpus = root / "corpus"


def cases(name):
    return json.loads((tv / name).read_text())["cases"]


def write(target, data, limit=24):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.iterdir())) >= limit:
        return
    if isinstance(data, str):
        data = data.encode()
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


shutil.rmtree(corpus, ignore_errors=True)
for c in cases("canonical-json.json"):
    if isinstance(c.get("input"), str):
        write("json_strict", c["input"], limit=40)
for c in cases("signatures.json"):
    if isinstance(c.get("input"), str):
        # record_verify: the first byte picks the kind (0: from `type`).
        write("record_verify", b"\x00" + c["input"].encode(), limit=30)
for c in cases("inclusion-proofs.json") + cases("consistency-proofs.json"):
    proof = c.get("expect", {}).get("proof") or c.get("proof")
    if proof is not None:
        write("proofs", json.dumps(proof, separators=(",", ":")))
    if isinstance(c.get("records"), list):
        write("request_body", "\n".join(c["records"][:4]) + "\n", limit=8)
        write("request_body", "[" + ",".join(c["records"][:3]) + "]", limit=16)
for name in ["example.json", "tampered.json"]:
    write("bundle", (tv / "bundles" / name).read_bytes())
for name in ["genesis.json", "invalid-double-vote.json", "invalid-out-of-order.json"]:
    write("governance_chain", (tv / "governance" / name).read_bytes())
# query_string: the hostile queries of node/tests/hostile.rs and what well-behaved clients send.
for q in [
    "from=9223372036854775808", "from=9223372036854775807&limit=10", "index=0&tree_size=1",
    "index=18446744073709551616", "checkpoint=0", "checkpoint=1&tree_size=5", "expect_size=-1",
    "sample=1e3", "count=007&from=", "from=1&from=2", "to=&to_size=3", "limit", "&&=&index=%30",
    "from_checkpoint=1&to_checkpoint=99999999999999999999", "index=١", "tree_size=+5",
]:
    write("query_string", q)
for target in sorted(p.name for p in corpus.iterdir()):
    files = list((corpus / target).iterdir())
    print(f"{target}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
