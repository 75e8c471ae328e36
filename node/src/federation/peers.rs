//! Discovery: fetch a mesh's self-signed discovery record, verify it with the core, pin its
//! key on first use; a later change of key is refused until the operator accepts it.

use vaultmesh_core::json::{self, Value};
use vaultmesh_core::record::{self, Keyring, Kind};

use super::state::{self, Peer};
use crate::client::Client;
use crate::node::{ApiError, Node, NodeCode, Result};

/// What `discover` did.
pub struct Discovered {
    /// The peer as stored now.
    pub peer: Peer,
    /// `new`, `unchanged`, `updated` (same key, new record or URL) or `key_replaced`.
    pub outcome: &'static str,
}

/// `POST /admin/federation/discover`: fetches `url/federation/discovery`, verifies and pins it.
pub fn discover(node: &Node, url: &str, accept_new_key: bool) -> Result<Discovered> {
    let url = url.trim_end_matches('/').to_string();
    let reply = Client::new(&url)
        .get("/federation/discovery")
        .map_err(|e| {
            ApiError::node(
                NodeCode::PeerFailed,
                format!("GET {url}/federation/discovery: {e}"),
            )
        })?;
    if reply.status != 200 {
        return Err(ApiError::node(
            NodeCode::PeerFailed,
            format!("GET {url}/federation/discovery answered {}", reply.status),
        ));
    }
    let value = json::parse_record(&reply.body, &node.record_limits)
        .map_err(|e| ApiError::core(422, e, None))?;
    // Self-signed: the key is the record's own `public_key`.
    record::verify_value(&value, Some(Kind::Discovery), &Keyring::new())
        .map_err(|f| ApiError::core(422, f.error, f.field))?;
    let object = value
        .as_object()
        .ok_or_else(|| ApiError::core(422, vaultmesh_core::Error::NotAnObject, None))?;
    let text = |f: &str| {
        object
            .get(f)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mesh_id = text("mesh_id");
    if mesh_id == node.mesh_id {
        return Err(ApiError::node(
            NodeCode::BadRequest,
            "that is this mesh's own discovery record",
        ));
    }
    let public_key = text("public_key");
    let known: Option<Peer> = state::get(node, state::PEER, &mesh_id)?;
    let outcome = match &known {
        None => "new",
        Some(p) if p.public_key != public_key && !accept_new_key => {
            return Err(ApiError::node(
                NodeCode::PeerKeyChanged,
                format!("{mesh_id} now presents key {public_key}, not the pinned {}: refused (accept it with discover --accept-new-key)", p.public_key),
            )
            .with_detail(serde_json::json!({ "pinned": p.public_key, "presented": public_key })))
        }
        Some(p) if p.public_key != public_key => "key_replaced",
        Some(p) if p.url == url && p.discovery.as_bytes() == value.to_canonical().as_slice() => "unchanged",
        Some(_) => "updated",
    };
    let peer = Peer {
        mesh_id: mesh_id.clone(),
        url,
        public_key,
        discovery: String::from_utf8_lossy(&value.to_canonical()).into_owned(),
        pinned_at: match (&known, outcome) {
            (Some(p), "unchanged" | "updated") => p.pinned_at,
            _ => node.now(),
        },
    };
    if outcome != "unchanged" {
        let bytes = state::encode(&peer)?;
        node.store()
            .put_state(&[state::put(state::PEER, &mesh_id, &bytes)])?;
    }
    Ok(Discovered { peer, outcome })
}

/// A known peer, or `UNKNOWN_PEER`.
pub fn known(node: &Node, mesh_id: &str) -> Result<Peer> {
    state::get(node, state::PEER, mesh_id)?.ok_or_else(|| {
        ApiError::node(
            NodeCode::UnknownPeer,
            format!("{mesh_id} is not a known mesh: discover it first (vm-federation discover --mesh URL)"),
        )
    })
}
