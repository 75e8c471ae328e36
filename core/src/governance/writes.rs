//! Who may write a scroll now (docs/SPEC.md §10.11): what the constitution in force decides about
//! an append, as pure functions of the [`Judge`]'s state and the node's present.
//!
//! - An actor (or engine) whose `write` capability is suspended for the scroll (or
//!   `all_scrolls`) writes nothing.
//! - A scroll of the engine registry is written only by its engine's key, and only while the
//!   engine is `active`: a pending engine's scroll opens at its anchor confirmation. Mesh
//!   records (federation kinds, signed by meshes) are not engines' receipts and are exempt.
//! - While an emergency invoking `lockdown_scrolls` is in force, every scroll but the
//!   governance scroll is closed (the governance scroll stays open, or the emergency could not
//!   be ended).
//!
//! The writer of a receipt is its signer: the actor member its kind names, or for a receipt of
//! a kind the core does not define, its `engine` member (engines' own receipts) or else its
//! `actor` member, signed as `signing_input(type, JCS(record without signature))` —
//! [`verify_opaque`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::constitution::{Constitution, Engine, EngineStatus};
use super::judge::Judge;
use crate::crypto;
use crate::encoding::timestamp::Timestamp;
use crate::encoding::{Digest, SignatureBytes};
use crate::error::Error;
use crate::json::Value;
use crate::record::{Canonical, Failure, Keyring, Kind, Signer};

/// The capability a suspension must name to stop appends.
pub const WRITE_CAPABILITY: &str = "write";

/// The emergency power that closes scrolls.
pub const LOCKDOWN_POWER: &str = "lockdown_scrolls";

/// Why the constitution refuses a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteRefusal {
    /// The writer's `write` capability is suspended by this enforcement.
    Suspended {
        /// The writer.
        actor: String,
        /// The enforcement suspending it.
        enforcement_id: String,
    },
    /// The scroll belongs to an engine that is not active.
    EngineNotActive {
        /// The engine.
        engine: String,
        /// Its status (`pending` until its anchor confirmation, or `retired`).
        status: EngineStatus,
    },
    /// The scroll belongs to an engine and the receipt is not signed by that engine.
    NotEngineKey {
        /// The engine.
        engine: String,
        /// Who signed the receipt, if anyone.
        writer: Option<String>,
    },
    /// An emergency's `lockdown_scrolls` is in force.
    Locked {
        /// The emergency.
        order_id: String,
    },
}

/// The registered engine whose scroll `scroll` is.
pub fn scroll_owner<'c>(c: &'c Constitution, scroll: &str) -> Option<&'c Engine> {
    c.engines.values().find(|e| e.scroll == scroll)
}

/// The writer of `receipt`: the signer its kind names, or for a receipt of a kind the core
/// does not define, its `engine` or else `actor` member when it carries a `signature`. `None`:
/// the receipt names no signer.
pub fn writer_of<'v>(receipt: &'v Value<'_>) -> Option<&'v str> {
    let o = receipt.as_object()?;
    let kind = o
        .get("type")
        .and_then(Value::as_str)
        .and_then(Kind::from_domain);
    match kind.map(|k| k.spec().signer) {
        Some(Signer::ActorField(f)) => o.get(f).and_then(Value::as_str),
        Some(_) => None,
        None if o.get("signature").is_some() => o
            .get("engine")
            .or_else(|| o.get("actor"))
            .and_then(Value::as_str),
        None => None,
    }
}

/// Verifies the signature of a receipt of a kind the core does not define: `type` is the
/// domain, the signer is [`writer_of`] with its key from `keyring`, the signature is the
/// `signature` member. Returns the writer, or `None` for an unsigned receipt.
pub fn verify_opaque<'v>(
    receipt: &'v Value<'_>,
    keyring: &Keyring,
) -> Result<Option<&'v str>, Failure> {
    let o = receipt
        .as_object()
        .ok_or(Failure::from(Error::NotAnObject))?;
    let Some(sig) = o.get("signature") else {
        return Ok(None);
    };
    let domain = o
        .get("type")
        .and_then(Value::as_str)
        .ok_or(Failure::at(Error::MissingField, "type"))?;
    let writer = writer_of(receipt).ok_or(Failure::at(Error::MissingField, "engine"))?;
    let key = keyring
        .get(writer)
        .ok_or(Failure::at(Error::UnknownSigner, "engine"))?;
    let sig = sig
        .as_str()
        .ok_or(Failure::at(Error::MalformedSignature, "signature"))
        .and_then(|s| SignatureBytes::parse(s).map_err(|e| Failure::at(e, "signature")))?;
    let mut message = Vec::new();
    crypto::write_signing_input(domain, &mut message);
    Canonical::new(o, "signature").write_body(&mut message);
    crypto::verify_strict(key, &message, &sig).map_err(|e| Failure::at(e, "signature"))?;
    Ok(Some(writer))
}

/// Signs a receipt of a kind the core does not define in place (see [`verify_opaque`]).
#[cfg(feature = "signing")]
pub fn sign_opaque(record: &mut crate::json::Object<'_>, secret: &[u8; 32]) -> Result<(), Error> {
    let domain = record
        .get("type")
        .and_then(Value::as_str)
        .ok_or(Error::MissingField)?
        .to_string();
    record.remove("signature");
    let mut message = Vec::new();
    crypto::write_signing_input(&domain, &mut message);
    Canonical::new(record, "signature").write_body(&mut message);
    let signature = crypto::sign(secret, &message);
    record.insert("signature", Value::String(signature.to_string().into()));
    Ok(())
}

/// Whether `writer` (the receipt's signer, `None` when unsigned) may append to `scroll` at `t`
/// under the state of `judge`. `governance_scroll` names the scroll the judge's receipts live
/// on (judged by [`Judge::judge`] instead of the engine rule). A node's own federation
/// records are written by the engine it hosts, `engine:federation`, on that engine's scroll.
pub fn check_write(
    judge: &Judge,
    scroll: &str,
    governance_scroll: &str,
    writer: Option<&str>,
    t: Timestamp,
) -> Result<(), WriteRefusal> {
    if let Some(actor) = writer {
        for s in judge.suspended_capabilities(actor, t) {
            let scope = judge.suspension_scope(&s.enforcement_id, t);
            let applies = scope.is_some_and(|sc| sc == "all_scrolls" || sc == scroll);
            if s.capability == WRITE_CAPABILITY && applies {
                return Err(WriteRefusal::Suspended {
                    actor: actor.to_string(),
                    enforcement_id: s.enforcement_id,
                });
            }
        }
    }
    if scroll == governance_scroll {
        return Ok(());
    }
    if let Some(p) = judge
        .emergency_powers_at(t)
        .into_iter()
        .find(|p| p.power == LOCKDOWN_POWER)
    {
        return Err(WriteRefusal::Locked {
            order_id: p.order_id,
        });
    }
    if let Some(engine) = scroll_owner(judge.constitution(), scroll) {
        if engine.status != EngineStatus::Active {
            return Err(WriteRefusal::EngineNotActive {
                engine: engine.id.clone(),
                status: engine.status,
            });
        }
        if writer != Some(engine.id.as_str()) {
            return Err(WriteRefusal::NotEngineKey {
                engine: engine.id.clone(),
                writer: writer.map(ToString::to_string),
            });
        }
    }
    Ok(())
}

/// An engine's activation judged against the signed checkpoints of the governance scroll
/// (docs/SPEC.md §10.11): for the `gov_amendment` that activates a pending engine, the index
/// of the amendment that made it pending, and whether the activation's `anchor_proof` names a
/// signed checkpoint of `governance_scroll` that includes that index. `checkpoint_root(size)`
/// is the root of that scroll's signed checkpoint of `size`. `None`: `receipt` activates no
/// pending engine.
pub fn activation_anchor(
    judge: &Judge,
    receipt: &Value<'_>,
    governance_scroll: &str,
    checkpoint_root: &dyn Fn(u64) -> Option<Digest>,
) -> Option<(usize, bool)> {
    let o = receipt.as_object()?;
    if o.get("type").and_then(Value::as_str) != Some(Kind::GovAmendment.domain()) {
        return None;
    }
    let (_, pending_at) = judge.pending_engine(o.get("proposal_id").and_then(Value::as_str)?)?;
    let anchor = o.get("anchor_proof").and_then(Value::as_object);
    let member = |name| anchor.and_then(|a| a.get(name));
    let size = member("tree_size").and_then(Value::as_u64);
    let root = member("root")
        .and_then(Value::as_str)
        .and_then(|r| Digest::parse(r).ok());
    let confirmed = member("scroll").and_then(Value::as_str) == Some(governance_scroll)
        && size.is_some_and(|s| s > pending_at as u64)
        && root.is_some()
        && size.and_then(checkpoint_root) == root;
    Some((pending_at, confirmed))
}
