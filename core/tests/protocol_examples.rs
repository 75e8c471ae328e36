//! The protocol document's record examples as signed test vectors (`test-vectors/protocol/`).
//!
//! Every ```json block of `protocol.md` that is a record becomes one vector: the example's
//! values where they are valid, its placeholders (`z58D...`, `blake3:abc123...`,
//! `ed25519:z6Mk...`, `[...]`) replaced by real keys, hashes and signatures, and the wire
//! format's members where it changes or adds them. Beside each vector sits the skeleton that
//! `test-vectors/protocol/extract-skeletons.py` extracts from the document (its member names at
//! every depth); `test-vectors/protocol.json` holds every vector and its one-member variants in
//! the case format of the other vector files, for the C, Python and JS runners.
//!
//! Tests:
//! - `drift`: regenerates everything in memory; fails when a committed file differs.
//!   `VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test protocol_examples` rewrites them.
//! - `vectors_verify`: each vector file verifies as its kind, and its signatures verify by hand
//!   (signing input built here, `ed25519_dalek::verify_strict`), independently of the verifier.
//! - `skeletons_are_the_documents`: the committed skeletons are the script's output on the
//!   document (skipped when the document or python3 is not at hand).
//! - `member_names_match_the_document`: each vector's skeleton equals the document's skeleton
//!   with the wire format's listed changes, and nothing else.
//! - `cases`: every case of `protocol.json` gives exactly its `expect`.

use std::path::PathBuf;

use serde_json::{json, Map, Value as J};
use vaultmesh_core::federation;
use vaultmesh_core::json::{self as vjson, Limits, Object, Value};
use vaultmesh_core::record::{self, Failure, Keyring, Kind};
use vaultmesh_core::Error as E;

const GENERATOR: &str =
    "cargo test -p vaultmesh-core --test protocol_examples (VAULTMESH_BLESS=1 rewrites the files)";

// ---------------------------------------------------------------------------------------------
// Actors, keys and derived values.

const DUBLIN: &str = "did:vm:mesh:vaultmesh-dublin";
const BERLIN: &str = "did:vm:mesh:vaultmesh-berlin";
const SOVEREIGN: &str = "did:vm:human:sovereign";
const GUARDIAN: &str = "engine:guardian";
const AUTOMATION: &str = "did:vm:agent:automation-01";
/// A key the keyring does not hold, for "unknown signer" variants.
const STRANGER: &str = "did:vm:human:stranger";

/// The signers of the examples; the keyring holds exactly these.
const SIGNERS: [&str; 4] = [DUBLIN, BERLIN, SOVEREIGN, GUARDIAN];

/// `secret = blake3("vaultmesh-test-key:" ‖ id)`, as in every other vector file.
fn secret(id: &str) -> [u8; 32] {
    *blake3::hash(format!("vaultmesh-test-key:{id}").as_bytes()).as_bytes()
}

fn public_bytes(id: &str) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(&secret(id))
        .verifying_key()
        .to_bytes()
}

/// `ed25519:z` + base58btc(0xED 0x01 ‖ key), encoded here rather than by the core.
fn key_of(id: &str) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(&public_bytes(id));
    let mut digits: Vec<u8> = Vec::new(); // little-endian base-58
    for &b in &bytes {
        let mut carry = b as u32;
        for d in digits.iter_mut() {
            carry += (*d as u32) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let text: String = digits
        .iter()
        .rev()
        .map(|d| ALPHABET[*d as usize] as char)
        .collect();
    format!("ed25519:z{text}")
}

fn keyring_json() -> J {
    J::Object(
        SIGNERS
            .iter()
            .map(|id| (id.to_string(), J::String(key_of(id))))
            .collect(),
    )
}

fn canonical(v: &J) -> Vec<u8> {
    vjson::canonicalize(v.to_string().as_bytes(), &Limits::default()).unwrap()
}

fn digest_text(bytes: &[u8; 32]) -> String {
    format!("blake3:{}", hex::encode(bytes))
}

/// `blake3(JCS(v))` as digest text.
fn hash_of(v: &J) -> String {
    digest_text(blake3::hash(&canonical(v)).as_bytes())
}

/// A stand-in anchor transaction id: `blake3("vaultmesh-test-anchor:" ‖ label)` in hex.
fn tx_hash(label: &str) -> String {
    hex::encode(blake3::hash(format!("vaultmesh-test-anchor:{label}").as_bytes()).as_bytes())
}

/// RFC 9162 Merkle tree hash with BLAKE3, written here from the definition (wire format §5).
fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => *blake3::hash(b"").as_bytes(),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            let mut h = blake3::Hasher::new();
            h.update(&[1]);
            h.update(&mth(&leaves[..k]));
            h.update(&mth(&leaves[k..]));
            *h.finalize().as_bytes()
        }
    }
}

fn leaf(data: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(&[0]);
    h.update(data);
    *h.finalize().as_bytes()
}

/// The root of a stand-in scroll of `size` entries
/// `{"mesh_id": mesh, "scroll": scroll, "seq": i, "type": "scroll_entry"}`, i = 0…size−1.
fn scroll_root(mesh: &str, scroll: &str, size: u64) -> String {
    let leaves: Vec<[u8; 32]> = (0..size)
        .map(|i| {
            leaf(&canonical(
                &json!({"mesh_id": mesh, "scroll": scroll, "seq": i, "type": "scroll_entry"}),
            ))
        })
        .collect();
    digest_text(&mth(&leaves))
}

/// The witnessed size of Dublin's Compliance scroll.
const COMPLIANCE_SIZE: u64 = 8;

/// Wire format §8: the Merkle root of every (mesh, scroll, root), ordered by mesh then scroll.
fn combined_root(maps: &[(&str, &J)]) -> String {
    let mut entries: Vec<(String, String, String)> = Vec::new();
    for (mesh, roots) in maps {
        for (scroll, root) in roots.as_object().unwrap() {
            entries.push((
                mesh.to_string(),
                scroll.clone(),
                root.as_str().unwrap().into(),
            ));
        }
    }
    entries.sort();
    let leaves: Vec<[u8; 32]> = entries
        .iter()
        .map(|(m, s, r)| leaf(&canonical(&json!({"mesh_id": m, "root": r, "scroll": s}))))
        .collect();
    digest_text(&mth(&leaves))
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

/// `blake3(JCS(constitution))` of a committed governance constitution (wire format §4).
fn constitution_hash(file: &str) -> String {
    let text = std::fs::read(vectors_dir().join("governance").join(file)).unwrap();
    digest_text(blake3::hash(&vjson::canonicalize(&text, &Limits::default()).unwrap()).as_bytes())
}

/// The request the violation example blocked; `evidence.request_hash` is its hash.
fn blocked_request() -> J {
    json!({
        "action": "modify_receipt",
        "actor": AUTOMATION,
        "receipt_index": 3,
        "requested_at": "2025-12-06T15:59:58Z",
        "scroll": "Compliance"
    })
}

// ---------------------------------------------------------------------------------------------
// The examples.

/// How a vector is verified.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Check {
    /// `record::verify_record`, with the kind the case names for untyped records.
    Record(Kind, Option<&'static str>),
    /// `federation::verify_agreement`.
    Agreement,
    /// `federation::verify_witness` (no checkpoint).
    Witness,
    /// `federation::verify_cross_anchor` (no agreement).
    CrossAnchor,
}

impl Check {
    fn kind(self) -> Kind {
        match self {
            Check::Record(k, _) => k,
            Check::Agreement => Kind::Agreement,
            Check::Witness => Kind::WitnessReceipt,
            Check::CrossAnchor => Kind::CrossAnchor,
        }
    }

    fn op(self) -> &'static str {
        match self {
            Check::Record(..) => "verify_record",
            Check::Agreement => "verify_agreement",
            Check::Witness => "verify_witness",
            Check::CrossAnchor => "verify_cross_anchor",
        }
    }
}

/// A difference between the document's member names and the wire format's (which wins).
enum Delta {
    /// The wire format adds this member (path), with this skeleton.
    Add(&'static str, J),
    /// The wire format names this member (path) differently.
    Rename(&'static str, &'static str),
    /// This object's (path) member names are these instead of the example's.
    Members(&'static str, &'static [&'static str]),
}

/// One example of the document.
struct Example {
    /// File stem in `test-vectors/protocol/`.
    name: &'static str,
    /// How it is verified.
    check: Check,
    /// Who signs it (agreements: every party, see `AGREEMENT_SIGNED_AT`).
    signer: &'static str,
    /// The record before signing.
    body: J,
    /// The wire format's changes to the example's member names.
    deltas: Vec<Delta>,
}

/// The document's `signed_at` of each party.
const AGREEMENT_SIGNED_AT: [(&str, &str); 2] = [
    (DUBLIN, "2025-12-06T15:30:00Z"),
    (BERLIN, "2025-12-06T16:00:00Z"),
];

fn sig() -> Delta {
    Delta::Add("signature", J::Null)
}

fn discovery_body() -> J {
    json!({
        "mesh_id": DUBLIN,
        "display_name": "VaultMesh Dublin",
        "endpoints": {
            "federation": "https://federation.vaultmesh-dublin.io",
            "verification": "https://verify.vaultmesh-dublin.io"
        },
        "public_key": key_of(DUBLIN),
        "scrolls_available": ["Compliance", "Drills"],
        "trust_policy": {
            "accepts_proposals": true,
            "min_trust_level": 1,
            "requires_mutual": true
        },
        "attestations": []
    })
}

fn agreement_body() -> J {
    json!({
        "agreement_id": "fed-agreement-2025-12-06-001",
        "parties": [DUBLIN, BERLIN],
        "established_at": "2025-12-06T16:00:00Z",
        "trust_level": 2,
        "terms": {
            "scrolls_shared": ["Compliance", "Drills"],
            "verification_frequency": "daily",
            "retention_period_days": 180,
            "data_jurisdiction": "EU",
            "audit_rights": true,
            "dispute_resolution": "arbitration_zurich"
        },
        "key_exchange": {DUBLIN: key_of(DUBLIN), BERLIN: key_of(BERLIN)}
    })
}

fn examples() -> Vec<Example> {
    let discovery = sign(
        Check::Record(Kind::Discovery, Some("discovery")),
        &discovery_body(),
        DUBLIN,
    );
    let dublin_roots = json!({
        "Compliance": scroll_root(DUBLIN, "Compliance", COMPLIANCE_SIZE),
        "Drills": scroll_root(DUBLIN, "Drills", 3)
    });
    let berlin_roots = json!({
        "Compliance": scroll_root(BERLIN, "Compliance", 6),
        "Drills": scroll_root(BERLIN, "Drills", 2)
    });
    vec![
        Example {
            name: "discovery",
            check: Check::Record(Kind::Discovery, Some("discovery")),
            signer: DUBLIN,
            body: discovery_body(),
            // §3, §9: the self-signature; an unsigned discovery record fails.
            deltas: vec![sig()],
        },
        Example {
            name: "trust-proposal",
            check: Check::Record(Kind::TrustProposal, Some("proposal")),
            signer: DUBLIN,
            body: json!({
                "proposal_id": "fed-proposal-2025-12-06-001",
                "proposer": DUBLIN,
                "target": BERLIN,
                "proposed_at": "2025-12-06T10:00:00Z",
                "expires_at": "2025-12-13T10:00:00Z",
                "proposed_trust_level": 2,
                "proposed_terms": {
                    "scrolls_to_share": ["Compliance"],
                    "verification_frequency": "hourly",
                    "retention_period_days": 365,
                    "data_jurisdiction": "EU",
                    "audit_rights": true
                },
                "proposer_attestations": {
                    // The document's "...": the receipt_hash of the proposer's signed
                    // discovery record, whose key signs this proposal.
                    "identity_proof": hash_of(&discovery),
                    "compliance_credentials": ["ISO27001", "SOC2"]
                }
            }),
            deltas: vec![],
        },
        Example {
            name: "agreement",
            check: Check::Agreement,
            signer: DUBLIN,
            body: agreement_body(),
            // §4: key_exchange maps each party's DID to its key.
            deltas: vec![Delta::Members("key_exchange", &[DUBLIN, BERLIN])],
        },
        Example {
            name: "witness-receipt",
            check: Check::Witness,
            signer: BERLIN,
            body: json!({
                "type": "fed_witness_event",
                "witness_id": "witness-2025-12-06-001",
                "witnessed_mesh": DUBLIN,
                "witnessing_mesh": BERLIN,
                "timestamp": "2025-12-06T12:05:00Z",
                "scroll": "Compliance",
                "witnessed_root": dublin_roots["Compliance"],
                "tree_size": COMPLIANCE_SIZE,
                "witnessed_anchor": {
                    "backend": "ethereum",
                    "tx_hash": format!("0x{}", tx_hash("dublin-compliance-8")),
                    "block_number": 12345678
                },
                "verification_method": "anchor_proof_validation",
                "verification_result": "verified",
                "samples_checked": 5,
                "discrepancies": []
            }),
            // §7: the size of the witnessed root.
            deltas: vec![Delta::Add("tree_size", J::Null)],
        },
        Example {
            name: "cross-anchor",
            check: Check::CrossAnchor,
            signer: BERLIN,
            body: json!({
                "type": "fed_cross_anchor",
                "anchoring_mesh": BERLIN,
                "anchored_mesh": DUBLIN,
                "anchoring_roots": berlin_roots,
                "roots_included": dublin_roots,
                "combined_root": combined_root(&[(BERLIN, &berlin_roots), (DUBLIN, &dublin_roots)]),
                "anchor_proof": {
                    "backend": "bitcoin",
                    "tx_hash": tx_hash("berlin-cross-anchor")
                },
                "timestamp": "2025-12-06T12:10:00Z"
            }),
            // §8: `roots_included` for the example's `dublin_roots_included`; the anchoring
            // mesh's own roots; a timestamp and the signature.
            deltas: vec![
                Delta::Rename("dublin_roots_included", "roots_included"),
                Delta::Add(
                    "anchoring_roots",
                    json!({"Compliance": null, "Drills": null}),
                ),
                Delta::Add("timestamp", J::Null),
                sig(),
            ],
        },
        Example {
            name: "gov-proposal",
            check: Check::Record(Kind::GovProposal, None),
            signer: SOVEREIGN,
            body: json!({
                "type": "gov_proposal",
                "proposal_id": "PROP-2025-12-001",
                "proposal_type": "amendment",
                "title": "Add Data Retention Article",
                "author": SOVEREIGN,
                "submitted_at": "2025-12-06T10:00:00Z",
                "deliberation_ends": "2025-12-13T10:00:00Z",
                "content": {
                    "target": "ARTICLE-VII",
                    "action": "add",
                    "text": {
                        "id": "ARTICLE-VII",
                        "name": "Data Retention",
                        // The document's `[...]`: the sections of the governance chain vector
                        // valid-prop-2025-12-001-data-retention.json.
                        "sections": [
                            {
                                "id": "ARTICLE-VII.1",
                                "title": "Retention Periods",
                                "text": "Derived data is kept no longer than its scroll's retention period; receipts themselves are never deleted (AXIOM-001)."
                            },
                            {
                                "id": "ARTICLE-VII.2",
                                "title": "Erasure Requests",
                                "text": "An erasure request removes derived data and is itself recorded as a receipt."
                            }
                        ]
                    }
                },
                "rationale": "Compliance with EU regulations",
                "status": "deliberation"
            }),
            deltas: vec![sig()],
        },
        Example {
            name: "gov-vote",
            check: Check::Record(Kind::GovVote, None),
            signer: SOVEREIGN,
            body: json!({
                "type": "gov_vote",
                "vote_id": "VOTE-2025-12-001-sovereign",
                "proposal_id": "PROP-2025-12-001",
                "voter": SOVEREIGN,
                "voted_at": "2025-12-14T10:00:00Z",
                "vote": "approve",
                "weight": 1.0,
                "comments": "Essential for compliance"
            }),
            deltas: vec![],
        },
        Example {
            name: "gov-ratification",
            check: Check::Record(Kind::GovRatification, None),
            signer: SOVEREIGN,
            body: json!({
                "type": "gov_ratification",
                "ratification_id": "RAT-2025-12-001",
                "proposal_id": "PROP-2025-12-001",
                "ratified_at": "2025-12-14T12:00:00Z",
                "ratified_by": SOVEREIGN,
                "vote_summary": {"approve": 1, "reject": 0, "abstain": 0},
                "quorum_met": true,
                "constitution_version_before": "1.0.0",
                "constitution_version_after": "1.1.0"
            }),
            deltas: vec![sig()],
        },
        Example {
            name: "gov-amendment",
            check: Check::Record(Kind::GovAmendment, None),
            signer: SOVEREIGN,
            body: json!({
                "type": "gov_amendment",
                "amendment_id": "AMEND-2025-12-001",
                "proposal_id": "PROP-2025-12-001",
                "effective_at": "2025-12-14T14:00:00Z",
                "anchor_proof": {
                    "backend": "ethereum",
                    "tx_hash": format!("0x{}", tx_hash("amend-2025-12-001"))
                },
                "constitution_hash_before": constitution_hash("genesis.json"),
                "constitution_hash_after": constitution_hash("constitution-1.1.0.json"),
                "activated_by": SOVEREIGN
            }),
            // §3: the activating actor signs.
            deltas: vec![Delta::Add("activated_by", J::Null), sig()],
        },
        Example {
            name: "gov-executive-order",
            check: Check::Record(Kind::GovExecutiveOrder, None),
            signer: SOVEREIGN,
            body: json!({
                "type": "gov_executive_order",
                "order_id": "EO-2025-12-001",
                "title": "Temporary Rate Limit Increase",
                "issued_by": SOVEREIGN,
                "issued_at": "2025-12-06T15:00:00Z",
                "authority": "ARTICLE-I.1",
                "order_type": "parameter_change",
                "content": {
                    "parameter": "guardian.anchor_rate_limit",
                    "old_value": "100/day",
                    "new_value": "500/day"
                },
                "duration": {"type": "temporary", "expires_at": "2026-01-01T00:00:00Z"}
            }),
            deltas: vec![sig()],
        },
        Example {
            name: "gov-emergency-declaration",
            check: Check::Record(Kind::GovExecutiveOrder, None),
            signer: SOVEREIGN,
            body: json!({
                "type": "gov_executive_order",
                "order_id": "EO-2025-12-002",
                "title": "Security Emergency",
                "issued_by": SOVEREIGN,
                "authority": "ARTICLE-VI.1",
                "order_type": "emergency",
                "content": {
                    "emergency_type": "security_incident",
                    "threat_description": "Active intrusion on BRICK-02",
                    "powers_invoked": [
                        "Suspend authentication delays",
                        "Enhanced logging",
                        "Immediate capability revocation"
                    ]
                },
                "duration": {
                    "type": "emergency",
                    "expires_at": "2025-12-09T03:50:00Z",
                    "renewable": true
                }
            }),
            deltas: vec![sig()],
        },
        Example {
            name: "gov-violation",
            check: Check::Record(Kind::GovViolation, None),
            signer: GUARDIAN,
            body: json!({
                "type": "gov_violation",
                "violation_id": "VIOL-2025-12-001",
                "detected_at": "2025-12-06T16:00:00Z",
                "detected_by": GUARDIAN,
                "violation_type": "unauthorized_action",
                "severity": "high",
                "details": {
                    "actor": AUTOMATION,
                    "action_attempted": "modify_receipt",
                    "rule_violated": "AXIOM-001",
                    "action_result": "blocked"
                },
                "evidence": {
                    "log_entries": [
                        "2025-12-06T15:59:58Z did:vm:agent:automation-01 modify_receipt Compliance#3: denied (AXIOM-001)"
                    ],
                    "request_hash": hash_of(&blocked_request())
                }
            }),
            deltas: vec![sig()],
        },
        Example {
            name: "gov-enforcement",
            check: Check::Record(Kind::GovEnforcement, None),
            signer: GUARDIAN,
            body: json!({
                "type": "gov_enforcement",
                "enforcement_id": "ENF-2025-12-001",
                "violation_id": "VIOL-2025-12-001",
                "enforced_at": "2025-12-06T16:05:00Z",
                "enforcement_type": "capability_suspension",
                "target": AUTOMATION,
                "action_taken": {
                    "capability_suspended": "write",
                    "scope": "all_scrolls",
                    "duration": "pending_review"
                },
                "review_required": true,
                "review_deadline": "2025-12-07T16:05:00Z",
                // Not named by the document: the detecting engine, which Article III.3 of the
                // governance vectors' constitution lets enforce.
                "enforced_by": GUARDIAN
            }),
            // §3: the enforcing actor signs.
            deltas: vec![Delta::Add("enforced_by", J::Null), sig()],
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// Signing with the core's own signing functions.

fn with_core<R>(record: &J, f: impl FnOnce(&mut Object<'_>) -> R) -> R {
    let text = record.to_string();
    let value = vjson::parse_record(text.as_bytes(), &Limits::default()).unwrap();
    let Value::Object(mut object) = value else {
        unreachable!()
    };
    f(&mut object)
}

fn core_to_json(v: &Value<'_>) -> J {
    serde_json::from_slice(&v.to_canonical()).unwrap()
}

/// `body` signed by `signer` as the kind `check` names. Only the signature members come from
/// the core, so the rest keeps the example's writing (`1.0` stays `1.0`).
fn sign(check: Check, body: &J, signer: &str) -> J {
    let mut out = body.clone();
    let map = out.as_object_mut().unwrap();
    if check == Check::Agreement {
        let (hash, signatures) = with_core(body, |o| {
            for (party, signed_at) in AGREEMENT_SIGNED_AT {
                federation::sign_agreement(o, party, signed_at, &secret(party));
            }
            (
                core_to_json(o.get("agreement_hash").unwrap()),
                core_to_json(o.get("signatures").unwrap()),
            )
        });
        map.insert("agreement_hash".into(), hash);
        map.insert("signatures".into(), signatures);
    } else {
        let kind = check.kind();
        let field = kind.spec().signature_field;
        let signature = with_core(body, |o| {
            record::sign_record(o, kind, &secret(signer));
            core_to_json(o.get(field).unwrap())
        });
        map.insert(field.into(), signature);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// One-member variants.

fn parts(path: &str) -> (Vec<&str>, &str) {
    let mut p: Vec<&str> = path.split('.').collect();
    let last = p.pop().unwrap();
    (p, last)
}

fn parent<'j>(record: &'j mut J, path: &[&str]) -> &'j mut Map<String, J> {
    let mut at = record;
    for p in path {
        at = at.get_mut(*p).unwrap_or_else(|| panic!("no member {p}"));
    }
    at.as_object_mut().unwrap()
}

/// `record` with member `path` (dotted) set to `value`; the member must exist already unless
/// `add`.
fn set(record: &J, path: &str, value: J) -> J {
    let mut out = record.clone();
    let (p, last) = parts(path);
    let map = parent(&mut out, &p);
    assert!(map.contains_key(last), "{path} not in the record");
    map.insert(last.into(), value);
    out
}

fn remove(record: &J, path: &str) -> J {
    let mut out = record.clone();
    let (p, last) = parts(path);
    assert!(
        parent(&mut out, &p).remove(last).is_some(),
        "{path} not in the record"
    );
    out
}

fn rename(record: &J, from: &str, to: &str) -> J {
    let mut out = record.clone();
    let map = out.as_object_mut().unwrap();
    let v = map.remove(from).unwrap();
    map.insert(to.into(), v);
    out
}

/// A variant of an example: a changed record and the verdict it must get.
struct Variant {
    name: String,
    record: J,
    /// `None`: still valid.
    expect: Option<E>,
    /// The kind the case names, when it differs from the example's.
    kind: Option<&'static str>,
    /// An agreement the cross-anchor is checked against.
    agreement: Option<J>,
}

/// Builds the variants of one example: changes re-signed by the example's signer (so the
/// change is the only defect: a well-signed record with a malformed member is still invalid),
/// changes under the original signature, and changes signed by someone else.
struct Variants<'e> {
    example: &'e Example,
    signed: J,
    out: Vec<Variant>,
}

impl Variants<'_> {
    fn push(&mut self, name: &str, record: J, expect: Option<E>) -> &mut Variant {
        self.out.push(Variant {
            name: format!("{}: {name}", self.example.name),
            record,
            expect,
            kind: None,
            agreement: None,
        });
        self.out.last_mut().unwrap()
    }

    /// The unsigned body changed by `change`, then signed by the example's signer.
    fn resigned(&mut self, name: &str, expect: E, change: impl FnOnce(&J) -> J) -> &mut Variant {
        let record = sign(
            self.example.check,
            &change(&self.example.body),
            self.example.signer,
        );
        self.push(name, record, Some(expect))
    }

    /// The signed record changed by `change`, signature untouched.
    fn tampered(&mut self, name: &str, expect: E, change: impl FnOnce(&J) -> J) -> &mut Variant {
        let record = change(&self.signed);
        self.push(name, record, Some(expect))
    }

    /// The unsigned body changed by `change`, then signed by `signer`.
    fn signed_by(&mut self, name: &str, expect: E, signer: &str, change: impl FnOnce(&J) -> J) {
        let record = sign(self.example.check, &change(&self.example.body), signer);
        self.push(name, record, Some(expect));
    }

    fn signature_removed(&mut self) {
        let field = self.example.check.kind().spec().signature_field;
        self.tampered("signature removed", E::MissingSignature, |r| {
            remove(r, field)
        });
    }
}

fn variants(example: &Example, signed: &J) -> Vec<Variant> {
    let mut v = Variants {
        example,
        signed: signed.clone(),
        out: Vec::new(),
    };
    match example.name {
        "discovery" => {
            v.resigned("display_name removed", E::MissingField, |r| {
                remove(r, "display_name")
            });
            v.resigned("endpoints.verification removed", E::MissingField, |r| {
                remove(r, "endpoints.verification")
            });
            v.resigned("endpoints.federation not https", E::InvalidField, |r| {
                set(
                    r,
                    "endpoints.federation",
                    json!("http://federation.vaultmesh-dublin.io"),
                )
            });
            v.resigned(
                "trust_policy.min_trust_level 5",
                E::InvalidTrustLevel,
                |r| set(r, "trust_policy.min_trust_level", json!(5)),
            );
            v.resigned(
                "trust_policy.accepts_proposals a string",
                E::InvalidField,
                |r| set(r, "trust_policy.accepts_proposals", json!("yes")),
            );
            v.resigned("scrolls_available lower-case", E::InvalidField, |r| {
                set(r, "scrolls_available", json!(["compliance"]))
            });
            v.resigned("mesh_id a human DID", E::MalformedActorId, |r| {
                set(r, "mesh_id", json!(SOVEREIGN))
            });
            v.resigned(
                "public_key the document's placeholder",
                E::MalformedKey,
                |r| set(r, "public_key", json!("ed25519:z6Mk...")),
            );
            v.tampered(
                "display_name changed after signing",
                E::SignatureMismatch,
                |r| set(r, "display_name", json!("VaultMesh Dublin (2)")),
            );
            // The record is self-signed, but the keyring knows Dublin's key.
            v.signed_by(
                "public_key and signature of another mesh",
                E::KeyMismatch,
                BERLIN,
                |r| set(r, "public_key", json!(key_of(BERLIN))),
            );
            v.signature_removed();
        }
        "trust-proposal" => {
            v.resigned("proposed_terms removed", E::MissingField, |r| {
                remove(r, "proposed_terms")
            });
            v.resigned("proposed_trust_level 5", E::InvalidTrustLevel, |r| {
                set(r, "proposed_trust_level", json!(5))
            });
            v.resigned(
                "proposed_terms.retention_period_days a string",
                E::NotAnInteger,
                |r| set(r, "proposed_terms.retention_period_days", json!("365")),
            );
            v.resigned(
                "proposed_terms.retention_period_days 365.0",
                E::NotAnInteger,
                |r| set(r, "proposed_terms.retention_period_days", json!(365.0)),
            );
            v.resigned("expires_at a bare date", E::MalformedTimestamp, |r| {
                set(r, "expires_at", json!("2025-12-13"))
            });
            v.resigned("target not a DID", E::MalformedActorId, |r| {
                set(r, "target", json!("vaultmesh-berlin"))
            });
            v.resigned(
                "proposer_attestations.compliance_credentials a string",
                E::InvalidField,
                |r| {
                    set(
                        r,
                        "proposer_attestations.compliance_credentials",
                        json!("ISO27001"),
                    )
                },
            );
            v.tampered(
                "proposed_terms.scrolls_to_share widened after signing",
                E::SignatureMismatch,
                |r| {
                    set(
                        r,
                        "proposed_terms.scrolls_to_share",
                        json!(["Compliance", "Drills"]),
                    )
                },
            );
            v.signed_by("signed by the target", E::SignatureMismatch, BERLIN, |r| {
                r.clone()
            });
            v.tampered(
                "signature the document's placeholder",
                E::MalformedSignature,
                |r| set(r, "signature", json!("z58D...")),
            );
            v.resigned("verified as a typed gov_proposal", E::KindMismatch, |r| {
                let mut r = r.clone();
                r.as_object_mut()
                    .unwrap()
                    .insert("type".into(), json!("gov_proposal"));
                r
            })
            .kind = Some("proposal");
            v.signature_removed();
        }
        "agreement" => {
            v.resigned("terms removed", E::MissingField, |r| remove(r, "terms"));
            v.resigned("trust_level 5", E::InvalidTrustLevel, |r| {
                set(r, "trust_level", json!(5))
            });
            v.resigned("terms.audit_rights a string", E::InvalidField, |r| {
                set(r, "terms.audit_rights", json!("true"))
            });
            v.resigned("terms.scrolls_shared lower-case", E::InvalidField, |r| {
                set(r, "terms.scrolls_shared", json!(["compliance", "drills"]))
            });
            v.resigned(
                "established_at with an offset",
                E::MalformedTimestamp,
                |r| set(r, "established_at", json!("2025-12-06T16:00:00+00:00")),
            );
            v.resigned(
                "key_exchange with the document's per-mesh names",
                E::PartyMismatch,
                |r| {
                    set(
                        r,
                        "key_exchange",
                        json!({
                            "dublin_federation_key": key_of(DUBLIN),
                            "berlin_federation_key": key_of(BERLIN)
                        }),
                    )
                },
            );
            // Signed with that key, too: only the keyring tells it is not Berlin's.
            let mut body = agreement_body();
            body["key_exchange"][BERLIN] = json!(key_of(SOVEREIGN));
            let record = with_core(&body, |o| {
                federation::sign_agreement(o, DUBLIN, AGREEMENT_SIGNED_AT[0].1, &secret(DUBLIN));
                federation::sign_agreement(o, BERLIN, AGREEMENT_SIGNED_AT[1].1, &secret(SOVEREIGN));
                core_to_json(&Value::Object(o.clone()))
            });
            v.push(
                "key_exchange names another key for Berlin",
                record,
                Some(E::KeyMismatch),
            );
            v.tampered(
                "terms.retention_period_days changed after signing",
                E::AgreementHashMismatch,
                |r| set(r, "terms.retention_period_days", json!(365)),
            );
            v.tampered("agreement_hash in upper case", E::MalformedDigest, |r| {
                let h = r["agreement_hash"].as_str().unwrap();
                set(
                    r,
                    "agreement_hash",
                    json!(format!("blake3:{}", h[7..].to_uppercase())),
                )
            });
            v.tampered(
                "agreement_hash the document's placeholder",
                E::MalformedDigest,
                |r| set(r, "agreement_hash", json!("blake3:abc123...")),
            );
            v.tampered(
                "Berlin's signed_at changed after signing",
                E::SignatureMismatch,
                |r| {
                    let mut r = r.clone();
                    r["signatures"][BERLIN]["signed_at"] = json!("2025-12-06T16:30:00Z");
                    r
                },
            );
            v.tampered("Berlin's signature missing", E::PartyMismatch, |r| {
                let mut r = r.clone();
                r["signatures"].as_object_mut().unwrap().remove(BERLIN);
                r
            });
            v.tampered(
                "Berlin's signature the document's placeholder",
                E::MalformedSignature,
                |r| {
                    let mut r = r.clone();
                    r["signatures"][BERLIN]["signature"] = json!("z47C...");
                    r
                },
            );
            v.signature_removed();
        }
        "witness-receipt" => {
            v.resigned("tree_size removed", E::MissingField, |r| {
                remove(r, "tree_size")
            });
            v.resigned("tree_size a string", E::NotAnInteger, |r| {
                set(r, "tree_size", json!("8"))
            });
            v.resigned(
                "witnessed_root the document's placeholder",
                E::MalformedDigest,
                |r| set(r, "witnessed_root", json!("blake3:aaa111...")),
            );
            v.resigned("witnessed_anchor.backend removed", E::MissingField, |r| {
                remove(r, "witnessed_anchor.backend")
            });
            v.resigned(
                "witnessed_anchor.backend capitalised",
                E::InvalidField,
                |r| set(r, "witnessed_anchor.backend", json!("Ethereum")),
            );
            v.resigned(
                "verification_result not an allowed value",
                E::InvalidField,
                |r| set(r, "verification_result", json!("ok")),
            );
            v.resigned("scroll lower-case", E::InvalidField, |r| {
                set(r, "scroll", json!("compliance"))
            });
            v.resigned(
                "discrepancy without discrepancies",
                E::WitnessResultInconsistent,
                |r| set(r, "verification_result", json!("discrepancy")),
            );
            v.tampered(
                "samples_checked changed after signing",
                E::SignatureMismatch,
                |r| set(r, "samples_checked", json!(6)),
            );
            v.signed_by(
                "signed by the witnessed mesh",
                E::SignatureMismatch,
                DUBLIN,
                |r| r.clone(),
            );
            v.signed_by(
                "witnessing mesh without a known key",
                E::UnknownSigner,
                "did:vm:mesh:vaultmesh-oslo",
                |r| set(r, "witnessing_mesh", json!("did:vm:mesh:vaultmesh-oslo")),
            );
            v.signature_removed();
        }
        "cross-anchor" => {
            v.resigned(
                "the document's dublin_roots_included",
                E::MissingField,
                |r| rename(r, "roots_included", "dublin_roots_included"),
            );
            v.resigned("roots_included empty", E::EmptyRootsIncluded, |r| {
                set(r, "roots_included", json!({}))
            });
            v.resigned("a mesh anchoring itself", E::SelfAnchor, |r| {
                set(r, "anchored_mesh", json!(BERLIN))
            });
            v.resigned(
                "combined_root of other roots",
                E::CombinedRootMismatch,
                |r| set(r, "combined_root", json!(r["roots_included"]["Compliance"])),
            );
            v.resigned(
                "roots_included.Drills the document's placeholder",
                E::MalformedDigest,
                |r| set(r, "roots_included.Drills", json!("blake3:bbb222...")),
            );
            v.resigned("anchor_proof.backend removed", E::MissingField, |r| {
                remove(r, "anchor_proof.backend")
            });
            v.tampered(
                "timestamp changed after signing",
                E::SignatureMismatch,
                |r| set(r, "timestamp", json!("2025-12-06T12:11:00Z")),
            );
            let signed = v.signed.clone();
            // The document's agreement is at trust level 2; cross-anchors need 3 (attest).
            v.push(
                "against the document's agreement (trust level 2)",
                signed,
                Some(E::TrustLevelTooLow),
            )
            .agreement = Some(sign(Check::Agreement, &agreement_body(), DUBLIN));
            v.signature_removed();
        }
        "gov-proposal" => {
            v.resigned("content removed", E::MissingField, |r| remove(r, "content"));
            v.resigned("content.target removed", E::MissingField, |r| {
                remove(r, "content.target")
            });
            v.resigned(
                "content.action not an allowed value",
                E::InvalidField,
                |r| set(r, "content.action", json!("append")),
            );
            v.resigned("proposal_type not an allowed value", E::InvalidField, |r| {
                set(r, "proposal_type", json!("constitutional"))
            });
            v.resigned("status not an allowed value", E::InvalidField, |r| {
                set(r, "status", json!("voting"))
            });
            v.resigned("submitted_at a bare date", E::MalformedTimestamp, |r| {
                set(r, "submitted_at", json!("2025-12-06"))
            });
            v.resigned("author not a DID", E::MalformedActorId, |r| {
                set(r, "author", json!("sovereign"))
            });
            v.tampered("title changed after signing", E::SignatureMismatch, |r| {
                set(r, "title", json!("Remove Data Retention Article"))
            });
            v.signed_by(
                "author without a known key",
                E::UnknownSigner,
                STRANGER,
                |r| set(r, "author", json!(STRANGER)),
            );
            v.resigned("an unknown type", E::UnknownKind, |r| {
                set(r, "type", json!("gov_motion"))
            });
            v.resigned("verified as a gov_vote", E::KindMismatch, |r| r.clone())
                .kind = Some("gov_vote");
            v.signature_removed();
        }
        "gov-vote" => {
            v.resigned("weight removed", E::MissingField, |r| remove(r, "weight"));
            v.resigned("weight a string", E::InvalidField, |r| {
                set(r, "weight", json!("1.0"))
            });
            v.resigned("weight with seven decimals", E::InvalidField, |r| {
                set(r, "weight", json!(1.0000001))
            });
            v.resigned("weight negative", E::InvalidField, |r| {
                set(r, "weight", json!(-1))
            });
            v.resigned("vote not an allowed value", E::InvalidField, |r| {
                set(r, "vote", json!("yes"))
            });
            v.resigned(
                "voted_at with fractional seconds",
                E::MalformedTimestamp,
                |r| set(r, "voted_at", json!("2025-12-14T10:00:00.000Z")),
            );
            v.tampered("weight changed after signing", E::SignatureMismatch, |r| {
                set(r, "weight", json!(2.0))
            });
            v.tampered(
                "signature the document's placeholder",
                E::MalformedSignature,
                |r| set(r, "signature", json!("z58D...")),
            );
            // JCS writes 1.0 as 1: the same canonical bytes, so the same signature and hash.
            let same = set(&v.signed, "weight", json!(1));
            v.push(
                "weight written 1 instead of 1.0 (same canonical bytes)",
                same,
                None,
            );
            v.signature_removed();
        }
        "gov-ratification" => {
            v.resigned("quorum_met removed", E::MissingField, |r| {
                remove(r, "quorum_met")
            });
            v.resigned("vote_summary.abstain removed", E::MissingField, |r| {
                remove(r, "vote_summary.abstain")
            });
            v.resigned("vote_summary.approve a string", E::InvalidField, |r| {
                set(r, "vote_summary.approve", json!("1"))
            });
            v.resigned("quorum_met a string", E::InvalidField, |r| {
                set(r, "quorum_met", json!("true"))
            });
            v.resigned(
                "constitution_version_after without a patch",
                E::InvalidField,
                |r| set(r, "constitution_version_after", json!("1.1")),
            );
            v.resigned("ratified_by an engine", E::MalformedActorId, |r| {
                set(r, "ratified_by", json!("engine:governance"))
            });
            v.tampered(
                "vote_summary.approve changed after signing",
                E::SignatureMismatch,
                |r| set(r, "vote_summary.approve", json!(2)),
            );
            v.signature_removed();
        }
        "gov-amendment" => {
            v.resigned("activated_by removed", E::MissingField, |r| {
                remove(r, "activated_by")
            });
            v.resigned(
                "constitution_hash_after the document's placeholder",
                E::MalformedDigest,
                |r| set(r, "constitution_hash_after", json!("blake3:const_v1.1...")),
            );
            v.resigned(
                "constitution_hash_before of another algorithm",
                E::UnsupportedHashAlgorithm,
                |r| {
                    let h = r["constitution_hash_before"].as_str().unwrap();
                    set(
                        r,
                        "constitution_hash_before",
                        json!(format!("sha256:{}", &h[7..])),
                    )
                },
            );
            v.resigned("anchor_proof.backend removed", E::MissingField, |r| {
                remove(r, "anchor_proof.backend")
            });
            v.resigned("effective_at with a space", E::MalformedTimestamp, |r| {
                set(r, "effective_at", json!("2025-12-14 14:00:00Z"))
            });
            v.tampered(
                "constitution_hash_after changed after signing",
                E::SignatureMismatch,
                |r| {
                    set(
                        r,
                        "constitution_hash_after",
                        r["constitution_hash_before"].clone(),
                    )
                },
            );
            v.signed_by(
                "activated_by without a known key",
                E::UnknownSigner,
                STRANGER,
                |r| set(r, "activated_by", json!(STRANGER)),
            );
            v.signature_removed();
        }
        "gov-executive-order" => {
            v.resigned("authority removed", E::MissingField, |r| {
                remove(r, "authority")
            });
            v.resigned(
                "duration.expires_at a bare date",
                E::MalformedTimestamp,
                |r| set(r, "duration.expires_at", json!("2026-01-01")),
            );
            v.resigned("duration.type removed", E::MissingField, |r| {
                remove(r, "duration.type")
            });
            v.resigned("duration.type not an allowed value", E::InvalidField, |r| {
                set(r, "duration.type", json!("indefinite"))
            });
            v.resigned("order_type not a name", E::InvalidField, |r| {
                set(r, "order_type", json!("Parameter Change"))
            });
            v.resigned("content.parameter a number", E::InvalidField, |r| {
                set(r, "content.parameter", json!(100))
            });
            v.resigned("issued_by in upper case", E::MalformedActorId, |r| {
                set(r, "issued_by", json!("did:vm:human:Sovereign"))
            });
            // A member the tables do not define is still signed.
            v.tampered(
                "content.new_value changed after signing",
                E::SignatureMismatch,
                |r| set(r, "content.new_value", json!("5000/day")),
            );
            v.signature_removed();
        }
        "gov-emergency-declaration" => {
            v.resigned("title removed", E::MissingField, |r| remove(r, "title"));
            v.resigned("content.powers_invoked a string", E::InvalidField, |r| {
                set(r, "content.powers_invoked", json!("Enhanced logging"))
            });
            v.resigned("content.emergency_type not a name", E::InvalidField, |r| {
                set(r, "content.emergency_type", json!("Security Incident"))
            });
            v.resigned("duration.renewable a string", E::InvalidField, |r| {
                set(r, "duration.renewable", json!("yes"))
            });
            v.resigned(
                "duration.expires_at a leap second",
                E::MalformedTimestamp,
                |r| set(r, "duration.expires_at", json!("2025-12-09T03:50:60Z")),
            );
            v.tampered(
                "duration.expires_at extended after signing",
                E::SignatureMismatch,
                |r| set(r, "duration.expires_at", json!("2025-12-19T03:50:00Z")),
            );
            v.signature_removed();
        }
        "gov-violation" => {
            v.resigned("details removed", E::MissingField, |r| remove(r, "details"));
            v.resigned("details.rule_violated removed", E::MissingField, |r| {
                remove(r, "details.rule_violated")
            });
            v.resigned("details.actor not a DID", E::MalformedActorId, |r| {
                set(r, "details.actor", json!("automation-01"))
            });
            v.resigned(
                "evidence.request_hash the document's placeholder",
                E::MalformedDigest,
                |r| set(r, "evidence.request_hash", json!("blake3:...")),
            );
            v.resigned("evidence.log_entries not strings", E::InvalidField, |r| {
                set(r, "evidence.log_entries", json!([1]))
            });
            v.resigned("severity not an allowed value", E::InvalidField, |r| {
                set(r, "severity", json!("severe"))
            });
            v.resigned(
                "detected_by neither engine id nor DID",
                E::MalformedActorId,
                |r| set(r, "detected_by", json!("guardian")),
            );
            v.resigned(
                "detected_by an engine id in upper case",
                E::MalformedEngineId,
                |r| set(r, "detected_by", json!("engine:Guardian")),
            );
            v.tampered(
                "details.action_result changed after signing",
                E::SignatureMismatch,
                |r| set(r, "details.action_result", json!("allowed")),
            );
            v.signature_removed();
        }
        "gov-enforcement" => {
            v.resigned("enforced_by removed", E::MissingField, |r| {
                remove(r, "enforced_by")
            });
            v.resigned("review_deadline a bare date", E::MalformedTimestamp, |r| {
                set(r, "review_deadline", json!("2025-12-07"))
            });
            v.resigned("review_required a string", E::InvalidField, |r| {
                set(r, "review_required", json!("yes"))
            });
            v.resigned("action_taken a string", E::InvalidField, |r| {
                set(r, "action_taken", json!("suspend"))
            });
            v.resigned(
                "action_taken.capability_suspended not a name",
                E::InvalidField,
                |r| set(r, "action_taken.capability_suspended", json!("Write")),
            );
            v.resigned("target not a DID", E::MalformedActorId, |r| {
                set(r, "target", json!("automation-01"))
            });
            v.resigned("review without its decision", E::MissingField, |r| {
                let mut r = r.clone();
                r.as_object_mut()
                    .unwrap()
                    .insert("review".into(), json!({}));
                r
            });
            v.tampered(
                "action_taken.scope changed after signing",
                E::SignatureMismatch,
                |r| set(r, "action_taken.scope", json!("Compliance")),
            );
            v.signed_by(
                "enforced by its own target",
                E::UnknownSigner,
                AUTOMATION,
                |r| set(r, "enforced_by", json!(AUTOMATION)),
            );
            v.signature_removed();
        }
        other => panic!("no variants for {other}"),
    }
    v.out
}

// ---------------------------------------------------------------------------------------------
// Output files.

fn pretty(v: &J) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

fn invalid(e: E) -> J {
    json!({"valid": false, "error": e.name(), "code": e.code()})
}

/// What a valid record's case expects, computed here: `receipt_hash = blake3(JCS(record))`;
/// for agreements, `agreement_hash` over the body without `signatures` and `agreement_hash`.
fn valid(check: Check, record: &J) -> J {
    match check {
        Check::Agreement => {
            let mut body = record.clone();
            body.as_object_mut().unwrap().remove("signatures");
            body.as_object_mut().unwrap().remove("agreement_hash");
            json!({"valid": true, "agreement_hash": hash_of(&body), "trust_level": record["trust_level"]})
        }
        _ => json!({"valid": true, "receipt_hash": hash_of(record)}),
    }
}

fn case(
    name: &str,
    check: Check,
    kind: Option<&str>,
    record: &J,
    expect: J,
    agreement: Option<&J>,
) -> J {
    let mut c =
        json!({"name": name, "op": check.op(), "input": record.to_string(), "expect": expect});
    let kind = kind.or(match check {
        Check::Record(_, k) => k,
        _ => None,
    });
    if let Some(k) = kind {
        c["kind"] = json!(k);
    }
    if let Some(a) = agreement {
        c["agreement"] = json!(a.to_string());
    }
    c
}

const ABOUT: &str = "The record examples of the protocol document (protocol.md), one vector each \
in test-vectors/protocol/<name>.json, and one-member variants of each. Values are the \
document's where valid; member names follow the wire format where it differs (signature \
members, activated_by, enforced_by, tree_size, key_exchange keyed by party DID, \
roots_included). Keys: secret = blake3(\"vaultmesh-test-key:\" + actor id). Placeholders are \
replaced: roots are RFC 9162 BLAKE3 roots of stand-in scrolls of entries \
{\"mesh_id\",\"scroll\",\"seq\": i,\"type\":\"scroll_entry\"}, i = 0..size-1 (Dublin \
Compliance 8, Drills 3; Berlin Compliance 6, Drills 2); anchor tx hashes are \
blake3(\"vaultmesh-test-anchor:\" + label) in hex; identity_proof is the receipt_hash of the \
discovery vector; constitution hashes are blake3(JCS) of test-vectors/governance/genesis.json \
and constitution-1.1.0.json; evidence.request_hash is blake3(JCS) of the blocked request \
{\"action\":\"modify_receipt\",\"actor\":\"did:vm:agent:automation-01\",\"receipt_index\":3,\
\"requested_at\":\"2025-12-06T15:59:58Z\",\"scroll\":\"Compliance\"}. Variants re-signed after \
a change test that change alone; 'after signing' variants keep the original signature. \
Governance records are checked one by one (signature and members), not as a chain.";

/// Every generated file: (path under test-vectors/, contents).
fn generated() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut cases = Vec::new();
    for ex in examples() {
        let signed = sign(ex.check, &ex.body, ex.signer);
        files.push((format!("protocol/{}.json", ex.name), pretty(&signed)));
        cases.push(case(
            &format!("{}: the document's example", ex.name),
            ex.check,
            None,
            &signed,
            valid(ex.check, &signed),
            None,
        ));
        for var in variants(&ex, &signed) {
            let expect = match var.expect {
                Some(e) => invalid(e),
                None => valid(ex.check, &var.record),
            };
            cases.push(case(
                &var.name,
                ex.check,
                var.kind,
                &var.record,
                expect,
                var.agreement.as_ref(),
            ));
        }
    }
    files.push(("protocol/keyring.json".into(), pretty(&keyring_json())));
    files.push((
        "protocol.json".into(),
        pretty(&json!({
            "about": ABOUT,
            "generator": GENERATOR,
            "keyring": keyring_json(),
            "cases": cases
        })),
    ));
    files
}

#[test]
fn drift() {
    let bless = std::env::var_os("VAULTMESH_BLESS").is_some();
    let mut drifted = Vec::new();
    for (name, text) in generated() {
        let path = vectors_dir().join(&name);
        if bless {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            drifted.push(name);
        }
    }
    assert!(
        drifted.is_empty(),
        "files differ from the generator: {drifted:?}; run VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test protocol_examples"
    );
    // No stale vector from an example that was renamed or dropped.
    let expected: Vec<String> = examples().iter().map(|e| e.name.to_string()).collect();
    let mut present: Vec<String> = std::fs::read_dir(vectors_dir().join("protocol"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
        .filter(|n| n != "keyring")
        .collect();
    present.sort();
    let mut want: Vec<String> = expected
        .iter()
        .flat_map(|n| [n.clone(), format!("{n}.skeleton")])
        .collect();
    want.sort();
    assert_eq!(
        present, want,
        "test-vectors/protocol/ holds exactly a vector and a skeleton per example"
    );
}

// ---------------------------------------------------------------------------------------------
// Verification.

fn keyring() -> Keyring {
    Keyring::from_json(keyring_json().to_string().as_bytes()).unwrap()
}

fn read_vector(name: &str) -> String {
    std::fs::read_to_string(vectors_dir().join(format!("protocol/{name}.json"))).unwrap()
}

fn verify(check: Check, text: &str, keys: &Keyring) -> Result<(), Failure> {
    let value = vjson::parse_record(text.as_bytes(), &Limits::default())?;
    match check {
        Check::Record(kind, _) => record::verify_value(&value, Some(kind), keys).map(drop),
        Check::Agreement => federation::verify_agreement(&value, keys).map(drop),
        Check::Witness => federation::verify_witness(&value, keys, None).map(drop),
        Check::CrossAnchor => federation::verify_cross_anchor(&value, keys, None).map(drop),
    }
}

/// Strict Ed25519 over `"vaultmesh-sig-v1" ‖ 0 ‖ domain ‖ 0 ‖ JCS(body)`, built here (§3).
fn verify_by_hand(signer: &str, domain: &str, body: &J, signature: &str) {
    let mut message = b"vaultmesh-sig-v1\0".to_vec();
    message.extend_from_slice(domain.as_bytes());
    message.push(0);
    message.extend_from_slice(&canonical(body));
    let bytes = bs58_decode(signature.strip_prefix('z').unwrap());
    let signature = ed25519_dalek::Signature::from_slice(&bytes).unwrap();
    ed25519_dalek::VerifyingKey::from_bytes(&public_bytes(signer))
        .unwrap()
        .verify_strict(&message, &signature)
        .unwrap_or_else(|e| panic!("{domain} by {signer}: {e}"));
}

fn bs58_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut bytes: Vec<u8> = Vec::new(); // little-endian
    for c in text.chars() {
        let mut carry = ALPHABET.find(c).unwrap() as u32;
        for b in bytes.iter_mut() {
            carry += (*b as u32) * 58;
            *b = carry as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push(carry as u8);
            carry >>= 8;
        }
    }
    bytes.extend(text.chars().take_while(|c| *c == '1').map(|_| 0));
    bytes.reverse();
    bytes
}

#[test]
fn vectors_verify() {
    let keys = keyring();
    for ex in examples() {
        let text = read_vector(ex.name);
        verify(ex.check, &text, &keys).unwrap_or_else(|f| panic!("{}: {f}", ex.name));
        let record: J = serde_json::from_str(&text).unwrap();
        if ex.check == Check::Agreement {
            let hash = record["agreement_hash"].as_str().unwrap();
            for (party, signed_at) in AGREEMENT_SIGNED_AT {
                let entry = &record["signatures"][party];
                assert_eq!(entry["signed_at"], signed_at);
                let body = json!({"agreement_hash": hash, "signed_at": signed_at, "signer": party});
                verify_by_hand(
                    party,
                    "fed_agreement",
                    &body,
                    entry["signature"].as_str().unwrap(),
                );
            }
        } else {
            let spec = ex.check.kind().spec();
            let mut body = record.clone();
            let signature = body
                .as_object_mut()
                .unwrap()
                .remove(spec.signature_field)
                .unwrap();
            verify_by_hand(ex.signer, spec.domain, &body, signature.as_str().unwrap());
        }
        // Governance records are signed by the actor the document (or §3) names.
        if let Check::Record(kind, _) = ex.check {
            if let record::Signer::ActorField(field) = kind.spec().signer {
                assert_eq!(record[field], ex.signer, "{}", ex.name);
            }
        }
    }
}

#[test]
fn derived_values_hold() {
    let vector = |n| serde_json::from_str::<J>(&read_vector(n)).unwrap();
    // The proposal's identity proof is the hash of the proposer's discovery record.
    assert_eq!(
        vector("trust-proposal")["proposer_attestations"]["identity_proof"]
            .as_str()
            .unwrap(),
        hash_of(&vector("discovery"))
    );
    // The witnessed root is the Compliance root the cross-anchor includes for Dublin.
    assert_eq!(
        vector("witness-receipt")["witnessed_root"],
        vector("cross-anchor")["roots_included"]["Compliance"]
    );
    // The amendment's hashes are those the governance chain of the same proposal computes.
    let chain: J = serde_json::from_str(
        &std::fs::read_to_string(
            vectors_dir().join("governance/valid-prop-2025-12-001-data-retention.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let versions = &chain["expect"]["versions"];
    let amendment = vector("gov-amendment");
    assert_eq!(amendment["constitution_hash_before"], versions[0]["hash"]);
    assert_eq!(amendment["constitution_hash_after"], versions[1]["hash"]);
}

// ---------------------------------------------------------------------------------------------
// Member names.

/// The skeleton of a value, by the rules of `extract-skeletons.py`.
fn skeleton(v: &J) -> J {
    match v {
        J::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), skeleton(v))).collect()),
        J::Array(items) => {
            let mut inner: Option<J> = None;
            for item in items.iter().filter(|i| i.is_object() || i.is_array()) {
                let s = skeleton(item);
                inner = Some(match inner {
                    None => s,
                    Some(prev) => merge(prev, s),
                });
            }
            J::Array(inner.into_iter().collect())
        }
        _ => J::Null,
    }
}

fn merge(a: J, b: J) -> J {
    match (a, b) {
        (J::Object(mut a), J::Object(b)) => {
            for (k, v) in b {
                let merged = match a.remove(&k) {
                    Some(prev) => merge(prev, v),
                    None => v,
                };
                a.insert(k, merged);
            }
            J::Object(a)
        }
        (a, b) => {
            assert_eq!(a, b, "array elements of different shapes");
            a
        }
    }
}

/// `expected` (a document skeleton, `"..."` matching anything) against `actual`; returns the
/// paths that differ.
fn differences(expected: &J, actual: &J, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (J::String(s), _) if s == "..." => {}
        (J::Object(e), J::Object(a)) => {
            for k in e.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}{k} missing"));
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}{k} not in the document"));
            }
            for (k, ev) in e {
                if let Some(av) = a.get(k) {
                    differences(ev, av, &format!("{path}{k}."), out);
                }
            }
        }
        (J::Array(e), J::Array(a)) if e.len() == a.len() => {
            if let (Some(e), Some(a)) = (e.first(), a.first()) {
                differences(e, a, &format!("{path}[]."), out);
            }
        }
        (e, a) if e == a => {}
        _ => out.push(format!("{path} differs in shape")),
    }
}

fn apply(skeleton: &mut J, delta: &Delta) {
    let (path, last) = match delta {
        Delta::Add(p, _) | Delta::Rename(p, _) | Delta::Members(p, _) => parts(p),
    };
    let map = parent(skeleton, &path);
    match delta {
        Delta::Add(_, v) => {
            assert!(
                map.insert(last.into(), v.clone()).is_none(),
                "{last} already in the document"
            );
        }
        Delta::Rename(_, to) => {
            let v = map
                .remove(last)
                .unwrap_or_else(|| panic!("{last} not in the document"));
            map.insert(to.to_string(), v);
        }
        Delta::Members(_, names) => {
            assert!(map.contains_key(last), "{last} not in the document");
            map.insert(
                last.into(),
                J::Object(names.iter().map(|n| (n.to_string(), J::Null)).collect()),
            );
        }
    }
}

#[test]
fn member_names_match_the_document() {
    for ex in examples() {
        let path = vectors_dir().join(format!("protocol/{}.skeleton.json", ex.name));
        let mut expected: J = serde_json::from_str(
            &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap();
        for d in &ex.deltas {
            apply(&mut expected, d);
        }
        let actual = skeleton(&serde_json::from_str(&read_vector(ex.name)).unwrap());
        let mut diff = Vec::new();
        differences(&expected, &actual, "", &mut diff);
        assert!(
            diff.is_empty(),
            "{}: member names differ from the document: {diff:?}",
            ex.name
        );
    }
}

/// The committed skeletons are those the script extracts from the protocol document, when the
/// document is at hand (`VAULTMESH_PROTOCOL_MD`, else the design folder) and python3 runs.
#[test]
fn skeletons_are_the_documents() {
    let doc = std::env::var("VAULTMESH_PROTOCOL_MD")
        .unwrap_or_else(|_| "/work/shared/design/protocol.md".into());
    if !std::path::Path::new(&doc).exists() {
        eprintln!("skipped: {doc} not found");
        return;
    }
    let script = vectors_dir().join("protocol/extract-skeletons.py");
    match std::process::Command::new("python3")
        .arg(&script)
        .arg("--check")
        .arg(&doc)
        .output()
    {
        Err(e) => eprintln!("skipped: python3 not runnable: {e}"),
        Ok(out) => assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
fn a_skeleton_mismatch_is_caught() {
    let actual = skeleton(&json!({"a": {"b": 1, "c": [1]}, "d": [{"e": 1}, {"f": 2}], "x": [3]}));
    assert_eq!(
        actual,
        json!({"a": {"b": null, "c": []}, "d": [{"e": null, "f": null}], "x": []})
    );
    let mut diff = Vec::new();
    differences(
        &json!({"a": {"b": null, "z": null}, "d": "...", "x": []}),
        &actual,
        "",
        &mut diff,
    );
    assert_eq!(diff, ["a.z missing", "a.c not in the document"]);
    let mut diff = Vec::new();
    differences(
        &json!({"a": null, "d": [], "x": []}),
        &actual,
        "",
        &mut diff,
    );
    assert_eq!(diff, ["a. differs in shape", "d. differs in shape"]);
}

// ---------------------------------------------------------------------------------------------
// The case file.

/// One case's outcome in the `expect` form, as core/tests/vectors/run.rs judges it.
fn judge(file: &J, c: &J) -> J {
    let keys = Keyring::from_json(file["keyring"].to_string().as_bytes()).unwrap();
    let input = c["input"].as_str().unwrap();
    fn parse(t: &str) -> Result<Value<'_>, Failure> {
        vjson::parse_record(t.as_bytes(), &Limits::default()).map_err(Failure::from)
    }
    let outcome: Result<J, Failure> = (|| match c["op"].as_str().unwrap() {
        "verify_record" => {
            let kind = c["kind"].as_str().map(|k| Kind::from_name(k).unwrap());
            let v = record::verify_record(input.as_bytes(), kind, &keys, &Limits::default())?;
            Ok(json!({"receipt_hash": v.receipt_hash.to_string()}))
        }
        "verify_agreement" => {
            let a = federation::verify_agreement(&parse(input)?, &keys)?;
            Ok(
                json!({"agreement_hash": a.agreement_hash.to_string(), "trust_level": a.trust_level}),
            )
        }
        "verify_witness" => {
            let h = federation::verify_witness(&parse(input)?, &keys, None)?;
            Ok(json!({"receipt_hash": h.to_string()}))
        }
        "verify_cross_anchor" => {
            let agreement = match c["agreement"].as_str() {
                Some(a) => Some(federation::verify_agreement(&parse(a)?, &keys)?),
                None => None,
            };
            let h = federation::verify_cross_anchor(&parse(input)?, &keys, agreement.as_ref())?;
            Ok(json!({"receipt_hash": h.to_string()}))
        }
        op => panic!("unknown op {op}"),
    })();
    match outcome {
        Ok(J::Object(mut m)) => {
            m.insert("valid".into(), J::Bool(true));
            J::Object(m)
        }
        Ok(_) => unreachable!(),
        Err(f) => invalid(f.error),
    }
}

#[test]
fn cases() {
    let file: J = serde_json::from_str(
        &std::fs::read_to_string(vectors_dir().join("protocol.json")).unwrap(),
    )
    .unwrap();
    let cases = file["cases"].as_array().unwrap();
    let mut per_vector = std::collections::BTreeMap::<String, (usize, usize)>::new();
    for c in cases {
        assert_eq!(judge(&file, c), c["expect"], "case {}", c["name"]);
        let vector = c["name"]
            .as_str()
            .unwrap()
            .split(':')
            .next()
            .unwrap()
            .to_string();
        let counts = per_vector.entry(vector).or_default();
        if c["expect"]["valid"] == true {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }
    // Every example has its valid case and at least five rejected variants.
    assert_eq!(per_vector.len(), examples().len());
    for (vector, (valid, invalid)) in &per_vector {
        assert!(
            *valid >= 1 && *invalid >= 5,
            "{vector}: {valid} valid, {invalid} invalid"
        );
    }
}
