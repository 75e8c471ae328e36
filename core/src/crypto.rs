//! Signing input with domains, strict Ed25519 verification and batch verification (wire format
//! §3). Hashes of records are [`crate::Digest::of`] over their canonical bytes.
//!
//! # Strictness
//!
//! Verification is RFC 8032 §5.1.7 Ed25519 with the checks of ed25519-dalek's `verify_strict`:
//! `S` must be reduced (S < L), `R` and `A` must be canonical encodings of points that are not of
//! small order, and the check is the cofactorless equation `[S]B = R + [k]A` with
//! `k = SHA-512(R ‖ A ‖ M) mod L`, compared on the encoding of `R`. Keys are checked when they are
//! parsed ([`PublicKey`]); [`verify_strict`] checks the signature and names the first rule it
//! breaks.

use crate::encoding::{PublicKey, SignatureBytes};
use crate::error::{Error, Result};
use alloc::vec;
use alloc::vec::Vec;
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest as _, Sha512};

/// The prefix of every signing input.
pub const SIG_PREFIX: &[u8; 16] = b"vaultmesh-sig-v1";

/// Appends `"vaultmesh-sig-v1" ‖ 0x00 ‖ domain ‖ 0x00` to `out`; the caller then appends the
/// canonical bytes (RFC 8785) of the record body to the same buffer, which is the signed message.
/// `domain` is a record kind's domain (`record::Kind::domain`, wire format §3): a signature made
/// for one domain never verifies for another.
pub fn write_signing_input(domain: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(SIG_PREFIX);
    out.push(0);
    out.extend_from_slice(domain.as_bytes());
    out.push(0);
}

/// `"vaultmesh-sig-v1" ‖ 0x00 ‖ domain ‖ 0x00 ‖ canonical_body` as a new buffer.
pub fn signing_input(domain: &str, canonical_body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIG_PREFIX.len() + domain.len() + 2 + canonical_body.len());
    write_signing_input(domain, &mut out);
    out.extend_from_slice(canonical_body);
    out
}

// ---------------------------------------------------------------------------------------------
// Point encodings.

/// The canonical encodings of the eight points of small order (the torsion subgroup E[8]).
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 8] = {
    let mut t = [[0u8; 32]; 8];
    // Identity (0, 1).
    t[0][0] = 1;
    // Order 2: (0, -1); y = p - 1.
    let mut i = 0;
    while i < 32 {
        t[1][i] = 0xff;
        i += 1;
    }
    t[1][0] = 0xec;
    t[1][31] = 0x7f;
    // Order 4: (±sqrt(-1), 0); y = 0 with either sign.
    t[3][31] = 0x80;
    // Order 8: y = ±y8 with either sign.
    t[4] = ORDER8_A;
    t[5] = ORDER8_A;
    t[5][31] |= 0x80;
    t[6] = ORDER8_B;
    t[7] = ORDER8_B;
    t[7][31] |= 0x80;
    t
};
const ORDER8_A: [u8; 32] = [
    0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
    0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
];
const ORDER8_B: [u8; 32] = [
    0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
    0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
];

/// True when `b` is a canonical point encoding as far as the bytes can tell (RFC 8032 §5.1.3):
/// the 255-bit `y` is below p = 2^255 - 19, and the sign bit is clear when `x` would be 0
/// (y = 1 or y = p - 1). curve25519-dalek's decompression accepts both non-canonical forms, so
/// this is checked on the bytes. (Whether a point with this `y` exists is decompression's job.)
pub(crate) fn is_canonical_point_encoding(b: &[u8; 32]) -> bool {
    let top = b[31] & 0x7f;
    let middle_all_ff = b[1..31].iter().all(|&x| x == 0xff);
    // y >= p: y is 2^255 - 19 + k, k = 0..18: bytes ed+k, ff × 30, 7f.
    if top == 0x7f && middle_all_ff && b[0] >= 0xed {
        return false;
    }
    let sign = b[31] & 0x80 != 0;
    if sign {
        let y_is_one = b[0] == 1 && top == 0 && b[1..31].iter().all(|&x| x == 0);
        let y_is_minus_one = b[0] == 0xec && top == 0x7f && middle_all_ff;
        if y_is_one || y_is_minus_one {
            return false;
        }
    }
    true
}

/// True when the canonical encoding `b` is that of a point of small order.
fn is_small_order_encoding(b: &[u8; 32]) -> bool {
    SMALL_ORDER_ENCODINGS.iter().any(|t| t == b)
}

/// True when `point` is in the prime-order subgroup: `[L]P = 0`, tested as `[L-1]P = -P` with a
/// variable-time scalar multiplication (public data only).
pub(crate) fn is_torsion_free(point: &EdwardsPoint) -> bool {
    let l_minus_one = -Scalar::ONE;
    EdwardsPoint::vartime_double_scalar_mul_basepoint(&l_minus_one, point, &Scalar::ZERO) == -point
}

/// The strict checks on a signature's encoding, in this order: `R` non-canonical or `S >= L`
/// ([`Error::NonCanonicalSignature`]), then `R` of small order ([`Error::SmallOrderSignature`]).
/// Returns `S`.
fn check_signature_encoding(sig: &SignatureBytes) -> Result<Scalar> {
    let r = sig.r_bytes();
    if !is_canonical_point_encoding(&r) {
        return Err(Error::NonCanonicalSignature);
    }
    let s: Option<Scalar> = Scalar::from_canonical_bytes(sig.s_bytes()).into();
    let s = s.ok_or(Error::NonCanonicalSignature)?;
    if is_small_order_encoding(&r) {
        return Err(Error::SmallOrderSignature);
    }
    Ok(s)
}

/// Verifies `sig` on `msg` under `key`, strictly (RFC 8032 §5.1.7 with ed25519-dalek's
/// `verify_strict` semantics; wire format §3).
///
/// Errors, checked in this order:
/// - [`Error::NonCanonicalSignature`]: `R` is not a canonical encoding (y ≥ p, or x = 0 with the
///   sign bit set), or `S ≥ L`;
/// - [`Error::SmallOrderSignature`]: `R` is one of the eight points of small order;
/// - [`Error::SignatureMismatch`]: anything else `verify_strict` rejects: the equation does not
///   hold, or `R`'s `y` has no point on the curve.
///
/// Small-order and non-canonical keys cannot reach this function: [`PublicKey`] rejects them.
/// The final verdict is ed25519-dalek's own `verify_strict`; the checks before it only name the
/// reason for inputs it rejects anyway.
pub fn verify_strict(key: &PublicKey, msg: &[u8], sig: &SignatureBytes) -> Result<()> {
    check_signature_encoding(sig)?;
    let signature = ed25519_dalek::Signature::from_bytes(&sig.0);
    key.verifying_key()
        .verify_strict(msg, &signature)
        .map_err(|_| Error::SignatureMismatch)
}

// ---------------------------------------------------------------------------------------------
// Batch verification.

/// One signature to check in [`verify_batch`].
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    /// The signer's key.
    pub key: &'a PublicKey,
    /// The signed message (the whole signing input).
    pub message: &'a [u8],
    /// The signature.
    pub signature: &'a SignatureBytes,
}

/// Domain separation of the coefficient derivation.
const BATCH_CONTEXT: &[u8] = b"vaultmesh batch coefficients v1";

/// An item that passed the encoding checks and takes part in the batch equation.
struct Entry {
    /// Index into the caller's items.
    item: usize,
    /// Index into the batch's distinct keys.
    key: usize,
    /// The decompressed `R`.
    r: EdwardsPoint,
    /// `S`.
    s: Scalar,
    /// `k = SHA-512(R ‖ A ‖ M) mod L`.
    k: Scalar,
    /// The random odd coefficient, `1 <= z < 2^128`.
    z: Scalar,
}

/// Verifies many signatures at once; the result for every item is the result
/// [`verify_strict`] gives for it (including the same error), up to the one case described below.
///
/// `seed` should be 32 fresh random bytes (a fixed seed still works, see below). The length of
/// the result equals `items.len()`.
///
/// # How
///
/// Each item first gets the encoding checks of [`verify_strict`] (`S < L`, `R` canonical and not
/// of small order; the key was checked when it was parsed); an item that fails them gets that
/// error and takes no further part. An item whose key is not torsion-free
/// ([`PublicKey::is_torsion_free`]; never the case for an honestly generated key) is verified on
/// its own with [`verify_strict`], because below its scalar would be reduced mod L, which is
/// only sound for points of order L. For the rest, with `k_i = SHA-512(R_i ‖ A_i ‖ M_i) mod L`
/// and `D_i = R_i + [k_i]A_i - [S_i]B`, an item is valid under `verify_strict` exactly when
/// `D_i = 0` (the cofactorless equation of RFC 8032 §5.1.7, as ed25519-dalek checks it). The
/// batch checks, with ONE variable-time multiscalar multiplication,
///
/// ```text
/// [-Σ z_i S_i mod L]B + Σ [z_i]R_i + Σ_A [Σ_{i: A_i = A} z_i k_i mod L]A  ==  identity
/// ```
///
/// (terms of items sharing a key are merged) where the `z_i` are odd integers `1 <= z_i < 2^128`
/// read from the BLAKE3 XOF keyed with `seed` over every item's index, signature and
/// `SHA-512(R_i ‖ A_i ‖ M_i)` (which binds `R_i`, `A_i` and the message). Because `B` and every
/// `A_i` here have prime order and `z_i < L`, the left side is exactly `Σ [z_i]D_i`: a batch of
/// valid items always passes, with no multiplication by the cofactor. If it fails, every item
/// of the equation is settled on its own with `verify_strict`'s equation, reusing its `R` and
/// `k` (see `check_each`), so every reported error is exactly `verify_strict`'s.
///
/// Settling one by one was chosen over recursive halving by measurement (64 items of 650 bytes,
/// distinct keys, 2-core x86-64): halving with the same coefficients found a single bad item
/// about 20% sooner (2.9 ms against 3.6 ms), but with 4 to 64 bad items it took 7 to 10 ms, two
/// to three times as long, and whoever sends the items chooses how many are bad. One by one, a
/// failed batch costs the batch plus one double-scalar multiplication per item (SHA-512 and the
/// decompression of `R` are not repeated): about 1.2× the cost of calling [`verify_strict`] on
/// every item at 64 items, about 1.05× at 1024, whatever the number of bad items.
///
/// # When the verdict could differ from `verify_strict`
///
/// Only ever by accepting a set of items that `verify_strict` would reject, never the other
/// way round, and only in these cases:
///
/// 1. Prime-order parts: some `D_i` have a component of order L and `Σ [z_i]D_i` still vanishes.
///    For coefficients unknown to whoever made the signatures this happens with probability
///    at most 2^-127 (the odd `z_i` carry 127 random bits, and `z_i < L`). With a fixed or
///    public seed the `z_i` are still a hash of the items, so finding such a set means grinding
///    that hash, about 2^127 attempts.
/// 2. Torsion parts, the known limit of cofactorless batching (Chalkias, Garillot, Nikolaenko,
///    "Taming the many EdDSAs", SSR 2020). The torsion subgroup of edwards25519 is cyclic of
///    order 8; when the bad items' `D_i` are pure torsion points `[t_i]T8`, the equation sees
///    only `Σ z_i t_i mod 8`. As every `z_i` is odd, ONE such item can never cancel
///    (`z_i t_i ≢ 0 mod 8` for `t_i ≢ 0`). Two or more can: two items whose `R` carries the
///    point of order 2 (`t_1 = t_2 = 4`, including the same such signature submitted twice)
///    give `4(z_1 + z_2) ≡ 0 (mod 8)` for every pair of odd coefficients, so they are accepted
///    with probability 1; pairs of order-4 components (`t = 2` or `6`) cancel with probability
///    1/2, pairs of order-8 components with probability 1/4. Such a `D_i` passes the cofactored
///    equation `[8][S]B = [8]R + [8][k]A`: since `A_i` is torsion-free, `R_i` is a nonce point
///    `[r]B` plus torsion and `S_i = r + k_i a mod L`, and making it takes the secret key `a`.
///    So this is not a forgery: a signer (or colluding signers) can make two or more
///    non-canonical variants of their own signatures that this function accepts together while
///    `verify_strict` rejects each one. A batch holding at most one item whose only defect is
///    torsion in `R` is judged exactly as `verify_strict` judges it (up to case 1).
///    (`crypto::tests::known_limit_two_order_two_torsions_cancel` shows the case.)
///
/// Where even that must not happen (e.g. to reject malleated receipts), call [`verify_strict`].
pub fn verify_batch(items: &[BatchItem<'_>], seed: &[u8; 32]) -> Vec<Result<()>> {
    let mut results: Vec<Result<()>> = vec![Ok(()); items.len()];
    let mut entries: Vec<Entry> = Vec::with_capacity(items.len());
    let mut coefficients = blake3::Hasher::new_keyed(seed);
    coefficients.update(BATCH_CONTEXT);
    coefficients.update(&(items.len() as u64).to_le_bytes());

    for (i, item) in items.iter().enumerate() {
        let outcome = prepare(i, item);
        match outcome {
            Prepared::Entry(entry, digest) => {
                coefficients.update(&(i as u64).to_le_bytes());
                coefficients.update(&item.signature.0);
                coefficients.update(&digest);
                entries.push(entry);
            }
            Prepared::Done(result) => {
                if let Some(slot) = results.get_mut(i) {
                    *slot = result;
                }
            }
            Prepared::Single => {
                if let Some(slot) = results.get_mut(i) {
                    *slot = verify_strict(item.key, item.message, item.signature);
                }
            }
        }
    }
    if entries.is_empty() {
        return results;
    }

    let mut xof = coefficients.finalize_xof();
    for entry in entries.iter_mut() {
        let mut z = [0u8; 32];
        xof.fill(&mut z[..16]);
        z[0] |= 1;
        entry.z = Scalar::from_bytes_mod_order(z);
    }

    // Distinct keys: sort the entries' keys by their bytes and number them.
    let mut order: Vec<(&[u8; 32], usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(j, e)| items.get(e.item).map(|it| (it.key.as_bytes(), j)))
        .collect();
    order.sort_unstable();
    let mut keys: Vec<EdwardsPoint> = Vec::new();
    let mut last: Option<&[u8; 32]> = None;
    for (bytes, j) in order {
        if last != Some(bytes) {
            if let Some(item) = entries.get(j).and_then(|e| items.get(e.item)) {
                keys.push(item.key.verifying_key().to_edwards());
            }
            last = Some(bytes);
        }
        if let Some(entry) = entries.get_mut(j) {
            entry.key = keys.len().saturating_sub(1);
        }
    }

    if !equation_holds(&entries, &keys) {
        check_each(&entries, &keys, &mut results);
    }
    results
}

// A short-lived value on the stack; boxing the large variant would cost an allocation per item.
#[allow(clippy::large_enum_variant)]
enum Prepared {
    /// Takes part in the batch equation; with the 64-byte SHA-512 digest.
    Entry(Entry, [u8; 64]),
    /// Settled by the encoding checks.
    Done(Result<()>),
    /// To be verified on its own (key with a torsion component).
    Single,
}

fn prepare(index: usize, item: &BatchItem<'_>) -> Prepared {
    let s = match check_signature_encoding(item.signature) {
        Ok(s) => s,
        Err(e) => return Prepared::Done(Err(e)),
    };
    if !item.key.is_torsion_free() {
        return Prepared::Single;
    }
    let r_bytes = item.signature.r_bytes();
    let Some(r) = CompressedEdwardsY(r_bytes).decompress() else {
        // `verify_strict` rejects an `R` with no point the same way.
        return Prepared::Done(Err(Error::SignatureMismatch));
    };
    let mut digest = [0u8; 64];
    digest.copy_from_slice(
        &Sha512::new()
            .chain_update(r_bytes)
            .chain_update(item.key.as_bytes())
            .chain_update(item.message)
            .finalize(),
    );
    let k = Scalar::from_bytes_mod_order_wide(&digest);
    Prepared::Entry(
        Entry {
            item: index,
            key: 0,
            r,
            s,
            k,
            z: Scalar::ZERO,
        },
        digest,
    )
}

/// Checks the batch equation on `entries` (see [`verify_batch`]).
fn equation_holds(entries: &[Entry], keys: &[EdwardsPoint]) -> bool {
    let mut scalars: Vec<Scalar> = Vec::with_capacity(2 * entries.len() + 1);
    let mut points: Vec<EdwardsPoint> = Vec::with_capacity(2 * entries.len() + 1);
    let mut b = Scalar::ZERO;
    let mut per_key: Vec<(usize, Scalar)> = Vec::with_capacity(entries.len());
    for e in entries {
        b -= e.z * e.s;
        scalars.push(e.z);
        points.push(e.r);
        per_key.push((e.key, e.z * e.k));
    }
    per_key.sort_unstable_by_key(|&(key, _)| key);
    let mut iter = per_key.into_iter().peekable();
    while let Some((key, mut coefficient)) = iter.next() {
        while let Some((_, more)) = iter.next_if(|&(next, _)| next == key) {
            coefficient += more;
        }
        if let Some(point) = keys.get(key) {
            scalars.push(coefficient);
            points.push(*point);
        }
    }
    scalars.push(b);
    points.push(ED25519_BASEPOINT_POINT);
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

/// Settles each entry on its own with `verify_strict`'s equation.
///
/// This is exactly ed25519-dalek's `verify_strict` for an item that passed the encoding checks
/// and whose key is a valid [`PublicKey`]: it computes `[k](-A) + [S]B` (the same
/// `vartime_double_scalar_mul_basepoint` with the same `k`) and compares it with `R`; dalek
/// compares the encodings, which is the same test because `R`'s encoding is canonical.
fn check_each(entries: &[Entry], keys: &[EdwardsPoint], results: &mut [Result<()>]) {
    for e in entries {
        let holds = keys.get(e.key).is_some_and(|a| {
            EdwardsPoint::vartime_double_scalar_mul_basepoint(&e.k, &-a, &e.s) == e.r
        });
        if !holds {
            if let Some(slot) = results.get_mut(e.item) {
                *slot = Err(Error::SignatureMismatch);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Signing.

/// Signs `msg` with the Ed25519 secret key (the 32-byte seed of RFC 8032 §5.1.5), RFC 8032
/// §5.1.6. The signature is deterministic.
#[cfg(feature = "signing")]
pub fn sign(secret: &[u8; 32], msg: &[u8]) -> SignatureBytes {
    use ed25519_dalek::Signer as _;
    let key = ed25519_dalek::SigningKey::from_bytes(secret);
    SignatureBytes(key.sign(msg).to_bytes())
}

/// The public key of the secret key `secret` (RFC 8032 §5.1.5). Always canonical, never of small
/// order and torsion-free.
#[cfg(feature = "signing")]
pub fn derive_public_key(secret: &[u8; 32]) -> PublicKey {
    let key = ed25519_dalek::SigningKey::from_bytes(secret);
    PublicKey::from_derived(key.verifying_key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;
    use curve25519_dalek::traits::Identity;

    /// Deterministic pseudo-random bytes for tests.
    fn bytes32(label: &str, i: u64) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(label.as_bytes());
        h.update(&i.to_le_bytes());
        *h.finalize().as_bytes()
    }

    fn scalar(label: &str, i: u64) -> Scalar {
        Scalar::from_bytes_mod_order(bytes32(label, i))
    }

    /// A signer holding the scalar `a`, publishing `A = [a]B + torsion`.
    struct Signer {
        a: Scalar,
        key: PublicKey,
    }

    fn signer(i: u64, torsion: usize) -> Signer {
        let a = scalar("a", i);
        let point = ED25519_BASEPOINT_POINT * a + EIGHT_TORSION[torsion % 8];
        let key = PublicKey::from_bytes(&point.compress().to_bytes())
            .unwrap_or_else(|e| unreachable!("{e}"));
        Signer { a, key }
    }

    fn k_of(r: &[u8; 32], key: &PublicKey, msg: &[u8]) -> Scalar {
        let mut d = [0u8; 64];
        d.copy_from_slice(
            &Sha512::new()
                .chain_update(r)
                .chain_update(key.as_bytes())
                .chain_update(msg)
                .finalize(),
        );
        Scalar::from_bytes_mod_order_wide(&d)
    }

    /// A signature with nonce point `R = [r]B + r_torsion` and `S = r + k a`.
    fn sign_with(s: &Signer, r: Scalar, r_torsion: EdwardsPoint, msg: &[u8]) -> SignatureBytes {
        let big_r = (ED25519_BASEPOINT_POINT * r + r_torsion)
            .compress()
            .to_bytes();
        let k = k_of(&big_r, &s.key, msg);
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&big_r);
        out[32..].copy_from_slice((r + k * s.a).as_bytes());
        SignatureBytes(out)
    }

    fn honest(s: &Signer, i: u64, msg: &[u8]) -> SignatureBytes {
        sign_with(s, scalar("r", i), EdwardsPoint::identity(), msg)
    }

    /// A valid signature under a mixed-order key: choose the torsion of `R` to cancel `[k]T`.
    fn valid_under_mixed_key(s: &Signer, torsion: usize, msg: &[u8]) -> SignatureBytes {
        let t = EIGHT_TORSION[torsion % 8];
        for i in 0..1000u64 {
            for t_r in EIGHT_TORSION {
                let sig = sign_with(s, scalar("mixed r", i), t_r, msg);
                let k = k_of(&sig.r_bytes(), &s.key, msg);
                if (t_r + t * k).is_identity() {
                    return sig;
                }
            }
        }
        unreachable!("no nonce found")
    }

    fn with_s(sig: &SignatureBytes, s: [u8; 32]) -> SignatureBytes {
        let mut out = sig.0;
        out[32..].copy_from_slice(&s);
        SignatureBytes(out)
    }

    fn with_r(sig: &SignatureBytes, r: [u8; 32]) -> SignatureBytes {
        let mut out = sig.0;
        out[..32].copy_from_slice(&r);
        SignatureBytes(out)
    }

    /// `S + L` as 32 little-endian bytes (still below 2^256).
    fn plus_l(s: [u8; 32]) -> [u8; 32] {
        let l_bytes = (-Scalar::ONE).to_bytes(); // L - 1
        let mut out = [0u8; 32];
        let mut carry = 1u16; // + 1 turns L - 1 into L
        for i in 0..32 {
            let v = u16::from(s[i]) + u16::from(l_bytes[i]) + carry;
            out[i] = v as u8;
            carry = v >> 8;
        }
        out
    }

    #[test]
    fn small_order_table_is_the_torsion_subgroup() {
        let mut table: Vec<[u8; 32]> = SMALL_ORDER_ENCODINGS.to_vec();
        let mut torsion: Vec<[u8; 32]> = EIGHT_TORSION
            .iter()
            .map(|t| t.compress().to_bytes())
            .collect();
        table.sort_unstable();
        torsion.sort_unstable();
        assert_eq!(table, torsion);
        for b in SMALL_ORDER_ENCODINGS {
            assert!(is_canonical_point_encoding(&b));
        }
    }

    #[test]
    fn canonical_check_matches_decompress_compress() {
        let mut cases: Vec<[u8; 32]> = Vec::new();
        for k in 0u8..=40 {
            let mut low = [0u8; 32];
            low[0] = k;
            cases.push(low);
            let mut high = [0xffu8; 32];
            high[31] = 0x7f;
            high[0] = 0xff - k;
            cases.push(high);
        }
        for i in 0..200 {
            cases.push(bytes32("encoding", i));
            cases.push(
                (ED25519_BASEPOINT_POINT * scalar("p", i))
                    .compress()
                    .to_bytes(),
            );
        }
        let mut seen_non_canonical = 0;
        for base in cases {
            for sign in [0u8, 0x80] {
                let mut b = base;
                b[31] = (b[31] & 0x7f) | sign;
                let Some(p) = CompressedEdwardsY(b).decompress() else {
                    continue;
                };
                let round_trips = p.compress().to_bytes() == b;
                assert_eq!(is_canonical_point_encoding(&b), round_trips, "{b:02x?}");
                seen_non_canonical += usize::from(!round_trips);
            }
        }
        assert!(seen_non_canonical >= 4, "{seen_non_canonical}");
    }

    #[test]
    fn domains() {
        let mut buf = Vec::new();
        write_signing_input("fed_cross_anchor", &mut buf);
        buf.extend_from_slice(b"{}");
        assert_eq!(buf, b"vaultmesh-sig-v1\0fed_cross_anchor\0{}");
        assert_eq!(
            signing_input("gov_vote", b"{\"a\":1}"),
            b"vaultmesh-sig-v1\0gov_vote\0{\"a\":1}"
        );
    }

    /// A test item and the result `verify_strict` gives it.
    struct Case {
        key: PublicKey,
        msg: Vec<u8>,
        sig: SignatureBytes,
        expected: Result<()>,
        /// Invalid only through a torsion component of `R` (passes the cofactored equation).
        torsion_only: bool,
    }

    struct Zoo(Vec<Case>);

    impl Zoo {
        fn push(
            &mut self,
            (key, msg, sig, expected): (PublicKey, Vec<u8>, SignatureBytes, Result<()>),
        ) {
            self.0.push(Case {
                key,
                msg,
                sig,
                expected,
                torsion_only: false,
            });
        }
    }

    /// Every kind of item, with the error `verify_strict` gives it.
    fn zoo() -> Vec<Case> {
        let mut out = Zoo(Vec::new());
        let msg =
            |i: u64| -> Vec<u8> { (0..650).map(|j| (i as u8).wrapping_add(j as u8)).collect() };
        let s1 = signer(1, 0);
        let s2 = signer(2, 0);
        let good = honest(&s1, 1, &msg(1));
        let order8 = EIGHT_TORSION[1];
        let mut non_canonical_r = [0xffu8; 32];
        non_canonical_r[0] = 0xee; // y = p + 1
        non_canonical_r[31] = 0x7f;
        let mut r_one_signed = [0u8; 32];
        r_one_signed[0] = 1;
        r_one_signed[31] = 0x80;
        let mut off_curve = [0u8; 32];
        off_curve[0] = 2;

        out.push((s1.key, msg(1), good, Ok(())));
        out.push((s2.key, msg(2), honest(&s2, 2, &msg(2)), Ok(())));
        // Wrong message, wrong key.
        out.push((s1.key, msg(3), good, Err(Error::SignatureMismatch)));
        out.push((s2.key, msg(1), good, Err(Error::SignatureMismatch)));
        // S >= L: S + L, and S with the top bits set.
        out.push((
            s1.key,
            msg(1),
            with_s(&good, plus_l(good.s_bytes())),
            Err(Error::NonCanonicalSignature),
        ));
        out.push((
            s1.key,
            msg(1),
            with_s(&good, [0xff; 32]),
            Err(Error::NonCanonicalSignature),
        ));
        // Non-canonical R encodings, with and without a point behind them.
        out.push((
            s1.key,
            msg(1),
            with_r(&good, non_canonical_r),
            Err(Error::NonCanonicalSignature),
        ));
        out.push((
            s1.key,
            msg(1),
            with_r(&good, r_one_signed),
            Err(Error::NonCanonicalSignature),
        ));
        let mut flipped_sign_identity = SMALL_ORDER_ENCODINGS[0];
        flipped_sign_identity[31] |= 0x80;
        out.push((
            s1.key,
            msg(1),
            with_r(&good, flipped_sign_identity),
            Err(Error::NonCanonicalSignature),
        ));
        // Small-order R, every one of the eight.
        for t in SMALL_ORDER_ENCODINGS {
            out.push((
                s1.key,
                msg(1),
                with_r(&good, t),
                Err(Error::SmallOrderSignature),
            ));
        }
        // R whose y has no point.
        out.push((
            s1.key,
            msg(1),
            with_r(&good, off_curve),
            Err(Error::SignatureMismatch),
        ));
        // R with a torsion component, correctly signed otherwise: cofactored-valid only.
        out.push((
            s1.key,
            msg(4),
            sign_with(&s1, scalar("r", 4), order8, &msg(4)),
            Err(Error::SignatureMismatch),
        ));
        out.push((
            s2.key,
            msg(5),
            sign_with(&s2, scalar("r", 5), EIGHT_TORSION[4], &msg(5)),
            Err(Error::SignatureMismatch),
        ));
        for case in out.0.iter_mut().rev().take(2) {
            case.torsion_only = true;
        }
        // Mixed-order keys: a valid signature, and a plainly signed (hence invalid) one.
        let m = signer(7, 3);
        out.push((m.key, msg(6), valid_under_mixed_key(&m, 3, &msg(6)), Ok(())));
        let plain = honest(&m, 7, &msg(7));
        let expected = verify_strict(&m.key, &msg(7), &plain);
        out.push((m.key, msg(7), plain, expected));
        // More valid items, some sharing a key.
        for i in 10..20 {
            let s = signer(i % 3, 0);
            out.push((s.key, msg(i), honest(&s, i, &msg(i)), Ok(())));
        }
        out.0
    }

    #[test]
    fn verify_strict_errors() {
        for (i, c) in zoo().iter().enumerate() {
            assert_eq!(
                verify_strict(&c.key, &c.msg, &c.sig),
                c.expected,
                "case {i}"
            );
            // ed25519-dalek's verify_strict agrees on accept/reject.
            let sig = ed25519_dalek::Signature::from_bytes(&c.sig.0);
            let dalek = c.key.verifying_key().verify_strict(&c.msg, &sig);
            assert_eq!(dalek.is_ok(), c.expected.is_ok(), "case {i}");
        }
    }

    /// Checks that `verify_batch` gives every item its `verify_strict` result, except where the
    /// documented limit applies: when two or more items whose only defect is torsion in `R` are
    /// in one batch, those may be accepted together.
    fn check_batch(entries: &[&Case], seed: u64) {
        let items: Vec<BatchItem<'_>> = entries
            .iter()
            .map(|c| BatchItem {
                key: &c.key,
                message: &c.msg,
                signature: &c.sig,
            })
            .collect();
        let got = verify_batch(&items, &bytes32("seed", seed));
        assert_eq!(got.len(), entries.len());
        let torsion_only = entries.iter().filter(|c| c.torsion_only).count();
        for (i, (c, r)) in entries.iter().zip(&got).enumerate() {
            if c.torsion_only && torsion_only >= 2 {
                assert!(r.is_ok() || *r == c.expected, "seed {seed} item {i}: {r:?}");
            } else {
                assert_eq!(*r, c.expected, "seed {seed} item {i}");
            }
        }
    }

    #[test]
    fn batch_equals_strict_on_mixed_batches() {
        let zoo = zoo();
        let all: Vec<_> = zoo.iter().collect();
        check_batch(&all, 0);
        // Every item alone, every item with one of each kind of partner, some rotations.
        let partners: Vec<&Case> = [0usize, 2, 4, 6, 9, 17, 18, 19, 21]
            .iter()
            .filter_map(|&i| zoo.get(i))
            .collect();
        for (i, a) in zoo.iter().enumerate() {
            check_batch(&[a], i as u64);
            for b in &partners {
                check_batch(&[a, b], 1000 + i as u64);
                check_batch(&[b, a], 2000 + i as u64);
            }
        }
        for shift in [1usize, 5, 17] {
            let mut rotated = all.clone();
            rotated.rotate_left(shift);
            check_batch(&rotated, shift as u64);
        }
        check_batch(&[], 0);
    }

    #[test]
    fn batch_of_64_with_failures_anywhere() {
        let zoo = zoo();
        let valid: Vec<_> = zoo.iter().filter(|c| c.expected.is_ok()).collect();
        let invalid: Vec<_> = zoo.iter().filter(|c| c.expected.is_err()).collect();
        let base: Vec<_> = (0..64).map(|i| valid[i % valid.len()]).collect();
        check_batch(&base, 1);
        for (n, bad) in invalid.iter().enumerate() {
            let mut batch = base.clone();
            batch[[0usize, 1, 31, 32, 63][n % 5]] = bad;
            check_batch(&batch, n as u64);
        }
        // Many failures at once.
        let mut batch = base.clone();
        for (i, bad) in invalid.iter().enumerate() {
            batch[(i * 7) % 64] = bad;
        }
        check_batch(&batch, 99);
        let all_bad: Vec<_> = (0..64).map(|i| invalid[i % invalid.len()]).collect();
        check_batch(&all_bad, 100);
    }

    /// The documented limit of cofactorless batching: two signatures whose `R` carries the
    /// point of order 2 each fail `verify_strict`, and cancel in the batch equation for every
    /// choice of odd coefficients.
    #[test]
    fn known_limit_two_order_two_torsions_cancel() {
        let s = signer(40, 0);
        let msg1 = b"first".to_vec();
        let msg2 = b"second".to_vec();
        let t2 = EIGHT_TORSION[4];
        let sig1 = sign_with(&s, scalar("r", 41), t2, &msg1);
        let sig2 = sign_with(&s, scalar("r", 42), t2, &msg2);
        assert_eq!(
            verify_strict(&s.key, &msg1, &sig1),
            Err(Error::SignatureMismatch)
        );
        assert_eq!(
            verify_strict(&s.key, &msg2, &sig2),
            Err(Error::SignatureMismatch)
        );
        let items = [
            BatchItem {
                key: &s.key,
                message: &msg1,
                signature: &sig1,
            },
            BatchItem {
                key: &s.key,
                message: &msg2,
                signature: &sig2,
            },
        ];
        // Alone, each is caught (odd coefficients), also among valid items.
        assert_eq!(
            verify_batch(&items[..1], &[0; 32]),
            [Err(Error::SignatureMismatch)]
        );
        assert_eq!(
            verify_batch(&items[1..], &[0; 32]),
            [Err(Error::SignatureMismatch)]
        );
        let good: Vec<(Vec<u8>, SignatureBytes)> = (0..6u8)
            .map(|i| (alloc::vec![i; 10], honest(&s, 100 + u64::from(i), &[i; 10])))
            .collect();
        let mut padded: Vec<BatchItem<'_>> = good
            .iter()
            .map(|(m, sig)| BatchItem {
                key: &s.key,
                message: m,
                signature: sig,
            })
            .collect();
        padded.push(items[0]);
        let got = verify_batch(&padded, &[1; 32]);
        assert_eq!(got[6], Err(Error::SignatureMismatch));
        assert!(got[..6].iter().all(|r| r.is_ok()));
        // Together, 4 (z_1 + z_2) = 0 mod 8 for every pair of odd coefficients: accepted, alone
        // or among valid items, whatever the seed.
        padded.push(items[1]);
        for seed in 0..8u8 {
            assert_eq!(verify_batch(&items, &[seed; 32]), [Ok(()), Ok(())]);
            let got = verify_batch(&padded, &[seed; 32]);
            assert!(got.iter().all(|r| r.is_ok()), "seed {seed}: {got:?}");
        }
        // The same torsioned signature twice is such a pair too.
        assert_eq!(
            verify_batch(&[items[0], items[0]], &[9; 32]),
            [Ok(()), Ok(())]
        );
    }

    #[cfg(feature = "signing")]
    #[test]
    fn sign_and_derive() {
        let secret = bytes32("secret", 0);
        let key = derive_public_key(&secret);
        assert!(key.is_torsion_free());
        assert_eq!(PublicKey::from_bytes(key.as_bytes()), Ok(key));
        let input = signing_input("scroll_checkpoint", b"{}");
        let sig = sign(&secret, &input);
        assert_eq!(verify_strict(&key, &input, &sig), Ok(()));
        let other = signing_input("fed_cross_anchor", b"{}");
        assert_eq!(
            verify_strict(&key, &other, &sig),
            Err(Error::SignatureMismatch)
        );
        assert_eq!(sign(&secret, &input), sig);
    }
}
