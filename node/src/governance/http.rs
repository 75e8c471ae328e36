//! `GET /governance/…` (docs/node.md, "Governance"): public, as every member may audit the
//! governance scroll (ARTICLE-IV.2). Writes go through the ordinary append to `Governance`.
//!
//! - `constitution[?version=X.Y.Z]`: the document in force (or of that version), its version
//!   and hash;
//! - `versions`: every version that was in force;
//! - `chain`: `{"genesis", "receipts"}`, the file `vm-verify governance` checks;
//! - `state`: the node's clock, proposals, orders, emergencies, violations, enforcements,
//!   engines and parameters in force;
//! - `receipts?from=I&count=N`: governance receipts with their indexes.

use serde_json::{json, Value as J};
use vaultmesh_core::governance::{Action, Judge, OrderKind, Phase, ReviewOutcome, Version};

use super::{timestamp, Governance, MAX_BATCH};
use crate::http::query::Query;
use crate::node::{ApiError, Node, NodeCode, Result};

fn not_governed() -> ApiError {
    ApiError::node(
        NodeCode::NotFound,
        "this node has no constitution (initialised with --no-governance)",
    )
}

fn parsed(bytes: &[u8]) -> Result<J> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))
}

fn document_json(doc: &vaultmesh_core::json::Value<'_>) -> Result<J> {
    parsed(&doc.to_canonical())
}

fn phase(p: Phase) -> &'static str {
    match p {
        Phase::Open => "open",
        Phase::Ratified => "ratified",
        Phase::Rejected => "rejected",
        Phase::EnginePending => "engine_pending",
        Phase::Activated => "activated",
    }
}

fn weight(w: vaultmesh_core::encoding::Weight) -> J {
    json!(w.to_string().parse::<f64>().unwrap_or_default())
}

/// Answers `GET /governance/{rest}`.
pub fn get(node: &Node, rest: &[&str], query: &Query<'_>) -> Result<Vec<u8>> {
    let g = node.governance().ok_or_else(not_governed)?;
    let body = match rest {
        ["constitution"] => constitution(g, query)?,
        ["versions"] => versions(&g.judge()),
        ["state"] => state(node, g)?,
        ["chain"] => return chain(node, g),
        ["receipts"] => receipts(node, query)?,
        _ => {
            return Err(ApiError::node(
                NodeCode::NotFound,
                format!("no route /governance/{}", rest.join("/")),
            ))
        }
    };
    serde_json::to_vec(&body).map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))
}

fn constitution(g: &Governance, query: &Query<'_>) -> Result<J> {
    let judge = g.judge();
    let (version, document) = match query.get("version") {
        None => (judge.constitution().version, judge.document()),
        Some(v) => {
            let version = Version::parse(v).map_err(|e| ApiError::core(400, e, Some("version")))?;
            let doc = judge.document_of(version).ok_or_else(|| {
                ApiError::node(NodeCode::NotFound, format!("no constitution {version}"))
            })?;
            (version, doc)
        }
    };
    let hash = judge
        .versions()
        .find(|v| v.version == version)
        .map(|v| v.hash.to_string());
    Ok(
        json!({ "version": version.to_string(), "hash": hash, "document": document_json(document)? }),
    )
}

fn versions(judge: &Judge) -> J {
    let list: Vec<J> = judge
        .versions()
        .map(|v| {
            json!({
                "version": v.version.to_string(), "hash": v.hash.to_string(), "index": v.index,
                "proposal_id": v.proposal_id, "effective_at": v.effective_at.map(|t| t.to_string()),
            })
        })
        .collect();
    json!({ "versions": list })
}

fn action_json(a: &Action) -> J {
    match a {
        Action::Warning => json!({ "type": "warning" }),
        Action::CapabilitySuspension {
            capabilities,
            scope,
            until,
        } => json!({
            "type": "capability_suspension", "capabilities": capabilities, "scope": scope,
            "until": until.map(|t| t.to_string()),
        }),
    }
}

fn state(node: &Node, g: &Governance) -> Result<J> {
    let now_secs = node.now_secs();
    let now = timestamp(now_secs);
    let judge = g.judge();
    let c = judge.constitution();
    let proposals: Vec<J> = judge
        .proposals()
        .map(|p| {
            let (_, deliberation_ends, voting_ends) = judge
                .proposal_status(&p.proposal_id)
                .map_or((None, None, None), |(s, d, v)| (Some(s), Some(d), v));
            json!({
                "proposal_id": p.proposal_id, "proposal_type": p.proposal_type.name(),
                "status": phase(p.phase), "index": p.index,
                "deliberation_ends": deliberation_ends.map(|t| t.to_string()),
                "voting_ends": voting_ends.map(|t| t.to_string()),
                "in_deliberation": deliberation_ends.is_some_and(|d| now < d) && p.phase == Phase::Open,
                "tally": { "approve": weight(p.tally.approve), "reject": weight(p.tally.reject), "abstain": weight(p.tally.abstain) },
                "pending_engine": judge.pending_engine(&p.proposal_id).map(|(e, i)| json!({ "engine": e, "amendment_index": i })),
            })
        })
        .collect();
    let orders: Vec<J> = judge
        .orders()
        .iter()
        .map(|o| {
            let kind = match &o.kind {
                OrderKind::Issue => json!("issue"),
                OrderKind::Renewal(of) => json!({ "renews": of }),
                OrderKind::Revocation(of) => json!({ "revokes": of }),
            };
            json!({
                "order_id": o.order_id, "order_type": o.order_type, "issued_by": o.issued_by,
                "authority": o.authority, "issued_at": o.issued_at.to_string(), "kind": kind,
                "until": o.until.map(|t| t.to_string()), "renewals": o.renewals,
                "revoked_at": o.revoked_at.map(|t| t.to_string()), "powers": o.powers,
                "parameter": o.parameter.as_ref().map(|(p, v)| json!({ "name": p, "value": v })),
                "in_force": o.in_force_at(now), "index": o.index,
            })
        })
        .collect();
    let emergency: Vec<J> = judge
        .emergency_powers_at(now)
        .iter()
        .map(|p| json!({ "order_id": p.order_id, "power": p.power }))
        .collect();
    let violations: Vec<J> = judge
        .violations()
        .iter()
        .map(|v| {
            json!({
                "violation_id": v.violation_id, "rule": v.rule, "detected_by": v.detected_by,
                "severity": v.severity, "subject": v.subject, "detected_at": v.detected_at.to_string(),
                "index": v.index,
            })
        })
        .collect();
    let enforcements: Vec<J> = judge
        .enforcements()
        .iter()
        .map(|e| {
            let review = e.review.as_ref().map(|r| {
                json!({
                    "decision": match r.outcome { ReviewOutcome::Uphold => "uphold", ReviewOutcome::Dismiss => "dismiss", ReviewOutcome::Modify => "modify" },
                    "reviewed_by": r.reviewed_by, "reviewed_at": r.reviewed_at.to_string(),
                    "action": action_json(&r.action),
                })
            });
            json!({
                "enforcement_id": e.enforcement_id, "violation_id": e.violation_id, "target": e.target,
                "enforced_by": e.enforced_by, "action": action_json(&e.action),
                "enforced_at": e.enforced_at.to_string(), "review_deadline": e.review_deadline.to_string(),
                "review": review, "pending_review": e.review.is_none() && now < e.review_deadline,
                "review_overdue": e.review.is_none() && now >= e.review_deadline,
                "suspends_now": e.suspended_at(now), "index": e.index,
            })
        })
        .collect();
    let engines: Vec<J> = c
        .engines
        .values()
        .map(|e| json!({ "engine_id": e.id, "name": e.name, "scroll": e.scroll, "status": e.status.name() }))
        .collect();
    let configured = node.config.limits.max_batch;
    let max_batch = judge.parameter_at(MAX_BATCH, now);
    let hash = judge.versions().last().map(|v| v.hash.to_string());
    Ok(json!({
        "now": now.to_string(),
        "receipts": judge.receipts(),
        "constitution": { "version": c.version.to_string(), "hash": hash },
        "proposals": proposals,
        "orders": orders,
        "emergency_powers": emergency,
        "violations": violations,
        "enforcements": enforcements,
        "engines": engines,
        "parameters": {
            MAX_BATCH: {
                "configured": configured,
                "value": max_batch.map_or(configured as u64, |(v, _)| v),
                "order_id": max_batch.map(|(_, o)| o.order_id.clone()),
            }
        },
    }))
}

/// The chain file: the genesis and every receipt of the governance scroll, written from the
/// stored canonical bytes.
fn chain(node: &Node, g: &Governance) -> Result<Vec<u8>> {
    let scroll = node.scroll(crate::config::GOVERNANCE_SCROLL)?;
    let mut out = Vec::with_capacity(g.genesis().len() + 64);
    out.extend_from_slice(b"{\"genesis\":");
    out.extend_from_slice(g.genesis());
    out.extend_from_slice(b",\"receipts\":[");
    let mut reader = node.reader()?;
    reader.each_receipt(scroll.id, 0, scroll.size(), &mut |i, body, _| {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(body);
        Ok(())
    })?;
    out.extend_from_slice(b"]}");
    Ok(out)
}

fn receipts(node: &Node, query: &Query<'_>) -> Result<J> {
    let scroll = node.scroll(crate::config::GOVERNANCE_SCROLL)?;
    let max = node.config.limits.max_range;
    let from = query.uint("from")?.unwrap_or(0);
    let count = query.uint("count")?.unwrap_or(max).min(max);
    let to = from.saturating_add(count).min(scroll.size());
    let mut reader = node.reader()?;
    let mut list = Vec::new();
    let mut failure = None;
    reader.each_receipt(scroll.id, from.min(to), to, &mut |i, body, _| {
        match serde_json::from_slice::<J>(body) {
            Ok(r) => list.push(json!({ "index": i, "receipt": r })),
            Err(e) => {
                failure.get_or_insert(e.to_string());
            }
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(ApiError::node(NodeCode::Internal, e));
    }
    Ok(json!({ "scroll": scroll.name, "tree_size": scroll.size(), "receipts": list }))
}
