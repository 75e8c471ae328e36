//! BLAKE3's published vectors, through the core's `Digest::of` (the hash of every receipt,
//! leaf and node).

use vaultmesh_core::Digest;

#[test]
fn every_published_hash() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-vectors/external/blake3/test_vectors.json"
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = file["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 35, "the published file has 35 cases");
    for case in cases {
        let len = case["input_len"].as_u64().unwrap() as usize;
        let input: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let expected = &case["hash"].as_str().unwrap()[..64];
        assert_eq!(
            hex::encode(Digest::of(&input).as_bytes()),
            expected,
            "input_len {len}"
        );
        assert_eq!(Digest::of(&input).to_string(), format!("blake3:{expected}"));
    }
}
