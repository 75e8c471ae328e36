//! The chain verifier: genesis constitution + ordered governance receipts → [`ChainReport`]
//! (docs/SPEC.md §10.3, §10.6).
//!
//! The receipts are judged in order by the incremental [`Judge`] (the same rules the node
//! applies on every append). The first failure stops the verification; the report keeps
//! everything established before it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::constitution::{Constitution, ProposalType};
use super::enforcement::{suspended_capabilities, Enforcement, Suspension, Violation};
use super::judge::Judge;
use super::orders::{emergency_powers_at, EmergencyPower, Order};
use super::version::Version;
use crate::encoding::timestamp::Timestamp;
use crate::encoding::{Digest, Weight};
use crate::error::Error;
use crate::json::{self, Limits, Value};

/// Where and why a chain failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainViolation {
    /// Index of the failing receipt in `receipts` (0-based); `None` when the chain file or its
    /// genesis constitution is at fault.
    pub index: Option<usize>,
    /// The stable error.
    pub error: Error,
    /// The member the error concerns, if any.
    pub field: Option<&'static str>,
}

impl fmt::Display for ChainViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "receipt {i}: ")?,
            None => f.write_str("chain: ")?,
        }
        write!(
            f,
            "{} ({}): {}",
            self.error.name(),
            self.error.code(),
            self.error.message()
        )?;
        match self.field {
            Some(field) => write!(f, " (field `{field}`)"),
            None => Ok(()),
        }
    }
}

/// One constitution that was in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstitutionVersion {
    /// Its version.
    pub version: Version,
    /// Its `constitution_hash`.
    pub hash: Digest,
    /// Index of the amendment receipt that brought it in force (`None` for genesis).
    pub index: Option<usize>,
    /// The proposal it implements (`None` for genesis).
    pub proposal_id: Option<String>,
    /// `effective_at` of the amendment (`None` for genesis).
    pub effective_at: Option<Timestamp>,
}

/// Where a proposal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Submitted; in deliberation or voting (by time), not yet ratified.
    Open,
    /// Ratified, awaiting activation.
    Ratified,
    /// Rejected by the ratification.
    Rejected,
    /// `add_engine` activated: the engine is pending its anchor confirmation.
    EnginePending,
    /// Activated: its constitution is (or was) in force.
    Activated,
}

/// Weights cast on a proposal, tallied exactly ([`Weight`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Weight voting `approve`.
    pub approve: Weight,
    /// Weight voting `reject`.
    pub reject: Weight,
    /// Weight abstaining.
    pub abstain: Weight,
}

impl Tally {
    /// Total weight that took part.
    pub fn cast(&self) -> Weight {
        self.approve
            .saturating_add(self.reject)
            .saturating_add(self.abstain)
    }
}

/// A proposal and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalStatus {
    /// `proposal_id`.
    pub proposal_id: String,
    /// Its type.
    pub proposal_type: ProposalType,
    /// Its phase at the end of the chain.
    pub phase: Phase,
    /// The signed votes.
    pub tally: Tally,
    /// Index of the proposal receipt.
    pub index: usize,
}

/// Everything a governance chain established, and the first violation if any.
///
/// When `violation` is set, the other fields describe the chain up to the receipt before it.
#[derive(Clone, Debug)]
pub struct ChainReport<'a> {
    /// Every constitution that was in force, genesis first.
    pub versions: Vec<ConstitutionVersion>,
    /// Number of receipts in the chain.
    pub receipts: usize,
    /// Number of receipts that verified (all of them when the chain is valid).
    pub verified: usize,
    /// The first violation.
    pub violation: Option<ChainViolation>,
    /// Every proposal, in chain order.
    pub proposals: Vec<ProposalStatus>,
    /// Every executive-order receipt (issue, renewal, revocation), in chain order.
    pub orders: Vec<Order>,
    /// Every violation, in chain order.
    pub violations: Vec<Violation>,
    /// Every enforcement, in chain order, each with its review.
    pub enforcements: Vec<Enforcement>,
    document: Option<Value<'a>>,
    constitution: Option<Constitution>,
}

impl<'a> ChainReport<'a> {
    /// True when every receipt verified.
    pub fn is_valid(&self) -> bool {
        self.violation.is_none()
    }

    /// The constitution document in force at the end (after the last verified receipt);
    /// `None` when the genesis constitution is invalid.
    pub fn document(&self) -> Option<&Value<'a>> {
        self.document.as_ref()
    }

    /// The typed view of the constitution in force at the end.
    pub fn constitution(&self) -> Option<&Constitution> {
        self.constitution.as_ref()
    }

    /// The last version and hash.
    pub fn last_version(&self) -> Option<&ConstitutionVersion> {
        self.versions.last()
    }

    /// The emergency powers in force at `t`: every power of every emergency issued by then,
    /// not expired (renewals included) and not ended.
    pub fn emergency_powers_at(&self, t: Timestamp) -> Vec<EmergencyPower> {
        emergency_powers_at(&self.orders, t)
    }

    /// The executive orders (emergencies included) in force at `t`.
    pub fn orders_in_force_at(&self, t: Timestamp) -> Vec<&Order> {
        self.orders.iter().filter(|o| o.in_force_at(t)).collect()
    }

    /// The capabilities of `actor` suspended at `t`, sorted.
    pub fn suspended_capabilities(&self, actor: &str, t: Timestamp) -> Vec<Suspension> {
        suspended_capabilities(&self.enforcements, actor, t)
    }
}

fn failed<'a>(error: Error, field: &'static str) -> ChainReport<'a> {
    ChainReport {
        versions: Vec::new(),
        receipts: 0,
        verified: 0,
        violation: Some(ChainViolation {
            index: None,
            error,
            field: Some(field),
        }),
        proposals: Vec::new(),
        orders: Vec::new(),
        violations: Vec::new(),
        enforcements: Vec::new(),
        document: None,
        constitution: None,
    }
}

/// Verifies a governance chain: `{"genesis": constitution, "receipts": [governance receipts]}`
/// (other members are ignored). Never fails as a function: the report says what was verified
/// and, in `violation`, the first receipt (by index) that broke a rule and why.
pub fn verify_chain<'a>(chain: &Value<'a>) -> ChainReport<'a> {
    let Some(chain) = chain.as_object() else {
        return failed(Error::NotAnObject, "chain");
    };
    let Some(genesis) = chain.get("genesis") else {
        return failed(Error::MissingField, "genesis");
    };
    let receipts = match chain.get("receipts") {
        Some(Value::Array(r)) => r.as_slice(),
        Some(_) => return failed(Error::InvalidField, "receipts"),
        None => return failed(Error::MissingField, "receipts"),
    };
    let mut judge = match Judge::new(genesis) {
        Ok(j) => j,
        Err(f) => {
            let mut report = failed(f.error, f.field.unwrap_or("genesis"));
            report.receipts = receipts.len();
            return report;
        }
    };
    let mut violation = None;
    let mut verified = 0;
    for (index, receipt) in receipts.iter().enumerate() {
        if let Err(f) = judge.judge(receipt, None) {
            violation = Some(ChainViolation {
                index: Some(index),
                error: f.error,
                field: f.field,
            });
            break;
        }
        verified += 1;
    }
    let (versions, proposals, orders, ledger, document, constitution) = judge.into_parts();
    ChainReport {
        versions,
        receipts: receipts.len(),
        verified,
        violation,
        proposals,
        orders: orders.list,
        violations: ledger.violations,
        enforcements: ledger.enforcements,
        document: Some(document),
        constitution,
    }
}

/// Parses a chain file with `limits` (a chain is usually larger than one record: pass a
/// `max_bytes` that fits it) and verifies it with [`verify_chain`]. A file that does not parse
/// is reported as a violation without an index.
pub fn verify_chain_json<'a>(input: &'a [u8], limits: &Limits) -> ChainReport<'a> {
    match json::parse(input, limits) {
        Ok(value) => verify_chain(&value),
        Err(e) => failed(e, "chain"),
    }
}
