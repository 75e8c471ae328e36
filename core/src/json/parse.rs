//! Strict I-JSON parser. (Being written.)
use super::{Limits, Value};
use crate::error::{Error, Result};

/// Parses any JSON value under the strict I-JSON rules.
pub fn parse<'a>(_input: &'a [u8], _limits: &Limits) -> Result<Value<'a>> {
    Err(Error::JsonSyntax)
}

/// Parses a record: like [`parse`], and the top-level value must be an object.
pub fn parse_record<'a>(input: &'a [u8], limits: &Limits) -> Result<Value<'a>> {
    let v = parse(input, limits)?;
    match v {
        Value::Object(_) => Ok(v),
        _ => Err(Error::NotAnObject),
    }
}
