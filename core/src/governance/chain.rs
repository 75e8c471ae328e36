//! The chain verifier: genesis constitution + ordered governance receipts → [`ChainReport`]
//! (docs/SPEC.md §10.3, §10.6).
//!
//! Each receipt is checked in order: its type, its fields and signature (`record::verify_value`
//! with the keyring of the constitution it is judged by), the chain order of its date, then the
//! checks of its kind. The first failure stops the verification; the report keeps everything
//! established before it.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::apply::{
    activated_document, bump_of, check_change, checked, next_document, proposal_class,
};
use super::constitution::{Comparison, Constitution, KeyCache, ProposalType};
use super::enforcement::{suspended_capabilities, Enforcement, Ledger, Suspension, Violation};
use super::orders::{emergency_powers_at, EmergencyPower, Order, Orders};
use super::version::Version;
use super::{at_least, field, members_only, plus, text_at, time, time_opt};
use crate::encoding::timestamp::Timestamp;
use crate::encoding::{Digest, Weight};
use crate::error::Error;
use crate::json::{self, Limits, Object, Value};
use crate::record::{verify_value, Failure, Kind};

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

/// A proposal while the chain is verified.
struct Proposal<'v, 'a> {
    status: ProposalStatus,
    change: &'v Value<'a>,
    /// Index into the versions of the constitution in force at submission.
    snapshot: usize,
    deliberation_ends: Timestamp,
    voting_ends: Option<Timestamp>,
    /// `constitution_version_before` and `_after` of its ratification.
    ratified_versions: Option<(Version, Version)>,
    /// For `add_engine`: the engine it adds.
    engine: Option<&'v str>,
    /// For `add_engine`: when its amendment made the engine pending.
    pending_since: Option<Timestamp>,
    voters: BTreeSet<&'v str>,
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

/// The receipt's own date, by which chain order is checked.
fn date_field(kind: Kind) -> &'static str {
    match kind {
        Kind::GovProposal => "submitted_at",
        Kind::GovVote => "voted_at",
        Kind::GovRatification => "ratified_at",
        Kind::GovAmendment => "effective_at",
        Kind::GovExecutiveOrder => "issued_at",
        Kind::GovViolation => "detected_at",
        _ => "enforced_at",
    }
}

const GOVERNANCE_KINDS: [Kind; 7] = [
    Kind::GovProposal,
    Kind::GovVote,
    Kind::GovRatification,
    Kind::GovAmendment,
    Kind::GovExecutiveOrder,
    Kind::GovViolation,
    Kind::GovEnforcement,
];

struct Verifier<'v, 'a> {
    versions: Vec<(ConstitutionVersion, Constitution)>,
    document: Value<'a>,
    keys: KeyCache,
    proposals: Vec<Proposal<'v, 'a>>,
    proposal_ids: BTreeMap<&'v str, usize>,
    orders: Orders,
    ledger: Ledger,
    last: Option<Timestamp>,
}

/// A weight member (already checked by the record's fields).
fn weight(value: Option<&Value<'_>>, field: &'static str) -> Result<Weight, Failure> {
    match value {
        Some(Value::Number(n)) => Weight::from_number(n).map_err(|e| Failure::at(e, field)),
        _ => Err(Failure::at(Error::InvalidField, field)),
    }
}

fn vote_summary(o: &Object<'_>) -> Result<Tally, Failure> {
    let s = o
        .get("vote_summary")
        .and_then(Value::as_object)
        .filter(|s| members_only(s, &["approve", "reject", "abstain"]))
        .ok_or(Failure::at(Error::InvalidField, "vote_summary"))?;
    Ok(Tally {
        approve: weight(s.get("approve"), "vote_summary.approve")?,
        reject: weight(s.get("reject"), "vote_summary.reject")?,
        abstain: weight(s.get("abstain"), "vote_summary.abstain")?,
    })
}

/// The anchor confirmation an engine activation carries: `anchor_proof` with `scroll`,
/// `tree_size` > 0, `root` and `anchored_at` — the signed checkpoint of the governance scroll
/// that includes the amendment (docs/SPEC.md §10.3). Returns `anchored_at`.
fn anchor_confirmation(o: &Object<'_>) -> Result<Timestamp, Failure> {
    let a = o
        .get("anchor_proof")
        .and_then(Value::as_object)
        .ok_or(Failure::at(Error::AnchorProofRequired, "anchor_proof"))?;
    let bad = |f| Failure::at(Error::AnchorProofRequired, f);
    text_at(a, "scroll").ok_or(bad("anchor_proof.scroll"))?;
    text_at(a, "root").ok_or(bad("anchor_proof.root"))?;
    a.get("tree_size")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
        .ok_or(bad("anchor_proof.tree_size"))?;
    time(a, "anchored_at").map_err(|_| bad("anchor_proof.anchored_at"))
}

/// The constitution in force: the last of the versions.
fn in_force(versions: &[(ConstitutionVersion, Constitution)]) -> Result<&Constitution, Failure> {
    versions
        .last()
        .map(|(_, c)| c)
        .ok_or(Failure::from(Error::InvalidConstitution))
}

impl<'v, 'a> Verifier<'v, 'a> {
    fn current(&self) -> Result<&Constitution, Failure> {
        in_force(&self.versions)
    }

    fn proposal_index(&self, o: &Object<'_>) -> Option<usize> {
        text_at(o, "proposal_id")
            .and_then(|id| self.proposal_ids.get(id))
            .copied()
    }

    fn snapshot(&self, index: usize) -> Result<&Constitution, Failure> {
        self.versions
            .get(index)
            .map(|(_, c)| c)
            .ok_or(Failure::from(Error::InvalidConstitution))
    }

    fn step(&mut self, index: usize, receipt: &'v Value<'a>) -> Result<(), Failure> {
        let o = receipt
            .as_object()
            .ok_or(Failure::from(Error::NotAnObject))?;
        let kind = match text_at(o, "type") {
            None => return Err(Failure::at(Error::MissingField, "type")),
            Some(t) => Kind::from_domain(t)
                .filter(|k| GOVERNANCE_KINDS.contains(k))
                .ok_or(Failure::at(Error::UnknownKind, "type"))?,
        };
        // Votes and ratifications are judged by the constitution their proposal was submitted under.
        let judged_by = match kind {
            Kind::GovVote | Kind::GovRatification => self
                .proposal_index(o)
                .and_then(|p| self.proposals.get(p))
                .map(|p| p.snapshot),
            _ => None,
        };
        let keyring = match judged_by {
            Some(s) => &self.snapshot(s)?.keyring,
            None => &self.current()?.keyring,
        };
        verify_value(receipt, Some(kind), keyring).map_err(|f| match (kind, f.error) {
            (Kind::GovVote, Error::UnknownSigner) => Failure::at(Error::UnregisteredVoter, "voter"),
            (Kind::GovViolation, Error::UnknownSigner) => {
                Failure::at(Error::UnregisteredDetector, "detected_by")
            }
            _ => f,
        })?;
        let date = date_field(kind);
        let t = time(o, date)?;
        if self.last.is_some_and(|last| t < last) {
            return Err(Failure::at(Error::OutOfOrder, date));
        }
        match kind {
            Kind::GovProposal => self.proposal(index, o, t)?,
            Kind::GovVote => self.vote(o, t)?,
            Kind::GovRatification => self.ratification(o, t)?,
            Kind::GovAmendment => self.amendment(index, o, t)?,
            Kind::GovExecutiveOrder => self.orders.add(in_force(&self.versions)?, o, t, index)?,
            Kind::GovViolation => self
                .ledger
                .violation(in_force(&self.versions)?, o, t, index)?,
            _ => self
                .ledger
                .enforcement(in_force(&self.versions)?, o, t, index)?,
        }
        self.last = Some(t);
        Ok(())
    }

    fn proposal(&mut self, index: usize, o: &'v Object<'a>, t: Timestamp) -> Result<(), Failure> {
        let id = field(o, "proposal_id")?;
        if self.proposal_ids.contains_key(id) {
            return Err(Failure::at(Error::DuplicateId, "proposal_id"));
        }
        let c = self.current()?;
        let author = field(o, "author")?;
        if !c.voters.contains_key(author) && author != c.sovereign {
            return Err(Failure::at(Error::SignerNotAuthorized, "author"));
        }
        let (proposal_type, change) = proposal_class(o)?;
        check_change(proposal_type, change)?;
        let deliberation_ends = time(o, "deliberation_ends")?;
        if !at_least(t, deliberation_ends, c.rules.min_deliberation_seconds) {
            return Err(Failure::at(
                Error::DeliberationTooShort,
                "deliberation_ends",
            ));
        }
        let voting_ends = time_opt(o, "voting_ends")?;
        if voting_ends.is_some_and(|v| !at_least(deliberation_ends, v, c.rules.min_voting_seconds))
        {
            return Err(Failure::at(Error::InvalidField, "voting_ends"));
        }
        // The change must apply to the constitution in force now (it is applied again, to the
        // constitution then in force, on activation).
        let next = next_document(&self.document, c, proposal_type, change)?;
        checked(&next, &mut self.keys)?;

        let status = ProposalStatus {
            proposal_id: id.to_string(),
            proposal_type,
            phase: Phase::Open,
            tally: Tally::default(),
            index,
        };
        let engine = match proposal_type {
            ProposalType::AddEngine => change.as_object().and_then(|c| text_at(c, "target")),
            _ => None,
        };
        self.proposal_ids.insert(id, self.proposals.len());
        self.proposals.push(Proposal {
            status,
            change,
            snapshot: self.versions.len().saturating_sub(1),
            deliberation_ends,
            voting_ends,
            ratified_versions: None,
            engine,
            pending_since: None,
            voters: BTreeSet::new(),
        });
        Ok(())
    }

    fn open_proposal(&mut self, o: &Object<'_>) -> Result<usize, Failure> {
        let p = self
            .proposal_index(o)
            .ok_or(Failure::at(Error::UnknownProposal, "proposal_id"))?;
        match self.proposals.get(p) {
            Some(proposal) if proposal.status.phase == Phase::Open => Ok(p),
            _ => Err(Failure::at(Error::ProposalClosed, "proposal_id")),
        }
    }

    fn vote(&mut self, o: &'v Object<'a>, t: Timestamp) -> Result<(), Failure> {
        let p = self.open_proposal(o)?;
        let snapshot = self
            .proposals
            .get(p)
            .map(|p| p.snapshot)
            .unwrap_or_default();
        let voter = field(o, "voter")?;
        let registered = *self
            .snapshot(snapshot)?
            .voters
            .get(voter)
            .ok_or(Failure::at(Error::UnregisteredVoter, "voter"))?;
        if weight(o.get("weight"), "weight")? != registered {
            return Err(Failure::at(Error::WeightMismatch, "weight"));
        }
        let proposal = self
            .proposals
            .get_mut(p)
            .ok_or(Failure::from(Error::UnknownProposal))?;
        if proposal.voters.contains(voter) {
            return Err(Failure::at(Error::DoubleVote, "voter"));
        }
        if t < proposal.deliberation_ends || proposal.voting_ends.is_some_and(|end| t > end) {
            return Err(Failure::at(Error::VoteOutsideWindow, "voted_at"));
        }
        proposal.voters.insert(voter);
        let tally = &mut proposal.status.tally;
        match field(o, "vote")? {
            "approve" => tally.approve = tally.approve.saturating_add(registered),
            "reject" => tally.reject = tally.reject.saturating_add(registered),
            _ => tally.abstain = tally.abstain.saturating_add(registered),
        }
        Ok(())
    }

    fn ratification(&mut self, o: &Object<'_>, t: Timestamp) -> Result<(), Failure> {
        let p = self.open_proposal(o)?;
        let proposal = self
            .proposals
            .get(p)
            .ok_or(Failure::from(Error::UnknownProposal))?;
        let c = self.snapshot(proposal.snapshot)?;
        if field(o, "ratified_by")? != c.sovereign {
            return Err(Failure::at(Error::SignerNotAuthorized, "ratified_by"));
        }
        let voting_closes = plus(proposal.deliberation_ends, c.rules.min_voting_seconds);
        if t < voting_closes || proposal.voting_ends.is_some_and(|end| t < end) {
            return Err(Failure::at(Error::RatificationTooEarly, "ratified_at"));
        }
        let tally = proposal.status.tally;
        if vote_summary(o)? != tally {
            return Err(Failure::at(Error::TallyMismatch, "vote_summary"));
        }
        let quorum = c
            .rules
            .quorum
            .reached(tally.cast().0, c.total_weight.0, Comparison::AtLeast);
        match (o.get("quorum_met"), quorum) {
            (Some(Value::Bool(true)), false) => {
                return Err(Failure::at(Error::QuorumNotMet, "quorum_met"))
            }
            (Some(Value::Bool(false)), true) => {
                return Err(Failure::at(Error::TallyMismatch, "quorum_met"))
            }
            _ => {}
        }
        let threshold = c.rules.threshold(proposal.status.proposal_type);
        let passes = threshold.passes(tally.approve, tally.reject);
        // `decision` is an addition: a ratification without it ratifies.
        let phase = match text_at(o, "decision").unwrap_or("ratified") {
            "ratified" if !quorum => return Err(Failure::at(Error::QuorumNotMet, "decision")),
            "ratified" if !passes => return Err(Failure::at(Error::ThresholdNotMet, "decision")),
            "ratified" => Phase::Ratified,
            _ if quorum && passes && !threshold.sovereign_ratification => {
                return Err(Failure::at(Error::DecisionMismatch, "decision"))
            }
            _ => Phase::Rejected,
        };
        // The versions: before is the constitution in force; after is its bump when ratified,
        // the same version when rejected.
        let in_force = self.current()?.version;
        let before = Version::parse(field(o, "constitution_version_before")?)
            .map_err(|e| Failure::at(e, "constitution_version_before"))?;
        if before != in_force {
            return Err(Failure::at(
                Error::VersionMismatch,
                "constitution_version_before",
            ));
        }
        let expected = match phase {
            Phase::Ratified => in_force
                .bumped(bump_of(proposal.status.proposal_type, proposal.change))
                .ok_or(Failure::at(
                    Error::VersionBumpInvalid,
                    "constitution_version_after",
                ))?,
            _ => in_force,
        };
        if Version::parse(field(o, "constitution_version_after")?) != Ok(expected) {
            return Err(Failure::at(
                Error::VersionBumpInvalid,
                "constitution_version_after",
            ));
        }
        if let Some(proposal) = self.proposals.get_mut(p) {
            proposal.status.phase = phase;
            proposal.ratified_versions = Some((before, expected));
        }
        Ok(())
    }

    fn amendment(&mut self, index: usize, o: &Object<'_>, t: Timestamp) -> Result<(), Failure> {
        let p = self
            .proposal_index(o)
            .ok_or(Failure::at(Error::UnknownProposal, "proposal_id"))?;
        let proposal = self
            .proposals
            .get(p)
            .ok_or(Failure::from(Error::UnknownProposal))?;
        let c = self.current()?;
        if field(o, "activated_by")? != c.sovereign {
            return Err(Failure::at(Error::SignerNotAuthorized, "activated_by"));
        }
        let activation = match proposal.status.phase {
            Phase::Ratified => false,
            Phase::EnginePending => true,
            _ => return Err(Failure::at(Error::NotAwaitingActivation, "proposal_id")),
        };
        if Digest::parse(field(o, "constitution_hash_before")?)? != c.hash {
            return Err(Failure::at(
                Error::ConstitutionHashMismatch,
                "constitution_hash_before",
            ));
        }
        // The ratification fixed the versions; another amendment in between voids them.
        let ratified_after = match (activation, proposal.ratified_versions) {
            (true, _) => None,
            (false, Some((before, _))) if before != c.version => {
                return Err(Failure::at(Error::VersionMismatch, "proposal_id"))
            }
            (false, versions) => versions.map(|(_, after)| after),
        };
        let next = if activation {
            let (engine, pending_since) = proposal
                .engine
                .zip(proposal.pending_since)
                .ok_or(Failure::at(Error::ChangeConflict, "registered_engines"))?;
            let anchored_at = anchor_confirmation(o)?;
            if anchored_at < pending_since || anchored_at > t {
                return Err(Failure::at(Error::InvalidField, "anchor_proof.anchored_at"));
            }
            activated_document(&self.document, c, engine)?
        } else {
            next_document(
                &self.document,
                c,
                proposal.status.proposal_type,
                proposal.change,
            )?
        };
        let constitution = checked(&next, &mut self.keys)?;
        if ratified_after.is_some_and(|after| after != constitution.version) {
            return Err(Failure::at(Error::VersionBumpInvalid, "proposal_id"));
        }
        if Digest::parse(field(o, "constitution_hash_after")?)? != constitution.hash {
            return Err(Failure::at(
                Error::ConstitutionHashMismatch,
                "constitution_hash_after",
            ));
        }
        let phase = if !activation && proposal.status.proposal_type == ProposalType::AddEngine {
            Phase::EnginePending
        } else {
            Phase::Activated
        };
        let version = ConstitutionVersion {
            version: constitution.version,
            hash: constitution.hash,
            index: Some(index),
            proposal_id: Some(proposal.status.proposal_id.clone()),
            effective_at: Some(t),
        };
        if let Some(proposal) = self.proposals.get_mut(p) {
            proposal.status.phase = phase;
            if phase == Phase::EnginePending {
                proposal.pending_since = Some(t);
            }
        }
        self.versions.push((version, constitution));
        self.document = next;
        Ok(())
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
    let mut keys = KeyCache::default();
    let constitution = match Constitution::parse_with(genesis, &mut keys) {
        Ok(c) => c,
        Err(f) => {
            let mut report = failed(f.error, f.field.unwrap_or("genesis"));
            report.receipts = receipts.len();
            return report;
        }
    };
    let genesis_version = ConstitutionVersion {
        version: constitution.version,
        hash: constitution.hash,
        index: None,
        proposal_id: None,
        effective_at: None,
    };
    let mut v = Verifier {
        versions: alloc::vec![(genesis_version, constitution)],
        document: genesis.clone(),
        keys,
        proposals: Vec::new(),
        proposal_ids: BTreeMap::new(),
        orders: Orders::default(),
        ledger: Ledger::default(),
        last: None,
    };
    let mut violation = None;
    let mut verified = 0;
    for (index, receipt) in receipts.iter().enumerate() {
        if let Err(f) = v.step(index, receipt) {
            violation = Some(ChainViolation {
                index: Some(index),
                error: f.error,
                field: f.field,
            });
            break;
        }
        verified += 1;
    }
    let (versions, mut constitutions): (Vec<ConstitutionVersion>, Vec<Constitution>) =
        v.versions.into_iter().unzip();
    ChainReport {
        versions,
        receipts: receipts.len(),
        verified,
        violation,
        proposals: v.proposals.into_iter().map(|p| p.status).collect(),
        orders: v.orders.list,
        violations: v.ledger.violations,
        enforcements: v.ledger.enforcements,
        document: Some(v.document),
        constitution: constitutions.pop(),
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
