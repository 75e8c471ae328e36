//! `vm-verify` on what partners sign: every signed record of `test-vectors/signing.json` (the
//! bytes every signer — the core, C, Python, JS and `vm-key` — must produce) verifies through
//! the binary with the expected receipt hash.

mod common;

use common::{run, test_vectors, text, TempDir};
use vaultmesh_core::json::{self, Limits, Value};

#[test]
fn every_signed_record_verifies_through_the_binary() {
    let bytes: &'static [u8] = Box::leak(
        std::fs::read(test_vectors("signing.json"))
            .unwrap()
            .into_boxed_slice(),
    );
    let limits = Limits {
        max_bytes: 16 << 20,
        max_depth: 64,
    };
    let file = json::parse(bytes, &limits).unwrap();
    let file = file.as_object().unwrap();
    let dir = TempDir::new();
    let keyring = dir.file("keyring.json", file.get("keyring").unwrap().to_canonical());
    let mut verified = 0;
    for (i, case) in file
        .get("cases")
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .enumerate()
    {
        let case = case.as_object().unwrap();
        let signed = case
            .get("expect")
            .and_then(|e| e.as_object())
            .and_then(|e| e.get("signed"))
            .and_then(Value::as_str);
        let Some(signed) = signed else { continue };
        let record = dir.file(&format!("signed-{i}.json"), signed);
        let kind = case.get("kind").and_then(Value::as_str).unwrap();
        let out = run(&[
            "record",
            &record,
            "--kind",
            kind,
            "--keyring",
            &keyring,
            "--json",
        ])
        .valid();
        let expected = json::parse_record(signed.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(
            text(&out.json(), "receipt_hash"),
            vaultmesh_core::record::receipt_hash(&expected).to_string()
        );
        verified += 1;
    }
    assert_eq!(verified, 4);
}
