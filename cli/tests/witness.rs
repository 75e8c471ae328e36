//! `vm-verify evidence` on every evidence case of `test-vectors/witness/evidence.json`: exit 0
//! and the contradiction the vector expects, or exit 1 naming the expected error (exit 2 for a
//! malformed kind is not a case: an unknown `kind` is a field error, exit 1).

mod common;

use common::{run, test_vectors, text, TempDir};
use vaultmesh_core::json::{self, Limits, Value};

#[test]
fn every_evidence_vector_gets_its_verdict_from_the_binary() {
    let bytes = std::fs::read(test_vectors("witness").join("evidence.json")).unwrap();
    let limits = Limits {
        max_bytes: 64 << 20,
        max_depth: 64,
    };
    let file = json::parse(&bytes, &limits).unwrap();
    let file = file.as_object().unwrap();
    let dir = TempDir::new();
    let keyring = dir.file("keyring.json", file.get("keyring").unwrap().to_canonical());
    let mut checked = 0;
    let cases = file.get("cases").and_then(Value::as_array).unwrap();
    for (i, case) in cases.iter().enumerate() {
        let case = case.as_object().unwrap();
        let get = |o: &json::Object<'_>, name: &str| {
            o.get(name).and_then(Value::as_str).map(str::to_string)
        };
        if get(case, "op").as_deref() != Some("verify_evidence") {
            continue;
        }
        let name = get(case, "name").unwrap();
        let input = dir.file(&format!("case-{i}.json"), get(case, "input").unwrap());
        let out = run(&["evidence", &input, "--keyring", &keyring, "--json"]);
        let expect = case.get("expect").and_then(Value::as_object).unwrap();
        match get(expect, "error") {
            None => {
                let out = out.valid();
                let report = out.json();
                let want = get(expect, "contradiction").unwrap();
                assert_eq!(text(&report, "contradiction"), want, "{name}");
            }
            Some(error) => {
                out.fails_any_stdout(1, &error);
            }
        }
        checked += 1;
    }
    assert!(checked >= 8, "{checked} evidence cases");
}
