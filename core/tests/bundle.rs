//! Audit bundles: the deterministic generator of `test-vectors/bundles/` and the verdicts the
//! core gives them.
//!
//! `example.json` is a complete bundle of three meshes (keys, discovery records, an agreement,
//! three scrolls with checkpoints, consistency proofs, receipts and witnesses, a cross-anchor
//! and a governance chain) that verifies as valid. `tampered.json` is the same bundle with one
//! change per item listed in `tampered.expect.json`, which gives the verdict, failed check and
//! error of every item that is not valid; every other item stays valid. The browser, Node and
//! CLI tests read the same three files.
//!
//! `drift` fails when a committed file differs from the generator;
//! `VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test bundle` rewrites them.

use std::path::PathBuf;

use serde_json::{json, Value as J};
use vaultmesh_core::bundle::{self, Overall, Verdict, BUNDLE_LIMITS};
use vaultmesh_core::crypto;
use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::federation;
use vaultmesh_core::json::{self as vjson, Limits, Value};
use vaultmesh_core::merkle;
use vaultmesh_core::record::{self, Keyring, Kind};

const GENERATOR: &str =
    "cargo test -p vaultmesh-core --test bundle (VAULTMESH_BLESS=1 rewrites the files)";

const DUBLIN: &str = "did:vm:mesh:dublin";
const LISBON: &str = "did:vm:mesh:lisbon";
const OSLO: &str = "did:vm:mesh:oslo";
const SOVEREIGN: &str = "did:vm:human:sovereign";
const VOTERS: [(&str, u64); 3] = [
    ("did:vm:human:alice", 3),
    ("did:vm:human:bob", 2),
    ("did:vm:human:carol", 1),
];
const T0: &str = "2025-12-01T09:30:00Z";
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// `secret = blake3("vaultmesh-test-key:" ‖ name)`, as for the vectors (docs/SPEC.md §9).
fn secret(name: &str) -> [u8; 32] {
    *blake3::hash(format!("vaultmesh-test-key:{name}").as_bytes()).as_bytes()
}

fn key_of(name: &str) -> String {
    crypto::derive_public_key(&secret(name)).to_string()
}

fn at(seconds: i64) -> String {
    Timestamp::parse(T0)
        .unwrap()
        .checked_add_seconds(seconds)
        .unwrap()
        .to_string()
}

/// Parses serde JSON into a core value (owned text).
fn with_core<R>(v: &J, f: impl FnOnce(Value<'_>) -> R) -> R {
    let text = v.to_string();
    let limits = Limits {
        max_bytes: 64 << 20,
        max_depth: 80,
    };
    f(vjson::parse(text.as_bytes(), &limits).unwrap())
}

fn back(v: &Value<'_>) -> J {
    serde_json::from_slice(&v.to_canonical()).unwrap()
}

/// Signs `body` as `kind` with the key of `signer`.
fn sign(body: J, kind: Kind, signer: &str) -> J {
    with_core(&body, |mut v| {
        if let Value::Object(o) = &mut v {
            record::sign_record(o, kind, &secret(signer));
        }
        back(&v)
    })
}

fn leaf(record: &J) -> vaultmesh_core::Digest {
    with_core(record, |v| merkle::leaf_hash(&v.to_canonical()))
}

fn proof_json(v: Value<'static>) -> J {
    back(&v)
}

/// A scroll: its records, and the bundle section with checkpoints at `sizes`, consistency
/// proofs between consecutive ones, and the receipts `shown` (record index, checkpoint size).
fn scroll(
    mesh: &str,
    name: &str,
    records: &[J],
    sizes: &[u64],
    shown: &[(usize, u64)],
    times: &[String],
) -> (J, Vec<(u64, String)>) {
    let leaves: Vec<_> = records.iter().map(leaf).collect();
    let mut checkpoints = Vec::new();
    let mut roots = Vec::new();
    for (n, t) in sizes.iter().zip(times) {
        let root = merkle::root(&leaves[..*n as usize]).to_string();
        roots.push((*n, root.clone()));
        checkpoints.push(sign(
            json!({"type": "scroll_checkpoint", "mesh_id": mesh, "scroll": name, "tree_size": n, "root": root, "timestamp": t}),
            Kind::ScrollCheckpoint,
            mesh,
        ));
    }
    let consistency: Vec<J> = sizes
        .windows(2)
        .map(|w| {
            proof_json(
                merkle::prove_consistency(&leaves[..w[1] as usize], w[0])
                    .unwrap()
                    .to_value(),
            )
        })
        .collect();
    let receipts: Vec<J> = shown
        .iter()
        .map(|(i, n)| {
            let proof = merkle::prove_inclusion(&leaves[..*n as usize], *i as u64).unwrap();
            json!({"record": records[*i], "proof": proof_json(proof.to_value())})
        })
        .collect();
    (
        json!({"mesh_id": mesh, "scroll": name, "checkpoints": checkpoints, "consistency": consistency,
               "receipts": receipts, "witnesses": []}),
        roots,
    )
}

fn witness(by: &str, of: &str, scroll: &str, size: u64, root: &str, t: &str) -> J {
    sign(
        json!({"type": "fed_witness_event", "witness_id": format!("witness-{scroll}-{size}"), "witnessing_mesh": by,
               "witnessed_mesh": of, "timestamp": t, "scroll": scroll, "witnessed_root": root, "tree_size": size,
               "verification_method": "consistency_proof", "verification_result": "verified", "discrepancies": []}),
        Kind::WitnessReceipt,
        by,
    )
}

fn genesis() -> J {
    json!({
        "version": "1.0.0",
        "name": "Dublin Mesh Constitution",
        "axioms": [
            {"id": "AXIOM-001", "title": "Append-Only Receipts",
             "statement": "Receipts are never altered or deleted; every change is a new receipt appended to its scroll."},
            {"id": "AXIOM-002", "title": "Independent Verification",
             "statement": "Anyone holding the receipts can verify them offline, without trusting the mesh that made them."},
        ],
        "articles": [
            {"id": "ARTICLE-I", "name": "Governance Structure", "sections": [
                {"id": "ARTICLE-I.1", "title": "The Council",
                 "text": "The registered voters form the council; each votes with the weight the constitution registers."},
                {"id": "ARTICLE-I.2", "title": "The Sovereign",
                 "text": "The sovereign ratifies and activates amendments."},
            ]},
        ],
        "statutes": [
            {"id": "STATUTE-001", "name": "Receipt Retention Floor",
             "text": "Receipts of every scroll are retained for at least seven years."},
        ],
        "rules": {
            "min_deliberation_seconds": 7 * DAY,
            "min_voting_seconds": 3 * DAY,
            "quorum": {"numerator": 1, "denominator": 2},
            "thresholds": {
                "amend_article": {"numerator": 2, "denominator": 3, "comparison": "at_least", "sovereign_ratification": true},
                "change_rules": {"numerator": 2, "denominator": 3, "comparison": "at_least", "sovereign_ratification": true},
                "change_statute": {"numerator": 1, "denominator": 2, "comparison": "more_than", "sovereign_ratification": false},
                "add_engine": {"numerator": 1, "denominator": 2, "comparison": "more_than", "sovereign_ratification": true},
                "retire_engine": {"numerator": 1, "denominator": 2, "comparison": "more_than", "sovereign_ratification": true},
            },
            "max_emergency_seconds": 72 * HOUR,
            "max_emergency_renewals": 2,
            "max_review_seconds": 14 * DAY,
        },
        "voters": VOTERS.iter().map(|(v, w)| json!({"id": v, "key": key_of(v), "weight": w})).collect::<Vec<_>>(),
        "sovereign": {"id": SOVEREIGN, "key": key_of(SOVEREIGN)},
        "registered_engines": [],
    })
}

fn hash_of(doc: &J) -> String {
    with_core(doc, |v| {
        vaultmesh_core::governance::constitution_hash(&v).to_string()
    })
}

/// The governance receipts: a statute added by proposal, three votes, ratification, amendment.
fn governance_receipts(genesis: &J) -> Vec<J> {
    let pid = "PROP-2025-12-001";
    let statute = json!({"id": "STATUTE-002", "name": "Audit Bundles",
                         "text": "Every quarter the mesh publishes an audit bundle of its governance and compliance scrolls."});
    let mut next = genesis.clone();
    next["statutes"]
        .as_array_mut()
        .unwrap()
        .push(statute.clone());
    next["version"] = json!("1.0.1");
    let mut out = vec![sign(
        json!({"type": "gov_proposal", "proposal_id": pid, "proposal_type": "amendment", "title": "Quarterly audit bundles",
               "author": VOTERS[0].0, "submitted_at": at(0), "deliberation_ends": at(7 * DAY), "voting_ends": at(10 * DAY),
               "content": {"target": "STATUTE-002", "action": "add", "text": statute},
               "rationale": "Auditors should not need access to our servers to check our records.", "status": "deliberation"}),
        Kind::GovProposal,
        VOTERS[0].0,
    )];
    for (i, (voter, weight)) in VOTERS.iter().enumerate() {
        out.push(sign(
            json!({"type": "gov_vote", "vote_id": format!("VOTE-{i}"), "proposal_id": pid, "voter": voter,
                   "voted_at": at(7 * DAY + (i as i64 + 1) * HOUR), "vote": "approve", "weight": weight}),
            Kind::GovVote,
            voter,
        ));
    }
    out.push(sign(
        json!({"type": "gov_ratification", "ratification_id": "RAT-2025-12-001", "proposal_id": pid,
               "ratified_at": at(10 * DAY + HOUR), "ratified_by": SOVEREIGN,
               "vote_summary": {"approve": 6, "reject": 0, "abstain": 0}, "quorum_met": true,
               "constitution_version_before": "1.0.0", "constitution_version_after": "1.0.1", "decision": "ratified"}),
        Kind::GovRatification,
        SOVEREIGN,
    ));
    out.push(sign(
        json!({"type": "gov_amendment", "amendment_id": "AMEND-2025-12-001", "proposal_id": pid,
               "effective_at": at(10 * DAY + 2 * HOUR), "constitution_hash_before": hash_of(genesis),
               "constitution_hash_after": hash_of(&next), "activated_by": SOVEREIGN}),
        Kind::GovAmendment,
        SOVEREIGN,
    ));
    out
}

fn discovery(mesh: &str, name: &str, scrolls: &[&str]) -> J {
    let host = mesh.rsplit(':').next().unwrap();
    sign(
        json!({"mesh_id": mesh, "display_name": name,
               "endpoints": {"federation": format!("https://federation.{host}.mesh.example"),
                             "verification": format!("https://verify.{host}.mesh.example")},
               "public_key": key_of(mesh), "scrolls_available": scrolls,
               "trust_policy": {"accepts_proposals": true, "min_trust_level": 1, "requires_mutual": true},
               "attestations": []}),
        Kind::Discovery,
        mesh,
    )
}

fn agreement() -> J {
    let mut a = json!({"agreement_id": "AGR-2025-007", "parties": [DUBLIN, LISBON], "trust_level": 3,
                       "key_exchange": {DUBLIN: key_of(DUBLIN), LISBON: key_of(LISBON)},
                       "established_at": at(-20 * DAY),
                       "terms": {"scrolls_shared": ["Governance", "Compliance", "Treasury"], "verification_frequency": "hourly",
                                 "retention_period_days": 2555, "data_jurisdiction": "EU", "audit_rights": true,
                                 "dispute_resolution": "arbitration"}});
    with_core(&a.clone(), |mut v| {
        if let Value::Object(o) = &mut v {
            federation::sign_agreement(o, DUBLIN, &at(-21 * DAY), &secret(DUBLIN));
            federation::sign_agreement(o, LISBON, &at(-20 * DAY - HOUR), &secret(LISBON));
        }
        a = back(&v);
    });
    a
}

fn cross_anchor(anchoring_roots: J, roots_included: J, t: &str) -> J {
    let combined = with_core(&json!([anchoring_roots, roots_included]), |v| {
        let items = v.as_array().unwrap();
        federation::combined_root(
            (DUBLIN, items[0].as_object().unwrap()),
            (LISBON, items[1].as_object().unwrap()),
        )
        .unwrap()
        .to_string()
    });
    sign(
        json!({"type": "fed_cross_anchor", "anchoring_mesh": DUBLIN, "anchored_mesh": LISBON,
               "anchoring_roots": anchoring_roots, "roots_included": roots_included, "combined_root": combined,
               "timestamp": t}),
        Kind::CrossAnchor,
        DUBLIN,
    )
}

/// The example bundle.
fn example() -> J {
    let genesis = genesis();
    let gov = governance_receipts(&genesis);
    let (mut governance, gov_roots) = scroll(
        DUBLIN,
        "Governance",
        &gov,
        &[3, 6],
        &[(0, 6), (1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (1, 3)],
        &[at(7 * DAY + 3 * HOUR), at(10 * DAY + 3 * HOUR)],
    );
    let checks: Vec<J> = (0..5)
        .map(|i| {
            json!({"type": "compliance_check", "seq": i, "control": format!("CTRL-{:03}", i + 1),
                   "result": if i == 3 { "fail" } else { "pass" }, "checked_at": at(i * DAY)})
        })
        .collect();
    let (compliance, comp_roots) = scroll(
        DUBLIN,
        "Compliance",
        &checks,
        &[2, 5],
        &[(0, 5), (3, 5)],
        &[at(2 * DAY), at(5 * DAY)],
    );
    let entries: Vec<J> = (0..4)
        .map(|i| {
            json!({"type": "treasury_entry", "entry": format!("TX-{:04}", 100 + i), "amount_cents": 125_000 * (i + 1),
                   "currency": "EUR", "booked_at": at(i * DAY + 6 * HOUR)})
        })
        .collect();
    let (mut treasury, tre_roots) = scroll(
        LISBON,
        "Treasury",
        &entries,
        &[4],
        &[(2, 4)],
        &[at(4 * DAY)],
    );
    governance["witnesses"] = json!([
        witness(
            LISBON,
            DUBLIN,
            "Governance",
            6,
            &gov_roots[1].1,
            &at(10 * DAY + 4 * HOUR)
        ),
        witness(
            OSLO,
            DUBLIN,
            "Governance",
            3,
            &gov_roots[0].1,
            &at(7 * DAY + 4 * HOUR)
        ),
    ]);
    treasury["witnesses"] = json!([witness(
        DUBLIN,
        LISBON,
        "Treasury",
        4,
        &tre_roots[0].1,
        &at(4 * DAY + HOUR)
    )]);
    let anchor = cross_anchor(
        json!({"Governance": gov_roots[1].1, "Compliance": comp_roots[1].1}),
        json!({"Treasury": tre_roots[0].1}),
        &at(10 * DAY + 5 * HOUR),
    );
    let mut keys = serde_json::Map::new();
    for actor in [DUBLIN, LISBON, OSLO, SOVEREIGN]
        .into_iter()
        .chain(VOTERS.iter().map(|(v, _)| *v))
    {
        keys.insert(actor.to_string(), J::String(key_of(actor)));
    }
    json!({
        "type": "vaultmesh_audit_bundle",
        "version": 1,
        "created_at": at(11 * DAY),
        "description": "Example audit bundle: the Dublin mesh's governance and compliance scrolls, the Lisbon mesh's treasury scroll, their agreement and cross-anchor, witnesses from Lisbon and Oslo, and Dublin's governance chain. Every item verifies.",
        "keys": keys,
        "discovery": [discovery(DUBLIN, "Dublin Mesh", &["Governance", "Compliance"]), discovery(LISBON, "Lisbon Mesh", &["Treasury"])],
        "agreements": [agreement()],
        "scrolls": [governance, compliance, treasury],
        "cross_anchors": [anchor],
        "governance": {"genesis": genesis, "receipts": gov},
    })
}

/// Flips the last hex digit of a digest text.
fn flip(digest: &J) -> J {
    let mut s = digest.as_str().unwrap().to_string();
    let last = s.pop().unwrap();
    s.push(if last == '0' { '1' } else { '0' });
    J::String(s)
}

/// The tampered bundle, and what each change must do: (path, verdict, failed check, error).
fn tampered(
    example: &J,
) -> (
    J,
    Vec<(&'static str, &'static str, &'static str, &'static str)>,
) {
    let mut b = example.clone();
    b["description"] = json!("Tampered copy of the example bundle: one change in each item that tampered.expect.json lists; every other item still verifies.");
    b["discovery"][0]["endpoints"]["federation"] =
        json!("https://federation.dublin.attacker.example");
    b["scrolls"][0]["receipts"][2]["record"]["weight"] = json!(30);
    let p = &mut b["scrolls"][0]["consistency"][0]["path"][0];
    *p = flip(p);
    let p = &mut b["scrolls"][1]["receipts"][0]["proof"]["path"][0];
    *p = flip(p);
    let r = &mut b["scrolls"][2]["checkpoints"][0]["root"];
    *r = flip(r);
    let c = &mut b["cross_anchors"][0]["combined_root"];
    *c = flip(c);
    b["governance"]["receipts"][4]["decision"] = json!("rejected");
    let expect = vec![
        ("discovery[0]", "invalid", "record", "SIGNATURE_MISMATCH"),
        (
            "scrolls[0].receipts[2]",
            "invalid",
            "record",
            "SIGNATURE_MISMATCH",
        ),
        (
            "scrolls[0].consistency[0]",
            "invalid",
            "proof",
            "CONSISTENCY_PROOF_MISMATCH",
        ),
        (
            "scrolls[1].receipts[0]",
            "invalid",
            "inclusion",
            "INCLUSION_PROOF_MISMATCH",
        ),
        (
            "scrolls[2].checkpoints[0]",
            "invalid",
            "record",
            "SIGNATURE_MISMATCH",
        ),
        ("scrolls[2].receipts[0]", "not_checked", "checkpoint", ""),
        ("scrolls[2].witnesses[0]", "not_checked", "checkpoint", ""),
        (
            "cross_anchors[0]",
            "invalid",
            "record",
            "COMBINED_ROOT_MISMATCH",
        ),
        ("governance", "invalid", "chain", "SIGNATURE_MISMATCH"),
        (
            "governance.receipts[4]",
            "invalid",
            "chain",
            "SIGNATURE_MISMATCH",
        ),
        ("governance.receipts[5]", "not_checked", "chain", ""),
    ];
    (b, expect)
}

fn expect_file(expect: &[(&str, &str, &str, &str)]) -> J {
    let items: serde_json::Map<String, J> = expect
        .iter()
        .map(|(path, verdict, check, error)| {
            let mut e = json!({"verdict": verdict, "check": check});
            if !error.is_empty() {
                e["error"] = json!(error);
            }
            (path.to_string(), e)
        })
        .collect();
    json!({
        "about": "What verify_bundle reports for tampered.json: every item listed here has this verdict, failed (or unchecked) check and error; every other item is valid. The growth step 3 -> 6 of dublin/governance is unproven (its consistency proof fails).",
        "generator": GENERATOR,
        "verdict": "invalid",
        "items": items,
        "unproven_growth": 1,
    })
}

fn pretty(v: &J) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

/// Every generated file: (name, contents).
fn all() -> Vec<(&'static str, String)> {
    let ex = example();
    let (t, expect) = tampered(&ex);
    vec![
        ("example.json", pretty(&ex)),
        ("tampered.json", pretty(&t)),
        ("tampered.expect.json", pretty(&expect_file(&expect))),
    ]
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/bundles")
}

fn report(text: &str) -> bundle::BundleReport {
    bundle::verify_bundle(text.as_bytes(), &Keyring::new(), &BUNDLE_LIMITS).unwrap()
}

#[test]
fn drift() {
    let bless = std::env::var_os("VAULTMESH_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(dir()).unwrap();
    }
    let mut drifted = Vec::new();
    for (name, text) in all() {
        let path = dir().join(name);
        if bless {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            drifted.push(name);
        }
    }
    assert!(
        drifted.is_empty(),
        "bundle files differ from the generator: {drifted:?}; run VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test bundle"
    );
}

#[test]
fn example_is_valid() {
    let files = all();
    let r = report(&files[0].1);
    let bad: Vec<String> = r
        .items()
        .filter(|i| i.verdict() != Verdict::Valid)
        .map(|i| format!("{}: {:?} {:?}", i.path, i.verdict(), i.checks))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(r.overall(), Overall::Valid);
    let s = r.summary();
    assert_eq!((s.items, s.valid, s.unproven_growth), (s.valid, s.items, 0));
    assert!(s.items >= 30, "{s:?}");
    // Every key came from the bundle; none was pinned.
    assert!(r.keys.iter().all(|k| k.source == bundle::KeySource::Bundle));
    assert_eq!(r.scrolls[0].growth.len(), 1);
    assert!(r.scrolls[0].growth[0].proven);
    // The governance chain activated the statute: two versions.
    let chain = &r.governance[0].details;
    assert_eq!(
        chain
            .get("versions")
            .and_then(Value::as_array)
            .map(<[Value]>::len),
        Some(2)
    );
    // The cross-anchor's roots are the roots of three checkpoints of the bundle.
    let anchored = r.cross_anchors[0]
        .details
        .get("anchored_checkpoints")
        .and_then(Value::as_array)
        .map(<[Value]>::len);
    assert_eq!(anchored, Some(3));
}

#[test]
fn example_with_pinned_keys() {
    let files = all();
    let ex: J = serde_json::from_str(&files[0].1).unwrap();
    // The right key pinned: valid, and the source says so.
    let mut pinned = Keyring::new();
    pinned.insert(
        DUBLIN,
        vaultmesh_core::encoding::PublicKey::parse(&key_of(DUBLIN)).unwrap(),
    );
    let r = bundle::verify_bundle(files[0].1.as_bytes(), &pinned, &BUNDLE_LIMITS).unwrap();
    assert!(r.is_valid());
    assert_eq!(
        r.keys.iter().find(|k| k.actor == DUBLIN).map(|k| k.source),
        Some(bundle::KeySource::Pinned)
    );
    // A different key pinned for Dublin: its bundle key, discovery record, agreement and every
    // record Dublin signed fail.
    let mut wrong = Keyring::new();
    wrong.insert(
        DUBLIN,
        vaultmesh_core::encoding::PublicKey::parse(&key_of(OSLO)).unwrap(),
    );
    let r = bundle::verify_bundle(files[0].1.as_bytes(), &wrong, &BUNDLE_LIMITS).unwrap();
    assert_eq!(r.overall(), Overall::Invalid);
    let error = |path: &str| {
        r.items()
            .find(|i| i.path == path)
            .and_then(|i| i.failure())
            .map(|(_, f)| f.error.name())
    };
    assert_eq!(error("keys[\"did:vm:mesh:dublin\"]"), Some("KEY_MISMATCH"));
    assert_eq!(error("discovery[0]"), Some("KEY_MISMATCH"));
    assert_eq!(error("agreements[0]"), Some("KEY_MISMATCH"));
    assert_eq!(
        error("scrolls[0].checkpoints[0]"),
        Some("SIGNATURE_MISMATCH")
    );
    assert!(ex["keys"].is_object());
}

#[test]
fn tampered_fails_exactly_as_expected() {
    let files = all();
    let r = report(&files[1].1);
    let expect: J = serde_json::from_str(&files[2].1).unwrap();
    let items = expect["items"].as_object().unwrap();
    let mut seen = 0;
    for item in r.items() {
        match items.get(&item.path) {
            None => assert_eq!(
                item.verdict(),
                Verdict::Valid,
                "{}: {:?}",
                item.path,
                item.checks
            ),
            Some(e) => {
                seen += 1;
                assert_eq!(item.verdict().as_str(), e["verdict"], "{}", item.path);
                let check = item
                    .checks
                    .iter()
                    .find(|c| c.verdict != Verdict::Valid)
                    .unwrap();
                assert_eq!(check.name, e["check"], "{}", item.path);
                assert_eq!(
                    check.failure.map(|f| f.error.name()),
                    e["error"].as_str(),
                    "{}",
                    item.path
                );
            }
        }
    }
    assert_eq!(seen, items.len());
    assert_eq!(r.overall(), Overall::Invalid);
    assert_eq!(r.summary().unproven_growth, 1);
}

#[test]
fn report_document_round_trips_as_json() {
    let files = all();
    for (name, text) in &files[..2] {
        let doc = report(text).to_value().to_canonical();
        let parsed: J = serde_json::from_slice(&doc).unwrap();
        assert_eq!(parsed["type"], "vaultmesh_bundle_report", "{name}");
        // The canonical writer's output reads back under the strict parser.
        assert!(vjson::parse(&doc, &BUNDLE_LIMITS).is_ok());
    }
}
