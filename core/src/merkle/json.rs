//! The JSON forms of proofs (wire format §5, §9).
//!
//! Strict: proofs are not signed records, so rejecting unknown members costs no compatibility.

use super::{ConsistencyProof, InclusionProof};
use crate::encoding::Digest;
use crate::error::{Error, Result};
use crate::json::{Number, Object, Value};
use alloc::borrow::Cow;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

impl InclusionProof {
    /// Reads `{"leaf_index": i, "tree_size": n, "path": ["blake3:…", …]}`.
    ///
    /// Errors: not an object, or a missing, unknown, repeated or wrong-typed member:
    /// [`Error::MalformedProof`]; an index or size that is a number but not a plain non-negative
    /// integer (wire format §9: `100.0`, `1e2`, `-1`): [`Error::NotAnInteger`]; a path element
    /// that is a string but not digest text: the error of [`Digest::parse`]. Only the form is
    /// checked; [`verify_inclusion`](super::verify_inclusion) checks the index against the size.
    pub fn from_value(value: &Value<'_>) -> Result<InclusionProof> {
        let [leaf_index, tree_size, path] = members(value, ["leaf_index", "tree_size", "path"])?;
        Ok(InclusionProof {
            leaf_index: integer(leaf_index)?,
            tree_size: integer(tree_size)?,
            path: digests(path)?,
        })
    }

    /// The JSON form, `{"leaf_index": i, "tree_size": n, "path": ["blake3:…", …]}`.
    ///
    /// I-JSON numbers stop at 2^53 − 1; larger indexes and sizes cannot be written faithfully.
    pub fn to_value(&self) -> Value<'static> {
        object(vec![
            ("leaf_index", number(self.leaf_index)),
            ("tree_size", number(self.tree_size)),
            ("path", digest_array(&self.path)),
        ])
    }
}

impl ConsistencyProof {
    /// Reads `{"old_size": m, "new_size": n, "path": ["blake3:…", …]}`, with the errors of
    /// [`InclusionProof::from_value`]. Only the form is checked;
    /// [`verify_consistency`](super::verify_consistency) checks the sizes.
    pub fn from_value(value: &Value<'_>) -> Result<ConsistencyProof> {
        let [old_size, new_size, path] = members(value, ["old_size", "new_size", "path"])?;
        Ok(ConsistencyProof {
            old_size: integer(old_size)?,
            new_size: integer(new_size)?,
            path: digests(path)?,
        })
    }

    /// The JSON form, `{"old_size": m, "new_size": n, "path": ["blake3:…", …]}`.
    ///
    /// I-JSON numbers stop at 2^53 − 1; larger sizes cannot be written faithfully.
    pub fn to_value(&self) -> Value<'static> {
        object(vec![
            ("old_size", number(self.old_size)),
            ("new_size", number(self.new_size)),
            ("path", digest_array(&self.path)),
        ])
    }
}

/// The members `names` of the object `value`, which must have no others and no repeats.
fn members<'v, 'a, const N: usize>(
    value: &'v Value<'a>,
    names: [&str; N],
) -> Result<[&'v Value<'a>; N]> {
    let object = value.as_object().ok_or(Error::MalformedProof)?;
    let mut found: [Option<&Value<'a>>; N] = [None; N];
    for (name, member) in &object.members {
        let slot = names
            .iter()
            .position(|n| n == name)
            .ok_or(Error::MalformedProof)?;
        if found[slot].replace(member).is_some() {
            return Err(Error::MalformedProof);
        }
    }
    let mut out: [&Value<'a>; N] = [&Value::Null; N];
    for (slot, member) in out.iter_mut().zip(found) {
        *slot = member.ok_or(Error::MalformedProof)?;
    }
    Ok(out)
}

fn integer(value: &Value<'_>) -> Result<u64> {
    match value {
        Value::Number(n) => n.as_u64().ok_or(Error::NotAnInteger),
        _ => Err(Error::MalformedProof),
    }
}

fn digests(value: &Value<'_>) -> Result<Vec<Digest>> {
    let items = value.as_array().ok_or(Error::MalformedProof)?;
    items
        .iter()
        .map(|item| Digest::parse(item.as_str().ok_or(Error::MalformedProof)?))
        .collect()
}

fn number(n: u64) -> Value<'static> {
    Value::Number(Number {
        value: n as f64,
        plain_integer: true,
    })
}

fn digest_array(path: &[Digest]) -> Value<'static> {
    Value::Array(
        path.iter()
            .map(|d| Value::String(Cow::Owned(d.to_string())))
            .collect(),
    )
}

fn object(members: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Object(Object {
        members: members
            .into_iter()
            .map(|(name, value)| (Cow::Borrowed(name), value))
            .collect(),
    })
}
