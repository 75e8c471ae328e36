//! The JSON form of a [`ChainReport`] (docs/SPEC.md §10.6): what a bundle report shows for a
//! governance chain, what `verifyGovernanceChain` returns and what `vm-verify governance --json`
//! prints (with its own envelope).

use alloc::borrow::Cow;
use alloc::string::{String, ToString};

use super::chain::{ChainReport, ChainViolation, ConstitutionVersion, Phase, ProposalStatus};
use crate::encoding::Weight;
use crate::json::{Number, Object, Value};
use crate::record::Failure;

impl Phase {
    /// The wire name: `open`, `ratified`, `rejected`, `engine_pending` or `activated`.
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Open => "open",
            Phase::Ratified => "ratified",
            Phase::Rejected => "rejected",
            Phase::EnginePending => "engine_pending",
            Phase::Activated => "activated",
        }
    }
}

impl ChainReport<'_> {
    /// The report as JSON (docs/SPEC.md §10.6):
    ///
    /// ```json
    /// {"valid": true, "receipts": 6, "verified": 6,
    ///  "violation": null | {"index": 4 | null, "error", "code", "message", "field"?},
    ///  "versions": [{"version", "constitution_hash", "index", "proposal_id", "effective_at"}],
    ///  "proposals": [{"proposal_id", "proposal_type", "class", "phase", "tally": {"approve", "reject", "abstain"}, "index"}],
    ///  "orders": 0, "violations": 0, "enforcements": 0}
    /// ```
    ///
    /// `versions` are genesis first (its `index`, `proposal_id` and `effective_at` null);
    /// `orders`, `violations` and `enforcements` are counts. The violation's `field` is present
    /// only when the error names a member.
    pub fn to_value(&self) -> Value<'static> {
        let mut o = Object::default();
        o.insert("valid", Value::Bool(self.is_valid()));
        o.insert("receipts", uint(self.receipts));
        o.insert("verified", uint(self.verified));
        o.insert(
            "violation",
            self.violation.as_ref().map_or(Value::Null, violation_value),
        );
        o.insert(
            "versions",
            Value::Array(self.versions.iter().map(version_value).collect()),
        );
        o.insert(
            "proposals",
            Value::Array(self.proposals.iter().map(proposal_value).collect()),
        );
        o.insert("orders", uint(self.orders.len()));
        o.insert("violations", uint(self.violations.len()));
        o.insert("enforcements", uint(self.enforcements.len()));
        Value::Object(o)
    }
}

fn violation_value(v: &ChainViolation) -> Value<'static> {
    let failure = Failure {
        error: v.error,
        field: v.field,
    };
    let mut e = Object::default();
    e.insert("index", v.index.map_or(Value::Null, uint));
    e.insert("error", text(v.error.name()));
    e.insert("code", number(u64::from(v.error.code())));
    e.insert("message", text(failure.to_string()));
    if let Some(field) = v.field {
        e.insert("field", text(field));
    }
    Value::Object(e)
}

fn version_value(v: &ConstitutionVersion) -> Value<'static> {
    let mut e = Object::default();
    e.insert("version", text(v.version.to_string()));
    e.insert("constitution_hash", text(v.hash.to_string()));
    e.insert("index", v.index.map_or(Value::Null, uint));
    e.insert(
        "proposal_id",
        v.proposal_id
            .as_deref()
            .map_or(Value::Null, |p| text(String::from(p))),
    );
    e.insert(
        "effective_at",
        v.effective_at.map_or(Value::Null, |t| text(t.to_string())),
    );
    Value::Object(e)
}

fn proposal_value(p: &ProposalStatus) -> Value<'static> {
    let mut tally = Object::default();
    tally.insert("approve", weight(p.tally.approve));
    tally.insert("reject", weight(p.tally.reject));
    tally.insert("abstain", weight(p.tally.abstain));
    let mut e = Object::default();
    e.insert("proposal_id", text(p.proposal_id.clone()));
    e.insert("proposal_type", text(p.proposal_type.wire_name()));
    e.insert("class", text(p.proposal_type.name()));
    e.insert("phase", text(p.phase.name()));
    e.insert("tally", Value::Object(tally));
    e.insert("index", uint(p.index));
    Value::Object(e)
}

fn text(s: impl Into<Cow<'static, str>>) -> Value<'static> {
    Value::String(s.into())
}

fn number(n: u64) -> Value<'static> {
    Value::Number(Number {
        value: n as f64,
        plain_integer: true,
    })
}

/// A weight as the JSON number of its decimal text (`0.5`): the nearest double of a decimal of
/// at most six fractional digits below 2^53 prints back as that decimal.
fn weight(w: Weight) -> Value<'static> {
    Value::Number(Number {
        value: w.0 as f64 / Weight::UNIT as f64,
        plain_integer: w.0 % Weight::UNIT == 0,
    })
}

fn uint(n: usize) -> Value<'static> {
    number(n as u64)
}
