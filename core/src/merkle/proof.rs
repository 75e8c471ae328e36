//! Inclusion and consistency proofs (RFC 9162 §2.1.3, §2.1.4).

use super::subtree::{prove_consistency_from_subtrees, prove_inclusion_from_subtrees};
use super::{node_hash, root};
use crate::encoding::Digest;
use crate::error::{Error, Result};
use alloc::vec::Vec;

/// An inclusion proof (RFC 9162 §2.1.3): the audit path of leaf `leaf_index` in the tree of
/// `tree_size` leaves, from the leaf's sibling up to the root's child.
///
/// JSON form (wire format §5): `{"leaf_index": i, "tree_size": n, "path": ["blake3:…", …]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    /// The index of the leaf, counted from 0.
    pub leaf_index: u64,
    /// The size of the tree the proof is for.
    pub tree_size: u64,
    /// The audit path, leaf to root.
    pub path: Vec<Digest>,
}

/// A consistency proof (RFC 9162 §2.1.4): the tree of `old_size` leaves is a prefix of the tree
/// of `new_size` leaves.
///
/// JSON form (wire format §5): `{"old_size": m, "new_size": n, "path": ["blake3:…", …]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsistencyProof {
    /// The size of the older tree, `0 < old_size ≤ new_size`.
    pub old_size: u64,
    /// The size of the newer tree.
    pub new_size: u64,
    /// The consistency path of RFC 9162 §2.1.4.1; empty when the sizes are equal.
    pub path: Vec<Digest>,
}

/// A subtree store over a slice of leaf hashes: hashes the complete subtree on demand.
fn slice_store(leaf_hashes: &[Digest]) -> impl FnMut(u32, u64) -> Digest + '_ {
    // The subtree functions only ask for subtrees inside the tree size they were given, which
    // is `leaf_hashes.len()`, so the range is in bounds.
    |level, index| {
        let start = (index << level) as usize;
        root(&leaf_hashes[start..start + (1usize << level)])
    }
}

/// The inclusion proof of `leaf_hashes[leaf_index]` in the tree of all of `leaf_hashes`
/// (RFC 9162 §2.1.3.1). Hashes the whole tree once; a node with a store of subtree hashes uses
/// [`prove_inclusion_from_subtrees`] instead.
///
/// `leaf_index ≥ leaf_hashes.len()` is [`Error::IndexOutOfRange`].
pub fn prove_inclusion(leaf_hashes: &[Digest], leaf_index: u64) -> Result<InclusionProof> {
    prove_inclusion_from_subtrees(
        leaf_hashes.len() as u64,
        leaf_index,
        slice_store(leaf_hashes),
    )
}

/// The consistency proof from the tree of the first `old_size` of `leaf_hashes` to the tree of
/// all of them (RFC 9162 §2.1.4.1). A node with a store of subtree hashes uses
/// [`prove_consistency_from_subtrees`] instead.
///
/// `old_size = 0` or `old_size > leaf_hashes.len()` is [`Error::InvalidTreeSize`];
/// `old_size = leaf_hashes.len()` gives the empty path.
pub fn prove_consistency(leaf_hashes: &[Digest], old_size: u64) -> Result<ConsistencyProof> {
    prove_consistency_from_subtrees(old_size, leaf_hashes.len() as u64, slice_store(leaf_hashes))
}

/// Checks that `proof` shows the leaf with hash `leaf_hash` at `proof.leaf_index` in the tree of
/// `proof.tree_size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
///
/// Take `root` and the tree size from a signed checkpoint, never from the proof alone.
///
/// Errors: `leaf_index ≥ tree_size` is [`Error::IndexOutOfRange`]; a path of the wrong length
/// for the index and size, or one that does not lead to `root`, is
/// [`Error::InclusionProofMismatch`].
pub fn verify_inclusion(root: &Digest, leaf_hash: &Digest, proof: &InclusionProof) -> Result<()> {
    if proof.leaf_index >= proof.tree_size {
        return Err(Error::IndexOutOfRange);
    }
    let (mut f, mut s) = (proof.leaf_index, proof.tree_size - 1);
    let mut r = *leaf_hash;
    for p in &proof.path {
        if s == 0 {
            return Err(Error::InclusionProofMismatch);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                // f == s ≠ 0: the node is the unpaired last one of its levels; skip them.
                let shift = f.trailing_zeros();
                f >>= shift;
                s >>= shift;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s == 0 && r == *root {
        Ok(())
    } else {
        Err(Error::InclusionProofMismatch)
    }
}

/// Checks that `proof` shows the tree of `proof.old_size` leaves with root `old_root` to be a
/// prefix of the tree of `proof.new_size` leaves with root `new_root` (RFC 9162 §2.1.4.2; wire
/// format §5: for equal sizes the path must be empty and the roots equal).
///
/// Take both roots and sizes from signed checkpoints, never from the proof alone.
///
/// Errors: `old_size = 0` or `old_size > new_size` is [`Error::InvalidTreeSize`]; a path of the
/// wrong length, or one that does not lead to both roots, is [`Error::ConsistencyProofMismatch`].
pub fn verify_consistency(
    old_root: &Digest,
    new_root: &Digest,
    proof: &ConsistencyProof,
) -> Result<()> {
    let (m, n) = (proof.old_size, proof.new_size);
    if m == 0 || m > n {
        return Err(Error::InvalidTreeSize);
    }
    if m == n {
        return if proof.path.is_empty() && old_root == new_root {
            Ok(())
        } else {
            Err(Error::ConsistencyProofMismatch)
        };
    }
    // 0 < m < n from here.
    if proof.path.is_empty() {
        return Err(Error::ConsistencyProofMismatch);
    }
    // When m is a power of two the old root is itself a node of the new tree, and the proof
    // starts above it: prepend it.
    let old_is_node = m.is_power_of_two();
    let mut path = old_is_node
        .then_some(old_root)
        .into_iter()
        .chain(&proof.path);
    let (mut f, mut s) = (m - 1, n - 1);
    // f < 2^64 − 2, so fewer than 64 trailing ones.
    let shift = f.trailing_ones();
    f >>= shift;
    s >>= shift;
    let Some(first) = path.next() else {
        return Err(Error::ConsistencyProofMismatch);
    };
    let (mut fr, mut sr) = (*first, *first);
    for c in path {
        if s == 0 {
            return Err(Error::ConsistencyProofMismatch);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                // f == s ≠ 0.
                let shift = f.trailing_zeros();
                f >>= shift;
                s >>= shift;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s == 0 && fr == *old_root && sr == *new_root {
        Ok(())
    } else {
        Err(Error::ConsistencyProofMismatch)
    }
}
