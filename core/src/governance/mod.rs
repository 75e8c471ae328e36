//! Constitutional governance, verifiable offline (docs/SPEC.md §10).
//!
//! A mesh is governed by a constitution: immutable axioms, articles with numbered sections that
//! grant authorities, statutes, the governance rules as data, the voters with their keys and
//! weights, the sovereign, and the engine registry. Every change to it is a chain of signed
//! governance receipts — proposal, votes, ratification, amendment — judged by the rules in force
//! when the proposal was submitted. Executive orders, emergencies, violations and enforcement
//! are receipts in the same chain.
//!
//! Everything here is a pure function over receipts: no clock, no I/O. Times come from the
//! receipts; queries take the time they ask about.
//!
//! - [`constitution_info`] and [`constitution_hash`]: a constitution's version and
//!   `blake3(JCS(document))`.
//! - [`apply`]: constitution + ratified proposal → next constitution.
//! - [`Judge`]: the state in force, judging one receipt at a time in constant work; the node
//!   judges every append to its governance scroll with it.
//! - [`check_write`]: whether a receipt's writer may write a scroll now (suspensions, engine
//!   registry, emergency lockdown).
//! - [`verify_chain`]: genesis + receipts → a [`ChainReport`] with every version and hash, the
//!   final constitution, the first violation (receipt index and error), and the queries
//!   [`ChainReport::emergency_powers_at`] and [`ChainReport::suspended_capabilities`].

mod apply;
mod chain;
mod constitution;
mod enforcement;
#[cfg(feature = "serde")]
pub mod genesis;
mod judge;
mod orders;
mod report;
mod version;
mod writes;

pub use apply::{activate_engine, apply, bump_of, check_change};
pub use chain::{
    verify_chain, verify_chain_json, ChainReport, ChainViolation, ConstitutionVersion, Phase,
    ProposalStatus, Tally,
};
pub use constitution::{
    constitution_hash, constitution_info, Comparison, Constitution, ConstitutionInfo, Engine,
    EngineStatus, Fraction, Grant, Power, ProposalType, Rules, Section, Threshold, RULE_NAMES,
};
pub use enforcement::{Action, Enforcement, Review, ReviewOutcome, Suspension, Violation};
pub use judge::{Judge, CLOCK_SKEW_SECONDS};
pub use orders::PARAMETER_CHANGE;
pub use orders::{EmergencyPower, Order, OrderKind};
pub use version::{Bump, Version};
#[cfg(feature = "signing")]
pub use writes::sign_opaque;
pub use writes::{
    activation_anchor, check_write, scroll_owner, verify_opaque, writer_of, WriteRefusal,
    LOCKDOWN_POWER, WRITE_CAPABILITY,
};

use crate::encoding::timestamp::Timestamp;
use crate::error::Error;
use crate::json::{Object, Value};
use crate::record::Failure;

/// The string member `name` of `o`.
pub(crate) fn text_at<'v>(o: &'v Object<'_>, name: &str) -> Option<&'v str> {
    o.get(name).and_then(Value::as_str)
}

/// True when every member of `o` is one of `allowed`.
pub(crate) fn members_only(o: &Object<'_>, allowed: &[&str]) -> bool {
    o.members.iter().all(|(k, _)| allowed.contains(&k.as_ref()))
}

/// The required string member `field` of a receipt (present after the record checks).
pub(crate) fn field<'v>(o: &'v Object<'_>, field: &'static str) -> Result<&'v str, Failure> {
    text_at(o, field).ok_or(Failure::at(Error::MissingField, field))
}

/// The member `name` of the nested object `outer` of `o` (`duration`, `content`, …), if both
/// are present.
pub(crate) fn nested<'v, 'a>(o: &'v Object<'a>, outer: &str, name: &str) -> Option<&'v Value<'a>> {
    o.get(outer)
        .and_then(Value::as_object)
        .and_then(|n| n.get(name))
}

/// The timestamp member `field`, if present.
pub(crate) fn time_opt(o: &Object<'_>, field: &'static str) -> Result<Option<Timestamp>, Failure> {
    time_value(o.get(field), field)
}

/// The timestamp `value` (named `field` in errors), if present.
pub(crate) fn time_value(
    value: Option<&Value<'_>>,
    field: &'static str,
) -> Result<Option<Timestamp>, Failure> {
    match value {
        None => Ok(None),
        Some(v) => {
            let text = v
                .as_str()
                .ok_or(Failure::at(Error::MalformedTimestamp, field))?;
            Timestamp::parse(text)
                .map(Some)
                .map_err(|e| Failure::at(e, field))
        }
    }
}

/// The required timestamp member `field`.
pub(crate) fn time(o: &Object<'_>, field: &'static str) -> Result<Timestamp, Failure> {
    time_opt(o, field)?.ok_or(Failure::at(Error::MissingField, field))
}

/// `end - start` is at most `max` seconds.
pub(crate) fn within(start: Timestamp, end: Timestamp, max: u64) -> bool {
    i128::from(end.seconds_since(start)) <= i128::from(max)
}

/// `end - start` is at least `min` seconds.
pub(crate) fn at_least(start: Timestamp, end: Timestamp, min: u64) -> bool {
    i128::from(end.seconds_since(start)) >= i128::from(min)
}

/// `t + seconds`, saturating.
pub(crate) fn plus(t: Timestamp, seconds: u64) -> Timestamp {
    t.saturating_add_seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
}
