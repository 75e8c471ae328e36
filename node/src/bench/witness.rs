//! `vm-node bench-witness` (issue 12; docs/PERFORMANCE.md "Witness rounds"): the latency of
//! one witness round between two real nodes on loopback, at a small and a large scroll in one
//! run, so the two figures are a paired ratio on one machine.
//!
//! For each size a fresh pair of meshes is made in a temporary directory (`witness` and
//! `peer`, each its own key, store and HTTP server in this process), discovered both ways and
//! bound by a level-2 agreement sharing `Compliance`; the peer's scroll is filled with that many
//! receipts and checkpointed. Each timed round is `POST /admin/federation/witness` on the
//! witness: it fetches the peer's signed checkpoint, the consistency proof from the checkpoint
//! it accepted last, and `SAMPLES` sampled receipts with inclusion proofs (every request signed,
//! RFC 9421), judges, signs, commits and delivers the receipt. Between rounds, untimed, the peer
//! appends one receipt and signs a checkpoint, so every round proves consistency.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{array, compliance_receipt, expect, percentile};
use crate::cli::Fail;
use crate::client::Client;
use crate::federation::demo::{call, loopback_mesh, Loopback};
use crate::util;

/// `vm-node bench-witness`.
#[derive(clap::Args, Debug)]
pub struct WitnessBenchArgs {
    /// The large scroll's receipts.
    #[arg(long, value_name = "N", default_value = "1000000", value_parser = crate::cli::count)]
    pub receipts: u64,
    /// The small scroll's receipts (the comparison).
    #[arg(long, value_name = "N", default_value = "10000", value_parser = crate::cli::count)]
    pub compare: u64,
    /// Timed rounds per size.
    #[arg(long, value_name = "R", default_value = "100", value_parser = crate::cli::count)]
    pub rounds: u64,
    /// Where the meshes live (default: a new temporary directory, removed afterwards).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

fn mesh(base: &Path, name: &str) -> Result<(String, Loopback), Fail> {
    let id = format!("did:vm:mesh:bench-{name}");
    let m = loopback_mesh(&base.join(name), &id, vec!["Compliance".to_string()])?;
    Ok((id, m))
}

fn post(c: &mut Client, path: &str, body: serde_json::Value) -> Result<serde_json::Value, Fail> {
    call(c, "POST", path, body)
}

/// Appends receipts `from..to` to the peer's `Compliance` in batches of 1,000 and signs a
/// checkpoint.
fn grow(peer: &mut Client, from: u64, to: u64, at: &str) -> Result<(), Fail> {
    let mut i = from;
    while i < to {
        let end = (i + 1_000).min(to);
        let batch: Vec<Vec<u8>> = (i..end).map(|k| compliance_receipt(k, at)).collect();
        expect(
            peer.post("/admin/scrolls/Compliance/receipts", &array(&batch)),
            "append",
            &[200],
        )?;
        i = end;
    }
    post(
        peer,
        "/admin/scrolls/Compliance/checkpoints",
        serde_json::Value::Null,
    )?;
    Ok(())
}

/// The round latencies (sorted) at one scroll size, and the seconds the fill took.
fn measure(
    base: &Path,
    size: u64,
    rounds: u64,
    log: &mut dyn FnMut(String),
) -> Result<(Vec<Duration>, f64), Fail> {
    let dir = base.join(format!("n{size}"));
    let (_, mut witness) = mesh(&dir, "witness")?;
    let (peer_id, mut peer) = mesh(&dir, "peer")?;
    post(
        &mut witness.client,
        "/admin/federation/discover",
        serde_json::json!({ "url": peer.url }),
    )?;
    post(
        &mut peer.client,
        "/admin/federation/discover",
        serde_json::json!({ "url": witness.url }),
    )?;
    let proposal = post(
        &mut witness.client,
        "/admin/federation/proposals",
        serde_json::json!({ "target": peer_id, "trust_level": 2, "scrolls": ["Compliance"],
            "terms": { "verification_frequency": "hourly" } }),
    )?;
    let id = proposal["proposal_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    post(
        &mut peer.client,
        &format!("/admin/federation/proposals/{id}"),
        serde_json::json!({ "decision": "accept" }),
    )?;
    let at = util::now_text();
    let fill = Instant::now();
    grow(&mut peer.client, 0, size, &at)?;
    let filled = fill.elapsed().as_secs_f64();
    log(format!("filled  {size} receipts in {filled:.1} s"));
    let round = |c: &mut Client| {
        post(
            c,
            "/admin/federation/witness",
            serde_json::json!({ "mesh": peer_id, "scroll": "Compliance" }),
        )
    };
    // The first round accepts the checkpoint (nothing to be consistent with): not timed.
    let first = round(&mut witness.client)?;
    if first["receipt"]["verification_result"] != "verified" {
        return Err(Fail::invalid(format!("the first round: {first}")));
    }
    let mut times = Vec::with_capacity(rounds as usize);
    for r in 0..rounds {
        grow(&mut peer.client, size + r, size + r + 1, &at)?;
        let start = Instant::now();
        let answer = round(&mut witness.client)?;
        times.push(start.elapsed());
        let receipt = &answer["receipt"];
        if receipt["verification_result"] != "verified" || receipt["samples_checked"] != 5 {
            return Err(Fail::invalid(format!("round {r}: {answer}")));
        }
    }
    witness.running.stop();
    peer.running.stop();
    times.sort();
    Ok((times, filled))
}

/// `vm-node bench-witness`: prints (or under `--json`, one object) p50 and p99 per size and
/// the large-to-small ratios beside log2 of the sizes.
pub fn run(args: &WitnessBenchArgs, json: bool) -> Result<(), Fail> {
    let base = util::dir_or_temp(args.dir.as_deref(), "vaultmesh-bench-witness")?;
    let mut log = |line: String| {
        if !json {
            println!("{line}");
        }
    };
    let mut rows = Vec::new();
    for size in [args.compare, args.receipts] {
        let (times, filled) = measure(&base, size, args.rounds, &mut log)?;
        let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
        log(format!(
            "witness {size} receipts: {} rounds of 5 samples, p50 {p50:.2} ms, p99 {p99:.2} ms",
            args.rounds
        ));
        rows.push(
            serde_json::json!({ "receipts": size, "rounds": args.rounds, "samples": 5,
            "p50_ms": p50, "p99_ms": p99, "fill_secs": filled }),
        );
    }
    let ratio = |field: &str| {
        rows[1][field].as_f64().unwrap_or(0.0) / rows[0][field].as_f64().unwrap_or(1.0).max(1e-9)
    };
    let log_ratio = (args.receipts.max(2) as f64).log2() / (args.compare.max(2) as f64).log2();
    let (r50, r99) = (ratio("p50_ms"), ratio("p99_ms"));
    log(format!(
        "ratio   {} / {} receipts: p50 {r50:.2}x, p99 {r99:.2}x (log2 ratio {log_ratio:.2}x)",
        args.receipts, args.compare
    ));
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&base);
    }
    if json {
        println!(
            "{}",
            serde_json::json!({ "sizes": rows, "p50_ratio": r50, "p99_ratio": r99, "log2_ratio": log_ratio })
        );
    }
    Ok(())
}
