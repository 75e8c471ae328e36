//! Tests of the `vm-verify` binary: every command's valid case and its failures, through the
//! built executable, on files written to a fresh temporary directory.
//!
//! Signed records are made with the core's `signing` feature and deterministic secrets. Every
//! failure is checked for its exit status (1 checked and invalid, 2 unusable or usage), its one
//! line on standard error with the stable error name and code, and empty standard output (or one
//! JSON object with `--json`).

mod common;

use vaultmesh_core::crypto::derive_public_key;
use vaultmesh_core::federation::{combined_root, sign_agreement};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::merkle::{self, ConsistencyProof, InclusionProof};
use vaultmesh_core::record::{sign_record, Kind};
use vaultmesh_core::{Digest, Error};

use common::{
    assert_contains, assert_one_line, boolean, error_name, member, object, parse_leaked, path_arg,
    run, run_with, text, uint, Run, TempDir, BAD_JSON,
};

const ALICE: &str = "did:vm:human:alice";
const DUBLIN: &str = "did:vm:mesh:dublin";
const OSLO: &str = "did:vm:mesh:oslo";
const ALICE_SECRET: [u8; 32] = [1; 32];
const DUBLIN_SECRET: [u8; 32] = [2; 32];
const OSLO_SECRET: [u8; 32] = [3; 32];
const T0: &str = "2026-01-01T00:00:00Z";

fn key_of(secret: &[u8; 32]) -> String {
    derive_public_key(secret).to_string()
}

fn key_arg(actor: &str, secret: &[u8; 32]) -> String {
    format!("{actor}={}", key_of(secret))
}

// ---------------------------------------------------------------------------------------------
// Records.

fn signed(text: &str, kind: Kind, secret: &[u8; 32]) -> Value<'static> {
    let mut value = parse_leaked(text);
    sign_record(object(&mut value), kind, secret);
    value
}

fn bytes(value: &Value<'_>) -> Vec<u8> {
    value.to_canonical()
}

/// Sets member `name` (after signing: a tampered record).
fn set(value: &Value<'static>, name: &'static str, new: &str) -> Value<'static> {
    let mut value = value.clone();
    object(&mut value).insert(
        name,
        parse_leaked(format!("{{\"v\":{new}}}"))
            .as_object()
            .unwrap()
            .get("v")
            .unwrap()
            .clone(),
    );
    value
}

fn vote(n: u64) -> Value<'static> {
    signed(
        &format!(
            r#"{{"type":"gov_vote","vote_id":"v-{n}","proposal_id":"p-{n}","voter":"{ALICE}","voted_at":"{T0}","vote":"approve","weight":1.0}}"#
        ),
        Kind::GovVote,
        &ALICE_SECRET,
    )
}

fn scroll(n: u64) -> (Vec<u8>, Vec<Digest>) {
    let mut jsonl = Vec::new();
    let mut leaves = Vec::new();
    for i in 0..n {
        let record = bytes(&vote(i));
        leaves.push(merkle::leaf_hash(&record));
        jsonl.extend_from_slice(&record);
        jsonl.push(b'\n');
    }
    (jsonl, leaves)
}

fn checkpoint(mesh: &str, secret: &[u8; 32], size: u64, root: &Digest) -> Value<'static> {
    signed(
        &format!(
            r#"{{"type":"scroll_checkpoint","mesh_id":"{mesh}","scroll":"Main","tree_size":{size},"root":"{root}","timestamp":"{T0}"}}"#
        ),
        Kind::ScrollCheckpoint,
        secret,
    )
}

fn witness(result: &str, discrepancies: &str, size: u64, root: &Digest) -> Value<'static> {
    signed(
        &format!(
            r#"{{"type":"fed_witness_event","witness_id":"w-{size}","witnessing_mesh":"{OSLO}","witnessed_mesh":"{DUBLIN}","timestamp":"{T0}","scroll":"Main","witnessed_root":"{root}","tree_size":{size},"verification_method":"consistency_proof","verification_result":"{result}","discrepancies":{discrepancies}}}"#
        ),
        Kind::WitnessReceipt,
        &OSLO_SECRET,
    )
}

fn agreement(trust_level: u64) -> Value<'static> {
    let mut value = parse_leaked(format!(
        r#"{{"agreement_id":"agr-1","parties":["{DUBLIN}","{OSLO}"],"trust_level":{trust_level},"key_exchange":{{"{DUBLIN}":"{}","{OSLO}":"{}"}},"established_at":"{T0}","terms":{{"scrolls_shared":["Main"]}},"agreement_hash":"{}"}}"#,
        key_of(&DUBLIN_SECRET),
        key_of(&OSLO_SECRET),
        Digest::of(b""),
    ));
    sign_agreement(object(&mut value), DUBLIN, T0, &DUBLIN_SECRET);
    sign_agreement(object(&mut value), OSLO, T0, &OSLO_SECRET);
    value
}

fn cross_anchor() -> Value<'static> {
    let r1 = Digest::of(b"dublin main");
    let r2 = Digest::of(b"oslo main");
    let anchoring = parse_leaked(format!(r#"{{"Main":"{r1}"}}"#));
    let included = parse_leaked(format!(r#"{{"Main":"{r2}"}}"#));
    let combined = combined_root(
        (DUBLIN, anchoring.as_object().unwrap()),
        (OSLO, included.as_object().unwrap()),
    )
    .unwrap();
    signed(
        &format!(
            r#"{{"type":"fed_cross_anchor","anchoring_mesh":"{DUBLIN}","anchored_mesh":"{OSLO}","anchoring_roots":{{"Main":"{r1}"}},"roots_included":{{"Main":"{r2}"}},"combined_root":"{combined}","timestamp":"{T0}"}}"#
        ),
        Kind::CrossAnchor,
        &DUBLIN_SECRET,
    )
}

fn discovery() -> Value<'static> {
    signed(
        &format!(
            r#"{{"mesh_id":"{DUBLIN}","display_name":"Dublin","endpoints":{{"federation":"https://federation.dublin.example","verification":"https://verify.dublin.example"}},"public_key":"{}","scrolls_available":["Main"],"trust_policy":{{"accepts_proposals":true,"min_trust_level":1,"requires_mutual":true}},"attestations":[]}}"#,
            key_of(&DUBLIN_SECRET)
        ),
        Kind::Discovery,
        &DUBLIN_SECRET,
    )
}

// ---------------------------------------------------------------------------------------------
// Help and usage.

/// The commands that check one JSON file.
const FILE_COMMANDS: &[&str] = &[
    "canon",
    "hash",
    "record",
    "agreement",
    "checkpoint",
    "witness",
    "cross-anchor",
];

/// The `merkle` subcommands.
const MERKLE_COMMANDS: &[&str] = &[
    "merkle root",
    "merkle prove",
    "merkle consistency",
    "merkle verify-inclusion",
    "merkle verify-consistency",
];

#[test]
fn help_for_every_command() {
    let top = run(&["--help"]).valid();
    let merkle = run(&["merkle", "--help"]).valid();
    for command in FILE_COMMANDS.iter().chain(MERKLE_COMMANDS) {
        // The top-level help lists the commands, `merkle --help` its subcommands.
        let (listing, word) = match command.split_once(' ') {
            Some((_, sub)) => (&merkle, sub),
            None => (&top, *command),
        };
        assert!(
            listing.stdout().contains(&format!("  {word} ")),
            "help lists {command}"
        );
        let mut args: Vec<&str> = command.split(' ').collect();
        args.push("--help");
        let help = run(&args).valid();
        assert!(
            help.stdout()
                .starts_with(&format!("Usage: vm-verify {command}")),
            "{}",
            help.stdout()
        );
        assert!(help.stdout().contains("Exit status"));
        let help2 = run(&["help", command.split(' ').next().unwrap()]).valid();
        assert!(!help2.stdout().is_empty());
    }
    assert!(run(&["merkle", "--help"])
        .valid()
        .stdout()
        .contains("verify-consistency"));
    assert!(run(&["record", "--help"])
        .valid()
        .stdout()
        .contains("--keyring <FILE>"));
    assert!(run(&["merkle", "root", "--help"])
        .valid()
        .stdout()
        .contains("--max-total"));
    assert!(run(&["--version"])
        .valid()
        .stdout()
        .starts_with("vm-verify "));
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = TempDir::new();
    let file = dir.file("vote.json", bytes(&vote(1)));
    run(&[]).fails(2, "USAGE");
    // The messages are clap's; each names what is wrong and the usage of the command.
    run(&["frobnicate"]).fails(2, "unrecognized subcommand 'frobnicate'");
    run(&["recrod"]).fails(2, "a similar subcommand exists: 'record'");
    run(&["merkle"]).fails(2, "requires a subcommand");
    run(&["merkle"]).fails(2, "[subcommands: root, prove,");
    run(&["merkle", "frobnicate"]).fails(2, "unrecognized subcommand");
    run(&["hash"]).fails(2, "required arguments were not provided: <FILE>");
    run(&["hash", &file, &file]).fails(2, "unexpected argument");
    run(&["hash", &file, "--nope"]).fails(2, "unexpected argument '--nope'");
    run(&["hash", &file, "-x"]).fails(2, "unexpected argument '-x'");
    run(&["record", &file, "--kid"]).fails(2, "a similar argument exists: '--kind'");
    run(&["record", &file, "--kind"]).fails(2, "a value is required for '--kind <KIND>'");
    run(&["record", &file, "--kind", "gov_vote", "--kind", "gov_vote"])
        .fails(2, "cannot be used multiple times");
    run(&["record", &file, "--kind", "nope"]).fails(2, "[possible values: discovery, proposal,");
    run(&["record", &file, "--key", "no-equals-sign"]).fails(2, "ACTOR=KEY");
    run(&["merkle", "prove", &file, "--index", "-1"]).fails(2, "--index");
    run(&["merkle", "prove", &file, "--index", "1.0"]).fails(2, "--index");
    run(&["merkle", "prove", &file]).fails(2, "--index <I>");
    run(&["merkle", "verify-inclusion", "--record", &file]).fails(2, "--proof <FILE>");
    run(&[
        "merkle",
        "verify-inclusion",
        "--record",
        &file,
        "--proof",
        &file,
    ])
    .fails(2, "give either");
    run(&["completions", "tcsh"]).fails(2, "[possible values: bash,");
    // Standard input can be read only once.
    let root = Digest::of(b"").to_string();
    run_with(
        &[
            "merkle",
            "verify-inclusion",
            "--record",
            "-",
            "--proof",
            "-",
            "--root",
            &root,
            "--tree-size",
            "1",
        ],
        Some(b"{}"),
    )
    .fails(2, "only once");
    // With --json, a usage error is one JSON object too.
    let out = run(&["frobnicate", "--json"]).fails(2, "USAGE");
    let json = out.json();
    assert!(!boolean(&json, "valid"));
    assert_eq!(member(&json, "code"), &Value::Null);
    assert_eq!(error_name(&json), "USAGE");
    assert_eq!(uint(member(&json, "error"), "status"), 400);
    assert_eq!(uint(&json, "exit_status"), 2);
    // Also for an error clap finds inside a command, with --json anywhere before `--`.
    let out = run(&["record", "--json", &file, "--kind", "nope"]).fails(2, "USAGE");
    assert!(text(&out.json(), "message").contains("possible values"));
    let out = run(&["hash", "--json", "--", "--json"]).fails(2, "IO");
    assert_eq!(error_name(&out.json()), "IO");
}

#[test]
fn shell_completions() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell]).valid();
        assert!(out.stdout().contains("verify-inclusion"), "{shell}");
    }
    let out = run(&["completions", "bash", "--json"]).valid();
    let json = out.json();
    assert_eq!(text(&json, "shell"), "bash");
    assert!(text(&json, "script").contains("--keyring"));
}

// ---------------------------------------------------------------------------------------------
// canon and hash.

#[test]
fn canon_and_hash() {
    let dir = TempDir::new();
    let input = "{ \"b\": [1, 2.50, \"\\u00e9\"],\n  \"a\": {\"y\": true, \"x\": null} }\n";
    let canonical = "{\"a\":{\"x\":null,\"y\":true},\"b\":[1,2.5,\"é\"]}";
    let file = dir.file("r.json", input);

    let out = run(&["canon", &file]).valid();
    assert_eq!(out.stdout(), canonical, "exact canonical bytes, no newline");
    let out = run(&["canon", &file, "--json"]).valid();
    assert_eq!(text(&out.json(), "canonical"), canonical);
    assert!(boolean(&out.json(), "valid"));
    assert_eq!(uint(&out.json(), "code"), 0);
    assert_eq!(
        run_with(&["canon", "-"], Some(input.as_bytes()))
            .valid()
            .stdout(),
        canonical
    );

    let hash = Digest::of(canonical.as_bytes()).to_string();
    assert_eq!(run(&["hash", &file]).valid().stdout(), format!("{hash}\n"));
    assert_eq!(
        text(
            &run(&["hash", &file, "--json"]).valid().json(),
            "receipt_hash"
        ),
        hash
    );
    assert_eq!(
        run_with(&["hash", "-"], Some(input.as_bytes()))
            .valid()
            .stdout(),
        format!("{hash}\n")
    );
}

#[test]
fn unusable_json_is_exit_2() {
    let dir = TempDir::new();
    // The bad JSON every command rejects, and cases particular to records.
    let own: &[(&str, &[u8], &str)] = &[
        (
            "truncated",
            br#"{"type":"gov_vote","voter":"did:vm:hu"#,
            "JSON_SYNTAX",
        ),
        (
            "duplicate",
            br#"{"a":1,"b":{"c":1,"c":2}}"#,
            "DUPLICATE_KEY",
        ),
    ];
    for (name, input, error) in BAD_JSON.iter().chain(own) {
        let file = dir.file(name, input);
        for command in FILE_COMMANDS {
            let out = run(&[command, &file]).fails(2, error);
            assert!(out.stderr.contains(&file), "names the file: {}", out.stderr);
        }
        let out = run(&["record", &file, "--json"]).fails(2, error);
        assert_eq!(error_name(&out.json()), *error);
    }
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(70), "]".repeat(70));
    run(&["hash", &dir.file("deep", deep)]).fails(2, "DEPTH_EXCEEDED");
    let large = format!("{{\"a\":\"{}\"}}", "x".repeat(1 << 20));
    run(&["hash", &dir.file("large", large)]).fails(2, "INPUT_TOO_LARGE");
    run(&["hash", &dir.path("missing.json")]).fails(2, "cannot open");
    run(&["hash", &path_arg(&dir.0)]).fails(2, "cannot read");
    let out = run(&["hash", &dir.path("missing.json"), "--json"]).fails(2, "IO");
    assert_eq!(error_name(&out.json()), "IO");
}

// ---------------------------------------------------------------------------------------------
// record.

#[test]
fn record_valid_with_key_keyring_and_stdin() {
    let dir = TempDir::new();
    let vote = vote(1);
    let file = dir.file("vote.json", bytes(&vote));
    let key = key_arg(ALICE, &ALICE_SECRET);
    let hash = Digest::of(&bytes(&vote)).to_string();

    let out = run(&["record", &file, "--key", &key]).valid();
    assert!(
        out.stdout().starts_with("valid gov_vote record"),
        "{}",
        out.stdout()
    );
    assert!(out.stdout().contains(&hash));

    let keyring = dir.file(
        "keys.json",
        format!(r#"{{"{ALICE}":"{}"}}"#, key_of(&ALICE_SECRET)),
    );
    run(&["record", &file, "--keyring", &keyring]).valid();
    run(&[
        "record",
        &file,
        "--keyring",
        &keyring,
        "--key",
        &key,
        "--kind",
        "gov_vote",
    ])
    .valid();
    run_with(&["record", "-", "--key", &key], Some(&bytes(&vote))).valid();

    let out = run(&["record", &file, "--key", &key, "--json"]).valid();
    let json = out.json();
    assert!(boolean(&json, "valid"));
    assert_eq!(uint(&json, "code"), 0);
    assert_eq!(member(&json, "error"), &Value::Null);
    assert_eq!(text(&json, "kind"), "gov_vote");
    assert_eq!(text(&json, "signer"), ALICE);
    assert_eq!(text(&json, "receipt_hash"), hash);

    // Untyped: a self-signed discovery record, with its kind named.
    let disco = dir.file("disco.json", bytes(&discovery()));
    let out = run(&["record", &disco, "--kind", "discovery", "--json"]).valid();
    assert_eq!(text(&out.json(), "signer_key_source"), "record");
    assert!(text(&out.json(), "message").contains("not confirmed"));
    let out = run(&[
        "record",
        &disco,
        "--kind",
        "discovery",
        "--json",
        "--key",
        &key_arg(DUBLIN, &DUBLIN_SECRET),
    ])
    .valid();
    assert_eq!(text(&out.json(), "signer_key_source"), "keyring");
    run(&["record", &disco, "--kind", "fed_discovery"]).valid();
    run(&[
        "record",
        &disco,
        "--kind",
        "discovery",
        "--key",
        &key_arg(DUBLIN, &OSLO_SECRET),
    ])
    .fails(1, "KEY_MISMATCH");
}

#[test]
fn record_failures() {
    let dir = TempDir::new();
    let other = text(&vote(2), "signature").to_string();
    let vote = vote(1);
    let good = dir.file("vote.json", bytes(&vote));
    let key = key_arg(ALICE, &ALICE_SECRET);

    // Unknown signer: exit 1, and the hint names the actor.
    let out = run(&["record", &good]).fails(1, "UNKNOWN_SIGNER");
    assert_contains(&out.stderr, &format!("--key {ALICE}=KEY"));
    run(&[
        "record",
        &good,
        "--key",
        &key_arg("did:vm:human:bob", &ALICE_SECRET),
    ])
    .fails(1, "UNKNOWN_SIGNER");
    // The wrong key for the signer.
    run(&["record", &good, "--key", &key_arg(ALICE, &OSLO_SECRET)]).fails(1, "SIGNATURE_MISMATCH");
    // A field changed after signing.
    let tampered = dir.file("tampered.json", bytes(&set(&vote, "vote", "\"reject\"")));
    run(&["record", &tampered, "--key", &key]).fails(1, "SIGNATURE_MISMATCH");
    // Another record's signature.
    let swapped = dir.file(
        "swapped.json",
        bytes(&set(&vote, "signature", &format!("\"{other}\""))),
    );
    run(&["record", &swapped, "--key", &key]).fails(1, "SIGNATURE_MISMATCH");
    // One character of the signature changed: whatever the bytes decode to, exit 1.
    let signature = text(&vote, "signature").to_string();
    for replacement in ['1', '2', 'z'] {
        let mut flipped = signature.clone();
        flipped.pop();
        flipped.push(replacement);
        if flipped == signature {
            continue;
        }
        let file = dir.file(
            "flipped.json",
            bytes(&set(&vote, "signature", &format!("\"{flipped}\""))),
        );
        let out = run(&["record", &file, "--key", &key]);
        assert_eq!(out.status, 1, "{}", out.stderr);
        assert_one_line(&out.stderr);
        assert!(
            [
                "SIGNATURE_MISMATCH",
                "NON_CANONICAL_SIGNATURE",
                "MALFORMED_SIGNATURE",
                "SMALL_ORDER_SIGNATURE"
            ]
            .iter()
            .any(|name| out.stderr.contains(name)),
            "{}",
            out.stderr
        );
    }
    // A signature that is not base58 of 64 bytes.
    let garbled = dir.file("garbled.json", bytes(&set(&vote, "signature", "\"z0OIl\"")));
    run(&["record", &garbled, "--key", &key]).fails(1, "MALFORMED_SIGNATURE");
    // No signature.
    let mut unsigned = vote.clone();
    object(&mut unsigned).remove("signature");
    let unsigned = dir.file("unsigned.json", bytes(&unsigned));
    run(&["record", &unsigned, "--key", &key]).fails(1, "MISSING_SIGNATURE");
    // A missing and a malformed field.
    let mut missing = vote.clone();
    object(&mut missing).remove("voted_at");
    let out = run(&[
        "record",
        &dir.file("missing.json", bytes(&missing)),
        "--key",
        &key,
        "--json",
    ])
    .fails(1, "MISSING_FIELD");
    assert_eq!(text(&out.json(), "field"), "voted_at");
    assert_eq!(
        uint(&out.json(), "code"),
        u64::from(Error::MissingField.code())
    );
    let bad_time = dir.file(
        "time.json",
        bytes(&set(&vote, "voted_at", "\"2026-02-30T00:00:00Z\"")),
    );
    run(&["record", &bad_time, "--key", &key]).fails(1, "MALFORMED_TIMESTAMP");

    // Wrong kind: exit 1 (the record was checked against the kind asked for).
    let out =
        run(&["record", &good, "--kind", "gov_proposal", "--key", &key]).fails(1, "KIND_MISMATCH");
    assert_contains(&out.stderr, "invalid gov_proposal");
    run(&["record", &good, "--kind", "checkpoint", "--key", &key]).fails(1, "KIND_MISMATCH");
    run(&["agreement", &good]).fails(1, "KIND_MISMATCH");
    run(&["checkpoint", &good, "--key", &key]).fails(1, "KIND_MISMATCH");
    run(&["witness", &good, "--key", &key]).fails(1, "KIND_MISMATCH");
    run(&["cross-anchor", &good, "--key", &key]).fails(1, "KIND_MISMATCH");
    // Unknown kinds: exit 2 (the tool cannot tell what to check).
    run(&["record", &good, "--kind", "nope"]).fails(2, "invalid value 'nope' for '--kind <KIND>'");
    let disco = dir.file("disco.json", bytes(&discovery()));
    run(&["record", &disco]).fails(2, "UNKNOWN_KIND");
    let odd = dir.file("odd.json", bytes(&set(&vote, "type", "\"gov_votes\"")));
    run(&["record", &odd, "--key", &key]).fails(2, "UNKNOWN_KIND");

    // Unusable keys: exit 2.
    run(&["record", &good, "--key", &format!("{ALICE}=ed25519:zzz")]).fails(2, "MALFORMED_KEY");
    run(&[
        "record",
        &good,
        "--key",
        &format!("not-an-actor={}", key_of(&ALICE_SECRET)),
    ])
    .fails(2, "MALFORMED_ACTOR_ID");
    run(&[
        "record",
        &good,
        "--key",
        &key,
        "--key",
        &key_arg(ALICE, &OSLO_SECRET),
    ])
    .fails(2, "KEY_MISMATCH");
    run(&["record", &good, "--key", &key, "--key", &key]).valid();
    let bad_ring = dir.file("ring.json", format!(r#"{{"{ALICE}":42}}"#));
    run(&["record", &good, "--keyring", &bad_ring]).fails(2, "MALFORMED_KEY");
    let dup_ring = dir.file("dup.json", format!(r#"{{"{ALICE}":"x","{ALICE}":"y"}}"#));
    run(&["record", &good, "--keyring", &dup_ring]).fails(2, "DUPLICATE_KEY");
    run(&["record", &good, "--keyring", &dir.path("nope.json")]).fails(2, "cannot open");
}

// ---------------------------------------------------------------------------------------------
// Federation records.

#[test]
fn agreement_command() {
    let dir = TempDir::new();
    let good = dir.file("agreement.json", bytes(&agreement(3)));
    let out = run(&["agreement", &good, "--json"]).valid();
    let json = out.json();
    assert_eq!(uint(&json, "trust_level"), 3);
    assert_eq!(
        member(&json, "keys_unconfirmed").as_array().unwrap().len(),
        2
    );
    assert!(text(&json, "message").contains("not confirmed"));
    let value = agreement(3);
    assert_eq!(
        text(&json, "agreement_hash"),
        text(&value, "agreement_hash")
    );

    let (dublin, oslo) = (key_arg(DUBLIN, &DUBLIN_SECRET), key_arg(OSLO, &OSLO_SECRET));
    let out = run(&[
        "agreement",
        &good,
        "--json",
        "--key",
        &dublin,
        "--key",
        &oslo,
    ])
    .valid();
    assert_eq!(
        member(&out.json(), "keys_confirmed")
            .as_array()
            .unwrap()
            .len(),
        2
    );
    run(&["record", &good, "--kind", "agreement"]).valid();

    run(&["agreement", &good, "--key", &key_arg(OSLO, &ALICE_SECRET)]).fails(1, "KEY_MISMATCH");
    let raised = dir.file("raised.json", bytes(&set(&value, "trust_level", "4")));
    run(&["agreement", &raised]).fails(1, "AGREEMENT_HASH_MISMATCH");
    let bad_level = dir.file("level.json", bytes(&set(&value, "trust_level", "7")));
    run(&["agreement", &bad_level]).fails(1, "INVALID_TRUST_LEVEL");
    let one_party = dir.file(
        "one.json",
        bytes(&set(&value, "parties", &format!("[\"{DUBLIN}\"]"))),
    );
    run(&["agreement", &one_party]).fails(1, "PARTY_MISMATCH");
}

#[test]
fn checkpoint_and_witness() {
    let dir = TempDir::new();
    let (_, leaves) = scroll(5);
    let root = merkle::root(&leaves);
    let cp = checkpoint(DUBLIN, &DUBLIN_SECRET, 5, &root);
    let cp_file = dir.file("cp.json", bytes(&cp));
    let dublin = key_arg(DUBLIN, &DUBLIN_SECRET);
    let oslo = key_arg(OSLO, &OSLO_SECRET);

    let out = run(&["checkpoint", &cp_file, "--key", &dublin, "--json"]).valid();
    let json = out.json();
    assert_eq!(uint(&json, "tree_size"), 5);
    assert_eq!(text(&json, "root"), root.to_string());
    assert_eq!(text(&json, "mesh_id"), DUBLIN);
    assert_eq!(
        text(&json, "receipt_hash"),
        Digest::of(&bytes(&cp)).to_string()
    );
    run(&["record", &cp_file, "--key", &dublin]).valid();
    run(&["checkpoint", &cp_file]).fails(1, "UNKNOWN_SIGNER");
    run(&[
        "checkpoint",
        &cp_file,
        "--key",
        &key_arg(DUBLIN, &OSLO_SECRET),
    ])
    .fails(1, "SIGNATURE_MISMATCH");
    let tampered = dir.file("cp2.json", bytes(&set(&cp, "tree_size", "6")));
    run(&["checkpoint", &tampered, "--key", &dublin]).fails(1, "SIGNATURE_MISMATCH");

    let w = witness("verified", "[]", 5, &root);
    let w_file = dir.file("w.json", bytes(&w));
    let out = run(&["witness", &w_file, "--key", &oslo]).valid();
    assert_contains(out.stdout(), "verified");
    // `witness w.json --checkpoint CP --key OSLO`, then `rest`.
    let against = |cp: &str, rest: &[&str]| {
        run(&[
            &["witness", &w_file, "--checkpoint", cp, "--key", &oslo],
            rest,
        ]
        .concat())
    };
    let out = against(&cp_file, &["--key", &dublin, "--json"]).valid();
    let json = out.json();
    assert_eq!(
        text(&json, "checkpoint_receipt_hash"),
        Digest::of(&bytes(&cp)).to_string()
    );
    assert_eq!(text(&json, "verification_result"), "verified");
    run(&["record", &w_file, "--key", &oslo]).valid();
    run(&["witness", &w_file]).fails(1, "UNKNOWN_SIGNER");
    // The checkpoint's own key is needed too.
    against(&cp_file, &[]).fails(1, "UNKNOWN_SIGNER");
    // A checkpoint of another root or size.
    let other = checkpoint(DUBLIN, &DUBLIN_SECRET, 5, &Digest::of(b"other"));
    let other = dir.file("other.json", bytes(&other));
    against(&other, &["--key", &dublin]).fails(1, "CHECKPOINT_MISMATCH");
    let bigger = dir.file(
        "bigger.json",
        bytes(&checkpoint(DUBLIN, &DUBLIN_SECRET, 6, &root)),
    );
    let out = against(&bigger, &["--key", &dublin, "--json"]).fails(1, "CHECKPOINT_MISMATCH");
    assert_eq!(text(&out.json(), "field"), "tree_size");
    // Result and discrepancies disagree (signed that way).
    let inconsistent = dir.file(
        "wi.json",
        bytes(&witness("verified", "[\"root differs\"]", 5, &root)),
    );
    run(&["witness", &inconsistent, "--key", &oslo]).fails(1, "WITNESS_RESULT_INCONSISTENT");
    let discrepancy = dir.file(
        "wd.json",
        bytes(&witness("discrepancy", "[\"root differs\"]", 5, &root)),
    );
    assert!(run(&["witness", &discrepancy, "--key", &oslo])
        .valid()
        .stdout()
        .contains("discrepancy"));
    // Unusable checkpoint file.
    against(&dir.file("junk", "{"), &[]).fails(2, "JSON_SYNTAX");
}

#[test]
fn cross_anchor_command() {
    let dir = TempDir::new();
    let anchor = cross_anchor();
    let file = dir.file("anchor.json", bytes(&anchor));
    let dublin = key_arg(DUBLIN, &DUBLIN_SECRET);

    let out = run(&["cross-anchor", &file, "--key", &dublin, "--json"]).valid();
    assert_eq!(
        text(&out.json(), "combined_root"),
        text(&anchor, "combined_root")
    );
    assert_eq!(text(&out.json(), "signer_key_source"), "keyring");
    run(&["record", &file, "--key", &dublin]).valid();
    run(&["cross-anchor", &file]).fails(1, "UNKNOWN_SIGNER");

    // With an agreement at trust level 3, the anchoring mesh's key comes from the agreement.
    let attest = dir.file("a3.json", bytes(&agreement(3)));
    let out = run(&["cross-anchor", &file, "--agreement", &attest, "--json"]).valid();
    assert_eq!(text(&out.json(), "signer_key_source"), "agreement");
    assert_eq!(uint(&out.json(), "trust_level"), 3);
    let attested_with_key =
        |key: &str| run(&["cross-anchor", &file, "--agreement", &attest, "--key", key]);
    attested_with_key(&dublin).valid();
    let low = dir.file("a2.json", bytes(&agreement(2)));
    run(&["cross-anchor", &file, "--agreement", &low]).fails(1, "TRUST_LEVEL_TOO_LOW");
    // A known key that contradicts the agreement.
    attested_with_key(&key_arg(DUBLIN, &ALICE_SECRET)).fails(1, "KEY_MISMATCH");

    // The anchor with another `combined_root` (after signing), written to `name`.
    let with_root = |name: &str, root: &str| {
        let changed = dir.file(name, bytes(&set(&anchor, "combined_root", root)));
        run(&["cross-anchor", &changed, "--key", &dublin])
    };
    with_root("bad.json", &format!("\"{}\"", Digest::of(b"x"))).fails(1, "COMBINED_ROOT_MISMATCH");
    with_root("alg.json", "\"sha256:00\"").fails(1, "UNSUPPORTED_HASH_ALGORITHM");
}

// ---------------------------------------------------------------------------------------------
// Merkle.

/// `vm-verify merkle verify-inclusion --record RECORD --proof PROOF`, then `trust` (the root and
/// size, or a checkpoint, and any other options).
fn verify_inclusion(record: &str, proof: &str, trust: &[&str]) -> Run {
    run(&[
        &[
            "merkle",
            "verify-inclusion",
            "--record",
            record,
            "--proof",
            proof,
        ],
        trust,
    ]
    .concat())
}

/// `vm-verify merkle verify-consistency --proof PROOF`, then `trust` (the two roots, or two
/// checkpoints, and any other options).
fn verify_consistency(proof: &str, trust: &[&str]) -> Run {
    run(&[&["merkle", "verify-consistency", "--proof", proof], trust].concat())
}

#[test]
fn merkle_root_and_json_lines_rules() {
    let dir = TempDir::new();
    let (jsonl, leaves) = scroll(7);
    let file = dir.file("scroll.jsonl", &jsonl);
    let root = merkle::root(&leaves).to_string();

    let out = run(&["merkle", "root", &file, "--json"]).valid();
    assert_eq!(text(&out.json(), "root"), root);
    assert_eq!(uint(&out.json(), "tree_size"), 7);
    let out = run(&["merkle", "root", &file]).valid();
    assert_contains(out.stdout(), &format!("root: {root}\n"));
    assert!(out.stdout().contains("tree_size: 7\n"));
    // `merkle root FILE`, where FILE is `name` holding `contents`.
    let root_of = |name: &str, contents: &[u8]| run(&["merkle", "root", &dir.file(name, contents)]);
    // The root that `merkle root FILE --json` reports, for FILE as above.
    let json_root = |name: &str, contents: &[u8]| {
        let out = run(&["merkle", "root", &dir.file(name, contents), "--json"]).valid();
        text(&out.json(), "root").to_string()
    };
    // Optional final newline; CRLF; whitespace and member order do not matter.
    assert_eq!(json_root("nofinal.jsonl", &jsonl[..jsonl.len() - 1]), root);
    let crlf = String::from_utf8(jsonl.clone())
        .unwrap()
        .replace('\n', "\r\n");
    assert_eq!(json_root("crlf.jsonl", crlf.as_bytes()), root);
    let out = run_with(&["merkle", "root", "-", "--json"], Some(&jsonl)).valid();
    assert_eq!(text(&out.json(), "root"), root);
    // The empty file is the empty scroll.
    let out = run(&["merkle", "root", &dir.file("empty.jsonl", ""), "--json"]).valid();
    assert_eq!(text(&out.json(), "root"), merkle::EMPTY_ROOT.to_string());
    assert_eq!(uint(&out.json(), "tree_size"), 0);

    // A blank line anywhere, with its line number.
    let lines: Vec<&[u8]> = jsonl.split(|&b| b == b'\n').collect();
    let blank_middle = [lines[0], b"\n\n", lines[1], b"\n"].concat();
    let out = root_of("blank.jsonl", &blank_middle).fails(2, "BLANK_LINE");
    assert_contains(&out.stderr, "blank.jsonl:2");
    root_of("trail.jsonl", &[&jsonl[..], b"\n"].concat()).fails(2, "BLANK_LINE");
    root_of("nl.jsonl", b"\n").fails(2, "BLANK_LINE");
    root_of("sp.jsonl", &[&jsonl[..], b"  \n"].concat()).fails(2, "BLANK_LINE");
    // Bad records, by line.
    let bad = [lines[0], b"\n{\"a\":1,\"a\":2}\n"].concat();
    let out = root_of("dup.jsonl", &bad).fails(2, "DUPLICATE_KEY");
    assert_contains(&out.stderr, "dup.jsonl:2");
    root_of("arr.jsonl", b"[1]\n").fails(2, "NOT_AN_OBJECT");
    root_of("trunc.jsonl", b"{\"a\":\n").fails(2, "JSON_SYNTAX");
    // Size bounds.
    run(&["merkle", "root", &file, "--max-total", "100"]).fails(2, "INPUT_TOO_LARGE");
    let long_line = format!("{{\"a\":\"{}\"}}\n", "x".repeat(1 << 20));
    root_of("long.jsonl", long_line.as_bytes()).fails(2, "INPUT_TOO_LARGE");
    run(&["merkle", "root", &dir.path("missing.jsonl")]).fails(2, "cannot open");
}

#[test]
fn merkle_prove_and_verify_inclusion() {
    let dir = TempDir::new();
    let (jsonl, leaves) = scroll(11);
    let file = dir.file("scroll.jsonl", &jsonl);
    let root = merkle::root(&leaves);
    let root_text = root.to_string();

    for index in [0u64, 5, 10] {
        let out = run(&["merkle", "prove", &file, "--index", &index.to_string()]).valid();
        let proof_value = json::parse_record(&out.stdout, &Limits::default()).unwrap();
        let proof = InclusionProof::from_value(&proof_value).unwrap();
        assert_eq!(proof, merkle::prove_inclusion(&leaves, index).unwrap());
        merkle::verify_inclusion(&root, &leaves[index as usize], &proof).unwrap();

        let proof_file = dir.file(&format!("proof{index}.json"), &out.stdout);
        let record_file = dir.file(&format!("record{index}.json"), bytes(&vote(index)));
        let out = verify_inclusion(
            &record_file,
            &proof_file,
            &["--root", &root_text, "--tree-size", "11", "--json"],
        )
        .valid();
        assert_eq!(uint(&out.json(), "leaf_index"), index);
        assert_eq!(
            text(&out.json(), "leaf_hash"),
            leaves[index as usize].to_string()
        );
    }
    let out = run(&["merkle", "prove", &file, "--index", "3", "--json"]).valid();
    let json = out.json();
    assert_eq!(text(&json, "root"), root_text);
    assert_eq!(uint(&json, "tree_size"), 11);
    assert_eq!(
        InclusionProof::from_value(member(&json, "proof")).unwrap(),
        merkle::prove_inclusion(&leaves, 3).unwrap()
    );
    run(&["merkle", "prove", &file, "--index", "11"]).fails(2, "INDEX_OUT_OF_RANGE");
    run(&[
        "merkle",
        "prove",
        &dir.file("empty.jsonl", ""),
        "--index",
        "0",
    ])
    .fails(2, "INDEX_OUT_OF_RANGE");

    let proof = merkle::prove_inclusion(&leaves, 3).unwrap();
    let proof_file = dir.file("proof.json", proof.to_value().to_canonical());
    let record = dir.file("record.json", bytes(&vote(3)));
    let verify = |record: &str, proof: &str, root: &str, size: &str| {
        verify_inclusion(record, proof, &["--root", root, "--tree-size", size])
    };
    verify(&record, &proof_file, &root_text, "11").valid();
    // The proof is for another size than the trusted one.
    let out = verify(&record, &proof_file, &root_text, "12").fails(1, "CHECKPOINT_MISMATCH");
    assert_contains(&out.stderr, "tree size 11, not 12");
    // Another record, another root, a tampered path.
    verify(
        &dir.file("r4.json", bytes(&vote(4))),
        &proof_file,
        &root_text,
        "11",
    )
    .fails(1, "INCLUSION_PROOF_MISMATCH");
    verify(&record, &proof_file, &Digest::of(b"x").to_string(), "11")
        .fails(1, "INCLUSION_PROOF_MISMATCH");
    let mut tampered = proof.clone();
    tampered.path[0] = Digest::of(b"tampered");
    let tampered_file = dir.file("tampered.json", tampered.to_value().to_canonical());
    verify(&record, &tampered_file, &root_text, "11").fails(1, "INCLUSION_PROOF_MISMATCH");
    let mut short = proof.clone();
    short.path.pop();
    verify(
        &record,
        &dir.file("short.json", short.to_value().to_canonical()),
        &root_text,
        "11",
    )
    .fails(1, "INCLUSION_PROOF_MISMATCH");
    // Unusable proofs, roots and sizes.
    verify(&record, &dir.file("g.json", "garbage"), &root_text, "11").fails(2, "JSON_SYNTAX");
    let extra = r#"{"leaf_index":3,"tree_size":11,"path":[],"extra":1}"#;
    verify(&record, &dir.file("x.json", extra), &root_text, "11").fails(2, "MALFORMED_PROOF");
    let float = r#"{"leaf_index":3.0,"tree_size":11,"path":[]}"#;
    verify(&record, &dir.file("f.json", float), &root_text, "11").fails(2, "NOT_AN_INTEGER");
    verify(&record, &proof_file, "blake3:00", "11").fails(2, "MALFORMED_DIGEST");
    verify(&record, &proof_file, &root_text, "eleven").fails(2, "--tree-size");
    verify(
        &dir.file("bad-record.json", "{"),
        &proof_file,
        &root_text,
        "11",
    )
    .fails(2, "JSON_SYNTAX");
    verify(&record, &dir.path("nope.json"), &root_text, "11").fails(2, "cannot open");

    // Root and size from a signed checkpoint.
    let cp = dir.file(
        "cp.json",
        bytes(&checkpoint(DUBLIN, &DUBLIN_SECRET, 11, &root)),
    );
    let dublin = key_arg(DUBLIN, &DUBLIN_SECRET);
    let with_cp = |proof: &str, key: &str| {
        verify_inclusion(&record, proof, &["--checkpoint", &cp, "--key", key])
    };
    with_cp(&proof_file, &dublin).valid();
    with_cp(&tampered_file, &dublin).fails(1, "INCLUSION_PROOF_MISMATCH");
    with_cp(&proof_file, &key_arg(DUBLIN, &OSLO_SECRET)).fails(1, "SIGNATURE_MISMATCH");
    let small_cp = dir.file(
        "cp10.json",
        bytes(&checkpoint(
            DUBLIN,
            &DUBLIN_SECRET,
            10,
            &merkle::root(&leaves[..10]),
        )),
    );
    verify_inclusion(
        &record,
        &proof_file,
        &["--checkpoint", &small_cp, "--key", &dublin],
    )
    .fails(1, "CHECKPOINT_MISMATCH");
    verify_inclusion(
        &record,
        &proof_file,
        &["--checkpoint", &cp, "--root", &root_text],
    )
    .fails(2, "give either");
}

#[test]
fn merkle_consistency_and_verify() {
    let dir = TempDir::new();
    let (jsonl, leaves) = scroll(9);
    let file = dir.file("scroll.jsonl", &jsonl);
    let new_root = merkle::root(&leaves);

    for m in [1u64, 4, 6, 9] {
        let out = run(&["merkle", "consistency", &file, "--old-size", &m.to_string()]).valid();
        let value = json::parse_record(&out.stdout, &Limits::default()).unwrap();
        let proof = ConsistencyProof::from_value(&value).unwrap();
        assert_eq!(proof, merkle::prove_consistency(&leaves, m).unwrap());
        let old_root = merkle::root(&leaves[..m as usize]);
        let proof_file = dir.file(&format!("c{m}.json"), &out.stdout);
        let out = verify_consistency(
            &proof_file,
            &[
                "--old-root",
                &old_root.to_string(),
                "--new-root",
                &new_root.to_string(),
                "--json",
            ],
        )
        .valid();
        let json = out.json();
        assert_eq!(uint(&json, "old_size"), m);
        assert_eq!(uint(&json, "new_size"), 9);
        assert_eq!(text(&json, "sizes_from"), "proof");
    }
    let out = run(&["merkle", "consistency", &file, "--old-size", "4", "--json"]).valid();
    assert_eq!(
        text(&out.json(), "old_root"),
        merkle::root(&leaves[..4]).to_string()
    );
    assert_eq!(text(&out.json(), "new_root"), new_root.to_string());
    run(&["merkle", "consistency", &file, "--old-size", "0"]).fails(2, "INVALID_TREE_SIZE");
    run(&["merkle", "consistency", &file, "--old-size", "10"]).fails(2, "INVALID_TREE_SIZE");

    let old_root = merkle::root(&leaves[..6]);
    let proof = merkle::prove_consistency(&leaves, 6).unwrap();
    let proof_file = dir.file("proof.json", proof.to_value().to_canonical());
    let verify = |proof: &str, old: &Digest, new: &Digest| {
        verify_consistency(
            proof,
            &[
                "--old-root",
                &old.to_string(),
                "--new-root",
                &new.to_string(),
            ],
        )
    };
    verify(&proof_file, &old_root, &new_root).valid();
    verify(&proof_file, &new_root, &old_root).fails(1, "CONSISTENCY_PROOF_MISMATCH");
    verify(&proof_file, &merkle::root(&leaves[..5]), &new_root)
        .fails(1, "CONSISTENCY_PROOF_MISMATCH");
    let mut tampered = proof.clone();
    tampered.path[1] = Digest::of(b"tampered");
    verify(
        &dir.file("t.json", tampered.to_value().to_canonical()),
        &old_root,
        &new_root,
    )
    .fails(1, "CONSISTENCY_PROOF_MISMATCH");
    let zero = r#"{"old_size":0,"new_size":9,"path":[]}"#;
    verify(&dir.file("zero.json", zero), &old_root, &new_root).fails(1, "INVALID_TREE_SIZE");
    verify(&dir.file("junk.json", "[]"), &old_root, &new_root).fails(2, "NOT_AN_OBJECT");
    verify(
        &dir.file("bad.json", r#"{"old_size":6,"new_size":9}"#),
        &old_root,
        &new_root,
    )
    .fails(2, "MALFORMED_PROOF");
    verify_consistency(&proof_file, &["--old-root", "BLAKE3:00", "--new-root", "x"])
        .fails(2, "UNSUPPORTED_HASH_ALGORITHM");
    verify_consistency(&proof_file, &["--old-root", &old_root.to_string()]).fails(2, "give either");

    // Roots and sizes from two signed checkpoints.
    let dublin = key_arg(DUBLIN, &DUBLIN_SECRET);
    let old_cp = dir.file(
        "old.json",
        bytes(&checkpoint(DUBLIN, &DUBLIN_SECRET, 6, &old_root)),
    );
    let new_cp = dir.file(
        "new.json",
        bytes(&checkpoint(DUBLIN, &DUBLIN_SECRET, 9, &new_root)),
    );
    let with_cps = |old: &str, new: &str, keys: &[&str]| {
        verify_consistency(
            &proof_file,
            &[&["--old-checkpoint", old, "--new-checkpoint", new], keys].concat(),
        )
    };
    let out = with_cps(&old_cp, &new_cp, &["--key", &dublin, "--json"]).valid();
    assert_eq!(text(&out.json(), "sizes_from"), "checkpoints");
    with_cps(&new_cp, &old_cp, &["--key", &dublin, "--json"]).fails(1, "CHECKPOINT_MISMATCH");
    let oslo_cp = dir.file(
        "oslo.json",
        bytes(&checkpoint(OSLO, &OSLO_SECRET, 9, &new_root)),
    );
    let oslo = key_arg(OSLO, &OSLO_SECRET);
    with_cps(&old_cp, &oslo_cp, &["--key", &dublin, "--key", &oslo])
        .fails(1, "CHECKPOINT_MISMATCH");
}

#[test]
fn json_output_escapes_untrusted_text() {
    let dir = TempDir::new();
    // A file name with a quote, a newline and an escape sequence stays inside the JSON string
    // and on one stderr line.
    let name = "we\"ird\n\u{1b}[31m.json";
    let path = dir.file(name, "{");
    let out = run(&["hash", &path, "--json"]).fails(2, "JSON_SYNTAX");
    assert!(text(&out.json(), "message").contains("we\"ird"));
    assert!(!out.stderr.contains('\u{1b}'));
    // A record whose `type` carries control characters.
    let file = dir.file("t.json", "{\"type\":\"x\\n\\u001b[2J\"}");
    let out = run(&["record", &file, "--json"]).fails(2, "UNKNOWN_KIND");
    assert!(text(&out.json(), "message").contains("unknown record type"));
    assert!(!out.stderr.contains('\u{1b}'));
}
