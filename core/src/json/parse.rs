//! Strict I-JSON parser (RFC 8259 grammar, RFC 7493 restrictions, wire format §2 and §9).
//!
//! The checks run in a fixed order, so every implementation reports the same error for the same
//! input:
//!
//! 1. length above [`Limits::max_bytes`] → [`Error::InputTooLarge`];
//! 2. a UTF-8 byte-order mark at the start → [`Error::ByteOrderMark`];
//! 3. invalid UTF-8 anywhere → [`Error::InvalidUtf8`];
//! 4. then one left-to-right pass that stops at the first of: a grammar error
//!    ([`Error::JsonSyntax`]), a lone surrogate escape ([`Error::LoneSurrogate`]), a number
//!    outside ±(2^53−1) after rounding ([`Error::NumberOutOfRange`]), an array or object nested
//!    deeper than [`Limits::max_depth`] ([`Error::DepthExceeded`]), or a duplicate member name
//!    ([`Error::DuplicateKey`], reported when the object holding it is closed).
//!
//! The parser is iterative (an explicit stack, never recursion), so parsing never overflows the
//! call stack, and it never panics. Dropping a [`Value`] does recurse (Rust's drop glue), once
//! per nesting level, so the depth limit is also what keeps that bounded: keep
//! [`Limits::max_depth`] modest (the default is 64; about 5,000 still drops safely on a 2 MiB
//! thread stack in an unoptimised build, 10,000 does not).

use super::{Limits, Number, Object, Value};
use crate::error::{Error, Result};
use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// 2^53 − 1, the largest magnitude I-JSON (RFC 7493 §2.2) lets an implementation assume exact.
pub(super) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Objects with at most this many members are checked for duplicates pairwise; larger ones by
/// sorting an index array, so the check never goes quadratic.
const PAIRWISE_DUPLICATE_CHECK_MAX: usize = 16;

/// Parses any JSON value under the strict I-JSON rules of wire format §2.
///
/// The input must be UTF-8 without a byte-order mark (RFC 8259 §8.1), well-formed JSON
/// (RFC 8259 §2–§7), with unique member names at every depth (RFC 7493 §2.3), no escaped lone
/// surrogates (RFC 7493 §2.1), and numbers whose nearest double is at most 2^53−1 in magnitude
/// (RFC 7493 §2.2, tightened by wire format §2 to reject rather than lose precision). An
/// underflow such as `1e-400` becomes 0 (wire format §9).
///
/// Strings without escapes borrow from `input`. The module documentation lists the order in
/// which the checks run.
///
/// # Errors
///
/// [`Error::InputTooLarge`], [`Error::ByteOrderMark`], [`Error::InvalidUtf8`],
/// [`Error::JsonSyntax`], [`Error::DuplicateKey`], [`Error::LoneSurrogate`],
/// [`Error::NumberOutOfRange`] or [`Error::DepthExceeded`].
pub fn parse<'a>(input: &'a [u8], limits: &Limits) -> Result<Value<'a>> {
    if input.len() > limits.max_bytes {
        return Err(Error::InputTooLarge);
    }
    if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(Error::ByteOrderMark);
    }
    let text = core::str::from_utf8(input).map_err(|_| Error::InvalidUtf8)?;
    Parser::new(text, limits.max_depth).run()
}

/// Parses a record: like [`parse`], and the top-level value must be an object.
///
/// # Errors
///
/// Everything [`parse`] rejects, and [`Error::NotAnObject`] for any other top-level value.
pub fn parse_record<'a>(input: &'a [u8], limits: &Limits) -> Result<Value<'a>> {
    let v = parse(input, limits)?;
    match v {
        Value::Object(_) => Ok(v),
        _ => Err(Error::NotAnObject),
    }
}

/// What an open array or object is: where its elements start in the parser's scratch stacks.
struct Frame {
    /// Object (members go to `Parser::members`) or array (elements go to `Parser::values`).
    is_object: bool,
    /// Index of the container's first element in its scratch stack.
    start: usize,
    /// Object only: every name so far was byte-wise greater than the one before, so there can be
    /// no duplicate and the close-time check is skipped.
    ascending: bool,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
    /// Elements of all open arrays, innermost last; moved out in one piece when an array closes.
    values: Vec<Value<'a>>,
    /// Members of all open objects, innermost last; the last one holds a placeholder value until
    /// its value is parsed.
    members: Vec<(Cow<'a, str>, Value<'a>)>,
    /// Scratch index array for the duplicate check of large objects.
    order: Vec<usize>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, max_depth: usize) -> Parser<'a> {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            max_depth,
            values: Vec::new(),
            // Enough for a typical record's top level without regrowing.
            members: Vec::with_capacity(16),
            order: Vec::new(),
        }
    }

    /// The whole document, as one loop over "parse a value, then attach it to its container".
    fn run(mut self) -> Result<Value<'a>> {
        let mut frames: Vec<Frame> = Vec::with_capacity(8);
        'value: loop {
            self.skip_whitespace();
            let mut value = match self.peek() {
                Some(b'{') => {
                    self.open(frames.len())?;
                    self.skip_whitespace();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Object(Object::default())
                    } else {
                        let start = self.members.len();
                        self.member_name(start, true)?;
                        frames.push(Frame {
                            is_object: true,
                            start,
                            ascending: true,
                        });
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.open(frames.len())?;
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        let start = self.values.len();
                        frames.push(Frame {
                            is_object: false,
                            start,
                            ascending: true,
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b't') => self.literal(b"true", Value::Bool(true))?,
                Some(b'f') => self.literal(b"false", Value::Bool(false))?,
                Some(b'n') => self.literal(b"null", Value::Null)?,
                Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
                _ => return Err(Error::JsonSyntax),
            };
            // `value` is complete: attach it, then close as many containers as the input closes.
            loop {
                let Some(frame) = frames.last_mut() else {
                    self.skip_whitespace();
                    return if self.pos == self.bytes.len() {
                        Ok(value)
                    } else {
                        Err(Error::JsonSyntax)
                    };
                };
                if frame.is_object {
                    if let Some(last) = self.members.last_mut() {
                        last.1 = value;
                    }
                    self.skip_whitespace();
                    match self.next_byte() {
                        Some(b',') => {
                            self.skip_whitespace();
                            frame.ascending = self.member_name(frame.start, frame.ascending)?;
                            continue 'value;
                        }
                        Some(b'}') => {
                            if !frame.ascending {
                                self.check_duplicates(frame.start)?;
                            }
                            let members = self.members.drain(frame.start..).collect();
                            frames.pop();
                            value = Value::Object(Object { members });
                        }
                        _ => return Err(Error::JsonSyntax),
                    }
                } else {
                    self.values.push(value);
                    self.skip_whitespace();
                    match self.next_byte() {
                        Some(b',') => continue 'value,
                        Some(b']') => {
                            let items = self.values.drain(frame.start..).collect();
                            frames.pop();
                            value = Value::Array(items);
                        }
                        _ => return Err(Error::JsonSyntax),
                    }
                }
            }
        }
    }

    /// Consumes `{` or `[` at nesting depth `open + 1`.
    fn open(&mut self, open: usize) -> Result<()> {
        if open >= self.max_depth {
            return Err(Error::DepthExceeded);
        }
        self.pos += 1;
        Ok(())
    }

    /// Parses `"name" :` and pushes the member with a placeholder value onto the members of the
    /// object starting at `start`. Returns whether that object's names are still strictly
    /// ascending byte-wise (`ascending` is the state before).
    fn member_name(&mut self, start: usize, ascending: bool) -> Result<bool> {
        if self.peek() != Some(b'"') {
            return Err(Error::JsonSyntax);
        }
        let name = self.string()?;
        self.skip_whitespace();
        if self.next_byte() != Some(b':') {
            return Err(Error::JsonSyntax);
        }
        // Compare only with a previous member of the same object, never an enclosing one.
        let still_ascending = ascending
            && (self.members.len() <= start
                || self
                    .members
                    .last()
                    .is_some_and(|(prev, _)| prev.as_bytes() < name.as_bytes()));
        self.members.push((name, Value::Null));
        Ok(still_ascending)
    }

    /// Rejects duplicate names among `members[start..]` (RFC 7493 §2.3); names are compared as
    /// decoded strings.
    fn check_duplicates(&mut self, start: usize) -> Result<()> {
        let members = self.members.get(start..).unwrap_or_default();
        if members.len() <= PAIRWISE_DUPLICATE_CHECK_MAX {
            for (i, (a, _)) in members.iter().enumerate() {
                if members
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .any(|(b, _)| a == b)
                {
                    return Err(Error::DuplicateKey);
                }
            }
            return Ok(());
        }
        self.order.clear();
        self.order.extend(0..members.len());
        let name = |i: usize| members.get(i).map(|(k, _)| k.as_bytes());
        self.order.sort_unstable_by(|&a, &b| name(a).cmp(&name(b)));
        if self.order.windows(2).any(|w| name(w[0]) == name(w[1])) {
            return Err(Error::DuplicateKey);
        }
        Ok(())
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek();
        self.pos += 1;
        b
    }

    /// Skips RFC 8259 §2 insignificant whitespace: space, tab, line feed, carriage return.
    #[inline]
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &[u8], value: Value<'a>) -> Result<Value<'a>> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(Error::JsonSyntax)
        }
    }

    /// Parses a number (RFC 8259 §6) at `self.pos`.
    fn number(&mut self) -> Result<Number> {
        let start = self.pos;
        let mut i = start;
        let negative = self.bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let int_start = i;
        let mut mantissa: u64 = 0;
        match self.bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while let Some(&d @ b'0'..=b'9') = self.bytes.get(i) {
                    mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    i += 1;
                }
            }
            _ => return Err(Error::JsonSyntax),
        }
        let int_digits = i - int_start;
        let mut plain_integer = true;
        if self.bytes.get(i) == Some(&b'.') {
            plain_integer = false;
            i = self.digits(i + 1)?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(i) {
            plain_integer = false;
            i += 1;
            if let Some(b'+' | b'-') = self.bytes.get(i) {
                i += 1;
            }
            i = self.digits(i)?;
        }
        self.pos = i;
        if plain_integer {
            // No leading zeros, so 17 or more digits means at least 10^16 > 2^53 − 1; 16 digits
            // fit in a u64 without wrapping. An integer above 2^53 − 1 rounds to at least 2^53.
            if int_digits > 16 || mantissa > MAX_SAFE_INTEGER {
                return Err(Error::NumberOutOfRange);
            }
            // Exact: the mantissa is below 2^53.
            let magnitude = mantissa as f64;
            let value = if negative { -magnitude } else { magnitude };
            return Ok(Number {
                value,
                plain_integer,
            });
        }
        let text = self.text.get(start..i).ok_or(Error::JsonSyntax)?;
        // core's parser rounds correctly (to nearest, ties to even), gives ±0 on underflow and ±inf
        // on overflow; the grammar was checked above.
        let value: f64 = text.parse().map_err(|_| Error::JsonSyntax)?;
        const MAX: f64 = MAX_SAFE_INTEGER as f64;
        if (-MAX..=MAX).contains(&value) {
            Ok(Number {
                value,
                plain_integer,
            })
        } else {
            Err(Error::NumberOutOfRange)
        }
    }

    /// Consumes one or more ASCII digits starting at `i`; returns the index after them.
    fn digits(&self, mut i: usize) -> Result<usize> {
        let first = i;
        while let Some(b'0'..=b'9') = self.bytes.get(i) {
            i += 1;
        }
        if i == first {
            Err(Error::JsonSyntax)
        } else {
            Ok(i)
        }
    }

    /// Parses a string (RFC 8259 §7) whose opening quote is at `self.pos`.
    fn string(&mut self) -> Result<Cow<'a, str>> {
        let start = self.pos + 1;
        let end = scan_plain(self.bytes, start);
        match self.bytes.get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                // Quotes are ASCII, so both ends are character boundaries.
                Ok(Cow::Borrowed(
                    self.text.get(start..end).ok_or(Error::JsonSyntax)?,
                ))
            }
            Some(b'\\') => self.escaped_string(start, end).map(Cow::Owned),
            // A control character or the end of the input.
            _ => Err(Error::JsonSyntax),
        }
    }

    /// The slow path of [`Parser::string`]: `bytes[start..i]` is plain, `bytes[i]` is `\`.
    fn escaped_string(&mut self, start: usize, mut i: usize) -> Result<String> {
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(self.text.get(start..i).ok_or(Error::JsonSyntax)?);
        loop {
            match self.bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(out);
                }
                Some(b'\\') => i = self.escape(i + 1, &mut out)?,
                _ => return Err(Error::JsonSyntax),
            }
            let end = scan_plain(self.bytes, i);
            out.push_str(self.text.get(i..end).ok_or(Error::JsonSyntax)?);
            i = end;
        }
    }

    /// Decodes the escape whose letter is at `i` (after the backslash) into `out`; returns the
    /// index after it. RFC 8259 §7, with RFC 7493 §2.1's ban on lone surrogates.
    fn escape(&self, i: usize, out: &mut String) -> Result<usize> {
        let c = match self.bytes.get(i) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self.hex4(i + 1)?;
                let (code_point, next) = match unit {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(i + 5..i + 7) != Some(b"\\u") {
                            return Err(Error::LoneSurrogate);
                        }
                        let low = self.hex4(i + 7)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Error::LoneSurrogate);
                        }
                        (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), i + 11)
                    }
                    0xDC00..=0xDFFF => return Err(Error::LoneSurrogate),
                    _ => (unit, i + 5),
                };
                out.push(char::from_u32(code_point).ok_or(Error::LoneSurrogate)?);
                return Ok(next);
            }
            _ => return Err(Error::JsonSyntax),
        };
        out.push(c);
        Ok(i + 1)
    }

    /// Reads four hex digits at `i`.
    fn hex4(&self, i: usize) -> Result<u32> {
        let digits = self.bytes.get(i..i + 4).ok_or(Error::JsonSyntax)?;
        digits.iter().try_fold(0u32, |acc, &d| {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(Error::JsonSyntax),
            };
            Ok(acc << 4 | u32::from(v))
        })
    }
}

/// Returns the index of the first byte at or after `i` that is `"`, `\\` or a control character
/// (< 0x20), or `bytes.len()`: the bytes a JSON string can hold unescaped (RFC 8259 §7) and
/// RFC 8785 §3.2.2.2 writes literally. Eight bytes at a time.
#[inline]
pub(super) fn scan_plain(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mask = special_bytes(u64::from_le_bytes(word));
        if mask != 0 {
            return i + (mask.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    // Fewer than eight bytes left. Re-read the last eight bytes when they all lie at or after
    // `start` (the bytes before `i` were found plain, so they raise no flag); otherwise pad
    // the tail with a plain byte.
    let len = bytes.len();
    let overlap = len.checked_sub(8).filter(|&b| b >= start);
    let (word, base) = match overlap.and_then(|b| Some((bytes.get(b..)?, b))) {
        Some((last, base)) => {
            let mut word = [0u8; 8];
            word.copy_from_slice(last);
            (word, base)
        }
        None => {
            let mut word = [b'a'; 8];
            for (slot, &b) in word.iter_mut().zip(bytes.get(i..).unwrap_or_default()) {
                *slot = b;
            }
            (word, i)
        }
    };
    let mask = special_bytes(u64::from_le_bytes(word));
    if mask != 0 {
        base + (mask.trailing_zeros() / 8) as usize
    } else {
        len
    }
}

/// For eight bytes read little-endian: a mask whose lowest set bit is the high bit of the first
/// byte that is `"`, `\\` or below 0x20, or 0 when there is none. (The "has a zero byte" and "has
/// a byte below n" word tricks can flag bytes after the first true one, through a borrow, but
/// never before it, so the lowest flag is exact.)
#[inline]
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    let special = (quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash)
        | (w.wrapping_sub(ONES * 0x20) & !w);
    special & HIGHS
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;

    fn p(input: &str) -> Result<Value<'_>> {
        parse(input.as_bytes(), &Limits::default())
    }

    fn err(input: &[u8]) -> Error {
        match parse(input, &Limits::default()) {
            Ok(_) => unreachable!("{:?} parsed", core::str::from_utf8(input)),
            Err(e) => e,
        }
    }

    fn num(input: &str) -> Result<Number> {
        match p(input)? {
            Value::Number(n) => Ok(n),
            other => unreachable!("{input} parsed as {other:?}"),
        }
    }

    fn nested(depth: usize, open: &str, close: &str, inner: &str) -> String {
        format!("{}{}{}", open.repeat(depth), inner, close.repeat(depth))
    }

    #[test]
    fn scan_plain_finds_the_first_special_byte() {
        // Every special byte at every position of strings up to 20 bytes long, after plain bytes
        // of every kind (including ones just above 0x20, high bytes and neighbours of `"`/`\\`).
        let plain = [
            b' ', b'!', b'#', b'[', b']', b'a', 0x7f, 0x80, 0xbf, 0xe2, 0xff,
        ];
        let special = [b'"', b'\\', 0x00, 0x01, 0x1f, b'\n'];
        for len in 0..20 {
            for &p in &plain {
                let base = vec![p; len];
                assert_eq!(scan_plain(&base, 0), len);
                for at in 0..len {
                    for &s in &special {
                        let mut bytes = base.clone();
                        bytes[at] = s;
                        for start in 0..=at {
                            assert_eq!(scan_plain(&bytes, start), at, "{bytes:?} from {start}");
                        }
                        // Later special bytes do not matter.
                        if at + 1 < len {
                            bytes[at + 1] = 0;
                            assert_eq!(scan_plain(&bytes, 0), at);
                        }
                    }
                }
            }
        }
        // Every string over a small alphabet up to 9 bytes, from every start, against a
        // byte-by-byte reference (special bytes before `start` must not count).
        let alphabet = [b'a', b'"', 0x80, 0x1f];
        for len in 0..=9u32 {
            for code in 0..4usize.pow(len) {
                let bytes: Vec<u8> = (0..len).map(|k| alphabet[(code >> (2 * k)) & 3]).collect();
                for start in 0..=bytes.len() {
                    let expected = (start..bytes.len())
                        .find(|&k| matches!(bytes[k], b'"' | b'\\' | 0x00..=0x1f))
                        .unwrap_or(bytes.len());
                    assert_eq!(
                        scan_plain(&bytes, start),
                        expected,
                        "{bytes:?} from {start}"
                    );
                }
            }
        }
        assert_eq!(scan_plain(b"abc", 3), 3);
        assert_eq!(scan_plain(b"abc", 10), 3);
    }

    #[test]
    fn parses_every_kind_of_value() {
        let v = p(r#" {"a": [1, -2.5, true, false, null, "x", {}, []], "b": {"c": "d"}} "#);
        let expected = Value::Object(Object {
            members: vec![
                (
                    "a".into(),
                    Value::Array(vec![
                        Value::Number(Number {
                            value: 1.0,
                            plain_integer: true,
                        }),
                        Value::Number(Number {
                            value: -2.5,
                            plain_integer: false,
                        }),
                        Value::Bool(true),
                        Value::Bool(false),
                        Value::Null,
                        Value::String("x".into()),
                        Value::Object(Object::default()),
                        Value::Array(vec![]),
                    ]),
                ),
                (
                    "b".into(),
                    Value::Object(Object {
                        members: vec![("c".into(), Value::String("d".into()))],
                    }),
                ),
            ],
        });
        assert_eq!(v, Ok(expected));
        assert_eq!(
            p("\t\r\n 7 \n"),
            Ok(Value::Number(Number {
                value: 7.0,
                plain_integer: true
            }))
        );
        assert_eq!(p(r#""""#), Ok(Value::String("".into())));
    }

    #[test]
    fn members_keep_input_order() {
        let v = p(r#"{"b":1,"a":2,"c":{"z":0,"y":1}}"#);
        let Ok(Value::Object(o)) = v else {
            unreachable!()
        };
        let names: Vec<&str> = o.members.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(names, ["b", "a", "c"]);
    }

    #[test]
    fn strings_without_escapes_borrow() {
        let input = r#"{"name":"plain \u00e9 text","other":"caf\u00e9","raw":"café"}"#;
        let Ok(Value::Object(o)) = p(input) else {
            unreachable!()
        };
        for (name, value) in &o.members {
            assert!(matches!(name, Cow::Borrowed(_)), "{name}");
            let Value::String(s) = value else {
                unreachable!()
            };
            match name.as_ref() {
                "name" | "other" => assert!(matches!(s, Cow::Owned(_)), "{s}"),
                _ => assert!(matches!(s, Cow::Borrowed(_)), "{s}"),
            }
        }
        assert_eq!(o.get("other").and_then(Value::as_str), Some("café"));
        assert_eq!(o.get("raw").and_then(Value::as_str), Some("café"));
        assert_eq!(o.get("name").and_then(Value::as_str), Some("plain é text"));
    }

    #[test]
    fn escapes_decode() {
        assert_eq!(
            p(r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude02\u0000\uffff""#),
            Ok(Value::String(
                "\"\\/\u{8}\u{c}\n\r\tAé€😂\u{0}\u{ffff}".into()
            ))
        );
        // Long strings exercise the eight-bytes-at-a-time scan around escapes.
        let long = format!(r#""{0}\n{0}é{0}""#, "abcdefghijklmnopqrstuvwxyz");
        let expected = format!("{0}\n{0}é{0}", "abcdefghijklmnopqrstuvwxyz");
        assert_eq!(p(&long), Ok(Value::String(expected.into())));
    }

    #[test]
    fn noncharacters_are_allowed() {
        assert_eq!(
            p("\"\u{ffff}\u{fffe}\u{fdd0}\""),
            Ok(Value::String("\u{ffff}\u{fffe}\u{fdd0}".into()))
        );
        assert_eq!(
            p(r#""\uFFFF\uFDD0""#),
            Ok(Value::String("\u{ffff}\u{fdd0}".into()))
        );
        // A BOM character is fine inside a string; only a leading BOM is rejected.
        assert_eq!(p("\"\u{feff}\""), Ok(Value::String("\u{feff}".into())));
    }

    #[test]
    fn size_limit_is_checked_first_and_at_the_boundary() {
        let limits = Limits {
            max_bytes: 8,
            max_depth: 64,
        };
        assert!(parse(b"[1,2,3] ", &limits).is_ok());
        assert_eq!(parse(b"[1,2,3]  ", &limits), Err(Error::InputTooLarge));
        // Before the BOM, UTF-8 and syntax checks.
        assert_eq!(
            parse(b"\xEF\xBB\xBF\xff{{{{{{{{", &limits),
            Err(Error::InputTooLarge)
        );
        let limits = Limits {
            max_bytes: 0,
            max_depth: 64,
        };
        assert_eq!(parse(b"", &limits), Err(Error::JsonSyntax));
        assert_eq!(parse(b"1", &limits), Err(Error::InputTooLarge));
        let big = format!("[{}0]", "0,".repeat(1 << 19));
        assert_eq!(big.len(), (1 << 20) + 3);
        assert_eq!(err(big.as_bytes()), Error::InputTooLarge);
        let exact = format!("[{}0]", "0,".repeat((1 << 19) - 2));
        assert_eq!(exact.len(), (1 << 20) - 1);
        assert!(p(&exact).is_ok());
        let exact = format!("{exact} ");
        assert_eq!(exact.len(), 1 << 20);
        assert!(p(&exact).is_ok());
    }

    #[test]
    fn byte_order_mark_is_rejected() {
        assert_eq!(err(b"\xEF\xBB\xBF{}"), Error::ByteOrderMark);
        assert_eq!(err(b"\xEF\xBB\xBF"), Error::ByteOrderMark);
        // Checked before UTF-8 validity.
        assert_eq!(err(b"\xEF\xBB\xBF{\"a\":\"\xff\"}"), Error::ByteOrderMark);
        // Elsewhere outside a string, U+FEFF is just not whitespace.
        assert_eq!(err(b" \xEF\xBB\xBF{}"), Error::JsonSyntax);
        assert_eq!(err(b"{}\xEF\xBB\xBF"), Error::JsonSyntax);
    }

    #[test]
    fn invalid_utf8_is_rejected_anywhere() {
        assert_eq!(err(b"{\"a\":\"\xff\"}"), Error::InvalidUtf8);
        assert_eq!(err(b"{\"\xc3\":1}"), Error::InvalidUtf8);
        assert_eq!(err(b"{} \x80"), Error::InvalidUtf8);
        // Overlong encoding, encoded surrogate, beyond U+10FFFF, truncated sequence.
        assert_eq!(err(b"\"\xc0\xaf\""), Error::InvalidUtf8);
        assert_eq!(err(b"\"\xed\xa0\x80\""), Error::InvalidUtf8);
        assert_eq!(err(b"\"\xf4\x90\x80\x80\""), Error::InvalidUtf8);
        assert_eq!(err(b"\"\xe2\x82\""), Error::InvalidUtf8);
        // Takes precedence over a syntax error earlier in the input.
        assert_eq!(err(b"{,\xff"), Error::InvalidUtf8);
    }

    #[test]
    fn syntax_errors() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"{",
            b"}",
            b"[",
            b"[1,]",
            b"[,1]",
            b"[1 2]",
            b"{\"a\":1,}",
            b"{\"a\" 1}",
            b"{\"a\":}",
            b"{\"a\"}",
            b"{a:1}",
            b"{'a':1}",
            b"{1:1}",
            b"{\"a\":1 \"b\":2}",
            b"{\"a\":1]",
            b"[1}",
            b"{} {}",
            b"{}x",
            b"[] ]",
            b"1 2",
            b"tru",
            b"True",
            b"nul",
            b"nulll",
            b"falsey",
            b"undefined",
            b"NaN",
            b"Infinity",
            b"-Infinity",
            // Numbers.
            b"01",
            b"-01",
            b"00",
            b"+1",
            b"-",
            b"1.",
            b".5",
            b"1.e5",
            b"1e",
            b"1e+",
            b"1E-",
            b"0x10",
            b"1_000",
            b"- 1",
            b"[01]",
            // Strings.
            b"\"abc",
            b"\"abc\\\"",
            b"\"\\x41\"",
            b"\"\\U0041\"",
            b"\"\\u004\"",
            b"\"\\u00g1\"",
            b"\"\\'\"",
            b"\"\\",
            b"\"tab\there\"",
            b"\"nl\nhere\"",
            b"\"\x00\"",
            b"\"\x1f\"",
            b"\"\\n\x01\"",
            // Whitespace RFC 8259 does not allow.
            b"\x0c{}",
            b"{}\x0b",
            b"\xc2\xa0{}",
        ];
        for case in cases {
            assert_eq!(
                err(case),
                Error::JsonSyntax,
                "{:?}",
                core::str::from_utf8(case)
            );
        }
        // A DEL character in a string is not a control character for JSON.
        assert_eq!(p("\"\u{7f}\""), Ok(Value::String("\u{7f}".into())));
    }

    #[test]
    fn duplicate_names_are_rejected_at_any_depth() {
        assert_eq!(err(br#"{"a":1,"a":1}"#), Error::DuplicateKey);
        assert_eq!(err(br#"{"a":1,"b":2,"a":3}"#), Error::DuplicateKey);
        assert_eq!(err(br#"{"b":1,"a":2,"b":3}"#), Error::DuplicateKey);
        assert_eq!(err(br#"{"x":{"a":1,"a":2}}"#), Error::DuplicateKey);
        assert_eq!(err(br#"[[{"k":[{"q":1,"q":1}]}]]"#), Error::DuplicateKey);
        // Compared as decoded strings.
        assert_eq!(err(br#"{"a":1,"\u0061":2}"#), Error::DuplicateKey);
        assert_eq!(err(br#"{"\u00e9":1,"\u00E9":2}"#), Error::DuplicateKey);
        assert_eq!(
            err("{\"\u{1f602}\":1,\"\\ud83d\\ude02\":2}".as_bytes()),
            Error::DuplicateKey
        );
        assert_eq!(err(br#"{"":1,"":2}"#), Error::DuplicateKey);
        // The same name in different objects, or as a value, is fine.
        assert!(p(r#"{"a":{"a":{"a":"a"}},"b":[{"a":1},{"a":2}]}"#).is_ok());
        // A member of an enclosing object is not compared with the inner object's first name.
        assert!(p(r#"{"z":{"a":1},"y":{"z":1}}"#).is_ok());
        assert!(p(r#"{"a":1,"\u0061b":2,"ab\u0000":3}"#).is_ok());
    }

    #[test]
    fn duplicate_check_in_large_objects() {
        // Ascending, descending and shuffled orders, past the pairwise threshold.
        let names: Vec<String> = (0..1000).map(|i| format!("k{i:04}")).collect();
        let object = |names: &[&String], extra: &str| {
            let mut s = String::from("{");
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(&format!("\"{n}\":{i}"));
            }
            s.push_str(extra);
            s.push('}');
            s
        };
        let ascending: Vec<&String> = names.iter().collect();
        let descending: Vec<&String> = names.iter().rev().collect();
        let shuffled: Vec<&String> = (0..1000).map(|i| &names[(i * 7919) % 1000]).collect();
        for order in [&ascending, &descending, &shuffled] {
            assert!(p(&object(order, "")).is_ok());
            assert_eq!(
                err(object(order, ",\"k0500\":0").as_bytes()),
                Error::DuplicateKey
            );
            assert_eq!(
                err(object(order, ",\"k\\u0030999\":0").as_bytes()),
                Error::DuplicateKey
            );
        }
        for n in [15, 16, 17, 18] {
            let few: Vec<&String> = names.iter().take(n).rev().collect();
            assert!(p(&object(&few, "")).is_ok());
            assert_eq!(
                err(object(&few, ",\"k0000\":0").as_bytes()),
                Error::DuplicateKey
            );
        }
    }

    #[test]
    fn duplicates_are_reported_when_their_object_closes() {
        // Errors inside the object come first...
        assert_eq!(err(br#"{"a":1,"a":[01]}"#), Error::JsonSyntax);
        assert_eq!(err(br#"{"a":1,"a":1e400}"#), Error::NumberOutOfRange);
        // ...and an unterminated object is a syntax error.
        assert_eq!(err(br#"{"a":1,"a":2"#), Error::JsonSyntax);
        // An inner object's duplicate is found before a later error in the outer one.
        assert_eq!(
            err(br#"{"x":{"a":1,"a":2},"y":1e400}"#),
            Error::DuplicateKey
        );
    }

    #[test]
    fn lone_surrogates_are_rejected() {
        let cases: &[&str] = &[
            r#""\ud800""#,
            r#""\uD800x""#,
            r#""\udbff\u0041""#,
            r#""\ud800\ud800""#,
            r#""\ud800\n""#,
            r#""\ud800"#,
            r#""\udc00""#,
            r#""\uDFFF\uD800""#,
            r#""a\ude02b""#,
            r#"{"\ud83d":1}"#,
            r#"["ok","\ud83d"]"#,
        ];
        for case in cases {
            assert_eq!(err(case.as_bytes()), Error::LoneSurrogate, "{case}");
        }
        // A high surrogate followed by a malformed escape is a syntax error.
        assert_eq!(err(br#""\ud800\u12""#), Error::JsonSyntax);
        // Pairs at the edges of the range are fine.
        assert_eq!(
            p(r#""\ud800\udc00\udbff\udfff""#),
            Ok(Value::String("\u{10000}\u{10ffff}".into()))
        );
        assert_eq!(
            p(r#""\uD7FF\uE000""#),
            Ok(Value::String("\u{d7ff}\u{e000}".into()))
        );
    }

    #[test]
    fn integers_and_their_range() {
        let max = MAX_SAFE_INTEGER as f64;
        assert_eq!(
            num("9007199254740991"),
            Ok(Number {
                value: max,
                plain_integer: true
            })
        );
        assert_eq!(
            num("-9007199254740991"),
            Ok(Number {
                value: -max,
                plain_integer: true
            })
        );
        for big in [
            "9007199254740992",
            "9007199254740993",
            "-9007199254740992",
            "10000000000000000",
            "99999999999999999999",
            "18446744073709551616",
            "123456789012345678901234567890",
        ] {
            assert_eq!(num(big), Err(Error::NumberOutOfRange), "{big}");
        }
        assert_eq!(
            num("0"),
            Ok(Number {
                value: 0.0,
                plain_integer: true
            })
        );
        assert_eq!(
            num("1234567890123456"),
            Ok(Number {
                value: 1234567890123456.0,
                plain_integer: true
            })
        );
        let minus_zero = num("-0");
        assert_eq!(
            minus_zero,
            Ok(Number {
                value: 0.0,
                plain_integer: true
            })
        );
        assert!(minus_zero.is_ok_and(|n| n.value.is_sign_negative()));
    }

    #[test]
    fn non_integers_and_their_range() {
        let n = |value: f64| {
            Ok(Number {
                value,
                plain_integer: false,
            })
        };
        assert_eq!(num("1E2"), n(100.0));
        assert_eq!(num("100.0"), n(100.0));
        assert_eq!(num("1e2"), n(100.0));
        assert_eq!(num("1e+2"), n(100.0));
        assert_eq!(num("-2.5e-3"), n(-0.0025));
        assert_eq!(num("0.1"), n(0.1));
        assert_eq!(num("5e-324"), n(5e-324));
        assert_eq!(num("2.4703282292062328e-324"), n(5e-324));
        assert_eq!(num("9007199254740991.0"), n(9007199254740991.0));
        assert_eq!(num("9.007199254740991e15"), n(9007199254740991.0));
        // Underflow is 0 (wire format §9), keeping its sign.
        assert_eq!(num("1e-400"), n(0.0));
        assert!(num("-1e-400").is_ok_and(|n| n.value == 0.0 && n.value.is_sign_negative()));
        assert_eq!(num("0e99999999999999999999"), n(0.0));
        // More digits than a double holds: rounded to nearest.
        assert_eq!(num("0.30000000000000001666"), n(0.30000000000000004));
        assert_eq!(num("333333333.33333329"), n(333333333.3333333));
        // Anything whose rounded value exceeds 2^53 − 1, however it is written.
        for big in [
            "1e20",
            "1e21",
            "1E30",
            "1e400",
            "-1e400",
            "1e99999999999999999999",
            "9007199254740992.0",
            "9007199254740991.5",
            "9.007199254740992e15",
            "1.7976931348623157e308",
            "-1.7976931348623157e308",
        ] {
            assert_eq!(num(big), Err(Error::NumberOutOfRange), "{big}");
        }
        // Rounds down to 2^53 − 1, so it is accepted.
        assert_eq!(num("9007199254740991.4"), n(9007199254740991.0));
    }

    #[test]
    fn depth_limit_at_the_boundary() {
        let limits = Limits::default();
        for (open, close, inner) in [("[", "]", ""), ("[", "]", "1"), ("{\"a\":", "}", "{}")] {
            // `{"a":` ×63 + `{}` is 64 objects deep.
            let depth = if inner == "{}" { 63 } else { 64 };
            let ok = nested(depth, open, close, inner);
            assert!(parse(ok.as_bytes(), &limits).is_ok(), "{ok}");
            let too_deep = nested(depth + 1, open, close, inner);
            assert_eq!(
                parse(too_deep.as_bytes(), &limits),
                Err(Error::DepthExceeded)
            );
        }
        // Depth is checked when a container opens, before the rest of the input is read.
        assert_eq!(
            err(nested(65, "[", "", "").as_bytes()),
            Error::DepthExceeded
        );
        let one = Limits {
            max_bytes: 100,
            max_depth: 1,
        };
        assert!(parse(b"{\"a\":1}", &one).is_ok());
        assert_eq!(parse(b"{\"a\":[]}", &one), Err(Error::DepthExceeded));
        let zero = Limits {
            max_bytes: 100,
            max_depth: 0,
        };
        assert_eq!(parse(b"{}", &zero), Err(Error::DepthExceeded));
        assert!(parse(b"1", &zero).is_ok());
    }

    #[test]
    fn very_deep_input_does_not_overflow_the_stack() {
        let deep = nested(200_000, "[", "]", "");
        let limits = Limits {
            max_bytes: 1 << 20,
            max_depth: 1 << 20,
        };
        let v = parse(deep.as_bytes(), &limits);
        assert!(v.is_ok());
        // Dropping the tree recurses (std's Drop); unwind it by hand.
        let mut v = v.ok();
        while let Some(Value::Array(mut items)) = v {
            v = items.pop();
        }
    }

    #[test]
    fn parse_record_requires_an_object() {
        let limits = Limits::default();
        assert!(parse_record(b" {} ", &limits).is_ok());
        for case in [&b"[]"[..], b"1", b"\"x\"", b"null", b"true"] {
            assert_eq!(parse_record(case, &limits), Err(Error::NotAnObject));
        }
        assert_eq!(parse_record(b"[", &limits), Err(Error::JsonSyntax));
    }

    #[test]
    fn never_panics_on_truncations() {
        let doc = "{\"a\\u00e9\":[1,-2.5e-3,true,false,null,\"\\ud83d\\ude02x\"],\"é\":{\"\":{}}}";
        assert!(p(doc).is_ok());
        for end in 0..doc.len() {
            if let Some(prefix) = doc.get(..end) {
                assert!(p(prefix).is_err(), "{prefix}");
            }
        }
        for (i, _) in doc.char_indices() {
            let mut s = doc.to_string();
            s.remove(i);
            let _ = p(&s);
        }
    }
}
