//! Typed records (`record::typed`): every kind round-trips byte for byte (the vectors, the
//! governance chains and records built here from the kind tables), unknown members are kept at
//! every depth, typed signing is exactly what the verifier checks, a record never reads as
//! another kind, weights are exact, and each struct's members are its kind's table in `KINDS`.
#![cfg(feature = "serde")]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value as J};
use vaultmesh_core::crypto;
use vaultmesh_core::encoding::{Digest, PublicKey, Weight};
use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::field::{Field, FieldType};
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
// Keys and records built here.

/// The test keys: secret = blake3("vaultmesh-test-key:" ‖ actor) (core/tests/vectors/generate.rs).
fn secret(actor: &str) -> [u8; 32] {
    *blake3::hash(format!("vaultmesh-test-key:{actor}").as_bytes()).as_bytes()
}

fn public_key(actor: &str) -> PublicKey {
    crypto::derive_public_key(&secret(actor))
}

fn key_text(actor: &str) -> String {
    public_key(actor).to_string()
}

const DUBLIN: &str = "did:vm:mesh:dublin";
const LISBON: &str = "did:vm:mesh:lisbon";
const OSLO: &str = "did:vm:mesh:oslo";
const ALICE: &str = "did:vm:human:alice";
const SOVEREIGN: &str = "did:vm:human:sovereign";
const GUARDIAN: &str = "engine:guardian";

/// The keys of every actor the records built here name.
fn keyring() -> Keyring {
    let mut keys = Keyring::new();
    for actor in [DUBLIN, LISBON, OSLO, ALICE, SOVEREIGN, GUARDIAN] {
        keys.insert(actor, public_key(actor));
    }
    keys
}

fn parse(text: &str) -> Value<'_> {
    json::parse_record(text.as_bytes(), &Limits::default()).unwrap()
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

/// Every field of `fields` by full path with its `required` flag, nested members after the
/// member that holds them (depth first, as the tables list them).
fn flatten(fields: &[Field]) -> Vec<(&'static str, bool)> {
    let mut out = Vec::new();
    for field in fields {
        out.push((field.path, field.required));
        if let FieldType::Nested(inner) = field.ty {
            out.extend(flatten(inner));
        }
    }
    out
}

/// A valid value of a field of type `ty`: nested objects with every member, recursively.
fn value_of(ty: FieldType) -> J {
    let digest = Digest::of(b"x").to_string();
    match ty {
        FieldType::String => json!("x"),
        FieldType::Name => json!("compliance_check"),
        FieldType::Scroll => json!("Compliance"),
        FieldType::Scrolls => json!(["Compliance", "PsiField"]),
        FieldType::Strings => json!(["ISO27001", "SOC2"]),
        FieldType::Digest => json!(digest),
        FieldType::Timestamp => json!("2025-12-01T09:30:00Z"),
        FieldType::MeshId => json!(DUBLIN),
        FieldType::ActorId => json!(ALICE),
        FieldType::ActorOrEngine => json!(GUARDIAN),
        FieldType::PublicKey => json!(key_text(DUBLIN)),
        FieldType::UInt => json!(7),
        FieldType::TrustLevel => json!(3),
        FieldType::Weight => json!(1.5),
        FieldType::Version => json!("1.0.0"),
        FieldType::HttpsUrl => json!("https://federation.dublin.example/v1"),
        FieldType::Bool => json!(true),
        FieldType::Any => json!({"id": "ARTICLE-VII", "sections": [1, "two", null]}),
        FieldType::Object => json!({"k": "v"}),
        FieldType::Nested(inner) => J::Object(members(inner)),
        FieldType::Array => json!([DUBLIN, LISBON]),
        FieldType::Enum(values) => json!(values[0]),
        FieldType::RootMap => json!({"Compliance": digest, "PsiField": digest}),
    }
}

fn members(fields: &[Field]) -> serde_json::Map<String, J> {
    fields
        .iter()
        .map(|f| (f.name().to_string(), value_of(f.ty)))
        .collect()
}

/// A record of `kind` with every field of its table set to a valid value of the field's type
/// (nested members included), its `type` when typed, and a signature member that does not
/// verify. An agreement's `key_exchange` holds its parties' keys.
fn full_record(kind: Kind) -> J {
    let spec = kind.spec();
    let mut record = members(spec.fields);
    if kind == Kind::Agreement {
        record.insert(
            "key_exchange".into(),
            json!({DUBLIN: key_text(DUBLIN), LISBON: key_text(LISBON)}),
        );
    }
    if spec.typed {
        record.insert("type".into(), json!(spec.domain));
    }
    let signature = "z".to_string() + &"1".repeat(64);
    let signature = match spec.signer {
        Signer::Parties => json!({
            DUBLIN: {"signed_at": "2025-12-01T09:30:00Z", "signature": signature}
        }),
        _ => json!(signature),
    };
    record.insert(spec.signature_field.into(), signature);
    J::Object(record)
}

/// Removes every optional member of `fields` from `object`, inside the nested members left.
fn remove_optional(fields: &[Field], object: &mut serde_json::Map<String, J>) {
    for field in fields {
        if !field.required {
            object.remove(field.name());
        } else if let (FieldType::Nested(inner), Some(J::Object(o))) =
            (field.ty, object.get_mut(field.name()))
        {
            remove_optional(inner, o);
        }
    }
}

/// `record` (a JSON object of `kind`) signed as the verifier checks it: by the signer the kind
/// names (every party, for an agreement), through the core's own signing functions. Returns the
/// canonical text.
fn sign(kind: Kind, record: &J) -> String {
    let text = record.to_string();
    let mut value = parse(&text);
    let Value::Object(object) = &mut value else {
        unreachable!()
    };
    if kind == Kind::Agreement {
        object.remove("signatures");
        let parties: Vec<String> = record["parties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        for party in &parties {
            federation::sign_agreement(object, party, "2025-12-01T09:30:00Z", &secret(party));
        }
    } else {
        let signer = signer_of(&value, kind);
        let Value::Object(object) = &mut value else {
            unreachable!()
        };
        record::sign_record(object, kind, &secret(&signer));
    }
    String::from_utf8(value.to_canonical()).unwrap()
}

/// Verifies `record` as `kind` (agreements through `federation::verify_agreement`) and gives
/// its `receipt_hash`.
fn verify(kind: Kind, record: &Value<'_>, keys: &Keyring) -> Result<Digest, Failure> {
    match kind {
        Kind::Agreement => federation::verify_agreement(record, keys).map(|_| ()),
        _ => record::verify_value(record, Some(kind), keys).map(|_| ()),
    }
    .map(|()| record::receipt_hash(record))
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

/// Clears the signatures of `record` (of `kind`) and signs it again with the typed signing
/// functions: an agreement by each of its parties at the time each signed, any other record as
/// its signer.
fn resign_typed(kind: Kind, record: &Value<'_>) -> Vec<u8> {
    macro_rules! single {
        ($($t:ident),*) => {
            match kind {
                $(Kind::$t => resign::<$t>(record, &signer_of(record, kind)),)*
                Kind::Agreement => {
                    let original: Agreement = typed::from_value(record).unwrap();
                    let mut a = original.clone();
                    a.signatures = None;
                    a.agreement_hash = String::new();
                    for (party, entry) in original.signatures.as_ref().unwrap() {
                        typed::sign_typed_agreement(&mut a, party, &entry.signed_at, &secret(party))
                            .unwrap();
                    }
                    typed::to_canonical(&a).unwrap()
                }
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

// ---------------------------------------------------------------------------------------------
// The vector files.

/// The vectors: `VAULTMESH_TEST_VECTORS` when set (to check another checkout's vectors), else
/// the workspace's `test-vectors/`.
fn vectors_dir() -> PathBuf {
    match std::env::var_os("VAULTMESH_TEST_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors"),
    }
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

fn vector_keyring() -> Keyring {
    Keyring::from_json(load("signatures.json")["keyring"].to_string().as_bytes()).unwrap()
}

/// One record case of the vector files.
struct Case {
    /// `file: name`, for messages only: cases are selected by kind and verdict, never by name.
    label: String,
    kind: Kind,
    input: String,
    /// `expect.valid`.
    valid: bool,
    expect: J,
}

/// The kind of a vector case: named by `kind`, else the record's `type`, else an agreement when
/// the operation verifies agreements.
fn kind_of(case: &J, record: &Value<'_>) -> Option<Kind> {
    match case["kind"].as_str() {
        Some(name) => Kind::from_name(name),
        None => {
            let typed = record
                .as_object()?
                .get("type")
                .and_then(Value::as_str)
                .and_then(Kind::from_domain);
            match typed {
                Some(kind) => Some(kind),
                None if case["op"] == json!("verify_agreement") => Some(Kind::Agreement),
                None => None,
            }
        }
    }
}

/// Every record case of the record vector files whose input parses and whose kind is known.
fn record_cases() -> Vec<Case> {
    let mut out = Vec::new();
    for file in RECORD_FILES {
        let vectors = load(file);
        for case in vectors["cases"].as_array().into_iter().flatten() {
            let Some(input) = case["input"].as_str() else {
                continue;
            };
            let Ok(record) = json::parse_record(input.as_bytes(), &Limits::default()) else {
                continue;
            };
            if let Some(kind) = kind_of(case, &record) {
                out.push(Case {
                    label: format!("{file}: {}", case["name"].as_str().unwrap_or("?")),
                    kind,
                    input: input.to_string(),
                    valid: case["expect"]["valid"] == json!(true),
                    expect: case["expect"].clone(),
                });
            }
        }
    }
    out
}

/// The cases the vectors call valid; each must also verify (a "valid" case the verifier
/// rejects means the vector files are older than the tables: regenerate them).
fn valid_cases(keys: &Keyring) -> Vec<Case> {
    let valid: Vec<Case> = record_cases().into_iter().filter(|c| c.valid).collect();
    let stale: Vec<&str> = valid
        .iter()
        .filter(|c| verify(c.kind, &parse(&c.input), keys).is_err())
        .map(|c| c.label.as_str())
        .collect();
    assert!(
        stale.is_empty(),
        "vector cases marked valid that the tables reject (regenerate test-vectors/): {stale:?}"
    );
    valid
}

// ---------------------------------------------------------------------------------------------
// Round trips.

#[test]
fn every_vector_record_round_trips_byte_for_byte() {
    let keys = vector_keyring();
    let mut round_tripped = 0;
    for case in record_cases() {
        let record = parse(&case.input);
        let object = record.as_object().unwrap();
        let kind = case.kind;
        // Every record the verifier accepts reads, and every record that reads (invalid ones
        // included: bad signatures, unknown signers, …) round-trips exactly.
        let read = with_type!(kind, T => typed::from_value::<T>(&record).map(drop));
        if let Err(failure) = read {
            assert!(
                verify(kind, &record, &keys).is_err(),
                "{}: the verifier accepts what reading refuses ({failure})",
                case.label
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
    }

    let valid = valid_cases(&keys);
    let mut valid_kinds = BTreeSet::new();
    for case in &valid {
        let record = parse(&case.input);
        valid_kinds.insert(case.kind);
        if let Some(hash) = case.expect["receipt_hash"].as_str() {
            assert_eq!(
                record::receipt_hash(&record).to_string(),
                hash,
                "{}",
                case.label
            );
        }
        // The written record verifies as the original does.
        let written = with_type!(case.kind, T => {
            let t: T = typed::from_value(&record).unwrap();
            typed::to_canonical(&t).unwrap()
        });
        let written = parse(std::str::from_utf8(&written).unwrap());
        assert_eq!(
            verify(case.kind, &written, &keys),
            verify(case.kind, &record, &keys)
        );
        if case.kind == Kind::Agreement {
            let a = federation::verify_agreement(&written, &Keyring::new()).unwrap();
            assert_eq!(
                Some(a.agreement_hash.to_string().as_str()),
                case.expect["agreement_hash"].as_str(),
                "{}",
                case.label
            );
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
            // The invalid chains hold a few receipts with a broken field on purpose.
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
fn every_kind_built_from_its_table_signs_verifies_and_round_trips() {
    // Independent of the vector files: a record with every member of its table, signed with
    // the core's signing functions, verifies, reads, writes the same bytes, and signs again
    // through the typed API to exactly the same bytes (Ed25519 is deterministic).
    let keys = keyring();
    for kind in Kind::ALL {
        let text = sign(kind, &full_record(kind));
        let record = parse(&text);
        let hash = verify(kind, &record, &keys).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        with_type!(kind, T => {
            let t: T = round_trip(&record);
            assert_eq!(typed::receipt_hash(&t).unwrap(), hash);
        });
        assert_eq!(
            String::from_utf8(resign_typed(kind, &record)).unwrap(),
            text,
            "{kind:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Typed values.

/// A signed vote built here: weight 1.5, with an unknown member `context`.
fn signed_vote_text() -> String {
    sign(
        Kind::GovVote,
        &json!({
            "type": "gov_vote",
            "vote_id": "VOTE-2025-12-001-alice",
            "proposal_id": "PROP-2025-12-001",
            "voter": ALICE,
            "voted_at": "2025-12-14T10:00:00Z",
            "vote": "approve",
            "weight": 1.5,
            "comments": "Essential for compliance",
            "context": {"ballot": 17}
        }),
    )
}

/// A signed emergency order built here (the protocol document's example, with `issued_at`).
fn signed_emergency_text() -> String {
    sign(
        Kind::GovExecutiveOrder,
        &json!({
            "type": "gov_executive_order",
            "order_id": "EO-2025-12-002",
            "title": "Security Emergency",
            "issued_by": SOVEREIGN,
            "issued_at": "2025-12-06T03:50:00Z",
            "authority": "ARTICLE-VI.1",
            "order_type": "emergency",
            "content": {
                "emergency_type": "security_incident",
                "threat_description": "Active intrusion on BRICK-02",
                "powers_invoked": ["Suspend authentication delays", "Enhanced logging"]
            },
            "duration": {"type": "emergency", "expires_at": "2025-12-09T03:50:00Z", "renewable": true}
        }),
    )
}

/// A signed witness receipt built here whose `witnessed_anchor` has members the table does not
/// define (`tx_hash`, `block_number`), as in the protocol document.
fn signed_witness_text() -> String {
    sign(
        Kind::WitnessReceipt,
        &json!({
            "type": "fed_witness_event",
            "witness_id": "witness-2025-12-06-001",
            "witnessed_mesh": DUBLIN,
            "witnessing_mesh": OSLO,
            "timestamp": "2025-12-06T12:05:00Z",
            "scroll": "Compliance",
            "witnessed_root": Digest::of(b"root").to_string(),
            "tree_size": 12,
            "witnessed_anchor": {"backend": "ethereum", "tx_hash": "0x123", "block_number": 12345678},
            "verification_method": "anchor_proof_validation",
            "verification_result": "verified",
            "samples_checked": 5,
            "discrepancies": []
        }),
    )
}

fn signed_agreement_text() -> String {
    let mut agreement = full_record(Kind::Agreement);
    agreement["parties"] = json!([DUBLIN, LISBON]);
    agreement["terms"] = json!({"scrolls_shared": ["Compliance", "Drills"], "audit_rights": true});
    sign(Kind::Agreement, &agreement)
}

#[test]
fn typed_fields_read_as_expected() {
    let keys = keyring();
    let limits = Limits::default();

    let text = signed_vote_text();
    record::verify_record(text.as_bytes(), None, &keys, &limits).unwrap();
    let vote: GovVote = typed::from_slice(text.as_bytes(), &limits).unwrap();
    assert_eq!(vote.vote, Vote::Approve);
    assert_eq!(vote.weight, Weight(1_500_000));
    assert_eq!(vote.voter, ALICE);
    assert_eq!(vote.comments.as_deref(), Some("Essential for compliance"));
    assert_eq!(vote.record_type.as_str(), "gov_vote");
    assert!(vote.signature.as_ref().unwrap().starts_with('z'));
    assert_eq!(vote.extra["context"]["ballot"], json!(17));
    assert_eq!(vote.unknown_members(), ["context"]);

    let text = signed_emergency_text();
    record::verify_record(text.as_bytes(), None, &keys, &limits).unwrap();
    let order: GovExecutiveOrder = typed::from_slice(text.as_bytes(), &limits).unwrap();
    assert!(order.is_emergency() && !order.is_renewal() && !order.is_revocation());
    let content = order.content.as_ref().unwrap();
    assert_eq!(content.emergency_type.as_deref(), Some("security_incident"));
    assert_eq!(content.powers_invoked.as_ref().unwrap().len(), 2);
    let duration = order.duration.as_ref().unwrap();
    assert_eq!(duration.kind, DurationType::Emergency);
    assert_eq!(duration.renewable, Some(true));
    assert_eq!(order.expires_at(), Some("2025-12-09T03:50:00Z"));
    assert!(order.unknown_members().is_empty());

    let text = signed_witness_text();
    let witness: WitnessReceipt = typed::from_slice(text.as_bytes(), &limits).unwrap();
    assert_eq!(witness.verification_result, VerificationResult::Verified);
    assert_eq!(witness.samples_checked, Some(5));
    let anchor = witness.witnessed_anchor.as_ref().unwrap();
    assert_eq!(anchor.backend, "ethereum");
    assert_eq!(anchor.extra["block_number"], json!(12345678));
    assert_eq!(
        witness.unknown_members(),
        ["witnessed_anchor.block_number", "witnessed_anchor.tx_hash"]
    );

    let text = signed_agreement_text();
    let agreement: Agreement = typed::from_slice(text.as_bytes(), &limits).unwrap();
    federation::verify_agreement(&parse(&text), &keys).unwrap();
    let signatures = agreement.signatures.as_ref().unwrap();
    assert_eq!(
        signatures.keys().collect::<Vec<_>>(),
        agreement.parties.iter().collect::<Vec<_>>()
    );
    assert!(signatures
        .values()
        .all(|s| s.signed_at == "2025-12-01T09:30:00Z" && s.signature.starts_with('z')));
    assert_eq!(
        agreement.terms.scrolls_shared.as_deref(),
        Some(&["Compliance".to_string(), "Drills".to_string()][..])
    );
    assert_eq!(agreement.terms.audit_rights, Some(true));
    assert_eq!(agreement.key_exchange[LISBON], key_text(LISBON));
}

#[test]
fn weights_are_exact_numbers() {
    // Written: the number whose canonical text (RFC 8785) is the decimal; serde_json's own
    // text may differ in form (`1e-6`), never in value.
    let written = |w: Weight| {
        let text = format!("{{\"w\":{}}}", serde_json::to_string(&w).unwrap());
        let canonical = parse(&text).to_canonical();
        let canonical = String::from_utf8(canonical).unwrap();
        canonical["{\"w\":".len()..canonical.len() - 1].to_string()
    };
    assert_eq!(written(Weight::units(1)), "1");
    assert_eq!(written(Weight(1_500_000)), "1.5");
    assert_eq!(written(Weight(0)), "0");
    assert_eq!(written(Weight(1)), "0.000001");
    assert_eq!(written(Weight(2_250_000)), "2.25");
    // A weight no double prints exactly cannot be written (it would read back as another).
    assert!(serde_json::to_string(&Weight(u64::MAX)).is_err());

    // Read: exactly as `Weight::from_number`, from numbers only.
    let read = |text: &str| serde_json::from_str::<Weight>(text);
    assert_eq!(read("1").unwrap(), Weight::units(1));
    assert_eq!(read("1.0").unwrap(), Weight::units(1));
    assert_eq!(read("1e0").unwrap(), Weight::units(1));
    assert_eq!(read("0.1").unwrap(), Weight(100_000));
    assert_eq!(read("0.000001").unwrap(), Weight(1));
    // The largest whole weight millionths in a u64 hold; one more is refused, as the verifier
    // refuses it.
    assert_eq!(
        read("18446744073709").unwrap(),
        Weight::units(18_446_744_073_709)
    );
    for bad in [
        "-1",
        "-0.5",
        "1.0000001",
        "1e-7",
        "18446744073710",
        "9007199254740992",
        "\"1\"",
        "null",
        "true",
    ] {
        assert!(read(bad).is_err(), "{bad}");
    }
    // Never summed as doubles: 0.1 + 0.2 is 0.3 exactly.
    let sum = read("0.1").unwrap().saturating_add(read("0.2").unwrap());
    assert_eq!(written(sum), "0.3");

    // In a record, the canonical text of the weight is kept: 1.0 is written 1, 1.50 is 1.5.
    let mut vote = full_record(Kind::GovVote);
    for (weight, canonical) in [(json!(1.0), "1"), (json!(1.25), "1.25"), (json!(0), "0")] {
        vote["weight"] = weight;
        let text = vote.to_string();
        let typed: GovVote = round_trip(&parse(&text));
        let bytes = String::from_utf8(typed::to_canonical(&typed).unwrap()).unwrap();
        assert!(
            bytes.contains(&format!("\"weight\":{canonical}}}")),
            "{bytes}"
        );
    }
    let mut summary = full_record(Kind::GovRatification);
    summary["vote_summary"] = json!({"approve": 2.5, "reject": 0.000001, "abstain": 0});
    let ratification: GovRatification = round_trip(&parse(&summary.to_string()));
    assert_eq!(ratification.vote_summary.approve, Weight(2_500_000));
    assert_eq!(ratification.vote_summary.reject, Weight(1));
    assert_eq!(ratification.vote_summary.abstain, Weight(0));
}

#[test]
fn any_members_keep_null() {
    // `content.text` is any JSON value: `null` is a value, kept, not an absent member.
    let mut proposal = full_record(Kind::GovProposal);
    proposal["content"]["text"] = J::Null;
    let typed: GovProposal = round_trip(&parse(&proposal.to_string()));
    assert_eq!(typed.content.text, Some(J::Null));
    proposal["content"].as_object_mut().unwrap().remove("text");
    let typed: GovProposal = round_trip(&parse(&proposal.to_string()));
    assert_eq!(typed.content.text, None);
}

// ---------------------------------------------------------------------------------------------
// Unknown members.

#[test]
fn unknown_members_are_kept_and_hashed() {
    let keys = keyring();
    let limits = Limits::default();
    for text in [signed_vote_text(), signed_witness_text()] {
        let record = parse(&text);
        let kind = Kind::from_domain(text_of(&record, "type")).unwrap();
        let known: BTreeSet<&str> =
            with_type!(kind, T => T::FIELDS.iter().map(|(n, _)| *n).collect());
        // Written back, it still verifies: nothing the signature covers was dropped.
        let (unknown, written, dropped) = with_type!(kind, T => {
            let t: T = round_trip(&record);
            let written = typed::to_canonical(&t).unwrap();
            // Dropping the unknown members would verify a different record.
            let mut value: J = serde_json::from_slice(&written).unwrap();
            for path in t.unknown_members() {
                let (outer, inner) = path.split_once('.').unwrap_or(("", &path));
                let object = if outer.is_empty() { &mut value } else { &mut value[outer] };
                object.as_object_mut().unwrap().remove(inner).unwrap();
            }
            let dropped: T = serde_json::from_value(value).unwrap();
            assert!(dropped.unknown_members().is_empty());
            (t.unknown_members(), written, typed::to_canonical(&dropped).unwrap())
        });
        assert!(!unknown.is_empty());
        for path in &unknown {
            assert!(!known.contains(path.as_str()), "{path}");
            let (outer, inner) = path.split_once('.').unwrap_or(("", path));
            let object = match outer {
                "" => record.as_object().unwrap(),
                _ => record
                    .as_object()
                    .unwrap()
                    .get(outer)
                    .unwrap()
                    .as_object()
                    .unwrap(),
            };
            assert!(object.get(inner).is_some(), "{path}");
        }
        record::verify_record(&written, None, &keys, &limits).unwrap();
        let err = record::verify_record(&dropped, None, &keys, &limits).unwrap_err();
        assert_eq!(err.error, Error::SignatureMismatch);
    }
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

    // Inside a nested member too.
    let mut order = new_emergency();
    let duration = order.duration.as_mut().unwrap();
    duration.extra.insert("review_every".into(), json!("24h"));
    duration.extra.insert("zz_null".into(), J::Null);
    typed::sign_typed(&mut order, &secret(SOVEREIGN)).unwrap();
    let bytes = typed::to_canonical(&order).unwrap();
    record::verify_record(&bytes, None, &keys, &Limits::default()).unwrap();
    assert!(std::str::from_utf8(&bytes)
        .unwrap()
        .contains(r#""review_every":"24h","type":"emergency","zz_null":null"#));
    let back: GovExecutiveOrder = typed::from_slice(&bytes, &Limits::default()).unwrap();
    assert_eq!(back, order);
    assert_eq!(
        back.unknown_members(),
        ["duration.review_every", "duration.zz_null"]
    );
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
    let mut vote = full_record(Kind::GovVote);
    vote.as_object_mut().unwrap().remove("signature");
    let text = vote.to_string();
    let text = format!(
        "{},\"numbers\":[{}]}}",
        text.strip_suffix('}').unwrap(),
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
        vote_id: "VOTE-2025-12-001-alice".into(),
        proposal_id: "PROP-2025-12-001".into(),
        voter: ALICE.into(),
        voted_at: "2025-12-14T10:00:00Z".into(),
        vote: Vote::Reject,
        weight: Weight::units(1),
        comments: Some("Too broad.".into()),
        extra: Extra::new(),
    }
}

fn new_emergency() -> GovExecutiveOrder {
    GovExecutiveOrder {
        record_type: TypeTag::new(),
        signature: None,
        order_id: "EO-2026-001".into(),
        title: "Security Emergency".into(),
        issued_by: SOVEREIGN.into(),
        authority: "ARTICLE-VI.1".into(),
        order_type: GovExecutiveOrder::EMERGENCY.into(),
        issued_at: Some("2026-01-05T08:00:00Z".into()),
        renews: None,
        revokes: None,
        content: Some(OrderContent {
            emergency_type: Some("security_incident".into()),
            threat_description: Some("Active intrusion".into()),
            powers_invoked: Some(vec!["Enhanced logging".into()]),
            parameter: None,
            extra: Extra::new(),
        }),
        duration: Some(OrderDuration {
            kind: DurationType::Emergency,
            expires_at: Some("2026-01-06T08:00:00Z".into()),
            renewable: Some(true),
            extra: Extra::new(),
        }),
        extra: Extra::new(),
    }
}

#[test]
fn records_built_in_code_sign_and_verify() {
    let keys = keyring();
    let limits = Limits::default();
    let root = Digest::of(b"compliance scroll root").to_string();

    let mut vote = new_vote();
    typed::sign_typed(&mut vote, &secret(ALICE)).unwrap();
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
    typed::sign_typed(&mut vote, &secret(ALICE)).unwrap();
    assert_ne!(vote.signature, first);
    record::verify_record(&typed::to_canonical(&vote).unwrap(), None, &keys, &limits).unwrap();

    let mut emergency = new_emergency();
    typed::sign_typed(&mut emergency, &secret(SOVEREIGN)).unwrap();
    record::verify_record(
        &typed::to_canonical(&emergency).unwrap(),
        Some(Kind::GovExecutiveOrder),
        &keys,
        &limits,
    )
    .unwrap();
    // A nested member changed after signing is a changed record.
    emergency.duration.as_mut().unwrap().renewable = Some(false);
    assert_eq!(
        record::verify_record(
            &typed::to_canonical(&emergency).unwrap(),
            None,
            &keys,
            &limits
        )
        .unwrap_err()
        .error,
        Error::SignatureMismatch
    );

    let mut witness = WitnessReceipt {
        record_type: TypeTag::new(),
        witness_signature: None,
        witness_id: "witness-1".into(),
        witnessed_mesh: DUBLIN.into(),
        witnessing_mesh: OSLO.into(),
        timestamp: "2025-12-01T09:31:00Z".into(),
        scroll: "Compliance".into(),
        witnessed_root: root.clone(),
        tree_size: 7,
        verification_method: "anchor_proof_validation".into(),
        verification_result: VerificationResult::Discrepancy,
        discrepancies: vec![json!({"tree_size": 8})],
        samples_checked: None,
        witnessed_anchor: Some(Anchor {
            backend: "ethereum".into(),
            extra: Extra::new(),
        }),
        extra: Extra::new(),
    };
    typed::sign_typed(&mut witness, &secret(OSLO)).unwrap();
    assert!(witness.witness_signature.is_some());
    let bytes = typed::to_canonical(&witness).unwrap();
    federation::verify_witness(&parse(std::str::from_utf8(&bytes).unwrap()), &keys, None).unwrap();

    let mut discovery = Discovery {
        signature: None,
        mesh_id: DUBLIN.into(),
        display_name: "VaultMesh Dublin".into(),
        endpoints: Endpoints {
            federation: "https://federation.dublin.example".into(),
            verification: "https://verify.dublin.example".into(),
            extra: Extra::new(),
        },
        public_key: key_text(DUBLIN),
        scrolls_available: vec!["Compliance".into(), "Drills".into()],
        trust_policy: TrustPolicy {
            accepts_proposals: true,
            min_trust_level: 1,
            requires_mutual: true,
            extra: Extra::new(),
        },
        attestations: vec![],
        extra: Extra::new(),
    };
    typed::sign_typed(&mut discovery, &secret(DUBLIN)).unwrap();
    let bytes = typed::to_canonical(&discovery).unwrap();
    record::verify_record(&bytes, Some(Kind::Discovery), &Keyring::new(), &limits).unwrap();
    assert!(!std::str::from_utf8(&bytes).unwrap().contains("\"type\""));

    let parties = [DUBLIN, LISBON];
    let mut agreement = Agreement {
        signatures: None,
        agreement_id: "AGR-typed".into(),
        parties: parties.iter().map(|p| p.to_string()).collect(),
        established_at: "2026-01-01T00:00:00Z".into(),
        trust_level: 3,
        key_exchange: parties
            .iter()
            .map(|p| (p.to_string(), key_text(p)))
            .collect(),
        agreement_hash: String::new(),
        expires_at: None,
        terms: AgreementTerms {
            scrolls_shared: Some(vec!["Compliance".into()]),
            verification_frequency: Some("daily".into()),
            retention_period_days: Some(180),
            data_jurisdiction: Some("EU".into()),
            audit_rights: Some(true),
            dispute_resolution: None,
            extra: Extra::new(),
        },
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
    let valid = valid_cases(&vector_keyring());
    let mut kinds = BTreeSet::new();
    for case in valid {
        let record = parse(&case.input);
        let again = resign_typed(case.kind, &record);
        assert_eq!(again, record.to_canonical(), "{}", case.label);
        kinds.insert(case.kind);
    }
    assert_eq!(kinds.len(), 14);
}

#[test]
fn signing_a_malformed_record_fails_and_changes_nothing() {
    let mut vote = new_vote();
    vote.voted_at = "yesterday".into();
    let before = vote.clone();
    let err = typed::sign_typed(&mut vote, &secret(ALICE)).unwrap_err();
    assert_eq!(err, Failure::at(Error::MalformedTimestamp, "voted_at"));
    assert_eq!(vote, before);

    // A malformed nested member is reported by its path.
    let mut order = new_emergency();
    order.duration.as_mut().unwrap().expires_at = Some("tomorrow".into());
    let before = order.clone();
    let err = typed::sign_typed(&mut order, &secret(SOVEREIGN)).unwrap_err();
    assert_eq!(
        err,
        Failure::at(Error::MalformedTimestamp, "duration.expires_at")
    );
    assert_eq!(order, before);

    let mut agreement: Agreement =
        typed::from_slice(signed_agreement_text().as_bytes(), &Limits::default()).unwrap();
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

/// `record` of `kind` read as every other kind fails, with the error the shape check gives.
fn reads_as_no_other_kind(kind: Kind, record: &Value<'_>, label: &str) {
    for other in Kind::ALL {
        if other == kind {
            continue;
        }
        let err = with_type!(other, T => typed::from_value::<T>(record).map(drop)).unwrap_err();
        match (kind.spec().typed, other.spec().typed) {
            // A typed record carries its `type`, which names another kind.
            (true, _) => assert_eq!(err, Failure::at(Error::KindMismatch, "type"), "{label}"),
            // An untyped record has no `type`.
            (false, true) => assert_eq!(err, Failure::at(Error::MissingField, "type")),
            // Untyped as untyped: the other kind's required fields are missing.
            (false, false) => assert_eq!(err.error, Error::MissingField, "{label}"),
        }
    }
}

#[test]
fn a_record_never_reads_as_another_kind() {
    for kind in Kind::ALL {
        let text = sign(kind, &full_record(kind));
        reads_as_no_other_kind(kind, &parse(&text), &format!("{kind:?}"));
    }
    for case in valid_cases(&vector_keyring()) {
        reads_as_no_other_kind(case.kind, &parse(&case.input), &case.label);
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
    vote.extra.insert("vote".into(), json!("approve"));
    assert_eq!(
        typed::to_canonical(&vote).unwrap_err().error,
        Error::DuplicateKey
    );
    // Also inside a nested member.
    let mut order = new_emergency();
    order
        .duration
        .as_mut()
        .unwrap()
        .extra
        .insert("type".into(), json!("permanent"));
    assert_eq!(
        typed::to_canonical(&order).unwrap_err().error,
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
    let mut checkpoint: ScrollCheckpoint =
        serde_json::from_value(full_record(Kind::ScrollCheckpoint)).unwrap();
    checkpoint.tree_size = 1 << 53;
    assert_eq!(
        typed::to_value(&checkpoint).unwrap_err().error,
        Error::NumberOutOfRange
    );
    // A weight no JSON number holds exactly is refused, not rounded.
    let mut vote = new_vote();
    vote.weight = Weight(u64::MAX);
    assert_eq!(
        typed::to_value(&vote).unwrap_err().error,
        Error::InvalidField
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
    let edit = |kind: Kind, f: &dyn Fn(&mut J)| -> Failure {
        let mut record = full_record(kind);
        f(&mut record);
        let text = record.to_string();
        let value = parse(&text);
        let expected = check_shape(value.as_object().unwrap(), Some(kind)).unwrap_err();
        let err = with_type!(kind, T => typed::from_value::<T>(&value).map(drop)).unwrap_err();
        assert_eq!(err, expected, "{kind:?}: reading and the verifier differ");
        err
    };
    let remove = |path: &'static str| {
        move |r: &mut J| {
            let (outer, inner) = path.split_once('.').unwrap_or(("", path));
            let object = if outer.is_empty() { r } else { &mut r[outer] };
            object.as_object_mut().unwrap().remove(inner).unwrap();
        }
    };
    let vote = Kind::GovVote;
    assert_eq!(
        edit(vote, &remove("voter")),
        Failure::at(Error::MissingField, "voter")
    );
    assert_eq!(
        edit(vote, &|r| r["voted_at"] = json!("soon")),
        Failure::at(Error::MalformedTimestamp, "voted_at")
    );
    assert_eq!(
        edit(vote, &|r| r["vote"] = json!("for")),
        Failure::at(Error::InvalidField, "vote")
    );
    assert_eq!(
        edit(vote, &|r| r["comments"] = J::Null),
        Failure::at(Error::InvalidField, "comments")
    );
    for bad in [json!(1.0000001), json!(-1), json!("1"), J::Null] {
        assert_eq!(
            edit(vote, &|r| r["weight"] = bad.clone()),
            Failure::at(Error::InvalidField, "weight")
        );
    }
    // Nested members by their path.
    assert_eq!(
        edit(Kind::GovRatification, &remove("vote_summary.approve")),
        Failure::at(Error::MissingField, "vote_summary.approve")
    );
    assert_eq!(
        edit(Kind::GovExecutiveOrder, &|r| r["duration"]["type"] =
            json!("forever")),
        Failure::at(Error::InvalidField, "duration.type")
    );
    assert_eq!(
        edit(Kind::Discovery, &|r| r["endpoints"]["federation"] =
            json!("http://plain.example")),
        Failure::at(Error::InvalidField, "endpoints.federation")
    );
    assert_eq!(
        edit(Kind::Discovery, &|r| r["trust_policy"] = json!([])),
        Failure::at(Error::InvalidField, "trust_policy")
    );
    assert_eq!(
        edit(Kind::GovProposal, &|r| r["content"]["action"] =
            json!("rewrite")),
        Failure::at(Error::InvalidField, "content.action")
    );
    assert_eq!(
        edit(Kind::ScrollCheckpoint, &|r| r["scroll"] =
            json!("compliance")),
        Failure::at(Error::InvalidField, "scroll")
    );
    assert_eq!(
        typed::from_value::<GovVote>(&Value::Null).unwrap_err(),
        Failure::from(Error::NotAnObject)
    );

    // What the table does not check but the agreement's struct types: serde's errors.
    let agreement = full_record(Kind::Agreement);
    let mut bad = agreement.clone();
    bad["key_exchange"] = json!({DUBLIN: 1});
    let err =
        typed::from_slice::<Agreement>(bad.to_string().as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(err.error, Error::InvalidField);
    let mut bad = agreement.clone();
    bad["signatures"][DUBLIN]
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
        let table = flatten(spec.fields);
        let ours: BTreeSet<(&str, bool)> = fields.iter().copied().collect();
        assert_eq!(ours.len(), fields.len(), "{:?}: duplicate field", spec.kind);
        assert_eq!(
            ours,
            table.iter().copied().collect::<BTreeSet<_>>(),
            "{:?}: struct and table differ",
            spec.kind
        );
        // Every nested member follows the member holding it, as in the tables.
        for (i, (path, _)) in fields.iter().enumerate() {
            if let Some((outer, _)) = path.rsplit_once('.') {
                assert!(
                    fields[..i].iter().any(|(p, _)| *p == outer),
                    "{:?}: {path} before {outer}",
                    spec.kind
                );
            }
        }
    }
    // The nested structs' own lists are the tables' nested members.
    let nested = |kind: Kind, outer: &str| -> Vec<(String, bool)> {
        flatten(kind.spec().fields)
            .into_iter()
            .filter_map(|(p, r)| Some((p.strip_prefix(outer)?.strip_prefix('.')?.to_string(), r)))
            .collect()
    };
    let members = |m: &[(&str, bool)]| -> Vec<(String, bool)> {
        m.iter().map(|(n, r)| (n.to_string(), *r)).collect()
    };
    assert_eq!(
        members(Endpoints::MEMBERS),
        nested(Kind::Discovery, "endpoints")
    );
    assert_eq!(
        members(Terms::MEMBERS),
        nested(Kind::TrustProposal, "proposed_terms")
    );
    assert_eq!(
        members(Terms::MEMBERS),
        nested(Kind::ProposalResponse, "counter_terms")
    );
    assert_eq!(
        members(AgreementTerms::MEMBERS),
        nested(Kind::Agreement, "terms")
    );
    assert_eq!(
        members(Anchor::MEMBERS),
        nested(Kind::WitnessReceipt, "witnessed_anchor")
    );
    assert_eq!(
        members(Anchor::MEMBERS),
        nested(Kind::CrossAnchor, "anchor_proof")
    );
    assert_eq!(
        members(AmendmentAnchor::MEMBERS),
        nested(Kind::GovAmendment, "anchor_proof")
    );
    assert_eq!(
        members(OrderDuration::MEMBERS),
        nested(Kind::GovExecutiveOrder, "duration")
    );
    assert_eq!(
        members(Review::MEMBERS),
        nested(Kind::GovEnforcement, "review")
    );
}

#[test]
fn every_table_field_is_a_struct_member() {
    // With every field of its table present, nested ones included, a struct reads them all as
    // its own members (nothing left in any `extra`) and writes them all back under the same
    // names.
    for kind in Kind::ALL {
        let record = full_record(kind);
        let text = record.to_string();
        let value = parse(&text);
        check_shape(value.as_object().unwrap(), Some(kind)).unwrap();
        with_type!(kind, T => {
            let t: T = round_trip(&value);
            assert!(t.extra().is_empty(), "{kind:?}: {:?}", t.extra());
            assert!(t.unknown_members().is_empty(), "{kind:?}: {:?}", t.unknown_members());
            assert_eq!(serde_json::to_value(&t).unwrap(), record, "{kind:?}");
        });
    }
}

#[test]
fn optional_fields_are_left_out_when_none() {
    for kind in Kind::ALL {
        let mut record = full_record(kind);
        let object = record.as_object_mut().unwrap();
        remove_optional(kind.spec().fields, object);
        object.remove(kind.spec().signature_field);
        let text = record.to_string();
        let value = parse(&text);
        with_type!(kind, T => {
            let t: T = round_trip(&value);
            assert_eq!(serde_json::to_value(&t).unwrap(), record, "{kind:?}");
            assert!(t.unknown_members().is_empty());
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

/// Every `Enum` field of `fields` (nested ones included) by path, with its values.
fn enum_fields(kind: Kind, fields: &[Field], out: &mut Vec<(Kind, &'static str, Vec<String>)>) {
    for field in fields {
        match field.ty {
            FieldType::Enum(values) => out.push((
                kind,
                field.path,
                values.iter().map(|v| v.to_string()).collect(),
            )),
            FieldType::Nested(inner) => enum_fields(kind, inner, out),
            _ => {}
        }
    }
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
        (
            Kind::GovProposal,
            "content.action",
            strings(ContentAction::ALL, ContentAction::as_str),
        ),
        (
            Kind::GovProposal,
            "status",
            strings(ProposalStatus::ALL, ProposalStatus::as_str),
        ),
        (Kind::GovVote, "vote", strings(Vote::ALL, Vote::as_str)),
        (
            Kind::GovRatification,
            "decision",
            strings(RatificationDecision::ALL, RatificationDecision::as_str),
        ),
        (
            Kind::GovExecutiveOrder,
            "duration.type",
            strings(DurationType::ALL, DurationType::as_str),
        ),
        (
            Kind::GovViolation,
            "severity",
            strings(Severity::ALL, Severity::as_str),
        ),
        (
            Kind::GovEnforcement,
            "review.decision",
            strings(ReviewDecision::ALL, ReviewDecision::as_str),
        ),
    ];
    let mut table = Vec::new();
    for spec in &KINDS {
        enum_fields(spec.kind, spec.fields, &mut table);
    }
    assert_eq!(ours, table);
    assert_eq!(Vote::Approve.to_string(), "approve");
    assert_eq!(
        serde_json::from_str::<ProposalType>("\"retire_engine\"").unwrap(),
        ProposalType::RetireEngine
    );
    assert!(serde_json::from_str::<Vote>("\"for\"").is_err());
}

#[test]
fn test_keys_are_the_vector_keyring() {
    // The secrets the tests sign with belong to the keys of the vectors' keyring.
    let vectors = vector_keyring();
    for actor in [DUBLIN, ALICE, GUARDIAN] {
        assert_eq!(vectors.get(actor), Some(&public_key(actor)), "{actor}");
        let signature = crypto::sign(&secret(actor), b"m");
        crypto::verify_strict(&public_key(actor), b"m", &signature).unwrap();
    }
}
