//! Scheduled witness rounds (issue 12 item 1; docs/node.md "Witness rounds"): a notification
//! comes only when the witnessed mesh chooses to send one, so the witness does not rely on it.
//! For each partner and each scroll their agreement shares and the partner offers
//! (`scrolls_available` of its discovery record), a round runs when none has run for the
//! agreement's `verification_frequency` (`witness::round_interval_secs`; the shortest when
//! several agreements share the scroll). Time is the node's clock, so tests move it; the
//! scheduler looks once per [`POLL`] of real time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::witness::{round_interval_secs, FREQUENCIES};

use super::peers;
use super::state::{self, Agreement};
use super::witness::{self, Stored, RECEIPTS};
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
        let at = v["timestamp"]
            .as_str()
            .and_then(|t| Timestamp::parse(t).ok())
            .map_or(0, |t| t.unix_seconds().max(0) as u64);
        let slot = map.entry((s.witnessed_mesh, s.scroll)).or_insert(0);
        *slot = (*slot).max(at);
    }
    Ok(map)
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
        let record: serde_json::Value = serde_json::from_str(&a.agreement).unwrap_or_default();
        let established = record["established_at"]
            .as_str()
            .and_then(|t| Timestamp::parse(t).ok())
            .map_or(now, |t| t.unix_seconds().max(0) as u64);
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

/// One look at the clock: every round due runs now, one after the other.
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
    Ok(())
}
