//! Hashes, signing input, strict and batch Ed25519. (Being written.)
