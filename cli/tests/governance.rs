//! Tests of `vm-verify governance` and `vm-verify constitution` through the built executable:
//! every file in `test-vectors/governance/` against the expectation it records, the acceptance
//! point of issue 3 (the example chain ends at the hash `constitution` prints for
//! `constitution-1.1.0.json`), and unusable input (exit 2, one line on standard error).

mod common;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use vaultmesh_core::json::Value;

use common::{
    array, assert_contains, boolean, error_name, is_null, member, object, path_arg, read_json, run,
    run_with, test_vectors, text, uint, TempDir, BAD_JSON,
};

fn vectors_dir() -> PathBuf {
    test_vectors("governance")
}

fn vector(name: &str) -> String {
    path_arg(&vectors_dir().join(name))
}

/// A vector as a JSON value, to change.
fn vector_json(name: &str) -> Value<'static> {
    read_json(&vectors_dir().join(name))
}

const EXAMPLE: &str = "valid-prop-2025-12-001-data-retention.json";

/// Every `.json` file of `test-vectors/governance/`, sorted.
fn vector_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

// ---------------------------------------------------------------------------------------------
// The vectors.

/// Checks one chain file against its `expect`: exit status, and with `--json` the verdict, the
/// failing index, error name and code, or the final version, hash and every version.
fn check_chain(path: &Path) {
    let file = path.to_str().unwrap();
    let chain = read_json(path);
    let expect = member(&chain, "expect");
    let receipts = array(&chain, "receipts").len() as u64;
    let json_run = run(&["governance", file, "--json"]);
    let human = run(&["governance", file]);
    if boolean(expect, "valid") {
        let out = json_run.valid();
        let report = out.json();
        assert!(boolean(&report, "valid"), "{file}");
        assert_eq!(uint(&report, "code"), 0);
        assert_eq!(uint(&report, "exit_status"), 0);
        assert!(is_null(&report, "violation"), "{file}");
        assert_eq!(uint(&report, "receipts"), receipts, "{file}");
        assert_eq!(uint(&report, "verified"), receipts, "{file}");
        assert_eq!(
            text(&report, "final_version"),
            text(expect, "final_version")
        );
        assert_eq!(text(&report, "final_hash"), text(expect, "final_hash"));
        let versions = array(&report, "versions");
        let expected = array(expect, "versions");
        assert_eq!(versions.len(), expected.len(), "{file}");
        for (i, (got, want)) in versions.iter().zip(expected).enumerate() {
            assert_eq!(text(got, "version"), text(want, "version"), "{file} #{i}");
            assert_eq!(
                text(got, "constitution_hash"),
                text(want, "hash"),
                "{file} #{i}"
            );
            // Genesis has no amendment; every later version names the receipt that made it.
            assert_eq!(is_null(got, "index"), i == 0, "{file} #{i}");
            assert_eq!(is_null(got, "proposal_id"), i == 0, "{file} #{i}");
            assert_eq!(is_null(got, "effective_at"), i == 0, "{file} #{i}");
        }
        let out = human.valid();
        let shown = out.stdout();
        assert!(shown.starts_with("valid governance chain "), "{shown}");
        assert_contains(shown, &format!("verified: {receipts}\n"));
        assert_contains(
            shown,
            &format!(
                "final_version: {}\nfinal_hash: {}\n",
                text(expect, "final_version"),
                text(expect, "final_hash")
            ),
        );
        for want in expected {
            assert_contains(
                shown,
                &format!("  {} {}", text(want, "version"), text(want, "hash")),
            );
        }
        assert_contains(shown, "violation: none\n");
    } else {
        let error = text(expect, "error");
        let code = uint(expect, "code");
        let index = match member(expect, "index") {
            Value::Null => None,
            v => Some(v.as_u64().unwrap()),
        };
        let out = json_run.fails_any_stdout(1, error);
        let report = out.json();
        assert!(!boolean(&report, "valid"), "{file}");
        assert_eq!(error_name(&report), error, "{file}");
        assert_eq!(uint(&report, "code"), code, "{file}");
        assert_eq!(uint(&report, "exit_status"), 1);
        assert_eq!(uint(&report, "receipts"), receipts, "{file}");
        let violation = member(&report, "violation");
        assert_eq!(text(violation, "error"), error, "{file}");
        assert_eq!(uint(violation, "code"), code, "{file}");
        match index {
            Some(i) => {
                assert_eq!(uint(violation, "index"), i, "{file}");
                // Everything before the failing receipt verified.
                assert_eq!(uint(&report, "verified"), i, "{file}");
                assert_contains(&out.stderr, &format!("at receipt {i} (of {receipts})"));
                // The versions in force before it are still reported.
                assert!(!array(&report, "versions").is_empty(), "{file}");
            }
            None => {
                assert!(is_null(violation, "index"), "{file}");
                assert_eq!(uint(&report, "verified"), 0, "{file}");
                assert!(array(&report, "versions").is_empty(), "{file}");
                assert!(is_null(&report, "final_version"), "{file}");
                assert!(is_null(&report, "final_hash"), "{file}");
                assert_contains(&out.stderr, "genesis");
            }
        }
        // The field the core names is reported (both at the top level and in the violation);
        // the violation has no `field` member when the error names none.
        let field = violation.as_object().unwrap().get("field");
        match field {
            None => assert!(report.as_object().unwrap().get("field").is_none()),
            Some(field) => assert_eq!(text(&report, "field"), field.as_str().unwrap()),
        }

        // Human mode: the same one line on stderr, the readable report on stdout.
        let out = human.fails_any_stdout(1, error);
        let shown = out.stdout();
        assert!(shown.starts_with("invalid governance chain "), "{shown}");
        let at = index.map_or_else(
            || "genesis constitution".to_string(),
            |i| format!("receipt {i}"),
        );
        assert_contains(shown, &format!("violation: {at}: {error} ({code}): "));
        if let Some(field) = field.and_then(Value::as_str) {
            assert_contains(shown, &format!("violation_field: {field}\n"));
        }
    }
}

#[test]
fn every_governance_vector() {
    let files = vector_files();
    let mut chains = 0;
    let mut constitutions = 0;
    for path in &files {
        let document = read_json(path);
        if document.as_object().unwrap().get("receipts").is_some() {
            check_chain(path);
            chains += 1;
        } else {
            // genesis.json and constitution-1.1.0.json: valid constitutions.
            let file = path.to_str().unwrap();
            let out = run(&["constitution", file, "--json"]).valid();
            let report = out.json();
            assert!(boolean(&report, "valid"));
            assert_eq!(
                text(&report, "version"),
                text(&document, "version"),
                "{file}"
            );
            constitutions += 1;
        }
    }
    assert!(chains >= 40, "only {chains} chain vectors found");
    assert_eq!(constitutions, 2);
}

/// Issue 3, acceptance: the example chain verifies and ends at version 1.1.0 with the hash that
/// `vm-verify constitution` prints for the resulting document; the genesis hash is the first
/// version of every chain.
#[test]
fn example_chain_ends_at_the_hash_constitution_prints() {
    let chain_run = run(&["governance", &vector(EXAMPLE), "--json"]).valid();
    let chain = chain_run.json();
    assert_eq!(text(&chain, "final_version"), "1.1.0");
    let final_hash = text(&chain, "final_hash");

    let out = run(&["constitution", &vector("constitution-1.1.0.json"), "--json"]).valid();
    let report = out.json();
    assert_eq!(text(&report, "version"), "1.1.0");
    assert_eq!(text(&report, "constitution_hash"), final_hash);
    assert_eq!(uint(&report, "code"), 0);
    assert!(is_null(&report, "error"));

    let out = run(&["constitution", &vector("constitution-1.1.0.json")]).valid();
    assert_contains(
        out.stdout(),
        &format!("version: 1.1.0\nconstitution_hash: {final_hash}\n"),
    );

    let genesis = run(&["constitution", &vector("genesis.json"), "--json"]).valid();
    let genesis = genesis.json();
    assert_eq!(text(&genesis, "version"), "1.0.0");
    let first = &array(&chain, "versions")[0];
    assert_eq!(
        text(first, "constitution_hash"),
        text(&genesis, "constitution_hash")
    );
    assert_eq!(text(first, "version"), "1.0.0");

    // The amendment that made 1.1.0, and the proposal with its tally.
    let second = &array(&chain, "versions")[1];
    assert_eq!(text(second, "proposal_id"), "PROP-2025-12-001");
    assert_eq!(uint(second, "index"), 8);
    let proposal = &array(&chain, "proposals")[0];
    assert_eq!(text(proposal, "proposal_type"), "amendment");
    assert_eq!(text(proposal, "class"), "amend_article");
    assert_eq!(text(proposal, "phase"), "activated");
    let tally = member(proposal, "tally");
    assert_eq!(
        (
            uint(tally, "approve"),
            uint(tally, "reject"),
            uint(tally, "abstain")
        ),
        (9, 2, 1)
    );

    // Standard input works too.
    let bytes = std::fs::read(vector(EXAMPLE)).unwrap();
    let out = run_with(&["governance", "-", "--json"], Some(&bytes)).valid();
    assert_eq!(text(&out.json(), "final_hash"), final_hash);
}

#[test]
fn constitution_breaking_the_schema_is_exit_1() {
    let dir = TempDir::new();
    let mut document = vector_json("genesis.json");
    object(&mut document).remove("rules").unwrap();
    let file = dir.file("no-rules.json", document.to_canonical());
    let out = run(&["constitution", &file, "--json"]).fails_any_stdout(1, "INVALID_CONSTITUTION");
    let report = out.json();
    assert!(!boolean(&report, "valid"));
    assert_eq!(uint(&report, "code"), 700);
    assert_eq!(uint(&report, "exit_status"), 1);
    assert!(text(&report, "field").starts_with("rules"), "{report:?}");
    let out = run(&["constitution", &file]).fails_any_stdout(1, "INVALID_CONSTITUTION");
    assert!(out.stdout.is_empty());
    assert_contains(&out.stderr, "field `rules");

    // A bad version.
    object(&mut document).insert("version", Value::String(Cow::Borrowed("1.0")));
    let file = dir.file("bad-version.json", document.to_canonical());
    run(&["constitution", &file]).fails_any_stdout(1, "INVALID_CONSTITUTION");

    // A chain file given to `constitution` is schema-invalid, with a hint.
    let out = run(&["constitution", &vector(EXAMPLE)]).fails_any_stdout(1, "INVALID_CONSTITUTION");
    assert_contains(&out.stderr, "vm-verify governance");
}

#[test]
fn unusable_input_is_exit_2() {
    let dir = TempDir::new();
    // The bad JSON every command rejects, and cases particular to chain files.
    let own: &[(&str, &[u8], &str)] = &[
        (
            "truncated",
            br#"{"genesis":{"version":"1.0.0"},"rec"#,
            "JSON_SYNTAX",
        ),
        (
            "duplicate",
            br#"{"genesis":{},"receipts":[],"receipts":[]}"#,
            "DUPLICATE_KEY",
        ),
        (
            "nested-duplicate",
            br#"{"genesis":{"version":"1.0.0","version":"1.0.1"},"receipts":[]}"#,
            "DUPLICATE_KEY",
        ),
    ];
    for (name, input, error) in BAD_JSON.iter().chain(own) {
        let file = dir.file(name, input);
        for command in ["governance", "constitution"] {
            let out = run(&[command, &file]).unusable(error);
            assert!(out.stdout.is_empty(), "{command} {name}: {}", out.stdout());
            assert!(out.stderr.contains(&file), "names the file: {}", out.stderr);
            let out = run(&[command, &file, "--json"]).unusable(error);
            let report = out.json();
            assert_eq!(error_name(&report), *error);
            assert_eq!(uint(&report, "exit_status"), 2);
            assert!(!boolean(&report, "valid"));
        }
    }

    // A whole valid chain, cut short anywhere, is unusable.
    let example = std::fs::read(vector(EXAMPLE)).unwrap();
    for cut in [1, example.len() / 3, example.len() / 2, example.len() - 2] {
        let file = dir.file("cut.json", &example[..cut]);
        run(&["governance", &file]).unusable("JSON_SYNTAX");
    }

    // Not shaped as a chain file.
    let shapes: &[(&str, &str)] = &[
        ("{}", "MISSING_FIELD"),
        (r#"{"receipts":[]}"#, "MISSING_FIELD"),
        (r#"{"genesis":{}}"#, "MISSING_FIELD"),
        (r#"{"genesis":{},"receipts":{}}"#, "INVALID_FIELD"),
        (r#"{"genesis":{},"receipts":null}"#, "INVALID_FIELD"),
    ];
    for (input, error) in shapes {
        let file = dir.file("shape.json", input);
        let out = run(&["governance", &file]).unusable(error);
        assert_contains(&out.stderr, "not a governance chain file");
    }

    // Missing files and directories.
    let missing = dir.path("missing.json");
    run(&["governance", &missing]).unusable("cannot open");
    run(&["constitution", &missing]).unusable("cannot open");
    let out = run(&["governance", &missing, "--json"]).unusable("IO");
    assert_eq!(error_name(&out.json()), "IO");

    // Usage.
    run(&["governance"]).unusable("USAGE");
    run(&["governance", "a.json", "b.json"]).unusable("USAGE");
    run(&["constitution"]).unusable("USAGE");
    run(&["constitution", "a.json", "--max-bytes", "10"]).unusable("USAGE");
    run(&["governance", "a.json", "--max-bytes", "-1"]).unusable("USAGE");
    run(&["governance", "a.json", "--max-bytes", "lots"]).unusable("USAGE");
}

#[test]
fn chain_size_and_depth_limits() {
    let dir = TempDir::new();
    let mut chain = vector_json(EXAMPLE);
    // Over the 1 MiB record limit: fine for a chain (other members are ignored).
    object(&mut chain).insert("padding", Value::String(Cow::Owned("x".repeat(3 << 20))));
    let big = chain.to_canonical();
    assert!(big.len() > 3 << 20);
    let file = dir.file("big.json", &big);
    let out = run(&["governance", &file, "--json"]).valid();
    assert_eq!(text(&out.json(), "final_version"), "1.1.0");
    // A constitution stays within the record limit.
    run(&["constitution", &file]).unusable("INPUT_TOO_LARGE");

    // --max-bytes lowers (or raises) the bound.
    let out = run(&["governance", &file, "--max-bytes", "1048576"]).unusable("INPUT_TOO_LARGE");
    assert_contains(&out.stderr, "--max-bytes");
    let limit = big.len().to_string();
    run(&["governance", &file, "--max-bytes", &limit]).valid();
    let one_less = (big.len() - 1).to_string();
    run(&["governance", &file, "--max-bytes", &one_less]).unusable("INPUT_TOO_LARGE");

    // Depth 64 at most.
    let deep = format!(
        "{{\"genesis\":{{}},\"receipts\":[],\"x\":{}{}}}",
        "[".repeat(70),
        "]".repeat(70)
    );
    let file = dir.file("deep.json", deep);
    run(&["governance", &file]).unusable("DEPTH_EXCEEDED");
}

#[test]
fn help_and_command_list() {
    let top = run(&["--help"]).valid();
    assert_contains(top.stdout(), "  governance ");
    assert_contains(top.stdout(), "  constitution ");
    let help = run(&["governance", "--help"]).valid();
    let shown = help.stdout();
    assert!(shown.starts_with("Usage: vm-verify governance [OPTIONS] <CHAIN.json>"));
    assert!(shown.contains("--max-bytes <BYTES>"));
    assert!(shown.contains("67108864, 64 MiB"));
    assert!(shown.contains("depth is at most 64"));
    assert!(shown.contains("Exit status"));
    let help = run(&["help", "constitution"]).valid();
    assert!(help
        .stdout()
        .starts_with("Usage: vm-verify constitution [OPTIONS] <FILE>"));
    assert!(help.stdout().contains("constitution_hash"));
}
