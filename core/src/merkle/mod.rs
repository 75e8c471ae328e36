//! RFC 9162 Merkle trees with BLAKE3. (Being written.)
