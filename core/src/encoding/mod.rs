//! Text encodings of the wire format (§1): digests, Ed25519 keys and signatures, timestamps, ids.

pub mod base58;
mod digest;
pub mod id;
mod key;
mod signature;
pub mod timestamp;

pub use digest::Digest;
pub use key::PublicKey;
pub use signature::SignatureBytes;
