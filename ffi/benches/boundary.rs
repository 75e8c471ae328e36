//! The cost of the C boundary: the same receipts verified by the core from Rust and through the
//! exported C functions (called through `extern "C"` function pointers, as a C program calls
//! them), single and batch, in one run (docs/PERFORMANCE.md, "C library and Python").
//!
//! Criterion reports each path; the paired section at the end interleaves the two paths round
//! by round and prints the median of the per-round ratios, which noise from other processes on
//! the two cores affects far less than the ratio of two separate measurements.
//!
//! `cargo bench -p vaultmesh-ffi --bench boundary`

use std::hint::black_box;
use std::time::Instant;

use criterion::{BatchSize, Criterion, Throughput};
use vaultmesh::keyring::vm_keyring;
use vaultmesh::status::vm_status;
use vaultmesh::types::{vm_limits, vm_verdict};
use vaultmesh_core::crypto;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::{self, Keyring, Kind};

/// A realistic ~600-byte vote by voter `i`, signed with voter `i`'s own key.
fn vote(i: usize) -> (String, Vec<u8>, [u8; 32]) {
    let voter = format!("did:vm:human:voter-{i:04}");
    let secret = *blake3::hash(format!("bench-voter-{i}").as_bytes()).as_bytes();
    let text = format!(
        r#"{{"type":"gov_vote","vote_id":"VOTE-2025-12-001","proposal_id":"PROP-2025-12-001","voter":"{voter}","voted_at":"2025-12-09T14:05:00Z","vote":"approve","weight":1.5,"comments":"Retention limits protect members and keep the Compliance scroll within the storage budget agreed at the last review; the proposal keeps receipts append-only and only governs derived data, so AXIOM-001 is untouched. Reviewed with the data protection officer on 2025-12-05.","context":{{"ballot":{i},"channel":"council","constitution_version":"1.0.0"}}}}"#
    );
    let Ok(Value::Object(mut object)) = json::parse_record(text.as_bytes(), &Limits::default())
    else {
        unreachable!("the vote template is a JSON object")
    };
    record::sign_record(&mut object, Kind::GovVote, &secret);
    (voter, Value::Object(object).to_canonical(), secret)
}

type VerifyFn = unsafe extern "C" fn(
    *const vm_keyring,
    *const u8,
    usize,
    *const std::ffi::c_char,
    usize,
    *const vm_limits,
    *mut vm_verdict,
) -> vm_status;

type BatchFn = unsafe extern "C" fn(
    *const vm_keyring,
    *const *const u8,
    *const usize,
    usize,
    *const std::ffi::c_char,
    usize,
    *const vm_limits,
    *const u8,
    *mut vm_verdict,
) -> vm_status;

struct Fixture {
    records: Vec<Vec<u8>>,
    ring: Keyring,
    handle: *mut vm_keyring,
    verify: VerifyFn,
    batch: BatchFn,
}

impl Fixture {
    fn new(n: usize) -> Fixture {
        let mut ring = Keyring::new();
        let mut handle: *mut vm_keyring = std::ptr::null_mut();
        // SAFETY: valid out pointer.
        assert_eq!(
            unsafe { vaultmesh::keyring::vm_keyring_new(&mut handle) },
            vm_status::Ok
        );
        let mut records = Vec::with_capacity(n);
        for i in 0..n {
            let (voter, bytes, secret) = vote(i);
            let key = crypto::derive_public_key(&secret);
            let text = key.to_string();
            // SAFETY: live handle, valid text pointers.
            let s = unsafe {
                vaultmesh::keyring::vm_keyring_add(
                    handle,
                    voter.as_ptr().cast(),
                    voter.len(),
                    text.as_ptr().cast(),
                    text.len(),
                )
            };
            assert_eq!(s, vm_status::Ok);
            ring.insert(voter, key);
            records.push(bytes);
        }
        // Function pointers hidden from the optimiser: a real call through the C ABI.
        let verify: VerifyFn = black_box(vaultmesh::record::vm_record_verify);
        let batch: BatchFn = black_box(vaultmesh::record::vm_record_verify_batch);
        Fixture {
            records,
            ring,
            handle,
            verify,
            batch,
        }
    }

    fn rust_single(&self, r: &[u8]) -> bool {
        record::verify_record(black_box(r), None, &self.ring, &Limits::default()).is_ok()
    }

    fn c_single(&self, r: &[u8]) -> bool {
        let mut verdict = std::mem::MaybeUninit::<vm_verdict>::uninit();
        // SAFETY: live handle, valid pointers; NULL kind and limits are allowed.
        let s = unsafe {
            (self.verify)(
                self.handle,
                r.as_ptr(),
                r.len(),
                std::ptr::null(),
                0,
                std::ptr::null(),
                verdict.as_mut_ptr(),
            )
        };
        s == vm_status::Ok
    }

    fn rust_batch(&self, inputs: &[&[u8]], seed: &[u8; 32]) -> usize {
        record::verify_batch(inputs, None, &self.ring, &Limits::default(), seed)
            .iter()
            .filter(|v| v.is_ok())
            .count()
    }

    fn c_batch(
        &self,
        ptrs: &[*const u8],
        lens: &[usize],
        seed: &[u8; 32],
        out: &mut [vm_verdict],
    ) -> usize {
        // SAFETY: arrays of equal length; live handle; 32-byte seed.
        let s = unsafe {
            (self.batch)(
                self.handle,
                ptrs.as_ptr(),
                lens.as_ptr(),
                ptrs.len(),
                std::ptr::null(),
                0,
                std::ptr::null(),
                seed.as_ptr(),
                out.as_mut_ptr(),
            )
        };
        assert_eq!(s, vm_status::Ok);
        out.iter().filter(|v| v.status == vm_status::Ok).count()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // SAFETY: the handle made in `new`, freed once.
        unsafe { vaultmesh::keyring::vm_keyring_free(self.handle) };
    }
}

fn blank_verdicts(n: usize) -> Vec<vm_verdict> {
    vec![
        vm_verdict {
            status: vm_status::Ok,
            hash: Default::default(),
            field: std::ptr::null(),
            field_len: 0
        };
        n
    ]
}

fn criterion_benches(c: &mut Criterion, f: &Fixture) {
    let one = &f.records[0];
    assert!(f.rust_single(one) && f.c_single(one));
    let mut g = c.benchmark_group("gov_vote_single");
    g.throughput(Throughput::Elements(1));
    g.bench_function("rust_verify_record", |b| b.iter(|| f.rust_single(one)));
    g.bench_function("c_vm_record_verify", |b| b.iter(|| f.c_single(one)));
    g.finish();

    let inputs: Vec<&[u8]> = f.records.iter().map(Vec::as_slice).collect();
    let ptrs: Vec<*const u8> = f.records.iter().map(|r| r.as_ptr()).collect();
    let lens: Vec<usize> = f.records.iter().map(Vec::len).collect();
    let mut out = blank_verdicts(f.records.len());
    let seed = [7u8; 32];
    let mut g = c.benchmark_group(format!("gov_vote_batch_x{}", f.records.len()));
    g.throughput(Throughput::Elements(f.records.len() as u64));
    g.sample_size(10);
    g.bench_function("rust_verify_batch", |b| {
        b.iter_batched(
            || seed,
            |s| f.rust_batch(&inputs, &s),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("c_vm_record_verify_batch", |b| {
        b.iter(|| f.c_batch(&ptrs, &lens, &seed, &mut out))
    });
    g.finish();
}

/// Median of per-round ratios `c / rust`, alternating which path runs first.
fn paired(name: &str, rounds: usize, mut rust: impl FnMut() -> f64, mut c: impl FnMut() -> f64) {
    let mut ratios = Vec::with_capacity(rounds);
    let (mut rust_total, mut c_total) = (0.0, 0.0);
    for round in 0..rounds {
        let (r, k) = if round % 2 == 0 {
            let r = rust();
            (r, c())
        } else {
            let k = c();
            (rust(), k)
        };
        rust_total += r;
        c_total += k;
        ratios.push(k / r);
    }
    ratios.sort_by(|a, b| a.total_cmp(b));
    let median = ratios[ratios.len() / 2];
    println!(
        "paired {name}: {rounds} rounds, rust {:.2} µs/receipt, C ABI {:.2} µs/receipt, median ratio C/rust {:.4} ({:+.2}%)",
        rust_total / rounds as f64,
        c_total / rounds as f64,
        median,
        (median - 1.0) * 100.0
    );
}

fn time_per_item(items: usize, f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64() * 1e6 / items as f64
}

fn paired_benches(f: &Fixture) {
    let records = &f.records;
    paired(
        "single",
        201,
        || {
            time_per_item(records.len(), || {
                assert!(records.iter().all(|r| f.rust_single(r)))
            })
        },
        || {
            time_per_item(records.len(), || {
                assert!(records.iter().all(|r| f.c_single(r)))
            })
        },
    );
    let inputs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
    let ptrs: Vec<*const u8> = records.iter().map(|r| r.as_ptr()).collect();
    let lens: Vec<usize> = records.iter().map(Vec::len).collect();
    let mut out = blank_verdicts(records.len());
    let seed = [9u8; 32];
    paired(
        &format!("batch x{}", records.len()),
        51,
        || {
            time_per_item(records.len(), || {
                assert_eq!(f.rust_batch(&inputs, &seed), records.len())
            })
        },
        || {
            time_per_item(records.len(), || {
                assert_eq!(f.c_batch(&ptrs, &lens, &seed, &mut out), records.len())
            })
        },
    );
}

/// `VM_BENCH_PATH=none|rust|c|rust-batch|c-batch`: only build the fixture and run that path
/// 10 times over the receipts, for counting instructions under
/// `valgrind --tool=callgrind` (counts do not depend on the load of the machine).
fn instructions_only(path: &str) {
    let f = Fixture::new(64);
    let inputs: Vec<&[u8]> = f.records.iter().map(Vec::as_slice).collect();
    let ptrs: Vec<*const u8> = f.records.iter().map(|r| r.as_ptr()).collect();
    let lens: Vec<usize> = f.records.iter().map(Vec::len).collect();
    let mut out = blank_verdicts(f.records.len());
    let seed = [9u8; 32];
    for _ in 0..10 {
        match path {
            "none" => {}
            "rust" => assert!(f.records.iter().all(|r| f.rust_single(r))),
            "c" => assert!(f.records.iter().all(|r| f.c_single(r))),
            "rust-batch" => assert_eq!(f.rust_batch(&inputs, &seed), inputs.len()),
            "c-batch" => assert_eq!(f.c_batch(&ptrs, &lens, &seed, &mut out), inputs.len()),
            other => unreachable!("unknown VM_BENCH_PATH {other}"),
        }
    }
}

fn main() {
    if let Ok(path) = std::env::var("VM_BENCH_PATH") {
        return instructions_only(&path);
    }
    let fixture = Fixture::new(64);
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &fixture);
    c.final_summary();
    paired_benches(&fixture);
}
