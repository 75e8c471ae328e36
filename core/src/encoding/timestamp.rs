//! Timestamps: `YYYY-MM-DDTHH:MM:SSZ` (wire format §1, §9), the RFC 3339 §5.6 `date-time`
//! restricted to UTC (`Z`), whole seconds and uppercase `T` and `Z`.

use crate::error::{Error, Result};
use core::fmt;

/// A UTC second, as seconds since 1970-01-01T00:00:00Z (leap seconds are not counted, as in
/// POSIX time), from `0000-01-01T00:00:00Z` to `9999-12-31T23:59:59Z`: the range the text form
/// can write. Ordered by time.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

const SECONDS_PER_DAY: i64 = 86_400;
/// Length of `YYYY-MM-DDTHH:MM:SSZ`.
const TEXT_LEN: usize = 20;

impl Timestamp {
    /// `0000-01-01T00:00:00Z`.
    pub const MIN: Timestamp = Timestamp(days_from_civil(0, 1, 1) * SECONDS_PER_DAY);
    /// `9999-12-31T23:59:59Z`.
    pub const MAX: Timestamp = Timestamp(days_from_civil(9999, 12, 31) * SECONDS_PER_DAY + 86_399);
    /// The length of the text form.
    pub const TEXT_LEN: usize = TEXT_LEN;
    /// `1970-01-01T00:00:00Z`.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339 §5.6 with only these choices: four-digit year,
    /// two-digit fields, `T` and `Z` uppercase, no fractional seconds, no numeric offset).
    /// The date must exist (February 29 only in leap years of the proleptic Gregorian calendar),
    /// hours 00–23, minutes and seconds 00–59 (no leap second `:60`). Anything else is
    /// [`Error::MalformedTimestamp`].
    pub fn parse(text: &str) -> Result<Timestamp> {
        let b: &[u8; TEXT_LEN] = text
            .as_bytes()
            .try_into()
            .map_err(|_| Error::MalformedTimestamp)?;
        let sep_ok = b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'Z';
        if !sep_ok {
            return Err(Error::MalformedTimestamp);
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(Error::MalformedTimestamp);
        }
        let days = days_from_civil(year, month, day);
        Ok(Timestamp(
            days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second,
        ))
    }

    /// The timestamp `seconds` after the Unix epoch, if it is within [`Timestamp::MIN`] ..=
    /// [`Timestamp::MAX`].
    pub const fn from_unix_seconds(seconds: i64) -> Option<Timestamp> {
        if seconds >= Timestamp::MIN.0 && seconds <= Timestamp::MAX.0 {
            Some(Timestamp(seconds))
        } else {
            None
        }
    }

    /// Seconds since the Unix epoch (negative before 1970).
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// `self + seconds`, or `None` outside the representable range.
    pub const fn checked_add_seconds(self, seconds: i64) -> Option<Timestamp> {
        match self.0.checked_add(seconds) {
            Some(t) => Timestamp::from_unix_seconds(t),
            None => None,
        }
    }

    /// `self + days × 86400 s`, or `None` outside the representable range.
    pub const fn checked_add_days(self, days: i64) -> Option<Timestamp> {
        match days.checked_mul(SECONDS_PER_DAY) {
            Some(s) => self.checked_add_seconds(s),
            None => None,
        }
    }

    /// `self + seconds`, clamped to [`Timestamp::MIN`] ..= [`Timestamp::MAX`].
    pub const fn saturating_add_seconds(self, seconds: i64) -> Timestamp {
        let t = self.0.saturating_add(seconds);
        if t < Timestamp::MIN.0 {
            Timestamp::MIN
        } else if t > Timestamp::MAX.0 {
            Timestamp::MAX
        } else {
            Timestamp(t)
        }
    }

    /// `self + days × 86400 s`, clamped to [`Timestamp::MIN`] ..= [`Timestamp::MAX`].
    pub const fn saturating_add_days(self, days: i64) -> Timestamp {
        self.saturating_add_seconds(days.saturating_mul(SECONDS_PER_DAY))
    }

    /// `self - earlier` in seconds (negative when `earlier` is later). Never overflows: both
    /// lie within about ±2^38.
    pub const fn seconds_since(self, earlier: Timestamp) -> i64 {
        self.0 - earlier.0
    }

    /// Writes `YYYY-MM-DDTHH:MM:SSZ` into `out` and returns it as `&str`.
    pub fn encode<'a>(&self, out: &'a mut [u8; Timestamp::TEXT_LEN]) -> &'a str {
        let days = self.0.div_euclid(SECONDS_PER_DAY);
        let secs = self.0.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        *out = *b"0000-00-00T00:00:00Z";
        put(&mut out[0..4], year);
        put(&mut out[5..7], month);
        put(&mut out[8..10], day);
        put(&mut out[11..13], secs / 3600);
        put(&mut out[14..16], secs / 60 % 60);
        put(&mut out[17..19], secs % 60);
        // Only ASCII was written.
        core::str::from_utf8(out).unwrap_or_default()
    }
}

/// The decimal value of ASCII digits.
fn digits(b: &[u8]) -> Result<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + i64::from(c - b'0'))
        } else {
            Err(Error::MalformedTimestamp)
        }
    })
}

/// Writes `value` as zero-padded decimal digits filling `out`.
fn put(out: &mut [u8], mut value: i64) {
    for c in out.iter_mut().rev() {
        *c = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

const fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level
/// Date Algorithms", `days_from_civil`).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number (inverse of [`days_from_civil`]).
const fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0u8; TEXT_LEN]))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::str::FromStr for Timestamp {
    type Err = Error;
    fn from_str(s: &str) -> Result<Timestamp> {
        Timestamp::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap_or_else(|e| unreachable!("{text}: {e}"))
    }

    #[test]
    fn known_values() {
        assert_eq!(ts("1970-01-01T00:00:00Z").unix_seconds(), 0);
        assert_eq!(ts("2000-01-01T00:00:00Z").unix_seconds(), 946_684_800);
        assert_eq!(ts("2025-11-26T01:10:00Z").unix_seconds(), 1_764_119_400);
        assert_eq!(
            ts("2038-01-19T03:14:07Z").unix_seconds(),
            i64::from(i32::MAX)
        );
        assert_eq!(ts("1969-12-31T23:59:59Z").unix_seconds(), -1);
        assert_eq!(ts("2024-02-29T12:00:00Z").unix_seconds(), 1_709_208_000);
        assert_eq!(ts("2000-02-29T00:00:00Z").unix_seconds(), 951_782_400);
        assert_eq!(ts("0000-01-01T00:00:00Z"), Timestamp::MIN);
        assert_eq!(ts("9999-12-31T23:59:59Z"), Timestamp::MAX);
        assert_eq!(Timestamp::MIN.unix_seconds(), -62_167_219_200);
        assert_eq!(Timestamp::MAX.unix_seconds(), 253_402_300_799);
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "1970-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "0000-02-29T23:59:59Z",
            "1600-02-29T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2024-02-29T12:34:56Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(ts(text).to_string(), text);
            assert_eq!(text.parse::<Timestamp>(), Ok(ts(text)));
        }
        // Every day over a few 400-year cycles' worth of boundaries round-trips.
        let mut t = ts("1899-12-25T00:00:00Z");
        for _ in 0..(366 * 210) {
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t));
            t = t.saturating_add_seconds(86_400 + 3_599);
        }
    }

    #[test]
    fn malformed() {
        for bad in [
            "",
            "2025-01-01",
            "2025-01-01T00:00:00",
            "2025-01-01T00:00:00z",
            "2025-01-01t00:00:00Z",
            "2025-01-01 00:00:00Z",
            "2025-01-01T00:00:00.000Z",
            "2025-01-01T00:00:00.5Z",
            "2025-01-01T00:00:00+00:00",
            "2025-01-01T00:00:00-00:00",
            "2025-01-01T00:00:00Z ",
            " 2025-01-01T00:00:00Z",
            "25-01-01T00:00:00Z",
            "+2025-01-01T00:00:00Z",
            "12025-01-01T00:00:00Z",
            "2025-1-01T00:00:00Z",
            "2025-01-1T00:00:00Z",
            "2025/01/01T00:00:00Z",
            "2025-01-01T00-00-00Z",
            "2025-01-01T0:00:000Z",
            "2025-00-01T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-01-00T00:00:00Z",
            "2025-01-32T00:00:00Z",
            "2025-04-31T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T00:60:00Z",
            "2025-01-01T23:59:60Z",
            "2016-12-31T23:59:60Z",
            "2025-01-01T00:00:6aZ",
            "2025-O1-01T00:00:00Z",
            "２025-01-01T00:00:00Z",
            "2025-01-01T00:00:00\u{0}",
        ] {
            assert_eq!(
                Timestamp::parse(bad),
                Err(Error::MalformedTimestamp),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ordering_and_arithmetic() {
        let a = ts("2025-01-31T23:59:59Z");
        let b = ts("2025-02-01T00:00:00Z");
        assert!(a < b);
        assert_eq!(b.seconds_since(a), 1);
        assert_eq!(a.checked_add_seconds(1), Some(b));
        assert_eq!(a.checked_add_days(29), Some(ts("2025-03-01T23:59:59Z")));
        assert_eq!(
            ts("2024-02-28T10:00:00Z").checked_add_days(1),
            Some(ts("2024-02-29T10:00:00Z"))
        );
        assert_eq!(b.checked_add_days(-1), Some(ts("2025-01-31T00:00:00Z")));
        assert_eq!(Timestamp::MAX.checked_add_seconds(1), None);
        assert_eq!(Timestamp::MIN.checked_add_seconds(-1), None);
        assert_eq!(b.checked_add_days(i64::MAX), None);
        assert_eq!(b.checked_add_seconds(i64::MIN), None);
        assert_eq!(b.saturating_add_days(i64::MAX), Timestamp::MAX);
        assert_eq!(b.saturating_add_seconds(i64::MIN), Timestamp::MIN);
        assert_eq!(Timestamp::from_unix_seconds(0), Some(Timestamp::UNIX_EPOCH));
        assert_eq!(
            Timestamp::from_unix_seconds(Timestamp::MAX.unix_seconds() + 1),
            None
        );
        assert_eq!(Timestamp::from_unix_seconds(i64::MIN), None);
    }
}
