//! Typed records (serde): one struct per record kind, for the programs that produce and consume
//! records. Verification does not use them; it stays table-driven ([`super::verify_record`]).
//!
//! - Field names are exactly those of the kind's table ([`super::KINDS`], `docs/SPEC.md` §6).
//!   Required fields are plain fields, optional ones `Option`s that are left out when `None`;
//!   enumerated fields are enums; the signature member is an `Option` (absent until signed).
//! - Typed kinds carry `type` as a [`TypeTag`]: it always writes the kind's domain and reads
//!   nothing else, so a record of another type never deserialises as this one.
//! - Members this crate does not define are kept in `extra` (flattened) and written back. A round
//!   trip gives the same canonical bytes and the same `receipt_hash`: dropping them would verify
//!   a different record than the one signed.
//!
//! Reading goes through the verifier's own checks: [`from_value`] first checks the record's
//! shape as [`super::check_shape`] does (so errors keep the verifier's codes and field names),
//! then deserialises its canonical bytes. Writing goes through the strict parser:
//! [`to_value`] and [`to_canonical`] serialise with serde_json and re-read the text with
//! [`crate::json::parse_record`], so whatever a struct produces obeys every I-JSON rule
//! (`NUMBER_OUT_OF_RANGE` beyond 2^53−1, `DUPLICATE_KEY` when `extra` repeats a defined member,
//! …). `sign_typed` (feature `signing`) signs through `record::sign_record`, so the signature
//! is exactly what the verifier checks.
//!
//! ```
//! use vaultmesh_core::json::Limits;
//! use vaultmesh_core::record::typed::{self, GovVote, Vote};
//!
//! let text = br#"{"type":"gov_vote","proposal_id":"P-1","voter":"did:vm:human:alice",
//!     "vote":"for","weight":3,"cast_at":"2025-12-09T14:05:00Z","ballot":{"round":2}}"#;
//! let vote: GovVote = typed::from_slice(text, &Limits::default())?;
//! assert_eq!(vote.vote, Vote::For);
//! assert!(vote.signature.is_none());
//! assert_eq!(vote.extra["ballot"]["round"], 2); // unknown, kept
//! let canonical = typed::to_canonical(&vote)?;
//! assert!(canonical.starts_with(br#"{"ballot":{"round":2},"cast_at""#));
//! # Ok::<(), vaultmesh_core::record::Failure>(())
//! ```
//!
//! Text fields (ids, digests, keys, timestamps) are `String`s holding the wire text; the
//! shape check validates them. Object and array fields are `serde_json` values, as the tables
//! define them, except in [`Agreement`], whose `parties`, `key_exchange` and `signatures` are
//! typed as `docs/SPEC.md` §7.1 requires.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{check_shape, Failure, Kind, Signer};
use crate::encoding::Digest;
use crate::error::Error;
use crate::json::{self, Limits, Object, Value};

/// A JSON value inside a record (array items, object members, unknown members).
pub type JsonValue = serde_json::Value;

/// A JSON object inside a record (`terms`, `change`, `evidence`, …), kept member for member.
pub type JsonObject = serde_json::Map<String, JsonValue>;

/// The members of a record that its kind does not define: kept, written back and hashed.
pub type Extra = BTreeMap<String, JsonValue>;

/// A record kind as a Rust type.
pub trait TypedRecord: Serialize + DeserializeOwned {
    /// The kind: its domain, signer and signature member are in [`Kind::spec`].
    const KIND: Kind;

    /// The defined fields of the struct (besides `type`, the signature member and `extra`) as
    /// `(name, required)`: required fields are plain fields, optional ones `Option`s. Generated
    /// together with the struct; the tests hold it equal to the kind's table in
    /// [`super::KINDS`].
    const FIELDS: &'static [(&'static str, bool)];

    /// The members this record has that its kind does not define (its `extra`).
    fn extra(&self) -> &Extra;
}

/// A record with one signature member made by one key: every kind except the agreement, which
/// every party signs (`sign_typed_agreement`, feature `signing`).
pub trait SingleSigned: TypedRecord {}

/// The `type` member of a typed record. It has no value of its own: it always serialises as the
/// domain of `T`'s kind (`"gov_vote"`, …) and deserialises only from that exact string.
pub struct TypeTag<T>(PhantomData<fn() -> T>);

impl<T> TypeTag<T> {
    /// The tag (the only value there is).
    pub const fn new() -> TypeTag<T> {
        TypeTag(PhantomData)
    }
}

impl<T: TypedRecord> TypeTag<T> {
    /// The `type` it writes: the domain of `T`'s kind.
    pub fn as_str(&self) -> &'static str {
        T::KIND.domain()
    }
}

impl<T> Clone for TypeTag<T> {
    fn clone(&self) -> TypeTag<T> {
        *self
    }
}

impl<T> Copy for TypeTag<T> {}

impl<T> Default for TypeTag<T> {
    fn default() -> TypeTag<T> {
        TypeTag::new()
    }
}

impl<T> PartialEq for TypeTag<T> {
    fn eq(&self, _: &TypeTag<T>) -> bool {
        true
    }
}

impl<T> Eq for TypeTag<T> {}

impl<T> core::hash::Hash for TypeTag<T> {
    fn hash<H: core::hash::Hasher>(&self, _: &mut H) {}
}

impl<T: TypedRecord> fmt::Debug for TypeTag<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TypeTag({:?})", self.as_str())
    }
}

impl<T: TypedRecord> Serialize for TypeTag<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de, T: TypedRecord> Deserialize<'de> for TypeTag<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TypeTag<T>, D::Error> {
        struct Expect<T>(PhantomData<fn() -> T>);
        impl<T: TypedRecord> Visitor<'_> for Expect<T> {
            type Value = TypeTag<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "the string {:?}", T::KIND.domain())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TypeTag<T>, E> {
                if v == T::KIND.domain() {
                    Ok(TypeTag::new())
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_str(Expect(PhantomData))
    }
}

// ---------------------------------------------------------------------------------------------
// Enumerated fields.

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in the order of the kind's table.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value as records write it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// A proposal response's `decision`.
    ResponseDecision {
        /// `accept`: the trust proposal is accepted as proposed.
        Accept = "accept",
        /// `reject`: the trust proposal is declined.
        Reject = "reject",
        /// `counter`: a counter-proposal (`counter_terms`, `counter_trust_level`).
        Counter = "counter",
    }
}

string_enum! {
    /// A witness receipt's `verification_result` (`docs/SPEC.md` §7.3).
    VerificationResult {
        /// `verified`: the witness checked the root; `discrepancies` is empty.
        Verified = "verified",
        /// `discrepancy`: the witness found differences, listed in `discrepancies`.
        Discrepancy = "discrepancy",
        /// `failed`: the witness could not check.
        Failed = "failed",
    }
}

string_enum! {
    /// A governance proposal's `proposal_type` (`docs/SPEC.md` §10.2).
    ProposalType {
        /// `amend_article`: add, change or remove an article.
        AmendArticle = "amend_article",
        /// `change_statute`: add, change or remove a statute.
        ChangeStatute = "change_statute",
        /// `change_rules`: change the governance rules.
        ChangeRules = "change_rules",
        /// `add_engine`: register an engine.
        AddEngine = "add_engine",
        /// `retire_engine`: retire an engine.
        RetireEngine = "retire_engine",
    }
}

string_enum! {
    /// A governance vote's `vote`.
    Vote {
        /// `for`
        For = "for",
        /// `against`
        Against = "against",
        /// `abstain`
        Abstain = "abstain",
    }
}

string_enum! {
    /// A ratification's `decision`.
    RatificationDecision {
        /// `ratified`: the proposal passes.
        Ratified = "ratified",
        /// `rejected`: the proposal does not pass.
        Rejected = "rejected",
    }
}

string_enum! {
    /// A violation's `severity`.
    Severity {
        /// `low`
        Low = "low",
        /// `medium`
        Medium = "medium",
        /// `high`
        High = "high",
        /// `critical`
        Critical = "critical",
    }
}

// ---------------------------------------------------------------------------------------------
// One struct per kind.

/// Declares a record struct: the fields of its table (`required`, `optional`), the head fields
/// (`type` and the signature member) and `extra`, and its [`TypedRecord`] impl. `FIELDS` is
/// written from the same lists as the struct, so the two cannot differ.
macro_rules! record {
    (
        typed $(#[$meta:meta])* $name:ident = $kind:ident, signature $sig:ident;
        $($rest:tt)*
    ) => {
        record! {
            @emit $(#[$meta])* $name = $kind;
            {
                /// `type`: always this kind's domain (see [`TypeTag`]).
                #[serde(rename = "type")]
                pub record_type: TypeTag<$name>,
                /// The signature (`z` + base58btc), absent until signed. It is left out of the
                /// signed body and included in `receipt_hash`.
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $sig: Option<String>,
            }
            $($rest)*
        }
        impl SingleSigned for $name {}
    };
    (
        untyped $(#[$meta:meta])* $name:ident = $kind:ident, signature $sig:ident;
        $($rest:tt)*
    ) => {
        record! {
            @emit $(#[$meta])* $name = $kind;
            {
                /// The signature (`z` + base58btc), absent until signed. It is left out of the
                /// signed body and included in `receipt_hash`.
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $sig: Option<String>,
            }
            $($rest)*
        }
        impl SingleSigned for $name {}
    };
    (
        @emit $(#[$meta:meta])* $name:ident = $kind:ident;
        { $($head:tt)* }
        required { $( $(#[$rmeta:meta])* $rfield:ident : $rty:ty, )* }
        optional { $( $(#[$ometa:meta])* $ofield:ident : $oty:ty, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $($head)*
            $( $(#[$rmeta])* pub $rfield: $rty, )*
            $(
                $(#[$ometa])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $ofield: Option<$oty>,
            )*
            /// Members this kind does not define: kept, written back and hashed.
            #[serde(flatten)]
            pub extra: Extra,
        }

        impl TypedRecord for $name {
            const KIND: Kind = Kind::$kind;
            const FIELDS: &'static [(&'static str, bool)] = &[
                $( (stringify!($rfield), true), )*
                $( (stringify!($ofield), false), )*
            ];

            fn extra(&self) -> &Extra {
                &self.extra
            }
        }
    };
}

record! {
    untyped
    /// A mesh's discovery record (domain `fed_discovery`, untyped), self-signed with its own
    /// `public_key`.
    Discovery = Discovery, signature signature;
    required {
        /// The mesh DID.
        mesh_id: String,
        /// The mesh's federation key (`ed25519:z…`), which also verifies this record.
        public_key: String,
    }
    optional {
        /// A display name.
        name: String,
        /// The federation endpoint.
        endpoint: String,
        /// The scrolls the mesh publishes.
        scrolls: Vec<JsonValue>,
        /// When the record was published.
        published_at: String,
    }
}

record! {
    untyped
    /// A trust proposal from one mesh to another (domain `fed_proposal`, untyped), signed by
    /// `proposer`.
    TrustProposal = TrustProposal, signature signature;
    required {
        /// The proposal id.
        proposal_id: String,
        /// The proposing mesh.
        proposer: String,
        /// The mesh proposed to.
        target: String,
        /// The proposed trust level, 0–4.
        trust_level: u8,
        /// When it was proposed.
        proposed_at: String,
    }
    optional {
        /// When the proposal lapses.
        expires_at: String,
        /// The proposed terms.
        terms: JsonObject,
    }
}

record! {
    untyped
    /// A response to a trust proposal (domain `fed_proposal_response`, untyped), signed by
    /// `responder`.
    ProposalResponse = ProposalResponse, signature signature;
    required {
        /// The proposal answered.
        proposal_id: String,
        /// The responding mesh.
        responder: String,
        /// When it responded.
        responded_at: String,
        /// Accept, reject or counter.
        decision: ResponseDecision,
    }
    optional {
        /// Why.
        reason: String,
        /// The counter-proposed terms.
        counter_terms: JsonObject,
        /// The counter-proposed trust level, 0–4.
        counter_trust_level: u8,
    }
}

/// One party's entry in an agreement's `signatures`: when it signed, and its signature over
/// `{"agreement_hash", "signed_at", "signer"}` (`docs/SPEC.md` §7.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartySignature {
    /// When the party signed.
    pub signed_at: String,
    /// The signature (`z` + base58btc).
    pub signature: String,
    /// Members this entry does not define: kept and written back.
    #[serde(flatten)]
    pub extra: Extra,
}

record! {
    @emit
    /// A federation agreement (domain `fed_agreement`, untyped), signed by every party
    /// (`sign_typed_agreement`, verified by [`crate::federation::verify_agreement`]).
    Agreement = Agreement;
    {
        /// Each party's signature, by party DID; absent until the first party signs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub signatures: Option<BTreeMap<String, PartySignature>>,
    }
    required {
        /// The agreement id.
        agreement_id: String,
        /// The parties' mesh DIDs (at least two, distinct).
        parties: Vec<String>,
        /// The agreed trust level, 0–4.
        trust_level: u8,
        /// Each party's federation key (`ed25519:z…`), by party DID.
        key_exchange: BTreeMap<String, String>,
        /// When the agreement takes effect.
        effective_at: String,
        /// `blake3(JCS(agreement without signatures and agreement_hash))`; set by signing.
        agreement_hash: String,
    }
    optional {
        /// The agreed terms.
        terms: JsonObject,
        /// When the agreement ends.
        expires_at: String,
    }
}

record! {
    typed
    /// A scroll checkpoint, the signed tree head of a scroll (`scroll_checkpoint`), signed by
    /// `mesh_id`.
    ScrollCheckpoint = ScrollCheckpoint, signature signature;
    required {
        /// The mesh whose scroll this is.
        mesh_id: String,
        /// The scroll name.
        scroll: String,
        /// The number of receipts in the tree.
        tree_size: u64,
        /// The Merkle root (`blake3:…`).
        root: String,
        /// When the checkpoint was made.
        timestamp: String,
    }
    optional {}
}

record! {
    typed
    /// A witness receipt (`fed_witness_event`): another mesh's scroll root as a witness saw it,
    /// signed by `witnessing_mesh` in `witness_signature`.
    WitnessReceipt = WitnessReceipt, signature witness_signature;
    required {
        /// The witness.
        witnessing_mesh: String,
        /// The mesh witnessed.
        witnessed_mesh: String,
        /// The scroll witnessed.
        scroll: String,
        /// The root witnessed (`blake3:…`).
        root: String,
        /// The tree size witnessed.
        tree_size: u64,
        /// What the witness found.
        verification_result: VerificationResult,
        /// The discrepancies found (empty when verified).
        discrepancies: Vec<JsonValue>,
        /// When it witnessed.
        timestamp: String,
    }
    optional {}
}

record! {
    typed
    /// A cross-anchor (`fed_cross_anchor`) committing to both meshes' scroll roots, signed by
    /// `anchoring_mesh`.
    CrossAnchor = CrossAnchor, signature signature;
    required {
        /// The anchoring mesh.
        anchoring_mesh: String,
        /// The anchored mesh.
        anchored_mesh: String,
        /// The anchoring mesh's roots, by scroll.
        anchoring_roots: BTreeMap<String, String>,
        /// The anchored mesh's roots, by scroll.
        roots_included: BTreeMap<String, String>,
        /// The Merkle root over every (mesh, scroll, root) entry (`docs/SPEC.md` §7.4).
        combined_root: String,
        /// When it was anchored.
        timestamp: String,
    }
    optional {
        /// A proof of external anchoring.
        anchor_proof: JsonObject,
    }
}

record! {
    typed
    /// A governance proposal (`gov_proposal`), signed by `author`.
    GovProposal = GovProposal, signature signature;
    required {
        /// The proposal id.
        proposal_id: String,
        /// The author's actor DID.
        author: String,
        /// What the proposal changes.
        proposal_type: ProposalType,
        /// The title.
        title: String,
        /// The change, following the schema of its proposal type (`docs/SPEC.md` §10.2).
        change: JsonObject,
        /// When it was submitted.
        submitted_at: String,
        /// When deliberation ends and voting opens.
        deliberation_ends_at: String,
    }
    optional {
        /// When voting ends.
        voting_ends_at: String,
        /// Why.
        rationale: String,
    }
}

record! {
    typed
    /// A vote on a governance proposal (`gov_vote`), signed by `voter`.
    GovVote = GovVote, signature signature;
    required {
        /// The proposal voted on.
        proposal_id: String,
        /// The voter's actor DID.
        voter: String,
        /// For, against or abstain.
        vote: Vote,
        /// The voter's registered weight.
        weight: u64,
        /// When the vote was cast.
        cast_at: String,
    }
    optional {
        /// Why.
        rationale: String,
    }
}

record! {
    typed
    /// The ratification of a voted proposal (`gov_ratification`), signed by `ratified_by`.
    GovRatification = GovRatification, signature signature;
    required {
        /// The proposal ratified or rejected.
        proposal_id: String,
        /// The ratifier's actor DID.
        ratified_by: String,
        /// The tally of the signed votes (`{"for", "against", "abstain"}`).
        vote_summary: JsonObject,
        /// Whether quorum was met.
        quorum_met: bool,
        /// Ratified or rejected.
        decision: RatificationDecision,
        /// When it was ratified.
        ratified_at: String,
    }
    optional {}
}

record! {
    typed
    /// The activation of a ratified amendment (`gov_amendment`), signed by `activated_by`.
    GovAmendment = GovAmendment, signature signature;
    required {
        /// The ratified proposal.
        proposal_id: String,
        /// The activator's actor DID.
        activated_by: String,
        /// `constitution_hash` of the constitution in force before.
        constitution_hash_before: String,
        /// `constitution_hash` of the constitution after the change.
        constitution_hash_after: String,
        /// The version before.
        version_before: String,
        /// The version after.
        version_after: String,
        /// When it takes effect.
        effective_at: String,
    }
    optional {
        /// The anchor proof (required to activate an engine).
        anchor_proof: JsonObject,
    }
}

record! {
    typed
    /// An executive order (`gov_executive_order`), signed by `issued_by`: an order, an
    /// emergency (`order_type` `emergency`, with `powers` and `expires_at`), a renewal
    /// (`renews`) or a revocation (`revokes`) (`docs/SPEC.md` §10.4).
    GovExecutiveOrder = GovExecutiveOrder, signature signature;
    required {
        /// The order id.
        order_id: String,
        /// The issuer's actor DID.
        issued_by: String,
        /// The order type (a name; `emergency` for emergencies).
        order_type: String,
        /// The constitution section that grants it.
        authority: String,
        /// When it was issued.
        issued_at: String,
    }
    optional {
        /// When it expires (required for emergencies and temporary orders).
        expires_at: String,
        /// An emergency's powers.
        powers: Vec<JsonValue>,
        /// The emergency this renews.
        renews: String,
        /// The order this revokes.
        revokes: String,
    }
}

impl GovExecutiveOrder {
    /// The `order_type` of an emergency.
    pub const EMERGENCY: &'static str = "emergency";

    /// Whether this is an emergency (or an emergency's renewal).
    pub fn is_emergency(&self) -> bool {
        self.order_type == Self::EMERGENCY
    }

    /// Whether this renews an emergency.
    pub fn is_renewal(&self) -> bool {
        self.renews.is_some()
    }

    /// Whether this revokes an order.
    pub fn is_revocation(&self) -> bool {
        self.revokes.is_some()
    }
}

record! {
    typed
    /// A detected violation of a rule (`gov_violation`), signed by `detected_by`.
    GovViolation = GovViolation, signature signature;
    required {
        /// The violation id.
        violation_id: String,
        /// The detecting engine (`engine:…`) or actor.
        detected_by: String,
        /// The rule violated (an axiom, article section or statute).
        rule: String,
        /// How severe.
        severity: Severity,
        /// When it was detected.
        detected_at: String,
    }
    optional {
        /// The actor the violation concerns.
        subject: String,
        /// The evidence.
        evidence: JsonObject,
    }
}

record! {
    typed
    /// Enforcement against a violation, or its review (`gov_enforcement`), signed by
    /// `enforced_by` (`docs/SPEC.md` §10.5).
    GovEnforcement = GovEnforcement, signature signature;
    required {
        /// The enforcement id.
        enforcement_id: String,
        /// The violation enforced.
        violation_id: String,
        /// The enforcer (or reviewer).
        enforced_by: String,
        /// The actor enforced against.
        target: String,
        /// The action (`{"kind": "warning"}` or a capability suspension).
        action: JsonObject,
        /// When it was enforced (for a review: when it was reviewed).
        enforced_at: String,
        /// The deadline for review.
        review_deadline: String,
    }
    optional {
        /// The review (`{"outcome", "reason"?}`); present on a review.
        review: JsonObject,
    }
}

impl GovEnforcement {
    /// Whether this is the review of an enforcement.
    pub fn is_review(&self) -> bool {
        self.review.is_some()
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions.

/// Reads a parsed record as `T`. The record must have `T`'s shape, checked exactly as the
/// verifier does ([`super::check_shape`]: `KIND_MISMATCH` for a record of another type,
/// `MISSING_FIELD`, `MALFORMED_TIMESTAMP`, … with the field; a signature member that is not a
/// string is `MALFORMED_SIGNATURE`); its canonical bytes are then
/// deserialised, keeping every member the kind does not define in `extra`. What serde still
/// rejects (an agreement's `key_exchange` with a non-string key, say) is `INVALID_FIELD`, or
/// `MISSING_FIELD` with the field.
///
/// The signature is not checked: verify the record first ([`super::verify_value`]) when it
/// matters.
pub fn from_value<T: TypedRecord>(record: &Value<'_>) -> Result<T, Failure> {
    let object = record.as_object().ok_or(Error::NotAnObject)?;
    check_shape(object, Some(T::KIND))?;
    // A signature member that is not text is the verifier's `MALFORMED_SIGNATURE` too.
    let spec = T::KIND.spec();
    if spec.signer != Signer::Parties {
        if let Some(signature) = object.get(spec.signature_field) {
            if signature.as_str().is_none() {
                return Err(Failure::at(Error::MalformedSignature, spec.signature_field));
            }
        }
    }
    serde_json::from_slice(&record.to_canonical()).map_err(|e| serde_failure::<T>(&e))
}

/// Parses `input` strictly ([`crate::json::parse_record`] with `limits`) and reads it as `T`
/// ([`from_value`]).
pub fn from_slice<T: TypedRecord>(input: &[u8], limits: &Limits) -> Result<T, Failure> {
    from_value(&json::parse_record(input, limits)?)
}

/// Writes `record` as a parsed record. The serde_json text is re-read with the strict parser and
/// the default [`Limits`], so the result obeys every I-JSON rule: `NUMBER_OUT_OF_RANGE` for an
/// integer beyond 2^53−1, `DUPLICATE_KEY` when `extra` repeats a member the struct writes,
/// `INPUT_TOO_LARGE` or `DEPTH_EXCEEDED` beyond the limits. Field values are not checked here
/// (`sign_typed` and [`from_value`] check them).
pub fn to_value<T: TypedRecord>(record: &T) -> Result<Value<'static>, Failure> {
    let text = to_json(record)?;
    Ok(into_owned(json::parse_record(&text, &Limits::default())?))
}

/// The RFC 8785 canonical bytes of `record` (through the strict parser, as [`to_value`]).
pub fn to_canonical<T: TypedRecord>(record: &T) -> Result<Vec<u8>, Failure> {
    let text = to_json(record)?;
    Ok(json::parse_record(&text, &Limits::default())?.to_canonical())
}

/// `receipt_hash` of `record`: BLAKE3 of its canonical bytes, signature included.
pub fn receipt_hash<T: TypedRecord>(record: &T) -> Result<Digest, Failure> {
    Ok(Digest::of(&to_canonical(record)?))
}

/// Signs `record` as its kind with `secret` through [`super::sign_record`]: any old signature
/// is replaced, and the signature covers `signing_input(domain, JCS(record without it))`, with
/// every member of `extra`. The record must have its kind's shape (as [`from_value`] checks);
/// otherwise it is left unchanged and the failure returned.
#[cfg(feature = "signing")]
pub fn sign_typed<T: SingleSigned>(record: &mut T, secret: &[u8; 32]) -> Result<(), Failure> {
    let mut value = to_value(record)?;
    if let Value::Object(object) = &mut value {
        super::sign_record(object, T::KIND, secret);
    }
    *record = from_value(&value)?;
    Ok(())
}

/// Signs `agreement` for party `signer` at `signed_at` (a timestamp) through
/// [`crate::federation::sign_agreement`]: `agreement_hash` is set to the hash of the current
/// body, and `signer`'s entry in `signatures` is added or replaced. Sign with each party's
/// secret in turn; [`crate::federation::verify_agreement`] then checks the whole. The
/// agreement must have its kind's shape; otherwise it is left unchanged and the failure
/// returned.
#[cfg(feature = "signing")]
pub fn sign_typed_agreement(
    agreement: &mut Agreement,
    signer: &str,
    signed_at: &str,
    secret: &[u8; 32],
) -> Result<(), Failure> {
    crate::encoding::timestamp::Timestamp::parse(signed_at)
        .map_err(|e| Failure::at(e, "signed_at"))?;
    let mut value = to_value(agreement)?;
    if let Value::Object(object) = &mut value {
        crate::federation::sign_agreement(object, signer, signed_at, secret);
    }
    *agreement = from_value(&value)?;
    Ok(())
}

fn to_json<T: Serialize>(record: &T) -> Result<Vec<u8>, Failure> {
    // serde_json fails only for map keys that are not strings; no record type has any.
    serde_json::to_vec(record).map_err(|_| Failure::from(Error::InvalidField))
}

/// Maps a serde_json error to the core's: `MISSING_FIELD` with the field when one is named,
/// `DEPTH_EXCEEDED` for its recursion limit, otherwise `INVALID_FIELD`.
fn serde_failure<T: TypedRecord>(error: &serde_json::Error) -> Failure {
    let message = error.to_string();
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return match static_field_name::<T>(name) {
            Some(field) => Failure::at(Error::MissingField, field),
            None => Failure::from(Error::MissingField),
        };
    }
    if message.starts_with("recursion limit exceeded") {
        return Failure::from(Error::DepthExceeded);
    }
    Failure::from(Error::InvalidField)
}

/// `name` as one of `T`'s member names with a static lifetime, if it is one.
fn static_field_name<T: TypedRecord>(name: &str) -> Option<&'static str> {
    let spec = T::KIND.spec();
    T::FIELDS
        .iter()
        .map(|(field, _)| *field)
        .chain([spec.signature_field, "type"])
        .find(|field| *field == name)
}

fn into_owned(value: Value<'_>) -> Value<'static> {
    match value {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(b),
        Value::Number(n) => Value::Number(n),
        Value::String(s) => Value::String(Cow::Owned(s.into_owned())),
        Value::Array(items) => Value::Array(items.into_iter().map(into_owned).collect()),
        Value::Object(object) => Value::Object(Object {
            members: object
                .members
                .into_iter()
                .map(|(name, v)| (Cow::Owned(name.into_owned()), into_owned(v)))
                .collect(),
        }),
    }
}
