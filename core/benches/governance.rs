//! `governance_chain/10000`: verifying a governance chain of 10,000 signed receipts (196 statute
//! changes by 48 voters: proposal, 48 votes, ratification and amendment each, plus executive
//! orders), from the parsed chain and from its bytes, next to the same receipts verified as
//! single records without governance (docs/SPEC.md §10.8).

#[path = "../examples/gen_governance_vectors.rs"]
mod generate;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use vaultmesh_core::governance::{verify_chain, verify_chain_json, Constitution};
use vaultmesh_core::json::{self, Limits};
use vaultmesh_core::record::verify_value;

const RECEIPTS: usize = 10_000;

fn chain(c: &mut Criterion) {
    let (text, version) = generate::bench_chain(RECEIPTS, 48);
    let limits = Limits {
        max_bytes: 1 << 30,
        max_depth: 64,
    };
    let value = json::parse(text.as_bytes(), &limits).unwrap();
    let report = verify_chain(&value);
    assert!(report.is_valid(), "{:?}", report.violation);
    assert_eq!(report.receipts, RECEIPTS);
    assert_eq!(report.last_version().unwrap().version.to_string(), version);
    eprintln!(
        "governance chain: {RECEIPTS} receipts, {} bytes, {} versions, ends at {version}",
        text.len(),
        report.versions.len()
    );

    let mut g = c.benchmark_group("governance_chain");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(6));
    g.throughput(Throughput::Elements(RECEIPTS as u64));
    g.bench_function("10000", |b| b.iter(|| verify_chain(&value).verified));
    g.bench_function("10000_from_bytes", |b| {
        b.iter(|| verify_chain_json(text.as_bytes(), &limits).verified)
    });
    // The floor: the same receipts through record::verify_value alone (fields and signature,
    // no governance checks), with the genesis keyring.
    let keyring = Constitution::parse(value.as_object().unwrap().get("genesis").unwrap())
        .unwrap()
        .keyring;
    let receipts = value
        .as_object()
        .unwrap()
        .get("receipts")
        .unwrap()
        .as_array()
        .unwrap();
    g.bench_function("10000_records_only", |b| {
        b.iter(|| {
            receipts
                .iter()
                .filter(|r| verify_value(r, None, &keyring).is_ok())
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, chain);
criterion_main!(benches);
