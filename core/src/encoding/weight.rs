//! Vote weights: JSON numbers tallied exactly (docs/SPEC.md §6, `gov_vote.weight`).
//!
//! The protocol writes weights as numbers (`"weight": 1.0`), so `1.0` and `1` are one weight.
//! Summing doubles would make a tally depend on the order of the votes and on rounding, so a
//! weight is read as an exact decimal: the number's canonical text (RFC 8785 §3.2.2.3, the
//! shortest text that reads back to the same double) with at most [`Weight::DECIMALS`]
//! fractional digits, held as an integer count of millionths.

use core::fmt;

use crate::error::{Error, Result};
use crate::json::Number;

/// A non-negative weight in millionths: `1.0` is `Weight(1_000_000)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(pub u64);

impl Weight {
    /// The most fractional digits a weight may have.
    pub const DECIMALS: u32 = 6;
    /// Millionths in one unit of weight.
    pub const UNIT: u64 = 1_000_000;

    /// Reads a JSON number as a weight: non-negative, at most six fractional digits in its
    /// canonical text. Anything else (a negative number, `0.0000001`, `1e-7`) is
    /// [`Error::InvalidField`].
    pub fn from_number(n: &Number) -> Result<Weight> {
        if n.value.is_nan() || n.value < 0.0 {
            return Err(Error::InvalidField);
        }
        let mut text = alloc::vec::Vec::new();
        crate::json::Value::Number(*n).write_canonical(&mut text);
        let text = core::str::from_utf8(&text).map_err(|_| Error::InvalidField)?;
        Weight::parse_decimal(text).ok_or(Error::InvalidField)
    }

    /// Parses `DIGITS[.DIGITS]` with at most six fractional digits.
    fn parse_decimal(text: &str) -> Option<Weight> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || fraction.len() > Self::DECIMALS as usize
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let mut micros: u64 = whole.parse::<u64>().ok()?.checked_mul(Self::UNIT)?;
        let mut scale = Self::UNIT / 10;
        for digit in fraction.bytes() {
            micros = micros.checked_add(u64::from(digit - b'0') * scale)?;
            scale /= 10;
        }
        Some(Weight(micros))
    }

    /// A whole number of units.
    pub fn units(n: u64) -> Weight {
        Weight(n.saturating_mul(Self::UNIT))
    }

    /// `self + other`, saturating (weights are bounded by 2^53 units, so this never saturates
    /// in a real tally).
    pub fn saturating_add(self, other: Weight) -> Weight {
        Weight(self.0.saturating_add(other.0))
    }
}

/// The shortest decimal text: `1`, `0.5`, `2.25`.
impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / Self::UNIT, self.0 % Self::UNIT);
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let mut digits = alloc::format!("{fraction:06}");
        while digits.ends_with('0') {
            digits.pop();
        }
        write!(f, "{whole}.{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn number(value: f64, plain_integer: bool) -> Number {
        Number {
            value,
            plain_integer,
        }
    }

    #[test]
    fn one_and_one_point_zero_are_one_weight() {
        assert_eq!(
            Weight::from_number(&number(1.0, false)),
            Ok(Weight::units(1))
        );
        assert_eq!(
            Weight::from_number(&number(1.0, true)),
            Ok(Weight::units(1))
        );
    }

    #[test]
    fn fractions_are_exact() -> Result<()> {
        let tenth = Weight::from_number(&number(0.1, false))?;
        let fifth = Weight::from_number(&number(0.2, false))?;
        // 0.1 + 0.2 as doubles is 0.30000000000000004; as weights it is 0.3 exactly.
        let sum = tenth.saturating_add(fifth);
        assert_eq!(sum, Weight::from_number(&number(0.3, false))?);
        assert_eq!(sum.to_string(), "0.3");
        assert_eq!(Weight(2_250_000).to_string(), "2.25");
        Ok(())
    }

    #[test]
    fn negative_and_too_precise_weights_are_refused() {
        for bad in [-1.0, 0.0000001, 1.2345678, f64::NAN] {
            assert_eq!(
                Weight::from_number(&number(bad, false)),
                Err(Error::InvalidField),
                "{bad}"
            );
        }
        assert_eq!(Weight::from_number(&number(0.000001, false)), Ok(Weight(1)));
    }
}
