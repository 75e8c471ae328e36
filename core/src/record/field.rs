//! Field types of records and their checks (wire format §1, §9: every defined field is checked).

use crate::encoding::{id, timestamp::Timestamp, Digest, PublicKey, Weight};
use crate::error::{Error, Result};
use crate::governance::Version;
use crate::json::{Object, Value};

/// The type of a defined record field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Any string.
    String,
    /// A short name (order type, verification method): `[a-z0-9][a-z0-9._-]{0,63}`.
    Name,
    /// A scroll name: `[A-Z][A-Za-z0-9]{0,63}` (`Compliance`, `PsiField`).
    Scroll,
    /// An array of scroll names.
    Scrolls,
    /// An array of strings.
    Strings,
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
    /// A vote weight: a non-negative JSON number with at most six decimals
    /// ([`crate::encoding::Weight`]).
    Weight,
    /// A constitution version `MAJOR.MINOR.PATCH`.
    Version,
    /// An absolute `https://` URL.
    HttpsUrl,
    /// `true` or `false`.
    Bool,
    /// Any JSON value (checked by the rules that read it).
    Any,
    /// Any JSON object.
    Object,
    /// An object whose listed members are checked like top-level ones; others are kept.
    Nested(&'static [Field]),
    /// Any JSON array.
    Array,
    /// One of the listed strings.
    Enum(&'static [&'static str]),
    /// An object mapping scroll names to digest text.
    RootMap,
}

/// One defined field of a record kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Its path from the record: the member name, or `outer.inner` for a nested member.
    pub path: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// Whether the record (or the enclosing object, for a nested member) must have it.
    pub required: bool,
}

impl Field {
    /// The member name: the last component of the path.
    pub fn name(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }
}

fn named(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidField)
    }
}

fn each_string(value: &Value<'_>, ok: impl Fn(&str) -> bool) -> Result<()> {
    let items = value.as_array().ok_or(Error::InvalidField)?;
    named(items.iter().all(|item| item.as_str().is_some_and(&ok)))
}

/// Checks `value` against `ty` (a nested object's members are checked by [`check_all`]; this
/// only checks that it is an object).
pub fn check(ty: FieldType, value: &Value<'_>) -> Result<()> {
    let text = || value.as_str().ok_or(Error::InvalidField);
    match ty {
        FieldType::String => text().map(drop),
        FieldType::Name => named(id::is_valid_name(text()?)),
        FieldType::Scroll => named(id::is_valid_scroll(text()?)),
        FieldType::Scrolls => each_string(value, id::is_valid_scroll),
        FieldType::Strings => each_string(value, |_| true),
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
        FieldType::Weight => match value {
            Value::Number(n) => Weight::from_number(n).map(drop),
            _ => Err(Error::InvalidField),
        },
        FieldType::Version => Version::parse(text()?).map(drop),
        FieldType::HttpsUrl => named(id::is_https_url(text()?)),
        FieldType::Bool => named(matches!(value, Value::Bool(_))),
        FieldType::Any => Ok(()),
        FieldType::Object | FieldType::Nested(_) => {
            value.as_object().map(drop).ok_or(Error::InvalidField)
        }
        FieldType::Array => value.as_array().map(drop).ok_or(Error::InvalidField),
        FieldType::Enum(allowed) => named(allowed.contains(&text()?)),
        FieldType::RootMap => {
            let map = value.as_object().ok_or(Error::InvalidField)?;
            for (scroll, root) in &map.members {
                if !id::is_valid_scroll(scroll) {
                    return Err(Error::InvalidField);
                }
                Digest::parse(root.as_str().ok_or(Error::InvalidField)?)?;
            }
            Ok(())
        }
    }
}

/// Checks every defined field of `record`, nested members included: present when required,
/// well-typed when present. Returns the first failure with the path of the offending field.
pub fn check_all(
    fields: &[Field],
    record: &Object<'_>,
) -> core::result::Result<(), (Error, &'static str)> {
    for f in fields {
        match record.get(f.name()) {
            Some(v) => {
                check(f.ty, v).map_err(|e| (e, f.path))?;
                if let (FieldType::Nested(inner), Some(o)) = (f.ty, v.as_object()) {
                    check_all(inner, o)?;
                }
            }
            None if f.required => return Err((Error::MissingField, f.path)),
            None => {}
        }
    }
    Ok(())
}
