//! Split views across witnesses (issue 12 item 4; docs/SPEC.md §7.10): a mesh that shows one
//! history to one partner and another to a second cannot be caught by either alone, so before a
//! witness accepts a checkpoint it asks its other partners which checkpoint of that mesh's
//! scroll they accepted last (`GET /federation/witnessed?mesh=&scroll=`). The answers are signed
//! by the witnessed mesh itself, so a partner can neither forge one nor be trusted for one: each
//! is verified under the witnessed mesh's pinned key. Two of one size with different roots are a
//! `split_view`; of different sizes, the witnessed mesh must prove them consistent, and a proof
//! that fails is `inconsistent`. Either way the evidence is the witnessed mesh's own signatures,
//! which `vm-verify evidence` confirms without trusting any witness.
//!
//! C2SP witnesses stop at consistency with their own last checkpoint and leave comparing
//! cosignatures to clients; here the witnesses compare among themselves on every round.

use vaultmesh_core::federation::{self, Checkpoint};
use vaultmesh_core::merkle::ConsistencyProof;
use vaultmesh_core::record::Keyring;
use vaultmesh_core::witness::{self, Verdict};

use super::state::{self, Agreement};
use super::witness::{accepted_key, call_peer, canonical, json_of, parse, ACCEPTED};
use super::{peers, signed};
use crate::node::{ApiError, Node, NodeCode, Result};

/// At most this many partners are asked per round (the rest are not: a round stays bounded).
pub const MAX_PARTNERS_ASKED: usize = 16;

/// `GET /federation/witnessed?mesh=DID&scroll=S` from a partner: the checkpoint of `mesh`'s
/// `scroll` this node accepted last as a witness (`null` if none). Only signed checkpoints are
/// served, which the caller verifies itself.
pub fn serve(node: &Node, query: &str) -> Result<serde_json::Value> {
    let q = crate::http::query::Query::parse(query);
    let need = |name: &'static str| {
        q.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            ApiError::node(
                NodeCode::BadRequest,
                format!("/federation/witnessed needs ?mesh=DID&scroll=NAME ({name} missing)"),
            )
        })
    };
    let (mesh, scroll) = (need("mesh")?, need("scroll")?);
    let accepted = node
        .reader()?
        .state(ACCEPTED, &accepted_key(mesh, scroll))?;
    Ok(serde_json::json!({
        "mesh_id": mesh,
        "scroll": scroll,
        "checkpoint": accepted.as_deref().map(json_of),
    }))
}

/// Asks this node's other partners (agreements in force, any level) for the checkpoint of
/// `mesh`'s `scroll` they accepted last, and compares each with `ours` (verified, canonical
/// `ours_bytes`). `mesh_url` and `ring` are the witnessed mesh's address and key. A partner that
/// does not answer, or answers with something that does not verify, is skipped (logged): it is
/// no evidence against the witnessed mesh. Answers the evidence of the first contradiction
/// (docs/SPEC.md §7.9), with `reported_by` the partner that held the other checkpoint.
pub fn cross_check(
    node: &Node,
    mesh: &str,
    mesh_url: &str,
    ring: &Keyring,
    ours: &Checkpoint,
    ours_bytes: &[u8],
) -> Result<Option<serde_json::Value>> {
    let now = node.now();
    let mut partners: Vec<String> = state::all::<Agreement>(node, state::AGREEMENT)?
        .into_iter()
        .filter(|a| a.in_force(now) && a.peer != mesh && a.peer != node.mesh_id)
        .map(|a| a.peer)
        .collect();
    partners.sort();
    partners.dedup();
    partners.truncate(MAX_PARTNERS_ASKED);
    let path = format!("/federation/witnessed?mesh={mesh}&scroll={}", ours.scroll);
    for partner in partners {
        let Ok(known) = peers::known(node, &partner) else {
            continue;
        };
        let answer = match signed::call(node, &known.url, "GET", &path, b"") {
            Ok(r) if r.status == 200 => r.json(),
            Ok(r) => {
                tracing::warn!(
                    partner,
                    status = r.status,
                    "partner did not say what it witnessed"
                );
                continue;
            }
            Err(e) => {
                tracing::warn!(partner, error = %e.message, "partner unreachable for cross-check");
                continue;
            }
        };
        if answer["checkpoint"].is_null() {
            continue;
        }
        let Ok(theirs_bytes) = canonical(&answer["checkpoint"]) else {
            continue;
        };
        let theirs = match parse(&theirs_bytes)
            .ok()
            .and_then(|v| federation::verify_checkpoint(&v, ring).ok())
        {
            Some(cp) if cp.mesh_id == ours.mesh_id && cp.scroll == ours.scroll => cp,
            _ => {
                tracing::warn!(partner, "partner served a checkpoint that does not verify");
                continue;
            }
        };
        if let Some(mut evidence) =
            compare(node, mesh_url, &theirs, &theirs_bytes, ours, ours_bytes)
        {
            evidence["reported_by"] = partner.as_str().into();
            return Ok(Some(evidence));
        }
    }
    Ok(None)
}

/// Compares two verified checkpoints of one scroll with the core's judgement
/// (`witness::judge`, the older as the accepted one); when their sizes differ and the older is
/// not empty, with the consistency proof the witnessed mesh serves between them (none served:
/// nothing to compare). The older comes first in the evidence, as `witness::verify_evidence`
/// reads it.
fn compare(
    node: &Node,
    mesh_url: &str,
    theirs: &Checkpoint,
    theirs_bytes: &[u8],
    ours: &Checkpoint,
    ours_bytes: &[u8],
) -> Option<serde_json::Value> {
    let ((old, old_bytes), (new, new_bytes)) = if theirs.tree_size <= ours.tree_size {
        ((theirs, theirs_bytes), (ours, ours_bytes))
    } else {
        ((ours, ours_bytes), (theirs, theirs_bytes))
    };
    let (proof, proof_json) = if old.tree_size > 0 && old.tree_size < new.tree_size {
        let path = format!(
            "/scrolls/{}/proof/consistency?from_size={}&to_size={}",
            new.scroll, old.tree_size, new.tree_size
        );
        let served = call_peer(node, mesh_url, &path).ok()?["proof"].clone();
        let bytes = canonical(&served).ok()?;
        let proof = ConsistencyProof::from_value(&parse(&bytes).ok()?).ok()?;
        (Some(proof), served)
    } else {
        (None, serde_json::Value::Null)
    };
    let Ok(Verdict::Discrepancy(contradiction)) =
        witness::judge(Some(old), new, proof.as_ref(), &[])
    else {
        return None;
    };
    let mut evidence = serde_json::json!({
        "kind": contradiction.kind(),
        "checkpoints": [json_of(old_bytes), json_of(new_bytes)],
    });
    if proof.is_some() {
        evidence["consistency_proof"] = proof_json;
    }
    Some(evidence)
}
