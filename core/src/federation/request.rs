//! Signatures on requests between meshes: the Ed25519 subset of RFC 9421 (HTTP Message
//! Signatures) with an RFC 9530 `Content-Digest` (docs/SPEC.md §7.6).
//!
//! Every request carries three headers:
//!
//! ```text
//! Content-Digest:  sha-256=:BASE64(SHA-256(body)):
//! Signature-Input: sig1=("@method" "@path" "content-digest");created=C;expires=E;nonce="N";keyid="DID";alg="ed25519"
//! Signature:       sig1=:BASE64(Ed25519(signature base)):
//! ```
//!
//! The signature base is RFC 9421 §2.5's: one line per covered component, then the
//! `@signature-params` line, joined by `\n` with no final newline; Ed25519 signs it as it is
//! (§3.3.6, no VaultMesh domain prefix, so any RFC 9421 library can check it). `keyid` is the
//! requesting mesh's DID: the verifier takes the key from its discovery record (pinned) or its
//! agreement. Exactly these components, in this order, and every parameter are required.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sha2::{Digest as _, Sha256};

use crate::crypto;
use crate::encoding::{PublicKey, SignatureBytes};
use crate::error::{Error, Result};

/// The signature label used in `Signature-Input` and `Signature`.
pub const LABEL: &str = "sig1";
/// The covered components, in order.
pub const COMPONENTS: &str = "(\"@method\" \"@path\" \"content-digest\")";
/// The allowed difference between `created` and the verifier's clock, seconds.
pub const MAX_SKEW_SECS: u64 = 300;
/// The longest `expires - created` a verifier accepts, seconds.
pub const MAX_LIFETIME_SECS: u64 = 600;
/// The longest nonce accepted, characters.
pub const MAX_NONCE_LEN: usize = 64;

/// The parameters of one request signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// Unix seconds when the signature was made.
    pub created: u64,
    /// Unix seconds after which it is no longer valid.
    pub expires: u64,
    /// A single-use value (`[A-Za-z0-9_-]`, 1–64 characters).
    pub nonce: String,
    /// The signing mesh's DID.
    pub keyid: String,
}

/// The three headers of a signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Content-Digest`.
    pub content_digest: String,
    /// `Signature-Input`.
    pub signature_input: String,
    /// `Signature`.
    pub signature: String,
}

/// `sha-256=:BASE64:` of `body` (RFC 9530 §2).
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", base64_encode(&Sha256::digest(body)))
}

/// The `@signature-params` value (RFC 9421 §2.3): components, then the parameters in a fixed
/// order.
pub fn signature_params(p: &Params) -> String {
    format!(
        "{COMPONENTS};created={};expires={};nonce=\"{}\";keyid=\"{}\";alg=\"ed25519\"",
        p.created, p.expires, p.nonce, p.keyid
    )
}

/// The signature base (RFC 9421 §2.5) over method, path and content digest.
pub fn signature_base(method: &str, path: &str, digest: &str, params: &str) -> Vec<u8> {
    format!(
        "\"@method\": {method}\n\"@path\": {path}\n\"content-digest\": {digest}\n\"@signature-params\": {params}"
    )
    .into_bytes()
}

/// Signs a request: the three headers for `method path` with `body`.
#[cfg(feature = "signing")]
pub fn sign(
    secret: &[u8; 32],
    method: &str,
    path: &str,
    body: &[u8],
    params: &Params,
) -> SignedHeaders {
    let digest = content_digest(body);
    let params_text = signature_params(params);
    let base = signature_base(method, path, &digest, &params_text);
    let signature = crypto::sign(secret, &base);
    SignedHeaders {
        content_digest: digest,
        signature_input: format!("{LABEL}={params_text}"),
        signature: format!("{LABEL}=:{}:", base64_encode(&signature.0)),
    }
}

/// A parsed, not yet verified, request signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSignature {
    /// Its parameters.
    pub params: Params,
    /// The `@signature-params` value exactly as received (the signed text).
    params_text: String,
    signature: SignatureBytes,
}

fn malformed<T>() -> Result<T> {
    Err(Error::MalformedRequestSignature)
}

fn nonce_ok(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= MAX_NONCE_LEN
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Parses `Signature-Input` and `Signature`: label `sig1`, exactly [`COMPONENTS`], and the
/// parameters `created`, `expires`, `nonce`, `keyid`, `alg="ed25519"`, each once.
pub fn parse(signature_input: &str, signature: &str) -> Result<RequestSignature> {
    let Some(rest) = signature_input
        .strip_prefix(LABEL)
        .and_then(|r| r.strip_prefix('='))
    else {
        return malformed();
    };
    let params_text = rest;
    let Some(rest) = rest.strip_prefix(COMPONENTS) else {
        return malformed();
    };
    if !rest.is_empty() && !rest.starts_with(';') {
        return malformed();
    }
    let (mut created, mut expires, mut nonce, mut keyid, mut alg) = (None, None, None, None, None);
    for param in rest.split(';').skip(1) {
        let Some((name, value)) = param.split_once('=') else {
            return malformed();
        };
        let quoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .filter(|v| !v.contains(['"', '\\']));
        let integer = if !value.is_empty()
            && value.len() <= 15
            && value.bytes().all(|b| b.is_ascii_digit())
        {
            value.parse::<u64>().ok()
        } else {
            None
        };
        let slot_was_empty = match (name, quoted, integer) {
            ("created", _, Some(n)) => created.replace(n).is_none(),
            ("expires", _, Some(n)) => expires.replace(n).is_none(),
            ("nonce", Some(s), _) => nonce.replace(s).is_none(),
            ("keyid", Some(s), _) => keyid.replace(s).is_none(),
            ("alg", Some(s), _) => alg.replace(s).is_none(),
            _ => return malformed(),
        };
        if !slot_was_empty {
            return malformed();
        }
    }
    let (Some(created), Some(expires), Some(nonce), Some(keyid), Some("ed25519")) =
        (created, expires, nonce, keyid, alg)
    else {
        return malformed();
    };
    if !nonce_ok(nonce) || crate::encoding::id::check_mesh_id(keyid).is_err() {
        return malformed();
    }
    let Some(encoded) = signature
        .strip_prefix(LABEL)
        .and_then(|r| r.strip_prefix("=:"))
        .and_then(|r| r.strip_suffix(':'))
    else {
        return malformed();
    };
    let bytes = base64_decode(encoded).ok_or(Error::MalformedRequestSignature)?;
    let bytes: [u8; 64] = bytes
        .try_into()
        .map_err(|_| Error::MalformedRequestSignature)?;
    Ok(RequestSignature {
        params: Params {
            created,
            expires,
            nonce: nonce.to_string(),
            keyid: keyid.to_string(),
        },
        params_text: params_text.to_string(),
        signature: SignatureBytes(bytes),
    })
}

impl RequestSignature {
    /// Checks the signature of `method path` with `body` and its `Content-Digest` header under
    /// `key` at `now` (Unix seconds): `created` within [`MAX_SKEW_SECS`] of `now`, `now` before
    /// `expires`, a lifetime of at most [`MAX_LIFETIME_SECS`], the digest of the body, then the
    /// strict Ed25519 signature. The caller claims the nonce afterwards.
    pub fn verify(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        digest_header: &str,
        key: &PublicKey,
        now: u64,
    ) -> Result<()> {
        let p = &self.params;
        if p.expires <= p.created || p.expires - p.created > MAX_LIFETIME_SECS {
            return Err(Error::RequestStale);
        }
        if p.created.abs_diff(now) > MAX_SKEW_SECS || now >= p.expires {
            return Err(Error::RequestStale);
        }
        if digest_header != content_digest(body) {
            return Err(Error::ContentDigestMismatch);
        }
        let base = signature_base(method, path, digest_header, &self.params_text);
        crypto::verify_strict(key, &base, &self.signature)
    }
}

/// Standard base64 with padding (RFC 4648 §4), as RFC 8941 byte sequences use.
pub fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes [`base64_encode`]'s output; only the canonical encoding is accepted (padding
/// required, unused bits zero).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

#[cfg(all(test, feature = "signing"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SEED: [u8; 32] = [7; 32];

    fn params() -> Params {
        Params {
            created: 1_765_000_000,
            expires: 1_765_000_300,
            nonce: "n0nce-1".into(),
            keyid: "did:vm:mesh:dublin".into(),
        }
    }

    #[test]
    fn base64_round_trips_and_rejects_non_canonical_text() {
        for n in 0..70u8 {
            let bytes: Vec<u8> = (0..n).collect();
            assert_eq!(base64_decode(&base64_encode(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        for bad in ["Zm8", "Zm9=", "Z===", "Zm8=Zm8=", "Zm!="] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_signed_request_verifies_and_each_change_is_refused() {
        let key = crypto::derive_public_key(&SEED);
        let body = br#"{"proposal_id":"p1"}"#;
        let h = sign(&SEED, "POST", "/federation/proposals", body, &params());
        let now = 1_765_000_010;
        let sig = parse(&h.signature_input, &h.signature).unwrap();
        assert_eq!(sig.params, params());
        let ok = |m: &str, p: &str, b: &[u8], d: &str, now| sig.verify(m, p, b, d, &key, now);
        ok(
            "POST",
            "/federation/proposals",
            body,
            &h.content_digest,
            now,
        )
        .unwrap();
        assert_eq!(
            ok(
                "POST",
                "/federation/proposals",
                b"{}",
                &h.content_digest,
                now
            ),
            Err(Error::ContentDigestMismatch)
        );
        let other_digest = content_digest(b"{}");
        assert_eq!(
            ok("POST", "/federation/proposals", b"{}", &other_digest, now),
            Err(Error::SignatureMismatch)
        );
        assert_eq!(
            ok("PUT", "/federation/proposals", body, &h.content_digest, now),
            Err(Error::SignatureMismatch)
        );
        assert_eq!(
            ok(
                "POST",
                "/federation/proposals",
                body,
                &h.content_digest,
                now + 400
            ),
            Err(Error::RequestStale)
        );
        assert_eq!(
            ok(
                "POST",
                "/federation/proposals",
                body,
                &h.content_digest,
                now - 400
            ),
            Err(Error::RequestStale)
        );
        let other = crypto::derive_public_key(&[8; 32]);
        assert_eq!(
            sig.verify(
                "POST",
                "/federation/proposals",
                body,
                &h.content_digest,
                &other,
                now
            ),
            Err(Error::SignatureMismatch)
        );
    }

    #[test]
    fn headers_outside_the_subset_are_malformed() {
        let h = sign(&SEED, "GET", "/x", b"", &params());
        let input = &h.signature_input;
        for bad in [
            input.replace("sig1=", "sig2="),
            input.replace("\"@path\" ", ""),
            input.replace(";alg=\"ed25519\"", ""),
            input.replace("ed25519", "rsa-pss-sha512"),
            input.replace("n0nce-1", "bad nonce"),
            input.replace("did:vm:mesh:dublin", "did:vm:human:x"),
            format!("{input};created=1"),
            input.replace("created=1765000000", "created=-1"),
        ] {
            assert_eq!(
                parse(&bad, &h.signature),
                Err(Error::MalformedRequestSignature),
                "{bad}"
            );
        }
        assert_eq!(
            parse(input, &h.signature.replace("sig1=:", "sig1=")),
            Err(Error::MalformedRequestSignature)
        );
    }
}
