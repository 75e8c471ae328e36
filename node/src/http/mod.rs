//! The HTTP API (JSON), served by hyper through axum on tokio. See `docs/node.md` for every
//! route and limit.
//!
//! - `routes`: the routes, their errors, and which work goes to the blocking pool;
//! - [`server`]: the accept loop, connections, limits and graceful shutdown;
//! - [`tls`]: rustls from the configured PEM files;
//! - [`auth`]: the caller and the admin token; [`query`]: typed query parameters;
//! - [`log`]: the request log.
//!
//! [`serve`] starts it all on a runtime of its own and returns a [`Running`] server; the
//! caller decides how it ends: [`Running::wait_for_shutdown_signal`] (`vm-node serve`),
//! [`Running::stop`] (bench, demo, tests), or [`Running::join`].

pub mod auth;
pub mod log;
pub mod query;
mod routes;
pub mod server;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::node::Node;

/// Blocking-pool threads: verification, parsing and store work. More than the machine's cores
/// (store reads wait on the disk), few enough that a flood of requests queues rather than
/// spawning without bound; the connection limit bounds the queue.
const BLOCKING_THREADS: usize = 64;

/// How often ended violation windows are turned into summary receipts.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// A running server.
pub struct Running {
    /// The bound address (the real port when the config said 0).
    pub addr: SocketAddr,
    tls: bool,
    node: Arc<Node>,
    shutdown: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
    background: Option<tokio::task::JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
    shutdown_timeout: Duration,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl Running {
    /// `https://ADDR` or `http://ADDR`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Whether the server speaks TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Blocks until the server stops (it stops only on a fatal error, or with the process).
    pub fn join(mut self) {
        if let (Some(rt), Some(server)) = (self.runtime.as_ref(), self.server.as_mut()) {
            let _ = rt.block_on(server);
        }
        self.server = None;
        let _ = self.finish();
    }

    /// Stops gracefully: no new connections, the requests in flight finish, pending violation
    /// summaries are recorded and the store is closed. Returns once all of that is done.
    pub fn stop(mut self) {
        let _ = self.finish();
    }

    /// Serves until SIGTERM or SIGINT, then stops as [`Running::stop`] does and returns
    /// `Ok`. An error means the server failed (the process should exit non-zero).
    pub fn wait_for_shutdown_signal(mut self) -> std::io::Result<()> {
        let (Some(rt), Some(server)) = (self.runtime.as_ref(), self.server.as_mut()) else {
            return Err(std::io::Error::other("the server is not running"));
        };
        let outcome: std::io::Result<&str> = rt.block_on(async {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate())?;
            let mut int = signal(SignalKind::interrupt())?;
            tokio::select! {
                _ = term.recv() => Ok("SIGTERM"),
                _ = int.recv() => Ok("SIGINT"),
                done = server => Err(std::io::Error::other(match done {
                    Ok(()) => "the server stopped by itself".to_string(),
                    Err(e) => format!("the server failed: {e}"),
                })),
            }
        });
        match outcome {
            Ok(signal) => {
                tracing::info!(
                    signal,
                    "shutting down: no new connections, finishing requests in flight"
                );
                self.finish()
            }
            Err(e) => {
                self.server = None;
                let _ = self.finish();
                tracing::error!(error = %e, "fatal");
                Err(e)
            }
        }
    }

    /// Signals shutdown, waits for the accept loop to drain, closes the node.
    fn finish(&mut self) -> std::io::Result<()> {
        let Some(rt) = self.runtime.take() else {
            return Ok(());
        };
        let _ = self.shutdown.send(true);
        let mut result = Ok(());
        if let Some(server) = self.server.take() {
            if let Err(e) = rt.block_on(server) {
                result = Err(std::io::Error::other(format!("the server failed: {e}")));
            }
        }
        if let Some(background) = self.background.take() {
            let _ = rt.block_on(background);
        }
        // Connections are drained: no append is in flight any more (unless the drain timed
        // out, and then the store's transactions keep every append whole or absent).
        match self.node.close() {
            Ok(()) => tracing::info!("store closed; stopped"),
            Err(e) => {
                tracing::error!(error = %e, "closing the store failed");
                result = Err(std::io::Error::other(format!("closing the store: {e}")));
            }
        }
        rt.shutdown_timeout(self.shutdown_timeout);
        result
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Whether `addr` may be served without TLS: loopback only (127.0.0.0/8, ::1).
pub fn plain_http_allowed(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Binds `listen` and starts the server, the checkpoint interval and the violation-summary
/// flush. HTTPS when the config names `tls_cert` and `tls_key`; plain HTTP is refused on an
/// address that is not loopback.
pub fn serve(node: Arc<Node>, listen: &str) -> std::io::Result<Running> {
    use std::net::ToSocketAddrs;
    let addr = listen
        .to_socket_addrs()
        .map_err(|e| std::io::Error::other(format!("cannot resolve {listen}: {e}")))?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("cannot resolve {listen}")))?;
    let config = &node.config;
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
        _ => None,
    };
    if tls.is_none() && !plain_http_allowed(&addr) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "refusing to serve plain HTTP on {addr}, which is not a loopback address: set \
                 tls_cert and tls_key in config.toml to serve HTTPS there, or listen on \
                 127.0.0.1 (behind a TLS-terminating proxy)"
            ),
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers)
        .max_blocking_threads(BLOCKING_THREADS)
        .thread_name("vm-node-http")
        .enable_all()
        .build()?;
    let listener = {
        let _entered = runtime.enter();
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket
            .bind(addr)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
        socket.listen(1024)?
    };
    let addr = listener.local_addr()?;
    let limits = &config.limits;
    let shared = Arc::new(server::Shared {
        router: routes::router(node.clone()),
        builder: server::builder(limits),
        tls: tls.clone(),
        header_timeout: Duration::from_secs(limits.header_timeout_secs),
        idle_timeout: Duration::from_secs(limits.idle_timeout_secs),
        shutdown_timeout: Duration::from_secs(limits.shutdown_timeout_secs),
        max_connections: limits.max_connections,
    });
    let (shutdown, stopping) = watch::channel(false);
    let server = runtime.spawn(server::run(listener, shared, stopping.clone()));
    let background = runtime.spawn(background(node.clone(), stopping));
    tracing::info!(
        %addr,
        tls = tls.is_some(),
        mesh = %node.mesh_id,
        "listening"
    );
    Ok(Running {
        addr,
        tls: tls.is_some(),
        shutdown_timeout: Duration::from_secs(limits.shutdown_timeout_secs),
        node,
        shutdown,
        server: Some(server),
        background: Some(background),
        runtime: Some(runtime),
    })
}

/// The interval checkpoints and the violation-summary flush, until shutdown.
async fn background(node: Arc<Node>, mut stopping: watch::Receiver<bool>) {
    let every = node.config.checkpoint_interval_secs;
    let mut flush = tokio::time::interval(FLUSH_EVERY);
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let period = Duration::from_secs(every.max(1));
    let mut checkpoints = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    checkpoints.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = server::stopped(&mut stopping) => return,
            _ = flush.tick() => {
                let node = node.clone();
                if let Ok(Err(e)) = tokio::task::spawn_blocking(move || node.flush_violations(false)).await {
                    tracing::warn!(error = %e, "recording violation summaries failed");
                }
            }
            _ = checkpoints.tick(), if every > 0 => {
                let node = node.clone();
                match tokio::task::spawn_blocking(move || node.checkpoint_grown()).await {
                    Ok(Ok(n)) if n > 0 => tracing::info!(checkpoints = n, "interval checkpoints signed"),
                    Ok(Err(e)) => tracing::warn!(error = %e, "interval checkpoint failed"),
                    _ => {}
                }
            }
        }
    }
}
