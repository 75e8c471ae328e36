//! The mesh's constitution in the node (docs/governance.md, docs/SPEC.md §10.11).
//!
//! A data directory with `governance/genesis.json` is governed: the node holds a
//! [`vaultmesh_core::governance::Judge`] of its `Governance` scroll, rebuilt at startup by
//! judging the stored receipts in order (simplest and correct: the scroll is the state), and
//! then kept current by judging every receipt appended to the scroll — against the node's
//! clock — before it is committed; a refused receipt is answered with the core's code and
//! nothing is stored. What the constitution decides applies to every append
//! ([`vaultmesh_core::governance::check_write`]): suspended writers, the engine registry, an
//! emergency's lockdown; a `parameter_change` order sets `node.max_batch` while in force.
//! The node's own violation receipts are signed by `engine:guardian` with `guardian.key`.
//!
//! - [`genesis`]: the files `vm-node init` writes; [`clock`]: the test-only clock;
//! - [`http`]: the `GET /governance/…` endpoints; [`demo`]: the governance part of
//!   `vm-node demo`.

pub mod bench;
pub mod demo;
pub mod genesis;
pub mod http;

use std::path::Path;
use std::sync::{RwLock, RwLockReadGuard};

use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::governance::{self, Judge, WriteRefusal};
use vaultmesh_core::json::{self, Limits, Number, Object, Value};
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_core::sign::SecretKey;
use vaultmesh_core::{Digest, Error};

use crate::node::{ApiError, NodeCode};

/// The Guardian engine: the node's detector.
pub const GUARDIAN: &str = "engine:guardian";

/// The node parameter a `parameter_change` order may set.
pub const MAX_BATCH: &str = "node.max_batch";

/// Limits for the genesis file.
const GENESIS_LIMITS: Limits = Limits {
    max_bytes: 4 << 20,
    max_depth: 64,
};

/// The governance of a node: the judge of its governance scroll and the Guardian's key.
pub struct Governance {
    judge: RwLock<Judge>,
    guardian: SecretKey,
    /// The canonical bytes of the genesis constitution.
    genesis: Vec<u8>,
}

impl std::fmt::Debug for Governance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Governance").finish_non_exhaustive()
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::node(NodeCode::Internal, e.to_string())
}

/// Unix seconds as a timestamp.
pub fn timestamp(secs: u64) -> Timestamp {
    Timestamp::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn string(s: impl Into<String>) -> Value<'static> {
    Value::String(s.into().into())
}

impl Governance {
    /// The governance of data directory `data`: `None` when it has no `governance/genesis.json`
    /// (initialised with `--no-governance`, or before governance existed).
    pub fn open(data: &Path) -> Result<Option<Governance>, ApiError> {
        let path = genesis::genesis_path(data);
        if !path.exists() {
            return Ok(None);
        }
        let text =
            std::fs::read(&path).map_err(|e| internal(format!("{}: {e}", path.display())))?;
        let document = json::parse(&text, &GENESIS_LIMITS)
            .map_err(|e| ApiError::core(500, e, Some("genesis")))?;
        let judge = Judge::new(&document).map_err(|f| ApiError::core(500, f.error, f.field))?;
        let key_path = genesis::guardian_key_path(data);
        let key_text = std::fs::read(&key_path)
            .map_err(|e| internal(format!("{}: {e}", key_path.display())))?;
        let guardian = SecretKey::from_key_file(&key_text)
            .map_err(|e| internal(format!("{}: {e}", key_path.display())))?;
        let registered = judge
            .constitution()
            .keyring
            .get(GUARDIAN)
            .is_some_and(|k| *k == guardian.public_key());
        if !registered {
            return Err(internal(format!(
                "{} is not the key the constitution registers for {GUARDIAN}",
                key_path.display()
            )));
        }
        Ok(Some(Governance {
            judge: RwLock::new(judge),
            guardian,
            genesis: document.to_canonical(),
        }))
    }

    /// Judges the stored receipts of the governance scroll from the start (at startup, and
    /// after a failed commit). `each` calls its visitor with every receipt in order.
    pub fn rebuild(
        &self,
        limits: &Limits,
        each: impl FnOnce(&mut dyn FnMut(u64, &[u8]) -> Result<(), String>) -> Result<(), String>,
    ) -> Result<(), ApiError> {
        let genesis = json::parse(&self.genesis, &GENESIS_LIMITS)
            .map_err(|e| ApiError::core(500, e, Some("genesis")))?;
        let mut judge = Judge::new(&genesis).map_err(|f| ApiError::core(500, f.error, f.field))?;
        each(&mut |index, body| {
            let value = json::parse_record(body, limits)
                .map_err(|e| format!("governance receipt {index}: {e}"))?;
            judge
                .judge(&value, None)
                .map_err(|f| format!("governance receipt {index} breaks the constitution: {f}"))
        })
        .map_err(internal)?;
        *self.judge.write().map_err(internal)? = judge;
        Ok(())
    }

    /// The judge (read).
    pub fn judge(&self) -> RwLockReadGuard<'_, Judge> {
        match self.judge.read() {
            Ok(j) => j,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The genesis constitution's canonical bytes.
    pub fn genesis(&self) -> &[u8] {
        &self.genesis
    }

    /// The keys of the constitution in force (voters, sovereign, engines).
    pub fn keyring(&self) -> Keyring {
        self.judge().constitution().keyring.clone()
    }

    /// `node.max_batch` at `now`: a `parameter_change` order in force, else `configured`.
    pub fn max_batch(&self, configured: usize, now: u64) -> usize {
        self.judge()
            .parameter_at(MAX_BATCH, timestamp(now))
            .map_or(configured, |(v, _)| {
                usize::try_from(v).unwrap_or(usize::MAX)
            })
    }

    /// Checks every receipt's writer against the constitution for an append to `scroll`.
    /// `writers` holds each receipt's writer and whether it is a mesh's record.
    pub fn check_writes(
        &self,
        scroll: &str,
        writers: &[Option<String>],
        now: u64,
    ) -> Result<(), (usize, WriteRefusal)> {
        let judge = self.judge();
        for (i, w) in writers.iter().enumerate() {
            governance::check_write(
                &judge,
                scroll,
                crate::config::GOVERNANCE_SCROLL,
                w.as_deref(),
                timestamp(now),
            )
            .map_err(|r| (i, r))?;
        }
        Ok(())
    }

    /// Judges receipts appended to the governance scroll, in order, against the node's clock.
    /// `checkpoint_root(tree_size)` is the root of the scroll's signed checkpoint of that
    /// size: an engine's activation must cite one that includes the amendment that made the
    /// engine pending. All or nothing: a batch is judged on a copy. Returns whether the
    /// constitution changed.
    pub fn admit(
        &self,
        receipts: &[Value<'_>],
        now: u64,
        checkpoint_root: &dyn Fn(u64) -> Option<Digest>,
    ) -> Result<bool, ApiError> {
        let mut guard = self.judge.write().map_err(internal)?;
        let before = guard.versions().count();
        let now = timestamp(now);
        let judge_one = |judge: &mut Judge, r: &Value<'_>| -> Result<(), ApiError> {
            check_anchor(judge, r, checkpoint_root)?;
            judge
                .judge(r, Some(now))
                .map_err(|f| ApiError::core(422, f.error, f.field))
        };
        if let [one] = receipts {
            // One receipt: the judge changes nothing when it refuses.
            judge_one(&mut guard, one)?;
        } else {
            let mut copy = guard.clone();
            for (i, r) in receipts.iter().enumerate() {
                judge_one(&mut copy, r).map_err(|e| e.at(i))?;
            }
            *guard = copy;
        }
        Ok(guard.versions().count() != before)
    }

    /// A `gov_violation` detected by the node, signed by `engine:guardian`, dated `now`.
    #[allow(clippy::too_many_arguments)]
    pub fn violation_receipt(
        &self,
        violation_id: String,
        actor: &str,
        action: &str,
        rule: &str,
        violation_type: &str,
        log_entries: Vec<String>,
        request_hash: Digest,
        count: Option<u64>,
        now: u64,
    ) -> Vec<u8> {
        let mut details = Object::default();
        details.insert("actor", string(actor));
        details.insert("action_attempted", string(action));
        details.insert("rule_violated", string(rule));
        details.insert("action_result", string("blocked"));
        let mut evidence = Object::default();
        evidence.insert(
            "log_entries",
            Value::Array(log_entries.into_iter().map(string).collect()),
        );
        evidence.insert("request_hash", string(request_hash.to_string()));
        if let Some(n) = count {
            evidence.insert(
                "count",
                Value::Number(Number {
                    value: n as f64,
                    plain_integer: true,
                }),
            );
        }
        let mut object = Object::default();
        object.insert("type", string(Kind::GovViolation.domain()));
        object.insert("violation_id", string(violation_id));
        object.insert("detected_at", string(timestamp(now).to_string()));
        object.insert("detected_by", string(GUARDIAN));
        object.insert("violation_type", string(violation_type));
        object.insert("severity", string("high"));
        object.insert("details", Value::Object(details));
        object.insert("evidence", Value::Object(evidence));
        record::sign_record(&mut object, Kind::GovViolation, self.guardian.seed());
        Value::Object(object).to_canonical()
    }
}

/// Refuses an engine's activation whose anchor is not a signed checkpoint of the governance
/// scroll that includes the amendment that made the engine pending (the core decides:
/// `governance::activation_anchor`).
fn check_anchor(
    judge: &Judge,
    receipt: &Value<'_>,
    checkpoint_root: &dyn Fn(u64) -> Option<Digest>,
) -> Result<(), ApiError> {
    match governance::activation_anchor(
        judge,
        receipt,
        crate::config::GOVERNANCE_SCROLL,
        checkpoint_root,
    ) {
        Some((pending_at, false)) => Err(ApiError::node(
            NodeCode::AnchorNotCheckpointed,
            format!(
                "the activation's anchor_proof must name a signed checkpoint of {} that includes receipt {pending_at} (the amendment that made the engine pending)",
                crate::config::GOVERNANCE_SCROLL
            ),
        )
        .with_detail(serde_json::json!({ "pending_amendment_index": pending_at }))),
        _ => Ok(()),
    }
}

/// The engine whose scroll the federation records go to (the node hosts it).
pub const FEDERATION_ENGINE: &str = "engine:federation";

/// Who named the kinds of an append's records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    /// Nobody: every record carries its `type`.
    None,
    /// The client, with `?kind=`.
    ByCaller,
    /// The node's federation module, which verified each record against its peers' keys.
    ByFederation,
}

/// The writer of a parsed receipt: the signer its kind names (its signature was checked by the
/// append), or for a kind the core does not define, the signer of its `signature` — verified
/// here with `keyring`. An unsigned receipt, or one whose signer has no known key, has no
/// writer.
pub fn writer(receipt: &Value<'_>, keyring: &Keyring) -> Result<Option<String>, ApiError> {
    let known = receipt
        .as_object()
        .and_then(|o| o.get("type"))
        .and_then(Value::as_str)
        .and_then(Kind::from_domain)
        .is_some();
    if known {
        return Ok(governance::writer_of(receipt).map(str::to_string));
    }
    match governance::verify_opaque(receipt, keyring) {
        Ok(w) => Ok(w.map(str::to_string)),
        Err(f) if f.error == Error::UnknownSigner => Ok(None),
        Err(f) => Err(ApiError::core(422, f.error, f.field)),
    }
}

/// The answer to a refused write, naming what refused it.
pub fn refusal_error(refusal: &WriteRefusal) -> ApiError {
    match refusal {
        WriteRefusal::Suspended {
            actor,
            enforcement_id,
        } => ApiError::node(
            NodeCode::CapabilitySuspended,
            format!("{actor}'s write capability is suspended by enforcement {enforcement_id}"),
        )
        .with_detail(serde_json::json!({ "actor": actor, "enforcement_id": enforcement_id })),
        WriteRefusal::EngineNotActive { engine, status } => ApiError::node(
            NodeCode::EngineNotActive,
            format!(
                "{engine} is {} in the constitution: its scroll opens when it is active",
                status.name()
            ),
        )
        .with_detail(serde_json::json!({ "engine": engine, "status": status.name() })),
        WriteRefusal::NotEngineKey { engine, writer } => ApiError::node(
            NodeCode::NotEngineKey,
            format!(
                "only {engine}'s key writes its scroll; this receipt is signed by {}",
                writer.as_deref().unwrap_or("no one")
            ),
        )
        .with_detail(serde_json::json!({ "engine": engine, "writer": writer })),
        WriteRefusal::Locked { order_id } => ApiError::node(
            NodeCode::ScrollLocked,
            format!("emergency {order_id} has locked the scrolls (lockdown_scrolls)"),
        )
        .with_detail(
            serde_json::json!({ "order_id": order_id, "power": governance::LOCKDOWN_POWER }),
        ),
    }
}

/// The rule a refused write breaks, when the node records it as a violation: a suspended
/// writer breaks the enforcement (ARTICLE-III.3), a write to an engine's scroll by another key
/// the engine registry (ARTICLE-III.1). Lockdowns and pending engines are refused without a
/// receipt (nothing was attempted against anyone's rights).
pub fn recorded_rule(refusal: &WriteRefusal) -> Option<(&'static str, &'static str)> {
    match refusal {
        WriteRefusal::Suspended { .. } => Some(("ARTICLE-III.3", "suspended_capability_use")),
        WriteRefusal::NotEngineKey { .. } => Some(("ARTICLE-III.1", "unauthorized_engine_write")),
        _ => None,
    }
}

impl crate::node::Node {
    /// The constitution's say on an append to `scroll` (before the scroll's lock): parses the
    /// receipts, finds each one's writer and checks it. A refused write by a suspended writer
    /// or to an engine's scroll by another key is recorded as a `gov_violation` signed by
    /// `engine:guardian`, and answered with 403 naming what refused it. Returns the parsed
    /// receipts (judged under the lock when the scroll is the governance scroll).
    pub(crate) fn check_governed_write(
        &self,
        g: &Governance,
        scroll: &crate::node::Scroll,
        receipts: &[Vec<u8>],
        keyring: &Keyring,
        named: Named,
        now: u64,
    ) -> Result<Vec<Value<'static>>, ApiError> {
        let mut values = Vec::with_capacity(receipts.len());
        let mut writers = Vec::with_capacity(receipts.len());
        for (i, r) in receipts.iter().enumerate() {
            let value = json::parse_record(r, &self.record_limits)
                .map_err(|e| ApiError::core(400, e, None).at(i))?;
            let untyped = value.as_object().is_some_and(|o| o.get("type").is_none());
            let w = match named {
                // The node's federation module writes its scroll as the engine it hosts.
                Named::ByFederation => Some(FEDERATION_ENGINE.to_string()),
                // A record without `type` appended with `?kind=` (an agreement): signed by
                // parties, none of them a writer the constitution knows.
                Named::ByCaller if untyped => None,
                _ => writer(&value, keyring).map_err(|e| e.at(i))?,
            };
            writers.push(w);
            values.push(judge_owned(&value));
        }
        let Err((i, refusal)) = g.check_writes(&scroll.name, &writers, now) else {
            return Ok(values);
        };
        let mut refused = refusal_error(&refusal).at(i);
        // The Guardian's own receipts are never recorded as violations: recording one is an
        // append by the Guardian, which would be refused (and recorded) in turn.
        let by_guardian = writers
            .get(i)
            .is_some_and(|w| w.as_deref() == Some(GUARDIAN));
        if let Some((rule, violation_type)) = recorded_rule(&refusal).filter(|_| !by_guardian) {
            let writer = writers.get(i).cloned().flatten();
            // `details.actor` is an actor DID: an engine or unsigned writer is named in the log.
            let actor = writer
                .clone()
                .filter(|w| w.starts_with("did:vm:"))
                .unwrap_or_else(|| crate::node::UNAUTHENTICATED_ACTOR.to_string());
            let writer = writer.unwrap_or_else(|| "an unsigned receipt".to_string());
            let id: [u8; 16] = crate::util::random().map_err(internal)?;
            let hash = receipts.get(i).map_or(Digest([0; 32]), |r| Digest::of(r));
            let body = g.violation_receipt(
                format!("violation-{}", crate::util::hex(&id)),
                &actor,
                "append_receipt",
                rule,
                violation_type,
                vec![format!(
                    "append to {} by {writer}: {}",
                    scroll.name, refused.message
                )],
                hash,
                None,
                now,
            );
            match self.append(
                crate::config::GOVERNANCE_SCROLL,
                std::slice::from_ref(&body),
                None,
            ) {
                Ok(done) => {
                    let receipt: serde_json::Value =
                        serde_json::from_slice(&body).unwrap_or_default();
                    let mut detail = refused.detail.take().unwrap_or_default();
                    detail["violation"] = serde_json::json!({
                        "scroll": crate::config::GOVERNANCE_SCROLL, "index": done.first_index, "receipt": receipt,
                    });
                    refused = refused.with_detail(detail);
                }
                Err(e) => tracing::warn!("recording a refused write failed: {e}"),
            }
        }
        Err(refused)
    }
}

/// An owned copy of a parsed receipt (kept past the request's buffers).
fn judge_owned(v: &Value<'_>) -> Value<'static> {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Number(n) => Value::Number(*n),
        Value::String(s) => Value::String(s.to_string().into()),
        Value::Array(a) => Value::Array(a.iter().map(judge_owned).collect()),
        Value::Object(o) => Value::Object(Object {
            members: o
                .members
                .iter()
                .map(|(k, v)| (std::borrow::Cow::Owned(k.to_string()), judge_owned(v)))
                .collect(),
        }),
    }
}

/// An audit bundle of the governance scroll from its first receipt, with the governance chain
/// added (`"governance": {"genesis", "receipts"}`, docs/SPEC.md §11): the auditor page and
/// `vm-verify bundle` then verify the chain as well as the receipts' inclusion. Other bundles,
/// and bundles of an ungoverned node, are returned as they are.
pub fn with_chain(
    node: &crate::node::Node,
    scroll: &str,
    from_checkpoint: Option<u64>,
    mut bundle: Vec<u8>,
) -> Result<Vec<u8>, ApiError> {
    let Some(g) = node.governance() else {
        return Ok(bundle);
    };
    if scroll != crate::config::GOVERNANCE_SCROLL || from_checkpoint.is_some() {
        return Ok(bundle);
    }
    // The export ends with the scrolls array and the object: `]}]}\n`.
    let Some(end) = bundle.iter().rposition(|b| *b == b'}') else {
        return Ok(bundle);
    };
    let value = json::parse(
        &bundle,
        &Limits {
            max_bytes: bundle.len(),
            max_depth: 80,
        },
    )
    .map_err(|e| ApiError::core(500, e, Some("bundle")))?;
    let receipts = value
        .as_object()
        .and_then(|o| o.get("scrolls"))
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .and_then(Value::as_object)
        .and_then(|s| s.get("receipts"))
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|item| item.as_object().and_then(|i| i.get("record")))
                .map(Value::to_canonical)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    bundle.truncate(end);
    bundle.extend_from_slice(b",\"governance\":{\"genesis\":");
    bundle.extend_from_slice(g.genesis());
    bundle.extend_from_slice(b",\"receipts\":[");
    for (i, r) in receipts.iter().enumerate() {
        if i > 0 {
            bundle.push(b',');
        }
        bundle.extend_from_slice(r);
    }
    bundle.extend_from_slice(b"]}}\n");
    Ok(bundle)
}
