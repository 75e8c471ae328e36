//! The HTTP API (JSON). See `docs/node.md` for every route.
//!
//! Read routes are public for public scrolls; private scrolls and every write need the admin
//! token (`Authorization: Bearer …`) from a loopback peer. A PUT, PATCH or DELETE of a receipt
//! or checkpoint, or a POST to an existing receipt, is a modify/delete attempt: it is refused
//! with 403 `APPEND_ONLY` and recorded as a signed `gov_violation` receipt (AXIOM-001).
//!
//! The server is tiny_http: a fixed pool of worker threads pulling requests from one accept
//! loop. Request bodies are read up to `limits.max_body_bytes` and parsed by the core's strict
//! parser; receipts go out as their stored canonical bytes, never re-serialised.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::value::RawValue;
use tiny_http::{Header, Method, Request, Response, Server};
use vaultmesh_core::json::{self, Limits, Value};

use crate::metrics::Metrics;
use crate::node::{ApiError, At, Node, NodeCode, Result, Scroll};
use crate::store::CheckpointRow;

/// A running server.
pub struct Running {
    /// The bound address (the real port when the config said 0).
    pub addr: SocketAddr,
    server: Arc<Server>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Blocks until the server stops (it stops when the process ends).
    pub fn join(self) {
        for w in self.workers {
            let _ = w.join();
        }
    }

    /// Stops accepting and ends the workers.
    pub fn stop(self) {
        self.server.unblock();
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Binds `listen` and starts the workers and the checkpoint interval task.
pub fn serve(node: Arc<Node>, listen: &str) -> std::io::Result<Running> {
    let server = Server::from_listener(listener(listen)?, None)
        .map_err(|e| std::io::Error::other(format!("cannot listen on {listen}: {e}")))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| std::io::Error::other("not an IP listener"))?;
    let server = Arc::new(server);
    let mut workers = Vec::new();
    for i in 0..node.config.workers {
        let (server, node) = (server.clone(), node.clone());
        let worker = std::thread::Builder::new()
            .name(format!("http-{i}"))
            .spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(&node, request);
                }
            })?;
        workers.push(worker);
    }
    let interval = node.config.checkpoint_interval_secs;
    if interval > 0 {
        let node = node.clone();
        std::thread::Builder::new()
            .name("checkpoints".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(interval));
                if let Err(e) = node.checkpoint_grown() {
                    eprintln!("vm-node: interval checkpoint failed: {e}");
                }
            })?;
    }
    Ok(Running {
        addr,
        server,
        workers,
    })
}

/// A listening socket with TCP_NODELAY and SO_REUSEADDR set; the connections it accepts inherit
/// TCP_NODELAY, so a response written in two pieces (tiny_http flushes its 1 KiB buffer) is not
/// held back by Nagle's algorithm waiting for a delayed ACK.
fn listener(listen: &str) -> std::io::Result<std::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let addr = listen
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("cannot resolve {listen}")))?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    socket.set_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// What a handler answers.
enum Reply {
    Json(u16, Vec<u8>),
    Text(u16, String),
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

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn handle(node: &Node, mut request: Request) {
    let reply = route(node, &mut request).unwrap_or_else(|e| {
        Reply::Json(
            e.status,
            serde_json::to_vec(&e.to_json()).unwrap_or_default(),
        )
    });
    let (status, body, content_type) = match reply {
        Reply::Json(s, b) => (s, b, "application/json"),
        Reply::Text(s, t) => (s, t.into_bytes(), "text/plain; version=0.0.4"),
    };
    let counter = match status {
        200..=299 => &node.metrics.http_2xx,
        400..=499 => &node.metrics.http_4xx,
        _ => &node.metrics.http_5xx,
    };
    Metrics::add(counter, 1);
    let mut response = Response::from_data(body).with_status_code(status);
    if let Some(h) = header("Content-Type", content_type) {
        response = response.with_header(h);
    }
    let _ = request.respond(response);
}

/// The request's query parameters.
struct Query<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Query<'a> {
    fn parse(query: &'a str) -> Query<'a> {
        Query(
            query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }

    fn uint(&self, name: &str) -> Result<Option<u64>> {
        self.get(name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    ApiError::node(
                        NodeCode::BadRequest,
                        format!("query parameter {name} must be a non-negative integer"),
                    )
                })
            })
            .transpose()
    }

    /// `checkpoint=SEQ` or `tree_size=N`, else the latest.
    fn at(&self, seq: &str, size: &str) -> Result<At> {
        Ok(match (self.uint(seq)?, self.uint(size)?) {
            (Some(s), _) => At::Seq(s),
            (None, Some(n)) => At::Size(n),
            (None, None) => At::Latest,
        })
    }
}

struct Caller {
    admin: bool,
    loopback: bool,
    peer: String,
}

fn caller(node: &Node, request: &Request) -> Caller {
    let peer = request.remote_addr().copied();
    let loopback = peer.is_some_and(|p| p.ip().is_loopback());
    let token = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .and_then(|h| h.value.as_str().strip_prefix("Bearer "))
        .map(str::trim);
    let admin =
        token.is_some_and(|t| node.admin_token_ok(t)) && (loopback || node.config.admin_remote);
    Caller {
        admin,
        loopback,
        peer: peer.map_or_else(|| "unknown".into(), |p| p.ip().to_string()),
    }
}

fn require_admin(node: &Node, caller: &Caller) -> Result<()> {
    if !caller.loopback && !node.config.admin_remote {
        return Err(ApiError::node(
            NodeCode::Forbidden,
            "the admin API is served to loopback peers only",
        ));
    }
    if !caller.admin {
        return Err(ApiError::node(
            NodeCode::Unauthorized,
            "admin token missing or wrong (Authorization: Bearer …)",
        ));
    }
    Ok(())
}

fn read_body(node: &Node, request: &mut Request) -> Result<Vec<u8>> {
    let limit = node.config.limits.max_body_bytes;
    let too_large = || {
        let mut e = ApiError::core(413, vaultmesh_core::Error::InputTooLarge, None);
        e.message = format!("request body exceeds {limit} bytes");
        e
    };
    if request.body_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(request.body_length().unwrap_or(0));
    request
        .as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| ApiError::node(NodeCode::BadRequest, format!("reading the body: {e}")))?;
    if body.len() > limit {
        return Err(too_large());
    }
    Ok(body)
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
    match method {
        Method::Put | Method::Patch | Method::Delete => {
            on_records || matches!(path, ["scrolls", _])
        }
        Method::Post => on_records && names_one,
        _ => false,
    }
}

fn route(node: &Node, request: &mut Request) -> Result<Reply> {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let query = Query::parse(query);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = request.method().clone();
    let caller = caller(node, request);

    if is_modify_attempt(&method, &segments) {
        return Err(node.record_violation(method.as_str(), path, &caller.peer, caller.admin));
    }

    let get = method == Method::Get || method == Method::Head;
    let post = method == Method::Post;
    match (segments.as_slice(), get, post) {
        (["healthz"], true, _) => json(
            200,
            &serde_json::json!({ "status": "ok", "mesh_id": node.mesh_id }),
        ),
        (["metrics"], true, _) => Ok(Reply::Text(200, metrics(node))),
        (["federation", "discovery"], true, _) => Ok(Reply::Json(200, node.discovery())),
        (["federation", "roots"], true, _) => roots(node),
        (["federation", "receipts", scroll], true, _) => federation_receipts(node, scroll, &query),
        (["federation", "verify"], _, true) => {
            let body = read_body(node, request)?;
            json(200, &node.verify_items(&body)?)
        }
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
            json(200, &scroll_info(visible(node, &caller, scroll)?.as_ref()))
        }
        (["scrolls", scroll, "checkpoints"], true, _) => {
            let scroll = visible(node, &caller, scroll)?;
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
            let scroll = visible(node, &caller, scroll)?;
            let seq = seq
                .parse()
                .map_err(|_| ApiError::node(NodeCode::BadRequest, "checkpoint number"))?;
            Ok(Reply::Json(
                200,
                node.checkpoint_at(&scroll, At::Seq(seq))?.body.clone(),
            ))
        }
        (["scrolls", scroll, "receipts", index], true, _) => {
            let scroll = visible(node, &caller, scroll)?;
            let index = index
                .parse()
                .map_err(|_| ApiError::node(NodeCode::BadRequest, "receipt index"))?;
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
            let scroll = visible(node, &caller, scroll)?;
            let index = query.uint("index")?.ok_or_else(|| {
                ApiError::node(NodeCode::BadRequest, "query parameter index is required")
            })?;
            let inc = node.inclusion(&scroll, index, query.at("checkpoint", "tree_size")?, None)?;
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
            let scroll = visible(node, &caller, scroll)?;
            let from = query.at("from", "from_size")?;
            if from == At::Latest {
                return Err(ApiError::node(
                    NodeCode::BadRequest,
                    "from=SEQ or from_size=N is required",
                ));
            }
            let (proof, old, new) = node.consistency(&scroll, from, query.at("to", "to_size")?)?;
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
            let scroll = visible(node, &caller, scroll)?;
            let from = query.uint("from_checkpoint")?;
            let to = query.uint("to_checkpoint")?;
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
            Ok(Reply::Json(200, bundle))
        }
        (["admin", "scrolls", scroll, "receipts"], _, true) => {
            require_admin(node, &caller)?;
            let ndjson = request
                .headers()
                .iter()
                .any(|h| h.field.equiv("Content-Type") && h.value.as_str().contains("ndjson"));
            let body = read_body(node, request)?;
            node.scroll(scroll)?;
            let receipts = node.parse_receipts(&body, ndjson).inspect_err(|_| {
                Metrics::add(&node.metrics.appends_rejected, 1);
            })?;
            let done = node.append(scroll, &receipts, query.uint("expect_size")?)?;
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
            require_admin(node, &caller)?;
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
            require_admin(node, &caller)?;
            let body = read_body(node, request)?;
            let value = json::parse_record(&body, &Limits::default())
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
            require_admin(node, &caller)?;
            let body = read_body(node, request)?;
            let value = json::parse_record(&body, &Limits::default())
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
                ["healthz"] | ["metrics"] | ["federation", ..] | ["scrolls", ..] | ["admin", ..]
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

/// `GET /federation/receipts/{scroll}?from=I&count=N` or `?sample=N`, each receipt with its
/// inclusion proof against the named checkpoint (`checkpoint=SEQ` or `tree_size=N`; default
/// the latest).
fn federation_receipts(node: &Node, name: &str, query: &Query<'_>) -> Result<Reply> {
    let scroll = node.scroll(name)?;
    if !scroll.public {
        return Err(ApiError::node(
            NodeCode::UnknownScroll,
            format!("no public scroll named {name:?}"),
        ));
    }
    let checkpoint = node.checkpoint_at(&scroll, query.at("checkpoint", "tree_size")?)?;
    let size = checkpoint.tree_size;
    let max = node.config.limits.max_range;
    let indexes: Vec<u64> = if let Some(n) = query.uint("sample")? {
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
            proof: raw(&inc.proof.to_value().to_canonical())?,
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

fn metrics(node: &Node) -> String {
    let mut extra = Vec::new();
    for s in node.scrolls() {
        extra.push((
            "vaultmesh_scroll_size",
            "Receipts in the scroll.",
            format!("{{scroll=\"{}\"}}", s.name),
            s.size(),
        ));
    }
    for s in node.scrolls() {
        let cp = s.latest_checkpoint().map_or(0, |c| c.tree_size);
        extra.push((
            "vaultmesh_scroll_checkpoint_size",
            "Tree size of the latest checkpoint.",
            format!("{{scroll=\"{}\"}}", s.name),
            cp,
        ));
    }
    extra.push((
        "vaultmesh_store_bytes",
        "Bytes of the store on disk (database and WAL).",
        String::new(),
        node.disk_bytes(),
    ));
    node.metrics.render(&extra)
}
