//! Typed records (serde): one struct per record kind, for the programs that produce and consume
//! records. Verification does not use them; it stays table-driven ([`super::verify_record`]).
//!
//! - Members are exactly those of the kind's table ([`super::KINDS`], `docs/SPEC.md` §6), under
//!   the same names. Required members are plain fields, optional ones `Option`s that are left
//!   out when `None`; enumerated members are enums; the signature member is an `Option`
//!   (absent until signed).
//! - A nested member of the table (`FieldType::Nested`: `endpoints`, `duration`, `details`, …)
//!   is a small struct of its own with the same rules ([`Endpoints`], [`OrderDuration`], …).
//! - Typed kinds carry `type` as a [`TypeTag`]: it always writes the kind's domain and reads
//!   nothing else, so a record of another type never deserialises as this one.
//! - Members this crate does not define are kept in `extra` (flattened) and written back, at the
//!   top level and inside every nested struct. A round trip gives the same canonical bytes and
//!   the same `receipt_hash`: dropping them would verify a different record than the one signed.
//! - Vote weights (`gov_vote.weight`, `vote_summary`) are exact [`Weight`]s, never doubles: read
//!   from a JSON number as [`Weight::from_number`] reads it, and written as the number whose
//!   canonical text is the decimal (`1`, `1.5`).
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
//! use vaultmesh_core::encoding::Weight;
//! use vaultmesh_core::json::Limits;
//! use vaultmesh_core::record::typed::{self, GovVote, Vote};
//!
//! let text = br#"{"type":"gov_vote","vote_id":"VOTE-1","proposal_id":"P-1",
//!     "voter":"did:vm:human:alice","voted_at":"2025-12-14T10:00:00Z","vote":"approve",
//!     "weight":1.0,"ballot":{"round":2}}"#;
//! let vote: GovVote = typed::from_slice(text, &Limits::default())?;
//! assert_eq!(vote.vote, Vote::Approve);
//! assert_eq!(vote.weight, Weight::units(1));
//! assert!(vote.signature.is_none());
//! assert_eq!(vote.extra["ballot"]["round"], 2); // unknown, kept
//! let canonical = typed::to_canonical(&vote)?;
//! assert!(canonical.starts_with(br#"{"ballot":{"round":2},"proposal_id""#));
//! assert!(canonical.ends_with(br#""weight":1}"#)); // 1.0 and 1 are one number
//! # Ok::<(), vaultmesh_core::record::Failure>(())
//! ```
//!
//! Text members (ids, digests, keys, timestamps, versions, URLs) are `String`s holding the wire
//! text; the shape check validates them. Members the tables leave open (`Array`, `Object`,
//! `Any`) are `serde_json` values, except in [`Agreement`], whose `parties`, `key_exchange` and
//! `signatures` are typed as `docs/SPEC.md` §7.1 requires.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{check_shape, Failure, Kind, Signer};
use crate::encoding::{Digest, Weight};
use crate::error::Error;
use crate::json::{self, Limits, Number, Object, Value};

/// A JSON value inside a record (array items, object members, unknown members).
pub type JsonValue = serde_json::Value;

/// A JSON object inside a record (an agreement's `key_exchange` is typed; others are kept
/// member for member).
pub type JsonObject = serde_json::Map<String, JsonValue>;

/// The members of a record (or of a nested member) that its kind does not define: kept, written
/// back and hashed.
pub type Extra = BTreeMap<String, JsonValue>;

/// A record kind as a Rust type.
pub trait TypedRecord: Serialize + DeserializeOwned {
    /// The kind: its domain, signer and signature member are in [`Kind::spec`].
    const KIND: Kind;

    /// Every defined member of the struct (besides `type`, the signature member and `extra`) as
    /// `(path, required)`, nested members included by their full path (`duration.expires_at`),
    /// each after the member that holds it. `required` is relative to the enclosing object, as
    /// in the tables: required members are plain fields, optional ones `Option`s. Generated
    /// together with the structs; the tests hold it equal to the kind's table in
    /// [`super::KINDS`], flattened.
    const FIELDS: &'static [(&'static str, bool)];

    /// The members this record has at its top level that its kind does not define (its
    /// `extra`).
    fn extra(&self) -> &Extra;

    /// The paths of every member this record has that its kind does not define, at the top
    /// level (`ballot`) and inside nested members (`witnessed_anchor.tx_hash`), in order.
    fn unknown_members(&self) -> Vec<String>;
}

/// A nested member of a record as a Rust type (`endpoints`, `duration`, …).
pub trait NestedMembers: Serialize + DeserializeOwned {
    /// Its defined members as `(name, required)`, names relative to the nested object.
    const MEMBERS: &'static [(&'static str, bool)];

    /// Its members that the kind does not define.
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
// Weights.

/// The largest integer a record may hold (I-JSON): weights beyond it cannot be written.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// Written as the JSON number whose canonical text is the weight's decimal: a whole weight as an
/// integer (`1`), any other as the double that prints as its decimal (`1.5`). A weight no
/// double prints exactly (more significant digits than a double holds) is an error, never
/// rounded: the record would read back as another weight.
impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        if self.0 % Weight::UNIT == 0 {
            return serializer.serialize_u64(self.0 / Weight::UNIT);
        }
        let text = self.to_string();
        let value: f64 = text.parse().map_err(S::Error::custom)?;
        let number = Number {
            value,
            plain_integer: false,
        };
        if Weight::from_number(&number) != Ok(*self) {
            return Err(S::Error::custom(format!(
                "weight {text} is not exactly a JSON number"
            )));
        }
        serializer.serialize_f64(value)
    }
}

/// Read from a JSON number exactly as [`Weight::from_number`] reads it: non-negative, at most
/// six decimals in its canonical text, at most 2^53−1. Strings and other values are errors.
impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Weight, D::Error> {
        struct Exact;
        impl Exact {
            fn read<E: de::Error>(self, value: f64, plain_integer: bool) -> Result<Weight, E> {
                if !value.is_finite() || value.abs() > MAX_SAFE {
                    return Err(E::invalid_value(de::Unexpected::Float(value), &self));
                }
                Weight::from_number(&Number {
                    value,
                    plain_integer,
                })
                .map_err(|_| E::invalid_value(de::Unexpected::Float(value), &self))
            }
        }
        impl Visitor<'_> for Exact {
            type Value = Weight;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a weight: a non-negative number with at most six decimals")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Weight, E> {
                if v > MAX_SAFE as u64 {
                    return Err(E::invalid_value(de::Unexpected::Unsigned(v), &self));
                }
                // Exact: every integer up to 2^53−1 is a double.
                self.read(v as f64, true)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Weight, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Weight, E> {
                self.read(v, false)
            }
        }
        deserializer.deserialize_any(Exact)
    }
}

/// Reads an `Any` member that is present, `null` included, as `Some`: `Option`'s own reading
/// would turn `null` into `None`, which is then left out, and the record would change.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<JsonValue>, D::Error> {
    JsonValue::deserialize(deserializer).map(Some)
}

// ---------------------------------------------------------------------------------------------
// Enumerated members.

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )*
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
    /// A witness receipt's `verification_result` (wire format §7).
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
        /// `amendment`: add, change or remove an article or a statute (named by
        /// `content.target`).
        Amendment = "amendment",
        /// `add_engine`: register an engine.
        AddEngine = "add_engine",
        /// `retire_engine`: retire an engine.
        RetireEngine = "retire_engine",
        /// `change_rules`: change the governance rules.
        ChangeRules = "change_rules",
    }
}

string_enum! {
    /// A governance proposal's `content.action`.
    ContentAction {
        /// `add`: the target is new.
        Add = "add",
        /// `modify`: the target changes.
        Modify = "modify",
        /// `remove`: the target goes.
        Remove = "remove",
    }
}

string_enum! {
    /// A governance proposal's `status` as submitted.
    ProposalStatus {
        /// `deliberation`: a proposal is submitted into deliberation.
        Deliberation = "deliberation",
    }
}

string_enum! {
    /// A governance vote's `vote`.
    Vote {
        /// `approve`
        Approve = "approve",
        /// `reject`
        Reject = "reject",
        /// `abstain`
        Abstain = "abstain",
    }
}

string_enum! {
    /// A ratification's `decision` (absent means `ratified`).
    RatificationDecision {
        /// `ratified`: the proposal passes.
        Ratified = "ratified",
        /// `rejected`: the proposal does not pass.
        Rejected = "rejected",
    }
}

string_enum! {
    /// An executive order's `duration.type`.
    DurationType {
        /// `temporary`: until `expires_at`.
        Temporary = "temporary",
        /// `emergency`: an emergency's bounded duration.
        Emergency = "emergency",
        /// `permanent`: until revoked.
        Permanent = "permanent",
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

string_enum! {
    /// The `review.decision` of an enforcement's review (Article IV due process).
    ReviewDecision {
        /// `uphold`: the enforcement stands.
        Uphold = "uphold",
        /// `dismiss`: the enforcement is lifted.
        Dismiss = "dismiss",
        /// `modify`: the enforcement is changed.
        Modify = "modify",
    }
}

// ---------------------------------------------------------------------------------------------
// One struct per kind, and per nested member.

/// A member's wire name: its field name, or the name given with `as` (`kind as "type"`).
macro_rules! member_name {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $name:literal) => {
        $name
    };
}

/// Whether two member lists are the same (a `const` check for nested structs used at two
/// paths, whose members the second record lists again).
const fn same_members(a: &[(&str, bool)], b: &[(&str, bool)]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        let (x, y) = (a[i].0.as_bytes(), b[i].0.as_bytes());
        if a[i].1 != b[i].1 || x.len() != y.len() {
            return false;
        }
        let mut j = 0;
        while j < x.len() {
            if x[j] != y[j] {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

/// Declares the struct of a nested member, unless it is `existing` (declared by another record).
macro_rules! nested_struct {
    (existing; $($ignored:tt)*) => {};
    (
        ; $(#[$meta:meta])* $name:ident {
            required { $( $(#[$rmeta:meta])* $rfield:ident $(as $rname:literal)? : $rty:ty, )* }
            optional { $( $(#[$ometa:meta])* $ofield:ident $(as $oname:literal)? : $oty:ty, )* }
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $(
                $(#[$rmeta])*
                $(#[serde(rename = $rname)])?
                pub $rfield: $rty,
            )*
            $(
                $(#[$ometa])*
                $(#[serde(rename = $oname)])?
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $ofield: Option<$oty>,
            )*
            /// Members the kind does not define here: kept, written back and hashed.
            #[serde(flatten)]
            pub extra: Extra,
        }

        impl NestedMembers for $name {
            const MEMBERS: &'static [(&'static str, bool)] = &[
                $( (member_name!($rfield $(, $rname)?), true), )*
                $( (member_name!($ofield $(, $oname)?), false), )*
            ];

            fn extra(&self) -> &Extra {
                &self.extra
            }
        }
    };
}

/// Declares a record struct: the members of its table (`required`, `optional`, and the nested
/// ones with their own members), the head fields (`type` and the signature member) and `extra`,
/// the nested structs, and the [`TypedRecord`] impl. `FIELDS` is written from the same lists
/// as the structs, so the two cannot differ.
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
        nested_required { $(
            $(#[$nrmeta:meta])* $nrfield:ident : $nrty:ident {
                required { $( $(#[$nrrmeta:meta])* $nrr:ident $(as $nrrname:literal)? : $nrrty:ty, )* }
                optional { $( $(#[$nrometa:meta])* $nro:ident $(as $nroname:literal)? : $nroty:ty, )* }
            } $(as $nrmode:ident)?,
        )* }
        nested_optional { $(
            $(#[$nometa:meta])* $nofield:ident : $noty:ident {
                required { $( $(#[$normeta:meta])* $nor:ident $(as $norname:literal)? : $norty:ty, )* }
                optional { $( $(#[$noometa:meta])* $noo:ident $(as $nooname:literal)? : $nooty:ty, )* }
            } $(as $nomode:ident)?,
        )* }
    ) => {
        $(
            nested_struct! {
                $($nrmode)?; $(#[$nrmeta])* $nrty {
                    required { $( $(#[$nrrmeta])* $nrr $(as $nrrname)? : $nrrty, )* }
                    optional { $( $(#[$nrometa])* $nro $(as $nroname)? : $nroty, )* }
                }
            }
            const _: () = assert!(same_members(
                <$nrty as NestedMembers>::MEMBERS,
                &[
                    $( (member_name!($nrr $(, $nrrname)?), true), )*
                    $( (member_name!($nro $(, $nroname)?), false), )*
                ],
            ));
        )*
        $(
            nested_struct! {
                $($nomode)?; $(#[$nometa])* $noty {
                    required { $( $(#[$normeta])* $nor $(as $norname)? : $norty, )* }
                    optional { $( $(#[$noometa])* $noo $(as $nooname)? : $nooty, )* }
                }
            }
            const _: () = assert!(same_members(
                <$noty as NestedMembers>::MEMBERS,
                &[
                    $( (member_name!($nor $(, $norname)?), true), )*
                    $( (member_name!($noo $(, $nooname)?), false), )*
                ],
            ));
        )*

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
            $( $(#[$nrmeta])* pub $nrfield: $nrty, )*
            $(
                $(#[$nometa])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $nofield: Option<$noty>,
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
                $(
                    (stringify!($nrfield), true),
                    $( (concat!(stringify!($nrfield), ".", member_name!($nrr $(, $nrrname)?)), true), )*
                    $( (concat!(stringify!($nrfield), ".", member_name!($nro $(, $nroname)?)), false), )*
                )*
                $(
                    (stringify!($nofield), false),
                    $( (concat!(stringify!($nofield), ".", member_name!($nor $(, $norname)?)), true), )*
                    $( (concat!(stringify!($nofield), ".", member_name!($noo $(, $nooname)?)), false), )*
                )*
            ];

            fn extra(&self) -> &Extra {
                &self.extra
            }

            fn unknown_members(&self) -> Vec<String> {
                #[allow(unused_mut)]
                let mut out: Vec<String> = self.extra.keys().cloned().collect();
                $(
                    let prefix = stringify!($nrfield);
                    out.extend(self.$nrfield.extra.keys().map(|k| format!("{prefix}.{k}")));
                )*
                $(
                    if let Some(nested) = &self.$nofield {
                        let prefix = stringify!($nofield);
                        out.extend(nested.extra.keys().map(|k| format!("{prefix}.{k}")));
                    }
                )*
                out
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
        /// The mesh's name for people.
        display_name: String,
        /// The mesh's federation key (`ed25519:z…`), which also verifies this record.
        public_key: String,
        /// The scrolls the mesh publishes (`Compliance`, …).
        scrolls_available: Vec<String>,
        /// Attestations about the mesh.
        attestations: Vec<JsonValue>,
    }
    optional {}
    nested_required {
        /// A discovery record's `endpoints`: where to reach the mesh.
        endpoints: Endpoints {
            required {
                /// The federation API (`https://…`).
                federation: String,
                /// The verification API (`https://…`).
                verification: String,
            }
            optional {}
        },
        /// A discovery record's `trust_policy`: what proposals the mesh takes.
        trust_policy: TrustPolicy {
            required {
                /// Whether the mesh accepts trust proposals.
                accepts_proposals: bool,
                /// The lowest trust level it federates at, 0–4.
                min_trust_level: u8,
                /// Whether trust must be mutual.
                requires_mutual: bool,
            }
            optional {}
        },
    }
    nested_optional {}
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
        /// When it was proposed.
        proposed_at: String,
        /// When the proposal lapses.
        expires_at: String,
        /// The proposed trust level, 0–4.
        proposed_trust_level: u8,
    }
    optional {}
    nested_required {
        /// The terms a trust proposal offers (`proposed_terms`) or a response counters with
        /// (`counter_terms`).
        proposed_terms: Terms {
            required {}
            optional {
                /// The scrolls to share.
                scrolls_to_share: Vec<String>,
                /// How often to verify (`hourly`, `daily`, …).
                verification_frequency: String,
                /// How long shared data is kept, in days.
                retention_period_days: u64,
                /// Where shared data is kept (`EU`, …).
                data_jurisdiction: String,
                /// Whether each side may audit the other.
                audit_rights: bool,
                /// How disputes are resolved.
                dispute_resolution: String,
            }
        },
    }
    nested_optional {
        /// A trust proposal's `proposer_attestations`.
        proposer_attestations: ProposerAttestations {
            required {}
            optional {
                /// Proof of the proposer's identity.
                identity_proof: String,
                /// The proposer's compliance credentials (`ISO27001`, …).
                compliance_credentials: Vec<String>,
            }
        },
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
        /// The counter-proposed trust level, 0–4.
        counter_trust_level: u8,
    }
    nested_required {}
    nested_optional {
        /// The counter-proposed terms.
        counter_terms: Terms {
            required {}
            optional {
                scrolls_to_share: Vec<String>,
                verification_frequency: String,
                retention_period_days: u64,
                data_jurisdiction: String,
                audit_rights: bool,
                dispute_resolution: String,
            }
        } as existing,
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
        /// When the agreement was established.
        established_at: String,
        /// The agreed trust level, 0–4.
        trust_level: u8,
        /// Each party's federation key (`ed25519:z…`), by party DID.
        key_exchange: BTreeMap<String, String>,
        /// `blake3(JCS(agreement without signatures and agreement_hash))`; set by signing.
        agreement_hash: String,
    }
    optional {
        /// When the agreement ends.
        expires_at: String,
    }
    nested_required {
        /// An agreement's `terms`.
        terms: AgreementTerms {
            required {}
            optional {
                /// The scrolls shared.
                scrolls_shared: Vec<String>,
                /// How often to verify (`hourly`, `daily`, …).
                verification_frequency: String,
                /// How long shared data is kept, in days.
                retention_period_days: u64,
                /// Where shared data is kept (`EU`, …).
                data_jurisdiction: String,
                /// Whether each side may audit the other.
                audit_rights: bool,
                /// How disputes are resolved.
                dispute_resolution: String,
            }
        },
    }
    nested_optional {}
}

record! {
    typed
    /// A scroll checkpoint, the signed tree head of a scroll (`scroll_checkpoint`), signed by
    /// `mesh_id`.
    ScrollCheckpoint = ScrollCheckpoint, signature signature;
    required {
        /// The mesh whose scroll this is.
        mesh_id: String,
        /// The scroll name (`Compliance`, …).
        scroll: String,
        /// The number of receipts in the tree.
        tree_size: u64,
        /// The Merkle root (`blake3:…`).
        root: String,
        /// When the checkpoint was made.
        timestamp: String,
    }
    optional {}
    nested_required {}
    nested_optional {}
}

record! {
    typed
    /// A witness receipt (`fed_witness_event`): another mesh's scroll root as a witness saw it,
    /// signed by `witnessing_mesh` in `witness_signature`.
    WitnessReceipt = WitnessReceipt, signature witness_signature;
    required {
        /// The witness event's id.
        witness_id: String,
        /// The mesh witnessed.
        witnessed_mesh: String,
        /// The witness.
        witnessing_mesh: String,
        /// When it witnessed.
        timestamp: String,
        /// The scroll witnessed.
        scroll: String,
        /// The root witnessed (`blake3:…`).
        witnessed_root: String,
        /// The tree size witnessed.
        tree_size: u64,
        /// How the witness checked (`anchor_proof_validation`, …).
        verification_method: String,
        /// What the witness found.
        verification_result: VerificationResult,
        /// The discrepancies found (empty when verified).
        discrepancies: Vec<JsonValue>,
    }
    optional {
        /// How many receipts the witness sampled.
        samples_checked: u64,
    }
    nested_required {}
    nested_optional {
        /// An external anchor: a witness receipt's `witnessed_anchor`, a cross-anchor's
        /// `anchor_proof` (`tx_hash`, `block_number`, … are kept in `extra`).
        witnessed_anchor: Anchor {
            required {
                /// The anchoring backend (`ethereum`, `bitcoin`, …).
                backend: String,
            }
            optional {}
        },
    }
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
        /// The Merkle root over every (mesh, scroll, root) entry (wire format §8).
        combined_root: String,
        /// When it was anchored.
        timestamp: String,
    }
    optional {}
    nested_required {}
    nested_optional {
        /// A proof of external anchoring.
        anchor_proof: Anchor {
            required {
                backend: String,
            }
            optional {}
        } as existing,
    }
}

record! {
    typed
    /// A governance proposal (`gov_proposal`), signed by `author`.
    GovProposal = GovProposal, signature signature;
    required {
        /// The proposal id.
        proposal_id: String,
        /// What the proposal changes.
        proposal_type: ProposalType,
        /// The title.
        title: String,
        /// The author's actor DID.
        author: String,
        /// When it was submitted.
        submitted_at: String,
        /// When deliberation ends and voting opens.
        deliberation_ends: String,
    }
    optional {
        /// When voting ends.
        voting_ends: String,
        /// Why.
        rationale: String,
        /// The status as submitted.
        status: ProposalStatus,
    }
    nested_required {
        /// A governance proposal's `content`: what changes, and how.
        content: ProposalContent {
            required {
                /// What the proposal changes (`ARTICLE-VII`, a statute, an engine, …).
                target: String,
                /// Add, modify or remove.
                action: ContentAction,
            }
            optional {
                /// The new text, following the schema of the proposal type (`docs/SPEC.md`
                /// §10.2); any JSON value, `null` kept.
                #[serde(deserialize_with = "present")]
                text: JsonValue,
            }
        },
    }
    nested_optional {}
}

record! {
    typed
    /// A vote on a governance proposal (`gov_vote`), signed by `voter`.
    GovVote = GovVote, signature signature;
    required {
        /// The vote id.
        vote_id: String,
        /// The proposal voted on.
        proposal_id: String,
        /// The voter's actor DID.
        voter: String,
        /// When the vote was cast.
        voted_at: String,
        /// Approve, reject or abstain.
        vote: Vote,
        /// The voter's weight, exact (`1.0` is [`Weight::units`]`(1)`).
        weight: Weight,
    }
    optional {
        /// The voter's comments.
        comments: String,
    }
    nested_required {}
    nested_optional {}
}

record! {
    typed
    /// The ratification of a voted proposal (`gov_ratification`), signed by `ratified_by`.
    GovRatification = GovRatification, signature signature;
    required {
        /// The ratification id.
        ratification_id: String,
        /// The proposal ratified or rejected.
        proposal_id: String,
        /// When it was ratified.
        ratified_at: String,
        /// The ratifier's actor DID.
        ratified_by: String,
        /// Whether quorum was met.
        quorum_met: bool,
        /// The constitution version before (`1.0.0`).
        constitution_version_before: String,
        /// The constitution version after (`1.1.0`).
        constitution_version_after: String,
    }
    optional {
        /// Ratified or rejected (absent: ratified).
        decision: RatificationDecision,
    }
    nested_required {
        /// A ratification's `vote_summary`: the tally of the signed votes, in exact weights.
        vote_summary: VoteSummary {
            required {
                /// The weight that approved.
                approve: Weight,
                /// The weight that rejected.
                reject: Weight,
                /// The weight that abstained.
                abstain: Weight,
            }
            optional {}
        },
    }
    nested_optional {}
}

record! {
    typed
    /// The activation of a ratified amendment (`gov_amendment`), signed by `activated_by`.
    GovAmendment = GovAmendment, signature signature;
    required {
        /// The amendment id.
        amendment_id: String,
        /// The ratified proposal.
        proposal_id: String,
        /// When it takes effect.
        effective_at: String,
        /// `constitution_hash` of the constitution in force before.
        constitution_hash_before: String,
        /// `constitution_hash` of the constitution after the change.
        constitution_hash_after: String,
        /// The activator's actor DID.
        activated_by: String,
    }
    optional {}
    nested_required {}
    nested_optional {
        /// An amendment's `anchor_proof` (required to activate an engine): the backend, and the
        /// scroll root it anchored.
        anchor_proof: AmendmentAnchor {
            required {
                /// The anchoring backend (`ethereum`, …).
                backend: String,
            }
            optional {
                /// The scroll anchored.
                scroll: String,
                /// Its tree size.
                tree_size: u64,
                /// Its root (`blake3:…`).
                root: String,
                /// When it was anchored.
                anchored_at: String,
            }
        },
    }
}

record! {
    typed
    /// An executive order (`gov_executive_order`), signed by `issued_by`: an order, an
    /// emergency (`order_type` `emergency`, with `content.powers_invoked` and
    /// `duration.expires_at`), a renewal (`renews`) or a revocation (`revokes`)
    /// (`docs/SPEC.md` §10.4).
    GovExecutiveOrder = GovExecutiveOrder, signature signature;
    required {
        /// The order id.
        order_id: String,
        /// The title.
        title: String,
        /// The issuer's actor DID.
        issued_by: String,
        /// The constitution section that grants it (`ARTICLE-VI.1`).
        authority: String,
        /// The order type (a name; `emergency` for emergencies).
        order_type: String,
    }
    optional {
        /// When it was issued.
        issued_at: String,
        /// The emergency this renews.
        renews: String,
        /// The order this revokes.
        revokes: String,
    }
    nested_required {}
    nested_optional {
        /// An executive order's `content` (`old_value`, `new_value`, … are kept in `extra`).
        content: OrderContent {
            required {}
            optional {
                /// An emergency's type (`security_incident`, …).
                emergency_type: String,
                /// What the emergency is.
                threat_description: String,
                /// An emergency's powers.
                powers_invoked: Vec<String>,
                /// The parameter a `parameter_change` sets.
                parameter: String,
            }
        },
        /// An executive order's `duration`.
        duration: OrderDuration {
            required {
                /// Temporary, emergency or permanent (the member `type`).
                kind as "type": DurationType,
            }
            optional {
                /// When it expires (required for emergencies and temporary orders).
                expires_at: String,
                /// Whether it may be renewed.
                renewable: bool,
            }
        },
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

    /// `duration.expires_at`, when the order states one.
    pub fn expires_at(&self) -> Option<&str> {
        self.duration.as_ref()?.expires_at.as_deref()
    }
}

record! {
    typed
    /// A detected violation of a rule (`gov_violation`), signed by `detected_by`.
    GovViolation = GovViolation, signature signature;
    required {
        /// The violation id.
        violation_id: String,
        /// When it was detected.
        detected_at: String,
        /// The detecting engine (`engine:…`) or actor.
        detected_by: String,
        /// What kind of violation (`unauthorized_action`, …).
        violation_type: String,
        /// How severe.
        severity: Severity,
    }
    optional {}
    nested_required {
        /// A violation's `details`: who did what, against which rule.
        details: ViolationDetails {
            required {
                /// The actor the violation concerns.
                actor: String,
                /// What it attempted (`modify_receipt`, …).
                action_attempted: String,
                /// The rule violated (an axiom, article section or statute).
                rule_violated: String,
            }
            optional {
                /// What became of the attempt (`blocked`, …).
                action_result: String,
            }
        },
    }
    nested_optional {
        /// A violation's `evidence`.
        evidence: Evidence {
            required {}
            optional {
                /// The log entries.
                log_entries: Vec<String>,
                /// The hash of the offending request (`blake3:…`).
                request_hash: String,
                /// How many times it happened.
                count: u64,
            }
        },
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
        /// When it was enforced (for a review: when it was reviewed).
        enforced_at: String,
        /// What kind of enforcement (`capability_suspension`, `warning`, …).
        enforcement_type: String,
        /// The actor or engine enforced against.
        target: String,
        /// Whether a review is required.
        review_required: bool,
        /// The deadline for review.
        review_deadline: String,
        /// The enforcer (or reviewer).
        enforced_by: String,
    }
    optional {}
    nested_required {
        /// An enforcement's `action_taken`.
        action_taken: ActionTaken {
            required {}
            optional {
                /// The capability suspended (`write`, …).
                capability_suspended: String,
                /// Where (`all_scrolls`, …).
                scope: String,
                /// For how long (`pending_review`, …).
                duration: String,
            }
        },
    }
    nested_optional {
        /// An enforcement's `review`; present on a review.
        review: Review {
            required {
                /// Uphold, dismiss or modify.
                decision: ReviewDecision,
            }
            optional {
                /// Why.
                reason: String,
                /// When it was reviewed.
                reviewed_at: String,
            }
        },
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

/// The path of `T`'s member named `name` (the last component of its path), with a static
/// lifetime, if it is one. serde names only the member; the first path that ends in it is
/// given (the shape check has already passed, so this is rare and the path a good guess).
fn static_field_name<T: TypedRecord>(name: &str) -> Option<&'static str> {
    let spec = T::KIND.spec();
    T::FIELDS
        .iter()
        .map(|(path, _)| *path)
        .chain([spec.signature_field, "type"])
        .find(|path| path.rsplit('.').next() == Some(name))
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
