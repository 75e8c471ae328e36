//! Typed records (`record::typed`): every kind round-trips the vectors byte for byte, unknown
//! members are kept, typed signing is exactly what the verifier checks, a record never reads as
//! another kind, and each struct's fields are its kind's table in `KINDS`.
#![cfg(feature = "serde")]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value as J};
use vaultmesh_core::encoding::{Digest, PublicKey};
use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::field::FieldType;
use vaultmesh_core::record::typed::{self, *};
use vaultmesh_core::record::{self, check_shape, Failure, Keyring, Kind, Signer, KINDS};
use vaultmesh_core::Error;

/// Runs `$body` with `$t` naming the struct of `$kind`.
macro_rules! with_type {
    ($kind:expr, $t:ident => $body:expr) => {
        match $kind {
            Kind::Discovery => {
                type $t = Discovery;
                $body
            }
            Kind::TrustProposal => {
                type $t = TrustProposal;
                $body
            }
            Kind::ProposalResponse => {
                type $t = ProposalResponse;
                $body
            }
            Kind::Agreement => {
                type $t = Agreement;
                $body
            }
            Kind::ScrollCheckpoint => {
                type $t = ScrollCheckpoint;
                $body
            }
            Kind::WitnessReceipt => {
                type $t = WitnessReceipt;
                $body
            }
            Kind::CrossAnchor => {
                type $t = CrossAnchor;
                $body
            }
            Kind::GovProposal => {
                type $t = GovProposal;
                $body
            }
            Kind::GovVote => {
                type $t = GovVote;
                $body
            }
            Kind::GovRatification => {
                type $t = GovRatification;
                $body
            }
            Kind::GovAmendment => {
                type $t = GovAmendment;
                $body
            }
            Kind::GovExecutiveOrder => {
                type $t = GovExecutiveOrder;
                $body
            }
            Kind::GovViolation => {
                type $t = GovViolation;
                $body
            }
            Kind::GovEnforcement => {
                type $t = GovEnforcement;
                $body
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

fn load(name: &str) -> J {
    let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

const RECORD_FILES: [&str; 4] = [
    "signatures.json",
    "agreements.json",
    "checkpoints-witnesses.json",
    "cross-anchors.json",
];

fn parse(text: &str) -> Value<'_> {
    json::parse_record(text.as_bytes(), &Limits::default()).unwrap()
}

fn keyring() -> Keyring {
    Keyring::from_json(load("signatures.json")["keyring"].to_string().as_bytes()).unwrap()
}

/// The test keys: secret = blake3("vaultmesh-test-key:" ‖ actor) (core/tests/vectors/generate.rs).
fn secret(actor: &str) -> [u8; 32] {
    *blake3::hash(format!("vaultmesh-test-key:{actor}").as_bytes()).as_bytes()
}

fn key_text(actor: &str) -> String {
    keyring().get(actor).unwrap().to_string()
}

fn text_of<'v>(record: &'v Value<'_>, field: &str) -> &'v str {
    record
        .as_object()
        .unwrap()
        .get(field)
        .unwrap()
        .as_str()
        .unwrap()
}

/// Who signs a single-signed record: the mesh of a self-signed discovery record, else the actor
/// in the kind's signer field.
fn signer_of(record: &Value<'_>, kind: Kind) -> String {
    match kind.spec().signer {
        Signer::OwnKeyField(_) => text_of(record, "mesh_id").to_string(),
        Signer::ActorField(field) => text_of(record, field).to_string(),
        Signer::Parties => unreachable!("agreements are signed by every party"),
    }
}

/// The kind of a vector case: named by `kind`, else the record's `type`.
fn kind_of(case: &J, record: &Value<'_>) -> Option<Kind> {
    match case["kind"].as_str() {
        Some(name) => Kind::from_name(name),
        None if case["op"] == json!("verify_agreement") => Some(Kind::Agreement),
        None => {
            let t = record.as_object()?.get("type")?.as_str()?;
            Kind::from_domain(t)
        }
    }
}

/// Every record case of the record vector files: (file, case name, kind, input, case).
fn record_cases() -> Vec<(&'static str, String, Kind, String, J)> {
    let mut out = Vec::new();
    for file in RECORD_FILES {
        let vectors = load(file);
        for case in vectors["cases"].as_array().unwrap() {
            let Some(input) = case["input"].as_str() else {
                continue;
            };
            let Ok(record) = json::parse_record(input.as_bytes(), &Limits::default()) else {
                continue;
            };
            let name = case["name"].as_str().unwrap().to_string();
            if let Some(kind) = kind_of(case, &record) {
                out.push((file, name, kind, input.to_string(), case.clone()));
            }
        }
    }
    out
}

/// Reads `record` as `T`, writes it back, and checks that nothing changed: the same canonical
/// bytes and `receipt_hash`, and the same typed value when read again.
fn round_trip<T: TypedRecord + std::fmt::Debug + PartialEq>(record: &Value<'_>) -> T {
    let typed: T = typed::from_value(record).unwrap_or_else(|e| {
        panic!(
            "{:?}: {e}: {}",
            T::KIND,
            String::from_utf8(record.to_canonical()).unwrap()
        )
    });
    let canonical = record.to_canonical();
    assert_eq!(
        String::from_utf8(typed::to_canonical(&typed).unwrap()).unwrap(),
        String::from_utf8(canonical.clone()).unwrap(),
        "{:?}: canonical bytes changed",
        T::KIND
    );
    assert_eq!(
        typed::receipt_hash(&typed).unwrap(),
        record::receipt_hash(record)
    );
    let value = typed::to_value(&typed).unwrap();
    assert_eq!(value.to_canonical(), canonical);
    assert_eq!(typed::from_value::<T>(&value).unwrap(), typed);
    typed
}

// ---------------------------------------------------------------------------------------------
// Round trips.

#[test]
fn every_vector_record_round_trips_byte_for_byte() {
    let keys = keyring();
    let mut valid_kinds = BTreeSet::new();
    let mut round_tripped = 0;
    for (file, name, kind, input, case) in record_cases() {
        let record = parse(&input);
        let object = record.as_object().unwrap();
        // Every record the verifier accepts reads, and every record that reads (invalid ones
        // included: bad signatures, unknown signers, …) round-trips exactly.
        let read = with_type!(kind, T => typed::from_value::<T>(&record).map(drop));
        if let Err(failure) = read {
            let verdict = match kind {
                Kind::Agreement => federation::verify_agreement(&record, &keys).map(drop),
                _ => record::verify_value(&record, Some(kind), &keys).map(drop),
            };
            assert!(
                verdict.is_err(),
                "{file}: {name}: the verifier accepts what reading refuses ({failure})"
            );
            if check_shape(object, Some(kind)).is_err() {
                assert_eq!(Err(failure), check_shape(object, Some(kind)).map(drop));
            }
            continue;
        }
        with_type!(kind, T => {
            round_trip::<T>(&record);
        });
        round_tripped += 1;

        if case["expect"]["valid"] != json!(true) {
            continue;
        }
        valid_kinds.insert(kind);
        if let Some(hash) = case["expect"]["receipt_hash"].as_str() {
            assert_eq!(record::receipt_hash(&record).to_string(), hash, "{name}");
        }
        // The written record verifies as the original does.
        let written = with_type!(kind, T => {
            let t: T = typed::from_value(&record).unwrap();
            typed::to_canonical(&t).unwrap()
        });
        let written = parse(std::str::from_utf8(&written).unwrap());
        if kind == Kind::Agreement {
            let a = federation::verify_agreement(&written, &Keyring::new()).unwrap();
            assert_eq!(
                a.agreement_hash.to_string(),
                case["expect"]["agreement_hash"].as_str().unwrap()
            );
        } else {
            let v = record::verify_value(&written, Some(kind), &keys).unwrap();
            assert_eq!(v.receipt_hash, record::receipt_hash(&record));
        }
    }
    assert_eq!(
        valid_kinds,
        Kind::ALL.into_iter().collect::<BTreeSet<_>>(),
        "every kind has a valid vector"
    );
    assert!(round_tripped > 40, "only {round_tripped} records");
}

#[test]
fn every_governance_chain_receipt_round_trips() {
    let limits = Limits {
        max_bytes: 64 << 20,
        max_depth: 64,
    };
    let mut kinds = BTreeSet::new();
    let mut count = 0;
    for entry in std::fs::read_dir(vectors_dir().join("governance")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let file = json::parse_record(&bytes, &limits).unwrap();
        let Some(receipts) = file.as_object().unwrap().get("receipts") else {
            continue;
        };
        for receipt in receipts.as_array().unwrap() {
            let Some(kind) = receipt
                .as_object()
                .and_then(|o| o.get("type"))
                .and_then(Value::as_str)
                .and_then(Kind::from_domain)
            else {
                continue;
            };
            if check_shape(receipt.as_object().unwrap(), Some(kind)).is_err() {
                continue;
            }
            with_type!(kind, T => {
                round_trip::<T>(receipt);
            });
            kinds.insert(kind);
            count += 1;
        }
    }
    assert_eq!(kinds.len(), 7, "all seven governance kinds: {kinds:?}");
    assert!(count > 100, "only {count} receipts");
}

#[test]
fn typed_fields_read_as_expected() {
    let vote_text = record_cases()
        .into_iter()
        .find(|c| c.1 == "gov_vote: valid")
        .unwrap()
        .3;
    let vote: GovVote = typed::from_slice(vote_text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(vote.vote, Vote::For);
    assert_eq!(vote.weight, 3);
    assert_eq!(vote.voter, "did:vm:human:alice");
    assert_eq!(vote.record_type.as_str(), "gov_vote");
    assert!(vote.signature.is_some());
    assert_eq!(vote.extra["context"]["ballot"], json!(17));

    let order_text = record_cases()
        .into_iter()
        .find(|c| c.1 == "gov_executive_order: valid")
        .unwrap()
        .3;
    let order: GovExecutiveOrder =
        typed::from_slice(order_text.as_bytes(), &Limits::default()).unwrap();
    assert!(order.is_emergency() && !order.is_renewal() && !order.is_revocation());
    assert_eq!(order.powers, Some(vec![json!("suspend_federation")]));

    let agreement_text = record_cases()
        .into_iter()
        .find(|c| c.0 == "agreements.json" && c.4["expect"]["valid"] == json!(true))
        .unwrap()
        .3;
    let agreement: Agreement =
        typed::from_slice(agreement_text.as_bytes(), &Limits::default()).unwrap();
    let signatures = agreement.signatures.as_ref().unwrap();
    assert_eq!(
        signatures.keys().collect::<Vec<_>>(),
        agreement.parties.iter().collect::<Vec<_>>()
    );
    assert!(signatures
        .values()
        .all(|s| s.signed_at == "2025-12-01T09:30:00Z" && s.signature.starts_with('z')));
}

// ---------------------------------------------------------------------------------------------
// Unknown members.

#[test]
fn unknown_members_are_kept_and_hashed() {
    let keys = keyring();
    let case = record_cases()
        .into_iter()
        .find(|c| c.1 == "gov_vote: unknown member is signed and kept")
        .unwrap();
    let record = parse(&case.3);
    let vote: GovVote = round_trip(&record);
    let known: BTreeSet<&str> = GovVote::FIELDS.iter().map(|(n, _)| *n).collect();
    assert!(!vote.extra().is_empty());
    for name in vote.extra.keys() {
        assert!(!known.contains(name.as_str()) && name != "type" && name != "signature");
        assert!(record.as_object().unwrap().get(name).is_some());
    }
    // Written back, it still verifies: nothing the signature covers was dropped.
    let written = typed::to_canonical(&vote).unwrap();
    record::verify_record(&written, None, &keys, &Limits::default()).unwrap();

    // Dropping the unknown members would verify a different record: the signature fails.
    let mut dropped = vote.clone();
    dropped.extra.clear();
    let bytes = typed::to_canonical(&dropped).unwrap();
    let err = record::verify_record(&bytes, None, &keys, &Limits::default()).unwrap_err();
    assert_eq!(err.error, Error::SignatureMismatch);
}

#[test]
fn unknown_members_added_in_code_are_signed_and_read_back() {
    let keys = keyring();
    let mut vote = new_vote();
    vote.extra.insert(
        "context".into(),
        json!({"ballot": 17, "ratio": 0.1, "tiny": 5e-324, "list": [null, true, -1, "é\u{1F600}\n"]}),
    );
    vote.extra.insert("zz_null".into(), J::Null);
    let key = secret(&vote.voter);
    typed::sign_typed(&mut vote, &key).unwrap();
    let bytes = typed::to_canonical(&vote).unwrap();
    let verified = record::verify_record(&bytes, None, &keys, &Limits::default()).unwrap();
    assert_eq!(verified.receipt_hash, typed::receipt_hash(&vote).unwrap());
    let back: GovVote = typed::from_slice(&bytes, &Limits::default()).unwrap();
    assert_eq!(back, vote);
    assert_eq!(back.extra["context"]["tiny"], json!(5e-324));
    assert_eq!(back.extra["zz_null"], J::Null);
}

#[test]
fn numbers_in_unknown_members_round_trip_exactly() {
    // Every finite double within ±2^53 that the strict parser accepts, written in its shortest
    // form, must come back as the same canonical text (serde_json's `float_roundtrip`).
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut numbers: Vec<f64> = vec![
        0.1,
        1.0 / 3.0,
        -0.0,
        5e-324,
        2.2250738585072014e-308,
        1e-7,
        1e15,
        9007199254740991.0,
        -9007199254740991.0,
        4503599627370495.5,
        123456.789,
    ];
    while numbers.len() < 3000 {
        let x = f64::from_bits(next());
        if x.is_finite() && x.abs() <= 9007199254740991.0 {
            numbers.push(x);
        }
        // Also values with few digits, where a one-ulp error in parsing would show.
        numbers.push((next() % 10_000_000) as f64 / 1000.0);
    }
    let items: Vec<String> = numbers.iter().map(|x| format!("{x:e}")).collect();
    let text = format!(
        r#"{{"type":"gov_vote","proposal_id":"P","voter":"did:vm:human:alice","vote":"for","weight":1,"cast_at":"2025-12-01T09:30:00Z","numbers":[{}]}}"#,
        items.join(",")
    );
    let record = parse(&text);
    let vote: GovVote = round_trip(&record);
    assert_eq!(
        vote.extra["numbers"].as_array().unwrap().len(),
        numbers.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Signing.

fn new_vote() -> GovVote {
    GovVote {
        record_type: TypeTag::new(),
        signature: None,
        proposal_id: "PROP-2025-12-001".into(),
        voter: "did:vm:human:alice".into(),
        vote: Vote::Against,
        weight: 3,
        cast_at: "2025-12-09T14:05:00Z".into(),
        rationale: Some("Too broad.".into()),
        extra: Extra::new(),
    }
}

#[test]
fn records_built_in_code_sign_and_verify() {
    let keys = keyring();
    let limits = Limits::default();
    let dublin = "did:vm:mesh:dublin";
    let root = Digest::of(b"compliance scroll root").to_string();

    let mut vote = new_vote();
    typed::sign_typed(&mut vote, &secret("did:vm:human:alice")).unwrap();
    let v =
        record::verify_record(&typed::to_canonical(&vote).unwrap(), None, &keys, &limits).unwrap();
    assert_eq!(v.kind, Kind::GovVote);
    assert_eq!(v.receipt_hash, typed::receipt_hash(&vote).unwrap());

    // Re-signing replaces the signature; a changed field needs a new one.
    let first = vote.signature.clone();
    vote.vote = Vote::Abstain;
    let stale = typed::to_canonical(&vote).unwrap();
    assert_eq!(
        record::verify_record(&stale, None, &keys, &limits)
            .unwrap_err()
            .error,
        Error::SignatureMismatch
    );
    typed::sign_typed(&mut vote, &secret("did:vm:human:alice")).unwrap();
    assert_ne!(vote.signature, first);
    record::verify_record(&typed::to_canonical(&vote).unwrap(), None, &keys, &limits).unwrap();

    let mut emergency = GovExecutiveOrder {
        record_type: TypeTag::new(),
        signature: None,
        order_id: "EO-2026-001".into(),
        issued_by: "did:vm:human:sovereign".into(),
        order_type: GovExecutiveOrder::EMERGENCY.into(),
        authority: "ARTICLE-VI.1".into(),
        issued_at: "2026-01-05T08:00:00Z".into(),
        expires_at: Some("2026-01-06T08:00:00Z".into()),
        powers: Some(vec![json!("suspend_federation")]),
        renews: None,
        revokes: None,
        extra: Extra::new(),
    };
    typed::sign_typed(&mut emergency, &secret("did:vm:human:sovereign")).unwrap();
    record::verify_record(
        &typed::to_canonical(&emergency).unwrap(),
        Some(Kind::GovExecutiveOrder),
        &keys,
        &limits,
    )
    .unwrap();

    let mut witness = WitnessReceipt {
        record_type: TypeTag::new(),
        witness_signature: None,
        witnessing_mesh: "did:vm:mesh:oslo".into(),
        witnessed_mesh: dublin.into(),
        scroll: "compliance".into(),
        root: root.clone(),
        tree_size: 7,
        verification_result: VerificationResult::Discrepancy,
        discrepancies: vec![json!({"tree_size": 8})],
        timestamp: "2025-12-01T09:31:00Z".into(),
        extra: Extra::new(),
    };
    typed::sign_typed(&mut witness, &secret("did:vm:mesh:oslo")).unwrap();
    assert!(witness.witness_signature.is_some());
    let bytes = typed::to_canonical(&witness).unwrap();
    federation::verify_witness(&parse(std::str::from_utf8(&bytes).unwrap()), &keys, None).unwrap();

    let mut discovery = Discovery {
        signature: None,
        mesh_id: dublin.into(),
        public_key: key_text(dublin),
        name: Some("Dublin Mesh".into()),
        endpoint: None,
        scrolls: Some(vec![json!("compliance")]),
        published_at: Some("2025-12-01T09:30:00Z".into()),
        extra: Extra::new(),
    };
    typed::sign_typed(&mut discovery, &secret(dublin)).unwrap();
    let bytes = typed::to_canonical(&discovery).unwrap();
    record::verify_record(&bytes, Some(Kind::Discovery), &Keyring::new(), &limits).unwrap();
    assert!(!std::str::from_utf8(&bytes).unwrap().contains("\"type\""));

    let parties = ["did:vm:mesh:dublin", "did:vm:mesh:lisbon"];
    let mut agreement = Agreement {
        signatures: None,
        agreement_id: "AGR-typed".into(),
        parties: parties.iter().map(|p| p.to_string()).collect(),
        trust_level: 3,
        key_exchange: parties
            .iter()
            .map(|p| (p.to_string(), key_text(p)))
            .collect(),
        effective_at: "2026-01-01T00:00:00Z".into(),
        agreement_hash: String::new(),
        terms: Some(
            json!({"scrolls": ["compliance"]})
                .as_object()
                .unwrap()
                .clone(),
        ),
        expires_at: None,
        extra: Extra::new(),
    };
    for party in parties {
        typed::sign_typed_agreement(
            &mut agreement,
            party,
            "2026-01-01T00:00:00Z",
            &secret(party),
        )
        .unwrap();
    }
    let bytes = typed::to_canonical(&agreement).unwrap();
    let verified =
        federation::verify_agreement(&parse(std::str::from_utf8(&bytes).unwrap()), &keys).unwrap();
    assert_eq!(
        verified.agreement_hash.to_string(),
        agreement.agreement_hash
    );
    assert_eq!(verified.trust_level, 3);
}

#[test]
fn typed_signing_reproduces_every_vector_signature() {
    // Ed25519 is deterministic: clearing the signature of a valid vector and signing the typed
    // record again must give the vector's bytes exactly.
    let mut kinds = BTreeSet::new();
    for (_, name, kind, input, case) in record_cases() {
        if case["expect"]["valid"] != json!(true) {
            continue;
        }
        let record = parse(&input);
        let expected = record.to_canonical();
        let again = if kind == Kind::Agreement {
            let original: Agreement = typed::from_value(&record).unwrap();
            let mut a = original.clone();
            a.signatures = None;
            a.agreement_hash = String::new();
            for (party, entry) in original.signatures.as_ref().unwrap() {
                typed::sign_typed_agreement(&mut a, party, &entry.signed_at, &secret(party))
                    .unwrap();
            }
            typed::to_canonical(&a).unwrap()
        } else {
            resign_as(kind, &record, &signer_of(&record, kind))
        };
        assert_eq!(again, expected, "{name}");
        kinds.insert(kind);
    }
    assert_eq!(kinds.len(), 14);
}

/// Reads `record` as `T`, clears its signature member, signs it as `signer`, and writes it.
fn resign<T: SingleSigned>(record: &Value<'_>, signer: &str) -> Vec<u8> {
    let mut value = record.clone();
    let Value::Object(object) = &mut value else {
        unreachable!()
    };
    object.remove(T::KIND.spec().signature_field).unwrap();
    let mut unsigned: T = typed::from_value(&value).unwrap();
    typed::sign_typed(&mut unsigned, &secret(signer)).unwrap();
    typed::to_canonical(&unsigned).unwrap()
}

/// [`resign`] as the struct of `kind` (every kind but the agreement).
fn resign_as(kind: Kind, record: &Value<'_>, signer: &str) -> Vec<u8> {
    macro_rules! single {
        ($($t:ident),*) => {
            match kind {
                $(Kind::$t => resign::<$t>(record, signer),)*
                Kind::Agreement => unreachable!("agreements are signed by every party"),
            }
        };
    }
    single!(
        Discovery,
        TrustProposal,
        ProposalResponse,
        ScrollCheckpoint,
        WitnessReceipt,
        CrossAnchor,
        GovProposal,
        GovVote,
        GovRatification,
        GovAmendment,
        GovExecutiveOrder,
        GovViolation,
        GovEnforcement
    )
}

#[test]
fn signing_a_malformed_record_fails_and_changes_nothing() {
    let mut vote = new_vote();
    vote.cast_at = "yesterday".into();
    let before = vote.clone();
    let err = typed::sign_typed(&mut vote, &secret("did:vm:human:alice")).unwrap_err();
    assert_eq!(err, Failure::at(Error::MalformedTimestamp, "cast_at"));
    assert_eq!(vote, before);

    let mut agreement: Agreement = typed::from_value(&parse(
        &record_cases()
            .into_iter()
            .find(|c| c.0 == "agreements.json" && c.4["expect"]["valid"] == json!(true))
            .unwrap()
            .3,
    ))
    .unwrap();
    let before = agreement.clone();
    let party = agreement.parties[0].clone();
    let err =
        typed::sign_typed_agreement(&mut agreement, &party, "now", &secret(&party)).unwrap_err();
    assert_eq!(err, Failure::at(Error::MalformedTimestamp, "signed_at"));
    agreement.trust_level = 9;
    let err = typed::sign_typed_agreement(
        &mut agreement,
        &party,
        "2026-01-01T00:00:00Z",
        &secret(&party),
    )
    .unwrap_err();
    assert_eq!(err.error, Error::InvalidTrustLevel);
    agreement.trust_level = before.trust_level;
    assert_eq!(agreement, before);
}

// ---------------------------------------------------------------------------------------------
// Kinds.

#[test]
fn a_record_never_reads_as_another_kind() {
    for (_, name, kind, input, case) in record_cases() {
        if case["expect"]["valid"] != json!(true) {
            continue;
        }
        let record = parse(&input);
        for other in Kind::ALL {
            if other == kind {
                continue;
            }
            let err =
                with_type!(other, T => typed::from_value::<T>(&record).map(drop)).unwrap_err();
            match (kind.spec().typed, other.spec().typed) {
                // A typed record carries its `type`, which names another kind.
                (true, _) => assert_eq!(err, Failure::at(Error::KindMismatch, "type"), "{name}"),
                // An untyped record has no `type`.
                (false, true) => assert_eq!(err, Failure::at(Error::MissingField, "type")),
                // Untyped as untyped: the other kind's required fields are missing.
                (false, false) => assert_eq!(err.error, Error::MissingField, "{name}"),
            }
        }
    }

    // Without the shape check too (plain serde_json): the `type` tag decides.
    let vote = serde_json::to_vec(&new_vote()).unwrap();
    assert!(serde_json::from_slice::<GovVote>(&vote).is_ok());
    assert!(serde_json::from_slice::<GovProposal>(&vote).is_err());
    let mut retyped: J = serde_json::from_slice(&vote).unwrap();
    retyped["type"] = json!("gov_proposal");
    assert!(serde_json::from_slice::<GovVote>(&serde_json::to_vec(&retyped).unwrap()).is_err());
    retyped.as_object_mut().unwrap().remove("type");
    assert!(serde_json::from_slice::<GovVote>(&serde_json::to_vec(&retyped).unwrap()).is_err());
}

#[test]
fn writing_always_gives_the_right_type() {
    let value = typed::to_value(&new_vote()).unwrap();
    assert_eq!(text_of(&value, "type"), "gov_vote");
    for kind in Kind::ALL {
        assert_eq!(kind.spec().typed, kind.domain() == type_written(kind));
    }

    // `type` (or any defined member) in `extra` would be a second member of the same name.
    let mut vote = new_vote();
    vote.extra.insert("type".into(), json!("gov_proposal"));
    assert_eq!(
        typed::to_value(&vote).unwrap_err(),
        Failure::from(Error::DuplicateKey)
    );
    let mut vote = new_vote();
    vote.extra.insert("vote".into(), json!("for"));
    assert_eq!(
        typed::to_canonical(&vote).unwrap_err().error,
        Error::DuplicateKey
    );
}

/// The `type` a kind's struct writes, or "" when it writes none (built from its full record).
fn type_written(kind: Kind) -> String {
    let record = full_record(kind);
    let text = record.to_string();
    with_type!(kind, T => {
        let t: T = typed::from_slice(text.as_bytes(), &Limits::default()).unwrap();
        let value = typed::to_value(&t).unwrap();
        value
            .as_object()
            .unwrap()
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    })
}

#[test]
fn writing_obeys_i_json() {
    let mut vote = new_vote();
    vote.weight = 1 << 53;
    assert_eq!(
        typed::to_value(&vote).unwrap_err().error,
        Error::NumberOutOfRange
    );
    let mut vote = new_vote();
    let mut deep = json!(1);
    for _ in 0..70 {
        deep = json!([deep]);
    }
    vote.extra.insert("deep".into(), deep);
    assert_eq!(
        typed::to_canonical(&vote).unwrap_err().error,
        Error::DepthExceeded
    );
}

#[test]
fn reading_reports_the_verifiers_errors() {
    let vote = typed::to_value(&new_vote()).unwrap();
    let edit = |f: &dyn Fn(&mut json::Object<'static>)| {
        let mut v = vote.clone();
        let Value::Object(o) = &mut v else {
            unreachable!()
        };
        f(o);
        typed::from_value::<GovVote>(&v).unwrap_err()
    };
    assert_eq!(
        edit(&|o| {
            o.remove("voter");
        }),
        Failure::at(Error::MissingField, "voter")
    );
    assert_eq!(
        edit(&|o| o.insert("cast_at", Value::String("soon".into()))),
        Failure::at(Error::MalformedTimestamp, "cast_at")
    );
    assert_eq!(
        edit(&|o| o.insert("vote", Value::String("maybe".into()))),
        Failure::at(Error::InvalidField, "vote")
    );
    assert_eq!(
        edit(&|o| o.insert("rationale", Value::Null)),
        Failure::at(Error::InvalidField, "rationale")
    );
    assert_eq!(
        typed::from_value::<GovVote>(&Value::Null).unwrap_err(),
        Failure::from(Error::NotAnObject)
    );

    // What the table does not check but the agreement's struct types: serde's errors.
    let agreement = full_record(Kind::Agreement);
    let mut bad = agreement.clone();
    bad["key_exchange"] = json!({"did:vm:mesh:dublin": 1});
    let err =
        typed::from_slice::<Agreement>(bad.to_string().as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(err.error, Error::InvalidField);
    let mut bad = agreement.clone();
    bad["signatures"]["did:vm:mesh:dublin"]
        .as_object_mut()
        .unwrap()
        .remove("signed_at");
    let err =
        typed::from_slice::<Agreement>(bad.to_string().as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(err.error, Error::MissingField);
}

// ---------------------------------------------------------------------------------------------
// The structs against the tables.

#[test]
fn struct_fields_are_the_kind_tables() {
    for spec in &KINDS {
        let fields = with_type!(spec.kind, T => {
            assert_eq!(T::KIND, spec.kind);
            T::FIELDS
        });
        let ours: BTreeSet<(&str, bool)> = fields.iter().copied().collect();
        let table: BTreeSet<(&str, bool)> =
            spec.fields.iter().map(|f| (f.name, f.required)).collect();
        assert_eq!(ours.len(), fields.len(), "{:?}: duplicate field", spec.kind);
        assert_eq!(ours, table, "{:?}: struct and table differ", spec.kind);
    }
}

/// A record of `kind` with every field of its table set to a valid value of the field's type,
/// its `type` when typed, and a signature member.
fn full_record(kind: Kind) -> J {
    let spec = kind.spec();
    let digest = Digest::of(b"x").to_string();
    let mut record = serde_json::Map::new();
    for field in spec.fields {
        let value = match field.ty {
            FieldType::String => json!("x"),
            FieldType::Name => json!("compliance"),
            FieldType::Digest => json!(digest),
            FieldType::Timestamp => json!("2025-12-01T09:30:00Z"),
            FieldType::MeshId => json!("did:vm:mesh:dublin"),
            FieldType::ActorId => json!("did:vm:human:alice"),
            FieldType::ActorOrEngine => json!("engine:guardian"),
            FieldType::PublicKey => json!(key_text("did:vm:mesh:dublin")),
            FieldType::UInt => json!(7),
            FieldType::TrustLevel => json!(3),
            FieldType::Bool => json!(true),
            FieldType::Object => json!({"k": "v"}),
            FieldType::Array => json!(["did:vm:mesh:dublin", "did:vm:mesh:lisbon"]),
            FieldType::Enum(values) => json!(values[0]),
            FieldType::RootMap => json!({"compliance": digest}),
        };
        record.insert(field.name.into(), value);
    }
    if spec.typed {
        record.insert("type".into(), json!(spec.domain));
    }
    let signature = "z".to_string() + &"1".repeat(64);
    let signature = match spec.signer {
        Signer::Parties => json!({
            "did:vm:mesh:dublin": {"signed_at": "2025-12-01T09:30:00Z", "signature": signature}
        }),
        _ => json!(signature),
    };
    record.insert(spec.signature_field.into(), signature);
    J::Object(record)
}

#[test]
fn every_table_field_is_a_struct_member() {
    // With every field of its table present, a struct reads them all as its own members
    // (nothing left in `extra`) and writes them all back under the same names.
    for kind in Kind::ALL {
        let record = full_record(kind);
        let text = record.to_string();
        let value = parse(&text);
        check_shape(value.as_object().unwrap(), Some(kind)).unwrap();
        with_type!(kind, T => {
            let t: T = round_trip(&value);
            assert!(t.extra().is_empty(), "{kind:?}: {:?}", t.extra());
            assert_eq!(serde_json::to_value(&t).unwrap(), record, "{kind:?}");
        });
    }
}

#[test]
fn optional_fields_are_left_out_when_none() {
    for kind in Kind::ALL {
        let mut record = full_record(kind);
        let object = record.as_object_mut().unwrap();
        for field in kind.spec().fields.iter().filter(|f| !f.required) {
            object.remove(field.name);
        }
        object.remove(kind.spec().signature_field);
        let text = record.to_string();
        let value = parse(&text);
        with_type!(kind, T => {
            let t: T = round_trip(&value);
            assert_eq!(serde_json::to_value(&t).unwrap(), record, "{kind:?}");
        });
    }
}

fn strings<E: serde::Serialize + Copy>(all: &[E], as_str: fn(E) -> &'static str) -> Vec<String> {
    all.iter()
        .map(|e| {
            let written = serde_json::to_value(e).unwrap();
            assert_eq!(written, json!(as_str(*e)));
            written.as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn enums_are_the_tables_enumerations() {
    let ours: Vec<(Kind, &str, Vec<String>)> = vec![
        (
            Kind::ProposalResponse,
            "decision",
            strings(ResponseDecision::ALL, ResponseDecision::as_str),
        ),
        (
            Kind::WitnessReceipt,
            "verification_result",
            strings(VerificationResult::ALL, VerificationResult::as_str),
        ),
        (
            Kind::GovProposal,
            "proposal_type",
            strings(ProposalType::ALL, ProposalType::as_str),
        ),
        (Kind::GovVote, "vote", strings(Vote::ALL, Vote::as_str)),
        (
            Kind::GovRatification,
            "decision",
            strings(RatificationDecision::ALL, RatificationDecision::as_str),
        ),
        (
            Kind::GovViolation,
            "severity",
            strings(Severity::ALL, Severity::as_str),
        ),
    ];
    let mut table = Vec::new();
    for spec in &KINDS {
        for field in spec.fields {
            if let FieldType::Enum(values) = field.ty {
                let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                table.push((spec.kind, field.name, values));
            }
        }
    }
    assert_eq!(ours, table);
    assert_eq!(Vote::For.to_string(), "for");
    assert_eq!(
        serde_json::from_str::<ProposalType>("\"retire_engine\"").unwrap(),
        ProposalType::RetireEngine
    );
}

#[test]
fn test_keys_are_the_vector_keyring() {
    // The secrets the tests sign with belong to the keys of the vectors' keyring.
    for actor in [
        "did:vm:mesh:dublin",
        "did:vm:human:alice",
        "engine:guardian",
    ] {
        let key = PublicKey::parse(&key_text(actor)).unwrap();
        assert_eq!(keyring().get(actor), Some(&key));
        let signature = vaultmesh_core::crypto::sign(&secret(actor), b"m");
        vaultmesh_core::crypto::verify_strict(&key, b"m", &signature).unwrap();
    }
}
