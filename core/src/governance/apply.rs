//! Proposals' `change` objects: the schema of each proposal type, the axiom guard (AXIOM-005),
//! and `apply`: constitution + ratified proposal → next constitution (docs/SPEC.md §10.2).

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::constitution::{
    check_statute, is_article_id, is_statute_id, parse_article, parse_engine, parse_rule,
    parse_voters, Constitution, KeyCache, ProposalType, RULE_NAMES,
};
use super::version::{Bump, Version};
use super::{members_only, text_at};
use crate::encoding::PublicKey;
use crate::error::Error;
use crate::json::{Object, Value};
use crate::record::{check_shape, Failure, Kind};

fn invalid(field: &'static str) -> Failure {
    Failure::at(Error::InvalidChange, field)
}

fn conflict(field: &'static str) -> Failure {
    Failure::at(Error::ChangeConflict, field)
}

/// Whether `value` names or addresses an axiom: a member called `axiom` or `axioms`, or an id
/// member (`id`, `target`, `engine_id`, `article`, `statute`) whose value starts with `AXIOM-`,
/// at any depth.
fn touches_axiom(value: &Value<'_>) -> bool {
    match value {
        Value::Object(o) => o.members.iter().any(|(name, v)| {
            let name: &str = name;
            matches!(name, "axiom" | "axioms")
                || (matches!(name, "id" | "target" | "engine_id" | "article" | "statute")
                    && v.as_str().is_some_and(|s| s.starts_with("AXIOM-")))
                || touches_axiom(v)
        }),
        Value::Array(items) => items.iter().any(touches_axiom),
        _ => false,
    }
}

/// A proposal's `content`: `{"target", "action", "text"?}`.
struct Content<'v, 'a> {
    target: &'v str,
    action: &'v str,
    text: Option<&'v Object<'a>>,
}

fn content<'v, 'a>(content: &'v Value<'a>) -> Result<Content<'v, 'a>, Failure> {
    let c = content.as_object().ok_or(invalid("content"))?;
    if !members_only(c, &["target", "action", "text"]) {
        return Err(invalid("content"));
    }
    let action = match text_at(c, "action") {
        Some(a @ ("add" | "modify" | "remove")) => a,
        _ => return Err(invalid("content.action")),
    };
    let text = match c.get("text") {
        None => None,
        Some(t) => Some(t.as_object().ok_or(invalid("content.text"))?),
    };
    // Removing names only the target; adding or modifying states the new text in full.
    if (action == "remove") != text.is_none() {
        return Err(invalid("content.text"));
    }
    Ok(Content {
        target: text_at(c, "target").ok_or(invalid("content.target"))?,
        action,
        text,
    })
}

/// The new text's own id member must name the target.
fn names_target(text: &Object<'_>, id_member: &str, target: &str) -> Result<(), Failure> {
    if text_at(text, id_member) == Some(target) {
        Ok(())
    } else {
        Err(invalid("content.text"))
    }
}

/// The registry entry an `add_engine` proposal adds: its `content.text` with status `pending`.
fn engine_of<'a>(text: &Object<'a>) -> Object<'a> {
    let mut engine = text.clone();
    engine.insert("status", Value::String(Cow::Borrowed("pending")));
    engine
}

/// Checks a proposal's `content` against the schema of its type, independently of any
/// constitution (docs/SPEC.md §10.2). A change that touches an axiom is
/// [`Error::AxiomImmutable`], always.
pub fn check_change(proposal_type: ProposalType, change: &Value<'_>) -> Result<(), Failure> {
    if touches_axiom(change) {
        return Err(Failure::at(Error::AxiomImmutable, "content"));
    }
    let c = content(change)?;
    match proposal_type {
        ProposalType::AmendArticle => {
            if !is_article_id(c.target) {
                return Err(invalid("content.target"));
            }
            if let Some(text) = c.text {
                names_target(text, "id", c.target)?;
                parse_article(&Value::Object(text.clone()), &mut Vec::new())
                    .map_err(|f| invalid(f.field.unwrap_or("content.text")))?;
            }
        }
        ProposalType::ChangeStatute => {
            if !is_statute_id(c.target) {
                return Err(invalid("content.target"));
            }
            if let Some(text) = c.text {
                names_target(text, "id", c.target)?;
                check_statute(&Value::Object(text.clone())).map_err(|_| invalid("content.text"))?;
            }
        }
        ProposalType::ChangeRules => {
            let text = c
                .text
                .filter(|t| {
                    c.target == "rules"
                        && c.action == "modify"
                        && !t.members.is_empty()
                        && members_only(t, &["rules", "voters"])
                })
                .ok_or(invalid("content"))?;
            if let Some(rules) = text.get("rules") {
                let r = rules
                    .as_object()
                    .filter(|r| !r.members.is_empty())
                    .ok_or(invalid("content.text.rules"))?;
                for (name, value) in &r.members {
                    if !RULE_NAMES.contains(&name.as_ref()) {
                        return Err(Failure::at(Error::UnknownRule, "content.text.rules"));
                    }
                    parse_rule(name, value).map_err(|_| invalid("content.text.rules"))?;
                }
            }
            if let Some(voters) = text.get("voters") {
                for (_, key, _) in
                    parse_voters(Some(voters)).map_err(|_| invalid("content.text.voters"))?
                {
                    PublicKey::parse(key).map_err(|_| invalid("content.text.voters"))?;
                }
            }
        }
        ProposalType::AddEngine => {
            // The proposal names no status: the engine starts pending.
            let text = c
                .text
                .filter(|t| c.action == "add" && t.get("status").is_none())
                .ok_or(invalid("content.text"))?;
            names_target(text, "engine_id", c.target)?;
            let engine = Value::Object(engine_of(text));
            let (_, key) = parse_engine(&engine).map_err(|_| invalid("content.text"))?;
            PublicKey::parse(key).map_err(|_| invalid("content.text.public_key"))?;
        }
        ProposalType::RetireEngine => {
            if c.action != "remove" || crate::encoding::id::check_engine_id(c.target).is_err() {
                return Err(invalid("content.target"));
            }
        }
    }
    Ok(())
}

/// The version component a change increments: removing an article is major; adding or
/// modifying an article, changing the rules, adding or retiring an engine is minor; a statute
/// change and an engine's activation are patch.
pub fn bump_of(proposal_type: ProposalType, change: &Value<'_>) -> Bump {
    let remove = change.as_object().and_then(|c| text_at(c, "action")) == Some("remove");
    // (`change` is the proposal's `content`.)
    match proposal_type {
        ProposalType::AmendArticle if remove => Bump::Major,
        ProposalType::ChangeStatute => Bump::Patch,
        _ => Bump::Minor,
    }
}

fn member_mut<'o, 'a>(o: &'o mut Object<'a>, name: &str) -> Option<&'o mut Value<'a>> {
    o.members
        .iter_mut()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn list_mut<'o, 'a>(
    doc: &'o mut Object<'a>,
    name: &'static str,
) -> Result<&'o mut Vec<Value<'a>>, Failure> {
    match member_mut(doc, name) {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(Failure::at(Error::InvalidConstitution, name)),
    }
}

/// The id member of the entries of a list of the constitution.
fn id_member(list: &str) -> &'static str {
    if list == ENGINES {
        "engine_id"
    } else {
        "id"
    }
}

fn position(items: &[Value<'_>], id_member: &str, id: &str) -> Option<usize> {
    items
        .iter()
        .position(|item| item.as_object().and_then(|o| text_at(o, id_member)) == Some(id))
}

const ENGINES: &str = "registered_engines";

/// Adds, replaces or removes the entry with `id` in list `name` of the document.
fn edit_list<'a>(
    doc: &mut Object<'a>,
    name: &'static str,
    id: &str,
    action: &str,
    entry: Object<'a>,
) -> Result<(), Failure> {
    let items = list_mut(doc, name)?;
    match (action, position(items, id_member(name), id)) {
        ("add", None) => items.push(Value::Object(entry)),
        ("modify", Some(i)) => {
            if let Some(slot) = items.get_mut(i) {
                *slot = Value::Object(entry);
            }
        }
        ("remove", Some(i)) => {
            items.remove(i);
        }
        _ => return Err(conflict(name)),
    }
    Ok(())
}

fn set_engine_status(
    doc: &mut Object<'_>,
    engine: &str,
    from: &[&str],
    to: &'static str,
) -> Result<(), Failure> {
    let items = list_mut(doc, ENGINES)?;
    let entry = position(items, "engine_id", engine)
        .and_then(|i| items.get_mut(i))
        .ok_or(conflict(ENGINES))?;
    let status = match entry {
        Value::Object(o) => member_mut(o, "status"),
        _ => None,
    };
    match status {
        Some(s) if s.as_str().is_some_and(|t| from.contains(&t)) => {
            *s = Value::String(Cow::Borrowed(to));
            Ok(())
        }
        _ => Err(conflict(ENGINES)),
    }
}

fn with_version<'a>(mut doc: Object<'a>, version: Version) -> Value<'a> {
    doc.insert(
        "version",
        Value::String(Cow::Owned(alloc::string::ToString::to_string(&version))),
    );
    Value::Object(doc)
}

/// The next document after applying `change` (already checked by [`check_change`]) to the
/// document of `current`, with the version bumped as [`bump_of`] says.
pub(crate) fn next_document<'a>(
    document: &Value<'a>,
    current: &Constitution,
    proposal_type: ProposalType,
    change: &Value<'a>,
) -> Result<Value<'a>, Failure> {
    let mut doc = document
        .as_object()
        .ok_or(Failure::at(Error::InvalidConstitution, "constitution"))?
        .clone();
    let c = content(change)?;
    let text = || c.text.cloned().unwrap_or_default();
    match proposal_type {
        ProposalType::AmendArticle => edit_list(&mut doc, "articles", c.target, c.action, text())?,
        ProposalType::ChangeStatute => edit_list(&mut doc, "statutes", c.target, c.action, text())?,
        ProposalType::ChangeRules => {
            let changed = text();
            if let Some(Value::Object(rules_changed)) = changed.get("rules") {
                match member_mut(&mut doc, "rules") {
                    Some(Value::Object(rules)) => {
                        for (name, value) in &rules_changed.members {
                            rules.insert(name.clone(), value.clone());
                        }
                    }
                    _ => return Err(Failure::at(Error::InvalidConstitution, "rules")),
                }
            }
            if let Some(voters) = changed.get("voters") {
                doc.insert("voters", voters.clone());
            }
        }
        ProposalType::AddEngine => {
            edit_list(&mut doc, ENGINES, c.target, "add", engine_of(&text()))?
        }
        ProposalType::RetireEngine => {
            set_engine_status(&mut doc, c.target, &["active", "pending"], "retired")?
        }
    }
    let version = current
        .version
        .bumped(bump_of(proposal_type, change))
        .ok_or(Failure::at(Error::VersionBumpInvalid, "version_after"))?;
    Ok(with_version(doc, version))
}

/// The document after the anchor confirmation of `engine`: status `pending` → `active`, patch bump.
pub(crate) fn activated_document<'a>(
    document: &Value<'a>,
    current: &Constitution,
    engine: &str,
) -> Result<Value<'a>, Failure> {
    let mut doc = document
        .as_object()
        .ok_or(Failure::at(Error::InvalidConstitution, "constitution"))?
        .clone();
    set_engine_status(&mut doc, engine, &["pending"], "active")?;
    let version = current
        .version
        .bumped(Bump::Patch)
        .ok_or(Failure::at(Error::VersionBumpInvalid, "version_after"))?;
    Ok(with_version(doc, version))
}

/// Parses a next document; a result that breaks the schema means the change does not apply.
pub(crate) fn checked(document: &Value<'_>, keys: &mut KeyCache) -> Result<Constitution, Failure> {
    Constitution::parse_with(document, keys).map_err(|f| Failure {
        error: Error::ChangeConflict,
        field: f.field,
    })
}

/// A proposal's class of change and its `content` (fields already checked).
pub(crate) fn proposal_class<'v, 'a>(
    p: &'v Object<'a>,
) -> Result<(ProposalType, &'v Value<'a>), Failure> {
    let change = p
        .get("content")
        .ok_or(Failure::at(Error::MissingField, "content"))?;
    let target = change
        .as_object()
        .and_then(|c| text_at(c, "target"))
        .unwrap_or_default();
    if target.starts_with("AXIOM-") {
        return Err(Failure::at(Error::AxiomImmutable, "content.target"));
    }
    let proposal_type = text_at(p, "proposal_type")
        .and_then(|t| ProposalType::from_record(t, target))
        .ok_or(Failure::at(Error::InvalidChange, "content.target"))?;
    Ok((proposal_type, change))
}

/// Applies a ratified proposal (a `gov_proposal` record) to a constitution and returns the next
/// constitution, its `version` bumped as the proposal type requires (see [`bump_of`]).
///
/// An `add_engine` proposal adds the engine with status `pending`; its activation is a separate
/// anchor confirmation (see [`super::verify_chain`]). Errors: the proposal's fields
/// (record checks), [`Error::AxiomImmutable`], [`Error::InvalidChange`],
/// [`Error::ChangeConflict`], and [`Error::InvalidConstitution`] for the input constitution.
pub fn apply<'a>(constitution: &Value<'a>, proposal: &Value<'a>) -> Result<Value<'a>, Failure> {
    let current = Constitution::parse(constitution)?;
    let p = proposal
        .as_object()
        .ok_or(Failure::from(Error::NotAnObject))?;
    check_shape(p, Some(Kind::GovProposal))?;
    let (proposal_type, change) = proposal_class(p)?;
    check_change(proposal_type, change)?;
    let next = next_document(constitution, &current, proposal_type, change)?;
    checked(&next, &mut KeyCache::default())?;
    Ok(next)
}

/// The constitution after the anchor confirmation of pending engine `engine`: its status
/// `pending` → `active`, the version's patch bumped — the `constitution_hash_after` of the
/// activation amendment (docs/SPEC.md §10.3).
pub fn activate_engine<'a>(constitution: &Value<'a>, engine: &str) -> Result<Value<'a>, Failure> {
    let current = Constitution::parse(constitution)?;
    let next = activated_document(constitution, &current, engine)?;
    checked(&next, &mut KeyCache::default())?;
    Ok(next)
}
