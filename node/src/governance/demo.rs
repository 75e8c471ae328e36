//! The governance part of `vm-node demo` (docs/governance.md, "The whole path"): a governed
//! mesh in `BASE/governed`, served on 127.0.0.1 on a clock the demo moves, through which
//! PROP-2025-12-001 is proposed, deliberated, voted, ratified and activated (constitution
//! 1.1.0); an agent is suspended and refused; an emergency's lockdown is declared and lapses;
//! `engine:analytics` is added by amendment and activated by its anchor; and the exported chain
//! is verified by the core, ending at the hash the node serves. Receipts are signed here with
//! the members' key files, as `vm-gov` signs them.

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value as J};
use vaultmesh_core::governance::{self, genesis::SOVEREIGN};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{sign_record, Kind};
use vaultmesh_core::sign::SecretKey;

use super::{genesis as files, timestamp};
use crate::client::Client;
use crate::config::{self, DataDir};
use crate::violations::ManualClock;

/// Lines the demo prints (the progress bar's length).
pub const STEPS: u64 = 9;

/// 2025-12-01T09:30:00Z.
const T0: u64 = 1_764_581_400;
const DAY: u64 = 86_400;

const BIG: Limits = Limits {
    max_bytes: 16 << 20,
    max_depth: 64,
};

struct Demo {
    data: std::path::PathBuf,
    clock: Arc<ManualClock>,
    client: Client,
}

fn key(path: &Path) -> Result<SecretKey, String> {
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    SecretKey::from_key_file(&text).map_err(|e| e.to_string())
}

impl Demo {
    fn now(&self) -> String {
        timestamp(crate::violations::Clock::now(self.clock.as_ref())).to_string()
    }

    fn member(&self, id: &str) -> Result<SecretKey, String> {
        match id {
            "engine:guardian" => key(&files::guardian_key_path(&self.data)),
            _ => key(&files::member_key_path(&self.data, id)),
        }
    }

    fn sign(&self, body: J, kind: Kind, signer: &str) -> Result<Vec<u8>, String> {
        let text = body.to_string();
        let mut v = json::parse(text.as_bytes(), &BIG).map_err(|e| e.to_string())?;
        if let Value::Object(o) = &mut v {
            sign_record(o, kind, self.member(signer)?.seed());
        }
        Ok(v.to_canonical())
    }

    /// Appends to `scroll`: (status, answer).
    fn append(&mut self, scroll: &str, receipt: &[u8]) -> Result<(u16, J), String> {
        let r = self
            .client
            .post(&format!("/admin/scrolls/{scroll}/receipts"), receipt)
            .map_err(|e| e.to_string())?;
        Ok((r.status, r.json()))
    }

    /// Appends a governance receipt that must be accepted.
    fn govern(&mut self, body: J, kind: Kind, signer: &str) -> Result<(), String> {
        let receipt = self.sign(body, kind, signer)?;
        match self.append("Governance", &receipt)? {
            (200, _) => Ok(()),
            (s, e) => Err(format!("{} refused ({s}): {}", kind.domain(), e["error"])),
        }
    }

    fn get(&mut self, path: &str) -> Result<J, String> {
        Ok(self.client.get(path).map_err(|e| e.to_string())?.json())
    }

    /// The constitution in force: (document as core value, hash text, version).
    fn constitution(&mut self) -> Result<(Value<'static>, String, String), String> {
        let c = self.get("/governance/constitution")?;
        let doc = json::parse(c["document"].to_string().as_bytes(), &BIG)
            .map(|v| owned(&v))
            .map_err(|e| e.to_string())?;
        Ok((
            doc,
            c["hash"].as_str().unwrap_or_default().to_string(),
            c["version"].as_str().unwrap_or_default().to_string(),
        ))
    }

    fn vote_all(&mut self, pid: &str, ballots: &[(&str, &str, u64)]) -> Result<(), String> {
        for (voter, choice, weight) in ballots {
            let name = voter.rsplit(':').next().unwrap_or(voter);
            let body = json!({"type": "gov_vote", "vote_id": format!("VOTE-{pid}-{name}"), "proposal_id": pid,
                "voter": voter, "voted_at": self.now(), "vote": choice, "weight": weight});
            self.govern(body, Kind::GovVote, voter)?;
        }
        Ok(())
    }

    /// The sovereign's ratification of `pid` (`proposal` its receipt) and its amendment.
    fn ratify(&mut self, pid: &str, proposal: &[u8], summary: J) -> Result<String, String> {
        let (doc, hash, version) = self.constitution()?;
        let p = json::parse(proposal, &BIG).map_err(|e| e.to_string())?;
        let next = governance::apply(&doc, &p).map_err(|f| format!("{f:?}"))?;
        let after = next
            .as_object()
            .and_then(|o| o.get("version"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let body = json!({"type": "gov_ratification", "ratification_id": format!("RAT-{pid}"), "proposal_id": pid,
            "ratified_at": self.now(), "ratified_by": SOVEREIGN, "vote_summary": summary, "quorum_met": true,
            "constitution_version_before": version, "constitution_version_after": after});
        self.govern(body, Kind::GovRatification, SOVEREIGN)?;
        let body = json!({"type": "gov_amendment", "amendment_id": format!("AMEND-{pid}"), "proposal_id": pid,
            "effective_at": self.now(), "constitution_hash_before": hash,
            "constitution_hash_after": governance::constitution_hash(&next).to_string(), "activated_by": SOVEREIGN});
        self.govern(body, Kind::GovAmendment, SOVEREIGN)?;
        Ok(after)
    }
}

fn owned(v: &Value<'_>) -> Value<'static> {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(n) => Value::Number(*n),
        Value::String(s) => Value::String(s.to_string().into()),
        Value::Array(a) => Value::Array(a.iter().map(owned).collect()),
        Value::Object(o) => Value::Object(json::Object {
            members: o
                .members
                .iter()
                .map(|(k, v)| (std::borrow::Cow::Owned(k.to_string()), owned(v)))
                .collect(),
        }),
    }
}

fn opaque(kind: &str, member: &str, writer: &str, key: &SecretKey) -> Result<Vec<u8>, String> {
    let text = json!({"type": kind, member: writer, "at": "demo"}).to_string();
    let mut v = json::parse(text.as_bytes(), &BIG).map_err(|e| e.to_string())?;
    if let Value::Object(o) = &mut v {
        governance::sign_opaque(o, key.seed()).map_err(|e| e.to_string())?;
    }
    Ok(v.to_canonical())
}

const BALLOTS: [(&str, &str, u64); 6] = [
    ("did:vm:human:alice", "approve", 3),
    ("did:vm:human:bob", "approve", 3),
    ("did:vm:human:carol", "approve", 2),
    ("did:vm:human:dave", "reject", 2),
    ("did:vm:human:erin", "approve", 1),
    ("did:vm:human:frank", "abstain", 1),
];

/// Runs the governance demo in `base/governed`, printing each step with `say`.
pub fn run(base: &Path, say: &dyn Fn(String)) -> Result<J, String> {
    let data = base.join("governed");
    config::init(
        &data,
        &config::InitOptions {
            mesh_id: "did:vm:mesh:demo-governed",
            listen: "127.0.0.1:0",
            scrolls: config::DEFAULT_SCROLLS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            checkpoint_interval_secs: 0,
            store: None,
        },
    )
    .map_err(|e| e.0)?;
    files::init(&data).map_err(|e| e.0)?;
    let clock = Arc::new(ManualClock::new(T0));
    let node = Arc::new(
        crate::node::Node::open(&DataDir::load(&data).map_err(|e| e.0)?)
            .map_err(|e| e.to_string())?
            .with_clock(clock.clone()),
    );
    let running = crate::http::serve(node.clone(), "127.0.0.1:0").map_err(|e| e.to_string())?;
    let token = config::admin_token(&data).map_err(|e| e.0)?;
    let client = Client::new(&format!("http://{}", running.addr)).with_token(token);
    let mut d = Demo {
        data,
        clock,
        client,
    };
    say(format!(
        "govern  a governed mesh in {} (constitution 1.0.0: axioms, articles I–VI, 6 voters, 12 engines), clock at {}",
        d.data.display(),
        d.now()
    ));

    // PROP-2025-12-001.
    let pid = "PROP-2025-12-001";
    let proposal = d.sign(
        json!({"type": "gov_proposal", "proposal_id": pid, "proposal_type": "amendment",
            "title": "Add Data Retention Article", "author": SOVEREIGN, "submitted_at": d.now(),
            "deliberation_ends": timestamp(T0 + 7 * DAY).to_string(), "status": "deliberation",
            "rationale": "Compliance with EU regulations",
            "content": {"target": "ARTICLE-VII", "action": "add", "text": {"id": "ARTICLE-VII", "name": "Data Retention",
                "sections": [{"id": "ARTICLE-VII.1", "title": "Retention Periods",
                              "text": "Derived data is kept no longer than its scroll's retention period."}]}}}),
        Kind::GovProposal,
        SOVEREIGN,
    )?;
    d.append("Governance", &proposal)?;
    let early = d.sign(
        json!({"type": "gov_vote", "vote_id": "VOTE-early", "proposal_id": pid, "voter": BALLOTS[0].0,
            "voted_at": d.now(), "vote": "approve", "weight": 3}),
        Kind::GovVote,
        BALLOTS[0].0,
    )?;
    let (status, e) = d.append("Governance", &early)?;
    say(format!(
        "govern  {pid} proposed by the sovereign; a vote during deliberation → {status} {}",
        e["error"]["name"]
    ));
    d.clock.advance(8 * DAY);
    d.vote_all(pid, &BALLOTS)?;
    d.clock.advance(3 * DAY);
    let version = d.ratify(
        pid,
        &proposal,
        json!({"approve": 9, "reject": 2, "abstain": 1}),
    )?;
    say(format!("govern  six votes (approve 9, reject 2, abstain 1), ratified and activated → constitution {version}"));

    // An agent suspended and refused.
    let agent = SecretKey::from_seed(crate::util::random().map_err(|e| e.to_string())?);
    let actor = "did:vm:agent:automation-01";
    let body = json!({"actor": actor, "key": agent.public_key().to_string()}).to_string();
    d.client
        .post("/admin/keys", body.as_bytes())
        .map_err(|e| e.to_string())?;
    d.client
        .post(
            "/admin/scrolls",
            json!({"name": "Workflows"}).to_string().as_bytes(),
        )
        .map_err(|e| e.to_string())?;
    let (status, e) = d.append(
        "Automation",
        &opaque("workflow_run", "actor", actor, &agent)?,
    )?;
    let vid = e["error"]["detail"]["violation"]["receipt"]["violation_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    say(format!("govern  {actor} writes engine:automation's scroll → {status} {} (violation {vid}, signed by engine:guardian)", e["error"]["name"]));
    let body = json!({"type": "gov_enforcement", "enforcement_id": "ENF-2025-12-001", "violation_id": vid,
        "enforced_at": d.now(), "enforcement_type": "capability_suspension", "target": actor,
        "action_taken": {"capability_suspended": "write", "scope": "all_scrolls", "duration": "pending_review"},
        "review_required": true, "review_deadline": timestamp(T0 + 18 * DAY).to_string(), "enforced_by": "engine:guardian"});
    d.govern(body, Kind::GovEnforcement, "engine:guardian")?;
    let (status, e) = d.append(
        "Workflows",
        &opaque("workflow_run", "actor", actor, &agent)?,
    )?;
    say(format!(
        "govern  engine:guardian suspends its write capability; its next append → {status} {} naming {}",
        e["error"]["name"], e["error"]["detail"]["enforcement_id"]
    ));

    // An emergency declared and lapsing.
    let body = json!({"type": "gov_executive_order", "order_id": "EMERG-2025-12-001", "title": "Security Emergency",
        "issued_by": SOVEREIGN, "issued_at": d.now(), "authority": "ARTICLE-VI.1", "order_type": "emergency",
        "content": {"emergency_type": "security_incident", "threat_description": "Active intrusion on BRICK-02",
                    "powers_invoked": ["lockdown_scrolls"]},
        "duration": {"type": "emergency", "expires_at": timestamp(T0 + 12 * DAY).to_string(), "renewable": true}});
    d.govern(body, Kind::GovExecutiveOrder, SOVEREIGN)?;
    let drills = d.member("engine:drills")?;
    let (locked, e) = d.append(
        "Drills",
        &opaque("drill_run", "engine", "engine:drills", &drills)?,
    )?;
    d.clock.advance(DAY);
    let (after, _) = d.append(
        "Drills",
        &opaque("drill_run", "engine", "engine:drills", &drills)?,
    )?;
    say(format!(
        "govern  emergency EMERG-2025-12-001 (lockdown_scrolls, 24 h): engine:drills' append → {locked} {}; 24 h later, nobody acting → {after}",
        e["error"]["name"]
    ));

    // engine:analytics, added by amendment and activated by its anchor.
    let pid = "PROP-2025-12-002";
    let analytics = SecretKey::from_seed(crate::util::random().map_err(|e| e.to_string())?);
    let proposal = d.sign(
        json!({"type": "gov_proposal", "proposal_id": pid, "proposal_type": "add_engine",
            "title": "Register engine:analytics", "author": "did:vm:human:bob", "submitted_at": d.now(),
            "deliberation_ends": timestamp(T0 + 19 * DAY).to_string(), "status": "deliberation",
            "content": {"target": "engine:analytics", "action": "add", "text": {"engine_id": "engine:analytics",
                "name": "Analytics", "scroll": "Analytics", "authority": "Data analysis and insights",
                "public_key": analytics.public_key().to_string()}}}),
        Kind::GovProposal,
        "did:vm:human:bob",
    )?;
    d.append("Governance", &proposal)?;
    d.clock.advance(8 * DAY);
    let ballots: Vec<(&str, &str, u64)> = BALLOTS
        .iter()
        .map(|(v, _, w)| (*v, "approve", *w))
        .collect();
    d.vote_all(pid, &ballots)?;
    d.clock.advance(3 * DAY);
    let version = d.ratify(
        pid,
        &proposal,
        json!({"approve": 12, "reject": 0, "abstain": 0}),
    )?;
    d.client
        .post(
            "/admin/scrolls",
            json!({"name": "Analytics"}).to_string().as_bytes(),
        )
        .map_err(|e| e.to_string())?;
    let (pending, e) = d.append(
        "Analytics",
        &opaque("insight", "engine", "engine:analytics", &analytics)?,
    )?;
    say(format!(
        "govern  {pid} adds engine:analytics → constitution {version}, engine pending: its append → {pending} {}",
        e["error"]["name"]
    ));
    let cp = d
        .client
        .post("/admin/scrolls/Governance/checkpoints", b"")
        .map_err(|e| e.to_string())?
        .json();
    let cp = &cp["checkpoint"];
    let (doc, hash, _) = d.constitution()?;
    let next =
        governance::activate_engine(&doc, "engine:analytics").map_err(|f| format!("{f:?}"))?;
    let body = json!({"type": "gov_amendment", "amendment_id": format!("AMEND-{pid}-ACTIVATE"), "proposal_id": pid,
        "effective_at": d.now(),
        "anchor_proof": {"backend": "scroll_checkpoint", "scroll": "Governance", "tree_size": cp["tree_size"],
                         "root": cp["root"], "anchored_at": cp["timestamp"]},
        "constitution_hash_before": hash, "constitution_hash_after": governance::constitution_hash(&next).to_string(),
        "activated_by": SOVEREIGN});
    d.govern(body, Kind::GovAmendment, SOVEREIGN)?;
    let (active, _) = d.append(
        "Analytics",
        &opaque("insight", "engine", "engine:analytics", &analytics)?,
    )?;
    let (_, _, version) = d.constitution()?;
    say(format!(
        "govern  anchor confirmation: checkpoint {} of Governance (tree_size {}) cited → constitution {version}; engine:analytics' append → {active}",
        cp["root"].as_str().unwrap_or(""),
        cp["tree_size"]
    ));

    // The exported chain, verified by the core.
    let chain = d
        .client
        .get("/governance/chain")
        .map_err(|e| e.to_string())?;
    let report = governance::verify_chain_json(&chain.body, &BIG);
    let served = d.get("/governance/constitution")?["hash"].clone();
    let last = report.last_version().map(|v| v.hash.to_string());
    let path = base.join("governance-chain.json");
    std::fs::write(&path, &chain.body).map_err(|e| e.to_string())?;
    say(format!(
        "govern  chain of {} receipts → {}, ends at {} (the node serves {}); vm-verify governance {}",
        report.receipts,
        if report.is_valid() { "VALID" } else { "INVALID" },
        last.clone().unwrap_or_default(),
        served.as_str().unwrap_or(""),
        path.display()
    ));
    running.stop();
    if !report.is_valid() || last.as_deref() != served.as_str() {
        return Err("the governance chain does not verify to the served constitution".into());
    }
    Ok(json!({"chain": path, "constitution": served, "receipts": report.receipts}))
}
