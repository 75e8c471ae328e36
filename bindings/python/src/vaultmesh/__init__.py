"""VaultMesh verification for Python.

A thin, typed layer over libvaultmesh, the C ABI of the Rust verification core: every verdict
is the core's, so Python gets exactly what the node, the browser and the C library get.

>>> import vaultmesh
>>> keys = vaultmesh.Keyring({"did:vm:human:alice": "ed25519:z6Mk..."})     # doctest: +SKIP
>>> vaultmesh.verify_record(record_bytes, keys).receipt_hash               # doctest: +SKIP
'blake3:…'

Records are ``bytes`` (verified exactly as given), ``str`` (UTF-8) or ``dict`` (serialised with
``json.dumps``; signatures are checked over the canonical form, so member order does not
matter). A rejected record raises :class:`VerificationError` with ``.code`` and ``.name`` (the
core's stable error, docs/SPEC.md §8) and ``.field``; :func:`verify_batch` returns one
:class:`Verdict` per record instead of raising.
"""

from __future__ import annotations

import ctypes
import os
import json
import struct
from ctypes import byref, c_char_p, c_size_t, c_uint64, c_void_p
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _lib
from ._lib import lib

__version__ = "0.1.0"

Record = Union[bytes, bytearray, memoryview, str, Mapping[str, Any]]
Proof = Union[bytes, str, Mapping[str, Any]]

__all__ = [
    "Record", "Proof", "VaultMeshError", "VerificationError", "LibraryError", "Verdict", "Keyring", "Agreement",
    "Checkpoint", "ScrollTree", "SecretKey", "GovernanceChain", "BundleReport", "verify_bundle", "version", "library_path", "status_name", "status_message",
    "canonicalize", "receipt_hash", "parse_digest", "normalize_public_key", "normalize_signature",
    "normalize_timestamp", "check_actor_id", "check_engine_id", "verify_record", "verify_batch", "verify_agreement",
    "verify_checkpoint", "verify_witness", "verify_cross_anchor", "merkle_root", "jsonl_root", "prove_inclusion",
    "prove_consistency", "verify_inclusion", "verify_consistency", "verify_governance_chain",
]

OK = 0
BUFFER_TOO_SMALL = 902


# ------------------------------------------------------------------------------------------
# Errors


def status_name(code: int) -> str:
    """The stable name of a status code (``"DUPLICATE_KEY"``; ``"UNKNOWN_STATUS"`` if none)."""
    return lib.vm_status_name(code).decode()


def status_message(code: int) -> str:
    """The one-line message of a status code."""
    buf = ctypes.create_string_buffer(256)
    n = c_size_t()
    lib.vm_status_message(code, buf, len(buf), byref(n))
    return buf.raw[: n.value].decode()


class VaultMeshError(Exception):
    """A status other than OK. ``code`` and ``name`` are stable; ``field`` names the record
    member concerned, when there is one."""

    def __init__(self, code: int, field: Optional[str] = None) -> None:
        self.code = code
        self.name = status_name(code)
        self.message = status_message(code)
        self.field = field
        where = f" (field `{field}`)" if field else ""
        super().__init__(f"{self.name} ({code}): {self.message}{where}")


class VerificationError(VaultMeshError):
    """The input was checked and rejected: a core error (codes 100–899)."""


class LibraryError(VaultMeshError):
    """The call itself failed at the boundary (codes 900 and up): a bug in these bindings."""


def _error(code: int, field: Optional[str] = None) -> VaultMeshError:
    return (LibraryError if code >= 900 else VerificationError)(code, field)


def _check(code: int, field: Optional[str] = None) -> None:
    if code != OK:
        raise _error(code, field)


def _field(ptr: Optional[int], length: int) -> Optional[str]:
    return ctypes.string_at(ptr, length).decode() if ptr else None


# ------------------------------------------------------------------------------------------
# Values


def _hex(digest_bytes: bytes) -> str:
    return "blake3:" + digest_bytes.hex()


def _digest_text(d: _lib.Digest) -> str:
    return _hex(bytes(d.bytes))


def _digest_of(text: str) -> _lib.Digest:
    d = _lib.Digest()
    raw = text.encode()
    _check(lib.vm_digest_parse(raw, len(raw), byref(d)))
    return d


def _record_bytes(record: Record) -> bytes:
    if isinstance(record, bytes):
        return record
    if isinstance(record, (bytearray, memoryview)):
        return bytes(record)
    if isinstance(record, str):
        return record.encode()
    if isinstance(record, Mapping):
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    raise TypeError(f"a record is bytes, str or a dict, not {type(record).__name__}")


def _proof_bytes(proof: Proof) -> bytes:
    return _record_bytes(proof)


def _limits(max_bytes: Optional[int], max_depth: Optional[int]) -> Optional[_lib.Limits]:
    if max_bytes is None and max_depth is None:
        return None
    return _lib.Limits(max_bytes or 0, max_depth or 0)


def _lim_ref(limits: Optional[_lib.Limits]) -> Any:
    return byref(limits) if limits is not None else None


def _buffer(call: Any) -> bytes:
    """Runs ``call(out, cap, out_len)`` with a buffer sized by a first size query."""
    n = c_size_t()
    cap = 512
    while True:
        buf = ctypes.create_string_buffer(cap)
        code = call(buf, cap, byref(n))
        if code == OK:
            return buf.raw[: n.value]
        if code != BUFFER_TOO_SMALL:
            raise _error(code)
        cap = n.value


@dataclass(frozen=True)
class Verdict:
    """One verification's outcome. ``valid`` with ``receipt_hash`` (``blake3:…``; for an
    agreement its ``agreement_hash``), or the error's ``code``, ``name`` and ``field``."""

    valid: bool
    receipt_hash: Optional[str]
    code: int = OK
    name: str = "OK"
    field: Optional[str] = None

    def __bool__(self) -> bool:
        return self.valid

    @property
    def error(self) -> Optional[VaultMeshError]:
        """The error as an exception (``None`` when valid)."""
        return None if self.valid else _error(self.code, self.field)

    def raise_for_error(self) -> "Verdict":
        """Raises the error of an invalid verdict; returns the verdict otherwise."""
        if not self.valid:
            raise _error(self.code, self.field)
        return self


def _verdict(v: _lib.Verdict) -> Verdict:
    if v.status == OK:
        return Verdict(True, _digest_text(v.hash))
    return Verdict(False, None, v.status, status_name(v.status), _field(v.field, v.field_len))


def _verdict_or_raise(code: int, v: _lib.Verdict) -> Verdict:
    if code != OK:
        raise _error(code, _field(v.field, v.field_len))
    return Verdict(True, _digest_text(v.hash))


# ------------------------------------------------------------------------------------------
# Handles


class _Handle:
    _free: Any = None

    def __init__(self) -> None:
        self._ptr = c_void_p()

    @property
    def _as_parameter_(self) -> c_void_p:
        if not self._ptr:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._ptr

    def close(self) -> None:
        """Releases the library object now (it is also released when garbage-collected)."""
        if self._ptr:
            type(self)._free(self._ptr)
            self._ptr = c_void_p()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Keyring(_Handle):
    """Actor id → Ed25519 key (``ed25519:z…`` or ``did:key:z…``). Build once, reuse."""

    _free = lib.vm_keyring_free

    def __init__(self, keys: Optional[Mapping[str, str]] = None) -> None:
        super().__init__()
        _check(lib.vm_keyring_new(byref(self._ptr)))
        for actor, key in (keys or {}).items():
            self.add(actor, key)

    @classmethod
    def from_json(cls, data: Union[bytes, str]) -> "Keyring":
        """A keyring from the JSON object ``{"actor": "ed25519:z…", …}`` (strict I-JSON)."""
        ring = cls.__new__(cls)
        _Handle.__init__(ring)
        raw = data.encode() if isinstance(data, str) else bytes(data)
        _check(lib.vm_keyring_from_json(raw, len(raw), byref(ring._ptr)))
        return ring

    def add(self, actor: str, key: str) -> None:
        """Adds or replaces ``actor``'s key (checked: MALFORMED_KEY, NON_CANONICAL_KEY, …)."""
        a, k = actor.encode(), key.encode()
        _check(lib.vm_keyring_add(self, a, len(a), k, len(k)))

    def __len__(self) -> int:
        n = c_size_t()
        _check(lib.vm_keyring_len(self, byref(n)))
        return n.value


class Agreement(_Handle):
    """A verified agreement (see :func:`verify_agreement`)."""

    _free = lib.vm_agreement_free

    @property
    def agreement_hash(self) -> str:
        d = _lib.Digest()
        _check(lib.vm_agreement_hash(self, byref(d)))
        return _digest_text(d)

    @property
    def trust_level(self) -> int:
        n = c_uint64()
        _check(lib.vm_agreement_trust_level(self, byref(n)))
        return n.value


class Checkpoint(_Handle):
    """A verified scroll checkpoint (see :func:`verify_checkpoint`): sizes and roots for proofs
    come from here, never from a proof alone."""

    _free = lib.vm_checkpoint_free
    receipt_hash: str

    @property
    def tree_size(self) -> int:
        n = c_uint64()
        _check(lib.vm_checkpoint_tree_size(self, byref(n)))
        return n.value

    @property
    def root(self) -> str:
        d = _lib.Digest()
        _check(lib.vm_checkpoint_root(self, byref(d)))
        return _digest_text(d)

    def verify_inclusion(self, record: Record, proof: Proof) -> None:
        """Checks that ``record`` is in the tree this checkpoint signs (raises otherwise)."""
        r, p = _record_bytes(record), _proof_bytes(proof)
        v = _lib.Verdict()
        code = lib.vm_checkpoint_verify_inclusion(self, r, len(r), p, len(p), byref(v))
        _check(code, _field(v.field, v.field_len))

    def verify_consistency(self, newer: "Checkpoint", proof: Proof) -> None:
        """Checks that ``newer`` extends this checkpoint's scroll (raises otherwise)."""
        p = _proof_bytes(proof)
        v = _lib.Verdict()
        code = lib.vm_checkpoint_verify_consistency(self, newer, p, len(p), byref(v))
        _check(code, _field(v.field, v.field_len))


class ScrollTree(_Handle):
    """An append-only scroll Merkle tree (RFC 9162 with BLAKE3)."""

    _free = lib.vm_scroll_tree_free

    def __init__(self, records: Iterable[Record] = ()) -> None:
        super().__init__()
        _check(lib.vm_scroll_tree_new(byref(self._ptr)))
        for r in records:
            self.append(r)

    def append(self, record: Record) -> None:
        """Appends one record (its leaf is ``blake3(0x00 ‖ JCS(record))``)."""
        r = _record_bytes(record)
        _check(lib.vm_scroll_tree_append(self, r, len(r)))

    def extend_jsonl(self, data: Union[bytes, str]) -> None:
        """Appends every record of a JSON Lines scroll, all or nothing. The error of a failing
        line carries ``.line`` (1-based)."""
        raw = data.encode() if isinstance(data, str) else bytes(data)
        line = c_size_t()
        code = lib.vm_scroll_tree_append_jsonl(self, raw, len(raw), byref(line))
        if code != OK:
            e = _error(code)
            e.line = line.value  # type: ignore[attr-defined]
            raise e

    def __len__(self) -> int:
        n = c_uint64()
        _check(lib.vm_scroll_tree_size(self, byref(n)))
        return n.value

    @property
    def root(self) -> str:
        d = _lib.Digest()
        _check(lib.vm_scroll_tree_root(self, byref(d)))
        return _digest_text(d)

    def prove_inclusion(self, index: int) -> Dict[str, Any]:
        """The inclusion proof of record ``index``: ``{"leaf_index", "path", "tree_size"}``."""
        return json.loads(_buffer(lambda out, cap, n: lib.vm_scroll_tree_prove_inclusion(self, index, out, cap, n)))

    def prove_consistency(self, old_size: int) -> Dict[str, Any]:
        """The consistency proof from the first ``old_size`` records: ``{"new_size", "old_size", "path"}``."""
        return json.loads(
            _buffer(lambda out, cap, n: lib.vm_scroll_tree_prove_consistency(self, old_size, out, cap, n))
        )


class SecretKey(_Handle):
    """An Ed25519 signing key (docs/SPEC.md §3.2): the library keeps the secret and overwrites it
    when the key is closed or collected. Read one with :meth:`from_file` or :meth:`from_text`
    (the node's key file, ``ed25519-seed:`` and 64 lowercase hex digits), or make one with
    :meth:`generate` or :meth:`from_seed`."""

    _free = lib.vm_secret_key_free

    def __init__(self) -> None:
        raise TypeError("use SecretKey.generate(), from_seed(), from_text() or from_file()")

    @classmethod
    def _made(cls, make: Any) -> "SecretKey":
        key = cls.__new__(cls)
        _Handle.__init__(key)
        _check(make(byref(key._ptr)))
        return key

    @classmethod
    def generate(cls) -> "SecretKey":
        """A new key from the operating system's randomness."""
        return cls._made(lib.vm_secret_key_generate)

    @classmethod
    def from_seed(cls, seed: bytes) -> "SecretKey":
        """The key of a 32-byte Ed25519 seed (RFC 8032 §5.1.5)."""
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        return cls._made(lambda out: lib.vm_secret_key_from_seed(bytes(seed), out))

    @classmethod
    def from_text(cls, text: Union[bytes, str]) -> "SecretKey":
        """Reads key file text (raises MALFORMED_SECRET_KEY; the error never quotes it)."""
        raw = text.encode() if isinstance(text, str) else bytes(text)
        return cls._made(lambda out: lib.vm_secret_key_from_file(raw, len(raw), out))

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"]) -> "SecretKey":
        """Reads a key file (the node's ``federation.key``, ``vm-key generate``'s output)."""
        with open(path, "rb") as f:
            return cls.from_text(f.read())

    def key_file_text(self) -> str:
        """The key file text (ends with a newline): write it to a file of mode 0600."""
        return _buffer(lambda out, cap, n: lib.vm_secret_key_to_file(self, out, cap, n)).decode()

    @property
    def public_key(self) -> str:
        """The public key, ``ed25519:z6Mk…``."""
        return _buffer(lambda out, cap, n: lib.vm_secret_key_public(self, out, cap, n)).decode()

    def sign(self, record: Record, kind: Optional[str] = None, *, max_bytes: Optional[int] = None,
             max_depth: Optional[int] = None) -> bytes:
        """Signs ``record`` (bytes, str or a JSON-serialisable object) as ``kind`` (``gov_vote``,
        ``checkpoint``, ``discovery``, ``proposal``, …; ``None``: the kind its ``type`` names) and
        returns the signed record as canonical JSON bytes. The record's fields are checked first
        (raises MISSING_FIELD, INVALID_FIELD, UNKNOWN_KIND, …); an old signature is replaced."""
        if not self._ptr:
            raise ValueError("SecretKey is closed")
        r = _record_bytes(record)
        k = (kind or "").encode()
        lim = _limits(max_bytes, max_depth)
        return _buffer(lambda out, cap, n: lib.vm_record_sign(self, r, len(r), k, len(k), _lim_ref(lim), out, cap, n))

    def __repr__(self) -> str:
        return f"SecretKey(public_key={self.public_key!r})" if self._ptr else "SecretKey(closed)"


# ------------------------------------------------------------------------------------------
# Functions


def version() -> str:
    """The loaded library's version."""
    return lib.vm_version().decode()


def library_path() -> str:
    """The path of the loaded library."""
    return _lib.path


def canonicalize(record: Record, *, max_bytes: Optional[int] = None, max_depth: Optional[int] = None) -> bytes:
    """The RFC 8785 canonical bytes of a strict I-JSON record."""
    r = _record_bytes(record)
    lim = _limits(max_bytes, max_depth)
    return _buffer(lambda out, cap, n: lib.vm_json_canonicalize(r, len(r), _lim_ref(lim), out, cap, n))


def receipt_hash(record: Record, *, max_bytes: Optional[int] = None, max_depth: Optional[int] = None) -> str:
    """``blake3(JCS(record))`` as ``blake3:…`` (parses; does not verify)."""
    r = _record_bytes(record)
    d = _lib.Digest()
    _check(lib.vm_record_receipt_hash(r, len(r), _lim_ref(_limits(max_bytes, max_depth)), byref(d)))
    return _digest_text(d)


def parse_digest(text: str) -> str:
    """Checks digest text (``blake3:`` + 64 lowercase hex) and returns it."""
    return _digest_text(_digest_of(text))


def _normalize(fn: Any, text: str) -> str:
    raw = text.encode()
    return _buffer(lambda out, cap, n: fn(raw, len(raw), out, cap, n)).decode()


def normalize_public_key(text: str) -> str:
    """Checks a key (``ed25519:z…`` / ``did:key:z…``) and returns its ``ed25519:z6Mk…`` form."""
    return _normalize(lib.vm_public_key_normalize, text)


def normalize_signature(text: str) -> str:
    """Checks a signature (``z`` + base58btc of 64 bytes) and returns its normal form."""
    return _normalize(lib.vm_signature_normalize, text)


def normalize_timestamp(text: str) -> str:
    """Checks a timestamp (``YYYY-MM-DDTHH:MM:SSZ``) and returns it."""
    return _normalize(lib.vm_timestamp_normalize, text)


def check_actor_id(text: str) -> None:
    """Checks an actor id ``did:vm:{mesh|human|agent}:<name>`` (raises MALFORMED_ACTOR_ID)."""
    raw = text.encode()
    _check(lib.vm_actor_id_check(raw, len(raw)))


def check_engine_id(text: str) -> None:
    """Checks an engine id ``engine:<name>`` (raises MALFORMED_ENGINE_ID)."""
    raw = text.encode()
    _check(lib.vm_engine_id_check(raw, len(raw)))


def verify_record(
    record: Record,
    keyring: Keyring,
    kind: Optional[str] = None,
    *,
    max_bytes: Optional[int] = None,
    max_depth: Optional[int] = None,
) -> Verdict:
    """Verifies one signed record (strict parse, kind, every field, strict Ed25519 signature by
    the signer the kind names). ``kind`` is needed for untyped records (``"discovery"``,
    ``"proposal"``, ``"response"``). Returns the valid :class:`Verdict`; raises
    :class:`VerificationError` when the record is rejected."""
    r = _record_bytes(record)
    k = kind.encode() if kind is not None else None
    v = _lib.Verdict()
    code = lib.vm_record_verify(
        keyring, r, len(r), k, len(k) if k else 0, _lim_ref(_limits(max_bytes, max_depth)), byref(v)
    )
    return _verdict_or_raise(code, v)


_VERDICT = struct.Struct("=I32s4xQQ" if ctypes.sizeof(c_void_p) == 8 else "=I32sII")
assert _VERDICT.size == ctypes.sizeof(_lib.Verdict)


def verify_batch(
    records: Sequence[Record],
    keyring: Keyring,
    kind: Optional[str] = None,
    *,
    seed: Optional[bytes] = None,
    max_bytes: Optional[int] = None,
    max_depth: Optional[int] = None,
) -> List[Verdict]:
    """Verifies many records with one Ed25519 batch equation; returns one :class:`Verdict` per
    record, exactly what :func:`verify_record` gives for it (never raises for an invalid
    record). ``seed`` (32 bytes) adds caller randomness; by default the library draws it from
    the operating system."""
    items = [r if type(r) is bytes else _record_bytes(r) for r in records]
    n = len(items)
    if n == 0:
        return []
    if seed is not None and len(seed) != 32:
        raise ValueError("seed must be 32 bytes")
    pointers = (c_char_p * n)(*items)
    lengths = (c_size_t * n)(*map(len, items))
    out = (_lib.Verdict * n)()
    k = kind.encode() if kind is not None else None
    code = lib.vm_record_verify_batch(
        keyring, pointers, lengths, n, k, len(k) if k else 0, _lim_ref(_limits(max_bytes, max_depth)), seed, out
    )
    _check(code)
    result = []
    for status, digest, field, field_len in _VERDICT.iter_unpack(ctypes.string_at(out, ctypes.sizeof(out))):
        if status == OK:
            result.append(Verdict(True, "blake3:" + digest.hex()))
        else:
            result.append(Verdict(False, None, status, status_name(status), _field(field, field_len)))
    return result


def verify_agreement(
    record: Record, known: Optional[Keyring] = None, *, max_bytes: Optional[int] = None
) -> Agreement:
    """Verifies an agreement (every party's signature, ``agreement_hash``, parties); keys in
    ``known`` must match ``key_exchange``. Returns the verified :class:`Agreement`."""
    r = _record_bytes(record)
    ring = known if known is not None else Keyring()
    a = Agreement()
    v = _lib.Verdict()
    code = lib.vm_agreement_verify(ring, r, len(r), _lim_ref(_limits(max_bytes, None)), byref(v), byref(a._ptr))
    _verdict_or_raise(code, v)
    return a


def verify_checkpoint(record: Record, keyring: Keyring, *, max_bytes: Optional[int] = None) -> Checkpoint:
    """Verifies a scroll checkpoint (signed tree head); returns the :class:`Checkpoint` (with
    ``receipt_hash``)."""
    r = _record_bytes(record)
    c = Checkpoint()
    v = _lib.Verdict()
    code = lib.vm_checkpoint_verify(keyring, r, len(r), _lim_ref(_limits(max_bytes, None)), byref(v), byref(c._ptr))
    c.receipt_hash = _verdict_or_raise(code, v).receipt_hash or ""
    return c


def verify_witness(record: Record, keyring: Keyring, checkpoint: Optional[Checkpoint] = None) -> Verdict:
    """Verifies a witness receipt, and that it matches ``checkpoint`` when given."""
    r = _record_bytes(record)
    v = _lib.Verdict()
    code = lib.vm_witness_verify(keyring, r, len(r), None, checkpoint, byref(v))
    return _verdict_or_raise(code, v)


def verify_cross_anchor(record: Record, keyring: Keyring, agreement: Optional[Agreement] = None) -> Verdict:
    """Verifies a cross-anchor, and that ``agreement`` (when given) covers it at trust level 3+."""
    r = _record_bytes(record)
    v = _lib.Verdict()
    code = lib.vm_cross_anchor_verify(keyring, r, len(r), None, agreement, byref(v))
    return _verdict_or_raise(code, v)


def merkle_root(records: Sequence[Record]) -> str:
    """The Merkle root of a list of records (``blake3("")`` for none)."""
    items = [_record_bytes(r) for r in records]
    n = len(items)
    d = _lib.Digest()
    failed = c_size_t()
    code = lib.vm_merkle_root((c_char_p * max(n, 1))(*items), (c_size_t * max(n, 1))(*map(len, items)), n,
                              byref(d), byref(failed))
    _check(code)
    return _digest_text(d)


def jsonl_root(data: Union[bytes, str]) -> Tuple[str, int]:
    """The Merkle root and size of a JSON Lines scroll."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    d, size, line = _lib.Digest(), c_uint64(), c_size_t()
    code = lib.vm_merkle_root_jsonl(raw, len(raw), byref(d), byref(size), byref(line))
    if code != OK:
        e = _error(code)
        e.line = line.value  # type: ignore[attr-defined]
        raise e
    return _digest_text(d), size.value


def prove_inclusion(records: Sequence[Record], index: int) -> Dict[str, Any]:
    """The inclusion proof of ``records[index]`` in the tree of ``records``."""
    with ScrollTree(records) as tree:
        return tree.prove_inclusion(index)


def prove_consistency(records: Sequence[Record], old_size: int) -> Dict[str, Any]:
    """The consistency proof from the first ``old_size`` of ``records`` to all of them."""
    with ScrollTree(records) as tree:
        return tree.prove_consistency(old_size)


def verify_inclusion(record: Record, proof: Proof, root: str, tree_size: int) -> None:
    """Checks that ``record`` is in the tree of ``tree_size`` leaves with root ``root`` (take both
    from a verified checkpoint). Raises :class:`VerificationError` otherwise."""
    p = _proof_bytes(proof)
    d = _digest_of(root)
    r = _record_bytes(record)
    _check(lib.vm_merkle_verify_inclusion(byref(d), tree_size, r, len(r), p, len(p)))


def verify_consistency(proof: Proof, old_root: str, new_root: str) -> None:
    """Checks that the tree with root ``old_root`` is a prefix of the one with ``new_root``."""
    p = _proof_bytes(proof)
    old, new = _digest_of(old_root), _digest_of(new_root)
    _check(lib.vm_merkle_verify_consistency(byref(old), byref(new), p, len(p)))


class GovernanceChain(_Handle):
    """A verified governance chain (see :func:`verify_governance_chain`): the summary of its
    report as attributes, the full report as a dict, and the queries over it."""

    _free = lib.vm_governance_chain_free
    valid: bool
    code: int
    name: str
    field: Optional[str]
    violation_index: Optional[int]
    receipts: int
    verified: int
    versions: int
    constitution_hash: Optional[str]
    version: Optional[str]

    def report(self) -> Dict[str, Any]:
        """The report in the governance vectors' form: ``{"valid": False, "index", "error",
        "code"}`` or ``{"valid": True, "final_version", "final_hash", "versions": [...]}``."""
        return json.loads(_buffer(lambda out, cap, n: lib.vm_governance_chain_report_json(self, out, cap, n)))

    def emergency_powers_at(self, at: str) -> List[Dict[str, str]]:
        """The emergency powers in force at ``at``: ``[{"order_id", "power"}, …]``."""
        t = at.encode()
        return json.loads(
            _buffer(lambda out, cap, n: lib.vm_governance_chain_emergency_powers_at(self, t, len(t), out, cap, n))
        )

    def suspended_capabilities(self, actor: str, at: str) -> List[Dict[str, str]]:
        """The capabilities of ``actor`` suspended at ``at``: ``[{"capability", "enforcement_id"}, …]``."""
        a, t = actor.encode(), at.encode()
        return json.loads(
            _buffer(
                lambda out, cap, n: lib.vm_governance_chain_suspended_capabilities(
                    self, a, len(a), t, len(t), out, cap, n
                )
            )
        )


def verify_governance_chain(chain: Record, *, max_bytes: Optional[int] = 16 << 20) -> GovernanceChain:
    """Verifies ``{"genesis": constitution, "receipts": [...]}`` receipt by receipt. Returns the
    :class:`GovernanceChain` whether or not a receipt broke a rule (``valid`` False, with the
    first violation's ``code``, ``name``, ``field`` and ``violation_index``)."""
    raw = _record_bytes(chain)
    rep = _lib.ChainReport()
    result = GovernanceChain()
    code = lib.vm_governance_chain_verify(raw, len(raw), _lim_ref(_limits(max_bytes, None)), byref(rep),
                                          byref(result._ptr))
    if code >= 900:
        raise _error(code)
    has = rep.versions > 0
    result.valid = rep.status == OK
    result.code = rep.status
    result.name = status_name(rep.status)
    result.field = _field(rep.field, rep.field_len)
    result.violation_index = rep.violation_index if rep.violation_index >= 0 else None
    result.receipts = rep.receipts
    result.verified = rep.verified
    result.versions = rep.versions
    result.constitution_hash = _digest_text(rep.constitution_hash) if has else None
    result.version = f"{rep.version_major}.{rep.version_minor}.{rep.version_patch}" if has else None
    return result


class BundleReport(_Handle):
    """An audit bundle's report (see :func:`verify_bundle`): the verdict and counts as
    attributes, the full report document with :meth:`to_dict`."""

    _free = lib.vm_bundle_report_free
    verdict: str
    bundle_hash: str
    items: int
    valid_items: int
    invalid_items: int
    not_checked: int
    unproven_growth: int

    @property
    def valid(self) -> bool:
        """True when every item is valid and every growth step proven."""
        return self.verdict == "valid"

    def to_dict(self) -> Dict[str, Any]:
        """The report document (docs/bundle.md, "Report"), as ``vm-verify bundle --json`` prints it."""
        return json.loads(_buffer(lambda out, cap, n: lib.vm_bundle_report_json(self, out, cap, n)))


_BUNDLE_VERDICTS = {0: "valid", 1: "invalid", 2: "incomplete"}


def verify_bundle(
    bundle: Record, pinned: Optional[Keyring] = None, *, max_bytes: Optional[int] = None
) -> BundleReport:
    """Checks every item of an audit bundle (keys, discovery records, agreements, checkpoints,
    proofs, receipts, witnesses, cross-anchors, governance chain) with the ``pinned`` keys
    trusted out of band. Returns the :class:`BundleReport` whatever its verdict; raises
    :class:`VerificationError` only when the input is not a bundle at all."""
    raw = _record_bytes(bundle)
    ring = pinned if pinned is not None else Keyring()
    summary = _lib.BundleSummary()
    report = BundleReport()
    _check(lib.vm_bundle_verify(ring, raw, len(raw), _lim_ref(_limits(max_bytes, None)), byref(summary),
                                byref(report._ptr)))
    report.verdict = _BUNDLE_VERDICTS.get(summary.verdict, "invalid")
    report.bundle_hash = _digest_text(summary.bundle_hash)
    report.items = summary.items
    report.valid_items = summary.valid
    report.invalid_items = summary.invalid
    report.not_checked = summary.not_checked
    report.unproven_growth = summary.unproven_growth
    return report


def _check_library_version() -> None:
    major, minor = (int(x) for x in version().split(".")[:2])
    want_major, want_minor = (int(x) for x in __version__.split(".")[:2])
    if (major, minor) != (want_major, want_minor):
        raise ImportError(
            f"libvaultmesh {version()} at {_lib.path} does not match the vaultmesh package {__version__}"
        )


_check_library_version()
