//! The governance append bench (docs/PERFORMANCE.md, "Governance appends"): a governed node
//! in a fresh data directory appends `n` governance receipts one per append — violations
//! detected by `engine:guardian`, with an executive order every 10th and an enforcement every
//! 25th, so every list the judge keeps grows — and reports the median cost per receipt over the
//! first and the last tenth, end to end (judge, verification, commit) and for the judge alone.
//!
//! ```text
//! cargo test -p vaultmesh-node --release --test governance -- --ignored --nocapture
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use vaultmesh_core::governance::Judge;
use vaultmesh_core::json::{self, Limits, Object, Value};
use vaultmesh_core::record::{sign_record, Kind};
use vaultmesh_core::sign::SecretKey;

use super::{genesis, timestamp};
use crate::config::{self, DataDir, GOVERNANCE_SCROLL};
use crate::node::Node;
use crate::violations::ManualClock;

/// What the bench measured.
#[derive(Clone, Debug)]
pub struct AppendCost {
    /// Receipts appended.
    pub receipts: usize,
    /// Median microseconds per append over the first tenth, end to end.
    pub first_us: f64,
    /// The same over the last tenth.
    pub last_us: f64,
    /// Median microseconds per receipt for `Judge::judge` alone, first tenth.
    pub judge_first_us: f64,
    /// The same, last tenth.
    pub judge_last_us: f64,
}

fn text(s: impl Into<String>) -> Value<'static> {
    Value::String(s.into().into())
}

fn object(members: Vec<(&'static str, Value<'static>)>) -> Object<'static> {
    let mut o = Object::default();
    for (k, v) in members {
        o.insert(k, v);
    }
    o
}

fn signed(mut o: Object<'static>, kind: Kind, key: &SecretKey) -> Vec<u8> {
    sign_record(&mut o, kind, key.seed());
    Value::Object(o).to_canonical()
}

/// The `i`th receipt at time `t`.
fn receipt(i: usize, t: u64, guardian: &SecretKey, sovereign: &SecretKey) -> Vec<u8> {
    let at = text(timestamp(t).to_string());
    if i % 10 == 9 {
        return signed(
            object(vec![
                ("type", text("gov_executive_order")),
                ("order_id", text(format!("ORDER-{i}"))),
                ("title", text("Operational directive")),
                ("issued_by", text(genesis_sovereign())),
                ("issued_at", at),
                ("authority", text("ARTICLE-I.1")),
                ("order_type", text("operational_directive")),
            ]),
            Kind::GovExecutiveOrder,
            sovereign,
        );
    }
    if i % 25 == 24 {
        return signed(
            object(vec![
                ("type", text("gov_enforcement")),
                ("enforcement_id", text(format!("ENF-{i}"))),
                ("violation_id", text(format!("V-{}", i - 1))),
                ("enforced_at", at),
                ("enforcement_type", text("warning")),
                (
                    "target",
                    text(format!("did:vm:agent:worker-{}", (i - 1) % 97)),
                ),
                ("action_taken", Value::Object(Object::default())),
                ("review_required", Value::Bool(true)),
                ("review_deadline", text(timestamp(t + 86_400).to_string())),
                ("enforced_by", text(super::GUARDIAN)),
            ]),
            Kind::GovEnforcement,
            guardian,
        );
    }
    let details = object(vec![
        ("actor", text(format!("did:vm:agent:worker-{}", i % 97))),
        ("action_attempted", text("write_outside_scope")),
        ("rule_violated", text("ARTICLE-III.2")),
        ("action_result", text("blocked")),
    ]);
    signed(
        object(vec![
            ("type", text("gov_violation")),
            ("violation_id", text(format!("V-{i}"))),
            ("detected_at", at),
            ("detected_by", text(super::GUARDIAN)),
            ("violation_type", text("capability_overreach")),
            ("severity", text("medium")),
            ("details", Value::Object(details)),
        ]),
        Kind::GovViolation,
        guardian,
    )
}

fn genesis_sovereign() -> &'static str {
    vaultmesh_core::governance::genesis::SOVEREIGN
}

fn key(path: &Path) -> Result<SecretKey, String> {
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    SecretKey::from_key_file(&text).map_err(|e| e.to_string())
}

/// The median: a shared machine's scheduling spikes move a mean, not a median.
fn median_us(samples: &[f64]) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or_default()
}

/// Runs the bench in the new directory `dir` with `n` receipts (n ≥ 10).
pub fn append_cost(dir: &Path, n: usize) -> Result<AppendCost, String> {
    let data = dir.join("node");
    config::init(
        &data,
        &config::InitOptions {
            mesh_id: "did:vm:mesh:bench",
            listen: "127.0.0.1:0",
            scrolls: vec![GOVERNANCE_SCROLL.to_string()],
            checkpoint_interval_secs: 0,
            store: None,
        },
    )
    .map_err(|e| e.0)?;
    genesis::init(&data).map_err(|e| e.0)?;
    // The WAL is synced at checkpoints, not per commit: the figure is the node's work, not the
    // disk's fsync.
    let path = data.join(config::CONFIG_FILE);
    let cfg = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    std::fs::write(
        &path,
        cfg.replace("durability = \"full\"", "durability = \"normal\""),
    )
    .map_err(|e| e.to_string())?;
    let t0 = 1_764_581_400;
    let clock = Arc::new(ManualClock::new(t0));
    let node = Node::open(&DataDir::load(&data).map_err(|e| e.0)?)
        .map_err(|e| e.to_string())?
        .with_clock(clock.clone());
    let guardian = key(&genesis::guardian_key_path(&data))?;
    let sovereign = key(&genesis::member_key_path(&data, genesis_sovereign()))?;
    let genesis_text = std::fs::read(genesis::genesis_path(&data)).map_err(|e| e.to_string())?;
    let genesis_doc = json::parse(&genesis_text, &Limits::default()).map_err(|e| e.to_string())?;
    let mut judge = Judge::new(&genesis_doc).map_err(|f| format!("{f:?}"))?;
    let tenth = n / 10;
    let (mut append_us, mut judge_us) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let t = t0 + i as u64;
        clock.advance(u64::from(i > 0));
        let body = receipt(i, t, &guardian, &sovereign);
        let value = json::parse_record(&body, &Limits::default()).map_err(|e| e.to_string())?;
        let started = Instant::now();
        judge
            .judge(&value, Some(timestamp(t)))
            .map_err(|f| format!("receipt {i}: {f:?}"))?;
        judge_us.push(started.elapsed().as_secs_f64() * 1e6);
        let started = Instant::now();
        node.append(GOVERNANCE_SCROLL, std::slice::from_ref(&body), None)
            .map_err(|e| format!("receipt {i}: {e}"))?;
        append_us.push(started.elapsed().as_secs_f64() * 1e6);
    }
    let _ = node.close();
    Ok(AppendCost {
        receipts: n,
        first_us: median_us(&append_us[..tenth]),
        last_us: median_us(&append_us[n - tenth..]),
        judge_first_us: median_us(&judge_us[..tenth]),
        judge_last_us: median_us(&judge_us[n - tenth..]),
    })
}
