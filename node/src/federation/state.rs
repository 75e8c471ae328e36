//! The federation's state rows: one JSON value per peer, proposal and agreement, each written
//! in the transaction of the record that justifies it (peers: `put_state`, a pinned key is
//! not a protocol record).

use serde::{Deserialize, Serialize};

use crate::node::{ApiError, Node, NodeCode, Result};
use crate::store::StatePut;

/// State namespace of peers.
pub const PEER: &str = "federation.peer";
/// State namespace of proposals.
pub const PROPOSAL: &str = "federation.proposal";
/// State namespace of agreements.
pub const AGREEMENT: &str = "federation.agreement";

/// A discovered mesh.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Peer {
    /// Its DID.
    pub mesh_id: String,
    /// The base URL it was discovered at (the node calls it there).
    pub url: String,
    /// The pinned key (from its self-signed discovery record).
    pub public_key: String,
    /// The discovery record, canonical JSON text.
    pub discovery: String,
    /// When the key was pinned (Unix seconds, node clock).
    pub pinned_at: u64,
}

/// One negotiation, as either party keeps it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Proposal {
    /// The proposal's id.
    pub proposal_id: String,
    /// The proposing mesh.
    pub proposer: String,
    /// The target mesh.
    pub target: String,
    /// `proposed`, `countered`, `agreed` or `rejected` (core `Phase` names).
    pub phase: String,
    /// The party whose response is awaited.
    pub awaiting: Option<String>,
    /// The proposal record, canonical JSON text.
    pub proposal: String,
    /// Every response record, in order, canonical JSON text.
    pub responses: Vec<String>,
    /// The agreement's id once agreed.
    pub agreement_id: Option<String>,
}

/// An agreement in force, revoking or lapsed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Agreement {
    /// Its id.
    pub agreement_id: String,
    /// The other party.
    pub peer: String,
    /// The trust level it grants.
    pub trust_level: u64,
    /// The agreement record signed by both, canonical JSON text.
    pub agreement: String,
    /// The revocation record, if revoked.
    pub revocation: Option<String>,
    /// When a revocation takes effect (Unix seconds).
    pub effective_at: Option<u64>,
}

impl Agreement {
    /// In force at `now`: not revoked, or before its notice ends.
    pub fn in_force(&self, now: u64) -> bool {
        self.effective_at.map_or(true, |end| now < end)
    }

    /// The agreed `terms` member `name` (`scrolls_shared`, `verification_frequency`, …).
    pub fn term(&self, name: &str) -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(&self.agreement).unwrap_or_default();
        v["terms"][name].clone()
    }

    /// Whether `terms.scrolls_shared` names `scroll`.
    pub fn shares(&self, scroll: &str) -> bool {
        self.term("scrolls_shared")
            .as_array()
            .is_some_and(|s| s.iter().any(|n| n == scroll))
    }

    /// `active`, `revoking` (notice running) or `lapsed`.
    pub fn status(&self, now: u64) -> &'static str {
        match self.effective_at {
            None => "active",
            Some(end) if now < end => "revoking",
            Some(_) => "lapsed",
        }
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::node(NodeCode::Internal, e.to_string())
}

/// Reads one row.
pub fn get<T: for<'de> Deserialize<'de>>(node: &Node, space: &str, key: &str) -> Result<Option<T>> {
    match node.reader()?.state(space, key)? {
        Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(internal),
        None => Ok(None),
    }
}

/// Reads every row of a space.
pub fn all<T: for<'de> Deserialize<'de>>(node: &Node, space: &str) -> Result<Vec<T>> {
    node.reader()?
        .states(space)?
        .into_iter()
        .map(|(_, v)| serde_json::from_slice(&v).map_err(internal))
        .collect()
}

/// A row's value as bytes.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(internal)
}

/// A row to write.
pub fn put<'a>(space: &'a str, key: &'a str, value: &'a [u8]) -> StatePut<'a> {
    StatePut { space, key, value }
}
