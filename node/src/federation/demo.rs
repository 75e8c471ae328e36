//! The demo's federation part (`vm-node demo`): two more meshes on loopback, `berlin` and
//! `paris`; the demo mesh and each discover the other; the demo mesh proposes to Berlin,
//! Berlin counters, the demo mesh accepts, and both sign one agreement; Paris proposes to the
//! demo mesh, which rejects. The demo mesh then witnesses Berlin's Compliance scroll, signs
//! a cross-anchor with it (level 3), and catches Berlin signing a second checkpoint of one
//! size (a split view, with evidence `vm-verify evidence` confirms). The agreement is written for `vm-verify agreement` and lands in
//! the exported bundle (`crate::bundle`).

use std::path::Path;

use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits};
use vaultmesh_core::record::Keyring;

use crate::cli::Fail;
use crate::client::Client;
use crate::config;

/// What the federation part of the demo produced.
pub struct Outcome {
    /// The agreement's id.
    pub agreement_id: String,
    /// Where the agreement (signed by both) was written.
    pub agreement_file: std::path::PathBuf,
}

/// A mesh of the demo or a bench: initialised in its data directory and served on a loopback
/// port in this process.
pub struct Loopback {
    /// The node.
    pub node: std::sync::Arc<crate::node::Node>,
    /// Its base URL.
    pub url: String,
    /// An admin client of it.
    pub client: Client,
    /// Its server (stop it when done).
    pub running: crate::http::Running,
}

/// Initialises `data` for `mesh_id` with `scrolls` (no checkpoint interval) and serves it.
pub fn loopback_mesh(data: &Path, mesh_id: &str, scrolls: Vec<String>) -> Result<Loopback, Fail> {
    config::init(
        data,
        &config::InitOptions {
            mesh_id,
            listen: "127.0.0.1:0",
            scrolls,
            checkpoint_interval_secs: 0,
            store: None,
        },
    )?;
    let (node, running) = crate::cli::start(data, None)?;
    let url = format!("http://{}", running.addr);
    let client = Client::new(&url).with_token(config::admin_token(data)?);
    Ok(Loopback {
        node,
        url,
        client,
        running,
    })
}

/// One admin call: the JSON answer of a 2xx, else a failure naming the call and the status.
pub fn call(
    c: &mut Client,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, Fail> {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let reply = c
        .request(method, path, Some("application/json"), &bytes)
        .map_err(|e| Fail::usage(format!("{method} {path}: {e}")))?;
    if (200..300).contains(&reply.status) {
        Ok(reply.json())
    } else {
        Err(Fail::usage(format!(
            "{method} {path}: HTTP {} {}",
            reply.status,
            reply.text()
        )))
    }
}

/// Runs the federation steps against the demo mesh at `url` (admin client `demo`), with the
/// other meshes' data under `base`; writes `files/agreement.json`; reports through `say`.
pub fn run(
    base: &Path,
    url: &str,
    demo: &mut Client,
    files: &Path,
    say: &mut dyn FnMut(String),
) -> Result<Outcome, Fail> {
    let mut peers = Vec::new();
    for name in ["berlin", "paris"] {
        let mesh_id = format!("did:vm:mesh:{name}");
        let scrolls = config::DEFAULT_SCROLLS
            .iter()
            .map(|s| s.to_string())
            .collect();
        let m = loopback_mesh(&base.join(name), &mesh_id, scrolls)?;
        peers.push((mesh_id, m.url, m.client, m.running, m.node));
    }
    let [(berlin, berlin_url, b, berlin_running, berlin_node), (paris, paris_url, p, paris_running, _)] =
        <[_; 2]>::try_from(peers).map_err(|_| Fail::usage("two meshes"))?;
    let (mut b, mut p) = (b, p);
    say(format!(
        "mesh    {berlin} at {berlin_url} and {paris} at {paris_url} (each its own key and store)"
    ));

    let discover = |c: &mut Client, other: &str| {
        call(
            c,
            "POST",
            "/admin/federation/discover",
            serde_json::json!({ "url": other }),
        )
    };
    discover(demo, &berlin_url)?;
    discover(&mut b, url)?;
    discover(demo, &paris_url)?;
    discover(&mut p, url)?;
    say("discover demo <-> berlin, demo <-> paris: self-signed discovery records verified, keys pinned (POST /admin/federation/discover)".into());

    let proposal = call(
        demo,
        "POST",
        "/admin/federation/proposals",
        serde_json::json!({ "target": berlin, "trust_level": 2, "scrolls": ["Compliance"],
            "terms": { "verification_frequency": "hourly", "retention_period_days": 365, "data_jurisdiction": "EU", "audit_rights": true } }),
    )?;
    let id = proposal["proposal_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    say(format!("propose {id}: demo -> berlin, trust level 2 (verify), scrolls Compliance; signed record and signed request (RFC 9421)"));
    call(
        &mut b,
        "POST",
        &format!("/admin/federation/proposals/{id}"),
        serde_json::json!({ "decision": "counter", "trust_level": 3, "scrolls": ["Compliance", "Drills"] }),
    )?;
    say("counter berlin: trust level 3 (attest), scrolls Compliance, Drills".into());
    let agreed = call(
        demo,
        "POST",
        &format!("/admin/federation/proposals/{id}"),
        serde_json::json!({ "decision": "accept" }),
    )?;
    let agreement_id = agreed["agreement_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let path = format!("/admin/federation/agreements/{agreement_id}");
    let ours = call(demo, "GET", &path, serde_json::Value::Null)?;
    let theirs = call(&mut b, "GET", &path, serde_json::Value::Null)?;
    let canonical = |v: &serde_json::Value| {
        json::canonicalize(v["agreement"].to_string().as_bytes(), &Limits::default())
            .map_err(|e| Fail::invalid(e.to_string()))
    };
    let (ours, theirs) = (canonical(&ours)?, canonical(&theirs)?);
    if ours != theirs {
        return Err(Fail::invalid("the two stored agreements differ"));
    }
    let value =
        json::parse_record(&ours, &Limits::default()).map_err(|e| Fail::invalid(e.to_string()))?;
    let verified = federation::verify_agreement(&value, &Keyring::new())
        .map_err(|f| Fail::invalid(f.to_string()))?;
    say(format!(
        "agree   {agreement_id}: derived from the accepted terms, signed by demo, countersigned by berlin; both stores hold the same {} bytes; verified with the core (level {}, hash {})",
        ours.len(),
        verified.trust_level,
        verified.agreement_hash
    ));

    let checkpoint = witness_and_anchor(demo, &mut b, &berlin, &verified, say)?;
    split_view_caught(&berlin_node, url, &checkpoint, files, say)?;

    let rejected = call(
        &mut p,
        "POST",
        "/admin/federation/proposals",
        serde_json::json!({ "target": "did:vm:mesh:demo", "trust_level": 1, "scrolls": ["Drills"] }),
    )?;
    let rid = rejected["proposal_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    call(
        demo,
        "POST",
        &format!("/admin/federation/proposals/{rid}"),
        serde_json::json!({ "decision": "reject", "reason": "no federation with paris this quarter" }),
    )?;
    say(format!(
        "reject  {rid}: paris -> demo, rejected by demo (signed response; final)"
    ));

    let agreement_file = files.join("agreement.json");
    std::fs::write(&agreement_file, &ours)?;
    say(format!(
        "file    {} (check it: vm-verify agreement {})",
        agreement_file.display(),
        agreement_file.display()
    ));
    berlin_running.stop();
    paris_running.stop();
    Ok(Outcome {
        agreement_id,
        agreement_file,
    })
}

/// The witness cycle (issue 12): Berlin's Compliance grows and is checkpointed; the demo mesh
/// witnesses it (samples, at level 3) and then signs a cross-anchor over both meshes' roots,
/// which the core verifies under the agreement.
fn witness_and_anchor(
    demo: &mut Client,
    b: &mut Client,
    berlin: &str,
    agreement: &federation::Agreement,
    say: &mut dyn FnMut(String),
) -> Result<serde_json::Value, Fail> {
    let receipts: Vec<Vec<u8>> = (0..12)
        .map(|i| crate::bench::compliance_receipt(i, &crate::util::now_text()))
        .collect();
    let batch: serde_json::Value = serde_json::from_slice(&crate::bench::array(&receipts))
        .map_err(|e| Fail::invalid(e.to_string()))?;
    call(b, "POST", "/admin/scrolls/Compliance/receipts", batch)?;
    let checkpoint = call(
        b,
        "POST",
        "/admin/scrolls/Compliance/checkpoints",
        serde_json::Value::Null,
    )?["checkpoint"]
        .clone();
    let round = call(
        demo,
        "POST",
        "/admin/federation/witness",
        serde_json::json!({ "mesh": berlin, "scroll": "Compliance" }),
    )?;
    let r = &round["receipt"];
    if r["verification_result"] != "verified" {
        return Err(Fail::invalid(format!("the witness round: {r}")));
    }
    say(format!(
        "witness {}: berlin's Compliance at size {} {} ({} sampled receipts with inclusion proofs), delivered to berlin: {}",
        r["witness_id"].as_str().unwrap_or("?"),
        r["tree_size"],
        r["verification_result"].as_str().unwrap_or("?"),
        r["samples_checked"],
        round["delivered"]
    ));
    let anchor = call(
        demo,
        "POST",
        "/admin/federation/cross-anchor",
        serde_json::json!({ "mesh": berlin }),
    )?;
    let bytes = json::canonicalize(anchor.to_string().as_bytes(), &Limits::default())
        .map_err(|e| Fail::invalid(e.to_string()))?;
    let value =
        json::parse_record(&bytes, &Limits::default()).map_err(|e| Fail::invalid(e.to_string()))?;
    federation::verify_cross_anchor(&value, &agreement.keys, Some(agreement))
        .map_err(|f| Fail::invalid(f.to_string()))?;
    say(format!(
        "anchor  cross-anchor demo -> berlin: combined root {} over both meshes' roots, verified with the core under the level-{} agreement",
        anchor["combined_root"].as_str().unwrap_or("?"),
        agreement.trust_level
    ));
    Ok(checkpoint)
}

/// A discrepancy caught: Berlin (its own key, as a mesh showing a split view would) signs a
/// second checkpoint of the size the demo mesh witnessed, with another root, and notifies the
/// demo mesh of it; the round ends `discrepancy`, whose evidence the core confirms from
/// Berlin's two signatures alone. Written to `files/evidence.json` for `vm-verify evidence`.
fn split_view_caught(
    berlin: &crate::node::Node,
    demo_url: &str,
    real: &serde_json::Value,
    files: &Path,
    say: &mut dyn FnMut(String),
) -> Result<(), Fail> {
    use vaultmesh_core::json::Value;
    use vaultmesh_core::record::{self, Kind};
    let invalid = |e: &dyn std::fmt::Display| Fail::invalid(e.to_string());
    let mut other = real.clone();
    let root = real["root"].as_str().unwrap_or_default();
    let flipped = if root.ends_with('0') { "1" } else { "0" };
    other["root"] = format!("{}{flipped}", &root[..root.len().saturating_sub(1)]).into();
    let text = json::canonicalize(other.to_string().as_bytes(), &Limits::default())
        .map_err(|e| invalid(&e))?;
    let Ok(Value::Object(mut object)) = json::parse_record(&text, &Limits::default()) else {
        return Err(Fail::invalid("the checkpoint is not an object"));
    };
    record::sign_record(
        &mut object,
        Kind::ScrollCheckpoint,
        berlin.federation_secret(),
    );
    let forged = Value::Object(object).to_canonical();
    let body = format!("{{\"checkpoint\":{}}}", String::from_utf8_lossy(&forged));
    let reply = super::signed::call(
        berlin,
        demo_url,
        "POST",
        "/federation/notify",
        body.as_bytes(),
    )
    .map_err(|e| Fail::invalid(e.message))?;
    let round = reply.json();
    let r = &round["receipt"];
    if reply.status != 200 || r["verification_result"] != "discrepancy" {
        return Err(Fail::invalid(format!(
            "the split view was not caught: {}",
            reply.text()
        )));
    }
    let evidence = &r["discrepancies"][0];
    let bytes = json::canonicalize(evidence.to_string().as_bytes(), &Limits::default())
        .map_err(|e| invalid(&e))?;
    let value = json::parse_record(&bytes, &Limits::default()).map_err(|e| invalid(&e))?;
    let mut ring = Keyring::new();
    ring.insert(berlin.mesh_id.clone(), berlin.public_key);
    let kind = vaultmesh_core::witness::verify_evidence(&value, &ring)
        .map_err(|f| invalid(&f))?
        .kind();
    let file = files.join("evidence.json");
    std::fs::write(&file, &bytes)?;
    say(format!(
        "catch   berlin signs a second checkpoint of size {} with another root and notifies demo: {} {} (accepted size stays {}); evidence confirmed by the core from berlin's two signatures: vm-verify evidence {} --key {}={}",
        real["tree_size"],
        r["witness_id"].as_str().unwrap_or("?"),
        kind,
        round["accepted_size"],
        file.display(),
        berlin.mesh_id,
        berlin.public_key
    ));
    Ok(())
}

/// How many agreements `bundle` carries, each verified by the core's `verify_bundle` (with the
/// mesh's key pinned); an invalid one is an error.
pub fn agreements_in_bundle(
    bundle: &[u8],
    mesh_id: &str,
    key: &vaultmesh_core::encoding::PublicKey,
) -> Result<usize, Fail> {
    use vaultmesh_core::bundle::{verify_bundle, BUNDLE_LIMITS};
    let mut keys = Keyring::new();
    keys.insert(mesh_id, *key);
    let report =
        verify_bundle(bundle, &keys, &BUNDLE_LIMITS).map_err(|f| Fail::invalid(f.to_string()))?;
    if let Some((_, failure)) = report.agreements.iter().find_map(|i| i.failure()) {
        return Err(Fail::invalid(format!(
            "an agreement in the bundle: {failure}"
        )));
    }
    Ok(report.agreements.len())
}
