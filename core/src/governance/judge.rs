//! The incremental judge: the state in force of a governance chain, and one receipt judged
//! against it at a time (docs/SPEC.md §10.3, §10.11).
//!
//! Each receipt is checked in order: its type, its fields and signature (`record::verify_value`
//! with the keyring of the constitution it is judged by), the chain order of its date, then the
//! checks of its kind. A refused receipt leaves the state as it was.

use alloc::borrow::Cow;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::apply::{
    activated_document, bump_of, check_change, checked, next_document, proposal_class,
};
use super::chain::{ConstitutionVersion, Phase, ProposalStatus, Tally};
use super::constitution::{Comparison, Constitution, KeyCache, ProposalType};
use super::enforcement::{Enforcement, Ledger, Suspension, Violation};
use super::orders::{EmergencyPower, Order, OrderKind, Orders};
use super::version::Version;
use super::{at_least, field, members_only, plus, text_at, time, time_opt};
use crate::encoding::timestamp::Timestamp;
use crate::encoding::{Digest, Weight};
use crate::error::Error;
use crate::json::{Object, Value};
use crate::record::{verify_value, Failure, Kind};

/// How far before the judge's present a receipt may be dated, in seconds (the time between
/// signing and appending). A receipt is never dated after the present: a future date would
/// hold back the chain's order for everyone else (the node's own violation receipts included).
pub const CLOCK_SKEW_SECONDS: i64 = 300;

fn within_skew(t: Timestamp, now: Timestamp) -> bool {
    let behind = now.seconds_since(t);
    (0..=CLOCK_SKEW_SECONDS).contains(&behind)
}

/// An owned copy of a JSON value (the judge keeps proposals' changes and documents).
pub(crate) fn owned(v: &Value<'_>) -> Value<'static> {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(n) => Value::Number(*n),
        Value::String(s) => Value::String(Cow::Owned(s.to_string())),
        Value::Array(a) => Value::Array(a.iter().map(owned).collect()),
        Value::Object(o) => Value::Object(Object {
            members: o
                .members
                .iter()
                .map(|(k, v)| (Cow::Owned(k.to_string()), owned(v)))
                .collect(),
        }),
    }
}

/// A proposal while the chain is verified.
#[derive(Clone, Debug)]
struct Proposal {
    status: ProposalStatus,
    change: Value<'static>,
    /// Index into the versions of the constitution in force at submission.
    snapshot: usize,
    deliberation_ends: Timestamp,
    voting_ends: Option<Timestamp>,
    /// `constitution_version_before` and `_after` of its ratification.
    ratified_versions: Option<(Version, Version)>,
    /// For `add_engine`: the engine it adds.
    engine: Option<String>,
    /// For `add_engine`: when its amendment made the engine pending.
    pending_since: Option<Timestamp>,
    voters: BTreeSet<String>,
    /// For `add_engine`: index of the amendment that made the engine pending.
    pending_amendment: Option<usize>,
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

/// The state in force of a governance chain, judging one receipt at a time
/// (docs/SPEC.md §10.11).
///
/// [`Judge::judge`] applies one receipt in work that does not grow with the chain (map lookups
/// and, for proposals and amendments, one pass over the constitution document); a refused
/// receipt changes nothing. [`super::verify_chain`] is this judge run over a chain file, so the
/// node and the offline verifier apply one set of rules.
#[derive(Clone, Debug)]
pub struct Judge {
    versions: Vec<(ConstitutionVersion, Constitution)>,
    /// The document of every version, genesis first.
    documents: Vec<Value<'static>>,
    document: Value<'static>,
    keys: KeyCache,
    proposals: Vec<Proposal>,
    proposal_ids: BTreeMap<String, usize>,
    orders: Orders,
    ledger: Ledger,
    last: Option<Timestamp>,
    receipts: usize,
    /// Indexes into `orders.list` of issued emergencies and `parameter_change` orders, and into
    /// `ledger.enforcements` by target: what the node's write checks read.
    emergencies: Vec<usize>,
    parameter_orders: Vec<usize>,
    enforcements_by_target: BTreeMap<String, Vec<usize>>,
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

impl Judge {
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

    fn step(
        &mut self,
        index: usize,
        receipt: &Value<'_>,
        now: Option<Timestamp>,
    ) -> Result<(), Failure> {
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
        // The judge's present decides windows and expiries: a receipt must be dated by it.
        if now.is_some_and(|now| !within_skew(t, now)) {
            return Err(Failure::at(Error::ReceiptNotCurrent, date));
        }
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

    fn proposal(&mut self, index: usize, o: &Object<'_>, t: Timestamp) -> Result<(), Failure> {
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
            ProposalType::AddEngine => change
                .as_object()
                .and_then(|c| text_at(c, "target"))
                .map(ToString::to_string),
            _ => None,
        };
        self.proposal_ids
            .insert(id.to_string(), self.proposals.len());
        self.proposals.push(Proposal {
            status,
            change: owned(change),
            snapshot: self.versions.len().saturating_sub(1),
            deliberation_ends,
            voting_ends,
            ratified_versions: None,
            engine,
            pending_since: None,
            voters: BTreeSet::new(),
            pending_amendment: None,
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

    fn vote(&mut self, o: &Object<'_>, t: Timestamp) -> Result<(), Failure> {
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
        proposal.voters.insert(voter.to_string());
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
                .bumped(bump_of(proposal.status.proposal_type, &proposal.change))
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
                .as_deref()
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
                &proposal.change,
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
                proposal.pending_amendment = Some(index);
            }
        }
        self.versions.push((version, constitution));
        self.documents.push(next.clone());
        self.document = next;
        Ok(())
    }
}

impl Judge {
    /// A judge of the chain that starts at `genesis` (a constitution document).
    pub fn new(genesis: &Value<'_>) -> Result<Judge, Failure> {
        let mut keys = KeyCache::default();
        let constitution = Constitution::parse_with(genesis, &mut keys)?;
        let version = ConstitutionVersion {
            version: constitution.version,
            hash: constitution.hash,
            index: None,
            proposal_id: None,
            effective_at: None,
        };
        let document = owned(genesis);
        Ok(Judge {
            versions: alloc::vec![(version, constitution)],
            documents: alloc::vec![document.clone()],
            document,
            keys,
            proposals: Vec::new(),
            proposal_ids: BTreeMap::new(),
            orders: Orders::default(),
            ledger: Ledger::default(),
            last: None,
            receipts: 0,
            emergencies: Vec::new(),
            parameter_orders: Vec::new(),
            enforcements_by_target: BTreeMap::new(),
        })
    }

    /// Judges the next receipt of the chain and, when it keeps every rule, applies it. `now`
    /// is the judge's present (the node's clock): the receipt's own date must be at most
    /// [`CLOCK_SKEW_SECONDS`] before it and not after it (`RECEIPT_NOT_CURRENT`), so deliberation ends, voting
    /// windows and expiries are decided by that clock. `None` judges a recorded chain by the
    /// receipts' dates alone. On refusal nothing changes.
    pub fn judge(&mut self, receipt: &Value<'_>, now: Option<Timestamp>) -> Result<(), Failure> {
        let index = self.receipts;
        let (orders, enforcements) = (self.orders.list.len(), self.ledger.enforcements.len());
        self.step(index, receipt, now)?;
        self.receipts += 1;
        if let Some(o) = self.orders.list.get(orders) {
            if o.kind == OrderKind::Issue && o.order_type == "emergency" {
                self.emergencies.push(orders);
            } else if o.kind == OrderKind::Issue && o.parameter.is_some() {
                self.parameter_orders.push(orders);
            }
        }
        if let Some(e) = self.ledger.enforcements.get(enforcements) {
            self.enforcements_by_target
                .entry(e.target.clone())
                .or_default()
                .push(enforcements);
        }
        Ok(())
    }

    /// Receipts judged so far.
    pub fn receipts(&self) -> usize {
        self.receipts
    }

    /// The constitution in force.
    pub fn constitution(&self) -> &Constitution {
        // `versions` starts with genesis and only grows.
        &self.versions[self.versions.len() - 1].1
    }

    /// The document of the constitution in force.
    pub fn document(&self) -> &Value<'static> {
        &self.document
    }

    /// Every version that was in force, genesis first.
    pub fn versions(&self) -> impl Iterator<Item = &ConstitutionVersion> {
        self.versions.iter().map(|(v, _)| v)
    }

    /// The document of `version`, if it was ever in force.
    pub fn document_of(&self, version: Version) -> Option<&Value<'static>> {
        self.versions
            .iter()
            .position(|(v, _)| v.version == version)
            .and_then(|i| self.documents.get(i))
    }

    /// Every proposal, in chain order.
    pub fn proposals(&self) -> impl Iterator<Item = &ProposalStatus> {
        self.proposals.iter().map(|p| &p.status)
    }

    /// The proposal `id`, with its `deliberation_ends` and `voting_ends`.
    pub fn proposal_status(
        &self,
        id: &str,
    ) -> Option<(&ProposalStatus, Timestamp, Option<Timestamp>)> {
        let p = self.proposals.get(*self.proposal_ids.get(id)?)?;
        Some((&p.status, p.deliberation_ends, p.voting_ends))
    }

    /// For an `add_engine` proposal whose engine is pending: the engine and the index of the
    /// amendment receipt that made it pending (its anchor confirmation is a signed checkpoint
    /// of the governance scroll that includes that index).
    pub fn pending_engine(&self, proposal_id: &str) -> Option<(&str, usize)> {
        let p = self.proposals.get(*self.proposal_ids.get(proposal_id)?)?;
        match p.status.phase {
            Phase::EnginePending => p.engine.as_deref().zip(p.pending_amendment),
            _ => None,
        }
    }

    /// Every executive-order receipt, in chain order.
    pub fn orders(&self) -> &[Order] {
        &self.orders.list
    }

    /// Every violation, in chain order.
    pub fn violations(&self) -> &[Violation] {
        &self.ledger.violations
    }

    /// Every enforcement, in chain order, each with its review.
    pub fn enforcements(&self) -> &[Enforcement] {
        &self.ledger.enforcements
    }

    /// The emergency powers in force at `t` (work proportional to the emergencies declared).
    pub fn emergency_powers_at(&self, t: Timestamp) -> Vec<EmergencyPower> {
        self.emergencies
            .iter()
            .filter_map(|i| self.orders.list.get(*i))
            .filter(|o| o.in_force_at(t))
            .flat_map(|o| {
                o.powers.iter().map(|p| EmergencyPower {
                    order_id: o.order_id.clone(),
                    power: p.clone(),
                })
            })
            .collect()
    }

    /// The value `parameter` has at `t` by a `parameter_change` order in force, and the order
    /// (the latest issued wins).
    pub fn parameter_at(&self, parameter: &str, t: Timestamp) -> Option<(u64, &Order)> {
        self.parameter_orders
            .iter()
            .rev()
            .filter_map(|i| self.orders.list.get(*i))
            .filter(|o| o.in_force_at(t))
            .find_map(|o| match &o.parameter {
                Some((name, value)) if name == parameter => Some((*value, o)),
                _ => None,
            })
    }

    /// The capabilities of `actor` suspended at `t`, sorted, each with its enforcement (work
    /// proportional to the enforcements against `actor`).
    pub fn suspended_capabilities(&self, actor: &str, t: Timestamp) -> Vec<Suspension> {
        let mut out: Vec<Suspension> = self
            .enforcements_by_target
            .get(actor)
            .into_iter()
            .flatten()
            .filter_map(|i| self.ledger.enforcements.get(*i))
            .flat_map(|e| {
                e.suspended_at(t).iter().map(|c| Suspension {
                    capability: c.clone(),
                    enforcement_id: e.enforcement_id.clone(),
                })
            })
            .collect();
        out.sort();
        out
    }

    /// The scope of the suspension `enforcement_id` at `t` (`all_scrolls` or a scroll).
    pub fn suspension_scope(&self, enforcement_id: &str, t: Timestamp) -> Option<&str> {
        let e = self
            .ledger
            .enforcements
            .iter()
            .rev()
            .find(|e| e.enforcement_id == enforcement_id)?;
        let action = match &e.review {
            Some(r) if t >= r.reviewed_at => &r.action,
            _ => &e.action,
        };
        match action {
            super::enforcement::Action::CapabilitySuspension { scope, .. } => Some(scope),
            super::enforcement::Action::Warning => None,
        }
    }

    /// Everything established, as a chain report (for [`super::verify_chain`]).
    pub(crate) fn into_parts(
        self,
    ) -> (
        Vec<ConstitutionVersion>,
        Vec<ProposalStatus>,
        Orders,
        Ledger,
        Value<'static>,
        Option<Constitution>,
    ) {
        let (versions, mut constitutions): (Vec<ConstitutionVersion>, Vec<Constitution>) =
            self.versions.into_iter().unzip();
        let constitution = constitutions.pop();
        (
            versions,
            self.proposals.into_iter().map(|p| p.status).collect(),
            self.orders,
            self.ledger,
            self.document,
            constitution,
        )
    }
}
