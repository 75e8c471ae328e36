//! The negotiation between two meshes, as pure functions (docs/SPEC.md §7.7): the proposal
//! checks against the target's trust policy, the state machine of proposal responses, and the
//! agreement derived deterministically from the accepted terms.
//!
//! ```text
//! PROPOSED --accept--> AGREED        (by the party awaited: the target)
//! PROPOSED --reject--> REJECTED
//! PROPOSED --counter-> COUNTERED     (the other party is awaited next)
//! COUNTERED --accept/reject/counter--> AGREED / REJECTED / COUNTERED
//! AGREED, REJECTED: final; PROPOSED, COUNTERED past expires_at: no more responses
//! ```

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{agreement_hash, agreement_signing_input};
use crate::crypto;
use crate::encoding::{timestamp::Timestamp, PublicKey, SignatureBytes};
use crate::error::Error;
use crate::json::{Number, Object, Value};
use crate::record::Failure;

/// Where a negotiation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The proposal was made; the target is awaited.
    Proposed,
    /// The last response was a counter; the other party is awaited.
    Countered,
    /// Accepted: the agreement is signed by both.
    Agreed,
    /// Rejected (final).
    Rejected,
}

impl Phase {
    /// The state's name in SPEC and in answers.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Proposed => "proposed",
            Phase::Countered => "countered",
            Phase::Agreed => "agreed",
            Phase::Rejected => "rejected",
        }
    }

    /// The phase named `name`.
    pub fn from_name(name: &str) -> Option<Phase> {
        Some(match name {
            "proposed" => Phase::Proposed,
            "countered" => Phase::Countered,
            "agreed" => Phase::Agreed,
            "rejected" => Phase::Rejected,
            _ => return None,
        })
    }

    /// Whether no response can follow.
    pub fn is_final(self) -> bool {
        matches!(self, Phase::Agreed | Phase::Rejected)
    }
}

/// A response's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Accept the current terms.
    Accept,
    /// End the negotiation.
    Reject,
    /// Propose other terms.
    Counter,
}

impl Decision {
    /// The decision named in a response's `decision`.
    pub fn from_name(name: &str) -> Option<Decision> {
        Some(match name {
            "accept" => Decision::Accept,
            "reject" => Decision::Reject,
            "counter" => Decision::Counter,
            _ => return None,
        })
    }
}

/// The next phase when `responder` answers `decision` while `awaiting` is awaited, at `now`
/// with the proposal expiring at `expires_at`. A final phase, a response from the party not
/// awaited, or an expired proposal is refused.
pub fn respond(
    phase: Phase,
    awaiting: &str,
    responder: &str,
    decision: Decision,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<Phase, Error> {
    if phase.is_final() || responder != awaiting {
        return Err(Error::NegotiationConflict);
    }
    if now >= expires_at {
        return Err(Error::ProposalExpired);
    }
    Ok(match decision {
        Decision::Accept => Phase::Agreed,
        Decision::Reject => Phase::Rejected,
        Decision::Counter => Phase::Countered,
    })
}

/// A mesh's trust policy: its discovery record's `trust_policy`, with the node's own upper
/// bound and the scrolls it offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Whether proposals are accepted at all.
    pub accepts_proposals: bool,
    /// The lowest trust level accepted.
    pub min_trust_level: u64,
    /// The highest trust level accepted (an addition: not in the discovery record).
    pub max_trust_level: u64,
    /// Every agreement signed by both parties (always true of VaultMesh agreements).
    pub requires_mutual: bool,
    /// The scrolls offered (`scrolls_available`).
    pub scrolls: Vec<String>,
}

fn text<'v>(o: &'v Object<'_>, field: &'static str) -> Result<&'v str, Failure> {
    o.get(field)
        .and_then(Value::as_str)
        .ok_or(Failure::at(Error::MissingField, field))
}

fn time(o: &Object<'_>, field: &'static str) -> Result<Timestamp, Failure> {
    Timestamp::parse(text(o, field)?).map_err(|e| Failure::at(e, field))
}

/// Checks terms (a level and a terms object with `scrolls_to_share`) against `policy`.
pub fn check_terms(level: u64, terms: &Object<'_>, policy: &Policy) -> Result<(), Failure> {
    if level < policy.min_trust_level || level > policy.max_trust_level {
        return Err(Failure::at(Error::PolicyRefused, "trust_level"));
    }
    let scrolls = terms
        .get("scrolls_to_share")
        .and_then(Value::as_array)
        .unwrap_or_default();
    let offered = |s: &Value<'_>| {
        s.as_str()
            .is_some_and(|s| policy.scrolls.iter().any(|o| o == s))
    };
    if scrolls.is_empty() || !scrolls.iter().all(offered) {
        return Err(Failure::at(Error::PolicyRefused, "scrolls_to_share"));
    }
    Ok(())
}

/// Checks a (signature-verified) trust proposal as its target `us` at `now`: addressed to us,
/// not expired, and within our policy.
pub fn check_proposal(
    proposal: &Object<'_>,
    us: &str,
    now: Timestamp,
    policy: &Policy,
) -> Result<(), Failure> {
    if text(proposal, "target")? != us {
        return Err(Failure::at(Error::WrongTarget, "target"));
    }
    let expires = time(proposal, "expires_at")?;
    if expires <= now || expires <= time(proposal, "proposed_at")? {
        return Err(Failure::at(Error::ProposalExpired, "expires_at"));
    }
    if !policy.accepts_proposals {
        return Err(Failure::at(Error::PolicyRefused, "accepts_proposals"));
    }
    let level = proposal
        .get("proposed_trust_level")
        .and_then(Value::as_u64)
        .ok_or(Failure::at(Error::MissingField, "proposed_trust_level"))?;
    let empty = Object::default();
    let terms = proposal
        .get("proposed_terms")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    check_terms(level, terms, policy)
}

/// The terms in force after `responses` (in order): the proposal's, replaced by each
/// counter's `counter_trust_level` and `counter_terms` where it gives them.
pub fn current_terms<'v>(
    proposal: &'v Object<'v>,
    responses: &[&'v Object<'v>],
) -> (u64, Option<&'v Object<'v>>) {
    let mut level = proposal
        .get("proposed_trust_level")
        .and_then(Value::as_u64)
        .unwrap_or_default();
    let mut terms = proposal.get("proposed_terms").and_then(Value::as_object);
    for r in responses {
        if r.get("decision").and_then(Value::as_str) != Some("counter") {
            continue;
        }
        if let Some(l) = r.get("counter_trust_level").and_then(Value::as_u64) {
            level = l;
        }
        if let Some(t) = r.get("counter_terms").and_then(Value::as_object) {
            terms = Some(t);
        }
    }
    (level, terms)
}

/// The agreement id derived from a proposal id: `fed-proposal-X` → `fed-agreement-X`, any
/// other id `I` → `fed-agreement-I`.
pub fn agreement_id(proposal_id: &str) -> String {
    let tail = proposal_id
        .strip_prefix("fed-proposal-")
        .unwrap_or(proposal_id);
    let mut id = String::from("fed-agreement-");
    id.push_str(tail);
    id
}

fn owned(v: &Value<'_>) -> Value<'static> {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(n) => Value::Number(*n),
        Value::String(s) => Value::String(Cow::Owned(s.to_string())),
        Value::Array(a) => Value::Array(a.iter().map(owned).collect()),
        Value::Object(o) => Value::Object(owned_object(o)),
    }
}

fn owned_object(o: &Object<'_>) -> Object<'static> {
    Object {
        members: o
            .members
            .iter()
            .map(|(k, v)| (Cow::Owned(k.to_string()), owned(v)))
            .collect(),
    }
}

fn string(s: &str) -> Value<'static> {
    Value::String(Cow::Owned(s.to_string()))
}

/// The agreement (without signatures) derived from the accepted terms: `agreement_id`,
/// `proposal_id`, `parties` (proposer, target), `established_at` (the accepting response's
/// `responded_at`), `trust_level`, `terms` (the terms with `scrolls_to_share` named
/// `scrolls_shared`), `key_exchange` (each party's federation key) and `agreement_hash`.
/// Both parties compute it from the same records, so it is the same bytes on both sides.
pub fn derive_agreement(
    proposal: &Object<'_>,
    trust_level: u64,
    terms: Option<&Object<'_>>,
    established_at: &str,
    keys: [(&str, &PublicKey); 2],
) -> Result<Object<'static>, Failure> {
    let proposal_id = text(proposal, "proposal_id")?;
    let proposer = text(proposal, "proposer")?;
    let target = text(proposal, "target")?;
    if keys[0].0 != proposer || keys[1].0 != target {
        return Err(Failure::at(Error::PartyMismatch, "key_exchange"));
    }
    let mut agreed = Object::default();
    for (name, value) in terms.map(|t| t.members.as_slice()).unwrap_or_default() {
        let name = if name == "scrolls_to_share" {
            "scrolls_shared"
        } else {
            name.as_ref()
        };
        agreed.insert(name.to_string(), owned(value));
    }
    let mut exchange = Object::default();
    for (party, key) in keys {
        exchange.insert(party.to_string(), string(&key.to_string()));
    }
    let mut a = Object::default();
    a.insert("agreement_id", string(&agreement_id(proposal_id)));
    a.insert("proposal_id", string(proposal_id));
    a.insert(
        "parties",
        Value::Array(alloc::vec![string(proposer), string(target)]),
    );
    a.insert("established_at", string(established_at));
    a.insert(
        "trust_level",
        Value::Number(Number {
            value: trust_level as f64,
            plain_integer: true,
        }),
    );
    a.insert("terms", Value::Object(agreed));
    a.insert("key_exchange", Value::Object(exchange));
    let hash = agreement_hash(&a);
    a.insert("agreement_hash", string(&hash.to_string()));
    Ok(a)
}

/// Checks that a received agreement is the one derived from the accepted terms (`expected`,
/// from [`derive_agreement`]): the same body and hash, whatever its signatures.
pub fn check_derived(received: &Object<'_>, expected: &Object<'_>) -> Result<(), Failure> {
    let body = |o: &Object<'_>| {
        let mut b = owned_object(o);
        b.remove("signatures");
        Value::Object(b).to_canonical()
    };
    if body(received) != body(expected) {
        return Err(Failure::at(Error::AgreementTermsMismatch, "terms"));
    }
    if text(received, "agreement_hash")? != agreement_hash(received).to_string() {
        return Err(Failure::at(Error::AgreementHashMismatch, "agreement_hash"));
    }
    Ok(())
}

/// Verifies one party's signature on an agreement that may not be signed by every party yet
/// (the first signature, before the countersignature).
pub fn verify_party_signature(
    agreement: &Object<'_>,
    party: &str,
    key: &PublicKey,
) -> Result<(), Failure> {
    let entry = agreement
        .get("signatures")
        .and_then(Value::as_object)
        .and_then(|s| s.get(party))
        .and_then(Value::as_object)
        .ok_or(Failure::at(Error::MissingSignature, "signatures"))?;
    let signed_at = text(entry, "signed_at")?;
    Timestamp::parse(signed_at).map_err(|e| Failure::at(e, "signed_at"))?;
    let signature = SignatureBytes::parse(text(entry, "signature")?)
        .map_err(|e| Failure::at(e, "signatures"))?;
    let hash = agreement_hash(agreement);
    crypto::verify_strict(
        key,
        &agreement_signing_input(&hash, signed_at, party),
        &signature,
    )
    .map_err(|e| Failure::at(e, "signatures"))
}

/// Where a proposal is, as stored by either party: everything the next step needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The phase.
    pub phase: Phase,
    /// The party whose response is awaited (none when final).
    pub awaiting: Option<String>,
}

/// The standing after a response moved `phase` on: a counter awaits the other party.
pub fn standing_after(next: Phase, responder: &str, proposer: &str, target: &str) -> Standing {
    let other = if responder == proposer {
        target
    } else {
        proposer
    };
    Standing {
        phase: next,
        awaiting: (!next.is_final()).then(|| other.to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn the_state_machine_moves_and_refuses_what_does_not_fit() {
        let (now, exp) = (t("2026-01-01T00:00:00Z"), t("2026-01-08T00:00:00Z"));
        use Decision::*;
        use Phase::*;
        assert_eq!(respond(Proposed, "b", "b", Accept, now, exp), Ok(Agreed));
        assert_eq!(
            respond(Proposed, "b", "b", Counter, now, exp),
            Ok(Countered)
        );
        assert_eq!(respond(Countered, "a", "a", Reject, now, exp), Ok(Rejected));
        assert_eq!(
            respond(Proposed, "b", "a", Accept, now, exp),
            Err(Error::NegotiationConflict)
        );
        for final_phase in [Agreed, Rejected] {
            assert_eq!(
                respond(final_phase, "b", "b", Counter, now, exp),
                Err(Error::NegotiationConflict)
            );
        }
        assert_eq!(
            respond(Proposed, "b", "b", Accept, exp, exp),
            Err(Error::ProposalExpired)
        );
        let s = standing_after(Countered, "b", "a", "b");
        assert_eq!(s.awaiting.as_deref(), Some("a"));
        assert_eq!(standing_after(Agreed, "b", "a", "b").awaiting, None);
        for p in [Proposed, Countered, Agreed, Rejected] {
            assert_eq!(Phase::from_name(p.name()), Some(p));
        }
    }

    #[test]
    fn agreement_ids_follow_proposal_ids() {
        assert_eq!(
            agreement_id("fed-proposal-2025-001"),
            "fed-agreement-2025-001"
        );
        assert_eq!(agreement_id("x1"), "fed-agreement-x1");
    }
}
