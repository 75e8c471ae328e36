//! `vm-verify bundle` on the example and tampered bundles of `test-vectors/bundles/`: exit
//! status, the one-line error, and the `--json` report (the same document as the browser's).
//! JSON is read with the core's own strict parser.

mod common;

use std::path::PathBuf;

use vaultmesh_core::bundle::BUNDLE_LIMITS;
use vaultmesh_core::json::{self, Value};

use common::{assert_contains, error_name, path_arg, run, test_vectors, TempDir};

fn bundles() -> PathBuf {
    test_vectors("bundles")
}

fn path(name: &str) -> String {
    path_arg(&bundles().join(name))
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(bundles().join(name)).unwrap()
}

/// A bundle or report document, with the bundle limits (not the record limits).
fn parse(bytes: &[u8]) -> Value<'_> {
    json::parse(bytes, &BUNDLE_LIMITS).unwrap()
}

// Lenient JSON access (unlike `common`'s): a missing member is null, "" or empty.

/// Member `name` of an object value.
fn get<'v, 'a>(v: &'v Value<'a>, name: &str) -> &'v Value<'a> {
    v.as_object()
        .and_then(|o| o.get(name))
        .unwrap_or(&Value::Null)
}

fn text<'v>(v: &'v Value<'_>, name: &str) -> &'v str {
    get(v, name).as_str().unwrap_or("")
}

fn list<'v, 'a>(v: &'v Value<'a>, name: &str) -> &'v [Value<'a>] {
    get(v, name).as_array().unwrap_or_default()
}

/// Every item of a report document, in report order.
fn items<'v, 'a>(report: &'v Value<'a>) -> Vec<&'v Value<'a>> {
    let s = get(report, "sections");
    let mut all: Vec<&Value<'a>> = Vec::new();
    for k in ["keys", "discovery", "agreements"] {
        all.extend(list(s, k));
    }
    for sc in list(s, "scrolls") {
        for k in ["checkpoints", "consistency", "receipts", "witnesses"] {
            all.extend(list(sc, k));
        }
    }
    for k in ["cross_anchors", "governance"] {
        all.extend(list(s, k));
    }
    all
}

#[test]
fn example_is_valid() {
    let example = path("example.json");
    let out = run(&["bundle", &example]).exits(0);
    let stdout = out.stdout();
    assert!(stdout.starts_with("valid bundle "), "{stdout}");
    assert!(stdout.contains("\nverdict: valid\n"));
    assert!(!stdout.contains("INVALID"));
    let out = run(&["bundle", &example, "--json"]).exits(0);
    let v = parse(&out.stdout);
    assert_eq!(get(&v, "valid"), &Value::Bool(true));
    let report = get(&v, "report");
    assert_eq!(text(report, "verdict"), "valid");
    let all = items(report);
    assert!(all.len() >= 30);
    assert!(all.iter().all(|i| text(i, "verdict") == "valid"));
}

#[test]
fn tampered_fails_as_expected() {
    let expect_bytes = read("tampered.expect.json");
    let expect = parse(&expect_bytes);
    let expected = get(&expect, "items").as_object().unwrap();
    let tampered = path("tampered.json");
    let out = run(&["bundle", &tampered, "--json"]).exits(1);
    let v = parse(&out.stdout);
    assert_eq!(error_name(&v), "SIGNATURE_MISMATCH");
    let report = get(&v, "report");
    assert_eq!(text(report, "verdict"), text(&expect, "verdict"));
    let mut seen = 0;
    for item in items(report) {
        let path = text(item, "path");
        match expected.get(path) {
            None => assert_eq!(text(item, "verdict"), "valid", "{path}"),
            Some(e) => {
                seen += 1;
                assert_eq!(text(item, "verdict"), text(e, "verdict"), "{path}");
                let check = list(item, "checks")
                    .iter()
                    .find(|c| text(c, "verdict") != "valid")
                    .unwrap();
                assert_eq!(text(check, "check"), text(e, "check"), "{path}");
                assert_eq!(text(check, "error"), text(e, "error"), "{path}");
            }
        }
    }
    assert_eq!(seen, expected.members.len());
    // Human output: the error line on stderr, the report on stdout.
    let out = run(&["bundle", &tampered]).exits(1);
    let err = &out.stderr;
    assert!(err.starts_with("vm-verify: invalid bundle "), "{err}");
    assert_contains(err, "SIGNATURE_MISMATCH (403)");
    let stdout = out.stdout();
    assert_contains(stdout, "INVALID      scrolls[1].receipts[0]");
    assert_contains(stdout, "NO CONSISTENCY PROOF");
}

#[test]
fn pinned_keys() {
    let example_bytes = read("example.json");
    let example = parse(&example_bytes);
    let keys = get(&example, "keys");
    let (dublin, oslo) = (
        text(keys, "did:vm:mesh:dublin"),
        text(keys, "did:vm:mesh:oslo"),
    );
    // `bundle example.json --key did:vm:mesh:dublin=KEY --json`.
    let pinning_dublin = |key: &str| {
        run(&[
            "bundle",
            &path("example.json"),
            "--key",
            &format!("did:vm:mesh:dublin={key}"),
            "--json",
        ])
    };
    let out = pinning_dublin(dublin).exits(0);
    let v = parse(&out.stdout);
    let entry = list(get(&v, "report"), "keys")
        .iter()
        .find(|k| text(k, "actor") == "did:vm:mesh:dublin")
        .unwrap();
    assert_eq!(text(entry, "source"), "pinned");
    let out = pinning_dublin(oslo).exits(1);
    assert_eq!(error_name(&parse(&out.stdout)), "KEY_MISMATCH");
}

#[test]
fn not_a_bundle_is_unusable() {
    let dir = TempDir::new();
    for (name, body, error) in [
        ("array.json", "[]", "NOT_AN_OBJECT"),
        (
            "dup.json",
            r#"{"type":"vaultmesh_audit_bundle","type":"x"}"#,
            "DUPLICATE_KEY",
        ),
        (
            "v2.json",
            r#"{"type":"vaultmesh_audit_bundle","version":2}"#,
            "INVALID_FIELD",
        ),
    ] {
        let file = dir.file(name, body);
        let out = run(&["bundle", &file, "--json"]);
        assert_eq!(out.status, 2, "{name}");
        assert_eq!(error_name(&parse(&out.stdout)), error, "{name}");
    }
    let out = run(&["bundle", &path("example.json"), "--max-bytes", "100"]).exits(2);
    assert!(out.stderr.contains("INPUT_TOO_LARGE"));
}
