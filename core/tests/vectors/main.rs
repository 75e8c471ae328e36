//! The project's own test vectors: one JSON file per area under `test-vectors/`, written by the
//! deterministic generator in `generate.rs`, and loaded back by every implementation (this
//! runner for Rust; the browser, C and Python tests do the same with their own APIs).
//!
//! `drift`: regenerates every file in memory and fails when a committed file differs.
//! `VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test vectors` rewrites them.
//! `verdicts`: runs every case through the core and compares with `expect`.

mod generate;
mod run;

use std::path::PathBuf;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

#[test]
fn drift() {
    let bless = std::env::var_os("VAULTMESH_BLESS").is_some();
    let mut drifted = Vec::new();
    for (name, text) in generate::all() {
        let path = vectors_dir().join(name);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(committed) if committed == text => {}
            _ => drifted.push(name),
        }
    }
    assert!(
        drifted.is_empty(),
        "vector files differ from the generator: {drifted:?}; run VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test vectors"
    );
}

#[test]
fn verdicts() {
    let mut seen_errors = std::collections::BTreeSet::new();
    let mut cases = 0;
    for (name, _) in generate::all() {
        let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        for case in file["cases"].as_array().unwrap() {
            let outcome = run::case(&file, case);
            let expect = &case["expect"];
            assert_eq!(outcome, *expect, "{name}: case {}", case["name"]);
            if let Some(e) = expect["error"].as_str() {
                seen_errors.insert(e.to_string());
            }
            cases += 1;
        }
    }
    assert!(cases > 150, "only {cases} vector cases");
    // The federation protocol's vectors (test-vectors/federation/, run and drift-checked by
    // core/tests/federation_vectors.rs) count too.
    for entry in std::fs::read_dir(vectors_dir().join("federation")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        for case in file["cases"].as_array().unwrap() {
            if let Some(e) = case["expect"]["error"].as_str() {
                seen_errors.insert(e.to_string());
            }
        }
    }
    // Every rejection rule of the format (1xx–6xx) has at least one negative case.
    let missing: Vec<&str> = vaultmesh_core::Error::ALL
        .iter()
        .filter(|e| e.code() < 700)
        .map(|e| e.name())
        .filter(|n| !seen_errors.contains(*n))
        .collect();
    assert!(
        missing.is_empty(),
        "rejection rules without a negative vector: {missing:?}"
    );
}
