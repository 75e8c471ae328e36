//! Revocation of an agreement with notice (an addition to the protocol, docs/SPEC.md §7.8).
//!
//! ```text
//! {"type": "fed_revocation", "revocation_id", "agreement_id", "revoker", "revoked_at",
//!  "notice_days", "effective_at", "reason"?, "signature"}
//! ```
//!
//! Signed by `revoker` (a party, with its key from the agreement's `key_exchange`) under the
//! domain `fed_revocation`; `effective_at` is exactly `revoked_at` plus `notice_days` days. The
//! agreement stays in force while `now < effective_at` and lapses then; nothing is deleted.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::Agreement;
use crate::crypto;
use crate::encoding::{timestamp::Timestamp, SignatureBytes};
use crate::error::Error;
use crate::json::{Object, Value};
use crate::record::Failure;

/// The record's `type` and signature domain.
pub const DOMAIN: &str = "fed_revocation";
/// The longest notice accepted, days.
pub const MAX_NOTICE_DAYS: u64 = 3650;

/// What a verified revocation says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// The revoked agreement.
    pub agreement_id: String,
    /// The party that revoked it.
    pub revoker: String,
    /// When it was revoked.
    pub revoked_at: Timestamp,
    /// When the agreement lapses.
    pub effective_at: Timestamp,
}

impl Revocation {
    /// Whether the agreement is still in force at `now`.
    pub fn in_force_at(&self, now: Timestamp) -> bool {
        now < self.effective_at
    }
}

fn text<'v>(o: &'v Object<'_>, field: &'static str) -> Result<&'v str, Failure> {
    o.get(field)
        .and_then(Value::as_str)
        .ok_or(Failure::at(Error::MissingField, field))
}

fn signing_input(record: &Object<'_>) -> Vec<u8> {
    let mut body = record.clone();
    body.remove("signature");
    crypto::signing_input(DOMAIN, &Value::Object(body).to_canonical())
}

/// Verifies a revocation of `agreement` (already verified, with id `agreement_id`): fields,
/// the revoker is a party, the notice arithmetic, and the revoker's strict signature.
pub fn verify_revocation(
    record: &Value<'_>,
    agreement_id: &str,
    agreement: &Agreement,
) -> Result<Revocation, Failure> {
    let o = record
        .as_object()
        .ok_or(Failure::from(Error::NotAnObject))?;
    if text(o, "type")? != DOMAIN {
        return Err(Failure::at(Error::KindMismatch, "type"));
    }
    text(o, "revocation_id")?;
    if text(o, "agreement_id")? != agreement_id {
        return Err(Failure::at(Error::AgreementMismatch, "agreement_id"));
    }
    let revoker = text(o, "revoker")?;
    let key = agreement
        .keys
        .get(revoker)
        .filter(|_| agreement.parties.iter().any(|p| p == revoker))
        .ok_or(Failure::at(Error::RevocationInvalid, "revoker"))?;
    let revoked_at =
        Timestamp::parse(text(o, "revoked_at")?).map_err(|e| Failure::at(e, "revoked_at"))?;
    let effective_at =
        Timestamp::parse(text(o, "effective_at")?).map_err(|e| Failure::at(e, "effective_at"))?;
    let days = o
        .get("notice_days")
        .and_then(Value::as_u64)
        .filter(|d| *d <= MAX_NOTICE_DAYS)
        .ok_or(Failure::at(Error::RevocationInvalid, "notice_days"))?;
    if revoked_at.checked_add_days(days as i64) != Some(effective_at) {
        return Err(Failure::at(Error::RevocationInvalid, "effective_at"));
    }
    if let Some(reason) = o.get("reason") {
        reason
            .as_str()
            .ok_or(Failure::at(Error::InvalidField, "reason"))?;
    }
    let signature =
        text(o, "signature").map_err(|_| Failure::at(Error::MissingSignature, "signature"))?;
    let signature = SignatureBytes::parse(signature).map_err(|e| Failure::at(e, "signature"))?;
    crypto::verify_strict(key, &signing_input(o), &signature)
        .map_err(|e| Failure::at(e, "signature"))?;
    Ok(Revocation {
        agreement_id: agreement_id.to_string(),
        revoker: revoker.to_string(),
        revoked_at,
        effective_at,
    })
}

/// Signs a revocation in place (replacing any `signature`).
#[cfg(feature = "signing")]
pub fn sign_revocation(record: &mut Object<'_>, secret: &[u8; 32]) {
    record.remove("signature");
    let signature = crypto::sign(secret, &signing_input(record));
    record.insert("signature", Value::String(signature.to_string().into()));
}
