//! Ed25519 signatures as text: `z` + base58btc of the 64 signature bytes (wire format §1).

use super::base58;
use crate::error::{Error, Result};
use core::fmt;

/// Longest base58btc text of 64 bytes.
const TEXT_LEN_MAX: usize = 88;

/// The 64 bytes of an Ed25519 signature, `R ‖ S` (RFC 8032 §5.1.6), decoded from `z` + base58btc.
///
/// Parsing checks only the encoding; the strict checks on `R` and `S` happen in
/// [`crate::crypto::verify_strict`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignatureBytes(pub [u8; 64]);

impl SignatureBytes {
    /// The length of the buffer [`SignatureBytes::encode`] writes into (the text is 89 bytes or
    /// less).
    pub const ENCODED_MAX_LEN: usize = 1 + TEXT_LEN_MAX;

    /// Parses `z` + base58btc of exactly 64 bytes; anything else is
    /// [`Error::MalformedSignature`].
    pub fn parse(text: &str) -> Result<SignatureBytes> {
        let encoded = text.strip_prefix('z').ok_or(Error::MalformedSignature)?;
        if encoded.len() > TEXT_LEN_MAX {
            return Err(Error::MalformedSignature);
        }
        let mut out = [0u8; 64];
        base58::decode_exact(encoded, &mut out).map_err(|_| Error::MalformedSignature)?;
        Ok(SignatureBytes(out))
    }

    /// The 64 bytes.
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    /// The encoding of the point `R` (the first 32 bytes).
    pub fn r_bytes(&self) -> [u8; 32] {
        core::array::from_fn(|i| self.0[i])
    }

    /// The scalar `S`, little-endian (the last 32 bytes).
    pub fn s_bytes(&self) -> [u8; 32] {
        core::array::from_fn(|i| self.0[32 + i])
    }

    /// Writes `z…` into `out` and returns it as `&str`.
    pub fn encode<'a>(&self, out: &'a mut [u8; SignatureBytes::ENCODED_MAX_LEN]) -> &'a str {
        let (head, tail) = out.split_at_mut(1);
        head[0] = b'z';
        let n = base58::encode_into(&self.0, tail).unwrap_or(0);
        // Only ASCII was written.
        core::str::from_utf8(out.get(..1 + n).unwrap_or_default()).unwrap_or_default()
    }
}

impl fmt::Display for SignatureBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0u8; SignatureBytes::ENCODED_MAX_LEN]))
    }
}

impl core::str::FromStr for SignatureBytes {
    type Err = Error;
    fn from_str(s: &str) -> Result<SignatureBytes> {
        SignatureBytes::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    fn sample() -> SignatureBytes {
        let mut b = [0u8; 64];
        for (i, x) in b.iter_mut().enumerate() {
            *x = (i as u8).wrapping_mul(151).wrapping_add(7);
        }
        SignatureBytes(b)
    }

    #[test]
    fn round_trip() {
        for sig in [
            sample(),
            SignatureBytes([0; 64]),
            SignatureBytes([0xff; 64]),
        ] {
            let text = sig.to_string();
            assert!(text.starts_with('z') && text.len() <= 89, "{text}");
            assert_eq!(SignatureBytes::parse(&text), Ok(sig));
            assert_eq!(text.parse::<SignatureBytes>(), Ok(sig));
        }
        assert_eq!(
            SignatureBytes([0; 64]).to_string(),
            alloc::format!("z{}", "1".repeat(64))
        );
        let s = sample();
        assert_eq!(&s.r_bytes()[..], &s.0[..32]);
        assert_eq!(&s.s_bytes()[..], &s.0[32..]);
    }

    #[test]
    fn malformed() {
        let text = sample().to_string();
        let b58 = |bytes: &[u8]| alloc::format!("z{}", base58::encode(bytes));
        let cases: Vec<String> = alloc::vec![
            // No multibase prefix, or another base.
            text[1..].to_string(),
            alloc::format!("Z{}", &text[1..]),
            alloc::format!("u{}", &text[1..]),
            alloc::format!("f{}", &text[1..]),
            // Bad characters.
            alloc::format!("{}0", &text[..text.len() - 1]),
            alloc::format!("{text} "),
            alloc::format!("{}\u{e9}", &text[..text.len() - 1]),
            // Wrong lengths: 63, 65, 0 bytes; 64 bytes plus a leading zero byte.
            b58(&sample().0[..63]),
            b58(&[sample().0.as_slice(), &[1]].concat()),
            String::from("z"),
            String::new(),
            b58(&[[0u8].as_slice(), &sample().0].concat()),
            alloc::format!("z{}", "z".repeat(89)),
            alloc::format!("z{}", "1".repeat(65)),
            alloc::format!("z{}", "z".repeat(10_000)),
        ];
        for case in &cases {
            assert_eq!(
                SignatureBytes::parse(case),
                Err(Error::MalformedSignature),
                "{case:?}"
            );
        }
    }
}
