//! The routes: every path of `docs/node.md`, with its status codes and error bodies.
//!
//! Read routes are public for public scrolls; private scrolls and every write need the admin
//! token (`Authorization: Bearer …`) from a loopback peer. A PUT, PATCH or DELETE of a receipt
//! or checkpoint, or a POST to an existing receipt, is a modify/delete attempt: it is refused
//! with 403 `APPEND_ONLY` and recorded as a signed `gov_violation` receipt (AXIOM-001), within
//! the per-peer bound of [`crate::violations`].
//!
//! `/healthz` and `/metrics` answer on the async reactor. Everything else — parsing, signature
//! verification, store reads and commits — runs on tokio's blocking pool, so a large batch or
//! a slow disk never holds up the reactor, and `/healthz` answers while they run. Request
//! bodies are read with the limit enforced while streaming (never by allocating the declared
//! `Content-Length`) and a deadline, then parsed by the core's strict parser; receipts go out
//! as their stored canonical bytes, never re-serialised.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Serialize;
use serde_json::value::RawValue;
use vaultmesh_core::json::{self, Limits, Value};

use super::auth::{self, require_admin, Caller};
use super::query::{self, Query};
use super::server::Peer;
use crate::node::{ApiError, At, Node, NodeCode, Result, Scroll};
use crate::store::CheckpointRow;

/// What a handler answers.
enum Reply {
    Json(u16, Vec<u8>),
    Text(u16, &'static str, String),
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let (status, body, content_type) = match self {
            Reply::Json(s, b) => (s, b, "application/json"),
            Reply::Text(s, t, body) => (s, body.into_bytes(), t),
        };
        let mut response = Response::new(Body::from(body));
        *response.status_mut() =
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }
}

fn error_reply(e: &ApiError) -> Reply {
    Reply::Json(
        e.status,
        serde_json::to_vec(&e.to_json()).unwrap_or_default(),
    )
}

fn json<T: Serialize>(status: u16, value: &T) -> Result<Reply> {
    serde_json::to_vec(value)
        .map(|body| Reply::Json(status, body))
        .map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))
}

/// Stored canonical bytes as a JSON value written verbatim.
fn raw(bytes: &[u8]) -> Result<Box<RawValue>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))?;
    RawValue::from_string(text.to_string())
        .map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))
}

/// The router: `/healthz` and `/metrics` on the reactor, the rest through [`api`]; the request
/// log around all of it.
pub(super) fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route("/healthz", get(healthz).fallback(api))
        .route("/metrics", get(metrics).fallback(api))
        .fallback(api)
        .layer(axum::middleware::from_fn_with_state(
            node.clone(),
            super::log::requests,
        ))
        .with_state(node)
}

async fn healthz(State(node): State<Arc<Node>>) -> Reply {
    health(&node)
}

fn health(node: &Node) -> Reply {
    json(
        200,
        &serde_json::json!({ "status": "ok", "mesh_id": node.mesh_id }),
    )
    .unwrap_or_else(|e| error_reply(&e))
}

async fn metrics(State(node): State<Arc<Node>>) -> Reply {
    metrics_text(&node)
}

fn metrics_text(node: &Node) -> Reply {
    let scrolls: Vec<(String, u64, u64)> = node
        .scrolls()
        .iter()
        .map(|s| {
            let cp = s.latest_checkpoint().map_or(0, |c| c.tree_size);
            (s.name.clone(), s.size(), cp)
        })
        .collect();
    Reply::Text(
        200,
        crate::metrics::CONTENT_TYPE,
        node.metrics.render(&scrolls, node.disk_bytes()),
    )
}

/// Runs `f` on the blocking pool. The request waits for it; if the client goes away the work
/// still completes (an append is never cut in half by a disconnect).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::node(NodeCode::Internal, format!("handler failed: {e}")))?
}

/// Routes whose body is read: checked for the admin token first, so a stranger cannot make
/// the node read a body it would refuse.
fn body_route(method: &Method, segments: &[&str]) -> Option<bool> {
    if crate::federation::takes_body(method.as_str(), segments) {
        return Some(segments.first() == Some(&"admin"));
    }
    if method != Method::POST {
        return None;
    }
    match segments {
        ["federation", "verify"] => Some(false),
        ["admin", "scrolls", _, "receipts"] | ["admin", "scrolls"] | ["admin", "keys"] => {
            Some(true)
        }
        _ => None,
    }
}

fn too_large(limit: usize) -> ApiError {
    let mut e = ApiError::core(413, vaultmesh_core::Error::InputTooLarge, None);
    e.message = format!("request body exceeds {limit} bytes");
    e
}

/// Reads a request body of at most `limit` bytes within `deadline`. A declared
/// `Content-Length` over the limit is refused before anything is read; otherwise the limit is
/// counted on the bytes as they arrive, whatever was declared.
async fn read_body(
    body: Body,
    declared: Option<u64>,
    limit: usize,
    deadline: Duration,
) -> Result<Vec<u8>> {
    if declared.is_some_and(|n| n > limit as u64) {
        linger(body).await;
        return Err(too_large(limit));
    }
    match tokio::time::timeout(deadline, Limited::new(body, limit).collect()).await {
        Err(_) => Err(ApiError::node(
            NodeCode::RequestTimeout,
            format!(
                "the request body did not arrive within {} s",
                deadline.as_secs()
            ),
        )),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(limit)),
        Ok(Err(e)) => Err(ApiError::node(
            NodeCode::BadRequest,
            format!("reading the body: {e}"),
        )),
        Ok(Ok(collected)) => Ok(Vec::from(collected.to_bytes())),
    }
}

/// Bytes of an unwanted body read and discarded before the answer, and for how long.
const LINGER_BYTES: usize = 1 << 20;
const LINGER_FOR: Duration = Duration::from_millis(500);

/// Reads and drops up to [`LINGER_BYTES`] of a body that will not be used, for at most
/// [`LINGER_FOR`]: a client that sent a modest body before reading the answer then gets the
/// answer instead of a reset (the connection is closed after it either way).
async fn linger(mut body: Body) {
    let drain = async {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, |d| d.len());
            if seen >= LINGER_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(LINGER_FOR, drain).await;
}

/// Whether the request came with a body (which, unread, makes the connection unusable).
fn has_body(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// HTTP/1: a body left unread cannot be skipped, so the connection closes after this answer,
/// and the answer says so (`Connection: close`) for the client to open a new one.
fn closing(mut response: Response, version: axum::http::Version) -> Response {
    if version <= axum::http::Version::HTTP_11 {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Every route but `/healthz` and `/metrics` (and those too at odd spellings like
/// `/healthz/`, which the old server answered).
async fn api(State(node): State<Arc<Node>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let version = parts.version;
    let unread = has_body(&parts.headers);
    let peer = parts
        .extensions
        .get::<Peer>()
        .map(|p| p.0)
        .unwrap_or_else(|| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
    let caller = auth::caller(&node, &parts.headers, peer);
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let method = parts.method;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let get = method == Method::GET || method == Method::HEAD;

    if is_modify_attempt(&method, &segments) {
        let (node, path, caller) = (node.clone(), path.clone(), caller.clone());
        let method = method.to_string();
        let refused = blocking(move || {
            Err::<(), _>(node.record_violation(&method, &path, &caller.peer, caller.admin))
        })
        .await;
        if unread {
            linger(body).await;
        }
        let response = match refused {
            Err(e) => error_reply(&e).into_response(),
            Ok(()) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
        return if unread {
            closing(response, version)
        } else {
            response
        };
    }
    let answer = |reply: Reply, unread: bool| {
        let response = reply.into_response();
        if unread {
            closing(response, version)
        } else {
            response
        }
    };
    match (segments.as_slice(), get) {
        (["healthz"], true) => return answer(health(&node), unread),
        (["metrics"], true) => return answer(metrics_text(&node), unread),
        _ => {}
    }
    let mut content = None;
    let mut unread = unread;
    if let Some(admin) = body_route(&method, &segments) {
        if admin {
            if let Err(e) = require_admin(&node, &caller) {
                linger(body).await;
                return answer(error_reply(&e), unread);
            }
        }
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let limits = &node.config.limits;
        let deadline = Duration::from_secs(limits.body_timeout_secs);
        match read_body(body, declared, limits.max_body_bytes, deadline).await {
            Ok(b) => {
                content = Some(b);
                unread = false;
            }
            Err(e) => return answer(error_reply(&e), unread),
        }
    }
    let ndjson = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("ndjson"));
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let signature = match (
        header("content-digest"),
        header("signature-input"),
        header("signature"),
    ) {
        (Some(content_digest), Some(input), Some(signature)) => {
            Some(crate::federation::SignatureHeaders {
                content_digest,
                input,
                signature,
            })
        }
        _ => None,
    };
    let request = Call {
        method,
        path,
        query,
        caller,
        ndjson,
        body: content.unwrap_or_default(),
        signature,
    };
    match blocking(move || route(&node, &request)).await {
        Ok(reply) => answer(reply, unread),
        Err(e) => answer(error_reply(&e), unread),
    }
}

/// One request as the blocking handlers see it.
struct Call {
    method: Method,
    path: String,
    query: String,
    caller: Caller,
    ndjson: bool,
    body: Vec<u8>,
    signature: Option<crate::federation::SignatureHeaders>,
}

/// A scroll the caller may read.
fn visible(node: &Node, caller: &Caller, name: &str) -> Result<Arc<Scroll>> {
    let scroll = node.scroll(name)?;
    if scroll.public || caller.admin {
        Ok(scroll)
    } else {
        Err(ApiError::node(
            NodeCode::UnknownScroll,
            format!("no scroll named {name:?}"),
        ))
    }
}

fn is_modify_attempt(method: &Method, segments: &[&str]) -> bool {
    let path = match segments {
        ["admin", rest @ ..] => rest,
        rest => rest,
    };
    let on_records = matches!(path, ["scrolls", _, "receipts" | "checkpoints", ..]);
    let names_one = path.len() >= 4;
    if method == Method::PUT || method == Method::PATCH || method == Method::DELETE {
        on_records || matches!(path, ["scrolls", _])
    } else if method == Method::POST {
        on_records && names_one
    } else {
        false
    }
}

fn route(node: &Node, call: &Call) -> Result<Reply> {
    let path = call.path.as_str();
    let query = Query::parse(&call.query);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = &call.method;
    let caller = &call.caller;
    let get = method == Method::GET || method == Method::HEAD;
    let post = method == Method::POST;
    let federated = crate::federation::route(
        node,
        &crate::federation::Request {
            method: method.as_str(),
            path,
            segments: &segments,
            body: &call.body,
            signature: call.signature.clone(),
            admin: caller.admin,
            query: &call.query,
        },
    )?;
    if let Some((status, body)) = federated {
        return Ok(Reply::Json(status, body));
    }
    match (segments.as_slice(), get, post) {
        (["federation", "discovery"], true, _) => Ok(Reply::Json(200, node.discovery())),
        (["federation", "roots"], true, _) => roots(node),
        (["federation", "receipts", scroll], true, _) => federation_receipts(node, scroll, &query),
        (["federation", "verify"], _, true) => json(200, &node.verify_items(&call.body)?),
        (["governance", rest @ ..], true, _) => Ok(Reply::Json(
            200,
            crate::governance::http::get(node, rest, &query)?,
        )),
        (["scrolls"], true, _) => {
            let list: Vec<_> = node
                .scrolls()
                .iter()
                .filter(|s| s.public || caller.admin)
                .map(|s| scroll_info(s))
                .collect();
            json(
                200,
                &serde_json::json!({ "mesh_id": node.mesh_id, "scrolls": list }),
            )
        }
        (["scrolls", scroll], true, _) => {
            json(200, &scroll_info(visible(node, caller, scroll)?.as_ref()))
        }
        (["scrolls", scroll, "checkpoints"], true, _) => {
            let scroll = visible(node, caller, scroll)?;
            let from = query.uint("from")?.unwrap_or(1);
            let limit = query
                .uint("limit")?
                .unwrap_or(node.config.limits.max_range)
                .min(node.config.limits.max_range);
            let rows = node.checkpoints(&scroll, from, limit)?;
            let checkpoints = rows
                .iter()
                .map(|c| raw(&c.body))
                .collect::<Result<Vec<_>>>()?;
            let seqs: Vec<u64> = rows.iter().map(|c| c.seq).collect();
            json(
                200,
                &CheckpointList {
                    scroll: &scroll.name,
                    seqs,
                    checkpoints,
                },
            )
        }
        (["scrolls", scroll, "checkpoints", seq], true, _) => {
            let scroll = visible(node, caller, scroll)?;
            let seq = query::number("checkpoint number", seq, 1, query::MAX)?;
            Ok(Reply::Json(
                200,
                node.checkpoint_at(&scroll, At::Seq(seq))?.body.clone(),
            ))
        }
        (["scrolls", scroll, "receipts", index], true, _) => {
            let scroll = visible(node, caller, scroll)?;
            let index = query::number("receipt index", index, 0, query::MAX)?;
            let (body, leaf_hash) = node.receipt(&scroll, index)?;
            json(
                200,
                &ReceiptOnly {
                    scroll: &scroll.name,
                    index,
                    leaf_hash: leaf_hash.to_string(),
                    receipt: raw(&body)?,
                },
            )
        }
        (["scrolls", scroll, "proof", "inclusion"], true, _) => {
            let scroll = visible(node, caller, scroll)?;
            let index = query.uint("index")?.ok_or_else(|| {
                ApiError::node(NodeCode::BadRequest, "query parameter index is required")
            })?;
            let inc = node.inclusion(
                &scroll,
                index,
                checkpoint_at(&query, "checkpoint", "tree_size")?,
                None,
            )?;
            json(
                200,
                &InclusionOut {
                    scroll: &scroll.name,
                    leaf_index: index,
                    leaf_hash: inc.leaf_hash.to_string(),
                    checkpoint_seq: inc.checkpoint.seq,
                    proof: raw(&inc.proof.to_value().to_canonical())?,
                    checkpoint: raw(&inc.checkpoint.body)?,
                },
            )
        }
        (["scrolls", scroll, "proof", "consistency"], true, _) => {
            let scroll = visible(node, caller, scroll)?;
            let from = checkpoint_at(&query, "from", "from_size")?;
            if from == At::Latest {
                return Err(ApiError::node(
                    NodeCode::BadRequest,
                    "from=SEQ or from_size=N is required",
                ));
            }
            let (proof, old, new) =
                node.consistency(&scroll, from, checkpoint_at(&query, "to", "to_size")?)?;
            json(
                200,
                &ConsistencyOut {
                    scroll: &scroll.name,
                    proof: raw(&proof.to_value().to_canonical())?,
                    old_checkpoint: raw(&old.body)?,
                    new_checkpoint: raw(&new.body)?,
                },
            )
        }
        (["scrolls", scroll, "bundle"], true, _) => {
            let scroll = visible(node, caller, scroll)?;
            let from = query.uint_in("from_checkpoint", 1, query::MAX)?;
            let to = query.uint_in("to_checkpoint", 1, query::MAX)?;
            let bundle = crate::bundle::export(
                node.store(),
                &node.mesh_id,
                &node.discovery(),
                &node.keyring(),
                &scroll.name,
                from,
                to,
            )
            .map_err(|e| match e {
                crate::bundle::ExportError::UnknownScroll(m) => {
                    ApiError::node(NodeCode::UnknownScroll, m)
                }
                crate::bundle::ExportError::NoCheckpoint(m) => {
                    ApiError::node(NodeCode::NoCheckpoint, m)
                }
                crate::bundle::ExportError::TooLarge(m) => ApiError::node(NodeCode::BadRequest, m),
                crate::bundle::ExportError::Store(m) => ApiError::node(NodeCode::Internal, m),
            })?;
            let bundle = crate::governance::with_chain(node, &scroll.name, from, bundle)?;
            Ok(Reply::Json(200, bundle))
        }
        (["admin", "scrolls", scroll, "receipts"], _, true) => {
            require_admin(node, caller)?;
            node.scroll(scroll)?;
            let expect_size = query.uint("expect_size")?;
            let receipts = node
                .parse_receipts(&call.body, call.ndjson)
                .inspect_err(|_| {
                    crate::metrics::Metrics::add(&node.metrics.appends_rejected, 1);
                })?;
            let kinds = append_kinds(&query)?;
            let done = node.append_records(scroll, &receipts, expect_size, &kinds, None, &[])?;
            json(
                200,
                &serde_json::json!({
                    "scroll": scroll, "first_index": done.first_index, "count": done.count,
                    "tree_size": done.tree_size, "root": done.root.to_string(),
                    "verified": done.verified, "unknown_signer": done.unknown_signer, "opaque": done.opaque,
                }),
            )
        }
        (["admin", "scrolls", scroll, "checkpoints"], _, true) => {
            require_admin(node, caller)?;
            let (row, created) = node.checkpoint(scroll, query.get("force").is_some())?;
            json(
                if created { 201 } else { 200 },
                &CheckpointOut {
                    created,
                    seq: row.seq,
                    checkpoint: raw(&row.body)?,
                },
            )
        }
        (["admin", "scrolls"], _, true) => {
            require_admin(node, caller)?;
            let value = json::parse_record(&call.body, &Limits::default())
                .map_err(|e| ApiError::core(400, e, None))?;
            let object = value
                .as_object()
                .ok_or_else(|| ApiError::node(NodeCode::BadRequest, "expected an object"))?;
            let name = object.get("name").and_then(Value::as_str).ok_or_else(|| {
                ApiError::core(400, vaultmesh_core::Error::MissingField, Some("name"))
            })?;
            let public = !matches!(object.get("public"), Some(Value::Bool(false)));
            let (scroll, created) = node.create_scroll(name, public)?;
            json(if created { 201 } else { 200 }, &scroll_info(&scroll))
        }
        (["admin", "keys"], _, true) => {
            require_admin(node, caller)?;
            let value = json::parse_record(&call.body, &Limits::default())
                .map_err(|e| ApiError::core(400, e, None))?;
            let field = |name: &'static str| {
                value
                    .as_object()
                    .and_then(|o| o.get(name))
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        ApiError::core(400, vaultmesh_core::Error::MissingField, Some(name))
                    })
            };
            let added = node.add_key(field("actor")?, field("key")?)?;
            json(
                if added { 201 } else { 200 },
                &serde_json::json!({ "added": added }),
            )
        }
        _ => {
            let known_path = matches!(
                segments.as_slice(),
                ["healthz"]
                    | ["metrics"]
                    | ["federation", ..]
                    | ["scrolls", ..]
                    | ["admin", ..]
                    | ["governance", ..]
            );
            if known_path {
                Err(ApiError::node(
                    NodeCode::MethodNotAllowed,
                    format!("{method} is not served on {path}"),
                ))
            } else {
                Err(ApiError::node(
                    NodeCode::NotFound,
                    format!("no route {path}"),
                ))
            }
        }
    }
}

/// `?kind=NAME` of an append: the kind every receipt of the batch is verified as (records
/// without `type` must name one).
fn append_kinds(query: &Query<'_>) -> Result<Vec<vaultmesh_core::record::Kind>> {
    use vaultmesh_core::record::Kind;
    let mut names: Vec<&str> = crate::node::UNTYPED_KIND_NAMES.to_vec();
    names.extend(Kind::ALL.iter().map(|k| k.domain()));
    Ok(query
        .one_of("kind", &names)?
        .and_then(Kind::from_name)
        .into_iter()
        .collect())
}

fn scroll_info(scroll: &Scroll) -> serde_json::Value {
    let latest = scroll.latest_checkpoint();
    serde_json::json!({
        "name": scroll.name, "public": scroll.public, "tree_size": scroll.size(),
        "latest_checkpoint": latest.map(|c| serde_json::json!({ "seq": c.seq, "tree_size": c.tree_size, "root": c.root.to_string() })),
    })
}

#[derive(Serialize)]
struct CheckpointList<'a> {
    scroll: &'a str,
    seqs: Vec<u64>,
    checkpoints: Vec<Box<RawValue>>,
}

#[derive(Serialize)]
struct CheckpointOut {
    created: bool,
    seq: u64,
    checkpoint: Box<RawValue>,
}

#[derive(Serialize)]
struct ReceiptOnly<'a> {
    scroll: &'a str,
    index: u64,
    leaf_hash: String,
    receipt: Box<RawValue>,
}

#[derive(Serialize)]
struct InclusionOut<'a> {
    scroll: &'a str,
    leaf_index: u64,
    leaf_hash: String,
    checkpoint_seq: u64,
    proof: Box<RawValue>,
    checkpoint: Box<RawValue>,
}

#[derive(Serialize)]
struct ConsistencyOut<'a> {
    scroll: &'a str,
    proof: Box<RawValue>,
    old_checkpoint: Box<RawValue>,
    new_checkpoint: Box<RawValue>,
}

#[derive(Serialize)]
struct ReceiptWithProof {
    index: u64,
    receipt: Box<RawValue>,
    proof: Box<RawValue>,
}

#[derive(Serialize)]
struct ReceiptsOut<'a> {
    mesh_id: &'a str,
    scroll: &'a str,
    checkpoint_seq: u64,
    checkpoint: Box<RawValue>,
    receipts: Vec<ReceiptWithProof>,
}

#[derive(Serialize)]
struct RootsOut<'a> {
    mesh_id: &'a str,
    roots: Vec<Box<RawValue>>,
}

fn roots(node: &Node) -> Result<Reply> {
    let latest: Vec<Arc<CheckpointRow>> = node
        .scrolls()
        .iter()
        .filter(|s| s.public)
        .filter_map(|s| s.latest_checkpoint())
        .collect();
    let roots = latest
        .iter()
        .map(|c| raw(&c.body))
        .collect::<Result<Vec<_>>>()?;
    json(
        200,
        &RootsOut {
            mesh_id: &node.mesh_id,
            roots,
        },
    )
}

/// `GET /federation/receipts/{scroll}?from=I&count=N`, `?indexes=I,J,…` (at most
/// `witness::MAX_SAMPLES`, each below the checkpoint's size: a witness's samples in one
/// request) or `?sample=N`, each receipt with its inclusion proof against the named checkpoint
/// (`checkpoint=SEQ` or `tree_size=N`; default the latest).
fn federation_receipts(node: &Node, name: &str, query: &Query<'_>) -> Result<Reply> {
    let scroll = node.scroll(name)?;
    if !scroll.public {
        return Err(ApiError::node(
            NodeCode::UnknownScroll,
            format!("no public scroll named {name:?}"),
        ));
    }
    let checkpoint =
        node.checkpoint_at(&scroll, checkpoint_at(query, "checkpoint", "tree_size")?)?;
    let size = checkpoint.tree_size;
    let max = node.config.limits.max_range;
    let listed = query.uint_list(
        "indexes",
        vaultmesh_core::witness::MAX_SAMPLES,
        size.saturating_sub(1),
    )?;
    let indexes: Vec<u64> = if let Some(listed) = listed {
        if size == 0 {
            return Err(ApiError::node(
                NodeCode::BadRequest,
                "indexes: the checkpoint is of the empty tree",
            ));
        }
        listed
    } else if let Some(n) = query.uint("sample")? {
        let n = n.min(max).min(size);
        let mut picked = std::collections::BTreeSet::new();
        while (picked.len() as u64) < n {
            let r: [u8; 8] = crate::util::random()
                .map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))?;
            picked.insert(u64::from_le_bytes(r) % size);
        }
        picked.into_iter().collect()
    } else {
        let from = query.uint("from")?.unwrap_or(0);
        let count = query.uint("count")?.unwrap_or(100).min(max);
        (from..from.saturating_add(count).min(size)).collect()
    };
    let mut reader = node.reader()?;
    let mut receipts = Vec::with_capacity(indexes.len());
    for index in indexes {
        let inc = node.inclusion(
            &scroll,
            index,
            At::Seq(checkpoint.seq),
            Some(reader.as_mut()),
        )?;
        let (body, _) = reader
            .receipt(scroll.id, index)?
            .ok_or_else(|| ApiError::node(NodeCode::NoReceipt, "receipt missing"))?;
        receipts.push(ReceiptWithProof {
            index,
            receipt: raw(&body)?,
            proof: raw(&crate::federation::witness::served_proof(inc.proof)
                .to_value()
                .to_canonical())?,
        });
    }
    json(
        200,
        &ReceiptsOut {
            mesh_id: &node.mesh_id,
            scroll: &scroll.name,
            checkpoint_seq: checkpoint.seq,
            checkpoint: raw(&checkpoint.body)?,
            receipts,
        },
    )
}

/// `SEQ=n` (a checkpoint number, from 1) or `SIZE=n` (a tree size), else the latest.
fn checkpoint_at(query: &Query<'_>, seq: &str, size: &str) -> Result<At> {
    Ok(
        match (
            query.uint_in(seq, 1, query::MAX)?,
            query.uint_in(size, 0, query::MAX)?,
        ) {
            (Some(s), _) => At::Seq(s),
            (None, Some(n)) => At::Size(n),
            (None, None) => At::Latest,
        },
    )
}
