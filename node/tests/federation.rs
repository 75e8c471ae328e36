//! Federation between real nodes on 127.0.0.1 (issue 11): discovery and pinning, the whole
//! negotiation, byte-identical agreements verified by the core, revocation lapsing exactly at
//! the end of its notice under a clock the test controls (`serve --test-clock FILE`), trust
//! levels, every refusal leaving no state, SIGKILL mid-negotiation, and untyped appends.

mod common;

use std::path::{Path, PathBuf};
use std::process::Child;

use common::{edit_config, vm_node, TempDir};
use vaultmesh_core::federation::{self, negotiation, request};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_node::client::{Client, Reply};
use vaultmesh_node::config::DataDir;

/// 2025-12-06T10:00:00Z.
const T0: u64 = 1_765_015_200;
const DAY: u64 = 86_400;

struct Mesh {
    id: String,
    data: PathBuf,
    clock: PathBuf,
    child: Child,
    url: String,
    token: String,
}

impl Mesh {
    fn init(dir: &Path, name: &str, clock: &Path) -> Mesh {
        let data = dir.join(name);
        let id = format!("did:vm:mesh:{name}");
        let (status, out, err) = vm_node(&[
            "init",
            "--mesh-id",
            &id,
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--checkpoint-interval",
            "0",
        ]);
        assert_eq!(status, 0, "{out} {err}");
        // Witness rounds (node/tests/witness.rs) only when a test asks: this test moves the
        // clock by days and counts the Federation scroll's records.
        edit_config(
            &data,
            "requires_mutual = true\n",
            "requires_mutual = true\nscheduled_rounds = false\n",
        );
        let (child, url) = spawn(&data, clock);
        let token = std::fs::read_to_string(data.join("admin.token"))
            .unwrap()
            .trim()
            .to_string();
        Mesh {
            id,
            data,
            clock: clock.to_path_buf(),
            child,
            url,
            token,
        }
    }

    fn admin(&self) -> Client {
        Client::new(&self.url)
            .with_token(self.token.clone())
            .with_retries(0)
    }

    fn get(&self, path: &str) -> serde_json::Value {
        let r = self.admin().get(path).unwrap();
        assert_eq!(r.status, 200, "GET {path}: {}", r.text());
        r.json()
    }

    fn post(&self, path: &str, body: serde_json::Value) -> Reply {
        self.admin()
            .post(path, body.to_string().as_bytes())
            .unwrap()
    }

    fn discover(&self, other: &Mesh) {
        let r = self.post(
            "/admin/federation/discover",
            serde_json::json!({ "url": other.url }),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }

    fn secret(&self) -> [u8; 32] {
        *DataDir::load(&self.data).unwrap().secret()
    }

    /// A request signed as this mesh, sent to `to`.
    fn signed(
        &self,
        to: &Mesh,
        method: &str,
        path: &str,
        body: &[u8],
        nonce: &str,
        now: u64,
    ) -> Reply {
        let params = request::Params {
            created: now,
            expires: now + 300,
            nonce: nonce.into(),
            keyid: self.id.clone(),
        };
        // `@path` is the path without the query (RFC 9421 §2.2.6).
        let signed_path = path.split('?').next().unwrap();
        let h = request::sign(&self.secret(), method, signed_path, body, &params);
        send(to, method, path, body, &h)
    }

    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, url) = spawn(&self.data, &self.clock);
        self.child = child;
        self.url = url;
    }

    /// Restarts with the test hook that aborts after the peer commits and before this node does.
    fn restart_crashing_before_commit(&mut self) {
        self.restart_with_hook("before-commit");
    }

    /// Restarts with a `VM_NODE_TEST_FED_CRASH` test hook.
    fn restart_with_hook(&mut self, hook: &str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, url) =
            common::serve_on_clock(&self.data, &self.clock, &[("VM_NODE_TEST_FED_CRASH", hook)]);
        self.child = child;
        self.url = url;
    }

    fn federation_size(&self) -> u64 {
        self.get("/scrolls/Federation")["tree_size"]
            .as_u64()
            .unwrap()
    }
}

impl Drop for Mesh {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn send(to: &Mesh, method: &str, path: &str, body: &[u8], h: &request::SignedHeaders) -> Reply {
    Client::new(&to.url)
        .with_retries(0)
        .request_with(
            method,
            path,
            Some("application/json"),
            body,
            &[
                ("content-digest", h.content_digest.clone()),
                ("signature-input", h.signature_input.clone()),
                ("signature", h.signature.clone()),
            ],
        )
        .unwrap()
}

fn spawn(data: &Path, clock: &Path) -> (Child, String) {
    common::serve_on_clock(data, clock, &[])
}

fn set_clock(path: &Path, secs: u64) {
    std::fs::write(path, secs.to_string()).unwrap();
}

fn error_name(r: &Reply) -> String {
    r.json()["error"]["name"].as_str().unwrap_or("").to_string()
}

/// Three meshes that have discovered each other, time at T0.
fn three(dir: &TempDir) -> (Mesh, Mesh, Mesh) {
    let clock = dir.0.join("clock");
    set_clock(&clock, T0);
    let a = Mesh::init(&dir.0, "dublin", &clock);
    let b = Mesh::init(&dir.0, "berlin", &clock);
    let c = Mesh::init(&dir.0, "paris", &clock);
    for (x, y) in [(&a, &b), (&b, &a), (&a, &c), (&c, &a), (&b, &c), (&c, &b)] {
        x.discover(y);
    }
    (a, b, c)
}

fn propose(from: &Mesh, to: &Mesh, level: u64, scrolls: &[&str]) -> String {
    let r = from.post(
        "/admin/federation/proposals",
        serde_json::json!({ "target": to.id, "trust_level": level, "scrolls": scrolls,
            "terms": { "verification_frequency": "hourly", "retention_period_days": 365 } }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["proposal_id"].as_str().unwrap().to_string()
}

fn respond(m: &Mesh, id: &str, body: serde_json::Value) -> Reply {
    m.post(&format!("/admin/federation/proposals/{id}"), body)
}

fn state(m: &Mesh, id: &str) -> String {
    m.get(&format!("/admin/federation/proposals/{id}"))["state"]
        .as_str()
        .unwrap()
        .to_string()
}

fn canonical(v: &serde_json::Value) -> Vec<u8> {
    json::canonicalize(v.to_string().as_bytes(), &Limits::default()).unwrap()
}

#[test]
fn three_meshes_negotiate_sign_one_agreement_and_revoke_it_with_notice() {
    let dir = TempDir::new("fed-e2e");
    let (a, b, c) = three(&dir);

    // Pinned on first use, listed.
    let peers = a.get("/admin/federation/peers");
    assert_eq!(peers["peers"].as_array().unwrap().len(), 2);

    // Dublin proposes to Berlin; Berlin counters; Dublin accepts the counter.
    let id = propose(&a, &b, 2, &["Compliance"]);
    assert_eq!(state(&b, &id), "proposed");
    let r = respond(
        &b,
        &id,
        serde_json::json!({ "decision": "counter", "trust_level": 3, "scrolls": ["Compliance", "Drills"] }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(state(&a, &id), "countered");
    // Not Berlin's turn now: refused with the state, nothing stored.
    let before = b.federation_size();
    let r = respond(&b, &id, serde_json::json!({ "decision": "accept" }));
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["error"]["detail"]["state"], "countered");
    assert_eq!(b.federation_size(), before);

    let r = respond(&a, &id, serde_json::json!({ "decision": "accept" }));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(state(&a, &id), "agreed");
    assert_eq!(state(&b, &id), "agreed");
    let agreement_id = negotiation::agreement_id(&id);
    let path = format!("/admin/federation/agreements/{agreement_id}");
    let (ga, gb) = (a.get(&path), b.get(&path));
    // Byte-identical, and verified by the core with both pinned keys.
    let (ba, bb) = (canonical(&ga["agreement"]), canonical(&gb["agreement"]));
    assert_eq!(ba, bb);
    let value = json::parse_record(&ba, &Limits::default()).unwrap();
    let verified = federation::verify_agreement(&value, &Keyring::new()).unwrap();
    assert_eq!(verified.trust_level, 3);
    assert_eq!(verified.parties, vec![a.id.clone(), b.id.clone()]);
    assert_eq!(
        ga["agreement"]["terms"]["scrolls_shared"],
        serde_json::json!(["Compliance", "Drills"])
    );
    // The stored agreement is the one in the Federation scroll (proposal, counter, accept,
    // agreement on both sides).
    assert_eq!(a.federation_size(), 4);
    assert_eq!(b.federation_size(), 4);

    // A counter to an accepted proposal: refused, nothing stored.
    let r = respond(
        &b,
        &id,
        serde_json::json!({ "decision": "counter", "trust_level": 1 }),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(b.federation_size(), 4);

    // Paris proposes to Berlin, Berlin rejects.
    let rejected = propose(&c, &b, 1, &["Compliance"]);
    let r = respond(
        &b,
        &rejected,
        serde_json::json!({ "decision": "reject", "reason": "not now" }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(state(&c, &rejected), "rejected");

    // Trust levels: Paris holds nothing at Berlin; Berlin holds 3 at Dublin.
    let r = c.signed(
        &b,
        "GET",
        "/federation/receipts/Compliance",
        b"",
        "lvl-1",
        T0,
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(
        r.json()["error"]["detail"],
        serde_json::json!({ "held": 0, "needed": 1 })
    );
    let r = b.signed(
        &a,
        "POST",
        "/federation/verify",
        br#"{"items":[]}"#,
        "lvl-2",
        T0,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // Unsigned callers: discovery and roots only.
    assert_eq!(
        Client::new(&a.url).get("/federation/roots").unwrap().status,
        200
    );
    let r = Client::new(&a.url)
        .get("/federation/receipts/Compliance")
        .unwrap();
    assert_eq!(r.status, 401, "{}", r.text());

    // Revocation with two days' notice: in force until the notice ends, then lapsed on both.
    let r = a.post(
        &format!("{path}/revoke"),
        serde_json::json!({ "notice_days": 2, "reason": "reorganisation" }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(a.get(&path)["status"], "revoking");
    assert_eq!(b.get(&path)["status"], "revoking");
    set_clock(&a.clock, T0 + 2 * DAY - 1);
    assert_eq!(a.get(&path)["in_force"], true);
    assert_eq!(b.get(&path)["in_force"], true);
    let r = b.signed(
        &a,
        "POST",
        "/federation/verify",
        br#"{"items":[]}"#,
        "lvl-3",
        T0 + 2 * DAY - 1,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    set_clock(&a.clock, T0 + 2 * DAY);
    assert_eq!(a.get(&path)["status"], "lapsed");
    assert_eq!(b.get(&path)["status"], "lapsed");
    let r = b.signed(
        &a,
        "POST",
        "/federation/verify",
        br#"{"items":[]}"#,
        "lvl-4",
        T0 + 2 * DAY,
    );
    assert_eq!(r.status, 403, "{}", r.text());
    // Nothing deleted: the agreement is still served, with its revocation.
    assert!(a.get(&path)["revocation"].is_object());
}

/// A proposal record from `from` to `to`, signed with `secret`.
fn proposal_record(from: &Mesh, to: &Mesh, id: &str, level: u64, secret: &[u8; 32]) -> Vec<u8> {
    let text = serde_json::json!({
        "proposal_id": id, "proposer": from.id, "target": to.id,
        "proposed_at": "2025-12-06T10:00:00Z", "expires_at": "2025-12-13T10:00:00Z",
        "proposed_trust_level": level,
        "proposed_terms": { "scrolls_to_share": ["Compliance"] },
    })
    .to_string();
    let value = json::parse_record(text.as_bytes(), &Limits::default()).unwrap();
    let Value::Object(mut o) = value else {
        panic!()
    };
    record::sign_record(&mut o, Kind::TrustProposal, secret);
    Value::Object(o).to_canonical()
}

fn proposal_count(m: &Mesh) -> usize {
    m.get("/admin/federation/proposals")["proposals"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn every_refusal_is_clear_and_leaves_no_state() {
    let dir = TempDir::new("fed-refuse");
    let clock = dir.0.join("clock");
    set_clock(&clock, T0);
    let a = Mesh::init(&dir.0, "dublin", &clock);
    let mut b = Mesh::init(&dir.0, "berlin", &clock);
    edit_config(&b.data, "max_trust_level = 4", "max_trust_level = 3");
    b.restart();
    a.discover(&b);
    b.discover(&a);
    let path = "/federation/proposals";
    let secret = a.secret();
    let untouched = |b: &Mesh| {
        assert_eq!(proposal_count(b), 0);
        assert_eq!(b.federation_size(), 0);
    };

    // A forged proposal: changed after signing.
    let good = proposal_record(&a, &b, "fed-proposal-x1", 2, &secret);
    let forged = String::from_utf8(good.clone())
        .unwrap()
        .replace("\"proposed_trust_level\":2", "\"proposed_trust_level\":3");
    let r = a.signed(&b, "POST", path, forged.as_bytes(), "n1", T0);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (422, "SIGNATURE_MISMATCH"),
        "{}",
        r.text()
    );
    untouched(&b);
    // Signed by a key other than the discovery record's.
    let other = proposal_record(&a, &b, "fed-proposal-x2", 2, &[9; 32]);
    let r = a.signed(&b, "POST", path, &other, "n2", T0);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (422, "SIGNATURE_MISMATCH"),
        "{}",
        r.text()
    );
    untouched(&b);
    // A request signed by another key than the pinned one.
    let params = request::Params {
        created: T0,
        expires: T0 + 300,
        nonce: "n3".into(),
        keyid: a.id.clone(),
    };
    let h = request::sign(&[9; 32], "POST", path, &good, &params);
    let r = send(&b, "POST", path, &good, &h);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (401, "SIGNATURE_MISMATCH"),
        "{}",
        r.text()
    );
    untouched(&b);
    // A body that does not match its digest.
    let params = request::Params {
        created: T0,
        expires: T0 + 300,
        nonce: "n4".into(),
        keyid: a.id.clone(),
    };
    let h = request::sign(&secret, "POST", path, &other, &params);
    let r = send(&b, "POST", path, &good, &h);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (401, "CONTENT_DIGEST_MISMATCH"),
        "{}",
        r.text()
    );
    untouched(&b);
    // A stale request.
    let r = a.signed(&b, "POST", path, &good, "n5", T0 - 400);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (401, "REQUEST_STALE"),
        "{}",
        r.text()
    );
    untouched(&b);
    // Unsigned.
    let r = Client::new(&b.url).post(path, &good).unwrap();
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (401, "SIGNATURE_REQUIRED"),
        "{}",
        r.text()
    );
    untouched(&b);
    // Above the target's policy (max 3).
    let high = proposal_record(&a, &b, "fed-proposal-x3", 4, &secret);
    let r = a.signed(&b, "POST", path, &high, "n6", T0);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (403, "POLICY_REFUSED"),
        "{}",
        r.text()
    );
    untouched(&b);

    // A replayed request: the first is stored, the replay refused and changes nothing.
    let params = request::Params {
        created: T0,
        expires: T0 + 300,
        nonce: "n7".into(),
        keyid: a.id.clone(),
    };
    let h = request::sign(&secret, "POST", path, &good, &params);
    let r = send(&b, "POST", path, &good, &h);
    assert_eq!(r.status, 201, "{}", r.text());
    let r = send(&b, "POST", path, &good, &h);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (401, "REQUEST_REPLAYED"),
        "{}",
        r.text()
    );
    // The same proposal in a new request: the same answer, no new state.
    let r = a.signed(&b, "POST", path, &good, "n8", T0);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(proposal_count(&b), 1);
    assert_eq!(b.federation_size(), 1);

    // An agreement whose terms were changed before the second signature: Berlin accepts a
    // proposal of Dublin's but sends an agreement at another trust level.
    let id = propose(&a, &b, 2, &["Compliance"]);
    let size = a.federation_size();
    let stored = a.get(&format!("/admin/federation/proposals/{id}"));
    let proposal = canonical(&stored["proposal"]);
    let proposal = json::parse_record(&proposal, &Limits::default()).unwrap();
    let responded_at = "2025-12-06T10:00:00Z";
    let bsecret = b.secret();
    let response = {
        let text = serde_json::json!({ "proposal_id": id, "responder": b.id, "responded_at": responded_at, "decision": "accept" }).to_string();
        let Value::Object(mut o) = json::parse_record(text.as_bytes(), &Limits::default()).unwrap()
        else {
            panic!()
        };
        record::sign_record(&mut o, Kind::ProposalResponse, &bsecret);
        Value::Object(o).to_canonical()
    };
    let akey = DataDir::load(&a.data).unwrap().public_key();
    let bkey = DataDir::load(&b.data).unwrap().public_key();
    let mut agreement = negotiation::derive_agreement(
        proposal.as_object().unwrap(),
        3, // changed: the proposal said 2
        proposal
            .as_object()
            .unwrap()
            .get("proposed_terms")
            .and_then(Value::as_object),
        responded_at,
        [(a.id.as_str(), &akey), (b.id.as_str(), &bkey)],
    )
    .unwrap();
    federation::sign_agreement(&mut agreement, &b.id, responded_at, &bsecret);
    let body = format!(
        "{{\"response\":{},\"agreement\":{}}}",
        String::from_utf8(response).unwrap(),
        String::from_utf8(Value::Object(agreement).to_canonical()).unwrap()
    );
    let put = format!("/federation/proposals/{id}");
    let r = b.signed(&a, "PUT", &put, body.as_bytes(), "n9", T0);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (422, "AGREEMENT_TERMS_MISMATCH"),
        "{}",
        r.text()
    );
    assert_eq!(state(&a, &id), "proposed");
    assert_eq!(a.federation_size(), size);
    assert!(a.get("/admin/federation/agreements")["agreements"]
        .as_array()
        .unwrap()
        .is_empty());

    // A level-1 peer calling a level-2 endpoint.
    let low = propose(&a, &b, 1, &["Compliance"]);
    let r = respond(&b, &low, serde_json::json!({ "decision": "accept" }));
    assert_eq!(r.status, 200, "{}", r.text());
    let size = a.federation_size();
    // A counter to the accepted proposal, sent by Berlin itself: 409 with the state.
    let counter = {
        let text = serde_json::json!({ "proposal_id": low, "responder": b.id, "responded_at": "2025-12-06T10:00:30Z", "decision": "counter", "counter_trust_level": 2 }).to_string();
        let Value::Object(mut o) = json::parse_record(text.as_bytes(), &Limits::default()).unwrap()
        else {
            panic!()
        };
        record::sign_record(&mut o, Kind::ProposalResponse, &bsecret);
        format!(
            "{{\"response\":{}}}",
            String::from_utf8(Value::Object(o).to_canonical()).unwrap()
        )
    };
    let r = b.signed(
        &a,
        "PUT",
        &format!("/federation/proposals/{low}"),
        counter.as_bytes(),
        "n12",
        T0,
    );
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (409, "NEGOTIATION_CONFLICT"),
        "{}",
        r.text()
    );
    assert_eq!(r.json()["error"]["detail"]["state"], "agreed");
    assert_eq!(a.federation_size(), size);
    let r = b.signed(
        &a,
        "POST",
        "/federation/verify",
        br#"{"items":[]}"#,
        "n10",
        T0,
    );
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (403, "TRUST_LEVEL"),
        "{}",
        r.text()
    );
    assert_eq!(
        r.json()["error"]["detail"],
        serde_json::json!({ "held": 1, "needed": 2 })
    );
    let r = b.signed(
        &a,
        "GET",
        "/federation/receipts/Federation?from=0&count=1",
        b"",
        "n11",
        T0,
    );
    assert_eq!(
        r.status,
        404,
        "level 1 passes the gate (no checkpoint yet): {}",
        r.text()
    );
    assert_eq!(a.federation_size(), size);
}

#[test]
fn a_node_killed_mid_negotiation_resumes_without_duplicates() {
    let dir = TempDir::new("fed-kill");
    let clock = dir.0.join("clock");
    set_clock(&clock, T0);
    let mut a = Mesh::init(&dir.0, "dublin", &clock);
    let mut b = Mesh::init(&dir.0, "berlin", &clock);
    a.discover(&b);
    b.discover(&a);
    let id = propose(&a, &b, 2, &["Compliance"]);
    let r = respond(
        &b,
        &id,
        serde_json::json!({ "decision": "counter", "trust_level": 1 }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // SIGKILL both; the negotiation resumes from the store.
    a.restart();
    b.restart();
    // The peer's URL changed with its port: rediscover (same key, so the pin holds).
    a.discover(&b);
    b.discover(&a);
    assert_eq!(state(&a, &id), "countered");
    assert_eq!(state(&b, &id), "countered");
    let r = respond(&a, &id, serde_json::json!({ "decision": "accept" }));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(state(&b, &id), "agreed");
    assert_eq!(a.federation_size(), 4);
    assert_eq!(b.federation_size(), 4);
    let path = format!(
        "/admin/federation/agreements/{}",
        negotiation::agreement_id(&id)
    );
    assert_eq!(
        canonical(&a.get(&path)["agreement"]),
        canonical(&b.get(&path)["agreement"])
    );
    assert_eq!(a.get(&path)["trust_level"], 1);
}

#[test]
fn untyped_records_must_name_their_kind_and_forged_agreements_are_refused() {
    let dir = TempDir::new("fed-untyped");
    let clock = dir.0.join("clock");
    set_clock(&clock, T0);
    // Not a party of the vector's agreement (its own key would not match the vector's).
    let a = Mesh::init(&dir.0, "rome", &clock);
    let vectors = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/agreements.json");
    let vectors: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vectors).unwrap()).unwrap();
    let valid: serde_json::Value = vectors["cases"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["expect"]["valid"] == true))
        .and_then(|v| v["input"].as_str())
        .map(|t| serde_json::from_str(t).unwrap())
        .expect("a valid agreement vector");
    let body = valid.to_string();
    let append = |q: &str, body: &str| {
        a.admin()
            .post(
                &format!("/admin/scrolls/Federation/receipts{q}"),
                body.as_bytes(),
            )
            .unwrap()
    };
    // No type, no kind: refused, naming the kinds.
    let r = append("", &body);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (400, "KIND_REQUIRED"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("agreement"), "{}", r.text());
    let r = append("?kind=nonsense", &body);
    assert_eq!(r.status, 400, "{}", r.text());
    // The forged agreement (trust level 3 → 4, hash no longer matching): refused.
    let level = valid["trust_level"].as_u64().unwrap();
    let mut forged = valid.clone();
    forged["trust_level"] = (if level == 4 { 3 } else { level + 1 }).into();
    let r = append("?kind=agreement", &forged.to_string());
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (422, "AGREEMENT_HASH_MISMATCH"),
        "{}",
        r.text()
    );
    assert_eq!(a.federation_size(), 0);
    // The genuine one, named, passes the core; the Federation scroll is engine:federation's
    // (the constitution's registry), so the operator's own append of it is still refused.
    let r = append("?kind=agreement", &body);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (403, "NOT_ENGINE_KEY"),
        "{}",
        r.text()
    );
    assert_eq!(a.federation_size(), 0);
    // On a scroll of the operator's own it is verified and stored.
    let mut admin = a.admin();
    let r = admin
        .post("/admin/scrolls", br#"{"name":"Archive"}"#)
        .unwrap();
    assert!(matches!(r.status, 200 | 201), "{}", r.text());
    let r = admin
        .post(
            "/admin/scrolls/Archive/receipts?kind=agreement",
            body.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["verified"], 1);
}

#[test]
fn a_changed_discovery_key_is_refused_until_accepted() {
    let dir = TempDir::new("fed-pin");
    let clock = dir.0.join("clock");
    set_clock(&clock, T0);
    let a = Mesh::init(&dir.0, "dublin", &clock);
    let b = Mesh::init(&dir.0, "berlin", &clock);
    a.discover(&b);
    // Another node claiming to be Berlin, with another key.
    let impostor = Mesh::init(&dir.0.join("other"), "berlin", &clock);
    let r = a.post(
        "/admin/federation/discover",
        serde_json::json!({ "url": impostor.url }),
    );
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (409, "PEER_KEY_CHANGED"),
        "{}",
        r.text()
    );
    let pinned = a.get("/admin/federation/peers")["peers"][0]["public_key"].clone();
    assert_eq!(pinned, b.get("/admin/federation/status")["public_key"]);
    // Requests signed with the new key are not accepted meanwhile.
    let params = request::Params {
        created: T0,
        expires: T0 + 300,
        nonce: "p1".into(),
        keyid: b.id.clone(),
    };
    let h = request::sign(
        &impostor.secret(),
        "GET",
        "/federation/agreements",
        b"",
        &params,
    );
    let r = send(&a, "GET", "/federation/agreements", b"", &h);
    assert_eq!(
        (r.status, error_name(&r).as_str()),
        (401, "SIGNATURE_MISMATCH"),
        "{}",
        r.text()
    );
    // Accepted explicitly: the new key is pinned.
    let r = a.post(
        "/admin/federation/discover",
        serde_json::json!({ "url": impostor.url, "accept_new_key": true }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["outcome"], "key_replaced");
    assert_eq!(
        a.get("/admin/federation/peers")["peers"][0]["public_key"],
        impostor.get("/admin/federation/status")["public_key"]
    );
}

#[test]
fn a_node_killed_after_its_peer_committed_resyncs_from_the_peer() {
    let dir = TempDir::new("fed-resync");
    let clock = dir.0.join("clock");
    set_clock(&clock, T0);
    let mut a = Mesh::init(&dir.0, "dublin", &clock);
    let b = Mesh::init(&dir.0, "berlin", &clock);
    b.discover(&a);
    a.restart_crashing_before_commit();
    a.discover(&b);
    b.discover(&a);
    let id = propose(&a, &b, 2, &["Compliance"]);
    let r = respond(
        &b,
        &id,
        serde_json::json!({ "decision": "counter", "trust_level": 1 }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // Dublin accepts; Berlin countersigns and commits; Dublin dies before its own commit.
    let died = a.admin().post(
        &format!("/admin/federation/proposals/{id}"),
        br#"{"decision":"accept"}"#,
    );
    assert!(died.is_err() || died.unwrap().status >= 500);
    let _ = a.child.wait();
    assert_eq!(state(&b, &id), "agreed");
    a.restart();
    a.discover(&b);
    b.discover(&a);
    assert_eq!(state(&a, &id), "countered");
    // The next message (a minute later, so not the same bytes as the lost one, which Berlin
    // would simply answer again) finds Berlin ahead; Dublin verifies Berlin's records and
    // adopts them.
    set_clock(&clock, T0 + 60);
    let r = respond(&a, &id, serde_json::json!({ "decision": "accept" }));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["resynced"], true);
    assert_eq!(state(&a, &id), "agreed");
    assert_eq!(a.federation_size(), 4);
    assert_eq!(b.federation_size(), 4);
    let path = format!(
        "/admin/federation/agreements/{}",
        negotiation::agreement_id(&id)
    );
    assert_eq!(
        canonical(&a.get(&path)["agreement"]),
        canonical(&b.get(&path)["agreement"])
    );
    // Once more changes nothing.
    let r = respond(&a, &id, serde_json::json!({ "decision": "accept" }));
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(a.federation_size(), 4);
}

#[test]
fn a_proposer_killed_after_the_target_took_its_proposal_recovers_it() {
    let dir = TempDir::new("fed-lost");
    let clock = dir.0.join("clock");
    set_clock(&clock, T0);
    let mut a = Mesh::init(&dir.0, "dublin", &clock);
    let b = Mesh::init(&dir.0, "berlin", &clock);
    a.restart_with_hook("after-proposal");
    a.discover(&b);
    b.discover(&a);
    let died = a.admin().post(
        "/admin/federation/proposals",
        serde_json::json!({ "target": b.id, "trust_level": 2, "scrolls": ["Compliance"] })
            .to_string()
            .as_bytes(),
    );
    assert!(died.is_err() || died.unwrap().status >= 500);
    let _ = a.child.wait();
    a.restart();
    a.discover(&b);
    b.discover(&a);
    assert_eq!(proposal_count(&a), 0);
    let list = b.get("/admin/federation/proposals");
    let id = list["proposals"][0]["proposal_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Berlin's counter reaches Dublin, which recovers its proposal from Berlin (signed by its
    // own key) and applies the counter.
    let r = respond(
        &b,
        &id,
        serde_json::json!({ "decision": "counter", "trust_level": 1 }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(state(&a, &id), "countered");
    assert_eq!(a.federation_size(), 2);
    let r = respond(&a, &id, serde_json::json!({ "decision": "accept" }));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(state(&b, &id), "agreed");
    assert_eq!((a.federation_size(), b.federation_size()), (4, 4));
}
