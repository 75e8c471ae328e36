//! Published vectors of the request signatures between meshes (RFC 9421 Ed25519 subset with an
//! RFC 9530 `Content-Digest`, docs/SPEC.md §7.6): `test-vectors/federation/request-signatures.json`.
//! Generated here; a drift test fails when the file differs, `VAULTMESH_BLESS=1` rewrites it.
//! Every case is also checked by the core's verifier.

use std::path::PathBuf;

use serde_json::{json, Value};
use vaultmesh_core::crypto;
use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::federation::request::{self, Params};

const SEED: [u8; 32] = [0x42; 32];
const NOW: u64 = 1_765_015_200;

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors/federation/request-signatures.json")
}

fn case(
    name: &str,
    method: &str,
    path: &str,
    body: &str,
    h: &request::SignedHeaders,
    now: u64,
    error: Option<&str>,
) -> Value {
    json!({
        "name": name, "method": method, "path": path, "body": body,
        "headers": { "content-digest": h.content_digest, "signature-input": h.signature_input, "signature": h.signature },
        "now": now,
        "expect": match error { None => json!({ "valid": true }), Some(e) => json!({ "valid": false, "error": e }) },
    })
}

fn generate() -> Value {
    let key = crypto::derive_public_key(&SEED);
    let params = |nonce: &str| Params {
        created: NOW,
        expires: NOW + 300,
        nonce: nonce.into(),
        keyid: "did:vm:mesh:dublin".into(),
    };
    let body = r#"{"proposal_id":"fed-proposal-2025-12-06-001"}"#;
    let post = request::sign(
        &SEED,
        "POST",
        "/federation/proposals",
        body.as_bytes(),
        &params("a1"),
    );
    let get = request::sign(&SEED, "GET", "/federation/agreements", b"", &params("a2"));
    let base = request::signature_base(
        "POST",
        "/federation/proposals",
        &post.content_digest,
        post.signature_input
            .strip_prefix("sig1=")
            .unwrap_or_default(),
    );
    let mut malformed = post.clone();
    malformed.signature_input = malformed.signature_input.replace(";alg=\"ed25519\"", "");
    json!({
        "about": "Request signatures between meshes (docs/SPEC.md §7.6): RFC 9421 with alg ed25519 over (\"@method\" \"@path\" \"content-digest\") and the parameters created, expires, nonce, keyid, alg; Content-Digest is RFC 9530 sha-256. Ed25519 signs the signature base itself (no VaultMesh domain). A verifier accepts created within 300 s of its clock (`now`), now < expires, expires - created <= 600.",
        "generator": "cargo test -p vaultmesh-core --test federation_vectors (VAULTMESH_BLESS=1 rewrites the file)",
        "key": key.to_string(),
        "seed_hex": "42".repeat(32),
        "signature_base_of_first_case": String::from_utf8(base).unwrap_or_default(),
        "cases": [
            case("signed POST with a body", "POST", "/federation/proposals", body, &post, NOW + 10, None),
            case("signed GET, empty body", "GET", "/federation/agreements", "", &get, NOW, None),
            case("body changed after signing", "POST", "/federation/proposals", r#"{"proposal_id":"other"}"#, &post, NOW, Some("CONTENT_DIGEST_MISMATCH")),
            case("method changed", "PUT", "/federation/proposals", body, &post, NOW, Some("SIGNATURE_MISMATCH")),
            case("path changed", "POST", "/federation/agreements", body, &post, NOW, Some("SIGNATURE_MISMATCH")),
            case("created 301 s before the verifier's clock", "POST", "/federation/proposals", body, &post, NOW + 301, Some("REQUEST_STALE")),
            case("created in the verifier's future", "POST", "/federation/proposals", body, &post, NOW - 301, Some("REQUEST_STALE")),
            case("alg missing", "POST", "/federation/proposals", body, &malformed, NOW, Some("MALFORMED_REQUEST_SIGNATURE")),
        ],
    })
}

fn check(v: &Value) {
    let key = PublicKey::parse(v["key"].as_str().unwrap()).unwrap();
    for c in v["cases"].as_array().unwrap() {
        let h = &c["headers"];
        let text = |v: &Value| v.as_str().unwrap().to_string();
        let verdict = request::parse(&text(&h["signature-input"]), &text(&h["signature"]))
            .and_then(|sig| {
                sig.verify(
                    &text(&c["method"]),
                    &text(&c["path"]),
                    text(&c["body"]).as_bytes(),
                    &text(&h["content-digest"]),
                    &key,
                    c["now"].as_u64().unwrap(),
                )
            });
        match c["expect"]["error"].as_str() {
            None => assert!(verdict.is_ok(), "{}: {verdict:?}", c["name"]),
            Some(e) => assert_eq!(verdict.map_err(|e| e.name()), Err(e), "{}", c["name"]),
        }
    }
}

#[test]
fn request_signature_vectors_verify_and_do_not_drift() {
    let generated = generate();
    check(&generated);
    let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
    if std::env::var_os("VAULTMESH_BLESS").is_some() {
        std::fs::create_dir_all(path().parent().unwrap()).unwrap();
        std::fs::write(path(), &text).unwrap();
    }
    let committed = std::fs::read_to_string(path()).unwrap_or_default();
    assert!(
        committed == text,
        "test-vectors/federation/request-signatures.json differs from the generator: VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test federation_vectors"
    );
    check(&serde_json::from_str(&committed).unwrap());
}
