//! Query parameters and path numbers, each parsed into its type and range: a value outside it
//! is a 400 that names the parameter and the range, never a wrap-around or a silent clamp.

use crate::node::{ApiError, At, NodeCode, Result};

/// The largest sequence number, size or index the store can hold (its integers are i64).
pub const MAX: u64 = i64::MAX as u64;

/// How much of a refused value the error echoes.
const ECHO: usize = 40;

/// A number of `what` (a parameter or path part) in `min..=max`, or a 400 naming both.
pub fn number(what: &str, text: &str, min: u64, max: u64) -> Result<u64> {
    // Only plain decimal digits: no sign, no spaces, no `_`.
    let parsed = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u64>().ok()
    } else {
        None
    };
    match parsed {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => {
            let shown: String = text.chars().take(ECHO).collect();
            let more = if text.chars().count() > ECHO {
                "…"
            } else {
                ""
            };
            Err(ApiError::node(
                NodeCode::BadRequest,
                format!("{what} must be an integer in {min}..={max}, not {shown:?}{more}"),
            ))
        }
    }
}

/// The request's query parameters (`name=value&…`; the first of a repeated name counts).
pub struct Query<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Query<'a> {
    /// Splits a query string.
    pub fn parse(query: &'a str) -> Query<'a> {
        Query(
            query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .collect(),
        )
    }

    /// The raw value of `name`.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }

    /// `name` as a number in `min..=max`, if present.
    pub fn uint_in(&self, name: &str, min: u64, max: u64) -> Result<Option<u64>> {
        self.get(name)
            .map(|v| number(&format!("query parameter {name}"), v, min, max))
            .transpose()
    }

    /// `name` as a number in `0..=MAX`, if present.
    pub fn uint(&self, name: &str) -> Result<Option<u64>> {
        self.uint_in(name, 0, MAX)
    }

    /// `SEQ=n` (a checkpoint number, from 1) or `SIZE=n` (a tree size), else the latest.
    pub fn at(&self, seq: &str, size: &str) -> Result<At> {
        Ok(
            match (self.uint_in(seq, 1, MAX)?, self.uint_in(size, 0, MAX)?) {
                (Some(s), _) => At::Seq(s),
                (None, Some(n)) => At::Size(n),
                (None, None) => At::Latest,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_in_their_range() {
        let q = Query::parse(
            "from=9223372036854775808&a=9223372036854775807&b=-1&c=1e3&d=&e=007&checkpoint=0",
        );
        let e = q.uint("from").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("from"), "{}", e.message);
        assert!(
            e.message.contains("0..=9223372036854775807"),
            "{}",
            e.message
        );
        assert_eq!(q.uint("a").unwrap(), Some(MAX));
        for bad in ["b", "c", "d"] {
            assert!(q.uint(bad).is_err(), "{bad}");
        }
        assert_eq!(q.uint("e").unwrap(), Some(7));
        assert_eq!(q.uint("missing").unwrap(), None);
        // Checkpoint numbers start at 1.
        assert!(q.at("checkpoint", "tree_size").is_err());
        assert!(number("x", "18446744073709551616", 0, u64::MAX).is_err());
        let long = "9".repeat(500);
        assert!(number("x", &long, 0, MAX).unwrap_err().message.len() < 150);
    }
}
