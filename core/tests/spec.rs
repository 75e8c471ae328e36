//! `docs/SPEC.md` states the format in full; the parts that restate code — the error table, the
//! record field tables and the worked examples (taken from `test-vectors/`) — are generated
//! here and must match the committed document. `VAULTMESH_BLESS=1` rewrites them.

use std::fmt::Write;
use std::path::PathBuf;

use serde_json::Value as J;
use vaultmesh_core::record::field::{Field, FieldType};
use vaultmesh_core::record::{Signer, KINDS};
use vaultmesh_core::Error;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn errors_table() -> String {
    let mut s = String::from("| code | name | meaning |\n|---:|---|---|\n");
    for e in Error::ALL {
        writeln!(s, "| {} | `{}` | {} |", e.code(), e.name(), e.message()).unwrap();
    }
    s
}

fn type_name(t: FieldType) -> String {
    match t {
        FieldType::String => "string".into(),
        FieldType::Name => "name".into(),
        FieldType::Digest => "digest".into(),
        FieldType::Timestamp => "timestamp".into(),
        FieldType::MeshId => "mesh".into(),
        FieldType::ActorId => "actor".into(),
        FieldType::ActorOrEngine => "actor-or-engine".into(),
        FieldType::PublicKey => "key".into(),
        FieldType::UInt => "uint".into(),
        FieldType::TrustLevel => "trust level".into(),
        FieldType::Bool => "bool".into(),
        FieldType::Object => "object".into(),
        FieldType::Array => "array".into(),
        FieldType::Enum(v) => format!(
            "enum: {}",
            v.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FieldType::RootMap => "root map".into(),
        FieldType::Scroll => "scroll".into(),
        FieldType::Scrolls => "array of scrolls".into(),
        FieldType::Strings => "array of strings".into(),
        FieldType::Weight => "weight".into(),
        FieldType::Version => "version".into(),
        FieldType::HttpsUrl => "https URL".into(),
        FieldType::Any => "any".into(),
        FieldType::Nested(_) => "object (members below)".into(),
    }
}

/// One row per field, a nested object's members after it under their full path.
fn field_rows(s: &mut String, fields: &[Field]) {
    for f in fields {
        let required = if f.required { "yes" } else { "no" };
        writeln!(s, "| `{}` | {} | {required} |", f.path, type_name(f.ty)).unwrap();
        if let FieldType::Nested(inner) = f.ty {
            field_rows(s, inner);
        }
    }
}

fn kinds_tables() -> String {
    let mut s = String::new();
    for k in KINDS.iter() {
        let signer = match k.signer {
            Signer::OwnKeyField(f) => format!("its own `{f}`"),
            Signer::ActorField(f) => format!("keyring[`{f}`]"),
            Signer::Parties => "every party (§7.1)".into(),
        };
        let typed = if k.typed {
            format!("typed (`\"type\": \"{}\"`)", k.domain)
        } else {
            "untyped".into()
        };
        writeln!(
            s,
            "**{:?}** — domain `{}`, {typed}, signature member `{}`, signed by {signer}.\n",
            k.kind, k.domain, k.signature_field
        )
        .unwrap();
        s.push_str("| field | type | required |\n|---|---|---|\n");
        field_rows(&mut s, k.fields);
        s.push('\n');
    }
    s
}

fn case<'a>(file: &'a J, name: &str) -> &'a J {
    file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
}

fn load(name: &str) -> J {
    serde_json::from_str(&std::fs::read_to_string(root().join("test-vectors").join(name)).unwrap())
        .unwrap()
}

fn examples() -> String {
    let mut s = String::new();
    let canon = load("canonical-json.json");
    let c = case(&canon, "UTF-16 member order");
    writeln!(s, "**Canonical JSON** (`canonical-json.json`, \"UTF-16 member order\"): the input\n\n```json\n{}\n```\n\ncanonicalises to\n\n```json\n{}\n```\n",
        c["input"].as_str().unwrap(), c["expect"]["canonical"].as_str().unwrap()).unwrap();
    let sigs = load("signatures.json");
    let v = case(&sigs, "gov_vote: valid");
    let input = v["input"].as_str().unwrap();
    let record: J = serde_json::from_str(input).unwrap();
    let mut body = record.clone();
    body.as_object_mut().unwrap().remove("signature");
    writeln!(s, "**A signed vote** (`signatures.json`, \"gov_vote: valid\"), signed by `did:vm:human:alice` with key `{}`. The record, canonical:\n\n```json\n{}\n```\n",
        sigs["keyring"]["did:vm:human:alice"].as_str().unwrap(), input).unwrap();
    let canonical_body =
        vaultmesh_core::json::canonicalize(body.to_string().as_bytes(), &Default::default())
            .unwrap();
    writeln!(s, "The signed bytes are `vaultmesh-sig-v1` 0x00 `gov_vote` 0x00 followed by the {} canonical bytes of the record without `signature`; `receipt_hash` is `{}`.\n",
        canonical_body.len(), v["expect"]["receipt_hash"].as_str().unwrap()).unwrap();
    let roots = load("merkle-roots.json");
    let r = case(&roots, "3 receipts");
    writeln!(s, "**A Merkle root** (`merkle-roots.json`, \"3 receipts\"): the receipts\n\n```json\n{}\n```\n\nhave root `{}` (MTH([]) is `{}`).\n",
        r["records"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect::<Vec<_>>().join("\n"),
        r["expect"]["root"].as_str().unwrap(), case(&roots, "0 receipts")["expect"]["root"].as_str().unwrap()).unwrap();
    let inc = load("inclusion-proofs.json");
    let p = case(&inc, "verify 3 of 7");
    writeln!(s, "**An inclusion proof** (`inclusion-proofs.json`, \"verify 3 of 7\") for receipt 3 of 7 under root `{}`:\n\n```json\n{}\n```\n",
        p["root"].as_str().unwrap(), serde_json::to_string_pretty(&p["proof"]).unwrap()).unwrap();
    let agr = load("agreements.json");
    let a = case(&agr, "valid, trust level 3");
    writeln!(
        s,
        "**An agreement** (`agreements.json`, \"valid, trust level 3\"):\n\n```json\n{}\n```\n",
        serde_json::to_string_pretty(
            &serde_json::from_str::<J>(a["input"].as_str().unwrap()).unwrap()
        )
        .unwrap()
    )
    .unwrap();
    s
}

fn replace_between(doc: &str, tag: &str, body: &str) -> String {
    let (begin, end) = (
        format!("<!-- {tag}:begin -->\n"),
        format!("<!-- {tag}:end -->"),
    );
    let i = doc.find(&begin).unwrap() + begin.len();
    let j = doc.find(&end).unwrap();
    format!("{}{}{}", &doc[..i], body, &doc[j..])
}

#[test]
fn spec_restates_the_code() {
    let path = root().join("docs/SPEC.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let mut want = replace_between(&doc, "errors", &errors_table());
    want = replace_between(&want, "kinds", &kinds_tables());
    want = replace_between(&want, "examples", &examples());
    if std::env::var_os("VAULTMESH_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    } else {
        assert!(doc == want, "docs/SPEC.md differs from the code and vectors; run VAULTMESH_BLESS=1 cargo test -p vaultmesh-core --test spec");
    }
}
