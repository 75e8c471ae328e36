//! RFC 8785 conformance against the reference test vectors of cyberphone/json-canonicalization
//! (vendored in `test-vectors/external/jcs`, see its README).
//!
//! Every input must canonicalise byte-exactly to its output, except the inputs VaultMesh's
//! stricter I-JSON rules (wire format §2) reject, which must fail with exactly the listed error.

use std::fs;
use std::path::PathBuf;

use vaultmesh_core::json::{parse, Limits};
use vaultmesh_core::Error;

/// Inputs that hold numbers beyond ±(2^53−1), which I-JSON (as VaultMesh applies it) rejects.
const REJECTED: &[(&str, Error)] = &[("values.json", Error::NumberOutOfRange)];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/external/jcs")
}

fn read(path: PathBuf) -> Vec<u8> {
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn canonical(input: &[u8]) -> Result<Vec<u8>, Error> {
    parse(input, &Limits::default()).map(|v| v.to_canonical())
}

#[test]
fn every_vector_canonicalises_byte_exactly_or_is_rejected_as_listed() {
    let mut names: Vec<String> = fs::read_dir(dir().join("input"))
        .expect("vector directory")
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 6,
        "expected the six upstream vectors, found {names:?}"
    );

    let mut rejected = Vec::new();
    for name in &names {
        let input = read(dir().join("input").join(name));
        let expected = read(dir().join("output").join(name));
        match REJECTED.iter().find(|(n, _)| n == name) {
            Some(&(_, error)) => {
                assert_eq!(canonical(&input), Err(error), "{name}");
                rejected.push(name.as_str());
            }
            None => {
                let got = canonical(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&expected),
                    "{name}"
                );
                assert_eq!(got, expected, "{name}");
                // Canonical output is a fixed point.
                assert_eq!(
                    canonical(&expected),
                    Ok(expected.clone()),
                    "{name} (output)"
                );
            }
        }
    }
    let listed: Vec<&str> = REJECTED.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        rejected, listed,
        "every listed rejection must exist among the vectors"
    );
}

/// `values.json` without its one out-of-range number (`1E30`, canonically `1e+30`) exercises the
/// rest of the file's numbers and escapes byte-exactly.
#[test]
fn values_vector_without_its_out_of_range_number() {
    let input = String::from_utf8(read(dir().join("input/values.json"))).expect("UTF-8");
    let expected = String::from_utf8(read(dir().join("output/values.json"))).expect("UTF-8");
    assert_eq!(input.matches("1E30, ").count(), 1);
    assert_eq!(expected.matches("1e+30,").count(), 1);
    let input = input.replace("1E30, ", "");
    let expected = expected.replace("1e+30,", "");
    assert_eq!(
        canonical(input.as_bytes()).map(String::from_utf8),
        Ok(Ok(expected))
    );
}
