//! Inclusion and consistency proofs in JSON (`InclusionProof::from_value`,
//! `ConsistencyProof::from_value`) and their verification against a fixed root: never panic,
//! and a proof that parses writes back to a value that parses to the same proof.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaultmesh_core::json::{self, Limits};
use vaultmesh_core::merkle::{self, ConsistencyProof, InclusionProof};
use vaultmesh_core::Digest;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = json::parse_record(data, &Limits::default()) else {
        return;
    };
    let root = Digest::of(b"root");
    let leaf = merkle::leaf_hash(b"{}");
    if let Ok(proof) = InclusionProof::from_value(&value) {
        let again = InclusionProof::from_value(&proof.to_value()).expect("round trip");
        assert_eq!(again, proof);
        let _ = merkle::verify_inclusion(&root, &leaf, &proof);
    }
    if let Ok(proof) = ConsistencyProof::from_value(&value) {
        let again = ConsistencyProof::from_value(&proof.to_value()).expect("round trip");
        assert_eq!(again, proof);
        let _ = merkle::verify_consistency(&root, &leaf, &proof);
    }
});
