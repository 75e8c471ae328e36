//! The partner signer (`sign::SecretKey`). The fixture every signer is held to,
//! `test-vectors/signing.json`, is written and judged with the other vectors (`tests/vectors`).

use serde_json::json;
use vaultmesh_core::json::Limits;
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_core::sign::SecretKey;
use vaultmesh_core::Error;

const SEED: [u8; 32] = *b"vaultmesh partner signing test!!";
const MESH: &str = "did:vm:mesh:partner";
const HUMAN: &str = "did:vm:human:partner";

#[test]
fn key_files_round_trip_and_are_never_shown() {
    let k = SecretKey::from_seed(SEED);
    let again = SecretKey::from_key_file(k.to_key_file().as_bytes()).unwrap();
    assert_eq!(again.public_key(), k.public_key());
    assert_eq!(again.seed(), &SEED);
    let shown = format!("{k:?}");
    assert!(shown.contains("ed25519:z") && !shown.contains(&k.to_key_file()[13..]));
    assert_eq!(
        SecretKey::from_key_file(b"ed25519-seed:").unwrap_err(),
        Error::MalformedSecretKey
    );
}

#[test]
fn signing_checks_the_record_first_and_replaces_a_signature() {
    let k = SecretKey::from_seed(SEED);
    let limits = Limits::default();
    let vote = json!({"type": "gov_vote", "vote_id": "V-1", "proposal_id": "P-1", "voter": HUMAN,
        "voted_at": "2025-12-09T14:05:00Z", "vote": "approve", "weight": 1.0})
    .to_string();
    let signed = k.sign(None, vote.as_bytes(), &limits).unwrap();
    let mut ring = Keyring::new();
    ring.insert(HUMAN.to_string(), k.public_key());
    record::verify_record(&signed, Some(Kind::GovVote), &ring, &limits).unwrap();
    // Signing the signed record again gives the same bytes: the old signature is replaced.
    assert_eq!(k.sign(None, &signed, &limits).unwrap(), signed);
    // A checkpoint of a lower-case scroll is refused before anything is signed.
    let bad = json!({"type": "scroll_checkpoint", "mesh_id": MESH, "scroll": "compliance",
        "tree_size": 1, "root": format!("blake3:{}", "0".repeat(64)), "timestamp": "2025-12-06T10:00:00Z"})
    .to_string();
    let f = k.sign(None, bad.as_bytes(), &limits).unwrap_err();
    assert_eq!((f.error, f.field), (Error::InvalidField, Some("scroll")));
    // Agreements are signed party by party, not as one record.
    let f = k.sign(Some(Kind::Agreement), b"{}", &limits).unwrap_err();
    assert_eq!(f.error, Error::UnknownKind);
}

#[test]
fn agreements_are_signed_party_by_party() {
    let dublin = SecretKey::from_seed([1; 32]);
    let berlin = SecretKey::from_seed([2; 32]);
    let (d, b) = (
        "did:vm:mesh:vaultmesh-dublin",
        "did:vm:mesh:vaultmesh-berlin",
    );
    let agreement = json!({"agreement_id": "fed-agreement-2025-12-06-001", "parties": [d, b],
        "established_at": "2025-12-06T12:00:00Z", "trust_level": 2,
        "terms": {"scrolls_shared": ["Compliance"], "verification_frequency": "hourly"},
        "key_exchange": {d: dublin.public_key().to_string(), b: berlin.public_key().to_string()}})
    .to_string();
    let limits = Limits::default();
    let once = dublin
        .sign_agreement(d, "2025-12-06T12:00:00Z", agreement.as_bytes(), &limits)
        .unwrap();
    let value = vaultmesh_core::json::parse_record(&once, &limits).unwrap();
    let e = vaultmesh_core::federation::verify_agreement(&value, &Keyring::new()).unwrap_err();
    assert_eq!(
        e.error,
        Error::PartyMismatch,
        "one signature is not an agreement"
    );
    let twice = berlin
        .sign_agreement(b, "2025-12-06T12:05:00Z", &once, &limits)
        .unwrap();
    let value = vaultmesh_core::json::parse_record(&twice, &limits).unwrap();
    let a = vaultmesh_core::federation::verify_agreement(&value, &Keyring::new()).unwrap();
    assert_eq!(a.trust_level, 2);
    // Not a party, or a party whose exchanged key is another: refused before signing.
    let e = berlin
        .sign_agreement("did:vm:mesh:oslo", "2025-12-06T12:05:00Z", &once, &limits)
        .unwrap_err();
    assert_eq!(e.error, Error::PartyMismatch);
    let e = berlin
        .sign_agreement(d, "2025-12-06T12:05:00Z", &once, &limits)
        .unwrap_err();
    assert_eq!(e.error, Error::KeyMismatch);
}
