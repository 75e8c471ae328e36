//! Proposals' `change` objects: the schema of each proposal type, the axiom guard (AXIOM-005),
//! and `apply`: constitution + ratified proposal → next constitution (docs/SPEC.md §10.2).

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::constitution::{
    is_article_id, is_statute_id, parse_article, parse_engine, parse_rule, parse_voters,
    Constitution, KeyCache, ProposalType, RULE_NAMES,
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
/// member (`id`, `article`, `statute`, `engine`) whose value starts with `AXIOM-`, at any depth.
fn touches_axiom(value: &Value<'_>) -> bool {
    match value {
        Value::Object(o) => o.members.iter().any(|(name, v)| {
            let name: &str = name;
            matches!(name, "axiom" | "axioms")
                || (matches!(name, "id" | "article" | "statute" | "engine")
                    && v.as_str().is_some_and(|s| s.starts_with("AXIOM-")))
                || touches_axiom(v)
        }),
        Value::Array(items) => items.iter().any(touches_axiom),
        _ => false,
    }
}

fn action<'v>(change: &'v Object<'_>) -> Result<&'v str, Failure> {
    match text_at(change, "action") {
        Some(a @ ("add" | "modify" | "remove")) => Ok(a),
        _ => Err(invalid("change.action")),
    }
}

/// The article object an `amend_article` add or modify installs.
fn article_of<'a>(change: &Object<'a>) -> Object<'a> {
    let mut article = Object::default();
    for name in ["article", "title", "sections"] {
        if let Some(v) = change.get(name) {
            article.insert(if name == "article" { "id" } else { name }, v.clone());
        }
    }
    article
}

/// The statute object a `change_statute` add or modify installs.
fn statute_of<'a>(change: &Object<'a>) -> Object<'a> {
    let mut statute = Object::default();
    for name in ["statute", "title", "text"] {
        if let Some(v) = change.get(name) {
            statute.insert(if name == "statute" { "id" } else { name }, v.clone());
        }
    }
    statute
}

/// The registry entry an `add_engine` change adds: its `engine` object with status `pending`.
fn engine_of<'a>(change: &Object<'a>) -> Option<Object<'a>> {
    let mut engine = change.get("engine")?.as_object()?.clone();
    engine.insert("status", Value::String(Cow::Borrowed("pending")));
    Some(engine)
}

/// Checks a proposal's `change` against the schema of its type, independently of any
/// constitution. A change that touches an axiom is [`Error::AxiomImmutable`], always.
pub fn check_change(proposal_type: ProposalType, change: &Value<'_>) -> Result<(), Failure> {
    if touches_axiom(change) {
        return Err(Failure::at(Error::AxiomImmutable, "change"));
    }
    let c = change.as_object().ok_or(invalid("change"))?;
    match proposal_type {
        ProposalType::AmendArticle => {
            let a = action(c)?;
            let allowed: &[&str] = if a == "remove" {
                &["action", "article"]
            } else {
                &["action", "article", "title", "sections"]
            };
            if !members_only(c, allowed) {
                return Err(invalid("change"));
            }
            if !text_at(c, "article").is_some_and(is_article_id) {
                return Err(invalid("change.article"));
            }
            if a != "remove" {
                parse_article(&Value::Object(article_of(c)), &mut Vec::new())
                    .map_err(|f| invalid(f.field.unwrap_or("change")))?;
            }
        }
        ProposalType::ChangeStatute => {
            let a = action(c)?;
            let allowed: &[&str] = if a == "remove" {
                &["action", "statute"]
            } else {
                &["action", "statute", "title", "text"]
            };
            if !members_only(c, allowed) || !text_at(c, "statute").is_some_and(is_statute_id) {
                return Err(invalid("change.statute"));
            }
            if a != "remove" && (text_at(c, "title").is_none() || text_at(c, "text").is_none()) {
                return Err(invalid("change"));
            }
        }
        ProposalType::ChangeRules => {
            if c.members.is_empty() || !members_only(c, &["rules", "voters"]) {
                return Err(invalid("change"));
            }
            if let Some(rules) = c.get("rules") {
                let r = rules
                    .as_object()
                    .filter(|r| !r.members.is_empty())
                    .ok_or(invalid("change.rules"))?;
                for (name, value) in &r.members {
                    if !RULE_NAMES.contains(&name.as_ref()) {
                        return Err(Failure::at(Error::UnknownRule, "change.rules"));
                    }
                    parse_rule(name, value).map_err(|_| invalid("change.rules"))?;
                }
            }
            if let Some(voters) = c.get("voters") {
                for (_, key, _) in
                    parse_voters(Some(voters)).map_err(|_| invalid("change.voters"))?
                {
                    PublicKey::parse(key).map_err(|_| invalid("change.voters"))?;
                }
            }
        }
        ProposalType::AddEngine => {
            // The proposal names no status: the engine starts pending.
            let names_status = c
                .get("engine")
                .and_then(Value::as_object)
                .is_some_and(|e| e.get("status").is_some());
            let engine = engine_of(c)
                .filter(|_| members_only(c, &["engine"]) && !names_status)
                .ok_or(invalid("change.engine"))?;
            let engine = Value::Object(engine);
            let (_, key) = parse_engine(&engine).map_err(|_| invalid("change.engine"))?;
            PublicKey::parse(key).map_err(|_| invalid("change.engine"))?;
        }
        ProposalType::RetireEngine => {
            let engine = text_at(c, "engine").ok_or(invalid("change.engine"))?;
            if !members_only(c, &["engine"])
                || crate::encoding::id::check_engine_id(engine).is_err()
            {
                return Err(invalid("change.engine"));
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

fn position(items: &[Value<'_>], id: &str) -> Option<usize> {
    items
        .iter()
        .position(|item| item.as_object().and_then(|o| text_at(o, "id")) == Some(id))
}

/// Adds, replaces or removes the entry with `id` in list `name` of the document.
fn edit_list<'a>(
    doc: &mut Object<'a>,
    name: &'static str,
    id: &str,
    action: &str,
    entry: Object<'a>,
) -> Result<(), Failure> {
    let items = list_mut(doc, name)?;
    match (action, position(items, id)) {
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
    let items = list_mut(doc, "engines")?;
    let entry = position(items, engine)
        .and_then(|i| items.get_mut(i))
        .ok_or(conflict("engines"))?;
    let status = match entry {
        Value::Object(o) => member_mut(o, "status"),
        _ => None,
    };
    match status {
        Some(s) if s.as_str().is_some_and(|t| from.contains(&t)) => {
            *s = Value::String(Cow::Borrowed(to));
            Ok(())
        }
        _ => Err(conflict("engines")),
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
    let c = change.as_object().ok_or(invalid("change"))?;
    let id = |name| text_at(c, name).ok_or(invalid("change"));
    match proposal_type {
        ProposalType::AmendArticle => edit_list(
            &mut doc,
            "articles",
            id("article")?,
            action(c)?,
            article_of(c),
        )?,
        ProposalType::ChangeStatute => edit_list(
            &mut doc,
            "statutes",
            id("statute")?,
            action(c)?,
            statute_of(c),
        )?,
        ProposalType::ChangeRules => {
            if let Some(Value::Object(changed)) = c.get("rules") {
                match member_mut(&mut doc, "rules") {
                    Some(Value::Object(rules)) => {
                        for (name, value) in &changed.members {
                            rules.insert(name.clone(), value.clone());
                        }
                    }
                    _ => return Err(Failure::at(Error::InvalidConstitution, "rules")),
                }
            }
            if let Some(voters) = c.get("voters") {
                doc.insert("voters", voters.clone());
            }
        }
        ProposalType::AddEngine => {
            let engine = engine_of(c).ok_or(invalid("change.engine"))?;
            let eid = text_at(&engine, "id").ok_or(invalid("change.engine"))?;
            let eid = alloc::string::String::from(eid);
            edit_list(&mut doc, "engines", &eid, "add", engine)?;
        }
        ProposalType::RetireEngine => {
            set_engine_status(&mut doc, id("engine")?, &["active", "pending"], "retired")?
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
    let proposal_type = text_at(p, "proposal_type")
        .and_then(ProposalType::from_name)
        .ok_or(Failure::at(Error::InvalidField, "proposal_type"))?;
    let change = p
        .get("change")
        .ok_or(Failure::at(Error::MissingField, "change"))?;
    check_change(proposal_type, change)?;
    let next = next_document(constitution, &current, proposal_type, change)?;
    checked(&next, &mut KeyCache::default())?;
    Ok(next)
}
