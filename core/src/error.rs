//! The one error type of the core.
//!
//! Every reason a check can fail has a stable numeric code and a stable name. Codes are grouped by
//! range and never reused; the C library and the WebAssembly build map this enum once, and
//! `docs/SPEC.md` lists the table.

use core::fmt;

macro_rules! errors {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $name:literal, $msg:literal; )*) => {
        /// Why a record, proof or input was rejected.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #[repr(u16)]
        pub enum Error {
            $( $(#[doc = $doc])* $variant = $code, )*
        }

        impl Error {
            /// Every error, in code order (for documentation and binding tables).
            pub const ALL: &'static [Error] = &[$(Error::$variant),*];

            /// The stable numeric code.
            pub const fn code(self) -> u16 {
                self as u16
            }

            /// The stable upper-case name, e.g. `DUPLICATE_KEY`.
            pub const fn name(self) -> &'static str {
                match self { $(Error::$variant => $name,)* }
            }

            /// A one-line human-readable description.
            pub const fn message(self) -> &'static str {
                match self { $(Error::$variant => $msg,)* }
            }

            /// The error with this code, if any.
            pub fn from_code(code: u16) -> Option<Error> {
                match code { $($code => Some(Error::$variant),)* _ => None }
            }
        }
    };
}

errors! {
    // 1xx: input and strict I-JSON (RFC 7493, wire format §2).
    /// The input exceeds the configured size limit (default 1 MiB).
    InputTooLarge = 100, "INPUT_TOO_LARGE", "input exceeds the size limit";
    /// The input is not valid UTF-8.
    InvalidUtf8 = 101, "INVALID_UTF8", "input is not valid UTF-8";
    /// The input starts with a byte-order mark.
    ByteOrderMark = 102, "BYTE_ORDER_MARK", "input starts with a byte-order mark";
    /// The input is not well-formed JSON (RFC 8259).
    JsonSyntax = 103, "JSON_SYNTAX", "malformed JSON";
    /// An object has two members with the same name.
    DuplicateKey = 104, "DUPLICATE_KEY", "duplicate member name in a JSON object";
    /// A string escape encodes a lone UTF-16 surrogate.
    LoneSurrogate = 105, "LONE_SURROGATE", "string contains a lone surrogate escape";
    /// A number is not finite or exceeds 2^53-1 in magnitude.
    NumberOutOfRange = 106, "NUMBER_OUT_OF_RANGE", "number exceeds 2^53-1 in magnitude";
    /// Arrays and objects are nested deeper than the limit (default 64).
    DepthExceeded = 107, "DEPTH_EXCEEDED", "nesting depth exceeds the limit";
    /// The top-level value is not a JSON object.
    NotAnObject = 108, "NOT_AN_OBJECT", "a record must be a JSON object";
    /// A JSON Lines file contains a blank line.
    BlankLine = 109, "BLANK_LINE", "blank line in a JSON Lines file";

    // 2xx: text encodings (wire format §1, §9).
    /// A digest is not `blake3:` followed by 64 lowercase hex digits.
    MalformedDigest = 200, "MALFORMED_DIGEST", "malformed digest";
    /// A digest names an algorithm other than `blake3`.
    UnsupportedHashAlgorithm = 201, "UNSUPPORTED_HASH_ALGORITHM", "unsupported hash algorithm";
    /// A public key is not `ed25519:z…` / `did:key:z…` with the Ed25519 multicodec and 32 bytes.
    MalformedKey = 202, "MALFORMED_KEY", "malformed public key";
    /// A public key's point encoding is not canonical (y >= p, or x = 0 with the sign bit set).
    NonCanonicalKey = 203, "NON_CANONICAL_KEY", "non-canonical public key encoding";
    /// A public key is a point of small order.
    SmallOrderKey = 204, "SMALL_ORDER_KEY", "public key is a small-order point";
    /// A signature is not `z` + base58btc of exactly 64 bytes.
    MalformedSignature = 205, "MALFORMED_SIGNATURE", "malformed signature encoding";
    /// A timestamp is not `YYYY-MM-DDTHH:MM:SSZ` naming a real UTC second.
    MalformedTimestamp = 206, "MALFORMED_TIMESTAMP", "malformed timestamp";
    /// An actor id is not `did:vm:{mesh|human|agent}:<name>` (or not of the class required).
    MalformedActorId = 207, "MALFORMED_ACTOR_ID", "malformed actor id";
    /// An engine id is not `engine:<name>`.
    MalformedEngineId = 208, "MALFORMED_ENGINE_ID", "malformed engine id";
    /// A count, index, size or level is not a non-negative integer without fraction or exponent.
    NotAnInteger = 209, "NOT_AN_INTEGER", "expected a non-negative integer";

    // 3xx: record structure.
    /// A required field is absent.
    MissingField = 300, "MISSING_FIELD", "required field is missing";
    /// A field has the wrong JSON type or an invalid value.
    InvalidField = 301, "INVALID_FIELD", "field has an invalid type or value";
    /// The record kind is unknown, or an untyped record was given without a kind.
    UnknownKind = 302, "UNKNOWN_KIND", "unknown record kind";
    /// A typed record's `type` differs from the kind it is verified as.
    KindMismatch = 303, "KIND_MISMATCH", "record type does not match the expected kind";
    /// The record's signature field is absent.
    MissingSignature = 304, "MISSING_SIGNATURE", "missing signature";

    // 4xx: signatures (RFC 8032 §5.1.7 with strict checks).
    /// No key is known for the signer.
    UnknownSigner = 400, "UNKNOWN_SIGNER", "no key known for the signer";
    /// The signature's S is not reduced (S >= L), or R is not a canonical encoding.
    NonCanonicalSignature = 401, "NON_CANONICAL_SIGNATURE", "non-canonical signature";
    /// The signature's R is a point of small order.
    SmallOrderSignature = 402, "SMALL_ORDER_SIGNATURE", "signature R is a small-order point";
    /// The signature does not verify under the signer's key.
    SignatureMismatch = 403, "SIGNATURE_MISMATCH", "signature does not verify";
    /// A key in the record disagrees with the key the verifier knows for that party.
    KeyMismatch = 404, "KEY_MISMATCH", "key does not match the known key";

    // 5xx: Merkle trees and proofs (RFC 9162 §2.1).
    /// A proof object is malformed.
    MalformedProof = 500, "MALFORMED_PROOF", "malformed proof";
    /// An inclusion proof does not lead to the expected root.
    InclusionProofMismatch = 501, "INCLUSION_PROOF_MISMATCH", "inclusion proof does not match the root";
    /// A consistency proof does not lead to the expected roots.
    ConsistencyProofMismatch = 502, "CONSISTENCY_PROOF_MISMATCH", "consistency proof does not match the roots";
    /// A leaf index is not below the tree size.
    IndexOutOfRange = 503, "INDEX_OUT_OF_RANGE", "leaf index out of range";
    /// A tree size is invalid (zero, or old size greater than new size).
    InvalidTreeSize = 504, "INVALID_TREE_SIZE", "invalid tree size";
    /// A root or size differs from the checkpoint it is compared with.
    CheckpointMismatch = 505, "CHECKPOINT_MISMATCH", "root or size differs from the checkpoint";

    // 6xx: federation records.
    /// The agreement's `agreement_hash` is not the hash of its body.
    AgreementHashMismatch = 600, "AGREEMENT_HASH_MISMATCH", "agreement hash does not match its body";
    /// An agreement's parties are not distinct, or `key_exchange`/`signatures` do not name exactly the parties.
    PartyMismatch = 601, "PARTY_MISMATCH", "parties, key exchange and signatures disagree";
    /// A trust level is not an integer from 0 to 4.
    InvalidTrustLevel = 602, "INVALID_TRUST_LEVEL", "trust level must be an integer 0-4";
    /// A witness receipt's result disagrees with its discrepancies.
    WitnessResultInconsistent = 603, "WITNESS_RESULT_INCONSISTENT", "verification result disagrees with discrepancies";
    /// A cross-anchor's combined root is not the root of its entries.
    CombinedRootMismatch = 604, "COMBINED_ROOT_MISMATCH", "combined root does not match the anchored roots";
    /// A cross-anchor's agreement is below trust level 3 (attest).
    TrustLevelTooLow = 605, "TRUST_LEVEL_TOO_LOW", "agreement trust level below 3 (attest)";
    /// A mesh cross-anchors itself.
    SelfAnchor = 606, "SELF_ANCHOR", "a mesh cannot cross-anchor itself";
    /// A cross-anchor includes no roots of the anchored mesh.
    EmptyRootsIncluded = 607, "EMPTY_ROOTS_INCLUDED", "roots_included must not be empty";
    /// A cross-anchor's meshes are not the parties of the given agreement.
    AgreementMismatch = 608, "AGREEMENT_MISMATCH", "record is not covered by the given agreement";
    /// A `Signature-Input`, `Signature` or `Content-Digest` header is missing or not of the RFC 9421 subset (docs/SPEC.md §7.6).
    MalformedRequestSignature = 610, "MALFORMED_REQUEST_SIGNATURE", "request signature headers missing or malformed";
    /// A request's `Content-Digest` is not the SHA-256 of its body (RFC 9530).
    ContentDigestMismatch = 611, "CONTENT_DIGEST_MISMATCH", "Content-Digest does not match the body";
    /// A request signature was created too far from the verifier's clock, or has expired.
    RequestStale = 612, "REQUEST_STALE", "request signature is stale or expired";
    /// A request's nonce was used before (a replay).
    RequestReplayed = 613, "REQUEST_REPLAYED", "request nonce already used";
    /// A negotiation message does not fit the negotiation's current state.
    NegotiationConflict = 614, "NEGOTIATION_CONFLICT", "message does not fit the negotiation state";
    /// A proposal is past its `expires_at`.
    ProposalExpired = 615, "PROPOSAL_EXPIRED", "proposal has expired";
    /// A proposal is not addressed to the mesh that received it.
    WrongTarget = 616, "WRONG_TARGET", "proposal is addressed to another mesh";
    /// A proposal or counter is outside the receiving mesh's trust policy.
    PolicyRefused = 617, "POLICY_REFUSED", "outside the mesh's trust policy";
    /// An agreement differs from the one derived from the accepted terms.
    AgreementTermsMismatch = 618, "AGREEMENT_TERMS_MISMATCH", "agreement differs from the accepted terms";
    /// A revocation is not by a party, or its notice period is inconsistent.
    RevocationInvalid = 619, "REVOCATION_INVALID", "invalid revocation";
    /// A checkpoint larger than the one the witness accepted came without a consistency proof.
    ConsistencyProofRequired = 660, "CONSISTENCY_PROOF_REQUIRED", "a larger checkpoint needs a consistency proof from the accepted one";
    /// Witness evidence verifies but shows no contradiction.
    EvidenceNotConclusive = 661, "EVIDENCE_NOT_CONCLUSIVE", "evidence does not show a contradiction";

    // 7xx: governance (constitution, amendment chains, executive orders, violations).
    /// The constitution document does not follow its schema.
    InvalidConstitution = 700, "INVALID_CONSTITUTION", "constitution does not follow its schema";
    /// A proposal touches an axiom; axioms are immutable (AXIOM-005).
    AxiomImmutable = 701, "AXIOM_IMMUTABLE", "axioms cannot be amended";
    /// A proposal's `change` does not follow the schema of its proposal type.
    InvalidChange = 702, "INVALID_CHANGE", "change does not follow the schema of its proposal type";
    /// Deliberation ends earlier than submission plus the minimum deliberation.
    DeliberationTooShort = 703, "DELIBERATION_TOO_SHORT", "deliberation shorter than the minimum";
    /// A proposal, order, violation or enforcement id is used a second time.
    DuplicateId = 704, "DUPLICATE_ID", "id already used in this chain";
    /// A receipt is dated before the receipt before it in the chain.
    OutOfOrder = 705, "OUT_OF_ORDER", "receipt dated before the previous receipt";
    /// The signer does not hold the role the receipt requires (author, ratifier, activator, enforcer, reviewer).
    SignerNotAuthorized = 706, "SIGNER_NOT_AUTHORIZED", "signer does not hold the required role";
    /// A receipt names a proposal that is not in the chain.
    UnknownProposal = 707, "UNKNOWN_PROPOSAL", "unknown proposal";
    /// A vote or ratification for a proposal that was already ratified or rejected.
    ProposalClosed = 708, "PROPOSAL_CLOSED", "proposal is no longer open";
    /// The voter is not a registered voter of the constitution the proposal is judged by.
    UnregisteredVoter = 709, "UNREGISTERED_VOTER", "voter is not registered";
    /// A vote's weight differs from the voter's registered weight.
    WeightMismatch = 710, "WEIGHT_MISMATCH", "vote weight differs from the registered weight";
    /// A vote is cast before deliberation ends or after voting ends.
    VoteOutsideWindow = 711, "VOTE_OUTSIDE_WINDOW", "vote cast outside the voting window";
    /// A voter votes twice on one proposal.
    DoubleVote = 712, "DOUBLE_VOTE", "voter already voted on this proposal";
    /// A ratification is dated before the voting period ends.
    RatificationTooEarly = 713, "RATIFICATION_TOO_EARLY", "ratification before the voting period ends";
    /// A ratification's `vote_summary` (or `quorum_met` = false) differs from the signed votes.
    TallyMismatch = 714, "TALLY_MISMATCH", "vote summary differs from the tally of the signed votes";
    /// Quorum is claimed, or a proposal ratified, without the quorum of registered weight.
    QuorumNotMet = 715, "QUORUM_NOT_MET", "quorum not met";
    /// A proposal is ratified without the threshold its type requires.
    ThresholdNotMet = 716, "THRESHOLD_NOT_MET", "threshold for the proposal type not met";
    /// A passing proposal is rejected although its type gives the ratifier no veto.
    DecisionMismatch = 717, "DECISION_MISMATCH", "decision contradicts the vote";
    /// An amendment for a proposal that is not ratified or was already activated.
    NotAwaitingActivation = 718, "NOT_AWAITING_ACTIVATION", "proposal is not awaiting activation";
    // 719 is retired (EFFECTIVE_BEFORE_RATIFICATION: chain order already implies it); never reuse it.
    /// `constitution_hash_before` or `constitution_hash_after` is not the computed hash.
    ConstitutionHashMismatch = 720, "CONSTITUTION_HASH_MISMATCH", "constitution hash does not match";
    /// `constitution_version_before` is not the version in force.
    VersionMismatch = 721, "VERSION_MISMATCH", "constitution_version_before is not the version in force";
    /// `constitution_version_after` is not the version the proposal type's bump gives.
    VersionBumpInvalid = 722, "VERSION_BUMP_INVALID", "constitution_version_after is not the required bump";
    /// The change does not apply to the constitution in force (target exists, is missing, or the result is invalid).
    ChangeConflict = 723, "CHANGE_CONFLICT", "change does not apply to the constitution in force";
    /// A violation or a rules change names a rule that does not exist.
    UnknownRule = 724, "UNKNOWN_RULE", "rule does not exist";
    /// An engine activation lacks its anchor proof.
    AnchorProofRequired = 725, "ANCHOR_PROOF_REQUIRED", "anchor proof required";
    /// An executive order's authority does not grant that order type to its issuer.
    AuthorityNotGranted = 726, "AUTHORITY_NOT_GRANTED", "cited authority does not grant this order";
    /// A temporary order lacks `expires_at`, or it is not after `issued_at`.
    OrderExpiryInvalid = 727, "ORDER_EXPIRY_INVALID", "order expiry missing or not after issue";
    /// An emergency (or renewal) lasts longer than the constitution's maximum.
    EmergencyTooLong = 728, "EMERGENCY_TOO_LONG", "emergency exceeds the maximum duration";
    /// An emergency claims a power its authority does not grant.
    EmergencyPowerNotGranted = 729, "EMERGENCY_POWER_NOT_GRANTED", "emergency power not granted";
    /// A renewal or revocation names an order that is not in the chain.
    UnknownOrder = 730, "UNKNOWN_ORDER", "unknown executive order";
    /// A renewal or revocation of an order that has expired or was revoked.
    OrderNotInForce = 731, "ORDER_NOT_IN_FORCE", "order is not in force";
    /// A renewal that is not an emergency renewal with the same powers and a later expiry.
    RenewalInvalid = 732, "RENEWAL_INVALID", "invalid renewal";
    /// An emergency renewed more often than the constitution allows.
    RenewalLimitExceeded = 733, "RENEWAL_LIMIT_EXCEEDED", "emergency renewed too often";
    /// A violation's detector is not an active registered engine.
    UnregisteredDetector = 734, "UNREGISTERED_DETECTOR", "detector is not an active registered engine";
    /// An enforcement names a violation that is not in the chain.
    UnknownViolation = 735, "UNKNOWN_VIOLATION", "unknown violation";
    /// An enforcement's target differs from the violation's subject.
    TargetMismatch = 736, "TARGET_MISMATCH", "target differs from the violation's subject";
    /// A review deadline not after enforcement or beyond the maximum, or a review after it.
    ReviewDeadlineInvalid = 737, "REVIEW_DEADLINE_INVALID", "invalid review deadline";
    /// A review names an enforcement that is not in the chain.
    UnknownEnforcement = 738, "UNKNOWN_ENFORCEMENT", "unknown enforcement";
    /// A second review, or a review that changes what it may not.
    ReviewInvalid = 739, "REVIEW_INVALID", "invalid review";
    /// A receipt judged live (the node's append) is not dated by the judge's clock, within
    /// `governance::CLOCK_SKEW_SECONDS` (docs/SPEC.md §10.11).
    ReceiptNotCurrent = 740, "RECEIPT_NOT_CURRENT", "receipt is not dated by the judge's clock";

    // 8xx: signing (docs/SPEC.md §3.2).
    /// Key file text is not `ed25519-seed:` and 64 lowercase hex digits.
    MalformedSecretKey = 800, "MALFORMED_SECRET_KEY", "malformed secret key file";
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.name(), self.code(), self.message())
    }
}

impl core::error::Error for Error {}

/// Result with the core's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        for (i, a) in Error::ALL.iter().enumerate() {
            assert_eq!(Error::from_code(a.code()), Some(*a));
            for b in &Error::ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
                assert_ne!(a.name(), b.name());
            }
        }
        assert_eq!(Error::DuplicateKey.code(), 104);
        assert_eq!(Error::from_code(0), None);
    }
}
