//! The native side of the browser and Node benchmark (bindings/js/bench/run.mjs): the same
//! receipts (bindings/js/bench/gov-votes.json) and the same timing loops as
//! bindings/js/page/bench.js, with the core called directly from Rust.
//!
//! `cargo run --release -p vaultmesh-wasm --example native_bench -- [--seconds S] [--rounds N]`
//! prints one JSON object: `{"single": {"rounds": [...]}, "batch": {"rounds": [...]}}`, receipts
//! per second.

use std::time::Instant;

use vaultmesh_core::json::Limits;
use vaultmesh_core::record::{self, Keyring};

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `step` (which verifies `n` receipts) for `seconds`; receipts per second.
fn timed(seconds: f64, n: usize, mut step: impl FnMut()) -> f64 {
    let t0 = Instant::now();
    let mut done = 0usize;
    loop {
        step();
        done += n;
        let elapsed = t0.elapsed().as_secs_f64();
        if elapsed >= seconds {
            return done as f64 / elapsed;
        }
    }
}

fn main() {
    let seconds = arg("--seconds", 2.0);
    let rounds = arg("--rounds", 5.0) as usize;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../bindings/js/bench/gov-votes.json"
    );
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let ring = Keyring::from_json(fixture["keyring"].to_string().as_bytes()).unwrap();
    let records: Vec<Vec<u8>> = fixture["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().as_bytes().to_vec())
        .collect();
    let inputs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
    let limits = Limits::default();
    for r in &inputs {
        record::verify_record(r, None, &ring, &limits).unwrap();
    }
    let mut i = 0;
    let mut single = || {
        std::hint::black_box(record::verify_record(inputs[i], None, &ring, &limits).unwrap());
        i = (i + 1) % inputs.len();
    };
    let mut seed = [7u8; 32];
    let mut batch = || {
        seed[0] = seed[0].wrapping_add(1);
        let out = record::verify_batch(&inputs, None, &ring, &limits, &seed);
        assert!(out.iter().all(Result::is_ok));
    };
    timed(seconds, 1, &mut single);
    let (mut s, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        s.push(timed(seconds, 1, &mut single).round());
        b.push(timed(seconds, inputs.len(), &mut batch).round());
    }
    println!(
        "{}",
        serde_json::json!({"records": inputs.len(), "seconds": seconds, "single": {"rounds": s}, "batch": {"rounds": b}})
    );
}
