//! Each `vm-gov` command: read what it needs from the node, build the receipt the protocol
//! document writes, show it, sign it with the actor's key (the core's `sign_record`), append
//! it and print what the node stored.

use std::path::{Path, PathBuf};

use serde_json::{json, Value as J};
use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::encoding::Weight;
use vaultmesh_core::governance::{self, Comparison, Constitution, ProposalType};
use vaultmesh_core::json::{self as vjson, Limits, Number, Value};
use vaultmesh_core::record::{sign_record, Kind};
use vaultmesh_core::sign::SecretKey;

use crate::node::Node;
use crate::{Fail, ProposalArgs};

/// What every command works with.
pub struct Ctx {
    /// The node.
    pub node: Node,
    /// The actor's key file.
    pub key: Option<PathBuf>,
    /// `--as`.
    pub actor: Option<String>,
    /// `--json`.
    pub json: bool,
}

const BIG: Limits = Limits {
    max_bytes: 16 << 20,
    max_depth: 64,
};

fn usage(m: impl Into<String>) -> Fail {
    Fail::usage(m.into())
}

fn print(ctx: &Ctx, text: &str, value: J) {
    if ctx.json {
        println!("{value}");
    } else {
        println!("{text}");
    }
}

fn pretty(v: &J) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn read_json(path: &Path) -> Result<J, Fail> {
    let text =
        std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| usage(format!("{}: not JSON: {e}", path.display())))
}

fn read_key(path: &Path) -> Result<SecretKey, Fail> {
    let text = std::fs::read(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    SecretKey::from_key_file(&text)
        .map_err(|e| usage(format!("{} is not a key file ({e})", path.display())))
}

/// The member of `doc` whose key is `key`: a voter, the sovereign or an engine.
fn member_with_key(doc: &J, key: &str) -> Option<String> {
    let voters = doc["voters"].as_array().into_iter().flatten();
    let engines = doc["registered_engines"].as_array().into_iter().flatten();
    voters
        .filter(|v| v["key"] == key)
        .map(|v| v["id"].clone())
        .chain(
            std::iter::once(&doc["sovereign"])
                .filter(|s| s["key"] == key)
                .map(|s| s["id"].clone()),
        )
        .chain(
            engines
                .filter(|e| e["public_key"] == key)
                .map(|e| e["engine_id"].clone()),
        )
        .find_map(|v| v.as_str().map(str::to_string))
}

/// Who signs: the key and the actor it is (by `--as` or by the constitution).
fn signer(ctx: &Ctx, doc: &J) -> Result<(SecretKey, String), Fail> {
    let path = ctx
        .key
        .as_ref()
        .ok_or_else(|| usage("this command signs: --key FILE (your own key file)"))?;
    let key = read_key(path)?;
    let public = key.public_key().to_string();
    // A member signs with their own key, never the mesh's.
    let mesh = ctx.node.get("/federation/discovery")?;
    if mesh["public_key"] == public.as_str() {
        return Err(usage(format!(
            "{} is the mesh's federation key: sign with your own key file",
            path.display()
        )));
    }
    let actor = match &ctx.actor {
        Some(a) => a.clone(),
        None => member_with_key(doc, &public).ok_or_else(|| {
            usage(format!(
                "the key {public} ({}) is no member's in the constitution in force; name yourself with --as DID",
                path.display()
            ))
        })?,
    };
    Ok((key, actor))
}

/// Shows `body` (on stderr), signs it as `kind` with `key` and appends it: the receipt and
/// the node's answer.
fn append_signed(
    ctx: &Ctx,
    body: J,
    kind: Kind,
    key: &SecretKey,
    actor: &str,
) -> Result<(J, J), Fail> {
    eprintln!(
        "vm-gov: signing as {actor} ({}):\n{}",
        kind.domain(),
        pretty(&body)
    );
    let text = body.to_string();
    let mut value =
        vjson::parse(text.as_bytes(), &BIG).map_err(|e| usage(format!("record: {e}")))?;
    if let Value::Object(o) = &mut value {
        sign_record(o, kind, key.seed());
    }
    let bytes = value.to_canonical();
    let appended = ctx.node.append(&bytes)?;
    let receipt: J = serde_json::from_slice(&bytes).unwrap_or_default();
    let at = json!({ "scroll": "Governance", "index": appended["first_index"], "tree_size": appended["tree_size"] });
    Ok((receipt, at))
}

fn appended_text(kind: Kind, receipt: &J, at: &J) -> String {
    format!(
        "appended {} to Governance at index {} (tree size {})\n{}",
        kind.domain(),
        at["index"],
        at["tree_size"],
        pretty(receipt)
    )
}

/// [`append_signed`], then prints the stored receipt.
fn submit(ctx: &Ctx, body: J, kind: Kind, key: &SecretKey, actor: &str) -> Result<J, Fail> {
    let (receipt, at) = append_signed(ctx, body, kind, key, actor)?;
    print(
        ctx,
        &appended_text(kind, &receipt, &at),
        json!({ "appended": at, "receipt": receipt }),
    );
    Ok(receipt)
}

struct State {
    now: Timestamp,
    state: J,
    doc: J,
    hash: String,
}

fn state(ctx: &Ctx) -> Result<State, Fail> {
    let state = ctx.node.state()?;
    let now = state["now"]
        .as_str()
        .and_then(|t| Timestamp::parse(t).ok())
        .ok_or_else(|| usage("the node's state has no clock (`now`)"))?;
    let c = ctx.node.constitution(None)?;
    Ok(State {
        now,
        doc: c["document"].clone(),
        hash: c["hash"].as_str().unwrap_or_default().to_string(),
        state,
    })
}

fn later(t: Timestamp, seconds: u64) -> String {
    t.saturating_add_seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
        .to_string()
}

/// `PREFIX-YYYY-MM-NNN`, the next free number of the month among `taken`.
fn next_id(prefix: &str, now: Timestamp, taken: &[&str]) -> String {
    let month = &now.to_string()[..7];
    (1..)
        .map(|n| format!("{prefix}-{month}-{n:03}"))
        .find(|id| !taken.contains(&id.as_str()))
        .unwrap_or_default()
}

/// `PROP-2025-12-001` → `2025-12-001`.
fn short(id: &str) -> &str {
    id.strip_prefix("PROP-").unwrap_or(id)
}

fn ids<'s>(list: &'s J, member: &str) -> Vec<&'s str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x[member].as_str())
        .collect()
}

fn find<'s>(list: &'s J, member: &str, id: &str) -> Result<&'s J, Fail> {
    list.as_array()
        .into_iter()
        .flatten()
        .find(|x| x[member] == id)
        .ok_or_else(|| usage(format!("no {member} {id} on the node")))
}

fn core_value(v: &J) -> Result<Value<'static>, Fail> {
    let text = v.to_string();
    let parsed = vjson::parse(text.as_bytes(), &BIG).map_err(|e| usage(format!("JSON: {e}")))?;
    Ok(owned(&parsed))
}

fn owned(v: &Value<'_>) -> Value<'static> {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(n) => Value::Number(*n),
        Value::String(s) => Value::String(s.to_string().into()),
        Value::Array(a) => Value::Array(a.iter().map(owned).collect()),
        Value::Object(o) => Value::Object(vjson::Object {
            members: o
                .members
                .iter()
                .map(|(k, v)| (std::borrow::Cow::Owned(k.to_string()), owned(v)))
                .collect(),
        }),
    }
}

fn constitution(doc: &J) -> Result<Constitution, Fail> {
    Constitution::parse(&core_value(doc)?)
        .map_err(|f| usage(format!("the node's constitution does not parse: {f:?}")))
}

// ---------------------------------------------------------------------------------------------
// The constitution.

/// `constitution show`.
pub fn constitution_show(ctx: &Ctx, version: Option<&str>) -> Result<(), Fail> {
    let c = ctx.node.constitution(version)?;
    print(
        ctx,
        &format!(
            "constitution {} ({})\n{}",
            c["version"].as_str().unwrap_or("?"),
            c["hash"].as_str().unwrap_or("?"),
            pretty(&c["document"])
        ),
        c,
    );
    Ok(())
}

/// `constitution version`.
pub fn constitution_version(ctx: &Ctx) -> Result<(), Fail> {
    let v = ctx.node.get("/governance/versions")?;
    let list = v["versions"].as_array().cloned().unwrap_or_default();
    let last = list.last().cloned().unwrap_or_default();
    let mut text = format!(
        "{} {}",
        last["version"].as_str().unwrap_or("?"),
        last["hash"].as_str().unwrap_or("?")
    );
    for v in &list {
        text.push_str(&format!(
            "\n  {} {} {}",
            v["version"].as_str().unwrap_or("?"),
            v["hash"].as_str().unwrap_or("?"),
            v["proposal_id"].as_str().unwrap_or("genesis")
        ));
    }
    print(
        ctx,
        &text,
        json!({ "version": last["version"], "hash": last["hash"], "versions": list }),
    );
    Ok(())
}

/// The differences between two JSON values, as `(path, before, after)`; arrays of objects
/// are matched by `id` or `engine_id`.
fn diff(path: &str, a: &J, b: &J, out: &mut Vec<(String, J, J)>) {
    let key = |x: &J| {
        x.get("id")
            .or_else(|| x.get("engine_id"))
            .and_then(J::as_str)
            .map(str::to_string)
    };
    match (a, b) {
        (J::Object(x), J::Object(y)) => {
            for (k, v) in x {
                diff(&format!("{path}.{k}"), v, y.get(k).unwrap_or(&J::Null), out);
            }
            for (k, v) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                diff(&format!("{path}.{k}"), &J::Null, v, out);
            }
        }
        (J::Array(x), J::Array(y)) if x.iter().chain(y).all(|e| key(e).is_some()) => {
            for e in x {
                let k = key(e).unwrap_or_default();
                let other = y.iter().find(|f| key(f).as_deref() == Some(k.as_str()));
                diff(&format!("{path}[{k}]"), e, other.unwrap_or(&J::Null), out);
            }
            for e in y {
                let k = key(e).unwrap_or_default();
                if !x.iter().any(|f| key(f).as_deref() == Some(k.as_str())) {
                    diff(&format!("{path}[{k}]"), &J::Null, e, out);
                }
            }
        }
        _ if a != b => out.push((path.to_string(), a.clone(), b.clone())),
        _ => {}
    }
}

/// `constitution diff A B`.
pub fn constitution_diff(ctx: &Ctx, a: &str, b: &str) -> Result<(), Fail> {
    let (x, y) = (
        ctx.node.constitution(Some(a))?,
        ctx.node.constitution(Some(b))?,
    );
    let mut changes = Vec::new();
    diff("", &x["document"], &y["document"], &mut changes);
    let mut text = format!("{a} → {b}: {} change(s)", changes.len());
    for (path, before, after) in &changes {
        let line = match (before, after) {
            (J::Null, v) => format!("\n+ {path}: {v}"),
            (v, J::Null) => format!("\n- {path}: {v}"),
            (v, w) => format!("\n~ {path}: {v} → {w}"),
        };
        text.push_str(&line);
    }
    let list: Vec<J> = changes
        .iter()
        .map(|(p, b, a)| json!({ "path": p, "before": b, "after": a }))
        .collect();
    print(ctx, &text, json!({ "from": a, "to": b, "changes": list }));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Proposals, votes, ratification, activation.

/// `proposal create`.
pub fn proposal_create(ctx: &Ctx, a: &ProposalArgs) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    let file = a.file.as_deref().map(read_json).transpose()?;
    let (content, title, rationale) = match a.proposal_type.as_str() {
        "add_engine" => {
            let need = |v: &Option<String>, flag: &str| {
                v.clone()
                    .ok_or_else(|| usage(format!("add_engine needs --{flag}")))
            };
            let engine = need(&a.engine_id, "engine-id")?;
            let public_key = match (&a.public_key, &a.engine_key) {
                (Some(k), _) => k.clone(),
                (None, Some(f)) => read_key(f)?.public_key().to_string(),
                (None, None) => return Err(usage("add_engine needs --public-key or --engine-key")),
            };
            let text = json!({"engine_id": engine, "name": need(&a.name, "name")?,
                "scroll": need(&a.scroll, "scroll")?, "authority": need(&a.authority, "authority")?,
                "public_key": public_key});
            (
                json!({"target": engine, "action": "add", "text": text}),
                format!("Register {engine}"),
                None,
            )
        }
        _ => {
            let f = file.ok_or_else(|| usage("this proposal type needs --file F"))?;
            match f.get("content") {
                Some(c) => (
                    c.clone(),
                    f["title"].as_str().unwrap_or_default().to_string(),
                    f.get("rationale").cloned(),
                ),
                None => (f.clone(), String::new(), None),
            }
        }
    };
    let title = a.title.clone().unwrap_or(title);
    let title = if title.is_empty() {
        format!(
            "Change {}",
            content["target"].as_str().unwrap_or("the constitution")
        )
    } else {
        title
    };
    let id = match &a.id {
        Some(id) => id.clone(),
        None => next_id("PROP", s.now, &ids(&s.state["proposals"], "proposal_id")),
    };
    let min = s.doc["rules"]["min_deliberation_seconds"]
        .as_u64()
        .unwrap_or(0);
    let deliberation = a.deliberation_days.map_or(min, |d| d * 86_400);
    let mut body = json!({"type": "gov_proposal", "proposal_id": id, "proposal_type": a.proposal_type,
        "title": title, "author": actor, "submitted_at": s.now.to_string(),
        "deliberation_ends": later(s.now, deliberation), "content": content, "status": "deliberation"});
    if let Some(r) = a.rationale.clone().map(J::String).or(rationale) {
        body["rationale"] = r;
    }
    submit(ctx, body, Kind::GovProposal, &key, &actor)?;
    Ok(())
}

/// `proposal list`.
pub fn proposal_list(ctx: &Ctx, status: Option<&str>) -> Result<(), Fail> {
    let st = ctx.node.state()?;
    let list: Vec<J> = st["proposals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| status.map_or(true, |s| p["status"] == s))
        .cloned()
        .collect();
    let text = list
        .iter()
        .map(|p| {
            format!(
                "{} {} {} approve {} reject {} abstain {} (deliberation ends {})",
                p["proposal_id"].as_str().unwrap_or("?"),
                p["proposal_type"].as_str().unwrap_or("?"),
                p["status"].as_str().unwrap_or("?"),
                p["tally"]["approve"],
                p["tally"]["reject"],
                p["tally"]["abstain"],
                p["deliberation_ends"].as_str().unwrap_or("?"),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(ctx, &text, json!({ "proposals": list }));
    Ok(())
}

fn proposal_receipt(ctx: &Ctx, st: &J, id: &str) -> Result<(J, J), Fail> {
    let p = find(&st["proposals"], "proposal_id", id)?.clone();
    let receipt = ctx.node.receipt(p["index"].as_u64().unwrap_or(0))?;
    Ok((p, receipt))
}

/// `proposal show`.
pub fn proposal_show(ctx: &Ctx, id: &str) -> Result<(), Fail> {
    let st = ctx.node.state()?;
    let (p, receipt) = proposal_receipt(ctx, &st, id)?;
    print(
        ctx,
        &format!("{}\n{}", pretty(&p), pretty(&receipt)),
        json!({ "proposal": p, "receipt": receipt }),
    );
    Ok(())
}

fn weight_of(doc: &J, voter: &str) -> Option<J> {
    doc["voters"]
        .as_array()?
        .iter()
        .find(|v| v["id"] == voter)
        .map(|v| v["weight"].clone())
}

/// `vote ID --vote …`.
pub fn vote(ctx: &Ctx, id: &str, choice: &str, reason: Option<&str>) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    // The weight registered when the proposal was submitted; a voter the constitution does
    // not know votes with weight 0 and is refused by the node (UNREGISTERED_VOTER).
    let weight = weight_of(&s.doc, &actor).unwrap_or(json!(0));
    let name = actor.rsplit(':').next().unwrap_or(&actor);
    let mut body = json!({"type": "gov_vote", "vote_id": format!("VOTE-{}-{name}", short(id)),
        "proposal_id": id, "voter": actor, "voted_at": s.now.to_string(), "vote": choice, "weight": weight});
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    submit(ctx, body, Kind::GovVote, &key, &actor)?;
    Ok(())
}

fn weight(v: &J) -> Weight {
    let n = v.as_f64().unwrap_or(0.0);
    Weight::from_number(&Number {
        value: n,
        plain_integer: n.fract() == 0.0,
    })
    .unwrap_or_default()
}

/// `ratify ID`: the ratification the votes support (quorum, threshold, versions), and when it
/// ratifies, the amendment that brings the next constitution in force.
pub fn ratify(ctx: &Ctx, id: &str) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    let (p, receipt) = proposal_receipt(ctx, &s.state, id)?;
    let c = constitution(&s.doc)?;
    let pt = p["proposal_type"]
        .as_str()
        .and_then(ProposalType::from_name)
        .ok_or_else(|| usage("unknown proposal type"))?;
    let tally = &p["tally"];
    let (approve, reject, abstain) = (
        weight(&tally["approve"]),
        weight(&tally["reject"]),
        weight(&tally["abstain"]),
    );
    let cast = approve.saturating_add(reject).saturating_add(abstain);
    let quorum = c
        .rules
        .quorum
        .reached(cast.0, c.total_weight.0, Comparison::AtLeast);
    let passes = c.rules.threshold(pt).passes(approve, reject);
    let ratified = quorum && passes;
    let doc = core_value(&s.doc)?;
    let next = if ratified {
        Some(
            governance::apply(&doc, &core_value(&receipt)?)
                .map_err(|f| usage(format!("the change does not apply: {f:?}")))?,
        )
    } else {
        None
    };
    let after = next
        .as_ref()
        .and_then(|n| n.as_object())
        .and_then(|o| o.get("version"))
        .and_then(Value::as_str)
        .map_or(c.version.to_string(), str::to_string);
    let mut body = json!({"type": "gov_ratification", "ratification_id": format!("RAT-{}", short(id)),
        "proposal_id": id, "ratified_at": s.now.to_string(), "ratified_by": actor,
        "vote_summary": {"approve": tally["approve"], "reject": tally["reject"], "abstain": tally["abstain"]},
        "quorum_met": quorum, "constitution_version_before": c.version.to_string(),
        "constitution_version_after": after});
    if !ratified {
        body["decision"] = json!("rejected");
    }
    let (ratification, at) = append_signed(ctx, body, Kind::GovRatification, &key, &actor)?;
    let mut text = appended_text(Kind::GovRatification, &ratification, &at);
    let mut out = json!({ "ratification": { "appended": at, "receipt": ratification } });
    if let Some(next) = next {
        let body = json!({"type": "gov_amendment", "amendment_id": format!("AMEND-{}", short(id)),
            "proposal_id": id, "effective_at": s.now.to_string(),
            "constitution_hash_before": s.hash,
            "constitution_hash_after": governance::constitution_hash(&next).to_string(),
            "activated_by": actor});
        let (amendment, at) = append_signed(ctx, body, Kind::GovAmendment, &key, &actor)?;
        text.push('\n');
        text.push_str(&appended_text(Kind::GovAmendment, &amendment, &at));
        out["amendment"] = json!({ "appended": at, "receipt": amendment });
    }
    print(ctx, &text, out);
    Ok(())
}

/// `proposal activate ID`: signs a checkpoint of the governance scroll (it includes the
/// amendment that made the engine pending) and cites it in the activation.
pub fn proposal_activate(ctx: &Ctx, id: &str) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    let p = find(&s.state["proposals"], "proposal_id", id)?;
    let engine = p["pending_engine"]["engine"]
        .as_str()
        .ok_or_else(|| usage(format!("{id} has no engine awaiting activation")))?
        .to_string();
    let checkpoint = ctx.node.checkpoint()?;
    let next = governance::activate_engine(&core_value(&s.doc)?, &engine)
        .map_err(|f| usage(format!("cannot activate {engine}: {f:?}")))?;
    let body = json!({"type": "gov_amendment", "amendment_id": format!("AMEND-{}-ACTIVATE", short(id)),
        "proposal_id": id, "effective_at": s.now.to_string(),
        "anchor_proof": {"backend": "scroll_checkpoint", "scroll": checkpoint["scroll"],
            "tree_size": checkpoint["tree_size"], "root": checkpoint["root"], "anchored_at": checkpoint["timestamp"]},
        "constitution_hash_before": s.hash,
        "constitution_hash_after": governance::constitution_hash(&next).to_string(),
        "activated_by": actor});
    submit(ctx, body, Kind::GovAmendment, &key, &actor)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Executive orders and emergencies.

/// The section granting `actor` orders of `order_type` (`emergency` for emergencies).
fn granting_section(doc: &J, actor: &str, order_type: &str) -> Option<String> {
    let sections = doc["articles"]
        .as_array()?
        .iter()
        .flat_map(|a| a["sections"].as_array().into_iter().flatten());
    for s in sections {
        for g in s["grants"].as_array().into_iter().flatten() {
            let holds = g["holders"]
                .as_array()
                .is_some_and(|h| h.iter().any(|x| x == actor));
            let grants = match order_type {
                "emergency" => g["power"] == "emergency",
                t => {
                    g["power"] == "executive_order"
                        && g["order_types"]
                            .as_array()
                            .is_some_and(|o| o.iter().any(|x| x == t))
                }
            };
            if holds && grants {
                return s["id"].as_str().map(str::to_string);
            }
        }
    }
    None
}

/// A new executive order.
pub struct NewOrder<'a> {
    /// `order_type`.
    pub order_type: &'a str,
    /// Its content file.
    pub file: Option<&'a Path>,
    /// `authority`.
    pub authority: Option<&'a str>,
    /// Hours until it expires.
    pub hours: Option<u64>,
    /// `order_id`.
    pub id: Option<&'a str>,
    /// `title`.
    pub title: Option<&'a str>,
}

/// `order create`.
pub fn order_create(ctx: &Ctx, o: NewOrder<'_>) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    let authority = match o.authority {
        Some(a) => a.to_string(),
        // No section grants it: cite the first article's, and the node says why it refuses.
        None => {
            granting_section(&s.doc, &actor, o.order_type).unwrap_or_else(|| "ARTICLE-I.1".into())
        }
    };
    let id =
        o.id.map(str::to_string)
            .unwrap_or_else(|| next_id("ORDER", s.now, &ids(&s.state["orders"], "order_id")));
    let mut body = json!({"type": "gov_executive_order", "order_id": id,
        "title": o.title.map_or_else(|| o.order_type.replace('_', " "), str::to_string),
        "issued_by": actor, "issued_at": s.now.to_string(), "authority": authority, "order_type": o.order_type});
    if let Some(f) = o.file {
        body["content"] = read_json(f)?;
    }
    if let Some(h) = o.hours {
        body["duration"] = json!({"type": "temporary", "expires_at": later(s.now, h * 3600)});
    }
    submit(ctx, body, Kind::GovExecutiveOrder, &key, &actor)?;
    Ok(())
}

/// `order list`.
pub fn order_list(ctx: &Ctx, active: bool) -> Result<(), Fail> {
    let st = ctx.node.state()?;
    let list: Vec<J> = st["orders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| !active || o["in_force"] == true)
        .cloned()
        .collect();
    let text = list
        .iter()
        .map(|o| {
            format!(
                "{} {} by {} under {} until {} {}",
                o["order_id"].as_str().unwrap_or("?"),
                o["order_type"].as_str().unwrap_or("?"),
                o["issued_by"].as_str().unwrap_or("?"),
                o["authority"].as_str().unwrap_or("?"),
                o["until"].as_str().unwrap_or("-"),
                if o["in_force"] == true {
                    "in force"
                } else {
                    ""
                },
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(ctx, &text, json!({ "orders": list }));
    Ok(())
}

fn revocation(ctx: &Ctx, s: &State, target: &J) -> Result<(), Fail> {
    let (key, actor) = signer(ctx, &s.doc)?;
    let target_id = target["order_id"].as_str().unwrap_or_default();
    let body = json!({"type": "gov_executive_order", "order_id": format!("{target_id}-END"),
        "title": format!("End of {target_id}"), "issued_by": actor, "issued_at": s.now.to_string(),
        "authority": target["authority"], "order_type": target["order_type"], "revokes": target_id});
    submit(ctx, body, Kind::GovExecutiveOrder, &key, &actor)?;
    Ok(())
}

/// `order revoke ID`.
pub fn order_revoke(ctx: &Ctx, id: &str) -> Result<(), Fail> {
    let s = state(ctx)?;
    let target = find(&s.state["orders"], "order_id", id)?.clone();
    revocation(ctx, &s, &target)
}

/// `emergency declare`.
pub fn emergency_declare(
    ctx: &Ctx,
    emergency_type: &str,
    description: &str,
    powers: &[String],
    hours: u64,
    id: Option<&str>,
) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    let authority =
        granting_section(&s.doc, &actor, "emergency").unwrap_or_else(|| "ARTICLE-VI.1".into());
    let id = id
        .map(str::to_string)
        .unwrap_or_else(|| next_id("EMERG", s.now, &ids(&s.state["orders"], "order_id")));
    let body = json!({"type": "gov_executive_order", "order_id": id, "title": "Emergency Declaration",
        "issued_by": actor, "issued_at": s.now.to_string(), "authority": authority, "order_type": "emergency",
        "content": {"emergency_type": emergency_type, "threat_description": description, "powers_invoked": powers},
        "duration": {"type": "emergency", "expires_at": later(s.now, hours * 3600), "renewable": true}});
    submit(ctx, body, Kind::GovExecutiveOrder, &key, &actor)?;
    Ok(())
}

fn emergency_in_force(s: &State, id: Option<&str>) -> Result<J, Fail> {
    let list = s.state["orders"].as_array().cloned().unwrap_or_default();
    list.into_iter()
        .find(|o| {
            o["order_type"] == "emergency"
                && o["kind"] == "issue"
                && o["in_force"] == true
                && id.map_or(true, |i| o["order_id"] == i)
        })
        .ok_or_else(|| usage("no emergency in force"))
}

/// `emergency status`.
pub fn emergency_status(ctx: &Ctx) -> Result<(), Fail> {
    let st = ctx.node.state()?;
    let orders: Vec<J> = st["orders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["order_type"] == "emergency" && o["kind"] == "issue")
        .cloned()
        .collect();
    let text = match orders.iter().filter(|o| o["in_force"] == true).count() {
        0 => format!(
            "no emergency in force at {}",
            st["now"].as_str().unwrap_or("?")
        ),
        _ => orders
            .iter()
            .filter(|o| o["in_force"] == true)
            .map(|o| {
                format!(
                    "{} in force until {} (renewed {}x): {}",
                    o["order_id"].as_str().unwrap_or("?"),
                    o["until"].as_str().unwrap_or("?"),
                    o["renewals"],
                    o["powers"]
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    print(
        ctx,
        &text,
        json!({ "now": st["now"], "powers_in_force": st["emergency_powers"], "emergencies": orders }),
    );
    Ok(())
}

/// `emergency extend --hours N`: a renewal with the same powers, until now + N hours.
pub fn emergency_extend(ctx: &Ctx, hours: u64, id: Option<&str>) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    let e = emergency_in_force(&s, id)?;
    let eid = e["order_id"].as_str().unwrap_or_default();
    let n = e["renewals"].as_u64().unwrap_or(0) + 1;
    let original = ctx.node.receipt(e["index"].as_u64().unwrap_or(0))?;
    let body = json!({"type": "gov_executive_order", "order_id": format!("{eid}-R{n}"),
        "title": format!("Renewal {n} of {eid}"), "issued_by": actor, "issued_at": s.now.to_string(),
        "authority": e["authority"], "order_type": "emergency", "renews": eid,
        "content": original["content"],
        "duration": {"type": "emergency", "expires_at": later(s.now, hours * 3600), "renewable": true}});
    submit(ctx, body, Kind::GovExecutiveOrder, &key, &actor)?;
    Ok(())
}

/// `emergency end`.
pub fn emergency_end(ctx: &Ctx, id: Option<&str>) -> Result<(), Fail> {
    let s = state(ctx)?;
    let e = emergency_in_force(&s, id)?;
    revocation(ctx, &s, &e)
}

// ---------------------------------------------------------------------------------------------
// Violations and enforcement.

/// `violations list`.
pub fn violations_list(ctx: &Ctx, severity: Option<&str>) -> Result<(), Fail> {
    let st = ctx.node.state()?;
    let list: Vec<J> = st["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| severity.map_or(true, |s| v["severity"] == s))
        .cloned()
        .collect();
    let text = list
        .iter()
        .map(|v| {
            format!(
                "{} {} {} by {} against {} at {}",
                v["violation_id"].as_str().unwrap_or("?"),
                v["severity"].as_str().unwrap_or("?"),
                v["rule"].as_str().unwrap_or("?"),
                v["subject"].as_str().unwrap_or("?"),
                v["detected_by"].as_str().unwrap_or("?"),
                v["detected_at"].as_str().unwrap_or("?"),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(ctx, &text, json!({ "violations": list }));
    Ok(())
}

/// A new enforcement against a violation.
pub struct NewEnforcement<'a> {
    /// The violation.
    pub violation_id: &'a str,
    /// `warning` or `suspend`.
    pub decision: &'a str,
    /// The capability suspended.
    pub capability: &'a str,
    /// `all_scrolls` or a scroll.
    pub scope: &'a str,
    /// `pending_review` or a time.
    pub duration: &'a str,
    /// Days until the review deadline.
    pub review_days: u64,
    /// `enforcement_id`.
    pub enforcement_id: Option<&'a str>,
}

/// `violations review ID --decision …`: a `gov_enforcement` against the violation's actor.
pub fn violation_review(ctx: &Ctx, e: NewEnforcement<'_>) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    let v = find(&s.state["violations"], "violation_id", e.violation_id)?;
    let target = v["subject"]
        .as_str()
        .ok_or_else(|| usage("the violation names no actor"))?;
    let id = e.enforcement_id.map(str::to_string).unwrap_or_else(|| {
        next_id(
            "ENF",
            s.now,
            &ids(&s.state["enforcements"], "enforcement_id"),
        )
    });
    let (enforcement_type, action) = match e.decision {
        "warning" => ("warning", json!({})),
        _ => (
            "capability_suspension",
            json!({"capability_suspended": e.capability, "scope": e.scope, "duration": e.duration}),
        ),
    };
    let body = json!({"type": "gov_enforcement", "enforcement_id": id, "violation_id": e.violation_id,
        "enforced_at": s.now.to_string(), "enforcement_type": enforcement_type, "target": target,
        "action_taken": action, "review_required": true,
        "review_deadline": later(s.now, e.review_days * 86_400), "enforced_by": actor});
    submit(ctx, body, Kind::GovEnforcement, &key, &actor)?;
    Ok(())
}

/// `enforcement list`.
pub fn enforcement_list(ctx: &Ctx, pending_review: bool) -> Result<(), Fail> {
    let st = ctx.node.state()?;
    let list: Vec<J> = st["enforcements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| !pending_review || e["pending_review"] == true)
        .cloned()
        .collect();
    let text = list
        .iter()
        .map(|e| {
            format!(
                "{} against {} ({}) review by {}{}{}",
                e["enforcement_id"].as_str().unwrap_or("?"),
                e["target"].as_str().unwrap_or("?"),
                e["action"]["type"].as_str().unwrap_or("?"),
                e["review_deadline"].as_str().unwrap_or("?"),
                if e["review_overdue"] == true {
                    " OVERDUE"
                } else {
                    ""
                },
                e["review"]["decision"]
                    .as_str()
                    .map_or(String::new(), |d| format!(" reviewed: {d}")),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    print(ctx, &text, json!({ "enforcements": list }));
    Ok(())
}

/// `enforcement review ID --decision …`: the review receipt (same id, violation, target and
/// deadline; the original action, or for `modify` the new one).
pub fn enforcement_review(
    ctx: &Ctx,
    id: &str,
    decision: &str,
    duration: Option<&str>,
) -> Result<(), Fail> {
    let s = state(ctx)?;
    let (key, actor) = signer(ctx, &s.doc)?;
    let e = find(&s.state["enforcements"], "enforcement_id", id)?;
    let original = ctx.node.receipt(e["index"].as_u64().unwrap_or(0))?;
    let mut action = original["action_taken"].clone();
    if decision == "modify" {
        let d = duration.ok_or_else(|| usage("modify needs --duration"))?;
        action["duration"] = json!(d);
    }
    let body = json!({"type": "gov_enforcement", "enforcement_id": id, "violation_id": original["violation_id"],
        "enforced_at": s.now.to_string(), "enforcement_type": original["enforcement_type"],
        "target": original["target"], "action_taken": action, "review_required": true,
        "review_deadline": original["review_deadline"], "enforced_by": actor,
        "review": {"decision": decision, "reviewed_at": s.now.to_string()}});
    submit(ctx, body, Kind::GovEnforcement, &key, &actor)?;
    Ok(())
}
