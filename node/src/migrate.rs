//! `vm-node migrate --to postgres://…`: moves a stopped mesh from its SQLite store into an
//! empty PostgreSQL database.
//!
//! Everything the store holds is copied through the [`Store`] trait: scrolls, receipts (their
//! canonical bytes and leaf hashes, each leaf hash re-derived with the core on the way: nothing
//! unverified is written), the complete subtrees (recomputed by the core's [`Frontier`] as the
//! receipts go in, exactly as appends write them), every checkpoint, the keys added at run
//! time, and the protocol state. Nonces are not copied: they only refuse replays of requests
//! signed minutes ago, and the mesh is stopped while it moves. Afterwards `verify-store`
//! re-derives everything on the new store (docs/node.md, "Moving a mesh to PostgreSQL").

use vaultmesh_core::merkle::{self, Frontier};

use crate::config::DataDir;
use crate::store::{
    Durability, NewReceipt, PgStore, Result, SqliteStore, StatePut, Store, StoreError,
};
use crate::util;

/// Receipts per transaction on the new store.
const CHUNK: u64 = 5_000;

/// What was copied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    /// Scrolls.
    pub scrolls: u64,
    /// Receipts.
    pub receipts: u64,
    /// Complete subtrees written.
    pub subtrees: u64,
    /// Checkpoints.
    pub checkpoints: u64,
    /// Keys added at run time.
    pub keys: u64,
    /// State rows.
    pub state: u64,
}

/// Copies the SQLite store of `dir` into the PostgreSQL database at `url`. The source is
/// opened as a writer would open it, so a running node on it is refused ("in use"); the
/// destination must hold no receipts, checkpoints or keys yet.
pub fn to_postgres(dir: &DataDir, url: &str, progress: &mut dyn FnMut(u64, u64)) -> Result<Moved> {
    if dir.config.store.is_some() {
        return Err(StoreError(
            "this data directory's store is PostgreSQL already (config.toml `store`)".into(),
        ));
    }
    let path = dir.store_path();
    if !path.exists() {
        return Err(StoreError(format!("no store at {}", path.display())));
    }
    let source = SqliteStore::open(&path, Durability::Full)?;
    let target = PgStore::open(url)?;
    to_store(&source, &target, progress)
}

/// Copies every row of `source` into the empty `target`.
pub fn to_store(
    source: &dyn Store,
    target: &dyn Store,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Moved> {
    let occupied = target.scrolls()?.iter().any(|s| s.size > 0) || !target.keys()?.is_empty();
    if occupied {
        return Err(StoreError(
            "the target store already holds receipts or keys: a mesh moves into an empty database"
                .into(),
        ));
    }
    let now = util::now_text();
    let mut moved = Moved::default();
    let scrolls = source.scrolls()?;
    let total: u64 = scrolls.iter().map(|s| s.size).sum();
    let mut reader = source.reader()?;
    for scroll in &scrolls {
        let to = target.create_scroll(&scroll.name, scroll.public, &now)?;
        if to.size != 0 {
            return Err(StoreError(format!(
                "the target's scroll {} is not empty",
                scroll.name
            )));
        }
        let mut frontier = Frontier::default();
        let mut from = 0;
        while from < scroll.size {
            let end = (from + CHUNK).min(scroll.size);
            let mut bodies: Vec<Vec<u8>> = Vec::with_capacity((end - from) as usize);
            let mut leaves = Vec::with_capacity(bodies.capacity());
            let mut expected = from;
            reader.each_receipt(scroll.id, from, end, &mut |index, body, leaf| {
                if index != expected || merkle::leaf_hash(body) != *leaf {
                    return Err(StoreError(format!(
                        "source scroll {} is damaged at receipt {expected}: run verify-store",
                        scroll.name
                    )));
                }
                expected += 1;
                bodies.push(body.to_vec());
                leaves.push(*leaf);
                Ok(())
            })?;
            if expected != end {
                return Err(StoreError(format!(
                    "source scroll {} has a gap at {expected}: run verify-store",
                    scroll.name
                )));
            }
            let mut subtrees = Vec::new();
            for leaf in &leaves {
                frontier.append_with(*leaf, |level, index, hash| {
                    if level > 0 {
                        subtrees.push((level, index, *hash));
                    }
                });
            }
            let rows: Vec<NewReceipt<'_>> = bodies
                .iter()
                .zip(&leaves)
                .map(|(body, leaf)| NewReceipt {
                    body,
                    leaf_hash: *leaf,
                })
                .collect();
            target.append(to.id, from, &rows, &subtrees, &[])?;
            moved.receipts += end - from;
            moved.subtrees += subtrees.len() as u64;
            from = end;
            progress(moved.receipts, total);
        }
        for cp in reader.checkpoints(scroll.id, 1, u64::MAX)? {
            target.add_checkpoint(to.id, &cp)?;
            moved.checkpoints += 1;
        }
        moved.scrolls += 1;
    }
    for (actor, key) in source.keys()? {
        target.add_key(&actor, &key, &now)?;
        moved.keys += 1;
    }
    let state = reader.all_states()?;
    for chunk in state.chunks(1_000) {
        let rows: Vec<StatePut<'_>> = chunk
            .iter()
            .map(|(space, key, value)| StatePut { space, key, value })
            .collect();
        target.put_state(&rows)?;
        moved.state += rows.len() as u64;
    }
    Ok(moved)
}
