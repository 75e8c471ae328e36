//! The command line, declared with clap's derive: one struct of arguments per command, shared
//! pieces ([`FileArg`], [`KeyArgs`]) flattened into them, and the value parsers that name what
//! is accepted (`--kind` lists every kind; integers say their range).
//!
//! File names stay [`OsString`], so they need not be UTF-8; `-` is standard input.

use std::ffi::OsString;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use vaultmesh_core::record::Kind;

/// The largest integer I-JSON numbers hold exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A command's one input file.
#[derive(clap::Args, Debug)]
pub struct FileArg {
    /// The input file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub file: OsString,
}

/// The key options every verifying command takes.
#[derive(clap::Args, Debug, Default)]
pub struct KeyArgs {
    /// Trust KEY (ed25519:z6Mk... or did:key:z6Mk...) for ACTOR (did:vm:mesh|human|agent:NAME,
    /// or engine:NAME). Repeatable. An actor given two different keys is an error (exit 2); a
    /// signer with no key is UNKNOWN_SIGNER (exit 1).
    #[arg(long = "key", value_name = "ACTOR=KEY", action = clap::ArgAction::Append)]
    pub key: Vec<String>,
    /// Trust every key in FILE, a JSON object {"ACTOR": "KEY", ...}. Repeatable.
    #[arg(long = "keyring", value_name = "FILE", action = clap::ArgAction::Append)]
    pub keyring: Vec<OsString>,
}

/// Parses an integer from 0 to 2^53−1 (the I-JSON range, so that every size the tool reports
/// reads back exactly): digits only, no sign, no exponent.
pub fn safe_integer(text: &str) -> Result<u64, String> {
    let parsed = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u64>().ok()
    } else {
        None
    };
    match parsed {
        Some(n) if n <= MAX_SAFE_INTEGER => Ok(n),
        _ => Err("needs an integer from 0 to 2^53-1".to_string()),
    }
}

/// The short names `--kind` accepts besides every kind's domain.
const KIND_ALIASES: &[&str] = &[
    "discovery",
    "proposal",
    "response",
    "agreement",
    "checkpoint",
    "witness",
    "cross-anchor",
];

/// Every name `--kind` accepts, in help order: the short names, then the domains.
pub fn kind_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = KIND_ALIASES.to_vec();
    names.extend(Kind::ALL.iter().map(|k| k.domain()));
    names
}

/// The value parser of `--kind`: an unknown name is a usage error that lists the valid ones.
/// (`trust_proposal`, `proposal_response` and `cross_anchor` are accepted but not listed.)
pub fn kind_parser() -> impl TypedValueParser<Value = Kind> {
    let hidden = ["trust_proposal", "proposal_response", "cross_anchor"];
    let values = kind_names()
        .into_iter()
        .map(PossibleValue::new)
        .chain(hidden.into_iter().map(|n| PossibleValue::new(n).hide(true)));
    PossibleValuesParser::new(values).try_map(|name: String| {
        Kind::from_name(&name).ok_or_else(|| format!("unknown kind {name}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_kinds() {
        assert_eq!(safe_integer("3"), Ok(3));
        assert_eq!(safe_integer("9007199254740991"), Ok(MAX_SAFE_INTEGER));
        for bad in ["-1", "1.0", "1e3", "", "+1", "9007199254740992", " 1"] {
            assert!(safe_integer(bad).is_err(), "{bad}");
        }
        for name in kind_names() {
            assert!(Kind::from_name(name).is_some(), "{name}");
        }
    }
}
