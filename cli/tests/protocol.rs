//! `vm-verify` on the protocol document's examples: every vector of `test-vectors/protocol/`
//! verifies with the command its kind needs, and every case of `test-vectors/protocol.json`
//! (the vectors and their one-member variants) gets its verdict from the binary: exit 0 and the
//! expected hash, or exit 1 (2 for an unknown kind) naming the expected error.

mod common;

use common::{path_arg, run, test_vectors, text, uint, TempDir};
use vaultmesh_core::json::{self, Limits, Value};

/// Each vector and the command line that verifies it (after the file: the keyring is added).
const VECTORS: [(&str, &[&str]); 13] = [
    ("discovery", &["record", "--kind", "discovery"]),
    ("trust-proposal", &["record", "--kind", "proposal"]),
    ("agreement", &["agreement"]),
    ("witness-receipt", &["witness"]),
    ("cross-anchor", &["cross-anchor"]),
    ("gov-proposal", &["record"]),
    ("gov-vote", &["record"]),
    ("gov-ratification", &["record"]),
    ("gov-amendment", &["record"]),
    ("gov-executive-order", &["record"]),
    ("gov-emergency-declaration", &["record"]),
    ("gov-violation", &["record"]),
    ("gov-enforcement", &["record"]),
];

fn protocol(name: &str) -> String {
    path_arg(&test_vectors("protocol").join(name))
}

fn command(file: &str, args: &[&str], keyring: &str) -> Vec<String> {
    let mut line = vec![args[0].to_string(), file.to_string()];
    line.extend(args[1..].iter().map(|a| a.to_string()));
    line.extend(["--keyring".into(), keyring.into(), "--json".into()]);
    line
}

#[test]
fn every_vector_file_verifies() {
    let keyring = protocol("keyring.json");
    let mut names: Vec<String> = std::fs::read_dir(test_vectors("protocol"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
        .filter(|n| n != "keyring" && !n.ends_with(".skeleton"))
        .collect();
    names.sort();
    let mut listed: Vec<String> = VECTORS.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(names, listed, "every vector has its command here");

    for (name, args) in VECTORS {
        let file = protocol(&format!("{name}.json"));
        let line = command(&file, args, &keyring);
        let line: Vec<&str> = line.iter().map(String::as_str).collect();
        let out = run(&line).valid();
        let report = out.json();
        let record = json::parse_record(
            Box::leak(std::fs::read(&file).unwrap().into_boxed_slice()),
            &Limits::default(),
        )
        .unwrap();
        if name == "agreement" {
            assert_eq!(
                text(&report, "agreement_hash"),
                record
                    .as_object()
                    .and_then(|o| o.get("agreement_hash"))
                    .and_then(Value::as_str)
                    .unwrap()
            );
            assert_eq!(uint(&report, "trust_level"), 2);
        } else {
            let hash = vaultmesh_core::record::receipt_hash(&record).to_string();
            assert_eq!(text(&report, "receipt_hash"), hash, "{name}");
        }
    }
}

#[test]
fn cross_anchor_needs_more_than_the_documents_agreement() {
    // The document's agreement is at trust level 2; cross-anchors need 3 (wire format §8).
    run(&[
        "cross-anchor",
        &protocol("cross-anchor.json"),
        "--agreement",
        &protocol("agreement.json"),
        "--keyring",
        &protocol("keyring.json"),
    ])
    .fails_any_stdout(1, "TRUST_LEVEL_TOO_LOW");
}

#[test]
fn every_case_of_protocol_json() {
    let bytes: &'static [u8] = Box::leak(
        std::fs::read(test_vectors("protocol.json"))
            .unwrap()
            .into_boxed_slice(),
    );
    // The case file is pretty-printed, not a record's canonical text: read it with no size limit
    // worth hitting.
    let limits = Limits {
        max_bytes: 64 << 20,
        max_depth: 64,
    };
    let file = json::parse(bytes, &limits).unwrap();
    let file = file.as_object().unwrap();
    let dir = TempDir::new();
    let keyring = dir.file("keyring.json", file.get("keyring").unwrap().to_canonical());
    let cases = file.get("cases").and_then(Value::as_array).unwrap();
    assert!(cases.len() > 100, "{} cases", cases.len());
    for (i, case) in cases.iter().enumerate() {
        let get = |name: &str| {
            case.as_object()
                .and_then(|o| o.get(name))
                .and_then(Value::as_str)
        };
        let name = get("name").unwrap();
        let input = dir.file(&format!("case-{i}.json"), get("input").unwrap());
        let mut args: Vec<String> = match get("op").unwrap() {
            "verify_record" => vec!["record".into(), input],
            "verify_agreement" => vec!["agreement".into(), input],
            "verify_witness" => vec!["witness".into(), input],
            "verify_cross_anchor" => vec!["cross-anchor".into(), input],
            op => panic!("{name}: no command for {op}"),
        };
        if let Some(kind) = get("kind") {
            args.extend(["--kind".into(), kind.into()]);
        }
        if let Some(agreement) = get("agreement") {
            let path = dir.file(&format!("case-{i}-agreement.json"), agreement);
            args.extend(["--agreement".into(), path]);
        }
        args.extend(["--keyring".into(), keyring.clone(), "--json".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let expect = case.as_object().and_then(|o| o.get("expect")).unwrap();
        let out = run(&args);
        let expect_text = |member: &str| {
            expect
                .as_object()
                .and_then(|o| o.get(member))
                .and_then(Value::as_str)
        };
        match expect_text("error") {
            None => {
                assert_eq!(out.status, 0, "{name}: {}", out.stderr);
                let report = out.json();
                for member in ["receipt_hash", "agreement_hash"] {
                    if let Some(want) = expect_text(member) {
                        assert_eq!(text(&report, member), want, "{name}");
                    }
                }
            }
            Some(error) => {
                // An unknown kind is unusable input (exit 2); every other failure is exit 1.
                let status = if error == "UNKNOWN_KIND" { 2 } else { 1 };
                assert_eq!(out.status, status, "{name}: {}", out.stderr);
                out.fails_any_stdout(status, error);
            }
        }
    }
}
