//! The benchmark receipts of `bindings/js/bench/gov-votes.json`: the same ~600-byte `gov_vote`
//! records as `core/benches/verify.rs` (one voter key, `bench-voter-0`, and ballot numbers
//! 0..256), so the browser, Node and native figures in docs/PERFORMANCE.md measure the same
//! work. `drift` fails when the committed file differs; `VAULTMESH_BLESS=1` rewrites it.

use std::path::PathBuf;

use vaultmesh_core::crypto;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{self, Kind};

const VOTER: &str = "did:vm:human:alice";
const COUNT: usize = 256;

/// The record text of `core/benches/verify.rs`, ballot `i`, signed with `secret`.
fn vote(i: usize, secret: &[u8; 32]) -> String {
    let text = format!(
        r#"{{"type":"gov_vote","proposal_id":"PROP-2025-12-001","voter":"{VOTER}","vote":"for","weight":3,"cast_at":"2025-12-09T14:05:00Z","rationale":"Retention limits protect members and keep the compliance scroll within the storage budget agreed at the last review; the proposal keeps receipts append-only and only governs derived data, so AXIOM-001 is untouched. Reviewed with the data protection officer on 2025-12-05.","context":{{"ballot":{i},"channel":"council","constitution_version":"1.0.0"}}}}"#
    );
    let mut value = json::parse_record(text.as_bytes(), &Limits::default()).unwrap();
    if let Value::Object(o) = &mut value {
        record::sign_record(o, Kind::GovVote, secret);
    }
    String::from_utf8(value.to_canonical()).unwrap()
}

fn fixture() -> String {
    let secret = *blake3::hash(b"bench-voter-0").as_bytes();
    let key = crypto::derive_public_key(&secret).to_string();
    let records: Vec<String> = (0..COUNT).map(|i| vote(i, &secret)).collect();
    let file = serde_json::json!({
        "about": "The gov_vote receipts of core/benches/verify.rs (voter did:vm:human:alice with the key of secret blake3(\"bench-voter-0\"), ballots 0..256), canonical text, for the browser and Node benchmarks.",
        "generator": "cargo test -p vaultmesh-wasm --test bench_fixture (VAULTMESH_BLESS=1 rewrites the file)",
        "keyring": {VOTER: key},
        "records": records,
    });
    serde_json::to_string_pretty(&file).unwrap() + "\n"
}

#[test]
fn drift() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bindings/js/bench/gov-votes.json");
    let text = fixture();
    if std::env::var_os("VAULTMESH_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()),
        "bench/gov-votes.json differs from the generator; run VAULTMESH_BLESS=1 cargo test -p vaultmesh-wasm --test bench_fixture"
    );
}

#[test]
fn records_are_about_600_bytes_and_verify() {
    let secret = *blake3::hash(b"bench-voter-0").as_bytes();
    let mut ring = record::Keyring::new();
    ring.insert(VOTER, crypto::derive_public_key(&secret));
    for i in [0, 255] {
        let r = vote(i, &secret);
        assert!((550..700).contains(&r.len()), "{}", r.len());
        assert!(record::verify_record(r.as_bytes(), None, &ring, &Limits::default()).is_ok());
    }
}
