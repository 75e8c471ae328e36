//! Field types of records and their checks (wire format §1, §9: every defined field is checked).

use crate::encoding::{id, timestamp::Timestamp, Digest, PublicKey};
use crate::error::{Error, Result};
use crate::json::{Object, Value};

/// The type of a defined record field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Any string.
    String,
    /// A short name (scroll, order type): `[a-z0-9][a-z0-9._-]{0,63}`.
    Name,
    /// `blake3:` digest text.
    Digest,
    /// RFC 3339 UTC timestamp.
    Timestamp,
    /// A mesh DID `did:vm:mesh:…`.
    MeshId,
    /// Any actor DID (`mesh`, `human`, `agent`).
    ActorId,
    /// An actor DID or an engine id `engine:…`.
    ActorOrEngine,
    /// An Ed25519 public key in text form.
    PublicKey,
    /// A non-negative plain JSON integer.
    UInt,
    /// A trust level: integer 0–4.
    TrustLevel,
    /// `true` or `false`.
    Bool,
    /// Any JSON object.
    Object,
    /// Any JSON array.
    Array,
    /// One of the listed strings.
    Enum(&'static [&'static str]),
    /// An object mapping scroll names to digest text.
    RootMap,
}

/// One defined field of a record kind.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The member name.
    pub name: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// Whether the record must have it.
    pub required: bool,
}

/// Checks `value` against `ty`.
pub fn check(ty: FieldType, value: &Value<'_>) -> Result<()> {
    let text = || value.as_str().ok_or(Error::InvalidField);
    match ty {
        FieldType::String => text().map(drop),
        FieldType::Name => {
            if id::is_valid_name(text()?) {
                Ok(())
            } else {
                Err(Error::InvalidField)
            }
        }
        FieldType::Digest => Digest::parse(text()?).map(drop),
        FieldType::Timestamp => Timestamp::parse(text()?).map(drop),
        FieldType::MeshId => id::check_mesh_id(text()?),
        FieldType::ActorId => id::parse_actor(text()?).map(drop),
        FieldType::ActorOrEngine => {
            let t = text()?;
            if t.starts_with("engine:") {
                id::check_engine_id(t)
            } else {
                id::parse_actor(t).map(drop)
            }
        }
        FieldType::PublicKey => PublicKey::parse(text()?).map(drop),
        FieldType::UInt => value.as_u64().map(drop).ok_or(Error::NotAnInteger),
        FieldType::TrustLevel => match value.as_u64() {
            Some(0..=4) => Ok(()),
            _ => Err(Error::InvalidTrustLevel),
        },
        FieldType::Bool => match value {
            Value::Bool(_) => Ok(()),
            _ => Err(Error::InvalidField),
        },
        FieldType::Object => value.as_object().map(drop).ok_or(Error::InvalidField),
        FieldType::Array => value.as_array().map(drop).ok_or(Error::InvalidField),
        FieldType::Enum(allowed) => {
            if allowed.contains(&text()?) {
                Ok(())
            } else {
                Err(Error::InvalidField)
            }
        }
        FieldType::RootMap => {
            let map = value.as_object().ok_or(Error::InvalidField)?;
            for (scroll, root) in &map.members {
                if !id::is_valid_name(scroll) {
                    return Err(Error::InvalidField);
                }
                Digest::parse(root.as_str().ok_or(Error::InvalidField)?)?;
            }
            Ok(())
        }
    }
}

/// Checks every defined field of `record`: present when required, well-typed when present.
/// Returns the first failure with the name of the offending field.
pub fn check_all(
    fields: &[Field],
    record: &Object<'_>,
) -> core::result::Result<(), (Error, &'static str)> {
    for f in fields {
        match record.get(f.name) {
            Some(v) => check(f.ty, v).map_err(|e| (e, f.name))?,
            None if f.required => return Err((Error::MissingField, f.name)),
            None => {}
        }
    }
    Ok(())
}
