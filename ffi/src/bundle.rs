//! Audit bundles (docs/SPEC.md §11): one JSON file with keys, discovery records, agreements,
//! scrolls (checkpoints, consistency proofs, receipts with inclusion proofs, witnesses),
//! cross-anchors and a governance chain, every item checked by the core's `verify_bundle`.

use vaultmesh_core::bundle::{self, BundleReport, Overall};

use crate::boundary::{
    self, bytes, fill_buffer, get, handle, handle_slot, optional_output, Handle,
};
use crate::keyring::vm_keyring;
use crate::status::vm_status;
use crate::types::{limits_or, vm_digest, vm_limits};

/// The verdict on a whole bundle.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum vm_bundle_verdict {
    /// Every item is valid and every scroll's growth is proven.
    Valid = 0,
    /// At least one item is invalid.
    Invalid = 1,
    /// Nothing is invalid, but something could not be checked or a growth step is unproven.
    Incomplete = 2,
}

/// The counts of a bundle report.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vm_bundle_summary {
    /// The verdict on the whole bundle.
    pub verdict: vm_bundle_verdict,
    /// `blake3(JCS(bundle))`: which bundle the report is about.
    pub bundle_hash: vm_digest,
    /// Items checked (keys, records, proofs, chain receipts).
    pub items: u64,
    /// Items that are valid.
    pub valid: u64,
    /// Items that are invalid.
    pub invalid: u64,
    /// Items that could not be checked (they depend on one that failed, or come after a chain's
    /// first violation).
    pub not_checked: u64,
    /// Growth steps of a scroll without a valid consistency proof.
    pub unproven_growth: u64,
}

/// A bundle report (every item with its checks), made by `vm_bundle_verify` and released by
/// `vm_bundle_report_free`.
pub struct vm_bundle_report {
    _opaque: [u8; 0],
}

impl Handle for vm_bundle_report {
    type Inner = BundleReport;
    const TAG: u64 = 0x766d_6275_6e64_6c65; // "vmbundle"
}

fn summary(report: &BundleReport) -> vm_bundle_summary {
    let s = report.summary();
    vm_bundle_summary {
        verdict: match report.overall() {
            Overall::Valid => vm_bundle_verdict::Valid,
            Overall::Invalid => vm_bundle_verdict::Invalid,
            Overall::Incomplete => vm_bundle_verdict::Incomplete,
        },
        bundle_hash: report.bundle_hash.into(),
        items: s.items as u64,
        valid: s.valid as u64,
        invalid: s.invalid as u64,
        not_checked: s.not_checked as u64,
        unproven_growth: s.unproven_growth as u64,
    }
}

/// Verifies an audit bundle with the caller's `pinned` keys (trusted out of band; an empty
/// keyring trusts only what the bundle brings, which the report's key sources make visible).
///
/// `limits` may be NULL: a bundle's defaults are 64 MiB and depth 80 (zero members keep them).
/// Returns `VM_STATUS_OK` when the bundle was read and checked — whatever its verdict, which is
/// in `out_summary` — or the error when the input is not a bundle at all (`JSON_SYNTAX`,
/// `MISSING_FIELD` …). `out_summary` (may be NULL) receives the counts; `out_report` (may be
/// NULL) receives a new `vm_bundle_report` (release it with `vm_bundle_report_free`), or NULL
/// on failure.
#[no_mangle]
pub unsafe extern "C" fn vm_bundle_verify(
    pinned: *const vm_keyring,
    bundle: *const u8,
    bundle_len: usize,
    limits: *const vm_limits,
    out_summary: *mut vm_bundle_summary,
    out_report: *mut *mut vm_bundle_report,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            let summary_slot = optional_output(out_summary)?;
            let report_slot = handle_slot(out_report)?;
            let pinned = handle(pinned)?;
            let limits = limits_or(limits, bundle::BUNDLE_LIMITS)?;
            let report = bundle::verify_bundle(bytes(bundle, bundle_len)?, pinned, &limits)?;
            if let Some(s) = summary_slot {
                *s = summary(&report);
            }
            report_slot.fill(report);
            Ok(())
        }
    })
}

/// Writes the report document (docs/SPEC.md §11.3: what `vm-verify bundle --json`
/// prints) as canonical JSON into `out` (see the buffer convention).
#[no_mangle]
pub unsafe extern "C" fn vm_bundle_report_json(
    report: *const vm_bundle_report,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe {
            fill_buffer(out, out_cap, out_len, || {
                Ok(handle(report)?.to_value().to_canonical())
            })
        }
    })
}

/// Stores the report's summary in `*out_summary`.
#[no_mangle]
pub unsafe extern "C" fn vm_bundle_report_summary(
    report: *const vm_bundle_report,
    out_summary: *mut vm_bundle_summary,
) -> vm_status {
    ffi!({
        // SAFETY: the caller's contract for the pointers.
        unsafe { get(report, out_summary, summary) }
    })
}

/// Releases a bundle report. NULL does nothing.
#[no_mangle]
pub unsafe extern "C" fn vm_bundle_report_free(report: *mut vm_bundle_report) {
    // SAFETY: the caller's contract: NULL or a live report.
    ffi!({ unsafe { boundary::free(report) } })
}
