//! Federation verifiers: agreements, scroll checkpoints, witness receipts, cross-anchors, and
//! proofs checked against signed checkpoints (wire format §3–§9).
//!
//! A proof does not bind a tree size to a root, so sizes always come from a signed checkpoint.
//! Requests between meshes are signed as [`request`] says; negotiations move as
//! [`negotiation`] says; agreements end by [`revocation`].

pub mod negotiation;
pub mod request;
pub mod revocation;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::crypto;
use crate::encoding::{timestamp::Timestamp, Digest, PublicKey, SignatureBytes};
use crate::error::Error;
use crate::json::{Object, Value};
use crate::merkle::{self, ConsistencyProof, InclusionProof};
use crate::record::{check_shape, verify_value, Failure, Keyring, Kind};

fn text<'v>(object: &'v Object<'_>, field: &'static str) -> Result<&'v str, Failure> {
    object
        .get(field)
        .and_then(Value::as_str)
        .ok_or(Failure::at(Error::MissingField, field))
}

fn object_of<'v, 'a>(record: &'v Value<'a>) -> Result<&'v Object<'a>, Failure> {
    record.as_object().ok_or(Failure::from(Error::NotAnObject))
}

/// What a verified agreement establishes.
#[derive(Clone, Debug)]
pub struct Agreement {
    /// The agreement's parties (mesh DIDs), in record order.
    pub parties: Vec<String>,
    /// Trust level 0–4.
    pub trust_level: u64,
    /// The recomputed `agreement_hash`.
    pub agreement_hash: Digest,
    /// Each party's federation key from `key_exchange`.
    pub keys: Keyring,
}

/// `agreement_hash = blake3(JCS(agreement without "signatures" and "agreement_hash"))` (§4).
pub fn agreement_hash(agreement: &Object<'_>) -> Digest {
    let mut body = agreement.clone();
    body.remove("signatures");
    body.remove("agreement_hash");
    Digest::of(&Value::Object(body).to_canonical())
}

/// The signing input of one party's agreement signature: the body
/// `{"agreement_hash", "signed_at", "signer"}` under the `fed_agreement` domain (§3).
pub fn agreement_signing_input(hash: &Digest, signed_at: &str, signer: &str) -> Vec<u8> {
    let mut body = Object::default();
    body.insert("agreement_hash", Value::String(hash.to_string().into()));
    body.insert("signed_at", Value::String(signed_at.to_string().into()));
    body.insert("signer", Value::String(signer.to_string().into()));
    let mut message = Vec::with_capacity(200);
    crypto::write_signing_input(Kind::Agreement.domain(), &mut message);
    Value::Object(body).write_canonical(&mut message);
    message
}

/// Verifies an agreement: fields, at least two distinct parties, `key_exchange` and
/// `signatures` naming exactly the parties, keys agreeing with any the verifier already knows
/// (`known`), the recomputed `agreement_hash` (exact lowercase text), and every party's strict
/// signature (§9).
pub fn verify_agreement(record: &Value<'_>, known: &Keyring) -> Result<Agreement, Failure> {
    let object = object_of(record)?;
    check_shape(object, Some(Kind::Agreement))?;
    let parties = object
        .get("parties")
        .and_then(Value::as_array)
        .unwrap_or_default();
    let mut names: Vec<String> = Vec::with_capacity(parties.len());
    for party in parties {
        let party = party
            .as_str()
            .ok_or(Failure::at(Error::InvalidField, "parties"))?;
        crate::encoding::id::check_mesh_id(party).map_err(|e| Failure::at(e, "parties"))?;
        if names.iter().any(|p| p == party) {
            return Err(Failure::at(Error::PartyMismatch, "parties"));
        }
        names.push(party.to_string());
    }
    if names.len() < 2 {
        return Err(Failure::at(Error::PartyMismatch, "parties"));
    }
    let names_exactly_parties =
        |o: &Object<'_>| o.members.len() == names.len() && names.iter().all(|p| o.get(p).is_some());

    let empty = Object::default();
    let exchange = object
        .get("key_exchange")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if !names_exactly_parties(exchange) {
        return Err(Failure::at(Error::PartyMismatch, "key_exchange"));
    }
    let mut keys = Keyring::new();
    for (party, key) in &exchange.members {
        let key = key
            .as_str()
            .ok_or(Failure::at(Error::MalformedKey, "key_exchange"))?;
        let key = PublicKey::parse(key).map_err(|e| Failure::at(e, "key_exchange"))?;
        if known.get(party).is_some_and(|k| *k != key) {
            return Err(Failure::at(Error::KeyMismatch, "key_exchange"));
        }
        keys.insert(party.as_ref(), key);
    }

    let hash = agreement_hash(object);
    if text(object, "agreement_hash")? != hash.to_string() {
        return Err(Failure::at(Error::AgreementHashMismatch, "agreement_hash"));
    }

    let signatures = object
        .get("signatures")
        .ok_or(Failure::at(Error::MissingSignature, "signatures"))?
        .as_object()
        .ok_or(Failure::at(Error::InvalidField, "signatures"))?;
    if !names_exactly_parties(signatures) {
        return Err(Failure::at(Error::PartyMismatch, "signatures"));
    }
    for (signer, entry) in &signatures.members {
        let entry = entry
            .as_object()
            .ok_or(Failure::at(Error::InvalidField, "signatures"))?;
        let signed_at = text(entry, "signed_at")?;
        Timestamp::parse(signed_at).map_err(|e| Failure::at(e, "signed_at"))?;
        let signature = text(entry, "signature")
            .map_err(|_| Failure::at(Error::MissingSignature, "signatures"))?;
        let signature =
            SignatureBytes::parse(signature).map_err(|e| Failure::at(e, "signatures"))?;
        let key = keys
            .get(signer)
            .ok_or(Failure::at(Error::PartyMismatch, "signatures"))?;
        let message = agreement_signing_input(&hash, signed_at, signer);
        crypto::verify_strict(key, &message, &signature)
            .map_err(|e| Failure::at(e, "signatures"))?;
    }
    let trust_level = object
        .get("trust_level")
        .and_then(Value::as_u64)
        .unwrap_or_default();
    Ok(Agreement {
        parties: names,
        trust_level,
        agreement_hash: hash,
        keys,
    })
}

/// A verified scroll checkpoint (signed tree head, §6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The mesh that signed it.
    pub mesh_id: String,
    /// The scroll's name.
    pub scroll: String,
    /// Number of receipts in the tree.
    pub tree_size: u64,
    /// The Merkle root.
    pub root: Digest,
    /// When it was signed.
    pub timestamp: Timestamp,
    /// `receipt_hash` of the checkpoint record.
    pub receipt_hash: Digest,
}

/// Verifies a scroll checkpoint's fields and signature (by `mesh_id`'s key).
pub fn verify_checkpoint(record: &Value<'_>, keyring: &Keyring) -> Result<Checkpoint, Failure> {
    let verified = verify_value(record, Some(Kind::ScrollCheckpoint), keyring)?;
    let object = object_of(record)?;
    let tree_size = object.get("tree_size").and_then(Value::as_u64);
    Ok(Checkpoint {
        mesh_id: text(object, "mesh_id")?.to_string(),
        scroll: text(object, "scroll")?.to_string(),
        tree_size: tree_size.ok_or(Failure::at(Error::NotAnInteger, "tree_size"))?,
        root: Digest::parse(text(object, "root")?)?,
        timestamp: Timestamp::parse(text(object, "timestamp")?)?,
        receipt_hash: verified.receipt_hash,
    })
}

/// Verifies a witness receipt: signature by `witnessing_mesh`; `verification_result` agrees with
/// `discrepancies` (§7); and, when `checkpoint` is given, that mesh, scroll, root and size are the
/// checkpoint's (`witnessed_root` is the checkpoint's `root`). Returns the witness receipt's `receipt_hash`.
pub fn verify_witness(
    record: &Value<'_>,
    keyring: &Keyring,
    checkpoint: Option<&Checkpoint>,
) -> Result<Digest, Failure> {
    let verified = verify_value(record, Some(Kind::WitnessReceipt), keyring)?;
    let object = object_of(record)?;
    let discrepancies = object
        .get("discrepancies")
        .and_then(Value::as_array)
        .unwrap_or_default();
    let consistent = match text(object, "verification_result")? {
        "verified" => discrepancies.is_empty(),
        "discrepancy" => !discrepancies.is_empty(),
        _ => true,
    };
    if !consistent {
        return Err(Failure::at(
            Error::WitnessResultInconsistent,
            "discrepancies",
        ));
    }
    if let Some(cp) = checkpoint {
        let mismatch = |field| Failure::at(Error::CheckpointMismatch, field);
        if text(object, "witnessed_mesh")? != cp.mesh_id {
            return Err(mismatch("witnessed_mesh"));
        }
        if text(object, "scroll")? != cp.scroll {
            return Err(mismatch("scroll"));
        }
        if Digest::parse(text(object, "witnessed_root")?)? != cp.root {
            return Err(mismatch("witnessed_root"));
        }
        if object.get("tree_size").and_then(Value::as_u64) != Some(cp.tree_size) {
            return Err(mismatch("tree_size"));
        }
    }
    Ok(verified.receipt_hash)
}

/// The leaf hash of one cross-anchor entry: leaf data `JCS({"mesh_id", "root", "scroll"})` (§8).
fn anchor_leaf(mesh_id: &str, scroll: &str, root: &str) -> Digest {
    let mut entry = Object::default();
    entry.insert("mesh_id", Value::String(mesh_id.into()));
    entry.insert("root", Value::String(root.into()));
    entry.insert("scroll", Value::String(scroll.into()));
    merkle::leaf_hash(&Value::Object(entry).to_canonical())
}

/// Every `(mesh_id, scroll, root)` of both meshes' root maps, ordered by mesh id, then scroll,
/// bytewise (§8): the entries under `combined_root`, leaf by leaf.
fn anchor_entries<'v>(
    anchoring: (&'v str, &'v Object<'_>),
    anchored: (&'v str, &'v Object<'_>),
) -> Result<Vec<(&'v str, &'v str, &'v str)>, Failure> {
    let mut entries: Vec<(&str, &str, &str)> = Vec::new();
    for (mesh, roots) in [anchoring, anchored] {
        for (scroll, root) in &roots.members {
            let root = root
                .as_str()
                .ok_or(Failure::at(Error::InvalidField, "roots_included"))?;
            entries.push((mesh, scroll, root));
        }
    }
    entries.sort_unstable_by(|a, b| {
        (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
    });
    Ok(entries)
}

fn anchor_leaves(entries: &[(&str, &str, &str)]) -> Vec<Digest> {
    entries
        .iter()
        .map(|(m, s, r)| anchor_leaf(m, s, r))
        .collect()
}

/// `combined_root`: the Merkle root of every `(mesh_id, scroll, root)` of both meshes' root maps,
/// ordered by mesh id, then scroll, bytewise (§8).
pub fn combined_root(
    anchoring: (&str, &Object<'_>),
    anchored: (&str, &Object<'_>),
) -> Result<Digest, Failure> {
    Ok(merkle::root(&anchor_leaves(&anchor_entries(
        anchoring, anchored,
    )?)))
}

/// The inclusion proof of `mesh_id`'s root of `scroll` under a cross-anchor's `combined_root`
/// (§8), with that root: what the anchoring mesh serves each anchored peer, so the peer can see
/// its own root committed without the other entries' meaning. `None` when there is no such
/// entry.
pub fn anchored_root_proof(
    anchoring: (&str, &Object<'_>),
    anchored: (&str, &Object<'_>),
    mesh_id: &str,
    scroll: &str,
) -> Result<Option<(String, InclusionProof)>, Failure> {
    let entries = anchor_entries(anchoring, anchored)?;
    let Some(at) = entries
        .iter()
        .position(|(m, s, _)| *m == mesh_id && *s == scroll)
    else {
        return Ok(None);
    };
    let proof = merkle::prove_inclusion(&anchor_leaves(&entries), at as u64)?;
    Ok(Some((entries[at].2.to_string(), proof)))
}

/// Verifies that `root` is `mesh_id`'s root of `scroll` under the `combined_root` of a verified
/// cross-anchor ([`verify_cross_anchor`]), by its inclusion proof (RFC 9162 §2.1.3.2 over the
/// entry's leaf, §8).
pub fn verify_anchored_root(
    combined_root: &Digest,
    mesh_id: &str,
    scroll: &str,
    root: &str,
    proof: &InclusionProof,
) -> Result<(), Failure> {
    Ok(merkle::verify_inclusion(
        combined_root,
        &anchor_leaf(mesh_id, scroll, root),
        proof,
    )?)
}

/// Verifies a cross-anchor: distinct meshes, non-empty `roots_included`, the recomputed
/// `combined_root`, the signature by `anchoring_mesh`, and — when the agreement is given — that
/// it is between these two meshes at trust level 3 (`attest`) or above (§8). Returns the
/// cross-anchor's `receipt_hash`.
pub fn verify_cross_anchor(
    record: &Value<'_>,
    keyring: &Keyring,
    agreement: Option<&Agreement>,
) -> Result<Digest, Failure> {
    let object = object_of(record)?;
    check_shape(object, Some(Kind::CrossAnchor))?;
    let anchoring = text(object, "anchoring_mesh")?;
    let anchored = text(object, "anchored_mesh")?;
    if anchoring == anchored {
        return Err(Failure::at(Error::SelfAnchor, "anchored_mesh"));
    }
    let roots = |field| {
        object
            .get(field)
            .and_then(Value::as_object)
            .ok_or(Failure::at(Error::MissingField, field))
    };
    let (anchoring_roots, included) = (roots("anchoring_roots")?, roots("roots_included")?);
    if included.members.is_empty() {
        return Err(Failure::at(Error::EmptyRootsIncluded, "roots_included"));
    }
    let combined = combined_root((anchoring, anchoring_roots), (anchored, included))?;
    if Digest::parse(text(object, "combined_root")?)? != combined {
        return Err(Failure::at(Error::CombinedRootMismatch, "combined_root"));
    }
    if let Some(a) = agreement {
        let covers = |m: &str| a.parties.iter().any(|p| p == m);
        if !(covers(anchoring) && covers(anchored)) {
            return Err(Failure::at(Error::AgreementMismatch, "anchored_mesh"));
        }
        if a.trust_level < 3 {
            return Err(Failure::at(Error::TrustLevelTooLow, "trust_level"));
        }
    }
    Ok(verify_value(record, Some(Kind::CrossAnchor), keyring)?.receipt_hash)
}

/// Verifies that `record` is the receipt at `proof.leaf_index` of the tree `checkpoint` signs.
/// The size comes from the checkpoint: a proof for another size is rejected.
pub fn verify_inclusion(
    record: &Value<'_>,
    proof: &InclusionProof,
    checkpoint: &Checkpoint,
) -> Result<(), Failure> {
    let leaf = merkle::leaf_hash(&record.to_canonical());
    verify_inclusion_at(&checkpoint.root, checkpoint.tree_size, &leaf, proof)
}

/// Verifies that `leaf` (a `merkle::leaf_hash`) is in the tree with `root` and `tree_size`, both
/// taken from a signed checkpoint: a proof for another size is `CHECKPOINT_MISMATCH` (field
/// `tree_size`), then the path is checked (RFC 9162 §2.1.3.2). Every binding checks inclusion
/// against a root and size through this function.
pub fn verify_inclusion_at(
    root: &Digest,
    tree_size: u64,
    leaf: &Digest,
    proof: &InclusionProof,
) -> Result<(), Failure> {
    if proof.tree_size != tree_size {
        return Err(Failure::at(Error::CheckpointMismatch, "tree_size"));
    }
    Ok(merkle::verify_inclusion(root, leaf, proof)?)
}

/// Verifies that `new` extends `old`: same mesh and scroll, sizes from the checkpoints, and the
/// consistency proof between their roots (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old: &Checkpoint,
    new: &Checkpoint,
    proof: &ConsistencyProof,
) -> Result<(), Failure> {
    if old.mesh_id != new.mesh_id || old.scroll != new.scroll {
        return Err(Failure::at(Error::CheckpointMismatch, "scroll"));
    }
    if proof.old_size != old.tree_size || proof.new_size != new.tree_size {
        return Err(Failure::at(Error::CheckpointMismatch, "tree_size"));
    }
    Ok(merkle::verify_consistency(&old.root, &new.root, proof)?)
}

/// Signs an agreement in place for party `signer` at `signed_at`, first setting
/// `agreement_hash` to the hash of the current body.
#[cfg(feature = "signing")]
pub fn sign_agreement(
    agreement: &mut Object<'_>,
    signer: &str,
    signed_at: &str,
    secret: &[u8; 32],
) {
    let hash = agreement_hash(agreement);
    agreement.insert("agreement_hash", Value::String(hash.to_string().into()));
    let signature = crypto::sign(secret, &agreement_signing_input(&hash, signed_at, signer));
    let mut entry = Object::default();
    entry.insert("signed_at", Value::String(signed_at.to_string().into()));
    entry.insert("signature", Value::String(signature.to_string().into()));
    let mut signatures = match agreement.remove("signatures") {
        Some(Value::Object(o)) => o,
        _ => Object::default(),
    };
    signatures.insert(signer.to_string(), Value::Object(entry));
    agreement.insert("signatures", Value::Object(signatures));
}
