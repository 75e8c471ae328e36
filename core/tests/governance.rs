//! Governance: the vectors in `test-vectors/governance/` (drift against the generator in
//! `examples/gen_governance_vectors.rs`, and every chain's verdict), the acceptance checks of the
//! issue, and robustness of the chain verifier against mutated receipts.
//!
//! `VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test governance` rewrites the vector files.

#[path = "../examples/gen_governance_vectors.rs"]
mod generate;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value as J};
use vaultmesh_core::encoding::timestamp::Timestamp;
use vaultmesh_core::encoding::Weight;
use vaultmesh_core::governance::{
    self, apply, constitution_info, verify_chain, ChainReport, Phase, ProposalType, Version,
};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::Error;

const LIMITS: Limits = Limits {
    max_bytes: 1 << 30,
    max_depth: 64,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(generate::DIR)
}

fn parse(text: &str) -> Value<'_> {
    json::parse(text.as_bytes(), &LIMITS).unwrap()
}

fn load(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap()
}

fn chain_files() -> Vec<String> {
    let mut names: Vec<String> = generate::all()
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with("valid-") || n.starts_with("invalid-"))
        .collect();
    names.sort();
    names
}

fn ts(t: &str) -> Timestamp {
    Timestamp::parse(t).unwrap()
}

/// The report in the vectors' `expect` form.
fn outcome(report: &ChainReport<'_>, expect: &J) -> J {
    match report.violation {
        Some(v) => {
            json!({"valid": false, "index": v.index, "error": v.error.name(), "code": v.error.code()})
        }
        None => {
            let last = report.last_version().unwrap();
            let versions: Vec<J> = report
                .versions
                .iter()
                .map(|v| json!({"version": v.version.to_string(), "hash": v.hash.to_string()}))
                .collect();
            let mut out = json!({"valid": true, "final_version": last.version.to_string(), "final_hash": last.hash.to_string(), "versions": versions});
            if let Some(queries) = expect.get("queries") {
                let answered: Vec<J> = queries
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|q| answer(report, q))
                    .collect();
                out["queries"] = J::Array(answered);
            }
            out
        }
    }
}

fn answer(report: &ChainReport<'_>, q: &J) -> J {
    let at = ts(q["at"].as_str().unwrap());
    let result: Vec<J> = match q["op"].as_str().unwrap() {
        "emergency_powers_at" => report
            .emergency_powers_at(at)
            .into_iter()
            .map(|p| json!({"order_id": p.order_id, "power": p.power}))
            .collect(),
        "suspended_capabilities" => report
            .suspended_capabilities(q["actor"].as_str().unwrap(), at)
            .into_iter()
            .map(|s| json!({"capability": s.capability, "enforcement_id": s.enforcement_id}))
            .collect(),
        op => panic!("unknown query {op}"),
    };
    let mut out = q.clone();
    out["expect"] = J::Array(result);
    out
}

#[test]
fn drift() {
    let bless = std::env::var_os("VAULTMESH_BLESS").is_some();
    let generated = generate::all();
    let mut drifted = Vec::new();
    if bless {
        std::fs::create_dir_all(dir()).unwrap();
    }
    for (name, text) in &generated {
        let path = dir().join(name);
        if bless {
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_ref() != Some(text) {
            drifted.push(name.clone());
        }
    }
    // No stale files either.
    let names: BTreeSet<String> = generated.iter().map(|(n, _)| n.clone()).collect();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !names.contains(&name) {
            drifted.push(format!("{name} (not generated)"));
        }
    }
    assert!(
        drifted.is_empty(),
        "governance vectors differ from the generator: {drifted:?}; run {} (or VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test governance)",
        generate::GENERATOR
    );
}

#[test]
fn verdicts() {
    let mut errors = BTreeSet::new();
    let names = chain_files();
    for name in &names {
        let text = load(name);
        let file: J = serde_json::from_str(&text).unwrap();
        let value = parse(&text);
        let report = verify_chain(&value);
        let expect = &file["expect"];
        assert_eq!(outcome(&report, expect), *expect, "{name}");
        if let Some(e) = expect["error"].as_str() {
            errors.insert(e.to_string());
        }
        // The report counts what it verified.
        assert_eq!(
            report.receipts,
            file["receipts"].as_array().unwrap().len(),
            "{name}"
        );
        match report.violation {
            Some(v) => assert_eq!(report.verified, v.index.unwrap_or(0), "{name}"),
            None => assert_eq!(report.verified, report.receipts, "{name}"),
        }
    }
    assert!(names.len() >= 35, "only {} chains", names.len());
    // Every negative chain the issue lists, with its error.
    for required in [
        "VOTE_OUTSIDE_WINDOW",
        "DOUBLE_VOTE",
        "SIGNATURE_MISMATCH",
        "WEIGHT_MISMATCH",
        "QUORUM_NOT_MET",
        "THRESHOLD_NOT_MET",
        "AXIOM_IMMUTABLE",
        "CONSTITUTION_HASH_MISMATCH",
        "AUTHORITY_NOT_GRANTED",
        "EMERGENCY_TOO_LONG",
        "UNKNOWN_VIOLATION",
    ] {
        assert!(
            errors.contains(required),
            "no negative chain for {required}"
        );
    }
    // And every governance error (7xx) has one.
    let missing: Vec<&str> = Error::ALL
        .iter()
        // RECEIPT_NOT_CURRENT is judged live only (a chain file has no present): see
        // `judge_live_dates_receipts_by_its_clock`.
        .filter(|e| e.code() / 100 == 7 && **e != Error::ReceiptNotCurrent)
        .filter(|e| !errors.contains(e.name()))
        .map(|e| e.name())
        .collect();
    assert!(
        missing.is_empty(),
        "governance errors without a negative chain: {missing:?}"
    );
}

#[test]
fn example_chain_ends_at_1_1_0_with_the_hash_of_the_resulting_document() {
    let text = load("valid-prop-2025-12-001-data-retention.json");
    let value = parse(&text);
    let report = verify_chain(&value);
    assert!(report.is_valid(), "{:?}", report.violation);
    let last = report.last_version().unwrap();
    assert_eq!(last.version.to_string(), "1.1.0");
    assert_eq!(last.index, Some(8));
    assert_eq!(last.proposal_id.as_deref(), Some("PROP-2025-12-001"));

    // What `vm-verify constitution` prints for the committed resulting document.
    let doc_text = load("constitution-1.1.0.json");
    let info = constitution_info(&parse(&doc_text)).unwrap();
    assert_eq!(info.version.to_string(), "1.1.0");
    assert_eq!(info.hash, last.hash);
    // The report's final document is that document, byte for byte in canonical form.
    assert_eq!(
        report.document().unwrap().to_canonical(),
        parse(&doc_text).to_canonical()
    );
    assert_eq!(
        governance::constitution_hash(report.document().unwrap()),
        last.hash
    );

    let genesis = constitution_info(&parse(&load("genesis.json"))).unwrap();
    assert_eq!(genesis.version, Version::parse("1.0.0").unwrap());
    assert_eq!(report.versions[0].hash, genesis.hash);
    assert_eq!(report.proposals[0].phase, Phase::Activated);
    assert_eq!(report.proposals[0].tally.approve, Weight::units(9));
}

#[test]
fn apply_gives_the_generators_next_constitution() {
    let file: J =
        serde_json::from_str(&load("valid-prop-2025-12-001-data-retention.json")).unwrap();
    let genesis_text = file["genesis"].to_string();
    let proposal_text = file["receipts"][0].to_string();
    let (genesis, proposal) = (parse(&genesis_text), parse(&proposal_text));
    let next = apply(&genesis, &proposal).unwrap();
    assert_eq!(
        next.to_canonical(),
        parse(&load("constitution-1.1.0.json")).to_canonical()
    );
    // Applying it again conflicts: ARTICLE-VII exists.
    assert_eq!(
        apply(&next, &proposal).unwrap_err().error,
        Error::ChangeConflict
    );
}

#[test]
fn the_genesis_is_bound_by_the_first_amendment() {
    let mut file: J =
        serde_json::from_str(&load("valid-prop-2025-12-001-data-retention.json")).unwrap();
    file["genesis"]["name"] = json!("VaultMesh Constitution (edited)");
    let text = file.to_string();
    let report = verify_chain(&parse(&text));
    let v = report.violation.unwrap();
    assert_eq!(
        (v.index, v.error, v.field),
        (
            Some(8),
            Error::ConstitutionHashMismatch,
            Some("constitution_hash_before")
        )
    );
    assert_eq!(report.versions.len(), 1);
}

#[test]
fn the_sovereign_may_reject_an_article_amendment_that_passed() {
    let file: J =
        serde_json::from_str(&load("valid-prop-2025-12-001-data-retention.json")).unwrap();
    let mut receipts = file["receipts"].as_array().unwrap().clone();
    receipts.truncate(8);
    let summary = receipts[7]["vote_summary"].clone();
    receipts[7] = generate::ratification(
        generate::P1,
        &summary,
        true,
        "rejected",
        "2025-12-16T09:30:00Z",
        ("1.0.0", "1.0.0"),
    );
    let text = json!({"genesis": file["genesis"], "receipts": receipts}).to_string();
    let report = verify_chain(&parse(&text));
    assert!(report.is_valid(), "{:?}", report.violation);
    assert_eq!(report.proposals[0].phase, Phase::Rejected);
    assert_eq!(
        report.proposals[0].proposal_type,
        ProposalType::AmendArticle
    );
    assert_eq!(report.last_version().unwrap().version.to_string(), "1.0.0");
}

#[test]
fn engine_lifecycle_and_orders_in_force() {
    let report_text = load("valid-add-engine-analytics.json");
    let report = verify_chain(&parse(&report_text));
    assert!(report.is_valid());
    let versions: Vec<String> = report
        .versions
        .iter()
        .map(|v| v.version.to_string())
        .collect();
    assert_eq!(versions, ["1.0.0", "1.1.0", "1.1.1"]);
    assert!(report
        .constitution()
        .unwrap()
        .engine_active("engine:analytics"));
    assert_eq!(report.violations.len(), 1);

    let text = load("valid-executive-orders-and-emergencies.json");
    let report = verify_chain(&parse(&text));
    assert!(report.is_valid());
    let in_force = |t: &str| -> Vec<String> {
        report
            .orders_in_force_at(ts(t))
            .iter()
            .map(|o| o.order_id.clone())
            .collect()
    };
    assert_eq!(
        in_force("2025-12-01T10:00:00Z"),
        ["EO-2025-001", "EO-2025-002", "EO-2025-004"]
    );
    assert_eq!(in_force("2025-12-07T00:00:00Z"), Vec::<String>::new());
    let emergency = report
        .orders
        .iter()
        .find(|o| o.order_id == "EO-2025-004")
        .unwrap();
    assert_eq!(
        (emergency.renewals, emergency.until, emergency.revoked_at),
        (
            1,
            Some(ts("2025-12-07T09:00:00Z")),
            Some(ts("2025-12-06T12:00:00Z"))
        )
    );
}

#[test]
fn chain_file_errors_have_no_index() {
    for (text, error) in [
        ("[]", Error::NotAnObject),
        ("{}", Error::MissingField),
        (
            r#"{"genesis": {}, "receipts": []}"#,
            Error::InvalidConstitution,
        ),
        (r#"{"genesis": {}, "receipts": {}}"#, Error::InvalidField),
    ] {
        let report = verify_chain(&parse(text));
        let v = report.violation.unwrap();
        assert_eq!((v.index, v.error), (None, error), "{text}");
    }
    let report = governance::verify_chain_json(b"{\"genesis\": ", &LIMITS);
    assert_eq!(report.violation.unwrap().error, Error::JsonSyntax);
    // An empty chain is valid: the genesis is in force.
    let text = json!({"genesis": generate::genesis(), "receipts": []}).to_string();
    let report = governance::verify_chain_json(text.as_bytes(), &LIMITS);
    assert!(report.is_valid());
    assert_eq!(report.versions.len(), 1);
}

/// An edit of a constitution document.
type Edit = fn(&mut J);

#[test]
fn constitution_schema_violations() {
    let g = generate::genesis();
    let cases: Vec<(&str, Edit)> = vec![
        ("version", |d| d["version"] = json!("1.0")),
        ("axioms.id", |d| d["axioms"][1]["id"] = json!("AXIOM-001")),
        ("axioms", |d| d["axioms"] = json!([])),
        ("articles.sections.id", |d| {
            d["articles"][0]["sections"][1]["id"] = json!("ARTICLE-I.3")
        }),
        ("articles.sections.grants", |d| {
            d["articles"][0]["sections"][0]["grants"][0]["holders"] = json!(["did:vm:human:nobody"])
        }),
        ("articles.sections.grants", |d| {
            d["articles"][0]["sections"][0]["grants"][0]["power"] = json!("dictate")
        }),
        ("articles", |d| d["articles"][0]["preamble"] = json!("x")),
        ("statutes.id", |d| d["statutes"][0]["id"] = json!("LAW-1")),
        ("rules.quorum", |d| {
            d["rules"]["quorum"]["denominator"] = json!(0)
        }),
        ("rules.thresholds", |d| {
            d["rules"]["thresholds"]["amend_article"]["comparison"] = json!("about")
        }),
        ("rules.max_emergency_seconds", |d| {
            d["rules"]["max_emergency_seconds"] = json!(0)
        }),
        ("voters", |d| {
            d["voters"][1]["id"] = d["voters"][0]["id"].clone()
        }),
        ("voters.key", |d| {
            d["voters"][0]["key"] = json!("ed25519:z6Mk")
        }),
        ("sovereign.key", |d| {
            d["voters"][0]["id"] = json!(generate::SOVEREIGN)
        }),
        ("registered_engines.scroll", |d| {
            d["registered_engines"][0]["scroll"] = json!("compliance")
        }),
        ("registered_engines.status", |d| {
            d["registered_engines"][0]["status"] = json!("sleeping")
        }),
        ("registered_engines.engine_id", |d| {
            d["registered_engines"][1]["engine_id"] =
                d["registered_engines"][0]["engine_id"].clone()
        }),
    ];
    for (field, edit) in cases {
        let mut d = g.clone();
        edit(&mut d);
        let text = d.to_string();
        let f = constitution_info(&parse(&text)).expect_err(field);
        assert_eq!(
            (f.error, f.field),
            (Error::InvalidConstitution, Some(field)),
            "{field}"
        );
    }
    let mut d = g.clone();
    d["rules"]["speed_limit"] = json!(3);
    assert_eq!(
        constitution_info(&parse(&d.to_string())).unwrap_err().error,
        Error::UnknownRule
    );
    // The sovereign may also be a voter, with the same key.
    let mut d = g.clone();
    d["voters"][0] = json!({"id": generate::SOVEREIGN, "key": generate::key_of(generate::SOVEREIGN), "weight": 1});
    assert!(constitution_info(&parse(&d.to_string())).is_ok());
}

/// Every member of every receipt of every valid chain, removed, and replaced by a value of
/// another type (rotating through `replacements`): the verifier never panics, and never accepts
/// the changed chain (every member is signed).
#[test]
fn mutated_receipts_are_rejected_without_panic() {
    fn mutations(name: &str) -> usize {
        let replacements = [
            json!(null),
            json!(-1),
            json!(""),
            json!("blake3:00"),
            json!({}),
            json!(true),
        ];
        let file: J = serde_json::from_str(&load(name)).unwrap();
        let receipts = file["receipts"].as_array().unwrap();
        let mut checked = 0;
        for (i, r) in receipts.iter().enumerate() {
            // Receipts after the mutated one do not matter: the chain stops there.
            let mut prefix = file.clone();
            prefix["receipts"].as_array_mut().unwrap().truncate(i + 1);
            for (k, key) in r.as_object().unwrap().keys().enumerate() {
                let mut removed = r.clone();
                removed.as_object_mut().unwrap().remove(key);
                let mut changed = r.clone();
                let rep = (0..replacements.len())
                    .map(|n| &replacements[(i + k + n) % replacements.len()])
                    .find(|rep| r[key] != **rep);
                changed[key] = rep.unwrap().clone();
                let variants = [removed, changed];
                for v in variants {
                    let mut mutated = prefix.clone();
                    mutated["receipts"][i] = v;
                    let text = mutated.to_string();
                    let report = verify_chain(&parse(&text));
                    let violation = report
                        .violation
                        .unwrap_or_else(|| panic!("{name}: receipt {i} member {key} accepted"));
                    assert_eq!(violation.index, Some(i), "{name}: receipt {i} member {key}");
                    checked += 1;
                }
            }
        }
        checked
    }
    let names: Vec<String> = chain_files()
        .into_iter()
        .filter(|n| n.starts_with("valid-"))
        .collect();
    let checked: usize = std::thread::scope(|s| {
        let handles: Vec<_> = names
            .iter()
            .map(|n| s.spawn(move || mutations(n)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert!(checked > 500, "only {checked} mutations");
}

/// Receipts in another order, or dropped: never a panic, and the verdict is stable.
#[test]
fn reordered_and_truncated_chains_do_not_panic() {
    for name in chain_files() {
        let file: J = serde_json::from_str(&load(&name)).unwrap();
        let receipts = file["receipts"].as_array().unwrap();
        for i in 0..receipts.len() {
            let mut without = file.clone();
            without["receipts"].as_array_mut().unwrap().remove(i);
            let _ = verify_chain(&parse(&without.to_string()));
            let mut reversed = file.clone();
            reversed["receipts"].as_array_mut().unwrap()[i..].reverse();
            let _ = verify_chain(&parse(&reversed.to_string()));
        }
    }
}

/// The incremental judge reaches the verdict of `verify_chain` one receipt at a time, and live
/// (with a present) refuses a receipt not dated by its clock, changing nothing.
#[test]
fn judge_live_dates_receipts_by_its_clock() {
    use vaultmesh_core::encoding::timestamp::Timestamp;
    use vaultmesh_core::governance::Judge;
    let text = load("valid-prop-2025-12-001-data-retention.json");
    let value = parse(&text);
    let chain = value.as_object().unwrap();
    let mut judge = Judge::new(chain.get("genesis").unwrap()).unwrap();
    let receipts = chain.get("receipts").unwrap().as_array().unwrap();
    let date = |r: &vaultmesh_core::json::Value<'_>| {
        let o = r.as_object().unwrap();
        let t = ["submitted_at", "voted_at", "ratified_at", "effective_at"]
            .iter()
            .find_map(|f| o.get(f).and_then(|v| v.as_str()))
            .unwrap();
        Timestamp::parse(t).unwrap()
    };
    let (last, rest) = receipts.split_last().unwrap();
    for r in rest {
        judge.judge(r, Some(date(r))).unwrap();
    }
    let late = date(last).checked_add_seconds(86_400).unwrap();
    let refused = judge.judge(last, Some(late)).unwrap_err();
    assert_eq!(refused.error, Error::ReceiptNotCurrent);
    // Nor dated after the present.
    let early = date(last).checked_add_seconds(-1).unwrap();
    let refused = judge.judge(last, Some(early)).unwrap_err();
    assert_eq!(refused.error, Error::ReceiptNotCurrent);
    assert_eq!(judge.receipts(), rest.len());
    judge.judge(last, Some(date(last))).unwrap();
    let report = verify_chain(&value);
    assert_eq!(
        judge.versions().last().map(|v| v.hash),
        report.last_version().map(|v| v.hash)
    );
    assert_eq!(judge.constitution().version.to_string(), "1.1.0");
}

/// The judge's indexed queries (what the node's write checks read) answer every query of the
/// valid vectors as the chain report does, and `check_write` applies them.
#[test]
fn judge_queries_and_write_checks_agree_with_the_vectors() {
    use vaultmesh_core::encoding::timestamp::Timestamp;
    use vaultmesh_core::governance::{check_write, Judge, WriteRefusal};
    for name in chain_files().iter().filter(|n| n.starts_with("valid-")) {
        let text = load(name);
        let file: J = serde_json::from_str(&text).unwrap();
        let value = parse(&text);
        let chain = value.as_object().unwrap();
        let mut judge = Judge::new(chain.get("genesis").unwrap()).unwrap();
        for r in chain.get("receipts").unwrap().as_array().unwrap() {
            judge.judge(r, None).unwrap();
        }
        for q in file["expect"]["queries"].as_array().into_iter().flatten() {
            let at = Timestamp::parse(q["at"].as_str().unwrap()).unwrap();
            let got: J = match q["op"].as_str().unwrap() {
                "emergency_powers_at" => judge
                    .emergency_powers_at(at)
                    .iter()
                    .map(|p| json!({"order_id": p.order_id, "power": p.power}))
                    .collect(),
                "suspended_capabilities" => judge
                    .suspended_capabilities(q["actor"].as_str().unwrap(), at)
                    .iter()
                    .map(
                        |s| json!({"capability": s.capability, "enforcement_id": s.enforcement_id}),
                    )
                    .collect(),
                _ => continue,
            };
            assert_eq!(got, q["expect"], "{name}: {q}");
        }
        if name == "valid-violations-and-enforcement.json" {
            let t = Timestamp::parse("2025-12-03T00:00:00Z").unwrap();
            let agent = "did:vm:agent:guardian-01";
            assert!(matches!(
                check_write(&judge, "Workflows", "Governance", Some(agent), t),
                Err(WriteRefusal::Suspended { enforcement_id, .. }) if enforcement_id == "ENF-2025-0042"
            ));
            // Frank's suspended capability is `propose`, not `write`.
            let frank = "did:vm:human:frank";
            let t = Timestamp::parse("2025-12-05T00:00:00Z").unwrap();
            assert_eq!(
                check_write(&judge, "Workflows", "Governance", Some(frank), t),
                Ok(())
            );
            assert!(matches!(
                check_write(&judge, "Drills", "Governance", Some(frank), t),
                Err(WriteRefusal::NotEngineKey { engine, .. }) if engine == "engine:drills"
            ));
            assert_eq!(
                check_write(&judge, "Drills", "Governance", Some("engine:drills"), t),
                Ok(())
            );
            // The Federation scroll is engine:federation's: a mesh's key does not write it (the
            // node's federation module writes it as the engine it hosts).
            let mesh = Some("did:vm:mesh:dublin");
            assert!(check_write(&judge, "Federation", "Governance", mesh, t).is_err());
            assert_eq!(
                check_write(
                    &judge,
                    "Federation",
                    "Governance",
                    Some("engine:federation"),
                    t
                ),
                Ok(())
            );
        }
    }
}
