//! `blake3:` + 64 lowercase hex digits.

use crate::error::{Error, Result};
use core::fmt;

/// A 32-byte BLAKE3 digest. Equality is constant-time; text form is `blake3:<64 hex>`.
#[derive(Clone, Copy)]
pub struct Digest(pub [u8; 32]);

const PREFIX: &str = "blake3:";
const HEX: &[u8; 16] = b"0123456789abcdef";

impl Digest {
    /// BLAKE3 of `data`.
    pub fn of(data: &[u8]) -> Digest {
        Digest(*blake3::hash(data).as_bytes())
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses the text form (wire format §1, §9): `blake3:` and exactly 64 lowercase hex digits.
    /// Another `<alg>:` prefix (including `BLAKE3:`) is [`Error::UnsupportedHashAlgorithm`];
    /// anything else is [`Error::MalformedDigest`].
    pub fn parse(text: &str) -> Result<Digest> {
        let Some(hex) = text.strip_prefix(PREFIX) else {
            return Err(match text.split_once(':') {
                Some((alg, _)) if !alg.is_empty() => Error::UnsupportedHashAlgorithm,
                _ => Error::MalformedDigest,
            });
        };
        let hex = hex.as_bytes();
        if hex.len() != 64 {
            return Err(Error::MalformedDigest);
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            *byte = (lower_hex_value(pair[0])? << 4) | lower_hex_value(pair[1])?;
        }
        Ok(Digest(out))
    }

    /// Writes the text form into `out` (71 bytes) and returns it as `&str`.
    pub fn encode<'a>(&self, out: &'a mut [u8; 71]) -> &'a str {
        out[..7].copy_from_slice(PREFIX.as_bytes());
        for (i, b) in self.0.iter().enumerate() {
            out[7 + 2 * i] = HEX[(b >> 4) as usize];
            out[8 + 2 * i] = HEX[(b & 15) as usize];
        }
        // Only ASCII was written.
        core::str::from_utf8(out).unwrap_or_default()
    }
}

fn lower_hex_value(c: u8) -> Result<u8> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(Error::MalformedDigest),
    }
}

impl PartialEq for Digest {
    fn eq(&self, other: &Digest) -> bool {
        // Constant-time: digests are compared against attacker-chosen values.
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}
impl Eq for Digest {}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0u8; 71]))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::str::FromStr for Digest {
    type Err = Error;
    fn from_str(s: &str) -> Result<Digest> {
        Digest::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn round_trip_and_errors() {
        let d = Digest::of(b"");
        let text = d.to_string();
        assert_eq!(
            text,
            "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(Digest::parse(&text), Ok(d));
        assert_eq!(
            Digest::parse(&text.to_uppercase()),
            Err(Error::UnsupportedHashAlgorithm)
        );
        assert_eq!(
            Digest::parse(&text.replace("blake3:", "sha256:")),
            Err(Error::UnsupportedHashAlgorithm)
        );
        assert_eq!(Digest::parse(&text[7..]), Err(Error::MalformedDigest));
        assert_eq!(Digest::parse(&text[..70]), Err(Error::MalformedDigest));
        let upper_digits = alloc::format!("blake3:{}", text[7..].to_uppercase());
        assert_eq!(Digest::parse(&upper_digits), Err(Error::MalformedDigest));
        assert_eq!(Digest::parse(":00"), Err(Error::MalformedDigest));
    }
}
