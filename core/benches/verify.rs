//! Single-record and batch verification of a ~600-byte `gov_vote`, next to raw `verify_strict`
//! on the same signing input, in one run so the ratios are comparable (docs/PERFORMANCE.md).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ed25519_dalek::{Signer, SigningKey};
use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{self, Keyring, Kind};

const VOTER: &str = "did:vm:human:alice";

/// A realistic vote, signed by voter `i`'s key (distinct keys, as in a real batch).
fn vote(i: usize) -> (Vec<u8>, [u8; 32]) {
    let secret = *blake3::hash(format!("bench-voter-{i}").as_bytes()).as_bytes();
    let text = format!(
        r#"{{"type":"gov_vote","proposal_id":"PROP-2025-12-001","voter":"{VOTER}","vote":"for","weight":3,"cast_at":"2025-12-09T14:05:00Z","rationale":"Retention limits protect members and keep the compliance scroll within the storage budget agreed at the last review; the proposal keeps receipts append-only and only governs derived data, so AXIOM-001 is untouched. Reviewed with the data protection officer on 2025-12-05.","context":{{"ballot":{i},"channel":"council","constitution_version":"1.0.0"}}}}"#
    );
    let value = json::parse_record(text.as_bytes(), &Limits::default()).unwrap();
    let Value::Object(mut object) = value else { unreachable!() };
    record::sign_record(&mut object, Kind::GovVote, &secret);
    (Value::Object(object).to_canonical(), secret)
}

fn keyring_for(secret: &[u8; 32]) -> Keyring {
    let public = SigningKey::from_bytes(secret).verifying_key().to_bytes();
    let mut ring = Keyring::new();
    ring.insert(VOTER, PublicKey::from_bytes(&public).unwrap());
    ring
}

fn single(c: &mut Criterion) {
    let (bytes, secret) = vote(0);
    let ring = keyring_for(&secret);
    let limits = Limits::default();
    // The exact signing input and signature the full path verifies.
    let signing_key = SigningKey::from_bytes(&secret);
    let mut message = b"vaultmesh-sig-v1\0gov_vote\0".to_vec();
    let value = json::parse_record(&bytes, &limits).unwrap();
    let Value::Object(mut body) = value else { unreachable!() };
    body.remove("signature");
    Value::Object(body).write_canonical(&mut message);
    let signature = signing_key.sign(&message);
    let verifying_key = signing_key.verifying_key();
    assert!(record::verify_record(&bytes, None, &ring, &limits).is_ok());

    let mut g = c.benchmark_group("gov_vote");
    g.throughput(Throughput::Elements(1));
    eprintln!("gov_vote record: {} bytes, signing input {} bytes", bytes.len(), message.len());
    g.bench_function("verify_strict_raw", |b| b.iter(|| verifying_key.verify_strict(&message, &signature).unwrap()));
    g.bench_function("verify_record", |b| b.iter(|| record::verify_record(&bytes, None, &ring, &limits).unwrap()));
    g.finish();
}

fn batch(c: &mut Criterion) {
    let limits = Limits::default();
    for n in [64usize, 1024] {
        // One voter key per receipt would need n keyring entries under one id; use one key per
        // batch but distinct messages, and a second run below with distinct keys is not needed:
        // the batch equation's cost does not depend on key reuse.
        let (_, secret) = vote(0);
        let ring = keyring_for(&secret);
        let records: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let text = String::from_utf8(vote(i).0).unwrap();
                let value = json::parse_record(text.as_bytes(), &limits).unwrap();
                let Value::Object(mut object) = value else { unreachable!() };
                record::sign_record(&mut object, Kind::GovVote, &secret);
                Value::Object(object).to_canonical()
            })
            .collect();
        let inputs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        let seed = [7u8; 32];
        assert!(record::verify_batch(&inputs, None, &ring, &limits, &seed).iter().all(Result::is_ok));

        let mut g = c.benchmark_group(format!("gov_vote_x{n}"));
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(10);
        g.bench_function("single_path", |b| {
            b.iter(|| inputs.iter().all(|r| record::verify_record(r, None, &ring, &limits).is_ok()))
        });
        g.bench_function("batch_path", |b| {
            b.iter_batched(|| seed, |s| record::verify_batch(&inputs, None, &ring, &limits, &s), BatchSize::SmallInput)
        });
        g.finish();
    }
}

criterion_group!(benches, single, batch);
criterion_main!(benches);
