//! Runs one vector case through the core and returns its outcome in the vectors' `expect` form:
//! `{"valid": true, …computed}` or `{"valid": false, "error": NAME, "code": N}`.

use serde_json::{json, Map, Value as J};
use vaultmesh_core::encoding::{id, timestamp::Timestamp, Digest, PublicKey, SignatureBytes};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::merkle::{self, ConsistencyProof, InclusionProof};
use vaultmesh_core::record::{self, Failure, Keyring, Kind};
use vaultmesh_core::sign::SecretKey;
use vaultmesh_core::Error;
use vaultmesh_core::{federation, witness};

/// The raw input bytes of a case: `input` (text) or `input_hex`.
pub fn input_bytes(case: &J) -> Vec<u8> {
    match (&case["input"], &case["input_hex"]) {
        (J::String(s), _) => s.as_bytes().to_vec(),
        (_, J::String(h)) => hex::decode(h).unwrap(),
        _ => panic!("case without input: {case}"),
    }
}

fn limits(case: &J) -> Limits {
    let mut l = Limits::default();
    if let Some(n) = case["max_bytes"].as_u64() {
        l.max_bytes = n as usize;
    }
    if let Some(n) = case["max_depth"].as_u64() {
        l.max_depth = n as usize;
    }
    l
}

fn keyring(file: &J, case: &J) -> Keyring {
    let keys = if case["keyring"].is_object() {
        &case["keyring"]
    } else {
        &file["keyring"]
    };
    Keyring::from_json(keys.to_string().as_bytes()).unwrap()
}

fn ok(extra: J) -> J {
    let mut m = Map::new();
    m.insert("valid".into(), J::Bool(true));
    if let J::Object(e) = extra {
        m.extend(e);
    }
    J::Object(m)
}

fn fail(e: impl Into<Failure>) -> J {
    let e = e.into().error;
    json!({"valid": false, "error": e.name(), "code": e.code()})
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return fail(e),
        }
    };
}

fn parse_text<'a>(text: &'a str) -> Result<Value<'a>, Error> {
    json::parse_record(text.as_bytes(), &Limits::default())
}

fn checkpoint_of(case: &J, keyring: &Keyring) -> Result<Option<federation::Checkpoint>, Failure> {
    match case["checkpoint"].as_str() {
        None => Ok(None),
        Some(text) => Ok(Some(federation::verify_checkpoint(
            &parse_text(text)?,
            keyring,
        )?)),
    }
}

fn leaves(case: &J) -> Result<Vec<Digest>, Error> {
    case["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            Ok(merkle::leaf_hash(&json::canonicalize(
                r.as_str().unwrap().as_bytes(),
                &Limits::default(),
            )?))
        })
        .collect()
}

/// Runs `case` of vector `file`.
pub fn case(file: &J, case: &J) -> J {
    let input = if case.get("input").is_some() || case.get("input_hex").is_some() {
        input_bytes(case)
    } else {
        vec![]
    };
    let text = || std::str::from_utf8(&input).unwrap();
    let keys = keyring(file, case);
    match case["op"].as_str().unwrap() {
        "canonicalize" => {
            let c = tri!(json::canonicalize(&input, &limits(case)));
            ok(json!({"canonical": String::from_utf8(c).unwrap()}))
        }
        "receipt_hash" => {
            let v = tri!(json::parse_record(&input, &limits(case)));
            ok(json!({"receipt_hash": record::receipt_hash(&v).to_string()}))
        }
        "digest" => ok(json!({"digest": tri!(Digest::parse(text())).to_string()})),
        "public_key" => ok(json!({"public_key": tri!(PublicKey::parse(text())).to_string()})),
        "signature" => ok(json!({"signature": tri!(SignatureBytes::parse(text())).to_string()})),
        "timestamp" => ok(json!({"timestamp": tri!(Timestamp::parse(text())).to_string()})),
        "actor_id" => {
            tri!(id::parse_actor(text()));
            ok(json!({}))
        }
        "engine_id" => {
            tri!(id::check_engine_id(text()));
            ok(json!({}))
        }
        "secret_key" => {
            let key = tri!(SecretKey::from_key_file(&input));
            ok(json!({"public_key": key.public_key().to_string()}))
        }
        "sign_record" => {
            let key_file = file["key_file"].as_str().unwrap().as_bytes();
            let key = SecretKey::from_key_file(key_file).unwrap();
            let signed = tri!(key.sign_named(case["kind"].as_str(), &input, &limits(case)));
            ok(json!({"signed": String::from_utf8(signed).unwrap()}))
        }
        "verify_record" => {
            let kind = case["kind"].as_str().map(|k| Kind::from_name(k).unwrap());
            let v = tri!(record::verify_record(&input, kind, &keys, &limits(case)));
            ok(json!({"receipt_hash": v.receipt_hash.to_string()}))
        }
        "verify_agreement" => {
            let a = tri!(federation::verify_agreement(
                &tri!(parse_text(text())),
                &keys
            ));
            ok(
                json!({"agreement_hash": a.agreement_hash.to_string(), "trust_level": a.trust_level}),
            )
        }
        "verify_checkpoint" => {
            let c = tri!(federation::verify_checkpoint(
                &tri!(parse_text(text())),
                &keys
            ));
            ok(json!({"receipt_hash": c.receipt_hash.to_string()}))
        }
        "verify_witness" => {
            let cp = tri!(checkpoint_of(case, &keys));
            let h = tri!(federation::verify_witness(
                &tri!(parse_text(text())),
                &keys,
                cp.as_ref()
            ));
            ok(json!({"receipt_hash": h.to_string()}))
        }
        "verify_cross_anchor" => {
            let agreement = match case["agreement"].as_str() {
                Some(a) => Some(tri!(federation::verify_agreement(
                    &tri!(parse_text(a)),
                    &keys
                ))),
                None => None,
            };
            let h = tri!(federation::verify_cross_anchor(
                &tri!(parse_text(text())),
                &keys,
                agreement.as_ref()
            ));
            ok(json!({"receipt_hash": h.to_string()}))
        }
        "merkle_root" => ok(json!({"root": merkle::root(&tri!(leaves(case))).to_string()})),
        "jsonl_root" => {
            let mut hashes = Vec::new();
            for line in json::lines(&input) {
                hashes.push(merkle::leaf_hash(&tri!(json::canonicalize(
                    tri!(line),
                    &Limits::default()
                ))));
            }
            ok(json!({"root": merkle::root(&hashes).to_string(), "tree_size": hashes.len()}))
        }
        "prove_inclusion" => {
            let p = tri!(merkle::prove_inclusion(
                &tri!(leaves(case)),
                case["index"].as_u64().unwrap()
            ));
            ok(json!({"proof": serde_json::from_slice::<J>(&p.to_value().to_canonical()).unwrap()}))
        }
        "prove_consistency" => {
            let p = tri!(merkle::prove_consistency(
                &tri!(leaves(case)),
                case["old_size"].as_u64().unwrap()
            ));
            ok(json!({"proof": serde_json::from_slice::<J>(&p.to_value().to_canonical()).unwrap()}))
        }
        "verify_inclusion" => {
            let text = case["proof"].to_string();
            let proof = tri!(InclusionProof::from_value(&tri!(json::parse(
                text.as_bytes(),
                &Limits::default()
            ))));
            let root = tri!(Digest::parse(case["root"].as_str().unwrap()));
            let record = case["record"].as_str().unwrap().as_bytes();
            let leaf = merkle::leaf_hash(&tri!(json::canonicalize(record, &Limits::default())));
            let tree_size = case["tree_size"].as_u64().unwrap();
            tri!(federation::verify_inclusion_at(
                &root, tree_size, &leaf, &proof
            ));
            ok(json!({}))
        }
        "verify_consistency" => {
            let text = case["proof"].to_string();
            let proof = tri!(ConsistencyProof::from_value(&tri!(json::parse(
                text.as_bytes(),
                &Limits::default()
            ))));
            let old = tri!(Digest::parse(case["old_root"].as_str().unwrap()));
            let new = tri!(Digest::parse(case["new_root"].as_str().unwrap()));
            tri!(merkle::verify_consistency(&old, &new, &proof));
            ok(json!({}))
        }
        "verify_evidence" => {
            let found = tri!(witness::verify_evidence(&tri!(parse_text(text())), &keys));
            match found {
                witness::Contradiction::BadSample(i) => {
                    ok(json!({"contradiction": found.kind(), "index": i}))
                }
                _ => ok(json!({"contradiction": found.kind()})),
            }
        }
        "witness_round" => {
            let new = tri!(federation::verify_checkpoint(
                &tri!(parse_text(text())),
                &keys
            ));
            let accepted = match case["accepted"].as_str() {
                Some(a) => Some(tri!(federation::verify_checkpoint(
                    &tri!(parse_text(a)),
                    &keys
                ))),
                None => None,
            };
            let consistency = match case.get("consistency_proof") {
                Some(p) => {
                    let text = p.to_string();
                    Some(tri!(ConsistencyProof::from_value(&tri!(json::parse(
                        text.as_bytes(),
                        &Limits::default()
                    )))))
                }
                None => None,
            };
            let mut held = Vec::new();
            for s in case["samples"].as_array().unwrap() {
                let text = s["proof"].to_string();
                let proof = tri!(InclusionProof::from_value(&tri!(json::parse(
                    text.as_bytes(),
                    &Limits::default()
                ))));
                let receipt = s["receipt"].as_str().unwrap().as_bytes().to_vec();
                held.push((s["index"].as_u64().unwrap(), receipt, proof));
            }
            let samples: Vec<witness::Sample<'_>> = held
                .iter()
                .map(|(index, receipt, proof)| witness::Sample {
                    index: *index,
                    receipt,
                    proof,
                })
                .collect();
            match tri!(witness::judge(
                accepted.as_ref(),
                &new,
                consistency.as_ref(),
                &samples
            )) {
                witness::Verdict::Verified { samples_checked } => {
                    ok(json!({"verdict": "verified", "samples_checked": samples_checked}))
                }
                witness::Verdict::Discrepancy(c) => match c {
                    witness::Contradiction::BadSample(i) => {
                        ok(json!({"verdict": "discrepancy", "contradiction": c.kind(), "index": i}))
                    }
                    _ => ok(json!({"verdict": "discrepancy", "contradiction": c.kind()})),
                },
                witness::Verdict::OutOfStep { accepted_size } => {
                    ok(json!({"verdict": "out_of_step", "accepted_size": accepted_size}))
                }
            }
        }
        op => panic!("unknown op {op}"),
    }
}
