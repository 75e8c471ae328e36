//! Governance chains: a genesis constitution and its signed receipts, verified in order.

use std::ffi::c_char;

use vaultmesh_core::governance;

use crate::boundary::{bytes, optional_output};
use crate::status::vm_status;
use crate::types::{limits, vm_digest, vm_limits};

/// What a governance chain established, and its first violation.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vm_chain_report {
    /// `VM_STATUS_OK` when every receipt verified, else the first violation's error.
    pub status: vm_status,
    /// Index of the failing receipt (0-based), or -1 when the chain file or its genesis
    /// constitution is at fault, or when there is no violation.
    pub violation_index: i64,
    /// The member the violation concerns (static, not NUL-terminated), or NULL.
    pub field: *const c_char,
    /// Length of `field`.
    pub field_len: usize,
    /// Number of receipts in the chain.
    pub receipts: u64,
    /// Number of receipts that verified (all of them when the chain is valid).
    pub verified: u64,
    /// Number of constitution versions that were in force, genesis included (0 when the
    /// genesis constitution is invalid).
    pub versions: u64,
    /// `constitution_hash` of the constitution in force at the end (zeros when none).
    pub constitution_hash: vm_digest,
    /// Its version, `major.minor.patch` (zeros when none).
    pub version_major: u64,
    /// See `version_major`.
    pub version_minor: u64,
    /// See `version_major`.
    pub version_patch: u64,
}

/// Verifies a governance chain `{"genesis": constitution, "receipts": [governance receipts]}`
/// (docs/governance.md): each receipt's fields and signature with the keys of the constitution
/// it is judged by, the chain order, and the rules of its kind. The first failure stops it.
///
/// `limits` bounds the whole chain file (a chain is usually larger than one record: pass a
/// `max_bytes` that fits it). Returns the report's status; `out_report` (may be NULL) receives
/// the report.
#[no_mangle]
pub unsafe extern "C" fn vm_governance_verify_chain(
    chain: *const u8,
    chain_len: usize,
    limits: *const vm_limits,
    out_report: *mut vm_chain_report,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let slot = optional_output(out_report)?;
            let report =
                governance::verify_chain_json(bytes(chain, chain_len)?, &self::limits(limits)?);
            let (status, index, field) = match report.violation {
                None => (vm_status::Ok, -1, None),
                Some(v) => (
                    vm_status::from(v.error),
                    v.index.map_or(-1, |i| i as i64),
                    v.field,
                ),
            };
            if let Some(out) = slot {
                let last = report.last_version();
                *out = vm_chain_report {
                    status,
                    violation_index: index,
                    field: field.map_or(std::ptr::null(), |f| f.as_ptr().cast::<c_char>()),
                    field_len: field.map_or(0, str::len),
                    receipts: report.receipts as u64,
                    verified: report.verified as u64,
                    versions: report.versions.len() as u64,
                    constitution_hash: last.map(|v| v.hash.into()).unwrap_or_default(),
                    version_major: last.map_or(0, |v| v.version.major),
                    version_minor: last.map_or(0, |v| v.version.minor),
                    version_patch: last.map_or(0, |v| v.version.patch),
                };
            }
            match status {
                vm_status::Ok => Ok(()),
                s => Err(s),
            }
        }
    })
}
