//! Plain C structs shared by the functions: digests, parser limits and verdicts.

use std::ffi::c_char;

use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::Failure;
use vaultmesh_core::{Digest, Error};

use crate::boundary::{self, optional_output};
use crate::status::vm_status;

/// Default `vm_limits.max_bytes`: 1 MiB per record (wire format §2).
pub const VM_DEFAULT_MAX_BYTES: usize = 1 << 20;
/// Default `vm_limits.max_depth`: nesting depth 64, the top-level object being depth 1.
pub const VM_DEFAULT_MAX_DEPTH: usize = 64;
/// Length of a digest's text form, `blake3:` + 64 lowercase hex digits.
pub const VM_DIGEST_TEXT_LEN: usize = 71;

/// A 32-byte BLAKE3 digest (receipt hashes, Merkle roots, agreement hashes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vm_digest {
    /// The raw digest.
    pub bytes: [u8; 32],
}

impl From<Digest> for vm_digest {
    fn from(d: Digest) -> vm_digest {
        vm_digest { bytes: d.0 }
    }
}

impl From<&vm_digest> for Digest {
    fn from(d: &vm_digest) -> Digest {
        Digest(d.bytes)
    }
}

/// Limits of the strict JSON parser. A zero member means its default
/// (`VM_DEFAULT_MAX_BYTES`, `VM_DEFAULT_MAX_DEPTH`); passing NULL for a `const vm_limits *`
/// means both defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vm_limits {
    /// Maximum input length in bytes.
    pub max_bytes: usize,
    /// Maximum nesting depth of arrays and objects; the top-level value is depth 1.
    pub max_depth: usize,
}

/// The limits behind an optional `const vm_limits *`.
///
/// # Safety
/// When not NULL, `ptr` must point to a valid `vm_limits`.
pub unsafe fn limits(ptr: *const vm_limits) -> Result<Limits, vm_status> {
    // SAFETY: forwarded contract.
    unsafe { limits_or(ptr, Limits::default()) }
}

/// The limits behind an optional `const vm_limits *` whose defaults are `defaults`.
///
/// # Safety
/// As [`limits`].
pub unsafe fn limits_or(ptr: *const vm_limits, defaults: Limits) -> Result<Limits, vm_status> {
    let mut l = defaults;
    if ptr.is_null() {
        return Ok(l);
    }
    // SAFETY: forwarded contract.
    let given = unsafe { boundary::input(ptr)? };
    if given.max_bytes != 0 {
        l.max_bytes = given.max_bytes;
    }
    if given.max_depth != 0 {
        l.max_depth = given.max_depth;
    }
    Ok(l)
}

/// A JSON argument (a record, a chain file): the bytes `[ptr, ptr + len)` and the parser limits
/// behind `limits`, checked in that order.
///
/// # Safety
/// As [`bytes`](boundary::bytes) for `ptr`, and as [`limits`] for `limits`.
pub unsafe fn json_input<'a>(
    ptr: *const u8,
    len: usize,
    limits: *const vm_limits,
) -> Result<(&'a [u8], Limits), vm_status> {
    // SAFETY: forwarded contract.
    unsafe { Ok((boundary::bytes(ptr, len)?, self::limits(limits)?)) }
}

/// A record argument (see [`json_input`]) parsed by the strict record parser.
///
/// # Safety
/// As [`json_input`].
pub unsafe fn record_arg<'a>(
    ptr: *const u8,
    len: usize,
    limits: *const vm_limits,
) -> Result<Value<'a>, vm_status> {
    // SAFETY: forwarded contract.
    let (input, limits) = unsafe { json_input(ptr, len, limits)? };
    Ok(json::parse_record(input, &limits)?)
}

/// The outcome of one verification.
///
/// On success `status` is `VM_STATUS_OK` and `hash` is the record's `receipt_hash` (for an
/// agreement: its recomputed `agreement_hash`). On failure `status` is the reason, `hash` is all
/// zeros, and `field`/`field_len` name the record member the failure concerns when there is one
/// (a static string owned by the library, not NUL-terminated; NULL/0 otherwise).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vm_verdict {
    /// `VM_STATUS_OK` or why the record was rejected.
    pub status: vm_status,
    /// The record's hash on success; zeros otherwise.
    pub hash: vm_digest,
    /// The member the failure concerns (not NUL-terminated), or NULL.
    pub field: *const c_char,
    /// Length of `field`.
    pub field_len: usize,
}

/// Why a verification failed: a status and, for record failures, the member concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The status.
    pub status: vm_status,
    /// The member concerned, if any.
    pub field: Option<&'static str>,
}

impl From<vm_status> for Rejection {
    fn from(status: vm_status) -> Rejection {
        Rejection {
            status,
            field: None,
        }
    }
}

impl From<Error> for Rejection {
    fn from(e: Error) -> Rejection {
        Rejection {
            status: e.into(),
            field: None,
        }
    }
}

impl From<Failure> for Rejection {
    fn from(f: Failure) -> Rejection {
        Rejection {
            status: f.error.into(),
            field: f.field,
        }
    }
}

impl vm_verdict {
    /// A successful verdict.
    pub fn valid(hash: Digest) -> vm_verdict {
        vm_verdict {
            status: vm_status::Ok,
            hash: hash.into(),
            field: std::ptr::null(),
            field_len: 0,
        }
    }

    /// A failed verdict.
    pub fn rejected(r: Rejection) -> vm_verdict {
        let (field, field_len) = match r.field {
            Some(f) => (f.as_ptr().cast::<c_char>(), f.len()),
            None => (std::ptr::null(), 0),
        };
        vm_verdict {
            status: r.status,
            hash: vm_digest::default(),
            field,
            field_len,
        }
    }

    /// The verdict of an outcome.
    pub fn of(outcome: &Result<Digest, Rejection>) -> vm_verdict {
        match outcome {
            Ok(hash) => vm_verdict::valid(*hash),
            Err(r) => vm_verdict::rejected(*r),
        }
    }
}

/// Runs a verification body with an optional verdict output: the verdict says `PANIC` until the
/// body finishes, then holds its outcome; the returned status is the verdict's.
///
/// # Safety
/// When not NULL, `out_verdict` must be valid for writes of a `vm_verdict`.
pub unsafe fn verdict_of(
    out_verdict: *mut vm_verdict,
    body: impl FnOnce() -> Result<Digest, Rejection>,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    let mut slot = unsafe { optional_output(out_verdict)? };
    if let Some(v) = slot.as_deref_mut() {
        *v = vm_verdict::rejected(vm_status::Panic.into());
    }
    let outcome = body();
    if let Some(v) = slot {
        *v = vm_verdict::of(&outcome);
    }
    outcome.map(|_| ()).map_err(|r| r.status)
}
