//! Who is calling: the peer address, whether it is loopback, and whether it holds the admin
//! token.
//!
//! The token is accepted only as `Authorization: Bearer TOKEN` exactly (RFC 6750 §2.1: the
//! scheme `Bearer`, one space, the token; no other whitespace, one Authorization header), and
//! compared in constant time ([`Node::admin_token_ok`]).

use std::net::SocketAddr;

use axum::http::{header, HeaderMap};

use crate::node::{ApiError, Node, NodeCode, Result};

/// The caller of one request.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Holds the admin token and may use it from where it calls.
    pub admin: bool,
    /// Calls from 127.0.0.0/8 or ::1.
    pub loopback: bool,
    /// The peer's IP address, as text.
    pub peer: String,
}

/// The bearer token of `headers`, if it is there in exactly the accepted form.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let token = value.to_str().ok()?.strip_prefix("Bearer ")?;
    let token68 = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
    (!token.is_empty() && token.bytes().all(token68)).then_some(token)
}

/// The caller of a request from `peer` with `headers`.
pub fn caller(node: &Node, headers: &HeaderMap, peer: SocketAddr) -> Caller {
    let loopback = peer.ip().is_loopback()
        || matches!(peer.ip(), std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
    let admin = bearer(headers).is_some_and(|t| node.admin_token_ok(t))
        && (loopback || node.config.admin_remote);
    Caller {
        admin,
        loopback,
        peer: peer.ip().to_string(),
    }
}

/// Refuses a caller that may not use the admin API.
pub fn require_admin(node: &Node, caller: &Caller) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_the_exact_form_is_a_token() {
        assert_eq!(bearer(&with(&["Bearer abc123"])), Some("abc123"));
        for bad in [
            "Bearer  abc123",
            "Bearer abc123 ",
            "Bearer  abc123  ",
            "bearer abc123",
            "BEARER abc123",
            "Bearer\tabc123",
            "Bearer ",
            "Basic abc123",
            "Bearer abc 123",
            "abc123",
        ] {
            assert_eq!(bearer(&with(&[bad])), None, "{bad:?}");
        }
        assert_eq!(bearer(&with(&["Bearer a", "Bearer a"])), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
