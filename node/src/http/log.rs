//! Logs through `tracing`: one line per request (method, path, status, latency, peer) and the
//! server's start and stop. Never a header, a token, a key, a query string or a body: the
//! path is logged without its query, and nothing else of the request is.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::server::Peer;
use crate::node::Node;

/// Installs the process's log subscriber: lines on stderr, filtered by `RUST_LOG` (default
/// `info`). Does nothing if one is installed already.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// The request log and the response counters, around every route.
pub async fn requests(State(node): State<Arc<Node>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // At most 512 characters of the path, and never the query (it could hold anything).
    let path: String = request.uri().path().chars().take(512).collect();
    let version = request.version();
    let peer = request
        .extensions()
        .get::<Peer>()
        .map_or_else(|| "unknown".to_string(), |p| p.0.to_string());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    node.metrics.response(status);
    tracing::info!(
        target: "vm_node::request",
        %method,
        path = %path,
        status,
        latency_ms = format_args!("{:.3}", started.elapsed().as_secs_f64() * 1e3),
        %peer,
        version = ?version,
    );
    response
}
