//! A witness round's verdict and discrepancy evidence (`witness`, docs/SPEC.md §7.9), over
//! checkpoints signed here: an honest peer, a split view, an inconsistent history and a bad
//! sample, and evidence that does not prove what it claims.

use serde_json::json;
use vaultmesh_core::federation::{self, Checkpoint};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::merkle::{self, InclusionProof};
use vaultmesh_core::record::{Keyring, Kind};
use vaultmesh_core::sign::SecretKey;
use vaultmesh_core::witness::{self, Contradiction, Sample, Verdict};
use vaultmesh_core::{Digest, Error};

const MESH: &str = "did:vm:mesh:vaultmesh-dublin";

struct Peer {
    key: SecretKey,
    receipts: Vec<Vec<u8>>,
}

impl Peer {
    fn new(n: usize) -> Peer {
        let receipts = (0..n)
            .map(|i| {
                json!({"event": "compliance_check", "i": i})
                    .to_string()
                    .into_bytes()
            })
            .collect();
        Peer {
            key: SecretKey::from_seed([7; 32]),
            receipts,
        }
    }

    fn leaves(&self, n: usize) -> Vec<Digest> {
        self.receipts[..n]
            .iter()
            .map(|r| merkle::leaf_hash(r))
            .collect()
    }

    fn keyring(&self) -> Keyring {
        let mut ring = Keyring::new();
        ring.insert(MESH, self.key.public_key());
        ring
    }

    /// The signed checkpoint (canonical bytes) of size `n` with `root`.
    fn checkpoint_with(&self, n: usize, root: Digest) -> Vec<u8> {
        let record = json!({"type": "scroll_checkpoint", "mesh_id": MESH, "scroll": "Compliance",
            "tree_size": n, "root": root.to_string(), "timestamp": "2025-12-06T12:00:00Z"});
        self.key
            .sign(
                Some(Kind::ScrollCheckpoint),
                record.to_string().as_bytes(),
                &Limits::default(),
            )
            .unwrap()
    }

    fn checkpoint(&self, n: usize) -> Vec<u8> {
        self.checkpoint_with(n, merkle::root(&self.leaves(n)))
    }
}

fn parse(bytes: &[u8]) -> Value<'_> {
    json::parse(bytes, &Limits::default()).unwrap()
}

fn verified(peer: &Peer, bytes: &[u8]) -> Checkpoint {
    federation::verify_checkpoint(&parse(bytes), &peer.keyring()).unwrap()
}

#[test]
fn sampled_indexes_are_distinct_in_range_and_follow_the_seed() {
    let a = witness::sample_indexes(&[1; 32], 1_000_000, 5);
    assert_eq!(a.len(), 5);
    assert!(a.iter().all(|i| *i < 1_000_000));
    let mut sorted = a.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "{a:?}");
    assert_eq!(witness::sample_indexes(&[1; 32], 1_000_000, 5), a);
    assert_ne!(witness::sample_indexes(&[2; 32], 1_000_000, 5), a);
    // A small tree is sampled whole; the count is capped.
    assert_eq!(witness::sample_indexes(&[1; 32], 3, 5), [0, 1, 2]);
    assert_eq!(
        witness::sample_indexes(&[1; 32], u64::MAX, 1000).len(),
        witness::MAX_SAMPLES
    );
    assert!(witness::sample_indexes(&[1; 32], 0, 5).is_empty());
    // Every index of a tree of 10 turns up over many seeds (no index is unreachable).
    let mut seen = [false; 10];
    for s in 0..64u8 {
        for i in witness::sample_indexes(&[s; 32], 10, 2) {
            seen[i as usize] = true;
        }
    }
    assert!(seen.iter().all(|s| *s));
}

#[test]
fn an_honest_peer_is_verified_with_its_samples() {
    let peer = Peer::new(40);
    let old = verified(&peer, &peer.checkpoint(25));
    let new = verified(&peer, &peer.checkpoint(40));
    let leaves = peer.leaves(40);
    let consistency = merkle::prove_consistency(&leaves, 25).unwrap();
    let indexes = witness::sample_indexes(&[9; 32], 40, 5);
    let proofs: Vec<InclusionProof> = indexes
        .iter()
        .map(|i| merkle::prove_inclusion(&leaves, *i).unwrap())
        .collect();
    let samples: Vec<Sample<'_>> = indexes
        .iter()
        .zip(&proofs)
        .map(|(i, proof)| Sample {
            index: *i,
            receipt: &peer.receipts[*i as usize],
            proof,
        })
        .collect();
    assert_eq!(
        witness::judge(Some(&old), &new, Some(&consistency), &samples).unwrap(),
        Verdict::Verified {
            samples_checked: indexes.clone()
        }
    );
    // The first round has nothing to be consistent with; the same checkpoint again is fine.
    assert!(matches!(
        witness::judge(None, &new, None, &samples).unwrap(),
        Verdict::Verified { .. }
    ));
    assert!(matches!(
        witness::judge(Some(&new), &new, None, &[]).unwrap(),
        Verdict::Verified { .. }
    ));
    // An older checkpoint: the witness is ahead, nothing is concluded.
    assert_eq!(
        witness::judge(Some(&new), &old, None, &[]).unwrap(),
        Verdict::OutOfStep { accepted_size: 40 }
    );
    // A larger checkpoint without a consistency proof is the caller's error.
    let f = witness::judge(Some(&old), &new, None, &[]).unwrap_err();
    assert_eq!(f.error, Error::ConsistencyProofRequired);
    // A sample outside the tree, or whose proof is for another index, too.
    let stray = Sample {
        index: 3,
        receipt: &peer.receipts[3],
        proof: &proofs[0],
    };
    if proofs[0].leaf_index != 3 {
        let f = witness::judge(None, &new, None, &[stray]).unwrap_err();
        assert_eq!(f.error, Error::IndexOutOfRange);
    }
}

#[test]
fn a_split_view_is_caught_and_its_evidence_stands_alone() {
    let peer = Peer::new(10);
    let honest = peer.checkpoint(10);
    let other = peer.checkpoint_with(10, merkle::root(&peer.leaves(9)));
    let (a, b) = (verified(&peer, &honest), verified(&peer, &other));
    assert_eq!(
        witness::judge(Some(&a), &b, None, &[]).unwrap(),
        Verdict::Discrepancy(Contradiction::SplitView)
    );
    let evidence = format!(
        r#"{{"kind":"split_view","checkpoints":[{},{}]}}"#,
        String::from_utf8_lossy(&honest),
        String::from_utf8_lossy(&other)
    );
    assert_eq!(
        witness::verify_evidence(&parse(evidence.as_bytes()), &peer.keyring()).unwrap(),
        Contradiction::SplitView
    );
    // The same checkpoint twice proves nothing.
    let same = format!(
        r#"{{"kind":"split_view","checkpoints":[{0},{0}]}}"#,
        String::from_utf8_lossy(&honest)
    );
    let f = witness::verify_evidence(&parse(same.as_bytes()), &peer.keyring()).unwrap_err();
    assert_eq!(f.error, Error::EvidenceNotConclusive);
    // A forged checkpoint (another key) does not verify: the witness cannot frame the peer.
    let mallory = Peer {
        key: SecretKey::from_seed([8; 32]),
        receipts: peer.receipts.clone(),
    };
    let forged = format!(
        r#"{{"kind":"split_view","checkpoints":[{},{}]}}"#,
        String::from_utf8_lossy(&honest),
        String::from_utf8_lossy(&mallory.checkpoint_with(10, merkle::root(&peer.leaves(9))))
    );
    let f = witness::verify_evidence(&parse(forged.as_bytes()), &peer.keyring()).unwrap_err();
    assert_eq!(f.error, Error::SignatureMismatch);
}

#[test]
fn an_inconsistent_history_and_a_bad_sample_are_caught() {
    let peer = Peer::new(20);
    let old_bytes = peer.checkpoint(8);
    // A later checkpoint over a history whose first 8 receipts differ.
    let mut rewritten = peer.leaves(20);
    rewritten[2] = merkle::leaf_hash(b"{\"rewritten\":true}");
    let new_bytes = peer.checkpoint_with(20, merkle::root(&rewritten));
    let (old, new) = (verified(&peer, &old_bytes), verified(&peer, &new_bytes));
    let served = merkle::prove_consistency(&rewritten, 8).unwrap();
    assert_eq!(
        witness::judge(Some(&old), &new, Some(&served), &[]).unwrap(),
        Verdict::Discrepancy(Contradiction::Inconsistent)
    );
    let evidence = format!(
        r#"{{"kind":"inconsistent","checkpoints":[{},{}],"consistency_proof":{}}}"#,
        String::from_utf8_lossy(&old_bytes),
        String::from_utf8_lossy(&new_bytes),
        String::from_utf8(served.to_value().to_canonical()).unwrap()
    );
    assert_eq!(
        witness::verify_evidence(&parse(evidence.as_bytes()), &peer.keyring()).unwrap(),
        Contradiction::Inconsistent
    );
    // With the honest history the same shape of evidence shows nothing.
    let honest_new = peer.checkpoint(20);
    let honest_proof = merkle::prove_consistency(&peer.leaves(20), 8).unwrap();
    let cleared = format!(
        r#"{{"kind":"inconsistent","checkpoints":[{},{}],"consistency_proof":{}}}"#,
        String::from_utf8_lossy(&old_bytes),
        String::from_utf8_lossy(&honest_new),
        String::from_utf8(honest_proof.to_value().to_canonical()).unwrap()
    );
    let f = witness::verify_evidence(&parse(cleared.as_bytes()), &peer.keyring()).unwrap_err();
    assert_eq!(f.error, Error::EvidenceNotConclusive);

    // A sample: receipt 5 with the proof of receipt 6's position is not under the signed root.
    let honest = verified(&peer, &honest_new);
    let mut wrong = merkle::prove_inclusion(&peer.leaves(20), 6).unwrap();
    wrong.leaf_index = 5;
    let sample = Sample {
        index: 5,
        receipt: &peer.receipts[5],
        proof: &wrong,
    };
    assert_eq!(
        witness::judge(None, &honest, None, &[sample]).unwrap(),
        Verdict::Discrepancy(Contradiction::BadSample(5))
    );
    let evidence = format!(
        r#"{{"kind":"bad_sample","checkpoints":[{}],"index":5,"receipt":{},"inclusion_proof":{}}}"#,
        String::from_utf8_lossy(&honest_new),
        String::from_utf8_lossy(&peer.receipts[5]),
        String::from_utf8(wrong.to_value().to_canonical()).unwrap()
    );
    assert_eq!(
        witness::verify_evidence(&parse(evidence.as_bytes()), &peer.keyring()).unwrap(),
        Contradiction::BadSample(5)
    );
    let unknown = r#"{"kind":"rumour","checkpoints":[]}"#;
    let f = witness::verify_evidence(&parse(unknown.as_bytes()), &peer.keyring()).unwrap_err();
    assert_eq!((f.error, f.field), (Error::InvalidField, Some("kind")));
}

#[test]
fn round_intervals_follow_the_frequency_names() {
    assert_eq!(witness::round_interval_secs("hourly"), Some(3_600));
    assert_eq!(witness::round_interval_secs("daily"), Some(86_400));
    assert_eq!(witness::round_interval_secs("weekly"), Some(604_800));
    assert_eq!(witness::round_interval_secs("Hourly"), None);
    assert_eq!(witness::round_interval_secs(""), None);
}
