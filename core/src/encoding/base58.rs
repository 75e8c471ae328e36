//! Base58btc (the Bitcoin alphabet), as used by multibase `z…` text for keys and signatures
//! (wire format §1).
//!
//! The big number is kept in little-endian `u64` limbs and updated ten base58 digits at a time
//! (58^10 < 2^64), so decoding the 88 characters of a signature costs nine passes over eight
//! limbs. Decoding writes into a caller-supplied buffer and never allocates for outputs of up to
//! 128 bytes; no input makes it panic. Leading `1`s stand for leading zero bytes, one each.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

/// The Bitcoin base58 alphabet.
pub const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Why base58 text could not be decoded, or bytes could not be encoded into a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Base58Error {
    /// A character outside the Bitcoin base58 alphabet.
    InvalidCharacter,
    /// The decoded value does not fit in the output buffer (or the text buffer is too small
    /// for the encoding).
    BufferTooSmall,
    /// The decoded length differs from the exact length required.
    WrongLength,
}

impl fmt::Display for Base58Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Base58Error::InvalidCharacter => "invalid base58 character",
            Base58Error::BufferTooSmall => "base58 value does not fit in the buffer",
            Base58Error::WrongLength => "base58 value has the wrong length",
        })
    }
}

const INVALID: u8 = 0xff;

/// Digit value of each byte, or `INVALID`.
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 58 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// 58^k for k = 0..=10.
const POW58: [u64; 11] = {
    let mut table = [1u64; 11];
    let mut i = 1;
    while i < 11 {
        table[i] = table[i - 1] * 58;
        i += 1;
    }
    table
};

/// Digits consumed per limb update (58^10 < 2^64).
const DIGITS_PER_STEP: usize = 10;
/// 58^5, the largest power of 58 below 2^32: the divisor used by the encoder.
const POW58_5: u64 = 656_356_768;
/// Limbs kept on the stack; larger outputs use a heap buffer.
const STACK_LIMBS: usize = 16;

/// An upper bound on the length of the base58 text of `n` bytes (log 256 / log 58 < 1.3658).
pub const fn max_encoded_len(n: usize) -> usize {
    n / 100 * 137 + (n % 100 * 137).div_ceil(100) + 1
}

/// Decodes `text` into the start of `out` and returns the number of bytes written.
///
/// Each leading `1` is one zero byte; the rest is the big-endian value without leading zero
/// bytes. Fails with [`Base58Error::InvalidCharacter`] for a character outside the alphabet and
/// [`Base58Error::BufferTooSmall`] when the decoded bytes would not fit in `out` (text far too
/// long for `out` is rejected before any arithmetic, so the work is bounded by `out.len()`).
/// On error, the contents of `out` are unspecified.
pub fn decode_into(text: &str, out: &mut [u8]) -> Result<usize, Base58Error> {
    let bytes = text.as_bytes();
    let zeros = bytes.iter().take_while(|&&c| c == b'1').count();
    let (Some(rest), Some(cap)) = (bytes.get(zeros..), out.len().checked_sub(zeros)) else {
        return Err(Base58Error::BufferTooSmall);
    };
    // The first character of `rest` is a non-zero digit, so `rest` encodes a value of at least
    // 58^(len-1) >= 256^((len-1)/1.3658): more than `cap` bytes once len-1 > 1.3658 cap.
    if rest.len() > max_encoded_len(cap) + 1 {
        return Err(Base58Error::BufferTooSmall);
    }
    let n_limbs = cap.div_ceil(8);
    let mut stack = [0u64; STACK_LIMBS];
    let mut heap: Vec<u64>;
    let limbs: &mut [u64] = if n_limbs <= STACK_LIMBS {
        stack.get_mut(..n_limbs).unwrap_or_default()
    } else {
        heap = vec![0u64; n_limbs];
        &mut heap
    };

    let mut used = 0usize; // limbs[used..] are zero
    let head = match rest.len() % DIGITS_PER_STEP {
        0 => DIGITS_PER_STEP,
        r => r,
    };
    let mut start = 0usize;
    let mut len = head.min(rest.len());
    while start < rest.len() {
        let chunk = rest.get(start..start + len).unwrap_or_default();
        let mut value = 0u64;
        for &c in chunk {
            let d = DECODE[c as usize];
            if d == INVALID {
                return Err(Base58Error::InvalidCharacter);
            }
            value = value * 58 + u64::from(d);
        }
        let mul = u128::from(POW58[len]);
        let mut carry = u128::from(value);
        for limb in limbs.iter_mut().take(used) {
            let t = u128::from(*limb) * mul + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
        if carry != 0 {
            match limbs.get_mut(used) {
                Some(limb) => {
                    *limb = carry as u64;
                    used += 1;
                }
                None => return Err(Base58Error::BufferTooSmall),
            }
        }
        start += len;
        len = DIGITS_PER_STEP;
    }

    // Length of the value in bytes, without leading zero bytes.
    let value_len = match limbs.get(..used).and_then(|l| l.last()) {
        Some(&top) => (used - 1) * 8 + (8 - top.leading_zeros() as usize / 8),
        None => 0,
    };
    if value_len > cap {
        return Err(Base58Error::BufferTooSmall);
    }
    let total = zeros + value_len;
    let (head_out, tail_out) = out.split_at_mut(zeros);
    head_out.fill(0);
    let value_out = tail_out.get_mut(..value_len).unwrap_or_default();
    // Eight bytes per limb, from the least significant end; the top limb may be partial.
    for (chunk, limb) in value_out.rchunks_mut(8).zip(limbs.iter()) {
        let be = limb.to_be_bytes();
        chunk.copy_from_slice(be.get(8 - chunk.len()..).unwrap_or_default());
    }
    Ok(total)
}

/// Decodes `text`, which must decode to exactly `out.len()` bytes
/// ([`Base58Error::WrongLength`] otherwise).
pub fn decode_exact(text: &str, out: &mut [u8]) -> Result<(), Base58Error> {
    match decode_into(text, out) {
        Ok(n) if n == out.len() => Ok(()),
        Ok(_) | Err(Base58Error::BufferTooSmall) => Err(Base58Error::WrongLength),
        Err(e) => Err(e),
    }
}

/// Decodes `text` into a new vector.
///
/// The work grows with the square of the length; for untrusted text of a known size use
/// [`decode_exact`] or [`decode_into`], which bound it by the output buffer.
pub fn decode(text: &str) -> Result<Vec<u8>, Base58Error> {
    // Every character is at most one byte of output (58 < 256).
    let mut out = vec![0u8; text.len()];
    let n = decode_into(text, &mut out)?;
    out.truncate(n);
    Ok(out)
}

/// Writes the base58 text of `bytes` into `out` and returns its length
/// ([`Base58Error::BufferTooSmall`] if it does not fit; [`max_encoded_len`] always does).
pub fn encode_into(bytes: &[u8], out: &mut [u8]) -> Result<usize, Base58Error> {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    let value = bytes.get(zeros..).unwrap_or_default();

    // Big-endian u32 limbs of the value (the first limb takes the leftover high bytes).
    let n_limbs = value.len().div_ceil(4);
    let mut stack = [0u32; 2 * STACK_LIMBS];
    let mut heap: Vec<u32>;
    let limbs: &mut [u32] = if n_limbs <= 2 * STACK_LIMBS {
        stack.get_mut(..n_limbs).unwrap_or_default()
    } else {
        heap = vec![0u32; n_limbs];
        &mut heap
    };
    let first = value.len() - (n_limbs.saturating_sub(1)) * 4;
    let mut offset = 0usize;
    for (i, limb) in limbs.iter_mut().enumerate() {
        let take = if i == 0 { first } else { 4 };
        for &b in value.get(offset..offset + take).unwrap_or_default() {
            *limb = (*limb << 8) | u32::from(b);
        }
        offset += take;
    }

    // Digits, least significant first, written into `out` and reversed at the end.
    let mut pos = 0usize;
    let mut lead = 0usize; // limbs[..lead] are zero
    while lead < limbs.len() {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().skip(lead) {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / POW58_5) as u32;
            rem = cur % POW58_5;
        }
        while limbs.get(lead) == Some(&0) {
            lead += 1;
        }
        // Five digits per round, except the last, which stops at its top (non-zero) digit.
        let mut digits: u32 = if lead < limbs.len() { 5 } else { 0 };
        while digits > 0 || rem > 0 {
            let slot = out.get_mut(pos).ok_or(Base58Error::BufferTooSmall)?;
            *slot = (rem % 58) as u8;
            rem /= 58;
            pos += 1;
            digits = digits.saturating_sub(1);
        }
    }
    for _ in 0..zeros {
        let slot = out.get_mut(pos).ok_or(Base58Error::BufferTooSmall)?;
        *slot = 0;
        pos += 1;
    }
    let text = out.get_mut(..pos).unwrap_or_default();
    text.reverse();
    for c in text.iter_mut() {
        *c = ALPHABET.get(usize::from(*c)).copied().unwrap_or(b'1');
    }
    Ok(pos)
}

/// The base58 text of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = vec![0u8; max_encoded_len(bytes.len())];
    let n = encode_into(bytes, &mut out).unwrap_or(0);
    out.truncate(n);
    // Only alphabet characters were written.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: &[u8]) {
        let text = encode(bytes);
        assert!(text.len() <= max_encoded_len(bytes.len()), "{bytes:?}");
        assert_eq!(decode(&text).as_deref(), Ok(bytes), "{text}");
        let mut exact = vec![0u8; bytes.len()];
        assert_eq!(decode_exact(&text, &mut exact), Ok(()));
        assert_eq!(exact, bytes);
    }

    #[test]
    fn known_answers() {
        // From the base58btc test vectors of draft-msporny-base58-03 and Bitcoin Core.
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
            (
                b"The quick brown fox jumps over the lazy dog.",
                "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
            ),
            (&[0x00, 0x00, 0x28, 0x7f, 0xb4, 0xcd], "11233QC4"),
            (&[0x00], "1"),
            (&[0x00, 0x00, 0x00], "111"),
            (&[0x61], "2g"),
            (&[0x62, 0x62, 0x62], "a3gV"),
            (&[0x51, 0x6b, 0x6f, 0xcd, 0x0f], "ABnLTmg"),
            (&[0x57, 0x2e, 0x47, 0x94], "3EFU7m"),
            (
                &[0xec, 0xac, 0x89, 0xca, 0xd9, 0x39, 0x23, 0xc0, 0x23, 0x21],
                "EJDM8drfXA6uyA",
            ),
            (&[0x10, 0xc8, 0x51, 0x1e], "Rt5zm"),
            (&[0; 10], "1111111111"),
            (
                &[
                    0x00, 0xeb, 0x15, 0x23, 0x1d, 0xfc, 0xeb, 0x60, 0x92, 0x58, 0x86, 0xb6, 0x7d,
                    0x06, 0x52, 0x99, 0x92, 0x59, 0x15, 0xae, 0xb1, 0x72, 0xc0, 0x66, 0x47,
                ],
                "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L",
            ),
        ];
        for (bytes, text) in cases {
            assert_eq!(encode(bytes), *text);
            assert_eq!(decode(text).as_deref(), Ok(*bytes), "{text}");
        }
    }

    #[test]
    fn round_trips() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for len in 0..200usize {
            for zeros in [0usize, 1, 3] {
                let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                for b in bytes.iter_mut().take(zeros) {
                    *b = 0;
                }
                round_trip(&bytes);
            }
            round_trip(&vec![0xff; len]);
            round_trip(&vec![0x00; len]);
        }
    }

    #[test]
    fn rejects_bad_characters() {
        for bad in [
            "0", "O", "I", "l", "+", "/", " 2g", "2g ", "2g\n", "é", "2\u{0}g",
        ] {
            assert_eq!(decode(bad), Err(Base58Error::InvalidCharacter), "{bad:?}");
        }
    }

    #[test]
    fn fixed_size_outputs() {
        let mut out = [0u8; 4];
        // 2^32 - 1 fits in four bytes, 2^32 does not.
        assert_eq!(decode_into(&encode(&[0xff; 4]), &mut out), Ok(4));
        assert_eq!(out, [0xff; 4]);
        assert_eq!(
            decode_into(&encode(&[1, 0, 0, 0, 0]), &mut out),
            Err(Base58Error::BufferTooSmall)
        );
        // Shorter values land at the start of the buffer.
        assert_eq!(decode_into("2g", &mut out), Ok(1));
        assert_eq!(out[0], 0x61);
        // Leading '1's count against the buffer too.
        assert_eq!(
            decode_into("11111", &mut out),
            Err(Base58Error::BufferTooSmall)
        );
        assert_eq!(decode_into("1111", &mut out), Ok(4));
        assert_eq!(out, [0; 4]);
        // Exact length.
        assert_eq!(decode_exact("2g", &mut out), Err(Base58Error::WrongLength));
        assert_eq!(decode_exact(&encode(&[0, 0, 0, 7]), &mut out), Ok(()));
        assert_eq!(out, [0, 0, 0, 7]);
        assert_eq!(decode_exact("", &mut []), Ok(()));
        assert_eq!(decode_exact("1", &mut []), Err(Base58Error::WrongLength));
        // Huge input is rejected before any arithmetic.
        let long = "z".repeat(10_000);
        assert_eq!(
            decode_exact(&long, &mut [0u8; 64]),
            Err(Base58Error::WrongLength)
        );
        // A 64-byte value has at most 88 characters; 89 'z's overflow.
        let mut sig = [0u8; 64];
        assert_eq!(
            decode_exact(&"z".repeat(89), &mut sig),
            Err(Base58Error::WrongLength)
        );
        assert_eq!(decode_exact(&encode(&[0xff; 64]), &mut sig), Ok(()));
        assert_eq!(encode(&[0xff; 64]).len(), 88);
    }

    #[test]
    fn boundaries_of_every_limb_count() {
        // Values just below and at 256^k decode to k and k+1 bytes.
        for k in 1..40usize {
            let below = vec![0xffu8; k];
            let mut at = vec![0u8; k + 1];
            at[0] = 1;
            let mut out = vec![0u8; k];
            assert_eq!(decode_into(&encode(&below), &mut out), Ok(k));
            assert_eq!(out, below);
            assert_eq!(
                decode_into(&encode(&at), &mut out),
                Err(Base58Error::BufferTooSmall)
            );
        }
    }

    #[test]
    fn encode_into_small_buffer() {
        let mut out = [0u8; 3];
        assert_eq!(
            encode_into(b"Hello World!", &mut out),
            Err(Base58Error::BufferTooSmall)
        );
        assert_eq!(
            encode_into(&[0, 0, 0, 0], &mut out),
            Err(Base58Error::BufferTooSmall)
        );
        assert_eq!(encode_into(&[0x61], &mut out), Ok(2));
        assert_eq!(&out[..2], b"2g");
    }

    #[test]
    fn never_panics_on_arbitrary_text() {
        let alphabet = "123456789ABCz0éx";
        let chars: Vec<char> = alphabet.chars().collect();
        let mut x = 12345u64;
        for _ in 0..3000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (x >> 58) as usize;
            let text: String = (0..len)
                .map(|i| chars[((x >> (i % 50)) as usize + i) % chars.len()])
                .collect();
            for size in [0usize, 1, 2, 31, 32, 34, 64] {
                let mut out = vec![0u8; size];
                let _ = decode_into(&text, &mut out);
                let _ = decode_exact(&text, &mut out);
            }
        }
    }
}
