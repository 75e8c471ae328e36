//! The node's append bodies, through the core functions its `Node::parse_receipts` calls (the
//! node's HTTP layer is private and being replaced, so it is not linked here): JSON Lines split
//! by `json::lines` and each line parsed by `parse_record`, or one JSON value by `json::parse`
//! whose objects are canonicalized. The first byte picks the form. Never panics, and every
//! receipt it yields is canonical.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaultmesh_core::json::{self, Limits, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&form, body)) = data.split_first() else {
        return;
    };
    let limits = Limits::default();
    let mut receipts = Vec::new();
    if form & 1 == 1 {
        for line in json::lines(body) {
            let Ok(line) = line else { return };
            let Ok(value) = json::parse_record(line, &limits) else {
                return;
            };
            receipts.push(value.to_canonical());
        }
    } else {
        let whole = Limits {
            max_bytes: body.len().max(limits.max_bytes),
            max_depth: limits.max_depth + 1,
        };
        let Ok(value) = json::parse(body, &whole) else {
            return;
        };
        let items: Vec<&Value<'_>> = match &value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => vec![&value],
            _ => return,
        };
        for item in items {
            if item.as_object().is_some() {
                receipts.push(item.to_canonical());
            }
        }
    }
    for receipt in receipts {
        let again = json::canonicalize(
            &receipt,
            &Limits {
                max_bytes: usize::MAX,
                max_depth: 1 << 10,
            },
        )
        .expect("a canonical receipt parses");
        assert_eq!(again, receipt);
    }
});
