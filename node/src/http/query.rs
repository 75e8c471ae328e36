//! Query parameters and path numbers, each parsed into its type and range: a value outside it
//! is a 400 that names the parameter and the range, never a wrap-around or a silent clamp.
//!
//! Self-contained (std only) so that the `query_string` fuzz target compiles this very file
//! without building the node; [`QueryError`] becomes the API's `BAD_REQUEST` in one place
//! (`impl From<QueryError> for ApiError`).

use std::fmt;

/// A refused query parameter or path number: the message names it and its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Result of query parsing.
pub type Result<T> = std::result::Result<T, QueryError>;

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
            Err(QueryError(format!(
                "{what} must be an integer in {min}..={max}, not {shown:?}{more}"
            )))
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

    /// `name`'s value if present, which must be one of `allowed` (the error lists them).
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<&'a str>> {
        match self.get(name) {
            Some(v) if !allowed.contains(&v) => {
                let shown: String = v.chars().take(ECHO).collect();
                Err(QueryError(format!(
                    "query parameter {name} must be one of {}, not {shown:?}",
                    allowed.join(", ")
                )))
            }
            v => Ok(v),
        }
    }

    /// `name` as a number in `0..=MAX`, if present.
    pub fn uint(&self, name: &str) -> Result<Option<u64>> {
        self.uint_in(name, 0, MAX)
    }

    /// Parameter `name` as a comma-separated list of at most `max_len` integers, each in
    /// `0..=max`; absent is `None`, an empty value or a longer list a 400.
    pub fn uint_list(&self, name: &str, max_len: usize, max: u64) -> Result<Option<Vec<u64>>> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > max_len {
            return Err(QueryError(format!(
                "{name} lists at most {max_len} integers, not {}",
                parts.len()
            )));
        }
        parts
            .into_iter()
            .map(|p| number(name, p, 0, max))
            .collect::<Result<Vec<u64>>>()
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uint_lists_are_bounded_in_length_and_value() {
        let q = Query::parse("indexes=3,0,17&none=&long=1,2,3");
        assert_eq!(q.uint_list("indexes", 4, 20), Ok(Some(vec![3, 0, 17])));
        assert_eq!(q.uint_list("absent", 4, 20), Ok(None));
        assert!(q
            .uint_list("indexes", 4, 10)
            .unwrap_err()
            .0
            .contains("0..=10"));
        assert!(q.uint_list("none", 4, 10).is_err());
        assert!(q
            .uint_list("long", 2, 10)
            .unwrap_err()
            .0
            .contains("at most 2"));
    }

    #[test]
    fn one_of_names_the_valid_values() {
        let q = Query::parse("kind=agreement&bad=x");
        assert_eq!(
            q.one_of("kind", &["proposal", "agreement"]),
            Ok(Some("agreement"))
        );
        assert_eq!(q.one_of("missing", &["a"]), Ok(None));
        let e = q.one_of("bad", &["proposal", "agreement"]).unwrap_err();
        assert!(e.0.contains("proposal, agreement"), "{e}");
    }

    #[test]
    fn numbers_stay_in_their_range() {
        let q = Query::parse(
            "from=9223372036854775808&a=9223372036854775807&b=-1&c=1e3&d=&e=007&checkpoint=0",
        );
        let e = q.uint("from").unwrap_err().0;
        assert!(e.contains("from"), "{e}");
        assert!(e.contains("0..=9223372036854775807"), "{e}");
        assert_eq!(q.uint("a").unwrap(), Some(MAX));
        for bad in ["b", "c", "d"] {
            assert!(q.uint(bad).is_err(), "{bad}");
        }
        assert_eq!(q.uint("e").unwrap(), Some(7));
        assert_eq!(q.uint("missing").unwrap(), None);
        // Checkpoint numbers start at 1.
        assert!(q.uint_in("checkpoint", 1, MAX).is_err());
        assert!(number("x", "18446744073709551616", 0, u64::MAX).is_err());
        let long = "9".repeat(500);
        assert!(number("x", &long, 0, MAX).unwrap_err().0.len() < 150);
    }
}
