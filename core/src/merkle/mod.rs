//! Scroll Merkle trees: RFC 9162 §2.1 with BLAKE3 (wire format §5).
//!
//! ```text
//! leaf_hash(r)  = blake3(0x00 ‖ JCS(r))
//! node(l, r)    = blake3(0x01 ‖ l ‖ r)
//! MTH([])       = blake3("")            MTH([r]) = leaf_hash(r)
//! MTH(D[0..n])  = node(MTH(D[0..k]), MTH(D[k..n]))   k = largest power of two < n
//! ```
//!
//! - Hashes: [`leaf_hash`], [`node_hash`], [`EMPTY_ROOT`] and the tree head [`root`] (RFC 9162
//!   §2.1.1). The two one-byte prefixes keep a leaf from being passed off as an interior node
//!   (second-preimage resistance, RFC 9162 §2.1.1).
//! - Inclusion proofs: [`InclusionProof`], [`prove_inclusion`] (the audit path of §2.1.3.1) and
//!   [`verify_inclusion`] (§2.1.3.2).
//! - Consistency proofs: [`ConsistencyProof`], [`prove_consistency`] (§2.1.4.1) and
//!   [`verify_consistency`] (§2.1.4.2), with the wire format's rules: `0 < m ≤ n`, and for
//!   `m = n` the path is empty and the two roots are equal.
//! - The JSON forms `{"leaf_index", "tree_size", "path"}` and `{"old_size", "new_size", "path"}`:
//!   [`InclusionProof::from_value`], [`InclusionProof::to_value`] and the same on
//!   [`ConsistencyProof`]. Parsing is strict: unknown members are rejected.
//! - For a node that holds millions of receipts: the append-only [`Frontier`], and
//!   [`root_from_subtrees`], [`prove_inclusion_from_subtrees`] and
//!   [`prove_consistency_from_subtrees`], which read `O(log n)` stored complete-subtree hashes.
//!   The module [`subtree`] explains the layout a store keeps.
//!
//! A proof does not bind a tree size to a root: a verifier takes sizes and roots from a signed
//! checkpoint, never from the proof alone (wire format §9).
//!
//! # Shape of the tree
//!
//! RFC 9162 defines the tree top-down (split at the largest power of two below `n`). The same
//! tree, built bottom-up, pairs neighbours level by level and carries an unpaired last node up
//! unchanged. So every node is either a *complete subtree* — the `2^level` leaves
//! `[index·2^level, (index+1)·2^level)`, a value that never changes once the tree holds them —
//! or lies on the right edge of the tree, where its hash folds the complete subtrees under it.
//! Everything here is computed from complete subtrees; [`subtree`] has the details.
//!
//! # Why our own implementation, not `rs_merkle`
//!
//! `rs_merkle` (1.5) was measured and not used:
//! - it has no consistency proofs (RFC 9162 §2.1.4), which every witness and checkpoint check
//!   of a scroll needs (wire format §5: the only valid relation between two roots of a scroll
//!   is a consistency proof);
//! - it has no RFC 9162 domain separation by default: leaves come in already hashed and the
//!   default node hash is `H(l ‖ r)` without the `0x01` prefix, so it needs a custom hasher to
//!   compute our roots at all;
//! - it proves from a whole tree held in memory, every level as `(index, hash)` tuples plus a
//!   commit history, where the node needs proofs from `O(log n)` stored subtree hashes
//!   ([`subtree`]), and it is slower for the same root (below).
//!
//! Measured by `cargo bench -p vaultmesh-core --bench merkle` on a shared 2-core x86-64 machine
//! (ratios within one run; 2^20 receipts of 600 bytes of canonical JSON, leaf hashing included):
//!
//! | | time (quietest run) | ratio |
//! |---|---|---|
//! | serial floor: N leaf + N − 1 node hashes in a flat loop | 856 ms | 1 |
//! | [`root`] (leaf hashes into a `Vec`, then `root`) | 846 ms | 0.98–1.00 × floor |
//! | `rs_merkle` with an RFC 9162 BLAKE3 hasher | 1.15 s | 1.3–1.4 × floor |
//! | [`verify_inclusion`], tree of 2^20 (20 node hashes) | 3.2 µs | 0.063 × `verify_strict` |
//! | [`verify_consistency`], 2^20 − 12 345 → 2^20 | 5.3 µs | 0.10–0.11 × `verify_strict` |
//! | Ed25519 `verify_strict`, 650-byte message | 50 µs | 1 |
//!
//! The root and `rs_merkle` ratios are the medians of rounds timed interleaved by on-CPU time,
//! which the bench prints at the end; hashing is all of the cost, so there is nothing left to
//! win in the tree code itself.

mod json;
mod proof;
pub mod subtree;

pub use proof::{
    prove_consistency, prove_inclusion, verify_consistency, verify_inclusion, ConsistencyProof,
    InclusionProof,
};
pub use subtree::{
    prove_consistency_from_subtrees, prove_inclusion_from_subtrees, root_from_subtrees, Frontier,
};

use crate::encoding::Digest;

/// Prefix of a leaf hash input (RFC 9162 §2.1.1).
pub const LEAF_PREFIX: u8 = 0x00;

/// Prefix of an interior node hash input (RFC 9162 §2.1.1).
pub const NODE_PREFIX: u8 = 0x01;

/// The root of the empty tree, `MTH([]) = blake3("")`.
pub const EMPTY_ROOT: Digest = Digest([
    0xaf, 0x13, 0x49, 0xb9, 0xf5, 0xf9, 0xa1, 0xa6, 0xa0, 0x40, 0x4d, 0xea, 0x36, 0xdc, 0xc9, 0x49,
    0x9b, 0xcb, 0x25, 0xc9, 0xad, 0xc1, 0x12, 0xb7, 0xcc, 0x9a, 0x93, 0xca, 0xe4, 0x1f, 0x32, 0x62,
]);

/// The root of the empty tree, [`EMPTY_ROOT`] (`blake3("")`).
pub const fn empty_root() -> Digest {
    EMPTY_ROOT
}

/// The leaf hash of a record: `blake3(0x00 ‖ canonical_record)`, where `canonical_record` is the
/// record's RFC 8785 bytes. The record is hashed in place, not copied.
pub fn leaf_hash(canonical_record: &[u8]) -> Digest {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&[LEAF_PREFIX]);
    hasher.update(canonical_record);
    Digest(*hasher.finalize().as_bytes())
}

/// The hash of an interior node: `blake3(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    // 65 bytes on the stack hash faster than three incremental updates.
    let mut input = [0u8; 65];
    input[0] = NODE_PREFIX;
    input[1..33].copy_from_slice(&left.0);
    input[33..].copy_from_slice(&right.0);
    Digest(*blake3::hash(&input).as_bytes())
}

/// The Merkle tree hash `MTH` of the leaves (RFC 9162 §2.1.1), given their leaf hashes;
/// [`EMPTY_ROOT`] for none.
///
/// One pass over the leaves with `O(log n)` memory, exactly `n − 1` node hashes.
pub fn root(leaf_hashes: &[Digest]) -> Digest {
    let mut frontier = Frontier::new();
    for leaf in leaf_hashes {
        frontier.append(*leaf);
    }
    frontier.root()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants() {
        assert_eq!(EMPTY_ROOT, Digest::of(b""));
        assert_eq!(empty_root(), EMPTY_ROOT);
        assert_eq!(root(&[]), EMPTY_ROOT);
        assert_eq!(leaf_hash(b"ab"), Digest::of(b"\x00ab"));
        let (l, r) = (Digest([1; 32]), Digest([2; 32]));
        let mut input = [1u8; 65];
        input[33..].fill(2);
        assert_eq!(node_hash(&l, &r), Digest::of(&input));
    }
}
