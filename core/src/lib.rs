//! # vaultmesh-core
//!
//! The verification core of VaultMesh: every byte-level rule of the wire format
//! (`docs/SPEC.md`), and every verifier, exactly once. The browser build, the C library and the
//! node all call this crate.
//!
//! Always `#![no_std]` with `alloc`. Features, all additive: `std` (BLAKE3's runtime CPU
//! feature detection), `serde` (the typed records of [`record::typed`]), `signing` (the
//! functions that create records).
//!
//! Layout, from the bottom up:
//! - [`error`]: the one error enum with stable codes;
//! - [`encoding`]: digests, keys, signatures, timestamps and ids as text;
//! - [`json`]: strict I-JSON parsing (RFC 7493) and canonicalization (RFC 8785);
//! - [`crypto`]: hashes, signing input with domains, strict and batch Ed25519;
//! - [`merkle`]: RFC 9162 trees with BLAKE3, inclusion and consistency proofs;
//! - [`record`]: record kinds, their fields and signatures, the keyring;
//! - [`federation`]: agreements, checkpoints, witness receipts, cross-anchors;
//! - [`witness`]: a witness round's verdict, sampled indexes, discrepancy evidence;
//! - [`governance`]: the constitution, amendment chains, orders, emergencies, enforcement;
//! - [`bundle`]: audit bundles, everything an auditor checks in one file;
//! - `sign` (feature `signing`): the key file and signing records, for partners and the node.
#![no_std]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod bundle;
pub mod crypto;
pub mod encoding;
pub mod error;
pub mod federation;
pub mod governance;
pub mod json;
pub mod merkle;
pub mod record;
#[cfg(feature = "signing")]
pub mod sign;
pub mod witness;

pub use encoding::Digest;
pub use error::{Error, Result};
