//! RFC 8785 writer. (Being written.)
use super::Value;
use alloc::vec::Vec;

pub(super) fn write(_v: &Value<'_>, _out: &mut Vec<u8>) {}
