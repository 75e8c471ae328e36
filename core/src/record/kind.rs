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

const fn req(path: &'static str, ty: T) -> Field {
    Field {
        path,
        ty,
        required: true,
    }
}
const fn opt(path: &'static str, ty: T) -> Field {
    Field {
        path,
        ty,
        required: false,
    }
}

const WITNESS_RESULTS: &[&str] = &["verified", "discrepancy", "failed"];
const DECISIONS: &[&str] = &["accept", "reject", "counter"];
/// `gov_proposal.proposal_type`: the document's `amendment` (an article or a statute, named by
/// `content.target`) and `add_engine`; `change_rules` and `retire_engine` are additions.
pub const PROPOSAL_TYPES: &[&str] = &["amendment", "add_engine", "retire_engine", "change_rules"];
/// `gov_vote.vote`.
pub const VOTES: &[&str] = &["approve", "reject", "abstain"];
const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];
/// `gov_ratification.decision` (an addition: absent means `ratified`).
const RATIFICATION_DECISIONS: &[&str] = &["ratified", "rejected"];
/// `gov_enforcement.review.decision` (an addition, Article IV due process).
const REVIEW_DECISIONS: &[&str] = &["uphold", "dismiss", "modify"];

/// The terms a proposal offers and a counter proposes (`proposed_terms`, `counter_terms`).
macro_rules! terms {
    ($prefix:literal, $scrolls:literal) => {
        &[
            opt(concat!($prefix, ".", $scrolls), T::Scrolls),
            opt(concat!($prefix, ".verification_frequency"), T::Name),
            opt(concat!($prefix, ".retention_period_days"), T::UInt),
            opt(concat!($prefix, ".data_jurisdiction"), T::String),
            opt(concat!($prefix, ".audit_rights"), T::Bool),
            opt(concat!($prefix, ".dispute_resolution"), T::String),
        ]
    };
}

/// The table of all kinds, in [`Kind`] order. Member names, nesting and values are those of the
/// protocol document's examples (`docs/SPEC.md` §6), with the wire format's signer members.
pub static KINDS: [KindSpec; 14] = [
    KindSpec {
        kind: Kind::Discovery,
        domain: "fed_discovery",
        typed: false,
        signature_field: "signature",
        signer: Signer::OwnKeyField("public_key"),
        fields: &[
            req("mesh_id", T::MeshId),
            req("display_name", T::String),
            req(
                "endpoints",
                T::Nested(&[
                    req("endpoints.federation", T::HttpsUrl),
                    req("endpoints.verification", T::HttpsUrl),
                ]),
            ),
            req("public_key", T::PublicKey),
            req("scrolls_available", T::Scrolls),
            req(
                "trust_policy",
                T::Nested(&[
                    req("trust_policy.accepts_proposals", T::Bool),
                    req("trust_policy.min_trust_level", T::TrustLevel),
                    req("trust_policy.requires_mutual", T::Bool),
                ]),
            ),
            req("attestations", T::Array),
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
            req("proposed_at", T::Timestamp),
            req("expires_at", T::Timestamp),
            req("proposed_trust_level", T::TrustLevel),
            req(
                "proposed_terms",
                T::Nested(terms!("proposed_terms", "scrolls_to_share")),
            ),
            opt(
                "proposer_attestations",
                T::Nested(&[
                    opt("proposer_attestations.identity_proof", T::String),
                    opt("proposer_attestations.compliance_credentials", T::Strings),
                ]),
            ),
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
            opt(
                "counter_terms",
                T::Nested(terms!("counter_terms", "scrolls_to_share")),
            ),
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
            req("established_at", T::Timestamp),
            req("trust_level", T::TrustLevel),
            req("terms", T::Nested(terms!("terms", "scrolls_shared"))),
            req("key_exchange", T::Object),
            req("agreement_hash", T::Digest),
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
            req("scroll", T::Scroll),
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
            req("witness_id", T::String),
            req("witnessed_mesh", T::MeshId),
            req("witnessing_mesh", T::MeshId),
            req("timestamp", T::Timestamp),
            req("scroll", T::Scroll),
            req("witnessed_root", T::Digest),
            req("tree_size", T::UInt),
            opt(
                "witnessed_anchor",
                T::Nested(&[req("witnessed_anchor.backend", T::Name)]),
            ),
            req("verification_method", T::Name),
            req("verification_result", T::Enum(WITNESS_RESULTS)),
            opt("samples_checked", T::UInt),
            req("discrepancies", T::Array),
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
            opt(
                "anchor_proof",
                T::Nested(&[req("anchor_proof.backend", T::Name)]),
            ),
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
            req("proposal_type", T::Enum(PROPOSAL_TYPES)),
            req("title", T::String),
            req("author", T::ActorId),
            req("submitted_at", T::Timestamp),
            req("deliberation_ends", T::Timestamp),
            opt("voting_ends", T::Timestamp),
            req(
                "content",
                T::Nested(&[
                    req("content.target", T::String),
                    req("content.action", T::Enum(&["add", "modify", "remove"])),
                    opt("content.text", T::Any),
                ]),
            ),
            opt("rationale", T::String),
            opt("status", T::Enum(&["deliberation"])),
        ],
    },
    KindSpec {
        kind: Kind::GovVote,
        domain: "gov_vote",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("voter"),
        fields: &[
            req("vote_id", T::String),
            req("proposal_id", T::String),
            req("voter", T::ActorId),
            req("voted_at", T::Timestamp),
            req("vote", T::Enum(VOTES)),
            req("weight", T::Weight),
            opt("comments", T::String),
        ],
    },
    KindSpec {
        kind: Kind::GovRatification,
        domain: "gov_ratification",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("ratified_by"),
        fields: &[
            req("ratification_id", T::String),
            req("proposal_id", T::String),
            req("ratified_at", T::Timestamp),
            req("ratified_by", T::ActorId),
            req(
                "vote_summary",
                T::Nested(&[
                    req("vote_summary.approve", T::Weight),
                    req("vote_summary.reject", T::Weight),
                    req("vote_summary.abstain", T::Weight),
                ]),
            ),
            req("quorum_met", T::Bool),
            req("constitution_version_before", T::Version),
            req("constitution_version_after", T::Version),
            opt("decision", T::Enum(RATIFICATION_DECISIONS)),
        ],
    },
    KindSpec {
        kind: Kind::GovAmendment,
        domain: "gov_amendment",
        typed: true,
        signature_field: "signature",
        signer: Signer::ActorField("activated_by"),
        fields: &[
            req("amendment_id", T::String),
            req("proposal_id", T::String),
            req("effective_at", T::Timestamp),
            opt(
                "anchor_proof",
                T::Nested(&[
                    req("anchor_proof.backend", T::Name),
                    opt("anchor_proof.scroll", T::Scroll),
                    opt("anchor_proof.tree_size", T::UInt),
                    opt("anchor_proof.root", T::Digest),
                    opt("anchor_proof.anchored_at", T::Timestamp),
                ]),
            ),
            req("constitution_hash_before", T::Digest),
            req("constitution_hash_after", T::Digest),
            req("activated_by", T::ActorId),
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
            req("title", T::String),
            req("issued_by", T::ActorId),
            opt("issued_at", T::Timestamp),
            req("authority", T::String),
            req("order_type", T::Name),
            opt(
                "content",
                T::Nested(&[
                    opt("content.emergency_type", T::Name),
                    opt("content.threat_description", T::String),
                    opt("content.powers_invoked", T::Strings),
                    opt("content.parameter", T::String),
                ]),
            ),
            opt(
                "duration",
                T::Nested(&[
                    req(
                        "duration.type",
                        T::Enum(&["temporary", "emergency", "permanent"]),
                    ),
                    opt("duration.expires_at", T::Timestamp),
                    opt("duration.renewable", T::Bool),
                ]),
            ),
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
            req("detected_at", T::Timestamp),
            req("detected_by", T::ActorOrEngine),
            req("violation_type", T::Name),
            req("severity", T::Enum(SEVERITIES)),
            req(
                "details",
                T::Nested(&[
                    req("details.actor", T::ActorId),
                    req("details.action_attempted", T::Name),
                    req("details.rule_violated", T::String),
                    opt("details.action_result", T::Name),
                ]),
            ),
            opt(
                "evidence",
                T::Nested(&[
                    opt("evidence.log_entries", T::Strings),
                    opt("evidence.request_hash", T::Digest),
                    opt("evidence.count", T::UInt),
                ]),
            ),
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
            req("enforced_at", T::Timestamp),
            req("enforcement_type", T::Name),
            req("target", T::ActorOrEngine),
            req(
                "action_taken",
                T::Nested(&[
                    opt("action_taken.capability_suspended", T::Name),
                    opt("action_taken.scope", T::String),
                    opt("action_taken.duration", T::String),
                ]),
            ),
            req("review_required", T::Bool),
            req("review_deadline", T::Timestamp),
            req("enforced_by", T::ActorOrEngine),
            opt(
                "review",
                T::Nested(&[
                    req("review.decision", T::Enum(REVIEW_DECISIONS)),
                    opt("review.reason", T::String),
                    opt("review.reviewed_at", T::Timestamp),
                ]),
            ),
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
