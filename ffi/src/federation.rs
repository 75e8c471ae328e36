//! Federation records: agreements, scroll checkpoints, witness receipts, cross-anchors, and
//! receipts and scroll growth checked against signed checkpoints.

use vaultmesh_core::federation::{self, Agreement, Checkpoint};
use vaultmesh_core::json::{self, Limits};
use vaultmesh_core::merkle::{ConsistencyProof, InclusionProof};

use crate::boundary::{self, bytes, handle, new_handle, output, Handle};
use crate::keyring::vm_keyring;
use crate::status::vm_status;
use crate::types::{limits, verdict_of, vm_digest, vm_limits, vm_verdict, Rejection};

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

/// Parses a strict record with `limits`.
fn parse<'a>(input: &'a [u8], limits: &Limits) -> Result<json::Value<'a>, Rejection> {
    Ok(json::parse_record(input, limits)?)
}

/// Parses proof JSON (any strict JSON value; the proof reader checks the form).
fn parse_proof(input: &[u8]) -> Result<json::Value<'_>, Rejection> {
    Ok(json::parse(input, &Limits::default())?)
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
            let mut slot = boundary::optional_output(out_agreement)?;
            if let Some(s) = slot.as_deref_mut() {
                *s = std::ptr::null_mut();
            }
            let mut verified = None;
            verdict_of(out_verdict, || {
                let known = handle(known)?;
                let value = parse(bytes(record, record_len)?, &self::limits(limits)?)?;
                let agreement = federation::verify_agreement(&value, known)?;
                let hash = agreement.agreement_hash;
                verified = Some(agreement);
                Ok(hash)
            })?;
            if let (Some(s), Some(agreement)) = (slot, verified) {
                *s = new_handle(agreement);
            }
            Ok(())
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
        unsafe {
            let a = handle(agreement)?;
            *output(out_hash)? = a.agreement_hash.into();
            Ok(())
        }
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
        unsafe {
            let a = handle(agreement)?;
            *output(out_level)? = a.trust_level;
            Ok(())
        }
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
            let mut slot = boundary::optional_output(out_checkpoint)?;
            if let Some(s) = slot.as_deref_mut() {
                *s = std::ptr::null_mut();
            }
            let mut verified = None;
            verdict_of(out_verdict, || {
                let keyring = handle(keyring)?;
                let value = parse(bytes(record, record_len)?, &self::limits(limits)?)?;
                let checkpoint = federation::verify_checkpoint(&value, keyring)?;
                let hash = checkpoint.receipt_hash;
                verified = Some(checkpoint);
                Ok(hash)
            })?;
            if let (Some(s), Some(checkpoint)) = (slot, verified) {
                *s = new_handle(checkpoint);
            }
            Ok(())
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
        unsafe {
            let c = handle(checkpoint)?;
            *output(out_size)? = c.tree_size;
            Ok(())
        }
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
        unsafe {
            let c = handle(checkpoint)?;
            *output(out_root)? = c.root.into();
            Ok(())
        }
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
            verdict_of(out_verdict, || {
                let keyring = handle(keyring)?;
                let checkpoint = match checkpoint.is_null() {
                    true => None,
                    false => Some(handle(checkpoint)?),
                };
                let value = parse(bytes(record, record_len)?, &self::limits(limits)?)?;
                Ok(federation::verify_witness(&value, keyring, checkpoint)?)
            })
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
            verdict_of(out_verdict, || {
                let keyring = handle(keyring)?;
                let agreement = match agreement.is_null() {
                    true => None,
                    false => Some(handle(agreement)?),
                };
                let value = parse(bytes(record, record_len)?, &self::limits(limits)?)?;
                Ok(federation::verify_cross_anchor(&value, keyring, agreement)?)
            })
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
                let proof = InclusionProof::from_value(&parse_proof(bytes(proof, proof_len)?)?)?;
                let value = parse(bytes(record, record_len)?, &Limits::default())?;
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
                let proof = ConsistencyProof::from_value(&parse_proof(bytes(proof, proof_len)?)?)?;
                federation::verify_consistency(old, new, &proof)?;
                Ok(new.root)
            })
        }
    })
}
