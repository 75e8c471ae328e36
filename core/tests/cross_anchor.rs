//! A cross-anchor's entries proven one by one under its `combined_root` (§8): what the
//! anchoring mesh serves each anchored peer, checked against a published vector.

use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::{Digest, Error};

fn parse(bytes: &[u8]) -> Value<'_> {
    json::parse(bytes, &Limits::default()).unwrap()
}

#[test]
fn each_anchored_root_is_proven_under_the_combined_root_of_a_published_cross_anchor() {
    // The first valid case of test-vectors/cross-anchors.json: Dublin anchors Lisbon's roots.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-vectors/cross-anchors.json"
    ))
    .unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let case = file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["expect"]["valid"] == true)
        .unwrap();
    let input = case["input"].as_str().unwrap();
    let record = parse(input.as_bytes());
    let o = record.as_object().unwrap();
    let text_of = |name: &str| o.get(name).and_then(Value::as_str).unwrap();
    let roots = |name: &str| o.get(name).and_then(Value::as_object).unwrap();
    let anchoring = (text_of("anchoring_mesh"), roots("anchoring_roots"));
    let anchored = (text_of("anchored_mesh"), roots("roots_included"));
    let combined = Digest::parse(text_of("combined_root")).unwrap();
    assert_eq!(
        federation::combined_root(anchoring, anchored).unwrap(),
        combined
    );
    let mut proven = 0;
    for (mesh, map) in [anchoring, anchored] {
        for (scroll, root) in &map.members {
            let (served, proof) =
                federation::anchored_root_proof(anchoring, anchored, mesh, scroll)
                    .unwrap()
                    .unwrap();
            assert_eq!(served, root.as_str().unwrap());
            federation::verify_anchored_root(&combined, mesh, scroll, &served, &proof).unwrap();
            // Another root for the same entry, or the entry of another scroll, is not proven.
            let other = Digest([9; 32]).to_string();
            let f = federation::verify_anchored_root(&combined, mesh, scroll, &other, &proof);
            assert_eq!(f.unwrap_err().error, Error::InclusionProofMismatch);
            proven += 1;
        }
    }
    assert_eq!(proven, 4);
    let none = federation::anchored_root_proof(anchoring, anchored, "did:vm:mesh:oslo", "Drills");
    assert!(none.unwrap().is_none());
}
