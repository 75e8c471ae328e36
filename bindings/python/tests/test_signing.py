"""The Python signer (``vaultmesh.SecretKey``): key files, signing, and what it refuses. The
byte-for-byte fixture (``test-vectors/signing.json``) runs with every other vector."""

import json
import os
import stat
from pathlib import Path

import pytest

import vaultmesh as vm

VECTORS = Path(__file__).resolve().parents[3] / "test-vectors"
SIGNING = json.loads((VECTORS / "signing.json").read_text(encoding="utf-8"))


def test_key_file_round_trip(tmp_path: Path) -> None:
    key = vm.SecretKey.generate()
    path = tmp_path / "partner.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key.key_file_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = vm.SecretKey.from_file(path)
    assert again.public_key == key.public_key and key.public_key.startswith("ed25519:z6Mk")
    assert "ed25519-seed" not in repr(key) and key.key_file_text()[13:-1] not in repr(key)


def test_signed_dicts_verify_and_the_fixture_key_matches() -> None:
    key = vm.SecretKey.from_text(SIGNING["key_file"])
    assert key.public_key == SIGNING["keyring"]["did:vm:human:partner"]
    vote = {"type": "gov_vote", "vote_id": "VOTE-py", "proposal_id": "PROP-2025-12-001",
            "voter": "did:vm:human:partner", "voted_at": "2025-12-09T14:05:00Z", "vote": "abstain", "weight": 1.0}
    signed = key.sign(vote)
    verdict = vm.verify_record(signed, vm.Keyring(SIGNING["keyring"]))
    assert verdict.valid and json.loads(signed)["weight"] == 1


def test_refusals_name_the_error_and_field() -> None:
    key = vm.SecretKey.from_seed(bytes(range(32)))
    with pytest.raises(vm.VerificationError) as e:
        key.sign({"type": "gov_vote", "vote": "for"})
    assert e.value.name == "MISSING_FIELD"
    with pytest.raises(vm.VerificationError) as e:
        vm.SecretKey.from_text("ed25519-seed:" + "Ab" * 32)
    assert e.value.code == 800 and "Ab" not in str(e.value)
    with pytest.raises(ValueError):
        vm.SecretKey.from_seed(b"short")
    with pytest.raises(TypeError):
        vm.SecretKey()
    key.close()
    with pytest.raises(ValueError):
        key.sign({"type": "gov_vote"})
