//! The accept loop and the connections: hyper's HTTP/1.1 and HTTP/2 (chosen per connection:
//! ALPN over TLS, the HTTP/2 preface in the clear), with every limit set here.
//!
//! - at most `max_connections` connections are served at once: the loop stops accepting while
//!   all slots are taken, so the rest wait in the kernel's backlog instead of costing memory;
//! - a request head (and a TLS handshake) must arrive within `header_timeout_secs`, and be at
//!   most `max_header_bytes` with at most `max_headers` fields (431 beyond);
//! - a connection with no request in flight and no bytes moving for `idle_timeout_secs` is
//!   closed (for HTTP/1 the wait for the next request is also bounded by the header timeout),
//!   and one that sends nothing at all is closed after `header_timeout_secs`;
//! - at shutdown the loop stops accepting, every connection finishes the request in flight and
//!   closes, and the loop waits up to `shutdown_timeout_secs` for them.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::config::LimitsConfig;

/// Returns once shutdown has been signalled (or the sender is gone).
pub(super) async fn stopped(rx: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not Send: dropped here, before any other await.
    let _ = rx.wait_for(|s| *s).await;
}

/// The peer of a request's connection (a request extension).
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// What the connections share.
pub(super) struct Shared {
    pub router: Router,
    pub tls: Option<TlsAcceptor>,
    pub builder: auto::Builder<TokioExecutor>,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub shutdown_timeout: Duration,
    pub max_connections: usize,
}

/// hyper's connection builder with the configured limits.
pub(super) fn builder(limits: &LimitsConfig) -> auto::Builder<TokioExecutor> {
    let mut b = auto::Builder::new(TokioExecutor::new());
    let header_bytes = limits.max_header_bytes.max(8192);
    b.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_timeout_secs))
        .max_buf_size(header_bytes)
        .max_headers(limits.max_headers)
        .keep_alive(true);
    b.http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(64)
        // Pings find dead peers; the idle timeout closes live but silent ones.
        .keep_alive_interval(Some(Duration::from_secs(
            limits.idle_timeout_secs.max(2) / 2,
        )))
        .keep_alive_timeout(Duration::from_secs(limits.header_timeout_secs));
    b
}

/// Accepts until `shutdown`, then waits for the connections to finish.
pub(super) async fn run(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(shared.max_connections));
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            () = stopped(&mut shutdown) => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = stopped(&mut shutdown) => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Without it Nagle and delayed ACKs add 40 ms to responses written in two pieces.
        let _ = stream.set_nodelay(true);
        let (shared, shutdown) = (shared.clone(), shutdown.clone());
        tokio::spawn(async move {
            connection(stream, peer, shared, shutdown).await;
            drop(permit);
        });
    }
    drop(listener);
    let open = shared.max_connections - slots.available_permits();
    if open > 0 {
        tracing::info!(connections = open, "waiting for requests in flight");
    }
    let all = u32::try_from(shared.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(shared.shutdown_timeout, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            connections = shared.max_connections - slots.available_permits(),
            "connections still open after {} s; closing them",
            shared.shutdown_timeout.as_secs()
        );
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    match &shared.tls {
        None => serve(stream, peer, &shared, shutdown).await,
        Some(tls) => match tokio::time::timeout(shared.header_timeout, tls.accept(stream)).await {
            Ok(Ok(stream)) => serve(stream, peer, &shared, shutdown).await,
            Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
        },
    }
}

async fn serve<I>(io: I, peer: SocketAddr, shared: &Shared, mut shutdown: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        inner: io,
        activity: activity.clone(),
    });
    let router = shared.router.clone();
    let busy = activity.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(Peer(peer));
        let guard = busy.begin();
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await;
            drop(guard);
            response
        }
    });
    let conn = shared.builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut draining = false;
    loop {
        tokio::select! {
            done = conn.as_mut() => {
                if let Err(e) = done {
                    tracing::debug!(%peer, error = %e, "connection ended");
                }
                break;
            }
            () = stopped(&mut shutdown), if !draining => {
                // Finish the request in flight, then close (HTTP/2: GOAWAY).
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
            () = activity.idle(shared.idle_timeout, shared.header_timeout), if !draining => {
                tracing::debug!(%peer, "idle connection closed");
                break;
            }
        }
    }
}

/// When a connection last moved bytes, and how many of its requests are in flight.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    busy: AtomicUsize,
    served: std::sync::atomic::AtomicBool,
}

struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
            served: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::Relaxed);
        self.served.store(true, Ordering::Relaxed);
        Busy(self.clone())
    }

    /// Returns once the connection has been idle for `limit` — or, before its first request,
    /// for `first` (hyper's header timeout starts only once it has seen a byte and chosen the
    /// protocol, so a connection that never sends one is closed here).
    async fn idle(&self, limit: Duration, first: Duration) {
        loop {
            let limit = if self.served.load(Ordering::Relaxed) {
                limit
            } else {
                first.min(limit)
            };
            let wait = if self.busy.load(Ordering::Relaxed) > 0 {
                limit
            } else {
                let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
                (last + limit).saturating_sub(self.start.elapsed())
            };
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }
}

/// An IO stream that stamps its [`Activity`] whenever bytes move.
struct Tracked<I> {
    inner: I,
    activity: Arc<Activity>,
}

impl<I: AsyncRead + Unpin> AsyncRead for Tracked<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Tracked<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
