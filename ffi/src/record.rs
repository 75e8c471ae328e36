//! Canonical JSON, receipt hashes, the text encodings, and record verification (single and
//! batch).

use std::ffi::c_char;
use std::fmt::Display;

use vaultmesh_core::encoding::{id, timestamp::Timestamp, PublicKey, SignatureBytes};
use vaultmesh_core::json;
use vaultmesh_core::record::{self, Kind};
use vaultmesh_core::{Digest, Error};

use crate::boundary::{
    array, array_mut, bytes, fill_buffer, fill_text, handle, input, optional_text, output, text,
};
use crate::keyring::vm_keyring;
use crate::status::vm_status;
use crate::types::{
    json_input, limits, record_arg, verdict_of, vm_digest, vm_limits, vm_verdict, Rejection,
};

/// The kind named by `kind`/`kind_len` (NULL or zero length: none).
///
/// # Safety
/// As [`bytes`](crate::boundary::bytes).
pub(crate) unsafe fn kind_arg(
    kind: *const c_char,
    kind_len: usize,
) -> Result<Option<Kind>, vm_status> {
    // SAFETY: forwarded contract.
    match unsafe { optional_text(kind, kind_len)? } {
        None => Ok(None),
        Some(name) => Kind::from_name(name)
            .map(Some)
            .ok_or(vm_status::UnknownKind),
    }
}

/// Parses the text argument `text`/`text_len` with `parse` and writes its normal form (its
/// `Display`) into `out` (see the buffer convention).
///
/// # Safety
/// As [`text`] for the argument and [`fill_text`] for the output.
unsafe fn write_normal_form<T: Display>(
    text: *const c_char,
    text_len: usize,
    parse: fn(&str) -> Result<T, Error>,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    unsafe {
        fill_text(out, out_cap, out_len, || {
            Ok(parse(self::text(text, text_len)?)?.to_string())
        })
    }
}

/// Writes the RFC 8785 canonical form of the strict I-JSON record `input` (a JSON object) into
/// `out` (see the buffer convention). Errors: the parser's (1xx), e.g. `DUPLICATE_KEY`.
#[no_mangle]
pub unsafe extern "C" fn vm_json_canonicalize(
    input: *const u8,
    input_len: usize,
    limits: *const vm_limits,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            fill_buffer(out, out_cap, out_len, || {
                let (input, limits) = json_input(input, input_len, limits)?;
                Ok(json::canonicalize(input, &limits)?)
            })
        }
    })
}

/// Stores `receipt_hash(record) = blake3(JCS(record))` (signatures included) in `*out_hash`.
/// Only parses: it does not verify the record.
#[no_mangle]
pub unsafe extern "C" fn vm_record_receipt_hash(
    record: *const u8,
    record_len: usize,
    limits: *const vm_limits,
    out_hash: *mut vm_digest,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let out = output(out_hash)?;
            *out = record::receipt_hash(&record_arg(record, record_len, limits)?).into();
            Ok(())
        }
    })
}

/// Parses digest text `blake3:<64 lowercase hex>` into `*out_digest`. Errors:
/// `UNSUPPORTED_HASH_ALGORITHM` (another `alg:` prefix), `MALFORMED_DIGEST`.
#[no_mangle]
pub unsafe extern "C" fn vm_digest_parse(
    text: *const c_char,
    text_len: usize,
    out_digest: *mut vm_digest,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let out = output(out_digest)?;
            *out = Digest::parse(self::text(text, text_len)?)?.into();
            Ok(())
        }
    })
}

/// Writes the text form of `digest` (`VM_DIGEST_TEXT_LEN` bytes, `blake3:…`) into `out`.
#[no_mangle]
pub unsafe extern "C" fn vm_digest_to_text(
    digest: *const vm_digest,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            fill_text(out, out_cap, out_len, || {
                Ok(Digest::from(input(digest)?).to_string())
            })
        }
    })
}

/// Checks a public key (`ed25519:z…` or `did:key:z…`) and writes its normal form
/// (`ed25519:z6Mk…`) into `out`. Errors: `MALFORMED_KEY`, `NON_CANONICAL_KEY`, `SMALL_ORDER_KEY`.
#[no_mangle]
pub unsafe extern "C" fn vm_public_key_normalize(
    text: *const c_char,
    text_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { write_normal_form(text, text_len, PublicKey::parse, out, out_cap, out_len) }
    })
}

/// Checks a signature (`z` + base58btc of 64 bytes) and writes its normal form into `out`.
/// Errors: `MALFORMED_SIGNATURE`.
#[no_mangle]
pub unsafe extern "C" fn vm_signature_normalize(
    text: *const c_char,
    text_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { write_normal_form(text, text_len, SignatureBytes::parse, out, out_cap, out_len) }
    })
}

/// Checks a timestamp (`YYYY-MM-DDTHH:MM:SSZ`, a real UTC second) and writes its normal form
/// into `out`. Errors: `MALFORMED_TIMESTAMP`.
#[no_mangle]
pub unsafe extern "C" fn vm_timestamp_normalize(
    text: *const c_char,
    text_len: usize,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { write_normal_form(text, text_len, Timestamp::parse, out, out_cap, out_len) }
    })
}

/// Checks an actor id `did:vm:{mesh|human|agent}:<name>`. Errors: `MALFORMED_ACTOR_ID`.
#[no_mangle]
pub unsafe extern "C" fn vm_actor_id_check(text: *const c_char, text_len: usize) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            id::parse_actor(self::text(text, text_len)?)?;
            Ok(())
        }
    })
}

/// Checks an engine id `engine:<name>`. Errors: `MALFORMED_ENGINE_ID`.
#[no_mangle]
pub unsafe extern "C" fn vm_engine_id_check(text: *const c_char, text_len: usize) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            id::check_engine_id(self::text(text, text_len)?)?;
            Ok(())
        }
    })
}

/// Verifies one signed record: strict parse, kind, every defined field, and the strict Ed25519
/// signature of the signer the kind names, with keys from `keyring`.
///
/// `kind` (NULL or zero length: none) is a kind name (`discovery`, `proposal`, `response`,
/// `checkpoint`, `witness`, `cross-anchor`, or a domain such as `gov_vote`); it is required for
/// untyped records and, when given for a typed record, must equal its `type`. An unknown name is
/// `VM_STATUS_UNKNOWN_KIND`. Agreements are verified with `vm_agreement_verify`.
///
/// Returns the verdict's status; `out_verdict` (may be NULL) receives the `receipt_hash` or the
/// failure and its field.
#[no_mangle]
pub unsafe extern "C" fn vm_record_verify(
    keyring: *const vm_keyring,
    record: *const u8,
    record_len: usize,
    kind: *const c_char,
    kind_len: usize,
    limits: *const vm_limits,
    out_verdict: *mut vm_verdict,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            verdict_of(out_verdict, || {
                let keyring = handle(keyring)?;
                let kind = kind_arg(kind, kind_len)?;
                let limits = self::limits(limits)?;
                let input = bytes(record, record_len)?;
                Ok(record::verify_record(input, kind, keyring, &limits)?.receipt_hash)
            })
        }
    })
}

/// Fresh batch coefficients seed when the caller gives none.
fn random_seed() -> Result<[u8; 32], vm_status> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|_| vm_status::InvalidArgument)?;
    Ok(seed)
}

/// Verifies `count` records at once with one Ed25519 batch equation; `out_verdicts[i]` receives
/// exactly the verdict `vm_record_verify` gives for record `i` (the core's `verify_batch`
/// documents the one adversarial exception: non-canonical variants of a signer's own signatures
/// that only pass together). `records[i]` points to `record_lens[i]` bytes.
///
/// `seed` (NULL, or 32 bytes) adds caller randomness to the batch coefficients; with NULL the
/// library draws 32 bytes from the operating system.
///
/// Returns `VM_STATUS_OK` when the batch ran (each item's status is in its verdict, even when
/// some items are invalid), or a boundary status when it could not (then every verdict that
/// could be written holds that status). `count = 0` is OK and writes nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_record_verify_batch(
    keyring: *const vm_keyring,
    records: *const *const u8,
    record_lens: *const usize,
    count: usize,
    kind: *const c_char,
    kind_len: usize,
    limits: *const vm_limits,
    seed: *const u8,
    out_verdicts: *mut vm_verdict,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let verdicts = array_mut(out_verdicts, count)?;
            let panicked = vm_verdict::rejected(vm_status::Panic.into());
            verdicts.fill(panicked);
            let prepared: Result<_, vm_status> = (|| {
                let keyring = handle(keyring)?;
                let pointers = array(records, count)?;
                let lens = array(record_lens, count)?;
                let inputs = pointers
                    .iter()
                    .zip(lens)
                    .map(|(p, n)| bytes(*p, *n))
                    .collect::<Result<Vec<&[u8]>, vm_status>>()?;
                let seed = match seed.is_null() {
                    true => random_seed()?,
                    false => *input(seed.cast::<[u8; 32]>())?,
                };
                Ok((
                    keyring,
                    inputs,
                    kind_arg(kind, kind_len)?,
                    self::limits(limits)?,
                    seed,
                ))
            })();
            let (keyring, inputs, kind, limits, seed) = match prepared {
                Ok(p) => p,
                Err(status) => {
                    verdicts.fill(vm_verdict::rejected(status.into()));
                    return Err(status);
                }
            };
            let outcomes = record::verify_batch(&inputs, kind, keyring, &limits, &seed);
            for (slot, outcome) in verdicts.iter_mut().zip(outcomes) {
                *slot = vm_verdict::of(&outcome.map(|v| v.receipt_hash).map_err(Rejection::from));
            }
            Ok(())
        }
    })
}
