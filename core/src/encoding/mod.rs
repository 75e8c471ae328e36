//! Text encodings of the wire format (§1): digests, Ed25519 keys and signatures, timestamps, ids,
//! vote weights.

pub mod base58;
mod digest;
pub mod id;
mod key;
mod signature;
pub mod timestamp;
mod weight;

pub use digest::Digest;
pub use key::PublicKey;
pub use signature::SignatureBytes;
pub use weight::Weight;
