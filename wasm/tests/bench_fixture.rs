//! The benchmark receipts of `bindings/js/bench/gov-votes.json`: the ~600-byte `gov_vote`
//! records of `core/benches/verify.rs` (`vote(i)`: voter `did:vm:human:voter-{i:04}`, signed
//! with the key of secret `blake3("bench-voter-{i}")`), for i in 0..256, so the browser, Node
//! and native figures in docs/PERFORMANCE.md measure the same work. `drift` fails when the
//! committed file differs; `VAULTMESH_BLESS=1` rewrites it.

use std::path::PathBuf;

use vaultmesh_core::crypto;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{self, Kind};

const COUNT: usize = 256;

fn secret(i: usize) -> [u8; 32] {
    *blake3::hash(format!("bench-voter-{i}").as_bytes()).as_bytes()
}

fn voter(i: usize) -> String {
    format!("did:vm:human:voter-{i:04}")
}

/// `vote(i)` of `core/benches/verify.rs`, as canonical text.
fn vote(i: usize) -> String {
    let voter = voter(i);
    let text = format!(
        r#"{{"type":"gov_vote","vote_id":"VOTE-2025-12-001","proposal_id":"PROP-2025-12-001","voter":"{voter}","voted_at":"2025-12-09T14:05:00Z","vote":"approve","weight":1.5,"comments":"Retention limits protect members and keep the Compliance scroll within the storage budget agreed at the last review; the proposal keeps receipts append-only and only governs derived data, so AXIOM-001 is untouched. Reviewed with the data protection officer.","context":{{"ballot":17,"channel":"council","constitution_version":"1.0.0"}}}}"#
    );
    let mut value = json::parse_record(text.as_bytes(), &Limits::default()).unwrap();
    if let Value::Object(o) = &mut value {
        record::sign_record(o, Kind::GovVote, &secret(i));
    }
    String::from_utf8(value.to_canonical()).unwrap()
}

fn fixture() -> String {
    let keyring: serde_json::Map<String, serde_json::Value> = (0..COUNT)
        .map(|i| {
            (
                voter(i),
                crypto::derive_public_key(&secret(i)).to_string().into(),
            )
        })
        .collect();
    let records: Vec<String> = (0..COUNT).map(vote).collect();
    let file = serde_json::json!({
        "about": "The gov_vote receipts of core/benches/verify.rs: vote(i) for i in 0..256, voter did:vm:human:voter-{i:04} signed with the key of secret blake3(\"bench-voter-{i}\"), canonical text, for the browser and Node benchmarks.",
        "generator": "cargo test -p vaultmesh-wasm --test bench_fixture (VAULTMESH_BLESS=1 rewrites the file)",
        "keyring": keyring,
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
    for i in [0, 255] {
        let mut ring = record::Keyring::new();
        ring.insert(voter(i), crypto::derive_public_key(&secret(i)));
        let r = vote(i);
        assert!((550..700).contains(&r.len()), "{}", r.len());
        assert!(record::verify_record(r.as_bytes(), None, &ring, &Limits::default()).is_ok());
    }
}
