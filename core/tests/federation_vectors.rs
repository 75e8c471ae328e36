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
    let mut replay = case(
        "nonce already seen from this keyid",
        "POST",
        "/federation/proposals",
        body,
        &post,
        NOW,
        Some("REQUEST_REPLAYED"),
    );
    replay["seen_nonces"] = json!(["a1"]);
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
            replay,
        ],
    })
}

fn check(v: &Value) {
    let key = PublicKey::parse(v["key"].as_str().unwrap()).unwrap();
    for c in v["cases"].as_array().unwrap() {
        let h = &c["headers"];
        let text = |v: &Value| v.as_str().unwrap().to_string();
        let seen: Vec<&str> = c["seen_nonces"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let verdict = request::parse(&text(&h["signature-input"]), &text(&h["signature"]))
            .and_then(|sig| {
                sig.verify(
                    &text(&c["method"]),
                    &text(&c["path"]),
                    text(&c["body"]).as_bytes(),
                    &text(&h["content-digest"]),
                    &key,
                    c["now"].as_u64().unwrap(),
                )?;
                // The verifier claims the nonce once the signature checks out.
                if seen.contains(&sig.params.nonce.as_str()) {
                    return Err(vaultmesh_core::Error::RequestReplayed);
                }
                Ok(())
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

// --- negotiation and revocation vectors ---------------------------------------------------

use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::federation::negotiation::{self, Decision, Phase, Policy};
use vaultmesh_core::federation::{self, revocation};
use vaultmesh_core::json::{self as vjson, Limits, Object, Value as V};
use vaultmesh_core::record::{self, Keyring, Kind};

const DUBLIN: &str = "did:vm:mesh:dublin";
const BERLIN: &str = "did:vm:mesh:berlin";
const DUBLIN_SEED: [u8; 32] = [1; 32];
const BERLIN_SEED: [u8; 32] = [2; 32];

fn negotiation_path() -> PathBuf {
    path().with_file_name("negotiation.json")
}

fn revocation_path() -> PathBuf {
    path().with_file_name("revocations.json")
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn object(v: &Value) -> Object<'static> {
    let text = v.to_string();
    let parsed = vjson::parse_record(text.as_bytes(), &Limits::default()).unwrap();
    let V::Object(o) = parsed else {
        panic!("not an object")
    };
    // Re-own through canonical bytes (the parser borrows from `text`).
    let bytes = V::Object(o).to_canonical();
    let leaked: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    match vjson::parse_record(leaked, &Limits::default()).unwrap() {
        V::Object(o) => o,
        _ => unreachable!(),
    }
}

fn to_json(o: &Object<'_>) -> Value {
    serde_json::from_slice(&V::Object(o.clone()).to_canonical()).unwrap()
}

fn signed(v: Value, kind: Kind, seed: &[u8; 32]) -> Value {
    let mut o = object(&v);
    record::sign_record(&mut o, kind, seed);
    to_json(&o)
}

fn keyring() -> Keyring {
    let mut k = Keyring::new();
    k.insert(DUBLIN, crypto::derive_public_key(&DUBLIN_SEED));
    k.insert(BERLIN, crypto::derive_public_key(&BERLIN_SEED));
    k
}

fn policy_json() -> Value {
    json!({ "accepts_proposals": true, "min_trust_level": 1, "max_trust_level": 3,
            "requires_mutual": true, "scrolls": ["Compliance", "Drills"] })
}

fn policy(v: &Value) -> Policy {
    Policy {
        accepts_proposals: v["accepts_proposals"].as_bool().unwrap(),
        min_trust_level: v["min_trust_level"].as_u64().unwrap(),
        max_trust_level: v["max_trust_level"].as_u64().unwrap(),
        requires_mutual: v["requires_mutual"].as_bool().unwrap(),
        scrolls: v["scrolls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect(),
    }
}

fn proposal(level: u64, target: &str, expires: &str) -> Value {
    signed(
        json!({ "proposal_id": "fed-proposal-2025-12-06-001", "proposer": DUBLIN, "target": target,
            "proposed_at": "2025-12-06T10:00:00Z", "expires_at": expires,
            "proposed_trust_level": level,
            "proposed_terms": { "scrolls_to_share": ["Compliance"], "verification_frequency": "hourly" } }),
        Kind::TrustProposal,
        &DUBLIN_SEED,
    )
}

fn expect(result: Result<Value, vaultmesh_core::Error>) -> Value {
    match result {
        Ok(mut v) => {
            v["valid"] = true.into();
            v
        }
        Err(e) => json!({ "valid": false, "error": e.name() }),
    }
}

/// Runs one negotiation case through the core.
fn run_negotiation(c: &Value) -> Value {
    let keys = keyring();
    expect(match c["step"].as_str().unwrap() {
        "respond" => {
            let phase = Phase::from_name(c["phase"].as_str().unwrap()).unwrap();
            let decision = Decision::from_name(c["decision"].as_str().unwrap()).unwrap();
            negotiation::respond(
                phase,
                c["awaiting"].as_str().unwrap(),
                c["responder"].as_str().unwrap(),
                decision,
                ts(c["now"].as_str().unwrap()),
                ts(c["expires_at"].as_str().unwrap()),
            )
            .map(|next| json!({ "next": next.name() }))
        }
        "check_proposal" => {
            let p = object(&c["proposal"]);
            record::verify_value(&V::Object(p.clone()), Some(Kind::TrustProposal), &keys)
                .map_err(|f| f.error)
                .and_then(|_| {
                    negotiation::check_proposal(
                        &p,
                        c["us"].as_str().unwrap(),
                        ts(c["now"].as_str().unwrap()),
                        &policy(&c["policy"]),
                    )
                    .map_err(|f| f.error)
                })
                .map(|()| json!({}))
        }
        "derive" => {
            let p = object(&c["proposal"]);
            let responses: Vec<Object<'static>> = c["responses"]
                .as_array()
                .unwrap()
                .iter()
                .map(object)
                .collect();
            let refs: Vec<&Object<'_>> = responses.iter().collect();
            let (level, terms) = negotiation::current_terms(&p, &refs);
            let (dk, bk) = (keys.get(DUBLIN).unwrap(), keys.get(BERLIN).unwrap());
            let expected = negotiation::derive_agreement(
                &p,
                level,
                terms,
                c["accepted_at"].as_str().unwrap(),
                [(DUBLIN, dk), (BERLIN, bk)],
            )
            .unwrap();
            let received = object(&c["agreement"]);
            let signer = c["signer"].as_str().unwrap();
            negotiation::check_derived(&received, &expected)
                .and_then(|()| {
                    negotiation::verify_party_signature(&received, signer, keys.get(signer).unwrap())
                })
                .map_err(|f| f.error)
                .map(|()| {
                    json!({ "agreement_hash": received.get("agreement_hash").and_then(V::as_str), "trust_level": level })
                })
        }
        other => panic!("unknown step {other}"),
    })
}

fn derive_case(name: &str, level_change: Option<u64>) -> Value {
    let p = proposal(2, BERLIN, "2025-12-13T10:00:00Z");
    let counter = signed(
        json!({ "proposal_id": "fed-proposal-2025-12-06-001", "responder": BERLIN,
            "responded_at": "2025-12-06T11:00:00Z", "decision": "counter", "counter_trust_level": 3,
            "counter_terms": { "scrolls_to_share": ["Compliance", "Drills"], "verification_frequency": "daily" } }),
        Kind::ProposalResponse,
        &BERLIN_SEED,
    );
    let at = "2025-12-06T12:00:00Z";
    let keys = keyring();
    let po = object(&p);
    let co = object(&counter);
    let (level, terms) = negotiation::current_terms(&po, &[&co]);
    let mut a = negotiation::derive_agreement(
        &po,
        level_change.unwrap_or(level),
        terms,
        at,
        [
            (DUBLIN, keys.get(DUBLIN).unwrap()),
            (BERLIN, keys.get(BERLIN).unwrap()),
        ],
    )
    .unwrap();
    federation::sign_agreement(&mut a, DUBLIN, at, &DUBLIN_SEED);
    let mut c = json!({ "name": name, "step": "derive", "proposal": p, "responses": [counter],
        "accepted_at": at, "signer": DUBLIN, "agreement": to_json(&a) });
    c["expect"] = run_negotiation(&c);
    c
}

fn generate_negotiation() -> Value {
    let mut cases = Vec::new();
    let respond = |name: &str,
                   phase: &str,
                   awaiting: &str,
                   responder: &str,
                   decision: &str,
                   now: &str| {
        let mut c = json!({ "name": name, "step": "respond", "phase": phase, "awaiting": awaiting,
            "responder": responder, "decision": decision, "now": now, "expires_at": "2025-12-13T10:00:00Z" });
        c["expect"] = run_negotiation(&c);
        c
    };
    let t = "2025-12-06T11:00:00Z";
    cases.push(respond(
        "target accepts a proposal",
        "proposed",
        BERLIN,
        BERLIN,
        "accept",
        t,
    ));
    cases.push(respond(
        "target counters",
        "proposed",
        BERLIN,
        BERLIN,
        "counter",
        t,
    ));
    cases.push(respond(
        "proposer rejects a counter",
        "countered",
        DUBLIN,
        DUBLIN,
        "reject",
        t,
    ));
    cases.push(respond(
        "proposer answers its own proposal",
        "proposed",
        BERLIN,
        DUBLIN,
        "accept",
        t,
    ));
    cases.push(respond(
        "counter to an accepted proposal",
        "agreed",
        BERLIN,
        BERLIN,
        "counter",
        t,
    ));
    cases.push(respond(
        "response after a rejection",
        "rejected",
        BERLIN,
        BERLIN,
        "accept",
        t,
    ));
    cases.push(respond(
        "response at expires_at",
        "proposed",
        BERLIN,
        BERLIN,
        "accept",
        "2025-12-13T10:00:00Z",
    ));
    let check = |name: &str, p: Value, now: &str, policy: Value| {
        let mut c = json!({ "name": name, "step": "check_proposal", "proposal": p, "us": BERLIN, "now": now, "policy": policy });
        c["expect"] = run_negotiation(&c);
        c
    };
    let good = proposal(2, BERLIN, "2025-12-13T10:00:00Z");
    cases.push(check(
        "a proposal within the policy",
        good.clone(),
        t,
        policy_json(),
    ));
    let mut forged = good.clone();
    forged["proposed_trust_level"] = 3.into();
    cases.push(check(
        "a proposal changed after signing",
        forged,
        t,
        policy_json(),
    ));
    cases.push(check(
        "a proposal to another mesh",
        proposal(2, "did:vm:mesh:paris", "2025-12-13T10:00:00Z"),
        t,
        policy_json(),
    ));
    cases.push(check(
        "an expired proposal",
        good.clone(),
        "2025-12-14T00:00:00Z",
        policy_json(),
    ));
    cases.push(check(
        "above the target's maximum level",
        proposal(4, BERLIN, "2025-12-13T10:00:00Z"),
        t,
        policy_json(),
    ));
    let mut closed = policy_json();
    closed["accepts_proposals"] = false.into();
    cases.push(check(
        "a mesh that accepts no proposals",
        good.clone(),
        t,
        closed,
    ));
    let mut fewer = policy_json();
    fewer["scrolls"] = json!(["Drills"]);
    cases.push(check("a scroll the target does not offer", good, t, fewer));
    cases.push(derive_case(
        "the agreement derived from the countered terms, signed by the acceptor",
        None,
    ));
    cases.push(derive_case(
        "an agreement whose trust level was changed before the second signature",
        Some(4),
    ));
    json!({
        "about": "The negotiation (docs/SPEC.md §7.7): the state machine of responses (respond), a target's checks of a proposal (check_proposal: the proposer's signature, then negotiation::check_proposal against policy), and the agreement derived from the accepted terms (derive: negotiation::current_terms and derive_agreement, then check_derived and the acceptor's signature). Keys: dublin seed 01*32, berlin seed 02*32.",
        "generator": "cargo test -p vaultmesh-core --test federation_vectors (VAULTMESH_BLESS=1 rewrites the file)",
        "keys": { DUBLIN: keyring().get(DUBLIN).unwrap().to_string(), BERLIN: keyring().get(BERLIN).unwrap().to_string() },
        "cases": cases,
    })
}

fn run_revocation(c: &Value) -> Value {
    let agreement = object(&c["agreement"]);
    let verified = federation::verify_agreement(&V::Object(agreement.clone()), &keyring()).unwrap();
    let id = agreement
        .get("agreement_id")
        .and_then(V::as_str)
        .unwrap()
        .to_string();
    let rec = object(&c["revocation"]);
    expect(
        revocation::verify_revocation(&V::Object(rec), &id, &verified)
            .map_err(|f| f.error)
            .map(|r| {
                json!({ "effective_at": r.effective_at.to_string(), "in_force": r.in_force_at(ts(c["now"].as_str().unwrap())) })
            }),
    )
}

fn generate_revocations() -> Value {
    let d = derive_case("x", None);
    let mut a = object(&d["agreement"]);
    federation::sign_agreement(&mut a, BERLIN, "2025-12-06T12:00:05Z", &BERLIN_SEED);
    let agreement = to_json(&a);
    let rev = |revoker: &str, seed: &[u8; 32], days: u64, effective: &str| {
        let mut o = object(
            &json!({ "type": "fed_revocation", "revocation_id": "fed-revocation-001",
            "agreement_id": agreement["agreement_id"], "revoker": revoker,
            "revoked_at": "2026-01-01T00:00:00Z", "notice_days": days, "effective_at": effective }),
        );
        revocation::sign_revocation(&mut o, seed);
        to_json(&o)
    };
    let case = |name: &str, r: Value, now: &str| {
        let mut c = json!({ "name": name, "agreement": agreement, "revocation": r, "now": now });
        c["expect"] = run_revocation(&c);
        c
    };
    let good = rev(DUBLIN, &DUBLIN_SEED, 30, "2026-01-31T00:00:00Z");
    let mut tampered = good.clone();
    tampered["notice_days"] = 1.into();
    tampered["effective_at"] = "2026-01-02T00:00:00Z".into();
    json!({
        "about": "Revocation with notice (docs/SPEC.md §7.8): fed_revocation signed by a party under domain fed_revocation; effective_at = revoked_at + notice_days days; the agreement is in force while now < effective_at.",
        "generator": "cargo test -p vaultmesh-core --test federation_vectors (VAULTMESH_BLESS=1 rewrites the file)",
        "cases": [
            case("in force during the notice", good.clone(), "2026-01-30T23:59:59Z"),
            case("lapsed when the notice ends", good, "2026-01-31T00:00:00Z"),
            case("effective_at not revoked_at + notice_days", rev(DUBLIN, &DUBLIN_SEED, 30, "2026-01-02T00:00:00Z"), "2026-01-01T00:00:00Z"),
            case("revoker not a party", rev("did:vm:mesh:paris", &DUBLIN_SEED, 30, "2026-01-31T00:00:00Z"), "2026-01-01T00:00:00Z"),
            case("notice shortened after signing", tampered, "2026-01-01T00:00:00Z"),
            case("signed by the other party's key", rev(DUBLIN, &BERLIN_SEED, 30, "2026-01-31T00:00:00Z"), "2026-01-01T00:00:00Z"),
        ],
    })
}

fn bless_or_compare(path: PathBuf, generated: &Value) -> Value {
    let text = serde_json::to_string_pretty(generated).unwrap() + "\n";
    if std::env::var_os("VAULTMESH_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{} differs from the generator: VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test federation_vectors",
        path.display()
    );
    serde_json::from_str(&committed).unwrap()
}

#[test]
fn negotiation_and_revocation_vectors_hold_and_do_not_drift() {
    let n = bless_or_compare(negotiation_path(), &generate_negotiation());
    for c in n["cases"].as_array().unwrap() {
        assert_eq!(run_negotiation(c), c["expect"], "{}", c["name"]);
    }
    let r = bless_or_compare(revocation_path(), &generate_revocations());
    for c in r["cases"].as_array().unwrap() {
        assert_eq!(run_revocation(c), c["expect"], "{}", c["name"]);
    }
}
