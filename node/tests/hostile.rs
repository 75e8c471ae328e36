//! Hostile requests against a real `vm-node serve` on 127.0.0.1, sent as raw bytes: huge
//! declared lengths, slow bodies, huge headers, an HTTP/2.0 request line, a flood of DELETEs,
//! numbers beyond the store's range, a sloppy bearer token. After each the node must be up,
//! answering `/healthz`, with its memory bounded; and the log must never hold the token.
//! Also: SIGTERM during a stream of appends loses nothing acknowledged and exits 0, and the
//! violation bound itself on a clock the test moves.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{edit_config, init, Node, TempDir};
use vaultmesh_node::bench::{array, guardian_receipt, Signer};
use vaultmesh_node::client::Client;

const AT: &str = "2026-05-01T12:00:00Z";

fn addr(node: &Node) -> String {
    node.url
        .strip_prefix("http://")
        .unwrap_or(&node.url)
        .to_string()
}

/// Sends `request` and returns what came back within `wait` (until the peer closes).
fn exchange(addr: &str, request: &[u8], wait: Duration) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn status(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// `/healthz` on a fresh connection: the status and how long it took.
fn healthz(addr: &str) -> (u16, Duration) {
    let started = Instant::now();
    let r = exchange(
        addr,
        b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    );
    (status(&r), started.elapsed())
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn governance_size(node: &Node) -> u64 {
    node.public().get("/scrolls/Governance").unwrap().json()["tree_size"]
        .as_u64()
        .unwrap()
}

#[test]
fn huge_declared_lengths_do_not_allocate_or_kill_the_node() {
    let dir = TempDir::new("hostile-length");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let node = Node::start(&data);
    let a = addr(&node);
    let before = rss_kib(node.child.id());
    for round in 0..10 {
        for length in ["99999999999", "18446744073709551615"] {
            // A GET that declares a body it never sends: answered, the body never awaited.
            let r = exchange(
                &a,
                format!("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n\r\n")
                    .as_bytes(),
                Duration::from_secs(5),
            );
            // hyper refuses a length it cannot represent as too large a head (431).
            let s = status(&r);
            assert!(
                matches!(s, 200 | 400 | 431),
                "round {round} {length}: {r:?}"
            );
            // A POST whose route reads bodies: refused before reading.
            let r = exchange(
                &a,
                format!(
                    "POST /federation/verify HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n\r\n{{"
                )
                .as_bytes(),
                Duration::from_secs(5),
            );
            let s = status(&r);
            assert!(
                matches!(s, 413 | 400 | 431),
                "round {round} {length}: {r:?}"
            );
            if s == 413 {
                assert!(r.contains("INPUT_TOO_LARGE"), "{r}");
            }
        }
    }
    assert_eq!(healthz(&a).0, 200);
    let after = rss_kib(node.child.id());
    assert!(
        after < before + 32 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
    eprintln!("huge lengths: RSS {before} KiB -> {after} KiB");
}

#[test]
fn slow_bodies_do_not_stall_healthz_and_time_out() {
    let dir = TempDir::new("hostile-slow");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    edit_config(&data, "body_timeout_secs = 30", "body_timeout_secs = 2");
    let node = Node::start(&data);
    let a = addr(&node);
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let mut slow = Vec::new();
    for _ in 0..8 {
        let (a, stop, answers) = (a.clone(), stop.clone(), answers.clone());
        slow.push(std::thread::spawn(move || {
            let mut s = TcpStream::connect(&a).unwrap();
            s.write_all(
                b"POST /federation/verify HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n",
            )
            .unwrap();
            s.set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            // A byte every 200 ms until the node answers (or 10 s pass).
            for _ in 0..50 {
                if stop.load(Ordering::Relaxed) || s.write_all(b" ").is_err() {
                    break;
                }
                match s.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        got.extend_from_slice(&buf[..n]);
                        break;
                    }
                    Err(_) => {}
                }
            }
            answers
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&got).into_owned());
        }));
    }
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..5 {
        let (s, took) = healthz(&a);
        assert_eq!(s, 200);
        assert!(took < Duration::from_millis(500), "/healthz took {took:?}");
    }
    for t in slow {
        t.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let answers = answers.lock().unwrap();
    assert_eq!(answers.len(), 8);
    for r in answers.iter() {
        assert_eq!(status(r), 408, "{r:?}");
        assert!(r.contains("REQUEST_TIMEOUT"), "{r}");
    }
    assert_eq!(healthz(&a).0, 200);
}

#[test]
fn huge_headers_are_refused_with_431_and_memory_stays_bounded() {
    let dir = TempDir::new("hostile-headers");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let node = Node::start(&data);
    let a = addr(&node);
    let before = rss_kib(node.child.id());
    let mut threads = Vec::new();
    for i in 0..20 {
        let a = a.clone();
        threads.push(std::thread::spawn(move || {
            let mut s = TcpStream::connect(&a).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let _ =
                s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big-{i}: ").as_bytes());
            let chunk = vec![b'a'; 64 << 10];
            let mut sent = 0usize;
            while sent < 8 << 20 {
                if s.write_all(&chunk).is_err() {
                    break;
                }
                sent += chunk.len();
            }
            let mut got = Vec::new();
            let _ = s.read_to_end(&mut got);
            (sent, String::from_utf8_lossy(&got).into_owned())
        }));
    }
    let mut refused = 0;
    for t in threads {
        let (sent, r) = t.join().unwrap();
        assert!(sent < 8 << 20, "the node read a whole 8 MB header");
        if status(&r) == 431 {
            refused += 1;
        } else {
            // A reset can overtake the 431 on the wire: never any other answer.
            assert_eq!(r, "", "{r:?}");
        }
    }
    assert!(refused > 0, "no connection saw the 431");
    // Many header fields, each small: 431 too.
    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: t\r\n");
    for i in 0..200 {
        many.push_str(&format!("X-{i}: v\r\n"));
    }
    many.push_str("\r\n");
    assert_eq!(
        status(&exchange(&a, many.as_bytes(), Duration::from_secs(5))),
        431
    );
    assert_eq!(healthz(&a).0, 200);
    let after = rss_kib(node.child.id());
    assert!(
        after < before + 32 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
    eprintln!("huge headers: {refused}/20 saw 431; RSS {before} KiB -> {after} KiB");
}

#[test]
fn an_http_2_request_line_is_answered() {
    let dir = TempDir::new("hostile-h2line");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let node = Node::start(&data);
    let a = addr(&node);
    let r = exchange(
        &a,
        b"GET /healthz HTTP/2.0\r\nHost: t\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(r.starts_with("HTTP/1.1 "), "{r:?}");
    assert!(matches!(status(&r), 400 | 505), "{r:?}");
    assert_eq!(healthz(&a).0, 200);
}

#[test]
fn a_flood_of_anonymous_deletes_leaves_the_governance_scroll_bounded() {
    let dir = TempDir::new("hostile-deletes");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    // A window longer than the test: the summary comes from the shutdown flush.
    edit_config(&data, "window_secs = 60", "window_secs = 3600");
    let mut node = Node::start(&data);
    let mut c = node.public();
    let started = Instant::now();
    for i in 0..1000 {
        let r = c
            .request(
                "DELETE",
                &format!("/scrolls/Guardian/receipts/{i}"),
                None,
                b"",
            )
            .unwrap();
        assert_eq!(r.status, 403, "{}", r.text());
        assert_eq!(r.json()["error"]["name"], "APPEND_ONLY");
        if i >= 10 {
            assert!(
                r.json()["error"]["detail"]["summarised"].is_object(),
                "{}",
                r.text()
            );
        }
    }
    let took = started.elapsed();
    assert_eq!(governance_size(&node), 10);
    let m = c.get("/metrics").unwrap().text();
    assert!(m.contains("vaultmesh_violations_total 1000"), "{m}");
    // A clean stop records the window's summary: one receipt for the other 990.
    sigterm(&mut node);
    let node = Node::start(&data);
    assert_eq!(governance_size(&node), 11);
    let r = node
        .public()
        .get("/scrolls/Governance/receipts/10")
        .unwrap()
        .json();
    let receipt = &r["receipt"];
    assert_eq!(receipt["type"], "gov_violation");
    assert_eq!(receipt["evidence"]["count"], 990);
    assert_eq!(receipt["details"]["rule_violated"], "AXIOM-001");
    assert_eq!(
        receipt["details"]["actor"],
        vaultmesh_node::node::UNAUTHENTICATED_ACTOR
    );
    eprintln!("1000 DELETEs in {took:?}: Governance holds 11 receipts");
}

#[test]
fn numbers_beyond_the_store_and_sloppy_tokens_are_refused() {
    let dir = TempDir::new("hostile-numbers");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let node = Node::start(&data);
    let mut c = node.admin();
    c.post("/admin/scrolls/Guardian/checkpoints", b"").unwrap();
    for (path, param) in [
        (
            "/scrolls/Guardian/checkpoints?from=9223372036854775808",
            "from",
        ),
        (
            "/scrolls/Guardian/checkpoints?limit=18446744073709551616",
            "limit",
        ),
        ("/scrolls/Guardian/checkpoints?from=-1", "from"),
        ("/scrolls/Guardian/proof/inclusion?index=1e3", "index"),
        (
            "/scrolls/Guardian/checkpoints/9223372036854775808",
            "checkpoint number",
        ),
        (
            "/scrolls/Guardian/receipts/99999999999999999999",
            "receipt index",
        ),
        (
            "/federation/receipts/Guardian?from=9223372036854775808",
            "from",
        ),
    ] {
        let r = c.get(path).unwrap();
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(param), "{path}: {message}");
        assert!(message.contains("9223372036854775807"), "{path}: {message}");
    }
    // In range: answered as before.
    let r = c
        .get("/scrolls/Guardian/checkpoints?from=9223372036854775807")
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["seqs"], serde_json::json!([]));

    let a = addr(&node);
    let append =
        "POST /admin/scrolls HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 2\r\n";
    // (Whitespace at the very end is not part of a field value, RFC 9110 §5.5: the parser
    // drops it before the node sees the header, so `Bearer TOKEN ` is `Bearer TOKEN`.)
    for auth in [
        format!("Bearer  {}  ", node.token),
        format!("Bearer  {}", node.token),
        format!("bearer {}", node.token),
        format!("Bearer {}x", node.token),
        format!("Bearer {}", &node.token[1..]),
    ] {
        let r = exchange(
            &a,
            format!("{append}Authorization: {auth}\r\n\r\n{{}}").as_bytes(),
            Duration::from_secs(5),
        );
        assert_eq!(status(&r), 401, "{auth:?}: {r}");
    }
    let r = exchange(
        &a,
        format!("{append}Authorization: Bearer {}\r\n\r\n{{}}", node.token).as_bytes(),
        Duration::from_secs(5),
    );
    // The exact form is accepted (and the empty object then lacks a name).
    assert_eq!(status(&r), 400, "{r}");
    assert!(r.contains("MISSING_FIELD"), "{r}");
}

/// `vm-node serve` with its log captured in `log`.
fn serve_logged(data: &Path, log: &Path) -> std::process::Child {
    let mut child = Command::new(common::BIN)
        .args(["serve", "--data", data.to_str().unwrap()])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert!(line.starts_with("vm-node listening on "), "{line}");
    child
}

fn sigterm_pid(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// SIGTERM, and the exit status must be 0.
fn sigterm(node: &mut Node) {
    sigterm_pid(node.child.id());
    let status = node.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "exit after SIGTERM: {status:?}");
}

#[test]
fn the_request_log_has_every_request_and_never_the_token() {
    let dir = TempDir::new("hostile-log");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let log = dir.0.join("node.log");
    let mut child = serve_logged(&data, &log);
    let token = std::fs::read_to_string(data.join("admin.token"))
        .unwrap()
        .trim()
        .to_string();
    // The port is in the log's "listening" line.
    let deadline = Instant::now() + Duration::from_secs(5);
    let addr = loop {
        let text = std::fs::read_to_string(&log).unwrap();
        if let Some(a) = text
            .lines()
            .find(|l| l.contains("listening"))
            .and_then(|l| l.split("addr=").nth(1))
            .and_then(|r| r.split_whitespace().next())
        {
            break a.to_string();
        }
        assert!(Instant::now() < deadline, "no listening line in {text}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let url = format!("http://{addr}");
    let signer = Signer::new("engine:guardian");
    let mut c = Client::new(&url).with_token(token.clone());
    let r = c
        .post(
            &format!("/admin/scrolls/Guardian/receipts?secret={token}"),
            &array(&[guardian_receipt(&signer, "log", 0, AT)]),
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(c.get("/healthz").unwrap().status, 200);
    let mut wrong = Client::new(&url).with_token(format!("{token}0"));
    assert_eq!(wrong.post("/admin/keys", b"{}").unwrap().status, 401);
    assert_eq!(
        c.request("DELETE", "/scrolls/Guardian/receipts/0", None, b"")
            .unwrap()
            .status,
        403
    );
    sigterm_pid(child.id());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(&token), "the token is in the log:\n{text}");
    let secret = std::fs::read_to_string(data.join("federation.key")).unwrap();
    let seed = secret.trim().trim_start_matches("ed25519-seed:");
    assert!(!text.contains(seed), "the key is in the log");
    for needle in [
        "method=POST path=/admin/scrolls/Guardian/receipts status=200",
        "method=GET path=/healthz status=200",
        "method=POST path=/admin/keys status=401",
        "method=DELETE path=/scrolls/Guardian/receipts/0 status=403",
        "peer=127.0.0.1",
        "latency_ms=",
        "SIGTERM",
        "store closed",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the log:\n{text}");
    }
}

/// What the writer saw acknowledged.
#[derive(Default)]
struct Acked {
    receipts: Vec<Vec<u8>>,
    batches: usize,
}

#[test]
fn sigterm_during_appends_keeps_every_acknowledged_receipt_and_exits_0() {
    let dir = TempDir::new("hostile-sigterm");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let mut node = Node::start(&data);
    let signer = Signer::new("engine:guardian");
    let body = serde_json::json!({ "actor": signer.actor, "key": signer.key.to_string() });
    assert_eq!(
        node.admin()
            .post("/admin/keys", body.to_string().as_bytes())
            .unwrap()
            .status,
        201
    );
    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut writers = Vec::new();
    for w in 0..3u64 {
        let (url, token, acked) = (node.url.clone(), node.token.clone(), acked.clone());
        let signer = signer.clone();
        writers.push(std::thread::spawn(move || {
            let mut c = Client::new(&url).with_token(token);
            for b in 0.. {
                let batch: Vec<Vec<u8>> = (0..50)
                    .map(|i| guardian_receipt(&signer, &format!("term-{w}"), b * 50 + i, AT))
                    .collect();
                match c.post("/admin/scrolls/Guardian/receipts", &array(&batch)) {
                    Ok(r) if r.status == 200 => {
                        let mut a = acked.lock().unwrap();
                        a.receipts.extend(batch);
                        a.batches += 1;
                    }
                    _ => return,
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().unwrap().batches < 30 {
        assert!(Instant::now() < deadline, "appends too slow");
        std::thread::sleep(Duration::from_millis(10));
    }
    sigterm(&mut node);
    for w in writers {
        w.join().unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let node = Node::start(&data);
    let mut c = node.admin();
    let size = c.get("/scrolls/Guardian").unwrap().json()["tree_size"]
        .as_u64()
        .unwrap();
    let mut stored = std::collections::HashSet::new();
    for i in 0..size {
        let r = c.get(&format!("/scrolls/Guardian/receipts/{i}")).unwrap();
        let v: serde_json::Value = r.json();
        stored.insert(serde_json::to_vec(&v["receipt"]).unwrap());
    }
    for receipt in &acked.receipts {
        let v: serde_json::Value = serde_json::from_slice(receipt).unwrap();
        assert!(
            stored.contains(&serde_json::to_vec(&v).unwrap()),
            "an acknowledged receipt is missing"
        );
    }
    assert!(size as usize >= acked.receipts.len());
    assert_eq!(size % 50, 0, "a batch is partly there");
    eprintln!(
        "SIGTERM after {} acknowledged batches: {} receipts stored, all acknowledged ones present",
        acked.batches, size
    );
}

#[test]
fn violation_summaries_follow_a_clock_the_test_moves() {
    use vaultmesh_node::config::{self, DataDir, InitOptions};
    use vaultmesh_node::violations::ManualClock;
    let dir = TempDir::new("hostile-clock");
    let data = dir.0.join("node");
    config::init(
        &data,
        &InitOptions {
            mesh_id: common::MESH,
            listen: "127.0.0.1:0",
            scrolls: vec!["Guardian".into()],
            checkpoint_interval_secs: 0,
            store: None,
        },
    )
    .unwrap();
    edit_config(&data, "max_per_window = 10", "max_per_window = 3");
    let loaded = DataDir::load(&data).unwrap();
    let clock = Arc::new(ManualClock::new(1_800_000_000));
    let node = vaultmesh_node::node::Node::open(&loaded)
        .unwrap()
        .with_clock(clock.clone());
    let size = || node.scroll("Governance").unwrap().size();
    let attempt =
        |peer: &str| node.record_violation("DELETE", "/scrolls/Guardian/receipts/0", peer, false);
    for i in 0..8 {
        let e = attempt("192.0.2.1");
        assert_eq!((e.status, e.name), (403, "APPEND_ONLY"));
        let detail = e.detail.unwrap();
        assert_eq!(detail["violation"].is_object(), i < 3, "{detail}");
        assert_eq!(detail["summarised"].is_object(), i >= 3, "{detail}");
    }
    // Another peer's window is its own.
    attempt("192.0.2.2");
    assert_eq!(size(), 4);
    // Within the window nothing more is written, however often the flush runs.
    clock.advance(59);
    assert_eq!(node.flush_violations(false).unwrap(), 0);
    assert_eq!(size(), 4);
    // The window ends: the flush records one summary with the 5 uncounted attempts.
    clock.advance(1);
    assert_eq!(node.flush_violations(false).unwrap(), 1);
    assert_eq!(size(), 5);
    let (body, _) = node
        .receipt(&node.scroll("Governance").unwrap(), 4)
        .unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(summary["evidence"]["count"], 5);
    assert_eq!(summary["details"]["action_attempted"], "delete_receipt");
    assert!(summary["evidence"]["log_entries"][0]
        .as_str()
        .unwrap()
        .contains("5 further modify/delete attempts from 192.0.2.1"));
    // The summary is an ordinary signed gov_violation: the core verifies it.
    let value = vaultmesh_core::json::parse_record(&body, &Default::default()).unwrap();
    vaultmesh_core::record::verify_value(&value, None, &node.keyring()).unwrap();
    // Next window: recorded again, and the summary of an ended window is written before the
    // next attempt's own receipt when no flush ran in between.
    for _ in 0..4 {
        attempt("192.0.2.1");
    }
    assert_eq!(size(), 8);
    clock.advance(600);
    let e = attempt("192.0.2.1");
    assert_eq!(e.detail.unwrap()["violation"]["index"], 9);
    assert_eq!(size(), 10);
    // Shutdown records what is pending even mid-window.
    for _ in 0..5 {
        attempt("192.0.2.1");
    }
    assert_eq!(size(), 12);
    node.close().unwrap();
    assert_eq!(size(), 13);
}

#[test]
fn slow_heads_idle_connections_and_the_connection_limit() {
    let dir = TempDir::new("hostile-conns");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    edit_config(&data, "header_timeout_secs = 10", "header_timeout_secs = 1");
    edit_config(&data, "max_connections = 1024", "max_connections = 4");
    let node = Node::start(&data);
    let a = addr(&node);
    let closed_within = |mut s: TcpStream, limit: Duration| {
        s.set_read_timeout(Some(limit)).unwrap();
        let started = Instant::now();
        let mut buf = [0u8; 1024];
        loop {
            match s.read(&mut buf) {
                Ok(0) => return Some(started.elapsed()),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    };
    // A head sent a byte at a time never completes: closed at the header timeout.
    let mut slow = TcpStream::connect(&a).unwrap();
    for b in b"GET /healthz HTTP/1.1\r\nX: " {
        slow.write_all(&[*b]).unwrap();
        std::thread::sleep(Duration::from_millis(30));
    }
    let took = closed_within(slow, Duration::from_secs(5));
    assert!(took.is_some(), "a slow head was never cut off");
    // Four silent connections take every slot: the fifth waits in the backlog…
    let silent: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(&a).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut waiting = TcpStream::connect(&a).unwrap();
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 512];
    assert!(
        waiting.read(&mut buf).is_err(),
        "a fifth connection was served"
    );
    // …until the header timeout frees the silent ones; then it is answered.
    waiting
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let n = waiting.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    drop(silent);
    assert_eq!(healthz(&a).0, 200);
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let dir = TempDir::new("hostile-idle");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    edit_config(&data, "idle_timeout_secs = 60", "idle_timeout_secs = 1");
    let node = Node::start(&data);
    let mut s = TcpStream::connect(addr(&node)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = Instant::now();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(got.starts_with(b"HTTP/1.1 200"));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(4),
        "closed after {took:?}"
    );
}

#[test]
fn cleartext_http2_with_prior_knowledge_is_served() {
    let dir = TempDir::new("hostile-h2c");
    let data = init(&dir.0, &["--scrolls", "Guardian"]);
    let node = Node::start(&data);
    let client = reqwest::blocking::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let r = client.get(format!("{}/healthz", node.url)).send().unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.status(), 200);
    let r = client
        .delete(format!("{}/scrolls/Guardian", node.url))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
}
