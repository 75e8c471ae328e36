//! The strict I-JSON parser and RFC 8785 canonicalizer (`json::parse`, `parse_record`,
//! `canonicalize`): never panic, and the canonical form is a fixed point — it parses, and
//! canonicalizes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaultmesh_core::json::{self, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let _ = json::parse(data, &limits);
    if let Ok(canonical) = json::canonicalize(data, &limits) {
        let again = json::canonicalize(&canonical, &limits).expect("canonical form parses");
        assert_eq!(again, canonical, "canonicalization is idempotent");
        let value = json::parse_record(&canonical, &limits).expect("canonical form parses");
        assert_eq!(value.to_canonical(), canonical);
    }
});
