//! Federation between meshes (protocol "Federation Protocol", steps 1–4; docs/SPEC.md §7.6–§7.8
//! and docs/node.md "Federation"): discovery with pinned keys, signed requests, the negotiation
//! of proposals, mutually signed agreements, revocation with notice, and trust levels on every
//! federation endpoint.
//!
//! Every decision about validity is the core's (`vaultmesh_core::federation`); this module does
//! the I/O: it reads and writes state rows (`federation.peer`, `federation.proposal`,
//! `federation.agreement`) in the same transaction as the signed record that justifies them,
//! appended to the `Federation` scroll, and it makes the signed calls to peers.

use serde::Deserialize;

pub mod anchor;
pub mod demo;
mod gossip;
mod http;
mod negotiate;
pub mod notify;
mod peers;
pub mod schedule;
pub mod signed;
mod state;
pub mod witness;

pub use http::{route, takes_body, Request, SignatureHeaders};

/// Test hook: abort after a peer committed a step and before this node commits it (set by
/// `vm-node serve --test-clock … ` when `VM_NODE_TEST_FED_CRASH=before-commit`; never
/// otherwise).
pub static CRASH_BEFORE_COMMIT: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Test hook: abort after the target took a proposal of ours, before we store it
/// (`VM_NODE_TEST_FED_CRASH=after-proposal`, with `--test-clock` only).
pub static CRASH_AFTER_PROPOSAL: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// The scroll federation records are appended to.
pub const SCROLL: &str = "Federation";

/// Appends records this module verified to [`SCROLL`] with the state rows they justify, in one
/// transaction. `kinds` names their kinds (one for all, or one each; none: from `type`), `ring`
/// holds the keys they are verified with (the peers'). The node writes them as the engine it
/// hosts, `engine:federation` (docs/SPEC.md §10.11): the one way federation records are stored.
fn keep(
    node: &crate::node::Node,
    records: &[Vec<u8>],
    kinds: &[vaultmesh_core::record::Kind],
    ring: &vaultmesh_core::record::Keyring,
    rows: &[crate::store::StatePut<'_>],
) -> crate::node::Result<()> {
    node.append_records(SCROLL, records, None, kinds, Some(ring), rows)
        .map(|_| ())
}

/// `[federation]` in `config.toml`: the trust policy proposals and counters are checked
/// against (the discovery record's `trust_policy`, plus `max_trust_level`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederationConfig {
    /// Whether this mesh accepts proposals at all.
    #[serde(default = "yes")]
    pub accepts_proposals: bool,
    /// The lowest trust level accepted.
    #[serde(default = "one")]
    pub min_trust_level: u64,
    /// The highest trust level accepted.
    #[serde(default = "four")]
    pub max_trust_level: u64,
    /// Published in `trust_policy.requires_mutual`; every agreement is signed by both parties.
    #[serde(default = "yes")]
    pub requires_mutual: bool,
    /// A witness round retries an unreachable peer this many times before its `failed`
    /// receipt (issue 12).
    #[serde(default = "three_retries")]
    pub witness_retries: u32,
    /// The first wait between those retries, milliseconds; it doubles each time.
    #[serde(default = "backoff_ms")]
    pub witness_backoff_ms: u64,
    /// Whether `serve` notifies the witnesses of a shared scroll of each checkpoint it signs.
    #[serde(default = "yes")]
    pub notify_peers: bool,
    /// Whether `serve` runs a witness round of each shared scroll when none ran for the
    /// agreement's `verification_frequency` (`federation::schedule`).
    #[serde(default = "yes")]
    pub scheduled_rounds: bool,
}

fn three_retries() -> u32 {
    3
}
fn backoff_ms() -> u64 {
    250
}

fn yes() -> bool {
    true
}
fn one() -> u64 {
    1
}
fn four() -> u64 {
    4
}

impl Default for FederationConfig {
    fn default() -> FederationConfig {
        FederationConfig {
            accepts_proposals: true,
            min_trust_level: 1,
            max_trust_level: 4,
            requires_mutual: true,
            witness_retries: three_retries(),
            witness_backoff_ms: backoff_ms(),
            notify_peers: true,
            scheduled_rounds: true,
        }
    }
}

/// The name of a trust level (protocol "Trust Levels").
pub fn level_name(level: u64) -> &'static str {
    match level {
        0 => "isolated",
        1 => "observe",
        2 => "verify",
        3 => "attest",
        _ => "integrate",
    }
}

/// Every agreement record this mesh holds (canonical bytes, signed by both parties), for the
/// audit bundle; revoked and lapsed ones too (nothing is deleted).
pub fn agreement_records(reader: &mut dyn crate::store::StoreRead) -> Result<Vec<Vec<u8>>, String> {
    let rows = reader.states(state::AGREEMENT).map_err(|e| e.to_string())?;
    rows.into_iter()
        .map(|(_, bytes)| {
            serde_json::from_slice::<state::Agreement>(&bytes)
                .map(|a| a.agreement.into_bytes())
                .map_err(|e| e.to_string())
        })
        .collect()
}
