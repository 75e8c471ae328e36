//! RFC 8785 (JSON Canonicalization Scheme) writer, wire format §2.
//!
//! - No whitespace (RFC 8785 §3.2.1).
//! - Literals as `null`, `true`, `false` (§3.2.2.1).
//! - Strings (§3.2.2.2): `\b \t \n \f \r \" \\` as two-character escapes, every other control
//!   character below U+0020 as `\u00xx` with lowercase hex, everything else (including `/`, DEL
//!   and all non-ASCII) written as its UTF-8 bytes.
//! - Numbers (§3.2.2.3) as ECMAScript's `Number.prototype.toString`: integers below 2^53 in
//!   magnitude as plain digits (a fast path, and −0 as `0`), everything else through `ryu-js`.
//! - Object members sorted by the UTF-16 code units of their names (§3.2.3), arrays in order.
//!
//! The writer is iterative (an explicit stack), so a deep tree cannot overflow the call stack.

use super::parse::scan_plain;
use super::{Object, Value};
use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Appends the RFC 8785 canonical form of `v` to `out`.
///
/// Values produced by the parser are always representable. A hand-built [`super::Number`] that
/// is not finite (which RFC 8785 §3.2.2.3 says must be an error) is written as `null`, as
/// ECMAScript's `JSON.stringify` does; the parser never produces one.
pub(super) fn write(v: &Value<'_>, out: &mut Vec<u8>) {
    match v {
        Value::Object(object) => write_object_with(object, out, |_, _, _| {}),
        _ => {
            out.reserve(size_hint(v));
            write_value(v, out);
        }
    }
}

/// Appends the canonical form of `object` to `out`, calling `member(name, start, end)` after
/// each member, where `out[start..end]` is that member with one adjacent comma: the following
/// one for the first member, the preceding one for the others, none for a lone member. Cutting
/// that range out leaves the canonical form of the object without the member.
pub(super) fn write_object_with(
    object: &Object<'_>,
    out: &mut Vec<u8>,
    mut member: impl FnMut(&str, usize, usize),
) {
    let members = object.members.as_slice();
    out.reserve(members_size_hint(members));
    out.push(b'{');
    // Sorted indexes, on the stack for the common record, only when the input was not sorted.
    let mut inline: [usize; 32];
    let mut heap = Vec::new();
    let order: Option<&[usize]> = if in_canonical_order(members) {
        None
    } else {
        inline = [0; 32];
        let indexes = match inline.get_mut(..members.len()) {
            Some(indexes) => indexes,
            None => {
                heap.resize(members.len(), 0);
                heap.as_mut_slice()
            }
        };
        for (i, slot) in indexes.iter_mut().enumerate() {
            *slot = i;
        }
        sort_indexes(indexes, members);
        Some(indexes)
    };
    let count = members.len();
    for k in 0..count {
        let index = match order {
            Some(order) => order.get(k).copied().unwrap_or(k),
            None => k,
        };
        let Some((name, value)) = members.get(index) else {
            continue;
        };
        let start = out.len();
        if k > 0 {
            out.push(b',');
        }
        write_string(name, out);
        out.push(b':');
        write_value(value, out);
        // The first member takes the comma that follows it.
        let end = out.len() + usize::from(k == 0 && count > 1);
        member(name, start, end);
    }
    out.push(b'}');
}

/// Whether the names are strictly ascending in UTF-16 order, so no sorting is needed.
fn in_canonical_order(members: &[(Cow<'_, str>, Value<'_>)]) -> bool {
    members
        .windows(2)
        .all(|w| utf16_cmp(&w[0].0, &w[1].0) == Ordering::Less)
}

/// Sorts member indexes by the members' names in UTF-16 order.
fn sort_indexes(indexes: &mut [usize], members: &[(Cow<'_, str>, Value<'_>)]) {
    indexes.sort_unstable_by(|&a, &b| match (members.get(a), members.get(b)) {
        (Some((ka, _)), Some((kb, _))) => utf16_cmp(ka, kb),
        _ => Ordering::Equal,
    });
}

/// Writes one value; only arrays and objects need the explicit stack.
#[inline]
fn write_value(v: &Value<'_>, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(n.value, out),
        Value::String(s) => write_string(s, out),
        Value::Array(_) | Value::Object(_) => write_nested(v, out),
    }
}

/// Writes an array or object (and everything in it) without recursion.
fn write_nested(v: &Value<'_>, out: &mut Vec<u8>) {
    let mut stack: Vec<Frame<'_, '_>> = Vec::new();
    // Sorted member indexes of the open objects whose members were not already in order,
    // innermost last; each such frame owns `order[base..base + len]`.
    let mut order: Vec<usize> = Vec::new();
    let mut current = v;
    loop {
        match current {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(true) => out.extend_from_slice(b"true"),
            Value::Bool(false) => out.extend_from_slice(b"false"),
            Value::Number(n) => write_number(n.value, out),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                out.push(b'[');
                stack.push(Frame::Array { items, next: 0 });
            }
            Value::Object(object) => {
                out.push(b'{');
                let members = object.members.as_slice();
                let base = if in_canonical_order(members) {
                    None
                } else {
                    let base = order.len();
                    order.extend(0..members.len());
                    if let Some(indexes) = order.get_mut(base..) {
                        sort_indexes(indexes, members);
                    }
                    Some(base)
                };
                stack.push(Frame::Object {
                    members,
                    base,
                    next: 0,
                });
            }
        }
        // Find the next value to write, closing every container that is finished.
        loop {
            let Some(frame) = stack.last_mut() else {
                return;
            };
            match frame {
                Frame::Array { items, next } => {
                    if let Some(item) = items.get(*next) {
                        if *next > 0 {
                            out.push(b',');
                        }
                        *next += 1;
                        current = item;
                        break;
                    }
                    out.push(b']');
                    stack.pop();
                }
                Frame::Object {
                    members,
                    base,
                    next,
                } => {
                    let index = match base {
                        Some(base) => order.get(*base + *next).copied(),
                        None => Some(*next),
                    };
                    if let Some((name, value)) = index.and_then(|i| members.get(i)) {
                        if *next > 0 {
                            out.push(b',');
                        }
                        *next += 1;
                        write_string(name, out);
                        out.push(b':');
                        current = value;
                        break;
                    }
                    if let Some(base) = *base {
                        order.truncate(base);
                    }
                    out.push(b'}');
                    stack.pop();
                }
            }
        }
    }
}

/// An open container in [`write_nested`].
enum Frame<'v, 'a> {
    Array {
        items: &'v [Value<'a>],
        next: usize,
    },
    Object {
        members: &'v [(Cow<'a, str>, Value<'a>)],
        /// Where this object's sorted indexes start in the order buffer, or `None` when the
        /// members are already in canonical order.
        base: Option<usize>,
        next: usize,
    },
}

/// A cheap, shallow estimate of the output size, so the common record needs one allocation.
fn size_hint(v: &Value<'_>) -> usize {
    match v {
        Value::Object(o) => members_size_hint(&o.members),
        Value::Array(a) => 2 + a.iter().map(|v| leaf_size_hint(v) + 1).sum::<usize>(),
        _ => leaf_size_hint(v),
    }
}

fn members_size_hint(members: &[(Cow<'_, str>, Value<'_>)]) -> usize {
    2 + members
        .iter()
        .map(|(k, v)| k.len() + 4 + leaf_size_hint(v))
        .sum::<usize>()
}

fn leaf_size_hint(v: &Value<'_>) -> usize {
    match v {
        Value::String(s) => s.len() + 2,
        _ => 8,
    }
}

/// Compares two strings by their UTF-16 code units (RFC 8785 §3.2.3).
///
/// UTF-8 byte order is code point order, which agrees with UTF-16 order except that UTF-16
/// puts U+10000..U+10FFFF (surrogate pairs, 0xD800..0xDFFF) before U+E000..U+FFFF. At the first
/// differing byte both strings are at the same position inside the same-length prefix, so the
/// bytes are either both continuation bytes of characters with the same lead byte (where the
/// orders agree) or both lead/ASCII bytes; then lifting the lead bytes of U+E000..U+FFFF (0xEE,
/// 0xEF) above those of the supplementary planes (0xF0..0xF4) gives UTF-16 order.
pub(super) fn utf16_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match a.iter().zip(b).position(|(x, y)| x != y) {
        None => a.len().cmp(&b.len()),
        Some(i) => {
            let lift = |s: &[u8]| match s.get(i) {
                Some(&c @ (0xEE | 0xEF)) => u16::from(c) + 0x10,
                Some(&c) => u16::from(c),
                None => 0,
            };
            lift(a).cmp(&lift(b))
        }
    }
}

/// Writes a string per RFC 8785 §3.2.2.2.
fn write_string(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    loop {
        let end = scan_plain(bytes, start);
        out.extend_from_slice(bytes.get(start..end).unwrap_or_default());
        let Some(&b) = bytes.get(end) else {
            break;
        };
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x09 => b't',
            0x0A => b'n',
            0x0C => b'f',
            0x0D => b'r',
            _ => b'u',
        };
        if short == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xF)],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', short]);
        }
        start = end + 1;
    }
    out.push(b'"');
}

/// Writes a number as ECMAScript's `Number.prototype.toString` (RFC 8785 §3.2.2.3).
fn write_number(value: f64, out: &mut Vec<u8>) {
    const MAX: f64 = super::parse::MAX_SAFE_INTEGER as f64;
    if (-MAX..=MAX).contains(&value) {
        let integer = value as i64;
        if integer as f64 == value {
            // ECMAScript prints integers below 10^21 as plain digits; −0 prints as `0`.
            write_integer(integer, out);
            return;
        }
    }
    if value.is_finite() {
        let mut buffer = ryu_js::Buffer::new();
        out.extend_from_slice(buffer.format_finite(value).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// Writes an integer as decimal digits.
fn write_integer(integer: i64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = integer.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if integer < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{parse, Limits, Number, Object};
    use alloc::string::String;
    use alloc::vec;

    fn canon(input: &str) -> String {
        match parse(input.as_bytes(), &Limits::default()) {
            Ok(v) => String::from_utf8(v.to_canonical()).unwrap_or_default(),
            Err(e) => unreachable!("{input}: {e}"),
        }
    }

    fn number(value: f64) -> String {
        let v = Value::Number(Number {
            value,
            plain_integer: false,
        });
        String::from_utf8(v.to_canonical()).unwrap_or_default()
    }

    #[test]
    fn removes_whitespace_and_sorts_members() {
        assert_eq!(
            canon(" { \"b\" : [ 1 , 2 ] ,\n\"a\" : { \"d\" : null , \"c\" : true } } "),
            r#"{"a":{"c":true,"d":null},"b":[1,2]}"#
        );
        assert_eq!(canon("[]"), "[]");
        assert_eq!(canon("{}"), "{}");
        assert_eq!(canon("[[],{},[{}]]"), "[[],{},[{}]]");
        assert_eq!(canon(r#"{"b":{},"a":[]}"#), r#"{"a":[],"b":{}}"#);
        assert_eq!(canon("\"x\""), "\"x\"");
        assert_eq!(canon("false"), "false");
        // Nested unsorted objects inside unsorted objects use the shared order buffer.
        assert_eq!(
            canon(r#"{"z":{"y":{"b":1,"a":2},"x":[{"d":1,"c":2}]},"a":{"n":1,"m":2}}"#),
            r#"{"a":{"m":2,"n":1},"z":{"x":[{"c":2,"d":1}],"y":{"a":2,"b":1}}}"#
        );
    }

    #[test]
    fn sorts_by_utf16_code_units() {
        // U+E000..U+FFFF sort after supplementary characters in UTF-16, unlike in UTF-8.
        assert_eq!(
            canon("{\"\u{ffff}\":1,\"\u{1f602}\":2,\"\u{e000}\":3,\"\u{d7ff}\":4,\"z\":5,\"\u{10000}\":6}"),
            "{\"z\":5,\"\u{d7ff}\":4,\"\u{10000}\":6,\"\u{1f602}\":2,\"\u{e000}\":3,\"\u{ffff}\":1}"
        );
        // Prefixes first; code units, not locale.
        assert_eq!(
            canon(r#"{"ab":1,"a":2,"B":3,"b":4,"":5}"#),
            r#"{"":5,"B":3,"a":2,"ab":1,"b":4}"#
        );
        let cases = [
            ("a", "b", Ordering::Less),
            ("a", "a", Ordering::Equal),
            ("ab", "a", Ordering::Greater),
            ("\u{ffff}", "\u{10000}", Ordering::Greater),
            ("\u{e000}", "\u{10ffff}", Ordering::Greater),
            ("\u{d7ff}", "\u{10000}", Ordering::Less),
            ("x\u{ff61}", "x\u{1f602}", Ordering::Greater),
            ("\u{1f602}", "\u{1f603}", Ordering::Less),
            ("\u{e000}", "\u{efff}", Ordering::Less),
            ("\u{0080}", "\u{07ff}", Ordering::Less),
        ];
        for (a, b, expected) in cases {
            assert_eq!(utf16_cmp(a, b), expected, "{a:?} {b:?}");
            let ua: Vec<u16> = a.encode_utf16().collect();
            let ub: Vec<u16> = b.encode_utf16().collect();
            assert_eq!(ua.cmp(&ub), expected, "{a:?} {b:?}");
        }
    }

    #[test]
    fn utf16_order_agrees_with_encode_utf16_exhaustively_on_boundaries() {
        let chars = [
            '\0',
            '\u{1}',
            'A',
            '\u{7f}',
            '\u{80}',
            '\u{7ff}',
            '\u{800}',
            '\u{d7ff}',
            '\u{e000}',
            '\u{fffd}',
            '\u{ffff}',
            '\u{10000}',
            '\u{1f602}',
            '\u{10ffff}',
        ];
        let mut strings: Vec<String> = Vec::new();
        for a in chars {
            strings.push(a.into());
            for b in chars {
                strings.push([a, b].iter().collect());
            }
        }
        for a in &strings {
            for b in &strings {
                let ua: Vec<u16> = a.encode_utf16().collect();
                let ub: Vec<u16> = b.encode_utf16().collect();
                assert_eq!(utf16_cmp(a, b), ua.cmp(&ub), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn escapes_strings_per_rfc_8785() {
        assert_eq!(
            canon(r#""\u0000\u0001\b\t\n\u000b\f\r\u000e\u001f \"\\\/\u007f\u0080\u00e9\u2028\ud83d\ude02\uffff""#),
            "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u000e\\u001f \\\"\\\\/\u{7f}\u{80}é\u{2028}😂\u{ffff}\""
        );
        assert_eq!(canon(r#""\u001A\u001a""#), r#""\u001a\u001a""#);
        assert_eq!(canon(r#"{"\n":"\t"}"#), r#"{"\n":"\t"}"#);
        assert_eq!(canon(r#""</script>""#), r#""</script>""#);
    }

    #[test]
    fn formats_numbers_as_ecmascript() {
        let cases = [
            ("0", "0"),
            ("-0", "0"),
            ("-0.0", "0"),
            ("-1e-400", "0"),
            ("1e-400", "0"),
            ("1", "1"),
            ("-1", "-1"),
            ("100.0", "100"),
            ("1E2", "100"),
            ("56.0", "56"),
            ("9007199254740991", "9007199254740991"),
            ("-9007199254740991", "-9007199254740991"),
            ("9.007199254740991e15", "9007199254740991"),
            ("4.50", "4.5"),
            ("2e-3", "0.002"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("1e-27", "1e-27"),
            ("333333333.33333329", "333333333.3333333"),
            ("0.1", "0.1"),
            ("-0.5", "-0.5"),
            ("5e-324", "5e-324"),
            ("-5e-324", "-5e-324"),
            ("2.2250738585072014e-308", "2.2250738585072014e-308"),
            ("123456789.123", "123456789.123"),
            ("4503599627370495.5", "4503599627370495.5"),
            ("1.5e15", "1500000000000000"),
        ];
        for (input, expected) in cases {
            assert_eq!(canon(input), expected, "{input}");
        }
    }

    #[test]
    fn formats_hand_built_numbers() {
        // The parser never produces these, but the writer still follows ECMAScript.
        assert_eq!(number(1e21), "1e+21");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(number(9007199254740992.0), "9007199254740992");
        assert_eq!(number(1.7976931348623157e308), "1.7976931348623157e+308");
        assert_eq!(number(-1e30), "-1e+30");
        assert_eq!(number(f64::NAN), "null");
        assert_eq!(number(f64::INFINITY), "null");
        assert_eq!(number(f64::NEG_INFINITY), "null");
        // A number flagged as a plain integer is still written by its value.
        let v = Value::Number(Number {
            value: 1.5,
            plain_integer: true,
        });
        assert_eq!(v.to_canonical(), b"1.5");
    }

    #[test]
    fn hand_built_values() {
        let v = Value::Object(Object {
            members: vec![
                (
                    "b".into(),
                    Value::Array(vec![Value::Null, Value::Bool(false)]),
                ),
                ("a".into(), Value::String(String::from("\u{1}").into())),
            ],
        });
        assert_eq!(v.to_canonical(), br#"{"a":"\u0001","b":[null,false]}"#);
        // Appends to what is already in the buffer.
        let mut out = b"x".to_vec();
        v.write_canonical(&mut out);
        assert_eq!(out, br#"x{"a":"\u0001","b":[null,false]}"#);
    }

    #[test]
    fn canonical_output_reads_back_to_itself() {
        let input =
            r#"{"z":[1,2.5,-0,"\u00e9\n"],"\u20ac":{"\ud83d\ude02":null,"a":1e-7},"":true}"#;
        let once = canon(input);
        assert_eq!(canon(&once), once);
    }

    #[test]
    fn deep_values_do_not_overflow_the_stack() {
        let depth = 100_000;
        let deep = alloc::format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let limits = Limits {
            max_bytes: 1 << 20,
            max_depth: depth,
        };
        let v = parse(deep.as_bytes(), &limits);
        assert_eq!(
            v.as_ref().map(|v| v.to_canonical()),
            Ok(deep.clone().into_bytes())
        );
        let mut v = v.ok();
        while let Some(Value::Array(mut items)) = v {
            v = items.pop();
        }
    }

    #[test]
    fn member_spans_cut_out_cleanly() {
        let inputs = [
            r#"{"sig":"z1"}"#,
            r#"{"sig":"z1","a":1}"#,
            r#"{"b":[1,{"y":2,"x":3}],"sig":"z1","a":{"k":"v"}}"#,
            r#"{"z":null,"m":"\u0001","a":true,"sig":"z1"}"#,
        ];
        for input in inputs {
            let Ok(Value::Object(object)) = parse(input.as_bytes(), &Limits::default()) else {
                unreachable!("{input}")
            };
            let mut out = b"prefix".to_vec();
            let mut spans = Vec::new();
            crate::json::write_canonical_object_with(&object, &mut out, |name, start, end| {
                spans.push((String::from(name), start, end));
            });
            assert_eq!(
                out.get(6..),
                Some(Value::Object(object.clone()).to_canonical().as_slice())
            );
            assert_eq!(spans.len(), object.members.len());
            for (name, start, end) in spans {
                let mut cut = out.clone();
                cut.drain(start..end);
                let mut without = object.clone();
                without.remove(&name);
                let mut expected = b"prefix".to_vec();
                Value::Object(without).write_canonical(&mut expected);
                assert_eq!(
                    String::from_utf8(cut),
                    String::from_utf8(expected),
                    "{input} {name}"
                );
            }
        }
    }

    #[test]
    fn canonicalize_entry_point() {
        let limits = Limits::default();
        assert_eq!(
            crate::json::canonicalize(br#" {"b":1, "a":"x"} "#, &limits),
            Ok(br#"{"a":"x","b":1}"#.to_vec())
        );
        assert_eq!(
            crate::json::canonicalize(b"[1]", &limits),
            Err(crate::Error::NotAnObject)
        );
    }
}
