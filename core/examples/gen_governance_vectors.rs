//! Writes `test-vectors/governance/`: the genesis constitution, the constitution the protocol's
//! example chain ends at, and every governance chain with its expected outcome.
//!
//! ```text
//! cargo run -p vaultmesh-core --example gen_governance_vectors --features signing
//! ```
//!
//! Deterministic: the secret key of actor `name` is `blake3("vaultmesh-test-key:" ‖ name)`, all
//! timestamps are fixed, and files are written with sorted keys. Each chain's `expect` is stated
//! by construction (the receipts are built to be valid, or broken at one receipt in one way),
//! and every next constitution is built here with plain JSON edits and hashed as
//! `blake3(JCS(document))`, independently of the core's `governance::apply`. `core/tests/governance.rs`
//! regenerates everything in memory and fails when a committed file differs.

#![allow(dead_code)] // Also included by the drift test and the bench, which use parts of it.

use serde_json::{json, Value as J};
use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::json::{self as vjson, Limits, Value};
use vaultmesh_core::record::{sign_record, Kind};
use vaultmesh_core::Error as E;

/// The command that writes these files.
pub const GENERATOR: &str =
    "cargo run -p vaultmesh-core --example gen_governance_vectors --features signing";

/// The directory, relative to the repository root.
pub const DIR: &str = "test-vectors/governance";

// ---------------------------------------------------------------------------------------------
// Keys, hashes, signatures, time.

/// `blake3("vaultmesh-test-key:" ‖ name)`, the Ed25519 seed of actor `name`.
pub fn secret(name: &str) -> [u8; 32] {
    *blake3::hash(format!("vaultmesh-test-key:{name}").as_bytes()).as_bytes()
}

/// The public key text of actor `name`.
pub fn key_of(name: &str) -> String {
    vaultmesh_core::crypto::derive_public_key(&secret(name)).to_string()
}

const BIG: Limits = Limits {
    max_bytes: 1 << 30,
    max_depth: 64,
};

/// JCS of a JSON value.
pub fn canonical(v: &J) -> Vec<u8> {
    vjson::canonicalize(v.to_string().as_bytes(), &BIG).expect("canonical JSON")
}

/// `blake3(JCS(v))` as digest text.
pub fn hash(v: &J) -> String {
    format!("blake3:{}", blake3::hash(&canonical(v)).to_hex())
}

/// Signs a governance receipt (its `type` names the kind) with the key of `key_name`.
pub fn sign_as(body: J, key_name: &str) -> J {
    let kind = Kind::from_domain(body["type"].as_str().expect("type")).expect("governance kind");
    let text = body.to_string();
    let mut v = vjson::parse(text.as_bytes(), &BIG).expect("record");
    if let Value::Object(o) = &mut v {
        sign_record(o, kind, &secret(key_name));
    }
    serde_json::from_slice(&v.to_canonical()).expect("signed record")
}

/// `t + seconds` as timestamp text.
pub fn at(t: &str, seconds: i64) -> String {
    Timestamp::parse(t)
        .expect("timestamp")
        .checked_add_seconds(seconds)
        .expect("in range")
        .to_string()
}

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// JSON with sorted keys, two-space indentation, arrays of scalars on one line.
pub fn pretty(v: &J) -> String {
    fn write(v: &J, indent: usize, out: &mut String) {
        let pad = |n: usize| " ".repeat(n);
        match v {
            J::Object(m) if !m.is_empty() => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push_str("{\n");
                for (i, k) in keys.iter().enumerate() {
                    out.push_str(&pad(indent + 2));
                    out.push_str(&J::String((*k).clone()).to_string());
                    out.push_str(": ");
                    write(&m[*k], indent + 2, out);
                    out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
            J::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
                out.push_str("[\n");
                for (i, x) in a.iter().enumerate() {
                    out.push_str(&pad(indent + 2));
                    write(x, indent + 2, out);
                    out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            J::Array(a) => {
                let items: Vec<String> = a.iter().map(J::to_string).collect();
                out.push('[');
                out.push_str(&items.join(", "));
                out.push(']');
            }
            _ => out.push_str(&v.to_string()),
        }
    }
    let mut s = String::new();
    write(v, 0, &mut s);
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------------
// The genesis constitution.

#[allow(unused_imports)] // Each includer uses some of them.
pub use vaultmesh_core::governance::genesis::{
    ALICE, BOB, CAROL, DAVE, ENGINES, ERIN, FRANK, GUARDIAN_AGENT, MALLORY, SOVEREIGN, VOTERS,
};

/// The genesis constitution with the given voters, each with its deterministic key.
pub fn genesis_with(voters: &[(String, u64)]) -> J {
    let voters: Vec<(String, String, u64)> = voters
        .iter()
        .map(|(id, w)| (id.clone(), key_of(id), *w))
        .collect();
    vaultmesh_core::governance::genesis::document(&voters, &key_of(SOVEREIGN), &key_of)
}

/// The genesis constitution of the vectors.
pub fn genesis() -> J {
    genesis_with(
        &VOTERS
            .iter()
            .map(|(v, w)| (v.to_string(), *w))
            .collect::<Vec<_>>(),
    )
}

// ---------------------------------------------------------------------------------------------
// Next constitutions, built with plain JSON edits (independent of governance::apply).

fn bump(version: &str, part: usize) -> String {
    let mut n: Vec<u64> = version.split('.').map(|p| p.parse().unwrap()).collect();
    n[part] += 1;
    for x in n.iter_mut().skip(part + 1) {
        *x = 0;
    }
    format!("{}.{}.{}", n[0], n[1], n[2])
}

const MAJOR: usize = 0;
const MINOR: usize = 1;
const PATCH: usize = 2;

fn next(doc: &J, part: usize, edit: impl FnOnce(&mut J)) -> J {
    let mut d = doc.clone();
    edit(&mut d);
    d["version"] = J::String(bump(doc["version"].as_str().unwrap(), part));
    d
}

fn entry_mut<'a>(list: &'a mut J, id: &str) -> &'a mut J {
    list.as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["id"] == id || e["engine_id"] == id)
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Receipts.

pub const T0: &str = "2025-12-01T09:30:00Z";

/// The wire `proposal_type` of a class of change (`amend_article` and `change_statute` are
/// both `amendment`).
fn wire_type(class: &str) -> &str {
    match class {
        "amend_article" | "change_statute" => "amendment",
        other => other,
    }
}

/// The version part a proposal bumps, by the rules of docs/SPEC.md §10.2 (restated here).
fn bump_part(proposal: &J) -> usize {
    let content = &proposal["content"];
    let target = content["target"].as_str().unwrap_or_default();
    match proposal["proposal_type"].as_str() {
        Some("amendment") if target.starts_with("STATUTE-") => PATCH,
        Some("amendment") if content["action"] == "remove" => MAJOR,
        _ => MINOR,
    }
}

/// The short form of a proposal id in other ids: `PROP-2025-12-001` → `2025-12-001`.
fn short(pid: &str) -> &str {
    pid.strip_prefix("PROP-").unwrap_or(pid)
}

pub fn proposal(
    id: &str,
    author: &str,
    class: &str,
    title: &str,
    content: J,
    submitted: &str,
    deliberation_days: i64,
) -> J {
    sign_as(
        json!({"type": "gov_proposal", "proposal_id": id, "proposal_type": wire_type(class), "title": title, "author": author,
               "submitted_at": submitted, "deliberation_ends": at(submitted, deliberation_days * DAY),
               "content": content, "status": "deliberation"}),
        author,
    )
}

pub fn vote(pid: &str, voter: &str, choice: &str, weight: u64, voted_at: &str) -> J {
    let name = voter.rsplit(':').next().unwrap_or(voter);
    // Weights are written as the protocol writes them (`1.0`): a number, equal to `1`.
    sign_as(
        json!({"type": "gov_vote", "vote_id": format!("VOTE-{}-{name}", short(pid)), "proposal_id": pid, "voter": voter,
               "voted_at": voted_at, "vote": choice, "weight": weight as f64}),
        voter,
    )
}

fn weight_of(voter: &str) -> u64 {
    VOTERS
        .iter()
        .find(|(v, _)| *v == voter)
        .map(|(_, w)| *w)
        .unwrap_or(1)
}

/// Votes by registered voters at their registered weight, one minute apart from `start`, and
/// the summary of them.
pub fn votes(pid: &str, ballots: &[(&str, &str)], start: &str) -> (Vec<J>, J) {
    let mut summary = json!({"approve": 0, "reject": 0, "abstain": 0});
    let mut out = Vec::new();
    for (i, (voter, choice)) in ballots.iter().enumerate() {
        let w = weight_of(voter);
        summary[*choice] = json!(summary[*choice].as_u64().unwrap() + w);
        out.push(vote(pid, voter, choice, w, &at(start, 60 * i as i64)));
    }
    (out, summary)
}

/// The sovereign's ratification moving `versions` (before, after); `decision` is written only
/// when it is `rejected` (the protocol's ratification has no `decision`: it ratifies).
pub fn ratification(
    pid: &str,
    summary: &J,
    quorum_met: bool,
    decision: &str,
    ratified_at: &str,
    (before, after): (&str, &str),
) -> J {
    let mut body = json!({"type": "gov_ratification", "ratification_id": format!("RAT-{}", short(pid)), "proposal_id": pid,
        "ratified_at": ratified_at, "ratified_by": SOVEREIGN, "vote_summary": summary, "quorum_met": quorum_met,
        "constitution_version_before": before, "constitution_version_after": after});
    if decision != "ratified" {
        body["decision"] = json!(decision);
    }
    sign_as(body, SOVEREIGN)
}

/// The external anchor the example chain's amendments name (not verified: docs/SPEC.md §10.3).
fn external_anchor(pid: &str) -> J {
    json!({"backend": "ethereum", "tx_hash": format!("0x{}", &blake3::hash(pid.as_bytes()).to_hex()[..64])})
}

pub fn amendment(
    amendment_id: &str,
    pid: &str,
    before: &J,
    after: &J,
    effective_at: &str,
    anchor_proof: Option<J>,
) -> J {
    let body = json!({"type": "gov_amendment", "amendment_id": amendment_id, "proposal_id": pid,
        "effective_at": effective_at, "anchor_proof": anchor_proof.unwrap_or_else(|| external_anchor(pid)),
        "constitution_hash_before": hash(before), "constitution_hash_after": hash(after), "activated_by": SOVEREIGN});
    sign_as(body, SOVEREIGN)
}

/// An executive order. `extra` may hold `expires_at` (becomes `duration`), `powers` (an
/// emergency's `content.powers_invoked`), `renews`, `revokes` or `content`.
pub fn order(id: &str, order_type: &str, authority: &str, issued_at: &str, extra: J) -> J {
    let emergency = order_type == "emergency";
    let title = if emergency {
        "Security Emergency".to_string()
    } else {
        order_type.replace('_', " ")
    };
    let mut body = json!({"type": "gov_executive_order", "order_id": id, "title": title, "issued_by": SOVEREIGN,
        "issued_at": issued_at, "authority": authority, "order_type": order_type});
    for (k, v) in extra.as_object().unwrap() {
        match k.as_str() {
            "expires_at" => {
                let kind = if emergency { "emergency" } else { "temporary" };
                body["duration"] = json!({"type": kind, "expires_at": v});
                if emergency {
                    body["duration"]["renewable"] = json!(true);
                }
            }
            "powers" => {
                body["content"] = json!({"emergency_type": "security_incident",
                    "threat_description": "Active intrusion on BRICK-02", "powers_invoked": v});
            }
            _ => body[k] = v.clone(),
        }
    }
    sign_as(body, SOVEREIGN)
}

pub fn violation(
    id: &str,
    engine: &str,
    rule: &str,
    severity: &str,
    actor: &str,
    detected_at: &str,
) -> J {
    sign_as(
        json!({"type": "gov_violation", "violation_id": id, "detected_at": detected_at, "detected_by": engine,
               "violation_type": "unauthorized_action", "severity": severity,
               "details": {"actor": actor, "action_attempted": "modify_receipt", "rule_violated": rule, "action_result": "blocked"},
               "evidence": {"log_entries": [format!("{detected_at} {actor} attempted modify_receipt: blocked by {engine}")],
                            "request_hash": format!("blake3:{}", blake3::hash(id.as_bytes()).to_hex())}}),
        engine,
    )
}

/// An enforcement (or, with `review`, a review) at `(enforced_at, review_deadline)`; `action`
/// holds its `enforcement_type` and `action_taken` (see [`suspension`]).
pub fn enforcement(
    id: &str,
    vid: &str,
    by: &str,
    target: &str,
    action: J,
    (enforced_at, deadline): (&str, &str),
    review: Option<J>,
) -> J {
    let mut body = json!({"type": "gov_enforcement", "enforcement_id": id, "violation_id": vid, "enforced_at": enforced_at,
        "target": target, "review_required": true, "review_deadline": deadline, "enforced_by": by});
    for (k, v) in action.as_object().unwrap() {
        body[k] = v.clone();
    }
    if let Some(r) = review {
        body["review"] = r;
    }
    sign_as(body, by)
}

/// Re-signs a receipt after editing it, by the actor its kind names.
fn resign(mut r: J, edit: impl FnOnce(&mut J)) -> J {
    edit(&mut r);
    let signer = [
        "author",
        "voter",
        "ratified_by",
        "activated_by",
        "issued_by",
        "detected_by",
        "enforced_by",
    ]
    .iter()
    .find_map(|f| r[*f].as_str())
    .unwrap()
    .to_string();
    sign_as(r, &signer)
}

// ---------------------------------------------------------------------------------------------
// Chains.

/// A chain under construction: the genesis, the receipts, and the constitution after each
/// amendment (`versions`).
pub struct Chain {
    pub genesis: J,
    pub receipts: Vec<J>,
    pub versions: Vec<J>,
}

impl Chain {
    /// The proposal receipt with this id.
    fn proposal_of(&self, pid: &str) -> Option<&J> {
        self.receipts
            .iter()
            .find(|r| r["type"] == "gov_proposal" && r["proposal_id"] == pid)
    }

    /// `constitution_version_before` and `_after` of a ratification of `pid` with `decision`
    /// now: the version in force, and its bump by the proposal's class when ratified.
    fn ratified_versions(&self, pid: &str, decision: &str) -> (String, String) {
        let before = self.doc()["version"].as_str().unwrap().to_string();
        let after = match (decision, self.proposal_of(pid)) {
            ("ratified", Some(p)) => bump(&before, bump_part(p)),
            _ => before.clone(),
        };
        (before, after)
    }
}

impl Default for Chain {
    fn default() -> Chain {
        Chain::new()
    }
}

impl Chain {
    pub fn new() -> Chain {
        let g = genesis();
        Chain {
            genesis: g.clone(),
            receipts: Vec::new(),
            versions: vec![g],
        }
    }

    pub fn doc(&self) -> &J {
        self.versions.last().unwrap()
    }

    pub fn push(&mut self, r: J) -> usize {
        self.receipts.push(r);
        self.receipts.len() - 1
    }

    pub fn extend(&mut self, rs: Vec<J>) {
        self.receipts.extend(rs);
    }

    /// A chain from the genesis with `receipts`.
    pub fn of(receipts: impl IntoIterator<Item = J>) -> Chain {
        let mut c = Chain::new();
        c.receipts.extend(receipts);
        c
    }

    /// The chain cut back to its first `n` receipts (none of them past an amendment).
    pub fn first(mut self, n: usize) -> Chain {
        assert_eq!(self.versions.len(), 1, "cutting back past an amendment");
        self.receipts.truncate(n);
        self
    }

    /// Votes by `ballots` from `start` (see [`votes`]) and the sovereign's ratification with
    /// `decision` at `ratified_at`, claiming quorum; returns the ratification's index.
    pub fn vote_and_ratify(
        &mut self,
        pid: &str,
        ballots: &[(&str, &str)],
        start: &str,
        decision: &str,
        ratified_at: &str,
    ) -> usize {
        let (vs, summary) = votes(pid, ballots, start);
        self.extend(vs);
        let (before, after) = self.ratified_versions(pid, decision);
        self.push(ratification(
            pid,
            &summary,
            true,
            decision,
            ratified_at,
            (&before, &after),
        ))
    }

    /// Inserts `r` as receipt `i`; returns `i`.
    pub fn insert(&mut self, i: usize, r: J) -> usize {
        self.receipts.insert(i, r);
        i
    }

    /// Edits receipt `i` and signs it again by the actor it names; returns `i`.
    pub fn resign_at(&mut self, i: usize, edit: impl FnOnce(&mut J)) -> usize {
        self.receipts[i] = resign(self.receipts[i].clone(), edit);
        i
    }

    /// Signs receipt `i` again, unchanged, with the key of `key_name`; returns `i`.
    pub fn forge_at(&mut self, i: usize, key_name: &str) -> usize {
        self.receipts[i] = sign_as(self.receipts[i].clone(), key_name);
        i
    }

    /// Appends an amendment moving to `after`.
    pub fn amend(
        &mut self,
        pid: &str,
        after: J,
        effective_at: &str,
        anchor_proof: Option<J>,
    ) -> usize {
        let earlier = self
            .receipts
            .iter()
            .filter(|r| r["type"] == "gov_amendment" && r["proposal_id"] == pid)
            .count();
        let id = match earlier {
            0 => format!("AMEND-{}", short(pid)),
            n => format!("AMEND-{}-{}", short(pid), n + 1),
        };
        let r = amendment(&id, pid, self.doc(), &after, effective_at, anchor_proof);
        self.versions.push(after);
        self.push(r)
    }

    fn file(&self, name: &str, description: &str, expect: J) -> (String, J) {
        let file = json!({
            "about": "A governance chain (docs/SPEC.md §10.3.1): the genesis constitution and the ordered governance receipts. \
                      Keys: secret = blake3(\"vaultmesh-test-key:\" ‖ actor id). `expect` is the verdict by construction: \
                      {\"valid\": true, final version and hash, every version} or {\"valid\": false, index of the failing receipt, error name and code}.",
            "generator": GENERATOR,
            "description": description,
            "genesis": self.genesis,
            "receipts": self.receipts,
            "expect": expect,
        });
        (format!("{name}.json"), file)
    }

    /// The chain as a valid vector file, with `queries` (may be empty).
    pub fn valid(&self, name: &str, description: &str, queries: Vec<J>) -> (String, J) {
        let versions: Vec<J> = self
            .versions
            .iter()
            .map(|v| json!({"version": v["version"], "hash": hash(v)}))
            .collect();
        let last = self.doc();
        let mut expect = json!({"valid": true, "final_version": last["version"], "final_hash": hash(last), "versions": versions});
        if !queries.is_empty() {
            expect["queries"] = J::Array(queries);
        }
        self.file(name, description, expect)
    }

    /// The chain as a failing vector file: receipt `index` fails with `error`.
    pub fn invalid(&self, name: &str, description: &str, index: usize, error: E) -> (String, J) {
        assert!(
            index < self.receipts.len(),
            "{name}: index {index} out of range"
        );
        self.file(
            name,
            description,
            json!({"valid": false, "index": index, "error": error.name(), "code": error.code()}),
        )
    }
}

fn emergency_query(at_time: &str, powers: &[(&str, &str)]) -> J {
    json!({"op": "emergency_powers_at", "at": at_time,
           "expect": powers.iter().map(|(o, p)| json!({"order_id": o, "power": p})).collect::<Vec<_>>()})
}

fn suspension_query(actor: &str, at_time: &str, caps: &[(&str, &str)]) -> J {
    json!({"op": "suspended_capabilities", "actor": actor, "at": at_time,
           "expect": caps.iter().map(|(c, e)| json!({"capability": c, "enforcement_id": e})).collect::<Vec<_>>()})
}

// --- PROP-2025-12-001: ARTICLE-VII Data Retention, 1.0.0 → 1.1.0 -----------------------------

pub const P1: &str = "PROP-2025-12-001";

/// The content of PROP-2025-12-001 as the protocol writes it: target, action, and the article.
fn article_vii() -> J {
    json!({
        "target": "ARTICLE-VII",
        "action": "add",
        "text": {"id": "ARTICLE-VII", "name": "Data Retention", "sections": [
            {"id": "ARTICLE-VII.1", "title": "Retention Periods",
             "text": "Derived data is kept no longer than its scroll's retention period; receipts themselves are never deleted (AXIOM-001)."},
            {"id": "ARTICLE-VII.2", "title": "Erasure Requests",
             "text": "An erasure request removes derived data and is itself recorded as a receipt."},
        ]},
    })
}

fn add_article(doc: &J, change: &J) -> J {
    next(doc, MINOR, |d| {
        d["articles"]
            .as_array_mut()
            .unwrap()
            .push(change["text"].clone());
    })
}

const P1_BALLOTS: [(&str, &str); 6] = [
    (ALICE, "approve"),
    (BOB, "approve"),
    (CAROL, "approve"),
    (DAVE, "reject"),
    (ERIN, "approve"),
    (FRANK, "abstain"),
];

/// PROP-2025-12-001 by `author`, adding `change` (ARTICLE-VII), seven days of deliberation.
fn article_vii_proposal(author: &str, change: J, submitted: &str) -> J {
    proposal(
        P1,
        author,
        "amend_article",
        "Add Data Retention Article",
        change,
        submitted,
        7,
    )
}

/// When the example chain's amendment takes effect.
const P1_EFFECTIVE: &str = "2025-12-17T00:00:00Z";

/// The protocol's example chain, with `ballots` and the ratification built from them.
fn p1_chain(ballots: &[(&str, &str)]) -> Chain {
    let mut c = Chain::new();
    let mut p = article_vii_proposal(SOVEREIGN, article_vii(), T0);
    p = resign(p, |p| {
        p["voting_ends"] = json!("2025-12-15T09:30:00Z");
        p["rationale"] = json!("Compliance with EU regulations");
    });
    c.push(p);
    c.vote_and_ratify(
        P1,
        ballots,
        "2025-12-09T10:00:00Z",
        "ratified",
        "2025-12-16T09:30:00Z",
    );
    c
}

/// The example chain as ratified, before its amendment.
fn p1_ratified() -> Chain {
    p1_chain(&P1_BALLOTS)
}

impl Chain {
    /// Appends PROP-2025-12-001's amendment, to the constitution in force with ARTICLE-VII added
    /// and then `edit`ed; returns its index.
    fn amend_article_vii(&mut self, edit: impl FnOnce(&mut J)) -> usize {
        let mut after = add_article(self.doc(), &article_vii());
        edit(&mut after);
        self.amend(P1, after, P1_EFFECTIVE, None)
    }
}

fn p1_valid() -> Chain {
    let mut c = p1_ratified();
    c.amend_article_vii(|_| {});
    c
}

/// The example chain whose amendment has one member edited (and is signed again).
fn p1_with_amendment(edit: impl FnOnce(&mut J)) -> Chain {
    let mut c = p1_ratified();
    let after = add_article(c.doc(), &article_vii());
    c.push(resign(
        amendment("AMEND-2025-12-001", P1, c.doc(), &after, P1_EFFECTIVE, None),
        edit,
    ));
    c
}

// --- PROP-2025-12-002: add_engine engine:analytics ---------------------------------------------

pub const P2: &str = "PROP-2025-12-002";
const ANALYTICS: &str = "engine:analytics";

/// The registry entry `add_engine` proposes for engine:analytics (the protocol's example).
fn analytics_engine() -> J {
    json!({"engine_id": ANALYTICS, "name": "Analytics", "scroll": "Analytics",
           "authority": "Data analysis and insights", "public_key": key_of(ANALYTICS)})
}

fn analytics_change() -> J {
    json!({"target": ANALYTICS, "action": "add", "text": analytics_engine()})
}

/// The anchor confirmation: the signed checkpoint of the Governance scroll that includes the
/// amendment.
fn anchor(root_of: &str, anchored_at: &str) -> J {
    json!({"backend": "scroll_checkpoint", "scroll": "Governance",
           "root": format!("blake3:{}", blake3::hash(root_of.as_bytes()).to_hex()), "tree_size": 10,
           "anchored_at": anchored_at})
}

/// The add_engine chain up to the engine's pending amendment.
fn p2_pending() -> Chain {
    let mut c = Chain::new();
    c.push(proposal(
        P2,
        BOB,
        "add_engine",
        "Register engine:analytics",
        analytics_change(),
        "2025-12-01T10:00:00Z",
        7,
    ));
    let ballots = [
        (ALICE, "approve"),
        (BOB, "approve"),
        (CAROL, "approve"),
        (DAVE, "approve"),
        (ERIN, "approve"),
        (FRANK, "reject"),
    ];
    c.vote_and_ratify(
        P2,
        &ballots,
        "2025-12-08T10:00:00Z",
        "ratified",
        "2025-12-12T10:00:00Z",
    );
    let after = next(c.doc(), MINOR, |d| {
        let mut e = analytics_engine();
        e["status"] = json!("pending");
        d["registered_engines"].as_array_mut().unwrap().push(e);
    });
    c.amend(P2, after, "2025-12-12T12:00:00Z", None);
    c
}

fn activate_analytics(doc: &J) -> J {
    next(doc, PATCH, |d| {
        entry_mut(&mut d["registered_engines"], ANALYTICS)["status"] = json!("active")
    })
}

// --- PROP-2025-12-003: a rules change, then a statute change under the new rules --------------

pub const P3: &str = "PROP-2025-12-003";
pub const P4: &str = "PROP-2025-12-004";

fn rules_change() -> J {
    json!({"target": "rules", "action": "modify",
           "text": {"rules": {"min_deliberation_seconds": 14 * DAY, "quorum": {"numerator": 2, "denominator": 3}}}})
}

fn p3_chain() -> Chain {
    let mut c = Chain::new();
    c.push(proposal(
        P3,
        CAROL,
        "change_rules",
        "Fourteen days of deliberation, two-thirds quorum",
        rules_change(),
        "2025-12-01T11:00:00Z",
        7,
    ));
    let ballots = [
        (ALICE, "approve"),
        (BOB, "approve"),
        (CAROL, "approve"),
        (DAVE, "approve"),
        (ERIN, "reject"),
        (FRANK, "approve"),
    ];
    c.vote_and_ratify(
        P3,
        &ballots,
        "2025-12-08T11:00:00Z",
        "ratified",
        "2025-12-12T11:00:00Z",
    );
    let after = next(c.doc(), MINOR, |d| {
        d["rules"]["min_deliberation_seconds"] = json!(14 * DAY);
        d["rules"]["quorum"] = json!({"numerator": 2, "denominator": 3});
    });
    c.amend(P3, after, "2025-12-13T00:00:00Z", None);
    c
}

fn statute_003_change() -> J {
    json!({"target": "STATUTE-003", "action": "modify",
           "text": {"id": "STATUTE-003", "name": "Key Rotation",
                    "text": "Signing keys of engines are rotated at least every six months."}})
}

/// PROP-2025-12-004 by `author`: STATUTE-003 rotates keys every six months.
fn statute_003_proposal(author: &str, submitted: &str, deliberation_days: i64) -> J {
    proposal(
        P4,
        author,
        "change_statute",
        "Rotate engine keys every six months",
        statute_003_change(),
        submitted,
        deliberation_days,
    )
}

/// `doc`, a patch version on, with STATUTE-003's text replaced by `text`.
fn with_statute_003_text(doc: &J, text: &J) -> J {
    next(doc, PATCH, |d| {
        entry_mut(&mut d["statutes"], "STATUTE-003")["text"] = text.clone()
    })
}

// --- Executive orders and emergencies --------------------------------------------------------

fn emergency(id: &str, issued_at: &str, hours: i64, powers: &[&str]) -> J {
    order(
        id,
        "emergency",
        "ARTICLE-VI.1",
        issued_at,
        json!({"expires_at": at(issued_at, hours * HOUR), "powers": powers}),
    )
}

/// An emergency order renewing `renews` until `expires_at`, with `powers`.
fn renewal(id: &str, renews: &str, issued_at: &str, expires_at: &str, powers: &[&str]) -> J {
    order(
        id,
        "emergency",
        "ARTICLE-VI.1",
        issued_at,
        json!({"renews": renews, "expires_at": expires_at, "powers": powers}),
    )
}

/// An order of `order_type` under `authority` revoking `revokes`.
fn revocation(id: &str, order_type: &str, authority: &str, issued_at: &str, revokes: &str) -> J {
    order(
        id,
        order_type,
        authority,
        issued_at,
        json!({"revokes": revokes}),
    )
}

fn orders_chain() -> Chain {
    let mut c = Chain::new();
    c.push(order(
        "EO-2025-001",
        "security_directive",
        "ARTICLE-I.1",
        "2025-12-01T08:00:00Z",
        json!({}),
    ));
    c.push(order(
        "EO-2025-002",
        "maintenance_window",
        "ARTICLE-I.3",
        "2025-12-01T09:00:00Z",
        json!({"expires_at": "2025-12-01T17:00:00Z"}),
    ));
    c.push(emergency(
        "EO-2025-004",
        T0,
        72,
        &["suspend_federation", "freeze_treasury"],
    ));
    c.push(renewal(
        "EO-2025-005",
        "EO-2025-004",
        "2025-12-04T09:00:00Z",
        "2025-12-07T09:00:00Z",
        &["suspend_federation", "freeze_treasury"],
    ));
    c.push(revocation(
        "EO-2025-006",
        "emergency",
        "ARTICLE-VI.1",
        "2025-12-06T12:00:00Z",
        "EO-2025-004",
    ));
    c.push(revocation(
        "EO-2025-007",
        "security_directive",
        "ARTICLE-I.1",
        "2025-12-07T00:00:00Z",
        "EO-2025-001",
    ));
    c.push(emergency(
        "EO-2025-008",
        "2025-12-08T00:00:00Z",
        24,
        &["lockdown_scrolls"],
    ));
    c
}

// --- Violations, enforcement, review ---------------------------------------------------------

/// A capability suspension of `capability` in `scope` (`all_scrolls` or a scroll), until
/// `until` or, without it, pending review.
fn suspension(capability: &str, scope: &str, until: Option<&str>) -> J {
    json!({"enforcement_type": "capability_suspension",
           "action_taken": {"capability_suspended": capability, "scope": scope, "duration": until.unwrap_or("pending_review")}})
}

/// A warning: no action beyond the record.
fn warning() -> J {
    json!({"enforcement_type": "warning", "action_taken": {}})
}

/// The sovereign's review of enforcement `id`, stating the action as reviewed and `outcome`.
fn review(
    id: &str,
    vid: &str,
    target: &str,
    action: J,
    (reviewed_at, deadline): (&str, &str),
    outcome: J,
) -> J {
    enforcement(
        id,
        vid,
        SOVEREIGN,
        target,
        action,
        (reviewed_at, deadline),
        Some(outcome),
    )
}

/// The guardian's detection of VIOL-2025-0042 (AXIOM-001), by the guardian agent.
fn violation_0042() -> J {
    violation(
        "VIOL-2025-0042",
        "engine:guardian",
        "AXIOM-001",
        "critical",
        GUARDIAN_AGENT,
        T0,
    )
}

/// A review of ENF-2025-0042 at `reviewed_at` narrowing it to writes to Compliance, with
/// `outcome`.
fn review_0042(reviewed_at: &str, outcome: J) -> J {
    review(
        "ENF-2025-0042",
        "VIOL-2025-0042",
        GUARDIAN_AGENT,
        suspension("write", "Compliance", None),
        (reviewed_at, "2025-12-15T10:00:00Z"),
        outcome,
    )
}

fn enforcement_chain() -> Chain {
    let mut c = Chain::new();
    c.push(violation_0042());
    c.push(enforcement(
        "ENF-2025-0042",
        "VIOL-2025-0042",
        "engine:guardian",
        GUARDIAN_AGENT,
        suspension("write", "all_scrolls", None),
        ("2025-12-01T10:00:00Z", "2025-12-15T10:00:00Z"),
        None,
    ));
    c.push(violation(
        "VIOL-2025-0043",
        "engine:offsec",
        "ARTICLE-IV.2",
        "medium",
        FRANK,
        "2025-12-02T08:00:00Z",
    ));
    c.push(enforcement(
        "ENF-2025-0043",
        "VIOL-2025-0043",
        SOVEREIGN,
        FRANK,
        suspension("propose", "Federation", Some("2025-12-20T00:00:00Z")),
        ("2025-12-02T09:00:00Z", "2025-12-09T09:00:00Z"),
        None,
    ));
    c.push(review_0042(
        "2025-12-05T10:00:00Z",
        json!({"decision": "modify", "reason": "Only the Compliance scroll is concerned."}),
    ));
    c.push(violation(
        "VIOL-2025-0044",
        "engine:treasury",
        "STATUTE-001",
        "low",
        ERIN,
        "2025-12-06T08:00:00Z",
    ));
    c.push(enforcement(
        "ENF-2025-0044",
        "VIOL-2025-0044",
        "engine:guardian",
        ERIN,
        warning(),
        ("2025-12-06T09:00:00Z", "2025-12-13T09:00:00Z"),
        None,
    ));
    c.push(review(
        "ENF-2025-0044",
        "VIOL-2025-0044",
        ERIN,
        warning(),
        ("2025-12-07T09:00:00Z", "2025-12-13T09:00:00Z"),
        json!({"decision": "dismiss"}),
    ));
    c
}

// ---------------------------------------------------------------------------------------------
// Every file.

/// Every file of `test-vectors/governance/`: (file name, contents).
pub fn all() -> Vec<(String, String)> {
    let mut files: Vec<(String, J)> = Vec::new();

    // Documents.
    let g = genesis();
    files.push(("genesis.json".into(), g.clone()));
    let p1 = p1_valid();
    files.push(("constitution-1.1.0.json".into(), p1.doc().clone()));

    // Valid chains.
    files.push(p1.valid("valid-prop-2025-12-001-data-retention",
        "The protocol's example: PROP-2025-12-001 adds ARTICLE-VII Data Retention; 9 for, 2 against, 1 abstaining of 12; 1.0.0 -> 1.1.0.", vec![]));

    let mut c = p2_pending();
    let after = activate_analytics(c.doc());
    c.amend(
        P2,
        after,
        "2025-12-13T12:00:00Z",
        Some(anchor(
            "governance root after PROP-2025-12-002",
            "2025-12-13T06:00:00Z",
        )),
    );
    c.push(violation(
        "VIOL-2025-0100",
        ANALYTICS,
        "STATUTE-002",
        "low",
        "did:vm:agent:drill-runner",
        "2025-12-14T08:00:00Z",
    ));
    files.push(c.valid("valid-add-engine-analytics",
        "add_engine engine:analytics: ratified, added as pending (1.1.0), activated by its anchor confirmation (1.1.1), then detects a violation.", vec![]));

    let mut c = p3_chain();
    c.push(statute_003_proposal(DAVE, "2025-12-14T00:00:00Z", 14));
    c.vote_and_ratify(
        P4,
        &[
            (ALICE, "approve"),
            (BOB, "approve"),
            (CAROL, "approve"),
            (DAVE, "reject"),
        ],
        "2025-12-28T00:00:00Z",
        "ratified",
        "2025-12-31T00:00:00Z",
    );
    let after = with_statute_003_text(c.doc(), &statute_003_change()["text"]["text"]);
    c.amend(P4, after, "2026-01-01T00:00:00Z", None);
    files.push(c.valid("valid-rules-change",
        "change_rules: 14 days of deliberation and a two-thirds quorum (1.1.0); then a statute change judged by the new rules (1.1.1).", vec![]));

    let c = orders_chain();
    let both = [
        ("EO-2025-004", "suspend_federation"),
        ("EO-2025-004", "freeze_treasury"),
    ];
    files.push(c.valid("valid-executive-orders-and-emergencies",
        "Directives, a maintenance window, an emergency renewed once and ended by revocation, and an emergency that lapses.",
        vec![
            emergency_query("2025-12-01T09:00:00Z", &[]),
            emergency_query("2025-12-02T00:00:00Z", &both),
            emergency_query("2025-12-05T00:00:00Z", &both),
            emergency_query("2025-12-06T12:00:00Z", &[]),
            emergency_query("2025-12-08T12:00:00Z", &[("EO-2025-008", "lockdown_scrolls")]),
            emergency_query("2025-12-09T00:00:00Z", &[]),
        ]));

    let c = enforcement_chain();
    files.push(c.valid("valid-violations-and-enforcement",
        "Violations detected by engines, capability suspensions, a modifying review, a dismissed warning, and an unreviewed suspension that lapses.",
        vec![
            suspension_query(GUARDIAN_AGENT, "2025-12-01T09:59:59Z", &[]),
            suspension_query(GUARDIAN_AGENT, "2025-12-03T00:00:00Z",
                &[("write", "ENF-2025-0042")]),
            suspension_query(GUARDIAN_AGENT, "2025-12-06T00:00:00Z", &[("write", "ENF-2025-0042")]),
            suspension_query(GUARDIAN_AGENT, "2026-06-01T00:00:00Z", &[("write", "ENF-2025-0042")]),
            suspension_query(FRANK, "2025-12-05T00:00:00Z", &[("propose", "ENF-2025-0043")]),
            suspension_query(FRANK, "2025-12-09T09:00:00Z", &[]),
            suspension_query(ERIN, "2025-12-06T12:00:00Z", &[]),
        ]));

    // Negative chains: each is broken at exactly one receipt.
    let mut c = p1_ratified();
    let i = c.resign_at(1, |v| v["voted_at"] = json!("2025-12-05T10:00:00Z"));
    files.push(c.invalid(
        "invalid-vote-during-deliberation",
        "Alice votes on 2025-12-05, before deliberation ends on 2025-12-08.",
        i,
        E::VoteOutsideWindow,
    ));

    let mut c = p1_ratified();
    let i = c.insert(3, vote(P1, BOB, "reject", 3, "2025-12-09T10:01:30Z"));
    files.push(c.invalid(
        "invalid-double-vote",
        "Bob votes a second time.",
        i,
        E::DoubleVote,
    ));

    let mut c = p1_ratified();
    let i = c.forge_at(2, MALLORY);
    files.push(c.invalid(
        "invalid-forged-vote-signature",
        "Bob's vote is signed with another key.",
        i,
        E::SignatureMismatch,
    ));

    let mut c = p1_ratified();
    let i = c.resign_at(5, |v| v["weight"] = json!(5));
    files.push(c.invalid(
        "invalid-inflated-weight",
        "Erin (registered weight 1) signs a vote with weight 5.",
        i,
        E::WeightMismatch,
    ));

    let mut c = Chain::new();
    c.push(statute_003_proposal(ALICE, T0, 7));
    let i = c.vote_and_ratify(
        P4,
        &[(ALICE, "approve"), (ERIN, "approve")],
        "2025-12-08T10:00:00Z",
        "ratified",
        "2025-12-12T10:00:00Z",
    );
    files.push(c.invalid(
        "invalid-quorum-claimed-not-met",
        "4 of 12 weight voted (quorum 1/2) but the ratification claims quorum.",
        i,
        E::QuorumNotMet,
    ));

    let c = p1_chain(&[
        (ALICE, "approve"),
        (BOB, "approve"),
        (CAROL, "reject"),
        (DAVE, "reject"),
        (ERIN, "approve"),
        (FRANK, "reject"),
    ]);
    files.push(c.invalid("invalid-supermajority-on-simple-majority",
        "An article amendment ratified with 7 for and 5 against: a majority, not the two thirds articles need.", 7, E::ThresholdNotMet));

    let mut c = Chain::new();
    c.push(proposal("PROP-2025-12-013", ALICE, "amend_article", "Allow receipt redaction",
        json!({"target": "AXIOM-001", "action": "modify",
               "text": {"id": "AXIOM-001", "name": "Append-Only Receipts (redactable)",
                        "sections": [{"id": "AXIOM-001.1", "title": "Redaction", "text": "Receipts may be redacted by the sovereign."}]}}), T0, 7));
    c.push(vote(
        "PROP-2025-12-013",
        BOB,
        "approve",
        3,
        "2025-12-08T10:00:00Z",
    ));
    files.push(c.invalid(
        "invalid-amendment-touching-axiom",
        "A proposal amending AXIOM-001 is invalid, always (AXIOM-005).",
        0,
        E::AxiomImmutable,
    ));

    let mut c = p1_ratified();
    let i = c.amend_article_vii(|d| {
        d["articles"][6]["title"] = json!("Data Retention (amended after ratification)")
    });
    files.push(c.invalid(
        "invalid-constitution-hash-after",
        "The amendment's constitution_hash_after is not the hash of the ratified change applied.",
        i,
        E::ConstitutionHashMismatch,
    ));

    let c = p1_with_amendment(|r| {
        r["constitution_hash_before"] = json!(hash(&json!({"version": "0.9.0"})))
    });
    files.push(c.invalid(
        "invalid-constitution-hash-before",
        "The amendment claims a constitution that is not the one in force.",
        8,
        E::ConstitutionHashMismatch,
    ));

    let mut c = p1_ratified();
    let i = c.resign_at(7, |r| r["constitution_version_after"] = json!("2.0.0"));
    files.push(c.invalid(
        "invalid-version-bump",
        "The ratification claims 2.0.0; adding an article is a minor bump (1.1.0).",
        i,
        E::VersionBumpInvalid,
    ));

    let mut c = p1_ratified().first(7);
    let i = c.amend_article_vii(|_| {});
    files.push(c.invalid(
        "invalid-amendment-without-ratification",
        "An amendment for a proposal that was never ratified.",
        i,
        E::NotAwaitingActivation,
    ));

    let mut c = p1_ratified();
    let i = c.resign_at(7, |r| r["ratified_by"] = json!(ALICE));
    files.push(c.invalid(
        "invalid-ratified-by-voter",
        "A voter, not the sovereign, signs the ratification.",
        i,
        E::SignerNotAuthorized,
    ));

    let mut c = p1_ratified();
    let i = c.resign_at(7, |r| {
        r["vote_summary"] = json!({"approve": 10, "reject": 1, "abstain": 1})
    });
    files.push(c.invalid(
        "invalid-tally-mismatch",
        "The vote summary moves Dave's vote to `for`.",
        i,
        E::TallyMismatch,
    ));

    let mut c = p1_valid();
    let i = c.push(vote(P1, FRANK, "approve", 1, P1_EFFECTIVE));
    files.push(c.invalid(
        "invalid-vote-after-ratification",
        "A vote after the proposal was ratified and activated.",
        i,
        E::ProposalClosed,
    ));

    let mut c = p1_ratified();
    let i = c.insert(4, vote(P1, MALLORY, "approve", 3, "2025-12-09T10:02:30Z"));
    files.push(c.invalid(
        "invalid-unregistered-voter",
        "Mallory, who is not a registered voter, votes.",
        i,
        E::UnregisteredVoter,
    ));

    let mut c = p1_ratified();
    let i = c.resign_at(3, |v| v["voted_at"] = json!("2025-12-09T09:00:00Z"));
    files.push(c.invalid(
        "invalid-out-of-order",
        "Carol's vote is dated before Bob's, which precedes it in the chain.",
        i,
        E::OutOfOrder,
    ));

    let c = Chain::of([statute_003_proposal(ALICE, T0, 6)]);
    files.push(c.invalid(
        "invalid-deliberation-too-short",
        "Six days of deliberation; the rules require seven.",
        0,
        E::DeliberationTooShort,
    ));

    let mut c = p3_chain();
    let i = c.push(statute_003_proposal(DAVE, "2025-12-14T00:00:00Z", 7));
    files.push(c.invalid("invalid-rules-change-then-short-deliberation",
        "After the rules change to 14 days, a proposal with 7 days of deliberation is judged by the new rules.", i, E::DeliberationTooShort));

    let mut c = Chain::new();
    c.push(statute_003_proposal(ALICE, T0, 7));
    let i = c.vote_and_ratify(
        P4,
        &[(ALICE, "approve"), (BOB, "approve"), (CAROL, "reject")],
        "2025-12-08T10:00:00Z",
        "rejected",
        "2025-12-12T10:00:00Z",
    );
    files.push(c.invalid("invalid-decision-contradicts-vote",
        "A statute change that met quorum and majority is rejected, but statutes give the sovereign no veto.", i, E::DecisionMismatch));

    let mut c = p2_pending();
    let after = activate_analytics(c.doc());
    let i = c.amend(P2, after, "2025-12-13T12:00:00Z", None);
    files.push(c.invalid(
        "invalid-engine-activation-without-anchor",
        "The pending engine is activated without an anchor proof.",
        i,
        E::AnchorProofRequired,
    ));

    let c = Chain::of([order(
        "EO-2025-010",
        "security_directive",
        "ARTICLE-II.1",
        T0,
        json!({}),
    )]);
    files.push(c.invalid(
        "invalid-order-authority-not-granted",
        "A security directive citing ARTICLE-II.1, which grants no orders.",
        0,
        E::AuthorityNotGranted,
    ));

    let c = Chain::of([order(
        "EO-2025-011",
        "maintenance_window",
        "ARTICLE-I.3",
        T0,
        json!({}),
    )]);
    files.push(c.invalid(
        "invalid-temporary-order-without-expiry",
        "A maintenance window (temporary by ARTICLE-I.3) without expires_at.",
        0,
        E::OrderExpiryInvalid,
    ));

    let c = Chain::of([emergency("EO-2025-012", T0, 96, &["suspend_federation"])]);
    files.push(c.invalid(
        "invalid-emergency-too-long",
        "A 96-hour emergency; the maximum is 72 hours.",
        0,
        E::EmergencyTooLong,
    ));

    let c = Chain::of([emergency(
        "EO-2025-013",
        T0,
        24,
        &["suspend_federation", "dissolve_council"],
    )]);
    files.push(c.invalid(
        "invalid-emergency-power-not-granted",
        "An emergency invoking a power ARTICLE-VI does not grant.",
        0,
        E::EmergencyPowerNotGranted,
    ));

    let mut c = Chain::new();
    c.push(emergency("EO-2025-014", T0, 72, &["lockdown_scrolls"]));
    for (n, day) in [(15, 2), (16, 4), (17, 6)] {
        c.push(renewal(
            &format!("EO-2025-0{n}"),
            "EO-2025-014",
            &at(T0, day * DAY),
            &at(T0, (day + 3) * DAY),
            &["lockdown_scrolls"],
        ));
    }
    files.push(c.invalid(
        "invalid-emergency-renewed-too-often",
        "A third renewal; the rules allow two.",
        3,
        E::RenewalLimitExceeded,
    ));

    let mut c = Chain::new();
    c.push(emergency("EO-2025-018", T0, 24, &["lockdown_scrolls"]));
    c.push(renewal(
        "EO-2025-019",
        "EO-2025-018",
        "2025-12-03T00:00:00Z",
        "2025-12-05T00:00:00Z",
        &["lockdown_scrolls"],
    ));
    files.push(c.invalid(
        "invalid-renewal-of-lapsed-emergency",
        "A renewal after the emergency lapsed.",
        1,
        E::OrderNotInForce,
    ));

    let c = Chain::of([enforcement(
        "ENF-2025-0099",
        "VIOL-2025-9999",
        "engine:guardian",
        GUARDIAN_AGENT,
        suspension("write", "Compliance", None),
        (T0, "2025-12-08T09:30:00Z"),
        None,
    )]);
    files.push(c.invalid(
        "invalid-enforcement-unknown-violation",
        "An enforcement for a violation that is not in the chain.",
        0,
        E::UnknownViolation,
    ));

    let c = Chain::of([violation(
        "VIOL-2025-0101",
        ANALYTICS,
        "AXIOM-001",
        "high",
        GUARDIAN_AGENT,
        T0,
    )]);
    files.push(c.invalid(
        "invalid-violation-unregistered-detector",
        "engine:analytics is not a registered engine of the genesis constitution.",
        0,
        E::UnregisteredDetector,
    ));

    let c = Chain::of([violation(
        "VIOL-2025-0102",
        "engine:guardian",
        "ARTICLE-IX.1",
        "high",
        GUARDIAN_AGENT,
        T0,
    )]);
    files.push(c.invalid(
        "invalid-violation-unknown-rule",
        "A violation of ARTICLE-IX.1, which does not exist.",
        0,
        E::UnknownRule,
    ));

    let mut c = enforcement_chain().first(3);
    let i = c.push(enforcement(
        "ENF-2025-0043",
        "VIOL-2025-0043",
        SOVEREIGN,
        ERIN,
        suspension("propose", "Federation", None),
        ("2025-12-02T09:00:00Z", "2025-12-09T09:00:00Z"),
        None,
    ));
    files.push(c.invalid(
        "invalid-enforcement-target-mismatch",
        "The enforcement targets Erin; the violation's subject is Frank.",
        i,
        E::TargetMismatch,
    ));

    let mut c = enforcement_chain().first(4);
    let i = c.push(enforcement(
        "ENF-2025-0043",
        "VIOL-2025-0043",
        SOVEREIGN,
        FRANK,
        suspension("propose", "Federation", Some("2025-12-20T00:00:00Z")),
        ("2025-12-10T09:00:00Z", "2025-12-09T09:00:00Z"),
        Some(json!({"decision": "uphold"})),
    ));
    files.push(c.invalid(
        "invalid-review-after-deadline",
        "A review after the enforcement's review deadline.",
        i,
        E::ReviewDeadlineInvalid,
    ));

    let mut change = article_vii();
    change["text"].as_object_mut().unwrap().remove("sections");
    let c = Chain::of([article_vii_proposal(ALICE, change, T0)]);
    files.push(c.invalid(
        "invalid-change-schema",
        "An article added without sections does not follow the amend_article schema.",
        0,
        E::InvalidChange,
    ));

    let c = Chain::of([proposal(
        P4,
        ALICE,
        "change_statute",
        "Remove STATUTE-009",
        json!({"target": "STATUTE-009", "action": "remove"}),
        T0,
        7,
    )]);
    files.push(c.invalid(
        "invalid-change-conflict",
        "A proposal removing STATUTE-009, which the constitution in force does not have.",
        0,
        E::ChangeConflict,
    ));

    let mut c = p1_ratified().first(2);
    let i = c.push(article_vii_proposal(
        BOB,
        article_vii(),
        "2025-12-09T11:00:00Z",
    ));
    files.push(c.invalid(
        "invalid-duplicate-proposal-id",
        "A second proposal reuses PROP-2025-12-001.",
        i,
        E::DuplicateId,
    ));

    let c = Chain::of([vote("PROP-2025-12-999", ALICE, "approve", 3, T0)]);
    files.push(c.invalid(
        "invalid-vote-unknown-proposal",
        "A vote on a proposal that is not in the chain.",
        0,
        E::UnknownProposal,
    ));

    let mut c = p1_ratified();
    let i = c.resign_at(7, |r| r["ratified_at"] = json!("2025-12-14T09:30:00Z"));
    files.push(c.invalid(
        "invalid-ratification-too-early",
        "Ratified on 2025-12-14, before the proposal's voting ends on 2025-12-15.",
        i,
        E::RatificationTooEarly,
    ));

    let mut c = p1_ratified();
    let i = c.resign_at(7, |r| r["constitution_version_before"] = json!("0.9.0"));
    files.push(c.invalid(
        "invalid-version-before",
        "The ratification's constitution_version_before is not the version in force.",
        i,
        E::VersionMismatch,
    ));

    let mut c = orders_chain().first(3);
    let i = c.push(revocation(
        "EO-2025-020",
        "emergency",
        "ARTICLE-VI.1",
        "2025-12-02T00:00:00Z",
        "EO-2025-099",
    ));
    files.push(c.invalid(
        "invalid-revoke-unknown-order",
        "A revocation of an order that is not in the chain.",
        i,
        E::UnknownOrder,
    ));

    let mut c = orders_chain().first(3);
    let i = c.push(renewal(
        "EO-2025-021",
        "EO-2025-004",
        "2025-12-04T09:00:00Z",
        "2025-12-07T09:00:00Z",
        &["suspend_federation", "freeze_treasury", "lockdown_scrolls"],
    ));
    files.push(c.invalid(
        "invalid-renewal-with-other-powers",
        "A renewal that adds a power: a renewal keeps the emergency's powers.",
        i,
        E::RenewalInvalid,
    ));

    let mut c = Chain::new();
    c.push(violation_0042());
    c.push(review_0042(
        "2025-12-02T10:00:00Z",
        json!({"decision": "uphold"}),
    ));
    files.push(c.invalid(
        "invalid-review-unknown-enforcement",
        "A review of an enforcement that is not in the chain.",
        1,
        E::UnknownEnforcement,
    ));

    let mut c = enforcement_chain().first(5);
    let i = c.push(review_0042(
        "2025-12-06T10:00:00Z",
        json!({"decision": "dismiss"}),
    ));
    files.push(c.invalid(
        "invalid-second-review",
        "A second review of an enforcement already reviewed.",
        i,
        E::ReviewInvalid,
    ));

    let mut c = enforcement_chain().first(4);
    let i = c.push(review_0042(
        "2025-12-05T10:00:00Z",
        json!({"decision": "modify", "reason": "Only the Compliance scroll is concerned.",
               "reviewed_at": "2025-12-04T10:00:00Z"}),
    ));
    files.push(c.invalid(
        "invalid-review-dated-twice",
        "A review whose review.reviewed_at is not its own enforced_at: one signed record, two dates.",
        i,
        E::ReviewInvalid,
    ));

    let mut bad = genesis();
    bad["voters"][0]["weight"] = json!(0);
    let c = Chain {
        genesis: bad,
        receipts: Vec::new(),
        versions: Vec::new(),
    };
    let (name, mut file) = c.file(
        "invalid-genesis",
        "A genesis constitution with a voter of weight 0.",
        json!({}),
    );
    file["expect"] = json!({"valid": false, "index": null, "error": E::InvalidConstitution.name(), "code": E::InvalidConstitution.code()});
    files.push((name, file));

    files
        .into_iter()
        .map(|(name, v)| (name, pretty(&v)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A long chain for the bench.

/// A valid chain of exactly `receipts` receipts (at least 52): `voters` voters of weight 1 and
/// one statute change after another (proposal, every voter's vote, ratification, amendment),
/// filled up with maintenance windows. Returns the chain file text and its final version.
pub fn bench_chain(receipts: usize, voters: usize) -> (String, String) {
    let names: Vec<(String, u64)> = (0..voters)
        .map(|i| (format!("did:vm:human:voter-{i:03}"), 1))
        .collect();
    let genesis = genesis_with(&names);
    let mut c = Chain {
        genesis: genesis.clone(),
        receipts: Vec::new(),
        versions: vec![genesis],
    };
    let per_proposal = voters + 3;
    let mut t = T0.to_string();
    let mut n = 0;
    while c.receipts.len() + per_proposal <= receipts {
        n += 1;
        let pid = format!("PROP-B-{n:05}");
        let author = &names[n % voters].0;
        let text = format!(
            "Signing keys of engines are rotated at least every {} days.",
            100 + n
        );
        let change = json!({"target": "STATUTE-003", "action": "modify",
                            "text": {"id": "STATUTE-003", "name": "Key Rotation", "text": text}});
        c.push(proposal(
            &pid,
            author,
            "change_statute",
            "Key rotation period",
            change.clone(),
            &t,
            7,
        ));
        let voting = at(&t, 7 * DAY);
        let mut summary = json!({"approve": 0, "reject": 0, "abstain": 0});
        for (i, (voter, _)) in names.iter().enumerate() {
            let choice = ["approve", "approve", "reject", "abstain"][i % 4];
            summary[choice] = json!(summary[choice].as_u64().unwrap() + 1);
            c.push(vote(&pid, voter, choice, 1, &at(&voting, i as i64)));
        }
        let ratified = at(&voting, 3 * DAY);
        let (before, after) = c.ratified_versions(&pid, "ratified");
        c.push(ratification(
            &pid,
            &summary,
            true,
            "ratified",
            &ratified,
            (&before, &after),
        ));
        let after = with_statute_003_text(c.doc(), &change["text"]["text"]);
        c.amend(&pid, after, &at(&ratified, HOUR), None);
        t = at(&ratified, 2 * HOUR);
    }
    while c.receipts.len() < receipts {
        let id = format!("EO-B-{:05}", c.receipts.len());
        c.push(order(
            &id,
            "maintenance_window",
            "ARTICLE-I.3",
            &t,
            json!({"expires_at": at(&t, HOUR)}),
        ));
        t = at(&t, 60);
    }
    let version = c.doc()["version"].as_str().unwrap().to_string();
    (
        json!({"genesis": c.genesis, "receipts": c.receipts}).to_string(),
        version,
    )
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(DIR);
    std::fs::create_dir_all(&root).expect("create test-vectors/governance");
    for (name, text) in all() {
        std::fs::write(root.join(&name), text).expect("write vector file");
        println!("wrote {DIR}/{name}");
    }
}
