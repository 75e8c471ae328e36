//! Audit bundles: one JSON file with everything an auditor needs to check a mesh's evidence
//! offline, and [`verify_bundle`], which checks every item of it and says, for each, what was
//! checked, the verdict, and the core's error (docs/SPEC.md §11).
//!
//! A bundle holds the keys it relies on, discovery records, agreements, and per scroll its
//! signed checkpoints, the consistency proofs between them, receipts with inclusion proofs and
//! witness receipts; then cross-anchors and, optionally, a governance chain:
//!
//! ```json
//! {"type": "vaultmesh_audit_bundle", "version": 1,
//!  "created_at": "2025-12-10T09:00:00Z", "description": "…",
//!  "keys": {"did:vm:mesh:dublin": "ed25519:z6Mk…"},
//!  "discovery": [{…}], "agreements": [{…}],
//!  "scrolls": [{"mesh_id": "did:vm:mesh:dublin", "scroll": "Governance",
//!               "checkpoints": [{…}], "consistency": [{"old_size", "new_size", "path"}],
//!               "receipts": [{"record": {…}, "kind"?: "…", "proof": {"leaf_index", "tree_size", "path"}}],
//!               "witnesses": [{…}]}],
//!  "cross_anchors": [{…}],
//!  "governance": {"genesis": {…}, "receipts": [{…}]}}
//! ```
//!
//! The rules, in the order they are applied:
//!
//! 1. **Keys.** The caller's pinned keys come first. Then each `keys` entry (it must parse and
//!    agree with a pinned key), each discovery record (self-signed; its key must agree with any
//!    key already known) and each agreement (its `key_exchange` must agree with the keys
//!    known) add the keys not yet known. The report lists every key with its source, because a
//!    bundle that brings its own keys proves only that it is consistent with them.
//! 2. **Scrolls.** A checkpoint is verified with those keys and must name the scroll it is
//!    filed under; two valid checkpoints of one size with different roots are a fork (both
//!    fail). Sizes always come from checkpoints: a consistency proof is checked between the
//!    checkpoints of its two sizes, an inclusion proof under the checkpoint of its size, a
//!    witness receipt against the checkpoint of the size it witnessed. A missing checkpoint is
//!    `CHECKPOINT_MISMATCH`; one that failed makes what depends on it *not checked*.
//! 3. **Cross-anchors** are verified under the best valid agreement in the bundle between their
//!    two meshes (none at all: `AGREEMENT_MISMATCH`).
//! 4. **Governance**: the chain is verified by [`governance::verify_chain`]; receipts after the
//!    first violation are *not checked*.
//!
//! The bundle as a whole is *valid* when every item is, *invalid* when any item is, and
//! *incomplete* otherwise (something was not checked, or two consecutive checkpoints of a scroll
//! have no consistency proof between them). Only a file that is not a bundle at all (not strict
//! I-JSON, wrong `type` or `version`, a section of the wrong JSON type, an unknown member) is an
//! error of [`verify_bundle`] itself.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::encoding::{id, timestamp::Timestamp, PublicKey};
use crate::error::Error;
use crate::federation::{self, Agreement, Checkpoint};
use crate::governance;
use crate::json::{self, Limits, Number, Object, Value};
use crate::merkle::{self, ConsistencyProof, InclusionProof};
use crate::record::{self, Failure, Keyring, Kind};
use crate::Digest;

/// The `type` of a bundle.
pub const BUNDLE_TYPE: &str = "vaultmesh_audit_bundle";

/// The bundle format version this verifier reads.
pub const BUNDLE_VERSION: u64 = 1;

/// The `type` of a report document ([`BundleReport::to_value`]).
pub const REPORT_TYPE: &str = "vaultmesh_bundle_report";

/// Default limits for a bundle file: 64 MiB, and depth 80 so that a record nested in it keeps
/// the per-record depth of 64. Each record inside is also held to the per-record limits of
/// wire format §2 (1 MiB canonical, depth 64).
pub const BUNDLE_LIMITS: Limits = Limits {
    max_bytes: 64 << 20,
    max_depth: 80,
};

const TOP_MEMBERS: &[&str] = &[
    "type",
    "version",
    "created_at",
    "description",
    "keys",
    "discovery",
    "agreements",
    "scrolls",
    "cross_anchors",
    "governance",
];
const SCROLL_MEMBERS: &[&str] = &[
    "mesh_id",
    "scroll",
    "checkpoints",
    "consistency",
    "receipts",
    "witnesses",
];
const RECEIPT_MEMBERS: &[&str] = &["record", "kind", "proof"];

/// The outcome of one check, or of one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The check passed.
    Valid,
    /// The check failed; the error says why.
    Invalid,
    /// The check could not be made, because something it depends on is invalid.
    NotChecked,
}

impl Verdict {
    /// `valid`, `invalid` or `not_checked`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::NotChecked => "not_checked",
        }
    }
}

/// The verdict on a whole bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overall {
    /// Every item is valid and every scroll's growth is proven.
    Valid,
    /// At least one item is invalid.
    Invalid,
    /// Nothing is invalid, but something was not checked or a growth step is unproven.
    Incomplete,
}

impl Overall {
    /// `valid`, `invalid` or `incomplete`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Overall::Valid => "valid",
            Overall::Invalid => "invalid",
            Overall::Incomplete => "incomplete",
        }
    }
}

/// What an item of the report is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// An entry of `keys`.
    Key,
    /// A discovery record.
    Discovery,
    /// A federation agreement.
    Agreement,
    /// A scroll checkpoint.
    Checkpoint,
    /// A consistency proof between two checkpoints.
    Consistency,
    /// A receipt with its inclusion proof.
    Receipt,
    /// A witness receipt.
    Witness,
    /// A cross-anchor.
    CrossAnchor,
    /// The governance chain as a whole.
    GovernanceChain,
    /// One receipt of the governance chain.
    GovernanceReceipt,
}

impl ItemKind {
    /// Every kind, in report order.
    pub const ALL: [ItemKind; 10] = [
        ItemKind::Key,
        ItemKind::Discovery,
        ItemKind::Agreement,
        ItemKind::Checkpoint,
        ItemKind::Consistency,
        ItemKind::Receipt,
        ItemKind::Witness,
        ItemKind::CrossAnchor,
        ItemKind::GovernanceChain,
        ItemKind::GovernanceReceipt,
    ];

    /// The stable name used in reports (`key`, `checkpoint`, `cross_anchor`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            ItemKind::Key => "key",
            ItemKind::Discovery => "discovery",
            ItemKind::Agreement => "agreement",
            ItemKind::Checkpoint => "checkpoint",
            ItemKind::Consistency => "consistency",
            ItemKind::Receipt => "receipt",
            ItemKind::Witness => "witness",
            ItemKind::CrossAnchor => "cross_anchor",
            ItemKind::GovernanceChain => "governance_chain",
            ItemKind::GovernanceReceipt => "governance_receipt",
        }
    }
}

/// One check made on an item.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Stable id of the check (`record`, `checkpoint`, `inclusion`, …; docs/SPEC.md §11).
    pub name: &'static str,
    /// What was checked, for a person.
    pub description: String,
    /// The outcome.
    pub verdict: Verdict,
    /// The core's error, when the check failed.
    pub failure: Option<Failure>,
    /// More detail: why it was not checked, what was missing.
    pub note: Option<String>,
}

impl Check {
    fn new(name: &'static str, description: String, outcome: Result<(), Failure>) -> Check {
        match outcome {
            Ok(()) => Check {
                name,
                description,
                verdict: Verdict::Valid,
                failure: None,
                note: None,
            },
            Err(f) => Check {
                name,
                description,
                verdict: Verdict::Invalid,
                failure: Some(f),
                note: None,
            },
        }
    }

    fn not_checked(name: &'static str, description: String, note: String) -> Check {
        Check {
            name,
            description,
            verdict: Verdict::NotChecked,
            failure: None,
            note: Some(note),
        }
    }

    fn with_note(mut self, note: String) -> Check {
        self.note = Some(note);
        self
    }

    fn to_value(&self) -> Value<'static> {
        let mut o = Object::default();
        o.insert("check", text(self.name));
        o.insert("description", owned(self.description.as_str()));
        o.insert("verdict", text(self.verdict.as_str()));
        if let Some(f) = self.failure {
            put_failure(&mut o, f);
        }
        if let Some(note) = &self.note {
            o.insert("note", owned(note.as_str()));
        }
        Value::Object(o)
    }
}

/// One item of the bundle and the checks made on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Where the item is in the bundle, e.g. `scrolls[0].receipts[2]`.
    pub path: String,
    /// What it is.
    pub kind: ItemKind,
    /// A one-line description for a person (built from the item's own, untrusted, text).
    pub label: String,
    /// The checks, in the order they were made.
    pub checks: Vec<Check>,
    /// Values established or read (hashes, sizes, roots; docs/SPEC.md §11 lists them per kind).
    pub details: Object<'static>,
}

impl Item {
    fn new(path: String, kind: ItemKind, label: String) -> Item {
        Item {
            path,
            kind,
            label,
            checks: Vec::new(),
            details: Object::default(),
        }
    }

    /// `Invalid` when a check failed, else `NotChecked` when one could not be made (or none
    /// was), else `Valid`.
    pub fn verdict(&self) -> Verdict {
        if self.checks.iter().any(|c| c.verdict == Verdict::Invalid) {
            Verdict::Invalid
        } else if self.checks.is_empty()
            || self.checks.iter().any(|c| c.verdict == Verdict::NotChecked)
        {
            Verdict::NotChecked
        } else {
            Verdict::Valid
        }
    }

    /// The first failed check and its error.
    pub fn failure(&self) -> Option<(&Check, Failure)> {
        self.checks.iter().find_map(|c| c.failure.map(|f| (c, f)))
    }

    fn check(
        &mut self,
        name: &'static str,
        description: String,
        outcome: Result<(), Failure>,
    ) -> bool {
        let ok = outcome.is_ok();
        self.checks.push(Check::new(name, description, outcome));
        ok
    }

    fn detail(&mut self, name: &'static str, value: Value<'static>) {
        self.details.insert(name, value);
    }

    /// The item as a report object (docs/SPEC.md §11.3).
    pub fn to_value(&self) -> Value<'static> {
        let mut o = Object::default();
        o.insert("path", owned(self.path.as_str()));
        o.insert("kind", text(self.kind.as_str()));
        o.insert("label", owned(self.label.as_str()));
        o.insert("verdict", text(self.verdict().as_str()));
        if let Some((check, f)) = self.failure() {
            put_failure(&mut o, f);
            o.insert("failed_check", text(check.name));
        } else if let Some(note) = self
            .checks
            .iter()
            .find_map(|c| c.note.as_ref().filter(|_| c.verdict == Verdict::NotChecked))
        {
            o.insert("note", owned(note.as_str()));
        }
        o.insert(
            "checks",
            Value::Array(self.checks.iter().map(Check::to_value).collect()),
        );
        o.insert("details", Value::Object(self.details.clone()));
        Value::Object(o)
    }
}

/// Where a key of the report's keyring came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// Given by the caller (trusted out of band).
    Pinned,
    /// The bundle's `keys`.
    Bundle,
    /// A self-signed discovery record of the bundle.
    Discovery,
    /// The `key_exchange` of a valid agreement of the bundle.
    Agreement,
}

impl KeySource {
    /// `pinned`, `bundle`, `discovery` or `agreement`.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeySource::Pinned => "pinned",
            KeySource::Bundle => "bundle",
            KeySource::Discovery => "discovery",
            KeySource::Agreement => "agreement",
        }
    }
}

/// A key the bundle was verified with.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyEntry {
    /// The actor id.
    pub actor: String,
    /// Its key.
    pub key: PublicKey,
    /// Where it came from.
    pub source: KeySource,
    /// The bundle item it came from (`None` for pinned keys).
    pub path: Option<String>,
}

/// One step of a scroll's growth: two consecutive checkpoint sizes, and whether a verified
/// consistency proof links them directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrowthStep {
    /// The smaller size.
    pub old_size: u64,
    /// The larger size.
    pub new_size: u64,
    /// The root at the smaller size.
    pub old_root: Digest,
    /// The root at the larger size.
    pub new_root: Digest,
    /// True when a valid consistency proof `old_size → new_size` is in the bundle.
    pub proven: bool,
}

/// The items of one scroll.
#[derive(Clone, Debug, PartialEq)]
pub struct ScrollReport {
    /// The mesh DID.
    pub mesh_id: String,
    /// The scroll's name.
    pub scroll: String,
    /// Its checkpoints.
    pub checkpoints: Vec<Item>,
    /// Its consistency proofs.
    pub consistency: Vec<Item>,
    /// Its receipts with inclusion proofs.
    pub receipts: Vec<Item>,
    /// Witness receipts of its checkpoints.
    pub witnesses: Vec<Item>,
    /// Its growth between consecutive valid checkpoints, by size.
    pub growth: Vec<GrowthStep>,
}

impl ScrollReport {
    fn items(&self) -> impl Iterator<Item = &Item> {
        self.checkpoints
            .iter()
            .chain(&self.consistency)
            .chain(&self.receipts)
            .chain(&self.witnesses)
    }
}

/// Counts over a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Number of items.
    pub items: usize,
    /// Items that are valid.
    pub valid: usize,
    /// Items that are invalid.
    pub invalid: usize,
    /// Items not checked.
    pub not_checked: usize,
    /// Growth steps without a consistency proof.
    pub unproven_growth: usize,
}

/// What [`verify_bundle`] found: every item with its checks, grouped as in the bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct BundleReport {
    /// `blake3(JCS(bundle))`: which bundle this report is about.
    pub bundle_hash: Digest,
    /// The bundle's `created_at`, if any.
    pub created_at: Option<String>,
    /// The bundle's `description`, if any.
    pub description: Option<String>,
    /// Every key used, with its source.
    pub keys: Vec<KeyEntry>,
    /// The entries of `keys`.
    pub key_items: Vec<Item>,
    /// The discovery records.
    pub discovery: Vec<Item>,
    /// The agreements.
    pub agreements: Vec<Item>,
    /// The scrolls.
    pub scrolls: Vec<ScrollReport>,
    /// The cross-anchors.
    pub cross_anchors: Vec<Item>,
    /// The governance chain (its chain item first, then one item per receipt); empty when the
    /// bundle has none.
    pub governance: Vec<Item>,
}

impl BundleReport {
    /// Every item, in report order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.key_items
            .iter()
            .chain(&self.discovery)
            .chain(&self.agreements)
            .chain(self.scrolls.iter().flat_map(ScrollReport::items))
            .chain(&self.cross_anchors)
            .chain(&self.governance)
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for item in self.items() {
            s.items += 1;
            match item.verdict() {
                Verdict::Valid => s.valid += 1,
                Verdict::Invalid => s.invalid += 1,
                Verdict::NotChecked => s.not_checked += 1,
            }
        }
        s.unproven_growth = self
            .scrolls
            .iter()
            .flat_map(|sc| &sc.growth)
            .filter(|g| !g.proven)
            .count();
        s
    }

    /// The verdict on the whole bundle.
    pub fn overall(&self) -> Overall {
        let s = self.summary();
        if s.invalid > 0 {
            Overall::Invalid
        } else if s.not_checked > 0 || s.unproven_growth > 0 || s.items == 0 {
            Overall::Incomplete
        } else {
            Overall::Valid
        }
    }

    /// True when [`BundleReport::overall`] is [`Overall::Valid`].
    pub fn is_valid(&self) -> bool {
        self.overall() == Overall::Valid
    }

    /// The report document (docs/SPEC.md §11.3): what `vm-verify bundle --json` prints
    /// and `verifyBundle` returns.
    pub fn to_value(&self) -> Value<'static> {
        let s = self.summary();
        let items = |list: &[Item]| Value::Array(list.iter().map(Item::to_value).collect());
        let mut o = Object::default();
        o.insert("type", text(REPORT_TYPE));
        o.insert("version", uint(BUNDLE_VERSION));
        o.insert("valid", Value::Bool(self.is_valid()));
        o.insert("verdict", text(self.overall().as_str()));
        o.insert("bundle_hash", text(self.bundle_hash.to_string()));
        if let Some(c) = &self.created_at {
            o.insert("created_at", owned(c.as_str()));
        }
        if let Some(d) = &self.description {
            o.insert("description", owned(d.as_str()));
        }
        let mut summary = Object::default();
        summary.insert("items", uint(s.items as u64));
        summary.insert("valid", uint(s.valid as u64));
        summary.insert("invalid", uint(s.invalid as u64));
        summary.insert("not_checked", uint(s.not_checked as u64));
        summary.insert("unproven_growth", uint(s.unproven_growth as u64));
        let mut by_kind = Object::default();
        for kind in ItemKind::ALL {
            let mut counts = [0u64; 3];
            for item in self.items().filter(|i| i.kind == kind) {
                counts[item.verdict() as usize] += 1;
            }
            if counts.iter().any(|c| *c > 0) {
                let mut c = Object::default();
                c.insert("valid", uint(counts[0]));
                c.insert("invalid", uint(counts[1]));
                c.insert("not_checked", uint(counts[2]));
                by_kind.insert(kind.as_str(), Value::Object(c));
            }
        }
        summary.insert("by_kind", Value::Object(by_kind));
        o.insert("summary", Value::Object(summary));
        o.insert(
            "keys",
            Value::Array(
                self.keys
                    .iter()
                    .map(|k| {
                        let mut e = Object::default();
                        e.insert("actor", owned(k.actor.as_str()));
                        e.insert("key", text(k.key.to_string()));
                        e.insert("source", text(k.source.as_str()));
                        if let Some(p) = &k.path {
                            e.insert("path", owned(p.as_str()));
                        }
                        Value::Object(e)
                    })
                    .collect(),
            ),
        );
        let mut sections = Object::default();
        sections.insert("keys", items(&self.key_items));
        sections.insert("discovery", items(&self.discovery));
        sections.insert("agreements", items(&self.agreements));
        sections.insert(
            "scrolls",
            Value::Array(
                self.scrolls
                    .iter()
                    .map(|sc| {
                        let mut e = Object::default();
                        e.insert("mesh_id", owned(sc.mesh_id.as_str()));
                        e.insert("scroll", owned(sc.scroll.as_str()));
                        e.insert("checkpoints", items(&sc.checkpoints));
                        e.insert("consistency", items(&sc.consistency));
                        e.insert("receipts", items(&sc.receipts));
                        e.insert("witnesses", items(&sc.witnesses));
                        e.insert(
                            "growth",
                            Value::Array(sc.growth.iter().map(growth_value).collect()),
                        );
                        Value::Object(e)
                    })
                    .collect(),
            ),
        );
        sections.insert("cross_anchors", items(&self.cross_anchors));
        sections.insert("governance", items(&self.governance));
        o.insert("sections", Value::Object(sections));
        Value::Object(o)
    }
}

fn growth_value(g: &GrowthStep) -> Value<'static> {
    let mut o = Object::default();
    o.insert("old_size", uint(g.old_size));
    o.insert("new_size", uint(g.new_size));
    o.insert("old_root", text(g.old_root.to_string()));
    o.insert("new_root", text(g.new_root.to_string()));
    o.insert("proven", Value::Bool(g.proven));
    Value::Object(o)
}

/// One step of an inclusion proof, leaf to root (for drawing the path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathStep {
    /// The path element: the sibling hashed with the running node.
    pub sibling: Digest,
    /// True when the sibling is the left input of the node hash.
    pub sibling_left: bool,
    /// The node hash computed at this step.
    pub node: Digest,
}

/// The nodes an inclusion proof computes from `leaf` up to its root, following RFC 9162
/// §2.1.3.2 exactly as [`merkle::verify_inclusion`] does. Stops early (fewer steps than path
/// elements) where the path is longer than the tree allows; returns nothing when the index is
/// out of range.
pub fn inclusion_steps(leaf: &Digest, proof: &InclusionProof) -> Vec<PathStep> {
    let mut steps = Vec::with_capacity(proof.path.len());
    if proof.leaf_index >= proof.tree_size {
        return steps;
    }
    let (mut f, mut s) = (proof.leaf_index, proof.tree_size - 1);
    let mut r = *leaf;
    for p in &proof.path {
        if s == 0 {
            break;
        }
        let sibling_left = f & 1 == 1 || f == s;
        if sibling_left {
            r = merkle::node_hash(p, &r);
            if f & 1 == 0 {
                let shift = f.trailing_zeros();
                f >>= shift;
                s >>= shift;
            }
        } else {
            r = merkle::node_hash(&r, p);
        }
        steps.push(PathStep {
            sibling: *p,
            sibling_left,
            node: r,
        });
        f >>= 1;
        s >>= 1;
    }
    steps
}

/// Parses `input` with `limits` (usually [`BUNDLE_LIMITS`]) and verifies it with
/// [`verify_bundle_value`].
pub fn verify_bundle(
    input: &[u8],
    pinned: &Keyring,
    limits: &Limits,
) -> Result<BundleReport, Failure> {
    verify_bundle_value(&json::parse(input, limits)?, pinned)
}

/// Verifies a parsed bundle with the caller's `pinned` keys. Fails only when `bundle` is not a
/// bundle at all; every finding about its content is in the report.
pub fn verify_bundle_value(bundle: &Value<'_>, pinned: &Keyring) -> Result<BundleReport, Failure> {
    let top = bundle.as_object().ok_or(Error::NotAnObject)?;
    if !top
        .members
        .iter()
        .all(|(k, _)| TOP_MEMBERS.contains(&k.as_ref()))
    {
        return Err(Failure::at(Error::InvalidField, "bundle"));
    }
    match top.get("type") {
        None => return Err(Failure::at(Error::MissingField, "type")),
        Some(t) if t.as_str() != Some(BUNDLE_TYPE) => {
            return Err(Failure::at(Error::InvalidField, "type"))
        }
        Some(_) => {}
    }
    match top.get("version") {
        None => return Err(Failure::at(Error::MissingField, "version")),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(BUNDLE_VERSION) => {}
            Some(_) => return Err(Failure::at(Error::InvalidField, "version")),
            None => return Err(Failure::at(Error::NotAnInteger, "version")),
        },
        Some(_) => return Err(Failure::at(Error::InvalidField, "version")),
    }
    let created_at = match top.get("created_at") {
        None => None,
        Some(v) => {
            let t = v
                .as_str()
                .ok_or(Failure::at(Error::MalformedTimestamp, "created_at"))?;
            Timestamp::parse(t).map_err(|e| Failure::at(e, "created_at"))?;
            Some(t.to_string())
        }
    };
    let description = match top.get("description") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .ok_or(Failure::at(Error::InvalidField, "description"))?
                .to_string(),
        ),
    };
    let keys = match top.get("keys") {
        None => None,
        Some(v) => Some(
            v.as_object()
                .ok_or(Failure::at(Error::InvalidField, "keys"))?,
        ),
    };
    let discovery = list(top, "discovery")?;
    let agreements = list(top, "agreements")?;
    let scrolls = list(top, "scrolls")?;
    let cross_anchors = list(top, "cross_anchors")?;
    let governance = match top.get("governance") {
        None => None,
        Some(v @ Value::Object(_)) => Some(v),
        Some(_) => return Err(Failure::at(Error::InvalidField, "governance")),
    };
    // Scroll headers are what everything in a scroll is checked against: check them all first.
    let mut headers: Vec<(&str, &str, &Object<'_>)> = Vec::with_capacity(scrolls.len());
    for entry in scrolls {
        let o = entry
            .as_object()
            .ok_or(Failure::at(Error::InvalidField, "scrolls"))?;
        if !o
            .members
            .iter()
            .all(|(k, _)| SCROLL_MEMBERS.contains(&k.as_ref()))
        {
            return Err(Failure::at(Error::InvalidField, "scrolls"));
        }
        let mesh = o
            .get("mesh_id")
            .ok_or(Failure::at(Error::MissingField, "mesh_id"))?;
        let mesh = mesh
            .as_str()
            .ok_or(Failure::at(Error::MalformedActorId, "mesh_id"))?;
        id::check_mesh_id(mesh).map_err(|e| Failure::at(e, "mesh_id"))?;
        let scroll = o
            .get("scroll")
            .ok_or(Failure::at(Error::MissingField, "scroll"))?;
        let scroll = scroll
            .as_str()
            .filter(|s| id::is_valid_scroll(s))
            .ok_or(Failure::at(Error::InvalidField, "scroll"))?;
        if headers.iter().any(|(m, s, _)| *m == mesh && *s == scroll) {
            return Err(Failure::at(Error::InvalidField, "scrolls"));
        }
        for section in ["checkpoints", "consistency", "receipts", "witnesses"] {
            list(o, section)?;
        }
        headers.push((mesh, scroll, o));
    }

    let mut v = Verifier {
        keyring: Keyring::new(),
        keys: Vec::new(),
        agreements: Vec::new(),
    };
    for (actor, key) in pinned.iter() {
        v.add_key(actor, *key, KeySource::Pinned, None);
    }
    let mut report = BundleReport {
        bundle_hash: Digest::of(&bundle.to_canonical()),
        created_at,
        description,
        keys: Vec::new(),
        key_items: Vec::new(),
        discovery: Vec::new(),
        agreements: Vec::new(),
        scrolls: Vec::new(),
        cross_anchors: Vec::new(),
        governance: Vec::new(),
    };
    if let Some(keys) = keys {
        report.key_items = keys
            .members
            .iter()
            .map(|(actor, key)| v.key_item(actor, key))
            .collect();
    }
    report.discovery = discovery
        .iter()
        .enumerate()
        .map(|(i, r)| v.discovery(i, r))
        .collect();
    report.agreements = agreements
        .iter()
        .enumerate()
        .map(|(i, r)| v.agreement(i, r))
        .collect();
    report.scrolls = headers
        .iter()
        .enumerate()
        .map(|(i, (m, s, o))| v.scroll(i, m, s, o))
        .collect();
    report.cross_anchors = cross_anchors
        .iter()
        .enumerate()
        .map(|(i, r)| v.cross_anchor(i, r, &report.scrolls))
        .collect();
    if let Some(chain) = governance {
        report.governance = governance_items(chain);
    }
    report.keys = v.keys;
    Ok(report)
}

/// The array member `name` of `o`; absent is empty, anything but an array is `INVALID_FIELD`.
fn list<'v, 'a>(o: &'v Object<'a>, name: &'static str) -> Result<&'v [Value<'a>], Failure> {
    match o.get(name) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(Failure::at(Error::InvalidField, name)),
    }
}

fn text(s: impl Into<Cow<'static, str>>) -> Value<'static> {
    Value::String(s.into())
}

fn owned(s: &str) -> Value<'static> {
    Value::String(Cow::Owned(s.to_string()))
}

fn uint(n: u64) -> Value<'static> {
    Value::Number(Number {
        value: n as f64,
        plain_integer: true,
    })
}

fn put_failure(o: &mut Object<'static>, f: Failure) {
    o.insert("error", text(f.error.name()));
    o.insert("code", uint(u64::from(f.error.code())));
    o.insert("message", text(f.to_string()));
    if let Some(field) = f.field {
        o.insert("field", text(field));
    }
}

/// The string member `name` of a record, or `?` (for labels only).
fn label_text<'v>(record: &'v Value<'_>, name: &str) -> &'v str {
    record
        .as_object()
        .and_then(|o| o.get(name))
        .and_then(Value::as_str)
        .unwrap_or("?")
}

fn record_u64(record: &Value<'_>, name: &str) -> Option<u64> {
    record
        .as_object()
        .and_then(|o| o.get(name))
        .and_then(Value::as_u64)
}

/// Nesting depth as the parser counts it (arrays and objects; the top level is 1).
fn depth(v: &Value<'_>) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.members.iter().map(|(_, v)| depth(v)).max().unwrap_or(0),
        _ => 0,
    }
}

/// A record inside a bundle is held to the per-record limits of wire format §2, as if it had
/// been given alone: an object, at most 1 MiB canonical, depth at most 64.
fn record_limits(record: &Value<'_>) -> Result<(), Failure> {
    let limits = Limits::default();
    if !matches!(record, Value::Object(_)) {
        return Err(Error::NotAnObject.into());
    }
    if depth(record) > limits.max_depth {
        return Err(Error::DepthExceeded.into());
    }
    if record.to_canonical().len() > limits.max_bytes {
        return Err(Error::InputTooLarge.into());
    }
    Ok(())
}

/// A checkpoint of a scroll as filed in the bundle: its size and, when it verified (and is
/// not part of a fork), what it establishes.
struct Filed {
    tree_size: Option<u64>,
    checkpoint: Option<Checkpoint>,
    index: usize,
}

/// Finds the checkpoint of `size` among `filed`: a valid one, or why there is none.
enum Lookup<'c> {
    Found(&'c Checkpoint, usize),
    Failed(usize),
    Missing,
}

fn lookup(filed: &[Filed], size: u64) -> Lookup<'_> {
    let mut failed = None;
    for f in filed.iter().filter(|f| f.tree_size == Some(size)) {
        match &f.checkpoint {
            Some(c) => return Lookup::Found(c, f.index),
            None => failed = failed.or(Some(f.index)),
        }
    }
    failed.map_or(Lookup::Missing, Lookup::Failed)
}

struct Verifier {
    keyring: Keyring,
    keys: Vec<KeyEntry>,
    /// Agreements in bundle order: their parties as written, and the verified agreement.
    agreements: Vec<(Vec<String>, Option<Agreement>, usize)>,
}

impl Verifier {
    fn add_key(&mut self, actor: &str, key: PublicKey, source: KeySource, path: Option<&str>) {
        if self.keyring.get(actor).is_none() {
            self.keyring.insert(actor, key);
            self.keys.push(KeyEntry {
                actor: actor.to_string(),
                key,
                source,
                path: path.map(str::to_string),
            });
        }
    }

    fn key_item(&mut self, actor: &str, key: &Value<'_>) -> Item {
        let path = format!("keys[{}]", quote(actor));
        let mut item = Item::new(path.clone(), ItemKind::Key, format!("key of {actor}"));
        item.detail("actor", owned(actor));
        let parsed = key
            .as_str()
            .ok_or(Failure::from(Error::MalformedKey))
            .and_then(|k| Ok(PublicKey::parse(k)?));
        let parsed = match parsed {
            Ok(k) => k,
            Err(f) => {
                item.check(
                    "key",
                    "the text is a strict Ed25519 public key".to_string(),
                    Err(f),
                );
                return item;
            }
        };
        item.check(
            "key",
            "the text is a strict Ed25519 public key".to_string(),
            Ok(()),
        );
        item.detail("key", text(parsed.to_string()));
        let pinned = self
            .keys
            .iter()
            .find(|k| k.actor == actor && k.source == KeySource::Pinned)
            .map(|k| k.key);
        match pinned {
            Some(p) => {
                let agrees = if p == parsed {
                    Ok(())
                } else {
                    Err(Failure::from(Error::KeyMismatch))
                };
                item.check(
                    "pinned",
                    format!("agrees with the key pinned for {actor}"),
                    agrees,
                );
            }
            None => self.add_key(actor, parsed, KeySource::Bundle, Some(&path)),
        }
        item
    }

    fn discovery(&mut self, i: usize, record: &Value<'_>) -> Item {
        let path = format!("discovery[{i}]");
        let mesh = label_text(record, "mesh_id");
        let mut item = Item::new(
            path.clone(),
            ItemKind::Discovery,
            format!("discovery record of {mesh}"),
        );
        let outcome = record_limits(record)
            .and_then(|()| record::verify_value(record, Some(Kind::Discovery), &self.keyring));
        if let Ok(v) = &outcome {
            item.detail("mesh_id", owned(mesh));
            item.detail("receipt_hash", text(v.receipt_hash.to_string()));
            let key = record
                .as_object()
                .and_then(|o| o.get("public_key"))
                .and_then(Value::as_str);
            if let Some(Ok(key)) = key.map(PublicKey::parse) {
                item.detail("public_key", text(key.to_string()));
                self.add_key(mesh, key, KeySource::Discovery, Some(&path));
            }
        }
        item.check("record", "fields and self-signature (fed_discovery); its key agrees with any key known for the mesh".to_string(), outcome.map(drop));
        item
    }

    fn agreement(&mut self, i: usize, record: &Value<'_>) -> Item {
        let path = format!("agreements[{i}]");
        let parties: Vec<String> = record
            .as_object()
            .and_then(|o| o.get("parties"))
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let id = label_text(record, "agreement_id");
        let mut item = Item::new(
            path.clone(),
            ItemKind::Agreement,
            format!("agreement {id} between {}", parties.join(", ")),
        );
        let outcome = record_limits(record)
            .and_then(|()| federation::verify_agreement(record, &self.keyring));
        let verified = match outcome {
            Ok(a) => {
                item.detail("agreement_id", owned(id));
                item.detail("agreement_hash", text(a.agreement_hash.to_string()));
                item.detail("trust_level", uint(a.trust_level));
                item.detail(
                    "parties",
                    Value::Array(a.parties.iter().map(|p| owned(p)).collect()),
                );
                for (actor, key) in a.keys.iter() {
                    self.add_key(actor, *key, KeySource::Agreement, Some(&path));
                }
                item.check(
                    "agreement",
                    "fields, agreement hash, key exchange and every party's signature".to_string(),
                    Ok(()),
                );
                Some(a)
            }
            Err(f) => {
                item.check(
                    "agreement",
                    "fields, agreement hash, key exchange and every party's signature".to_string(),
                    Err(f),
                );
                None
            }
        };
        self.agreements.push((parties, verified, i));
        item
    }

    fn scroll(&self, s: usize, mesh: &str, name: &str, o: &Object<'_>) -> ScrollReport {
        let base = format!("scrolls[{s}]");
        let section = |n: &'static str| list(o, n).unwrap_or_default();
        // Checkpoints.
        let mut checkpoints = Vec::new();
        let mut filed = Vec::new();
        for (i, record) in section("checkpoints").iter().enumerate() {
            let size = record_u64(record, "tree_size");
            let mut item = Item::new(
                format!("{base}.checkpoints[{i}]"),
                ItemKind::Checkpoint,
                format!(
                    "checkpoint of {mesh}/{name} at size {}",
                    size.map_or("?".to_string(), |n| n.to_string())
                ),
            );
            let outcome = record_limits(record)
                .and_then(|()| federation::verify_checkpoint(record, &self.keyring));
            let mut verified = None;
            let signer = label_text(record, "mesh_id");
            match outcome {
                Err(f) => {
                    item.check(
                        "record",
                        format!("fields and signature by {signer}"),
                        Err(f),
                    );
                }
                Ok(c) => {
                    item.check(
                        "record",
                        format!("fields and signature by {signer}"),
                        Ok(()),
                    );
                    item.detail("tree_size", uint(c.tree_size));
                    item.detail("root", text(c.root.to_string()));
                    item.detail("timestamp", text(c.timestamp.to_string()));
                    item.detail("receipt_hash", text(c.receipt_hash.to_string()));
                    let here = if c.mesh_id != mesh {
                        Err(Failure::at(Error::CheckpointMismatch, "mesh_id"))
                    } else if c.scroll != name {
                        Err(Failure::at(Error::CheckpointMismatch, "scroll"))
                    } else {
                        Ok(())
                    };
                    if item.check(
                        "scroll",
                        format!("signed for {mesh}/{name}, the scroll it is filed under"),
                        here,
                    ) {
                        verified = Some(c);
                    }
                }
            }
            filed.push(Filed {
                tree_size: size,
                checkpoint: verified,
                index: i,
            });
            checkpoints.push(item);
        }
        // Forks: two valid checkpoints of one size with different roots.
        let roots: Vec<(u64, Digest)> = filed
            .iter()
            .filter_map(|f| f.checkpoint.as_ref().map(|c| (c.tree_size, c.root)))
            .collect();
        for f in filed.iter_mut() {
            let Some(c) = &f.checkpoint else { continue };
            let forked = roots.iter().any(|(n, r)| *n == c.tree_size && *r != c.root);
            let Some(item) = checkpoints.get_mut(f.index) else {
                continue;
            };
            let description = format!(
                "no other checkpoint of size {} has a different root",
                c.tree_size
            );
            if forked {
                item.checks.push(
                    Check::new(
                        "fork",
                        description,
                        Err(Failure::at(Error::CheckpointMismatch, "root")),
                    )
                    .with_note(format!(
                        "the bundle holds two roots for {mesh}/{name} at size {}: a fork",
                        c.tree_size
                    )),
                );
                f.checkpoint = None;
            } else {
                item.check("fork", description, Ok(()));
            }
        }

        // Consistency proofs between checkpoints.
        let mut consistency = Vec::new();
        let mut proven: Vec<(u64, u64)> = Vec::new();
        for (i, proof) in section("consistency").iter().enumerate() {
            let old_size = record_u64(proof, "old_size");
            let new_size = record_u64(proof, "new_size");
            let show = |n: Option<u64>| n.map_or("?".to_string(), |n| n.to_string());
            let mut item = Item::new(
                format!("{base}.consistency[{i}]"),
                ItemKind::Consistency,
                format!(
                    "consistency of {mesh}/{name} from size {} to {}",
                    show(old_size),
                    show(new_size)
                ),
            );
            let parsed = match ConsistencyProof::from_value(proof) {
                Ok(p) => p,
                Err(e) => {
                    item.check(
                        "proof",
                        "a well-formed consistency proof".to_string(),
                        Err(e.into()),
                    );
                    consistency.push(item);
                    continue;
                }
            };
            item.detail("old_size", uint(parsed.old_size));
            item.detail("new_size", uint(parsed.new_size));
            let description = format!(
                "signed checkpoints of sizes {} and {}",
                parsed.old_size, parsed.new_size
            );
            let (old, new) = (
                lookup(&filed, parsed.old_size),
                lookup(&filed, parsed.new_size),
            );
            match (old, new) {
                (Lookup::Found(a, _), Lookup::Found(b, _)) => {
                    item.check("checkpoints", description, Ok(()));
                    let outcome = federation::verify_consistency(a, b, &parsed);
                    if outcome.is_ok() {
                        proven.push((a.tree_size, b.tree_size));
                    }
                    item.check(
                        "proof",
                        format!(
                            "the proof leads from root {} to root {} (RFC 9162 §2.1.4.2)",
                            a.root, b.root
                        ),
                        outcome,
                    );
                }
                (old, new) => {
                    let mut missing = Vec::new();
                    let mut failed = Vec::new();
                    for (size, l) in [(parsed.old_size, old), (parsed.new_size, new)] {
                        match l {
                            Lookup::Missing => missing.push(size),
                            Lookup::Failed(k) => failed.push(format!("{base}.checkpoints[{k}]")),
                            Lookup::Found(..) => {}
                        }
                    }
                    if let Some(size) = missing.first() {
                        item.checks.push(
                            Check::new(
                                "checkpoints",
                                description,
                                Err(Failure::at(Error::CheckpointMismatch, "tree_size")),
                            )
                            .with_note(format!(
                                "no checkpoint of {mesh}/{name} at size {size} in the bundle"
                            )),
                        );
                    } else {
                        item.checks.push(Check::not_checked(
                            "checkpoints",
                            description,
                            format!("depends on {}, which is not valid", failed.join(" and ")),
                        ));
                    }
                }
            }
            consistency.push(item);
        }

        // Receipts with inclusion proofs.
        let mut receipts = Vec::new();
        for (i, entry) in section("receipts").iter().enumerate() {
            receipts.push(self.receipt(
                &format!("{base}.receipts[{i}]"),
                mesh,
                name,
                &base,
                entry,
                &filed,
            ));
        }

        // Witness receipts.
        let mut witnesses = Vec::new();
        for (i, record) in section("witnesses").iter().enumerate() {
            witnesses.push(self.witness(
                &format!("{base}.witnesses[{i}]"),
                mesh,
                name,
                &base,
                record,
                &filed,
            ));
        }

        // Growth between consecutive valid checkpoints.
        let mut sizes: Vec<(u64, Digest)> = filed
            .iter()
            .filter_map(|f| f.checkpoint.as_ref().map(|c| (c.tree_size, c.root)))
            .collect();
        sizes.sort_unstable_by_key(|(n, _)| *n);
        sizes.dedup_by_key(|(n, _)| *n);
        let growth = sizes
            .windows(2)
            .filter_map(|w| match w {
                [(a, ra), (b, rb)] => Some(GrowthStep {
                    old_size: *a,
                    new_size: *b,
                    old_root: *ra,
                    new_root: *rb,
                    proven: proven.contains(&(*a, *b)),
                }),
                _ => None,
            })
            .collect();

        ScrollReport {
            mesh_id: mesh.to_string(),
            scroll: name.to_string(),
            checkpoints,
            consistency,
            receipts,
            witnesses,
            growth,
        }
    }

    fn receipt(
        &self,
        path: &str,
        mesh: &str,
        name: &str,
        base: &str,
        entry: &Value<'_>,
        filed: &[Filed],
    ) -> Item {
        let record = entry.as_object().and_then(|o| o.get("record"));
        let record_type = record.map_or("?", |r| label_text(r, "type"));
        let proof_value = entry.as_object().and_then(|o| o.get("proof"));
        let index = proof_value.and_then(|p| record_u64(p, "leaf_index"));
        let size = proof_value.and_then(|p| record_u64(p, "tree_size"));
        let show = |n: Option<u64>| n.map_or("?".to_string(), |n| n.to_string());
        let mut item = Item::new(
            path.to_string(),
            ItemKind::Receipt,
            format!(
                "{record_type} at leaf {} of {} in {mesh}/{name}",
                show(index),
                show(size)
            ),
        );
        let Some(o) = entry.as_object() else {
            item.check(
                "entry",
                "an object {\"record\", \"kind\"?, \"proof\"}".to_string(),
                Err(Error::NotAnObject.into()),
            );
            return item;
        };
        let shape = if !o
            .members
            .iter()
            .all(|(k, _)| RECEIPT_MEMBERS.contains(&k.as_ref()))
        {
            Err(Failure::at(Error::InvalidField, "entry"))
        } else if o.get("record").is_none() {
            Err(Failure::at(Error::MissingField, "record"))
        } else if o.get("proof").is_none() {
            Err(Failure::at(Error::MissingField, "proof"))
        } else {
            Ok(())
        };
        if shape.is_err() {
            item.check(
                "entry",
                "an object {\"record\", \"kind\"?, \"proof\"}".to_string(),
                shape,
            );
            return item;
        }
        let (Some(record), Some(proof_value)) = (record, proof_value) else {
            return item;
        };

        // The record: a known kind is verified in full; a record of a kind the protocol does
        // not sign is held to strict I-JSON only (its inclusion is what the bundle shows).
        let kind = match o.get("kind") {
            None => Ok(None),
            Some(k) => k
                .as_str()
                .and_then(Kind::from_name)
                .map(Some)
                .ok_or(Failure::at(Error::UnknownKind, "kind")),
        };
        let typed_kind = record
            .as_object()
            .and_then(|r| r.get("type"))
            .and_then(Value::as_str)
            .and_then(Kind::from_domain);
        let outcome = kind.and_then(|kind| {
            record_limits(record)?;
            match kind.or(typed_kind) {
                Some(k) => {
                    let v = record::verify_value(record, Some(k), &self.keyring)?;
                    Ok((Some(v.kind), v.receipt_hash))
                }
                None => Ok((None, record::receipt_hash(record))),
            }
        });
        let description = match typed_kind.or(o.get("kind").and_then(Value::as_str).and_then(Kind::from_name)) {
            Some(k) => format!("fields and signature of a {} record", k.domain()),
            None => format!("a strict I-JSON record ({record_type} is not a signed kind: no signature to check)"),
        };
        match outcome {
            Ok((kind, hash)) => {
                item.check("record", description, Ok(()));
                if let Some(k) = kind {
                    item.detail("kind", text(k.domain()));
                    if let record::Signer::ActorField(f) = k.spec().signer {
                        item.detail("signer", owned(label_text(record, f)));
                    }
                }
                item.detail("type", owned(record_type));
                item.detail("receipt_hash", text(hash.to_string()));
            }
            Err(f) => {
                item.check("record", description, Err(f));
                return item;
            }
        }

        let proof = match InclusionProof::from_value(proof_value) {
            Ok(p) => p,
            Err(e) => {
                item.check(
                    "proof",
                    "a well-formed inclusion proof".to_string(),
                    Err(e.into()),
                );
                return item;
            }
        };
        let leaf = merkle::leaf_hash(&record.to_canonical());
        item.detail("leaf_index", uint(proof.leaf_index));
        item.detail("tree_size", uint(proof.tree_size));
        item.detail("leaf_hash", text(leaf.to_string()));
        let description = format!(
            "a valid signed checkpoint of {mesh}/{name} at size {}",
            proof.tree_size
        );
        let checkpoint = match lookup(filed, proof.tree_size) {
            Lookup::Found(c, k) => {
                item.check("checkpoint", description, Ok(()));
                item.detail("checkpoint", text(format!("{base}.checkpoints[{k}]")));
                c
            }
            Lookup::Failed(k) => {
                item.checks.push(Check::not_checked(
                    "checkpoint",
                    description,
                    format!("depends on {base}.checkpoints[{k}], which is not valid"),
                ));
                return item;
            }
            Lookup::Missing => {
                item.checks.push(
                    Check::new(
                        "checkpoint",
                        description,
                        Err(Failure::at(Error::CheckpointMismatch, "tree_size")),
                    )
                    .with_note(format!(
                        "no checkpoint of {mesh}/{name} at size {} in the bundle",
                        proof.tree_size
                    )),
                );
                return item;
            }
        };
        item.detail("root", text(checkpoint.root.to_string()));
        item.detail(
            "steps",
            Value::Array(
                inclusion_steps(&leaf, &proof)
                    .iter()
                    .map(|s| {
                        let mut o = Object::default();
                        o.insert("sibling", text(s.sibling.to_string()));
                        o.insert("side", text(if s.sibling_left { "left" } else { "right" }));
                        o.insert("node", text(s.node.to_string()));
                        Value::Object(o)
                    })
                    .collect(),
            ),
        );
        item.check(
            "inclusion",
            format!(
                "the audit path leads from leaf {} to the checkpoint's root (RFC 9162 §2.1.3.2)",
                proof.leaf_index
            ),
            federation::verify_inclusion(record, &proof, checkpoint),
        );
        item
    }

    fn witness(
        &self,
        path: &str,
        mesh: &str,
        name: &str,
        base: &str,
        record: &Value<'_>,
        filed: &[Filed],
    ) -> Item {
        let by = label_text(record, "witnessing_mesh");
        let size = record_u64(record, "tree_size");
        let result = label_text(record, "verification_result");
        let mut item = Item::new(
            path.to_string(),
            ItemKind::Witness,
            format!(
                "witness by {by} of {mesh}/{name} at size {}: {result}",
                size.map_or("?".to_string(), |n| n.to_string())
            ),
        );
        let description = format!("fields, result and signature by {by}; mesh, scroll, root and size are the checkpoint's");
        if let Err(f) = record_limits(record) {
            item.check("record", description, Err(f));
            return item;
        }
        let found = match size {
            Some(n) => lookup(filed, n),
            None => Lookup::Missing,
        };
        let cp_description =
            format!("the witnessed checkpoint of {mesh}/{name} is in the bundle and valid");
        match found {
            Lookup::Found(c, k) => {
                item.detail("checkpoint", text(format!("{base}.checkpoints[{k}]")));
                let outcome = federation::verify_witness(record, &self.keyring, Some(c));
                if let Ok(h) = &outcome {
                    item.detail("receipt_hash", text(h.to_string()));
                }
                item.check("checkpoint", cp_description, Ok(()));
                item.check("record", description, outcome.map(drop));
            }
            Lookup::Failed(k) => {
                let outcome = federation::verify_witness(record, &self.keyring, None);
                if item.check(
                    "record",
                    format!("fields, result and signature by {by}"),
                    outcome.map(drop),
                ) {
                    item.checks.push(Check::not_checked(
                        "checkpoint",
                        cp_description,
                        format!("depends on {base}.checkpoints[{k}], which is not valid"),
                    ));
                }
            }
            Lookup::Missing => {
                let outcome = federation::verify_witness(record, &self.keyring, None);
                if item.check(
                    "record",
                    format!("fields, result and signature by {by}"),
                    outcome.map(drop),
                ) {
                    item.checks.push(
                        Check::new(
                            "checkpoint",
                            cp_description,
                            Err(Failure::at(Error::CheckpointMismatch, "tree_size")),
                        )
                        .with_note(format!(
                            "no checkpoint of {mesh}/{name} at size {} in the bundle",
                            size.map_or("?".to_string(), |n| n.to_string())
                        )),
                    );
                }
            }
        }
        item.detail("witnessing_mesh", owned(by));
        item.detail("verification_result", owned(result));
        item
    }

    fn cross_anchor(&self, i: usize, record: &Value<'_>, scrolls: &[ScrollReport]) -> Item {
        let anchoring = label_text(record, "anchoring_mesh");
        let anchored = label_text(record, "anchored_mesh");
        let mut item = Item::new(
            format!("cross_anchors[{i}]"),
            ItemKind::CrossAnchor,
            format!("cross-anchor by {anchoring} of {anchored}"),
        );
        let description = format!(
            "fields, combined root, trust level 3 (attest) or above and signature by {anchoring}"
        );
        if let Err(f) = record_limits(record) {
            item.check("record", description, Err(f));
            return item;
        }
        let covers = |parties: &[String]| {
            parties.iter().any(|p| p == anchoring) && parties.iter().any(|p| p == anchored)
        };
        let best = self
            .agreements
            .iter()
            .filter_map(|(_, a, k)| a.as_ref().filter(|a| covers(&a.parties)).map(|a| (a, *k)))
            .max_by_key(|(a, _)| a.trust_level);
        let failed = self
            .agreements
            .iter()
            .find(|(p, a, _)| a.is_none() && covers(p))
            .map(|(_, _, k)| *k);
        let ag_description =
            format!("an agreement between {anchoring} and {anchored} in the bundle");
        match (best, failed) {
            (Some((a, k)), _) => {
                item.detail("agreement", text(format!("agreements[{k}]")));
                item.check("agreement", ag_description, Ok(()));
                let outcome = federation::verify_cross_anchor(record, &self.keyring, Some(a));
                if let Ok(h) = &outcome {
                    item.detail("receipt_hash", text(h.to_string()));
                }
                item.check("record", description, outcome.map(drop));
            }
            (None, Some(k)) => {
                item.checks.push(Check::not_checked(
                    "agreement",
                    ag_description,
                    format!("depends on agreements[{k}], which is not valid"),
                ));
            }
            (None, None) => {
                item.checks.push(
                    Check::new(
                        "agreement",
                        ag_description,
                        Err(Failure::at(Error::AgreementMismatch, "anchored_mesh")),
                    )
                    .with_note("the bundle holds no agreement between these meshes".to_string()),
                );
            }
        }
        // Which of the anchored roots are roots of valid checkpoints in the bundle.
        let mut matched = Vec::new();
        if let Some(o) = record.as_object() {
            for (field, mesh) in [("anchoring_roots", anchoring), ("roots_included", anchored)] {
                let Some(roots) = o.get(field).and_then(Value::as_object) else {
                    continue;
                };
                for (scroll, root) in &roots.members {
                    let Some(root) = root.as_str().and_then(|r| Digest::parse(r).ok()) else {
                        continue;
                    };
                    for (s, sc) in scrolls.iter().enumerate() {
                        if sc.mesh_id != mesh || sc.scroll != scroll.as_ref() {
                            continue;
                        }
                        for (k, cp) in sc.checkpoints.iter().enumerate() {
                            let same = cp.details.get("root").and_then(Value::as_str)
                                == Some(root.to_string().as_str());
                            if same && cp.verdict() == Verdict::Valid {
                                matched.push(text(format!("scrolls[{s}].checkpoints[{k}]")));
                            }
                        }
                    }
                }
            }
        }
        item.detail("anchored_checkpoints", Value::Array(matched));
        item
    }
}

/// `"name"` as a JSON string, for paths like `keys["did:vm:mesh:dublin"]`.
fn quote(name: &str) -> String {
    String::from_utf8(owned(name).to_canonical()).unwrap_or_default()
}

fn governance_items(chain: &Value<'_>) -> Vec<Item> {
    let report = governance::verify_chain(chain);
    let mut out = Vec::new();
    let mut item = Item::new(
        "governance".to_string(),
        ItemKind::GovernanceChain,
        format!("governance chain: genesis and {} receipts", report.receipts),
    );
    let outcome = match report.violation {
        Some(v) => Err(Failure {
            error: v.error,
            field: v.field,
        }),
        None => Ok(()),
    };
    if let Some(v) = report.violation {
        let note = match v.index {
            Some(i) => format!(
                "receipt {i} breaks a rule; {} of {} receipts verified",
                report.verified, report.receipts
            ),
            None => "the chain or its genesis constitution is invalid".to_string(),
        };
        item.checks.push(
            Check::new(
                "chain",
                "the genesis constitution and every receipt in order".to_string(),
                outcome,
            )
            .with_note(note),
        );
    } else {
        item.check(
            "chain",
            "the genesis constitution and every receipt in order".to_string(),
            Ok(()),
        );
    }
    if let Value::Object(o) = report.to_value() {
        item.details = o;
    }
    out.push(item);
    let receipts = chain
        .as_object()
        .and_then(|o| o.get("receipts"))
        .and_then(Value::as_array)
        .unwrap_or_default();
    for (i, r) in receipts.iter().enumerate() {
        let t = label_text(r, "type");
        let ident = ["proposal_id", "order_id", "violation_id", "enforcement_id"]
            .iter()
            .map(|f| label_text(r, f))
            .find(|s| *s != "?")
            .unwrap_or("?");
        let mut item = Item::new(
            format!("governance.receipts[{i}]"),
            ItemKind::GovernanceReceipt,
            format!("{t} {ident}"),
        );
        item.detail("type", owned(t));
        if let Some(h) = r.as_object().map(|_| record::receipt_hash(r)) {
            item.detail("receipt_hash", text(h.to_string()));
        }
        let description =
            format!("receipt {i}: fields, signature and the governance rules in force");
        match report.violation {
            Some(v) if v.index == Some(i) => {
                item.check(
                    "chain",
                    description,
                    Err(Failure {
                        error: v.error,
                        field: v.field,
                    }),
                );
            }
            Some(v) if v.index.map_or(true, |k| i > k) => {
                let why = match v.index {
                    Some(k) => format!("the chain stops at receipt {k}"),
                    None => "the chain's genesis is invalid".to_string(),
                };
                item.checks
                    .push(Check::not_checked("chain", description, why));
            }
            _ => {
                item.check("chain", description, Ok(()));
            }
        }
        out.push(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_bundle() {
        let ring = Keyring::new();
        let err = |t: &str| verify_bundle(t.as_bytes(), &ring, &BUNDLE_LIMITS).err();
        assert_eq!(err("[]"), Some(Error::NotAnObject.into()));
        assert_eq!(err("{\"a\":1,\"a\":2}"), Some(Error::DuplicateKey.into()));
        assert_eq!(
            err("{\"version\":1}"),
            Some(Failure::at(Error::MissingField, "type"))
        );
        assert_eq!(
            err("{\"type\":\"x\",\"version\":1}"),
            Some(Failure::at(Error::InvalidField, "type"))
        );
        let t = "{\"type\":\"vaultmesh_audit_bundle\"";
        assert_eq!(
            err(&format!("{t},\"version\":2}}")),
            Some(Failure::at(Error::InvalidField, "version"))
        );
        assert_eq!(
            err(&format!("{t},\"version\":1.0}}")),
            Some(Failure::at(Error::NotAnInteger, "version"))
        );
        assert_eq!(
            err(&format!("{t},\"version\":1,\"extra\":1}}")),
            Some(Failure::at(Error::InvalidField, "bundle"))
        );
        assert_eq!(
            err(&format!("{t},\"version\":1,\"scrolls\":{{}}}}")),
            Some(Failure::at(Error::InvalidField, "scrolls"))
        );
        assert_eq!(
            err(&format!("{t},\"version\":1,\"scrolls\":[{{\"mesh_id\":\"did:vm:human:a\",\"scroll\":\"s\"}}]}}")),
            Some(Failure::at(Error::MalformedActorId, "mesh_id"))
        );
        let empty = verify_bundle(
            format!("{t},\"version\":1}}").as_bytes(),
            &ring,
            &BUNDLE_LIMITS,
        );
        assert_eq!(empty.map(|r| r.overall()), Ok(Overall::Incomplete));
    }

    #[test]
    fn items_without_checkpoints_fail_and_keys_are_checked() -> Result<(), Failure> {
        let text = r#"{"type":"vaultmesh_audit_bundle","version":1,
                "keys":{"did:vm:mesh:a":"ed25519:nope"},
                "scrolls":[{"mesh_id":"did:vm:mesh:a","scroll":"S",
                  "consistency":[{"old_size":1,"new_size":2,"path":[]}],
                  "receipts":[{"record":{"type":"note","n":1},"proof":{"leaf_index":0,"tree_size":1,"path":[]}}]}]}"#;
        let bundle = json::parse(text.as_bytes(), &BUNDLE_LIMITS)?;
        let report = verify_bundle_value(&bundle, &Keyring::new())?;
        assert_eq!(report.overall(), Overall::Invalid);
        assert_eq!(
            report.key_items[0].failure().map(|(_, f)| f.error),
            Some(Error::MalformedKey)
        );
        let scroll = &report.scrolls[0];
        assert_eq!(
            scroll.consistency[0]
                .failure()
                .map(|(c, f)| (c.name, f.error)),
            Some(("checkpoints", Error::CheckpointMismatch))
        );
        assert_eq!(
            scroll.receipts[0].failure().map(|(c, f)| (c.name, f.error)),
            Some(("checkpoint", Error::CheckpointMismatch))
        );
        assert_eq!(report.summary().invalid, 3);
        let doc = report.to_value();
        assert_eq!(
            doc.as_object()
                .and_then(|o| o.get("verdict"))
                .and_then(Value::as_str),
            Some("invalid")
        );
        Ok(())
    }

    #[test]
    fn steps_follow_the_verifier() -> Result<(), Error> {
        let leaves: Vec<Digest> = (0u8..7).map(|i| merkle::leaf_hash(&[i])).collect();
        let root = merkle::root(&leaves);
        for i in 0..7u64 {
            let proof = merkle::prove_inclusion(&leaves, i)?;
            let steps = inclusion_steps(&leaves[i as usize], &proof);
            assert_eq!(steps.len(), proof.path.len());
            assert_eq!(steps.last().map(|s| s.node), Some(root));
            // The last node is what verify_inclusion compares with the root.
            assert_eq!(
                merkle::verify_inclusion(&root, &leaves[i as usize], &proof),
                Ok(())
            );
        }
        Ok(())
    }
}
