//! Cross-anchors at trust level ≥ 3 (issue 12 item 6; docs/SPEC.md §7.4, §7.10): this mesh
//! signs a `fed_cross_anchor` over its own latest roots of the scrolls an agreement shares and
//! the roots of the peer it last accepted as a witness, appends it to the Federation scroll,
//! and serves the peer the inclusion proof of each of the peer's roots under `combined_root`.
//! No external anchor backend exists yet: `anchor_proof` says so (`{"backend": "none"}`).

use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits, Object, Value};
use vaultmesh_core::record::{self, Keyring, Kind};

use super::signed::Authenticated;
use super::state::{self, Agreement};
use super::witness::ACCEPTED;
use super::SCROLL;
use crate::node::{ApiError, Node, NodeCode, Result};

/// State namespace of the cross-anchors this mesh signed (key: `receipt_hash`).
pub const CROSS_ANCHOR: &str = "federation.cross_anchor";

/// A stored cross-anchor.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Stored {
    /// The anchored peer.
    pub anchored_mesh: String,
    /// The signed record, canonical JSON text.
    pub record: String,
}

fn parse(bytes: &[u8]) -> Result<Value<'_>> {
    json::parse_record(bytes, &Limits::default()).map_err(|e| ApiError::core(400, e, None))
}

fn core_refused(status: u16, f: record::Failure) -> ApiError {
    ApiError::core(status, f.error, f.field)
}

/// The agreement in force with `peer` of the highest level, which must be 3 (`attest`) or more.
fn attesting_agreement(node: &Node, peer: &str) -> Result<Agreement> {
    let now = node.now();
    state::all::<Agreement>(node, state::AGREEMENT)?
        .into_iter()
        .filter(|a| a.peer == peer && a.in_force(now))
        .max_by_key(|a| a.trust_level)
        .filter(|a| a.trust_level >= 3)
        .ok_or_else(|| {
            ApiError::node(
                NodeCode::TrustLevel,
                format!("no agreement in force with {peer} at trust level 3 (attest) or more"),
            )
        })
}

/// Signs, verifies and stores a cross-anchor with `peer` now; answers the record.
pub fn sign(node: &Node, peer: &str) -> Result<serde_json::Value> {
    let agreement = attesting_agreement(node, peer)?;
    let terms: serde_json::Value = serde_json::from_str(&agreement.agreement).unwrap_or_default();
    let shared: Vec<String> = terms["terms"]["scrolls_shared"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut own = serde_json::Map::new();
    for scroll in node.scrolls() {
        if shared.contains(&scroll.name) {
            if let Some(cp) = scroll.latest_checkpoint() {
                own.insert(scroll.name.clone(), cp.root.to_string().into());
            }
        }
    }
    let mut included = serde_json::Map::new();
    for (key, value) in node.reader()?.states(ACCEPTED)? {
        if let Some((mesh, scroll)) = key.split_once(' ') {
            if mesh == peer {
                let cp: serde_json::Value = serde_json::from_slice(&value).unwrap_or_default();
                included.insert(scroll.to_string(), cp["root"].clone());
            }
        }
    }
    let body = serde_json::json!({
        "type": "fed_cross_anchor",
        "anchoring_mesh": node.mesh_id, "anchored_mesh": peer,
        "anchoring_roots": own, "roots_included": included,
        "anchor_proof": { "backend": "none" },
        "timestamp": Timestamp::from_unix_seconds(node.now() as i64)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_string(),
    });
    let text =
        serde_json::to_vec(&body).map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))?;
    let Value::Object(mut object) = parse(&text)? else {
        unreachable!("built as an object")
    };
    // The combined root is the core's (§7.4); computed over what is signed.
    let combined = {
        let empty = Object::default();
        let a = object
            .get("anchoring_roots")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let b = object
            .get("roots_included")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if b.members.is_empty() {
            return Err(core_refused(
                422,
                record::Failure::at(vaultmesh_core::Error::EmptyRootsIncluded, "roots_included"),
            ));
        }
        federation::combined_root((&node.mesh_id, a), (peer, b))
            .map_err(|f| core_refused(422, f))?
    };
    object.insert("combined_root", Value::String(combined.to_string().into()));
    record::sign_record(&mut object, Kind::CrossAnchor, node.federation_secret());
    let signed = Value::Object(object).to_canonical();
    let mut ring = Keyring::new();
    ring.insert(node.mesh_id.clone(), node.public_key);
    let agreement_value = parse(agreement.agreement.as_bytes())?;
    let verified_agreement = federation::verify_agreement(&agreement_value, &Keyring::new())
        .map_err(|f| core_refused(500, f))?;
    let hash = federation::verify_cross_anchor(&parse(&signed)?, &ring, Some(&verified_agreement))
        .map_err(|f| core_refused(422, f))?;
    let stored = Stored {
        anchored_mesh: peer.to_string(),
        record: String::from_utf8_lossy(&signed).into_owned(),
    };
    let encoded = state::encode(&stored)?;
    let key = hash.to_string();
    node.create_scroll(SCROLL, true)?;
    super::keep(
        node,
        std::slice::from_ref(&signed),
        &[Kind::CrossAnchor],
        &ring,
        &[state::put(CROSS_ANCHOR, &key, &encoded)],
    )?;
    Ok(serde_json::from_slice(&signed).unwrap_or_default())
}

/// `GET /federation/cross-anchors` (signed, level ≥ 3): every cross-anchor this mesh signed
/// about the caller, each with the inclusion proof of each of the caller's roots under its
/// `combined_root` (`federation::anchored_root_proof`).
pub fn for_peer(node: &Node, auth: &Authenticated) -> Result<serde_json::Value> {
    let mut list = Vec::new();
    for s in state::all::<Stored>(node, CROSS_ANCHOR)? {
        if s.anchored_mesh != auth.mesh_id {
            continue;
        }
        let value = parse(s.record.as_bytes())?;
        let object = value
            .as_object()
            .ok_or_else(|| ApiError::node(NodeCode::Internal, "stored cross-anchor"))?;
        let empty = Object::default();
        let roots = |field: &str| object.get(field).and_then(Value::as_object);
        let (own, included) = (
            roots("anchoring_roots").unwrap_or(&empty),
            roots("roots_included").unwrap_or(&empty),
        );
        let mut proofs = Vec::new();
        for (scroll, _) in &included.members {
            if let Some((root, proof)) = federation::anchored_root_proof(
                (&node.mesh_id, own),
                (&auth.mesh_id, included),
                &auth.mesh_id,
                scroll,
            )
            .map_err(|f| core_refused(500, f))?
            {
                let proof: serde_json::Value =
                    serde_json::from_slice(&proof.to_value().to_canonical()).unwrap_or_default();
                proofs.push(serde_json::json!({ "scroll": scroll.to_string(), "root": root, "proof": proof }));
            }
        }
        list.push(serde_json::json!({
            "cross_anchor": serde_json::from_str::<serde_json::Value>(&s.record).unwrap_or_default(),
            "proofs": proofs,
        }));
    }
    Ok(serde_json::json!({ "cross_anchors": list }))
}

/// The cross-anchors this mesh signed that commit to its root of `scroll` (canonical bytes),
/// for the audit bundle's `cross_anchors` (the core verifies each with the agreement in the
/// bundle and names the bundle's checkpoints whose roots it holds).
pub fn bundle_records(
    reader: &mut dyn crate::store::StoreRead,
    scroll: &str,
) -> std::result::Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for (_, bytes) in reader.states(CROSS_ANCHOR).map_err(|e| e.to_string())? {
        let s: Stored = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        let v: serde_json::Value = serde_json::from_str(&s.record).map_err(|e| e.to_string())?;
        if v["anchoring_roots"].get(scroll).is_some() {
            out.push(s.record.into_bytes());
        }
    }
    Ok(out)
}
