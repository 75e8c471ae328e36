//! Every record kind of the protocol: its signature domain, who signs it, and its fields
//! (wire format §3, §6–§9). One table per kind; the verifier and the docs read these tables.

use super::field::{Field, FieldType as T};

/// A kind of signed record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A mesh's discovery record (untyped; optional self-signature).
    Discovery,
    /// A trust proposal from one mesh to another (untyped).
    TrustProposal,
    /// A response to a trust proposal: accept, reject or counter (untyped).
    ProposalResponse,
    /// A federation agreement signed by every party (untyped; see `federation`).
    Agreement,
    /// A signed tree head of a scroll.
    ScrollCheckpoint,
    /// A witness's statement about another mesh's scroll root.
    WitnessReceipt,
    /// A cross-anchor committing to both meshes' scroll roots.
    CrossAnchor,
    /// A governance proposal.
    GovProposal,
    /// A vote on a governance proposal.
    GovVote,
    /// The ratification of a voted proposal.
    GovRatification,
    /// The activation of a ratified amendment.
    GovAmendment,
    /// An executive order, including emergencies.
    GovExecutiveOrder,
    /// A detected violation of a rule.
    GovViolation,
    /// Enforcement against a violation, and its review.
    GovEnforcement,
}

/// Where a record's signer key comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    /// The key is the value of this field of the record itself (self-signed discovery).
    OwnKeyField(&'static str),
    /// The signer's id is in this field; its key comes from the keyring.
    ActorField(&'static str),
    /// Signed by several parties (agreements); verified by `federation::verify_agreement`.
    Parties,
}

/// Everything the verifier knows about one kind.
#[derive(Debug)]
pub struct KindSpec {
    /// The kind.
    pub kind: Kind,
    /// The signature domain, which is also the `type` of a typed record.
    pub domain: &'static str,
    /// Whether the record carries `type` (equal to the domain).
    pub typed: bool,
    /// The member holding the signature, removed before signing.
    pub signature_field: &'static str,
    /// Who signs.
    pub signer: Signer,
    /// The defined fields (besides `type` and the signature). Other members are kept and hashed.
    pub fields: &'static [Field],
}

const fn req(name: &'static str, ty: T) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}
const fn opt(name: &'static str, ty: T) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const WITNESS_RESULTS: &[&str] = &["verified", "discrepancy", "failed"];
const DECISIONS: &[&str] = &["accept", "reject", "counter"];
const PROPOSAL_TYPES: &[&str] = &[
    "amend_article",
    "change_statute",
    "change_rules",
    "add_engine",
    "retire_engine",
];
const VOTES: &[&str] = &["for", "against", "abstain"];
const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];

/// The table of all kinds, in [`Kind`] order.
pub static KINDS: [KindSpec; 14] = [
    KindSpec {
        kind: Kind::Discovery,
        domain: "fed_discovery",
        typed: false,
        signature_field: "signature",
        signer: Signer::OwnKeyField("public_key"),
        fields: &[
            req("mesh_id", T::MeshId),
            req("public_key", T::PublicKey),
            opt("name", T::String),
            opt("endpoint", T::String),
            opt("scrolls", T::Array),
            opt("published_at", T::Timestamp),
        ],
    },
    KindSpec {
        kind: Kind::TrustProposal,
        domain: "fed_proposal",
        typed: false,
        signature_field: "signature",
        signer: Signer::ActorField("proposer"),
        fields: &[
            req("proposal_id", T::String),
            req("proposer", T::MeshId),
            req("target", T::MeshId),
            req("trust_level", T::TrustLevel),
            req("proposed_at", T::Timestamp),
            opt("expires_at", T::Timestamp),
            opt("terms", T::Object),
        ],
    },
    KindSpec {
        kind: Kind::ProposalResponse,
        domain: "fed_proposal_response",
        typed: false,
        signature_field: "signature",
        signer: Signer::ActorField("responder"),
        fields: &[
            req("proposal_id", T::String),
            req("responder", T::MeshId),
            req("responded_at", T::Timestamp),
            req("decision", T::Enum(DECISIONS)),
            opt("reason", T::String),
            opt("counter_terms", T::Object),
            opt("counter_trust_level", T::TrustLevel),
        ],
    },
    KindSpec {
        kind: Kind::Agreement,
        domain: "fed_agreement",
        typed: false,
        signature_field: "signatures",
        signer: Signer::Parties,
        fields: &[
            req("agreement_id", T::String),
            req("parties", T::Array),
            req("trust_level", T::TrustLevel),
            req("key_exchange", T::Object),
            req("effective_at", T::Timestamp),
            req("agreement_hash", T::Digest),
            opt("terms", T::Object),
            opt("expires_at", T::Timestamp),
        ],
    },
    KindSpec {
        kind: Kind::ScrollCheckpoint,
        domain: "scroll_checkpoint",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("mesh_id"),
        fields: &[
            req("mesh_id", T::MeshId),
            req("scroll", T::Name),
            req("tree_size", T::UInt),
            req("root", T::Digest),
            req("timestamp", T::Timestamp),
        ],
    },
    KindSpec {
        kind: Kind::WitnessReceipt,
        domain: "fed_witness_event",
        typed: true,
        signature_field: "witness_signature",
        signer: Signer::ActorField("witnessing_mesh"),
        fields: &[
            req("witnessing_mesh", T::MeshId),
            req("witnessed_mesh", T::MeshId),
            req("scroll", T::Name),
            req("root", T::Digest),
            req("tree_size", T::UInt),
            req("verification_result", T::Enum(WITNESS_RESULTS)),
            req("discrepancies", T::Array),
            req("timestamp", T::Timestamp),
        ],
    },
    KindSpec {
        kind: Kind::CrossAnchor,
        domain: "fed_cross_anchor",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("anchoring_mesh"),
        fields: &[
            req("anchoring_mesh", T::MeshId),
            req("anchored_mesh", T::MeshId),
            req("anchoring_roots", T::RootMap),
            req("roots_included", T::RootMap),
            req("combined_root", T::Digest),
            opt("anchor_proof", T::Object),
            req("timestamp", T::Timestamp),
        ],
    },
    KindSpec {
        kind: Kind::GovProposal,
        domain: "gov_proposal",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("author"),
        fields: &[
            req("proposal_id", T::String),
            req("author", T::ActorId),
            req("proposal_type", T::Enum(PROPOSAL_TYPES)),
            req("title", T::String),
            req("change", T::Object),
            req("submitted_at", T::Timestamp),
            req("deliberation_ends_at", T::Timestamp),
            opt("voting_ends_at", T::Timestamp),
            opt("rationale", T::String),
        ],
    },
    KindSpec {
        kind: Kind::GovVote,
        domain: "gov_vote",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("voter"),
        fields: &[
            req("proposal_id", T::String),
            req("voter", T::ActorId),
            req("vote", T::Enum(VOTES)),
            req("weight", T::UInt),
            req("cast_at", T::Timestamp),
            opt("rationale", T::String),
        ],
    },
    KindSpec {
        kind: Kind::GovRatification,
        domain: "gov_ratification",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("ratified_by"),
        fields: &[
            req("proposal_id", T::String),
            req("ratified_by", T::ActorId),
            req("vote_summary", T::Object),
            req("quorum_met", T::Bool),
            req("decision", T::Enum(&["ratified", "rejected"])),
            req("ratified_at", T::Timestamp),
        ],
    },
    KindSpec {
        kind: Kind::GovAmendment,
        domain: "gov_amendment",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("activated_by"),
        fields: &[
            req("proposal_id", T::String),
            req("activated_by", T::ActorId),
            req("constitution_hash_before", T::Digest),
            req("constitution_hash_after", T::Digest),
            req("version_before", T::String),
            req("version_after", T::String),
            req("effective_at", T::Timestamp),
            opt("anchor_proof", T::Object),
        ],
    },
    KindSpec {
        kind: Kind::GovExecutiveOrder,
        domain: "gov_executive_order",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("issued_by"),
        fields: &[
            req("order_id", T::String),
            req("issued_by", T::ActorId),
            req("order_type", T::Name),
            req("authority", T::String),
            req("issued_at", T::Timestamp),
            opt("expires_at", T::Timestamp),
            opt("powers", T::Array),
            opt("renews", T::String),
            opt("revokes", T::String),
        ],
    },
    KindSpec {
        kind: Kind::GovViolation,
        domain: "gov_violation",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("detected_by"),
        fields: &[
            req("violation_id", T::String),
            req("detected_by", T::ActorOrEngine),
            req("rule", T::String),
            req("severity", T::Enum(SEVERITIES)),
            req("detected_at", T::Timestamp),
            opt("subject", T::String),
            opt("evidence", T::Object),
        ],
    },
    KindSpec {
        kind: Kind::GovEnforcement,
        domain: "gov_enforcement",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("enforced_by"),
        fields: &[
            req("enforcement_id", T::String),
            req("violation_id", T::String),
            req("enforced_by", T::ActorOrEngine),
            req("target", T::ActorId),
            req("action", T::Object),
            req("enforced_at", T::Timestamp),
            req("review_deadline", T::Timestamp),
            opt("review", T::Object),
        ],
    },
];

impl Kind {
    /// Every kind, in order.
    pub const ALL: [Kind; 14] = [
        Kind::Discovery,
        Kind::TrustProposal,
        Kind::ProposalResponse,
        Kind::Agreement,
        Kind::ScrollCheckpoint,
        Kind::WitnessReceipt,
        Kind::CrossAnchor,
        Kind::GovProposal,
        Kind::GovVote,
        Kind::GovRatification,
        Kind::GovAmendment,
        Kind::GovExecutiveOrder,
        Kind::GovViolation,
        Kind::GovEnforcement,
    ];

    /// This kind's table entry.
    pub fn spec(self) -> &'static KindSpec {
        &KINDS[self as usize]
    }

    /// The signature domain (its name is the `type` of typed records).
    pub fn domain(self) -> &'static str {
        self.spec().domain
    }

    /// The kind whose domain is named `name` (`gov_vote`, `fed_discovery`, …).
    pub fn from_domain(name: &str) -> Option<Kind> {
        KINDS.iter().find(|s| s.domain == name).map(|s| s.kind)
    }

    /// The kind named on a command line: its domain, or a short alias (`discovery`, `proposal`,
    /// `response`, `agreement`, `checkpoint`, `witness`, `cross-anchor`).
    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "discovery" => Kind::Discovery,
            "proposal" | "trust_proposal" => Kind::TrustProposal,
            "response" | "proposal_response" => Kind::ProposalResponse,
            "agreement" => Kind::Agreement,
            "checkpoint" => Kind::ScrollCheckpoint,
            "witness" => Kind::WitnessReceipt,
            "cross-anchor" | "cross_anchor" => Kind::CrossAnchor,
            _ => return Kind::from_domain(name),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_kind_order_and_domains_unique() {
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(KINDS[i].kind, *k);
            assert_eq!(Kind::from_domain(k.domain()), Some(*k));
        }
        assert_eq!(Kind::from_name("witness"), Some(Kind::WitnessReceipt));
        assert_eq!(Kind::from_name("nope"), None);
    }
}
