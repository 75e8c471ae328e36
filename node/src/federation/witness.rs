//! The witness cycle (issue 12; docs/SPEC.md §7.10, docs/node.md "Witness rounds"): this node,
//! the witness, fetches a peer's latest signed checkpoint of a scroll their agreement shares,
//! the consistency proof from the checkpoint it accepted last, and at trust level ≥ 2 receipts
//! at indexes it draws ([`witness::sample_indexes`]) with their inclusion proofs; the core
//! judges ([`witness::judge`]); the signed `fed_witness_event` is appended to the Federation
//! scroll in the transaction that moves the accepted checkpoint (C2SP tlog-witness: state is
//! persisted before the answer), then POSTed to the peer's `/federation/witness`, which
//! verifies and stores it too. Before a checkpoint is accepted, the partners' accepted
//! checkpoints are compared with it (`gossip.rs`); rounds start from an operator, a
//! notification (`notify.rs`) or the schedule (`schedule.rs`).

use vaultmesh_core::encoding::{timestamp::Timestamp, PublicKey};
use vaultmesh_core::federation::{self, Checkpoint};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::merkle::{ConsistencyProof, InclusionProof, EMPTY_ROOT};
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_core::witness::{self, Contradiction, Sample, Verdict};

use super::signed::{self, Authenticated};
use super::state::{self, Agreement};
use super::{gossip, peers, schedule, SCROLL};
use crate::node::{ApiError, Node, NodeCode, Result};
use crate::util;

/// State namespace of the checkpoint accepted last, per peer and scroll (key `peer scroll`).
pub const ACCEPTED: &str = "federation.witnessed";
/// State namespace of witness receipts this node made or received (key `witness_id`).
pub const RECEIPTS: &str = "federation.witness";

/// Test hook: serve inclusion proofs with a corrupted first step on `/federation/receipts`,
/// so a witness catches a `bad_sample` (`vm-node serve --test-clock …` with
/// `VM_NODE_TEST_WITNESS=bad-proofs`; never otherwise).
pub static SERVE_BAD_PROOFS: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Test hook: a round stops just before (1) or just after (2) its commit, writes the file
/// [`PAUSE_MARK`] names and waits there to be killed with SIGKILL
/// (`VM_NODE_TEST_WITNESS=pause-before-commit` / `pause-after-commit` and
/// `VM_NODE_TEST_WITNESS_MARK=FILE`, with `--test-clock` only).
pub static PAUSE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// The file a paused round writes (see [`PAUSE`]).
pub static PAUSE_MARK: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

fn pause_point(point: u8) {
    if PAUSE.load(std::sync::atomic::Ordering::Relaxed) == point {
        if let Some(mark) = PAUSE_MARK.get() {
            let _ = std::fs::write(mark, point.to_string());
        }
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

/// Applies [`SERVE_BAD_PROOFS`] to a proof about to be served.
pub fn served_proof(mut proof: InclusionProof) -> InclusionProof {
    if SERVE_BAD_PROOFS.load(std::sync::atomic::Ordering::Relaxed) {
        if let Some(step) = proof.path.first_mut() {
            step.0[0] ^= 0xff;
        }
    }
    proof
}

/// How many receipts a round at trust level ≥ 2 samples.
pub const SAMPLES: usize = 5;

/// A stored witness receipt.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Stored {
    /// The witnessing mesh.
    pub witnessing_mesh: String,
    /// The witnessed mesh.
    pub witnessed_mesh: String,
    /// The scroll.
    pub scroll: String,
    /// The signed receipt, canonical JSON text.
    pub receipt: String,
    /// Whether the witnessed mesh took it (on the witness's side; `true` on the peer's).
    pub delivered: bool,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::node(NodeCode::Internal, e.to_string())
}

pub(super) fn parse(bytes: &[u8]) -> Result<Value<'_>> {
    let limits = Limits {
        max_bytes: bytes.len().max(Limits::default().max_bytes),
        max_depth: Limits::default().max_depth + 4,
    };
    json::parse_record(bytes, &limits).map_err(|e| ApiError::core(400, e, None))
}

pub(super) fn canonical(v: &serde_json::Value) -> Result<Vec<u8>> {
    let bytes = serde_json::to_vec(v).map_err(internal)?;
    json::canonicalize(&bytes, &Limits::default()).map_err(|e| ApiError::core(400, e, None))
}

fn timestamp(secs: u64) -> String {
    Timestamp::from_unix_seconds(secs as i64)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_string()
}

pub(super) fn accepted_key(peer: &str, scroll: &str) -> String {
    format!("{peer} {scroll}")
}

/// The agreement in force with `peer` that shares `scroll`, the highest level first.
pub(super) fn sharing_agreement(node: &Node, peer: &str, scroll: &str) -> Result<Agreement> {
    let now = node.now();
    let mut found: Vec<Agreement> = state::all::<Agreement>(node, state::AGREEMENT)?
        .into_iter()
        .filter(|a| a.peer == peer && a.in_force(now) && a.shares(scroll))
        .collect();
    found.sort_by_key(|a| std::cmp::Reverse(a.trust_level));
    found.into_iter().next().ok_or_else(|| {
        ApiError::node(
            NodeCode::TrustLevel,
            format!("no agreement in force with {peer} shares the scroll {scroll:?}"),
        )
    })
}

/// What could not be checked, and why (a `failed` receipt).
pub(super) struct Failed(pub(super) String);

/// Calls the peer, retrying network failures with doubling backoff (`[federation]`
/// `witness_retries`, `witness_backoff_ms`). Each attempt is a new signed request (new nonce).
pub(super) fn call_peer(
    node: &Node,
    url: &str,
    path: &str,
) -> std::result::Result<serde_json::Value, Failed> {
    let cfg = &node.config.federation;
    let mut wait = cfg.witness_backoff_ms;
    let mut attempt = 0;
    loop {
        match signed::call(node, url, "GET", path, b"") {
            Ok(reply) if reply.status == 200 => return Ok(reply.json()),
            Ok(reply) => {
                return Err(Failed(format!(
                    "GET {path}: the peer answered {}: {}",
                    reply.status,
                    reply.text()
                )))
            }
            Err(e) if attempt >= cfg.witness_retries => {
                return Err(Failed(format!(
                    "peer unreachable after {} attempts: {}",
                    attempt + 1,
                    e.message
                )))
            }
            Err(_) => {
                std::thread::sleep(std::time::Duration::from_millis(wait));
                wait = wait.saturating_mul(2);
                attempt += 1;
            }
        }
    }
}

/// What one round gathered and concluded.
enum Outcome {
    Verified {
        checkpoint: Vec<u8>,
        cp: Checkpoint,
        samples: usize,
        method: &'static str,
    },
    Discrepancy {
        cp: Checkpoint,
        evidence: serde_json::Value,
        samples: usize,
        method: &'static str,
    },
    OutOfStep {
        accepted_size: u64,
    },
}

fn failed<T>(what: impl std::fmt::Display) -> std::result::Result<T, Failed> {
    Err(Failed(what.to_string()))
}

pub(super) fn json_of(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap_or_default()
}

/// The peer and scroll of one round, and how it is checked.
struct Target<'a> {
    url: &'a str,
    ring: &'a Keyring,
    peer: &'a str,
    scroll: &'a str,
    level: u64,
}

/// Gathers and judges. `offered`: a checkpoint the peer notified (else the latest is fetched).
fn gather(
    node: &Node,
    t: &Target<'_>,
    accepted: Option<&[u8]>,
    offered: Option<Vec<u8>>,
) -> std::result::Result<Outcome, Failed> {
    let (peer_url, ring, peer, scroll, level) = (t.url, t.ring, t.peer, t.scroll, t.level);
    let checkpoint = match offered {
        Some(bytes) => bytes,
        None => {
            let latest = call_peer(
                node,
                peer_url,
                &format!("/federation/receipts/{scroll}?from=0&count=0"),
            )?;
            canonical(&latest["checkpoint"]).or_else(|e| failed(e.message))?
        }
    };
    let value = parse(&checkpoint).or_else(|e| failed(e.message))?;
    let cp = match federation::verify_checkpoint(&value, ring) {
        Ok(cp) => cp,
        Err(f) => {
            return failed(format!(
                "the checkpoint does not verify: {}",
                f.error.name()
            ))
        }
    };
    if cp.mesh_id != peer || cp.scroll != scroll {
        return failed("the checkpoint is of another mesh or scroll");
    }
    let old = match accepted {
        Some(bytes) => {
            let v = parse(bytes).or_else(|e| failed(e.message))?;
            Some(federation::verify_checkpoint(&v, ring).or_else(|f| failed(f.error.name()))?)
        }
        None => None,
    };
    let mut consistency_json = serde_json::Value::Null;
    let consistency = match &old {
        Some(o) if o.tree_size > 0 && cp.tree_size > o.tree_size => {
            let path = format!(
                "/scrolls/{scroll}/proof/consistency?from_size={}&to_size={}",
                o.tree_size, cp.tree_size
            );
            let answer = call_peer(node, peer_url, &path)?;
            consistency_json = answer["proof"].clone();
            let bytes = canonical(&consistency_json).or_else(|e| failed(e.message))?;
            let v = parse(&bytes).or_else(|e| failed(e.message))?;
            Some(ConsistencyProof::from_value(&v).or_else(|e| failed(e.name()))?)
        }
        _ => None,
    };
    // Level 1 observes: consistency only. Level ≥ 2 verifies: samples too.
    let (indexes, method) = if level >= 2 {
        let seed: [u8; 32] = util::random().or_else(failed)?;
        (
            witness::sample_indexes(&seed, cp.tree_size, SAMPLES),
            "consistency_and_samples",
        )
    } else {
        (Vec::new(), "consistency")
    };
    // Every sample in one signed request (each request costs the peer a durable nonce).
    let mut served = Vec::with_capacity(indexes.len());
    let answer = if indexes.is_empty() {
        serde_json::Value::Null
    } else {
        let list: Vec<String> = indexes.iter().map(u64::to_string).collect();
        let path = format!(
            "/federation/receipts/{scroll}?indexes={}&tree_size={}",
            list.join(","),
            cp.tree_size
        );
        call_peer(node, peer_url, &path)?
    };
    for (i, &index) in indexes.iter().enumerate() {
        let item = &answer["receipts"][i];
        if item["index"].as_u64() != Some(index) {
            return failed(format!("the peer did not serve receipt {index}"));
        }
        let receipt = canonical(&item["receipt"]).or_else(|e| failed(e.message))?;
        let proof_bytes = canonical(&item["proof"]).or_else(|e| failed(e.message))?;
        let proof_value = parse(&proof_bytes).or_else(|e| failed(e.message))?;
        let proof = InclusionProof::from_value(&proof_value).or_else(|e| failed(e.name()))?;
        served.push((index, receipt, proof, item["proof"].clone()));
    }
    let samples: Vec<Sample<'_>> = served
        .iter()
        .map(|(index, receipt, proof, _)| Sample {
            index: *index,
            receipt,
            proof,
        })
        .collect();
    let verdict = witness::judge(old.as_ref(), &cp, consistency.as_ref(), &samples)
        .or_else(|f| failed(format!("{} ({:?})", f.error.name(), f.field)))?;
    Ok(match verdict {
        Verdict::Verified { samples_checked } => Outcome::Verified {
            checkpoint,
            cp,
            samples: samples_checked.len(),
            method,
        },
        Verdict::OutOfStep { accepted_size } => Outcome::OutOfStep { accepted_size },
        Verdict::Discrepancy(kind) => {
            let new = json_of(&checkpoint);
            let old_json = accepted.map(json_of).unwrap_or_default();
            let evidence = match kind {
                Contradiction::SplitView => {
                    serde_json::json!({ "kind": kind.kind(), "checkpoints": [old_json, new] })
                }
                Contradiction::Inconsistent => serde_json::json!({
                    "kind": kind.kind(), "checkpoints": [old_json, new],
                    "consistency_proof": consistency_json,
                }),
                Contradiction::BadSample(index) => {
                    let (_, receipt, _, proof) = served
                        .iter()
                        .find(|s| s.0 == index)
                        .ok_or_else(|| Failed("bad sample not served".into()))?;
                    serde_json::json!({
                        "kind": kind.kind(), "checkpoints": [new], "index": index,
                        "receipt": json_of(receipt), "inclusion_proof": proof,
                    })
                }
            };
            Outcome::Discrepancy {
                cp,
                evidence,
                samples: served.len(),
                method,
            }
        }
    })
}

/// Serialises rounds in this process: the read of the accepted checkpoint and the commit that
/// moves it happen under it (C2SP: a serializable update per log).
static ROUND_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs one witness round of `peer`'s `scroll` now; `offered` is a checkpoint the peer sent
/// with `/federation/notify`. Answers `{"receipt", "delivered", "accepted_size"}`; out of
/// step is 409 `SIZE_MISMATCH` with `detail.tree_size` (nothing stored).
pub fn round(
    node: &Node,
    peer: &str,
    scroll: &str,
    offered: Option<Vec<u8>>,
) -> Result<serde_json::Value> {
    let agreement = sharing_agreement(node, peer, scroll)?;
    let known = peers::known(node, peer)?;
    let key = PublicKey::parse(&known.public_key).map_err(|e| ApiError::core(500, e, None))?;
    let mut ring = Keyring::new();
    ring.insert(peer.to_string(), key);
    let guard = ROUND_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let key_row = accepted_key(peer, scroll);
    let accepted = node.reader()?.state(ACCEPTED, &key_row)?;
    let level = agreement.trust_level;
    let target = Target {
        url: &known.url,
        ring: &ring,
        peer,
        scroll,
        level,
    };
    let outcome = gather(node, &target, accepted.as_deref(), offered);
    let accepted_cp = match &accepted {
        Some(bytes) => {
            let v = parse(bytes)?;
            federation::verify_checkpoint(&v, &ring).ok()
        }
        None => None,
    };
    let witness_id = {
        let bytes: [u8; 8] = util::random().map_err(internal)?;
        format!("fed-witness-{}", util::hex(&bytes))
    };
    let mut body = serde_json::json!({
        "type": "fed_witness_event",
        "witness_id": witness_id,
        "witnessed_mesh": peer,
        "witnessing_mesh": node.mesh_id,
        "timestamp": timestamp(node.now()),
        "scroll": scroll,
    });
    let mut new_accepted = None;
    let (cp_root, cp_size, method, result, samples, discrepancies) = match outcome {
        Ok(Outcome::OutOfStep { accepted_size }) => {
            return Err(ApiError::node(
                NodeCode::SizeMismatch,
                format!(
                    "the witness accepted size {accepted_size} of {peer} {scroll}: out of step"
                ),
            )
            .with_detail(serde_json::json!({ "tree_size": accepted_size })));
        }
        Ok(Outcome::Verified {
            checkpoint,
            cp,
            samples,
            method,
        }) => match gossip::cross_check(node, peer, &known.url, &ring, &cp, &checkpoint)? {
            // What another partner accepted contradicts it: a split view, not accepted.
            Some(evidence) => (
                cp.root,
                cp.tree_size,
                method,
                "discrepancy",
                samples,
                vec![evidence],
            ),
            None => {
                new_accepted = Some(checkpoint);
                (cp.root, cp.tree_size, method, "verified", samples, vec![])
            }
        },
        Ok(Outcome::Discrepancy {
            cp,
            evidence,
            samples,
            method,
        }) => (
            cp.root,
            cp.tree_size,
            method,
            "discrepancy",
            samples,
            vec![evidence],
        ),
        Err(Failed(reason)) => {
            // Nothing new was checked: the receipt names the last accepted checkpoint (or the
            // empty tree) and says why.
            let (root, size) = accepted_cp
                .as_ref()
                .map_or((EMPTY_ROOT, 0), |c| (c.root, c.tree_size));
            let reason = serde_json::json!({ "kind": "failed", "reason": reason });
            (root, size, "none", "failed", 0, vec![reason])
        }
    };
    body["witnessed_root"] = serde_json::json!(cp_root.to_string());
    body["tree_size"] = serde_json::json!(cp_size);
    body["verification_method"] = serde_json::json!(method);
    body["verification_result"] = serde_json::json!(result);
    body["samples_checked"] = serde_json::json!(samples);
    body["discrepancies"] = serde_json::json!(discrepancies);
    let bytes = canonical(&body)?;
    let value = parse(&bytes)?;
    let Value::Object(mut object) = value else {
        unreachable!("built as an object")
    };
    record::sign_record(&mut object, Kind::WitnessReceipt, node.federation_secret());
    let signed_bytes = Value::Object(object).to_canonical();
    let mut own = Keyring::new();
    own.insert(node.mesh_id.clone(), node.public_key);
    federation::verify_witness(&parse(&signed_bytes)?, &own, None)
        .map_err(|f| ApiError::core(500, f.error, f.field))?;
    let mut stored = Stored {
        witnessing_mesh: node.mesh_id.clone(),
        witnessed_mesh: peer.to_string(),
        scroll: scroll.to_string(),
        receipt: String::from_utf8_lossy(&signed_bytes).into_owned(),
        delivered: false,
    };
    let encoded = state::encode(&stored)?;
    let mut rows = vec![state::put(RECEIPTS, &witness_id, &encoded)];
    if let Some(cp) = &new_accepted {
        rows.push(state::put(ACCEPTED, &key_row, cp));
    }
    node.create_scroll(SCROLL, true)?;
    pause_point(1);
    super::keep(
        node,
        std::slice::from_ref(&signed_bytes),
        &[Kind::WitnessReceipt],
        &own,
        &rows,
    )?;
    pause_point(2);
    schedule::ran(peer, scroll, node.now());
    drop(guard);
    // Delivery is best effort after the commit: the receipt stands whether the peer takes it.
    let delivered = matches!(
        signed::call(node, &known.url, "POST", "/federation/witness", &signed_bytes),
        Ok(r) if r.status == 200 || r.status == 201
    );
    if delivered {
        stored.delivered = true;
        let encoded = state::encode(&stored)?;
        node.store()
            .put_state(&[state::put(RECEIPTS, &witness_id, &encoded)])?;
    }
    let accepted_size = match &new_accepted {
        Some(_) => cp_size,
        None => accepted_cp.map_or(0, |c| c.tree_size),
    };
    Ok(serde_json::json!({
        "receipt": json_of(&signed_bytes),
        "delivered": delivered,
        "accepted_size": accepted_size,
    }))
}

/// `POST /federation/witness` from a peer that witnessed one of our scrolls: its signed
/// `fed_witness_event`, verified under its pinned key (§7.3), about this mesh, and for a
/// `verified` result against our own checkpoint of that size; stored with the Federation
/// scroll. The same receipt again is 200 with nothing new stored.
pub fn receive(node: &Node, auth: &Authenticated, body: &[u8]) -> Result<serde_json::Value> {
    let value = parse(body)?;
    let mut ring = Keyring::new();
    ring.insert(auth.mesh_id.clone(), auth.key);
    let refused = |f: record::Failure| ApiError::core(422, f.error, f.field);
    federation::verify_witness(&value, &ring, None).map_err(refused)?;
    let v = json_of(body);
    if v["witnessing_mesh"] != auth.mesh_id.as_str() || v["witnessed_mesh"] != node.mesh_id.as_str()
    {
        return Err(ApiError::node(
            NodeCode::BadRequest,
            "a witness receipt must be by the caller about this mesh",
        ));
    }
    let scroll = v["scroll"].as_str().unwrap_or_default().to_string();
    if v["verification_result"] == "verified" {
        let own = node.scroll(&scroll)?;
        let size = v["tree_size"].as_u64().unwrap_or(0);
        let cp = node.checkpoint_at(&own, crate::node::At::Size(size))?;
        let mut mine = Keyring::new();
        mine.insert(node.mesh_id.clone(), node.public_key);
        let checked = federation::verify_checkpoint(&parse(&cp.body)?, &mine)
            .map_err(|f| ApiError::core(500, f.error, f.field))?;
        federation::verify_witness(&value, &ring, Some(&checked)).map_err(refused)?;
    }
    let id = v["witness_id"].as_str().unwrap_or_default().to_string();
    let _guard = ROUND_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    if node.reader()?.state(RECEIPTS, &id)?.is_some() {
        return Ok(serde_json::json!({ "stored": false, "witness_id": id }));
    }
    let canonical_bytes = value.to_canonical();
    let stored = Stored {
        witnessing_mesh: auth.mesh_id.clone(),
        witnessed_mesh: node.mesh_id.clone(),
        scroll,
        receipt: String::from_utf8_lossy(&canonical_bytes).into_owned(),
        delivered: true,
    };
    let encoded = state::encode(&stored)?;
    node.create_scroll(SCROLL, true)?;
    super::keep(
        node,
        &[canonical_bytes],
        &[Kind::WitnessReceipt],
        &ring,
        &[state::put(RECEIPTS, &id, &encoded)],
    )?;
    Ok(serde_json::json!({ "stored": true, "witness_id": id }))
}

/// `POST /federation/notify` `{"checkpoint": {...}}` from a peer that signed a checkpoint of a
/// shared scroll: the round runs now on that checkpoint.
pub fn notified(node: &Node, auth: &Authenticated, body: &[u8]) -> Result<serde_json::Value> {
    parse(body)?;
    let v = json_of(body);
    let scroll = v["checkpoint"]["scroll"]
        .as_str()
        .ok_or_else(|| {
            ApiError::core(400, vaultmesh_core::Error::MissingField, Some("checkpoint"))
        })?
        .to_string();
    let checkpoint = canonical(&v["checkpoint"])?;
    round(node, &auth.mesh_id, &scroll, Some(checkpoint))
}

/// Every stored witness receipt (made or received), oldest first, optionally of one mesh
/// (witnessing or witnessed) and scroll, and dated within `last_secs` of the node's clock.
pub fn history(
    node: &Node,
    mesh: Option<&str>,
    scroll: Option<&str>,
    last_secs: Option<u64>,
) -> Result<serde_json::Value> {
    let from = last_secs.map(|s| node.now().saturating_sub(s) as i64);
    let recent = |s: &Stored| {
        let Some(from) = from else { return true };
        let v: serde_json::Value = serde_json::from_str(&s.receipt).unwrap_or_default();
        v["timestamp"]
            .as_str()
            .and_then(|t| Timestamp::parse(t).ok())
            .is_some_and(|t| t.unix_seconds() >= from)
    };
    let mut list: Vec<serde_json::Value> = state::all::<Stored>(node, RECEIPTS)?
        .into_iter()
        .filter(|s| mesh.map_or(true, |m| s.witnessing_mesh == m || s.witnessed_mesh == m))
        .filter(|s| scroll.map_or(true, |n| s.scroll == n))
        .filter(|s| recent(s))
        .map(|s| {
            serde_json::json!({
                "receipt": serde_json::from_str::<serde_json::Value>(&s.receipt).unwrap_or_default(),
                "delivered": s.delivered,
            })
        })
        .collect();
    list.sort_by(|a, b| {
        let t =
            |v: &serde_json::Value| v["receipt"]["timestamp"].as_str().unwrap_or("").to_string();
        t(a).cmp(&t(b))
    });
    Ok(serde_json::json!({ "witnesses": list }))
}

/// For `vm-federation status`: the rounds this node ran, by result, and the receipts partners
/// delivered about this mesh's scrolls.
pub fn summary(node: &Node) -> Result<serde_json::Value> {
    let (mut verified, mut discrepancy, mut failed, mut received) = (0u64, 0u64, 0u64, 0u64);
    for s in state::all::<Stored>(node, RECEIPTS)? {
        if s.witnessing_mesh != node.mesh_id {
            received += 1;
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&s.receipt).unwrap_or_default();
        match v["verification_result"].as_str() {
            Some("verified") => verified += 1,
            Some("discrepancy") => discrepancy += 1,
            _ => failed += 1,
        }
    }
    Ok(serde_json::json!({
        "rounds": { "verified": verified, "discrepancy": discrepancy, "failed": failed },
        "received": received,
    }))
}

/// Per peer and scroll this node witnesses: the accepted size, the last round's result and
/// time, the last `verified` round's time, and the rounds that failed or found a discrepancy
/// since (`vm-federation health --all-peers`). Lag is the node's clock minus the last verified
/// round, seconds.
pub fn health(node: &Node) -> Result<serde_json::Value> {
    use std::collections::BTreeMap;
    let now = node.now() as i64;
    let mut mine: Vec<serde_json::Value> = state::all::<Stored>(node, RECEIPTS)?
        .into_iter()
        .filter(|s| s.witnessing_mesh == node.mesh_id)
        .map(|s| serde_json::from_str(&s.receipt).unwrap_or_default())
        .collect();
    let at = |v: &serde_json::Value| {
        v["timestamp"]
            .as_str()
            .and_then(|t| Timestamp::parse(t).ok())
            .map_or(0, |t| t.unix_seconds())
    };
    mine.sort_by_key(at);
    let mut rows: BTreeMap<(String, String), serde_json::Value> = BTreeMap::new();
    for r in &mine {
        let key = (
            r["witnessed_mesh"].as_str().unwrap_or("").to_string(),
            r["scroll"].as_str().unwrap_or("").to_string(),
        );
        let row = rows.entry(key.clone()).or_insert_with(|| {
            serde_json::json!({ "mesh": key.0, "scroll": key.1, "rounds": 0,
                "problems_since_verified": 0, "last_verified": null, "lag_secs": null })
        });
        row["rounds"] = (row["rounds"].as_u64().unwrap_or(0) + 1).into();
        row["last_result"] = r["verification_result"].clone();
        row["last_round"] = r["timestamp"].clone();
        if r["verification_result"] == "verified" {
            row["last_verified"] = r["timestamp"].clone();
            row["lag_secs"] = (now - at(r)).max(0).into();
            row["problems_since_verified"] = 0.into();
        } else {
            let n = row["problems_since_verified"].as_u64().unwrap_or(0) + 1;
            row["problems_since_verified"] = n.into();
        }
    }
    for (key, value) in node.reader()?.states(ACCEPTED)? {
        let cp = json_of(&value);
        if let Some((mesh, scroll)) = key.split_once(' ') {
            if let Some(row) = rows.get_mut(&(mesh.to_string(), scroll.to_string())) {
                row["accepted_size"] = cp["tree_size"].clone();
            }
        }
    }
    Ok(serde_json::json!({ "witnessed": rows.into_values().collect::<Vec<_>>() }))
}

/// The `verified` witness receipts other meshes signed about `mesh_id`'s `scroll` at one of
/// `sizes` (the bundle's checkpoints: a bundle checks each receipt against the checkpoint of
/// its size), canonical bytes, for the audit bundle's scroll entry.
pub fn bundle_records(
    reader: &mut dyn crate::store::StoreRead,
    mesh_id: &str,
    scroll: &str,
    sizes: &[u64],
) -> std::result::Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for (_, bytes) in reader.states(RECEIPTS).map_err(|e| e.to_string())? {
        let s: Stored = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        if s.witnessed_mesh != mesh_id || s.scroll != scroll || s.witnessing_mesh == mesh_id {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&s.receipt).unwrap_or_default();
        let size = v["tree_size"].as_u64().unwrap_or(u64::MAX);
        if v["verification_result"] == "verified" && sizes.contains(&size) {
            out.push(s.receipt.into_bytes());
        }
    }
    Ok(out)
}
