//! `vm-node bench` (the load tool) and `vm-node demo` (the README's main command), with the
//! receipt generators they and the tests share.
//!
//! The bench drives a running node over loopback: it signs receipts first (so the client's
//! signing does not compete with the node during the timed phase), appends them in batches
//! over several connections, checkpoints, then asks for inclusion proofs at random indexes and
//! reports appends per second, latency percentiles and the store's bytes per receipt.

pub mod witness;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits, Number, Object, Value};
use vaultmesh_core::merkle::InclusionProof;
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_core::{crypto, Digest};

use crate::cli::{BenchArgs, DemoArgs, Fail};
use crate::client::{Client, Reply};
use crate::config::{self, DataDir};
use crate::progress;
use crate::util;

/// A signer with a fresh random key.
#[derive(Clone)]
pub struct Signer {
    /// Actor or engine id.
    pub actor: String,
    secret: [u8; 32],
    /// Public key.
    pub key: PublicKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("actor", &self.actor)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer named `actor` with a random key.
    pub fn new(actor: &str) -> Signer {
        let secret = util::random().unwrap_or_else(|_| *Digest::of(actor.as_bytes()).as_bytes());
        Signer {
            actor: actor.to_string(),
            secret,
            key: crypto::derive_public_key(&secret),
        }
    }

    /// Signs `object` as `kind` and returns its canonical bytes.
    pub fn sign(&self, mut object: Object<'static>, kind: Kind) -> Vec<u8> {
        record::sign_record(&mut object, kind, &self.secret);
        Value::Object(object).to_canonical()
    }
}

fn s(text: impl Into<String>) -> Value<'static> {
    Value::String(text.into().into())
}

fn n(value: u64) -> Value<'static> {
    Value::Number(Number {
        value: value as f64,
        plain_integer: true,
    })
}

fn obj(members: Vec<(&'static str, Value<'static>)>) -> Object<'static> {
    let mut o = Object::default();
    for (k, v) in members {
        o.insert(k, v);
    }
    o
}

fn random_digest() -> String {
    format!(
        "blake3:{}",
        util::hex(&util::random::<32>().unwrap_or([0; 32]))
    )
}

const RULES: &[&str] = &["ARTICLE-III.2", "ARTICLE-IV.1", "STATUTE-002", "AXIOM-004"];
const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];

/// A `gov_violation` from the Guardian engine, signed by `signer`, as the protocol document
/// writes it (`details`, `evidence`).
pub fn guardian_receipt(signer: &Signer, run: &str, i: u64, at: &str) -> Vec<u8> {
    let o = obj(vec![
        ("type", s("gov_violation")),
        ("violation_id", s(format!("guardian-{run}-{i}"))),
        ("detected_at", s(at)),
        ("detected_by", s(signer.actor.clone())),
        ("violation_type", s("capability_overreach")),
        ("severity", s(SEVERITIES[(i / 3 % 4) as usize])),
        (
            "details",
            Value::Object(obj(vec![
                ("actor", s(format!("did:vm:agent:worker-{}", i % 17))),
                ("action_attempted", s("write_outside_scope")),
                ("rule_violated", s(RULES[(i % 4) as usize])),
                ("action_result", s("blocked")),
            ])),
        ),
        (
            "evidence",
            Value::Object(obj(vec![
                (
                    "log_entries",
                    Value::Array(vec![s("capability used outside its granted scope")]),
                ),
                ("request_hash", s(random_digest())),
            ])),
        ),
    ]);
    signer.sign(o, Kind::GovViolation)
}

/// A compliance engine's check result (a kind the core does not define: stored as canonical
/// JSON, its engine signature not checked by the core).
pub fn compliance_receipt(i: u64, at: &str) -> Vec<u8> {
    const CONTROLS: &[&str] = &[
        "ISO27001-A.8.15",
        "ISO27001-A.5.23",
        "SOC2-CC6.1",
        "NIS2-21.2d",
        "GDPR-32",
    ];
    let o = obj(vec![
        ("type", s("compliance_check")),
        ("engine", s("engine:compliance")),
        ("control", s(CONTROLS[(i % 5) as usize])),
        ("result", s(if i % 11 == 7 { "fail" } else { "pass" })),
        ("checked_at", s(at)),
        ("evidence_hash", s(random_digest())),
    ]);
    Value::Object(o).to_canonical()
}

/// A drill engine's run record.
pub fn drill_receipt(i: u64, at: &str) -> Vec<u8> {
    const SCENARIOS: &[&str] = &[
        "restore-from-backup",
        "key-rotation",
        "region-failover",
        "incident-tabletop",
    ];
    let o = obj(vec![
        ("type", s("drill_run")),
        ("engine", s("engine:drills")),
        ("scenario", s(SCENARIOS[(i % 4) as usize])),
        ("outcome", s(if i % 5 == 3 { "degraded" } else { "passed" })),
        ("started_at", s(at)),
        ("duration_seconds", n(300 + i * 37 % 900)),
    ]);
    Value::Object(o).to_canonical()
}

/// A JSON array of canonical receipts.
pub fn array(receipts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(receipts.iter().map(|r| r.len() + 1).sum::<usize>() + 2);
    out.push(b'[');
    for (i, r) in receipts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(r);
    }
    out.push(b']');
    out
}

fn expect(
    reply: std::io::Result<Reply>,
    what: &str,
    ok: &[u16],
) -> Result<serde_json::Value, Fail> {
    let reply = reply.map_err(|e| Fail::usage(format!("{what}: {e}")))?;
    if ok.contains(&reply.status) {
        Ok(reply.json())
    } else {
        Err(Fail::usage(format!(
            "{what}: HTTP {} {}",
            reply.status,
            reply.text()
        )))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p / 100.0).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

/// A small xorshift generator for proof indexes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// `vm-node bench`.
pub fn run(args: &BenchArgs, json: bool) -> Result<(), Fail> {
    let receipts = args.receipts;
    let batch = usize::try_from(args.batch.max(1)).unwrap_or(usize::MAX);
    let connections = usize::try_from(args.connections.clamp(1, 1024)).unwrap_or(1);
    let proofs = args.proofs;
    let signers = args.signers.max(1);
    let scroll = args.scroll.clone();
    let dir = args.node.data.dir();
    let token = config::admin_token(&dir)?;
    let url = match &args.node.url {
        Some(u) => u.clone(),
        None => DataDir::load(&dir)?.config.listen,
    };
    let client = || Client::new(&url).with_token(token.clone());
    let mut c = client();
    expect(
        c.post(
            "/admin/scrolls",
            format!("{{\"name\":\"{scroll}\"}}").as_bytes(),
        ),
        "create scroll",
        &[200, 201],
    )?;
    let log = |line: String| {
        if !json {
            eprintln!("{line}");
        }
    };

    let mut report = serde_json::json!({ "scroll": scroll, "url": url });
    if receipts > 0 {
        let run_id = util::hex(&util::random::<4>()?);
        let signer_list: Vec<Signer> = (0..signers)
            .map(|i| Signer::new(&format!("engine:bench-guardian-{run_id}-{i}")))
            .collect();
        for sg in &signer_list {
            let body =
                serde_json::json!({ "actor": sg.actor, "key": sg.key.to_string() }).to_string();
            expect(
                c.post("/admin/keys", body.as_bytes()),
                "register signer",
                &[200, 201],
            )?;
        }
        log(format!(
            "signing {receipts} receipts ({signers} Guardian engine keys)…"
        ));
        let started = Instant::now();
        let batches = receipts.div_ceil(batch as u64) as usize;
        let bodies: Vec<Mutex<Vec<u8>>> = (0..batches).map(|_| Mutex::new(Vec::new())).collect();
        let next = AtomicUsize::new(0);
        let at = util::now_text();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let bar = progress::bar(batches as u64, "batches signed", json);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    if b >= batches {
                        break;
                    }
                    let from = b as u64 * batch as u64;
                    let to = (from + batch as u64).min(receipts);
                    let items: Vec<Vec<u8>> = (from..to)
                        .map(|i| {
                            guardian_receipt(&signer_list[(i % signers) as usize], &run_id, i, &at)
                        })
                        .collect();
                    if let Ok(mut slot) = bodies[b].lock() {
                        *slot = array(&items);
                    }
                    bar.inc(1);
                });
            }
        });
        bar.finish_and_clear();
        let bodies: Vec<Vec<u8>> = bodies
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_default())
            .collect();
        let bytes: usize = bodies.iter().map(Vec::len).sum();
        log(format!("signed in {:.1} s ({} bytes of JSON); appending in batches of {batch} over {connections} connection(s)…", started.elapsed().as_secs_f64(), bytes));

        let next = AtomicUsize::new(0);
        let latencies = Mutex::new(Vec::with_capacity(batches));
        let failure: Mutex<Option<String>> = Mutex::new(None);
        // Connections are opened (and used once) before the clock starts, as a node's clients
        // keep theirs open.
        let barrier = std::sync::Barrier::new(connections + 1);
        let bar = progress::bar(bodies.len() as u64, "batches appended", json);
        let started = std::thread::scope(|scope| {
            for _ in 0..connections {
                scope.spawn(|| {
                    let mut c = client();
                    let _ = c.get("/healthz");
                    barrier.wait();
                    let path = format!("/admin/scrolls/{scroll}/receipts");
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        if b >= bodies.len() {
                            break;
                        }
                        let t = Instant::now();
                        match c.post(&path, &bodies[b]) {
                            Ok(r) if r.status == 200 => {
                                if let Ok(mut l) = latencies.lock() {
                                    l.push(t.elapsed());
                                }
                                bar.inc(1);
                            }
                            Ok(r) => {
                                if let Ok(mut f) = failure.lock() {
                                    *f = Some(format!("append: HTTP {} {}", r.status, r.text()));
                                }
                                break;
                            }
                            Err(e) => {
                                if let Ok(mut f) = failure.lock() {
                                    *f = Some(format!("append: {e}"));
                                }
                                break;
                            }
                        }
                    }
                });
            }
            barrier.wait();
            Instant::now()
        });
        let elapsed = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        if let Some(f) = failure.into_inner().ok().flatten() {
            return Err(Fail::usage(f));
        }
        let mut lat = latencies.into_inner().unwrap_or_default();
        lat.sort();
        let rate = receipts as f64 / elapsed;
        log(format!(
            "appended {receipts} receipts in {elapsed:.2} s: {rate:.0} receipts/s acknowledged (signatures verified, committed); batch latency p50 {:.1} ms p99 {:.1} ms",
            percentile(&lat, 50.0),
            percentile(&lat, 99.0)
        ));
        report["append"] = serde_json::json!({
            "receipts": receipts, "batch": batch, "connections": connections, "seconds": elapsed,
            "receipts_per_second": rate, "batch_ms_p50": percentile(&lat, 50.0), "batch_ms_p99": percentile(&lat, 99.0),
            "signers": signers,
        });
    }

    let cp = expect(
        c.post(&format!("/admin/scrolls/{scroll}/checkpoints"), b""),
        "checkpoint",
        &[200, 201],
    )?;
    let size = cp["checkpoint"]["tree_size"].as_u64().unwrap_or(0);
    report["tree_size"] = size.into();
    if proofs > 0 && size > 0 {
        let discovery = c
            .get("/federation/discovery")
            .map_err(|e| Fail::usage(e.to_string()))?;
        let keyring = keyring_of_discovery(&discovery.body)?;
        let mut rng = Rng(u64::from_le_bytes(util::random::<8>()?) | 1);
        let mut lat = Vec::with_capacity(proofs as usize);
        let mut checked = 0;
        let mut c = client();
        // Warm the connection and the page cache a little, as a serving node would be.
        for _ in 0..100.min(proofs) {
            let _ = c.get(&format!(
                "/scrolls/{scroll}/proof/inclusion?index={}",
                rng.next() % size
            ));
        }
        let bar = progress::bar(proofs, "proofs", json);
        let started = Instant::now();
        for k in 0..proofs {
            let index = rng.next() % size;
            let t = Instant::now();
            let reply = c
                .get(&format!("/scrolls/{scroll}/proof/inclusion?index={index}"))
                .map_err(|e| Fail::usage(format!("proof: {e}")))?;
            lat.push(t.elapsed());
            bar.inc(1);
            if reply.status != 200 {
                return Err(Fail::usage(format!(
                    "proof: HTTP {} {}",
                    reply.status,
                    reply.text()
                )));
            }
            if k % 100 == 0 {
                check_proof(&mut c, &scroll, index, &reply.body, &keyring)?;
                checked += 1;
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        bar.finish_and_clear();
        lat.sort();
        log(format!(
            "{proofs} inclusion proofs at tree_size {size}: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({:.0}/s on one connection; {checked} verified with the core)",
            percentile(&lat, 50.0),
            percentile(&lat, 90.0),
            percentile(&lat, 99.0),
            percentile(&lat, 100.0),
            proofs as f64 / elapsed
        ));
        report["proofs"] = serde_json::json!({
            "count": proofs, "tree_size": size, "ms_p50": percentile(&lat, 50.0), "ms_p90": percentile(&lat, 90.0),
            "ms_p99": percentile(&lat, 99.0), "ms_max": percentile(&lat, 100.0), "verified_with_core": checked,
        });
    }
    let metrics = c
        .get("/metrics")
        .map_err(|e| Fail::usage(e.to_string()))?
        .text();
    let gauge = |name: &str| -> u64 {
        metrics
            .lines()
            .filter(|l| l.starts_with(name) && !l.starts_with('#'))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    };
    let (bytes, total) = (
        gauge("vaultmesh_store_bytes"),
        gauge("vaultmesh_scroll_size "),
    );
    let total = if total == 0 {
        gauge("vaultmesh_scroll_size{")
    } else {
        total
    };
    if total > 0 {
        log(format!(
            "store: {bytes} bytes for {total} receipts in all scrolls = {:.0} bytes per receipt (database + WAL)",
            bytes as f64 / total as f64
        ));
        report["store"] = serde_json::json!({ "bytes": bytes, "receipts": total, "bytes_per_receipt": bytes as f64 / total as f64 });
    }
    if json {
        println!("{report}");
    }
    Ok(())
}

fn keyring_of_discovery(body: &[u8]) -> Result<Keyring, Fail> {
    let value = json::parse_record(body, &Limits::default())
        .map_err(|e| Fail::usage(format!("discovery: {e}")))?;
    record::verify_value(&value, Some(Kind::Discovery), &Keyring::new())
        .map_err(|f| Fail::invalid(format!("discovery: {f}")))?;
    let o = value.as_object().ok_or_else(|| Fail::usage("discovery"))?;
    let mesh = o.get("mesh_id").and_then(Value::as_str).unwrap_or_default();
    let key = o
        .get("public_key")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut ring = Keyring::new();
    ring.insert(
        mesh,
        PublicKey::parse(key).map_err(|e| Fail::usage(format!("discovery: {e}")))?,
    );
    Ok(ring)
}

/// Fetches receipt `index` and checks the proof response against it with the core: the
/// checkpoint's signature, then the receipt's inclusion under it.
fn check_proof(
    c: &mut Client,
    scroll: &str,
    index: u64,
    proof_body: &[u8],
    keyring: &Keyring,
) -> Result<(), Fail> {
    let limits = Limits {
        max_bytes: 1 << 24,
        max_depth: 80,
    };
    let response = json::parse_record(proof_body, &limits)
        .map_err(|e| Fail::usage(format!("proof response: {e}")))?;
    let o = response
        .as_object()
        .ok_or_else(|| Fail::usage("proof response"))?;
    let proof = InclusionProof::from_value(o.get("proof").unwrap_or(&Value::Null))
        .map_err(|e| Fail::invalid(format!("proof: {e}")))?;
    let checkpoint =
        federation::verify_checkpoint(o.get("checkpoint").unwrap_or(&Value::Null), keyring)
            .map_err(|f| Fail::invalid(format!("checkpoint: {f}")))?;
    let receipt = c
        .get(&format!("/scrolls/{scroll}/receipts/{index}"))
        .map_err(|e| Fail::usage(e.to_string()))?;
    let receipt = json::parse_record(&receipt.body, &limits)
        .map_err(|e| Fail::usage(format!("receipt: {e}")))?;
    let record = receipt
        .as_object()
        .and_then(|o| o.get("receipt"))
        .ok_or_else(|| Fail::usage("receipt"))?;
    federation::verify_inclusion(record, &proof, &checkpoint)
        .map_err(|f| Fail::invalid(format!("inclusion of {index}: {f}")))
}

/// `receipt` with member `field` set to `value` after signing (the signature no longer holds).
pub fn forge(receipt: &[u8], field: &str, value: &str) -> Result<Vec<u8>, Fail> {
    let mut parsed =
        json::parse_record(receipt, &Limits::default()).map_err(|e| Fail::usage(e.to_string()))?;
    if let Value::Object(o) = &mut parsed {
        o.insert(field.to_string(), s(value));
    }
    Ok(parsed.to_canonical())
}

/// The lines `vm-node demo` prints before its summary: the length of its progress bar.
const DEMO_STEPS: u64 = 27 + crate::governance::demo::STEPS;

/// `vm-node demo`: a demo mesh in a temporary directory, end to end.
pub fn demo(args: &DemoArgs, json: bool) -> Result<(), Fail> {
    let base = util::dir_or_temp(args.dir.as_deref(), "vaultmesh-demo")?;
    let data = base.join("node");
    // Under --json the steps are not printed; one summary object is, at the end. On a
    // terminal a bar counts the steps below the lines (printed with the bar suspended).
    let bar = progress::bar(DEMO_STEPS, "steps", json);
    let say = |line: String| {
        if !json {
            bar.suspend(|| println!("{line}"));
        }
        bar.inc(1);
    };
    say(format!("== VaultMesh demo mesh in {}", base.display()));
    let public_key = config::init(
        &data,
        &config::InitOptions {
            mesh_id: "did:vm:mesh:demo",
            listen: "127.0.0.1:0",
            scrolls: config::DEFAULT_SCROLLS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            checkpoint_interval_secs: 0,
            store: None,
        },
    )?;
    say(format!("init    mesh did:vm:mesh:demo, federation key {public_key} (secret: node/federation.key, mode 0600)"));
    let (node, running) = crate::cli::start(&data, None)?;
    let url = format!("http://{}", running.addr);
    say(format!(
        "serve   {url}  (SQLite store node/store.db, WAL, synchronous=FULL)"
    ));
    let token = config::admin_token(&data)?;
    let mut c = Client::new(&url).with_token(token);

    let guardian = Signer::new("engine:guardian");
    let alice = Signer::new("did:vm:human:alice");
    let bob = Signer::new("did:vm:human:bob");
    for sg in [&guardian, &alice, &bob] {
        let body = serde_json::json!({ "actor": sg.actor, "key": sg.key.to_string() }).to_string();
        expect(
            c.post("/admin/keys", body.as_bytes()),
            "add key",
            &[200, 201],
        )?;
    }
    say("keys    engine:guardian, did:vm:human:alice, did:vm:human:bob registered (POST /admin/keys)".into());

    let at = util::now_text();
    let append = |c: &mut Client,
                  scroll: &str,
                  receipts: Vec<Vec<u8>>|
     -> Result<serde_json::Value, Fail> {
        let r = expect(
            c.post(
                &format!("/admin/scrolls/{scroll}/receipts"),
                &array(&receipts),
            ),
            "append",
            &[200],
        )?;
        say(format!(
            "append  {:>3} receipts → {scroll:<10} indexes {}..{}  ({} signature(s) verified by the core, {} engine receipt(s) without a core kind)",
            r["count"],
            r["first_index"],
            r["tree_size"],
            r["verified"],
            r["opaque"]
        ));
        Ok(r)
    };
    append(
        &mut c,
        "Compliance",
        (0..40).map(|i| compliance_receipt(i, &at)).collect(),
    )?;
    append(
        &mut c,
        "Drills",
        (0..12).map(|i| drill_receipt(i, &at)).collect(),
    )?;
    append(
        &mut c,
        "Guardian",
        (0..25)
            .map(|i| guardian_receipt(&guardian, "demo", i, &at))
            .collect(),
    )?;
    let proposal = alice.sign(
        obj(vec![
            ("type", s("gov_proposal")),
            ("proposal_id", s("PROP-2026-001")),
            ("proposal_type", s("amendment")),
            ("title", s("Run drills monthly")),
            ("author", s(alice.actor.clone())),
            ("submitted_at", s(at.clone())),
            ("deliberation_ends", s(at.clone())),
            (
                "content",
                Value::Object(obj(vec![
                    ("target", s("STATUTE-002")),
                    ("action", s("modify")),
                    (
                        "text",
                        s("Each engine runs a recovery drill at least once a month."),
                    ),
                ])),
            ),
            (
                "rationale",
                s("Quarterly drills left two incidents unrehearsed"),
            ),
            ("status", s("deliberation")),
        ]),
        Kind::GovProposal,
    );
    let vote = |signer: &Signer, choice: &str| {
        let name = signer.actor.rsplit(':').next().unwrap_or_default();
        signer.sign(
            obj(vec![
                ("type", s("gov_vote")),
                ("vote_id", s(format!("VOTE-2026-001-{name}"))),
                ("proposal_id", s("PROP-2026-001")),
                ("voter", s(signer.actor.clone())),
                ("voted_at", s(at.clone())),
                ("vote", s(choice)),
                ("weight", n(1)),
            ]),
            Kind::GovVote,
        )
    };
    append(
        &mut c,
        "Governance",
        vec![proposal, vote(&alice, "approve"), vote(&bob, "approve")],
    )?;

    for scroll in ["Compliance", "Drills", "Guardian", "Governance"] {
        let r = expect(
            c.post(&format!("/admin/scrolls/{scroll}/checkpoints"), b""),
            "checkpoint",
            &[200, 201],
        )?;
        say(format!(
            "sign    checkpoint {} of {scroll:<10} tree_size {:>3} root {}",
            r["seq"],
            r["checkpoint"]["tree_size"],
            r["checkpoint"]["root"].as_str().unwrap_or("")
        ));
    }
    append(
        &mut c,
        "Guardian",
        (25..40)
            .map(|i| guardian_receipt(&guardian, "demo", i, &at))
            .collect(),
    )?;
    let r = expect(
        c.post("/admin/scrolls/Guardian/checkpoints", b""),
        "checkpoint",
        &[200, 201],
    )?;
    say(format!(
        "sign    checkpoint {} of Guardian   tree_size {:>3} root {}",
        r["seq"],
        r["checkpoint"]["tree_size"],
        r["checkpoint"]["root"].as_str().unwrap_or("")
    ));

    // Bad input changes nothing.
    let signed = guardian_receipt(&guardian, "demo", 99, &at);
    let forged = forge(&signed, "violation_type", "nothing_happened")?;
    let reply = c
        .post("/admin/scrolls/Guardian/receipts", &forged)
        .map_err(|e| Fail::usage(e.to_string()))?;
    let e = reply.json();
    say(format!(
        "refuse  a forged Guardian receipt: HTTP {} {} ({}) {}",
        reply.status,
        e["error"]["name"].as_str().unwrap_or(""),
        e["error"]["code"],
        e["error"]["message"].as_str().unwrap_or("")
    ));
    let reply = c
        .request("DELETE", "/scrolls/Guardian/receipts/3", None, b"")
        .map_err(|e| Fail::usage(e.to_string()))?;
    let e = reply.json();
    say(format!(
        "refuse  DELETE /scrolls/Guardian/receipts/3: HTTP {} {}; recorded as gov_violation {} (AXIOM-001, signed by the mesh) at Governance #{}",
        reply.status,
        e["error"]["name"].as_str().unwrap_or(""),
        e["error"]["detail"]["violation"]["receipt"]["violation_id"].as_str().unwrap_or("?"),
        e["error"]["detail"]["violation"]["index"]
    ));
    expect(
        c.post("/admin/scrolls/Governance/checkpoints", b""),
        "checkpoint",
        &[200, 201],
    )?;

    // A receipt with its proof, as a peer would fetch it, checked with the core.
    let reply = c
        .get("/federation/receipts/Guardian?from=7&count=1")
        .map_err(|e| Fail::usage(e.to_string()))?;
    let discovery = c
        .get("/federation/discovery")
        .map_err(|e| Fail::usage(e.to_string()))?;
    let keyring = keyring_of_discovery(&discovery.body)?;
    let limits = Limits {
        max_bytes: 1 << 24,
        max_depth: 80,
    };
    let fetched =
        json::parse_record(&reply.body, &limits).map_err(|e| Fail::usage(e.to_string()))?;
    let fo = fetched
        .as_object()
        .ok_or_else(|| Fail::usage("receipts response"))?;
    let cp_value = fo
        .get("checkpoint")
        .ok_or_else(|| Fail::usage("checkpoint"))?;
    let checkpoint = federation::verify_checkpoint(cp_value, &keyring)
        .map_err(|f| Fail::invalid(f.to_string()))?;
    let item = fo
        .get("receipts")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_object)
        .ok_or_else(|| Fail::usage("receipts"))?;
    let receipt = item.get("receipt").ok_or_else(|| Fail::usage("receipt"))?;
    let proof = InclusionProof::from_value(item.get("proof").unwrap_or(&Value::Null))
        .map_err(|e| Fail::invalid(e.to_string()))?;
    federation::verify_inclusion(receipt, &proof, &checkpoint)
        .map_err(|f| Fail::invalid(f.to_string()))?;
    say(format!(
        "prove   Guardian receipt 7 is in checkpoint tree_size {} (GET /federation/receipts/Guardian): inclusion proof of {} hashes verified with the core",
        checkpoint.tree_size,
        proof.path.len()
    ));
    let files = base.join("files");
    std::fs::create_dir_all(&files)?;
    std::fs::write(files.join("receipt.json"), receipt.to_canonical())?;
    std::fs::write(files.join("proof.json"), proof.to_value().to_canonical())?;
    std::fs::write(files.join("checkpoint.json"), cp_value.to_canonical())?;
    std::fs::write(files.join("root.txt"), checkpoint.root.to_string())?;
    std::fs::write(
        files.join("tree_size.txt"),
        checkpoint.tree_size.to_string(),
    )?;
    std::fs::write(
        files.join("keyring.json"),
        serde_json::json!({ "did:vm:mesh:demo": node.public_key.to_string(), "engine:guardian": guardian.key.to_string() }).to_string(),
    )?;

    // Federation: two more meshes; one proposal countered then accepted, one rejected.
    let fed = crate::federation::demo::run(&base, &url, &mut c, &files, &mut |l| say(l))?;

    let bundle_path = base.join("guardian-bundle.json");
    let bundle = crate::bundle::export(
        node.store(),
        &node.mesh_id,
        &node.discovery(),
        &node.keyring(),
        "Guardian",
        None,
        None,
    )
    .map_err(|e| Fail::usage(e.to_string()))?;
    std::fs::write(&bundle_path, &bundle)?;
    let report = crate::bundle::check(&bundle, Some((&node.mesh_id, &node.public_key)))
        .map_err(Fail::invalid)?;
    say(format!(
        "export  audit bundle of Guardian ({} v{}): {} receipts with inclusion proofs, {} checkpoints, {} consistency proof(s), {} bytes",
        vaultmesh_core::bundle::BUNDLE_TYPE,
        vaultmesh_core::bundle::BUNDLE_VERSION,
        report.receipts,
        report.checkpoints,
        report.consistency_proofs,
        bundle.len()
    ));
    say(format!(
        "verify  bundle with the core's verify_bundle (mesh key pinned): {} of {} items valid → {}",
        report.valid,
        report.items,
        report.overall.to_uppercase()
    ));
    let in_bundle =
        crate::federation::demo::agreements_in_bundle(&bundle, &node.mesh_id, &node.public_key)?;
    say(format!(
        "verify  {in_bundle} agreement(s) in the bundle ({}) verified by verify_bundle, both signatures",
        fed.agreement_id
    ));
    let audit =
        crate::audit::verify_store(node.store(), &node.mesh_id, &node.keyring(), &mut |_, _| {})?;
    let total: u64 = audit.scrolls.iter().map(|s| s.size).sum();
    if !audit.problems.is_empty() {
        return Err(Fail::invalid(format!(
            "verify-store: {}",
            audit.problems.join("; ")
        )));
    }
    say(format!("audit   verify-store: {total} receipts in {} scrolls, every leaf, subtree, root, checkpoint and signature re-derived → VALID", audit.scrolls.len()));
    running.stop();
    // Governance that governs, on a second, governed mesh with a clock the demo moves.
    let governed = crate::governance::demo::run(&base, &say).map_err(Fail::invalid)?;
    bar.finish_and_clear();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "dir": base, "bundle": bundle_path, "mesh_id": node.mesh_id,
                "mesh_key": node.public_key.to_string(), "data": data, "files": files,
                "bundle_verdict": report.overall, "receipts": total, "governance": governed,
            })
        );
        return Ok(());
    }
    say(String::new());
    say(format!("Audit bundle:   {}", bundle_path.display()));
    say(format!(
        "Check it again: vm-node verify-bundle {} --mesh-key {}",
        bundle_path.display(),
        node.public_key
    ));
    say(format!(
        "Node data:      {} (vm-node serve --data {} to run it again)",
        data.display(),
        data.display()
    ));
    say(format!(
        "Proof files:    {} (for vm-verify)",
        files.display()
    ));
    Ok(())
}
