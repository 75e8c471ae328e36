//! Scroll Merkle trees (RFC 9162 §2.1 with BLAKE3): leaf hashes, roots, the scroll tree
//! builder, and proofs.

use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::merkle::{self, ConsistencyProof, Frontier, InclusionProof};
use vaultmesh_core::{Digest, Error};

use crate::boundary::{
    self, array, bytes, finish_buffer, give, handle, handle_mut, input, optional_output, output,
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
            *out = leaf_of(bytes(record, record_len)?)?.into();
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
                match bytes(*p, *n).and_then(|r| leaf_of(r).map_err(vm_status::from)) {
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
            let mut line = optional_output(out_error_line)?;
            if let Some(l) = line.as_deref_mut() {
                *l = 0;
            }
            match jsonl_leaves(bytes(jsonl, jsonl_len)?) {
                Ok(leaves) => {
                    *out = merkle::root(&leaves).into();
                    if let Some(s) = size {
                        *s = leaves.len() as u64;
                    }
                    Ok(())
                }
                Err((e, n)) => {
                    if let Some(l) = line {
                        *l = n;
                    }
                    Err(e.into())
                }
            }
        }
    })
}

/// Reads proof JSON (strict JSON; the proof reader checks the form).
fn proof_value(input: &[u8]) -> Result<Value<'_>, vm_status> {
    Ok(json::parse(input, &Limits::default())?)
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
            let proof = InclusionProof::from_value(&proof_value(bytes(proof, proof_len)?)?)?;
            if proof.tree_size != tree_size {
                return Err(vm_status::CheckpointMismatch);
            }
            let leaf = leaf_of(bytes(record, record_len)?)?;
            merkle::verify_inclusion(&root, &leaf, &proof)?;
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
            let proof = ConsistencyProof::from_value(&proof_value(bytes(proof, proof_len)?)?)?;
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
            let leaf = leaf_of(bytes(record, record_len)?)?;
            tree.push(leaf);
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
            let mut line = optional_output(out_error_line)?;
            if let Some(l) = line.as_deref_mut() {
                *l = 0;
            }
            match jsonl_leaves(bytes(jsonl, jsonl_len)?) {
                Ok(leaves) => {
                    leaves.into_iter().for_each(|leaf| tree.push(leaf));
                    Ok(())
                }
                Err((e, n)) => {
                    if let Some(l) = line {
                        *l = n;
                    }
                    Err(e.into())
                }
            }
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
        unsafe {
            let tree = handle(tree)?;
            *output(out_size)? = tree.frontier.size();
            Ok(())
        }
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
        unsafe {
            let tree = handle(tree)?;
            *output(out_root)? = tree.frontier.root().into();
            Ok(())
        }
    })
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
            let data = (|| {
                let tree = handle(tree)?;
                Ok(merkle::prove_inclusion(&tree.leaves, index)?
                    .to_value()
                    .to_canonical())
            })();
            finish_buffer(data, out, out_cap, out_len)
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
            let data = (|| {
                let tree = handle(tree)?;
                Ok(merkle::prove_consistency(&tree.leaves, old_size)?
                    .to_value()
                    .to_canonical())
            })();
            finish_buffer(data, out, out_cap, out_len)
        }
    })
}

/// Releases a scroll tree. NULL does nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_scroll_tree_free(tree: *mut vm_scroll_tree) {
    // SAFETY: the caller's contract: NULL or a live tree.
    ffi!({ unsafe { boundary::free(tree) } })
}
