//! The constitution document: its schema, its hash, and the lookups the chain verifier needs
//! (docs/SPEC.md §10.1).
//!
//! The document is JSON; [`Constitution::parse`] checks it against the schema and keeps a typed
//! view. Its identity is `constitution_hash = blake3(JCS(document))` (wire format §4), so members
//! this view does not use are still part of the hash.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::version::Version;
use super::{members_only, text_at};
use crate::encoding::{id, Digest, PublicKey, Weight};
use crate::error::Error;
use crate::json::{Object, Value};
use crate::record::{Failure, Keyring};

/// `constitution_hash = blake3(JCS(constitution))` (wire format §4). Does not check the schema.
pub fn constitution_hash(document: &Value<'_>) -> Digest {
    Digest::of(&document.to_canonical())
}

/// What `vm-verify constitution` prints: the version and the hash of a valid constitution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstitutionInfo {
    /// The document's `version`.
    pub version: Version,
    /// `blake3(JCS(document))`.
    pub hash: Digest,
}

/// Checks `document` against the constitution schema and returns its version and hash.
/// A schema violation is [`Error::InvalidConstitution`] with the member concerned.
pub fn constitution_info(document: &Value<'_>) -> Result<ConstitutionInfo, Failure> {
    let c = Constitution::parse(document)?;
    Ok(ConstitutionInfo {
        version: c.version,
        hash: c.hash,
    })
}

/// The five kinds of change a proposal makes. On the wire, `proposal_type` is `amendment` for
/// the first two (`content.target` names an article or a statute), `change_rules`, `add_engine`
/// or `retire_engine` ([`ProposalType::from_record`]); [`ProposalType::name`] is the key of
/// its threshold in the constitution's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProposalType {
    /// Add, modify or remove an article.
    AmendArticle,
    /// Add, modify or remove a statute.
    ChangeStatute,
    /// Change the governance rules or the voters.
    ChangeRules,
    /// Register a new engine (pending until its anchor confirmation).
    AddEngine,
    /// Retire a registered engine.
    RetireEngine,
}

impl ProposalType {
    /// Every proposal type, in order.
    pub const ALL: [ProposalType; 5] = [
        ProposalType::AmendArticle,
        ProposalType::ChangeStatute,
        ProposalType::ChangeRules,
        ProposalType::AddEngine,
        ProposalType::RetireEngine,
    ];

    /// The name of this class of change (`amend_article`, …): the key of its threshold in
    /// `rules.thresholds` and its name in chain reports.
    pub const fn name(self) -> &'static str {
        match self {
            ProposalType::AmendArticle => "amend_article",
            ProposalType::ChangeStatute => "change_statute",
            ProposalType::ChangeRules => "change_rules",
            ProposalType::AddEngine => "add_engine",
            ProposalType::RetireEngine => "retire_engine",
        }
    }

    /// The class with this name (`amend_article`, …).
    pub fn from_name(name: &str) -> Option<ProposalType> {
        ProposalType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The class of a proposal from its `proposal_type` and `content.target`: an `amendment`
    /// of an `ARTICLE-…` or of a `STATUTE-…`, or one of the other types by name.
    pub fn from_record(proposal_type: &str, target: &str) -> Option<ProposalType> {
        match proposal_type {
            "amendment" if is_article_id(target) => Some(ProposalType::AmendArticle),
            "amendment" if is_statute_id(target) => Some(ProposalType::ChangeStatute),
            "change_rules" => Some(ProposalType::ChangeRules),
            "add_engine" => Some(ProposalType::AddEngine),
            "retire_engine" => Some(ProposalType::RetireEngine),
            _ => None,
        }
    }

    /// The wire `proposal_type` of this class.
    pub const fn wire_name(self) -> &'static str {
        match self {
            ProposalType::AmendArticle | ProposalType::ChangeStatute => "amendment",
            ProposalType::ChangeRules => "change_rules",
            ProposalType::AddEngine => "add_engine",
            ProposalType::RetireEngine => "retire_engine",
        }
    }
}

/// A non-negative fraction `numerator / denominator` with `0 < denominator` and
/// `numerator <= denominator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    /// The numerator.
    pub numerator: u64,
    /// The denominator (never 0).
    pub denominator: u64,
}

impl Fraction {
    /// `part / whole >= self` (`more_than`: `>`), computed exactly in integers.
    pub fn reached(self, part: u64, whole: u64, comparison: Comparison) -> bool {
        let left = u128::from(part) * u128::from(self.denominator);
        let right = u128::from(self.numerator) * u128::from(whole);
        match comparison {
            Comparison::AtLeast => left >= right,
            Comparison::MoreThan => left > right,
        }
    }
}

/// How a threshold compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `approve / (approve + reject) >= fraction` (`at_least`).
    AtLeast,
    /// `approve / (approve + reject) > fraction` (`more_than`).
    MoreThan,
}

/// The vote a proposal type needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    /// Share of the decisive weight (`approve + reject`) that must vote `approve`.
    pub fraction: Fraction,
    /// `at_least` or `more_than`.
    pub comparison: Comparison,
    /// Whether the sovereign's ratification is a decision of its own: when true the sovereign
    /// may reject a proposal that passed the vote; when false the decision must follow the vote.
    pub sovereign_ratification: bool,
}

impl Threshold {
    /// Whether `approve` out of the decisive weight `approve + reject` passes. No decisive
    /// weight never passes.
    pub fn passes(&self, approve: Weight, reject: Weight) -> bool {
        let decisive = approve.saturating_add(reject);
        decisive.0 > 0
            && self
                .fraction
                .reached(approve.0, decisive.0, self.comparison)
    }
}

/// The governance rules, as data (`rules` of the constitution).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Minimum time from `submitted_at` to `deliberation_ends`.
    pub min_deliberation_seconds: u64,
    /// Minimum time from the end of deliberation to the ratification.
    pub min_voting_seconds: u64,
    /// Share of the total registered voting weight that must take part (approve, reject or
    /// abstain).
    pub quorum: Fraction,
    /// The threshold of each proposal type, in [`ProposalType::ALL`] order.
    pub thresholds: [Threshold; 5],
    /// Longest an emergency (or one renewal) may last.
    pub max_emergency_seconds: u64,
    /// How often one emergency may be renewed.
    pub max_emergency_renewals: u64,
    /// Longest time from an enforcement to its review deadline.
    pub max_review_seconds: u64,
}

impl Rules {
    /// The threshold of `proposal_type`.
    pub fn threshold(&self, proposal_type: ProposalType) -> &Threshold {
        let [a, s, r, e, x] = &self.thresholds;
        match proposal_type {
            ProposalType::AmendArticle => a,
            ProposalType::ChangeStatute => s,
            ProposalType::ChangeRules => r,
            ProposalType::AddEngine => e,
            ProposalType::RetireEngine => x,
        }
    }
}

/// The names of the members of `rules`, each of which a `change_rules` proposal may replace.
pub const RULE_NAMES: [&str; 7] = [
    "min_deliberation_seconds",
    "min_voting_seconds",
    "quorum",
    "thresholds",
    "max_emergency_seconds",
    "max_emergency_renewals",
    "max_review_seconds",
];

/// A power an article section grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    /// Issue (and revoke) executive orders of the listed types.
    ExecutiveOrder,
    /// Declare (renew, end) emergencies with the listed powers.
    Emergency,
    /// Enforce against violations.
    Enforcement,
    /// Review enforcements.
    Review,
}

/// One grant of an article section: a power, who holds it, and what it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The power granted.
    pub power: Power,
    /// Actor DIDs or engine ids holding it.
    pub holders: Vec<String>,
    /// For [`Power::ExecutiveOrder`]: the order types.
    pub order_types: Vec<String>,
    /// For [`Power::ExecutiveOrder`]: whether these orders must carry `duration.expires_at`.
    pub temporary: bool,
    /// For [`Power::Emergency`]: the emergency powers that may be invoked.
    pub emergency_powers: Vec<String>,
    /// For [`Power::ExecutiveOrder`] of type `parameter_change`: the node parameters the
    /// orders may change (`parameters`, e.g. `node.max_batch`; docs/SPEC.md §10.4).
    pub parameters: Vec<String>,
}

/// An article section (`ARTICLE-I.1`) and what it grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// `<article id>.<n>`.
    pub id: String,
    /// Its grants.
    pub grants: Vec<Grant>,
}

/// Engine status in the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineStatus {
    /// Running; may detect violations and hold grants.
    Active,
    /// Added by an amendment, awaiting its anchor confirmation.
    Pending,
    /// Retired by an amendment.
    Retired,
}

impl EngineStatus {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        match self {
            EngineStatus::Active => "active",
            EngineStatus::Pending => "pending",
            EngineStatus::Retired => "retired",
        }
    }

    fn from_name(name: &str) -> Option<EngineStatus> {
        [
            EngineStatus::Active,
            EngineStatus::Pending,
            EngineStatus::Retired,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// An entry of the engine registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    /// `engine_id`: `engine:<name>`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The engine's scroll (`Drills`, `Guardian`, …).
    pub scroll: String,
    /// What the engine is for (`authority` of the registry).
    pub authority: String,
    /// Its status.
    pub status: EngineStatus,
}

/// Parsed public keys by their text, reused across constitution versions so a chain with many
/// amendments decodes each key once.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyCache(BTreeMap<String, PublicKey>);

impl KeyCache {
    fn get(&mut self, text: &str) -> crate::Result<PublicKey> {
        if let Some(k) = self.0.get(text) {
            return Ok(*k);
        }
        // Settled here so each version's keyring reuses the torsion check too.
        let key = PublicKey::parse(text)?.with_torsion_known();
        self.0.insert(text.to_string(), key);
        Ok(key)
    }
}

/// A constitution checked against the schema, with the lookups the verifier needs.
#[derive(Clone, Debug)]
pub struct Constitution {
    /// `version`.
    pub version: Version,
    /// `constitution_hash`.
    pub hash: Digest,
    /// Axiom ids (`AXIOM-001`, …).
    pub axioms: Vec<String>,
    /// Article ids in document order.
    pub articles: Vec<String>,
    /// Every article section, in document order.
    pub sections: Vec<Section>,
    /// Statute ids.
    pub statutes: Vec<String>,
    /// The governance rules.
    pub rules: Rules,
    /// Registered voters and their weights.
    pub voters: BTreeMap<String, Weight>,
    /// Sum of the voters' weights (below 2^53 millionths).
    pub total_weight: Weight,
    /// The sovereign (ratifier and activator).
    pub sovereign: String,
    /// The engine registry by id.
    pub engines: BTreeMap<String, Engine>,
    /// Keys of the voters, the sovereign and the engines.
    pub keyring: Keyring,
}

fn bad(field: &'static str) -> Failure {
    Failure::at(Error::InvalidConstitution, field)
}

fn array<'v, 'a>(o: &'v Object<'a>, field: &'static str) -> Result<&'v [Value<'a>], Failure> {
    o.get(field).and_then(Value::as_array).ok_or(bad(field))
}

fn object<'v, 'a>(v: &'v Value<'a>, field: &'static str) -> Result<&'v Object<'a>, Failure> {
    v.as_object().ok_or(bad(field))
}

fn uint(o: &Object<'_>, name: &str, field: &'static str) -> Result<u64, Failure> {
    o.get(name).and_then(Value::as_u64).ok_or(bad(field))
}

fn text<'v>(o: &'v Object<'_>, name: &str, field: &'static str) -> Result<&'v str, Failure> {
    text_at(o, name).ok_or(bad(field))
}

fn strings(v: Option<&Value<'_>>, field: &'static str) -> Result<Vec<String>, Failure> {
    let items = v.and_then(Value::as_array).ok_or(bad(field))?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let s = item.as_str().filter(|s| !s.is_empty()).ok_or(bad(field))?;
        if out.iter().any(|o| o == s) {
            return Err(bad(field));
        }
        out.push(s.to_string());
    }
    Ok(out)
}

/// `PREFIX` followed by one or more characters of `allowed`.
fn prefixed(text: &str, prefix: &str, allowed: fn(u8) -> bool) -> bool {
    text.strip_prefix(prefix)
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(allowed))
}

/// `AXIOM-` followed by three digits.
pub(crate) fn is_axiom_id(text: &str) -> bool {
    text.strip_prefix("AXIOM-")
        .is_some_and(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `ARTICLE-` followed by a Roman numeral in capitals.
pub(crate) fn is_article_id(text: &str) -> bool {
    prefixed(text, "ARTICLE-", |b| b"IVXLCDM".contains(&b))
}

/// `STATUTE-` followed by capitals, digits and hyphens.
pub(crate) fn is_statute_id(text: &str) -> bool {
    prefixed(text, "STATUTE-", |b| {
        b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'
    })
}

fn fraction(v: Option<&Value<'_>>, field: &'static str) -> Result<Fraction, Failure> {
    let o = v.and_then(Value::as_object).ok_or(bad(field))?;
    if !members_only(o, &["numerator", "denominator"]) {
        return Err(bad(field));
    }
    fraction_in(o, field)
}

/// The `numerator` and `denominator` members of `o`: `0 < denominator`, `numerator <= denominator`.
fn fraction_in(o: &Object<'_>, field: &'static str) -> Result<Fraction, Failure> {
    let f = Fraction {
        numerator: uint(o, "numerator", field)?,
        denominator: uint(o, "denominator", field)?,
    };
    if f.denominator == 0 || f.numerator > f.denominator {
        return Err(bad(field));
    }
    Ok(f)
}

fn threshold(v: Option<&Value<'_>>) -> Result<Threshold, Failure> {
    const F: &str = "rules.thresholds";
    let o = v.and_then(Value::as_object).ok_or(bad(F))?;
    if !members_only(
        o,
        &[
            "numerator",
            "denominator",
            "comparison",
            "sovereign_ratification",
        ],
    ) {
        return Err(bad(F));
    }
    let comparison = match text(o, "comparison", F)? {
        "at_least" => Comparison::AtLeast,
        "more_than" => Comparison::MoreThan,
        _ => return Err(bad(F)),
    };
    let sovereign_ratification = match o.get("sovereign_ratification") {
        Some(Value::Bool(b)) => *b,
        _ => return Err(bad(F)),
    };
    let fraction = fraction_in(o, F)?;
    if fraction.numerator == 0 {
        return Err(bad(F));
    }
    Ok(Threshold {
        fraction,
        comparison,
        sovereign_ratification,
    })
}

fn thresholds(v: Option<&Value<'_>>) -> Result<[Threshold; 5], Failure> {
    let t = v
        .and_then(Value::as_object)
        .ok_or(bad("rules.thresholds"))?;
    if t.members.len() != ProposalType::ALL.len() {
        return Err(bad("rules.thresholds"));
    }
    let th = |p: ProposalType| threshold(t.get(p.name()));
    Ok([
        th(ProposalType::AmendArticle)?,
        th(ProposalType::ChangeStatute)?,
        th(ProposalType::ChangeRules)?,
        th(ProposalType::AddEngine)?,
        th(ProposalType::RetireEngine)?,
    ])
}

/// A rule given in seconds or as a count: a plain non-negative integer; the two maxima must
/// also be positive.
fn rule_uint(name: &str, v: Option<&Value<'_>>, field: &'static str) -> Result<u64, Failure> {
    let n = v.and_then(Value::as_u64).ok_or(bad(field))?;
    if n == 0 && matches!(name, "max_emergency_seconds" | "max_review_seconds") {
        return Err(bad(field));
    }
    Ok(n)
}

/// Checks one member of `rules` on its own (what a `change_rules` proposal may set).
pub(crate) fn parse_rule(name: &str, value: &Value<'_>) -> Result<(), Failure> {
    match name {
        "quorum" => fraction(Some(value), "rules.quorum").map(drop),
        "thresholds" => thresholds(Some(value)).map(drop),
        _ if RULE_NAMES.contains(&name) => rule_uint(name, Some(value), "rules").map(drop),
        _ => Err(Failure::at(Error::UnknownRule, "rules")),
    }
}

/// Parses the `rules` member.
pub(crate) fn parse_rules(v: Option<&Value<'_>>) -> Result<Rules, Failure> {
    let o = v.and_then(Value::as_object).ok_or(bad("rules"))?;
    if !members_only(o, &RULE_NAMES) {
        return Err(Failure::at(Error::UnknownRule, "rules"));
    }
    let u = |name: &'static str, field| rule_uint(name, o.get(name), field);
    Ok(Rules {
        min_deliberation_seconds: u("min_deliberation_seconds", "rules.min_deliberation_seconds")?,
        min_voting_seconds: u("min_voting_seconds", "rules.min_voting_seconds")?,
        quorum: fraction(o.get("quorum"), "rules.quorum")?,
        thresholds: thresholds(o.get("thresholds"))?,
        max_emergency_seconds: u("max_emergency_seconds", "rules.max_emergency_seconds")?,
        max_emergency_renewals: u("max_emergency_renewals", "rules.max_emergency_renewals")?,
        max_review_seconds: u("max_review_seconds", "rules.max_review_seconds")?,
    })
}

fn grant(v: &Value<'_>) -> Result<Grant, Failure> {
    const F: &str = "articles.sections.grants";
    let o = object(v, F)?;
    let power = match text(o, "power", F)? {
        "executive_order" => Power::ExecutiveOrder,
        "emergency" => Power::Emergency,
        "enforcement" => Power::Enforcement,
        "review" => Power::Review,
        _ => return Err(bad(F)),
    };
    let allowed: &[&str] = match power {
        Power::ExecutiveOrder => &["power", "holders", "order_types", "temporary", "parameters"],
        Power::Emergency => &["power", "holders", "emergency_powers"],
        Power::Enforcement | Power::Review => &["power", "holders"],
    };
    if !members_only(o, allowed) {
        return Err(bad(F));
    }
    let holders = strings(o.get("holders"), F)?;
    let mut g = Grant {
        power,
        holders,
        order_types: Vec::new(),
        temporary: false,
        emergency_powers: Vec::new(),
        parameters: Vec::new(),
    };
    match power {
        Power::ExecutiveOrder => {
            g.order_types = strings(o.get("order_types"), F)?;
            if g.order_types
                .iter()
                .any(|t| !id::is_valid_name(t) || t == "emergency")
            {
                return Err(bad(F));
            }
            g.temporary = match o.get("temporary") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(bad(F)),
            };
            if o.get("parameters").is_some() {
                g.parameters = strings(o.get("parameters"), F)?;
                if g.parameters.is_empty() {
                    return Err(bad(F));
                }
            }
        }
        Power::Emergency => {
            g.emergency_powers = strings(o.get("emergency_powers"), F)?;
            // Powers are named as the protocol writes them ("Enhanced logging"): any
            // non-empty, distinct strings.
            if g.emergency_powers.is_empty() {
                return Err(bad(F));
            }
        }
        Power::Enforcement | Power::Review => {}
    }
    if g.holders.is_empty() {
        return Err(bad(F));
    }
    Ok(g)
}

/// Checks one article object; appends its sections. Also used for the articles a change adds.
pub(crate) fn parse_article(v: &Value<'_>, sections: &mut Vec<Section>) -> Result<String, Failure> {
    let o = object(v, "articles")?;
    if !members_only(o, &["id", "name", "sections"]) {
        return Err(bad("articles"));
    }
    let article = text(o, "id", "articles.id")?;
    if !is_article_id(article) {
        return Err(bad("articles.id"));
    }
    text(o, "name", "articles.name")?;
    let list = array(o, "sections")?;
    if list.is_empty() {
        return Err(bad("articles.sections"));
    }
    for (n, s) in (1u64..).zip(list) {
        let so = object(s, "articles.sections")?;
        if !members_only(so, &["id", "title", "text", "grants"]) {
            return Err(bad("articles.sections"));
        }
        let sid = text(so, "id", "articles.sections.id")?;
        let numbered = sid
            .strip_prefix(article)
            .and_then(|r| r.strip_prefix('.'))
            .is_some_and(|num| num.parse::<u64>().ok() == Some(n) && !num.starts_with('0'));
        if !numbered {
            return Err(bad("articles.sections.id"));
        }
        text(so, "title", "articles.sections.title")?;
        text(so, "text", "articles.sections.text")?;
        let grants = match so.get("grants") {
            None => Vec::new(),
            Some(g) => g
                .as_array()
                .ok_or(bad("articles.sections.grants"))?
                .iter()
                .map(grant)
                .collect::<Result<_, _>>()?,
        };
        sections.push(Section {
            id: sid.to_string(),
            grants,
        });
    }
    Ok(article.to_string())
}

pub(crate) fn check_statute(v: &Value<'_>) -> Result<String, Failure> {
    let o = object(v, "statutes")?;
    if !members_only(o, &["id", "name", "text"]) {
        return Err(bad("statutes"));
    }
    let sid = text(o, "id", "statutes.id")?;
    if !is_statute_id(sid) {
        return Err(bad("statutes.id"));
    }
    text(o, "name", "statutes.name")?;
    text(o, "text", "statutes.text")?;
    Ok(sid.to_string())
}

/// The members of an engine registry entry: the protocol's `engine_id`, `name`, `scroll`,
/// `authority` and `status`, and `public_key` (an addition: the key the engine signs with).
pub(crate) const ENGINE_MEMBERS: [&str; 6] = [
    "engine_id",
    "name",
    "scroll",
    "authority",
    "status",
    "public_key",
];

/// Checks one entry of `registered_engines`; returns it and its key text.
pub(crate) fn parse_engine<'v>(v: &'v Value<'_>) -> Result<(Engine, &'v str), Failure> {
    const F: &str = "registered_engines";
    let o = object(v, F)?;
    if !members_only(o, &ENGINE_MEMBERS) {
        return Err(bad(F));
    }
    let eid = text(o, "engine_id", "registered_engines.engine_id")?;
    id::check_engine_id(eid).map_err(|_| bad("registered_engines.engine_id"))?;
    let scroll = text(o, "scroll", "registered_engines.scroll")?;
    if !id::is_valid_scroll(scroll) {
        return Err(bad("registered_engines.scroll"));
    }
    let status = EngineStatus::from_name(text(o, "status", "registered_engines.status")?)
        .ok_or(bad("registered_engines.status"))?;
    let engine = Engine {
        id: eid.to_string(),
        name: text(o, "name", "registered_engines.name")?.to_string(),
        scroll: scroll.to_string(),
        authority: text(o, "authority", "registered_engines.authority")?.to_string(),
        status,
    };
    Ok((
        engine,
        text(o, "public_key", "registered_engines.public_key")?,
    ))
}

/// Checks the `voters` list (`[{"id","key","weight"}]`, weights as in `gov_vote`): returns
/// `(id, key text, weight)`.
pub(crate) fn parse_voters<'v>(
    v: Option<&'v Value<'_>>,
) -> Result<Vec<(&'v str, &'v str, Weight)>, Failure> {
    const F: &str = "voters";
    let list = v.and_then(Value::as_array).ok_or(bad(F))?;
    let mut out: Vec<(&str, &str, Weight)> = Vec::with_capacity(list.len());
    for item in list {
        let o = object(item, F)?;
        if !members_only(o, &["id", "key", "weight"]) {
            return Err(bad(F));
        }
        let vid = text(o, "id", "voters.id")?;
        id::parse_actor(vid).map_err(|_| bad("voters.id"))?;
        let weight = match o.get("weight") {
            Some(Value::Number(n)) => Weight::from_number(n).map_err(|_| bad("voters.weight"))?,
            _ => return Err(bad("voters.weight")),
        };
        if weight.0 == 0 || out.iter().any(|(o, _, _)| *o == vid) {
            return Err(bad(F));
        }
        out.push((vid, text(o, "key", "voters.key")?, weight));
    }
    if out.is_empty() {
        return Err(bad(F));
    }
    Ok(out)
}

impl Constitution {
    /// Checks `document` against the schema (docs/SPEC.md §10.1) and builds the typed view.
    pub fn parse(document: &Value<'_>) -> Result<Constitution, Failure> {
        Constitution::parse_with(document, &mut KeyCache::default())
    }

    pub(crate) fn parse_with(
        document: &Value<'_>,
        keys: &mut KeyCache,
    ) -> Result<Constitution, Failure> {
        let o = document.as_object().ok_or(bad("constitution"))?;
        let version = Version::parse(text(o, "version", "version")?).map_err(|_| bad("version"))?;
        let mut keyring = Keyring::new();
        let mut add_key = |actor: &str, key: &str, field: &'static str| -> Result<(), Failure> {
            let key = keys.get(key).map_err(|_| bad(field))?;
            match keyring.get(actor) {
                Some(known) if *known != key => Err(bad(field)),
                _ => {
                    keyring.insert(actor, key);
                    Ok(())
                }
            }
        };

        let mut axioms: Vec<String> = Vec::new();
        for a in array(o, "axioms")? {
            let ao = object(a, "axioms")?;
            if !members_only(ao, &["id", "title", "statement"]) {
                return Err(bad("axioms"));
            }
            let aid = text(ao, "id", "axioms.id")?;
            if !is_axiom_id(aid) || axioms.iter().any(|x| x == aid) {
                return Err(bad("axioms.id"));
            }
            text(ao, "title", "axioms.title")?;
            text(ao, "statement", "axioms.statement")?;
            axioms.push(aid.to_string());
        }
        if axioms.is_empty() {
            return Err(bad("axioms"));
        }

        let mut articles: Vec<String> = Vec::new();
        let mut sections: Vec<Section> = Vec::new();
        for a in array(o, "articles")? {
            let aid = parse_article(a, &mut sections)?;
            if articles.contains(&aid) {
                return Err(bad("articles.id"));
            }
            articles.push(aid);
        }

        let mut statutes: Vec<String> = Vec::new();
        for s in array(o, "statutes")? {
            let sid = check_statute(s)?;
            if statutes.contains(&sid) {
                return Err(bad("statutes.id"));
            }
            statutes.push(sid);
        }

        let rules = parse_rules(o.get("rules"))?;

        let mut voters = BTreeMap::new();
        let mut total_weight = Weight::default();
        for (vid, key, weight) in parse_voters(o.get("voters"))? {
            add_key(vid, key, "voters.key")?;
            total_weight = total_weight
                .0
                .checked_add(weight.0)
                .filter(|t| *t < (1 << 53))
                .map(Weight)
                .ok_or(bad("voters.weight"))?;
            voters.insert(vid.to_string(), weight);
        }

        let so = o
            .get("sovereign")
            .and_then(Value::as_object)
            .ok_or(bad("sovereign"))?;
        if !members_only(so, &["id", "key"]) {
            return Err(bad("sovereign"));
        }
        let sovereign = text(so, "id", "sovereign.id")?;
        id::parse_actor(sovereign).map_err(|_| bad("sovereign.id"))?;
        add_key(
            sovereign,
            text(so, "key", "sovereign.key")?,
            "sovereign.key",
        )?;

        let mut engines = BTreeMap::new();
        for e in array(o, "registered_engines")? {
            let (engine, key) = parse_engine(e)?;
            if engines.contains_key(&engine.id) {
                return Err(bad("registered_engines.engine_id"));
            }
            add_key(&engine.id, key, "registered_engines.public_key")?;
            engines.insert(engine.id.clone(), engine);
        }

        let known = |h: &String| keyring.get(h).is_some();
        if !sections
            .iter()
            .flat_map(|s| &s.grants)
            .flat_map(|g| &g.holders)
            .all(known)
        {
            return Err(bad("articles.sections.grants"));
        }

        Ok(Constitution {
            version,
            hash: constitution_hash(document),
            axioms,
            articles,
            sections,
            statutes,
            rules,
            voters,
            total_weight,
            sovereign: sovereign.to_string(),
            engines,
            keyring,
        })
    }

    /// The section with this id.
    pub fn section(&self, section_id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == section_id)
    }

    /// Whether `rule` names an axiom, an article section or a statute of this constitution.
    pub fn has_rule(&self, rule: &str) -> bool {
        self.axioms.iter().any(|a| a == rule)
            || self.sections.iter().any(|s| s.id == rule)
            || self.statutes.iter().any(|s| s == rule)
    }

    /// Whether `actor` may exercise `power`: it is a holder of such a grant in some section and,
    /// when an engine, an active one.
    pub fn holds(&self, actor: &str, power: Power) -> bool {
        self.is_active_party(actor)
            && self
                .sections
                .iter()
                .flat_map(|s| &s.grants)
                .any(|g| g.power == power && g.holders.iter().any(|h| h == actor))
    }

    /// Whether `actor` is a voter, the sovereign or an active engine.
    pub fn is_active_party(&self, actor: &str) -> bool {
        match self.engines.get(actor) {
            Some(e) => e.status == EngineStatus::Active,
            None => self.keyring.get(actor).is_some(),
        }
    }

    /// Whether `engine` is a registered engine with status `active`.
    pub fn engine_active(&self, engine: &str) -> bool {
        self.engines
            .get(engine)
            .is_some_and(|e| e.status == EngineStatus::Active)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_at_their_boundaries() {
        let two_thirds = Threshold {
            fraction: Fraction {
                numerator: 2,
                denominator: 3,
            },
            comparison: Comparison::AtLeast,
            sovereign_ratification: true,
        };
        let w = Weight::units;
        assert!(two_thirds.passes(w(8), w(4))); // exactly 2/3
        assert!(!two_thirds.passes(w(7), w(4)));
        assert!(!two_thirds.passes(w(0), w(0))); // no decisive weight never passes
        let majority = Threshold {
            fraction: Fraction {
                numerator: 1,
                denominator: 2,
            },
            comparison: Comparison::MoreThan,
            sovereign_ratification: false,
        };
        assert!(!majority.passes(w(6), w(6))); // exactly half is not a majority
        assert!(majority.passes(w(7), w(6)));
        // Fractional weights compare exactly: 0.5 + 0.25 against 0.75 is a tie, not a majority.
        assert!(!majority.passes(Weight(750_000), Weight(750_000)));
        assert!(majority.passes(Weight(750_001), Weight(750_000)));
        // Integer arithmetic without overflow at the largest weights.
        let max = Weight((1u64 << 53) - 1);
        assert!(majority.passes(max, Weight(max.0 - 1)));
        assert!(Fraction {
            numerator: 1,
            denominator: 2
        }
        .reached(6, 12, Comparison::AtLeast));
        assert!(!Fraction {
            numerator: 1,
            denominator: 2
        }
        .reached(5, 12, Comparison::AtLeast));
    }

    #[test]
    fn ids() {
        assert!(is_axiom_id("AXIOM-005") && !is_axiom_id("AXIOM-5") && !is_axiom_id("AXIOM-0055"));
        assert!(
            is_article_id("ARTICLE-VII")
                && !is_article_id("ARTICLE-7")
                && !is_article_id("ARTICLE-")
        );
        assert!(
            is_statute_id("STATUTE-001")
                && !is_statute_id("STATUTE-a")
                && !is_statute_id("STATUTE-")
        );
        assert_eq!(
            ProposalType::from_name("add_engine"),
            Some(ProposalType::AddEngine)
        );
        assert_eq!(ProposalType::from_name("amend_axiom"), None);
        assert_eq!(
            ProposalType::from_record("amendment", "ARTICLE-VII"),
            Some(ProposalType::AmendArticle)
        );
        assert_eq!(
            ProposalType::from_record("amendment", "STATUTE-003"),
            Some(ProposalType::ChangeStatute)
        );
        assert_eq!(ProposalType::from_record("amendment", "AXIOM-001"), None);
    }
}
