//! The HTTP API against a real `vm-node serve` on 127.0.0.1 (ephemeral port): appends,
//! checkpoints, proofs checked with the core, federation routes, and bad input that changes
//! nothing but the violation record.

mod common;

use common::{edit_config, init, vm_node, Node, TempDir, MESH};
use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::merkle::{ConsistencyProof, InclusionProof};
use vaultmesh_core::record::{self, Keyring, Kind};
use vaultmesh_node::bench::{array, compliance_receipt, forge, guardian_receipt, Signer};
use vaultmesh_node::client::{Client, Reply};
use vaultmesh_node::store::{PgStore, SqliteStore};

const AT: &str = "2026-05-01T12:00:00Z";

fn strict(body: &[u8]) -> Value<'_> {
    json::parse_record(
        body,
        &Limits {
            max_bytes: 1 << 26,
            max_depth: 80,
        },
    )
    .unwrap()
}

fn member<'v, 'a>(v: &'v Value<'a>, name: &str) -> &'v Value<'a> {
    v.as_object()
        .unwrap()
        .get(name)
        .unwrap_or_else(|| panic!("no member {name}"))
}

fn ok(reply: std::io::Result<Reply>) -> serde_json::Value {
    let reply = reply.unwrap();
    assert!(
        matches!(reply.status, 200 | 201),
        "HTTP {}: {}",
        reply.status,
        reply.text()
    );
    reply.json()
}

/// Asserts an error answer: status, core or node code and name.
fn refused(reply: std::io::Result<Reply>, status: u16, name: &str, code: u64) -> serde_json::Value {
    let reply = reply.unwrap();
    let body = reply.json();
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(body["error"]["name"], name, "{}", reply.text());
    assert_eq!(body["error"]["code"], code, "{}", reply.text());
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    body
}

fn mesh_keyring(c: &mut Client) -> Keyring {
    let d = c.get("/federation/discovery").unwrap();
    assert_eq!(d.status, 200);
    let v = strict(&d.body);
    record::verify_value(&v, Some(Kind::Discovery), &Keyring::new()).unwrap();
    assert_eq!(member(&v, "mesh_id").as_str(), Some(MESH));
    let mut ring = Keyring::new();
    ring.insert(
        MESH,
        PublicKey::parse(member(&v, "public_key").as_str().unwrap()).unwrap(),
    );
    ring
}

fn register(c: &mut Client, s: &Signer) {
    let body = serde_json::json!({ "actor": s.actor, "key": s.key.to_string() }).to_string();
    ok(c.post("/admin/keys", body.as_bytes()));
}

fn sizes(c: &mut Client) -> Vec<(String, u64)> {
    let r = ok(c.get("/scrolls"));
    r["scrolls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["tree_size"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn appends_checkpoints_and_proofs_verify_with_the_core() {
    let dir = TempDir::new("api");
    let data = init(&dir.0, &[]);
    let node = Node::start(&data);
    let mut c = node.admin();
    let keyring = mesh_keyring(&mut c);
    assert_eq!(ok(c.get("/healthz"))["status"], "ok");

    let guardian = Signer::new("engine:guardian");
    register(&mut c, &guardian);
    let receipts: Vec<Vec<u8>> = (0..37)
        .map(|i| guardian_receipt(&guardian, "api", i, AT))
        .collect();
    // One receipt, then a JSON array, then JSON Lines.
    let r = ok(c.post("/admin/scrolls/Guardian/receipts", &receipts[0]));
    assert_eq!(
        (
            r["first_index"].as_u64(),
            r["count"].as_u64(),
            r["verified"].as_u64()
        ),
        (Some(0), Some(1), Some(1))
    );
    let r = ok(c.post("/admin/scrolls/Guardian/receipts", &array(&receipts[1..20])));
    assert_eq!(
        (r["first_index"].as_u64(), r["tree_size"].as_u64()),
        (Some(1), Some(20))
    );
    let lines: Vec<u8> = receipts[20..30]
        .iter()
        .flat_map(|r| r.iter().copied().chain([b'\n']))
        .collect();
    let r = ok(c.request(
        "POST",
        "/admin/scrolls/Guardian/receipts",
        Some("application/x-ndjson"),
        &lines,
    ));
    assert_eq!(
        (r["first_index"].as_u64(), r["tree_size"].as_u64()),
        (Some(20), Some(30))
    );

    // Checkpoint 1 at 30; a second call without growth returns it unchanged.
    let cp1 = c.post("/admin/scrolls/Guardian/checkpoints", b"").unwrap();
    assert_eq!(cp1.status, 201);
    let again = c.post("/admin/scrolls/Guardian/checkpoints", b"").unwrap();
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["seq"], 1);
    ok(c.post(
        "/admin/scrolls/Guardian/receipts?expect_size=30",
        &array(&receipts[30..]),
    ));
    assert_eq!(
        c.post("/admin/scrolls/Guardian/checkpoints", b"")
            .unwrap()
            .status,
        201
    );

    // Receipts come back byte for byte as canonicalised.
    for (i, sent) in receipts.iter().enumerate() {
        let r = c.get(&format!("/scrolls/Guardian/receipts/{i}")).unwrap();
        assert_eq!(r.status, 200);
        let v = strict(&r.body);
        assert_eq!(member(&v, "receipt").to_canonical(), *sent);
    }

    // Every inclusion proof, against both checkpoints, verifies with the core.
    for (seq, size) in [(1u64, 30u64), (2, 37)] {
        for i in 0..size {
            let r = c
                .get(&format!(
                    "/scrolls/Guardian/proof/inclusion?index={i}&checkpoint={seq}"
                ))
                .unwrap();
            assert_eq!(r.status, 200, "{}", r.text());
            let v = strict(&r.body);
            let cp = federation::verify_checkpoint(member(&v, "checkpoint"), &keyring).unwrap();
            assert_eq!(
                (cp.tree_size, cp.scroll.as_str(), cp.mesh_id.as_str()),
                (size, "Guardian", MESH)
            );
            let proof = InclusionProof::from_value(member(&v, "proof")).unwrap();
            let receipt = json::parse_record(&receipts[i as usize], &Limits::default()).unwrap();
            federation::verify_inclusion(&receipt, &proof, &cp).unwrap();
            if i == 5 {
                let other = json::parse_record(&receipts[6], &Limits::default()).unwrap();
                assert!(federation::verify_inclusion(&other, &proof, &cp).is_err());
            }
        }
    }
    // Out of range.
    refused(
        c.get("/scrolls/Guardian/proof/inclusion?index=37"),
        404,
        "INDEX_OUT_OF_RANGE",
        503,
    );

    // Consistency 1 → 2.
    let r = c
        .get("/scrolls/Guardian/proof/consistency?from=1&to=2")
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let v = strict(&r.body);
    let old = federation::verify_checkpoint(member(&v, "old_checkpoint"), &keyring).unwrap();
    let new = federation::verify_checkpoint(member(&v, "new_checkpoint"), &keyring).unwrap();
    let proof = ConsistencyProof::from_value(member(&v, "proof")).unwrap();
    federation::verify_consistency(&old, &new, &proof).unwrap();

    // Checkpoint list, roots, federation receipts (range and sample) with proofs.
    let list = strict(&c.get("/scrolls/Guardian/checkpoints").unwrap().body).to_canonical();
    assert!(String::from_utf8(list).unwrap().contains("\"seqs\":[1,2]"));
    let roots = node.public().get("/federation/roots").unwrap();
    let rv = strict(&roots.body);
    let roots = member(&rv, "roots").as_array().unwrap();
    assert!(roots
        .iter()
        .any(|r| federation::verify_checkpoint(r, &keyring)
            .is_ok_and(|c| c.scroll == "Guardian" && c.tree_size == 37)));
    // Receipt samples need a signed peer of trust level 1 (or the admin); unsigned: 401.
    refused(
        node.public()
            .get("/federation/receipts/Guardian?from=3&count=5"),
        401,
        "SIGNATURE_REQUIRED",
        1019,
    );
    for query in ["from=3&count=5", "sample=8", "sample=4&checkpoint=1"] {
        let r = node
            .admin()
            .get(&format!("/federation/receipts/Guardian?{query}"))
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        let v = strict(&r.body);
        let cp = federation::verify_checkpoint(member(&v, "checkpoint"), &keyring).unwrap();
        let items = member(&v, "receipts").as_array().unwrap();
        assert!(!items.is_empty());
        for item in items {
            let proof = InclusionProof::from_value(member(item, "proof")).unwrap();
            federation::verify_inclusion(member(item, "receipt"), &proof, &cp).unwrap();
        }
    }

    // POST /federation/verify: a valid item, and the same receipt tampered.
    let r = node
        .admin()
        .get("/federation/receipts/Guardian?from=4&count=1")
        .unwrap();
    let v = strict(&r.body);
    let item = &member(&v, "receipts").as_array().unwrap()[0];
    let receipt = String::from_utf8(member(item, "receipt").to_canonical()).unwrap();
    let proof = String::from_utf8(member(item, "proof").to_canonical()).unwrap();
    let checkpoint = String::from_utf8(member(&v, "checkpoint").to_canonical()).unwrap();
    let tampered = receipt.replace("guardian-api-4", "guardian-api-X");
    let body = format!(
        "{{\"items\":[{{\"receipt\":{receipt},\"proof\":{proof},\"checkpoint\":{checkpoint}}},{{\"receipt\":{receipt},\"proof\":{proof},\"scroll\":\"Guardian\"}},{{\"receipt\":{tampered},\"proof\":{proof},\"checkpoint\":{checkpoint}}}]}}"
    );
    refused(
        node.public().post("/federation/verify", body.as_bytes()),
        401,
        "SIGNATURE_REQUIRED",
        1019,
    );
    let r = ok(node.admin().post("/federation/verify", body.as_bytes()));
    assert_eq!(r["valid"], false);
    assert_eq!(r["results"][0]["valid"], true, "{r}");
    assert_eq!(r["results"][0]["signature"]["verified"], true);
    assert_eq!(r["results"][1]["valid"], true, "{r}");
    assert_eq!(r["results"][2]["valid"], false);
    assert_eq!(r["results"][2]["name"], "SIGNATURE_MISMATCH");

    // Metrics.
    let m = c.get("/metrics").unwrap().text();
    assert!(m.contains("vaultmesh_receipts_appended_total 37"), "{m}");
    assert!(m.contains("vaultmesh_scroll_size{scroll=\"Guardian\"} 37"));
    assert!(m.contains("vaultmesh_store_bytes "));

    // The audit bundle over HTTP and from the CLI; both verify with the core.
    let b = c.get("/scrolls/Guardian/bundle").unwrap();
    assert_eq!(b.status, 200);
    let mesh_key = keyring.get(MESH).unwrap();
    let report = vaultmesh_node::bundle::check(&b.body, Some((MESH, mesh_key))).unwrap();
    assert_eq!(
        (
            report.receipts,
            report.checkpoints,
            report.consistency_proofs
        ),
        (37, 2, 1)
    );
    assert_eq!(
        (report.overall.as_str(), report.valid),
        ("valid", report.items)
    );
    let first = c.get("/scrolls/Guardian/bundle?to_checkpoint=1").unwrap();
    let report = vaultmesh_node::bundle::check(&first.body, Some((MESH, mesh_key))).unwrap();
    assert_eq!(
        (report.receipts, report.checkpoints, report.tree_size),
        (30, 1, 30)
    );
    // A key other than the mesh's makes every checkpoint invalid.
    let other = Signer::new("did:vm:mesh:test");
    assert!(vaultmesh_node::bundle::check(&b.body, Some((MESH, &other.key))).is_err());
    let out = dir.0.join("bundle.json");
    let (status, stdout, stderr) = vm_node(&[
        "export-bundle",
        "--data",
        data.to_str().unwrap(),
        "--scroll",
        "Guardian",
        "--from-checkpoint",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(status, 0, "{stdout}{stderr}");
    let key = mesh_key.to_string();
    let (status, stdout, stderr) = vm_node(&[
        "verify-bundle",
        out.to_str().unwrap(),
        "--mesh-key",
        &key,
        "--json",
    ]);
    assert_eq!(status, 0, "{stdout}{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (v["receipts"].as_u64(), v["checkpoints"].as_u64()),
        (Some(7), Some(2))
    );
    let text =
        std::fs::read_to_string(&out)
            .unwrap()
            .replacen("guardian-api-33", "guardian-api-99", 1);
    std::fs::write(&out, text).unwrap();
    let (status, _, stderr) = vm_node(&["verify-bundle", out.to_str().unwrap()]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("SIGNATURE_MISMATCH"), "{stderr}");
}

#[test]
fn bad_input_is_refused_and_changes_nothing_but_the_violation_record() {
    let dir = TempDir::new("bad");
    let data = init(&dir.0, &[]);
    edit_config(&data, "max_body_bytes = 16777216", "max_body_bytes = 65536");
    let node = Node::start(&data);
    let mut c = node.admin();
    let keyring = mesh_keyring(&mut c);
    let guardian = Signer::new("engine:guardian");
    register(&mut c, &guardian);
    let good: Vec<Vec<u8>> = (0..6)
        .map(|i| guardian_receipt(&guardian, "bad", i, AT))
        .collect();
    ok(c.post("/admin/scrolls/Guardian/receipts", &array(&good)));
    ok(c.post(
        "/admin/scrolls/Compliance/receipts",
        &compliance_receipt(0, AT),
    ));
    ok(c.post("/admin/scrolls/Guardian/checkpoints", b""));
    let before = sizes(&mut c);
    let stored_before: Vec<Vec<u8>> = (0..6)
        .map(|i| {
            c.get(&format!("/scrolls/Guardian/receipts/{i}"))
                .unwrap()
                .body
        })
        .collect();
    let append = "/admin/scrolls/Guardian/receipts";

    refused(
        c.post(append, b"{\"type\": \"drill_run\", "),
        400,
        "JSON_SYNTAX",
        103,
    );
    refused(
        c.post(append, br#"{"type":"drill_run","a":1,"a":2}"#),
        400,
        "DUPLICATE_KEY",
        104,
    );
    let dup_nested = br#"[{"type":"drill_run"},{"type":"drill_run","x":{"k":1,"\u006b":2}}]"#;
    let e = refused(c.post(append, dup_nested), 400, "DUPLICATE_KEY", 104);
    assert!(e["error"]["index"].is_null() || e["error"]["index"] == 1);
    refused(
        c.post(append, br#"{"n":9007199254740993}"#),
        400,
        "NUMBER_OUT_OF_RANGE",
        106,
    );
    refused(c.post(append, b"[1,2]"), 400, "NOT_AN_OBJECT", 108);
    refused(
        c.post(append, &vec![b' '; 70_000]),
        413,
        "INPUT_TOO_LARGE",
        100,
    );
    refused(
        c.post("/admin/scrolls/Nope/receipts", &good[0]),
        404,
        "UNKNOWN_SCROLL",
        1000,
    );
    refused(
        node.public().get("/scrolls/Nope"),
        404,
        "UNKNOWN_SCROLL",
        1000,
    );
    // A forged signature, alone and inside an otherwise valid batch: nothing is appended.
    let forged = forge(&good[2], "severity", "low").unwrap();
    let forged = if forged == good[2] {
        forge(&good[2], "severity", "critical").unwrap()
    } else {
        forged
    };
    refused(c.post(append, &forged), 422, "SIGNATURE_MISMATCH", 403);
    let mut batch: Vec<Vec<u8>> = (10..15)
        .map(|i| guardian_receipt(&guardian, "bad", i, AT))
        .collect();
    batch.insert(3, forged.clone());
    let e = refused(
        c.post(append, &array(&batch)),
        422,
        "SIGNATURE_MISMATCH",
        403,
    );
    assert_eq!(e["error"]["index"], 3);
    // A receipt of a known kind with a malformed field; an unknown signer under `reject`
    // is tested in config; a bad key registration.
    let bad_field = forge(&good[1], "detected_at", "2026-13-01T00:00:00Z").unwrap();
    refused(c.post(append, &bad_field), 422, "MALFORMED_TIMESTAMP", 206);
    refused(
        c.post(
            "/admin/keys",
            br#"{"actor":"engine:x","key":"ed25519:nope"}"#,
        ),
        400,
        "MALFORMED_KEY",
        202,
    );
    let other = Signer::new("engine:guardian");
    let body =
        serde_json::json!({ "actor": "engine:guardian", "key": other.key.to_string() }).to_string();
    refused(
        c.post("/admin/keys", body.as_bytes()),
        409,
        "KEY_CONFLICT",
        1010,
    );
    // The size guard.
    refused(
        c.post("/admin/scrolls/Guardian/receipts?expect_size=2", &good[0]),
        409,
        "SIZE_MISMATCH",
        1007,
    );
    // Writes need the token.
    refused(
        node.public().post(append, &good[0]),
        401,
        "UNAUTHORIZED",
        1001,
    );
    refused(
        Client::new(&node.url)
            .with_token("0".repeat(64))
            .post(append, &good[0]),
        401,
        "UNAUTHORIZED",
        1001,
    );
    refused(
        node.public()
            .post("/admin/scrolls/Guardian/checkpoints", b""),
        401,
        "UNAUTHORIZED",
        1001,
    );
    refused(c.get("/no/such/route"), 404, "NOT_FOUND", 1003);

    assert_eq!(sizes(&mut c), before, "refused input changed a scroll");

    // Modify and delete attempts: refused, and each recorded in governance.
    let attempts = [
        ("DELETE", "/scrolls/Guardian/receipts/3", false),
        ("PUT", "/scrolls/Guardian/receipts/3", true),
        ("PATCH", "/admin/scrolls/Guardian/receipts/0", true),
        ("POST", "/admin/scrolls/Guardian/receipts/2", true),
        ("DELETE", "/scrolls/Guardian/checkpoints/1", true),
        ("DELETE", "/scrolls/Guardian", false),
    ];
    for (i, (method, path, with_token)) in attempts.iter().enumerate() {
        let mut client = if *with_token {
            node.admin()
        } else {
            node.public()
        };
        let e = refused(
            client.request(method, path, Some("application/json"), b"{\"rule\":\"x\"}"),
            403,
            "APPEND_ONLY",
            1002,
        );
        let v = &e["error"]["detail"]["violation"];
        assert_eq!(v["scroll"], "Governance");
        assert_eq!(v["index"], i as u64);
        let details = &v["receipt"]["details"];
        assert_eq!(details["rule_violated"], "AXIOM-001");
        assert_eq!(details["action_result"], "blocked");
        let actor = if *with_token {
            MESH
        } else {
            vaultmesh_node::node::UNAUTHENTICATED_ACTOR
        };
        assert_eq!(details["actor"], actor);
        let entry = v["receipt"]["evidence"]["log_entries"][0].as_str().unwrap();
        assert!(
            entry.starts_with(&format!("{method} {path} from ")),
            "{entry}"
        );
    }
    let after = sizes(&mut c);
    for ((name, b), (_, a)) in before.iter().zip(&after) {
        let grew = if name == "Governance" {
            attempts.len() as u64
        } else {
            0
        };
        assert_eq!(*a, b + grew, "{name}");
    }
    // The violation receipts are signed by the mesh and verify with the core.
    for i in 0..attempts.len() {
        let r = c.get(&format!("/scrolls/Governance/receipts/{i}")).unwrap();
        let v = strict(&r.body);
        let receipt = member(&v, "receipt");
        let verified = record::verify_value(receipt, None, &keyring).unwrap();
        assert_eq!(verified.kind, Kind::GovViolation);
        assert_eq!(member(receipt, "detected_by").as_str(), Some(MESH));
    }
    // The receipts themselves are unchanged.
    for (i, body) in stored_before.iter().enumerate() {
        assert_eq!(
            &c.get(&format!("/scrolls/Guardian/receipts/{i}"))
                .unwrap()
                .body,
            body
        );
    }
    let m = c.get("/metrics").unwrap().text();
    assert!(m.contains("vaultmesh_violations_total 6"), "{m}");
    drop(node);

    // The database refuses UPDATE and DELETE itself.
    if let Some(url) = common::pg::current_store() {
        let store = PgStore::open(&url).unwrap();
        for sql in [
            "UPDATE receipts SET body = body",
            "DELETE FROM receipts",
            "DELETE FROM subtrees",
            "UPDATE checkpoints SET tree_size = 0",
            "DELETE FROM checkpoints",
            "DELETE FROM keyring",
            "TRUNCATE receipts",
        ] {
            // As the tables' owner: the triggers.
            let e = store.execute_raw(sql).unwrap_err();
            assert!(e.0.contains("AXIOM-001"), "{sql}: {e}");
            // As the node's sessions run (role vaultmesh_node): no such privilege either.
            let e = store.execute_as_node(sql).unwrap_err();
            assert!(e.0.contains("permission denied"), "{sql}: {e}");
        }
    } else {
        let store = SqliteStore::open(
            &data.join("store.db"),
            vaultmesh_node::store::Durability::Full,
        )
        .unwrap();
        for sql in [
            "UPDATE receipts SET body = x'7b7d'",
            "DELETE FROM receipts",
            "DELETE FROM subtrees",
            "UPDATE checkpoints SET tree_size = 0",
            "DELETE FROM checkpoints",
            "DELETE FROM keyring",
        ] {
            let e = store.execute_raw(sql).unwrap_err();
            assert!(e.0.contains("AXIOM-001"), "{sql}: {e}");
        }
    }
    let (status, out, err) = vm_node(&["verify-store", "--data", data.to_str().unwrap()]);
    assert_eq!(status, 0, "{out}{err}");
}

#[test]
fn private_scrolls_unknown_signers_and_restart() {
    let dir = TempDir::new("priv");
    let data = init(&dir.0, &["--scrolls", "Compliance,Guardian"]);
    edit_config(
        &data,
        "unknown_signers = \"accept\"",
        "unknown_signers = \"reject\"",
    );
    let mut node = Node::start(&data);
    let mut c = node.admin();
    let created = c
        .post("/admin/scrolls", br#"{"name":"Internal","public":false}"#)
        .unwrap();
    assert_eq!(created.status, 201);
    ok(c.post(
        "/admin/scrolls/Internal/receipts",
        &compliance_receipt(1, AT),
    ));
    ok(c.post("/admin/scrolls/Internal/checkpoints", b""));
    refused(
        node.public().get("/scrolls/Internal"),
        404,
        "UNKNOWN_SCROLL",
        1000,
    );
    refused(
        node.admin().get("/federation/receipts/internal?from=0"),
        404,
        "UNKNOWN_SCROLL",
        1000,
    );
    assert_eq!(ok(c.get("/scrolls/Internal"))["tree_size"], 1);
    let roots = ok(node.public().get("/federation/roots"));
    assert!(!roots.to_string().contains("Internal"));
    let discovery =
        String::from_utf8(node.public().get("/federation/discovery").unwrap().body).unwrap();
    assert!(!discovery.contains("Internal") && discovery.contains("Guardian"));

    // Under `unknown_signers = "reject"` a well-formed receipt from an unknown engine is refused.
    let stranger = Signer::new("engine:stranger");
    refused(
        c.post(
            "/admin/scrolls/Guardian/receipts",
            &guardian_receipt(&stranger, "p", 0, AT),
        ),
        422,
        "UNKNOWN_SIGNER",
        400,
    );
    register(&mut c, &stranger);
    ok(c.post(
        "/admin/scrolls/Guardian/receipts",
        &guardian_receipt(&stranger, "p", 0, AT),
    ));
    let root_before = ok(c.get("/scrolls/Guardian"));

    // Restart: sizes, roots and keys survive.
    node.kill();
    let node = Node::start(&data);
    // On SQLite a second node on the same data directory is refused while the first runs
    // (on PostgreSQL several may serve one mesh: node/tests/shared.rs).
    if common::pg::current_store().is_none() {
        let (status, _, err) = vm_node(&[
            "serve",
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ]);
        assert_eq!(status, 2);
        assert!(err.contains("in use by another vm-node"), "{err}");
    }
    let mut c = node.admin();
    assert_eq!(ok(c.get("/scrolls/Internal"))["tree_size"], 1);
    assert_eq!(
        ok(c.get("/scrolls/Guardian"))["tree_size"],
        root_before["tree_size"]
    );
    ok(c.post(
        "/admin/scrolls/Guardian/receipts",
        &guardian_receipt(&stranger, "p", 1, AT),
    ));

    // The CLI against the running node: append JSON Lines, checkpoint.
    let file = dir.0.join("receipts.jsonl");
    let lines: Vec<u8> = (0..5)
        .flat_map(|i| compliance_receipt(i, AT).into_iter().chain([b'\n']))
        .collect();
    std::fs::write(&file, lines).unwrap();
    let url = node.url.clone();
    let (status, out, err) = vm_node(&[
        "append",
        "Compliance",
        file.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--url",
        &url,
        "--json",
    ]);
    assert_eq!(status, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["first_index"].as_u64(), v["count"].as_u64()),
        (Some(0), Some(5))
    );
    let (status, out, err) = vm_node(&[
        "checkpoint",
        "Compliance",
        "--data",
        data.to_str().unwrap(),
        "--url",
        &url,
    ]);
    assert_eq!(status, 0, "{out}{err}");
    assert!(out.contains("tree_size 5"), "{out}");
    let bad = dir.0.join("bad.json");
    std::fs::write(&bad, br#"{"a":1,"a":2}"#).unwrap();
    let (status, _, err) = vm_node(&[
        "append",
        "Compliance",
        bad.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--url",
        &url,
    ]);
    assert_eq!(status, 2);
    assert!(err.contains("DUPLICATE_KEY"), "{err}");
    let (status, out, err) = vm_node(&["verify-store", "--data", data.to_str().unwrap(), "--json"]);
    assert_eq!(status, 0, "{out}{err}");
    assert!(out.contains("\"valid\":true"));
}

#[test]
fn init_protects_the_key_and_the_token() {
    let dir = TempDir::new("init");
    let data = init(&dir.0, &[]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["federation.key", "admin.token"] {
            let mode = std::fs::metadata(data.join(f))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "{f}");
        }
        // A key file others can read is refused at start.
        std::fs::set_permissions(
            data.join("federation.key"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let (status, _, err) = vm_node(&["verify-store", "--data", data.to_str().unwrap()]);
        assert_eq!(status, 2);
        assert!(err.contains("readable by group or others"), "{err}");
        std::fs::set_permissions(
            data.join("federation.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let secret = std::fs::read_to_string(data.join("federation.key")).unwrap();
    let hex = secret
        .trim()
        .strip_prefix("ed25519-seed:")
        .unwrap()
        .to_string();
    // Never printed: not by init again (refused), serve, or verify-store.
    let (status, out, err) =
        vm_node(&["init", "--mesh-id", MESH, "--data", data.to_str().unwrap()]);
    assert_eq!(status, 2);
    assert!(!out.contains(&hex) && !err.contains(&hex));
    let mut node = Node::start(&data);
    for path in ["/federation/discovery", "/metrics", "/scrolls", "/healthz"] {
        assert!(!node.admin().get(path).unwrap().text().contains(&hex));
    }
    node.kill();
    let (_, out, err) = vm_node(&["verify-store", "--data", data.to_str().unwrap()]);
    assert!(!out.contains(&hex) && !err.contains(&hex));
    let config = std::fs::read_to_string(data.join("config.toml")).unwrap();
    assert!(!config.contains(&hex));
}

#[test]
fn checkpoints_are_signed_on_an_interval() {
    let dir = TempDir::new("interval");
    let data = init(
        &dir.0,
        &["--scrolls", "Drills", "--checkpoint-interval", "1"],
    );
    let node = Node::start(&data);
    let mut c = node.admin();
    let keyring = mesh_keyring(&mut c);
    let receipts: Vec<Vec<u8>> = (0..9)
        .map(|i| vaultmesh_node::bench::drill_receipt(i, AT))
        .collect();
    ok(c.post("/admin/scrolls/Drills/receipts", &array(&receipts)));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let info = ok(c.get("/scrolls/Drills"));
        if info["latest_checkpoint"]["tree_size"] == 9 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no interval checkpoint: {info}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let r = c.get("/scrolls/Drills/checkpoints").unwrap();
    let v = strict(&r.body);
    let last = member(&v, "checkpoints")
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let cp = federation::verify_checkpoint(&last, &keyring).unwrap();
    assert_eq!((cp.tree_size, cp.scroll.as_str()), (9, "Drills"));
    // A scroll that did not grow gets no new checkpoint.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let again = strict(&c.get("/scrolls/Drills/checkpoints").unwrap().body).to_canonical();
    assert_eq!(again, v.to_canonical());
}

/// Every test above again with the mesh on PostgreSQL (a throwaway cluster per test,
/// node/tests/common/pg.rs): the same bodies, `common::init` adds `--store`.
mod on_postgres {
    use super::common::pg::on_postgres;

    #[test]
    fn appends_checkpoints_and_proofs_verify_with_the_core() {
        on_postgres(super::appends_checkpoints_and_proofs_verify_with_the_core);
    }

    #[test]
    fn bad_input_is_refused_and_changes_nothing_but_the_violation_record() {
        on_postgres(super::bad_input_is_refused_and_changes_nothing_but_the_violation_record);
    }

    #[test]
    fn private_scrolls_unknown_signers_and_restart() {
        on_postgres(super::private_scrolls_unknown_signers_and_restart);
    }

    #[test]
    fn init_protects_the_key_and_the_token() {
        on_postgres(super::init_protects_the_key_and_the_token);
    }

    #[test]
    fn checkpoints_are_signed_on_an_interval() {
        on_postgres(super::checkpoints_are_signed_on_an_interval);
    }
}
