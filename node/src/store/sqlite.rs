//! The embedded store: SQLite in WAL mode.
//!
//! # Layout
//!
//! - `receipts(key, leaf_hash, body)`: `key = scroll_id << 40 | index` (the rowid, so a receipt
//!   costs no secondary index), `body` the receipt's canonical (RFC 8785) bytes, `leaf_hash`
//!   `blake3(0x00 ‖ body)` computed by the core. `scroll_id` and `idx` are virtual columns.
//! - `subtrees(scroll_id, level, idx, hash)`: every complete subtree of level ≥ 1 (level 0 is
//!   `receipts.leaf_hash`), filled as receipts arrive, so roots and proofs read `O(log n)` rows.
//! - `checkpoints(scroll_id, seq, tree_size, root, body)`: every signed checkpoint.
//! - `scrolls`, `keyring`, `meta`.
//!
//! Triggers refuse UPDATE and DELETE on `receipts`, `subtrees`, `checkpoints` and `keyring`
//! (AXIOM-001): even a process with the file open cannot alter an acknowledged receipt through
//! SQL without first dropping the triggers.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use vaultmesh_core::Digest;

use super::{
    CheckpointRow, Durability, NewReceipt, ReceiptVisitor, Result, ScrollRow, StatePut, Store,
    StoreError, StoreRead, Subtree, INDEX_BITS, MAX_INDEX,
};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError(format!("store: {e}"))
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scrolls (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    public INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS receipts (
    key INTEGER PRIMARY KEY,
    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
    body BLOB NOT NULL,
    scroll_id INTEGER GENERATED ALWAYS AS (key >> 40) VIRTUAL,
    idx INTEGER GENERATED ALWAYS AS (key & 1099511627775) VIRTUAL
);
CREATE TABLE IF NOT EXISTS subtrees (
    scroll_id INTEGER NOT NULL,
    level INTEGER NOT NULL CHECK (level >= 1),
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (scroll_id, level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    scroll_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    tree_size INTEGER NOT NULL,
    root BLOB NOT NULL CHECK (length(root) = 32),
    body BLOB NOT NULL,
    PRIMARY KEY (scroll_id, seq)
);
CREATE INDEX IF NOT EXISTS checkpoints_by_size ON checkpoints (scroll_id, tree_size, seq);
CREATE TABLE IF NOT EXISTS keyring (
    actor TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    added_at TEXT NOT NULL
);
-- Protocol state (store::StatePut): replaced as it moves on, each change justified by a receipt.
CREATE TABLE IF NOT EXISTS state (
    space TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (space, key)
) WITHOUT ROWID;
-- Nonces of signed inter-mesh requests, kept until the request could no longer be fresh.
CREATE TABLE IF NOT EXISTS nonces (
    origin TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (origin, nonce)
) WITHOUT ROWID;
";

fn put_state_rows(tx: &rusqlite::Transaction<'_>, state: &[StatePut<'_>]) -> Result<()> {
    let mut put = tx.prepare_cached(
        "INSERT INTO state (space, key, value) VALUES (?1, ?2, ?3) \
         ON CONFLICT (space, key) DO UPDATE SET value = excluded.value",
    )?;
    for row in state {
        put.execute(params![row.space, row.key, row.value])?;
    }
    Ok(())
}

/// One BEFORE UPDATE and one BEFORE DELETE trigger per append-only table.
fn append_only_triggers() -> String {
    let mut sql = String::new();
    for table in ["receipts", "subtrees", "checkpoints", "keyring"] {
        for op in ["UPDATE", "DELETE"] {
            sql.push_str(&format!(
                "CREATE TRIGGER IF NOT EXISTS {table}_no_{lower} BEFORE {op} ON {table} \
                 BEGIN SELECT RAISE(ABORT, 'AXIOM-001: {table} are append-only ({op} refused)'); END;\n",
                lower = op.to_lowercase()
            ));
        }
    }
    sql
}

/// The SQLite store: one writer connection, a pool of reader connections, WAL.
pub struct SqliteStore {
    /// Held for the life of a writing store: an exclusive lock on `store.lock`, so a second
    /// node on the same data directory is refused instead of appending behind the first one's
    /// back.
    _lock: Option<Mutex<Connection>>,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: std::path::PathBuf,
}

fn digest(blob: Vec<u8>) -> Result<Digest> {
    <[u8; 32]>::try_from(blob)
        .map(Digest)
        .map_err(|_| StoreError("store: a stored hash is not 32 bytes".into()))
}

fn key(scroll: i64, index: u64) -> i64 {
    (scroll << INDEX_BITS) + index as i64
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path, durability: Durability) -> Result<SqliteStore> {
        let lock = Connection::open(path.with_extension("lock"))?;
        lock.busy_timeout(std::time::Duration::ZERO)?;
        lock.execute_batch(
            "PRAGMA journal_mode=OFF; PRAGMA locking_mode=EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY); \
             INSERT OR REPLACE INTO holder (id) VALUES (1);",
        )
        .map_err(|e| {
            StoreError(format!(
                "store {} is in use by another vm-node process ({e})",
                path.display()
            ))
        })?;
        let writer = Connection::open(path)?;
        writer.busy_timeout(std::time::Duration::from_secs(10))?;
        let mode: String = writer.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError(format!(
                "store: cannot use WAL (journal_mode={mode})"
            )));
        }
        let sync = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        writer.execute_batch(&format!(
            "PRAGMA synchronous={sync}; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;"
        ))?;
        writer.execute_batch(SCHEMA)?;
        writer.execute_batch(&append_only_triggers())?;
        writer.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1')",
            [],
        )?;
        Ok(SqliteStore {
            _lock: Some(Mutex::new(lock)),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing store for reading only (verify-store, export-bundle), alongside a
    /// running node.
    pub fn open_existing(path: &Path) -> Result<SqliteStore> {
        if !path.exists() {
            return Err(StoreError(format!("no store at {}", path.display())));
        }
        let writer = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        writer.busy_timeout(std::time::Duration::from_secs(10))?;
        writer.execute_batch("PRAGMA query_only=1;")?;
        Ok(SqliteStore {
            _lock: None,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            path: path.to_path_buf(),
        })
    }

    fn lock_writer(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        self.writer
            .lock()
            .map_err(|_| StoreError("store: writer lock poisoned".into()))
    }

    fn reader_connection(&self) -> Result<Connection> {
        if let Some(c) = self.readers.lock().ok().and_then(|mut p| p.pop()) {
            return Ok(c);
        }
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(10))?;
        c.execute_batch("PRAGMA query_only=1; PRAGMA cache_size=-16384;")?;
        Ok(c)
    }

    /// Runs raw SQL on the writer connection (tests use it to show the triggers hold).
    pub fn execute_raw(&self, sql: &str) -> Result<usize> {
        Ok(self.lock_writer()?.execute(sql, [])?)
    }
}

impl Store for SqliteStore {
    fn scrolls(&self) -> Result<Vec<ScrollRow>> {
        let mut reader = self.reader()?;
        let rows: Vec<(i64, String, bool)> = {
            let c = self.lock_writer()?;
            let mut stmt = c.prepare("SELECT id, name, public FROM scrolls ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        rows.into_iter()
            .map(|(id, name, public)| {
                let size = reader.size(id)?;
                Ok(ScrollRow {
                    id,
                    name,
                    public,
                    size,
                })
            })
            .collect()
    }

    fn create_scroll(&self, name: &str, public: bool, created_at: &str) -> Result<ScrollRow> {
        {
            let c = self.lock_writer()?;
            c.execute(
                "INSERT OR IGNORE INTO scrolls (name, public, created_at) VALUES (?1, ?2, ?3)",
                params![name, public, created_at],
            )?;
        }
        self.scrolls()?
            .into_iter()
            .find(|s| s.name == name)
            .ok_or_else(|| StoreError(format!("store: scroll {name} not created")))
    }

    fn append(
        &self,
        scroll: i64,
        first_index: u64,
        receipts: &[NewReceipt<'_>],
        subtrees: &[Subtree],
        state: &[StatePut<'_>],
    ) -> Result<()> {
        let last = first_index
            .checked_add(receipts.len() as u64)
            .filter(|end| *end <= MAX_INDEX + 1)
            .ok_or_else(|| StoreError("store: scroll full".into()))?;
        let _ = last;
        let mut c = self.lock_writer()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            // The receipt before `first_index` must exist and the one at it must not: appends
            // are contiguous even if two writers raced.
            let next: i64 = tx.query_row(
                "SELECT COALESCE(MAX(key) + 1, ?1) FROM receipts WHERE key >= ?1 AND key < ?2",
                params![key(scroll, 0), key(scroll + 1, 0)],
                |r| r.get(0),
            )?;
            if next != key(scroll, first_index) {
                return Err(StoreError(format!(
                    "store: append at {first_index} but scroll holds {}",
                    next - key(scroll, 0)
                )));
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO receipts (key, leaf_hash, body) VALUES (?1, ?2, ?3)",
            )?;
            for (i, r) in receipts.iter().enumerate() {
                insert.execute(params![
                    key(scroll, first_index + i as u64),
                    &r.leaf_hash.0[..],
                    r.body
                ])?;
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO subtrees (scroll_id, level, idx, hash) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (level, index, hash) in subtrees {
                insert.execute(params![scroll, level, *index as i64, &hash.0[..]])?;
            }
        }
        put_state_rows(&tx, state)?;
        tx.commit()?;
        Ok(())
    }

    fn put_state(&self, state: &[StatePut<'_>]) -> Result<()> {
        let mut c = self.lock_writer()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        put_state_rows(&tx, state)?;
        tx.commit()?;
        Ok(())
    }

    fn claim_nonce(&self, origin: &str, nonce: &str, expires_at: u64, now: u64) -> Result<bool> {
        let mut c = self.lock_writer()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached("DELETE FROM nonces WHERE expires_at < ?1")?
            .execute([now.min(i64::MAX as u64) as i64])?;
        let added = tx
            .prepare_cached(
                "INSERT INTO nonces (origin, nonce, expires_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (origin, nonce) DO NOTHING",
            )?
            .execute(params![
                origin,
                nonce,
                expires_at.min(i64::MAX as u64) as i64
            ])?;
        tx.commit()?;
        Ok(added == 1)
    }

    fn add_checkpoint(&self, scroll: i64, cp: &CheckpointRow) -> Result<()> {
        let c = self.lock_writer()?;
        c.execute(
            "INSERT INTO checkpoints (scroll_id, seq, tree_size, root, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![scroll, cp.seq as i64, cp.tree_size as i64, &cp.root.0[..], cp.body],
        )?;
        Ok(())
    }

    fn add_key(&self, actor: &str, public_key: &str, added_at: &str) -> Result<bool> {
        let c = self.lock_writer()?;
        let existing: Option<String> = c
            .query_row(
                "SELECT public_key FROM keyring WHERE actor = ?1",
                [actor],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(k) if k == public_key => Ok(false),
            Some(_) => Err(StoreError(format!(
                "store: {actor} already has another key"
            ))),
            None => {
                c.execute(
                    "INSERT INTO keyring (actor, public_key, added_at) VALUES (?1, ?2, ?3)",
                    params![actor, public_key, added_at],
                )?;
                Ok(true)
            }
        }
    }

    fn keys(&self) -> Result<Vec<(String, String)>> {
        let c = self.lock_writer()?;
        let mut stmt = c.prepare("SELECT actor, public_key FROM keyring ORDER BY actor")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn reader(&self) -> Result<Box<dyn StoreRead + '_>> {
        Ok(Box::new(SqliteReader {
            conn: Some(self.reader_connection()?),
            store: self,
        }))
    }

    fn disk_bytes(&self) -> u64 {
        let mut total = 0;
        for suffix in ["", "-wal"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            total += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        }
        total
    }

    fn close(&self) -> Result<()> {
        // Readers may still hold snapshots: PASSIVE folds what it can without waiting on them.
        self.lock_writer()?
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }
}

struct SqliteReader<'s> {
    conn: Option<Connection>,
    store: &'s SqliteStore,
}

impl Drop for SqliteReader<'_> {
    fn drop(&mut self) {
        if let (Some(c), Ok(mut pool)) = (self.conn.take(), self.store.readers.lock()) {
            pool.push(c);
        }
    }
}

impl SqliteReader<'_> {
    fn conn(&self) -> Result<&Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| StoreError("store: reader closed".into()))
    }
}

fn checkpoint_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, i64, Vec<u8>, Vec<u8>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_checkpoint(row: (i64, i64, Vec<u8>, Vec<u8>)) -> Result<CheckpointRow> {
    Ok(CheckpointRow {
        seq: row.0 as u64,
        tree_size: row.1 as u64,
        root: digest(row.2)?,
        body: row.3,
    })
}

const CHECKPOINT_COLUMNS: &str = "SELECT seq, tree_size, root, body FROM checkpoints";

impl StoreRead for SqliteReader<'_> {
    fn subtree(&mut self, scroll: i64, level: u32, index: u64) -> Result<Digest> {
        let c = self.conn()?;
        let blob: Option<Vec<u8>> = if level == 0 {
            c.prepare_cached("SELECT leaf_hash FROM receipts WHERE key = ?1")?
                .query_row([key(scroll, index)], |r| r.get(0))
                .optional()?
        } else {
            c.prepare_cached(
                "SELECT hash FROM subtrees WHERE scroll_id = ?1 AND level = ?2 AND idx = ?3",
            )?
            .query_row(params![scroll, level, index as i64], |r| r.get(0))
            .optional()?
        };
        digest(
            blob.ok_or_else(|| StoreError(format!("store: subtree ({level}, {index}) missing")))?,
        )
    }

    fn receipt(&mut self, scroll: i64, index: u64) -> Result<Option<(Vec<u8>, Digest)>> {
        if index > MAX_INDEX {
            return Ok(None);
        }
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn()?
            .prepare_cached("SELECT body, leaf_hash FROM receipts WHERE key = ?1")?
            .query_row([key(scroll, index)], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(body, leaf)| Ok((body, digest(leaf)?)))
            .transpose()
    }

    fn each_receipt(
        &mut self,
        scroll: i64,
        from: u64,
        to: u64,
        f: &mut ReceiptVisitor<'_>,
    ) -> Result<()> {
        let c = self.conn()?;
        let mut stmt = c.prepare_cached(
            "SELECT key, body, leaf_hash FROM receipts WHERE key >= ?1 AND key < ?2 ORDER BY key",
        )?;
        let mut rows = stmt.query(params![
            key(scroll, from.min(MAX_INDEX + 1)),
            key(scroll, to.min(MAX_INDEX + 1))
        ])?;
        while let Some(row) = rows.next()? {
            let k: i64 = row.get(0)?;
            let body = row
                .get_ref(1)?
                .as_blob()
                .map_err(|e| StoreError(format!("store: {e}")))?;
            let leaf = digest(row.get::<_, Vec<u8>>(2)?)?;
            f((k - key(scroll, 0)) as u64, body, &leaf)?;
        }
        Ok(())
    }

    fn each_subtree(
        &mut self,
        scroll: i64,
        f: &mut dyn FnMut(u32, u64, &Digest) -> Result<()>,
    ) -> Result<()> {
        let c = self.conn()?;
        let mut stmt = c.prepare_cached(
            "SELECT level, idx, hash FROM subtrees WHERE scroll_id = ?1 ORDER BY level, idx",
        )?;
        let mut rows = stmt.query([scroll])?;
        while let Some(row) = rows.next()? {
            let level: u32 = row.get(0)?;
            let idx: i64 = row.get(1)?;
            f(level, idx as u64, &digest(row.get(2)?)?)?;
        }
        Ok(())
    }

    fn checkpoints(
        &mut self,
        scroll: i64,
        from_seq: u64,
        limit: u64,
    ) -> Result<Vec<CheckpointRow>> {
        let c = self.conn()?;
        let mut stmt = c.prepare_cached(&format!(
            "{CHECKPOINT_COLUMNS} WHERE scroll_id = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3"
        ))?;
        let rows = stmt.query_map(
            params![scroll, from_seq as i64, limit.min(i64::MAX as u64) as i64],
            checkpoint_row,
        )?;
        rows.map(|r| to_checkpoint(r?)).collect()
    }

    fn checkpoint(&mut self, scroll: i64, seq: u64) -> Result<Option<CheckpointRow>> {
        let c = self.conn()?;
        let row = c
            .prepare_cached(&format!(
                "{CHECKPOINT_COLUMNS} WHERE scroll_id = ?1 AND seq = ?2"
            ))?
            .query_row(params![scroll, seq as i64], checkpoint_row)
            .optional()?;
        row.map(to_checkpoint).transpose()
    }

    fn latest_checkpoint(&mut self, scroll: i64) -> Result<Option<CheckpointRow>> {
        let c = self.conn()?;
        let row = c
            .prepare_cached(&format!(
                "{CHECKPOINT_COLUMNS} WHERE scroll_id = ?1 ORDER BY seq DESC LIMIT 1"
            ))?
            .query_row([scroll], checkpoint_row)
            .optional()?;
        row.map(to_checkpoint).transpose()
    }

    fn checkpoint_of_size(&mut self, scroll: i64, tree_size: u64) -> Result<Option<CheckpointRow>> {
        let c = self.conn()?;
        let row = c
            .prepare_cached(&format!(
                "{CHECKPOINT_COLUMNS} WHERE scroll_id = ?1 AND tree_size = ?2 ORDER BY seq DESC LIMIT 1"
            ))?
            .query_row(params![scroll, tree_size as i64], checkpoint_row)
            .optional()?;
        row.map(to_checkpoint).transpose()
    }

    fn size(&mut self, scroll: i64) -> Result<u64> {
        let c = self.conn()?;
        let max: Option<i64> = c
            .prepare_cached("SELECT MAX(key) FROM receipts WHERE key >= ?1 AND key < ?2")?
            .query_row(params![key(scroll, 0), key(scroll + 1, 0)], |r| r.get(0))?;
        Ok(max.map_or(0, |m| (m - key(scroll, 0) + 1) as u64))
    }

    fn state(&mut self, space: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let c = self.conn()?;
        Ok(
            c.prepare_cached("SELECT value FROM state WHERE space = ?1 AND key = ?2")?
                .query_row(params![space, key], |r| r.get(0))
                .optional()?,
        )
    }

    fn all_states(&mut self) -> Result<Vec<(String, String, Vec<u8>)>> {
        let c = self.conn()?;
        let mut stmt =
            c.prepare_cached("SELECT space, key, value FROM state ORDER BY space, key")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn states(&mut self, space: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let c = self.conn()?;
        let mut stmt =
            c.prepare_cached("SELECT key, value FROM state WHERE space = ?1 ORDER BY key")?;
        let rows = stmt.query_map([space], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (SqliteStore, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "vm-node-store-{}",
            crate::util::hex(&crate::util::random::<6>().unwrap())
        ));
        std::fs::create_dir_all(&dir).unwrap();
        (
            SqliteStore::open(&dir.join("store.db"), Durability::Full).unwrap(),
            dir,
        )
    }

    #[test]
    fn appends_are_contiguous_and_atomic() {
        let (store, dir) = temp_store();
        let a = store
            .create_scroll("a", true, "2026-01-01T00:00:00Z")
            .unwrap();
        let b = store
            .create_scroll("b", false, "2026-01-01T00:00:00Z")
            .unwrap();
        assert_eq!(store.create_scroll("a", true, "x").unwrap().id, a.id);
        let r = |x: u8| NewReceipt {
            body: b"{}",
            leaf_hash: Digest([x; 32]),
        };
        store
            .append(a.id, 0, &[r(1), r(2)], &[(1, 0, Digest([9; 32]))], &[])
            .unwrap();
        // Not at the end: refused.
        assert!(store.append(a.id, 5, &[r(3)], &[], &[]).is_err());
        assert!(store.append(a.id, 1, &[r(3)], &[], &[]).is_err());
        // A failing row inside the batch (a subtree that already exists) rolls it all back.
        assert!(store
            .append(a.id, 2, &[r(3), r(4)], &[(1, 0, Digest([8; 32]))], &[])
            .is_err());
        store.append(b.id, 0, &[r(5)], &[], &[]).unwrap();
        let mut reader = store.reader().unwrap();
        assert_eq!(
            (reader.size(a.id).unwrap(), reader.size(b.id).unwrap()),
            (2, 1)
        );
        assert_eq!(reader.subtree(a.id, 0, 1).unwrap(), Digest([2; 32]));
        assert_eq!(reader.subtree(a.id, 1, 0).unwrap(), Digest([9; 32]));
        assert!(reader.subtree(a.id, 1, 1).is_err());
        assert_eq!(reader.receipt(b.id, 0).unwrap().unwrap().1, Digest([5; 32]));
        assert!(reader.receipt(a.id, 2).unwrap().is_none());
        drop(reader);
        let rows = store.scrolls().unwrap();
        assert_eq!(
            rows.iter()
                .map(|s| (s.name.as_str(), s.public, s.size))
                .collect::<Vec<_>>(),
            [("a", true, 2), ("b", false, 1)]
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_database_refuses_update_and_delete() {
        let (store, dir) = temp_store();
        let a = store.create_scroll("a", true, "t").unwrap();
        store
            .append(
                a.id,
                0,
                &[NewReceipt {
                    body: b"{}",
                    leaf_hash: Digest([1; 32]),
                }],
                &[(1, 0, Digest([3; 32]))],
                &[],
            )
            .unwrap();
        store
            .add_checkpoint(
                a.id,
                &CheckpointRow {
                    seq: 1,
                    tree_size: 1,
                    root: Digest([1; 32]),
                    body: b"{}".to_vec(),
                },
            )
            .unwrap();
        store.add_key("engine:x", "ed25519:z6Mk", "t").unwrap();
        for sql in [
            "UPDATE receipts SET body = x'00'",
            "DELETE FROM receipts WHERE key >= 0",
            "UPDATE subtrees SET hash = x'00'",
            "UPDATE checkpoints SET root = x'00'",
            "DELETE FROM checkpoints",
            "UPDATE keyring SET public_key = 'x'",
        ] {
            let e = store.execute_raw(sql).unwrap_err();
            assert!(e.0.contains("AXIOM-001"), "{sql}: {e}");
        }
        // The same checkpoint number twice is refused too.
        assert!(store
            .add_checkpoint(
                a.id,
                &CheckpointRow {
                    seq: 1,
                    tree_size: 1,
                    root: Digest([2; 32]),
                    body: b"{}".to_vec()
                }
            )
            .is_err());
        assert!(store.add_key("engine:x", "ed25519:other", "t").is_err());
        assert!(!store.add_key("engine:x", "ed25519:z6Mk", "t").unwrap());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn state_moves_with_its_receipts_and_nonces_are_claimed_once() {
        let (store, dir) = temp_store();
        let a = store.create_scroll("a", true, "t").unwrap();
        let put = |value: &'static [u8]| StatePut {
            space: "federation.proposal",
            key: "p1",
            value,
        };
        let r = NewReceipt {
            body: b"{}",
            leaf_hash: Digest([1; 32]),
        };
        store
            .append(a.id, 0, &[r], &[], &[put(b"offered")])
            .unwrap();
        // A failed append (wrong index) writes no state either.
        assert!(store.append(a.id, 7, &[r], &[], &[put(b"lost")]).is_err());
        let mut reader = store.reader().unwrap();
        assert_eq!(
            reader
                .state("federation.proposal", "p1")
                .unwrap()
                .as_deref(),
            Some(&b"offered"[..])
        );
        drop(reader);
        store.put_state(&[put(b"accepted")]).unwrap();
        let mut reader = store.reader().unwrap();
        assert_eq!(
            reader.states("federation.proposal").unwrap(),
            [("p1".to_string(), b"accepted".to_vec())]
        );
        assert_eq!(reader.state("federation.peer", "p1").unwrap(), None);
        drop(reader);
        assert!(store.claim_nonce("did:vm:mesh:a", "n1", 100, 10).unwrap());
        assert!(!store.claim_nonce("did:vm:mesh:a", "n1", 100, 50).unwrap());
        assert!(store.claim_nonce("did:vm:mesh:b", "n1", 100, 50).unwrap());
        // Once expired it is forgotten (a request that old is refused as stale anyway).
        assert!(store.claim_nonce("did:vm:mesh:a", "n1", 300, 200).unwrap());
        let _ = std::fs::remove_dir_all(dir);
    }
}
