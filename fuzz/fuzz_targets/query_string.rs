//! The node's query strings and path numbers, through the node's own parser: this target
//! compiles `node/src/http/query.rs` itself (the file is std-only for this), so what is fuzzed
//! is what serves, without building the node. For every parameter name the node reads, a value
//! is either a plain decimal number inside the range asked for or a refusal that names the
//! parameter and stays short; it never wraps, clamps or panics.
#![no_main]

#[allow(dead_code)]
#[path = "../../node/src/http/query.rs"]
mod query;

use libfuzzer_sys::fuzz_target;

/// The parameters node/src/http/routes.rs reads as numbers.
const NAMES: [&str; 13] = [
    "from",
    "to",
    "from_size",
    "to_size",
    "index",
    "checkpoint",
    "tree_size",
    "from_checkpoint",
    "to_checkpoint",
    "expect_size",
    "sample",
    "count",
    "limit",
];

/// A refusal echoes at most 40 characters of the value, each escaped to at most 10 bytes.
const MAX_MESSAGE: usize = 600;

fn check(
    what: &str,
    raw: Option<&str>,
    parsed: Result<Option<u64>, query::QueryError>,
    min: u64,
    max: u64,
) {
    match (raw, parsed) {
        (None, Ok(None)) => {}
        (Some(raw), Ok(Some(n))) => {
            assert!((min..=max).contains(&n), "{what}={raw} gave {n}");
            assert!(
                raw.bytes().all(|b| b.is_ascii_digit()),
                "{what}={raw:?} accepted"
            );
            assert_eq!(raw.parse::<u64>().ok(), Some(n), "{what}={raw:?}");
        }
        (Some(_), Err(e)) => {
            assert!(e.0.contains(what), "{e} does not name {what}");
            assert!(e.0.len() < MAX_MESSAGE, "message of {} bytes", e.0.len());
        }
        (raw, parsed) => panic!("{what}: raw {raw:?} but parsed {parsed:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    // The server hands the parser the raw query of a request line, which is UTF-8 or refused.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let q = query::Query::parse(text);
    for name in NAMES {
        for (min, max) in [(0, query::MAX), (1, query::MAX), (1, 1000)] {
            check(name, q.get(name), q.uint_in(name, min, max), min, max);
        }
    }
    // A name from a list (`?kind=` of an append).
    let kinds = ["discovery", "proposal", "response", "agreement"];
    match q.one_of("kind", &kinds) {
        Ok(Some(v)) => assert!(kinds.contains(&v)),
        Ok(None) => assert!(q.get("kind").is_none()),
        Err(e) => {
            assert!(e.0.contains("kind") && e.0.len() < MAX_MESSAGE, "{e}");
        }
    }
    // A path segment (`/receipts/{index}`, `/checkpoints/{seq}`).
    check(
        "receipt index",
        Some(text),
        query::number("receipt index", text, 0, query::MAX).map(Some),
        0,
        query::MAX,
    );
});
