//! Governance chain files (`governance::verify_chain_json`) and constitution documents
//! (`governance::constitution_info`): never panic, whatever the chain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaultmesh_core::governance;
use vaultmesh_core::json::{self, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_bytes: 1 << 20,
        max_depth: 64,
    };
    let report = governance::verify_chain_json(data, &limits);
    let _ = report.violation;
    if let Ok(document) = json::parse_record(data, &Limits::default()) {
        let _ = governance::constitution_info(&document);
    }
});
