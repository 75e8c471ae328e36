//! `vm_keyring`: actor id → Ed25519 key, built once and reused across verifications.

use std::ffi::c_char;

use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::record::Keyring;

use crate::boundary::{self, bytes, get, give, handle_mut, new_handle, output, text, Handle};
use crate::status::vm_status;

/// A keyring: maps actor ids (mesh, human and agent DIDs, engine ids) to their federation keys.
/// Made by `vm_keyring_new` or `vm_keyring_from_json`, released by `vm_keyring_free`.
pub struct vm_keyring {
    _opaque: [u8; 0],
}

impl Handle for vm_keyring {
    type Inner = Keyring;
    const TAG: u64 = 0x766d_6b65_7972_696e; // "vmkeyrin"
}

/// Makes an empty keyring and stores it in `*out_keyring` (release it with `vm_keyring_free`).
#[no_mangle]
pub unsafe extern "C" fn vm_keyring_new(out_keyring: *mut *mut vm_keyring) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for out_keyring.
        unsafe { give(Keyring::new(), out_keyring) }
    })
}

/// Makes a keyring from a JSON object `{"did:vm:mesh:dublin": "ed25519:z6Mk…", …}` (strict
/// I-JSON, like a record) and stores it in `*out_keyring`. Errors: the parser's (`JSON_SYNTAX`,
/// `DUPLICATE_KEY`, `NOT_AN_OBJECT`, …) or a key's (`MALFORMED_KEY`, `NON_CANONICAL_KEY`,
/// `SMALL_ORDER_KEY`); `*out_keyring` is left unchanged on failure.
#[no_mangle]
pub unsafe extern "C" fn vm_keyring_from_json(
    json: *const u8,
    json_len: usize,
    out_keyring: *mut *mut vm_keyring,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let out = output(out_keyring)?;
            let ring = Keyring::from_json(bytes(json, json_len)?)?;
            *out = new_handle(ring);
            Ok(())
        }
    })
}

/// Adds (or replaces) the key of `actor`. `key` is `ed25519:z…` or `did:key:z…` text; it is
/// checked as a verifier checks keys (`MALFORMED_KEY`, `NON_CANONICAL_KEY`, `SMALL_ORDER_KEY`).
/// Needs exclusive access to the keyring.
#[no_mangle]
pub unsafe extern "C" fn vm_keyring_add(
    keyring: *mut vm_keyring,
    actor: *const c_char,
    actor_len: usize,
    key: *const c_char,
    key_len: usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let keyring = handle_mut(keyring)?;
            let actor = text(actor, actor_len)?;
            let key = PublicKey::parse(text(key, key_len)?)?;
            keyring.insert(actor, key);
            Ok(())
        }
    })
}

/// Stores the number of keys in `*out_len`.
#[no_mangle]
pub unsafe extern "C" fn vm_keyring_len(
    keyring: *const vm_keyring,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { get(keyring, out_len, Keyring::len) }
    })
}

/// Releases a keyring. NULL does nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_keyring_free(keyring: *mut vm_keyring) {
    // SAFETY: the caller's contract: NULL or a live keyring.
    ffi!({ unsafe { boundary::free(keyring) } })
}
