//! Signed requests between meshes (RFC 9421 subset, the core's `federation::request`): every
//! call this node makes to a peer is signed with its federation key; every request a peer
//! makes is checked against the key pinned from its discovery record, within the allowed
//! clock skew of the node's clock, with its nonce claimed once in the store.

use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::federation::request::{self, Params, MAX_SKEW_SECS};

use super::http::SignatureHeaders;
use super::state::{self, Peer};
use crate::client::{Client, Reply};
use crate::node::{ApiError, Node, NodeCode, Result};
use crate::util;

/// How long a request signature this node makes is valid, seconds.
pub const LIFETIME_SECS: u64 = 300;

/// Calls `method path` on `peer`'s node with a signed `body` (JSON). Network failures are
/// `PEER_FAILED`; the peer's answer, whatever its status, is returned.
pub fn call(node: &Node, url: &str, method: &str, path: &str, body: &[u8]) -> Result<Reply> {
    let now = node.now();
    let nonce: [u8; 16] =
        util::random().map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))?;
    let params = Params {
        created: now,
        expires: now + LIFETIME_SECS,
        nonce: util::hex(&nonce),
        keyid: node.mesh_id.clone(),
    };
    // `@path` is the path without the query (RFC 9421 §2.2.6).
    let signed_path = path.split('?').next().unwrap_or(path);
    let h = request::sign(node.federation_secret(), method, signed_path, body, &params);
    let headers = [
        ("content-digest", h.content_digest),
        ("signature-input", h.signature_input),
        ("signature", h.signature),
    ];
    // No retries: a second copy would carry a used nonce and be refused as a replay.
    Client::new(url)
        .with_retries(0)
        .request_with(method, path, Some("application/json"), body, &headers)
        .map_err(|e| ApiError::node(NodeCode::PeerFailed, format!("{method} {url}{path}: {e}")))
}

/// A request authenticated as coming from a peer mesh.
#[derive(Clone, Debug)]
pub struct Authenticated {
    /// The peer's DID (`keyid`).
    pub mesh_id: String,
    /// Its pinned key.
    pub key: PublicKey,
}

fn refused(e: vaultmesh_core::Error) -> ApiError {
    ApiError::core(401, e, Some("signature"))
}

/// Checks a signed request: headers of the subset, a peer this node has discovered (its key
/// pinned), the signature over method, path and the body's digest, `created` within
/// [`MAX_SKEW_SECS`] of the node's clock, and a nonce not seen before (claimed now).
pub fn authenticate(
    node: &Node,
    method: &str,
    path: &str,
    body: &[u8],
    headers: &SignatureHeaders,
) -> Result<Authenticated> {
    let sig = request::parse(&headers.input, &headers.signature).map_err(refused)?;
    let keyid = &sig.params.keyid;
    let peer: Peer = state::get(node, state::PEER, keyid)?.ok_or_else(|| {
        ApiError::node(
            NodeCode::UnknownPeer,
            format!("{keyid} is not a known mesh here: its operator must discover it first (vm-federation discover)"),
        )
    })?;
    let key = PublicKey::parse(&peer.public_key).map_err(|e| ApiError::core(500, e, None))?;
    let now = node.now();
    sig.verify(method, path, body, &headers.content_digest, &key, now)
        .map_err(refused)?;
    let claimed = node.store().claim_nonce(
        keyid,
        &sig.params.nonce,
        sig.params.expires + MAX_SKEW_SECS,
        now,
    )?;
    if !claimed {
        return Err(refused(vaultmesh_core::Error::RequestReplayed));
    }
    Ok(Authenticated {
        mesh_id: keyid.clone(),
        key,
    })
}
