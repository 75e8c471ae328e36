//! Single-record and batch verification of a ~600-byte `gov_vote`, next to raw `verify_strict`
//! on the same signing input, in one run so the ratios are comparable (docs/PERFORMANCE.md).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, Criterion, Throughput};
use ed25519_dalek::SigningKey;
use vaultmesh_core::encoding::{PublicKey, SignatureBytes};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{self, Keyring, Kind};

/// A realistic ~600-byte vote by voter `i`, signed with that voter's own key.
fn vote(i: usize) -> (Vec<u8>, String, PublicKey) {
    let secret = *blake3::hash(format!("bench-voter-{i}").as_bytes()).as_bytes();
    let voter = format!("did:vm:human:voter-{i:04}");
    let text = format!(
        r#"{{"type":"gov_vote","vote_id":"VOTE-2025-12-001","proposal_id":"PROP-2025-12-001","voter":"{voter}","voted_at":"2025-12-09T14:05:00Z","vote":"approve","weight":1.5,"comments":"Retention limits protect members and keep the Compliance scroll within the storage budget agreed at the last review; the proposal keeps receipts append-only and only governs derived data, so AXIOM-001 is untouched. Reviewed with the data protection officer.","context":{{"ballot":17,"channel":"council","constitution_version":"1.0.0"}}}}"#
    );
    let value = json::parse_record(text.as_bytes(), &Limits::default()).unwrap();
    let Value::Object(mut object) = value else {
        unreachable!()
    };
    record::sign_record(&mut object, Kind::GovVote, &secret);
    let public =
        PublicKey::from_bytes(&SigningKey::from_bytes(&secret).verifying_key().to_bytes()).unwrap();
    (Value::Object(object).to_canonical(), voter, public)
}

/// One vote, the keyring that verifies it, and — for raw `verify_strict` — exactly the signing
/// input and signature the full path verifies.
struct Single {
    bytes: Vec<u8>,
    ring: Keyring,
    message: Vec<u8>,
    signature: ed25519_dalek::Signature,
    key: ed25519_dalek::VerifyingKey,
}

fn single_case() -> Single {
    let (bytes, voter, public) = vote(0);
    let mut ring = Keyring::new();
    ring.insert(voter, public);
    let Value::Object(mut body) = json::parse_record(&bytes, &Limits::default()).unwrap() else {
        unreachable!()
    };
    let signature =
        SignatureBytes::parse(body.remove("signature").unwrap().as_str().unwrap()).unwrap();
    let signature = ed25519_dalek::Signature::from_bytes(signature.as_bytes());
    let mut message = b"vaultmesh-sig-v1\0gov_vote\0".to_vec();
    Value::Object(body).write_canonical(&mut message);
    let key = *public.verifying_key();
    key.verify_strict(&message, &signature).unwrap();
    record::verify_record(&bytes, None, &ring, &Limits::default()).unwrap();
    Single {
        bytes,
        ring,
        message,
        signature,
        key,
    }
}

/// `n` votes, each by its own voter (as in a real batch), and the keyring of all of them.
fn votes(n: usize) -> (Vec<Vec<u8>>, Keyring) {
    let mut ring = Keyring::new();
    let records = (0..n)
        .map(|i| {
            let (bytes, voter, public) = vote(i);
            ring.insert(voter, public);
            bytes
        })
        .collect();
    (records, ring)
}

fn single(c: &mut Criterion) {
    let Single {
        bytes,
        ring,
        message,
        signature,
        key: verifying_key,
    } = single_case();
    let limits = Limits::default();
    eprintln!(
        "gov_vote record: {} bytes, signing input {} bytes",
        bytes.len(),
        message.len()
    );

    let mut g = c.benchmark_group("gov_vote");
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify_strict_raw", |b| {
        b.iter(|| verifying_key.verify_strict(&message, &signature).unwrap())
    });
    g.bench_function("verify_record", |b| {
        b.iter(|| record::verify_record(&bytes, None, &ring, &limits).unwrap())
    });
    g.finish();
}

fn batch(c: &mut Criterion) {
    let limits = Limits::default();
    for n in [64usize, 1024] {
        let (records, ring) = votes(n);
        let inputs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        let seed = [7u8; 32];
        assert!(record::verify_batch(&inputs, None, &ring, &limits, &seed)
            .iter()
            .all(Result::is_ok));

        let mut g = c.benchmark_group(format!("gov_vote_x{n}"));
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(10);
        g.bench_function("single_path", |b| {
            b.iter(|| {
                inputs
                    .iter()
                    .all(|r| record::verify_record(r, None, &ring, &limits).is_ok())
            })
        });
        g.bench_function("batch_path", |b| {
            b.iter(|| record::verify_batch(&inputs, None, &ring, &limits, &seed))
        });
        g.finish();
    }
}

/// The acceptance ratios, measured paired (see `common`): full single-record verification
/// against raw `verify_strict` on the same message, and the batch path against the single path.
fn ratios() {
    let limits = Limits::default();
    let Single {
        bytes,
        ring,
        message,
        signature,
        key,
    } = single_case();
    const REPS: usize = 2000; // ~100 ms per block
    let t = common::interleaved(
        15,
        &mut [
            &mut || (0..REPS).for_each(|_| key.verify_strict(&message, &signature).unwrap()),
            &mut || {
                (0..REPS).for_each(|_| {
                    black_box(record::verify_record(&bytes, None, &ring, &limits).unwrap());
                })
            },
        ],
    );
    let per = |v: &[f64]| common::median(v.to_vec()) / REPS as f64 * 1e6;
    println!(
        "RATIO single: verify_strict_raw {:.2} µs, verify_record {:.2} µs: full verification runs at {:.1}% of raw verify_strict throughput",
        per(&t[0]),
        per(&t[1]),
        100.0 * common::median_ratio(&t[0], &t[1])
    );

    for n in [64usize, 1024] {
        let (records, ring) = votes(n);
        let inputs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        let reps = (2048 / n).max(1);
        let t = common::interleaved(
            9,
            &mut [
                &mut || {
                    (0..reps).for_each(|_| {
                        assert!(inputs
                            .iter()
                            .all(|r| record::verify_record(r, None, &ring, &limits).is_ok()))
                    })
                },
                &mut || {
                    (0..reps).for_each(|_| {
                        drop(record::verify_batch(
                            &inputs, None, &ring, &limits, &[7; 32],
                        ))
                    })
                },
            ],
        );
        let per = |v: &[f64]| common::median(v.to_vec()) / (reps * n) as f64 * 1e6;
        println!(
            "RATIO batch n={n}: single path {:.2} µs/receipt, batch path {:.2} µs/receipt: batch is {:.2}x the single path",
            per(&t[0]),
            per(&t[1]),
            common::median_ratio(&t[0], &t[1])
        );
    }
}

criterion_group!(benches, single, batch);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios();
}
