"""The Pythonic surface: input types, exceptions with codes, handles, misuse."""

from __future__ import annotations

import ctypes
import json
from pathlib import Path

import pytest

import vaultmesh as vm

VECTORS = Path(__file__).resolve().parents[3] / "test-vectors"
SIGNATURES = json.loads((VECTORS / "signatures.json").read_text(encoding="utf-8"))


def _good_case():
    return next(c for c in SIGNATURES["cases"] if c["expect"]["valid"] and "kind" not in c)


def test_library_is_found_and_versions_agree() -> None:
    assert vm.version() == vm.__version__
    assert "vaultmesh" in vm.library_path()


def test_verify_record_accepts_bytes_str_and_dict() -> None:
    case = _good_case()
    keys = vm.Keyring(SIGNATURES["keyring"])
    assert len(keys) == len(SIGNATURES["keyring"])
    want = case["expect"]["receipt_hash"]
    assert vm.verify_record(case["input"].encode(), keys).receipt_hash == want
    assert vm.verify_record(case["input"], keys).receipt_hash == want
    verdict = vm.verify_record(json.loads(case["input"]), keys)
    assert verdict.valid and verdict and verdict.receipt_hash == want
    assert verdict.code == 0 and verdict.name == "OK" and verdict.error is None


def test_rejection_raises_with_code_name_and_field() -> None:
    case = _good_case()
    keys = vm.Keyring(SIGNATURES["keyring"])
    record = json.loads(case["input"])
    record["signature"] = "z" + "1" * 10
    with pytest.raises(vm.VerificationError) as info:
        vm.verify_record(record, keys)
    assert info.value.code == 205 and info.value.name == "MALFORMED_SIGNATURE"
    assert info.value.field == "signature"
    assert "MALFORMED_SIGNATURE (205)" in str(info.value)
    assert isinstance(info.value, vm.VaultMeshError)


def test_batch_returns_verdicts_without_raising() -> None:
    case = _good_case()
    keys = vm.Keyring(SIGNATURES["keyring"])
    verdicts = vm.verify_batch([case["input"], b"{", b"{}", case["input"]], keys, seed=bytes(32))
    assert [v.valid for v in verdicts] == [True, False, False, True]
    assert verdicts[1].name == "JSON_SYNTAX" and verdicts[1].code == 103
    assert verdicts[2].name == "UNKNOWN_KIND"
    with pytest.raises(vm.VerificationError):
        verdicts[1].raise_for_error()
    assert vm.verify_batch([], keys) == []
    with pytest.raises(ValueError):
        vm.verify_batch([b"{}"], keys, seed=b"short")


def test_keyring_errors_and_closing() -> None:
    with pytest.raises(vm.VerificationError) as info:
        vm.Keyring({"did:vm:mesh:a": "ed25519:z6Mk"})
    assert info.value.name == "MALFORMED_KEY"
    with pytest.raises(vm.VerificationError) as info:
        vm.Keyring.from_json('{"a": "x", "a": "y"}')
    assert info.value.name == "DUPLICATE_KEY"
    keys = vm.Keyring()
    keys.close()
    keys.close()
    with pytest.raises(ctypes.ArgumentError, match="closed"):
        len(keys)


def test_unknown_kind_and_bad_types() -> None:
    keys = vm.Keyring()
    with pytest.raises(vm.VerificationError) as info:
        vm.verify_record(b"{}", keys, "no-such-kind")
    assert info.value.name == "UNKNOWN_KIND"
    with pytest.raises(TypeError):
        vm.verify_record(42, keys)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        vm.verify_record({"a": float("nan")}, keys)


def test_canonicalize_and_limits() -> None:
    assert vm.canonicalize(b'{"b": 1, "a": [1e2, "\\u00e9"]}') == '{"a":[100,"é"],"b":1}'.encode()
    big = {"a": "x" * 2000}
    assert len(vm.canonicalize(big)) > 512  # grows past the first buffer guess
    with pytest.raises(vm.VerificationError) as info:
        vm.canonicalize(big, max_bytes=100)
    assert info.value.name == "INPUT_TOO_LARGE"


def test_scroll_tree_and_proofs() -> None:
    records = [{"seq": i} for i in range(7)]
    tree = vm.ScrollTree(records)
    assert len(tree) == 7
    root = tree.root
    assert root == vm.merkle_root(records)
    proof = tree.prove_inclusion(3)
    vm.verify_inclusion({"seq": 3}, proof, root, 7)
    with pytest.raises(vm.VerificationError) as info:
        vm.verify_inclusion({"seq": 4}, proof, root, 7)
    assert info.value.name == "INCLUSION_PROOF_MISMATCH"
    old = vm.merkle_root(records[:3])
    vm.verify_consistency(tree.prove_consistency(3), old, root)
    with pytest.raises(vm.VerificationError) as info:
        tree.extend_jsonl(b'{"seq":7}\n\n')
    assert info.value.name == "BLANK_LINE" and info.value.line == 2  # type: ignore[attr-defined]
    assert len(tree) == 7
    tree.extend_jsonl('{"seq":7}\n')
    assert len(tree) == 8
    assert vm.jsonl_root(b"") == (vm.merkle_root([]), 0)
    tree.close()


def test_status_names_and_messages() -> None:
    assert vm.status_name(104) == "DUPLICATE_KEY"
    assert vm.status_message(104) == "duplicate member name in a JSON object"
    assert vm.status_name(902) == "BUFFER_TOO_SMALL"
    assert vm.status_name(1) == "UNKNOWN_STATUS"


def test_governance_chain_report() -> None:
    with vm.verify_governance_chain({"receipts": []}) as chain:
        assert not chain.valid and chain.name == "MISSING_FIELD" and chain.field == "genesis"
        assert chain.violation_index is None and chain.version is None
        assert chain.report() == {"valid": False, "index": None, "error": "MISSING_FIELD", "code": 300}
        assert chain.emergency_powers_at("2025-12-01T00:00:00Z") == []
        with pytest.raises(vm.VerificationError) as info:
            chain.emergency_powers_at("yesterday")
        assert info.value.name == "MALFORMED_TIMESTAMP"


def test_bundle_that_is_not_a_bundle() -> None:
    with pytest.raises(vm.VerificationError) as info:
        vm.verify_bundle(b"[]")
    assert info.value.name == "NOT_AN_OBJECT"
