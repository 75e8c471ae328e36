//! RFC 9162 §2.1 Merkle trees with BLAKE3: the core against a recursive reference written
//! straight from the RFC's definitions, the store-backed functions against the slice-based ones,
//! every rejection, and the JSON forms.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;

use vaultmesh_core::json::{Number, Object, Value};
use vaultmesh_core::merkle::{
    empty_root, leaf_hash, node_hash, prove_consistency, prove_consistency_from_subtrees,
    prove_inclusion, prove_inclusion_from_subtrees, root, root_from_subtrees, verify_consistency,
    verify_inclusion, ConsistencyProof, Frontier, InclusionProof, EMPTY_ROOT,
};
use vaultmesh_core::{Digest, Error};

/// RFC 9162 §2.1, transcribed: recursion on the data, concatenated byte strings, no shortcuts.
mod reference {
    use vaultmesh_core::Digest;

    fn hash(bytes: &[u8]) -> Digest {
        Digest(*blake3::hash(bytes).as_bytes())
    }

    /// The largest power of two smaller than `n` (`n > 1`).
    fn split(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    /// `HASH(0x00 || d)`.
    pub fn leaf(d: &[u8]) -> Digest {
        hash(&[&[0u8][..], d].concat())
    }

    fn node(left: Digest, right: Digest) -> Digest {
        hash(&[&[1u8][..], &left.0, &right.0].concat())
    }

    /// §2.1.1: `MTH(D[n])`.
    pub fn mth(d: &[Vec<u8>]) -> Digest {
        match d.len() {
            0 => hash(b""),
            1 => leaf(&d[0]),
            n => {
                let k = split(n);
                node(mth(&d[..k]), mth(&d[k..]))
            }
        }
    }

    /// §2.1.3.1: `PATH(m, D[n])`.
    pub fn path(m: usize, d: &[Vec<u8>]) -> Vec<Digest> {
        let n = d.len();
        if n == 1 {
            return Vec::new();
        }
        let k = split(n);
        let (mut p, sibling) = if m < k {
            (path(m, &d[..k]), mth(&d[k..]))
        } else {
            (path(m - k, &d[k..]), mth(&d[..k]))
        };
        p.push(sibling);
        p
    }

    /// §2.1.4.1: `PROOF(m, D[n]) = SUBPROOF(m, D[n], true)`.
    pub fn proof(m: usize, d: &[Vec<u8>]) -> Vec<Digest> {
        subproof(m, d, true)
    }

    fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Digest> {
        let n = d.len();
        if m == n {
            return if b { Vec::new() } else { vec![mth(d)] };
        }
        let k = split(n);
        let (mut p, sibling) = if m <= k {
            (subproof(m, &d[..k], b), mth(&d[k..]))
        } else {
            (subproof(m - k, &d[k..], false), mth(&d[..k]))
        };
        p.push(sibling);
        p
    }
}

/// Distinct canonical-JSON-like records.
fn records(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("{{\"index\":{i},\"type\":\"test\"}}").into_bytes())
        .collect()
}

fn leaves(records: &[Vec<u8>]) -> Vec<Digest> {
    records.iter().map(|r| leaf_hash(r)).collect()
}

fn flip(d: &Digest) -> Digest {
    let mut out = *d;
    out.0[7] ^= 0x20;
    out
}

const SIZES: [usize; 10] = [0, 1, 2, 3, 5, 7, 8, 9, 16, 17];

#[test]
fn hashes_match_the_definitions() {
    assert_eq!(
        EMPTY_ROOT.to_string(),
        "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    );
    assert_eq!(empty_root(), EMPTY_ROOT);
    for r in records(3) {
        assert_eq!(leaf_hash(&r), reference::leaf(&r));
    }
    let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
    assert_eq!(
        node_hash(&a, &b),
        reference::mth(&[b"a".to_vec(), b"b".to_vec()])
    );
    // A leaf is never hashed like a node: the 0x00 / 0x01 prefixes differ.
    assert_ne!(leaf_hash(&[a.0, b.0].concat()), node_hash(&a, &b));
    // A record longer than one BLAKE3 chunk, hashed incrementally.
    let big = vec![b'x'; 5000];
    assert_eq!(leaf_hash(&big), reference::leaf(&big));
}

#[test]
fn small_trees_match_the_reference() {
    for n in SIZES {
        let data = records(n);
        let leaves = leaves(&data);
        let root_n = root(&leaves);
        assert_eq!(root_n, reference::mth(&data), "root of {n}");
        for i in 0..n {
            let proof = prove_inclusion(&leaves, i as u64).unwrap();
            assert_eq!(proof.leaf_index, i as u64);
            assert_eq!(proof.tree_size, n as u64);
            assert_eq!(
                proof.path,
                reference::path(i, &data),
                "inclusion of {i} in {n}"
            );
            assert_eq!(verify_inclusion(&root_n, &leaves[i], &proof), Ok(()));
        }
        for m in 1..=n {
            let proof = prove_consistency(&leaves, m as u64).unwrap();
            assert_eq!((proof.old_size, proof.new_size), (m as u64, n as u64));
            assert_eq!(
                proof.path,
                reference::proof(m, &data),
                "consistency {m} → {n}"
            );
            let root_m = reference::mth(&data[..m]);
            assert_eq!(verify_consistency(&root_m, &root_n, &proof), Ok(()));
        }
    }
}

#[test]
fn inclusion_rejections() {
    for n in SIZES.into_iter().filter(|&n| n > 0) {
        let leaves = leaves(&records(n));
        let r = root(&leaves);
        for i in 0..n {
            let good = prove_inclusion(&leaves, i as u64).unwrap();
            let leaf = &leaves[i];
            let mismatch = Err(Error::InclusionProofMismatch);

            for j in 0..good.path.len() {
                let mut p = good.clone();
                p.path[j] = flip(&p.path[j]);
                assert_eq!(
                    verify_inclusion(&r, leaf, &p),
                    mismatch,
                    "tampered {j} of {i}/{n}"
                );
            }
            assert_eq!(verify_inclusion(&flip(&r), leaf, &good), mismatch);
            assert_eq!(verify_inclusion(&r, &flip(leaf), &good), mismatch);
            if n > 1 {
                // Another leaf's hash under this proof, and this proof under another index.
                let other = (i + 1) % n;
                assert_eq!(verify_inclusion(&r, &leaves[other], &good), mismatch);
                let p = InclusionProof {
                    leaf_index: other as u64,
                    ..good.clone()
                };
                assert_eq!(
                    verify_inclusion(&r, leaf, &p),
                    mismatch,
                    "index {other} for {i}/{n}"
                );
            }

            let mut longer = good.clone();
            longer.path.push(leaves[0]);
            assert_eq!(verify_inclusion(&r, leaf, &longer), mismatch);
            let mut longer = good.clone();
            longer.path.insert(0, leaves[0]);
            assert_eq!(verify_inclusion(&r, leaf, &longer), mismatch);
            if !good.path.is_empty() {
                let mut shorter = good.clone();
                shorter.path.pop();
                assert_eq!(verify_inclusion(&r, leaf, &shorter), mismatch);
            }

            for index in [n as u64, n as u64 + 1, u64::MAX] {
                let p = InclusionProof {
                    leaf_index: index,
                    ..good.clone()
                };
                assert_eq!(verify_inclusion(&r, leaf, &p), Err(Error::IndexOutOfRange));
            }
        }
        assert_eq!(
            prove_inclusion(&leaves, n as u64),
            Err(Error::IndexOutOfRange)
        );
    }
    let empty = InclusionProof {
        leaf_index: 0,
        tree_size: 0,
        path: vec![],
    };
    assert_eq!(
        verify_inclusion(&EMPTY_ROOT, &EMPTY_ROOT, &empty),
        Err(Error::IndexOutOfRange)
    );
    assert_eq!(prove_inclusion(&[], 0), Err(Error::IndexOutOfRange));
    // A single-leaf tree: the root is the leaf hash and the path is empty.
    let one = leaf_hash(b"only");
    let p = prove_inclusion(&[one], 0).unwrap();
    assert!(p.path.is_empty());
    assert_eq!(verify_inclusion(&one, &one, &p), Ok(()));
    // A path far longer than any tree is turned down without walking all of it.
    let p = InclusionProof {
        leaf_index: 0,
        tree_size: 2,
        path: vec![one; 100_000],
    };
    assert_eq!(
        verify_inclusion(&one, &one, &p),
        Err(Error::InclusionProofMismatch)
    );
}

#[test]
fn consistency_rejections() {
    let mismatch = Err(Error::ConsistencyProofMismatch);
    for n in SIZES.into_iter().filter(|&n| n > 0) {
        let leaves = leaves(&records(n));
        let root_n = root(&leaves);

        for m in 1..=n {
            let root_m = root(&leaves[..m]);
            let good = prove_consistency(&leaves, m as u64).unwrap();
            if m == n {
                assert!(good.path.is_empty());
                let mut p = good.clone();
                p.path.push(root_n);
                assert_eq!(
                    verify_consistency(&root_m, &root_n, &p),
                    mismatch,
                    "m = n = {n}"
                );
                assert_eq!(verify_consistency(&root_m, &flip(&root_n), &good), mismatch);
                continue;
            }
            for j in 0..good.path.len() {
                let mut p = good.clone();
                p.path[j] = flip(&p.path[j]);
                assert_eq!(
                    verify_consistency(&root_m, &root_n, &p),
                    mismatch,
                    "tampered {j}, {m} → {n}"
                );
            }
            assert_eq!(
                verify_consistency(&root_n, &root_m, &good),
                mismatch,
                "swapped {m} → {n}"
            );
            assert_eq!(verify_consistency(&flip(&root_m), &root_n, &good), mismatch);
            assert_eq!(verify_consistency(&root_m, &flip(&root_n), &good), mismatch);

            let mut longer = good.clone();
            longer.path.push(leaves[0]);
            assert_eq!(verify_consistency(&root_m, &root_n, &longer), mismatch);
            let mut shorter = good.clone();
            shorter.path.pop();
            assert_eq!(
                verify_consistency(&root_m, &root_n, &shorter),
                mismatch,
                "shorter {m} → {n}"
            );
            let empty = ConsistencyProof {
                path: vec![],
                ..good.clone()
            };
            assert_eq!(verify_consistency(&root_m, &root_n, &empty), mismatch);

            // The proof for m does not serve another old size.
            for other in (1..n).filter(|&o| o != m) {
                let p = ConsistencyProof {
                    old_size: other as u64,
                    ..good.clone()
                };
                let root_other = root(&leaves[..other]);
                assert_eq!(verify_consistency(&root_other, &root_n, &p), mismatch);
            }
        }

        for (m, size) in [(0, n), (n + 1, n), (u64::MAX as usize, n)] {
            let p = ConsistencyProof {
                old_size: m as u64,
                new_size: size as u64,
                path: vec![root_n],
            };
            assert_eq!(
                verify_consistency(&root_n, &root_n, &p),
                Err(Error::InvalidTreeSize)
            );
            let p = ConsistencyProof { path: vec![], ..p };
            assert_eq!(
                verify_consistency(&root_n, &root_n, &p),
                Err(Error::InvalidTreeSize)
            );
        }
        assert_eq!(prove_consistency(&leaves, 0), Err(Error::InvalidTreeSize));
        assert_eq!(
            prove_consistency(&leaves, n as u64 + 1),
            Err(Error::InvalidTreeSize)
        );
    }
    assert_eq!(prove_consistency(&[], 0), Err(Error::InvalidTreeSize));
    let p = ConsistencyProof {
        old_size: 0,
        new_size: 0,
        path: vec![],
    };
    assert_eq!(
        verify_consistency(&EMPTY_ROOT, &EMPTY_ROOT, &p),
        Err(Error::InvalidTreeSize)
    );
}

/// Complete-subtree hashes as a node stores them, filled by `Frontier::append_with`.
struct Store {
    table: HashMap<(u32, u64), Digest>,
    frontiers: Vec<Frontier>,
}

impl Store {
    fn build(leaves: &[Digest]) -> Store {
        let mut table = HashMap::new();
        let mut frontier = Frontier::new();
        let mut frontiers = vec![frontier.clone()];
        for leaf in leaves {
            frontier.append_with(*leaf, |level, index, hash| {
                assert!(
                    table.insert((level, index), *hash).is_none(),
                    "({level}, {index}) twice"
                );
            });
            frontiers.push(frontier.clone());
        }
        let n = leaves.len();
        assert_eq!(table.len(), 2 * n - n.count_ones() as usize);
        Store { table, frontiers }
    }

    /// A getter for a tree of `size` leaves that counts its lookups and fails on any subtree not
    /// complete within `size`.
    fn get<'a>(&'a self, size: u64, lookups: &'a Cell<u32>) -> impl FnMut(u32, u64) -> Digest + 'a {
        move |level, index| {
            assert!(
                (index + 1) << level <= size,
                "({level}, {index}) asked for size {size}"
            );
            lookups.set(lookups.get() + 1);
            self.table[&(level, index)]
        }
    }
}

/// `⌈log₂ n⌉`-ish bound: the bit length of `n`.
fn bits(n: u64) -> u32 {
    64 - n.leading_zeros()
}

#[test]
fn store_matches_slices_on_many_sizes() {
    let all = leaves(&records(300));
    let store = Store::build(&all);
    let sizes: Vec<usize> = (0..=70)
        .chain([127, 128, 129, 255, 256, 257, 300])
        .collect();
    for &n in &sizes {
        let leaves = &all[..n];
        let size = n as u64;
        let lookups = Cell::new(0);

        let r = root(leaves);
        assert_eq!(
            root_from_subtrees(size, store.get(size, &lookups)),
            r,
            "root of {n}"
        );
        assert_eq!(lookups.get(), size.count_ones());
        let frontier = &store.frontiers[n];
        assert_eq!(frontier.size(), size);
        assert_eq!(frontier.root(), r);
        assert_eq!(
            &Frontier::from_subtrees(size, store.get(size, &lookups)),
            frontier
        );

        let indexes: Vec<usize> = if n <= 70 {
            (0..n).collect()
        } else {
            (0..n).step_by(7).chain([n - 1]).collect()
        };
        for i in indexes {
            lookups.set(0);
            let p =
                prove_inclusion_from_subtrees(size, i as u64, store.get(size, &lookups)).unwrap();
            assert_eq!(
                p,
                prove_inclusion(leaves, i as u64).unwrap(),
                "inclusion of {i} in {n}"
            );
            assert!(
                lookups.get() <= 2 * bits(size),
                "{} lookups for {i} in {n}",
                lookups.get()
            );
            assert_eq!(verify_inclusion(&r, &leaves[i], &p), Ok(()));
        }
        let olds: Vec<usize> = if n <= 70 {
            (1..=n).collect()
        } else {
            (1..=n).step_by(5).chain([n]).collect()
        };
        for m in olds {
            lookups.set(0);
            let p =
                prove_consistency_from_subtrees(m as u64, size, store.get(size, &lookups)).unwrap();
            assert_eq!(
                p,
                prove_consistency(leaves, m as u64).unwrap(),
                "consistency {m} → {n}"
            );
            assert!(
                lookups.get() <= 2 * bits(size) + 1,
                "{} lookups for {m} → {n}",
                lookups.get()
            );
            assert_eq!(
                verify_consistency(&store.frontiers[m].root(), &r, &p),
                Ok(())
            );
        }
        assert_eq!(
            prove_inclusion_from_subtrees(size, size, store.get(size, &lookups)),
            Err(Error::IndexOutOfRange)
        );
        assert_eq!(
            prove_consistency_from_subtrees(0, size, store.get(size, &lookups)),
            Err(Error::InvalidTreeSize)
        );
        assert_eq!(
            prove_consistency_from_subtrees(size + 1, size, store.get(size, &lookups)),
            Err(Error::InvalidTreeSize)
        );
    }
}

/// Sizes far beyond memory: a tree whose leaves are all the same, so the complete subtree
/// `(level, index)` hashes to `level_hash[level]` — a consistent store of 64 entries. Checks that
/// only complete subtrees inside the size are asked for, that lookups stay logarithmic, and that
/// the proofs verify.
#[test]
fn huge_trees_need_logarithmic_lookups() {
    let mut level_hash = vec![leaf_hash(b"same")];
    for level in 0..63 {
        level_hash.push(node_hash(&level_hash[level], &level_hash[level]));
    }
    let leaf = level_hash[0];
    for size in [
        1u64 << 40,
        (1 << 40) + 12_345,
        (1 << 53) - 1,
        u64::MAX - 1,
        u64::MAX,
    ] {
        let lookups = Cell::new(0u32);
        let get = |level: u32, index: u64| {
            assert!(
                (u128::from(index) + 1) << level <= u128::from(size),
                "({level}, {index}) for {size}"
            );
            lookups.set(lookups.get() + 1);
            level_hash[level as usize]
        };
        let r = root_from_subtrees(size, get);
        assert_eq!(lookups.get(), size.count_ones());
        for i in [0, 1, size / 3, size - 2, size - 1] {
            lookups.set(0);
            let p = prove_inclusion_from_subtrees(size, i, get).unwrap();
            assert!(lookups.get() <= 2 * bits(size));
            assert_eq!(verify_inclusion(&r, &leaf, &p), Ok(()), "{i} in {size}");
            let mut bad = p.clone();
            bad.path.pop();
            assert_eq!(
                verify_inclusion(&r, &leaf, &bad),
                Err(Error::InclusionProofMismatch)
            );
        }
        for m in [1, 2, 3, size / 2 + 1, size - 1, size] {
            lookups.set(0);
            let p = prove_consistency_from_subtrees(m, size, get).unwrap();
            assert!(lookups.get() <= 2 * bits(size) + 1);
            let old_root = root_from_subtrees(m, get);
            assert_eq!(
                verify_consistency(&old_root, &r, &p),
                Ok(()),
                "{m} → {size}"
            );
        }
        let frontier = Frontier::from_subtrees(size, get);
        assert_eq!((frontier.size(), frontier.root()), (size, r));
    }
}

fn number(value: f64, plain_integer: bool) -> Value<'static> {
    Value::Number(Number {
        value,
        plain_integer,
    })
}

fn object(members: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Object(Object {
        members: members
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    })
}

fn text(s: &str) -> Value<'static> {
    Value::String(Cow::Owned(s.to_owned()))
}

/// A proof's path in its JSON form: digest texts.
fn path_value(path: &[Digest]) -> Value<'static> {
    Value::Array(path.iter().map(|d| text(&d.to_string())).collect())
}

#[test]
fn json_round_trip() {
    let leaves = leaves(&records(9));
    let inclusion = prove_inclusion(&leaves, 5).unwrap();
    let value = inclusion.to_value();
    let path = path_value(&inclusion.path);
    assert_eq!(
        value,
        object(vec![
            ("leaf_index", number(5.0, true)),
            ("tree_size", number(9.0, true)),
            ("path", path)
        ])
    );
    assert_eq!(InclusionProof::from_value(&value), Ok(inclusion));

    let consistency = prove_consistency(&leaves, 3).unwrap();
    let value = consistency.to_value();
    let path = path_value(&consistency.path);
    assert_eq!(
        value,
        object(vec![
            ("old_size", number(3.0, true)),
            ("new_size", number(9.0, true)),
            ("path", path)
        ])
    );
    assert_eq!(ConsistencyProof::from_value(&value), Ok(consistency));

    // Member order does not matter; an empty path is fine.
    let equal = ConsistencyProof {
        old_size: 9,
        new_size: 9,
        path: vec![],
    };
    let reordered = object(vec![
        ("path", Value::Array(vec![])),
        ("new_size", number(9.0, true)),
        ("old_size", number(9.0, true)),
    ]);
    assert_eq!(ConsistencyProof::from_value(&reordered), Ok(equal));
    // Largest I-JSON integer.
    let big = object(vec![
        ("leaf_index", number(9007199254740990.0, true)),
        ("tree_size", number(9007199254740991.0, true)),
        ("path", Value::Array(vec![])),
    ]);
    let p = InclusionProof::from_value(&big).unwrap();
    assert_eq!((p.leaf_index, p.tree_size), ((1 << 53) - 2, (1 << 53) - 1));
    assert_eq!(p.to_value(), big);
}

/// Every way a proof object can be rejected, for both kinds.
#[test]
fn json_rejections() {
    use Error::{MalformedDigest, MalformedProof, NotAnInteger, UnsupportedHashAlgorithm};
    let digest = leaf_hash(b"x").to_string();
    let path_with = |last: Value<'static>| Value::Array(vec![text(&digest), last]);
    for names in [
        ["leaf_index", "tree_size", "path"],
        ["old_size", "new_size", "path"],
    ] {
        let check = |value: &Value, expected: Result<(), Error>| {
            let got = match names[0] {
                "leaf_index" => InclusionProof::from_value(value).map(drop),
                _ => ConsistencyProof::from_value(value).map(drop),
            };
            assert_eq!(got, expected, "{value:?}");
        };
        let members = |a: Value<'static>, b: Value<'static>, path: Value<'static>| {
            vec![(names[0], a), (names[1], b), (names[2], path)]
        };
        let with = |a, b, path| object(members(a, b, path));
        let good = || {
            members(
                number(1.0, true),
                number(2.0, true),
                path_with(text(&digest)),
            )
        };
        check(&object(good()), Ok(()));

        // Not an object.
        for v in [
            Value::Null,
            Value::Bool(true),
            number(1.0, true),
            text("{}"),
        ] {
            check(&v, Err(MalformedProof));
        }
        check(&Value::Array(vec![object(good())]), Err(MalformedProof));
        // A missing member, each in turn; an unknown one; a repeated one; none.
        for skip in 0..3 {
            let mut m = good();
            m.remove(skip);
            check(&object(m), Err(MalformedProof));
        }
        for extra in ["root", names[1]] {
            let mut m = good();
            m.push((extra, number(2.0, true)));
            check(&object(m), Err(MalformedProof));
        }
        check(&object(vec![]), Err(MalformedProof));

        // Integers: not a number at all, then numbers that are not plain non-negative integers:
        // 1.5, `100.0` or `1e2` (not written as plain integers), -1, -3e0.
        let not_numbers = [
            text("1"),
            Value::Null,
            Value::Bool(false),
            Value::Array(vec![]),
        ];
        let not_integers = [
            number(1.5, false),
            number(100.0, false),
            number(-1.0, true),
            number(-3.0, false),
        ];
        for (bad, error) in not_numbers
            .into_iter()
            .map(|v| (v, MalformedProof))
            .chain(not_integers.into_iter().map(|v| (v, NotAnInteger)))
        {
            let path = || path_with(text(&digest));
            check(&with(bad.clone(), number(200.0, true), path()), Err(error));
            check(&with(number(1.0, true), bad, path()), Err(error));
        }

        // Path: not an array; an element that is not a string; elements that are not digests.
        for bad in [text(&digest), Value::Null, object(vec![])] {
            check(
                &with(number(1.0, true), number(2.0, true), bad),
                Err(MalformedProof),
            );
        }
        for element in [
            number(1.0, true),
            Value::Null,
            Value::Array(vec![text(&digest)]),
        ] {
            let path = path_with(element);
            check(
                &with(number(1.0, true), number(2.0, true), path),
                Err(MalformedProof),
            );
        }
        let bad_digests = [
            (
                digest.replace("blake3:", "sha256:"),
                UnsupportedHashAlgorithm,
            ),
            (
                digest.replace("blake3:", "BLAKE3:"),
                UnsupportedHashAlgorithm,
            ),
            (
                digest.to_uppercase().replace("BLAKE3:", "blake3:"),
                MalformedDigest,
            ),
            (digest[7..].to_owned(), MalformedDigest),
            (digest[..70].to_owned(), MalformedDigest),
            (String::new(), MalformedDigest),
        ];
        for (bad, error) in bad_digests {
            let path = path_with(text(&bad));
            check(
                &with(number(1.0, true), number(2.0, true), path),
                Err(error),
            );
        }
    }
}
