//! Constitution versions: `MAJOR.MINOR.PATCH` (semantic versioning, digits only, no leading
//! zeros) and the bump each kind of change requires.

use core::fmt;

use crate::error::{Error, Result};

/// A constitution version `MAJOR.MINOR.PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Incremented when something is removed (an article).
    pub major: u64,
    /// Incremented when an article, the rules or the engine registry change.
    pub minor: u64,
    /// Incremented for statutes and engine activations.
    pub patch: u64,
}

/// Which component of the version a change increments (the lower components reset to 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bump {
    /// `X.Y.Z` → `X+1.0.0`.
    Major,
    /// `X.Y.Z` → `X.Y+1.0`.
    Minor,
    /// `X.Y.Z` → `X.Y.Z+1`.
    Patch,
}

impl Version {
    /// Parses `MAJOR.MINOR.PATCH`: three dot-separated decimal numbers without sign or leading
    /// zeros, each at most 2^53-1. Anything else is [`Error::InvalidField`].
    pub fn parse(text: &str) -> Result<Version> {
        let mut parts = text.split('.');
        let mut next = || parts.next().and_then(component).ok_or(Error::InvalidField);
        let version = Version {
            major: next()?,
            minor: next()?,
            patch: next()?,
        };
        match parts.next() {
            None => Ok(version),
            Some(_) => Err(Error::InvalidField),
        }
    }

    /// The version after `bump`; `None` on overflow.
    pub fn bumped(self, bump: Bump) -> Option<Version> {
        Some(match bump {
            Bump::Major => Version {
                major: self.major.checked_add(1)?,
                minor: 0,
                patch: 0,
            },
            Bump::Minor => Version {
                major: self.major,
                minor: self.minor.checked_add(1)?,
                patch: 0,
            },
            Bump::Patch => Version {
                major: self.major,
                minor: self.minor,
                patch: self.patch.checked_add(1)?,
            },
        })
    }
}

const MAX_COMPONENT: u64 = (1 << 53) - 1;

fn component(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let digits_only = !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit);
    let leading_zero = bytes.len() > 1 && bytes.first() == Some(&b'0');
    if !digits_only || leading_zero || bytes.len() > 16 {
        return None;
    }
    text.parse::<u64>().ok().filter(|n| *n <= MAX_COMPONENT)
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parse_display_and_bump() {
        let v = Version::parse("1.0.0");
        assert_eq!(
            v,
            Ok(Version {
                major: 1,
                minor: 0,
                patch: 0
            })
        );
        let text = |v: Result<Version>, b| v.ok().and_then(|v| v.bumped(b)).map(|v| v.to_string());
        assert_eq!(text(v, Bump::Minor).as_deref(), Some("1.1.0"));
        assert_eq!(
            text(Version::parse("1.2.3"), Bump::Major).as_deref(),
            Some("2.0.0")
        );
        assert_eq!(
            text(Version::parse("1.2.3"), Bump::Minor).as_deref(),
            Some("1.3.0")
        );
        assert_eq!(
            text(Version::parse("1.2.3"), Bump::Patch).as_deref(),
            Some("1.2.4")
        );
        for bad in [
            "",
            "1",
            "1.0",
            "1.0.0.0",
            "01.0.0",
            "1.0.-1",
            "1.0.0 ",
            "v1.0.0",
            "1..0",
            "1.0.9007199254740992",
        ] {
            assert_eq!(Version::parse(bad), Err(Error::InvalidField), "{bad}");
        }
        assert_eq!(
            Version::parse("0.10.9007199254740991").map(|v| v.patch),
            Ok(MAX_COMPONENT)
        );
    }
}
