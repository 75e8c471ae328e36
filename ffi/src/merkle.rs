//! Scroll Merkle trees (RFC 9162 §2.1 with BLAKE3): leaf hashes, roots, the scroll tree
//! builder, and proofs.

use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::merkle::{self, ConsistencyProof, Frontier, InclusionProof};
use vaultmesh_core::{Digest, Error};

use crate::boundary::{
    self, array, bytes, fill_buffer, get, give, handle, handle_mut, input, optional_output, output,
    Handle,
};
use crate::status::vm_status;
use crate::types::vm_digest;

/// `leaf_hash(record) = blake3(0x00 ‖ JCS(record))`, the record parsed with default limits.
fn leaf_of(record: &[u8]) -> Result<Digest, Error> {
    Ok(merkle::leaf_hash(&json::canonicalize(
        record,
        &Limits::default(),
    )?))
}

/// The leaf hashes of a JSON Lines scroll, split by the core's `json::lines` (wire format §9). On
/// failure, the 1-based line number is returned with the error.
fn jsonl_leaves(input: &[u8]) -> Result<Vec<Digest>, (Error, usize)> {
    json::lines(input)
        .enumerate()
        .map(|(i, line)| line.and_then(leaf_of).map_err(|e| (e, i + 1)))
        .collect()
}

/// The leaf hash of the record argument `[record, record + record_len)` (see [`leaf_of`]).
///
/// # Safety
/// As [`bytes`].
unsafe fn leaf_arg(record: *const u8, record_len: usize) -> Result<Digest, vm_status> {
    // SAFETY: forwarded contract.
    Ok(leaf_of(unsafe { bytes(record, record_len)? })?)
}

/// The leaf hashes of the JSON Lines argument `[jsonl, jsonl + jsonl_len)` (see
/// [`jsonl_leaves`]). `*out_error_line` (when not NULL) receives the failing 1-based line number,
/// or 0.
///
/// # Safety
/// As [`bytes`] for the input and [`optional_output`] for `out_error_line`.
unsafe fn jsonl_arg(
    jsonl: *const u8,
    jsonl_len: usize,
    out_error_line: *mut usize,
) -> Result<Vec<Digest>, vm_status> {
    // SAFETY: forwarded contract.
    let mut line = unsafe { optional_output(out_error_line)? };
    if let Some(l) = line.as_deref_mut() {
        *l = 0;
    }
    // SAFETY: forwarded contract.
    jsonl_leaves(unsafe { bytes(jsonl, jsonl_len)? }).map_err(|(e, n)| {
        if let Some(l) = line {
            *l = n;
        }
        e.into()
    })
}

/// Reads an inclusion proof argument (strict JSON; the proof reader checks the form).
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn inclusion_proof_arg(
    proof: *const u8,
    proof_len: usize,
) -> Result<InclusionProof, vm_status> {
    // SAFETY: forwarded contract.
    let value = unsafe { proof_value(proof, proof_len)? };
    Ok(InclusionProof::from_value(&value)?)
}

/// Reads a consistency proof argument (strict JSON; the proof reader checks the form).
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn consistency_proof_arg(
    proof: *const u8,
    proof_len: usize,
) -> Result<ConsistencyProof, vm_status> {
    // SAFETY: forwarded contract.
    let value = unsafe { proof_value(proof, proof_len)? };
    Ok(ConsistencyProof::from_value(&value)?)
}

/// Reads proof JSON (strict JSON with default limits).
///
/// # Safety
/// As [`bytes`].
unsafe fn proof_value<'a>(proof: *const u8, proof_len: usize) -> Result<Value<'a>, vm_status> {
    // SAFETY: forwarded contract.
    Ok(json::parse(
        unsafe { bytes(proof, proof_len)? },
        &Limits::default(),
    )?)
}

/// Stores the Merkle leaf hash of a record, `blake3(0x00 ‖ JCS(record))`, in `*out_hash`.
#[no_mangle]
pub unsafe extern "C" fn vm_merkle_leaf_hash(
    record: *const u8,
    record_len: usize,
    out_hash: *mut vm_digest,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let out = output(out_hash)?;
            *out = leaf_arg(record, record_len)?.into();
            Ok(())
        }
    })
}

/// Stores the Merkle root (`MTH`) of the `count` records `records[i]` (`record_lens[i]` bytes
/// each) in `*out_root`; the empty list has root `blake3("")`. When a record does not parse,
/// returns its error and, when `out_failed_index` is not NULL, stores its index there.
#[no_mangle]
pub unsafe extern "C" fn vm_merkle_root(
    records: *const *const u8,
    record_lens: *const usize,
    count: usize,
    out_root: *mut vm_digest,
    out_failed_index: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let out = output(out_root)?;
            let failed = optional_output(out_failed_index)?;
            let pointers = array(records, count)?;
            let lens = array(record_lens, count)?;
            let mut frontier = Frontier::new();
            for (i, (p, n)) in pointers.iter().zip(lens).enumerate() {
                match leaf_arg(*p, *n) {
                    Ok(leaf) => frontier.append(leaf),
                    Err(status) => {
                        if let Some(f) = failed {
                            *f = i;
                        }
                        return Err(status);
                    }
                }
            }
            *out = frontier.root().into();
            Ok(())
        }
    })
}

/// Stores the Merkle root and size of a JSON Lines scroll (one record per line, an optional
/// final newline; empty input is the empty scroll; a blank line is `BLANK_LINE`) in
/// `*out_root` and `*out_size` (may be NULL). When a line fails, returns its error and, when
/// `out_error_line` is not NULL, stores its 1-based line number there (0 otherwise).
#[no_mangle]
pub unsafe extern "C" fn vm_merkle_root_jsonl(
    jsonl: *const u8,
    jsonl_len: usize,
    out_root: *mut vm_digest,
    out_size: *mut u64,
    out_error_line: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let out = output(out_root)?;
            let size = optional_output(out_size)?;
            let leaves = jsonl_arg(jsonl, jsonl_len, out_error_line)?;
            *out = merkle::root(&leaves).into();
            if let Some(s) = size {
                *s = leaves.len() as u64;
            }
            Ok(())
        }
    })
}

/// Checks that `record` is leaf `proof.leaf_index` of the tree of `tree_size` leaves with root
/// `root` (RFC 9162 §2.1.3.2). `proof` is the JSON `{"leaf_index", "tree_size", "path"}`; take
/// `root` and `tree_size` from a verified checkpoint (`vm_checkpoint_verify_inclusion` does
/// that for you). Errors: `MALFORMED_PROOF`, `NOT_AN_INTEGER`, a path element's digest error,
/// `CHECKPOINT_MISMATCH` (proof for another size), `INDEX_OUT_OF_RANGE`,
/// `INCLUSION_PROOF_MISMATCH`, or the record's parse error.
#[no_mangle]
pub unsafe extern "C" fn vm_merkle_verify_inclusion(
    root: *const vm_digest,
    tree_size: u64,
    record: *const u8,
    record_len: usize,
    proof: *const u8,
    proof_len: usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let root = Digest::from(input(root)?);
            let proof = inclusion_proof_arg(proof, proof_len)?;
            let leaf = leaf_arg(record, record_len)?;
            federation::verify_inclusion_at(&root, tree_size, &leaf, &proof)?;
            Ok(())
        }
    })
}

/// Checks that the tree with root `old_root` is a prefix of the tree with root `new_root`
/// (RFC 9162 §2.1.4.2) by the consistency proof JSON `{"old_size", "new_size", "path"}`. Take
/// roots and sizes from verified checkpoints (`vm_checkpoint_verify_consistency` does that for
/// you). Errors: `MALFORMED_PROOF`, `NOT_AN_INTEGER`, a path element's digest error,
/// `INVALID_TREE_SIZE`, `CONSISTENCY_PROOF_MISMATCH`.
#[no_mangle]
pub unsafe extern "C" fn vm_merkle_verify_consistency(
    old_root: *const vm_digest,
    new_root: *const vm_digest,
    proof: *const u8,
    proof_len: usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let old = Digest::from(input(old_root)?);
            let new = Digest::from(input(new_root)?);
            let proof = consistency_proof_arg(proof, proof_len)?;
            merkle::verify_consistency(&old, &new, &proof)?;
            Ok(())
        }
    })
}

/// A scroll tree builder: append records (or whole JSON Lines scrolls), read the root at any
/// time, prove inclusion and consistency. Made by `vm_scroll_tree_new`, released by
/// `vm_scroll_tree_free`. Keeps one 32-byte leaf hash per record.
pub struct vm_scroll_tree {
    _opaque: [u8; 0],
}

impl Handle for vm_scroll_tree {
    type Inner = ScrollTree;
    const TAG: u64 = 0x766d_7363_726f_6c6c; // "vmscroll"
}

/// What a `vm_scroll_tree` holds: every leaf hash (for proofs) and the frontier (for the root).
#[derive(Default)]
pub struct ScrollTree {
    leaves: Vec<Digest>,
    frontier: Frontier,
}

impl ScrollTree {
    fn push(&mut self, leaf: Digest) {
        self.leaves.push(leaf);
        self.frontier.append(leaf);
    }
}

/// Makes an empty scroll tree and stores it in `*out_tree`.
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_new(out_tree: *mut *mut vm_scroll_tree) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for out_tree.
        unsafe { give(ScrollTree::default(), out_tree) }
    })
}

/// Appends one record (parsed strictly with default limits and canonicalized; the leaf is
/// `blake3(0x00 ‖ JCS(record))`). On error the tree is unchanged. Needs exclusive access.
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_append(
    tree: *mut vm_scroll_tree,
    record: *const u8,
    record_len: usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let tree = handle_mut(tree)?;
            tree.push(leaf_arg(record, record_len)?);
            Ok(())
        }
    })
}

/// Appends every record of a JSON Lines scroll (see `vm_merkle_root_jsonl`), all or nothing:
/// on error the tree is unchanged and, when `out_error_line` is not NULL, it receives the
/// failing 1-based line number (0 otherwise). Needs exclusive access.
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_append_jsonl(
    tree: *mut vm_scroll_tree,
    jsonl: *const u8,
    jsonl_len: usize,
    out_error_line: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let tree = handle_mut(tree)?;
            let leaves = jsonl_arg(jsonl, jsonl_len, out_error_line)?;
            leaves.into_iter().for_each(|leaf| tree.push(leaf));
            Ok(())
        }
    })
}

/// Stores the number of records in `*out_size`.
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_size(
    tree: *const vm_scroll_tree,
    out_size: *mut u64,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { get(tree, out_size, |tree| tree.frontier.size()) }
    })
}

/// Stores the current root (`blake3("")` when empty) in `*out_root`. `O(log n)`.
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_root(
    tree: *const vm_scroll_tree,
    out_root: *mut vm_digest,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { get(tree, out_root, |tree| tree.frontier.root().into()) }
    })
}

/// Writes the proof `prove` makes from the leaves of `tree` as canonical JSON into `out` (see the
/// buffer convention).
///
/// # Safety
/// As [`handle`] for `tree` and [`fill_buffer`] for the output.
unsafe fn write_proof(
    tree: *const vm_scroll_tree,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
    prove: impl FnOnce(&[Digest]) -> Result<Value<'static>, Error>,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    unsafe {
        fill_buffer(out, out_cap, out_len, || {
            let tree = handle(tree)?;
            Ok(prove(&tree.leaves)?.to_canonical())
        })
    }
}

/// Writes the inclusion proof of record `index` in the current tree, as canonical JSON
/// `{"leaf_index":i,"path":[…],"tree_size":n}`, into `out` (see the buffer convention).
/// Errors: `INDEX_OUT_OF_RANGE`.
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_prove_inclusion(
    tree: *const vm_scroll_tree,
    index: u64,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            write_proof(tree, out, out_cap, out_len, |leaves| {
                Ok(merkle::prove_inclusion(leaves, index)?.to_value())
            })
        }
    })
}

/// Writes the consistency proof from the tree of the first `old_size` records to the current
/// tree, as canonical JSON `{"new_size":n,"old_size":m,"path":[…]}`, into `out` (see the buffer
/// convention). Errors: `INVALID_TREE_SIZE` (`old_size` 0 or above the size).
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_prove_consistency(
    tree: *const vm_scroll_tree,
    old_size: u64,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            write_proof(tree, out, out_cap, out_len, |leaves| {
                Ok(merkle::prove_consistency(leaves, old_size)?.to_value())
            })
        }
    })
}

/// Releases a scroll tree. NULL does nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_free(tree: *mut vm_scroll_tree) {
    // SAFETY: the caller's contract: NULL or a live tree.
    ffi!({ unsafe { boundary::free(tree) } })
}
