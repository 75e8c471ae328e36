//! The genesis constitution of the protocol document (docs/SPEC.md §10.1): its axioms,
//! articles I–VI, statutes, rules, voters and the engine registry, with the keys a caller
//! gives. The test vectors (`core/examples/gen_governance_vectors.rs`, deterministic keys) and
//! `vm-node init` (fresh keys) build their genesis here, so both are the same document.
//!
//! [`with_node_parameters`] adds the section that lets the sovereign change a node parameter
//! by executive order (`parameter_change`, docs/SPEC.md §10.4): the node's genesis has it, the
//! vectors' does not.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{json, Value as J};

const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// The node parameters a `parameter_change` order may change in the node's genesis.
pub const NODE_PARAMETERS: [&str; 1] = ["node.max_batch"];

/// The genesis `document` with section `ARTICLE-I.4` ("Node Parameters"): the sovereign may
/// change the [`NODE_PARAMETERS`] by a temporary `parameter_change` order.
pub fn with_node_parameters(mut document: J) -> J {
    let section = json!({"id": "ARTICLE-I.4", "title": "Node Parameters",
        "text": "The sovereign may change a node parameter named here by a temporary order; the parameter returns to its configured value when the order expires or is revoked.",
        "grants": [{"power": "executive_order", "holders": [SOVEREIGN], "order_types": ["parameter_change"],
                    "temporary": true, "parameters": NODE_PARAMETERS}]});
    if let Some(sections) = document["articles"][0]["sections"].as_array_mut() {
        sections.push(section);
    }
    document
}

/// The sovereign of the genesis constitution.
pub const SOVEREIGN: &str = "did:vm:human:sovereign";
/// An actor the constitution does not know (the vectors' intruder).
pub const MALLORY: &str = "did:vm:human:mallory";
/// The Guardian's operating agent.
pub const GUARDIAN_AGENT: &str = "did:vm:agent:guardian-01";

/// The voters of the genesis constitution and their weights (total 12).
pub const VOTERS: [(&str, u64); 6] = [
    ("did:vm:human:alice", 3),
    ("did:vm:human:bob", 3),
    ("did:vm:human:carol", 2),
    ("did:vm:human:dave", 2),
    ("did:vm:human:erin", 1),
    ("did:vm:human:frank", 1),
];
/// A voter of the genesis constitution.
pub const ALICE: &str = VOTERS[0].0;
/// A voter of the genesis constitution.
pub const BOB: &str = VOTERS[1].0;
/// A voter of the genesis constitution.
pub const CAROL: &str = VOTERS[2].0;
/// A voter of the genesis constitution.
pub const DAVE: &str = VOTERS[3].0;
/// A voter of the genesis constitution.
pub const ERIN: &str = VOTERS[4].0;
/// A voter of the genesis constitution.
pub const FRANK: &str = VOTERS[5].0;

/// The twelve engines of the protocol's registry: (engine name, name, scroll, authority).
pub const ENGINES: [(&str, &str, &str, &str); 12] = [
    (
        "drills",
        "Security Drills",
        "Drills",
        "Security training and exercise management",
    ),
    (
        "oracle",
        "Compliance Oracle",
        "Compliance",
        "Compliance question answering",
    ),
    ("guardian", "Guardian", "Guardian", "Anchoring and sentinel"),
    ("treasury", "Treasury", "Treasury", "Financial tracking"),
    ("mesh", "Mesh", "Mesh", "Topology management"),
    ("offsec", "OffSec", "OffSec", "Security operations"),
    (
        "identity",
        "Identity",
        "Identity",
        "DID and capability management",
    ),
    (
        "observability",
        "Observability",
        "Observability",
        "Telemetry monitoring",
    ),
    (
        "automation",
        "Automation",
        "Automation",
        "Workflow execution",
    ),
    ("psi", "Ψ-Field", "PsiField", "Consciousness tracking"),
    ("federation", "Federation", "Federation", "Cross-mesh trust"),
    (
        "governance",
        "Governance",
        "Governance",
        "Constitutional enforcement",
    ),
];

fn section(id: &str, title: &str, text: &str, grants: J) -> J {
    let mut s = json!({"id": id, "title": title, "text": text});
    if grants.as_array().is_some_and(|g| !g.is_empty()) {
        s["grants"] = grants;
    }
    s
}

fn articles() -> J {
    json!([
        {"id": "ARTICLE-I", "name": "Governance Structure", "sections": [
            section("ARTICLE-I.1", "The Sovereign",
                "The sovereign ratifies and activates amendments and may issue operational and security directives.",
                json!([{"power": "executive_order", "holders": [SOVEREIGN], "order_types": ["operational_directive", "security_directive"]}])),
            section("ARTICLE-I.2", "The Council",
                "The registered voters form the council; each votes with the weight the constitution registers.", json!([])),
            section("ARTICLE-I.3", "Maintenance Windows",
                "The sovereign may open a maintenance window; every window states when it closes.",
                json!([{"power": "executive_order", "holders": [SOVEREIGN], "order_types": ["maintenance_window"], "temporary": true}])),
        ]},
        {"id": "ARTICLE-II", "name": "Amendment Procedure", "sections": [
            section("ARTICLE-II.1", "Proposals",
                "Any voter or the sovereign may propose a change; a proposal states its change in full.", json!([])),
            section("ARTICLE-II.2", "Deliberation and Voting",
                "Deliberation lasts at least the minimum the rules set; votes are cast after it ends and before ratification.", json!([])),
            section("ARTICLE-II.3", "Ratification and Activation",
                "The sovereign ratifies a proposal that met quorum and threshold and activates it no earlier than ratification.", json!([])),
        ]},
        {"id": "ARTICLE-III", "name": "Engine Governance", "sections": [
            section("ARTICLE-III.1", "Engine Registry",
                "Engines operate under this article; an engine added by amendment is pending until its anchor confirmation.", json!([])),
            section("ARTICLE-III.2", "Detection",
                "Active engines detect violations and record them as signed receipts.", json!([])),
            section("ARTICLE-III.3", "Enforcement",
                "The guardian engine and the sovereign may enforce against a recorded violation.",
                json!([{"power": "enforcement", "holders": ["engine:guardian", SOVEREIGN]}])),
        ]},
        {"id": "ARTICLE-IV", "name": "Rights and Protections", "sections": [
            section("ARTICLE-IV.1", "Due Process",
                "Every enforcement names a review deadline; the sovereign reviews it, and an enforcement not reviewed by its deadline lapses.",
                json!([{"power": "review", "holders": [SOVEREIGN]}])),
            section("ARTICLE-IV.2", "Right to Audit",
                "Every member may verify every receipt of the governance scroll without asking anyone's permission.", json!([])),
        ]},
        {"id": "ARTICLE-V", "name": "Federation", "sections": [
            section("ARTICLE-V.1", "Federation Directives",
                "The sovereign directs federation with other meshes within the agreements in force.",
                json!([{"power": "executive_order", "holders": [SOVEREIGN], "order_types": ["federation_directive"]}])),
            section("ARTICLE-V.2", "Witnessing",
                "Federated meshes witness each other's scroll roots as the agreements require.", json!([])),
        ]},
        {"id": "ARTICLE-VI", "name": "Emergency Powers", "sections": [
            section("ARTICLE-VI.1", "Declaration",
                "The sovereign may declare an emergency invoking these powers, for at most the maximum the rules set.",
                json!([{"power": "emergency", "holders": [SOVEREIGN],
                        "emergency_powers": ["suspend_federation", "freeze_treasury", "lockdown_scrolls", "suspend_capabilities",
                                             "Suspend authentication delays", "Enhanced logging", "Immediate capability revocation"]}])),
            section("ARTICLE-VI.2", "Limits",
                "An emergency not renewed lapses at its expiry; renewals are limited by the rules; axioms hold in every emergency.", json!([])),
        ]},
    ])
}

fn rules() -> J {
    let t = |n: u64, d: u64, cmp: &str, sov: bool| json!({"numerator": n, "denominator": d, "comparison": cmp, "sovereign_ratification": sov});
    json!({
        "min_deliberation_seconds": 7 * DAY,
        "min_voting_seconds": 3 * DAY,
        "quorum": {"numerator": 1, "denominator": 2},
        "thresholds": {
            "amend_article": t(2, 3, "at_least", true),
            "change_rules": t(2, 3, "at_least", true),
            "change_statute": t(1, 2, "more_than", false),
            "add_engine": t(1, 2, "more_than", true),
            "retire_engine": t(1, 2, "more_than", true),
        },
        "max_emergency_seconds": 72 * HOUR,
        "max_emergency_renewals": 2,
        "max_review_seconds": 14 * DAY,
    })
}

/// The genesis constitution: the protocol document's axioms, articles I–VI, statutes and
/// rules, the given voters (id, key, weight), the sovereign's key, and the twelve engines of
/// the registry, each with the key `engine_key(engine_id)` returns.
pub fn document(
    voters: &[(String, String, u64)],
    sovereign_key: &str,
    engine_key: &dyn Fn(&str) -> String,
) -> J {
    json!({
        "version": "1.0.0",
        "name": "VaultMesh Constitution",
        "axioms": [
            {"id": "AXIOM-001", "title": "Append-Only Receipts",
             "statement": "Receipts, once written, shall never be modified or deleted"},
            {"id": "AXIOM-002", "title": "Cryptographic Integrity",
             "statement": "All receipts include cryptographic hashes"},
            {"id": "AXIOM-003", "title": "Universal Receipting",
             "statement": "All significant changes produce receipts"},
            {"id": "AXIOM-004", "title": "Constitutional Supremacy",
             "statement": "No action may violate the Constitution"},
            {"id": "AXIOM-005", "title": "Axiom Immutability",
             "statement": "These axioms cannot be amended"},
        ],
        "articles": articles(),
        "statutes": [
            {"id": "STATUTE-001", "name": "Receipt Retention Floor",
             "text": "Receipts of every scroll are retained for at least seven years."},
            {"id": "STATUTE-002", "name": "Drill Cadence",
             "text": "Each engine runs a recovery drill at least once a quarter and records it in the Drills scroll."},
            {"id": "STATUTE-003", "name": "Key Rotation",
             "text": "Signing keys of engines are rotated at least once a year."},
        ],
        "rules": rules(),
        "voters": voters.iter().map(|(id, key, w)| json!({"id": id, "key": key, "weight": w})).collect::<Vec<_>>(),
        "sovereign": {"id": SOVEREIGN, "key": sovereign_key},
        "registered_engines": ENGINES.iter().map(|(name, display, scroll, authority)| {
            let id = format!("engine:{name}");
            json!({"engine_id": id, "name": display, "scroll": scroll, "authority": authority, "status": "active", "public_key": engine_key(&id)})
        }).collect::<Vec<_>>(),
    })
}
