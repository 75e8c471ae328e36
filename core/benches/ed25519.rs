//! Ed25519 layer: ed25519-dalek's `verify_strict` (raw) against our `crypto::verify_strict` and
//! `crypto::verify_batch`, 64 and 1024 items of 650-byte messages, distinct keys (the worst case
//! for the batch) and one shared key; plus the text decoders on the verification path.
//!
//! Small sample sizes keep the whole run under two minutes. At the end, paired ratios measured
//! in the same process are printed (`RATIO …`): the median over interleaved rounds of on-CPU
//! time (Linux), which a busy machine disturbs far less than criterion's wall-clock figures.

mod common;

use criterion::{black_box, criterion_group, Criterion, Throughput};
use std::time::Duration;
use vaultmesh_core::crypto::{derive_public_key, sign, verify_batch, verify_strict, BatchItem};
use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::encoding::{PublicKey, SignatureBytes};

const MESSAGE_LEN: usize = 650;

struct Set {
    keys: Vec<PublicKey>,
    messages: Vec<Vec<u8>>,
    signatures: Vec<SignatureBytes>,
    raw_keys: Vec<ed25519_dalek::VerifyingKey>,
    raw_signatures: Vec<ed25519_dalek::Signature>,
}

impl Set {
    /// `n` signed 650-byte messages; `distinct_keys` false signs all with one key.
    fn new(n: usize, distinct_keys: bool) -> Set {
        let mut set = Set {
            keys: Vec::new(),
            messages: Vec::new(),
            signatures: Vec::new(),
            raw_keys: Vec::new(),
            raw_signatures: Vec::new(),
        };
        for i in 0..n {
            let k = if distinct_keys { i } else { 0 };
            let secret = *blake3::hash(format!("bench key {k}").as_bytes()).as_bytes();
            let message: Vec<u8> = (0..MESSAGE_LEN).map(|j| (i * 31 + j * 7) as u8).collect();
            let key = derive_public_key(&secret);
            let signature = sign(&secret, &message);
            set.raw_keys.push(*key.verifying_key());
            set.raw_signatures
                .push(ed25519_dalek::Signature::from_bytes(&signature.0));
            set.keys.push(key);
            set.messages.push(message);
            set.signatures.push(signature);
        }
        set
    }

    fn items(&self) -> Vec<BatchItem<'_>> {
        (0..self.keys.len())
            .map(|i| BatchItem {
                key: &self.keys[i],
                message: &self.messages[i],
                signature: &self.signatures[i],
            })
            .collect()
    }

    fn raw_all(&self) -> bool {
        self.raw_keys
            .iter()
            .zip(&self.messages)
            .zip(&self.raw_signatures)
            .all(|((k, m), s)| k.verify_strict(m, s).is_ok())
    }

    fn ours_all(&self) -> bool {
        self.keys
            .iter()
            .zip(&self.messages)
            .zip(&self.signatures)
            .all(|((k, m), s)| verify_strict(k, m, s).is_ok())
    }

    fn batch_all(&self, items: &[BatchItem<'_>]) -> bool {
        verify_batch(items, &[7; 32]).iter().all(Result::is_ok)
    }
}

fn configure(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(200));
    g.measurement_time(Duration::from_millis(1500));
}

fn verification(c: &mut Criterion) {
    for (n, distinct) in [(64usize, true), (64, false), (1024, true)] {
        let set = Set::new(n, distinct);
        let items = set.items();
        assert!(set.raw_all() && set.ours_all() && set.batch_all(&items));
        let name = format!(
            "ed25519_x{n}_{}",
            if distinct { "distinct_keys" } else { "one_key" }
        );
        let mut g = c.benchmark_group(name);
        configure(&mut g);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function("dalek_verify_strict", |b| b.iter(|| assert!(set.raw_all())));
        g.bench_function("verify_strict", |b| b.iter(|| assert!(set.ours_all())));
        g.bench_function("verify_batch", |b| {
            b.iter(|| assert!(set.batch_all(&items)))
        });
        g.finish();
    }

    // Failure paths at 64 (distinct keys): one bad item, and every item bad.
    let set = Set::new(64, true);
    let mut one_bad = set.items();
    one_bad[37].message = &set.messages[36];
    let mut all_bad = set.items();
    for (i, item) in all_bad.iter_mut().enumerate() {
        item.message = &set.messages[(i + 1) % 64];
    }
    let mut g = c.benchmark_group("ed25519_x64_failures");
    configure(&mut g);
    g.bench_function("verify_batch_one_bad", |b| {
        b.iter(|| verify_batch(black_box(&one_bad), &[7; 32]))
    });
    g.bench_function("verify_batch_all_bad", |b| {
        b.iter(|| verify_batch(black_box(&all_bad), &[7; 32]))
    });
    g.finish();
}

fn decoding(c: &mut Criterion) {
    let set = Set::new(1, true);
    let sig_text = set.signatures[0].to_string();
    let key_text = set.keys[0].to_string();
    let mut g = c.benchmark_group("text");
    configure(&mut g);
    g.bench_function("signature_parse_88_chars", |b| {
        b.iter(|| SignatureBytes::parse(black_box(&sig_text)))
    });
    g.bench_function("signature_display", |b| {
        b.iter(|| black_box(&set.signatures[0]).to_string())
    });
    g.bench_function("public_key_parse", |b| {
        b.iter(|| PublicKey::parse(black_box(&key_text)))
    });
    g.bench_function("public_key_parse_with_torsion_known", |b| {
        b.iter(|| PublicKey::parse(black_box(&key_text)).map(PublicKey::with_torsion_known))
    });
    g.bench_function("timestamp_parse", |b| {
        b.iter(|| Timestamp::parse(black_box("2025-12-09T14:05:00Z")))
    });
    g.finish();
}

/// Paired ratios: each round times a block of dalek, ours and batch runs back to back, on-CPU
/// (the kernel updates it about every 4 ms, so a block lasts about 100 ms), so a busy machine
/// slows all three alike; the ratios are medians of the per-round ratios.
fn ratios() {
    for (n, distinct) in [(64usize, true), (64, false), (1024, true)] {
        let set = Set::new(n, distinct);
        let items = set.items();
        let reps = (0.1 / common::cpu_seconds(|| assert!(set.batch_all(&items)))).clamp(1.0, 1000.0)
            as usize;
        let block = |f: &dyn Fn() -> bool| {
            common::cpu_seconds(|| (0..reps).for_each(|_| assert!(f()))) / reps as f64
        };
        let (mut raw, mut ours, mut batch) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            raw.push(block(&|| set.raw_all()));
            ours.push(block(&|| set.ours_all()));
            batch.push(block(&|| set.batch_all(&items)));
        }
        let ratio = common::median_ratio;
        let per = |v: &[f64]| common::median(v.to_vec()) * 1e6 / n as f64;
        println!(
            "RATIO n={n} {}: dalek verify_strict {:.2} µs/sig, ours {:.2} µs/sig ({:.3}x dalek), \
             verify_batch {:.2} µs/sig: {:.2}x faster than ours, {:.2}x faster than dalek",
            if distinct { "distinct keys" } else { "one key" },
            per(&raw),
            per(&ours),
            ratio(&ours, &raw),
            per(&batch),
            ratio(&ours, &batch),
            ratio(&raw, &batch),
        );
    }
}

criterion_group!(benches, verification, decoding);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios();
}
