//! `vm_status`: the one result enum of the C ABI, and its names and messages.
//!
//! The numbers are stable forever and never reused: `0` is success, 100–799 are exactly the
//! core's error codes (`vaultmesh_core::Error::code`, with its names and messages), and 900 and
//! up are the boundary's own. The enum is written out below (cbindgen reads source, not macro
//! output) and generated from `Error::ALL` and [`BOUNDARY`]: the test `status_table_is_current`
//! fails when the core gains an error the table lacks; `VAULTMESH_BLESS=1 cargo test -p
//! vaultmesh-ffi --lib status` rewrites the table, then `scripts/test.sh` asks for the header to
//! be regenerated.

use std::ffi::c_char;

use vaultmesh_core::record::Failure;
use vaultmesh_core::Error;

/// The boundary's own statuses: variant, number, name, message.
///
/// cbindgen:ignore
pub const BOUNDARY: &[(&str, u32, &str, &str)] = &[
    (
        "NullArgument",
        900,
        "NULL_ARGUMENT",
        "a required pointer argument is NULL",
    ),
    (
        "ArgumentNotUtf8",
        901,
        "ARGUMENT_NOT_UTF8",
        "a text argument is not valid UTF-8",
    ),
    (
        "BufferTooSmall",
        902,
        "BUFFER_TOO_SMALL",
        "the output buffer is too small; out_len holds the size needed",
    ),
    (
        "Panic",
        903,
        "PANIC",
        "internal error: the library caught a panic (please report it)",
    ),
    (
        "InvalidArgument",
        904,
        "INVALID_ARGUMENT",
        "an argument is invalid (wrong handle type, misaligned pointer or size out of range)",
    ),
    (
        "UnmappedError",
        905,
        "UNMAPPED_ERROR",
        "the core reported an error this build's status table lacks (regenerate the bindings)",
    ),
];

// <generated:begin> by `VAULTMESH_BLESS=1 cargo test -p vaultmesh-ffi --lib status` from Error::ALL and BOUNDARY; do not edit.
/// The status of every call: `VM_STATUS_OK` (0), a core error (100–799: the numbers and names
/// of `vaultmesh_core::Error`, see docs/SPEC.md §8), or a boundary error (900 and up).
/// Numbers are stable and never reused.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum vm_status {
    /// OK: success.
    Ok = 0,
    /// INPUT_TOO_LARGE: input exceeds the size limit.
    InputTooLarge = 100,
    /// INVALID_UTF8: input is not valid UTF-8.
    InvalidUtf8 = 101,
    /// BYTE_ORDER_MARK: input starts with a byte-order mark.
    ByteOrderMark = 102,
    /// JSON_SYNTAX: malformed JSON.
    JsonSyntax = 103,
    /// DUPLICATE_KEY: duplicate member name in a JSON object.
    DuplicateKey = 104,
    /// LONE_SURROGATE: string contains a lone surrogate escape.
    LoneSurrogate = 105,
    /// NUMBER_OUT_OF_RANGE: number exceeds 2^53-1 in magnitude.
    NumberOutOfRange = 106,
    /// DEPTH_EXCEEDED: nesting depth exceeds the limit.
    DepthExceeded = 107,
    /// NOT_AN_OBJECT: a record must be a JSON object.
    NotAnObject = 108,
    /// BLANK_LINE: blank line in a JSON Lines file.
    BlankLine = 109,
    /// MALFORMED_DIGEST: malformed digest.
    MalformedDigest = 200,
    /// UNSUPPORTED_HASH_ALGORITHM: unsupported hash algorithm.
    UnsupportedHashAlgorithm = 201,
    /// MALFORMED_KEY: malformed public key.
    MalformedKey = 202,
    /// NON_CANONICAL_KEY: non-canonical public key encoding.
    NonCanonicalKey = 203,
    /// SMALL_ORDER_KEY: public key is a small-order point.
    SmallOrderKey = 204,
    /// MALFORMED_SIGNATURE: malformed signature encoding.
    MalformedSignature = 205,
    /// MALFORMED_TIMESTAMP: malformed timestamp.
    MalformedTimestamp = 206,
    /// MALFORMED_ACTOR_ID: malformed actor id.
    MalformedActorId = 207,
    /// MALFORMED_ENGINE_ID: malformed engine id.
    MalformedEngineId = 208,
    /// NOT_AN_INTEGER: expected a non-negative integer.
    NotAnInteger = 209,
    /// MISSING_FIELD: required field is missing.
    MissingField = 300,
    /// INVALID_FIELD: field has an invalid type or value.
    InvalidField = 301,
    /// UNKNOWN_KIND: unknown record kind.
    UnknownKind = 302,
    /// KIND_MISMATCH: record type does not match the expected kind.
    KindMismatch = 303,
    /// MISSING_SIGNATURE: missing signature.
    MissingSignature = 304,
    /// UNKNOWN_SIGNER: no key known for the signer.
    UnknownSigner = 400,
    /// NON_CANONICAL_SIGNATURE: non-canonical signature.
    NonCanonicalSignature = 401,
    /// SMALL_ORDER_SIGNATURE: signature R is a small-order point.
    SmallOrderSignature = 402,
    /// SIGNATURE_MISMATCH: signature does not verify.
    SignatureMismatch = 403,
    /// KEY_MISMATCH: key does not match the known key.
    KeyMismatch = 404,
    /// MALFORMED_PROOF: malformed proof.
    MalformedProof = 500,
    /// INCLUSION_PROOF_MISMATCH: inclusion proof does not match the root.
    InclusionProofMismatch = 501,
    /// CONSISTENCY_PROOF_MISMATCH: consistency proof does not match the roots.
    ConsistencyProofMismatch = 502,
    /// INDEX_OUT_OF_RANGE: leaf index out of range.
    IndexOutOfRange = 503,
    /// INVALID_TREE_SIZE: invalid tree size.
    InvalidTreeSize = 504,
    /// CHECKPOINT_MISMATCH: root or size differs from the checkpoint.
    CheckpointMismatch = 505,
    /// AGREEMENT_HASH_MISMATCH: agreement hash does not match its body.
    AgreementHashMismatch = 600,
    /// PARTY_MISMATCH: parties, key exchange and signatures disagree.
    PartyMismatch = 601,
    /// INVALID_TRUST_LEVEL: trust level must be an integer 0-4.
    InvalidTrustLevel = 602,
    /// WITNESS_RESULT_INCONSISTENT: verification result disagrees with discrepancies.
    WitnessResultInconsistent = 603,
    /// COMBINED_ROOT_MISMATCH: combined root does not match the anchored roots.
    CombinedRootMismatch = 604,
    /// TRUST_LEVEL_TOO_LOW: agreement trust level below 3 (attest).
    TrustLevelTooLow = 605,
    /// SELF_ANCHOR: a mesh cannot cross-anchor itself.
    SelfAnchor = 606,
    /// EMPTY_ROOTS_INCLUDED: roots_included must not be empty.
    EmptyRootsIncluded = 607,
    /// AGREEMENT_MISMATCH: record is not covered by the given agreement.
    AgreementMismatch = 608,
    /// MALFORMED_REQUEST_SIGNATURE: request signature headers missing or malformed.
    MalformedRequestSignature = 610,
    /// CONTENT_DIGEST_MISMATCH: Content-Digest does not match the body.
    ContentDigestMismatch = 611,
    /// REQUEST_STALE: request signature is stale or expired.
    RequestStale = 612,
    /// REQUEST_REPLAYED: request nonce already used.
    RequestReplayed = 613,
    /// NEGOTIATION_CONFLICT: message does not fit the negotiation state.
    NegotiationConflict = 614,
    /// PROPOSAL_EXPIRED: proposal has expired.
    ProposalExpired = 615,
    /// WRONG_TARGET: proposal is addressed to another mesh.
    WrongTarget = 616,
    /// POLICY_REFUSED: outside the mesh's trust policy.
    PolicyRefused = 617,
    /// AGREEMENT_TERMS_MISMATCH: agreement differs from the accepted terms.
    AgreementTermsMismatch = 618,
    /// REVOCATION_INVALID: invalid revocation.
    RevocationInvalid = 619,
    /// CONSISTENCY_PROOF_REQUIRED: a larger checkpoint needs a consistency proof from the accepted one.
    ConsistencyProofRequired = 660,
    /// EVIDENCE_NOT_CONCLUSIVE: evidence does not show a contradiction.
    EvidenceNotConclusive = 661,
    /// INVALID_CONSTITUTION: constitution does not follow its schema.
    InvalidConstitution = 700,
    /// AXIOM_IMMUTABLE: axioms cannot be amended.
    AxiomImmutable = 701,
    /// INVALID_CHANGE: change does not follow the schema of its proposal type.
    InvalidChange = 702,
    /// DELIBERATION_TOO_SHORT: deliberation shorter than the minimum.
    DeliberationTooShort = 703,
    /// DUPLICATE_ID: id already used in this chain.
    DuplicateId = 704,
    /// OUT_OF_ORDER: receipt dated before the previous receipt.
    OutOfOrder = 705,
    /// SIGNER_NOT_AUTHORIZED: signer does not hold the required role.
    SignerNotAuthorized = 706,
    /// UNKNOWN_PROPOSAL: unknown proposal.
    UnknownProposal = 707,
    /// PROPOSAL_CLOSED: proposal is no longer open.
    ProposalClosed = 708,
    /// UNREGISTERED_VOTER: voter is not registered.
    UnregisteredVoter = 709,
    /// WEIGHT_MISMATCH: vote weight differs from the registered weight.
    WeightMismatch = 710,
    /// VOTE_OUTSIDE_WINDOW: vote cast outside the voting window.
    VoteOutsideWindow = 711,
    /// DOUBLE_VOTE: voter already voted on this proposal.
    DoubleVote = 712,
    /// RATIFICATION_TOO_EARLY: ratification before the voting period ends.
    RatificationTooEarly = 713,
    /// TALLY_MISMATCH: vote summary differs from the tally of the signed votes.
    TallyMismatch = 714,
    /// QUORUM_NOT_MET: quorum not met.
    QuorumNotMet = 715,
    /// THRESHOLD_NOT_MET: threshold for the proposal type not met.
    ThresholdNotMet = 716,
    /// DECISION_MISMATCH: decision contradicts the vote.
    DecisionMismatch = 717,
    /// NOT_AWAITING_ACTIVATION: proposal is not awaiting activation.
    NotAwaitingActivation = 718,
    /// CONSTITUTION_HASH_MISMATCH: constitution hash does not match.
    ConstitutionHashMismatch = 720,
    /// VERSION_MISMATCH: constitution_version_before is not the version in force.
    VersionMismatch = 721,
    /// VERSION_BUMP_INVALID: constitution_version_after is not the required bump.
    VersionBumpInvalid = 722,
    /// CHANGE_CONFLICT: change does not apply to the constitution in force.
    ChangeConflict = 723,
    /// UNKNOWN_RULE: rule does not exist.
    UnknownRule = 724,
    /// ANCHOR_PROOF_REQUIRED: anchor proof required.
    AnchorProofRequired = 725,
    /// AUTHORITY_NOT_GRANTED: cited authority does not grant this order.
    AuthorityNotGranted = 726,
    /// ORDER_EXPIRY_INVALID: order expiry missing or not after issue.
    OrderExpiryInvalid = 727,
    /// EMERGENCY_TOO_LONG: emergency exceeds the maximum duration.
    EmergencyTooLong = 728,
    /// EMERGENCY_POWER_NOT_GRANTED: emergency power not granted.
    EmergencyPowerNotGranted = 729,
    /// UNKNOWN_ORDER: unknown executive order.
    UnknownOrder = 730,
    /// ORDER_NOT_IN_FORCE: order is not in force.
    OrderNotInForce = 731,
    /// RENEWAL_INVALID: invalid renewal.
    RenewalInvalid = 732,
    /// RENEWAL_LIMIT_EXCEEDED: emergency renewed too often.
    RenewalLimitExceeded = 733,
    /// UNREGISTERED_DETECTOR: detector is not an active registered engine.
    UnregisteredDetector = 734,
    /// UNKNOWN_VIOLATION: unknown violation.
    UnknownViolation = 735,
    /// TARGET_MISMATCH: target differs from the violation's subject.
    TargetMismatch = 736,
    /// REVIEW_DEADLINE_INVALID: invalid review deadline.
    ReviewDeadlineInvalid = 737,
    /// UNKNOWN_ENFORCEMENT: unknown enforcement.
    UnknownEnforcement = 738,
    /// REVIEW_INVALID: invalid review.
    ReviewInvalid = 739,
    /// RECEIPT_NOT_CURRENT: receipt is not dated by the judge's clock.
    ReceiptNotCurrent = 740,
    /// MALFORMED_SECRET_KEY: malformed secret key file.
    MalformedSecretKey = 800,
    /// NULL_ARGUMENT: a required pointer argument is NULL.
    NullArgument = 900,
    /// ARGUMENT_NOT_UTF8: a text argument is not valid UTF-8.
    ArgumentNotUtf8 = 901,
    /// BUFFER_TOO_SMALL: the output buffer is too small; out_len holds the size needed.
    BufferTooSmall = 902,
    /// PANIC: internal error: the library caught a panic (please report it).
    Panic = 903,
    /// INVALID_ARGUMENT: an argument is invalid (wrong handle type, misaligned pointer or size out of range).
    InvalidArgument = 904,
    /// UNMAPPED_ERROR: the core reported an error this build's status table lacks (regenerate the bindings).
    UnmappedError = 905,
}

impl vm_status {
    /// The status whose number is `code`, if any.
    pub const fn from_code(code: u32) -> Option<vm_status> {
        Some(match code {
            0 => vm_status::Ok,
            100 => vm_status::InputTooLarge,
            101 => vm_status::InvalidUtf8,
            102 => vm_status::ByteOrderMark,
            103 => vm_status::JsonSyntax,
            104 => vm_status::DuplicateKey,
            105 => vm_status::LoneSurrogate,
            106 => vm_status::NumberOutOfRange,
            107 => vm_status::DepthExceeded,
            108 => vm_status::NotAnObject,
            109 => vm_status::BlankLine,
            200 => vm_status::MalformedDigest,
            201 => vm_status::UnsupportedHashAlgorithm,
            202 => vm_status::MalformedKey,
            203 => vm_status::NonCanonicalKey,
            204 => vm_status::SmallOrderKey,
            205 => vm_status::MalformedSignature,
            206 => vm_status::MalformedTimestamp,
            207 => vm_status::MalformedActorId,
            208 => vm_status::MalformedEngineId,
            209 => vm_status::NotAnInteger,
            300 => vm_status::MissingField,
            301 => vm_status::InvalidField,
            302 => vm_status::UnknownKind,
            303 => vm_status::KindMismatch,
            304 => vm_status::MissingSignature,
            400 => vm_status::UnknownSigner,
            401 => vm_status::NonCanonicalSignature,
            402 => vm_status::SmallOrderSignature,
            403 => vm_status::SignatureMismatch,
            404 => vm_status::KeyMismatch,
            500 => vm_status::MalformedProof,
            501 => vm_status::InclusionProofMismatch,
            502 => vm_status::ConsistencyProofMismatch,
            503 => vm_status::IndexOutOfRange,
            504 => vm_status::InvalidTreeSize,
            505 => vm_status::CheckpointMismatch,
            600 => vm_status::AgreementHashMismatch,
            601 => vm_status::PartyMismatch,
            602 => vm_status::InvalidTrustLevel,
            603 => vm_status::WitnessResultInconsistent,
            604 => vm_status::CombinedRootMismatch,
            605 => vm_status::TrustLevelTooLow,
            606 => vm_status::SelfAnchor,
            607 => vm_status::EmptyRootsIncluded,
            608 => vm_status::AgreementMismatch,
            610 => vm_status::MalformedRequestSignature,
            611 => vm_status::ContentDigestMismatch,
            612 => vm_status::RequestStale,
            613 => vm_status::RequestReplayed,
            614 => vm_status::NegotiationConflict,
            615 => vm_status::ProposalExpired,
            616 => vm_status::WrongTarget,
            617 => vm_status::PolicyRefused,
            618 => vm_status::AgreementTermsMismatch,
            619 => vm_status::RevocationInvalid,
            660 => vm_status::ConsistencyProofRequired,
            661 => vm_status::EvidenceNotConclusive,
            700 => vm_status::InvalidConstitution,
            701 => vm_status::AxiomImmutable,
            702 => vm_status::InvalidChange,
            703 => vm_status::DeliberationTooShort,
            704 => vm_status::DuplicateId,
            705 => vm_status::OutOfOrder,
            706 => vm_status::SignerNotAuthorized,
            707 => vm_status::UnknownProposal,
            708 => vm_status::ProposalClosed,
            709 => vm_status::UnregisteredVoter,
            710 => vm_status::WeightMismatch,
            711 => vm_status::VoteOutsideWindow,
            712 => vm_status::DoubleVote,
            713 => vm_status::RatificationTooEarly,
            714 => vm_status::TallyMismatch,
            715 => vm_status::QuorumNotMet,
            716 => vm_status::ThresholdNotMet,
            717 => vm_status::DecisionMismatch,
            718 => vm_status::NotAwaitingActivation,
            720 => vm_status::ConstitutionHashMismatch,
            721 => vm_status::VersionMismatch,
            722 => vm_status::VersionBumpInvalid,
            723 => vm_status::ChangeConflict,
            724 => vm_status::UnknownRule,
            725 => vm_status::AnchorProofRequired,
            726 => vm_status::AuthorityNotGranted,
            727 => vm_status::OrderExpiryInvalid,
            728 => vm_status::EmergencyTooLong,
            729 => vm_status::EmergencyPowerNotGranted,
            730 => vm_status::UnknownOrder,
            731 => vm_status::OrderNotInForce,
            732 => vm_status::RenewalInvalid,
            733 => vm_status::RenewalLimitExceeded,
            734 => vm_status::UnregisteredDetector,
            735 => vm_status::UnknownViolation,
            736 => vm_status::TargetMismatch,
            737 => vm_status::ReviewDeadlineInvalid,
            738 => vm_status::UnknownEnforcement,
            739 => vm_status::ReviewInvalid,
            740 => vm_status::ReceiptNotCurrent,
            800 => vm_status::MalformedSecretKey,
            900 => vm_status::NullArgument,
            901 => vm_status::ArgumentNotUtf8,
            902 => vm_status::BufferTooSmall,
            903 => vm_status::Panic,
            904 => vm_status::InvalidArgument,
            905 => vm_status::UnmappedError,
            _ => return None,
        })
    }

    /// Every status, in number order.
    ///
    /// cbindgen:ignore
    pub const ALL: &'static [vm_status] = &[
        vm_status::Ok,
        vm_status::InputTooLarge,
        vm_status::InvalidUtf8,
        vm_status::ByteOrderMark,
        vm_status::JsonSyntax,
        vm_status::DuplicateKey,
        vm_status::LoneSurrogate,
        vm_status::NumberOutOfRange,
        vm_status::DepthExceeded,
        vm_status::NotAnObject,
        vm_status::BlankLine,
        vm_status::MalformedDigest,
        vm_status::UnsupportedHashAlgorithm,
        vm_status::MalformedKey,
        vm_status::NonCanonicalKey,
        vm_status::SmallOrderKey,
        vm_status::MalformedSignature,
        vm_status::MalformedTimestamp,
        vm_status::MalformedActorId,
        vm_status::MalformedEngineId,
        vm_status::NotAnInteger,
        vm_status::MissingField,
        vm_status::InvalidField,
        vm_status::UnknownKind,
        vm_status::KindMismatch,
        vm_status::MissingSignature,
        vm_status::UnknownSigner,
        vm_status::NonCanonicalSignature,
        vm_status::SmallOrderSignature,
        vm_status::SignatureMismatch,
        vm_status::KeyMismatch,
        vm_status::MalformedProof,
        vm_status::InclusionProofMismatch,
        vm_status::ConsistencyProofMismatch,
        vm_status::IndexOutOfRange,
        vm_status::InvalidTreeSize,
        vm_status::CheckpointMismatch,
        vm_status::AgreementHashMismatch,
        vm_status::PartyMismatch,
        vm_status::InvalidTrustLevel,
        vm_status::WitnessResultInconsistent,
        vm_status::CombinedRootMismatch,
        vm_status::TrustLevelTooLow,
        vm_status::SelfAnchor,
        vm_status::EmptyRootsIncluded,
        vm_status::AgreementMismatch,
        vm_status::MalformedRequestSignature,
        vm_status::ContentDigestMismatch,
        vm_status::RequestStale,
        vm_status::RequestReplayed,
        vm_status::NegotiationConflict,
        vm_status::ProposalExpired,
        vm_status::WrongTarget,
        vm_status::PolicyRefused,
        vm_status::AgreementTermsMismatch,
        vm_status::RevocationInvalid,
        vm_status::ConsistencyProofRequired,
        vm_status::EvidenceNotConclusive,
        vm_status::InvalidConstitution,
        vm_status::AxiomImmutable,
        vm_status::InvalidChange,
        vm_status::DeliberationTooShort,
        vm_status::DuplicateId,
        vm_status::OutOfOrder,
        vm_status::SignerNotAuthorized,
        vm_status::UnknownProposal,
        vm_status::ProposalClosed,
        vm_status::UnregisteredVoter,
        vm_status::WeightMismatch,
        vm_status::VoteOutsideWindow,
        vm_status::DoubleVote,
        vm_status::RatificationTooEarly,
        vm_status::TallyMismatch,
        vm_status::QuorumNotMet,
        vm_status::ThresholdNotMet,
        vm_status::DecisionMismatch,
        vm_status::NotAwaitingActivation,
        vm_status::ConstitutionHashMismatch,
        vm_status::VersionMismatch,
        vm_status::VersionBumpInvalid,
        vm_status::ChangeConflict,
        vm_status::UnknownRule,
        vm_status::AnchorProofRequired,
        vm_status::AuthorityNotGranted,
        vm_status::OrderExpiryInvalid,
        vm_status::EmergencyTooLong,
        vm_status::EmergencyPowerNotGranted,
        vm_status::UnknownOrder,
        vm_status::OrderNotInForce,
        vm_status::RenewalInvalid,
        vm_status::RenewalLimitExceeded,
        vm_status::UnregisteredDetector,
        vm_status::UnknownViolation,
        vm_status::TargetMismatch,
        vm_status::ReviewDeadlineInvalid,
        vm_status::UnknownEnforcement,
        vm_status::ReviewInvalid,
        vm_status::ReceiptNotCurrent,
        vm_status::MalformedSecretKey,
        vm_status::NullArgument,
        vm_status::ArgumentNotUtf8,
        vm_status::BufferTooSmall,
        vm_status::Panic,
        vm_status::InvalidArgument,
        vm_status::UnmappedError,
    ];
}
// <generated:end>

impl vm_status {
    /// The stable number.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The stable upper-case name: `OK`, the core error's name, or a boundary name.
    pub fn name(self) -> &'static str {
        name_of(self.code()).unwrap_or("UNKNOWN_STATUS")
    }

    /// A one-line description.
    pub fn message(self) -> &'static str {
        message_of(self.code()).unwrap_or("unknown status")
    }
}

fn name_of(code: u32) -> Option<&'static str> {
    if code == 0 {
        return Some("OK");
    }
    if let Some(e) = u16::try_from(code).ok().and_then(Error::from_code) {
        return Some(e.name());
    }
    BOUNDARY.iter().find(|b| b.1 == code).map(|b| b.2)
}

fn message_of(code: u32) -> Option<&'static str> {
    if code == 0 {
        return Some("success");
    }
    if let Some(e) = u16::try_from(code).ok().and_then(Error::from_code) {
        return Some(e.message());
    }
    BOUNDARY.iter().find(|b| b.1 == code).map(|b| b.3)
}

impl From<Error> for vm_status {
    fn from(e: Error) -> vm_status {
        vm_status::from_code(u32::from(e.code())).unwrap_or(vm_status::UnmappedError)
    }
}

impl From<Failure> for vm_status {
    fn from(f: Failure) -> vm_status {
        f.error.into()
    }
}

/// NUL-terminated copies of every name, for [`vm_status_name`].
fn c_name(code: u32) -> *const c_char {
    use std::collections::BTreeMap;
    use std::ffi::CString;
    use std::sync::OnceLock;
    static NAMES: OnceLock<BTreeMap<u32, CString>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut map = BTreeMap::new();
        let core = Error::ALL.iter().map(|e| (u32::from(e.code()), e.name()));
        let boundary = BOUNDARY.iter().map(|b| (b.1, b.2));
        for (code, name) in [(0, "OK")].into_iter().chain(core).chain(boundary) {
            if let Ok(c) = CString::new(name) {
                map.insert(code, c);
            }
        }
        map
    });
    names
        .get(&code)
        .map_or(c"UNKNOWN_STATUS".as_ptr(), |c| c.as_ptr())
}

/// The stable name of `status` (`"OK"`, `"DUPLICATE_KEY"`, `"BUFFER_TOO_SMALL"`, …) as a static
/// NUL-terminated string; `"UNKNOWN_STATUS"` for a number that is not a status. Never NULL.
#[no_mangle]
pub extern "C" fn vm_status_name(status: u32) -> *const c_char {
    ffi!({ c_name(status) })
}

/// Copies the one-line message of `status` into `buf` (capacity `len`), not NUL-terminated,
/// and sets `*out_written` to its length. A number that is not a status gets the message
/// `"unknown status"`.
///
/// Errors: `out_written` NULL, or `buf` NULL with `len > 0`: `VM_STATUS_NULL_ARGUMENT`; `len`
/// smaller than the message: `VM_STATUS_BUFFER_TOO_SMALL`, nothing copied, `*out_written` =
/// the length needed (messages are shorter than 128 bytes).
#[no_mangle]
pub unsafe extern "C" fn vm_status_message(
    status: u32,
    buf: *mut c_char,
    len: usize,
    out_written: *mut usize,
) -> vm_status {
    ffi!({
        let message = message_of(status).unwrap_or("unknown status");
        // SAFETY: the caller's contract for buf/len/out_written.
        unsafe {
            crate::boundary::write_buffer(message.as_bytes(), buf.cast::<u8>(), len, out_written)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    /// `INPUT_TOO_LARGE` → `InputTooLarge`.
    fn camel(name: &str) -> String {
        name.split('_')
            .map(|w| {
                let lower = w.to_ascii_lowercase();
                let mut chars = lower.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn generated() -> String {
        let mut rows: Vec<(String, u32, String, String)> =
            vec![("Ok".into(), 0, "OK".into(), "success".into())];
        for e in Error::ALL {
            rows.push((
                camel(e.name()),
                u32::from(e.code()),
                e.name().into(),
                e.message().into(),
            ));
        }
        for (variant, code, name, message) in BOUNDARY {
            rows.push(((*variant).into(), *code, (*name).into(), (*message).into()));
        }
        let mut s = String::new();
        s.push_str("/// The status of every call: `VM_STATUS_OK` (0), a core error (100–799: the numbers and names\n");
        s.push_str("/// of `vaultmesh_core::Error`, see docs/SPEC.md §8), or a boundary error (900 and up).\n");
        s.push_str("/// Numbers are stable and never reused.\n");
        s.push_str("#[repr(u32)]\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n");
        s.push_str("pub enum vm_status {\n");
        for (variant, code, name, message) in &rows {
            let _ = writeln!(s, "    /// {name}: {message}.");
            let _ = writeln!(s, "    {variant} = {code},");
        }
        s.push_str("}\n\nimpl vm_status {\n");
        s.push_str("    /// The status whose number is `code`, if any.\n");
        s.push_str("    pub const fn from_code(code: u32) -> Option<vm_status> {\n");
        s.push_str("        Some(match code {\n");
        for (variant, code, _, _) in &rows {
            let _ = writeln!(s, "            {code} => vm_status::{variant},");
        }
        s.push_str("            _ => return None,\n        })\n    }\n\n");
        s.push_str("    /// Every status, in number order.\n    ///\n    /// cbindgen:ignore\n");
        s.push_str("    pub const ALL: &'static [vm_status] = &[\n");
        for (variant, _, _, _) in &rows {
            let _ = writeln!(s, "        vm_status::{variant},");
        }
        s.push_str("    ];\n}\n");
        s
    }

    #[test]
    fn status_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/status.rs");
        let source = std::fs::read_to_string(path).unwrap_or_default();
        let begin = source.find("// <generated:begin>").unwrap_or(0);
        let begin = begin + source[begin..].find('\n').unwrap_or(0) + 1;
        let end = source.find("// <generated:end>").unwrap_or(0);
        let want = generated();
        if std::env::var_os("VAULTMESH_BLESS").is_some() {
            let updated = format!("{}{}{}", &source[..begin], want, &source[end..]);
            std::fs::write(path, updated).unwrap_or_default();
            return;
        }
        assert_eq!(
            &source[begin..end],
            want,
            "the vm_status table differs from Error::ALL; run VAULTMESH_BLESS=1 cargo test -p vaultmesh-ffi --lib status"
        );
    }

    #[test]
    fn every_core_error_maps_to_the_same_number_and_name() {
        for e in Error::ALL {
            let status = vm_status::from(*e);
            assert_ne!(status, vm_status::UnmappedError, "{e:?} has no status");
            assert_eq!(status.code(), u32::from(e.code()), "{e:?}");
            assert_eq!(status.name(), e.name(), "{e:?}");
            assert_eq!(status.message(), e.message(), "{e:?}");
            // SAFETY: vm_status_name returns a static NUL-terminated string.
            let c = unsafe { std::ffi::CStr::from_ptr(vm_status_name(status.code())) };
            assert_eq!(c.to_str().ok(), Some(e.name()));
        }
        // Every status is OK, a core error or a boundary error, and numbers are unique.
        for (i, s) in vm_status::ALL.iter().enumerate() {
            let code = s.code();
            let core = u16::try_from(code)
                .ok()
                .and_then(Error::from_code)
                .is_some();
            let boundary = BOUNDARY.iter().any(|b| b.1 == code && b.2 == s.name());
            assert!(code == 0 || core || boundary, "{s:?}");
            assert!((900..1000).contains(&code) == boundary, "{s:?}");
            assert_eq!(vm_status::from_code(code), Some(*s));
            assert!(vm_status::ALL[i + 1..].iter().all(|t| t.code() != code));
            assert!(s.message().len() < 128);
        }
        assert_eq!(vm_status::ALL.len(), 1 + Error::ALL.len() + BOUNDARY.len());
        assert_eq!(vm_status::from_code(1), None);
    }

    #[test]
    fn messages_into_caller_buffers() {
        let mut buf = [0u8; 128];
        let mut len = 0usize;
        // SAFETY: valid pointers.
        unsafe {
            let s = vm_status_message(104, buf.as_mut_ptr().cast(), buf.len(), &mut len);
            assert_eq!(s, vm_status::Ok);
            assert_eq!(&buf[..len], Error::DuplicateKey.message().as_bytes());
            let s = vm_status_message(104, buf.as_mut_ptr().cast(), 3, &mut len);
            assert_eq!(
                (s, len),
                (
                    vm_status::BufferTooSmall,
                    Error::DuplicateKey.message().len()
                )
            );
            let s = vm_status_message(4242, buf.as_mut_ptr().cast(), buf.len(), &mut len);
            assert_eq!((s, &buf[..len]), (vm_status::Ok, &b"unknown status"[..]));
            assert_eq!(
                vm_status_message(0, buf.as_mut_ptr().cast(), 1, std::ptr::null_mut()),
                vm_status::NullArgument
            );
            let c = std::ffi::CStr::from_ptr(vm_status_name(4242));
            assert_eq!(c.to_bytes(), b"UNKNOWN_STATUS");
        }
    }
}
