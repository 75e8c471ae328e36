"""Receipts per second: the vaultmesh package (single and batch) next to a plain Python pipeline
(json + rfc8785 + blake3 + PyNaCl), on the same signed receipts, in one run.

    python3 bindings/python/bench/bench.py [--receipts 1000] [--rounds 9]

Needs the benchmark-only packages: pip install rfc8785 blake3 pynacl (bindings/python/bench/run.sh
installs them into a private virtual environment). The plain pipeline does what a careful
script would: parse, drop the signature, canonicalise the body, rebuild the signing input,
verify with libsodium (PyNaCl), then hash the canonical record. It checks none of the fields
and none of the strictness rules the library enforces, so it is a lower bound on real work.

Rounds alternate the three paths; each path's figure is its median over the rounds, and the
ratios are medians of per-round ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Callable, Dict, List, Tuple

import blake3
import nacl.signing
import rfc8785

import vaultmesh as vm

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
PREFIX = b"vaultmesh-sig-v1\x00gov_vote\x00"


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = ALPHABET[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


DIGITS = {ch: i for i, ch in enumerate(ALPHABET)}


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + DIGITS[ch]
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def make_receipts(count: int) -> Tuple[List[bytes], Dict[str, str]]:
    """``count`` ~600-byte votes, each by its own voter with its own key (as in a real batch)."""
    receipts, keys = [], {}
    for i in range(count):
        voter = f"did:vm:human:voter-{i:04d}"
        seed = blake3.blake3(f"bench-voter-{i}".encode()).digest()
        signing = nacl.signing.SigningKey(seed)
        keys[voter] = "ed25519:z" + b58encode(b"\xed\x01" + bytes(signing.verify_key))
        body = {
            "type": "gov_vote", "vote_id": "VOTE-2025-12-001", "proposal_id": "PROP-2025-12-001", "voter": voter,
            "voted_at": "2025-12-09T14:05:00Z", "vote": "approve", "weight": 1.5,
            "comments": "Retention limits protect members and keep the Compliance scroll within the storage budget "
            "agreed at the last review; the proposal keeps receipts append-only and only governs derived data, so "
            "AXIOM-001 is untouched. Reviewed with the data protection officer on 2025-12-05.",
            "context": {"ballot": i, "channel": "council", "constitution_version": "1.0.0"},
        }
        signature = signing.sign(PREFIX + rfc8785.dumps(body)).signature
        body["signature"] = "z" + b58encode(signature)
        receipts.append(json.dumps(body, separators=(",", ":")).encode())
    return receipts, keys


def plain_pipeline(keys: Dict[str, str]) -> Callable[[List[bytes]], int]:
    verify_keys = {actor: nacl.signing.VerifyKey(b58decode(k[len("ed25519:z"):])[2:]) for actor, k in keys.items()}

    def run(receipts: List[bytes]) -> int:
        ok = 0
        for raw in receipts:
            record = json.loads(raw)
            signature_text = record.pop("signature")
            signature = b58decode(signature_text[1:])
            verify_keys[record["voter"]].verify(PREFIX + rfc8785.dumps(record), signature)
            record["signature"] = signature_text
            receipt_hash = "blake3:" + blake3.blake3(rfc8785.dumps(record)).hexdigest()
            ok += bool(receipt_hash)
        return ok

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--receipts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    receipts, keys = make_receipts(args.receipts)
    keyring = vm.Keyring(keys)
    n = len(receipts)

    def single(rs: List[bytes]) -> int:
        return sum(1 for r in rs if vm.verify_record(r, keyring).valid)

    def batch(rs: List[bytes]) -> int:
        return sum(1 for v in vm.verify_batch(rs, keyring) if v.valid)

    plain = plain_pipeline(keys)
    # Same verdicts and hashes first.
    assert plain(receipts[:10]) == 10 and single(receipts) == n and batch(receipts) == n
    assert [v.receipt_hash for v in vm.verify_batch(receipts[:10], keyring)] == [
        "blake3:" + blake3.blake3(rfc8785.dumps(json.loads(r))).hexdigest() for r in receipts[:10]
    ]

    paths = {"plain": plain, "single": single, "batch": batch}
    rates: Dict[str, List[float]] = {k: [] for k in paths}
    for round_ in range(args.rounds):
        order = list(paths) if round_ % 2 == 0 else list(reversed(paths))
        for name in order:
            start = time.perf_counter()
            assert paths[name](receipts) == n
            rates[name].append(n / (time.perf_counter() - start))
    median = {k: statistics.median(v) for k, v in rates.items()}
    ratio = {
        k: statistics.median(a / b for a, b in zip(rates[k], rates["plain"])) for k in ("single", "batch")
    }
    print(f"python {sys.version.split()[0]}, libvaultmesh {vm.version()} ({os.path.basename(vm.library_path())} "
          f"from {os.path.dirname(vm.library_path())}), {n} receipts x {args.rounds} rounds")
    for k in paths:
        extra = f"  {ratio[k]:.2f}x plain" if k in ratio else ""
        print(f"  {k:<7} {median[k]:>9,.0f} receipts/s{extra}")
    if ratio["batch"] < 3.0:
        print("batch is below 3x the plain pipeline", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
