//! The deterministic generator of `test-vectors/*.json`.
//!
//! Every case states its intended verdict by construction (a case built with a duplicate key
//! expects `DUPLICATE_KEY`); computed values (hashes, roots, proofs) come from independent
//! reference code here (blake3 and ed25519-dalek directly, a recursive RFC 9162 reference), not
//! from the verifier under test. Only canonicalisation, itself pinned by RFC 8785's published
//! vectors, is shared.

use serde_json::{json, Value as J};
use vaultmesh_core::json::{self as vjson, Limits};

const GENERATOR: &str =
    "cargo test -p vaultmesh-core --test vectors (VAULTMESH_BLESS=1 rewrites the files)";

/// Every vector file: (file name, contents).
pub fn all() -> Vec<(&'static str, String)> {
    let files = [
        ("encodings.json", encodings()),
        ("canonical-json.json", canonical_json()),
        ("signatures.json", signatures()),
        ("agreements.json", agreements()),
        ("merkle-roots.json", merkle_roots()),
        ("inclusion-proofs.json", inclusion_proofs()),
        ("consistency-proofs.json", consistency_proofs()),
        ("checkpoints-witnesses.json", checkpoints_witnesses()),
        ("cross-anchors.json", cross_anchors()),
        ("signing.json", signing()),
        // In a folder: the bindings run every top-level file; these are Rust-only for now.
        ("witness/evidence.json", witness_evidence()),
    ];
    files
        .into_iter()
        .map(|(n, v)| (n, serde_json::to_string_pretty(&v).unwrap() + "\n"))
        .collect()
}

fn file(about: &str, keyring: J, cases: Vec<J>) -> J {
    json!({"about": about, "generator": GENERATOR, "keyring": keyring, "cases": cases})
}

fn valid(extra: J) -> J {
    let mut e = json!({"valid": true});
    e.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    e
}

fn invalid(error: vaultmesh_core::Error) -> J {
    json!({"valid": false, "error": error.name(), "code": error.code()})
}

use vaultmesh_core::Error as E;

// ---------------------------------------------------------------------------------------------
// Keys: secret = blake3("vaultmesh-test-key:" ‖ name). Independent base58btc encoder.

pub const MESHES: [&str; 4] = [
    "did:vm:mesh:dublin",
    "did:vm:mesh:lisbon",
    "did:vm:mesh:oslo",
    "did:vm:mesh:quito",
];
pub const ACTORS: [&str; 3] = [
    "did:vm:human:sovereign",
    "did:vm:human:alice",
    "did:vm:agent:guardian-01",
];

pub fn secret(name: &str) -> [u8; 32] {
    *blake3::hash(format!("vaultmesh-test-key:{name}").as_bytes()).as_bytes()
}

fn public_bytes(name: &str) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(&secret(name))
        .verifying_key()
        .to_bytes()
}

fn base58(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut digits: Vec<u8> = Vec::new(); // little-endian base-58 digits
    for &b in bytes {
        let mut carry = b as u32;
        for d in digits.iter_mut() {
            carry += (*d as u32) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    let mut s = "1".repeat(zeros);
    s.extend(digits.iter().rev().map(|d| ALPHABET[*d as usize] as char));
    s
}

fn key_text(bytes: &[u8; 32]) -> String {
    let mut m = vec![0xed, 0x01];
    m.extend_from_slice(bytes);
    format!("ed25519:z{}", base58(&m))
}

pub fn key_of(name: &str) -> String {
    key_text(&public_bytes(name))
}

fn keyring() -> J {
    let mut m = serde_json::Map::new();
    for n in MESHES
        .iter()
        .take(3)
        .chain(ACTORS.iter())
        .chain(["engine:guardian"].iter())
    {
        m.insert(n.to_string(), J::String(key_of(n)));
    }
    J::Object(m)
}

// ---------------------------------------------------------------------------------------------
// Signing: signing_input(domain, body) = "vaultmesh-sig-v1" ‖ 0 ‖ domain ‖ 0 ‖ JCS(body).

pub fn canonical(v: &J) -> String {
    let c = vjson::canonicalize(v.to_string().as_bytes(), &Limits::default()).unwrap();
    String::from_utf8(c).unwrap()
}

fn signing_input(domain: &str, body: &J) -> Vec<u8> {
    let mut m = b"vaultmesh-sig-v1\0".to_vec();
    m.extend_from_slice(domain.as_bytes());
    m.push(0);
    m.extend_from_slice(canonical(body).as_bytes());
    m
}

fn sign_bytes(signer: &str, message: &[u8]) -> [u8; 64] {
    use ed25519_dalek::Signer;
    ed25519_dalek::SigningKey::from_bytes(&secret(signer))
        .sign(message)
        .to_bytes()
}

fn sig_text(bytes: &[u8; 64]) -> String {
    format!("z{}", base58(bytes))
}

/// Signs `body` under `domain` by `signer` and stores the signature in `field`.
pub fn signed(mut body: J, domain: &str, signer: &str, field: &str) -> J {
    body.as_object_mut().unwrap().remove(field);
    let sig = sign_bytes(signer, &signing_input(domain, &body));
    body[field] = J::String(sig_text(&sig));
    body
}

fn receipt_hash(record: &J) -> String {
    format!(
        "blake3:{}",
        blake3::hash(canonical(record).as_bytes()).to_hex()
    )
}

// ---------------------------------------------------------------------------------------------

fn encodings() -> J {
    let digest = format!("blake3:{}", blake3::hash(b"vaultmesh").to_hex());
    let good_key = key_of(MESHES[0]);
    let multicodec_payload = |prefix: &[u8], key: &[u8]| {
        let mut m = prefix.to_vec();
        m.extend_from_slice(key);
        format!("ed25519:z{}", base58(&m))
    };
    // y = p (2^255 - 19): a non-canonical encoding of y = 0.
    let mut y_is_p = [0xffu8; 32];
    y_is_p[0] = 0xed;
    y_is_p[31] = 0x7f;
    // y = 1 with the sign bit set: x = 0 written as "negative".
    let mut x0_sign = [0u8; 32];
    x0_sign[0] = 1;
    x0_sign[31] = 0x80;
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let sig = sig_text(&sign_bytes(MESHES[0], b"x"));
    let short_sig = format!("z{}", base58(&[7u8; 63]));
    let case = |name: &str, op: &str, input: &str, expect: J| json!({"name": name, "op": op, "input": input, "expect": expect});
    let ok = |k: &str, v: &str| valid(json!({ k: v }));
    let cases = vec![
        case("digest", "digest", &digest, ok("digest", &digest)),
        case(
            "digest with uppercase prefix",
            "digest",
            &digest.replace("blake3", "BLAKE3"),
            invalid(E::UnsupportedHashAlgorithm),
        ),
        case(
            "digest of another algorithm",
            "digest",
            &digest.replace("blake3", "sha256"),
            invalid(E::UnsupportedHashAlgorithm),
        ),
        case(
            "digest without prefix",
            "digest",
            &digest[7..],
            invalid(E::MalformedDigest),
        ),
        case(
            "digest with 63 digits",
            "digest",
            &digest[..70],
            invalid(E::MalformedDigest),
        ),
        case(
            "digest with uppercase digits",
            "digest",
            &digest.to_uppercase().replace("BLAKE3", "blake3"),
            invalid(E::MalformedDigest),
        ),
        case(
            "ed25519 key",
            "public_key",
            &good_key,
            ok("public_key", &good_key),
        ),
        case(
            "did:key input",
            "public_key",
            &good_key.replace("ed25519:", "did:key:"),
            ok("public_key", &good_key),
        ),
        case(
            "did:key with fragment",
            "public_key",
            &format!("{}#key-1", good_key.replace("ed25519:", "did:key:")),
            invalid(E::MalformedKey),
        ),
        case(
            "key with wrong multicodec",
            "public_key",
            &multicodec_payload(&[0xe7, 0x01], &public_bytes(MESHES[0])),
            invalid(E::MalformedKey),
        ),
        case(
            "key of 31 bytes",
            "public_key",
            &multicodec_payload(&[0xed, 0x01], &public_bytes(MESHES[0])[..31]),
            invalid(E::MalformedKey),
        ),
        case(
            "key without multibase z",
            "public_key",
            &good_key.replace(":z", ":"),
            invalid(E::MalformedKey),
        ),
        case(
            "key with y >= p",
            "public_key",
            &key_text(&y_is_p),
            invalid(E::NonCanonicalKey),
        ),
        case(
            "key with x = 0 and sign bit",
            "public_key",
            &key_text(&x0_sign),
            invalid(E::NonCanonicalKey),
        ),
        case(
            "small-order key (identity)",
            "public_key",
            &key_text(&identity),
            invalid(E::SmallOrderKey),
        ),
        case("signature", "signature", &sig, ok("signature", &sig)),
        case(
            "signature of 63 bytes",
            "signature",
            &short_sig,
            invalid(E::MalformedSignature),
        ),
        case(
            "signature without z",
            "signature",
            &sig[1..],
            invalid(E::MalformedSignature),
        ),
        case(
            "signature with a non-base58 character",
            "signature",
            &sig.replace(&sig[5..6], "0"),
            invalid(E::MalformedSignature),
        ),
        case(
            "timestamp",
            "timestamp",
            "2025-12-01T09:30:00Z",
            ok("timestamp", "2025-12-01T09:30:00Z"),
        ),
        case(
            "leap day",
            "timestamp",
            "2024-02-29T23:59:59Z",
            ok("timestamp", "2024-02-29T23:59:59Z"),
        ),
        case(
            "no such day",
            "timestamp",
            "2025-02-29T00:00:00Z",
            invalid(E::MalformedTimestamp),
        ),
        case(
            "leap second",
            "timestamp",
            "2016-12-31T23:59:60Z",
            invalid(E::MalformedTimestamp),
        ),
        case(
            "lowercase t and z",
            "timestamp",
            "2025-12-01t09:30:00z",
            invalid(E::MalformedTimestamp),
        ),
        case(
            "fractional seconds",
            "timestamp",
            "2025-12-01T09:30:00.5Z",
            invalid(E::MalformedTimestamp),
        ),
        case(
            "offset",
            "timestamp",
            "2025-12-01T09:30:00+00:00",
            invalid(E::MalformedTimestamp),
        ),
        case(
            "mesh id",
            "actor_id",
            "did:vm:mesh:dublin",
            valid(json!({})),
        ),
        case(
            "human id",
            "actor_id",
            "did:vm:human:alice",
            valid(json!({})),
        ),
        case(
            "agent id",
            "actor_id",
            "did:vm:agent:guardian-01",
            valid(json!({})),
        ),
        case(
            "unknown actor class",
            "actor_id",
            "did:vm:robot:r2",
            invalid(E::MalformedActorId),
        ),
        case(
            "uppercase name",
            "actor_id",
            "did:vm:mesh:Dublin",
            invalid(E::MalformedActorId),
        ),
        case(
            "name of 65 characters",
            "actor_id",
            &format!("did:vm:mesh:{}", "a".repeat(65)),
            invalid(E::MalformedActorId),
        ),
        case(
            "name of 64 characters",
            "actor_id",
            &format!("did:vm:mesh:{}", "a".repeat(64)),
            valid(json!({})),
        ),
        case(
            "engine id",
            "engine_id",
            "engine:guardian",
            valid(json!({})),
        ),
        case(
            "engine id with uppercase",
            "engine_id",
            "engine:Guardian",
            invalid(E::MalformedEngineId),
        ),
        case(
            "engine id without prefix",
            "engine_id",
            "guardian",
            invalid(E::MalformedEngineId),
        ),
    ];
    file(
        "Text encodings (wire format §1, §9). `input` is the text value itself, not JSON.",
        keyring(),
        cases,
    )
}

// ---------------------------------------------------------------------------------------------

fn canonical_json() -> J {
    let nested = |depth: usize| {
        format!(
            "{{\"a\":{}1{}}}",
            "[".repeat(depth - 1),
            "]".repeat(depth - 1)
        )
    };
    // (name, input, Ok(canonical) | Err(error))
    let table: Vec<(&str, String, Result<&str, E>)> = vec![
        (
            "member order",
            r#"{"b":1,"a":2}"#.into(),
            Ok(r#"{"a":2,"b":1}"#),
        ),
        (
            "whitespace",
            " {\n \"a\" : [ 1 , 2 ] ,\t\"b\":{ } } ".into(),
            Ok(r#"{"a":[1,2],"b":{}}"#),
        ),
        (
            "nested order",
            r#"{"z":{"y":1,"x":[{"b":0,"a":0}]},"a":null}"#.into(),
            Ok(r#"{"a":null,"z":{"x":[{"a":0,"b":0}],"y":1}}"#),
        ),
        (
            "literals",
            r#"{"t":true,"f":false,"n":null}"#.into(),
            Ok(r#"{"f":false,"n":null,"t":true}"#),
        ),
        (
            "integer written as 1.0",
            r#"{"n":1.0}"#.into(),
            Ok(r#"{"n":1}"#),
        ),
        ("negative zero", r#"{"n":-0}"#.into(), Ok(r#"{"n":0}"#)),
        ("exponent 1E3", r#"{"n":1E3}"#.into(), Ok(r#"{"n":1000}"#)),
        (
            "small fraction",
            r#"{"n":1e-7}"#.into(),
            Ok(r#"{"n":1e-7}"#),
        ),
        (
            "decimal fraction",
            r#"{"n":0.1}"#.into(),
            Ok(r#"{"n":0.1}"#),
        ),
        (
            "smallest subnormal",
            r#"{"n":5e-324}"#.into(),
            Ok(r#"{"n":5e-324}"#),
        ),
        (
            "underflow to zero",
            r#"{"n":1e-400}"#.into(),
            Ok(r#"{"n":0}"#),
        ),
        (
            "2^53-1",
            r#"{"n":9007199254740991}"#.into(),
            Ok(r#"{"n":9007199254740991}"#),
        ),
        (
            "-(2^53-1)",
            r#"{"n":-9007199254740991}"#.into(),
            Ok(r#"{"n":-9007199254740991}"#),
        ),
        (
            "2^53",
            r#"{"n":9007199254740992}"#.into(),
            Err(E::NumberOutOfRange),
        ),
        (
            "2^53+1",
            r#"{"n":9007199254740993}"#.into(),
            Err(E::NumberOutOfRange),
        ),
        ("1e20", r#"{"n":1e20}"#.into(), Err(E::NumberOutOfRange)),
        ("1e21", r#"{"n":1e21}"#.into(), Err(E::NumberOutOfRange)),
        (
            "beyond double range",
            r#"{"n":1e400}"#.into(),
            Err(E::NumberOutOfRange),
        ),
        (
            "string escapes",
            r#"{"s":"\u00e9\/\b\f\n\r\t\"\\\u001f\u007f"}"#.into(),
            Ok("{\"s\":\"é/\\b\\f\\n\\r\\t\\\"\\\\\\u001f\u{7f}\"}"),
        ),
        (
            "line separator stays literal",
            r#"{"s":"\u2028\u2029"}"#.into(),
            Ok("{\"s\":\"\u{2028}\u{2029}\"}"),
        ),
        (
            "noncharacter U+FFFF",
            r#"{"s":"\uffff"}"#.into(),
            Ok("{\"s\":\"\u{ffff}\"}"),
        ),
        (
            "surrogate pair",
            r#"{"s":"\ud83d\ude00"}"#.into(),
            Ok("{\"s\":\"😀\"}"),
        ),
        (
            "UTF-16 member order",
            r#"{"\ue000":1,"\ud83d\ude00":2,"a":3}"#.into(),
            Ok("{\"a\":3,\"😀\":2,\"\u{e000}\":1}"),
        ),
        (
            "depth 64",
            nested(64),
            Ok(Box::leak(nested(64).into_boxed_str())),
        ),
        ("depth 65", nested(65), Err(E::DepthExceeded)),
        (
            "duplicate member",
            r#"{"a":1,"a":1}"#.into(),
            Err(E::DuplicateKey),
        ),
        (
            "nested duplicate member",
            r#"{"a":{"b":1,"c":2,"b":3}}"#.into(),
            Err(E::DuplicateKey),
        ),
        (
            "duplicate after unescaping",
            r#"{"a":1,"\u0061":2}"#.into(),
            Err(E::DuplicateKey),
        ),
        (
            "duplicate inside array",
            r#"{"a":[{"x":1,"x":2}]}"#.into(),
            Err(E::DuplicateKey),
        ),
        (
            "lone high surrogate",
            r#"{"s":"\ud800"}"#.into(),
            Err(E::LoneSurrogate),
        ),
        (
            "lone low surrogate",
            r#"{"s":"\udc00x"}"#.into(),
            Err(E::LoneSurrogate),
        ),
        (
            "high surrogate then non-surrogate",
            r#"{"s":"\ud800\u0041"}"#.into(),
            Err(E::LoneSurrogate),
        ),
        ("array at top level", "[1,2]".into(), Err(E::NotAnObject)),
        (
            "string at top level",
            r#""record""#.into(),
            Err(E::NotAnObject),
        ),
        ("trailing comma", r#"{"a":1,}"#.into(), Err(E::JsonSyntax)),
        ("trailing data", r#"{"a":1} {}"#.into(), Err(E::JsonSyntax)),
        ("truncated", r#"{"a":[1,2"#.into(), Err(E::JsonSyntax)),
        ("leading zero", r#"{"n":01}"#.into(), Err(E::JsonSyntax)),
        ("NaN", r#"{"n":NaN}"#.into(), Err(E::JsonSyntax)),
        ("single quotes", "{'a':1}".into(), Err(E::JsonSyntax)),
        (
            "raw control character in string",
            "{\"s\":\"a\u{1}b\"}".into(),
            Err(E::JsonSyntax),
        ),
        ("empty input", "".into(), Err(E::JsonSyntax)),
    ];
    let mut cases: Vec<J> = table
        .into_iter()
        .map(|(name, input, expect)| {
            let expect = match expect {
                Ok(c) => valid(json!({"canonical": c})),
                Err(e) => invalid(e),
            };
            json!({"name": name, "op": "canonicalize", "input": input, "expect": expect})
        })
        .collect();
    let hex_case = |name: &str, hex: &str, e: E| json!({"name": name, "op": "canonicalize", "input_hex": hex, "expect": invalid(e)});
    cases.push(hex_case(
        "byte-order mark",
        &hex::encode(b"\xef\xbb\xbf{\"a\":1}"),
        E::ByteOrderMark,
    ));
    cases.push(hex_case(
        "invalid UTF-8 in a string",
        &hex::encode(b"{\"a\":\"\xff\"}"),
        E::InvalidUtf8,
    ));
    cases.push(hex_case(
        "overlong UTF-8",
        &hex::encode(b"{\"a\":\"\xc0\xaf\"}"),
        E::InvalidUtf8,
    ));
    cases.push(
        json!({"name": "over the size limit", "op": "canonicalize", "max_bytes": 16,
        "input": r#"{"a":"0123456789"}"#, "expect": invalid(E::InputTooLarge)}),
    );
    cases.push(json!({"name": "at the size limit", "op": "canonicalize", "max_bytes": 18,
        "input": r#"{"a":"0123456789"}"#, "expect": valid(json!({"canonical": r#"{"a":"0123456789"}"#}))}));
    for (name, input) in [
        ("receipt hash", r#"{"type":"x","b":[1,2.5],"a":"é"}"#),
        (
            "receipt hash ignores layout",
            "{ \"a\" : \"é\", \"type\":\"x\",\"b\":[1, 2.50] }",
        ),
    ] {
        let c = r#"{"a":"é","b":[1,2.5],"type":"x"}"#;
        cases.push(json!({"name": name, "op": "receipt_hash", "input": input,
            "expect": valid(json!({"receipt_hash": format!("blake3:{}", blake3::hash(c.as_bytes()).to_hex())}))}));
    }
    file(
        "Strict I-JSON parsing (RFC 7493) and RFC 8785 canonicalisation (wire format §2). `input` is the raw record text (or `input_hex` for bytes that are not UTF-8); `max_bytes`/`max_depth` override the default limits (1 MiB, 64). `receipt_hash` = blake3 of the canonical bytes.",
        keyring(),
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// Realistic records of every kind (unsigned bodies).

const TS: &str = "2025-12-01T09:30:00Z";

pub fn vote_body() -> J {
    json!({
        "type": "gov_vote",
        "vote_id": "VOTE-2025-12-001-alice",
        "proposal_id": "PROP-2025-12-001",
        "voter": "did:vm:human:alice",
        "voted_at": "2025-12-09T14:05:00Z",
        "vote": "approve",
        "weight": 1.5,
        "comments": "Retention limits protect members and keep the Compliance scroll within the storage budget agreed at the last review; the proposal keeps receipts append-only and only governs derived data, so AXIOM-001 is untouched. Reviewed with the data protection officer on 2025-12-05.",
        "context": {"ballot": 17, "channel": "council", "constitution_version": "1.0.0"}
    })
}

/// Terms of a trust proposal or agreement, as the protocol document writes them.
fn terms(scrolls_member: &str) -> J {
    json!({scrolls_member: ["Compliance"], "verification_frequency": "hourly",
        "retention_period_days": 365, "data_jurisdiction": "EU", "audit_rights": true})
}

/// (kind name for `kind`, domain, signer, signature field, body)
fn record_bodies() -> Vec<(&'static str, &'static str, &'static str, &'static str, J)> {
    let root = format!(
        "blake3:{}",
        blake3::hash(b"compliance scroll root").to_hex()
    );
    vec![
        (
            "discovery",
            "fed_discovery",
            MESHES[0],
            "signature",
            json!({
            "mesh_id": MESHES[0], "display_name": "VaultMesh Dublin",
            "endpoints": {"federation": "https://federation.dublin.mesh.example", "verification": "https://verify.dublin.mesh.example"},
            "public_key": key_of(MESHES[0]), "scrolls_available": ["Compliance", "Drills"],
            "trust_policy": {"accepts_proposals": true, "min_trust_level": 1, "requires_mutual": true},
            "attestations": []}),
        ),
        (
            "proposal",
            "fed_proposal",
            MESHES[0],
            "signature",
            json!({
            "proposal_id": "fed-proposal-2025-12-01-001", "proposer": MESHES[0], "target": MESHES[1],
            "proposed_at": TS, "expires_at": "2025-12-08T09:30:00Z", "proposed_trust_level": 2,
            "proposed_terms": terms("scrolls_to_share"),
            "proposer_attestations": {"identity_proof": format!("blake3:{}", blake3::hash(b"dublin discovery").to_hex()),
                "compliance_credentials": ["ISO27001", "SOC2"]}}),
        ),
        (
            "response",
            "fed_proposal_response",
            MESHES[1],
            "signature",
            json!({
            "proposal_id": "fed-proposal-2025-12-01-001", "responder": MESHES[1], "responded_at": "2025-12-02T10:00:00Z",
            "decision": "counter", "reason": "daily witnessing", "counter_trust_level": 2,
            "counter_terms": {"scrolls_to_share": ["Compliance"], "verification_frequency": "daily"}}),
        ),
        (
            "checkpoint",
            "scroll_checkpoint",
            MESHES[0],
            "signature",
            json!({
            "type": "scroll_checkpoint", "mesh_id": MESHES[0], "scroll": "Compliance", "tree_size": 7,
            "root": root, "timestamp": TS}),
        ),
        (
            "witness",
            "fed_witness_event",
            MESHES[2],
            "witness_signature",
            json!({
            "type": "fed_witness_event", "witness_id": "witness-2025-12-01-001", "witnessing_mesh": MESHES[2],
            "witnessed_mesh": MESHES[0], "timestamp": "2025-12-01T09:31:00Z", "scroll": "Compliance",
            "witnessed_root": root, "tree_size": 7, "witnessed_anchor": {"backend": "ethereum"},
            "verification_method": "merkle_proof_sampling", "verification_result": "verified",
            "samples_checked": 3, "discrepancies": []}),
        ),
        (
            "gov_proposal",
            "gov_proposal",
            ACTORS[1],
            "signature",
            json!({
            "type": "gov_proposal", "proposal_id": "PROP-2025-12-001", "proposal_type": "amendment",
            "title": "Add Data Retention Article", "author": ACTORS[1], "submitted_at": TS,
            "deliberation_ends": "2025-12-08T09:30:00Z",
            "content": {"target": "ARTICLE-VII", "action": "add", "text": "Receipts are retained for at least seven years."},
            "rationale": "Compliance with EU regulations", "status": "deliberation"}),
        ),
        ("gov_vote", "gov_vote", ACTORS[1], "signature", vote_body()),
        (
            "gov_ratification",
            "gov_ratification",
            ACTORS[0],
            "signature",
            json!({
            "type": "gov_ratification", "ratification_id": "RAT-2025-12-001", "proposal_id": "PROP-2025-12-001",
            "ratified_at": "2025-12-16T09:30:00Z", "ratified_by": ACTORS[0],
            "vote_summary": {"approve": 9, "reject": 2, "abstain": 1}, "quorum_met": true,
            "constitution_version_before": "1.0.0", "constitution_version_after": "1.1.0"}),
        ),
        (
            "gov_amendment",
            "gov_amendment",
            ACTORS[0],
            "signature",
            json!({
            "type": "gov_amendment", "amendment_id": "AMEND-2025-12-001", "proposal_id": "PROP-2025-12-001",
            "effective_at": "2025-12-17T00:00:00Z",
            "anchor_proof": {"backend": "ethereum", "tx_hash": "0x5a1f"},
            "constitution_hash_before": format!("blake3:{}", blake3::hash(b"1.0.0").to_hex()),
            "constitution_hash_after": format!("blake3:{}", blake3::hash(b"1.1.0").to_hex()),
            "activated_by": ACTORS[0]}),
        ),
        (
            "gov_executive_order",
            "gov_executive_order",
            ACTORS[0],
            "signature",
            json!({
            "type": "gov_executive_order", "order_id": "EO-2025-004", "title": "Security Incident Response",
            "issued_by": ACTORS[0], "issued_at": TS, "authority": "ARTICLE-VI.1", "order_type": "emergency",
            "content": {"emergency_type": "security_incident", "threat_description": "Credential compromise at a partner mesh",
                "powers_invoked": ["suspend_federation"]},
            "duration": {"type": "emergency", "expires_at": "2025-12-04T09:30:00Z", "renewable": true}}),
        ),
        (
            "gov_violation",
            "gov_violation",
            "engine:guardian",
            "signature",
            json!({
            "type": "gov_violation", "violation_id": "VIOL-2025-0042", "detected_at": TS,
            "detected_by": "engine:guardian", "violation_type": "unauthorized_mutation", "severity": "critical",
            "details": {"actor": ACTORS[2], "action_attempted": "modify_receipt", "rule_violated": "AXIOM-001",
                "action_result": "blocked"},
            "evidence": {"log_entries": ["UPDATE receipts SET ..."],
                "request_hash": format!("blake3:{}", blake3::hash(b"UPDATE receipts").to_hex())}}),
        ),
        (
            "gov_enforcement",
            "gov_enforcement",
            ACTORS[0],
            "signature",
            json!({
            "type": "gov_enforcement", "enforcement_id": "ENF-2025-0042", "violation_id": "VIOL-2025-0042",
            "enforced_at": "2025-12-01T10:00:00Z", "enforcement_type": "capability_suspension", "target": ACTORS[2],
            "action_taken": {"capability_suspended": "write", "scope": "all_scrolls", "duration": "pending_review"},
            "review_required": true, "review_deadline": "2025-12-02T10:00:00Z", "enforced_by": ACTORS[0]}),
        ),
    ]
}

fn with(mut record: J, field: &str, value: J) -> J {
    record[field] = value;
    record
}

fn without(mut record: J, field: &str) -> J {
    record.as_object_mut().unwrap().remove(field);
    record
}

fn signature_bytes(record: &J, field: &str) -> [u8; 64] {
    let text = record[field].as_str().unwrap();
    let bytes = bs58_decode(&text[1..]);
    bytes.try_into().unwrap()
}

fn bs58_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut bytes: Vec<u8> = Vec::new(); // little-endian
    for c in s.bytes() {
        let mut carry = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        for b in bytes.iter_mut() {
            carry += (*b as u32) * 58;
            *b = carry as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push(carry as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|c| *c == b'1').count();
    let mut out = vec![0u8; zeros];
    out.extend(bytes.iter().rev());
    out
}

fn signatures() -> J {
    let mut cases = Vec::new();
    let record_case = |name: &str, record: &J, kind: Option<&str>, expect: J| {
        let mut c = json!({"name": name, "op": "verify_record", "input": canonical(record), "expect": expect});
        if let Some(k) = kind {
            c["kind"] = J::String(k.into());
        }
        c
    };
    for (kind, domain, signer, field, body) in record_bodies() {
        let record = signed(body, domain, signer, field);
        let typed = record.get("type").is_some();
        let k = if typed { None } else { Some(kind) };
        cases.push(record_case(
            &format!("{kind}: valid"),
            &record,
            k,
            valid(json!({"receipt_hash": receipt_hash(&record)})),
        ));
        let mut tampered = record.clone();
        let victim = if typed { "timestamp" } else { "proposal_id" };
        let victim = tampered
            .as_object()
            .unwrap()
            .keys()
            .find(|k| k.ends_with("_at") || *k == victim)
            .cloned();
        if let Some(v) = victim {
            tampered[&v] = J::String("2026-01-01T00:00:00Z".into());
            cases.push(record_case(
                &format!("{kind}: field changed after signing"),
                &tampered,
                k,
                invalid(E::SignatureMismatch),
            ));
        }
        cases.push(record_case(
            &format!("{kind}: signature removed"),
            &without(record.clone(), field),
            k,
            invalid(E::MissingSignature),
        ));
    }
    let vote = signed(vote_body(), "gov_vote", ACTORS[1], "signature");
    let vote_hash = receipt_hash(&vote);
    // Layout and member order do not matter: verification re-canonicalises.
    let pretty = serde_json::to_string_pretty(&vote).unwrap();
    cases.push(
        json!({"name": "gov_vote: pretty-printed input", "op": "verify_record", "input": pretty,
        "expect": valid(json!({"receipt_hash": vote_hash}))}),
    );
    // An unknown member is part of what was signed: kept and hashed.
    let extra = signed(
        with(vote_body(), "x_note", json!("kept")),
        "gov_vote",
        ACTORS[1],
        "signature",
    );
    cases.push(record_case(
        "gov_vote: unknown member is signed and kept",
        &extra,
        None,
        valid(json!({"receipt_hash": receipt_hash(&extra)})),
    ));
    cases.push(record_case(
        "gov_vote: unknown member dropped",
        &without(extra.clone(), "x_note"),
        None,
        invalid(E::SignatureMismatch),
    ));
    // Signature encodings and strictness (RFC 8032 §5.1.7 with verify_strict's checks).
    let sig = signature_bytes(&vote, "signature");
    let mut s_plus_l = sig;
    add_l_to_s(&mut s_plus_l);
    cases.push(record_case(
        "gov_vote: S + L (malleated)",
        &with(vote.clone(), "signature", J::String(sig_text(&s_plus_l))),
        None,
        invalid(E::NonCanonicalSignature),
    ));
    let mut small_r = sig;
    small_r[..32].copy_from_slice(&{
        let mut r = [0u8; 32];
        r[0] = 1;
        r
    });
    cases.push(record_case(
        "gov_vote: small-order R",
        &with(vote.clone(), "signature", J::String(sig_text(&small_r))),
        None,
        invalid(E::SmallOrderSignature),
    ));
    let mut noncanon_r = sig;
    noncanon_r[..32].copy_from_slice(&{
        let mut r = [0xffu8; 32];
        r[0] = 0xee;
        r[31] = 0x7f;
        r
    });
    cases.push(record_case(
        "gov_vote: R with y >= p",
        &with(vote.clone(), "signature", J::String(sig_text(&noncanon_r))),
        None,
        invalid(E::NonCanonicalSignature),
    ));
    cases.push(record_case(
        "gov_vote: signature of 63 bytes",
        &with(
            vote.clone(),
            "signature",
            J::String(format!("z{}", base58(&sig[..63]))),
        ),
        None,
        invalid(E::MalformedSignature),
    ));
    cases.push(record_case(
        "gov_vote: signature is a number",
        &with(vote.clone(), "signature", json!(7)),
        None,
        invalid(E::MalformedSignature),
    ));
    let by_other = signed(vote_body(), "gov_vote", ACTORS[0], "signature");
    cases.push(record_case(
        "gov_vote: signed by another key",
        &by_other,
        None,
        invalid(E::SignatureMismatch),
    ));
    let other_domain = signed(vote_body(), "gov_proposal", ACTORS[1], "signature");
    cases.push(record_case(
        "gov_vote: signed under another domain",
        &other_domain,
        None,
        invalid(E::SignatureMismatch),
    ));
    let stranger = signed(
        with(vote_body(), "voter", json!("did:vm:human:mallory")),
        "gov_vote",
        "did:vm:human:mallory",
        "signature",
    );
    cases.push(record_case(
        "gov_vote: signer not in keyring",
        &stranger,
        None,
        invalid(E::UnknownSigner),
    ));
    // Kinds.
    cases.push(record_case(
        "gov_vote: verified as checkpoint",
        &vote,
        Some("checkpoint"),
        invalid(E::KindMismatch),
    ));
    cases.push(record_case(
        "gov_vote: named kind equals type",
        &vote,
        Some("gov_vote"),
        valid(json!({"receipt_hash": vote_hash})),
    ));
    let unknown = signed(
        with(vote_body(), "type", json!("gov_poll")),
        "gov_poll",
        ACTORS[1],
        "signature",
    );
    cases.push(record_case(
        "unknown type",
        &unknown,
        None,
        invalid(E::UnknownKind),
    ));
    let discovery = &record_bodies()[0];
    let disc = signed(discovery.4.clone(), "fed_discovery", MESHES[0], "signature");
    cases.push(record_case(
        "untyped record without a kind",
        &disc,
        None,
        invalid(E::UnknownKind),
    ));
    let disc_other = signed(
        with(
            discovery.4.clone(),
            "public_key",
            J::String(key_of(MESHES[3])),
        ),
        "fed_discovery",
        MESHES[3],
        "signature",
    );
    cases.push(record_case(
        "discovery: self-signed with a key other than the known one",
        &disc_other,
        Some("discovery"),
        invalid(E::KeyMismatch),
    ));
    // Every defined field is checked, even on a well-signed record.
    let resigned = |body: J| signed(body, "gov_vote", ACTORS[1], "signature");
    for (name, field, value, error) in [
        (
            "missing proposal_id",
            "proposal_id",
            J::Null,
            E::MissingField,
        ),
        (
            "vote not in its enum",
            "vote",
            json!("for"),
            E::InvalidField,
        ),
        ("weight negative", "weight", json!(-3), E::InvalidField),
        ("weight as string", "weight", json!("1.5"), E::InvalidField),
        (
            "weight with seven decimals",
            "weight",
            json!(0.0000001),
            E::InvalidField,
        ),
        (
            "voted_at not a date",
            "voted_at",
            json!("2025-13-01T00:00:00Z"),
            E::MalformedTimestamp,
        ),
        (
            "voter of unknown class",
            "voter",
            json!("did:vm:robot:alice"),
            E::MalformedActorId,
        ),
    ] {
        let body = if value.is_null() {
            without(vote_body(), field)
        } else {
            with(vote_body(), field, value)
        };
        cases.push(record_case(
            &format!("gov_vote: {name}"),
            &resigned(body),
            None,
            invalid(error),
        ));
    }
    // `1.0` and `1` are one weight: the canonical text is the same, and so is the hash.
    let whole = resigned(with(vote_body(), "weight", json!(1)));
    cases.push(
        json!({"name": "gov_vote: weight written 1.0", "op": "verify_record",
        "input": canonical(&whole).replace("\"weight\":1", "\"weight\":1.0"),
        "expect": valid(json!({"receipt_hash": receipt_hash(&whole)}))}),
    );
    // Nested members are checked like top-level ones.
    for (kind, index, path, value, error) in [
        (
            "discovery",
            0,
            "trust_policy.min_trust_level",
            json!(5),
            E::InvalidTrustLevel,
        ),
        (
            "discovery",
            0,
            "endpoints.federation",
            json!("http://dublin.mesh.example"),
            E::InvalidField,
        ),
        (
            "discovery",
            0,
            "endpoints.verification",
            J::Null,
            E::MissingField,
        ),
        (
            "discovery",
            0,
            "scrolls_available",
            json!(["compliance"]),
            E::InvalidField,
        ),
        (
            "proposal",
            1,
            "proposed_terms.retention_period_days",
            json!("365"),
            E::NotAnInteger,
        ),
        (
            "gov_executive_order",
            9,
            "duration.expires_at",
            json!("2025-12-04"),
            E::MalformedTimestamp,
        ),
        (
            "gov_violation",
            10,
            "details.actor",
            json!("guardian-01"),
            E::MalformedActorId,
        ),
        (
            "gov_violation",
            10,
            "evidence.request_hash",
            json!("blake3:abc123..."),
            E::MalformedDigest,
        ),
        (
            "gov_enforcement",
            11,
            "action_taken",
            json!("suspend"),
            E::InvalidField,
        ),
    ] {
        let (name, domain, signer, field, body) = record_bodies().swap_remove(index);
        assert_eq!(name, kind);
        let mut body = body;
        let (outer, inner) = path
            .split_once('.')
            .map_or((path, None), |(o, i)| (o, Some(i)));
        match (inner, value.is_null()) {
            (Some(i), true) => drop(body[outer].as_object_mut().unwrap().remove(i)),
            (Some(i), false) => body[outer][i] = value,
            (None, _) => body[outer] = value,
        }
        let record = signed(body, domain, signer, field);
        let k = if record.get("type").is_some() {
            None
        } else {
            Some(kind)
        };
        cases.push(record_case(
            &format!("{kind}: {path} invalid"),
            &record,
            k,
            invalid(error),
        ));
    }
    let violation = &record_bodies()[10];
    let bad_engine = signed(
        with(violation.4.clone(), "detected_by", json!("engine:Guardian")),
        "gov_violation",
        "engine:guardian",
        "signature",
    );
    cases.push(record_case(
        "gov_violation: malformed engine id",
        &bad_engine,
        None,
        invalid(E::MalformedEngineId),
    ));
    let checkpoint = &record_bodies()[3];
    let sha = signed(
        with(
            checkpoint.4.clone(),
            "root",
            json!(format!("sha256:{}", "ab".repeat(32))),
        ),
        "scroll_checkpoint",
        MESHES[0],
        "signature",
    );
    cases.push(record_case(
        "checkpoint: root of another algorithm",
        &sha,
        None,
        invalid(E::UnsupportedHashAlgorithm),
    ));
    let short = signed(
        with(checkpoint.4.clone(), "root", json!("blake3:abcd")),
        "scroll_checkpoint",
        MESHES[0],
        "signature",
    );
    cases.push(record_case(
        "checkpoint: root too short",
        &short,
        None,
        invalid(E::MalformedDigest),
    ));
    let proposal = &record_bodies()[1];
    let level5 = signed(
        with(proposal.4.clone(), "proposed_trust_level", json!(5)),
        "fed_proposal",
        MESHES[0],
        "signature",
    );
    cases.push(record_case(
        "proposal: trust level 5",
        &level5,
        Some("proposal"),
        invalid(E::InvalidTrustLevel),
    ));
    let disc_badkey = signed(
        with(discovery.4.clone(), "public_key", json!("ed25519:zzz")),
        "fed_discovery",
        MESHES[0],
        "signature",
    );
    cases.push(record_case(
        "discovery: malformed key",
        &disc_badkey,
        Some("discovery"),
        invalid(E::MalformedKey),
    ));
    let dup = canonical(&vote).replacen('{', "{\"vote\":\"reject\",", 1);
    cases.push(json!({"name": "gov_vote: duplicate member", "op": "verify_record", "input": dup, "expect": invalid(E::DuplicateKey)}));
    file(
        "Signed records of every kind (wire format §3). Each valid record is signed with signing_input(domain, JCS(record without its signature field)) by the key secret = blake3(\"vaultmesh-test-key:\" + signer); `keyring` maps actor ids to keys; `kind` names the kind of untyped records. `receipt_hash` = blake3(JCS(record)).",
        keyring(),
        cases,
    )
}

/// S ← S + L (little-endian), the classic malleation a strict verifier must reject.
fn add_l_to_s(sig: &mut [u8; 64]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = sig[32 + i] as u16 + L[i] as u16 + carry;
        sig[32 + i] = v as u8;
        carry = v >> 8;
    }
}

// ---------------------------------------------------------------------------------------------
// Agreements.

pub fn agreement(parties: [&str; 2], trust_level: u64) -> J {
    let mut a = json!({
        "agreement_id": format!("AGR-{}-{}", &parties[0][12..], &parties[1][12..]),
        "parties": parties,
        "trust_level": trust_level,
        "key_exchange": {parties[0]: key_of(parties[0]), parties[1]: key_of(parties[1])},
        "established_at": TS,
        "terms": with(terms("scrolls_shared"), "dispute_resolution", json!("arbitration")),
    });
    sign_agreement_all(&mut a);
    a
}

fn agreement_hash_of(a: &J) -> String {
    let body = without(without(a.clone(), "signatures"), "agreement_hash");
    format!(
        "blake3:{}",
        blake3::hash(canonical(&body).as_bytes()).to_hex()
    )
}

/// Sets `agreement_hash` and signs it for every party in `parties`.
fn sign_agreement_all(a: &mut J) {
    let hash = agreement_hash_of(a);
    a["agreement_hash"] = J::String(hash.clone());
    let mut sigs = serde_json::Map::new();
    for p in a["parties"].as_array().unwrap().clone() {
        let p = p.as_str().unwrap();
        let body = json!({"agreement_hash": hash, "signed_at": TS, "signer": p});
        let sig = sign_bytes(p, &signing_input("fed_agreement", &body));
        sigs.insert(
            p.into(),
            json!({"signed_at": TS, "signature": sig_text(&sig)}),
        );
    }
    a["signatures"] = J::Object(sigs);
}

fn agreements() -> J {
    let good = agreement([MESHES[0], MESHES[1]], 3);
    let case = |name: &str, a: &J, expect: J| json!({"name": name, "op": "verify_agreement", "input": canonical(a), "expect": expect});
    let mut cases = vec![case(
        "valid, trust level 3",
        &good,
        valid(json!({"agreement_hash": agreement_hash_of(&good), "trust_level": 3})),
    )];
    let l0 = agreement([MESHES[0], MESHES[2]], 0);
    cases.push(case(
        "valid, trust level 0",
        &l0,
        valid(json!({"agreement_hash": agreement_hash_of(&l0), "trust_level": 0})),
    ));
    cases.push(case(
        "terms changed after signing",
        &with(good.clone(), "terms", terms("scrolls_shared")),
        invalid(E::AgreementHashMismatch),
    ));
    let mut resigned_hash_only = with(good.clone(), "terms", terms("scrolls_shared"));
    resigned_hash_only["agreement_hash"] = J::String(agreement_hash_of(&resigned_hash_only));
    cases.push(case(
        "hash recomputed but not re-signed",
        &resigned_hash_only,
        invalid(E::SignatureMismatch),
    ));
    let mut dup = json!({"agreement_id": "AGR-self", "parties": [MESHES[0], MESHES[0]], "trust_level": 2,
        "key_exchange": {MESHES[0]: key_of(MESHES[0])}, "established_at": TS, "terms": terms("scrolls_shared")});
    sign_agreement_all(&mut dup);
    cases.push(case(
        "a party listed twice",
        &dup,
        invalid(E::PartyMismatch),
    ));
    let mut missing_key = good.clone();
    missing_key["key_exchange"]
        .as_object_mut()
        .unwrap()
        .remove(MESHES[1]);
    sign_agreement_all(&mut missing_key);
    cases.push(case(
        "key_exchange lacks a party",
        &missing_key,
        invalid(E::PartyMismatch),
    ));
    let mut one_sig = good.clone();
    one_sig["signatures"]
        .as_object_mut()
        .unwrap()
        .remove(MESHES[1]);
    cases.push(case(
        "one party did not sign",
        &one_sig,
        invalid(E::PartyMismatch),
    ));
    let mut forged = good.clone();
    let body =
        json!({"agreement_hash": forged["agreement_hash"], "signed_at": TS, "signer": MESHES[1]});
    forged["signatures"][MESHES[1]]["signature"] = J::String(sig_text(&sign_bytes(
        MESHES[3],
        &signing_input("fed_agreement", &body),
    )));
    cases.push(case(
        "a party's signature made with another key",
        &forged,
        invalid(E::SignatureMismatch),
    ));
    let mut swapped = good.clone();
    swapped["key_exchange"][MESHES[1]] = J::String(key_of(MESHES[3]));
    sign_agreement_all(&mut swapped);
    // Re-sign lisbon's entry with the substituted key, so only the keyring check can catch it.
    let hash = swapped["agreement_hash"].clone();
    let body = json!({"agreement_hash": hash, "signed_at": TS, "signer": MESHES[1]});
    swapped["signatures"][MESHES[1]]["signature"] = J::String(sig_text(&sign_bytes(
        MESHES[3],
        &signing_input("fed_agreement", &body),
    )));
    cases.push(case(
        "key_exchange disagrees with the known key",
        &swapped,
        invalid(E::KeyMismatch),
    ));
    let mut level7 = with(good.clone(), "trust_level", json!(7));
    sign_agreement_all(&mut level7);
    cases.push(case(
        "trust level 7",
        &level7,
        invalid(E::InvalidTrustLevel),
    ));
    cases.push(case(
        "no signatures",
        &without(good.clone(), "signatures"),
        invalid(E::MissingSignature),
    ));
    file(
        "Federation agreements (wire format §3, §4, §9). agreement_hash = blake3(JCS(agreement without signatures and agreement_hash)); each party signs {agreement_hash, signed_at, signer} under domain fed_agreement with key_exchange[signer].",
        keyring(),
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// Merkle trees: an independent recursive reference of RFC 9162 §2.1 with BLAKE3.

type H = [u8; 32];

fn leaf(record: &str) -> H {
    let mut h = blake3::Hasher::new();
    h.update(&[0]);
    h.update(canonical(&serde_json::from_str(record).unwrap()).as_bytes());
    *h.finalize().as_bytes()
}

fn node(l: &H, r: &H) -> H {
    let mut h = blake3::Hasher::new();
    h.update(&[1]);
    h.update(l);
    h.update(r);
    *h.finalize().as_bytes()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[H]) -> H {
    match d.len() {
        0 => *blake3::hash(b"").as_bytes(),
        1 => d[0],
        n => node(&mth(&d[..split(n)]), &mth(&d[split(n)..])),
    }
}

/// PATH(m, D[n]), RFC 9162 §2.1.3.1.
fn path(m: usize, d: &[H]) -> Vec<H> {
    if d.len() <= 1 {
        return vec![];
    }
    let k = split(d.len());
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

/// SUBPROOF(m, D[n], b), RFC 9162 §2.1.4.1.
fn subproof(m: usize, d: &[H], b: bool) -> Vec<H> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = split(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

fn dtext(h: &H) -> String {
    format!("blake3:{}", hex::encode(h))
}

/// `n` realistic receipts of a compliance scroll.
pub fn receipts(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            canonical(&json!({"type": "compliance_check", "seq": i, "control": format!("CTRL-{:03}", i % 40),
                "result": if i % 7 == 3 { "fail" } else { "pass" }, "checked_at": format!("2025-12-01T{:02}:{:02}:00Z", i / 60 % 24, i % 60)}))
        })
        .collect()
}

fn hashes(records: &[String]) -> Vec<H> {
    records.iter().map(|r| leaf(r)).collect()
}

fn merkle_roots() -> J {
    let mut cases = Vec::new();
    for n in [0usize, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33] {
        let r = receipts(n);
        cases.push(
            json!({"name": format!("{n} receipts"), "op": "merkle_root", "records": r,
            "expect": valid(json!({"root": dtext(&mth(&hashes(&r)))}))}),
        );
    }
    let r = receipts(3);
    let jsonl = format!("{}\n{}\n{}\n", r[0], r[1], r[2]);
    cases.push(
        json!({"name": "JSON Lines with final newline", "op": "jsonl_root", "input": jsonl,
        "expect": valid(json!({"root": dtext(&mth(&hashes(&r))), "tree_size": 3}))}),
    );
    cases.push(json!({"name": "JSON Lines without final newline", "op": "jsonl_root", "input": jsonl.trim_end(),
        "expect": valid(json!({"root": dtext(&mth(&hashes(&r))), "tree_size": 3}))}));
    cases.push(
        json!({"name": "empty JSON Lines is the empty scroll", "op": "jsonl_root", "input": "",
        "expect": valid(json!({"root": dtext(&mth(&[])), "tree_size": 0}))}),
    );
    cases.push(json!({"name": "JSON Lines with a blank line", "op": "jsonl_root", "input": format!("{}\n\n{}\n", r[0], r[1]),
        "expect": invalid(E::BlankLine)}));
    cases.push(json!({"name": "JSON Lines with a duplicate key", "op": "jsonl_root", "input": format!("{}\n{{\"a\":1,\"a\":2}}\n", r[0]),
        "expect": invalid(E::DuplicateKey)}));
    file(
        "Scroll Merkle roots (wire format §5, RFC 9162 §2.1 with BLAKE3): leaf_hash = blake3(0x00 ‖ JCS(r)), node = blake3(0x01 ‖ l ‖ r), MTH([]) = blake3(\"\"). `records` are receipt texts in scroll order; `jsonl_root` takes a JSON Lines file as `input`.",
        keyring(),
        cases,
    )
}

fn inclusion_proofs() -> J {
    let mut cases = Vec::new();
    let proof_json = |i: usize, n: usize, p: &[H]| json!({"leaf_index": i, "tree_size": n, "path": p.iter().map(dtext).collect::<Vec<_>>()});
    for (n, i) in [
        (1usize, 0usize),
        (2, 1),
        (3, 2),
        (7, 0),
        (7, 3),
        (7, 6),
        (8, 5),
        (17, 16),
        (33, 20),
    ] {
        let r = receipts(n);
        let h = hashes(&r);
        let proof = proof_json(i, n, &path(i, &h));
        cases.push(json!({"name": format!("prove {i} of {n}"), "op": "prove_inclusion", "records": r, "index": i,
            "expect": valid(json!({"proof": proof}))}));
        cases.push(json!({"name": format!("verify {i} of {n}"), "op": "verify_inclusion", "record": r[i], "proof": proof,
            "root": dtext(&mth(&h)), "tree_size": n, "expect": valid(json!({}))}));
    }
    let r = receipts(7);
    let h = hashes(&r);
    let root = dtext(&mth(&h));
    let good = proof_json(3, 7, &path(3, &h));
    let verify = |name: &str, record: &str, proof: J, tree_size: usize, e: E| json!({"name": name, "op": "verify_inclusion", "record": record, "proof": proof, "root": root, "tree_size": tree_size, "expect": invalid(e)});
    let mut tampered = good.clone();
    tampered["path"][1] = J::String(dtext(&[7u8; 32]));
    cases.push(verify(
        "tampered path element",
        &r[3],
        tampered,
        7,
        E::InclusionProofMismatch,
    ));
    cases.push(verify(
        "another receipt",
        &r[4],
        good.clone(),
        7,
        E::InclusionProofMismatch,
    ));
    cases.push(verify(
        "wrong index",
        &r[3],
        with(good.clone(), "leaf_index", json!(2)),
        7,
        E::InclusionProofMismatch,
    ));
    cases.push(verify(
        "index equal to size",
        &r[3],
        with(good.clone(), "leaf_index", json!(7)),
        7,
        E::IndexOutOfRange,
    ));
    let mut long = good.clone();
    long["path"]
        .as_array_mut()
        .unwrap()
        .push(J::String(dtext(&[0u8; 32])));
    cases.push(verify(
        "path too long",
        &r[3],
        long,
        7,
        E::InclusionProofMismatch,
    ));
    let mut short = good.clone();
    short["path"].as_array_mut().unwrap().pop();
    cases.push(verify(
        "path too short",
        &r[3],
        short,
        7,
        E::InclusionProofMismatch,
    ));
    cases.push(verify(
        "proof for another tree size than the checkpoint's",
        &r[3],
        good.clone(),
        8,
        E::CheckpointMismatch,
    ));
    cases.push(verify(
        "path missing",
        &r[3],
        without(good.clone(), "path"),
        7,
        E::MalformedProof,
    ));
    cases.push(verify(
        "index written 3.0",
        &r[3],
        with(good.clone(), "leaf_index", json!(3.0)),
        7,
        E::NotAnInteger,
    ));
    let mut sha = good.clone();
    sha["path"][0] = J::String(format!("sha256:{}", "00".repeat(32)));
    cases.push(verify(
        "path element of another algorithm",
        &r[3],
        sha,
        7,
        E::UnsupportedHashAlgorithm,
    ));
    cases.push(json!({"name": "prove index beyond the tree", "op": "prove_inclusion", "records": r, "index": 7, "expect": invalid(E::IndexOutOfRange)}));
    file(
        "Inclusion proofs (wire format §5, RFC 9162 §2.1.3): `prove_inclusion` builds the audit path for `index`; `verify_inclusion` checks `record` against `root`, taking the size from `tree_size` (in practice a signed checkpoint's), never from the proof alone.",
        keyring(),
        cases,
    )
}

fn consistency_proofs() -> J {
    let mut cases = Vec::new();
    let proof_json = |m: usize, n: usize, p: &[H]| json!({"old_size": m, "new_size": n, "path": p.iter().map(dtext).collect::<Vec<_>>()});
    for (m, n) in [
        (1usize, 1usize),
        (1, 2),
        (1, 8),
        (3, 7),
        (4, 7),
        (6, 8),
        (7, 7),
        (8, 17),
        (16, 33),
        (5, 33),
    ] {
        let r = receipts(n);
        let h = hashes(&r);
        let proof = proof_json(m, n, &subproof(m, &h, true));
        cases.push(json!({"name": format!("prove {m} to {n}"), "op": "prove_consistency", "records": r, "old_size": m,
            "expect": valid(json!({"proof": proof}))}));
        cases.push(json!({"name": format!("verify {m} to {n}"), "op": "verify_consistency", "proof": proof,
            "old_root": dtext(&mth(&h[..m])), "new_root": dtext(&mth(&h)), "expect": valid(json!({}))}));
    }
    let r = receipts(7);
    let h = hashes(&r);
    let (old, new) = (dtext(&mth(&h[..3])), dtext(&mth(&h)));
    let good = proof_json(3, 7, &subproof(3, &h, true));
    let verify = |name: &str, proof: J, old: &str, new: &str, e: E| json!({"name": name, "op": "verify_consistency", "proof": proof, "old_root": old, "new_root": new, "expect": invalid(e)});
    let mut tampered = good.clone();
    tampered["path"][0] = J::String(dtext(&[9u8; 32]));
    cases.push(verify(
        "tampered path element",
        tampered,
        &old,
        &new,
        E::ConsistencyProofMismatch,
    ));
    cases.push(verify(
        "roots swapped",
        good.clone(),
        &new,
        &old,
        E::ConsistencyProofMismatch,
    ));
    cases.push(verify(
        "old size 0",
        with(good.clone(), "old_size", json!(0)),
        &old,
        &new,
        E::InvalidTreeSize,
    ));
    cases.push(verify(
        "old size above new size",
        with(good.clone(), "old_size", json!(8)),
        &old,
        &new,
        E::InvalidTreeSize,
    ));
    cases.push(verify(
        "equal sizes with a non-empty path",
        with(good.clone(), "old_size", json!(7)),
        &new,
        &new,
        E::ConsistencyProofMismatch,
    ));
    let equal = proof_json(7, 7, &[]);
    cases.push(verify(
        "equal sizes, different roots",
        equal,
        &old,
        &new,
        E::ConsistencyProofMismatch,
    ));
    cases.push(verify(
        "rewritten history",
        good.clone(),
        &dtext(&mth(&hashes(&receipts(4))[1..4])),
        &new,
        E::ConsistencyProofMismatch,
    ));
    cases.push(verify(
        "size as string",
        with(good.clone(), "new_size", json!("7")),
        &old,
        &new,
        E::MalformedProof,
    ));
    cases.push(verify(
        "size written 7.0",
        with(good.clone(), "new_size", json!(7.0)),
        &old,
        &new,
        E::NotAnInteger,
    ));
    cases.push(json!({"name": "prove from size 0", "op": "prove_consistency", "records": r, "old_size": 0, "expect": invalid(E::InvalidTreeSize)}));
    file(
        "Consistency proofs (wire format §5, RFC 9162 §2.1.4): `prove_consistency` builds the proof from `old_size` to the size of `records`; `verify_consistency` checks it between `old_root` and `new_root` (0 < old_size ≤ new_size; equal sizes need an empty path and equal roots).",
        keyring(),
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// Checkpoints, witnesses, cross-anchors.

pub fn checkpoint(mesh: &str, scroll: &str, n: usize) -> J {
    let root = dtext(&mth(&hashes(&receipts(n))));
    signed(
        json!({"type": "scroll_checkpoint", "mesh_id": mesh, "scroll": scroll, "tree_size": n, "root": root, "timestamp": TS}),
        "scroll_checkpoint",
        mesh,
        "signature",
    )
}

pub fn witness(cp: &J, witness_mesh: &str, result: &str, discrepancies: J) -> J {
    signed(
        json!({"type": "fed_witness_event", "witness_id": format!("witness-{}-{}", cp["scroll"].as_str().unwrap(), cp["tree_size"]),
        "witnessing_mesh": witness_mesh, "witnessed_mesh": cp["mesh_id"], "timestamp": "2025-12-01T09:31:00Z",
        "scroll": cp["scroll"], "witnessed_root": cp["root"], "tree_size": cp["tree_size"],
        "verification_method": "merkle_proof_sampling", "verification_result": result, "samples_checked": 3,
        "discrepancies": discrepancies}),
        "fed_witness_event",
        witness_mesh,
        "witness_signature",
    )
}

fn checkpoints_witnesses() -> J {
    let cp = checkpoint(MESHES[0], "Compliance", 7);
    let mut cases = vec![
        json!({"name": "checkpoint", "op": "verify_checkpoint", "input": canonical(&cp),
        "expect": valid(json!({"receipt_hash": receipt_hash(&cp)}))}),
    ];
    cases.push(json!({"name": "checkpoint with a root it did not sign", "op": "verify_checkpoint",
        "input": canonical(&with(cp.clone(), "root", json!(dtext(&[1u8; 32])))), "expect": invalid(E::SignatureMismatch)}));
    cases.push(json!({"name": "checkpoint with size as string", "op": "verify_checkpoint",
        "input": canonical(&signed(with(without(cp.clone(), "signature"), "tree_size", json!("7")), "scroll_checkpoint", MESHES[0], "signature")),
        "expect": invalid(E::NotAnInteger)}));
    let w = |name: &str, record: &J, checkpoint: Option<&J>, expect: J| {
        let mut c = json!({"name": name, "op": "verify_witness", "input": canonical(record), "expect": expect});
        if let Some(cp) = checkpoint {
            c["checkpoint"] = J::String(canonical(cp));
        }
        c
    };
    let good = witness(&cp, MESHES[2], "verified", json!([]));
    cases.push(w(
        "witness, verified",
        &good,
        Some(&cp),
        valid(json!({"receipt_hash": receipt_hash(&good)})),
    ));
    cases.push(w(
        "witness without a checkpoint",
        &good,
        None,
        valid(json!({"receipt_hash": receipt_hash(&good)})),
    ));
    let disc = witness(
        &cp,
        MESHES[2],
        "discrepancy",
        json!([{"field": "witnessed_root", "observed": dtext(&[2u8; 32])}]),
    );
    cases.push(w(
        "witness, discrepancy reported",
        &disc,
        Some(&cp),
        valid(json!({"receipt_hash": receipt_hash(&disc)})),
    ));
    let failed = witness(&cp, MESHES[2], "failed", json!(["peer did not answer"]));
    cases.push(w(
        "witness, failed",
        &failed,
        Some(&cp),
        valid(json!({"receipt_hash": receipt_hash(&failed)})),
    ));
    cases.push(w(
        "verified with discrepancies",
        &witness(&cp, MESHES[2], "verified", json!(["root differs"])),
        Some(&cp),
        invalid(E::WitnessResultInconsistent),
    ));
    cases.push(w(
        "discrepancy without discrepancies",
        &witness(&cp, MESHES[2], "discrepancy", json!([])),
        Some(&cp),
        invalid(E::WitnessResultInconsistent),
    ));
    cases.push(w(
        "unknown result",
        &witness(&cp, MESHES[2], "maybe", json!([])),
        Some(&cp),
        invalid(E::InvalidField),
    ));
    let other = checkpoint(MESHES[0], "Compliance", 8);
    cases.push(w(
        "witnessed root is not the checkpoint's",
        &witness(&other, MESHES[2], "verified", json!([])),
        Some(&cp),
        invalid(E::CheckpointMismatch),
    ));
    let mut unsigned_sig = good.clone();
    unsigned_sig["witness_signature"] = good["witness_signature"].clone();
    unsigned_sig["timestamp"] = json!("2025-12-01T09:32:00Z");
    cases.push(w(
        "witness receipt changed after signing",
        &unsigned_sig,
        Some(&cp),
        invalid(E::SignatureMismatch),
    ));
    file(
        "Scroll checkpoints (wire format §6, domain scroll_checkpoint, signed by mesh_id) and witness receipts (§7, domain fed_witness_event, field witness_signature, signed by witnessing_mesh). `checkpoint`, when present, is the signed checkpoint the witness receipt must match.",
        keyring(),
        cases,
    )
}

pub fn cross_anchor(anchoring: &str, anchored: &str, anchoring_roots: J, included: J) -> J {
    let mut entries: Vec<(String, String, String)> = Vec::new();
    for (mesh, roots) in [(anchoring, &anchoring_roots), (anchored, &included)] {
        for (s, r) in roots.as_object().unwrap() {
            entries.push((mesh.into(), s.clone(), r.as_str().unwrap().into()));
        }
    }
    entries.sort();
    let leaves: Vec<H> = entries
        .iter()
        .map(|(m, s, r)| leaf(&json!({"mesh_id": m, "root": r, "scroll": s}).to_string()))
        .collect();
    signed(
        json!({"type": "fed_cross_anchor", "anchoring_mesh": anchoring, "anchored_mesh": anchored,
        "anchoring_roots": anchoring_roots, "roots_included": included, "combined_root": dtext(&mth(&leaves)),
        "anchor_proof": {"backend": "combined_merkle_root"}, "timestamp": TS}),
        "fed_cross_anchor",
        anchoring,
        "signature",
    )
}

fn cross_anchors() -> J {
    let root = |s: &str| dtext(blake3::hash(s.as_bytes()).as_bytes());
    let ours =
        json!({"Compliance": root("dublin/compliance"), "Governance": root("dublin/governance")});
    let theirs = json!({"Compliance": root("lisbon/compliance"), "Drills": root("lisbon/drills")});
    let good = cross_anchor(MESHES[0], MESHES[1], ours.clone(), theirs.clone());
    let at3 = canonical(&agreement([MESHES[0], MESHES[1]], 3));
    let at2 = canonical(&agreement([MESHES[0], MESHES[1]], 2));
    let other = canonical(&agreement([MESHES[0], MESHES[2]], 4));
    let c = |name: &str, record: &J, agreement: Option<&str>, expect: J| {
        let mut c = json!({"name": name, "op": "verify_cross_anchor", "input": canonical(record), "expect": expect});
        if let Some(a) = agreement {
            c["agreement"] = J::String(a.into());
        }
        c
    };
    let ok = valid(json!({"receipt_hash": receipt_hash(&good)}));
    let mut bad_root = good.clone();
    bad_root["combined_root"] = json!(root("not the combined root"));
    let mut reordered = without(good.clone(), "signature");
    reordered["roots_included"]["Compliance"] = json!(root("lisbon/other"));
    let reordered = signed(reordered, "fed_cross_anchor", MESHES[0], "signature");
    let cases = vec![
        c(
            "cross-anchor with a trust level 3 agreement",
            &good,
            Some(&at3),
            ok.clone(),
        ),
        c("cross-anchor without an agreement", &good, None, ok),
        c(
            "combined root does not match",
            &bad_root,
            Some(&at3),
            invalid(E::CombinedRootMismatch),
        ),
        c(
            "an included root changed and re-signed",
            &reordered,
            Some(&at3),
            invalid(E::CombinedRootMismatch),
        ),
        c(
            "agreement at trust level 2",
            &good,
            Some(&at2),
            invalid(E::TrustLevelTooLow),
        ),
        c(
            "agreement between other meshes",
            &good,
            Some(&other),
            invalid(E::AgreementMismatch),
        ),
        c(
            "a mesh anchoring itself",
            &cross_anchor(MESHES[0], MESHES[0], ours.clone(), theirs.clone()),
            None,
            invalid(E::SelfAnchor),
        ),
        c(
            "no roots included",
            &cross_anchor(MESHES[0], MESHES[1], ours.clone(), json!({})),
            None,
            invalid(E::EmptyRootsIncluded),
        ),
        c(
            "signed by the anchored mesh",
            &signed(
                without(good.clone(), "signature"),
                "fed_cross_anchor",
                MESHES[1],
                "signature",
            ),
            None,
            invalid(E::SignatureMismatch),
        ),
    ];
    file(
        "Cross-anchors (wire format §8): combined_root = MTH of leaf data JCS({mesh_id, root, scroll}) for every root of anchoring_roots (anchoring mesh) and roots_included (anchored mesh), ordered by mesh_id then scroll; domain fed_cross_anchor, signed by anchoring_mesh. `agreement`, when present, must be a valid agreement between the two meshes at trust level ≥ 3.",
        keyring(),
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// Partner signing (docs/SPEC.md §3.2): every signer must give these bytes exactly.

/// The signer of `signing.json`: its key file holds `secret(PARTNER)`.
const PARTNER: &str = "partner";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn signing() -> J {
    let key_file = format!("ed25519-seed:{}\n", hex(&secret(PARTNER)));
    let (mesh, human) = ("did:vm:mesh:partner", "did:vm:human:partner");
    let root = format!(
        "blake3:{}",
        blake3::hash(b"partner Compliance root").to_hex()
    );
    let records = [
        (
            "gov_vote",
            "gov_vote",
            "signature",
            json!({"type": "gov_vote", "vote_id": "VOTE-2025-12-001-partner",
            "proposal_id": "PROP-2025-12-001", "voter": human, "voted_at": "2025-12-09T14:05:00Z",
            "vote": "approve", "weight": 1.5, "comments": "Agreed; see the Compliance review."}),
        ),
        (
            "checkpoint",
            "scroll_checkpoint",
            "signature",
            json!({"type": "scroll_checkpoint", "mesh_id": mesh,
            "scroll": "Compliance", "tree_size": 42, "root": root, "timestamp": "2025-12-06T10:00:00Z"}),
        ),
        (
            "discovery",
            "fed_discovery",
            "signature",
            json!({"mesh_id": mesh, "display_name": "Partner Mesh",
            "endpoints": {"federation": "https://federation.partner.example", "verification": "https://verify.partner.example"},
            "public_key": key_of(PARTNER), "scrolls_available": ["Compliance", "Drills"],
            "trust_policy": {"accepts_proposals": true, "min_trust_level": 1, "requires_mutual": true},
            "attestations": []}),
        ),
        (
            "proposal",
            "fed_proposal",
            "signature",
            json!({"proposal_id": "fed-proposal-2025-12-06-001", "proposer": mesh,
            "target": "did:vm:mesh:vaultmesh-dublin", "proposed_at": "2025-12-06T10:00:00Z",
            "expires_at": "2025-12-13T10:00:00Z", "proposed_trust_level": 2,
            "proposed_terms": {"scrolls_to_share": ["Compliance"], "verification_frequency": "hourly",
                "retention_period_days": 365, "data_jurisdiction": "EU", "audit_rights": true}}),
        ),
    ];
    let mut cases = Vec::new();
    for (kind, domain, field, body) in &records {
        // The input as a partner might write it: pretty-printed, members in document order.
        let input = serde_json::to_string_pretty(body).unwrap();
        let signed = signed(body.clone(), domain, PARTNER, field);
        cases.push(
            json!({"name": format!("{kind}: signed"), "op": "sign_record", "kind": kind,
            "input": input, "expect": valid(json!({"signed": canonical(&signed)}))}),
        );
        // What every signer wrote, every verifier accepts.
        let mut c = json!({"name": format!("{kind}: the signed record verifies"), "op": "verify_record",
            "input": canonical(&signed), "expect": valid(json!({"receipt_hash": receipt_hash(&signed)}))});
        if !domain.starts_with("gov_") && *domain != "scroll_checkpoint" {
            c["kind"] = json!(kind);
        }
        cases.push(c);
    }
    let refused = |name: &str, kind: &str, input: String, e: E| json!({"name": name, "op": "sign_record", "kind": kind, "input": input, "expect": invalid(e)});
    let vote = &records[0].3;
    cases.push(refused(
        "gov_vote without voted_at",
        "gov_vote",
        without(vote.clone(), "voted_at").to_string(),
        E::MissingField,
    ));
    cases.push(refused(
        "gov_vote with a seven-decimal weight",
        "gov_vote",
        with(vote.clone(), "weight", json!(0.0000001)).to_string(),
        E::InvalidField,
    ));
    cases.push(refused(
        "discovery naming another key",
        "discovery",
        with(records[2].3.clone(), "public_key", json!(key_of(MESHES[0]))).to_string(),
        E::KeyMismatch,
    ));
    cases.push(refused(
        "a kind name no table has",
        "gov_poll",
        vote.to_string(),
        E::UnknownKind,
    ));
    cases.push(refused(
        "an untyped record without a kind",
        "",
        records[3].3.to_string(),
        E::UnknownKind,
    ));
    cases.push(refused(
        "duplicate member",
        "gov_vote",
        vote.to_string().replacen('{', "{\"vote\":\"reject\",", 1),
        E::DuplicateKey,
    ));
    let secret_key = |name: &str, text: String, expect: J| json!({"name": name, "op": "secret_key", "input": text, "expect": expect});
    let public = valid(json!({"public_key": key_of(PARTNER)}));
    cases.push(secret_key("key file", key_file.clone(), public.clone()));
    cases.push(secret_key(
        "key file without its newline",
        key_file.trim_end().into(),
        public,
    ));
    for (name, text) in [
        (
            "upper-case hex",
            key_file
                .to_uppercase()
                .replace("ED25519-SEED:", "ed25519-seed:"),
        ),
        ("two newlines", format!("{key_file}\n")),
        ("CRLF", key_file.replace('\n', "\r\n")),
        (
            "a space after the prefix",
            key_file.replace("ed25519-seed:", "ed25519-seed: "),
        ),
        ("63 hex digits", key_file[..76].to_string()),
        (
            "another prefix",
            key_file.replace("ed25519-seed:", "ed25519-secret:"),
        ),
    ] {
        cases.push(secret_key(name, text, invalid(E::MalformedSecretKey)));
    }
    let mut keys = serde_json::Map::new();
    keys.insert(mesh.into(), J::String(key_of(PARTNER)));
    keys.insert(human.into(), J::String(key_of(PARTNER)));
    let mut f = file(
        "Partner signing (docs/SPEC.md §3.2). `key_file` is the signer's key file. op sign_record: sign `input` as `kind` (empty: by `type`) with that key; the output must be `expect.signed` byte for byte (Ed25519 is deterministic, the output canonical JSON), or fail with `expect.error`. op verify_record: the signed records, verified with `keyring`. op secret_key: read `input` as key file text; `expect.public_key` is its public key.",
        J::Object(keys),
        cases,
    );
    f["key_file"] = J::String(key_file);
    f
}

// ---------------------------------------------------------------------------------------------
// Witness rounds and discrepancy evidence (docs/SPEC.md §7.9), from this generator's own
// Merkle functions and signer.

/// A checkpoint of Dublin's Compliance scroll of size `n` over the leaves `d`.
fn checkpoint_over(d: &[H]) -> J {
    signed(
        json!({"type": "scroll_checkpoint", "mesh_id": MESHES[0], "scroll": "Compliance", "tree_size": d.len(),
            "root": dtext(&mth(d)), "timestamp": TS}),
        "scroll_checkpoint",
        MESHES[0],
        "signature",
    )
}

fn consistency_json(m: usize, d: &[H]) -> J {
    let p: Vec<String> = if m == 0 || m == d.len() {
        vec![]
    } else {
        subproof(m, d, true).iter().map(dtext).collect()
    };
    json!({"old_size": m, "new_size": d.len(), "path": p})
}

fn inclusion_json(i: usize, d: &[H]) -> J {
    json!({"leaf_index": i, "tree_size": d.len(), "path": path(i, d).iter().map(dtext).collect::<Vec<_>>()})
}

fn witness_evidence() -> J {
    let r = receipts(20);
    let d = hashes(&r);
    let mut rewritten = d.clone();
    rewritten[2] = leaf(&canonical(
        &json!({"type": "compliance_check", "seq": 2, "rewritten": true}),
    ));
    let old = checkpoint_over(&d[..8]);
    let new = checkpoint_over(&d);
    let forked = checkpoint_over(&rewritten);
    let other8 = checkpoint_over(&rewritten[..8]);
    let mut cases = Vec::new();
    let ev = |name: &str, evidence: J, expect: J| json!({"name": name, "op": "verify_evidence", "input": canonical(&evidence), "expect": expect});
    let split = json!({"kind": "split_view", "checkpoints": [old, other8]});
    cases.push(ev(
        "split view: one size, two roots",
        split,
        valid(json!({"contradiction": "split_view"})),
    ));
    cases.push(ev(
        "the same checkpoint twice",
        json!({"kind": "split_view", "checkpoints": [old, old]}),
        invalid(E::EvidenceNotConclusive),
    ));
    cases.push(ev(
        "split view of two sizes",
        json!({"kind": "split_view", "checkpoints": [old, new]}),
        invalid(E::EvidenceNotConclusive),
    ));
    cases.push(ev("inconsistent: the served proof does not connect the roots",
        json!({"kind": "inconsistent", "checkpoints": [old, forked], "consistency_proof": consistency_json(8, &rewritten)}),
        valid(json!({"contradiction": "inconsistent"}))));
    cases.push(ev("consistent history: nothing shown",
        json!({"kind": "inconsistent", "checkpoints": [old, new], "consistency_proof": consistency_json(8, &d)}),
        invalid(E::EvidenceNotConclusive)));
    let mut wrong = inclusion_json(6, &d);
    wrong["leaf_index"] = json!(5);
    cases.push(ev("bad sample: receipt 5 with another position's path",
        json!({"kind": "bad_sample", "checkpoints": [new], "index": 5, "receipt": serde_json::from_str::<J>(&r[5]).unwrap(), "inclusion_proof": wrong}),
        valid(json!({"contradiction": "bad_sample", "index": 5}))));
    cases.push(ev("good sample: nothing shown",
        json!({"kind": "bad_sample", "checkpoints": [new], "index": 5, "receipt": serde_json::from_str::<J>(&r[5]).unwrap(), "inclusion_proof": inclusion_json(5, &d)}),
        invalid(E::EvidenceNotConclusive)));
    cases.push(ev("a checkpoint the mesh did not sign",
        json!({"kind": "split_view", "checkpoints": [old, with(other8.clone(), "root", json!(dtext(&[3u8; 32])))]}),
        invalid(E::SignatureMismatch)));
    cases.push(ev(
        "unknown kind",
        json!({"kind": "rumour", "checkpoints": [old]}),
        invalid(E::InvalidField),
    ));

    // Rounds: the witness accepted `accepted` and is shown `new` with a proof and samples.
    let round = |name: &str,
                 accepted: Option<&J>,
                 new: &J,
                 proof: Option<J>,
                 samples: Vec<J>,
                 expect: J| {
        let mut c = json!({"name": name, "op": "witness_round", "input": canonical(new), "samples": samples, "expect": expect});
        if let Some(a) = accepted {
            c["accepted"] = J::String(canonical(a));
        }
        if let Some(p) = proof {
            c["consistency_proof"] = p;
        }
        c
    };
    let sample = |i: usize, proof: J| json!({"index": i, "receipt": r[i], "proof": proof});
    cases.push(round(
        "honest peer, two samples",
        Some(&old),
        &new,
        Some(consistency_json(8, &d)),
        vec![
            sample(3, inclusion_json(3, &d)),
            sample(17, inclusion_json(17, &d)),
        ],
        valid(json!({"verdict": "verified", "samples_checked": [3, 17]})),
    ));
    cases.push(round(
        "first round",
        None,
        &old,
        None,
        vec![],
        valid(json!({"verdict": "verified", "samples_checked": []})),
    ));
    cases.push(round(
        "split view",
        Some(&old),
        &other8,
        None,
        vec![],
        valid(json!({"verdict": "discrepancy", "contradiction": "split_view"})),
    ));
    cases.push(round(
        "rewritten history",
        Some(&old),
        &forked,
        Some(consistency_json(8, &rewritten)),
        vec![],
        valid(json!({"verdict": "discrepancy", "contradiction": "inconsistent"})),
    ));
    cases.push(round(
        "bad sample",
        None,
        &new,
        None,
        vec![sample(5, wrong)],
        valid(json!({"verdict": "discrepancy", "contradiction": "bad_sample", "index": 5})),
    ));
    cases.push(round(
        "older than accepted: out of step",
        Some(&new),
        &old,
        None,
        vec![],
        valid(json!({"verdict": "out_of_step", "accepted_size": 20})),
    ));
    cases.push(round(
        "larger without a consistency proof",
        Some(&old),
        &new,
        None,
        vec![],
        invalid(E::ConsistencyProofRequired),
    ));
    file(
        "Witness rounds (op witness_round: `accepted` is the checkpoint the witness holds, `input` the one shown, with `consistency_proof` and `samples`) and discrepancy evidence (op verify_evidence), docs/SPEC.md §7.9.",
        keyring(),
        cases,
    )
}
