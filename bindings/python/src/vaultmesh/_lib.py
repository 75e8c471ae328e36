"""Loading libvaultmesh and declaring its C functions (ctypes; no compiler needed).

The library is found, in order:

1. ``VAULTMESH_LIBRARY``: the path of the shared library (``libvaultmesh.so``, ``.dylib``,
   ``vaultmesh.dll``);
2. the newest ``libvaultmesh`` built by cargo in ``$CARGO_TARGET_DIR/{release,debug}``, in
   ``target/{release,debug}`` of the Cargo workspace that holds the current directory or this
   package (a source checkout or an editable install), or in the project's cache
   ``~/.cache/vaultmesh/target/{release,debug}`` (where its CI builds);
3. the system's library path (``ctypes.util.find_library("vaultmesh")``), e.g. after
   ``bindings/c/install.sh``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from ctypes import POINTER, c_char_p, c_int64, c_size_t, c_uint8, c_uint32, c_uint64, c_void_p
from pathlib import Path
from typing import List, Optional

if sys.platform == "darwin":
    _FILE = "libvaultmesh.dylib"
elif sys.platform == "win32":
    _FILE = "vaultmesh.dll"
else:
    _FILE = "libvaultmesh.so"


def _workspace_targets(start: Path) -> List[Path]:
    """``target`` of every directory from ``start`` upwards that has a ``Cargo.toml``."""
    found = []
    for d in [start, *start.parents]:
        if (d / "Cargo.toml").is_file() and (d / "target").is_dir():
            found.append(d / "target")
    return found


def candidates() -> List[Path]:
    """Every libvaultmesh built by cargo that this package can see, newest first."""
    roots: List[Path] = []
    if os.environ.get("CARGO_TARGET_DIR"):
        roots.append(Path(os.environ["CARGO_TARGET_DIR"]))
    roots += _workspace_targets(Path.cwd().resolve())
    roots += _workspace_targets(Path(__file__).resolve().parent)
    roots.append(Path.home() / ".cache" / "vaultmesh" / "target")
    seen = set()
    found = []
    for root in roots:
        for profile in ("release", "debug"):
            p = root / profile / _FILE
            if p.is_file() and p not in seen:
                seen.add(p)
                found.append(p)
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return found


def find_library() -> str:
    """The path of the library to load (see the module documentation)."""
    override = os.environ.get("VAULTMESH_LIBRARY")
    if override:
        return override
    built = candidates()
    if built:
        return str(built[0])
    system = ctypes.util.find_library("vaultmesh")
    if system:
        return system
    raise OSError(
        "libvaultmesh not found: build it with `cargo build --release -p vaultmesh-ffi` in the "
        "VaultMesh repository (or set VAULTMESH_LIBRARY to the library's path)"
    )


class Digest(ctypes.Structure):
    _fields_ = [("bytes", c_uint8 * 32)]


class Limits(ctypes.Structure):
    _fields_ = [("max_bytes", c_size_t), ("max_depth", c_size_t)]


class Verdict(ctypes.Structure):
    _fields_ = [
        ("status", c_uint32),
        ("hash", Digest),
        ("field", c_void_p),
        ("field_len", c_size_t),
    ]


class BundleSummary(ctypes.Structure):
    _fields_ = [
        ("verdict", c_uint32),
        ("bundle_hash", Digest),
        ("items", c_uint64),
        ("valid", c_uint64),
        ("invalid", c_uint64),
        ("not_checked", c_uint64),
        ("unproven_growth", c_uint64),
    ]


class ChainReport(ctypes.Structure):
    _fields_ = [
        ("status", c_uint32),
        ("violation_index", c_int64),
        ("field", c_void_p),
        ("field_len", c_size_t),
        ("receipts", c_uint64),
        ("verified", c_uint64),
        ("versions", c_uint64),
        ("constitution_hash", Digest),
        ("version_major", c_uint64),
        ("version_minor", c_uint64),
        ("version_patch", c_uint64),
    ]


_u8p = POINTER(c_uint8)
_size_p = POINTER(c_size_t)
_handle = c_void_p
_handle_p = POINTER(c_void_p)
_limits_p = POINTER(Limits)
_digest_p = POINTER(Digest)
_verdict_p = POINTER(Verdict)

# name: (argument types); every function returns vm_status (uint32_t) unless listed in _OTHER.
_SIGNATURES = {
    "vm_status_message": [c_uint32, c_char_p, c_size_t, _size_p],
    "vm_keyring_new": [_handle_p],
    "vm_keyring_from_json": [c_char_p, c_size_t, _handle_p],
    "vm_keyring_add": [_handle, c_char_p, c_size_t, c_char_p, c_size_t],
    "vm_keyring_len": [_handle, _size_p],
    "vm_json_canonicalize": [c_char_p, c_size_t, _limits_p, c_char_p, c_size_t, _size_p],
    "vm_record_receipt_hash": [c_char_p, c_size_t, _limits_p, _digest_p],
    "vm_digest_parse": [c_char_p, c_size_t, _digest_p],
    "vm_digest_to_text": [_digest_p, c_char_p, c_size_t, _size_p],
    "vm_public_key_normalize": [c_char_p, c_size_t, c_char_p, c_size_t, _size_p],
    "vm_signature_normalize": [c_char_p, c_size_t, c_char_p, c_size_t, _size_p],
    "vm_timestamp_normalize": [c_char_p, c_size_t, c_char_p, c_size_t, _size_p],
    "vm_actor_id_check": [c_char_p, c_size_t],
    "vm_engine_id_check": [c_char_p, c_size_t],
    "vm_record_verify": [_handle, c_char_p, c_size_t, c_char_p, c_size_t, _limits_p, _verdict_p],
    "vm_record_verify_batch": [
        _handle, POINTER(c_char_p), _size_p, c_size_t, c_char_p, c_size_t, _limits_p, c_char_p, _verdict_p,
    ],
    "vm_agreement_verify": [_handle, c_char_p, c_size_t, _limits_p, _verdict_p, _handle_p],
    "vm_agreement_hash": [_handle, _digest_p],
    "vm_agreement_trust_level": [_handle, POINTER(c_uint64)],
    "vm_checkpoint_verify": [_handle, c_char_p, c_size_t, _limits_p, _verdict_p, _handle_p],
    "vm_checkpoint_tree_size": [_handle, POINTER(c_uint64)],
    "vm_checkpoint_root": [_handle, _digest_p],
    "vm_witness_verify": [_handle, c_char_p, c_size_t, _limits_p, _handle, _verdict_p],
    "vm_cross_anchor_verify": [_handle, c_char_p, c_size_t, _limits_p, _handle, _verdict_p],
    "vm_checkpoint_verify_inclusion": [_handle, c_char_p, c_size_t, c_char_p, c_size_t, _verdict_p],
    "vm_checkpoint_verify_consistency": [_handle, _handle, c_char_p, c_size_t, _verdict_p],
    "vm_merkle_leaf_hash": [c_char_p, c_size_t, _digest_p],
    "vm_merkle_root": [POINTER(c_char_p), _size_p, c_size_t, _digest_p, _size_p],
    "vm_merkle_root_jsonl": [c_char_p, c_size_t, _digest_p, POINTER(c_uint64), _size_p],
    "vm_merkle_verify_inclusion": [_digest_p, c_uint64, c_char_p, c_size_t, c_char_p, c_size_t],
    "vm_merkle_verify_consistency": [_digest_p, _digest_p, c_char_p, c_size_t],
    "vm_scroll_tree_new": [_handle_p],
    "vm_scroll_tree_append": [_handle, c_char_p, c_size_t],
    "vm_scroll_tree_append_jsonl": [_handle, c_char_p, c_size_t, _size_p],
    "vm_scroll_tree_size": [_handle, POINTER(c_uint64)],
    "vm_scroll_tree_root": [_handle, _digest_p],
    "vm_scroll_tree_prove_inclusion": [_handle, c_uint64, c_char_p, c_size_t, _size_p],
    "vm_scroll_tree_prove_consistency": [_handle, c_uint64, c_char_p, c_size_t, _size_p],
    "vm_governance_chain_verify": [c_char_p, c_size_t, _limits_p, POINTER(ChainReport), _handle_p],
    "vm_governance_chain_report_json": [_handle, c_char_p, c_size_t, _size_p],
    "vm_bundle_verify": [_handle, c_char_p, c_size_t, _limits_p, POINTER(BundleSummary), _handle_p],
    "vm_bundle_report_json": [_handle, c_char_p, c_size_t, _size_p],
    "vm_bundle_report_summary": [_handle, POINTER(BundleSummary)],
    "vm_secret_key_from_file": [c_char_p, c_size_t, _handle_p],
    "vm_secret_key_from_seed": [c_char_p, _handle_p],
    "vm_secret_key_generate": [_handle_p],
    "vm_secret_key_to_file": [_handle, c_char_p, c_size_t, _size_p],
    "vm_secret_key_public": [_handle, c_char_p, c_size_t, _size_p],
    "vm_record_sign": [_handle, c_char_p, c_size_t, c_char_p, c_size_t, _limits_p, c_char_p, c_size_t, _size_p],
    "vm_governance_chain_emergency_powers_at": [_handle, c_char_p, c_size_t, c_char_p, c_size_t, _size_p],
    "vm_governance_chain_suspended_capabilities": [
        _handle, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, _size_p,
    ],
}

_OTHER = {
    "vm_version": ([], c_char_p),
    "vm_status_name": ([c_uint32], c_char_p),
    "vm_keyring_free": ([_handle], None),
    "vm_agreement_free": ([_handle], None),
    "vm_checkpoint_free": ([_handle], None),
    "vm_scroll_tree_free": ([_handle], None),
    "vm_governance_chain_free": ([_handle], None),
    "vm_bundle_report_free": ([_handle], None),
    "vm_secret_key_free": ([_handle], None),
}


def load(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads the library and declares every function's prototype."""
    lib = ctypes.CDLL(path or find_library())
    for name, args in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = c_uint32
    for name, (args, res) in _OTHER.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = res
    return lib


lib = load()
path = lib._name

__all__ = ["lib", "path", "load", "find_library", "candidates", "Digest", "Limits", "Verdict", "ChainReport", "BundleSummary"]
