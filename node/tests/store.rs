//! The store trait on PostgreSQL (a throwaway cluster, node/tests/common/pg.rs): contiguous
//! and atomic appends, sequencing across connections, the database refusing UPDATE and DELETE
//! (triggers, and the node's role), state and nonces; and `vm-node migrate` moving the demo
//! mesh from SQLite, with `verify-store` passing on both ends.

mod common;

use std::sync::Arc;

use common::pg::PgCluster;
use common::{vm_node, TempDir};
use vaultmesh_core::Digest;
use vaultmesh_node::store::{CheckpointRow, NewReceipt, PgStore, StatePut, Store};

fn cluster() -> Option<PgCluster> {
    PgCluster::start()
}

fn r(x: u8) -> NewReceipt<'static> {
    NewReceipt {
        body: b"{}",
        leaf_hash: Digest([x; 32]),
    }
}

#[test]
fn appends_are_contiguous_and_atomic() {
    let Some(pg) = cluster() else { return };
    let store = PgStore::open(&pg.database("contiguous")).unwrap();
    let a = store.create_scroll("A", true, "t").unwrap();
    let b = store.create_scroll("B", false, "t").unwrap();
    assert_eq!(store.create_scroll("A", true, "x").unwrap().id, a.id);
    store
        .append(a.id, 0, &[r(1), r(2)], &[(1, 0, Digest([9; 32]))], &[])
        .unwrap();
    // Not at the end: refused.
    assert!(store.append(a.id, 5, &[r(3)], &[], &[]).is_err());
    assert!(store.append(a.id, 1, &[r(3)], &[], &[]).is_err());
    // A failing row inside the batch (a subtree that exists) rolls the whole batch back.
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
    // Several at once, in the order asked (one round trip), level 0 from the receipts.
    assert_eq!(
        reader.subtrees(a.id, &[(1, 0), (0, 0), (0, 1)]).unwrap(),
        [Digest([9; 32]), Digest([1; 32]), Digest([2; 32])]
    );
    assert!(reader.subtrees(a.id, &[(0, 0), (2, 0)]).is_err());
    assert_eq!(reader.receipt(b.id, 0).unwrap().unwrap().1, Digest([5; 32]));
    assert!(reader.receipt(a.id, 2).unwrap().is_none());
    drop(reader);
    let rows = store.scrolls().unwrap();
    assert_eq!(
        rows.iter()
            .map(|s| (s.name.as_str(), s.public, s.size))
            .collect::<Vec<_>>(),
        [("A", true, 2), ("B", false, 1)]
    );
    assert!(store.shared());
    assert!(store.disk_bytes() > 0);
}

/// Eight connections (two stores, as two processes would have) race to append to one scroll,
/// each retrying at the size it is told: every index is assigned exactly once.
#[test]
fn concurrent_appenders_never_share_an_index() {
    let Some(pg) = cluster() else { return };
    let url = pg.database("race");
    let stores = [
        Arc::new(PgStore::open(&url).unwrap()),
        Arc::new(PgStore::open(&url).unwrap()),
    ];
    let scroll = stores[0].create_scroll("Race", true, "t").unwrap().id;
    let threads: Vec<_> = (0..8u8)
        .map(|t| {
            let store = stores[t as usize % 2].clone();
            std::thread::spawn(move || {
                let mut won = Vec::new();
                for i in 0..15u8 {
                    let body = format!("{{\"t\":{t},\"i\":{i}}}").into_bytes();
                    let row = NewReceipt {
                        body: &body,
                        leaf_hash: Digest([t * 16 + i; 32]),
                    };
                    loop {
                        let size = store.reader().unwrap().size(scroll).unwrap();
                        if store.append(scroll, size, &[row], &[], &[]).is_ok() {
                            won.push(size);
                            break;
                        }
                    }
                }
                won
            })
        })
        .collect();
    let mut indexes: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..120).collect::<Vec<u64>>());
    assert_eq!(stores[1].reader().unwrap().size(scroll).unwrap(), 120);
}

#[test]
fn the_database_refuses_update_and_delete() {
    let Some(pg) = cluster() else { return };
    let store = PgStore::open(&pg.database("axiom")).unwrap();
    let a = store.create_scroll("A", true, "t").unwrap();
    store
        .append(a.id, 0, &[r(1)], &[(1, 0, Digest([3; 32]))], &[])
        .unwrap();
    let cp = CheckpointRow {
        seq: 1,
        tree_size: 1,
        root: Digest([1; 32]),
        body: b"{}".to_vec(),
    };
    store.add_checkpoint(a.id, &cp).unwrap();
    store.add_key("engine:x", "ed25519:z6Mk", "t").unwrap();
    for sql in [
        "UPDATE receipts SET body = '\\x7b7d'::bytea",
        "DELETE FROM receipts",
        "UPDATE subtrees SET hash = hash",
        "UPDATE checkpoints SET root = root",
        "DELETE FROM checkpoints",
        "UPDATE keyring SET public_key = 'x'",
        "TRUNCATE receipts, subtrees",
    ] {
        let e = store.execute_raw(sql).unwrap_err();
        assert!(e.0.contains("AXIOM-001"), "owner, {sql}: {e}");
        let e = store.execute_as_node(sql).unwrap_err();
        assert!(e.0.contains("permission denied"), "node role, {sql}: {e}");
    }
    // The node's sessions may still do what they must.
    assert_eq!(
        store
            .execute_as_node("SELECT current_user = 'vaultmesh_node'")
            .unwrap(),
        1
    );
    // The same checkpoint number twice, and another key for an actor, are refused too.
    assert!(store.add_checkpoint(a.id, &cp).is_err());
    assert!(store.add_key("engine:x", "ed25519:other", "t").is_err());
    assert!(!store.add_key("engine:x", "ed25519:z6Mk", "t").unwrap());
    assert_eq!(store.keys().unwrap().len(), 1);
    let mut reader = store.reader().unwrap();
    assert_eq!(reader.latest_checkpoint(a.id).unwrap(), Some(cp.clone()));
    assert_eq!(reader.checkpoint_of_size(a.id, 1).unwrap(), Some(cp));
    assert_eq!(reader.size(a.id).unwrap(), 1);
}

#[test]
fn state_moves_with_its_receipts_and_nonces_are_claimed_once() {
    let Some(pg) = cluster() else { return };
    let store = PgStore::open(&pg.database("state")).unwrap();
    let a = store.create_scroll("A", true, "t").unwrap();
    let put = |value: &'static [u8]| StatePut {
        space: "federation.proposal",
        key: "p1",
        value,
    };
    store
        .append(a.id, 0, &[r(1)], &[], &[put(b"offered")])
        .unwrap();
    // A failed append (wrong index) writes no state either.
    assert!(store
        .append(a.id, 7, &[r(1)], &[], &[put(b"lost")])
        .is_err());
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
    assert_eq!(reader.all_states().unwrap().len(), 1);
    drop(reader);
    assert!(store.claim_nonce("did:vm:mesh:a", "n1", 100, 10).unwrap());
    assert!(!store.claim_nonce("did:vm:mesh:a", "n1", 100, 50).unwrap());
    assert!(store.claim_nonce("did:vm:mesh:b", "n1", 100, 50).unwrap());
    assert!(store.claim_nonce("did:vm:mesh:a", "n1", 300, 200).unwrap());
}

#[test]
fn migrate_moves_the_demo_mesh_and_verify_store_passes_on_both_ends() {
    let Some(pg) = cluster() else { return };
    let url = pg.database("moved");
    let dir = TempDir::new("migrate");
    let (status, out, err) = vm_node(&["demo", "--dir", dir.0.to_str().unwrap(), "--json"]);
    assert_eq!(status, 0, "demo: {out}{err}");
    let data = dir.0.join("node");
    let data_arg = data.to_str().unwrap();
    let (status, before, err) = vm_node(&["verify-store", "--data", data_arg, "--json"]);
    assert_eq!(status, 0, "verify-store on SQLite: {before}{err}");
    // Not to a URL that is not PostgreSQL.
    let (status, _, err) = vm_node(&["migrate", "--data", data_arg, "--to", "mysql://x/y"]);
    assert_eq!(status, 2, "{err}");

    let (status, out, err) = vm_node(&["migrate", "--data", data_arg, "--to", &url, "--json"]);
    assert_eq!(status, 0, "migrate: {out}{err}");
    let moved: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(moved["receipts"].as_u64().unwrap() > 10, "{moved}");
    assert!(moved["checkpoints"].as_u64().unwrap() >= 1, "{moved}");
    // Once: the database now holds a mesh.
    let (status, _, err) = vm_node(&["migrate", "--data", data_arg, "--to", &url]);
    assert_eq!(status, 2);
    assert!(err.contains("empty database"), "{err}");

    // Point the data directory at the database and re-derive everything there.
    common::edit_config(
        &data,
        "\n[limits]",
        &format!("\nstore = \"{url}\"\n\n[limits]"),
    );
    let (status, after, err) = vm_node(&["verify-store", "--data", data_arg, "--json"]);
    assert_eq!(status, 0, "verify-store on PostgreSQL: {after}{err}");
    let (before, after): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&before).unwrap(),
        serde_json::from_str(&after).unwrap(),
    );
    assert_eq!(after["valid"], true);
    // The same scrolls, sizes, subtrees, checkpoints and signature counts on both ends.
    assert_eq!(before["scrolls"], after["scrolls"]);
    // And the node serves it from there: an inclusion proof of the Guardian scroll.
    let node = common::Node::start(&data);
    let r = node
        .public()
        .get("/scrolls/Guardian/proof/inclusion?index=0")
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
}

/// One database serves one mesh: a second mesh's init on it is refused, the first's processes
/// still start.
#[test]
fn a_database_holds_one_mesh() {
    let Some(pg) = cluster() else { return };
    let url = pg.database("one");
    let dir = TempDir::new("one-mesh");
    let init = |name: &str, mesh: &str| {
        let data = dir.0.join(name);
        let args = [
            "init",
            "--mesh-id",
            mesh,
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--store",
            &url,
        ];
        (vm_node(&args), data)
    };
    let ((status, out, err), first) = init("first", "did:vm:mesh:first");
    assert_eq!(status, 0, "{out}{err}");
    let ((status, _, err), _) = init("second", "did:vm:mesh:second");
    assert_eq!(status, 2);
    assert!(err.contains("belongs to mesh did:vm:mesh:first"), "{err}");
    let (status, out, err) = vm_node(&["verify-store", "--data", first.to_str().unwrap()]);
    assert_eq!(status, 0, "{out}{err}");
}
