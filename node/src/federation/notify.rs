//! Telling witnesses (issue 12 items 1 and 5; docs/node.md "Witness rounds"): each checkpoint
//! this node signs of a scroll an agreement in force shares is POSTed to that partner's
//! `/federation/notify`, off the request path. A witness that is ahead answers 409 with the
//! size it accepted (C2SP tlog-witness `add-checkpoint`); the notifier then resynchronises by
//! sending its latest checkpoint, which is at least that size if this mesh is honest.

use std::sync::mpsc::Sender;
use std::sync::{Arc, OnceLock};

use super::state::{self, Agreement};
use super::witness::{canonical, json_of, sharing_agreement};
use super::{peers, signed};
use crate::node::{At, Node, Result};

/// Checkpoints signed by this node, waiting to be announced to witnesses (the notifier's
/// queue; absent when no notifier runs).
static SIGNED: OnceLock<Sender<(String, Vec<u8>)>> = OnceLock::new();

/// Called when this node signed a checkpoint of `scroll` (canonical `body`): queued for the
/// notifier, so the append or checkpoint request never waits on a peer.
pub fn checkpoint_signed(scroll: &str, body: &[u8]) {
    if let Some(queue) = SIGNED.get() {
        let _ = queue.send((scroll.to_string(), body.to_vec()));
    }
}

/// Starts the notifier (`vm-node serve`, unless `[federation] notify_peers = false`).
pub fn start_notifier(node: Arc<Node>) {
    let (send, receive) = std::sync::mpsc::channel::<(String, Vec<u8>)>();
    if SIGNED.set(send).is_err() {
        return;
    }
    std::thread::spawn(move || {
        for (scroll, body) in receive {
            if let Err(e) = notify_all(&node, &scroll, &body) {
                tracing::warn!(scroll, error = %e.message, "witness notification failed");
            }
        }
    });
}

/// Notifies every partner whose agreement in force shares `scroll`; failures are logged, not
/// retried (the next checkpoint, or the partner's scheduled round, catches up).
fn notify_all(node: &Node, scroll: &str, checkpoint: &[u8]) -> Result<()> {
    let now = node.now();
    let mut partners: Vec<String> = state::all::<Agreement>(node, state::AGREEMENT)?
        .into_iter()
        .filter(|a| a.in_force(now) && a.trust_level >= 1 && a.shares(scroll))
        .map(|a| a.peer)
        .collect();
    partners.sort();
    partners.dedup();
    for peer in partners {
        match notify(node, &peer, scroll, checkpoint) {
            Ok(v) if v["status"] == 200 => {}
            Ok(v) => {
                tracing::warn!(peer, status = %v["status"], "witness refused the notification")
            }
            Err(e) => tracing::warn!(peer, error = %e.message, "witness unreachable"),
        }
    }
    Ok(())
}

/// POSTs `checkpoint` (canonical, of `scroll`) to `peer`'s `/federation/notify`; on 409 out of
/// step, once more with this node's latest checkpoint if that is at least the size the witness
/// reports. Answers `{"status", "answer", "resynced_from"?}` (the witness's last answer).
pub fn notify(
    node: &Node,
    peer: &str,
    scroll: &str,
    checkpoint: &[u8],
) -> Result<serde_json::Value> {
    let known = peers::known(node, peer)?;
    let send = |cp: &[u8]| {
        let body = canonical(&serde_json::json!({ "checkpoint": json_of(cp) }))?;
        signed::call(node, &known.url, "POST", "/federation/notify", &body)
    };
    let first = send(checkpoint)?;
    let reported = first.json()["error"]["detail"]["tree_size"].as_u64();
    let (Some(size), 409) = (reported, first.status) else {
        return Ok(serde_json::json!({ "status": first.status, "answer": first.json() }));
    };
    let own = node.scroll(scroll)?;
    let latest = node.checkpoint_at(&own, At::Latest)?;
    if latest.tree_size < size {
        // This mesh signed more than it now holds: nothing honest to resynchronise with.
        tracing::error!(
            peer,
            scroll,
            witness_size = size,
            our_size = latest.tree_size,
            "a witness accepted a larger checkpoint of this scroll than this node holds"
        );
        return Ok(serde_json::json!({ "status": 409, "answer": first.json() }));
    }
    let again = send(&latest.body)?;
    Ok(serde_json::json!({ "status": again.status, "answer": again.json(), "resynced_from": size }))
}

/// `POST /admin/federation/notify` `{"mesh", "scroll", "tree_size"?}`: notifies `mesh` of this
/// node's checkpoint of `scroll` of that size (default the latest) now, resynchronising on 409.
pub fn notify_now(
    node: &Node,
    peer: &str,
    scroll: &str,
    tree_size: Option<u64>,
) -> Result<serde_json::Value> {
    sharing_agreement(node, peer, scroll)?;
    let own = node.scroll(scroll)?;
    let at = tree_size.map_or(At::Latest, At::Size);
    let checkpoint = node.checkpoint_at(&own, at)?;
    notify(node, peer, scroll, &checkpoint.body)
}
