//! The one HTTP client for everything that calls a node — `vm-node append`, `checkpoint`,
//! `add-key`, `bench`, the demo and the tests: reqwest's blocking client over rustls (HTTPS with
//! the webpki roots, plain HTTP for loopback), with connect and read timeouts and retries with
//! exponential backoff for idempotent requests only.
//!
//! What is retried: `GET` and `HEAD`, and a `POST` whose query carries `expect_size=` (an
//! append the node performs only at that exact tree size, so a second copy cannot append
//! twice: it is answered `SIZE_MISMATCH` when the first one did commit). Nothing else is: a
//! plain append could be committed twice, and every `PUT` or `DELETE` on a scroll is recorded
//! by the node as a violation receipt. A request is retried after a connection error or
//! timeout, or a `502`/`503`/`504` answer, at most [`DEFAULT_RETRIES`] times.

use std::io::{self, Read};
use std::time::Duration;

/// Connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Read timeout: a batch of 10,000 receipts is verified and committed well within it.
pub const READ_TIMEOUT: Duration = Duration::from_secs(120);
/// Retries of an idempotent request (so at most four attempts).
pub const DEFAULT_RETRIES: u32 = 3;
/// The first backoff; each retry waits twice as long as the one before, at most
/// [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The largest response body read (a range of `max_range` receipts with proofs is far below).
pub const MAX_RESPONSE_BYTES: u64 = 256 << 20;

/// A response.
#[derive(Clone, Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

/// A client of one node. Connections are pooled and kept alive between requests.
#[derive(Debug)]
pub struct Client {
    base: String,
    token: Option<String>,
    http: Result<reqwest::blocking::Client, String>,
    retries: u32,
}

fn build(read_timeout: Duration) -> Result<reqwest::blocking::Client, String> {
    reqwest::blocking::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(read_timeout)
        .tcp_nodelay(true)
        // The node never redirects; a redirect would be someone else's answer.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| chain(&e))
}

impl Client {
    /// A client of `url`: `https://host:port`, `http://host:port`, or `host:port` (plain HTTP,
    /// for loopback).
    pub fn new(url: &str) -> Client {
        let url = url.trim_end_matches('/');
        let base = if url.starts_with("http://") || url.starts_with("https://") {
            url.to_string()
        } else {
            format!("http://{url}")
        };
        Client {
            base,
            token: None,
            http: build(READ_TIMEOUT),
            retries: DEFAULT_RETRIES,
        }
    }

    /// Sends `Authorization: Bearer TOKEN` with every request.
    pub fn with_token(mut self, token: impl Into<String>) -> Client {
        self.token = Some(token.into());
        self
    }

    /// Another read timeout (the whole request, connect excluded).
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.http = build(timeout);
        self
    }

    /// Another number of retries for idempotent requests (0: none).
    pub fn with_retries(mut self, retries: u32) -> Client {
        self.retries = retries;
        self
    }

    /// The node's base URL.
    pub fn addr(&self) -> &str {
        &self.base
    }

    /// `GET path`.
    pub fn get(&mut self, path: &str) -> io::Result<Reply> {
        self.request("GET", path, None, b"")
    }

    /// `POST path` with a JSON body.
    pub fn post(&mut self, path: &str, body: &[u8]) -> io::Result<Reply> {
        self.request("POST", path, Some("application/json"), body)
    }

    /// Any request; retried as the module documentation says.
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> io::Result<Reply> {
        self.request_with(method, path, content_type, body, &[])
    }

    /// [`Client::request`] with extra headers (a federation request's RFC 9421 signature
    /// headers, `crate::federation::signed`).
    pub fn request_with(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
        headers: &[(&str, String)],
    ) -> io::Result<Reply> {
        let retries = if idempotent(method, path) {
            self.retries
        } else {
            0
        };
        let mut wait = FIRST_BACKOFF;
        let mut attempt = 0;
        loop {
            let result = self.once(method, path, content_type, body, headers);
            let transient = match &result {
                Ok(reply) => matches!(reply.status, 502..=504),
                Err(e) => e.kind() != io::ErrorKind::InvalidInput,
            };
            if !transient || attempt >= retries {
                return result;
            }
            attempt += 1;
            std::thread::sleep(wait);
            wait = (wait * 2).min(MAX_BACKOFF);
        }
    }

    fn once(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
        headers: &[(&str, String)],
    ) -> io::Result<Reply> {
        let http = self
            .http
            .as_ref()
            .map_err(|e| io::Error::other(format!("HTTP client: {e}")))?;
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "bad method"))?;
        let mut request = http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(ct) = content_type {
            request = request.header(reqwest::header::CONTENT_TYPE, ct);
        }
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let response = request.body(body.to_vec()).send().map_err(to_io)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .take(MAX_RESPONSE_BYTES + 1)
            .read_to_end(&mut body)?;
        if body.len() as u64 > MAX_RESPONSE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("response over {MAX_RESPONSE_BYTES} bytes"),
            ));
        }
        Ok(Reply { status, body })
    }
}

/// Whether a request may be sent again without changing what it does.
pub fn idempotent(method: &str, path: &str) -> bool {
    match method {
        "GET" | "HEAD" => true,
        // An append at an exact size: a second copy cannot append again.
        "POST" => path
            .split_once('?')
            .is_some_and(|(_, query)| query.split('&').any(|p| p.starts_with("expect_size="))),
        _ => false,
    }
}

/// An error with its causes, as one line (reqwest's own text omits them).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn to_io(e: reqwest::Error) -> io::Error {
    let kind = if e.is_timeout() {
        io::ErrorKind::TimedOut
    } else if e.is_connect() {
        io::ErrorKind::ConnectionRefused
    } else if e.is_builder() {
        io::ErrorKind::InvalidInput
    } else {
        io::ErrorKind::Other
    };
    io::Error::new(kind, chain(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_idempotent_requests_are_retried() {
        assert!(idempotent("GET", "/scrolls/Guardian"));
        assert!(idempotent(
            "POST",
            "/admin/scrolls/Guardian/receipts?expect_size=7"
        ));
        assert!(idempotent(
            "POST",
            "/admin/scrolls/G/receipts?x=1&expect_size=0"
        ));
        assert!(!idempotent("POST", "/admin/scrolls/Guardian/receipts"));
        assert!(!idempotent(
            "POST",
            "/admin/scrolls/G/receipts?not_expect_size=1"
        ));
        assert!(!idempotent("DELETE", "/scrolls/Guardian/receipts/3"));
        assert!(!idempotent("PUT", "/scrolls/Guardian/receipts/3"));
    }

    #[test]
    fn refused_connections_fail_after_the_retries() {
        // A port nothing listens on (bound, then released).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut c = Client::new(&format!("127.0.0.1:{port}")).with_retries(2);
        let started = std::time::Instant::now();
        let e = c.get("/healthz").unwrap_err();
        // Two backoffs: 100 ms + 200 ms.
        assert!(started.elapsed() >= Duration::from_millis(300), "{e}");
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused, "{e}");
        let started = std::time::Instant::now();
        assert!(c.post("/admin/scrolls/G/receipts", b"[]").is_err());
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "a POST is not retried"
        );
    }
}
