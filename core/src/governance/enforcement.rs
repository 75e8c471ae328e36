//! Violations, enforcement and review (docs/SPEC.md §10.5).
//!
//! A violation names a rule of the constitution in force (`details.rule_violated`: an axiom, an
//! article section or a statute) and is signed by the active engine that detected it. An
//! enforcement points to a violation, targets its actor (`details.actor`), takes an action
//! (`enforcement_type` and `action_taken`) and sets a review deadline; a review (an enforcement
//! receipt with `review`, an addition) upholds, dismisses or modifies it. An enforcement left
//! unreviewed lapses at its deadline.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::constitution::{Constitution, Power};
use super::{field, nested, text_at, time, within};
use crate::encoding::id;
use crate::encoding::timestamp::Timestamp;
use crate::error::Error;
use crate::json::{Object, Value};
use crate::record::Failure;

/// A recorded violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// `violation_id`.
    pub violation_id: String,
    /// The rule broken (`details.rule_violated`: axiom, section or statute id).
    pub rule: String,
    /// The detecting engine.
    pub detected_by: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// The actor the violation concerns (`details.actor`).
    pub subject: Option<String>,
    /// `detected_at`.
    pub detected_at: Timestamp,
    /// Index of the receipt in the chain.
    pub index: usize,
}

/// An enforcement action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `"enforcement_type": "warning"`.
    Warning,
    /// `"enforcement_type": "capability_suspension"`, `"action_taken":
    /// {"capability_suspended", "scope", "duration"}`: `duration` is `pending_review` (until a
    /// review or the review deadline) or a timestamp (until then).
    CapabilitySuspension {
        /// The capabilities suspended (`capability_suspended`).
        capabilities: Vec<String>,
        /// Where (`scope`: `all_scrolls` or a scroll name).
        scope: String,
        /// When the suspension ends by itself, if it does.
        until: Option<Timestamp>,
    },
}

/// A review's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// The enforcement stands (no longer bound by its review deadline).
    Uphold,
    /// The enforcement ends at the review.
    Dismiss,
    /// The review's action replaces the enforcement's from the review on.
    Modify,
}

/// A review of an enforcement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    /// The outcome.
    pub outcome: ReviewOutcome,
    /// The reviewer (`enforced_by` of the review receipt).
    pub reviewed_by: String,
    /// `enforced_at` of the review receipt.
    pub reviewed_at: Timestamp,
    /// The action in force after the review (for `modify`, the new action).
    pub action: Action,
    /// Index of the review receipt in the chain.
    pub index: usize,
}

/// An enforcement as the chain established it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enforcement {
    /// `enforcement_id`.
    pub enforcement_id: String,
    /// The violation enforced.
    pub violation_id: String,
    /// The target actor.
    pub target: String,
    /// The enforcer.
    pub enforced_by: String,
    /// The action.
    pub action: Action,
    /// `enforced_at`.
    pub enforced_at: Timestamp,
    /// `review_deadline`.
    pub review_deadline: Timestamp,
    /// The review, if any.
    pub review: Option<Review>,
    /// Index of the receipt in the chain.
    pub index: usize,
}

/// One suspended capability: what, and under which enforcement.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Suspension {
    /// The capability.
    pub capability: String,
    /// The enforcement suspending it.
    pub enforcement_id: String,
}

fn suspended_at(action: &Action, t: Timestamp) -> &[String] {
    match action {
        Action::CapabilitySuspension {
            capabilities,
            until,
            ..
        } if until.map_or(true, |u| t < u) => capabilities,
        _ => &[],
    }
}

impl Enforcement {
    /// The capabilities this enforcement suspends at `t`: from `enforced_at`, until its own
    /// `until`, its review deadline when unreviewed, or its dismissal; a modifying review's action
    /// applies from the review on.
    pub fn suspended_at(&self, t: Timestamp) -> &[String] {
        if t < self.enforced_at {
            return &[];
        }
        match &self.review {
            Some(r) if t >= r.reviewed_at => match r.outcome {
                ReviewOutcome::Dismiss => &[],
                ReviewOutcome::Uphold | ReviewOutcome::Modify => suspended_at(&r.action, t),
            },
            Some(_) => suspended_at(&self.action, t),
            None if t < self.review_deadline => suspended_at(&self.action, t),
            None => &[],
        }
    }
}

fn action_of(o: &Object<'_>, after: Timestamp) -> Result<Action, Failure> {
    const F: &str = "action_taken";
    let bad = |field| Failure::at(Error::InvalidField, field);
    let a = o.get(F).and_then(Value::as_object).ok_or(bad(F))?;
    let capability = text_at(a, "capability_suspended");
    match field(o, "enforcement_type")? {
        "warning" if a.members.is_empty() => Ok(Action::Warning),
        "capability_suspension" => {
            let capability = capability
                .filter(|c| !c.is_empty())
                .ok_or(bad("action_taken.capability_suspended"))?;
            let scope = text_at(a, "scope")
                .filter(|s| *s == "all_scrolls" || id::is_valid_scroll(s))
                .ok_or(bad("action_taken.scope"))?;
            let until = match text_at(a, "duration") {
                Some("pending_review") => None,
                Some(t) => Some(
                    Timestamp::parse(t)
                        .ok()
                        .filter(|u| *u > after)
                        .ok_or(bad("action_taken.duration"))?,
                ),
                None => return Err(bad("action_taken.duration")),
            };
            Ok(Action::CapabilitySuspension {
                capabilities: alloc::vec![capability.to_string()],
                scope: scope.to_string(),
                until,
            })
        }
        _ => Err(bad("enforcement_type")),
    }
}

fn outcome_of(o: &Object<'_>) -> Result<ReviewOutcome, Failure> {
    match nested(o, "review", "decision").and_then(Value::as_str) {
        Some("uphold") => Ok(ReviewOutcome::Uphold),
        Some("dismiss") => Ok(ReviewOutcome::Dismiss),
        Some("modify") => Ok(ReviewOutcome::Modify),
        _ => Err(Failure::at(Error::InvalidField, "review.decision")),
    }
}

/// Violations and enforcements of a chain.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ledger {
    pub(crate) violations: Vec<Violation>,
    pub(crate) enforcements: Vec<Enforcement>,
    violation_ids: BTreeMap<String, usize>,
    enforcement_ids: BTreeMap<String, usize>,
}

impl Ledger {
    /// Checks a `gov_violation` receipt dated `t` against constitution `c` and records it.
    pub(crate) fn violation(
        &mut self,
        c: &Constitution,
        o: &Object<'_>,
        t: Timestamp,
        index: usize,
    ) -> Result<(), Failure> {
        let id = field(o, "violation_id")?;
        if self.violation_ids.contains_key(id) {
            return Err(Failure::at(Error::DuplicateId, "violation_id"));
        }
        let detected_by = field(o, "detected_by")?;
        if !c.engine_active(detected_by) {
            return Err(Failure::at(Error::UnregisteredDetector, "detected_by"));
        }
        let rule = nested(o, "details", "rule_violated")
            .and_then(Value::as_str)
            .ok_or(Failure::at(Error::MissingField, "details.rule_violated"))?;
        if !c.has_rule(rule) {
            return Err(Failure::at(Error::UnknownRule, "details.rule_violated"));
        }
        self.violation_ids
            .insert(id.to_string(), self.violations.len());
        self.violations.push(Violation {
            violation_id: id.to_string(),
            rule: rule.to_string(),
            detected_by: detected_by.to_string(),
            severity: field(o, "severity")?.to_string(),
            subject: nested(o, "details", "actor")
                .and_then(Value::as_str)
                .map(ToString::to_string),
            detected_at: t,
            index,
        });
        Ok(())
    }

    /// Checks a `gov_enforcement` receipt dated `t` (an enforcement, or a review when it has
    /// `review`) against constitution `c` and records it.
    pub(crate) fn enforcement(
        &mut self,
        c: &Constitution,
        o: &Object<'_>,
        t: Timestamp,
        index: usize,
    ) -> Result<(), Failure> {
        if o.get("review").is_some() {
            return self.review(c, o, t, index);
        }
        let id = field(o, "enforcement_id")?;
        if self.enforcement_ids.contains_key(id) {
            return Err(Failure::at(Error::DuplicateId, "enforcement_id"));
        }
        let enforced_by = field(o, "enforced_by")?;
        if !c.holds(enforced_by, Power::Enforcement) {
            return Err(Failure::at(Error::SignerNotAuthorized, "enforced_by"));
        }
        let violation_id = field(o, "violation_id")?;
        let violation = self
            .violation_ids
            .get(violation_id)
            .and_then(|i| self.violations.get(*i))
            .ok_or(Failure::at(Error::UnknownViolation, "violation_id"))?;
        let target = field(o, "target")?;
        if violation.subject.as_deref().is_some_and(|s| s != target) {
            return Err(Failure::at(Error::TargetMismatch, "target"));
        }
        let deadline = time(o, "review_deadline")?;
        if deadline <= t || !within(t, deadline, c.rules.max_review_seconds) {
            return Err(Failure::at(Error::ReviewDeadlineInvalid, "review_deadline"));
        }
        let action = action_of(o, t)?;
        self.enforcement_ids
            .insert(id.to_string(), self.enforcements.len());
        self.enforcements.push(Enforcement {
            enforcement_id: id.to_string(),
            violation_id: violation_id.to_string(),
            target: target.to_string(),
            enforced_by: enforced_by.to_string(),
            action,
            enforced_at: t,
            review_deadline: deadline,
            review: None,
            index,
        });
        Ok(())
    }

    fn review(
        &mut self,
        c: &Constitution,
        o: &Object<'_>,
        t: Timestamp,
        index: usize,
    ) -> Result<(), Failure> {
        let id = field(o, "enforcement_id")?;
        let e = self
            .enforcement_ids
            .get(id)
            .copied()
            .and_then(|i| self.enforcements.get_mut(i))
            .ok_or(Failure::at(Error::UnknownEnforcement, "enforcement_id"))?;
        let reviewer = field(o, "enforced_by")?;
        if !c.holds(reviewer, Power::Review) {
            return Err(Failure::at(Error::SignerNotAuthorized, "enforced_by"));
        }
        if e.review.is_some() {
            return Err(Failure::at(Error::ReviewInvalid, "review"));
        }
        if field(o, "violation_id")? != e.violation_id {
            return Err(Failure::at(Error::ReviewInvalid, "violation_id"));
        }
        if field(o, "target")? != e.target {
            return Err(Failure::at(Error::ReviewInvalid, "target"));
        }
        if time(o, "review_deadline")? != e.review_deadline {
            return Err(Failure::at(Error::ReviewInvalid, "review_deadline"));
        }
        if t > e.review_deadline {
            return Err(Failure::at(Error::ReviewDeadlineInvalid, "enforced_at"));
        }
        // A review is dated by its receipt's `enforced_at`; a `review.reviewed_at` that says
        // otherwise would let one signed record carry two dates.
        let stated = nested(o, "review", "reviewed_at");
        if stated.is_some_and(|v| v.as_str().and_then(|s| Timestamp::parse(s).ok()) != Some(t)) {
            return Err(Failure::at(Error::ReviewInvalid, "review.reviewed_at"));
        }
        let outcome = outcome_of(o)?;
        // A modified action must still lie ahead; an upheld or dismissed one is the original.
        let action = action_of(
            o,
            if outcome == ReviewOutcome::Modify {
                t
            } else {
                e.enforced_at
            },
        )?;
        if outcome != ReviewOutcome::Modify && action != e.action {
            return Err(Failure::at(Error::ReviewInvalid, "action_taken"));
        }
        e.review = Some(Review {
            outcome,
            reviewed_by: reviewer.to_string(),
            reviewed_at: t,
            action,
            index,
        });
        Ok(())
    }
}

/// The capabilities of `actor` suspended at `t` by `enforcements`, sorted, each with its
/// enforcement.
pub(crate) fn suspended_capabilities(
    enforcements: &[Enforcement],
    actor: &str,
    t: Timestamp,
) -> Vec<Suspension> {
    let mut out: Vec<Suspension> = enforcements
        .iter()
        .filter(|e| e.target == actor)
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
