//! Federation records: agreements, scroll checkpoints, witness receipts, cross-anchors, and
//! receipts and scroll growth checked against signed checkpoints.

use vaultmesh_core::federation::{self, Agreement, Checkpoint};
use vaultmesh_core::json::Value;
use vaultmesh_core::record::{Failure, Keyring};
use vaultmesh_core::Digest;

use crate::boundary::{self, get, handle, handle_slot, optional_handle, Handle};
use crate::keyring::vm_keyring;
use crate::merkle::{consistency_proof_arg, inclusion_proof_arg};
use crate::status::vm_status;
use crate::types::{record_arg, verdict_of, vm_digest, vm_limits, vm_verdict};

/// A verified agreement (parties, trust level, `agreement_hash`, each party's key), made by
/// `vm_agreement_verify` and released by `vm_agreement_free`. Pass it to
/// `vm_cross_anchor_verify` to check a cross-anchor against it.
pub struct vm_agreement {
    _opaque: [u8; 0],
}

impl Handle for vm_agreement {
    type Inner = Agreement;
    const TAG: u64 = 0x766d_6167_7265_656d; // "vmagreem"
}

/// A verified scroll checkpoint (signed tree head: mesh, scroll, size, root), made by
/// `vm_checkpoint_verify` and released by `vm_checkpoint_free`. Sizes and roots for proofs come
/// from here, never from a proof alone.
pub struct vm_checkpoint {
    _opaque: [u8; 0],
}

impl Handle for vm_checkpoint {
    type Inner = Checkpoint;
    const TAG: u64 = 0x766d_6368_6563_6b70; // "vmcheckp"
}

/// Verifies the record argument (parsed with its limits) with `verify` and the keys of
/// `keyring`; `*out_verdict` (may be NULL) receives the hash `verify` gives or the failure, and
/// `*out_handle` (may be NULL) a new handle holding the verified value, or NULL.
///
/// # Safety
/// As [`handle_slot`] for `out_handle`, [`verdict_of`] for `out_verdict`, [`handle`] for
/// `keyring` and [`record_arg`] for the record.
unsafe fn verify_to_handle<H: Handle>(
    keyring: *const vm_keyring,
    record: *const u8,
    record_len: usize,
    limits: *const vm_limits,
    out_verdict: *mut vm_verdict,
    out_handle: *mut *mut H,
    verify: impl FnOnce(&Value<'_>, &Keyring) -> Result<(Digest, H::Inner), Failure>,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    unsafe {
        let slot = handle_slot(out_handle)?;
        let mut verified = None;
        verdict_of(out_verdict, || {
            let keyring = handle(keyring)?;
            let (hash, value) = verify(&record_arg(record, record_len, limits)?, keyring)?;
            verified = Some(value);
            Ok(hash)
        })?;
        if let Some(value) = verified {
            slot.fill(value);
        }
        Ok(())
    }
}

/// Verifies the record argument (parsed with its limits) with `verify`, the keys of `keyring`
/// and the optional handle `other` (NULL: none), checked in that order; `*out_verdict` (may be
/// NULL) receives the record's hash or the failure.
///
/// # Safety
/// As [`verdict_of`] for `out_verdict`, [`handle`] for `keyring` and `other`, and
/// [`record_arg`] for the record.
unsafe fn verify_with<H: Handle>(
    keyring: *const vm_keyring,
    record: *const u8,
    record_len: usize,
    limits: *const vm_limits,
    other: *const H,
    out_verdict: *mut vm_verdict,
    verify: impl FnOnce(&Value<'_>, &Keyring, Option<&H::Inner>) -> Result<Digest, Failure>,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    unsafe {
        verdict_of(out_verdict, || {
            let keyring = handle(keyring)?;
            let other = optional_handle(other)?;
            let value = record_arg(record, record_len, limits)?;
            Ok(verify(&value, keyring, other)?)
        })
    }
}

/// Verifies an agreement (wire format §9): fields, at least two distinct parties, `key_exchange`
/// and `signatures` naming exactly the parties, keys equal to any `known` holds for a party
/// (`KEY_MISMATCH`), the recomputed `agreement_hash`, and every party's strict signature.
///
/// `out_verdict` (may be NULL) receives the recomputed `agreement_hash` or the failure. When
/// `out_agreement` is not NULL and the agreement is valid, it receives a new `vm_agreement`
/// (release it with `vm_agreement_free`); otherwise it is set to NULL.
#[no_mangle]
pub unsafe extern "C" fn vm_agreement_verify(
    known: *const vm_keyring,
    record: *const u8,
    record_len: usize,
    limits: *const vm_limits,
    out_verdict: *mut vm_verdict,
    out_agreement: *mut *mut vm_agreement,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            verify_to_handle(
                known,
                record,
                record_len,
                limits,
                out_verdict,
                out_agreement,
                |value, known| {
                    federation::verify_agreement(value, known)
                        .map(|agreement| (agreement.agreement_hash, agreement))
                },
            )
        }
    })
}

/// Stores the agreement's recomputed `agreement_hash` in `*out_hash`.
#[no_mangle]
pub unsafe extern "C" fn vm_agreement_hash(
    agreement: *const vm_agreement,
    out_hash: *mut vm_digest,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { get(agreement, out_hash, |a| a.agreement_hash.into()) }
    })
}

/// Stores the agreement's trust level (0–4) in `*out_level`.
#[no_mangle]
pub unsafe extern "C" fn vm_agreement_trust_level(
    agreement: *const vm_agreement,
    out_level: *mut u64,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { get(agreement, out_level, |a| a.trust_level) }
    })
}

/// Releases an agreement. NULL does nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_agreement_free(agreement: *mut vm_agreement) {
    // SAFETY: the caller's contract: NULL or a live agreement.
    ffi!({ unsafe { boundary::free(agreement) } })
}

/// Verifies a scroll checkpoint (signed tree head) and its signature by `mesh_id`'s key from
/// `keyring`. `out_verdict` (may be NULL) receives its `receipt_hash` or the failure. When
/// `out_checkpoint` is not NULL and the checkpoint is valid, it receives a new `vm_checkpoint`
/// (release it with `vm_checkpoint_free`); otherwise it is set to NULL.
#[no_mangle]
pub unsafe extern "C" fn vm_checkpoint_verify(
    keyring: *const vm_keyring,
    record: *const u8,
    record_len: usize,
    limits: *const vm_limits,
    out_verdict: *mut vm_verdict,
    out_checkpoint: *mut *mut vm_checkpoint,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            verify_to_handle(
                keyring,
                record,
                record_len,
                limits,
                out_verdict,
                out_checkpoint,
                |value, keyring| {
                    federation::verify_checkpoint(value, keyring)
                        .map(|checkpoint| (checkpoint.receipt_hash, checkpoint))
                },
            )
        }
    })
}

/// Stores the checkpoint's `tree_size` in `*out_size`.
#[no_mangle]
pub unsafe extern "C" fn vm_checkpoint_tree_size(
    checkpoint: *const vm_checkpoint,
    out_size: *mut u64,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { get(checkpoint, out_size, |c| c.tree_size) }
    })
}

/// Stores the checkpoint's Merkle `root` in `*out_root`.
#[no_mangle]
pub unsafe extern "C" fn vm_checkpoint_root(
    checkpoint: *const vm_checkpoint,
    out_root: *mut vm_digest,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { get(checkpoint, out_root, |c| c.root.into()) }
    })
}

/// Releases a checkpoint. NULL does nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_checkpoint_free(checkpoint: *mut vm_checkpoint) {
    // SAFETY: the caller's contract: NULL or a live checkpoint.
    ffi!({ unsafe { boundary::free(checkpoint) } })
}

/// Verifies a witness receipt: signature by `witnessing_mesh`, `verification_result` agreeing
/// with `discrepancies`, and — when `checkpoint` is not NULL — that the witnessed mesh, scroll,
/// root and size are the checkpoint's (`CHECKPOINT_MISMATCH`). `out_verdict` (may be NULL)
/// receives its `receipt_hash` or the failure.
#[no_mangle]
pub unsafe extern "C" fn vm_witness_verify(
    keyring: *const vm_keyring,
    record: *const u8,
    record_len: usize,
    limits: *const vm_limits,
    checkpoint: *const vm_checkpoint,
    out_verdict: *mut vm_verdict,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            verify_with(
                keyring,
                record,
                record_len,
                limits,
                checkpoint,
                out_verdict,
                federation::verify_witness,
            )
        }
    })
}

/// Verifies a cross-anchor: distinct meshes, non-empty `roots_included`, the recomputed
/// `combined_root`, and — when `agreement` is not NULL — that the agreement is between these two
/// meshes at trust level 3 (`attest`) or above; then the signature by `anchoring_mesh`.
/// `out_verdict` (may be NULL) receives its `receipt_hash` or the failure.
#[no_mangle]
pub unsafe extern "C" fn vm_cross_anchor_verify(
    keyring: *const vm_keyring,
    record: *const u8,
    record_len: usize,
    limits: *const vm_limits,
    agreement: *const vm_agreement,
    out_verdict: *mut vm_verdict,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            verify_with(
                keyring,
                record,
                record_len,
                limits,
                agreement,
                out_verdict,
                federation::verify_cross_anchor,
            )
        }
    })
}

/// Verifies that `record` is the receipt at `proof.leaf_index` of the tree `checkpoint` signs.
/// `proof` is the inclusion proof JSON `{"leaf_index", "tree_size", "path"}`; its size must be
/// the checkpoint's (`CHECKPOINT_MISMATCH`). `out_verdict` (may be NULL) receives the status and
/// the field concerned; its `hash` is the checkpoint's root on success.
#[no_mangle]
pub unsafe extern "C" fn vm_checkpoint_verify_inclusion(
    checkpoint: *const vm_checkpoint,
    record: *const u8,
    record_len: usize,
    proof: *const u8,
    proof_len: usize,
    out_verdict: *mut vm_verdict,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            verdict_of(out_verdict, || {
                let c = handle(checkpoint)?;
                let proof = inclusion_proof_arg(proof, proof_len)?;
                let value = record_arg(record, record_len, std::ptr::null())?;
                federation::verify_inclusion(&value, &proof, c)?;
                Ok(c.root)
            })
        }
    })
}

/// Verifies that checkpoint `new` extends checkpoint `old`: same mesh and scroll, the proof's
/// sizes equal to the checkpoints' (`CHECKPOINT_MISMATCH`), and the consistency proof JSON
/// `{"old_size", "new_size", "path"}` between their roots (RFC 9162 §2.1.4.2). `out_verdict`
/// (may be NULL) receives the status and the field concerned; its `hash` is the new root on
/// success.
#[no_mangle]
pub unsafe extern "C" fn vm_checkpoint_verify_consistency(
    old: *const vm_checkpoint,
    new: *const vm_checkpoint,
    proof: *const u8,
    proof_len: usize,
    out_verdict: *mut vm_verdict,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            verdict_of(out_verdict, || {
                let (old, new) = (handle(old)?, handle(new)?);
                let proof = consistency_proof_arg(proof, proof_len)?;
                federation::verify_consistency(old, new, &proof)?;
                Ok(new.root)
            })
        }
    })
}
