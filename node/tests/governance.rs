//! Governance that governs: a real governed `vm-node serve` (the test clock under the test's
//! control, `serve --test-clock FILE`) driven through `vm-gov` with the members' own key
//! files: PROP-2025-12-001 from proposal to constitution 1.1.0, the exported chain verified by
//! `vm-verify governance`, every refusal of the acceptance list with nothing changed, and
//! orders and emergencies that lapse by the clock alone.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use common::{vm_node, TempDir, BIN, MESH};
use serde_json::{json, Value as J};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{sign_record, Kind};
use vaultmesh_core::sign::SecretKey;
use vaultmesh_node::client::Client;

/// 2025-12-01T09:30:00Z, the protocol document's PROP-2025-12-001 submission.
const T0: u64 = 1_764_581_400;
const DAY: u64 = 86_400;
const HOUR: u64 = 3_600;

/// `vm-gov` and `vm-verify` are other packages' binaries: built once, beside `vm-node`.
fn sibling(name: &str) -> PathBuf {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let mut args = vec!["build", "-q", "-p", "vaultmesh-govcli", "-p", "vm-verify"];
        if !cfg!(debug_assertions) {
            args.push("--release");
        }
        let status = Command::new(env!("CARGO")).args(&args).status().unwrap();
        assert!(status.success(), "building vm-gov and vm-verify failed");
    });
    Path::new(BIN).with_file_name(name)
}

/// A governed node on the test clock.
struct Mesh {
    _dir: TempDir,
    data: PathBuf,
    clock: PathBuf,
    url: String,
    token: String,
    child: std::process::Child,
}

impl Drop for Mesh {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Mesh {
    fn start() -> Mesh {
        let dir = TempDir::new("gov");
        let data = dir.0.join("node");
        let (status, out, err) = vm_node(&[
            "init",
            "--mesh-id",
            MESH,
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--checkpoint-interval",
            "0",
        ]);
        assert_eq!(status, 0, "init: {out} {err}");
        let clock = dir.0.join("clock");
        std::fs::write(&clock, T0.to_string()).unwrap();
        let (child, url) = common::serve_on_clock(&data, &clock, &[]);
        let token = std::fs::read_to_string(data.join("admin.token"))
            .unwrap()
            .trim()
            .to_string();
        Mesh {
            _dir: dir,
            data,
            clock,
            url,
            token,
            child,
        }
    }

    /// Stops the node and serves the same data directory again.
    fn restart(mut self) -> Mesh {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, url) = common::serve_on_clock(&self.data, &self.clock, &[]);
        self.url = url;
        self.child = child;
        self
    }

    fn set_clock(&self, secs: u64) {
        std::fs::write(&self.clock, secs.to_string()).unwrap();
    }

    fn key(&self, member: &str) -> PathBuf {
        match member {
            "guardian" => self.data.join("governance/guardian.key"),
            m => self.data.join(format!("governance/keys/{m}.key")),
        }
    }

    fn secret(&self, member: &str) -> SecretKey {
        SecretKey::from_key_file(&std::fs::read(self.key(member)).unwrap()).unwrap()
    }

    /// `vm-gov --json ARGS` signing with `member`'s key: (exit status, the JSON object).
    fn gov(&self, member: Option<&str>, args: &[&str]) -> (i32, J) {
        let mut cmd = Command::new(sibling("vm-gov"));
        cmd.args(["--url", &self.url, "--json"])
            .env("VAULTMESH_ADMIN_TOKEN", &self.token);
        if let Some(m) = member {
            cmd.arg("--key").arg(self.key(m));
        }
        let out = cmd.args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
            panic!(
                "vm-gov {args:?}: not one JSON object: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), value)
    }

    /// `vm-gov` that must succeed.
    fn ok(&self, member: &str, args: &[&str]) -> J {
        let (status, v) = self.gov(Some(member), args);
        assert_eq!(status, 0, "vm-gov {args:?} as {member}: {v}");
        v
    }

    /// `vm-gov` that the node must refuse with `error`, changing nothing.
    fn refused(&self, member: &str, args: &[&str], error: &str) {
        let before = self.governance_size();
        let (status, v) = self.gov(Some(member), args);
        assert_eq!(
            status, 1,
            "vm-gov {args:?} as {member} should be refused: {v}"
        );
        assert_eq!(v["error"]["node_error"]["name"], error, "{args:?}: {v}");
        assert_eq!(
            self.governance_size(),
            before,
            "{args:?} changed the scroll"
        );
    }

    fn client(&self) -> Client {
        Client::new(&self.url).with_token(self.token.clone())
    }

    fn get(&self, path: &str) -> J {
        let r = self.client().get(path).unwrap();
        assert_eq!(r.status, 200, "GET {path}: {}", r.json());
        r.json()
    }

    fn state(&self) -> J {
        self.get("/governance/state")
    }

    fn governance_size(&self) -> u64 {
        self.state()["receipts"].as_u64().unwrap()
    }

    /// Appends receipts to `scroll`: (status, body).
    fn append(&self, scroll: &str, receipts: &[Vec<u8>]) -> (u16, J) {
        let r = self
            .client()
            .post(
                &format!("/admin/scrolls/{scroll}/receipts"),
                &vaultmesh_node::bench::array(receipts),
            )
            .unwrap();
        (r.status, r.json())
    }
}

/// A receipt of a kind the core does not define, signed by `writer` (its `engine` or `actor`
/// member, docs/SPEC.md §10.11).
fn opaque(kind: &str, writer_member: &str, writer: &str, key: &SecretKey, n: u64) -> Vec<u8> {
    let text = json!({"type": kind, writer_member: writer, "run": n}).to_string();
    let mut v = json::parse(text.as_bytes(), &Limits::default()).unwrap();
    if let Value::Object(o) = &mut v {
        vaultmesh_core::governance::sign_opaque(o, key.seed()).unwrap();
    }
    v.to_canonical()
}

fn signed(body: J, kind: Kind, key: &SecretKey) -> Vec<u8> {
    let text = body.to_string();
    let mut v = json::parse(text.as_bytes(), &Limits::default()).unwrap();
    if let Value::Object(o) = &mut v {
        sign_record(o, kind, key.seed());
    }
    v.to_canonical()
}

fn write(dir: &Path, name: &str, v: &J) -> String {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p.to_str().unwrap().to_string()
}

const P1: &str = "PROP-2025-12-001";

fn article_vii() -> J {
    json!({"title": "Add Data Retention Article", "rationale": "Compliance with EU regulations",
        "content": {"target": "ARTICLE-VII", "action": "add", "text": {"id": "ARTICLE-VII", "name": "Data Retention",
            "sections": [{"id": "ARTICLE-VII.1", "title": "Retention Periods",
                          "text": "Derived data is kept no longer than its scroll's retention period; receipts themselves are never deleted (AXIOM-001)."}]}}})
}

const BALLOTS: [(&str, &str); 6] = [
    ("alice", "approve"),
    ("bob", "approve"),
    ("carol", "approve"),
    ("dave", "reject"),
    ("erin", "approve"),
    ("frank", "abstain"),
];

/// The exported chain verifies with `vm-verify governance` and ends at the hash the node
/// serves.
fn chain_verifies(m: &Mesh, dir: &Path) -> String {
    let chain = m.client().get("/governance/chain").unwrap();
    assert_eq!(chain.status, 200);
    let path = dir.join("chain.json");
    std::fs::write(&path, &chain.body).unwrap();
    let out = Command::new(sibling("vm-verify"))
        .args(["governance", path.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let report: J = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("vm-verify: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(out.status.code(), Some(0), "vm-verify governance: {report}");
    let served = m.get("/governance/constitution")["hash"].clone();
    let final_hash = report["final_hash"].clone();
    assert_eq!(final_hash, served, "{report}");
    served.as_str().unwrap().to_string()
}

#[test]
fn prop_2025_12_001_becomes_constitution_1_1_0_and_every_rule_is_enforced() {
    let m = Mesh::start();
    let files = TempDir::new("gov-files");
    let art7 = write(&files.0, "art7.json", &article_vii());
    assert_eq!(m.get("/governance/constitution")["version"], "1.0.0");

    // Proposed by the sovereign, as the document writes it.
    m.ok(
        "sovereign",
        &[
            "proposal",
            "create",
            "--type",
            "amendment",
            "--file",
            &art7,
            "--id",
            P1,
        ],
    );
    // An amendment touching an axiom.
    let axiom = write(
        &files.0,
        "axiom.json",
        &json!({"target": "AXIOM-001", "action": "modify", "text": {"id": "AXIOM-001", "title": "x", "statement": "y"}}),
    );
    m.refused(
        "alice",
        &[
            "proposal",
            "create",
            "--type",
            "amendment",
            "--file",
            &axiom,
        ],
        "AXIOM_IMMUTABLE",
    );
    // Never with the mesh's key.
    let (status, v) = m.gov(
        None,
        &[
            "--key",
            m.data.join("federation.key").to_str().unwrap(),
            "--as",
            "did:vm:human:alice",
            "vote",
            P1,
            "--vote",
            "approve",
        ],
    );
    assert_eq!(status, 2, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("federation key"),
        "{v}"
    );
    // A vote during deliberation.
    m.refused(
        "alice",
        &["vote", P1, "--vote", "approve"],
        "VOTE_OUTSIDE_WINDOW",
    );
    // An unregistered voter (a key of no member, naming itself).
    let mallory = files.0.join("mallory.key");
    std::fs::write(
        &mallory,
        SecretKey::from_seed([7; 32]).to_key_file().as_bytes(),
    )
    .unwrap();
    m.set_clock(T0 + 8 * DAY);
    let before = m.governance_size();
    let (status, v) = m.gov(
        None,
        &[
            "--key",
            mallory.to_str().unwrap(),
            "--as",
            "did:vm:human:mallory",
            "vote",
            P1,
            "--vote",
            "approve",
        ],
    );
    assert_eq!(
        (status, &v["error"]["node_error"]["name"]),
        (1, &json!("UNREGISTERED_VOTER")),
        "{v}"
    );
    assert_eq!(m.governance_size(), before);
    for (voter, choice) in BALLOTS {
        m.ok(
            voter,
            &[
                "vote",
                P1,
                "--vote",
                choice,
                "--reason",
                "as the document votes",
            ],
        );
    }
    // A second vote.
    m.refused("bob", &["vote", P1, "--vote", "reject"], "DOUBLE_VOTE");
    m.set_clock(T0 + 11 * DAY);
    // A ratification whose summary does not match the votes, signed by the sovereign.
    let wrong = signed(
        json!({"type": "gov_ratification", "ratification_id": "RAT-WRONG", "proposal_id": P1,
            "ratified_at": "2025-12-12T09:30:00Z", "ratified_by": "did:vm:human:sovereign",
            "vote_summary": {"approve": 12, "reject": 0, "abstain": 0}, "quorum_met": true,
            "constitution_version_before": "1.0.0", "constitution_version_after": "1.1.0"}),
        Kind::GovRatification,
        &m.secret("sovereign"),
    );
    let before = m.governance_size();
    let (status, body) = m.append("Governance", &[wrong]);
    assert_eq!(
        (status, &body["error"]["name"]),
        (422, &json!("TALLY_MISMATCH")),
        "{body}"
    );
    assert_eq!(m.governance_size(), before);
    // Ratified and activated: constitution 1.1.0.
    m.ok("sovereign", &["ratify", P1]);
    let c = m.get("/governance/constitution");
    assert_eq!(c["version"], "1.1.0");
    assert_eq!(c["document"]["articles"][6]["id"], "ARTICLE-VII");
    assert_eq!(
        m.get("/governance/constitution?version=1.0.0")["version"],
        "1.0.0"
    );
    let diff = m.ok("alice", &["constitution", "diff", "1.0.0", "1.1.0"]);
    assert!(diff["changes"].as_array().unwrap().len() >= 2, "{diff}");
    let hash_1_1_0 = chain_verifies(&m, &files.0);
    assert_eq!(hash_1_1_0, c["hash"]);

    // An order citing an authority that does not grant it.
    m.refused(
        "sovereign",
        &[
            "order",
            "create",
            "--type",
            "operational_directive",
            "--authority",
            "ARTICLE-II.1",
        ],
        "AUTHORITY_NOT_GRANTED",
    );

    // The audit bundle of the governance scroll carries the chain: the core (as the auditor
    // page) verifies the receipts' inclusion and the chain.
    let r = m
        .client()
        .post("/admin/scrolls/Governance/checkpoints", b"")
        .unwrap();
    assert!(matches!(r.status, 200 | 201), "{}", r.json());
    let bundle = m.client().get("/scrolls/Governance/bundle").unwrap();
    assert_eq!(bundle.status, 200);
    let b: J = serde_json::from_slice(&bundle.body).unwrap();
    assert_eq!(b["governance"]["receipts"].as_array().unwrap().len(), 9);
    let summary = vaultmesh_node::bundle::check(&bundle.body, None).unwrap();
    assert_eq!(summary.overall, "valid");

    // The node restarts: the judge is rebuilt from the scroll and serves the same state.
    let state = m.state();
    let m = m.restart();
    assert_eq!(m.state()["constitution"], state["constitution"]);
    assert_eq!(m.state()["proposals"], state["proposals"]);
    m.refused("bob", &["vote", P1, "--vote", "reject"], "PROPOSAL_CLOSED");
    assert_eq!(chain_verifies(&m, &files.0), hash_1_1_0);
}

#[test]
fn suspensions_engines_orders_and_emergencies_take_effect_and_lapse() {
    let m = Mesh::start();
    let files = TempDir::new("gov-effects");
    let drills = m.secret("engine-drills");
    // Only the registered engine's key writes its scroll.
    assert_eq!(
        m.append(
            "Drills",
            &[opaque("drill_run", "engine", "engine:drills", &drills, 1)]
        )
        .0,
        200
    );

    // An agent with its own key: writes its own scroll, not an engine's.
    let agent = SecretKey::from_seed([9; 32]);
    let actor = "did:vm:agent:automation-01";
    let mut c = m.client();
    let key_body = json!({"actor": actor, "key": agent.public_key().to_string()}).to_string();
    assert_eq!(
        c.post("/admin/keys", key_body.as_bytes()).unwrap().status,
        201
    );
    let scroll_body = json!({"name": "Workflows"}).to_string();
    assert_eq!(
        c.post("/admin/scrolls", scroll_body.as_bytes())
            .unwrap()
            .status,
        201
    );
    let run = |n| opaque("workflow_run", "actor", actor, &agent, n);
    assert_eq!(m.append("Workflows", &[run(1)]).0, 200);
    let (status, body) = m.append("Automation", &[run(2)]);
    assert_eq!(
        (status, &body["error"]["name"]),
        (403, &json!("NOT_ENGINE_KEY")),
        "{body}"
    );
    // The Guardian recorded it, signed by engine:guardian.
    let violation = &body["error"]["detail"]["violation"]["receipt"];
    assert_eq!(violation["detected_by"], "engine:guardian");
    assert_eq!(violation["details"]["actor"], actor);
    let vid = violation["violation_id"].as_str().unwrap().to_string();

    // The Guardian suspends the agent's write capability, pending review.
    m.ok(
        "guardian",
        &[
            "violations",
            "review",
            &vid,
            "--decision",
            "suspend",
            "--enforcement-id",
            "ENF-001",
        ],
    );
    let (status, body) = m.append("Workflows", &[run(3)]);
    assert_eq!(
        (status, &body["error"]["name"]),
        (403, &json!("CAPABILITY_SUSPENDED")),
        "{body}"
    );
    assert_eq!(body["error"]["detail"]["enforcement_id"], "ENF-001");
    let listed = m.ok("sovereign", &["enforcement", "list", "--pending-review"]);
    assert_eq!(listed["enforcements"].as_array().unwrap().len(), 1);
    // The sovereign dismisses it on review: the agent writes again.
    m.set_clock(T0 + HOUR);
    m.ok(
        "sovereign",
        &["enforcement", "review", "ENF-001", "--decision", "dismiss"],
    );
    assert_eq!(m.append("Workflows", &[run(4)]).0, 200);
    // A second suspension is never reviewed: overdue at its deadline, and it lapses.
    let violations = m.state()["violations"].clone();
    let vid2 = violations.as_array().unwrap().last().unwrap()["violation_id"]
        .as_str()
        .unwrap()
        .to_string();
    m.ok(
        "guardian",
        &[
            "violations",
            "review",
            &vid2,
            "--decision",
            "suspend",
            "--enforcement-id",
            "ENF-002",
            "--review-days",
            "2",
        ],
    );
    assert_eq!(m.append("Workflows", &[run(5)]).0, 403);
    m.set_clock(T0 + HOUR + 2 * DAY + 1);
    let e = m.state()["enforcements"][1].clone();
    assert_eq!(
        (e["enforcement_id"].clone(), e["review_overdue"].clone()),
        (json!("ENF-002"), json!(true)),
        "{e}"
    );
    assert_eq!(m.append("Workflows", &[run(6)]).0, 200);

    // parameter_change: node.max_batch is 2 while the order is in force, then lapses.
    let now = T0 + 3 * DAY;
    m.set_clock(now);
    let param = write(
        &files.0,
        "param.json",
        &json!({"parameter": "node.max_batch", "value": 2}),
    );
    m.ok(
        "sovereign",
        &[
            "order",
            "create",
            "--type",
            "parameter_change",
            "--file",
            &param,
            "--hours",
            "1",
            "--id",
            "ORDER-PARAM",
        ],
    );
    let three: Vec<Vec<u8>> = (10..13).map(run).collect();
    let (status, body) = m.append("Workflows", &three);
    assert_eq!(status, 400, "{body}");
    assert_eq!(m.state()["parameters"]["node.max_batch"]["value"], 2);
    m.set_clock(now + HOUR);
    assert_eq!(m.append("Workflows", &three).0, 200);

    // An emergency locks the scrolls while in force, may not be extended past the maximum,
    // and lapses by itself.
    let now = now + 2 * HOUR;
    m.set_clock(now);
    m.ok(
        "sovereign",
        &[
            "emergency",
            "declare",
            "--type",
            "security_incident",
            "--description",
            "Active intrusion on BRICK-02",
            "--powers",
            "lockdown_scrolls",
            "--hours",
            "24",
            "--id",
            "EMERG-1",
        ],
    );
    let (status, body) = m.append(
        "Drills",
        &[opaque("drill_run", "engine", "engine:drills", &drills, 2)],
    );
    assert_eq!(
        (status, &body["error"]["name"]),
        (403, &json!("SCROLL_LOCKED")),
        "{body}"
    );
    m.refused(
        "sovereign",
        &["emergency", "extend", "--hours", "100"],
        "EMERGENCY_TOO_LONG",
    );
    let status = m.ok("sovereign", &["emergency", "status"]);
    assert_eq!(status["powers_in_force"][0]["power"], "lockdown_scrolls");
    m.set_clock(now + 24 * HOUR);
    assert_eq!(m.state()["emergency_powers"], json!([]));
    assert_eq!(
        m.append(
            "Drills",
            &[opaque("drill_run", "engine", "engine:drills", &drills, 3)]
        )
        .0,
        200
    );

    // add_engine: engine:analytics is pending until its anchor confirmation.
    let analytics = files.0.join("analytics.key");
    std::fs::write(
        &analytics,
        SecretKey::from_seed([5; 32]).to_key_file().as_bytes(),
    )
    .unwrap();
    let a = SecretKey::from_seed([5; 32]);
    let now = now + 2 * DAY;
    m.set_clock(now);
    m.ok(
        "bob",
        &[
            "proposal",
            "create",
            "--type",
            "add_engine",
            "--id",
            "PROP-2025-12-002",
            "--engine-id",
            "engine:analytics",
            "--name",
            "Analytics",
            "--scroll",
            "Analytics",
            "--authority",
            "Data analysis and insights",
            "--engine-key",
            analytics.to_str().unwrap(),
        ],
    );
    m.set_clock(now + 8 * DAY);
    for (voter, _) in BALLOTS {
        m.ok(voter, &["vote", "PROP-2025-12-002", "--vote", "approve"]);
    }
    m.set_clock(now + 11 * DAY);
    m.ok("sovereign", &["ratify", "PROP-2025-12-002"]);
    let scroll_body = json!({"name": "Analytics"}).to_string();
    assert_eq!(
        c.post("/admin/scrolls", scroll_body.as_bytes())
            .unwrap()
            .status,
        201
    );
    let insight = |n| opaque("insight", "engine", "engine:analytics", &a, n);
    let (status, body) = m.append("Analytics", &[insight(1)]);
    assert_eq!(
        (status, &body["error"]["name"]),
        (403, &json!("ENGINE_NOT_ACTIVE")),
        "{body}"
    );
    m.ok("sovereign", &["proposal", "activate", "PROP-2025-12-002"]);
    assert_eq!(m.append("Analytics", &[insight(2)]).0, 200);
    assert_eq!(m.get("/governance/constitution")["version"], "1.1.1");

    // The Federation scroll is engine:federation's: the node's federation module writes it as
    // that engine; a mesh's record appended by anyone else (here the node's own signed
    // checkpoint, by the operator) is refused like any other write to an engine's scroll.
    let checkpoint = m.client().get("/scrolls/Governance/checkpoints/1").unwrap();
    assert_eq!(checkpoint.status, 200);
    let (status, body) = m.append("Federation", std::slice::from_ref(&checkpoint.body));
    assert_eq!(
        (
            status,
            &body["error"]["name"],
            &body["error"]["detail"]["engine"]
        ),
        (403, &json!("NOT_ENGINE_KEY"), &json!("engine:federation")),
        "{body}"
    );

    chain_verifies(&m, &files.0);
}

/// Appending 10,000 governance receipts: the cost per receipt at the end against the start
/// (docs/PERFORMANCE.md, "Governance appends"). Run with `--ignored --nocapture`; it prints
/// the figures and asserts only that every receipt was judged and stored.
#[test]
#[ignore]
fn ten_thousand_governance_receipts_cost_the_same_at_the_end() {
    let dir = TempDir::new("gov-bench");
    let n = std::env::var("VAULTMESH_GOV_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let r = vaultmesh_node::governance::bench::append_cost(&dir.0, n).unwrap();
    println!(
        "governance appends: {} receipts; per append first tenth {:.1} µs, last tenth {:.1} µs (ratio {:.2}); judge alone {:.1} µs → {:.1} µs (ratio {:.2})",
        r.receipts,
        r.first_us,
        r.last_us,
        r.last_us / r.first_us,
        r.judge_first_us,
        r.judge_last_us,
        r.judge_last_us / r.judge_first_us
    );
}
