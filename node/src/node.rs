//! The node: scrolls, appends, checkpoints, proofs and violation receipts, on a [`Store`].
//!
//! Appends to one scroll are serialized by the scroll's lock; verification (the expensive part)
//! runs before the lock, so batches for one scroll verify in parallel and different scrolls
//! proceed independently up to the store's commit. An append is acknowledged only after its
//! transaction commits. The in-memory [`Frontier`] of each scroll is replaced only after the
//! commit, so a failed commit leaves nothing behind.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use vaultmesh_core::encoding::{id, PublicKey};
use vaultmesh_core::federation::{self, Checkpoint};
use vaultmesh_core::json::{self, Limits, Number, Object, Value};
use vaultmesh_core::merkle::{
    self, prove_consistency_from_subtrees, prove_inclusion_from_subtrees, ConsistencyProof,
    Frontier, InclusionProof,
};
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_core::{Digest, Error};

use crate::config::{DataDir, GOVERNANCE_SCROLL};

/// `details.actor` of a violation attempted without the admin token: the node cannot name the
/// caller (docs/SPEC.md §6, the node's violation receipts).
pub const UNAUTHENTICATED_ACTOR: &str = "did:vm:agent:unauthenticated";
use crate::metrics::Metrics;
use crate::store::{CheckpointRow, NewReceipt, StatePut, Store, StoreRead};
use crate::util;
use crate::violations::{Clock, Decision, Limiter, Summary, SystemClock};

/// The names `?kind=` accepts for records without `type` (the core's `Kind::from_name`).
pub const UNTYPED_KIND_NAMES: &[&str] = &["discovery", "proposal", "response", "agreement"];

/// Node error codes, outside the core's table (which stops below 1000). Names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum NodeCode {
    /// The scroll does not exist (or is not public and the caller is not the admin).
    UnknownScroll = 1000,
    /// The admin token is missing or wrong.
    Unauthorized = 1001,
    /// A modify or delete attempt (AXIOM-001): refused and recorded.
    AppendOnly = 1002,
    /// No such route.
    NotFound = 1003,
    /// The route exists with other methods.
    MethodNotAllowed = 1004,
    /// A query parameter or request shape is wrong.
    BadRequest = 1005,
    /// The scroll has no checkpoint (of that size or sequence number) yet.
    NoCheckpoint = 1006,
    /// `expect_size` differs from the scroll's size.
    SizeMismatch = 1007,
    /// The admin API is served to loopback peers only.
    Forbidden = 1008,
    /// The store failed.
    Internal = 1009,
    /// An actor already has another key.
    KeyConflict = 1010,
    /// No receipt at that index.
    NoReceipt = 1011,
    /// The request body did not arrive within `limits.body_timeout_secs`.
    RequestTimeout = 1012,
    /// A record without `type` was appended without naming its kind (`?kind=`).
    KindRequired = 1013,
    /// A federation request is signed by a mesh this node has not discovered.
    UnknownPeer = 1014,
    /// The caller's agreement grants a lower trust level than the endpoint needs.
    TrustLevel = 1015,
    /// A peer's discovery record carries another key than the one pinned.
    PeerKeyChanged = 1016,
    /// A peer did not answer, or answered with an error.
    PeerFailed = 1017,
    /// No such proposal or agreement.
    UnknownNegotiation = 1018,
    /// The endpoint needs a signed request (RFC 9421) from a peer mesh.
    SignatureRequired = 1019,
    /// The writer's `write` capability is suspended by an enforcement in force.
    CapabilitySuspended = 1020,
    /// A write to an engine's scroll not signed by that engine's key.
    NotEngineKey = 1021,
    /// A write to the scroll of an engine that is pending (or retired).
    EngineNotActive = 1022,
    /// An emergency's `lockdown_scrolls` is in force.
    ScrollLocked = 1023,
    /// An engine's activation does not cite a signed checkpoint of the governance scroll that
    /// includes the amendment that made it pending.
    AnchorNotCheckpointed = 1024,
    /// The shared store (PostgreSQL) holds another mesh: one database serves one mesh.
    StoreOfAnotherMesh = 1030,
}

impl NodeCode {
    /// The stable upper-case name.
    pub fn name(self) -> &'static str {
        match self {
            NodeCode::UnknownScroll => "UNKNOWN_SCROLL",
            NodeCode::Unauthorized => "UNAUTHORIZED",
            NodeCode::AppendOnly => "APPEND_ONLY",
            NodeCode::NotFound => "NOT_FOUND",
            NodeCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            NodeCode::BadRequest => "BAD_REQUEST",
            NodeCode::NoCheckpoint => "NO_CHECKPOINT",
            NodeCode::SizeMismatch => "SIZE_MISMATCH",
            NodeCode::Forbidden => "FORBIDDEN",
            NodeCode::Internal => "INTERNAL",
            NodeCode::KeyConflict => "KEY_CONFLICT",
            NodeCode::NoReceipt => "NO_RECEIPT",
            NodeCode::RequestTimeout => "REQUEST_TIMEOUT",
            NodeCode::KindRequired => "KIND_REQUIRED",
            NodeCode::UnknownPeer => "UNKNOWN_PEER",
            NodeCode::TrustLevel => "TRUST_LEVEL",
            NodeCode::PeerKeyChanged => "PEER_KEY_CHANGED",
            NodeCode::PeerFailed => "PEER_FAILED",
            NodeCode::UnknownNegotiation => "UNKNOWN_NEGOTIATION",
            NodeCode::SignatureRequired => "SIGNATURE_REQUIRED",
            NodeCode::CapabilitySuspended => "CAPABILITY_SUSPENDED",
            NodeCode::NotEngineKey => "NOT_ENGINE_KEY",
            NodeCode::EngineNotActive => "ENGINE_NOT_ACTIVE",
            NodeCode::ScrollLocked => "SCROLL_LOCKED",
            NodeCode::AnchorNotCheckpointed => "ANCHOR_NOT_CHECKPOINTED",
            NodeCode::StoreOfAnotherMesh => "STORE_OF_ANOTHER_MESH",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(self) -> u16 {
        match self {
            NodeCode::UnknownScroll
            | NodeCode::NotFound
            | NodeCode::NoCheckpoint
            | NodeCode::NoReceipt
            | NodeCode::UnknownNegotiation => 404,
            NodeCode::Unauthorized | NodeCode::UnknownPeer | NodeCode::SignatureRequired => 401,
            NodeCode::AppendOnly
            | NodeCode::Forbidden
            | NodeCode::TrustLevel
            | NodeCode::CapabilitySuspended
            | NodeCode::NotEngineKey
            | NodeCode::EngineNotActive
            | NodeCode::ScrollLocked => 403,
            NodeCode::KindRequired => 400,
            NodeCode::PeerKeyChanged => 409,
            NodeCode::PeerFailed => 502,
            NodeCode::MethodNotAllowed => 405,
            NodeCode::BadRequest => 400,
            NodeCode::SizeMismatch | NodeCode::KeyConflict | NodeCode::StoreOfAnotherMesh => 409,
            NodeCode::Internal => 500,
            NodeCode::AnchorNotCheckpointed => 422,
            NodeCode::RequestTimeout => 408,
        }
    }
}

/// An error answer: HTTP status, stable code and name (the core's, or the node's from 1000),
/// a message, and where it applies.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable numeric code.
    pub code: u16,
    /// Stable name.
    pub name: &'static str,
    /// Human-readable message.
    pub message: String,
    /// The record field concerned.
    pub field: Option<&'static str>,
    /// The batch item concerned (0-based).
    pub index: Option<usize>,
    /// More detail (a violation receipt, the current size).
    pub detail: Option<serde_json::Value>,
}

impl ApiError {
    /// A core error.
    pub fn core(status: u16, error: Error, field: Option<&'static str>) -> ApiError {
        ApiError {
            status,
            code: error.code(),
            name: error.name(),
            message: error.message().to_string(),
            field,
            index: None,
            detail: None,
        }
    }

    /// A node error.
    pub fn node(code: NodeCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status: code.status(),
            code: code as u16,
            name: code.name(),
            message: message.into(),
            field: None,
            index: None,
            detail: None,
        }
    }

    /// The same error for batch item `index`.
    pub fn at(mut self, index: usize) -> ApiError {
        self.index = Some(index);
        self
    }

    /// With detail.
    pub fn with_detail(mut self, detail: serde_json::Value) -> ApiError {
        self.detail = Some(detail);
        self
    }

    /// The JSON body `{"error": {...}}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut e = serde_json::json!({
            "status": self.status, "code": self.code, "name": self.name, "message": self.message,
        });
        if let Some(f) = self.field {
            e["field"] = f.into();
        }
        if let Some(i) = self.index {
            e["index"] = i.into();
        }
        if let Some(d) = &self.detail {
            e["detail"] = d.clone();
        }
        serde_json::json!({ "error": e })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.name, self.code, self.message)?;
        if let Some(field) = self.field {
            write!(f, " (field `{field}`)")?;
        }
        if let Some(i) = self.index {
            write!(f, " (item {i})")?;
        }
        Ok(())
    }
}

impl From<crate::http::query::QueryError> for ApiError {
    fn from(e: crate::http::query::QueryError) -> ApiError {
        ApiError::node(NodeCode::BadRequest, e.0)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        ApiError::node(NodeCode::Internal, e.0)
    }
}

/// Result of node calls.
pub type Result<T> = std::result::Result<T, ApiError>;

/// One scroll's state in memory.
#[derive(Debug)]
pub struct Scroll {
    /// Store id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Served by the federation endpoints.
    pub public: bool,
    /// The append lock and the tree's right edge.
    pub(crate) tree: Mutex<Frontier>,
    pub(crate) size: AtomicU64,
    pub(crate) latest: RwLock<Option<Arc<CheckpointRow>>>,
}

impl Scroll {
    /// Committed receipts.
    pub fn size(&self) -> u64 {
        self.size.load(Relaxed)
    }

    /// The latest checkpoint.
    pub fn latest_checkpoint(&self) -> Option<Arc<CheckpointRow>> {
        self.latest.read().ok().and_then(|l| l.clone())
    }
}

/// What an append did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Index of the first receipt.
    pub first_index: u64,
    /// Receipts appended.
    pub count: u64,
    /// The scroll's size after the append.
    pub tree_size: u64,
    /// The root at that size (not signed until a checkpoint).
    pub root: Digest,
    /// Receipts whose signature the core verified.
    pub verified: u64,
    /// Receipts of a known kind whose signer has no known key (stored unverified).
    pub unknown_signer: u64,
    /// Receipts of no kind the core knows (engine receipts; stored as canonical JSON).
    pub opaque: u64,
}

/// Which checkpoint a proof is against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// The latest.
    Latest,
    /// Sequence number `n` (1, 2, …).
    Seq(u64),
    /// The latest checkpoint of this size.
    Size(u64),
}

/// An inclusion proof with what it is against.
#[derive(Clone, Debug)]
pub struct Inclusion {
    /// The proof.
    pub proof: InclusionProof,
    /// The leaf hash of the receipt.
    pub leaf_hash: Digest,
    /// The checkpoint the proof is against.
    pub checkpoint: Arc<CheckpointRow>,
}

/// The node.
pub struct Node {
    /// The mesh DID.
    pub mesh_id: String,
    /// The mesh's federation key.
    pub public_key: PublicKey,
    secret: [u8; 32],
    admin_token: String,
    /// The data directory's configuration.
    pub config: crate::config::Config,
    store: Box<dyn Store>,
    scrolls: RwLock<BTreeMap<String, Arc<Scroll>>>,
    keyring: RwLock<Arc<Keyring>>,
    /// Limits for one receipt.
    pub record_limits: Limits,
    /// Counters.
    pub metrics: Metrics,
    reject_unknown_signers: bool,
    clock: Arc<dyn Clock>,
    violations: Mutex<Limiter>,
    governance: Option<crate::governance::Governance>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("mesh_id", &self.mesh_id)
            .finish_non_exhaustive()
    }
}

fn string(s: impl Into<String>) -> Value<'static> {
    Value::String(s.into().into())
}

fn uint(n: u64) -> Value<'static> {
    Value::Number(Number {
        value: n as f64,
        plain_integer: true,
    })
}

/// Unix seconds as wire-format text.
fn timestamp_text(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    vaultmesh_core::encoding::timestamp::Timestamp::from_unix_seconds(secs)
        .unwrap_or(vaultmesh_core::encoding::timestamp::Timestamp::UNIX_EPOCH)
        .to_string()
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::node(NodeCode::Internal, e.to_string())
}

/// Runs a subtree-store function of the core over a store reader, turning a read failure into
/// an error (the core's closure returns a digest, so the first failure is kept aside).
///
/// Which subtrees the core asks for depends on the sizes and indexes only, never on the
/// hashes: a first pass with placeholder hashes lists them, the store fetches them all at once
/// ([`StoreRead::subtrees`]: one round trip on PostgreSQL), and the second pass computes with
/// them. A hash the first pass did not foresee is read on its own.
pub(crate) fn with_subtrees<T>(
    reader: &mut dyn StoreRead,
    scroll: i64,
    f: impl Fn(&mut dyn FnMut(u32, u64) -> Digest) -> T,
) -> Result<T> {
    let mut wanted = Vec::new();
    let _ = f(&mut |level, index| {
        wanted.push((level, index));
        Digest([0; 32])
    });
    wanted.sort_unstable();
    wanted.dedup();
    let fetched: BTreeMap<(u32, u64), Digest> = if wanted.is_empty() {
        BTreeMap::new()
    } else {
        wanted
            .iter()
            .copied()
            .zip(reader.subtrees(scroll, &wanted)?)
            .collect()
    };
    let mut failure = None;
    let out = f(&mut |level, index| {
        if let Some(d) = fetched.get(&(level, index)) {
            return *d;
        }
        match reader.subtree(scroll, level, index) {
            Ok(d) => d,
            Err(e) => {
                failure.get_or_insert(e);
                Digest([0; 32])
            }
        }
    });
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(out),
    }
}

impl Node {
    /// Opens the node of a data directory: the store (created on first use), every configured
    /// scroll (and `governance`, which receives violation receipts), each scroll's frontier
    /// from `O(log n)` stored subtrees, and the keyring.
    pub fn open(dir: &DataDir) -> Result<Node> {
        Node::with_store(dir, crate::store::open(dir)?)
    }

    /// [`Node::open`] on a given store.
    pub fn with_store(dir: &DataDir, store: Box<dyn Store>) -> Result<Node> {
        let config = dir.config.clone();
        let now = util::now_text();
        let mut wanted: Vec<(String, bool)> = config
            .scrolls
            .iter()
            .map(|s| (s.name.clone(), s.public))
            .collect();
        if !wanted.iter().any(|(n, _)| n == GOVERNANCE_SCROLL) {
            wanted.push((GOVERNANCE_SCROLL.to_string(), true));
        }
        if store.shared() {
            crate::shared::claim_for_mesh(store.as_ref(), &config.mesh_id)?;
        }
        let existing = store.scrolls()?;
        for (name, public) in &wanted {
            if !existing.iter().any(|s| &s.name == name) {
                store.create_scroll(name, *public, &now)?;
            }
        }
        let limiter = Limiter::new(
            config.violations.max_per_window,
            config.violations.window_secs,
        );
        let node = Node {
            mesh_id: config.mesh_id.clone(),
            public_key: dir.public_key(),
            secret: *dir.secret(),
            admin_token: dir.admin_token.clone(),
            record_limits: Limits {
                max_bytes: config.limits.max_record_bytes,
                max_depth: config.limits.max_depth,
            },
            reject_unknown_signers: config.unknown_signers == "reject",
            config,
            store,
            scrolls: RwLock::new(BTreeMap::new()),
            keyring: RwLock::new(Arc::new(Keyring::new())),
            metrics: Metrics::default(),
            clock: Arc::new(SystemClock),
            violations: Mutex::new(limiter),
            governance: crate::governance::Governance::open(&dir.path)?,
        };
        node.reload_keyring()?;
        for row in node.store.scrolls()? {
            let public = wanted
                .iter()
                .find(|(n, _)| *n == row.name)
                .map_or(row.public, |w| w.1);
            node.load_scroll(row.id, row.name, public, row.size)?;
        }
        node.rebuild_governance()?;
        Ok(node)
    }

    /// The node's governance, when its data directory has a constitution.
    pub fn governance(&self) -> Option<&crate::governance::Governance> {
        self.governance.as_ref()
    }

    /// The node's clock, in Unix seconds (governance decides by it).
    pub fn now_secs(&self) -> u64 {
        self.clock.now()
    }

    /// Rebuilds the governance judge from the stored governance scroll, and the keyring from
    /// the constitution it ends at.
    fn rebuild_governance(&self) -> Result<()> {
        let Some(g) = &self.governance else {
            return Ok(());
        };
        let scroll = self.scroll(GOVERNANCE_SCROLL)?;
        let mut reader = self.store.reader()?;
        g.rebuild(&self.record_limits, |visit| {
            reader
                .each_receipt(scroll.id, 0, scroll.size(), &mut |i, body, _| {
                    visit(i, body).map_err(crate::store::StoreError)
                })
                .map_err(|e| e.0)
        })?;
        self.reload_keyring()
    }

    /// The same node reading the time from `clock` (tests move a
    /// [`crate::violations::ManualClock`] instead of sleeping).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Node {
        self.clock = clock;
        self
    }

    /// The node's clock, Unix seconds (federation expiries, notices and request signatures).
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// The mesh's federation secret, for the federation module's signatures only.
    pub(crate) fn federation_secret(&self) -> &[u8; 32] {
        &self.secret
    }

    fn load_scroll(&self, id: i64, name: String, public: bool, size: u64) -> Result<Arc<Scroll>> {
        let mut reader = self.store.reader()?;
        let frontier = with_subtrees(reader.as_mut(), id, |get| {
            Frontier::from_subtrees(size, get)
        })?;
        let latest = reader.latest_checkpoint(id)?.map(Arc::new);
        let scroll = Arc::new(Scroll {
            id,
            name: name.clone(),
            public,
            tree: Mutex::new(frontier),
            size: AtomicU64::new(size),
            latest: RwLock::new(latest),
        });
        self.scrolls
            .write()
            .map_err(internal)?
            .insert(name, scroll.clone());
        Ok(scroll)
    }

    fn reload_keyring(&self) -> Result<()> {
        let mut ring = Keyring::new();
        for (actor, key) in self
            .config
            .keyring
            .iter()
            .map(|(a, k)| (a.clone(), k.clone()))
            .chain(self.store.keys()?)
        {
            let key =
                PublicKey::parse(&key).map_err(|e| ApiError::core(500, e, Some("keyring")))?;
            ring.insert(actor, key);
        }
        // The constitution's members: its voters, sovereign and engines sign with these.
        if let Some(g) = &self.governance {
            for (actor, key) in g.keyring().iter() {
                ring.insert(actor, *key);
            }
        }
        // The mesh's own key always: checkpoints and violation receipts are signed with it.
        ring.insert(self.mesh_id.clone(), self.public_key);
        *self.keyring.write().map_err(internal)? = Arc::new(ring);
        Ok(())
    }

    /// The keyring: configured keys, keys added at run time, and the mesh's own.
    pub fn keyring(&self) -> Arc<Keyring> {
        self.keyring.read().map(|k| k.clone()).unwrap_or_default()
    }

    /// Adds a signer's key (`POST /admin/keys`). Returns whether it was new.
    pub fn add_key(&self, actor: &str, key: &str) -> Result<bool> {
        if actor.starts_with("engine:") {
            id::check_engine_id(actor).map_err(|e| ApiError::core(400, e, Some("actor")))?;
        } else {
            id::check_actor_id(actor).map_err(|e| ApiError::core(400, e, Some("actor")))?;
        }
        if actor == self.mesh_id {
            return Err(ApiError::node(
                NodeCode::KeyConflict,
                "the mesh's own key is fixed",
            ));
        }
        let parsed = PublicKey::parse(key).map_err(|e| ApiError::core(400, e, Some("key")))?;
        if let Some(known) = self.keyring().get(actor) {
            return if *known == parsed {
                Ok(false)
            } else {
                Err(ApiError::node(
                    NodeCode::KeyConflict,
                    format!("{actor} already has another key"),
                ))
            };
        }
        let added = self
            .store
            .add_key(actor, &parsed.to_string(), &util::now_text())
            .map_err(|e| ApiError::node(NodeCode::KeyConflict, e.0))?;
        self.reload_keyring()?;
        Ok(added)
    }

    /// Checks an admin bearer token, exactly and in constant time: both sides are hashed to
    /// 32 bytes first, so neither the token's contents nor its length shape the comparison.
    pub fn admin_token_ok(&self, token: &str) -> bool {
        let (a, b) = (
            Digest::of(token.as_bytes()),
            Digest::of(self.admin_token.as_bytes()),
        );
        a.0.iter().zip(&b.0).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The store (verify-store and export read it).
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Every scroll, by name.
    pub fn scrolls(&self) -> Vec<Arc<Scroll>> {
        self.scrolls
            .read()
            .map(|s| s.values().cloned().collect())
            .unwrap_or_default()
    }

    /// A scroll by name. On a shared store it is first caught up with what other processes
    /// appended (and a scroll another process created is loaded).
    pub fn scroll(&self, name: &str) -> Result<Arc<Scroll>> {
        let found = self.scrolls.read().ok().and_then(|s| s.get(name).cloned());
        let found = match found {
            Some(s) => {
                if self.store.shared() {
                    crate::shared::refresh(self.store(), &s)?;
                }
                Some(s)
            }
            None if self.store.shared() => self.load_created_elsewhere(name)?,
            None => None,
        };
        found.ok_or_else(|| {
            ApiError::node(NodeCode::UnknownScroll, format!("no scroll named {name:?}"))
        })
    }

    /// A scroll another process on the shared store created since this one started.
    fn load_created_elsewhere(&self, name: &str) -> Result<Option<Arc<Scroll>>> {
        match self.store.scrolls()?.into_iter().find(|s| s.name == name) {
            Some(row) => Ok(Some(
                self.load_scroll(row.id, row.name, row.public, row.size)?,
            )),
            None => Ok(None),
        }
    }

    /// Creates a scroll (`POST /admin/scrolls`); an existing one is returned as it is.
    pub fn create_scroll(&self, name: &str, public: bool) -> Result<(Arc<Scroll>, bool)> {
        if !id::is_valid_scroll(name) {
            return Err(ApiError::core(400, Error::InvalidField, Some("name")));
        }
        if let Ok(s) = self.scroll(name) {
            return Ok((s, false));
        }
        let row = self.store.create_scroll(name, public, &util::now_text())?;
        Ok((
            self.load_scroll(row.id, row.name, row.public, row.size)?,
            true,
        ))
    }

    /// Parses a request body into canonical receipts: a JSON object (one receipt), a JSON
    /// array of objects, or (`ndjson`) JSON Lines. Strict I-JSON throughout (the core's
    /// parser): duplicate keys, lone surrogates, big numbers and the like are refused with
    /// the core's error and the item's index.
    pub fn parse_receipts(&self, body: &[u8], ndjson: bool) -> Result<Vec<Vec<u8>>> {
        let limits = self.record_limits;
        let bad = |e: Error, i: Option<usize>| {
            let status = if e == Error::InputTooLarge { 413 } else { 400 };
            let err = ApiError::core(status, e, None);
            match i {
                Some(i) => err.at(i),
                None => err,
            }
        };
        let mut out = Vec::new();
        if ndjson {
            for (i, line) in json::lines(body).enumerate() {
                let line = line.map_err(|e| bad(e, Some(i)))?;
                let value = json::parse_record(line, &limits).map_err(|e| bad(e, Some(i)))?;
                out.push(value.to_canonical());
            }
            return Ok(out);
        }
        let whole = Limits {
            max_bytes: body.len().max(limits.max_bytes),
            max_depth: limits.max_depth + 1,
        };
        let value = json::parse(body, &whole).map_err(|e| bad(e, None))?;
        let items: Vec<&Value<'_>> = match &value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => {
                if body.len() > limits.max_bytes {
                    return Err(bad(Error::InputTooLarge, None));
                }
                // One record: depth counts from the record itself.
                json::parse_record(body, &limits).map_err(|e| bad(e, None))?;
                vec![&value]
            }
            _ => return Err(bad(Error::NotAnObject, None)),
        };
        for (i, item) in items.into_iter().enumerate() {
            if item.as_object().is_none() {
                return Err(bad(Error::NotAnObject, Some(i)));
            }
            let canonical = item.to_canonical();
            if canonical.len() > limits.max_bytes {
                return Err(bad(Error::InputTooLarge, Some(i)));
            }
            out.push(canonical);
        }
        Ok(out)
    }

    /// Appends canonical receipts to `scroll`: checks each with the core (fields of known
    /// kinds, signatures in one batch equation when the signer's key is known), then assigns
    /// the next indexes and commits them with the subtrees they complete. All or nothing.
    /// `expect_size`, when given, must be the scroll's size (a client's exactly-once guard).
    pub fn append(
        &self,
        scroll: &str,
        receipts: &[Vec<u8>],
        expect_size: Option<u64>,
    ) -> Result<Appended> {
        self.append_with_state(scroll, receipts, expect_size, &[])
    }

    /// [`Node::append`], writing `state` rows in the same transaction: the receipts and the
    /// state they justify are committed together or not at all.
    pub fn append_with_state(
        &self,
        scroll: &str,
        receipts: &[Vec<u8>],
        expect_size: Option<u64>,
        state: &[StatePut<'_>],
    ) -> Result<Appended> {
        self.append_records(scroll, receipts, expect_size, &[], None, state)
    }

    /// [`Node::append_with_state`] with the kinds of untyped records named (`kinds`: empty,
    /// none named; one, every receipt is verified as that kind; else one per receipt) and,
    /// for the federation module's own records, the keyring to verify them with (the node's
    /// otherwise); such appends write the Federation scroll as the engine the node hosts,
    /// `engine:federation` (docs/SPEC.md §10.11).
    /// Agreements are verified by the core's `verify_agreement`, every party's signature.
    pub fn append_records(
        &self,
        scroll: &str,
        receipts: &[Vec<u8>],
        expect_size: Option<u64>,
        kinds: &[Kind],
        keyring: Option<&Keyring>,
        state: &[StatePut<'_>],
    ) -> Result<Appended> {
        let scroll = self.scroll(scroll)?;
        let result = self.append_to(&scroll, receipts, expect_size, kinds, keyring, state);
        if result.is_err() {
            Metrics::add(&self.metrics.appends_rejected, 1);
        }
        result
    }

    fn append_to(
        &self,
        scroll: &Scroll,
        receipts: &[Vec<u8>],
        expect_size: Option<u64>,
        kinds: &[Kind],
        keyring: Option<&Keyring>,
        state: &[StatePut<'_>],
    ) -> Result<Appended> {
        let now = self.clock.now();
        // `node.max_batch` may be changed by a `parameter_change` order in force.
        let max_batch = self
            .governance
            .as_ref()
            .map_or(self.config.limits.max_batch, |g| {
                g.max_batch(self.config.limits.max_batch, now)
            });
        if receipts.len() > max_batch {
            return Err(ApiError::node(
                NodeCode::BadRequest,
                format!(
                    "{} receipts in one append; the limit is {max_batch}",
                    receipts.len(),
                ),
            ));
        }
        // Only the node's federation module brings its own keyring (its peers' keys).
        let keyring_given = keyring.is_some();
        let own = self.keyring();
        let keyring = keyring.unwrap_or(&own);
        let inputs: Vec<&[u8]> = receipts.iter().map(Vec::as_slice).collect();
        let seed: [u8; 32] = util::random().map_err(internal)?;
        let one_kind = match kinds {
            [] => Some(None),
            [k] if *k != Kind::Agreement => Some(Some(*k)),
            _ => None,
        };
        let batch = |keyring: &Keyring| -> Vec<std::result::Result<(), record::Failure>> {
            record::verify_batch(
                &inputs,
                one_kind.flatten(),
                keyring,
                &self.record_limits,
                &seed,
            )
            .into_iter()
            .map(|v| v.map(|_| ()))
            .collect()
        };
        let verdicts = if one_kind.is_some() {
            let verdicts = batch(keyring);
            let unknown = |v: &std::result::Result<(), record::Failure>| matches!(v, Err(f) if f.error == Error::UnknownSigner);
            if !keyring_given && self.store.shared() && verdicts.iter().any(unknown) {
                // Another process on the shared store may have registered the key.
                self.reload_keyring()?;
                batch(&self.keyring())
            } else {
                verdicts
            }
        } else {
            // Named kinds one by one (federation records: a few per append).
            inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    let kind = kinds.get(i).or(kinds.first()).copied();
                    let value = json::parse_record(input, &self.record_limits)?;
                    match kind {
                        Some(Kind::Agreement) => {
                            federation::verify_agreement(&value, keyring).map(|_| ())
                        }
                        kind => record::verify_value(&value, kind, keyring).map(|_| ()),
                    }
                })
                .collect::<Vec<_>>()
        };
        let (mut verified, mut unknown_signer, mut opaque) = (0, 0, 0);
        for (i, verdict) in verdicts.into_iter().enumerate() {
            match verdict {
                Ok(_) => verified += 1,
                // No `type` at all: the core cannot tell which record it is, so the caller
                // must name its kind (wire format §9), or a forged agreement would pass as
                // an engine receipt.
                Err(f) if f.error == Error::UnknownKind && f.field.is_none() => {
                    return Err(ApiError::node(
                        NodeCode::KindRequired,
                        format!(
                            "a record without \"type\" must name its kind: ?kind= one of {}",
                            UNTYPED_KIND_NAMES.join(", ")
                        ),
                    )
                    .at(i))
                }
                // A type the core has no kind for: an engine's own receipt.
                Err(f) if f.error == Error::UnknownKind => opaque += 1,
                Err(f) if f.error == Error::UnknownSigner && !self.reject_unknown_signers => {
                    unknown_signer += 1
                }
                Err(f) => {
                    let status = if (100..200).contains(&f.error.code()) {
                        400
                    } else {
                        422
                    };
                    return Err(ApiError::core(status, f.error, f.field).at(i));
                }
            }
        }
        // What the constitution decides about this write (docs/SPEC.md §10.11).
        let governed = match &self.governance {
            Some(g) => {
                let named = match (keyring_given, kinds.is_empty()) {
                    (true, _) => crate::governance::Named::ByFederation,
                    (false, false) => crate::governance::Named::ByCaller,
                    (false, true) => crate::governance::Named::None,
                };
                Some(self.check_governed_write(g, scroll, receipts, keyring, named, now)?)
            }
            None => None,
        };
        let leaves: Vec<Digest> = receipts.iter().map(|r| merkle::leaf_hash(r)).collect();
        let rows: Vec<NewReceipt<'_>> = receipts
            .iter()
            .zip(&leaves)
            .map(|(body, leaf)| NewReceipt {
                body,
                leaf_hash: *leaf,
            })
            .collect();

        let mut tree = scroll.tree.lock().map_err(internal)?;
        let shared = self.store.shared();
        let judged = governed.is_some() && scroll.name == GOVERNANCE_SCROLL;
        let mut attempt = 0;
        let (first_index, next, constitution_changed) = loop {
            if shared {
                crate::shared::catch_up(self.store(), scroll, &mut tree)?;
            }
            let first_index = tree.size();
            if let Some(expected) = expect_size {
                if expected != first_index {
                    return Err(ApiError::node(
                        NodeCode::SizeMismatch,
                        format!(
                            "scroll {} holds {first_index} receipts, not {expected}",
                            scroll.name
                        ),
                    )
                    .with_detail(serde_json::json!({ "tree_size": first_index })));
                }
            }
            // Governance receipts are judged in order under the scroll's lock, before the
            // commit.
            let mut constitution_changed = false;
            if let (true, Some(g), Some(values)) = (judged, &self.governance, &governed) {
                let checkpoint_root = |size: u64| {
                    self.store
                        .reader()
                        .ok()
                        .and_then(|mut r| r.checkpoint_of_size(scroll.id, size).ok().flatten())
                        .map(|c| c.root)
                };
                constitution_changed = g.admit(values, now, &checkpoint_root)?;
            }
            let mut next = tree.clone();
            let mut subtrees = Vec::with_capacity(receipts.len() + 8);
            for leaf in &leaves {
                next.append_with(*leaf, |level, index, hash| {
                    if level > 0 {
                        subtrees.push((level, index, *hash));
                    }
                });
            }
            let started = Instant::now();
            let committed = self
                .store
                .append(scroll.id, first_index, &rows, &subtrees, state);
            match committed {
                Ok(()) => {
                    self.metrics
                        .commit_seconds
                        .inc_by(started.elapsed().as_secs_f64());
                    break (first_index, next, constitution_changed);
                }
                Err(e) => {
                    if judged {
                        // The judge went ahead of the store: judge what the store holds
                        // again (on a shared store that includes the other process's).
                        self.rebuild_governance()?;
                    }
                    // Another process appended first: catch up and recompute on its receipts.
                    let overtaken = shared
                        && attempt + 1 < crate::shared::APPEND_ATTEMPTS
                        && crate::shared::overtaken(self.store(), scroll, first_index);
                    if !overtaken {
                        return Err(e.into());
                    }
                    attempt += 1;
                }
            }
        };
        if constitution_changed {
            self.reload_keyring()?;
        }
        let root = next.root();
        let tree_size = next.size();
        *tree = next;
        scroll.size.store(tree_size, Relaxed);
        drop(tree);
        let count = receipts.len() as u64;
        Metrics::add(&self.metrics.receipts_appended, count);
        Metrics::add(&self.metrics.append_batches, 1);
        Metrics::add(&self.metrics.signatures_verified, verified);
        Ok(Appended {
            first_index,
            count,
            tree_size,
            root,
            verified,
            unknown_signer,
            opaque,
        })
    }

    /// Signs a checkpoint of `scroll` at its current size. When the latest checkpoint already
    /// has that size and `force` is false, returns it instead (`false`: not new).
    pub fn checkpoint(&self, scroll: &str, force: bool) -> Result<(Arc<CheckpointRow>, bool)> {
        let scroll = self.scroll(scroll)?;
        let mut tree = scroll.tree.lock().map_err(internal)?;
        if self.store.shared() {
            crate::shared::catch_up(self.store(), &scroll, &mut tree)?;
        }
        let latest = scroll.latest_checkpoint();
        if let Some(latest) = &latest {
            if !force && latest.tree_size == tree.size() {
                return Ok((latest.clone(), false));
            }
        }
        let (tree_size, root) = (tree.size(), tree.root());
        let mut object = Object::default();
        object.insert("type", string(Kind::ScrollCheckpoint.domain()));
        object.insert("mesh_id", string(self.mesh_id.clone()));
        object.insert("scroll", string(scroll.name.clone()));
        object.insert("tree_size", uint(tree_size));
        object.insert("root", string(root.to_string()));
        // A governed node dates by its clock (an engine's anchor confirmation is dated by its
        // checkpoint, and judged by that clock).
        let timestamp = match self.governance {
            Some(_) => timestamp_text(self.clock.now()),
            None => util::now_text(),
        };
        object.insert("timestamp", string(timestamp));
        record::sign_record(&mut object, Kind::ScrollCheckpoint, &self.secret);
        let value = Value::Object(object);
        // The core checks what was just signed before it is stored.
        federation::verify_checkpoint(&value, &self.keyring())
            .map_err(|f| ApiError::core(500, f.error, f.field))?;
        let row = Arc::new(CheckpointRow {
            seq: latest.map_or(1, |l| l.seq + 1),
            tree_size,
            root,
            body: value.to_canonical(),
        });
        if let Err(e) = self.store.add_checkpoint(scroll.id, &row) {
            // On a shared store another process may have signed this size first: a size is
            // signed once, so its checkpoint is the answer.
            if self.store.shared() {
                crate::shared::catch_up(self.store(), &scroll, &mut tree)?;
                if let Some(theirs) = scroll.latest_checkpoint() {
                    if theirs.tree_size == tree_size && !force {
                        return Ok((theirs, false));
                    }
                }
            }
            return Err(e.into());
        }
        *scroll.latest.write().map_err(internal)? = Some(row.clone());
        drop(tree);
        Metrics::add(&self.metrics.checkpoints, 1);
        crate::federation::notify::checkpoint_signed(&scroll.name, &row.body);
        Ok((row, true))
    }

    /// Checkpoints every scroll that grew since its latest checkpoint (the interval task).
    pub fn checkpoint_grown(&self) -> Result<usize> {
        let mut made = 0;
        for scroll in self.scrolls() {
            let latest = scroll.latest_checkpoint().map(|c| c.tree_size);
            let grew = latest != Some(scroll.size()) && (scroll.size() > 0 || latest.is_none());
            if grew && self.checkpoint(&scroll.name, false)?.1 {
                made += 1;
            }
        }
        Ok(made)
    }

    /// The checkpoint `at` of `scroll`.
    pub fn checkpoint_at(&self, scroll: &Scroll, at: At) -> Result<Arc<CheckpointRow>> {
        let found = match at {
            At::Latest => scroll.latest_checkpoint(),
            At::Seq(seq) => self
                .store
                .reader()?
                .checkpoint(scroll.id, seq)?
                .map(Arc::new),
            At::Size(size) => self
                .store
                .reader()?
                .checkpoint_of_size(scroll.id, size)?
                .map(Arc::new),
        };
        found.ok_or_else(|| {
            ApiError::node(
                NodeCode::NoCheckpoint,
                format!("scroll {} has no such checkpoint (make one: POST /admin/scrolls/{}/checkpoints)", scroll.name, scroll.name),
            )
        })
    }

    /// The checkpoints of `scroll` from sequence number `from`.
    pub fn checkpoints(
        &self,
        scroll: &Scroll,
        from: u64,
        limit: u64,
    ) -> Result<Vec<CheckpointRow>> {
        Ok(self.store.reader()?.checkpoints(scroll.id, from, limit)?)
    }

    /// Receipt `index` of `scroll`: canonical bytes and leaf hash.
    pub fn receipt(&self, scroll: &Scroll, index: u64) -> Result<(Vec<u8>, Digest)> {
        if index >= scroll.size() {
            return Err(ApiError::node(
                NodeCode::NoReceipt,
                format!("scroll {} has {} receipts", scroll.name, scroll.size()),
            ));
        }
        self.store
            .reader()?
            .receipt(scroll.id, index)?
            .ok_or_else(|| ApiError::node(NodeCode::NoReceipt, "no receipt"))
    }

    /// The inclusion proof of receipt `index` against checkpoint `at`, from `O(log n)` stored
    /// subtree hashes.
    pub fn inclusion(
        &self,
        scroll: &Scroll,
        index: u64,
        at: At,
        reader: Option<&mut dyn StoreRead>,
    ) -> Result<Inclusion> {
        let checkpoint = self.checkpoint_at(scroll, at)?;
        let mut own;
        let reader: &mut dyn StoreRead = match reader {
            Some(r) => r,
            None => {
                own = self.store.reader()?;
                own.as_mut()
            }
        };
        // The leaf hash comes in the same fetch as the proof's hashes (one round trip on
        // PostgreSQL), and only for an index the proof accepted.
        let (proof, leaf_hash) = with_subtrees(reader, scroll.id, |get| {
            let proof = prove_inclusion_from_subtrees(checkpoint.tree_size, index, &mut *get);
            let leaf_hash = proof.is_ok().then(|| get(0, index));
            (proof, leaf_hash)
        })?;
        let proof = proof.map_err(|e| ApiError::core(404, e, None))?;
        let leaf_hash = leaf_hash.unwrap_or(Digest([0; 32]));
        Metrics::add(&self.metrics.proofs, 1);
        Ok(Inclusion {
            proof,
            leaf_hash,
            checkpoint,
        })
    }

    /// The consistency proof between two checkpoints of `scroll`.
    pub fn consistency(
        &self,
        scroll: &Scroll,
        from: At,
        to: At,
    ) -> Result<(ConsistencyProof, Arc<CheckpointRow>, Arc<CheckpointRow>)> {
        let old = self.checkpoint_at(scroll, from)?;
        let new = self.checkpoint_at(scroll, to)?;
        let mut reader = self.store.reader()?;
        let proof = with_subtrees(reader.as_mut(), scroll.id, |get| {
            prove_consistency_from_subtrees(old.tree_size, new.tree_size, get)
        })?
        .map_err(|e| ApiError::core(400, e, None))?;
        Metrics::add(&self.metrics.proofs, 1);
        Ok((proof, old, new))
    }

    /// A store reader (for handlers that make several reads).
    pub fn reader(&self) -> Result<Box<dyn StoreRead + '_>> {
        Ok(self.store.reader()?)
    }

    /// The mesh's self-signed discovery record (`fed_discovery`).
    pub fn discovery(&self) -> Vec<u8> {
        let base = self.public_url();
        let mut endpoints = Object::default();
        endpoints.insert("federation", string(format!("{base}/federation")));
        endpoints.insert("verification", string(format!("{base}/federation/verify")));
        let fed = &self.config.federation;
        let mut policy = Object::default();
        policy.insert("accepts_proposals", Value::Bool(fed.accepts_proposals));
        policy.insert("min_trust_level", uint(fed.min_trust_level));
        policy.insert("requires_mutual", Value::Bool(fed.requires_mutual));
        let mut object = Object::default();
        object.insert("mesh_id", string(self.mesh_id.clone()));
        object.insert(
            "display_name",
            string(self.mesh_id.rsplit(':').next().unwrap_or_default()),
        );
        object.insert("endpoints", Value::Object(endpoints));
        object.insert("public_key", string(self.public_key.to_string()));
        let scrolls = self
            .scrolls()
            .iter()
            .filter(|s| s.public)
            .map(|s| string(s.name.clone()))
            .collect();
        object.insert("scrolls_available", Value::Array(scrolls));
        object.insert("trust_policy", Value::Object(policy));
        object.insert("attestations", Value::Array(Vec::new()));
        record::sign_record(&mut object, Kind::Discovery, &self.secret);
        Value::Object(object).to_canonical()
    }

    /// The public base URL of the discovery record: `endpoint` from the config, or
    /// `https://` and the listen address (a node behind no proxy serves its own TLS).
    fn public_url(&self) -> String {
        let url = match &self.config.endpoint {
            Some(url) => url.clone(),
            None => format!("https://{}", self.config.listen),
        };
        url.trim_end_matches('/').to_string()
    }

    /// Blocks a modify or delete attempt and records it: a `gov_violation` receipt citing
    /// AXIOM-001 in `details.rule_violated`, signed with the mesh's key (`detected_by` is the
    /// mesh), appended to the `Governance` scroll through the ordinary append path. Returns the
    /// error to answer with, which carries the receipt and its index.
    ///
    /// Per peer, only the first `violations.max_per_window` attempts of a window get a receipt
    /// each; the rest are counted and recorded as one summary receipt when the window has
    /// ended (see [`crate::violations`]). Every attempt is refused all the same.
    pub fn record_violation(
        &self,
        method: &str,
        path: &str,
        peer: &str,
        authenticated: bool,
    ) -> ApiError {
        Metrics::add(&self.metrics.violations, 1);
        let path: String = path.chars().take(512).collect();
        let request = format!("{method} {path}");
        let now = self.clock.now();
        let (decision, ended) = match self.violations.lock() {
            Ok(mut l) => l.attempt(peer, &request, authenticated, now),
            // A poisoned limiter records every attempt rather than none.
            Err(_) => (Decision::Record, None),
        };
        if let Some(summary) = ended {
            let _ = self.record_summary(&summary);
        }
        if let Decision::Summarise { window_end } = decision {
            return ApiError::node(
                NodeCode::AppendOnly,
                "AXIOM-001: receipts are append-only; a receipt can never be modified or deleted. The attempt was counted and will be recorded in a summary receipt.",
            )
            .with_detail(serde_json::json!({
                "rule": "AXIOM-001",
                "summarised": {
                    "scroll": GOVERNANCE_SCROLL,
                    "window_ends_at": timestamp_text(window_end),
                    "max_per_window": self.config.violations.max_per_window,
                },
            }));
        }
        let blocked = ApiError::node(
            NodeCode::AppendOnly,
            "AXIOM-001: receipts are append-only; a receipt can never be modified or deleted. The attempt was recorded.",
        );
        let action = if method == "DELETE" {
            "delete_receipt"
        } else {
            "modify_receipt"
        };
        let result = self.append_violation(
            authenticated,
            action,
            vec![format!("{request} from {peer}")],
            Digest::of(request.as_bytes()),
            None,
        );
        match result {
            Ok((index, body)) => {
                let receipt = String::from_utf8_lossy(&body).into_owned();
                let receipt: serde_json::Value = serde_json::from_str(&receipt).unwrap_or_default();
                blocked.with_detail(serde_json::json!({
                    "rule": "AXIOM-001",
                    "violation": { "scroll": GOVERNANCE_SCROLL, "index": index, "receipt": receipt },
                }))
            }
            Err(e) => blocked.with_detail(
                serde_json::json!({ "rule": "AXIOM-001", "recording_failed": e.to_string() }),
            ),
        }
    }

    /// Records one window's uncounted attempts as a single `gov_violation` with
    /// `evidence.count`. Returns its index in `Governance`.
    fn record_summary(&self, s: &Summary) -> Result<u64> {
        let action = if s.deletes_only {
            "delete_receipt"
        } else {
            "modify_receipt"
        };
        let mut entries = vec![format!(
            "{} further modify/delete attempts from {} between {} and {}, blocked and not recorded one by one (at most {} per {} s are)",
            s.count,
            s.peer,
            timestamp_text(s.window_start),
            timestamp_text(s.window_end),
            self.config.violations.max_per_window,
            self.config.violations.window_secs,
        )];
        entries.extend(s.samples.iter().map(|r| format!("{r} from {}", s.peer)));
        let hash = Digest::of(s.samples.join("\n").as_bytes());
        self.append_violation(s.authenticated, action, entries, hash, Some(s.count))
            .map(|(index, _)| index)
    }

    /// Records the summaries of every window that has ended (`all`: of every window, at
    /// shutdown). Returns how many receipts were appended.
    pub fn flush_violations(&self, all: bool) -> Result<usize> {
        let now = self.clock.now();
        let due = self.violations.lock().map_err(internal)?.flush(now, all);
        for s in &due {
            self.record_summary(s)?;
        }
        Ok(due.len())
    }

    /// A clean shutdown: records pending violation summaries and closes the store.
    pub fn close(&self) -> Result<()> {
        let flushed = self.flush_violations(true);
        self.store.close()?;
        flushed.map(|_| ())
    }

    fn append_violation(
        &self,
        authenticated: bool,
        action: &str,
        log_entries: Vec<String>,
        request_hash: Digest,
        count: Option<u64>,
    ) -> Result<(u64, Vec<u8>)> {
        let id: [u8; 16] = util::random().map_err(internal)?;
        // The caller is known only when it holds the admin token: then it acts for the mesh.
        let actor = if authenticated {
            self.mesh_id.clone()
        } else {
            UNAUTHENTICATED_ACTOR.to_string()
        };
        // A governed node's detector is the Guardian engine, which the constitution registers.
        if let Some(g) = &self.governance {
            let body = g.violation_receipt(
                format!("violation-{}", util::hex(&id)),
                &actor,
                action,
                "AXIOM-001",
                "append_only_breach",
                log_entries,
                request_hash,
                count,
                self.clock.now(),
            );
            let done = self.append(GOVERNANCE_SCROLL, std::slice::from_ref(&body), None)?;
            return Ok((done.first_index, body));
        }
        let mut details = Object::default();
        details.insert("actor", string(actor));
        details.insert("action_attempted", string(action));
        details.insert("rule_violated", string("AXIOM-001"));
        details.insert("action_result", string("blocked"));
        let mut evidence = Object::default();
        evidence.insert(
            "log_entries",
            Value::Array(log_entries.into_iter().map(string).collect()),
        );
        evidence.insert("request_hash", string(request_hash.to_string()));
        if let Some(n) = count {
            evidence.insert("count", uint(n));
        }
        let mut object = Object::default();
        object.insert("type", string(Kind::GovViolation.domain()));
        object.insert(
            "violation_id",
            string(format!("violation-{}", util::hex(&id))),
        );
        object.insert("detected_at", string(util::now_text()));
        object.insert("detected_by", string(self.mesh_id.clone()));
        object.insert("violation_type", string("append_only_breach"));
        object.insert("severity", string("high"));
        object.insert("details", Value::Object(details));
        object.insert("evidence", Value::Object(evidence));
        record::sign_record(&mut object, Kind::GovViolation, &self.secret);
        let body = Value::Object(object).to_canonical();
        let done = self.append(GOVERNANCE_SCROLL, std::slice::from_ref(&body), None)?;
        Ok((done.first_index, body))
    }

    /// Verifies receipts a caller sends (`POST /federation/verify`): each item
    /// `{"receipt", "proof"?, "checkpoint"?, "scroll"?}`. The receipt's signature is checked
    /// when its kind is known; with a proof, inclusion is checked against the given signed
    /// checkpoint (verified with the keyring) or, given `scroll`, this node's checkpoint of the
    /// proof's size. Every check is the core's.
    pub fn verify_items(&self, body: &[u8]) -> Result<serde_json::Value> {
        let limits = Limits {
            max_bytes: self.config.limits.max_body_bytes,
            max_depth: self.record_limits.max_depth + 3,
        };
        let value = json::parse_record(body, &limits).map_err(|e| ApiError::core(400, e, None))?;
        let items = value
            .as_object()
            .and_then(|o| o.get("items"))
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::node(NodeCode::BadRequest, "expected {\"items\": [{\"receipt\": {...}, \"proof\": {...}, \"checkpoint\": {...}}]}"))?;
        if items.len() > self.config.limits.max_range as usize {
            return Err(ApiError::node(
                NodeCode::BadRequest,
                format!("at most {} items", self.config.limits.max_range),
            ));
        }
        let keyring = self.keyring();
        let mut results = Vec::with_capacity(items.len());
        let mut all = true;
        for item in items {
            let verdict = self.verify_item(item, &keyring);
            all &= verdict.get("valid") == Some(&serde_json::Value::Bool(true));
            results.push(verdict);
        }
        Ok(serde_json::json!({ "valid": all, "results": results }))
    }

    fn verify_item(&self, item: &Value<'_>, keyring: &Keyring) -> serde_json::Value {
        let fail = |e: Error, field: Option<&str>, step: &str| serde_json::json!({ "valid": false, "step": step, "code": e.code(), "name": e.name(), "message": e.message(), "field": field });
        let Some(item) = item.as_object() else {
            return fail(Error::NotAnObject, None, "item");
        };
        let Some(receipt) = item.get("receipt").filter(|r| r.as_object().is_some()) else {
            return fail(Error::MissingField, Some("receipt"), "item");
        };
        let mut out =
            serde_json::json!({ "receipt_hash": record::receipt_hash(receipt).to_string() });
        out["signature"] = match record::verify_value(receipt, None, keyring) {
            Ok(v) => serde_json::json!({ "verified": true, "kind": v.kind.domain() }),
            Err(f) if f.error == Error::UnknownKind => {
                serde_json::json!({ "verified": false, "reason": "no kind the core knows: not signed" })
            }
            Err(f) if f.error == Error::UnknownSigner => {
                serde_json::json!({ "verified": false, "reason": "signer's key unknown", "field": f.field })
            }
            Err(f) => return fail(f.error, f.field, "receipt"),
        };
        if let Some(proof) = item.get("proof") {
            let proof = match InclusionProof::from_value(proof) {
                Ok(p) => p,
                Err(e) => return fail(e, Some("proof"), "proof"),
            };
            let checkpoint: Checkpoint = match (
                item.get("checkpoint"),
                item.get("scroll").and_then(Value::as_str),
            ) {
                (Some(cp), _) => match federation::verify_checkpoint(cp, keyring) {
                    Ok(c) => c,
                    Err(f) => return fail(f.error, f.field, "checkpoint"),
                },
                (None, Some(scroll)) => {
                    let own = self
                        .scroll(scroll)
                        .and_then(|s| self.checkpoint_at(&s, At::Size(proof.tree_size)));
                    let Ok(row) = own else {
                        return fail(Error::CheckpointMismatch, Some("scroll"), "checkpoint");
                    };
                    let parsed = json::parse_record(&row.body, &Limits::default());
                    match parsed
                        .map_err(record::Failure::from)
                        .and_then(|v| federation::verify_checkpoint(&v, keyring))
                    {
                        Ok(c) => c,
                        Err(f) => return fail(f.error, f.field, "checkpoint"),
                    }
                }
                (None, None) => return fail(Error::MissingField, Some("checkpoint"), "checkpoint"),
            };
            if let Err(f) = federation::verify_inclusion(receipt, &proof, &checkpoint) {
                return fail(f.error, f.field, "inclusion");
            }
            out["inclusion"] = serde_json::json!({
                "verified": true, "mesh_id": checkpoint.mesh_id, "scroll": checkpoint.scroll,
                "tree_size": checkpoint.tree_size, "root": checkpoint.root.to_string(),
            });
        }
        out["valid"] = true.into();
        out
    }

    /// Bytes the store occupies on disk.
    pub fn disk_bytes(&self) -> u64 {
        self.store.disk_bytes()
    }
}
