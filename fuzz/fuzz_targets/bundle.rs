//! Audit bundles (`bundle::verify_bundle` with the bundle limits, no pinned keys): never
//! panics, and every report it returns writes its document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaultmesh_core::bundle::{self, BUNDLE_LIMITS};
use vaultmesh_core::record::Keyring;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = bundle::verify_bundle(data, &Keyring::new(), &BUNDLE_LIMITS) {
        let _ = report.overall();
        let _ = report.to_value().to_canonical();
    }
});
