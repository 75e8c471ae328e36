//! Governance chains: a genesis constitution and its signed receipts, verified in order; the
//! verified chain as a handle for its report and its queries.

use std::borrow::Cow;
use std::ffi::c_char;

use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::governance::{self, ChainReport};
use vaultmesh_core::json::{Number, Object, Value};

use crate::boundary::{self, fill_buffer, handle, new_handle, optional_output, text, Handle};
use crate::status::vm_status;
use crate::types::{json_input, vm_digest, vm_limits};

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

/// A verified governance chain: its report and the queries over it (emergency powers,
/// suspended capabilities). Made by `vm_governance_chain_verify`, released by
/// `vm_governance_chain_free`. It keeps a copy of the chain file.
pub struct vm_governance_chain {
    _opaque: [u8; 0],
}

impl Handle for vm_governance_chain {
    type Inner = Chain;
    const TAG: u64 = 0x766d_676f_7663_6861; // "vmgovcha"
}

/// What a `vm_governance_chain` holds: the report, which borrows from the chain file, and the
/// file. Fields drop in order, the report first.
pub struct Chain {
    report: ChainReport<'static>,
    _input: Box<[u8]>,
}

impl Chain {
    fn verify(input: &[u8], limits: &vaultmesh_core::json::Limits) -> Chain {
        let input: Box<[u8]> = input.into();
        // SAFETY: the report borrows from the heap buffer of `input`, which this struct owns,
        // never changes and drops after the report (field order); moving the Box does not move
        // its heap buffer.
        let bytes: &'static [u8] = unsafe { &*std::ptr::from_ref::<[u8]>(&input) };
        Chain {
            report: governance::verify_chain_json(bytes, limits),
            _input: input,
        }
    }

    fn summary(&self) -> vm_chain_report {
        let report = &self.report;
        let (status, index, field) = match report.violation {
            None => (vm_status::Ok, -1, None),
            Some(v) => (
                vm_status::from(v.error),
                v.index.map_or(-1, |i| i as i64),
                v.field,
            ),
        };
        let last = report.last_version();
        vm_chain_report {
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
        }
    }

    /// The report as JSON, in the governance vectors' `expect` form (without queries).
    fn report_json(&self) -> Vec<u8> {
        let report = &self.report;
        let value = match (report.violation, report.last_version()) {
            (Some(v), _) => object(vec![
                ("valid", Value::Bool(false)),
                ("index", v.index.map_or(Value::Null, |i| number(i as u64))),
                ("error", string(v.error.name())),
                ("code", number(u64::from(v.error.code()))),
            ]),
            (None, last) => {
                let versions = report
                    .versions
                    .iter()
                    .map(|v| {
                        object(vec![
                            ("version", string(&v.version.to_string())),
                            ("hash", string(&v.hash.to_string())),
                        ])
                    })
                    .collect();
                object(vec![
                    ("valid", Value::Bool(true)),
                    (
                        "final_version",
                        last.map_or(Value::Null, |v| string(&v.version.to_string())),
                    ),
                    (
                        "final_hash",
                        last.map_or(Value::Null, |v| string(&v.hash.to_string())),
                    ),
                    ("versions", Value::Array(versions)),
                ])
            }
        };
        value.to_canonical()
    }
}

fn string(s: &str) -> Value<'static> {
    Value::String(Cow::Owned(s.to_owned()))
}

fn number(n: u64) -> Value<'static> {
    Value::Number(Number {
        value: n as f64,
        plain_integer: true,
    })
}

fn object(members: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Object(Object {
        members: members
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    })
}

/// Canonical JSON: an array with one object a row, whose members `keys` hold the row's strings.
fn string_rows<'a, const N: usize>(
    keys: [&'static str; N],
    rows: impl Iterator<Item = [&'a String; N]>,
) -> Vec<u8> {
    let items = rows
        .map(|row| object(keys.into_iter().zip(row.map(|s| string(s))).collect()))
        .collect();
    Value::Array(items).to_canonical()
}

/// The timestamp argument `[at, at + at_len)` (`ARGUMENT_NOT_UTF8`, `MALFORMED_TIMESTAMP`).
///
/// # Safety
/// As [`text`].
unsafe fn timestamp_arg(at: *const c_char, at_len: usize) -> Result<Timestamp, vm_status> {
    // SAFETY: forwarded contract.
    Ok(Timestamp::parse(unsafe { text(at, at_len)? })?)
}

/// Verifies a governance chain `{"genesis": constitution, "receipts": [governance receipts]}`
/// (docs/SPEC.md §10): each receipt's fields and signature with the keys of the constitution
/// it is judged by, the chain order, and the rules of its kind. The first failure stops it;
/// other members of the object are ignored.
///
/// `limits` bounds the whole chain file (a chain is usually larger than one record: pass a
/// `max_bytes` that fits it). Returns the report's status: `VM_STATUS_OK` for a valid chain,
/// else the first violation's error. `out_report` (may be NULL) receives the summary.
/// `out_chain` (may be NULL) receives a new `vm_governance_chain` whenever the chain was
/// verified, valid or not (its report and queries describe the chain up to the violation);
/// release it with `vm_governance_chain_free`. On a boundary error neither is written.
#[no_mangle]
pub unsafe extern "C" fn vm_governance_chain_verify(
    chain: *const u8,
    chain_len: usize,
    limits: *const vm_limits,
    out_report: *mut vm_chain_report,
    out_chain: *mut *mut vm_governance_chain,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let report_slot = optional_output(out_report)?;
            let chain_slot = optional_output(out_chain)?;
            let (input, limits) = json_input(chain, chain_len, limits)?;
            let verified = Chain::verify(input, &limits);
            let summary = verified.summary();
            if let Some(out) = report_slot {
                *out = summary;
            }
            if let Some(out) = chain_slot {
                *out = new_handle(verified);
            }
            match summary.status {
                vm_status::Ok => Ok(()),
                s => Err(s),
            }
        }
    })
}

/// Writes the chain's report as canonical JSON into `out` (see the buffer convention):
/// `{"code","error","index","valid":false}` (index null when the chain file or genesis is at
/// fault), or `{"final_hash","final_version","valid":true,"versions":[{"hash","version"},…]}`.
#[no_mangle]
pub unsafe extern "C" fn vm_governance_chain_report_json(
    chain: *const vm_governance_chain,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { fill_buffer(out, out_cap, out_len, || Ok(handle(chain)?.report_json())) }
    })
}

/// Writes the emergency powers in force at timestamp `at` (`YYYY-MM-DDTHH:MM:SSZ`) as canonical
/// JSON `[{"order_id","power"},…]` into `out` (see the buffer convention). Errors:
/// `MALFORMED_TIMESTAMP`.
#[no_mangle]
pub unsafe extern "C" fn vm_governance_chain_emergency_powers_at(
    chain: *const vm_governance_chain,
    at: *const c_char,
    at_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            fill_buffer(out, out_cap, out_len, || {
                let c = handle(chain)?;
                let powers = c.report.emergency_powers_at(timestamp_arg(at, at_len)?);
                let rows = powers.iter().map(|p| [&p.order_id, &p.power]);
                Ok(string_rows(["order_id", "power"], rows))
            })
        }
    })
}

/// Writes the capabilities of `actor` suspended at timestamp `at` as canonical JSON
/// `[{"capability","enforcement_id"},…]` (sorted) into `out` (see the buffer convention).
/// Errors: `MALFORMED_TIMESTAMP`.
#[no_mangle]
pub unsafe extern "C" fn vm_governance_chain_suspended_capabilities(
    chain: *const vm_governance_chain,
    actor: *const c_char,
    actor_len: usize,
    at: *const c_char,
    at_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            fill_buffer(out, out_cap, out_len, || {
                let c = handle(chain)?;
                let actor = text(actor, actor_len)?;
                let suspended = c
                    .report
                    .suspended_capabilities(actor, timestamp_arg(at, at_len)?);
                let rows = suspended.iter().map(|s| [&s.capability, &s.enforcement_id]);
                Ok(string_rows(["capability", "enforcement_id"], rows))
            })
        }
    })
}

/// Releases a governance chain. NULL does nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_governance_chain_free(chain: *mut vm_governance_chain) {
    // SAFETY: the caller's contract: NULL or a live chain.
    ffi!({ unsafe { boundary::free(chain) } })
}
