//! Strict I-JSON (RFC 7493) and JSON Canonicalization (RFC 8785), wire format §2.
//!
//! [`parse`] turns bytes into a borrowed [`Value`] tree, rejecting everything two verifiers could
//! read differently; [`Value::write_canonical`] writes the RFC 8785 bytes.

mod canonical;
mod parse;

use alloc::borrow::Cow;
use alloc::vec::Vec;

pub use parse::{parse, parse_record};

/// Input limits for the parser (wire format §2: defaults 1 MiB and depth 64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum input length in bytes.
    pub max_bytes: usize,
    /// Maximum nesting depth; the top-level value is depth 1.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 1 << 20,
            max_depth: 64,
        }
    }
}

/// A JSON number: its value as the nearest double, and whether it was written as a plain
/// integer (digits only, optional leading `-`, no fraction or exponent).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number {
    /// The value, rounded to the nearest double. Always finite and at most 2^53-1 in magnitude.
    pub value: f64,
    /// True when the text had no fraction and no exponent.
    pub plain_integer: bool,
}

impl Number {
    /// The value as a non-negative integer, when it was written as a plain integer (wire format
    /// §9: `100.0` and `1e2` are not integers).
    pub fn as_u64(&self) -> Option<u64> {
        if self.plain_integer && self.value >= 0.0 {
            Some(self.value as u64)
        } else {
            None
        }
    }
}

/// A parsed JSON value. Strings borrow from the input unless they contained escapes.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number within I-JSON's range.
    Number(Number),
    /// A string (valid Unicode, no lone surrogates).
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object: members in input order, names unique.
    Object(Object<'a>),
}

/// An object's members in input order. Names are unique (the parser rejects duplicates).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object<'a> {
    /// The members, in input order.
    pub members: Vec<(Cow<'a, str>, Value<'a>)>,
}

impl<'a> Object<'a> {
    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.members.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Removes member `name` and returns its value.
    pub fn remove(&mut self, name: &str) -> Option<Value<'a>> {
        let i = self.members.iter().position(|(k, _)| k == name)?;
        Some(self.members.remove(i).1)
    }

    /// Inserts or replaces member `name`.
    pub fn insert(&mut self, name: impl Into<Cow<'a, str>>, value: Value<'a>) {
        let name = name.into();
        match self.members.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.members.push((name, value)),
        }
    }
}

impl<'a> Value<'a> {
    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is an object.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, if this is an array.
    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The value as a non-negative plain integer (see [`Number::as_u64`]).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// Appends the RFC 8785 canonical form of this value to `out`.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        canonical::write(self, out)
    }

    /// The RFC 8785 canonical form of this value.
    pub fn to_canonical(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_canonical(&mut out);
        out
    }
}

/// Parses `input` as a strict I-JSON record (a top-level object) with `limits` and returns its
/// canonical bytes.
pub fn canonicalize(input: &[u8], limits: &Limits) -> crate::Result<Vec<u8>> {
    Ok(parse_record(input, limits)?.to_canonical())
}

/// Appends the RFC 8785 canonical form of `object` to `out` and reports where each member went.
///
/// After writing each member, calls `member(name, start, end)`, where `out[start..end]` is that
/// member (`"name":value`) together with one adjacent comma: the comma after it when it is the
/// first of several members, the comma before it otherwise, and none when it is the only member.
/// Cutting that range out of `out` therefore leaves the canonical form of the object without
/// that member, which is how a signed body (record minus its signature member) is derived from
/// the canonical record in one pass.
pub fn write_canonical_object_with(
    object: &Object<'_>,
    out: &mut Vec<u8>,
    member: impl FnMut(&str, usize, usize),
) {
    canonical::write_object_with(object, out, member)
}

/// True for a line that holds no record: empty, or only spaces, tabs and carriage returns.
pub fn is_blank_line(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// The lines of a JSON Lines input (wire format §9), in order: one record per `\n`-separated
/// line, an optional final newline, the empty input is the empty scroll (no lines), and a
/// blank line ([`is_blank_line`]) is [`crate::Error::BlankLine`]. Each line still has to be
/// parsed as a record; the iterator's position (from 0) is the line number less one.
pub fn lines(input: &[u8]) -> impl Iterator<Item = crate::Result<&[u8]>> {
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    let empty = input.is_empty();
    body.split(|b| *b == b'\n')
        .filter(move |_| !empty)
        .map(|line| {
            if is_blank_line(line) {
                Err(crate::Error::BlankLine)
            } else {
                Ok(line)
            }
        })
}

#[cfg(test)]
mod lines_tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn json_lines() {
        fn all(s: &str) -> crate::Result<Vec<&[u8]>> {
            lines(s.as_bytes()).collect()
        }
        assert_eq!(all(""), Ok(vec![]));
        assert_eq!(all("{}"), Ok(vec![&b"{}"[..]]));
        assert_eq!(all("{}\n{\"a\":1}\n"), Ok(vec![&b"{}"[..], b"{\"a\":1}"]));
        assert_eq!(all("{}\r\n"), Ok(vec![&b"{}\r"[..]]));
        assert_eq!(all("\n"), Err(crate::Error::BlankLine));
        assert_eq!(all("{}\n\n{}"), Err(crate::Error::BlankLine));
        assert_eq!(all("{}\n \t\r\n"), Err(crate::Error::BlankLine));
        assert_eq!(all("{}\n\n"), Err(crate::Error::BlankLine));
    }
}
