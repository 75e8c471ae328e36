//! The crash test: SIGKILL the node again and again in the middle of a stream of appends,
//! restart it, and prove that every acknowledged receipt is there exactly once, at the index it
//! was acknowledged at, that no batch is partly there, and that `verify-store` passes.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{init, vm_node, Node, TempDir};
use vaultmesh_core::json::{self, Limits};
use vaultmesh_node::bench::{array, guardian_receipt, Signer};
use vaultmesh_node::client::Client;

const KILLS: usize = 20;
const BATCH: u64 = 40;
const AT: &str = "2026-05-01T12:00:00Z";

/// What the writer knows: receipts acknowledged (in order), the batch in flight, and batches
/// sent but never answered (each is either committed whole or not at all; on PostgreSQL one
/// may commit moments after its node died, when the server reads the COMMIT the killed
/// process had already written to its socket, so they are matched by content, not by count).
#[derive(Default)]
struct Log {
    acked: Vec<Vec<u8>>,
    in_flight: Option<Vec<Vec<u8>>>,
    unanswered: Vec<Vec<Vec<u8>>>,
    checkpoints_acked: u64,
    next_id: u64,
}

fn writer(url: String, token: String, signer: Signer, log: Arc<Mutex<Log>>, stop: Arc<AtomicBool>) {
    // One attempt per request: the writer is to see the kill, not wait it out in backoff.
    let mut c = Client::new(&url).with_token(token).with_retries(0);
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let (batch, size) = {
            let mut l = log.lock().unwrap();
            let first = l.next_id;
            l.next_id += BATCH;
            let batch: Vec<Vec<u8>> = (first..first + BATCH)
                .map(|i| guardian_receipt(&signer, "crash", i, AT))
                .collect();
            l.in_flight = Some(batch.clone());
            (batch, l.acked.len())
        };
        let reply = c.post(
            &format!("/admin/scrolls/Guardian/receipts?expect_size={size}"),
            &array(&batch),
        );
        let mut l = log.lock().unwrap();
        match reply {
            Ok(r) if r.status == 200 => {
                let v = r.json();
                assert_eq!(
                    v["first_index"].as_u64(),
                    Some(size as u64),
                    "acknowledged at another index"
                );
                l.acked.extend(batch);
                l.in_flight = None;
            }
            // Killed mid-request: the batch is either wholly committed or not at all.
            _ => return,
        }
        drop(l);
        n += 1;
        if n % 2 == 0 {
            match c.post("/admin/scrolls/Guardian/checkpoints", b"") {
                Ok(r) if matches!(r.status, 200 | 201) => {
                    log.lock().unwrap().checkpoints_acked += 1
                }
                _ => return,
            }
        }
    }
}

fn receipt_at(c: &mut Client, index: usize) -> Vec<u8> {
    let r = c
        .get(&format!("/scrolls/Guardian/receipts/{index}"))
        .unwrap();
    assert_eq!(r.status, 200, "receipt {index}");
    let v = json::parse_record(&r.body, &Limits::default()).unwrap();
    v.as_object()
        .unwrap()
        .get("receipt")
        .unwrap()
        .to_canonical()
}

/// Accounts for what the node holds beyond the acknowledged receipts: whole unanswered
/// batches, in the order they were committed. Returns how many there were.
fn reconcile(node: &Node, l: &mut Log, round: usize) -> usize {
    if let Some(batch) = l.in_flight.take() {
        l.unanswered.push(batch);
    }
    let size = size_of(node);
    let mut c = node.admin();
    let mut committed = 0;
    while (l.acked.len() as u64) < size {
        let at = l.acked.len();
        let first = receipt_at(&mut c, at);
        let k = l
            .unanswered
            .iter()
            .position(|b| b[0] == first)
            .unwrap_or_else(|| panic!("round {round}: receipt {at} was never sent"));
        let batch = l.unanswered.remove(k);
        for (j, expected) in batch.iter().enumerate() {
            assert!(
                ((at + j) as u64) < size && receipt_at(&mut c, at + j) == *expected,
                "round {round}: a partial batch at {at}"
            );
        }
        l.acked.extend(batch);
        committed += 1;
    }
    committed
}

fn size_of(node: &Node) -> u64 {
    node.admin().get("/scrolls/Guardian").unwrap().json()["tree_size"]
        .as_u64()
        .unwrap()
}

#[test]
fn sigkill_during_appends_loses_nothing_acknowledged() {
    crash_test("full");
}

/// `synchronous=NORMAL` in WAL mode loses nothing to a crash of the process either (only a
/// crash of the machine can cost it the last commits), which is what docs/node.md claims.
#[test]
fn sigkill_with_normal_durability_loses_nothing_acknowledged() {
    crash_test("normal");
}

/// The same on PostgreSQL (a throwaway cluster, node/tests/common/pg.rs): every append is
/// committed with `synchronous_commit = on`; the node process is what is killed.
#[test]
fn sigkill_during_appends_loses_nothing_acknowledged_on_postgres() {
    common::pg::on_postgres(|| crash_test("full"));
}

fn crash_test(durability: &str) {
    let started = Instant::now();
    let dir = TempDir::new("crash");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    common::edit_config(
        &data,
        "durability = \"full\"",
        &format!("durability = \"{durability}\""),
    );
    let signer = Signer::new("engine:guardian");
    let log = Arc::new(Mutex::new(Log::default()));
    let mut seed = u64::from_le_bytes(vaultmesh_node::util::random::<8>().unwrap()) | 1;
    let mut in_flight_committed = 0;
    let mut kills_mid_request = 0;

    for round in 0..KILLS {
        let mut node = Node::start(&data);
        if round == 0 {
            let body = serde_json::json!({ "actor": signer.actor, "key": signer.key.to_string() })
                .to_string();
            assert_eq!(
                node.admin()
                    .post("/admin/keys", body.as_bytes())
                    .unwrap()
                    .status,
                201
            );
        }
        // Reconcile the batches unanswered at the kills: all or nothing.
        {
            let mut l = log.lock().unwrap();
            in_flight_committed += reconcile(&node, &mut l, round);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let w = {
            let (url, token, signer, log, stop) = (
                node.url.clone(),
                node.token.clone(),
                signer.clone(),
                log.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || writer(url, token, signer, log, stop))
        };
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(40 + seed % 120));
        node.kill();
        w.join().unwrap();
        if log.lock().unwrap().in_flight.is_some() {
            kills_mid_request += 1;
        }
    }

    // Final restart: everything acknowledged is there exactly once, in order, nothing else.
    let node = Node::start(&data);
    let mut l = log.lock().unwrap();
    in_flight_committed += reconcile(&node, &mut l, KILLS);
    let size = size_of(&node);
    assert_eq!(size, l.acked.len() as u64);
    assert!(size >= 200, "too few appends to mean anything: {size}");
    let mut c = node.admin();
    let mut seen = std::collections::HashSet::new();
    for (i, expected) in l.acked.iter().enumerate() {
        let r = c.get(&format!("/scrolls/Guardian/receipts/{i}")).unwrap();
        assert_eq!(r.status, 200);
        let v = json::parse_record(&r.body, &Limits::default()).unwrap();
        let got = v
            .as_object()
            .unwrap()
            .get("receipt")
            .unwrap()
            .to_canonical();
        assert_eq!(&got, expected, "receipt {i} differs");
        assert!(seen.insert(got), "receipt {i} is stored twice");
    }
    assert_eq!(
        c.get(&format!("/scrolls/Guardian/receipts/{size}"))
            .unwrap()
            .status,
        404
    );
    drop(node);
    let (status, out, err) = vm_node(&["verify-store", "--data", data.to_str().unwrap(), "--json"]);
    assert_eq!(status, 0, "verify-store: {out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], true);
    let checkpoints = v["scrolls"][0]["checkpoints"].as_u64().unwrap();
    assert!(
        checkpoints >= l.checkpoints_acked,
        "an acknowledged checkpoint is missing"
    );
    eprintln!(
        "crash test ({}, {durability}): {KILLS} SIGKILLs ({kills_mid_request} with a batch in flight, {in_flight_committed} unanswered batches found committed whole), \
         {size} receipts acknowledged and present exactly once, {checkpoints} checkpoints, verify-store passed, {:.1} s",
        common::pg::current_store().map_or("SQLite", |_| "PostgreSQL"),
        started.elapsed().as_secs_f64()
    );
}
