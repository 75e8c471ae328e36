//! Ed25519 public keys as text. (Being written.)
/// An Ed25519 public key accepted by the strict rules of wire format §1 and §9.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(pub ed25519_dalek::VerifyingKey);
