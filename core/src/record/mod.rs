//! Signed records: kinds, their fields, the keyring, and single-record verification
//! (wire format §3, §4, §9).
//!
//! Verification always re-canonicalises (RFC 8785): the bytes signed are
//! `signing_input(domain, JCS(record without its signature field))`, and `receipt_hash` is
//! BLAKE3 of `JCS(record)` with its signature. Fields a verifier does not know are kept and
//! hashed, never dropped.

pub mod field;
mod keyring;
mod kind;
#[cfg(feature = "serde")]
pub mod typed;

use alloc::vec::Vec;
use core::fmt;

use crate::crypto;
use crate::encoding::{Digest, PublicKey, SignatureBytes};
use crate::error::Error;
use crate::json::{self, Limits, Object, Value};

pub use keyring::Keyring;
pub use kind::{Kind, KindSpec, Signer, KINDS};
#[cfg(feature = "serde")]
pub use typed::{SingleSigned, TypedRecord};

/// Why a record was rejected: the core error, and the field it concerns when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The stable error.
    pub error: Error,
    /// The record field the error concerns, if any.
    pub field: Option<&'static str>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure { error, field: None }
    }
}

impl Failure {
    /// The error for a named field.
    pub fn at(error: Error, field: &'static str) -> Failure {
        Failure {
            error,
            field: Some(field),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "{} (field `{field}`)", self.error.message()),
            None => f.write_str(self.error.message()),
        }
    }
}

/// The outcome of a successful verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The record's kind.
    pub kind: Kind,
    /// `receipt_hash`: BLAKE3 of the canonical record, signature included.
    pub receipt_hash: Digest,
}

/// Canonical bytes of a record split for signing: the whole record, and where its signature
/// member sits, so the signed body is the same bytes with that member cut out.
pub struct Canonical {
    /// `JCS(record)`.
    pub bytes: Vec<u8>,
    /// Byte range of `,"sig":…` (or `"sig":…,`) in `bytes`, when the member is present.
    signature_span: Option<(usize, usize)>,
}

impl Canonical {
    /// Canonicalises `record`, noting where member `signature_field` is.
    pub fn new(record: &Object<'_>, signature_field: &str) -> Canonical {
        let mut bytes = Vec::with_capacity(1024);
        let mut span = None;
        json::write_canonical_object_with(record, &mut bytes, |name, start, end| {
            if name == signature_field {
                span = Some((start, end));
            }
        });
        Canonical {
            bytes,
            signature_span: span,
        }
    }

    /// `receipt_hash` of the record.
    pub fn receipt_hash(&self) -> Digest {
        Digest::of(&self.bytes)
    }

    /// Appends `JCS(record without the signature member)` to `out`.
    pub fn write_body(&self, out: &mut Vec<u8>) {
        match self.signature_span {
            None => out.extend_from_slice(&self.bytes),
            Some((start, end)) => {
                out.extend_from_slice(&self.bytes[..start]);
                out.extend_from_slice(&self.bytes[end..]);
            }
        }
    }
}

/// Verifies one signed record from its bytes: strict parse, kind, every defined field, then the
/// strict Ed25519 signature by the signer the kind names (keys from `keyring`).
///
/// `kind` must be given for untyped records (discovery, proposal, response); for typed records
/// it may be given and must then equal `type`. Agreements are verified with
/// [`crate::federation::verify_agreement`].
pub fn verify_record(
    input: &[u8],
    kind: Option<Kind>,
    keyring: &Keyring,
    limits: &Limits,
) -> Result<Verified, Failure> {
    let value = json::parse_record(input, limits)?;
    verify_value(&value, kind, keyring)
}

/// [`verify_record`] on an already parsed record.
pub fn verify_value(
    record: &Value<'_>,
    kind: Option<Kind>,
    keyring: &Keyring,
) -> Result<Verified, Failure> {
    let signed = prepare(record, kind, keyring)?;
    crypto::verify_strict(&signed.key, &signed.message, &signed.signature)
        .map_err(|e| Failure::at(e, signed.kind.spec().signature_field))?;
    Ok(signed.verified())
}

/// Verifies many records with one Ed25519 batch equation. Each item's verdict is exactly
/// [`verify_record`]'s (see [`crypto::verify_batch`] for how strictness is kept); when the batch
/// fails, the failing items are identified individually. `seed` adds caller randomness to the
/// batch coefficients (pass fresh random bytes where available).
pub fn verify_batch(
    inputs: &[&[u8]],
    kind: Option<Kind>,
    keyring: &Keyring,
    limits: &Limits,
    seed: &[u8; 32],
) -> Vec<Result<Verified, Failure>> {
    let prepared: Vec<Result<Signed, Failure>> = inputs
        .iter()
        .map(|input| prepare(&json::parse_record(input, limits)?, kind, keyring))
        .collect();
    let ready: Vec<&Signed> = prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
    let items: Vec<crypto::BatchItem<'_>> = ready
        .iter()
        .map(|s| crypto::BatchItem {
            key: &s.key,
            message: &s.message,
            signature: &s.signature,
        })
        .collect();
    let mut verdicts = crypto::verify_batch(&items, seed).into_iter();
    prepared
        .iter()
        .map(|p| {
            let signed = p.as_ref().map_err(|f| *f)?;
            match verdicts.next() {
                Some(Ok(())) => Ok(signed.verified()),
                Some(Err(e)) => Err(Failure::at(e, signed.kind.spec().signature_field)),
                None => Err(Failure::from(Error::SignatureMismatch)),
            }
        })
        .collect()
}

/// A record checked up to its signature: the key, the signing input and the signature.
struct Signed {
    kind: Kind,
    key: PublicKey,
    signature: SignatureBytes,
    message: Vec<u8>,
    receipt_hash: Digest,
}

impl Signed {
    fn verified(&self) -> Verified {
        Verified {
            kind: self.kind,
            receipt_hash: self.receipt_hash,
        }
    }
}

/// Everything but the signature check: kind, fields, signer key, canonical bytes.
fn prepare(record: &Value<'_>, kind: Option<Kind>, keyring: &Keyring) -> Result<Signed, Failure> {
    let object = record.as_object().ok_or(Error::NotAnObject)?;
    let spec = check_shape(object, kind)?.spec();
    let signature = signature_of(object, spec)?;
    let key = signer_key(object, spec, keyring)?;
    let canonical = Canonical::new(object, spec.signature_field);
    let mut message = Vec::with_capacity(canonical.bytes.len() + 48);
    crypto::write_signing_input(spec.domain, &mut message);
    canonical.write_body(&mut message);
    Ok(Signed {
        kind: spec.kind,
        key,
        signature,
        message,
        receipt_hash: canonical.receipt_hash(),
    })
}

/// Resolves the record's kind and checks its defined fields (not the signature).
pub fn check_shape(object: &Object<'_>, kind: Option<Kind>) -> Result<Kind, Failure> {
    let typed = match object.get("type") {
        Some(t) => Some(t.as_str().ok_or(Failure::at(Error::InvalidField, "type"))?),
        None => None,
    };
    let kind = match (kind, typed) {
        (Some(k), Some(t)) if k.domain() != t => {
            return Err(Failure::at(Error::KindMismatch, "type"))
        }
        (Some(k), None) if k.spec().typed => return Err(Failure::at(Error::MissingField, "type")),
        (Some(k), _) => k,
        (None, Some(t)) => Kind::from_domain(t)
            .filter(|k| k.spec().typed)
            .ok_or(Failure::at(Error::UnknownKind, "type"))?,
        (None, None) => return Err(Error::UnknownKind.into()),
    };
    field::check_all(kind.spec().fields, object).map_err(|(e, f)| Failure::at(e, f))?;
    Ok(kind)
}

fn signature_of(object: &Object<'_>, spec: &KindSpec) -> Result<SignatureBytes, Failure> {
    let field = spec.signature_field;
    let text = object
        .get(field)
        .ok_or(Failure::at(Error::MissingSignature, field))?;
    let text = text
        .as_str()
        .ok_or(Failure::at(Error::MalformedSignature, field))?;
    SignatureBytes::parse(text).map_err(|e| Failure::at(e, field))
}

fn signer_key(
    object: &Object<'_>,
    spec: &KindSpec,
    keyring: &Keyring,
) -> Result<PublicKey, Failure> {
    match spec.signer {
        Signer::OwnKeyField(field) => {
            // Fields were checked already, so this parses; a key the verifier knows for the
            // mesh must be the same key.
            let own = object
                .get(field)
                .and_then(Value::as_str)
                .ok_or(Failure::at(Error::MissingField, field))?;
            let own = PublicKey::parse(own).map_err(|e| Failure::at(e, field))?;
            let mesh = object
                .get("mesh_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match keyring.get(mesh) {
                Some(known) if *known != own => Err(Failure::at(Error::KeyMismatch, field)),
                _ => Ok(own),
            }
        }
        Signer::ActorField(field) => {
            let actor = object
                .get(field)
                .and_then(Value::as_str)
                .ok_or(Failure::at(Error::MissingField, field))?;
            keyring
                .get(actor)
                .copied()
                .ok_or(Failure::at(Error::UnknownSigner, field))
        }
        Signer::Parties => Err(Failure::at(Error::UnknownKind, "signatures")),
    }
}

/// `receipt_hash(r) = blake3(JCS(r))` over the complete record, signatures included (§4).
pub fn receipt_hash(record: &Value<'_>) -> Digest {
    Digest::of(&record.to_canonical())
}

/// Signs `record` in place as `kind` with `secret`: removes any old signature, signs the
/// canonical body under the kind's domain and inserts the signature member.
#[cfg(feature = "signing")]
pub fn sign_record(record: &mut Object<'_>, kind: Kind, secret: &[u8; 32]) {
    use alloc::string::ToString;
    let spec = kind.spec();
    record.remove(spec.signature_field);
    let mut message = Vec::new();
    crypto::write_signing_input(spec.domain, &mut message);
    Canonical::new(record, spec.signature_field).write_body(&mut message);
    let signature = crypto::sign(secret, &message);
    record.insert(
        spec.signature_field,
        Value::String(signature.to_string().into()),
    );
}
