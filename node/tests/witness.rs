//! Witness rounds between real nodes on 127.0.0.1 (issue 12): a normal level-2 round with
//! samples, stored by both meshes; a split view caught from a conflicting checkpoint signed
//! with the peer's own key, its evidence confirmed by `vm-verify evidence`; a peer serving a
//! wrong inclusion proof caught; a down peer giving `failed` after the retries; a level-1
//! peer observed without samples and only on the scrolls its agreement shares; a checkpoint
//! announced with `/federation/notify` witnessed without anyone asking; a witness killed
//! (abort, as SIGKILL) just before or after its commit neither loses nor duplicates state; a
//! level-3 cross-anchor verified by `vm-verify cross-anchor`, its proof served to the peer.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Once;

use common::{edit_config, vm_node, TempDir, BIN};
use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::federation::{self, request};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_node::bench::{array, compliance_receipt, drill_receipt};
use vaultmesh_node::client::{Client, Reply};
use vaultmesh_node::config::DataDir;

/// 2025-12-06T10:00:00Z.
const T0: u64 = 1_765_015_200;
const AT: &str = "2025-12-06T10:00:00Z";

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
            "--no-governance",
        ]);
        assert_eq!(status, 0, "{out} {err}");
        // Quick retries (the down-peer test waits for them); rounds only when a test asks,
        // except in the notification test.
        edit_config(
            &data,
            "requires_mutual = true\n",
            "requires_mutual = true\nwitness_retries = 2\nwitness_backoff_ms = 20\nnotify_peers = false\nscheduled_rounds = false\n",
        );
        let (child, url) = common::serve_on_clock(&data, clock, &[]);
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

    fn key(&self) -> String {
        self.get("/federation/discovery")["public_key"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A request signed as this mesh, sent to `to`.
    fn signed(&self, to: &Mesh, method: &str, path: &str, body: &[u8], nonce: &str) -> Reply {
        let now: u64 = std::fs::read_to_string(&self.clock)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let params = request::Params {
            created: now,
            expires: now + 300,
            nonce: nonce.into(),
            keyid: self.id.clone(),
        };
        // `@path` is the path without the query (RFC 9421 §2.2.6), as the node signs it.
        let signed_path = path.split('?').next().unwrap();
        let h = request::sign(&self.secret(), method, signed_path, body, &params);
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

    fn restart_with(&mut self, env: &[(&str, &str)]) {
        self.stop();
        let (child, url) = common::serve_on_clock(&self.data, &self.clock, env);
        self.child = child;
        self.url = url;
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Appends `count` compliance receipts to `Compliance` and signs a checkpoint.
    fn grow(&self, from: u64, count: u64) -> serde_json::Value {
        self.grow_scroll("Compliance", from, count)
    }

    /// Appends `count` receipts (drill runs to `Drills`, else compliance receipts) to
    /// `scroll` and signs a checkpoint.
    fn grow_scroll(&self, scroll: &str, from: u64, count: u64) -> serde_json::Value {
        let make = if scroll == "Drills" {
            drill_receipt
        } else {
            compliance_receipt
        };
        let receipts: Vec<Vec<u8>> = (from..from + count).map(|i| make(i, AT)).collect();
        let r = self
            .admin()
            .post(
                &format!("/admin/scrolls/{scroll}/receipts"),
                &array(&receipts),
            )
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        let r = self
            .admin()
            .post(&format!("/admin/scrolls/{scroll}/checkpoints"), b"")
            .unwrap();
        assert!(r.status == 201 || r.status == 200, "{}", r.text());
        r.json()["checkpoint"].clone()
    }

    /// Runs a witness round of `peer`'s `scroll` now.
    fn witness(&self, peer: &Mesh, scroll: &str) -> Reply {
        self.post(
            "/admin/federation/witness",
            serde_json::json!({ "mesh": peer.id, "scroll": scroll }),
        )
    }

    fn witnesses(&self) -> Vec<serde_json::Value> {
        self.get("/admin/federation/witnesses")["witnesses"]
            .as_array()
            .unwrap()
            .clone()
    }
}

impl Drop for Mesh {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `vm-verify` is another package's binary: built once, beside `vm-node`.
fn vm_verify() -> PathBuf {
    sibling("vm-verify")
}

/// `vm-verify` and `vm-federation`, other packages' binaries: built once, beside `vm-node`.
fn sibling(name: &str) -> PathBuf {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let mut args = vec!["build", "-q", "-p", "vm-verify", "-p", "vaultmesh-fedcli"];
        if !cfg!(debug_assertions) {
            args.push("--release");
        }
        let status = Command::new(env!("CARGO")).args(&args).status().unwrap();
        assert!(status.success(), "building vm-verify failed");
    });
    Path::new(BIN).with_file_name(name)
}

/// `vm-federation --json ARGS` against `mesh`'s node: exit status and its JSON answer.
fn vm_federation(mesh: &Mesh, args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(sibling("vm-federation"))
        .arg("--json")
        .arg("--data")
        .arg(&mesh.data)
        .arg("--url")
        .arg(&mesh.url)
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

/// `vm-verify evidence FILE --key MESH=KEY`: exit status and output.
fn verify_evidence(dir: &TempDir, evidence: &serde_json::Value, mesh: &Mesh) -> (i32, String) {
    let file = dir.0.join("evidence.json");
    std::fs::write(&file, evidence.to_string()).unwrap();
    let out = Command::new(vm_verify())
        .arg("evidence")
        .arg(&file)
        .arg("--key")
        .arg(format!("{}={}", mesh.id, mesh.key()))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A witness (Dublin) and a peer (Berlin), discovered both ways, with an agreement at
/// `level` sharing `Compliance`.
fn pair(dir: &TempDir, level: u64) -> (Mesh, Mesh) {
    let clock = dir.0.join("clock");
    std::fs::write(&clock, T0.to_string()).unwrap();
    let a = Mesh::init(&dir.0, "dublin", &clock);
    let b = Mesh::init(&dir.0, "berlin", &clock);
    a.discover(&b);
    b.discover(&a);
    agree(&a, &b, level);
    (a, b)
}

fn agree(a: &Mesh, b: &Mesh, level: u64) {
    agree_on(a, b, level, &["Compliance"]);
}

/// `a` proposes to `b` an agreement at `level` sharing `scrolls` (hourly rounds); `b` accepts.
fn agree_on(a: &Mesh, b: &Mesh, level: u64, scrolls: &[&str]) {
    let r = a.post(
        "/admin/federation/proposals",
        serde_json::json!({ "target": b.id, "trust_level": level, "scrolls": scrolls,
            "terms": { "verification_frequency": "hourly" } }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["proposal_id"].as_str().unwrap().to_string();
    let r = b.post(
        &format!("/admin/federation/proposals/{id}"),
        serde_json::json!({ "decision": "accept" }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

/// A second checkpoint of `real`'s scroll and size, signed with `mesh`'s own key, whose root
/// differs in its last digit: what a mesh showing a split view signs.
fn forge(mesh: &Mesh, real: &serde_json::Value) -> serde_json::Value {
    let root = real["root"].as_str().unwrap();
    let last = if root.ends_with('0') { "1" } else { "0" };
    let other = format!("{}{last}", &root[..root.len() - 1]);
    let text = serde_json::json!({
        "type": "scroll_checkpoint", "mesh_id": mesh.id, "scroll": real["scroll"],
        "tree_size": real["tree_size"], "root": other, "timestamp": AT,
    })
    .to_string();
    let Value::Object(mut o) = json::parse_record(text.as_bytes(), &Limits::default()).unwrap()
    else {
        panic!("an object")
    };
    record::sign_record(&mut o, Kind::ScrollCheckpoint, &mesh.secret());
    serde_json::from_slice(&Value::Object(o).to_canonical()).unwrap()
}

/// Polls `done` every 50 ms, for up to 20 s (a background thread's work, not its speed).
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

fn set_clock(mesh: &Mesh, secs: u64) {
    std::fs::write(&mesh.clock, secs.to_string()).unwrap();
}

fn ok(r: Reply) -> serde_json::Value {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn canonical(v: &serde_json::Value) -> Vec<u8> {
    json::canonicalize(v.to_string().as_bytes(), &Limits::default()).unwrap()
}

fn ring(mesh: &Mesh) -> Keyring {
    let mut ring = Keyring::new();
    ring.insert(mesh.id.clone(), PublicKey::parse(&mesh.key()).unwrap());
    ring
}

#[test]
fn a_level_2_round_samples_receipts_and_both_meshes_store_the_receipt() {
    let dir = TempDir::new("witness-round");
    let (dublin, berlin) = pair(&dir, 2);
    let first = berlin.grow(0, 20);

    let answer = ok(dublin.witness(&berlin, "Compliance"));
    let receipt = &answer["receipt"];
    assert_eq!(receipt["verification_result"], "verified", "{answer}");
    assert_eq!(receipt["samples_checked"], 5);
    assert_eq!(receipt["tree_size"], 20);
    assert_eq!(receipt["witnessed_root"], first["root"]);
    assert_eq!(answer["delivered"], true);
    // The core verifies it under Dublin's key, against Berlin's checkpoint.
    let cp_bytes = canonical(&first);
    let cp = federation::verify_checkpoint(
        &json::parse_record(&cp_bytes, &Limits::default()).unwrap(),
        &ring(&berlin),
    )
    .unwrap();
    let bytes = canonical(receipt);
    let value = json::parse_record(&bytes, &Limits::default()).unwrap();
    federation::verify_witness(&value, &ring(&dublin), Some(&cp)).unwrap();
    // Stored by both.
    for m in [&dublin, &berlin] {
        let list = m.witnesses();
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["receipt"]["witness_id"], receipt["witness_id"]);
    }

    // The scroll grows: the next round checks consistency from size 20.
    berlin.grow(20, 15);
    let answer = ok(dublin.witness(&berlin, "Compliance"));
    assert_eq!(answer["receipt"]["verification_result"], "verified");
    assert_eq!(answer["accepted_size"], 35);
    assert_eq!(berlin.witnesses().len(), 2);
    // Berlin's audit bundle carries both, and the core verifies it (the witness's key comes
    // from the agreement in it).
    let bundle = berlin.admin().get("/scrolls/Compliance/bundle").unwrap();
    assert_eq!(bundle.status, 200, "{}", bundle.text());
    let summary = vaultmesh_node::bundle::check(
        &bundle.body,
        Some((&berlin.id, &PublicKey::parse(&berlin.key()).unwrap())),
    )
    .unwrap();
    assert_eq!(summary.overall, "valid");
    let v: serde_json::Value = serde_json::from_slice(&bundle.body).unwrap();
    assert_eq!(v["scrolls"][0]["witnesses"].as_array().unwrap().len(), 2);

    // Samples are asked for in one bounded list: more than 64, or an index past the size, is
    // refused.
    let many: Vec<String> = (0..65).map(|i| (i % 35).to_string()).collect();
    let path = format!("/federation/receipts/Compliance?indexes={}", many.join(","));
    let r = dublin.signed(&berlin, "GET", &path, b"", "many-1");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("at most 64"), "{}", r.text());
    let path = "/federation/receipts/Compliance?indexes=3,35&tree_size=35";
    let r = dublin.signed(&berlin, "GET", path, b"", "past-1");
    assert_eq!(r.status, 400, "{}", r.text());
    let r = dublin.signed(
        &berlin,
        "GET",
        "/federation/receipts/Compliance?indexes=34,0",
        b"",
        "two-1",
    );
    let v = ok(r);
    assert_eq!(v["receipts"][0]["index"], 34);
    assert_eq!(v["receipts"][1]["index"], 0);

    // `vm-federation status` counts them: Dublin ran two verified rounds, Berlin received two.
    let (status, v) = vm_federation(&dublin, &["status"]);
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["witness"]["rounds"]["verified"], 2, "{v}");
    assert_eq!(v["witness"]["received"], 0, "{v}");
    let (_, v) = vm_federation(&berlin, &["status"]);
    assert_eq!(v["witness"]["received"], 2, "{v}");
    assert_eq!(v["witness"]["rounds"]["verified"], 0, "{v}");

    // A scroll the agreement does not share is not witnessed.
    let r = dublin.witness(&berlin, "Drills");
    assert_eq!(r.status, 403, "{}", r.text());
    // No cross-anchor below level 3.
    let r = dublin.post(
        "/admin/federation/cross-anchor",
        serde_json::json!({ "mesh": berlin.id }),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(dublin.witnesses().len(), 2);
}

#[test]
fn a_split_view_is_caught_and_its_evidence_verifies_with_vm_verify() {
    let dir = TempDir::new("witness-split");
    let (dublin, berlin) = pair(&dir, 2);
    let older = berlin.grow(0, 7);
    let real = berlin.grow(7, 5);
    assert_eq!(
        ok(dublin.witness(&berlin, "Compliance"))["receipt"]["verification_result"],
        "verified"
    );

    // Berlin (its own key) signs a second checkpoint of size 12 with another root and
    // notifies Dublin of it.
    let forged = forge(&berlin, &real);
    let body = serde_json::json!({ "checkpoint": forged }).to_string();
    let r = berlin.signed(
        &dublin,
        "POST",
        "/federation/notify",
        body.as_bytes(),
        "split-1",
    );
    let answer = ok(r);
    let receipt = &answer["receipt"];
    assert_eq!(receipt["verification_result"], "discrepancy", "{answer}");
    let evidence = &receipt["discrepancies"][0];
    assert_eq!(evidence["kind"], "split_view");
    // The accepted checkpoint did not move.
    assert_eq!(answer["accepted_size"], 12);

    let (status, out) = verify_evidence(&dir, evidence, &berlin);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("split_view"), "{out}");
    // An older checkpoint (a late notification): out of step, 409 with the accepted size,
    // nothing stored (C2SP tlog-witness).
    let before = dublin.witnesses().len();
    let body = serde_json::json!({ "checkpoint": older }).to_string();
    let r = berlin.signed(
        &dublin,
        "POST",
        "/federation/notify",
        body.as_bytes(),
        "older-1",
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["error"]["detail"]["tree_size"], 12);
    assert_eq!(dublin.witnesses().len(), before);

    // Forged evidence (one checkpoint twice) is not conclusive.
    let same = serde_json::json!({ "kind": "split_view", "checkpoints": [real, real] });
    let (status, out) = verify_evidence(&dir, &same, &berlin);
    assert_eq!(status, 1, "{out}");
}

#[test]
fn a_wrong_inclusion_proof_is_caught_as_a_bad_sample() {
    let dir = TempDir::new("witness-bad-sample");
    let (dublin, mut berlin) = pair(&dir, 2);
    berlin.grow(0, 16);
    berlin.restart_with(&[("VM_NODE_TEST_WITNESS", "bad-proofs")]);
    // Dublin pinned Berlin's old address: discover it again (same key).
    dublin.discover(&berlin);

    let answer = ok(dublin.witness(&berlin, "Compliance"));
    let receipt = &answer["receipt"];
    assert_eq!(receipt["verification_result"], "discrepancy", "{answer}");
    let evidence = &receipt["discrepancies"][0];
    assert_eq!(evidence["kind"], "bad_sample");
    // Nothing accepted.
    assert_eq!(answer["accepted_size"], 0);
    let (status, out) = verify_evidence(&dir, evidence, &berlin);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("bad_sample"), "{out}");
}

#[test]
fn a_down_peer_gives_failed_after_the_retries() {
    let dir = TempDir::new("witness-down");
    let (dublin, mut berlin) = pair(&dir, 2);
    berlin.grow(0, 5);
    berlin.stop();

    let answer = ok(dublin.witness(&berlin, "Compliance"));
    let receipt = &answer["receipt"];
    assert_eq!(receipt["verification_result"], "failed", "{answer}");
    let reason = receipt["discrepancies"][0]["reason"].as_str().unwrap();
    // witness_retries = 2: three attempts.
    assert!(reason.contains("after 3 attempts"), "{reason}");
    assert_eq!(answer["delivered"], false);
    assert_eq!(receipt["tree_size"], 0);
    let list = dublin.witnesses();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["delivered"], false);
    let (status, v) = vm_federation(&dublin, &["health", "--all-peers"]);
    assert_eq!(status, 0, "{v}");
    let row = &v["witnessed"][0];
    assert_eq!(row["mesh"], berlin.id.as_str());
    assert_eq!(row["last_result"], "failed");
    assert_eq!(row["last_verified"], serde_json::Value::Null);
    assert_eq!(row["problems_since_verified"], 1);
}

#[test]
fn a_level_1_peer_is_observed_without_samples() {
    let dir = TempDir::new("witness-level1");
    let (dublin, berlin) = pair(&dir, 1);
    berlin.grow(0, 9);
    let answer = ok(dublin.witness(&berlin, "Compliance"));
    let receipt = &answer["receipt"];
    assert_eq!(receipt["verification_result"], "verified", "{answer}");
    assert_eq!(receipt["samples_checked"], 0);
    assert_eq!(receipt["verification_method"], "consistency");
    assert_eq!(berlin.witnesses().len(), 1);
    // Only what the agreement shares (public scrolls: a proposal names only those).
    let r = dublin.witness(&berlin, "Guardian");
    assert_eq!(r.status, 403, "{}", r.text());
    // A private scroll: no proposal can name it, and the federation endpoints do not serve it
    // even to a partner's signed request.
    let r = berlin.post(
        "/admin/scrolls",
        serde_json::json!({ "name": "Internal", "public": false }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    berlin.grow_scroll("Internal", 0, 3);
    let r = dublin.post(
        "/admin/federation/proposals",
        serde_json::json!({ "target": berlin.id, "trust_level": 1, "scrolls": ["Internal"] }),
    );
    assert!(r.status >= 400, "{}", r.text());
    let r = dublin.signed(
        &berlin,
        "GET",
        "/federation/receipts/Internal",
        b"",
        "priv-1",
    );
    assert_eq!(r.status, 404, "{}", r.text());
    let r = dublin.witness(&berlin, "Internal");
    assert_eq!(r.status, 403, "{}", r.text());

    // The operator's tool: a round now, then the history.
    berlin.grow(9, 3);
    let (status, v) = vm_federation(
        &dublin,
        &["verify", "--mesh", &berlin.id, "--scroll", "Compliance"],
    );
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["receipt"]["verification_result"], "verified");
    assert_eq!(v["accepted_size"], 12);
    let (status, v) = vm_federation(&dublin, &["health", "--all-peers"]);
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["witnessed"][0]["accepted_size"], 12, "{v}");
    assert_eq!(v["witnessed"][0]["rounds"], 2);
    assert_eq!(v["witnessed"][0]["lag_secs"], 0);
    let (status, v) = vm_federation(
        &dublin,
        &["witness-history", "--mesh", &berlin.id, "--last", "30d"],
    );
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["witnesses"].as_array().unwrap().len(), 2, "{v}");
    let (status, v) = vm_federation(&dublin, &["witness-history", "--scroll", "Drills"]);
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["witnesses"].as_array().unwrap().len(), 0, "{v}");
    let (status, _) = vm_federation(
        &dublin,
        &["verify", "--mesh", &berlin.id, "--scroll", "Guardian"],
    );
    assert_eq!(status, 1);
}

#[test]
fn a_signed_checkpoint_is_announced_and_witnessed_without_asking() {
    let dir = TempDir::new("witness-notify");
    let (dublin, mut berlin) = pair(&dir, 2);
    edit_config(&berlin.data, "notify_peers = false", "notify_peers = true");
    berlin.restart_with(&[]);
    dublin.discover(&berlin);

    berlin.grow(0, 8);
    // The notifier runs off the request path: wait for the receipt Dublin delivers.
    let mut list = Vec::new();
    for _ in 0..200 {
        list = berlin.witnesses();
        if !list.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(list.len(), 1, "no witness receipt arrived");
    let receipt = &list[0]["receipt"];
    assert_eq!(receipt["witnessing_mesh"], dublin.id.as_str());
    assert_eq!(receipt["verification_result"], "verified");
    assert_eq!(receipt["tree_size"], 8);
    assert_eq!(receipt["samples_checked"], 5);
    assert_eq!(dublin.witnesses().len(), 1);
}

#[test]
fn a_witness_killed_with_sigkill_mid_round_neither_loses_nor_duplicates_its_state() {
    let dir = TempDir::new("witness-kill");
    let (mut dublin, berlin) = pair(&dir, 2);
    berlin.grow(0, 10);

    // The round stops just before, then just after its commit; the test kills the process
    // there with SIGKILL. Before: nothing stored, nothing sent. After: the receipt and the
    // accepted checkpoint both, once, the receipt marked not delivered.
    for (hook, stored) in [("pause-before-commit", 0), ("pause-after-commit", 1)] {
        let mark = dir.0.join(format!("{hook}.mark"));
        dublin.restart_with(&[
            ("VM_NODE_TEST_WITNESS", hook),
            ("VM_NODE_TEST_WITNESS_MARK", mark.to_str().unwrap()),
        ]);
        let (url, token) = (dublin.url.clone(), dublin.token.clone());
        let body = serde_json::json!({ "mesh": berlin.id, "scroll": "Compliance" }).to_string();
        let call = std::thread::spawn(move || {
            Client::new(&url)
                .with_token(token)
                .with_retries(0)
                .post("/admin/federation/witness", body.as_bytes())
        });
        wait_until("the round to pause", || mark.exists());
        dublin.stop(); // Child::kill: SIGKILL
        let answer = call.join().unwrap();
        assert!(answer.is_err(), "{hook}: the killed round answered");
        dublin.restart_with(&[]);
        let list = dublin.witnesses();
        assert_eq!(list.len(), stored, "{hook}: {list:?}");
        assert_eq!(berlin.witnesses().len(), 0, "{hook}");
        if stored == 1 {
            assert_eq!(list[0]["receipt"]["tree_size"], 10);
            assert_eq!(list[0]["delivered"], false);
            let (_, health) = vm_federation(&dublin, &["health", "--all-peers"]);
            assert_eq!(health["witnessed"][0]["accepted_size"], 10, "{health}");
        }
    }
    // The next round starts from the accepted size 10: a consistency proof to 14.
    berlin.grow(10, 4);
    let answer = ok(dublin.witness(&berlin, "Compliance"));
    assert_eq!(answer["receipt"]["verification_result"], "verified");
    assert_eq!(answer["accepted_size"], 14);
    assert_eq!(dublin.witnesses().len(), 2);
}

#[test]
fn a_mesh_showing_two_partners_two_histories_is_caught_by_their_cross_check() {
    let dir = TempDir::new("witness-three");
    let (dublin, berlin) = pair(&dir, 2);
    let paris = Mesh::init(&dir.0, "paris", &dublin.clock);
    for (a, b) in [(&paris, &berlin), (&paris, &dublin)] {
        a.discover(b);
        b.discover(a);
    }
    agree_on(&dublin, &berlin, 2, &["Drills"]);
    agree_on(&paris, &berlin, 1, &["Compliance", "Drills"]);
    agree_on(&paris, &dublin, 1, &["Compliance"]);

    // Honest, at different sizes: Paris accepted 7, Dublin checks 12 against it with a
    // consistency proof Berlin serves, and verifies.
    berlin.grow_scroll("Drills", 0, 7);
    ok(paris.witness(&berlin, "Drills"));
    berlin.grow_scroll("Drills", 7, 5);
    let answer = ok(dublin.witness(&berlin, "Drills"));
    assert_eq!(
        answer["receipt"]["verification_result"], "verified",
        "{answer}"
    );
    assert_eq!(answer["accepted_size"], 12);

    // Berlin shows Paris (which observes: no samples) another checkpoint of size 12 than the
    // one it serves Dublin. Neither sees a contradiction alone.
    let real = berlin.grow(0, 12);
    let forged = forge(&berlin, &real);
    let body = serde_json::json!({ "checkpoint": forged }).to_string();
    let r = berlin.signed(
        &paris,
        "POST",
        "/federation/notify",
        body.as_bytes(),
        "split-p",
    );
    assert_eq!(ok(r)["receipt"]["verification_result"], "verified");

    // Dublin's round asks Paris what it accepted: a split view, with Berlin's two signatures.
    let answer = ok(dublin.witness(&berlin, "Compliance"));
    let receipt = &answer["receipt"];
    assert_eq!(receipt["verification_result"], "discrepancy", "{answer}");
    assert_eq!(receipt["samples_checked"], 5);
    assert_eq!(
        answer["accepted_size"], 0,
        "a contradicted checkpoint is not accepted"
    );
    let evidence = &receipt["discrepancies"][0];
    assert_eq!(evidence["kind"], "split_view");
    assert_eq!(evidence["reported_by"], paris.id.as_str());
    let (status, out) = verify_evidence(&dir, evidence, &berlin);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("split_view"), "{out}");

    // Berlin grows on its real history: Dublin's next round finds Paris's checkpoint at 12
    // inconsistent with the one at 15 (Berlin cannot prove them consistent).
    berlin.grow(12, 3);
    let answer = ok(dublin.witness(&berlin, "Compliance"));
    let receipt = &answer["receipt"];
    assert_eq!(receipt["verification_result"], "discrepancy", "{answer}");
    assert_eq!(receipt["discrepancies"][0]["kind"], "inconsistent");
    let (status, out) = verify_evidence(&dir, &receipt["discrepancies"][0], &berlin);
    assert_eq!(status, 0, "{out}");

    // What a partner accepted is told only to a signed partner, and only when asked fully.
    let r = Client::new(&paris.url)
        .with_retries(0)
        .get(&format!(
            "/federation/witnessed?mesh={}&scroll=Compliance",
            berlin.id
        ))
        .unwrap();
    assert_eq!(r.status, 401, "{}", r.text());
    let r = dublin.signed(&paris, "GET", "/federation/witnessed", b"", "ask-1");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("mesh=DID&scroll=NAME"), "{}", r.text());
}

#[test]
fn rounds_run_on_the_agreements_verification_frequency() {
    let dir = TempDir::new("witness-schedule");
    let (mut dublin, berlin) = pair(&dir, 2);
    berlin.grow(0, 6);
    edit_config(
        &dublin.data,
        "scheduled_rounds = false",
        "scheduled_rounds = true",
    );
    dublin.restart_with(&[]);
    // The agreement says hourly and began at T0: nothing is due before T0 + 1 h (the
    // scheduler looks every second; three looks).
    set_clock(&dublin, T0 + 3_599);
    std::thread::sleep(std::time::Duration::from_millis(3_200));
    assert_eq!(dublin.witnesses().len(), 0);

    set_clock(&dublin, T0 + 3_600);
    wait_until("the first scheduled round", || {
        dublin.witnesses().len() == 1
    });
    let first = &dublin.witnesses()[0]["receipt"];
    assert_eq!(first["verification_result"], "verified", "{first}");
    assert_eq!(first["tree_size"], 6);

    // Half an hour on: not yet. An hour after the round: the next one, from size 6.
    berlin.grow(6, 3);
    set_clock(&dublin, T0 + 5_400);
    std::thread::sleep(std::time::Duration::from_millis(3_200));
    assert_eq!(dublin.witnesses().len(), 1);
    set_clock(&dublin, T0 + 7_200);
    wait_until("the second scheduled round", || {
        dublin.witnesses().len() == 2
    });
    let (_, health) = vm_federation(&dublin, &["health", "--all-peers"]);
    assert_eq!(health["witnessed"][0]["accepted_size"], 9, "{health}");
    assert_eq!(berlin.witnesses().len(), 2, "both delivered");
}

#[test]
fn a_level_3_partner_is_witnessed_and_cross_anchored_on_schedule() {
    let dir = TempDir::new("witness-anchor-schedule");
    let (mut dublin, berlin) = pair(&dir, 3);
    let theirs = berlin.grow(0, 6);
    edit_config(
        &dublin.data,
        "scheduled_rounds = false",
        "scheduled_rounds = true",
    );
    dublin.restart_with(&[]);
    let anchors = || {
        let r = berlin.signed(
            &dublin,
            "GET",
            "/federation/cross-anchors",
            b"",
            &format!(
                "poll-{}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ),
        );
        ok(r)["cross_anchors"].as_array().unwrap().clone()
    };
    assert_eq!(anchors().len(), 0);
    // An hour after the agreement: the round, then the cross-anchor over the root it accepted.
    set_clock(&dublin, T0 + 3_600);
    wait_until("the scheduled cross-anchor", || anchors().len() == 1);
    let entry = &anchors()[0];
    assert_eq!(
        entry["cross_anchor"]["roots_included"]["Compliance"],
        theirs["root"]
    );
    assert_eq!(entry["proofs"][0]["root"], theirs["root"]);
    assert_eq!(dublin.witnesses().len(), 1);
    // Not again within the hour.
    std::thread::sleep(std::time::Duration::from_millis(2_200));
    assert_eq!(anchors().len(), 1);
}

#[test]
fn a_stale_notification_is_refused_409_and_the_notifier_resynchronises() {
    let dir = TempDir::new("witness-resync");
    let (dublin, berlin) = pair(&dir, 2);
    berlin.grow(0, 7);
    berlin.grow(7, 5);
    ok(dublin.witness(&berlin, "Compliance"));
    berlin.grow(12, 3);

    // Berlin notifies its checkpoint of size 7: Dublin is at 12 (409), so Berlin sends its
    // latest (15), which Dublin verifies from 12.
    let (status, v) = vm_federation(
        &berlin,
        &[
            "notify",
            "--mesh",
            &dublin.id,
            "--scroll",
            "Compliance",
            "--size",
            "7",
        ],
    );
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["resynced_from"], 12, "{v}");
    assert_eq!(v["status"], 200);
    assert_eq!(v["answer"]["receipt"]["verification_result"], "verified");
    assert_eq!(v["answer"]["accepted_size"], 15);
    assert_eq!(dublin.witnesses().len(), 2);

    // Without a size: the latest, already accepted (verified again, no resync).
    let (status, v) = vm_federation(
        &berlin,
        &["notify", "--mesh", &dublin.id, "--scroll", "Compliance"],
    );
    assert_eq!(status, 0, "{v}");
    assert_eq!(v["resynced_from"], serde_json::Value::Null);
    assert_eq!(v["answer"]["accepted_size"], 15);
    // A size Berlin never signed, and a scroll not shared.
    let r = berlin.post(
        "/admin/federation/notify",
        serde_json::json!({ "mesh": dublin.id, "scroll": "Compliance", "tree_size": 99 }),
    );
    assert_eq!(r.status, 404, "{}", r.text());
    let r = berlin.post(
        "/admin/federation/notify",
        serde_json::json!({ "mesh": dublin.id, "scroll": "Drills" }),
    );
    assert_eq!(r.status, 403, "{}", r.text());
}

#[test]
fn a_level_3_cross_anchor_verifies_and_proves_the_peers_root_to_it() {
    let dir = TempDir::new("witness-cross");
    let (dublin, berlin) = pair(&dir, 3);
    // Nothing witnessed yet: no roots to include.
    let r = dublin.post(
        "/admin/federation/cross-anchor",
        serde_json::json!({ "mesh": berlin.id }),
    );
    assert_eq!(r.status, 422, "{}", r.text());

    let theirs = berlin.grow(0, 6);
    let ours = dublin.grow(0, 4);
    ok(dublin.witness(&berlin, "Compliance"));
    let r = dublin.post(
        "/admin/federation/cross-anchor",
        serde_json::json!({ "mesh": berlin.id }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let anchor = r.json();
    assert_eq!(anchor["roots_included"]["Compliance"], theirs["root"]);
    assert_eq!(anchor["anchoring_roots"]["Compliance"], ours["root"]);
    assert_eq!(anchor["anchor_proof"]["backend"], "none");

    // vm-verify, with the agreement (the keys come from its key_exchange).
    let agreement = &dublin.get("/admin/federation/agreements")["agreements"][0]["agreement"];
    let (a_file, g_file) = (dir.0.join("anchor.json"), dir.0.join("agreement.json"));
    std::fs::write(&a_file, anchor.to_string()).unwrap();
    std::fs::write(&g_file, agreement.to_string()).unwrap();
    let out = Command::new(vm_verify())
        .arg("cross-anchor")
        .arg(&a_file)
        .arg("--agreement")
        .arg(&g_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Berlin asks for its proof (a signed request) and checks its root is committed.
    let r = berlin.signed(&dublin, "GET", "/federation/cross-anchors", b"", "cross-1");
    let v = ok(r);
    let entry = &v["cross_anchors"][0];
    assert_eq!(entry["cross_anchor"], anchor);
    let proof = &entry["proofs"][0];
    assert_eq!(proof["scroll"], "Compliance");
    assert_eq!(proof["root"], theirs["root"]);
    let bytes = canonical(&proof["proof"]);
    let parsed = vaultmesh_core::merkle::InclusionProof::from_value(
        &json::parse_record(&bytes, &Limits::default()).unwrap(),
    )
    .unwrap();
    let combined =
        vaultmesh_core::encoding::Digest::parse(anchor["combined_root"].as_str().unwrap()).unwrap();
    federation::verify_anchored_root(
        &combined,
        &berlin.id,
        "Compliance",
        proof["root"].as_str().unwrap(),
        &parsed,
    )
    .unwrap();

    // Dublin's audit bundle of the scroll carries the cross-anchor; the auditor's vm-verify
    // checks it under the agreement in the bundle and ties it to the bundle's checkpoint.
    let bundle = dublin.admin().get("/scrolls/Compliance/bundle").unwrap();
    assert_eq!(bundle.status, 200, "{}", bundle.text());
    let v: serde_json::Value = serde_json::from_slice(&bundle.body).unwrap();
    assert_eq!(v["cross_anchors"][0], anchor);
    let b_file = dir.0.join("bundle.json");
    std::fs::write(&b_file, &bundle.body).unwrap();
    let out = Command::new(vm_verify())
        .args(["--json", "bundle"])
        .arg(&b_file)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&out.stdout)));
    assert!(out.status.success(), "{report}");
    let item = &report["report"]["sections"]["cross_anchors"][0];
    assert_eq!(item["verdict"], "valid", "{item}");
    assert_eq!(
        item["details"]["anchored_checkpoints"][0], "scrolls[0].checkpoints[0]",
        "{item}"
    );
}
