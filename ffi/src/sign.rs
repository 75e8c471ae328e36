//! `vm_secret_key`: signing for partners (docs/SPEC.md §3.2). One implementation, the core's
//! `sign::SecretKey`: the C caller never handles Ed25519, base58 or canonical JSON itself.

use std::ffi::c_char;

use vaultmesh_core::json::Limits;
use vaultmesh_core::sign::SecretKey;
use zeroize::Zeroizing;

use crate::boundary::{
    self, bytes, clear_len, fill_buffer, give, handle, optional_text, write_buffer, Handle,
};
use crate::status::vm_status;
use crate::types::{limits, vm_limits};

/// An Ed25519 signing key. Made by `vm_secret_key_from_file`, `vm_secret_key_from_seed` or
/// `vm_secret_key_generate`, released by `vm_secret_key_free`, which overwrites the secret.
pub struct vm_secret_key {
    _opaque: [u8; 0],
}

impl Handle for vm_secret_key {
    type Inner = SecretKey;
    const TAG: u64 = 0x766d_7365_6372_6574; // "vmsecret"
}

/// Reads key file text (`ed25519-seed:` and 64 lowercase hex digits, one optional `\n`: the
/// node's and `vm-key`'s format) into `*out_key`. Errors: `MALFORMED_SECRET_KEY`.
#[no_mangle]
pub unsafe extern "C" fn vm_secret_key_from_file(
    text: *const u8,
    text_len: usize,
    out_key: *mut *mut vm_secret_key,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let key = SecretKey::from_key_file(bytes(text, text_len)?)?;
            give(key, out_key)
        }
    })
}

/// Makes the key of the 32-byte Ed25519 seed at `seed` (RFC 8032 §5.1.5) into `*out_key`.
#[no_mangle]
pub unsafe extern "C" fn vm_secret_key_from_seed(
    seed: *const u8,
    out_key: *mut *mut vm_secret_key,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let seed =
                <[u8; 32]>::try_from(bytes(seed, 32)?).map_err(|_| vm_status::InvalidArgument)?;
            give(SecretKey::from_seed(seed), out_key)
        }
    })
}

/// Makes a new key from the operating system's randomness into `*out_key`.
#[no_mangle]
pub unsafe extern "C" fn vm_secret_key_generate(out_key: *mut *mut vm_secret_key) -> vm_status {
    ffi!({
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut()).map_err(|_| vm_status::InvalidArgument)?;
        // SAFETY: the caller's contract for out_key.
        unsafe { give(SecretKey::from_seed(*seed), out_key) }
    })
}

/// Writes the key file text of `key` (ends with `\n`) into `out` (see the buffer convention).
/// The caller holds the secret: write it to a file of mode 0600 and clear the buffer.
#[no_mangle]
pub unsafe extern "C" fn vm_secret_key_to_file(
    key: *const vm_secret_key,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { write_key_text(key, out, out_cap, out_len, SecretKey::to_key_file) }
    })
}

/// Writes the public key of `key` (`ed25519:z6Mk…`) into `out` (see the buffer convention).
#[no_mangle]
pub unsafe extern "C" fn vm_secret_key_public(
    key: *const vm_secret_key,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            write_key_text(key, out, out_cap, out_len, |k| {
                Zeroizing::new(k.public_key().to_string())
            })
        }
    })
}

/// Signs the JSON record `record` as `kind` (a kind name: `gov_vote`, `checkpoint`,
/// `discovery`, `proposal`, …; NULL or empty: the kind its `type` names) and writes the signed
/// record, canonical JSON (RFC 8785), into `out` (see the buffer convention). The record is
/// read strictly and its fields are checked first: a record every verifier would refuse is not
/// signed (`MISSING_FIELD`, `INVALID_FIELD`, `UNKNOWN_KIND`, `KEY_MISMATCH` for a discovery
/// record naming another key, the parser's errors). A signature already present is replaced.
#[no_mangle]
pub unsafe extern "C" fn vm_record_sign(
    key: *const vm_secret_key,
    record: *const u8,
    record_len: usize,
    kind: *const c_char,
    kind_len: usize,
    limits: *const vm_limits,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            fill_buffer(out, out_cap, out_len, || {
                let key = handle(key)?;
                let kind = optional_text(kind, kind_len)?;
                let limits: Limits = self::limits(limits)?;
                Ok(key.sign_named(kind, bytes(record, record_len)?, &limits)?)
            })
        }
    })
}

/// Releases a key and overwrites its secret. NULL does nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_secret_key_free(key: *mut vm_secret_key) {
    // SAFETY: the caller's contract: NULL or a live key.
    ffi!({ unsafe { boundary::free(key) } })
}

/// Writes text made from `key` into the caller's buffer (the buffer convention) straight from
/// a buffer that is zeroized afterwards, so the key file's secret is never left in a copy.
///
/// # Safety
/// As [`handle`] for `key` and [`write_buffer`] for the output.
unsafe fn write_key_text(
    key: *const vm_secret_key,
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    text: impl FnOnce(&SecretKey) -> Zeroizing<String>,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    unsafe {
        match handle(key) {
            Ok(key) => write_buffer(text(key).as_bytes(), out.cast::<u8>(), out_cap, out_len),
            Err(status) => {
                clear_len(out_len);
                Err(status)
            }
        }
    }
}
