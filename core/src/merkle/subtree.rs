//! Roots and proofs from stored complete-subtree hashes, and the append-only [`Frontier`].
//!
//! # Complete subtrees
//!
//! The complete subtree at `(level, index)` is the `2^level` leaves
//! `[index·2^level, (index+1)·2^level)`; its hash is their `MTH` (RFC 9162 §2.1.1). Level 0 holds
//! the leaf hashes themselves, and `(level + 1, i)` is `node_hash((level, 2i), (level, 2i+1))`.
//! The subtree exists in a tree of size `n` when `(index+1)·2^level ≤ n`, and its hash never
//! changes after that: the scroll is append-only. A tree of `n` leaves has fewer than `2n`
//! complete subtrees.
//!
//! Every node of the RFC 9162 tree is either a complete subtree or lies on the tree's right edge,
//! and a right-edge node covering `[a, n)` is the fold of the complete subtrees that the binary
//! digits of `n − a` cut that range into (largest first):
//! `MTH(D[a..n]) = node(c₀, node(c₁, … c_last))`. So a store that keeps the table
//! `(level, index) → hash`, filled as the tree grows (see [`Frontier::append_with`]), can serve
//! with `O(log n)` lookups, whatever the tree size it is asked about:
//! - the root of any size `n ≤ size` ([`root_from_subtrees`]): one lookup per set bit of `n`;
//! - an inclusion proof ([`prove_inclusion_from_subtrees`]): one lookup per path element, plus at
//!   most one right-edge node of up to `log₂ n` lookups;
//! - a consistency proof ([`prove_consistency_from_subtrees`]): the same bound.
//!
//! The functions here take the store as a closure `get(level, index) -> Digest` and only ask it
//! for subtrees that are complete within the tree size they are given, so the same table serves
//! every past checkpoint too. The node keeps the table in its database; a slice of leaf hashes
//! is the degenerate store that hashes each subtree on demand (what [`prove_inclusion`] does).
//!
//! [`prove_inclusion`]: super::prove_inclusion

use super::{node_hash, ConsistencyProof, InclusionProof, EMPTY_ROOT};
use crate::encoding::Digest;
use crate::error::{Error, Result};
use alloc::vec::Vec;

/// The hash of the leaves `[start, end)`, `start < end`, where `start` is a multiple of the
/// largest power of two not above `end − start` (so the range is a node of every tree that
/// holds `end` leaves or, when `end` is that tree's size, a right-edge node of it). Asks `get`
/// for one complete subtree per set bit of `end − start`, right to left.
fn range_root<F: FnMut(u32, u64) -> Digest>(start: u64, end: u64, get: &mut F) -> Digest {
    let mut end = end;
    let mut rest = end - start;
    let mut acc: Option<Digest> = None;
    while rest != 0 {
        let level = rest.trailing_zeros();
        end -= 1 << level;
        let piece = get(level, end >> level);
        acc = Some(match acc {
            None => piece,
            Some(right) => node_hash(&piece, &right),
        });
        rest &= rest - 1;
    }
    acc.unwrap_or(EMPTY_ROOT)
}

/// The root of the tree of the first `tree_size` leaves, from the store `get(level, index)` of
/// complete-subtree hashes (see the [module documentation](self)); [`EMPTY_ROOT`] for size 0.
/// Asks for one subtree per set bit of `tree_size`.
pub fn root_from_subtrees<F: FnMut(u32, u64) -> Digest>(tree_size: u64, mut get: F) -> Digest {
    range_root(0, tree_size, &mut get)
}

/// The inclusion proof of leaf `leaf_index` in the tree of the first `tree_size` leaves (the
/// audit path of RFC 9162 §2.1.3.1, leaf to root), from the store `get(level, index)` of
/// complete-subtree hashes (see the [module documentation](self)).
///
/// `leaf_index ≥ tree_size` is [`Error::IndexOutOfRange`].
pub fn prove_inclusion_from_subtrees<F: FnMut(u32, u64) -> Digest>(
    tree_size: u64,
    leaf_index: u64,
    mut get: F,
) -> Result<InclusionProof> {
    if leaf_index >= tree_size {
        return Err(Error::IndexOutOfRange);
    }
    // Bottom-up: at `level`, the path's node is `node` and the level's last node is `last`.
    // A left sibling is always complete; a right sibling may be the right-edge node (at most once
    // on a path); a last node without a sibling is carried up unchanged and adds nothing.
    let mut path = Vec::new();
    let (mut node, mut last, mut level) = (leaf_index, tree_size - 1, 0u32);
    while last != 0 {
        let sibling = node ^ 1;
        if sibling < node || sibling < tree_size >> level {
            path.push(get(level, sibling));
        } else if sibling <= last {
            path.push(range_root(sibling << level, tree_size, &mut get));
        }
        node >>= 1;
        last >>= 1;
        level += 1;
    }
    Ok(InclusionProof {
        leaf_index,
        tree_size,
        path,
    })
}

/// The consistency proof from the tree of the first `old_size` leaves to the tree of the first
/// `new_size` (RFC 9162 §2.1.4.1), from the store `get(level, index)` of complete-subtree hashes
/// (see the [module documentation](self)).
///
/// `old_size = 0` or `old_size > new_size` is [`Error::InvalidTreeSize`]; `old_size = new_size`
/// gives the empty path.
pub fn prove_consistency_from_subtrees<F: FnMut(u32, u64) -> Digest>(
    old_size: u64,
    new_size: u64,
    mut get: F,
) -> Result<ConsistencyProof> {
    if old_size == 0 || old_size > new_size {
        return Err(Error::InvalidTreeSize);
    }
    // SUBPROOF(m, D[lo..hi], b), unrolled top-down; each step's element goes after the elements
    // of the step below it, so the path is collected root first and reversed at the end.
    let mut path = Vec::new();
    let (mut lo, mut hi, mut whole_old_tree) = (0u64, new_size, true);
    loop {
        let size = hi - lo;
        if old_size - lo == size {
            if !whole_old_tree {
                path.push(range_root(lo, hi, &mut get));
            }
            break;
        }
        // size ≥ 2 here: lo < old_size < hi.
        let level = 63 - (size - 1).leading_zeros();
        let k = 1u64 << level;
        if old_size - lo <= k {
            path.push(range_root(lo + k, hi, &mut get));
            hi = lo + k;
        } else {
            path.push(get(level, lo >> level));
            lo += k;
            whole_old_tree = false;
        }
    }
    path.reverse();
    Ok(ConsistencyProof {
        old_size,
        new_size,
        path,
    })
}

/// The right edge of an append-only tree: the hashes of its maximal complete subtrees, one per
/// set bit of its size, largest (leftmost) first — RFC 9162's tree in `O(log n)` memory (a
/// "compact range" of `[0, size)`).
///
/// [`append`](Frontier::append) costs one leaf and amortised one node hash;
/// [`root`](Frontier::root) folds at most 63 node hashes. [`append_with`](Frontier::append_with)
/// reports every complete subtree as it comes into being, which is how a store fills the table
/// the functions of this module read (see the [module documentation](self)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// Complete subtrees covering `[0, size)`, left to right; their levels are the set bits of
    /// `size`, in decreasing order.
    subtrees: Vec<Digest>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub const fn new() -> Frontier {
        Frontier {
            size: 0,
            subtrees: Vec::new(),
        }
    }

    /// The frontier of the tree of the first `size` leaves, read from the store
    /// `get(level, index)` of complete-subtree hashes with one lookup per set bit of `size` (for
    /// example, to resume appending after a restart).
    pub fn from_subtrees<F: FnMut(u32, u64) -> Digest>(size: u64, mut get: F) -> Frontier {
        let mut subtrees = Vec::with_capacity(size.count_ones() as usize);
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            if size & (1 << level) != 0 {
                subtrees.push(get(level, start >> level));
                start += 1 << level;
            }
        }
        Frontier { size, subtrees }
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the tree (RFC 9162 §2.1.1); [`EMPTY_ROOT`] when empty.
    pub fn root(&self) -> Digest {
        let mut subtrees = self.subtrees.iter().rev();
        let Some(last) = subtrees.next() else {
            return EMPTY_ROOT;
        };
        subtrees.fold(*last, |right, left| node_hash(left, &right))
    }

    /// Appends a leaf hash.
    pub fn append(&mut self, leaf_hash: Digest) {
        self.append_with(leaf_hash, |_, _, _| {});
    }

    /// Appends a leaf hash and calls `new_subtree(level, index, hash)` for each complete subtree
    /// the leaf completes, from the leaf itself (`level` 0, `index` the old size) upwards. Over
    /// the life of the tree, every complete subtree is reported exactly once.
    ///
    /// The size is a `u64`; it cannot overflow in practice.
    pub fn append_with<F: FnMut(u32, u64, &Digest)>(
        &mut self,
        leaf_hash: Digest,
        mut new_subtree: F,
    ) {
        let (mut hash, mut index, mut level) = (leaf_hash, self.size, 0u32);
        new_subtree(level, index, &hash);
        // A right child (odd index) completes its parent with the left sibling on the edge.
        while index & 1 == 1 {
            let Some(left) = self.subtrees.pop() else {
                break; // unreachable: one stored subtree per set bit of the size
            };
            hash = node_hash(&left, &hash);
            index >>= 1;
            level += 1;
            new_subtree(level, index, &hash);
        }
        self.subtrees.push(hash);
        self.size += 1;
    }
}
