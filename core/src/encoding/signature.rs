//! Ed25519 signatures as text. (Being written.)
/// The 64 bytes of an Ed25519 signature, decoded from `z` + base58btc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureBytes(pub [u8; 64]);
