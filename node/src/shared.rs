//! Several node processes on one database (PostgreSQL, [`crate::store::Store::shared`]).
//!
//! Each process keeps every scroll's right edge ([`Frontier`]), size and latest checkpoint in
//! memory. When another process appended or signed a checkpoint, those are stale; before this
//! process appends, signs or answers about a scroll it brings them up to the store:
//!
//! - the store's size is read (`O(log n)`); if it grew, the frontier is rebuilt at that size
//!   from the `O(log n)` stored complete subtrees that define it (one round trip), not by
//!   replaying the leaves;
//! - the latest stored checkpoint replaces the cached one if it is newer.
//!
//! The store sequences the appends themselves (an advisory lock per scroll and a size check in
//! the append's transaction): an append computed on a frontier that another process overtook
//! in the meantime is refused, changing nothing, and [`Node`](crate::node::Node) catches up and
//! tries again. A checkpoint that another process signed first at the same size is returned
//! instead of a second one. SQLite's store is never shared, and pays nothing for any of this.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use vaultmesh_core::merkle::Frontier;

use crate::node::{with_subtrees, ApiError, NodeCode, Result, Scroll};
use crate::store::{StatePut, Store};

/// Where a shared store records the mesh it belongs to.
const MESH_SPACE: &str = "node.mesh";

/// How many times an append is recomputed after another process overtook it.
pub const APPEND_ATTEMPTS: usize = 16;

/// Brings `scroll` up to the store; `tree` is its frontier, whose lock the caller holds.
pub fn catch_up(store: &dyn Store, scroll: &Scroll, tree: &mut Frontier) -> Result<()> {
    let mut reader = store.reader()?;
    let size = reader.size(scroll.id)?;
    // Nothing is ever deleted, so the store can only be ahead.
    if size > tree.size() {
        *tree = with_subtrees(reader.as_mut(), scroll.id, |get| {
            Frontier::from_subtrees(size, get)
        })?;
        scroll.size.store(size, Relaxed);
    }
    let known = scroll.latest_checkpoint().map_or(0, |c| c.seq);
    if let Some(stored) = reader.latest_checkpoint(scroll.id)? {
        if stored.seq > known {
            if let Ok(mut latest) = scroll.latest.write() {
                *latest = Some(Arc::new(stored));
            }
        }
    }
    Ok(())
}

/// Catches `scroll` up for a read, unless an append of this process holds its lock (that
/// append catches up itself, and the reader sees this process's state as of before it).
pub fn refresh(store: &dyn Store, scroll: &Scroll) -> Result<()> {
    match scroll.tree.try_lock() {
        Ok(mut tree) => catch_up(store, scroll, &mut tree),
        Err(_) => Ok(()),
    }
}

/// Whether the scroll's stored size is no longer `first_index`: a refused append was
/// overtaken by another process (and is worth recomputing) rather than failing on its own.
pub fn overtaken(store: &dyn Store, scroll: &Scroll, first_index: u64) -> bool {
    store
        .reader()
        .and_then(|mut r| r.size(scroll.id))
        .is_ok_and(|size| size != first_index)
}

/// Records that the shared store belongs to `mesh_id`, or refuses if it belongs to another
/// mesh: processes of two meshes on one database would interleave their scrolls and sign each
/// other's checkpoints.
pub fn claim_for_mesh(store: &dyn Store, mesh_id: &str) -> Result<()> {
    let recorded = store.reader()?.state(MESH_SPACE, "mesh_id")?;
    match recorded {
        Some(id) if id == mesh_id.as_bytes() => Ok(()),
        Some(id) => Err(ApiError::node(
            NodeCode::StoreOfAnotherMesh,
            format!(
                "the store belongs to mesh {}, not {mesh_id}: one database serves one mesh",
                String::from_utf8_lossy(&id)
            ),
        )),
        None => Ok(store.put_state(&[StatePut {
            space: MESH_SPACE,
            key: "mesh_id",
            value: mesh_id.as_bytes(),
        }])?),
    }
}
