//! The federation routes: the peer-facing `/federation/*` endpoints (signed requests, trust
//! levels) and the operator's `/admin/federation/*` API that `vm-federation` calls.

use vaultmesh_core::json::{self, Limits};

use super::negotiate::{self, ResponseInput, TermsInput};
use super::signed::{self, Authenticated};
use super::state::{self, Agreement, Peer, Proposal};
use super::{level_name, peers};
use crate::node::{ApiError, Node, NodeCode, Result};

/// The RFC 9421 headers of a request, when it carries them.
#[derive(Clone, Debug)]
pub struct SignatureHeaders {
    /// `Content-Digest`.
    pub content_digest: String,
    /// `Signature-Input`.
    pub input: String,
    /// `Signature`.
    pub signature: String,
}

/// One request as the federation routes see it.
pub struct Request<'a> {
    /// The method (`GET`, `POST`, …).
    pub method: &'a str,
    /// The path.
    pub path: &'a str,
    /// Its segments.
    pub segments: &'a [&'a str],
    /// The body (read for the routes that take one).
    pub body: &'a [u8],
    /// The signature headers, if any.
    pub signature: Option<SignatureHeaders>,
    /// Whether the caller holds the admin token.
    pub admin: bool,
    /// The query string (without `?`).
    pub query: &'a str,
}

/// An answer: status and JSON body.
pub type Answer = (u16, Vec<u8>);

fn json(status: u16, v: &serde_json::Value) -> Result<Option<Answer>> {
    Ok(Some((status, serde_json::to_vec(v).unwrap_or_default())))
}

/// Whether the route reads a body (before routing).
pub fn takes_body(method: &str, segments: &[&str]) -> bool {
    matches!(
        (method, segments),
        ("POST", ["federation", "proposals"])
            | ("PUT", ["federation", "proposals", _])
            | ("DELETE", ["federation", "agreements", _])
            | ("POST", ["federation", "notify" | "witness"])
            | ("POST", ["admin", "federation", ..])
    )
}

/// The trust level each peer-facing endpoint needs (protocol "Trust Levels"; docs/node.md).
fn level_needed(method: &str, segments: &[&str]) -> Option<u64> {
    match (method, segments) {
        ("GET" | "HEAD", ["federation", "receipts", _]) => Some(1),
        ("POST", ["federation", "verify"]) => Some(2),
        // A witness round needs observe (level 1) at least; what it checks grows with the
        // level (federation/witness.rs).
        ("POST", ["federation", "notify" | "witness"]) => Some(1),
        ("GET", ["federation", "witnessed"]) => Some(1),
        ("GET", ["federation", "cross-anchors"]) => Some(3),
        _ => None,
    }
}

fn authenticate(node: &Node, r: &Request<'_>) -> Result<Option<Authenticated>> {
    match &r.signature {
        Some(h) => signed::authenticate(node, r.method, r.path, r.body, h).map(Some),
        None => Ok(None),
    }
}

fn signature_required(path: &str) -> ApiError {
    ApiError::node(
        NodeCode::SignatureRequired,
        format!("{path} needs a request signed by a peer mesh (RFC 9421: Signature-Input, Signature, Content-Digest)"),
    )
}

/// Routes a federation request. `Ok(None)`: not ours (or allowed through to the node's own
/// handler: discovery, roots, and receipts and verify once the caller's level is checked).
pub fn route(node: &Node, r: &Request<'_>) -> Result<Option<Answer>> {
    match r.segments {
        ["admin", "federation", ..] => {
            // `admin` already means: the token, from loopback (or `admin_remote`).
            if !r.admin {
                return Err(ApiError::node(
                    NodeCode::Unauthorized,
                    "admin token missing or wrong (Authorization: Bearer …), or not from loopback",
                ));
            }
            admin(node, r)
        }
        ["federation", ..] => peer(node, r),
        _ => Ok(None),
    }
}

fn peer(node: &Node, r: &Request<'_>) -> Result<Option<Answer>> {
    let get = r.method == "GET" || r.method == "HEAD";
    match (r.segments, get) {
        (["federation", "discovery"], true) | (["federation", "roots"], true) => return Ok(None),
        _ => {}
    }
    if let Some(needed) = level_needed(r.method, r.segments) {
        if r.admin && r.signature.is_none() {
            return Ok(None);
        }
        let auth = authenticate(node, r)?.ok_or_else(|| signature_required(r.path))?;
        let held = negotiate::level_held(node, &auth.mesh_id)?;
        if held < needed {
            return Err(ApiError::node(
                NodeCode::TrustLevel,
                format!(
                    "{} holds trust level {held} ({}) here; {} {} needs {needed} ({})",
                    auth.mesh_id,
                    level_name(held),
                    r.method,
                    r.path,
                    level_name(needed)
                ),
            )
            .with_detail(serde_json::json!({ "held": held, "needed": needed })));
        }
        return match (r.method, r.segments) {
            ("POST", ["federation", "witness"]) => {
                json(200, &super::witness::receive(node, &auth, r.body)?)
            }
            ("POST", ["federation", "notify"]) => {
                json(200, &super::witness::notified(node, &auth, r.body)?)
            }
            ("GET", ["federation", "witnessed"]) => {
                json(200, &super::gossip::serve(node, r.query)?)
            }
            ("GET", ["federation", "cross-anchors"]) => {
                json(200, &super::anchor::for_peer(node, &auth)?)
            }
            _ => Ok(None),
        };
    }
    let known = matches!(
        (r.method, r.segments),
        ("POST", ["federation", "proposals"])
            | ("GET" | "PUT", ["federation", "proposals", _])
            | ("GET", ["federation", "agreements"])
            | ("GET" | "DELETE", ["federation", "agreements", _])
    );
    if !known {
        return Ok(None);
    }
    let auth = authenticate(node, r)?.ok_or_else(|| signature_required(r.path))?;
    let now = node.now();
    let party_of = |p: &Proposal| p.proposer == auth.mesh_id || p.target == auth.mesh_id;
    match (r.method, r.segments) {
        ("POST", ["federation", "proposals"]) => {
            let (status, v) = negotiate::receive_proposal(node, &auth, r.body)?;
            json(status, &v)
        }
        ("GET", ["federation", "proposals", id]) => {
            let (p, a) = negotiate::proposal(node, id)?;
            if !party_of(&p) {
                return Err(ApiError::node(
                    NodeCode::UnknownNegotiation,
                    format!("no proposal {id:?}"),
                ));
            }
            json(200, &negotiate::proposal_view(&p, a.as_ref()))
        }
        ("PUT", ["federation", "proposals", id]) => {
            json(200, &negotiate::receive_response(node, &auth, id, r.body)?)
        }
        ("GET", ["federation", "agreements"]) => {
            let list: Vec<_> = state::all::<Agreement>(node, state::AGREEMENT)?
                .iter()
                .filter(|a| a.peer == auth.mesh_id)
                .map(|a| negotiate::agreement_view(a, now))
                .collect();
            json(200, &serde_json::json!({ "agreements": list }))
        }
        ("GET", ["federation", "agreements", id]) => {
            let a = negotiate::agreement(node, id)?;
            if a.peer != auth.mesh_id {
                return Err(ApiError::node(
                    NodeCode::UnknownNegotiation,
                    format!("no agreement {id:?}"),
                ));
            }
            json(200, &negotiate::agreement_view(&a, now))
        }
        ("DELETE", ["federation", "agreements", id]) => json(
            200,
            &negotiate::receive_revocation(node, &auth, id, r.body)?,
        ),
        _ => Ok(None),
    }
}

fn body<T: for<'de> serde::Deserialize<'de>>(r: &Request<'_>) -> Result<T> {
    // Strict I-JSON first (duplicate keys and the like are refused), then the shape.
    json::parse_record(r.body, &Limits::default()).map_err(|e| ApiError::core(400, e, None))?;
    serde_json::from_slice(r.body).map_err(|e| ApiError::node(NodeCode::BadRequest, e.to_string()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscoverInput {
    url: String,
    #[serde(default)]
    accept_new_key: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposeInput {
    target: String,
    #[serde(flatten)]
    terms: TermsInput,
    expires_secs: Option<u64>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CrossAnchorInput {
    mesh: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessInput {
    mesh: String,
    scroll: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyInput {
    mesh: String,
    scroll: String,
    tree_size: Option<u64>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeInput {
    notice_days: u64,
    reason: Option<String>,
}

/// Default proposal lifetime: 7 days (the protocol example's).
const DEFAULT_EXPIRY_SECS: u64 = 7 * 86_400;

fn admin(node: &Node, r: &Request<'_>) -> Result<Option<Answer>> {
    let now = node.now();
    match (r.method, r.segments) {
        ("POST", ["admin", "federation", "discover"]) => {
            let input: DiscoverInput = body(r)?;
            let d = peers::discover(node, &input.url, input.accept_new_key)?;
            json(
                200,
                &serde_json::json!({ "outcome": d.outcome, "peer": peer_view(&d.peer) }),
            )
        }
        ("GET", ["admin", "federation", "peers"]) => {
            let peers: Vec<_> = state::all::<Peer>(node, state::PEER)?
                .iter()
                .map(peer_view)
                .collect();
            json(200, &serde_json::json!({ "peers": peers }))
        }
        ("POST", ["admin", "federation", "proposals"]) => {
            let input: ProposeInput = body(r)?;
            let expires = input.expires_secs.unwrap_or(DEFAULT_EXPIRY_SECS);
            json(
                201,
                &negotiate::propose(node, &input.target, &input.terms, expires)?,
            )
        }
        ("GET", ["admin", "federation", "proposals"]) => {
            let list: Vec<_> = state::all::<Proposal>(node, state::PROPOSAL)?
                .iter()
                .map(|p| negotiate::proposal_view(p, None))
                .collect();
            json(200, &serde_json::json!({ "proposals": list }))
        }
        ("GET", ["admin", "federation", "proposals", id]) => {
            let (p, a) = negotiate::proposal(node, id)?;
            json(200, &negotiate::proposal_view(&p, a.as_ref()))
        }
        ("POST", ["admin", "federation", "proposals", id]) => {
            let input: ResponseInput = body(r)?;
            json(200, &negotiate::respond(node, id, &input)?)
        }
        ("GET", ["admin", "federation", "agreements"]) => {
            let list: Vec<_> = state::all::<Agreement>(node, state::AGREEMENT)?
                .iter()
                .map(|a| negotiate::agreement_view(a, now))
                .collect();
            json(200, &serde_json::json!({ "agreements": list }))
        }
        ("GET", ["admin", "federation", "agreements", id]) => json(
            200,
            &negotiate::agreement_view(&negotiate::agreement(node, id)?, now),
        ),
        ("POST", ["admin", "federation", "agreements", id, "revoke"]) => {
            let input: RevokeInput = body(r)?;
            json(
                200,
                &negotiate::revoke(node, id, input.notice_days, input.reason.as_deref())?,
            )
        }
        ("POST", ["admin", "federation", "witness"]) => {
            let input: WitnessInput = body(r)?;
            json(
                200,
                &super::witness::round(node, &input.mesh, &input.scroll, None)?,
            )
        }
        ("POST", ["admin", "federation", "notify"]) => {
            let input: NotifyInput = body(r)?;
            json(
                200,
                &super::notify::notify_now(node, &input.mesh, &input.scroll, input.tree_size)?,
            )
        }
        ("GET", ["admin", "federation", "witnesses"]) => {
            let q = crate::http::query::Query::parse(r.query);
            let since = q
                .uint("last_secs")
                .map_err(|e| ApiError::node(NodeCode::BadRequest, e.0))?;
            json(
                200,
                &super::witness::history(node, q.get("mesh"), q.get("scroll"), since)?,
            )
        }
        ("POST", ["admin", "federation", "cross-anchor"]) => {
            let input: CrossAnchorInput = body(r)?;
            json(201, &super::anchor::sign(node, &input.mesh)?)
        }
        ("GET", ["admin", "federation", "health"]) => json(200, &super::witness::health(node)?),
        ("GET", ["admin", "federation", "status"]) => {
            let peers = state::all::<Peer>(node, state::PEER)?;
            let proposals = state::all::<Proposal>(node, state::PROPOSAL)?;
            let agreements = state::all::<Agreement>(node, state::AGREEMENT)?;
            let count = |phase: &str| proposals.iter().filter(|p| p.phase == phase).count();
            let status = |s: &str| agreements.iter().filter(|a| a.status(now) == s).count();
            json(
                200,
                &serde_json::json!({
                    "mesh_id": node.mesh_id, "public_key": node.public_key.to_string(),
                    "now": negotiate_time(now),
                    "peers": peers.len(),
                    "proposals": { "proposed": count("proposed"), "countered": count("countered"), "agreed": count("agreed"), "rejected": count("rejected") },
                    "agreements": { "active": status("active"), "revoking": status("revoking"), "lapsed": status("lapsed") },
                    "witness": super::witness::summary(node)?,
                }),
            )
        }
        _ => Err(ApiError::node(
            NodeCode::NotFound,
            format!("no route {} {}", r.method, r.path),
        )),
    }
}

fn negotiate_time(secs: u64) -> String {
    vaultmesh_core::encoding::timestamp::Timestamp::from_unix_seconds(secs as i64)
        .unwrap_or(vaultmesh_core::encoding::timestamp::Timestamp::UNIX_EPOCH)
        .to_string()
}

fn peer_view(p: &Peer) -> serde_json::Value {
    serde_json::json!({
        "mesh_id": p.mesh_id, "url": p.url, "public_key": p.public_key,
        "pinned_at": negotiate_time(p.pinned_at),
        "discovery": serde_json::from_str::<serde_json::Value>(&p.discovery).unwrap_or_default(),
    })
}
