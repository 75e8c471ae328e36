//! Proposals, responses, agreements and revocations, on both sides of a negotiation. Each step
//! is a signed record verified by the core and appended to the `Federation` scroll together
//! with the state row it moves (one transaction); the core's `negotiation` decides whether a
//! step fits.

use vaultmesh_core::encoding::{timestamp::Timestamp, PublicKey};
use vaultmesh_core::federation::negotiation::{self as core_neg, Decision, Phase, Policy};
use vaultmesh_core::federation::{self, revocation};
use vaultmesh_core::json::{self, Limits, Object, Value};
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_core::Error;

use super::peers;
use super::signed::{self, Authenticated};
use super::state::{self, Agreement, Proposal};
use super::SCROLL;
use crate::node::{ApiError, Node, NodeCode, Result};
use crate::util;

/// Serialises the federation's state changes in this process: a check of a proposal's or an
/// agreement's state and the commit that moves it happen under it, so two requests cannot
/// both move the same negotiation. Never held while calling a peer (the peer may be calling
/// back).
static STATE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    // A panic elsewhere cannot leave the state half-written (commits are transactions).
    STATE_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn parse<'a>(bytes: &'a [u8]) -> Result<Value<'a>> {
    let limits = Limits {
        max_bytes: bytes.len().max(Limits::default().max_bytes),
        max_depth: Limits::default().max_depth + 2,
    };
    json::parse_record(bytes, &limits).map_err(|e| ApiError::core(400, e, None))
}

/// The object of a record the core has verified or this node built (always an object).
fn object_of<'v, 'a>(value: &'v Value<'a>) -> Result<&'v Object<'a>> {
    value
        .as_object()
        .ok_or_else(|| ApiError::core(400, Error::NotAnObject, None))
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

fn refused(status: u16, f: record::Failure) -> ApiError {
    ApiError::core(status, f.error, f.field)
}

fn now_ts(node: &Node) -> Timestamp {
    Timestamp::from_unix_seconds(node.now() as i64).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn random_id(prefix: &str) -> Result<String> {
    let bytes: [u8; 8] =
        util::random().map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))?;
    Ok(format!("{prefix}{}", util::hex(&bytes)))
}

/// A serde_json value as a core object (the admin API's inputs become record members).
fn core_value(v: &serde_json::Value) -> Result<Vec<u8>> {
    let bytes =
        serde_json::to_vec(v).map_err(|e| ApiError::node(NodeCode::Internal, e.to_string()))?;
    // Strict I-JSON on the way in (big numbers, lone surrogates): canonical bytes or a 400.
    json::canonicalize(&bytes, &Limits::default()).map_err(|e| ApiError::core(400, e, None))
}

fn to_json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap_or_default()
}

/// This mesh's policy: `[federation]` and its public scrolls.
pub fn policy(node: &Node) -> Policy {
    let f = &node.config.federation;
    Policy {
        accepts_proposals: f.accepts_proposals,
        min_trust_level: f.min_trust_level,
        max_trust_level: f.max_trust_level,
        requires_mutual: f.requires_mutual,
        scrolls: node
            .scrolls()
            .iter()
            .filter(|s| s.public)
            .map(|s| s.name.clone())
            .collect(),
    }
}

fn keyring(node: &Node, peer: &str, key: &PublicKey) -> Keyring {
    let mut ring = Keyring::new();
    ring.insert(node.mesh_id.clone(), node.public_key);
    ring.insert(peer.to_string(), *key);
    ring
}

fn peer_key(node: &Node, peer: &str) -> Result<PublicKey> {
    let p = peers::known(node, peer)?;
    PublicKey::parse(&p.public_key).map_err(|e| ApiError::core(500, e, None))
}

fn ensure_scroll(node: &Node) -> Result<()> {
    node.create_scroll(SCROLL, true).map(|_| ())
}

/// The peer's refusal, passed on: its status and error body as detail.
fn peer_refused(peer: &str, reply: &crate::client::Reply) -> ApiError {
    let body = reply.json();
    let e = &body["error"];
    let mut err = ApiError::node(
        NodeCode::PeerFailed,
        format!(
            "{peer} refused: {} ({}): {}",
            e["name"].as_str().unwrap_or("?"),
            e["code"],
            e["message"].as_str().unwrap_or(&reply.text())
        ),
    )
    .with_detail(body.clone());
    if (400..500).contains(&reply.status) {
        err.status = reply.status;
    }
    err
}

fn other_party<'a>(p: &'a Proposal, us: &str) -> &'a str {
    if p.proposer == us {
        &p.target
    } else {
        &p.proposer
    }
}

/// The proposal's view: its state and every record.
pub fn proposal_view(p: &Proposal, agreement: Option<&Agreement>) -> serde_json::Value {
    serde_json::json!({
        "proposal_id": p.proposal_id, "proposer": p.proposer, "target": p.target,
        "state": p.phase, "awaiting": p.awaiting,
        "proposal": to_json(p.proposal.as_bytes()),
        "responses": p.responses.iter().map(|r| to_json(r.as_bytes())).collect::<Vec<_>>(),
        "agreement_id": p.agreement_id,
        "agreement": agreement.map(|a| to_json(a.agreement.as_bytes())),
    })
}

/// The agreement's view at `now`.
pub fn agreement_view(a: &Agreement, now: u64) -> serde_json::Value {
    serde_json::json!({
        "agreement_id": a.agreement_id, "peer": a.peer, "trust_level": a.trust_level,
        "status": a.status(now), "in_force": a.in_force(now),
        "effective_at": a.effective_at.map(timestamp),
        "agreement": to_json(a.agreement.as_bytes()),
        "revocation": a.revocation.as_ref().map(|r| to_json(r.as_bytes())),
    })
}

fn timestamp(secs: u64) -> String {
    Timestamp::from_unix_seconds(secs as i64)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_string()
}

/// The trust level `peer` holds here now: the highest of its agreements in force (0: none).
pub fn level_held(node: &Node, peer: &str) -> Result<u64> {
    let now = node.now();
    Ok(state::all::<Agreement>(node, state::AGREEMENT)?
        .iter()
        .filter(|a| a.peer == peer && a.in_force(now))
        .map(|a| a.trust_level)
        .max()
        .unwrap_or(0))
}

fn load_proposal(node: &Node, id: &str) -> Result<Proposal> {
    state::get(node, state::PROPOSAL, id)?
        .ok_or_else(|| ApiError::node(NodeCode::UnknownNegotiation, format!("no proposal {id:?}")))
}

fn load_agreement(node: &Node, id: &str) -> Result<Agreement> {
    state::get(node, state::AGREEMENT, id)?
        .ok_or_else(|| ApiError::node(NodeCode::UnknownNegotiation, format!("no agreement {id:?}")))
}

fn conflict(p: &Proposal, e: Error) -> ApiError {
    let mut err = ApiError::core(409, e, None);
    err.message = format!(
        "{}: the proposal {} is {}{}",
        e.message(),
        p.proposal_id,
        p.phase,
        p.awaiting
            .as_ref()
            .map(|a| format!(", awaiting {a}"))
            .unwrap_or_default()
    );
    err.with_detail(serde_json::json!({ "state": p.phase, "awaiting": p.awaiting }))
}

// --- the proposer's side -------------------------------------------------------------------

/// What the operator asks for in a proposal or a counter.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsInput {
    /// The trust level.
    pub trust_level: Option<u64>,
    /// The scrolls to share.
    pub scrolls: Option<Vec<String>>,
    /// Further terms (`verification_frequency`, `retention_period_days`, …).
    pub terms: Option<serde_json::Map<String, serde_json::Value>>,
}

fn terms_object(input: &TermsInput, base: Option<&serde_json::Value>) -> serde_json::Value {
    let mut terms = base
        .and_then(|b| b.as_object().cloned())
        .unwrap_or_default();
    if let Some(extra) = &input.terms {
        for (k, v) in extra {
            terms.insert(k.clone(), v.clone());
        }
    }
    if let Some(s) = &input.scrolls {
        terms.insert("scrolls_to_share".into(), serde_json::json!(s));
    }
    serde_json::Value::Object(terms)
}

/// `POST /admin/federation/proposals`: signs a proposal to `target`, sends it, and stores it
/// once the target has accepted it for consideration.
pub fn propose(
    node: &Node,
    target: &str,
    input: &TermsInput,
    expires_secs: u64,
) -> Result<serde_json::Value> {
    let peer = peers::known(node, target)?;
    let level = input
        .trust_level
        .ok_or_else(|| ApiError::core(400, Error::MissingField, Some("trust_level")))?;
    let now = node.now();
    let proposal = serde_json::json!({
        "proposal_id": random_id("fed-proposal-")?,
        "proposer": node.mesh_id, "target": target,
        "proposed_at": timestamp(now), "expires_at": timestamp(now + expires_secs),
        "proposed_trust_level": level,
        "proposed_terms": terms_object(input, None),
    });
    let bytes = core_value(&proposal)?;
    let value = parse(&bytes)?;
    let Value::Object(mut object) = value else {
        unreachable!("built as an object")
    };
    record::sign_record(&mut object, Kind::TrustProposal, node.federation_secret());
    let signed_bytes = Value::Object(object).to_canonical();
    // The core checks what was just signed before it leaves.
    let key = PublicKey::parse(&peer.public_key).map_err(|e| ApiError::core(500, e, None))?;
    let ring = keyring(node, target, &key);
    record::verify_record(
        &signed_bytes,
        Some(Kind::TrustProposal),
        &ring,
        &Limits::default(),
    )
    .map_err(|f| refused(400, f))?;
    let reply = signed::call(
        node,
        &peer.url,
        "POST",
        "/federation/proposals",
        &signed_bytes,
    )?;
    if reply.status != 201 && reply.status != 200 {
        return Err(peer_refused(target, &reply));
    }
    if super::CRASH_AFTER_PROPOSAL.load(std::sync::atomic::Ordering::Relaxed) {
        // Test hook (see `respond`): die after the target took the proposal.
        std::process::abort();
    }
    let id = proposal["proposal_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let row = Proposal {
        proposal_id: id.clone(),
        proposer: node.mesh_id.clone(),
        target: target.to_string(),
        phase: Phase::Proposed.name().into(),
        awaiting: Some(target.to_string()),
        proposal: text(&signed_bytes),
        responses: Vec::new(),
        agreement_id: None,
    };
    ensure_scroll(node)?;
    let encoded = state::encode(&row)?;
    super::keep(
        node,
        &[signed_bytes],
        &[Kind::TrustProposal],
        &ring,
        &[state::put(state::PROPOSAL, &id, &encoded)],
    )?;
    Ok(proposal_view(&row, None))
}

// --- the target's side ---------------------------------------------------------------------

/// `POST /federation/proposals` from a peer: verified against the proposer's pinned key,
/// addressed to us, not expired, within our policy; stored with its state. The same proposal
/// again gets the same answer.
pub fn receive_proposal(
    node: &Node,
    auth: &Authenticated,
    body: &[u8],
) -> Result<(u16, serde_json::Value)> {
    let _guard = lock();
    let value = parse(body)?;
    let ring = keyring(node, &auth.mesh_id, &auth.key);
    record::verify_value(&value, Some(Kind::TrustProposal), &ring).map_err(|f| refused(422, f))?;
    let object = object_of(&value)?;
    let field = |f: &str| {
        object
            .get(f)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if field("proposer") != auth.mesh_id {
        return Err(ApiError::core(401, Error::KeyMismatch, Some("proposer")));
    }
    let id = field("proposal_id");
    let canonical = value.to_canonical();
    let answer = |p: &Proposal| serde_json::json!({ "proposal_id": p.proposal_id, "url": format!("/federation/proposals/{}", p.proposal_id), "state": p.phase });
    if let Some(known) = state::get::<Proposal>(node, state::PROPOSAL, &id)? {
        return if known.proposal.as_bytes() == canonical.as_slice() {
            Ok((200, answer(&known)))
        } else {
            Err(conflict(&known, Error::NegotiationConflict))
        };
    }
    core_neg::check_proposal(object, &node.mesh_id, now_ts(node), &policy(node)).map_err(|f| {
        let status = if f.error == Error::PolicyRefused {
            403
        } else {
            422
        };
        refused(status, f)
    })?;
    let row = Proposal {
        proposal_id: id.clone(),
        proposer: auth.mesh_id.clone(),
        target: node.mesh_id.clone(),
        phase: Phase::Proposed.name().into(),
        awaiting: Some(node.mesh_id.clone()),
        proposal: text(&canonical),
        responses: Vec::new(),
        agreement_id: None,
    };
    ensure_scroll(node)?;
    let encoded = state::encode(&row)?;
    super::keep(
        node,
        &[canonical],
        &[Kind::TrustProposal],
        &ring,
        &[state::put(state::PROPOSAL, &id, &encoded)],
    )?;
    Ok((201, answer(&row)))
}

// --- responses, either side ----------------------------------------------------------------

/// The agreement derived from `p`'s records with the accepting response's `responded_at`.
fn derived(node: &Node, p: &Proposal, responded_at: &str) -> Result<Object<'static>> {
    let proposal = parse(p.proposal.as_bytes())?;
    let responses: Vec<Value<'_>> = p
        .responses
        .iter()
        .map(|r| parse(r.as_bytes()))
        .collect::<Result<_>>()?;
    let proposal = object_of(&proposal)?;
    let objects: Vec<&Object<'_>> = responses.iter().filter_map(Value::as_object).collect();
    let (level, terms) = core_neg::current_terms(proposal, &objects);
    let us = node.public_key;
    let them = peer_key(node, other_party(p, &node.mesh_id))?;
    let (pk, tk) = if p.proposer == node.mesh_id {
        (us, them)
    } else {
        (them, us)
    };
    core_neg::derive_agreement(
        proposal,
        level,
        terms,
        responded_at,
        [(p.proposer.as_str(), &pk), (p.target.as_str(), &tk)],
    )
    .map_err(|f| refused(500, f))
}

/// What a party may answer: a decision, with a counter's terms.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    /// `accept`, `reject` or `counter`.
    pub decision: String,
    /// Why (a rejection's reason).
    pub reason: Option<String>,
    /// A counter's terms.
    #[serde(flatten)]
    pub terms: TermsInput,
}

/// `POST /admin/federation/proposals/{id}`: this mesh's response, signed and sent to the
/// other party; on acceptance the agreement is signed here first, countersigned there, and
/// stored by both.
pub fn respond(node: &Node, id: &str, input: &ResponseInput) -> Result<serde_json::Value> {
    let p = load_proposal(node, id)?;
    let decision = Decision::from_name(&input.decision).ok_or_else(|| {
        ApiError::node(
            NodeCode::BadRequest,
            "decision must be accept, reject or counter",
        )
    })?;
    let expires = expiry(&p)?;
    let phase = Phase::from_name(&p.phase).unwrap_or(Phase::Rejected);
    let awaiting = p.awaiting.clone().unwrap_or_default();
    let next = core_neg::respond(
        phase,
        &awaiting,
        &node.mesh_id,
        decision,
        now_ts(node),
        expires,
    )
    .map_err(|e| conflict(&p, e))?;
    let peer_id = other_party(&p, &node.mesh_id).to_string();
    let peer = peers::known(node, &peer_id)?;
    let now = timestamp(node.now());
    let mut response = serde_json::json!({
        "proposal_id": p.proposal_id, "responder": node.mesh_id, "responded_at": now,
        "decision": input.decision,
    });
    if let Some(r) = &input.reason {
        response["reason"] = r.clone().into();
    }
    if decision == Decision::Counter {
        let current = p
            .responses
            .iter()
            .rev()
            .map(|r| to_json(r.as_bytes()))
            .find_map(|r| r.get("counter_terms").cloned());
        let base = current.or_else(|| {
            to_json(p.proposal.as_bytes())
                .get("proposed_terms")
                .cloned()
        });
        response["counter_terms"] = terms_object(&input.terms, base.as_ref());
        if let Some(l) = input.terms.trust_level {
            response["counter_trust_level"] = l.into();
        }
    }
    let bytes = core_value(&response)?;
    let Value::Object(mut object) = parse(&bytes)? else {
        unreachable!("built as an object")
    };
    record::sign_record(
        &mut object,
        Kind::ProposalResponse,
        node.federation_secret(),
    );
    let response_bytes = Value::Object(object).to_canonical();
    let key = PublicKey::parse(&peer.public_key).map_err(|e| ApiError::core(500, e, None))?;
    let ring = keyring(node, &peer_id, &key);
    record::verify_record(
        &response_bytes,
        Some(Kind::ProposalResponse),
        &ring,
        &Limits::default(),
    )
    .map_err(|f| refused(400, f))?;
    let mut message = serde_json::json!({ "response": to_json(&response_bytes) });
    let mut half_signed = None;
    if decision == Decision::Accept {
        let mut agreement = derived(node, &p, &now)?;
        federation::sign_agreement(
            &mut agreement,
            &node.mesh_id,
            &now,
            node.federation_secret(),
        );
        let a = Value::Object(agreement).to_canonical();
        message["agreement"] = to_json(&a);
        half_signed = Some(a);
    }
    let body = core_value(&message)?;
    let reply = signed::call(
        node,
        &peer.url,
        "PUT",
        &format!("/federation/proposals/{id}"),
        &body,
    )?;
    if reply.status == 409 {
        // The peer may be ahead: it committed a step of ours that we lost (killed between its
        // commit and ours). Adopt its records if they check out, else pass its refusal on.
        if let Some(view) = resync(node, &p, &peer.url, &ring)? {
            return Ok(view);
        }
    }
    if reply.status != 200 {
        return Err(peer_refused(&peer_id, &reply));
    }
    if super::CRASH_BEFORE_COMMIT.load(std::sync::atomic::Ordering::Relaxed) {
        // Test hook (`serve --test-clock` with VM_NODE_TEST_FED_CRASH=before-commit): die as
        // a SIGKILL would, after the peer committed and before this node does.
        std::process::abort();
    }
    let mut row = p.clone();
    row.responses.push(text(&response_bytes));
    let standing = core_neg::standing_after(next, &node.mesh_id, &p.proposer, &p.target);
    row.phase = standing.phase.name().into();
    row.awaiting = standing.awaiting;
    let mut receipts = vec![response_bytes];
    let mut kinds = vec![Kind::ProposalResponse];
    let mut agreement_row = None;
    if let Some(ours) = half_signed {
        // The countersigned agreement: verified in full, and the very one derived here.
        let answer = reply.json();
        let full = core_value(&answer["agreement"])?;
        let value = parse(&full)?;
        federation::verify_agreement(&value, &ring).map_err(|f| refused(502, f))?;
        let ours = parse(&ours)?;
        core_neg::check_derived(object_of(&value)?, object_of(&ours)?)
            .map_err(|f| refused(502, f))?;
        let a = agreement_state(&value, &peer_id, &full);
        row.agreement_id = Some(a.agreement_id.clone());
        receipts.push(full);
        kinds.push(Kind::Agreement);
        agreement_row = Some(a);
    }
    let _guard = lock();
    if load_proposal(node, id)? != p {
        let now = load_proposal(node, id)?;
        return Err(conflict(&now, Error::NegotiationConflict));
    }
    commit(node, &row, agreement_row.as_ref(), &receipts, &kinds, &ring)?;
    Ok(proposal_view(&row, agreement_row.as_ref()))
}

/// Resynchronises a negotiation from the peer's copy (`GET /federation/proposals/{id}`,
/// signed) when the peer holds every record we hold and more: each further response is
/// verified by the core (signature by its responder, the state machine at its
/// `responded_at`), an acceptance's agreement must be the one derived here and signed by
/// both; then the missing records are appended with the state they justify. `None` when the
/// peer is not ahead of us in that way.
fn resync(
    node: &Node,
    p: &Proposal,
    url: &str,
    ring: &Keyring,
) -> Result<Option<serde_json::Value>> {
    let reply = signed::call(
        node,
        url,
        "GET",
        &format!("/federation/proposals/{}", p.proposal_id),
        b"",
    )?;
    if reply.status != 200 {
        return Ok(None);
    }
    let theirs = reply.json();
    let canon = |v: &serde_json::Value| core_value(v).ok();
    if canon(&theirs["proposal"]).as_deref() != Some(p.proposal.as_bytes()) {
        return Ok(None);
    }
    let responses: Vec<Vec<u8>> = theirs["responses"]
        .as_array()
        .map(|r| r.iter().filter_map(canon).collect())
        .unwrap_or_default();
    let known = p.responses.len();
    if responses.len() <= known
        || responses[..known]
            .iter()
            .zip(&p.responses)
            .any(|(a, b)| a.as_slice() != b.as_bytes())
    {
        return Ok(None);
    }
    let expires = expiry(p)?;
    let mut row = p.clone();
    let mut receipts = Vec::new();
    let mut kinds = Vec::new();
    let mut agreement_row = None;
    for bytes in &responses[known..] {
        let value = parse(bytes)?;
        record::verify_value(&value, Some(Kind::ProposalResponse), ring)
            .map_err(|f| refused(502, f))?;
        let r = object_of(&value)?;
        let field = |f: &str| {
            r.get(f)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let responder = field("responder");
        let at =
            Timestamp::parse(&field("responded_at")).map_err(|e| ApiError::core(502, e, None))?;
        let decision = Decision::from_name(&field("decision")).unwrap_or(Decision::Reject);
        let phase = Phase::from_name(&row.phase).unwrap_or(Phase::Rejected);
        let next = core_neg::respond(
            phase,
            row.awaiting.as_deref().unwrap_or_default(),
            &responder,
            decision,
            at,
            expires,
        )
        .map_err(|e| ApiError::core(502, e, None))?;
        if decision == Decision::Accept {
            let full = canon(&theirs["agreement"])
                .ok_or_else(|| ApiError::core(502, Error::MissingField, Some("agreement")))?;
            let agreement = parse(&full)?;
            federation::verify_agreement(&agreement, ring).map_err(|f| refused(502, f))?;
            let expected = derived(node, &row, &field("responded_at"))?;
            core_neg::check_derived(object_of(&agreement)?, &expected)
                .map_err(|f| refused(502, f))?;
            let a = agreement_state(&agreement, other_party(p, &node.mesh_id), &full);
            row.agreement_id = Some(a.agreement_id.clone());
            agreement_row = Some((a, full));
        }
        row.responses.push(text(bytes));
        let standing = core_neg::standing_after(next, &responder, &p.proposer, &p.target);
        row.phase = standing.phase.name().into();
        row.awaiting = standing.awaiting;
        receipts.push(bytes.clone());
        kinds.push(Kind::ProposalResponse);
    }
    let agreement = agreement_row.map(|(a, full)| {
        receipts.push(full);
        kinds.push(Kind::Agreement);
        a
    });
    let _guard = lock();
    if load_proposal(node, &p.proposal_id)? != *p {
        return Ok(None);
    }
    commit(node, &row, agreement.as_ref(), &receipts, &kinds, ring)?;
    let mut view = proposal_view(&row, agreement.as_ref());
    view["resynced"] = true.into();
    Ok(Some(view))
}

/// The proposal's `expires_at` (a stored, verified record; the epoch if unreadable, which
/// refuses every response).
fn expiry(p: &Proposal) -> Result<Timestamp> {
    Ok(parse(p.proposal.as_bytes())?
        .as_object()
        .and_then(|o| o.get("expires_at"))
        .and_then(Value::as_str)
        .and_then(|t| Timestamp::parse(t).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH))
}

fn agreement_state(value: &Value<'_>, peer: &str, bytes: &[u8]) -> Agreement {
    let o = value.as_object();
    Agreement {
        agreement_id: o
            .and_then(|o| o.get("agreement_id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        peer: peer.to_string(),
        trust_level: o
            .and_then(|o| o.get("trust_level"))
            .and_then(Value::as_u64)
            .unwrap_or(0),
        agreement: text(bytes),
        revocation: None,
        effective_at: None,
    }
}

fn commit(
    node: &Node,
    row: &Proposal,
    agreement: Option<&Agreement>,
    receipts: &[Vec<u8>],
    kinds: &[Kind],
    ring: &Keyring,
) -> Result<()> {
    ensure_scroll(node)?;
    let p = state::encode(row)?;
    let a = agreement.map(state::encode).transpose()?;
    let mut rows = vec![state::put(state::PROPOSAL, &row.proposal_id, &p)];
    if let (Some(agreement), Some(bytes)) = (agreement, &a) {
        rows.push(state::put(state::AGREEMENT, &agreement.agreement_id, bytes));
    }
    super::keep(node, receipts, kinds, ring, &rows)?;
    Ok(())
}

/// `PUT /federation/proposals/{id}` from the other party: its signed response (and, with an
/// acceptance, the agreement it signed). Checked by the core's state machine; an acceptance's
/// agreement must be the one derived here from the same records, then it is countersigned and
/// returned. The same response again gets the same answer.
pub fn receive_response(
    node: &Node,
    auth: &Authenticated,
    id: &str,
    body: &[u8],
) -> Result<serde_json::Value> {
    let message = parse(body)?;
    let message = message.as_object().ok_or_else(|| {
        ApiError::node(
            NodeCode::BadRequest,
            "expected {\"response\": {...}, \"agreement\"?: {...}}",
        )
    })?;
    let response = message
        .get("response")
        .ok_or_else(|| ApiError::core(400, Error::MissingField, Some("response")))?;
    let ring = keyring(node, &auth.mesh_id, &auth.key);
    record::verify_value(response, Some(Kind::ProposalResponse), &ring)
        .map_err(|f| refused(422, f))?;
    let r = object_of(response)?;
    let field = |f: &str| {
        r.get(f)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if field("responder") != auth.mesh_id {
        return Err(ApiError::core(401, Error::KeyMismatch, Some("responder")));
    }
    if field("proposal_id") != id {
        return Err(ApiError::core(
            422,
            Error::InvalidField,
            Some("proposal_id"),
        ));
    }
    if state::get::<Proposal>(node, state::PROPOSAL, id)?.is_none() {
        // Our own proposal, lost when we were killed after the target took it: recover it
        // from the target (never while holding the lock: that is a call to the peer).
        adopt_own_proposal(node, auth, id, &ring)?;
    }
    let _guard = lock();
    let p = load_proposal(node, id)?;
    if p.proposer != auth.mesh_id && p.target != auth.mesh_id {
        return Err(ApiError::node(
            NodeCode::UnknownNegotiation,
            format!("no proposal {id:?}"),
        ));
    }
    let canonical = response.to_canonical();
    let agreement_of = |p: &Proposal| -> Result<Option<Agreement>> {
        match &p.agreement_id {
            Some(a) => state::get(node, state::AGREEMENT, a),
            None => Ok(None),
        }
    };
    if p.responses
        .iter()
        .any(|known| known.as_bytes() == canonical.as_slice())
    {
        let a = agreement_of(&p)?;
        return Ok(answer(&p, a.as_ref()));
    }
    let decision = Decision::from_name(&field("decision")).unwrap_or(Decision::Reject);
    let expires = expiry(&p)?;
    let phase = Phase::from_name(&p.phase).unwrap_or(Phase::Rejected);
    let next = core_neg::respond(
        phase,
        p.awaiting.as_deref().unwrap_or_default(),
        &auth.mesh_id,
        decision,
        now_ts(node),
        expires,
    )
    .map_err(|e| conflict(&p, e))?;
    if decision == Decision::Counter {
        let mut with = p.responses.clone();
        with.push(text(&canonical));
        let proposal = parse(p.proposal.as_bytes())?;
        let parsed: Vec<Value<'_>> = with
            .iter()
            .map(|r| parse(r.as_bytes()))
            .collect::<Result<_>>()?;
        let objects: Vec<&Object<'_>> = parsed.iter().filter_map(Value::as_object).collect();
        let (level, terms) = core_neg::current_terms(object_of(&proposal)?, &objects);
        let empty = Object::default();
        core_neg::check_terms(level, terms.unwrap_or(&empty), &policy(node))
            .map_err(|f| refused(403, f))?;
    }
    let mut row = p.clone();
    row.responses.push(text(&canonical));
    let standing = core_neg::standing_after(next, &auth.mesh_id, &p.proposer, &p.target);
    row.phase = standing.phase.name().into();
    row.awaiting = standing.awaiting;
    let mut receipts = vec![canonical];
    let mut kinds = vec![Kind::ProposalResponse];
    let mut agreement_row = None;
    if decision == Decision::Accept {
        let received = message
            .get("agreement")
            .and_then(Value::as_object)
            .ok_or_else(|| ApiError::core(400, Error::MissingField, Some("agreement")))?;
        let expected = derived(node, &p, &field("responded_at"))?;
        core_neg::check_derived(received, &expected).map_err(|f| refused(422, f))?;
        core_neg::verify_party_signature(received, &auth.mesh_id, &auth.key)
            .map_err(|f| refused(422, f))?;
        let mut countersigned = received.clone();
        let now = timestamp(node.now());
        federation::sign_agreement(
            &mut countersigned,
            &node.mesh_id,
            &now,
            node.federation_secret(),
        );
        let full = Value::Object(countersigned);
        federation::verify_agreement(&full, &ring).map_err(|f| refused(500, f))?;
        let bytes = full.to_canonical();
        let a = agreement_state(&full, &auth.mesh_id, &bytes);
        row.agreement_id = Some(a.agreement_id.clone());
        receipts.push(bytes);
        kinds.push(Kind::Agreement);
        agreement_row = Some(a);
    }
    commit(node, &row, agreement_row.as_ref(), &receipts, &kinds, &ring)?;
    Ok(answer(&row, agreement_row.as_ref()))
}

/// Recovers a proposal this mesh made and lost (killed after the target stored it, before
/// its own commit) from the target's copy: signed by our own key, from us, to the target, with
/// no response yet. Stored as if just proposed; anything else is `UNKNOWN_NEGOTIATION`.
fn adopt_own_proposal(node: &Node, auth: &Authenticated, id: &str, ring: &Keyring) -> Result<()> {
    let unknown = || ApiError::node(NodeCode::UnknownNegotiation, format!("no proposal {id:?}"));
    let peer = peers::known(node, &auth.mesh_id)?;
    let reply = signed::call(
        node,
        &peer.url,
        "GET",
        &format!("/federation/proposals/{id}"),
        b"",
    )?;
    if reply.status != 200 {
        return Err(unknown());
    }
    let theirs = reply.json();
    if theirs["responses"]
        .as_array()
        .is_some_and(|r| !r.is_empty())
    {
        return Err(unknown());
    }
    let bytes = core_value(&theirs["proposal"])?;
    let value = parse(&bytes)?;
    record::verify_value(&value, Some(Kind::TrustProposal), ring).map_err(|f| refused(502, f))?;
    let o = object_of(&value)?;
    let field = |f: &str| {
        o.get(f)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if field("proposer") != node.mesh_id
        || field("target") != auth.mesh_id
        || field("proposal_id") != id
    {
        return Err(unknown());
    }
    let row = Proposal {
        proposal_id: id.to_string(),
        proposer: node.mesh_id.clone(),
        target: auth.mesh_id.clone(),
        phase: Phase::Proposed.name().into(),
        awaiting: Some(auth.mesh_id.clone()),
        proposal: text(&bytes),
        responses: Vec::new(),
        agreement_id: None,
    };
    let _guard = lock();
    if state::get::<Proposal>(node, state::PROPOSAL, id)?.is_some() {
        return Ok(());
    }
    ensure_scroll(node)?;
    let encoded = state::encode(&row)?;
    super::keep(
        node,
        &[bytes],
        &[Kind::TrustProposal],
        ring,
        &[state::put(state::PROPOSAL, id, &encoded)],
    )?;
    Ok(())
}

fn answer(p: &Proposal, a: Option<&Agreement>) -> serde_json::Value {
    serde_json::json!({
        "proposal_id": p.proposal_id, "state": p.phase, "awaiting": p.awaiting,
        "agreement": a.map(|a| to_json(a.agreement.as_bytes())),
    })
}

// --- revocation ----------------------------------------------------------------------------

fn verified_agreement(a: &Agreement, ring: &Keyring) -> Result<federation::Agreement> {
    let value = parse(a.agreement.as_bytes())?;
    federation::verify_agreement(&value, ring).map_err(|f| refused(500, f))
}

/// `POST /admin/federation/agreements/{id}/revoke`: a signed revocation with `notice_days`,
/// sent to the peer; both keep the agreement in force until the notice ends.
pub fn revoke(
    node: &Node,
    id: &str,
    notice_days: u64,
    reason: Option<&str>,
) -> Result<serde_json::Value> {
    let a = load_agreement(node, id)?;
    if a.revocation.is_some() {
        return Err(ApiError::core(409, Error::RevocationInvalid, None)
            .with_detail(agreement_view(&a, node.now())));
    }
    let peer = peers::known(node, &a.peer)?;
    let key = PublicKey::parse(&peer.public_key).map_err(|e| ApiError::core(500, e, None))?;
    let ring = keyring(node, &a.peer, &key);
    let verified = verified_agreement(&a, &ring)?;
    let now = node.now();
    let mut record = serde_json::json!({
        "type": revocation::DOMAIN, "revocation_id": random_id("fed-revocation-")?,
        "agreement_id": id, "revoker": node.mesh_id, "revoked_at": timestamp(now),
        "notice_days": notice_days, "effective_at": timestamp(now + notice_days * 86_400),
    });
    if let Some(r) = reason {
        record["reason"] = r.into();
    }
    let bytes = core_value(&record)?;
    let Value::Object(mut object) = parse(&bytes)? else {
        unreachable!("built as an object")
    };
    revocation::sign_revocation(&mut object, node.federation_secret());
    let value = Value::Object(object);
    let checked =
        revocation::verify_revocation(&value, id, &verified).map_err(|f| refused(400, f))?;
    let bytes = value.to_canonical();
    let reply = signed::call(
        node,
        &peer.url,
        "DELETE",
        &format!("/federation/agreements/{id}"),
        &bytes,
    )?;
    if reply.status != 200 {
        return Err(peer_refused(&a.peer, &reply));
    }
    let _guard = lock();
    if load_agreement(node, id)? != a {
        return Err(ApiError::core(409, Error::RevocationInvalid, None));
    }
    store_revocation(node, a, &bytes, checked.effective_at.unix_seconds() as u64)
}

fn store_revocation(
    node: &Node,
    mut a: Agreement,
    bytes: &[u8],
    effective_at: u64,
) -> Result<serde_json::Value> {
    a.revocation = Some(text(bytes));
    a.effective_at = Some(effective_at);
    let encoded = state::encode(&a)?;
    // `fed_revocation` is verified above by the core; the record table has no kind for it,
    // so the append stores it as a typed engine record.
    super::keep(
        node,
        &[bytes.to_vec()],
        &[],
        &node.keyring(),
        &[state::put(state::AGREEMENT, &a.agreement_id, &encoded)],
    )?;
    Ok(agreement_view(&a, node.now()))
}

/// `DELETE /federation/agreements/{id}` from the other party: its signed revocation.
pub fn receive_revocation(
    node: &Node,
    auth: &Authenticated,
    id: &str,
    body: &[u8],
) -> Result<serde_json::Value> {
    let _guard = lock();
    let a = load_agreement(node, id)?;
    if a.peer != auth.mesh_id {
        return Err(ApiError::node(
            NodeCode::UnknownNegotiation,
            format!("no agreement {id:?}"),
        ));
    }
    let value = parse(body)?;
    let ring = keyring(node, &auth.mesh_id, &auth.key);
    let verified = verified_agreement(&a, &ring)?;
    let checked =
        revocation::verify_revocation(&value, id, &verified).map_err(|f| refused(422, f))?;
    if checked.revoker != auth.mesh_id {
        return Err(ApiError::core(401, Error::KeyMismatch, Some("revoker")));
    }
    let canonical = value.to_canonical();
    if let Some(known) = &a.revocation {
        return if known.as_bytes() == canonical.as_slice() {
            Ok(agreement_view(&a, node.now()))
        } else {
            Err(ApiError::core(409, Error::RevocationInvalid, None)
                .with_detail(agreement_view(&a, node.now())))
        };
    }
    store_revocation(
        node,
        a,
        &canonical,
        checked.effective_at.unix_seconds() as u64,
    )
}

/// Loads a proposal for a view.
pub fn proposal(node: &Node, id: &str) -> Result<(Proposal, Option<Agreement>)> {
    let p = load_proposal(node, id)?;
    let a = match &p.agreement_id {
        Some(a) => state::get(node, state::AGREEMENT, a)?,
        None => None,
    };
    Ok((p, a))
}

/// Loads an agreement for a view.
pub fn agreement(node: &Node, id: &str) -> Result<Agreement> {
    load_agreement(node, id)
}
