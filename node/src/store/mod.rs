//! Storage: a narrow trait; [`SqliteStore`] is the embedded implementation, [`PgStore`] the one for
//! meshes that outgrow one machine (several node processes on one database).
//!
//! The trait is what the node needs and no more: append a batch of receipts with the
//! complete-subtree hashes they complete (one transaction), append a checkpoint, read receipts,
//! subtree hashes and checkpoints. A PostgreSQL backend implements the same calls.
//!

use std::fmt;

use vaultmesh_core::Digest;

pub mod postgres;
mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::config::DataDir;

/// Opens the store a data directory's config names: `store = "postgres://…"` in
/// `config.toml`, else the SQLite file `DIR/store.db` (created if needed; its lock refuses a
/// second writing process).
pub fn open(dir: &DataDir) -> Result<Box<dyn Store>> {
    match &dir.config.store {
        Some(url) => Ok(Box::new(PgStore::open(url)?)),
        None => {
            let durability = if dir.config.durability == "normal" {
                Durability::Normal
            } else {
                Durability::Full
            };
            Ok(Box::new(SqliteStore::open(&dir.store_path(), durability)?))
        }
    }
}

/// Opens a data directory's existing store to read it beside a running node (verify-store,
/// export-bundle): SQLite read-only without the writer's lock; PostgreSQL as any session.
pub fn open_existing(dir: &DataDir) -> Result<Box<dyn Store>> {
    match &dir.config.store {
        Some(url) => Ok(Box::new(PgStore::open(url)?)),
        None => Ok(Box::new(SqliteStore::open_existing(&dir.store_path())?)),
    }
}

/// Bits of a receipt key that hold the index: 2^40 receipts per scroll.
pub const INDEX_BITS: u32 = 40;
/// The largest index a scroll can hold.
pub const MAX_INDEX: u64 = (1 << INDEX_BITS) - 1;

/// A store failure.
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// Result of store calls.
pub type Result<T> = std::result::Result<T, StoreError>;

/// A scroll as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScrollRow {
    /// Its id, fixed at creation.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Whether the federation endpoints serve it.
    pub public: bool,
    /// Number of receipts.
    pub size: u64,
}

/// A receipt to append: its canonical bytes and leaf hash.
#[derive(Clone, Copy, Debug)]
pub struct NewReceipt<'a> {
    /// Canonical (RFC 8785) bytes.
    pub body: &'a [u8],
    /// `leaf_hash(body)`, from the core.
    pub leaf_hash: Digest,
}

/// A complete subtree of level ≥ 1: `(level, index, hash)`.
pub type Subtree = (u32, u64, Digest);

/// A stored signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointRow {
    /// 1, 2, 3, … per scroll.
    pub seq: u64,
    /// The size it signs.
    pub tree_size: u64,
    /// The root it signs.
    pub root: Digest,
    /// The signed record, canonical bytes.
    pub body: Vec<u8>,
}

/// A row of protocol state to write: the current summary of something receipts justify (a
/// federation peer, proposal, agreement or nonce window; governance state in force). Unlike
/// receipts, state rows are replaced as the thing they describe moves on; the history of every
/// change is the receipt appended in the same transaction.
#[derive(Clone, Copy, Debug)]
pub struct StatePut<'a> {
    /// The namespace, one per subsystem (`federation.peer`, `federation.proposal`, …).
    pub space: &'a str,
    /// The key within the namespace.
    pub key: &'a str,
    /// The value (the subsystem's own encoding, usually canonical JSON).
    pub value: &'a [u8],
}

/// A visitor of receipts: `(index, canonical body, leaf hash)`.
pub type ReceiptVisitor<'f> = dyn FnMut(u64, &[u8], &Digest) -> Result<()> + 'f;

/// Writes. Every call is one transaction, committed before it returns.
pub trait Store: Send + Sync {
    /// Every scroll, with its size.
    fn scrolls(&self) -> Result<Vec<ScrollRow>>;
    /// Creates a scroll (or returns the existing one of that name).
    fn create_scroll(&self, name: &str, public: bool, created_at: &str) -> Result<ScrollRow>;
    /// Appends `receipts` at indexes `first_index…` of scroll `scroll` together with the
    /// subtrees they complete and the `state` rows they justify, in one durable transaction.
    /// Fails, changing nothing, unless `first_index` is the scroll's size.
    fn append(
        &self,
        scroll: i64,
        first_index: u64,
        receipts: &[NewReceipt<'_>],
        subtrees: &[Subtree],
        state: &[StatePut<'_>],
    ) -> Result<()>;
    /// Writes state rows (insert or replace) in one durable transaction, without a receipt:
    /// for state that is not itself a protocol record (a peer's pinned key, a cursor).
    fn put_state(&self, state: &[StatePut<'_>]) -> Result<()>;
    /// Records that `origin` used `nonce`, which it may not use again before `expires_at`
    /// (Unix seconds); `false` when it was already recorded (a replay). Entries that expired
    /// before `now` are forgotten.
    fn claim_nonce(&self, origin: &str, nonce: &str, expires_at: u64, now: u64) -> Result<bool>;
    /// Appends a checkpoint; `seq` must be the next one.
    fn add_checkpoint(&self, scroll: i64, checkpoint: &CheckpointRow) -> Result<()>;
    /// Adds a known key (actor → key text); an actor's key is never replaced.
    fn add_key(&self, actor: &str, key: &str, added_at: &str) -> Result<bool>;
    /// The known keys added at run time.
    fn keys(&self) -> Result<Vec<(String, String)>>;
    /// A reader (a consistent snapshot for the duration of one request).
    fn reader(&self) -> Result<Box<dyn StoreRead + '_>>;
    /// Bytes the store occupies on disk.
    fn disk_bytes(&self) -> u64;
    /// Prepares for the process to end (a clean shutdown): everything committed is already
    /// durable; this only tidies (SQLite folds its WAL into the database). The store stays
    /// usable.
    fn close(&self) -> Result<()> {
        Ok(())
    }
    /// Whether other processes may append to this store too (PostgreSQL): then the node
    /// catches its in-memory frontiers up with the store before it appends or answers
    /// (node/src/shared.rs). SQLite's lock file makes its writer the only one.
    fn shared(&self) -> bool {
        false
    }
}

/// Reads.
pub trait StoreRead {
    /// The hash of complete subtree `(level, index)` of `scroll`; level 0 is the leaf hash.
    fn subtree(&mut self, scroll: i64, level: u32, index: u64) -> Result<Digest>;
    /// The hashes of several complete subtrees, in the order asked (a proof's `O(log n)`
    /// hashes): a networked store fetches them in one round trip.
    fn subtrees(&mut self, scroll: i64, wanted: &[(u32, u64)]) -> Result<Vec<Digest>> {
        wanted
            .iter()
            .map(|&(level, index)| self.subtree(scroll, level, index))
            .collect()
    }
    /// Receipt `index`: canonical bytes and leaf hash.
    fn receipt(&mut self, scroll: i64, index: u64) -> Result<Option<(Vec<u8>, Digest)>>;
    /// Calls `f(index, body, leaf_hash)` for receipts `from..to` in order.
    fn each_receipt(
        &mut self,
        scroll: i64,
        from: u64,
        to: u64,
        f: &mut ReceiptVisitor<'_>,
    ) -> Result<()>;
    /// Calls `f(level, index, hash)` for every stored subtree of level ≥ 1 of `scroll`.
    fn each_subtree(
        &mut self,
        scroll: i64,
        f: &mut dyn FnMut(u32, u64, &Digest) -> Result<()>,
    ) -> Result<()>;
    /// Checkpoints with `seq ≥ from_seq`, at most `limit`, in order.
    fn checkpoints(&mut self, scroll: i64, from_seq: u64, limit: u64)
        -> Result<Vec<CheckpointRow>>;
    /// Checkpoint `seq`.
    fn checkpoint(&mut self, scroll: i64, seq: u64) -> Result<Option<CheckpointRow>>;
    /// The latest checkpoint.
    fn latest_checkpoint(&mut self, scroll: i64) -> Result<Option<CheckpointRow>>;
    /// The latest checkpoint of size `tree_size`.
    fn checkpoint_of_size(&mut self, scroll: i64, tree_size: u64) -> Result<Option<CheckpointRow>>;
    /// The state row `space`/`key`.
    fn state(&mut self, space: &str, key: &str) -> Result<Option<Vec<u8>>>;
    /// Every state row of `space`, in key order.
    fn states(&mut self, space: &str) -> Result<Vec<(String, Vec<u8>)>>;
    /// Every state row of every space, `(space, key, value)` in order (`vm-node migrate`).
    fn all_states(&mut self) -> Result<Vec<(String, String, Vec<u8>)>>;
    /// The size of `scroll`: its largest index + 1 (`O(log n)`; verify-store checks there is no
    /// gap).
    fn size(&mut self, scroll: i64) -> Result<u64>;
}

/// Commit durability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: the WAL is fsynced at every commit.
    Full,
    /// `synchronous=NORMAL`: the WAL is written at every commit and fsynced at checkpoints.
    Normal,
}
