//! The JavaScript API in plain Rust: every exported function's work, on Rust types, returning the
//! JSON document the function hands to JavaScript (a core [`Value`]) or the core's [`Failure`].
//!
//! Compiled and tested on the host too (`cargo test -p vaultmesh-wasm`); the `js` module only
//! converts arguments and results. Every result object uses the member names of the wire format
//! and of `vm-verify --json` (snake_case), so the objects a script sees are the documents the
//! CLI prints and the `expect` objects of `test-vectors/`.

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use vaultmesh_core::bundle;
use vaultmesh_core::encoding::{id, timestamp::Timestamp, PublicKey, SignatureBytes};
use vaultmesh_core::federation::{self, Agreement, Checkpoint};
use vaultmesh_core::governance;
use vaultmesh_core::json::{self, Limits, Number, Object, Value};
use vaultmesh_core::merkle::{self, ConsistencyProof, InclusionProof};
use vaultmesh_core::record::{self, Failure, Keyring, Kind, Verified};
use vaultmesh_core::{Digest, Error};

/// The result of a call: a JSON document for JavaScript, or the core's failure.
pub type Outcome = Result<Value<'static>, Failure>;

/// Default limits of `verifyGovernanceChain`: 64 MiB and depth 64, as `vm-verify governance`.
pub const CHAIN_LIMITS: Limits = Limits {
    max_bytes: 64 << 20,
    max_depth: 64,
};

/// A string value.
pub fn text(s: impl Into<String>) -> Value<'static> {
    Value::String(Cow::Owned(s.into()))
}

/// A plain non-negative integer value.
pub fn uint(n: u64) -> Value<'static> {
    Value::Number(Number {
        value: n as f64,
        plain_integer: true,
    })
}

/// An object with these members, in this order (the canonical writer sorts them).
pub fn object(members: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Object(Object {
        members: members
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    })
}

/// `{"valid": true, …members}`.
pub fn valid(mut members: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    members.insert(0, ("valid", Value::Bool(true)));
    object(members)
}

/// `{"valid": false, "error": NAME, "code": N, "message": …, "field"?: …}`: how a batch reports
/// one failed item (single calls throw instead).
pub fn invalid(failure: Failure) -> Value<'static> {
    let mut members = alloc::vec![
        ("valid", Value::Bool(false)),
        ("error", text(failure.error.name())),
        ("code", uint(u64::from(failure.error.code()))),
        ("message", text(failure.to_string())),
    ];
    if let Some(field) = failure.field {
        members.push(("field", text(field)));
    }
    object(members)
}

/// The text of a record for the parser: it must be UTF-8 to be a string at all.
fn utf8(input: &[u8]) -> Result<&str, Failure> {
    core::str::from_utf8(input).map_err(|_| Failure::from(Error::InvalidUtf8))
}

/// Parses one record with the default limits (wire format §2).
fn parse(input: &[u8]) -> Result<Value<'_>, Failure> {
    Ok(json::parse_record(input, &Limits::default())?)
}

/// `canonicalize`: the RFC 8785 bytes of a record, as text.
pub fn canonicalize(input: &[u8], limits: &Limits) -> Result<String, Failure> {
    let bytes = json::canonicalize(input, limits)?;
    // The canonical writer only writes UTF-8.
    String::from_utf8(bytes).map_err(|_| Failure::from(Error::InvalidUtf8))
}

/// `receiptHash`: `blake3(JCS(record))`.
pub fn receipt_hash(input: &[u8], limits: &Limits) -> Result<String, Failure> {
    Ok(record::receipt_hash(&json::parse_record(input, limits)?).to_string())
}

/// A kind named by its domain or alias (`gov_vote`, `discovery`, `checkpoint`, …).
pub fn kind(name: &str) -> Result<Kind, Failure> {
    Kind::from_name(name).ok_or(Failure::from(Error::UnknownKind))
}

fn verified(v: &Verified) -> Value<'static> {
    valid(alloc::vec![
        ("kind", text(v.kind.domain())),
        ("receipt_hash", text(v.receipt_hash.to_string()))
    ])
}

/// `verifyRecord`: `{"valid": true, "kind", "receipt_hash"}`.
pub fn verify_record(
    input: &[u8],
    kind: Option<Kind>,
    keyring: &Keyring,
    limits: &Limits,
) -> Outcome {
    Ok(verified(&record::verify_record(
        input, kind, keyring, limits,
    )?))
}

/// `verifyRecords`: one verdict per input with one batch equation; failures are reported in
/// place as [`invalid`] objects.
pub fn verify_records(
    inputs: &[&[u8]],
    kind: Option<Kind>,
    keyring: &Keyring,
    limits: &Limits,
    seed: &[u8; 32],
) -> Value<'static> {
    let verdicts = record::verify_batch(inputs, kind, keyring, limits, seed);
    Value::Array(
        verdicts
            .iter()
            .map(|v| match v {
                Ok(v) => verified(v),
                Err(f) => invalid(*f),
            })
            .collect(),
    )
}

fn keys_value(keys: &Keyring) -> Value<'static> {
    Value::Object(Object {
        members: keys
            .iter()
            .map(|(actor, key)| (Cow::Owned(actor.to_string()), text(key.to_string())))
            .collect(),
    })
}

/// Verifies an agreement's text with `keyring` as the keys already known.
pub fn agreement(input: &[u8], keyring: &Keyring) -> Result<Agreement, Failure> {
    federation::verify_agreement(&parse(input)?, keyring)
}

/// `verifyAgreement`: `{"valid": true, "agreement_hash", "trust_level", "parties", "key_exchange"}`.
pub fn verify_agreement(input: &[u8], keyring: &Keyring) -> Outcome {
    let a = agreement(input, keyring)?;
    Ok(valid(alloc::vec![
        ("agreement_hash", text(a.agreement_hash.to_string())),
        ("trust_level", uint(a.trust_level)),
        (
            "parties",
            Value::Array(a.parties.iter().map(|p| text(p.as_str())).collect())
        ),
        ("key_exchange", keys_value(&a.keys)),
    ]))
}

/// Verifies a checkpoint's text.
pub fn checkpoint(input: &[u8], keyring: &Keyring) -> Result<Checkpoint, Failure> {
    federation::verify_checkpoint(&parse(input)?, keyring)
}

/// `verifyCheckpoint`: `{"valid": true, "receipt_hash", "mesh_id", "scroll", "tree_size",
/// "root", "timestamp"}`.
pub fn verify_checkpoint(input: &[u8], keyring: &Keyring) -> Outcome {
    let c = checkpoint(input, keyring)?;
    Ok(valid(alloc::vec![
        ("receipt_hash", text(c.receipt_hash.to_string())),
        ("mesh_id", text(c.mesh_id)),
        ("scroll", text(c.scroll)),
        ("tree_size", uint(c.tree_size)),
        ("root", text(c.root.to_string())),
        ("timestamp", text(c.timestamp.to_string())),
    ]))
}

/// `verifyWitness`: the witnessed checkpoint (when given) is verified first, then the witness
/// receipt against it. `{"valid": true, "receipt_hash"}`.
pub fn verify_witness(input: &[u8], keyring: &Keyring, checkpoint_input: Option<&[u8]>) -> Outcome {
    let cp = match checkpoint_input {
        Some(c) => Some(checkpoint(c, keyring)?),
        None => None,
    };
    let hash = federation::verify_witness(&parse(input)?, keyring, cp.as_ref())?;
    Ok(valid(alloc::vec![("receipt_hash", text(hash.to_string()))]))
}

/// `verifyCrossAnchor`: the agreement (when given) is verified first, then the cross-anchor
/// under it. `{"valid": true, "receipt_hash"}`.
pub fn verify_cross_anchor(
    input: &[u8],
    keyring: &Keyring,
    agreement_input: Option<&[u8]>,
) -> Outcome {
    let a = match agreement_input {
        Some(a) => Some(agreement(a, keyring)?),
        None => None,
    };
    let hash = federation::verify_cross_anchor(&parse(input)?, keyring, a.as_ref())?;
    Ok(valid(alloc::vec![("receipt_hash", text(hash.to_string()))]))
}

/// The leaf hashes of records given one by one.
pub fn leaves<'a>(records: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Digest>, Failure> {
    records
        .into_iter()
        .map(|r| {
            Ok(merkle::leaf_hash(&json::canonicalize(
                r,
                &Limits::default(),
            )?))
        })
        .collect()
}

/// The leaf hashes of a JSON Lines scroll, split by the core's `json::lines` (wire format §9).
pub fn jsonl_leaves(input: &[u8]) -> Result<Vec<Digest>, Failure> {
    json::lines(input)
        .map(|line| {
            Ok(merkle::leaf_hash(&json::canonicalize(
                line?,
                &Limits::default(),
            )?))
        })
        .collect()
}

/// `merkleRoot`: the root of the records' tree.
pub fn merkle_root(leaves: &[Digest]) -> String {
    merkle::root(leaves).to_string()
}

/// `jsonlRoot`: `{"root", "tree_size"}` of a JSON Lines scroll.
pub fn jsonl_root(input: &[u8]) -> Outcome {
    let leaves = jsonl_leaves(input)?;
    Ok(object(alloc::vec![
        ("root", text(merkle_root(&leaves))),
        ("tree_size", uint(leaves.len() as u64))
    ]))
}

/// `proveInclusion`: the proof object of leaf `index`.
pub fn prove_inclusion(leaves: &[Digest], index: u64) -> Outcome {
    Ok(merkle::prove_inclusion(leaves, index)?.to_value())
}

/// `proveConsistency`: the proof object from the first `old_size` leaves to all of them.
pub fn prove_consistency(leaves: &[Digest], old_size: u64) -> Outcome {
    Ok(merkle::prove_consistency(leaves, old_size)?.to_value())
}

/// `verifyInclusion`: the proof's form, the root's text, the record, then the core's
/// `federation::verify_inclusion_at` (the checkpoint's `tree_size`, then the path).
pub fn verify_inclusion(
    record_input: &[u8],
    proof: &[u8],
    root: &str,
    tree_size: u64,
) -> Result<(), Failure> {
    let proof = InclusionProof::from_value(&json::parse(proof, &Limits::default())?)?;
    let root = Digest::parse(root)?;
    let leaf = merkle::leaf_hash(&json::canonicalize(record_input, &Limits::default())?);
    federation::verify_inclusion_at(&root, tree_size, &leaf, &proof)
}

/// `verifyConsistency`: the proof's form, both roots' text, then the proof between them.
pub fn verify_consistency(proof: &[u8], old_root: &str, new_root: &str) -> Result<(), Failure> {
    let proof = ConsistencyProof::from_value(&json::parse(proof, &Limits::default())?)?;
    let old = Digest::parse(old_root)?;
    let new = Digest::parse(new_root)?;
    Ok(merkle::verify_consistency(&old, &new, &proof)?)
}

/// `parseDigest`: the digest in its normal text form.
pub fn parse_digest(input: &[u8]) -> Result<String, Failure> {
    Ok(Digest::parse(utf8(input)?)?.to_string())
}

/// `parsePublicKey`: the key as `ed25519:z6Mk…` (a `did:key:` input included).
pub fn parse_public_key(input: &[u8]) -> Result<String, Failure> {
    Ok(PublicKey::parse(utf8(input)?)?.to_string())
}

/// `parseSignature`: the signature in its normal text form.
pub fn parse_signature(input: &[u8]) -> Result<String, Failure> {
    Ok(SignatureBytes::parse(utf8(input)?)?.to_string())
}

/// `parseTimestamp`: the timestamp in its normal text form.
pub fn parse_timestamp(input: &[u8]) -> Result<String, Failure> {
    Ok(Timestamp::parse(utf8(input)?)?.to_string())
}

/// `checkActorId`: `{"class", "name"}` of an actor id.
pub fn check_actor_id(input: &[u8]) -> Outcome {
    let (class, name) = id::parse_actor(utf8(input)?)?;
    Ok(object(alloc::vec![
        ("class", text(class.as_str())),
        ("name", text(name))
    ]))
}

/// `checkEngineId`: `{"name"}` of an engine id.
pub fn check_engine_id(input: &[u8]) -> Outcome {
    Ok(object(alloc::vec![(
        "name",
        text(id::parse_engine(utf8(input)?)?)
    )]))
}

/// `verifyGovernanceChain`: the chain report document ([`governance::ChainReport::to_value`]). Never
/// fails for the chain's content: the report says what held and the first violation.
pub fn verify_governance_chain(input: &[u8], limits: &Limits) -> Value<'static> {
    governance::verify_chain_json(input, limits).to_value()
}

/// `verifyBundle`: the bundle report document ([`bundle::BundleReport::to_value`]); fails only
/// when the input is not a bundle at all.
pub fn verify_bundle(input: &[u8], pinned: &Keyring, limits: &Limits) -> Outcome {
    Ok(bundle::verify_bundle(input, pinned, limits)?.to_value())
}

/// `errors`: every error of the core, `[{"code", "name", "message"}]`, in code order.
pub fn errors() -> Value<'static> {
    Value::Array(
        Error::ALL
            .iter()
            .map(|e| {
                object(alloc::vec![
                    ("code", uint(u64::from(e.code()))),
                    ("name", text(e.name())),
                    ("message", text(e.message())),
                ])
            })
            .collect(),
    )
}

/// The canonical JSON text of a result document.
pub fn to_json(value: &Value<'_>) -> String {
    // The canonical writer only writes UTF-8.
    String::from_utf8(value.to_canonical()).unwrap_or_default()
}
