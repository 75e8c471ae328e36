//! Ed25519 public keys as text: `ed25519:z…` (or `did:key:z…` as input), wire format §1 and §9.

use super::base58;
use crate::crypto::{is_canonical_point_encoding, is_torsion_free};
use crate::error::{Error, Result};
use alloc::string::String;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use ed25519_dalek::VerifyingKey;

/// The text prefix written and accepted for keys.
const KEY_PREFIX: &str = "ed25519:";
/// The `did:key` prefix, accepted as input.
const DID_KEY_PREFIX: &str = "did:key:";
/// The multicodec prefix of an Ed25519 public key (varint 0xed).
const MULTICODEC: [u8; 2] = [0xed, 0x01];
/// Length of base58btc(multicodec ‖ key): 34 bytes are at most 47 characters.
const TEXT_LEN_MAX: usize = 47;

/// An Ed25519 public key accepted by the strict rules of wire format §1 and §9: a canonical
/// point encoding (y < p, and no sign bit on x = 0) of a point that is not of small order.
///
/// Mixed-order points (a prime-order point plus a torsion component) are accepted, as
/// ed25519-dalek's `verify_strict` accepts them. Whether the key is torsion-free matters only to
/// [`crate::crypto::verify_batch`] and costs about one signature check, so parsing leaves it
/// open and long-lived holders ([`crate::record::Keyring`]) settle it once with
/// [`PublicKey::with_torsion_known`]. Equality, ordering and hashing use the 32 bytes.
#[derive(Clone, Copy, Debug)]
pub struct PublicKey {
    key: VerifyingKey,
    /// `Some` once settled; `None` until then.
    torsion_free: Option<bool>,
}

impl PublicKey {
    /// The length of the buffer [`PublicKey::encode`] writes into (the text is 56 bytes or less).
    pub const ENCODED_MAX_LEN: usize = KEY_PREFIX.len() + 1 + TEXT_LEN_MAX;

    /// Parses `ed25519:z…` or `did:key:z…`, where `z…` is multibase base58btc of `0xED 0x01` and
    /// the 32 key bytes.
    ///
    /// Errors: another prefix, a `#fragment`, a missing `z`, bad base58, a wrong multicodec or a
    /// wrong length is [`Error::MalformedKey`]; then as [`PublicKey::from_bytes`].
    pub fn parse(text: &str) -> Result<PublicKey> {
        let multibase = text
            .strip_prefix(KEY_PREFIX)
            .or_else(|| text.strip_prefix(DID_KEY_PREFIX))
            .ok_or(Error::MalformedKey)?;
        if multibase.contains('#') {
            return Err(Error::MalformedKey);
        }
        let encoded = multibase.strip_prefix('z').ok_or(Error::MalformedKey)?;
        if encoded.len() > TEXT_LEN_MAX {
            return Err(Error::MalformedKey);
        }
        let mut raw = [0u8; 34];
        base58::decode_exact(encoded, &mut raw).map_err(|_| Error::MalformedKey)?;
        let (codec, key) = raw.split_at(2);
        if codec != MULTICODEC {
            return Err(Error::MalformedKey);
        }
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(key);
        PublicKey::from_bytes(&bytes)
    }

    /// Accepts 32 key bytes under the strict rules.
    ///
    /// Errors: a non-canonical encoding (y ≥ p, or x = 0 with the sign bit set) is
    /// [`Error::NonCanonicalKey`] (curve25519-dalek's decompression would accept both, so the
    /// bytes are checked first); a y with no point on the curve is [`Error::MalformedKey`]; a
    /// point of small order is [`Error::SmallOrderKey`].
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey> {
        if !is_canonical_point_encoding(bytes) {
            return Err(Error::NonCanonicalKey);
        }
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| Error::MalformedKey)?;
        let point = key.to_edwards();
        if point.is_small_order() {
            return Err(Error::SmallOrderKey);
        }
        Ok(PublicKey {
            key,
            torsion_free: None,
        })
    }

    /// A key known to be `[a]B` (derived from a secret), so canonical and torsion-free.
    #[cfg(feature = "signing")]
    pub(crate) fn from_derived(key: VerifyingKey) -> PublicKey {
        PublicKey {
            key,
            torsion_free: Some(true),
        }
    }

    /// The 32 key bytes (RFC 8032 §5.1.5 encoding).
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// The ed25519-dalek key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// True when the point lies in the prime-order subgroup (every honestly generated key does).
    /// Computed here unless [`PublicKey::with_torsion_known`] settled it.
    pub fn is_torsion_free(&self) -> bool {
        self.torsion_free
            .unwrap_or_else(|| is_torsion_free(&self.key.to_edwards()))
    }

    /// The same key with [`PublicKey::is_torsion_free`] computed once and kept, for keys that
    /// are used many times (a keyring's).
    pub fn with_torsion_known(self) -> PublicKey {
        PublicKey {
            torsion_free: Some(self.is_torsion_free()),
            ..self
        }
    }

    /// Writes `ed25519:z6Mk…` into `out` and returns it as `&str`.
    pub fn encode<'a>(&self, out: &'a mut [u8; PublicKey::ENCODED_MAX_LEN]) -> &'a str {
        let mut raw = [0u8; 34];
        raw[..2].copy_from_slice(&MULTICODEC);
        raw[2..].copy_from_slice(self.as_bytes());
        let (head, tail) = out.split_at_mut(9);
        head[..8].copy_from_slice(KEY_PREFIX.as_bytes());
        head[8] = b'z';
        let n = base58::encode_into(&raw, tail).unwrap_or(0);
        // Only ASCII was written.
        core::str::from_utf8(out.get(..9 + n).unwrap_or_default()).unwrap_or_default()
    }

    /// The `did:key:z6Mk…` form of the key.
    pub fn to_did_key(&self) -> String {
        let mut buf = [0u8; PublicKey::ENCODED_MAX_LEN];
        let text = self.encode(&mut buf);
        let mut out = String::with_capacity(text.len());
        out.push_str(DID_KEY_PREFIX);
        out.push_str(text.get(KEY_PREFIX.len()..).unwrap_or_default());
        out
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for PublicKey {}

impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &PublicKey) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PublicKey {
    fn cmp(&self, other: &PublicKey) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0u8; PublicKey::ENCODED_MAX_LEN]))
    }
}

impl core::str::FromStr for PublicKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<PublicKey> {
        PublicKey::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use curve25519_dalek::Scalar;

    /// RFC 8032 §7.1 test 1 public key.
    const RFC_KEY: [u8; 32] = [
        0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07,
        0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07,
        0x51, 0x1a,
    ];

    fn text_of(codec_and_key: &[u8]) -> String {
        let mut s = String::from("ed25519:z");
        s.push_str(&base58::encode(codec_and_key));
        s
    }

    fn with_codec(key: &[u8]) -> Vec<u8> {
        let mut v = MULTICODEC.to_vec();
        v.extend_from_slice(key);
        v
    }

    #[test]
    fn round_trip_both_prefixes() {
        let key = PublicKey::from_bytes(&RFC_KEY).unwrap_or_else(|e| unreachable!("{e}"));
        let text = key.to_string();
        assert!(text.starts_with("ed25519:z6Mk"), "{text}");
        assert_eq!(PublicKey::parse(&text), Ok(key));
        let did = key.to_did_key();
        assert!(did.starts_with("did:key:z6Mk"), "{did}");
        assert_eq!(PublicKey::parse(&did), Ok(key));
        assert_eq!(text.parse::<PublicKey>(), Ok(key));
        assert!(key.is_torsion_free());
        assert_eq!(key.as_bytes(), &RFC_KEY);
    }

    #[test]
    fn malformed_texts() {
        let key = PublicKey::from_bytes(&RFC_KEY).unwrap_or_else(|e| unreachable!("{e}"));
        let text = key.to_string();
        let z = &text["ed25519:".len()..];
        let cases = [
            // Prefixes.
            String::from(z),
            alloc::format!("Ed25519:{z}"),
            alloc::format!("ed25519{z}"),
            alloc::format!("did:key{z}"),
            alloc::format!("did:web:{z}"),
            alloc::format!("x25519:{z}"),
            // Fragment (wire format §9), query, whitespace.
            alloc::format!("did:key:{z}#{z}"),
            alloc::format!("did:key:{z}#"),
            alloc::format!("{text} "),
            alloc::format!(" {text}"),
            // Multibase other than base58btc.
            alloc::format!("ed25519:{}", &z[1..]),
            alloc::format!("ed25519:Z{}", &z[1..]),
            alloc::format!("ed25519:f{}", &z[1..]),
            // Bad base58.
            alloc::format!("{}0", &text[..text.len() - 1]),
            alloc::format!("{text}l"),
            String::from("ed25519:z"),
            String::from("ed25519:"),
            String::new(),
            // Wrong length: 33 and 35 bytes after decoding, and a raw 32-byte key without codec.
            text_of(&with_codec(&RFC_KEY[..31])),
            text_of(&with_codec(&[RFC_KEY.as_slice(), &[0]].concat())),
            text_of(&RFC_KEY),
            alloc::format!("ed25519:z{}", "z".repeat(200)),
            // Wrong multicodec: secp256k1-pub (0xe7 0x01), x25519 (0xec 0x01), bad varint.
            text_of(&[[0xe7, 0x01].as_slice(), &RFC_KEY].concat()),
            text_of(&[[0xec, 0x01].as_slice(), &RFC_KEY].concat()),
            text_of(&[[0xed, 0x00].as_slice(), &RFC_KEY].concat()),
            text_of(&[[0x00, 0x00].as_slice(), &RFC_KEY].concat()),
        ];
        for case in &cases {
            assert_eq!(PublicKey::parse(case), Err(Error::MalformedKey), "{case:?}");
        }
    }

    fn field_bytes_le(limbs: &[(usize, u8)], top: u8) -> [u8; 32] {
        let mut b = [0u8; 32];
        for &(i, v) in limbs {
            b[i] = v;
        }
        b[31] |= top;
        b
    }

    #[test]
    fn non_canonical_keys() {
        // y = p + k for k = 0..18 (y >= p), with and without the sign bit.
        for k in 0u8..19 {
            let mut b = [0xffu8; 32];
            b[0] = 0xed + k;
            b[31] = 0x7f;
            assert_eq!(
                PublicKey::from_bytes(&b),
                Err(Error::NonCanonicalKey),
                "p+{k}"
            );
            b[31] = 0xff;
            assert_eq!(
                PublicKey::from_bytes(&b),
                Err(Error::NonCanonicalKey),
                "p+{k}, sign"
            );
            assert_eq!(
                PublicKey::parse(&text_of(&with_codec(&b))),
                Err(Error::NonCanonicalKey)
            );
        }
        // x = 0 with the sign bit set: y = 1 (identity) and y = p - 1 (order 2).
        let one_signed = field_bytes_le(&[(0, 1)], 0x80);
        assert_eq!(
            PublicKey::from_bytes(&one_signed),
            Err(Error::NonCanonicalKey)
        );
        let mut minus_one_signed = [0xffu8; 32];
        minus_one_signed[0] = 0xec;
        assert_eq!(
            PublicKey::from_bytes(&minus_one_signed),
            Err(Error::NonCanonicalKey)
        );
        // A valid key with a flipped sign bit is another valid point (canonical): accepted.
        let mut flipped = RFC_KEY;
        flipped[31] ^= 0x80;
        assert!(PublicKey::from_bytes(&flipped).is_ok());
    }

    #[test]
    fn small_order_keys() {
        for (i, t) in EIGHT_TORSION.iter().enumerate() {
            let b = t.compress().to_bytes();
            assert_eq!(
                PublicKey::from_bytes(&b),
                Err(Error::SmallOrderKey),
                "torsion {i}"
            );
            assert_eq!(
                PublicKey::parse(&text_of(&with_codec(&b))),
                Err(Error::SmallOrderKey)
            );
        }
    }

    #[test]
    fn off_curve_key() {
        // y = 2 has no x on edwards25519 (the x^2 it implies is not a square).
        let b = field_bytes_le(&[(0, 2)], 0);
        assert_eq!(PublicKey::from_bytes(&b), Err(Error::MalformedKey));
    }

    #[test]
    fn mixed_order_keys_accepted_and_flagged() {
        let a = ED25519_BASEPOINT_POINT * Scalar::from(987_654_321u64);
        for (i, t) in EIGHT_TORSION.iter().enumerate() {
            let key = PublicKey::from_bytes(&(a + t).compress().to_bytes())
                .unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(key.is_torsion_free(), i == 0, "torsion {i}");
        }
    }

    #[test]
    fn ordering_and_hash_follow_bytes() {
        let a = PublicKey::from_bytes(&RFC_KEY).unwrap_or_else(|e| unreachable!("{e}"));
        let b = PublicKey::from_bytes(
            &(ED25519_BASEPOINT_POINT * Scalar::from(3u64))
                .compress()
                .to_bytes(),
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(a.cmp(&b), a.as_bytes().cmp(b.as_bytes()));
        assert_ne!(a, b);
    }
}
