"""Every case of every test-vectors/*.json file through the Python package: the outcome must be
exactly the case's ``expect`` object (docs/SPEC.md §9): the same verdict, error name and code,
the same computed values and no other members. The records of the ``verify_record`` cases also
go through :func:`vaultmesh.verify_batch`, whose verdicts must equal the single ones."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import vaultmesh as vm

VECTORS = Path(os.environ.get("VAULTMESH_VECTORS", Path(__file__).resolve().parents[3] / "test-vectors"))
FILES = sorted(VECTORS.glob("*.json"))
CHAINS = sorted(p for p in (VECTORS / "governance").glob("*.json") if p.name.startswith(("valid-", "invalid-")))


def _load() -> List[Tuple[str, Dict[str, Any], Dict[str, Any]]]:
    cases = []
    for path in FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            cases.append((path.name, data, case))
    return cases


CASES = _load()


def test_vectors_are_there() -> None:
    assert len(FILES) >= 9, f"vector files missing in {VECTORS}"
    assert len(CASES) > 150


def _input(case: Dict[str, Any]) -> bytes:
    if "input" in case:
        return case["input"].encode()
    if "input_hex" in case:
        return bytes.fromhex(case["input_hex"])
    return b""


def _keyring(data: Dict[str, Any], case: Dict[str, Any]) -> vm.Keyring:
    keys = case["keyring"] if isinstance(case.get("keyring"), dict) else data["keyring"]
    return vm.Keyring.from_json(json.dumps(keys))


def _compute(data: Dict[str, Any], case: Dict[str, Any]) -> Dict[str, Any]:
    """The case's outcome in the ``expect`` form, computed through the package."""
    op = case["op"]
    raw = _input(case)
    keys = _keyring(data, case)
    limits = {"max_bytes": case.get("max_bytes"), "max_depth": case.get("max_depth")}
    if op == "canonicalize":
        return {"canonical": vm.canonicalize(raw, **limits).decode()}
    if op == "receipt_hash":
        return {"receipt_hash": vm.receipt_hash(raw, **limits)}
    if op == "digest":
        return {"digest": vm.parse_digest(raw.decode())}
    if op == "public_key":
        return {"public_key": vm.normalize_public_key(raw.decode())}
    if op == "signature":
        return {"signature": vm.normalize_signature(raw.decode())}
    if op == "timestamp":
        return {"timestamp": vm.normalize_timestamp(raw.decode())}
    if op == "actor_id":
        vm.check_actor_id(raw.decode())
        return {}
    if op == "engine_id":
        vm.check_engine_id(raw.decode())
        return {}
    if op == "secret_key":
        with vm.SecretKey.from_text(raw) as key:
            return {"public_key": key.public_key}
    if op == "sign_record":
        with vm.SecretKey.from_text(data["key_file"]) as key:
            return {"signed": key.sign(raw, case.get("kind"), **limits).decode()}
    if op == "verify_record":
        verdict = vm.verify_record(raw, keys, case.get("kind"), **limits)
        return {"receipt_hash": verdict.receipt_hash}
    if op == "verify_agreement":
        with vm.verify_agreement(raw, keys) as a:
            return {"agreement_hash": a.agreement_hash, "trust_level": a.trust_level}
    if op == "verify_checkpoint":
        with vm.verify_checkpoint(raw, keys) as c:
            return {"receipt_hash": c.receipt_hash}
    if op == "verify_witness":
        cp = vm.verify_checkpoint(case["checkpoint"], keys) if "checkpoint" in case else None
        return {"receipt_hash": vm.verify_witness(raw, keys, cp).receipt_hash}
    if op == "verify_cross_anchor":
        agreement = vm.verify_agreement(case["agreement"], keys) if "agreement" in case else None
        return {"receipt_hash": vm.verify_cross_anchor(raw, keys, agreement).receipt_hash}
    if op == "merkle_root":
        return {"root": vm.merkle_root(case["records"])}
    if op == "jsonl_root":
        root, size = vm.jsonl_root(raw)
        return {"root": root, "tree_size": size}
    if op == "prove_inclusion":
        return {"proof": vm.prove_inclusion(case["records"], case["index"])}
    if op == "prove_consistency":
        return {"proof": vm.prove_consistency(case["records"], case["old_size"])}
    if op == "verify_inclusion":
        vm.verify_inclusion(case["record"], case["proof"], case["root"], case["tree_size"])
        return {}
    if op == "verify_consistency":
        vm.verify_consistency(case["proof"], case["old_root"], case["new_root"])
        return {}
    raise AssertionError(f"unknown op {op}")


def outcome(data: Dict[str, Any], case: Dict[str, Any]) -> Dict[str, Any]:
    try:
        return {"valid": True, **_compute(data, case)}
    except vm.VerificationError as e:
        return {"valid": False, "error": e.name, "code": e.code}


@pytest.mark.parametrize(
    "name,data,case", CASES, ids=[f"{n}:{c['name']}" for n, _, c in CASES]
)
def test_case(name: str, data: Dict[str, Any], case: Dict[str, Any]) -> None:
    assert outcome(data, case) == case["expect"]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_batch_matches_single(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = vm.Keyring(data["keyring"])
    groups: Dict[Any, List[bytes]] = {}
    for case in data["cases"]:
        if case["op"] == "verify_record" and "input" in case and "max_bytes" not in case and "keyring" not in case:
            groups.setdefault(case.get("kind"), []).append(case["input"].encode())
    for kind, records in groups.items():
        batch = vm.verify_batch(records, keys, kind)
        assert len(batch) == len(records)
        for record, verdict in zip(records, batch):
            try:
                single = vm.verify_record(record, keys, kind)
            except vm.VerificationError as e:
                single = vm.Verdict(False, None, e.code, e.name, e.field)
            assert verdict == single


def test_governance_vectors_are_there() -> None:
    assert len(CHAINS) >= 35, f"governance chains missing in {VECTORS / 'governance'}"


@pytest.mark.parametrize("path", CHAINS, ids=[p.name for p in CHAINS])
def test_governance_chain(path: Path) -> None:
    """The report and every query answer are exactly the file's ``expect``."""
    text = path.read_bytes()
    data = json.loads(text)
    expect = data["expect"]
    with vm.verify_governance_chain(text) as chain:
        got = chain.report()
        if "queries" in expect:
            answered = []
            for q in expect["queries"]:
                if q["op"] == "emergency_powers_at":
                    answer = chain.emergency_powers_at(q["at"])
                elif q["op"] == "suspended_capabilities":
                    answer = chain.suspended_capabilities(q["actor"], q["at"])
                else:
                    raise AssertionError(f"unknown query {q['op']}")
                answered.append({**q, "expect": answer})
            got["queries"] = answered
        assert got == expect
        assert chain.valid == expect["valid"] and chain.receipts == len(data["receipts"])
        if not chain.valid:
            assert (chain.name, chain.code, chain.violation_index) == (expect["error"], expect["code"], expect["index"])


def _bundle_items(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    s = report["sections"]
    items = [i for k in ("keys", "discovery", "agreements", "cross_anchors", "governance") for i in s[k]]
    for scroll in s["scrolls"]:
        for k in ("checkpoints", "consistency", "receipts", "witnesses"):
            items += scroll[k]
    return items


def _bundle_item_outcome(item: Dict[str, Any]) -> Dict[str, Any]:
    """An item in tampered.expect.json's form: verdict, the failed (or unchecked) check, error."""
    if item["verdict"] == "invalid":
        return {"verdict": "invalid", "check": item["failed_check"], "error": item["error"]}
    if item["verdict"] == "not_checked":
        check = next(c["check"] for c in item["checks"] if c["verdict"] == "not_checked")
        return {"verdict": "not_checked", "check": check}
    return {"verdict": "valid"}


BUNDLES = VECTORS / "bundles"


@pytest.mark.skipif(not (BUNDLES / "example.json").exists(), reason="no bundle vectors")
def test_bundle_example_is_valid() -> None:
    with vm.verify_bundle((BUNDLES / "example.json").read_bytes()) as report:
        assert report.valid and report.verdict == "valid"
        doc = report.to_dict()
        items = _bundle_items(doc)
        assert len(items) == report.items == report.valid_items >= 30
        assert all(i["verdict"] == "valid" for i in items)
        assert doc["bundle_hash"] == report.bundle_hash and report.unproven_growth == 0


@pytest.mark.skipif(not (BUNDLES / "tampered.json").exists(), reason="no bundle vectors")
def test_bundle_tampered_matches_its_expect_file() -> None:
    expect = json.loads((BUNDLES / "tampered.expect.json").read_text(encoding="utf-8"))
    with vm.verify_bundle((BUNDLES / "tampered.json").read_bytes()) as report:
        doc = report.to_dict()
        got = {i["path"]: _bundle_item_outcome(i) for i in _bundle_items(doc)}
        listed = {p: got.pop(p, None) for p in expect["items"]}
        assert listed == expect["items"]
        assert all(o == {"verdict": "valid"} for o in got.values())
        assert (doc["verdict"], report.verdict) == (expect["verdict"], expect["verdict"])
        assert report.unproven_growth == expect["unproven_growth"]
