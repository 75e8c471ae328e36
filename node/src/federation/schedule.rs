//! Scheduled witness rounds (issue 12 item 1; docs/node.md "Witness rounds"): a notification
//! comes only when the witnessed mesh chooses to send one, so the witness does not rely on it.
//! For each partner and each scroll their agreement shares and the partner offers
//! (`scrolls_available` of its discovery record), a round runs when none has run for the
//! agreement's `verification_frequency` (`witness::round_interval_secs`; the shortest when
//! several agreements share the scroll). With a partner at trust level ≥ 3 a cross-anchor is
//! signed on the same frequency, after that look's rounds. Time is the node's clock, so tests
//! move it; the scheduler looks once per [`POLL`] of real time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::witness::{round_interval_secs, FREQUENCIES};

use super::state::{self, Agreement};
use super::witness::{self, Stored, RECEIPTS};
use super::{anchor, peers};
use crate::node::{Node, Result};

/// How often the scheduler looks at the clock (real time).
pub const POLL: Duration = Duration::from_secs(1);

/// The frequency assumed for an agreement whose terms name none, or a name not in
/// [`FREQUENCIES`] (logged).
pub const DEFAULT_FREQUENCY: &str = "daily";

/// When the last round of each (peer, scroll) ran, node clock seconds; `None` until the
/// scheduler read the stored receipts.
static LAST_ROUND: Mutex<Option<HashMap<(String, String), u64>>> = Mutex::new(None);

/// Records that a round of `peer`'s `scroll` ran at `at` (called by every round, however it
/// was started).
pub fn ran(peer: &str, scroll: &str, at: u64) {
    let mut last = LAST_ROUND.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(map) = last.as_mut() {
        map.insert((peer.to_string(), scroll.to_string()), at);
    }
}

/// Starts the scheduler (`vm-node serve`, unless `[federation] scheduled_rounds = false`).
pub fn start(node: Arc<Node>) {
    std::thread::spawn(move || loop {
        if let Err(e) = tick(&node) {
            tracing::warn!(error = %e.message, "scheduled witness rounds");
        }
        std::thread::sleep(POLL);
    });
}

/// The rounds stored so far: the latest time per (witnessed mesh, scroll) this node witnessed.
fn stored_rounds(node: &Node) -> Result<HashMap<(String, String), u64>> {
    let mut map = HashMap::new();
    for s in state::all::<Stored>(node, RECEIPTS)? {
        if s.witnessing_mesh != node.mesh_id {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&s.receipt).unwrap_or_default();
        let at = seconds_of(&v["timestamp"]).unwrap_or(0);
        let slot = map.entry((s.witnessed_mesh, s.scroll)).or_insert(0);
        *slot = (*slot).max(at);
    }
    Ok(map)
}

fn seconds_of(v: &serde_json::Value) -> Option<u64> {
    v.as_str()
        .and_then(|t| Timestamp::parse(t).ok())
        .map(|t| t.unix_seconds().max(0) as u64)
}

/// When an agreement was established (`now` if its record does not say).
fn established_at(agreement: &Agreement, now: u64) -> u64 {
    let record: serde_json::Value = serde_json::from_str(&agreement.agreement).unwrap_or_default();
    seconds_of(&record["established_at"]).unwrap_or(now)
}

/// The interval of one agreement's `verification_frequency`.
fn interval_of(agreement: &Agreement) -> u64 {
    let term = agreement.term("verification_frequency");
    let name = term.as_str().unwrap_or(DEFAULT_FREQUENCY);
    round_interval_secs(name).unwrap_or_else(|| {
        let known: Vec<&str> = FREQUENCIES.iter().map(|(n, _)| *n).collect();
        tracing::warn!(agreement = %agreement.agreement_id, frequency = name,
            "unknown verification_frequency (known: {}): rounds run {DEFAULT_FREQUENCY}",
            known.join(", "));
        round_interval_secs(DEFAULT_FREQUENCY).unwrap_or(86_400)
    })
}

/// The rounds due now: every (peer, scroll) an agreement in force shares and the peer offers,
/// whose last round (or else the agreement's `established_at`) is an interval old.
fn due(node: &Node, now: u64) -> Result<Vec<(String, String)>> {
    // (peer, scroll) → (interval, when the earliest agreement sharing it was established).
    let mut wanted: HashMap<(String, String), (u64, u64)> = HashMap::new();
    for a in state::all::<Agreement>(node, state::AGREEMENT)? {
        if !a.in_force(now) || a.trust_level < 1 {
            continue;
        }
        let Ok(peer) = peers::known(node, &a.peer) else {
            continue;
        };
        let offered: serde_json::Value = serde_json::from_str(&peer.discovery).unwrap_or_default();
        let interval = interval_of(&a);
        let established = established_at(&a, now);
        for scroll in offered["scrolls_available"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let Some(scroll) = scroll.as_str().filter(|s| a.shares(s)) else {
                continue;
            };
            let slot = wanted
                .entry((a.peer.clone(), scroll.to_string()))
                .or_insert((interval, established));
            *slot = (slot.0.min(interval), slot.1.min(established));
        }
    }
    let mut last = LAST_ROUND.lock().unwrap_or_else(|p| p.into_inner());
    if last.is_none() {
        *last = Some(stored_rounds(node)?);
    }
    let map = last.get_or_insert_with(HashMap::new);
    let mut out: Vec<(String, String)> = wanted
        .into_iter()
        // Never witnessed: the first round is due an interval after the agreement began.
        .filter(|(key, (interval, since))| {
            now >= map.get(key).unwrap_or(since).saturating_add(*interval)
        })
        .map(|(key, _)| key)
        .collect();
    out.sort();
    Ok(out)
}

/// When this node last signed a cross-anchor with each peer, node clock seconds (`None` until
/// read from the stored cross-anchors).
static LAST_ANCHOR: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);

/// The level-3 peers a cross-anchor is due with: none signed for the agreement's
/// `verification_frequency` (or since it was established). Marks them as anchored now.
fn anchors_due(node: &Node, now: u64) -> Result<Vec<String>> {
    let mut last = LAST_ANCHOR.lock().unwrap_or_else(|p| p.into_inner());
    if last.is_none() {
        let mut map: HashMap<String, u64> = HashMap::new();
        for s in state::all::<anchor::Stored>(node, anchor::CROSS_ANCHOR)? {
            let v: serde_json::Value = serde_json::from_str(&s.record).unwrap_or_default();
            let at = seconds_of(&v["timestamp"]).unwrap_or(0);
            let slot = map.entry(s.anchored_mesh).or_insert(0);
            *slot = (*slot).max(at);
        }
        *last = Some(map);
    }
    let map = last.get_or_insert_with(HashMap::new);
    let mut due = Vec::new();
    for a in state::all::<Agreement>(node, state::AGREEMENT)? {
        if !a.in_force(now) || a.trust_level < 3 || due.contains(&a.peer) {
            continue;
        }
        let since = *map.get(&a.peer).unwrap_or(&established_at(&a, now));
        if now >= since.saturating_add(interval_of(&a)) {
            map.insert(a.peer.clone(), now);
            due.push(a.peer);
        }
    }
    due.sort();
    Ok(due)
}

/// One look at the clock: every round due runs now, one after the other, then every
/// cross-anchor due (issue 12 item 6: level ≥ 3, over the roots just witnessed) is signed.
fn tick(node: &Node) -> Result<()> {
    let now = node.now();
    for (peer, scroll) in due(node, now)? {
        match witness::round(node, &peer, &scroll, None) {
            Ok(v) => tracing::info!(peer, scroll, result = %v["receipt"]["verification_result"],
                "scheduled witness round"),
            Err(e) => {
                // Not stored (no agreement any more, or out of step): try again an interval on.
                ran(&peer, &scroll, now);
                tracing::warn!(peer, scroll, error = %e.message, "scheduled witness round refused");
            }
        }
    }
    for peer in anchors_due(node, now)? {
        match anchor::sign(node, &peer) {
            Ok(v) => {
                tracing::info!(peer, combined_root = %v["combined_root"], "scheduled cross-anchor")
            }
            // Nothing witnessed of the peer yet (EMPTY_ROOTS_INCLUDED), or no agreement any
            // more: again an interval on.
            Err(e) => tracing::warn!(peer, error = %e.message, "scheduled cross-anchor refused"),
        }
    }
    Ok(())
}
