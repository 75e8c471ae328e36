//! The witness's decisions, as pure functions (docs/SPEC.md §7.9): what one round concludes
//! from a peer's signed checkpoint, the consistency proof and the sampled receipts it served,
//! and how anyone later confirms a `discrepancy` from its evidence alone.
//!
//! The shape follows C2SP tlog-witness (`add-checkpoint`): a witness keeps, per peer and
//! scroll, the last checkpoint it accepted; a new one must be consistent with it; an older one
//! is out of step (the peer resynchronises from the size the witness reports). A C2SP witness
//! checks only consistency. This one also samples receipts at indexes the peer cannot predict
//! ([`sample_indexes`], from the witness's own randomness) and checks each against the signed
//! root, so a mesh that signs roots over receipts it does not serve is caught too.
//!
//! Evidence is a JSON object that carries the peer's own signed records, so that verifying it
//! ([`verify_evidence`]) needs no trust in the witness:
//! - `split_view`: two checkpoints of one scroll and size with different roots. Conclusive on
//!   its own: an honest log has one root per size.
//! - `inconsistent`: an earlier and a later checkpoint and the consistency proof the peer served,
//!   which does not connect them.
//! - `bad_sample`: a checkpoint, a receipt at `index` and the inclusion proof the peer served,
//!   which does not lead to the signed root.
//!
//! The last two show that what the peer served contradicts what it signed; the mesh can only
//! answer them by producing a proof that does verify, which an honest mesh always can.

use alloc::vec::Vec;

use crate::error::Error;
use crate::federation::{self, Checkpoint};
use crate::json::{Object, Value};
use crate::merkle::{self, ConsistencyProof, InclusionProof};
use crate::record::{Failure, Keyring};

/// The most receipts one round samples: a sample costs the peer one inclusion proof.
pub const MAX_SAMPLES: usize = 64;

/// The `terms.verification_frequency` names an agreement may use, and the longest a witness
/// lets pass between two rounds of a shared scroll under each, in seconds.
pub const FREQUENCIES: [(&str, u64); 3] =
    [("hourly", 3_600), ("daily", 86_400), ("weekly", 604_800)];

/// The longest interval between rounds for `frequency` (see [`FREQUENCIES`]); `None` for a name
/// not in it.
pub fn round_interval_secs(frequency: &str) -> Option<u64> {
    FREQUENCIES
        .iter()
        .find(|(name, _)| *name == frequency)
        .map(|(_, secs)| *secs)
}

/// Draws `count` distinct receipt indexes below `tree_size` (all of them when `count` is not
/// smaller) from `seed`, the witness's fresh randomness for this round. BLAKE3 in keyed XOF
/// mode over the tree size, read 8 bytes at a time and reduced by rejection sampling, so each
/// index is uniform; the result is in drawing order. `count` is capped at [`MAX_SAMPLES`].
pub fn sample_indexes(seed: &[u8; 32], tree_size: u64, count: usize) -> Vec<u64> {
    let count = count.min(MAX_SAMPLES);
    if tree_size <= count as u64 {
        return (0..tree_size).collect();
    }
    let mut hasher = blake3::Hasher::new_keyed(seed);
    hasher.update(b"vaultmesh witness sample v1");
    hasher.update(&tree_size.to_be_bytes());
    let mut stream = hasher.finalize_xof();
    // The largest multiple of tree_size that fits: values at or above it would bias the result.
    let zone = u64::MAX - u64::MAX % tree_size;
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count {
        let mut word = [0u8; 8];
        stream.fill(&mut word);
        let value = u64::from_be_bytes(word);
        if value >= zone {
            continue;
        }
        let index = value % tree_size;
        if !picked.contains(&index) {
            picked.push(index);
        }
    }
    picked
}

/// A sampled receipt as the peer served it: its canonical bytes and its inclusion proof.
#[derive(Clone, Copy, Debug)]
pub struct Sample<'a> {
    /// The index the witness asked for.
    pub index: u64,
    /// The receipt's canonical (RFC 8785) bytes.
    pub receipt: &'a [u8],
    /// The inclusion proof the peer served for it.
    pub proof: &'a InclusionProof,
}

/// What a peer's checkpoint contradicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contradiction {
    /// Another root for a size the witness accepted.
    SplitView,
    /// The consistency proof from the accepted checkpoint does not verify.
    Inconsistent,
    /// The sampled receipt at this index is not in the signed tree.
    BadSample(u64),
}

impl Contradiction {
    /// The evidence's `kind`.
    pub fn kind(self) -> &'static str {
        match self {
            Contradiction::SplitView => "split_view",
            Contradiction::Inconsistent => "inconsistent",
            Contradiction::BadSample(_) => "bad_sample",
        }
    }
}

/// The conclusion of one round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Everything checked: the checkpoint becomes the accepted one. `samples_checked` lists
    /// the sampled indexes in the order given.
    Verified {
        /// The indexes whose receipts and proofs were checked.
        samples_checked: Vec<u64>,
    },
    /// The peer contradicted itself (evidence: [`verify_evidence`]).
    Discrepancy(Contradiction),
    /// The checkpoint is smaller than the one accepted: the witness is ahead (C2SP answers
    /// 409 with its size); nothing changes.
    OutOfStep {
        /// The size of the accepted checkpoint.
        accepted_size: u64,
    },
}

/// Judges a verified checkpoint `new` against the one the witness accepted of that scroll
/// (`None` the first time), with the consistency proof the peer served (needed when `new` is
/// larger) and the samples it served. Both checkpoints must have been verified already
/// ([`federation::verify_checkpoint`]); they must name the same mesh and scroll
/// (`CHECKPOINT_MISMATCH` otherwise). A missing consistency proof for a larger checkpoint, or a
/// sample for an index outside the tree, is an error of the caller, not a discrepancy.
pub fn judge(
    accepted: Option<&Checkpoint>,
    new: &Checkpoint,
    consistency: Option<&ConsistencyProof>,
    samples: &[Sample<'_>],
) -> Result<Verdict, Failure> {
    if let Some(old) = accepted {
        if old.mesh_id != new.mesh_id || old.scroll != new.scroll {
            return Err(Failure::at(Error::CheckpointMismatch, "scroll"));
        }
        if new.tree_size < old.tree_size {
            return Ok(Verdict::OutOfStep {
                accepted_size: old.tree_size,
            });
        }
        if new.tree_size == old.tree_size {
            if new.root != old.root {
                return Ok(Verdict::Discrepancy(Contradiction::SplitView));
            }
        } else if old.tree_size > 0 {
            let proof = consistency.ok_or(Failure::at(Error::ConsistencyProofRequired, "proof"))?;
            if proof.old_size != old.tree_size || proof.new_size != new.tree_size {
                return Err(Failure::at(Error::CheckpointMismatch, "tree_size"));
            }
            if merkle::verify_consistency(&old.root, &new.root, proof).is_err() {
                return Ok(Verdict::Discrepancy(Contradiction::Inconsistent));
            }
        }
    }
    let mut checked = Vec::with_capacity(samples.len());
    for sample in samples {
        if sample.index >= new.tree_size || sample.proof.leaf_index != sample.index {
            return Err(Failure::at(Error::IndexOutOfRange, "index"));
        }
        let leaf = merkle::leaf_hash(sample.receipt);
        if federation::verify_inclusion_at(&new.root, new.tree_size, &leaf, sample.proof).is_err() {
            return Ok(Verdict::Discrepancy(Contradiction::BadSample(sample.index)));
        }
        checked.push(sample.index);
    }
    Ok(Verdict::Verified {
        samples_checked: checked,
    })
}

fn member<'v, 'a>(object: &'v Object<'a>, field: &'static str) -> Result<&'v Value<'a>, Failure> {
    object
        .get(field)
        .ok_or(Failure::at(Error::MissingField, field))
}

/// Confirms a discrepancy from its evidence alone (the shapes are in the module docs and
/// docs/SPEC.md §7.9): every checkpoint in it verifies under `keyring` (the witnessed mesh's
/// key), they are of one mesh and scroll, and the contradiction holds. Evidence that verifies
/// but shows no contradiction is `EVIDENCE_NOT_CONCLUSIVE`.
pub fn verify_evidence(evidence: &Value<'_>, keyring: &Keyring) -> Result<Contradiction, Failure> {
    let object = evidence
        .as_object()
        .ok_or(Failure::from(Error::NotAnObject))?;
    let kind = member(object, "kind")?
        .as_str()
        .ok_or(Failure::at(Error::InvalidField, "kind"))?;
    let listed = member(object, "checkpoints")?
        .as_array()
        .ok_or(Failure::at(Error::InvalidField, "checkpoints"))?;
    let expected = if kind == "split_view" || kind == "inconsistent" {
        2
    } else if kind == "bad_sample" {
        1
    } else {
        return Err(Failure::at(Error::InvalidField, "kind"));
    };
    if listed.len() != expected {
        return Err(Failure::at(Error::EvidenceNotConclusive, "checkpoints"));
    }
    let mut checkpoints = Vec::with_capacity(2);
    for record in listed {
        checkpoints.push(federation::verify_checkpoint(record, keyring)?);
    }
    let first = &checkpoints[0];
    let last = &checkpoints[checkpoints.len() - 1];
    if first.mesh_id != last.mesh_id || first.scroll != last.scroll {
        return Err(Failure::at(Error::CheckpointMismatch, "checkpoints"));
    }
    let not_conclusive = Failure::at(Error::EvidenceNotConclusive, "checkpoints");
    match kind {
        "split_view" => {
            if first.tree_size == last.tree_size && first.root != last.root {
                Ok(Contradiction::SplitView)
            } else {
                Err(not_conclusive)
            }
        }
        "inconsistent" => {
            let proof = ConsistencyProof::from_value(member(object, "consistency_proof")?)
                .map_err(|e| Failure::at(e, "consistency_proof"))?;
            if first.tree_size >= last.tree_size
                || proof.old_size != first.tree_size
                || proof.new_size != last.tree_size
            {
                return Err(Failure::at(Error::CheckpointMismatch, "consistency_proof"));
            }
            match merkle::verify_consistency(&first.root, &last.root, &proof) {
                Ok(()) => Err(not_conclusive),
                Err(_) => Ok(Contradiction::Inconsistent),
            }
        }
        _ => {
            let proof = InclusionProof::from_value(member(object, "inclusion_proof")?)
                .map_err(|e| Failure::at(e, "inclusion_proof"))?;
            let index = member(object, "index")?
                .as_u64()
                .ok_or(Failure::at(Error::NotAnInteger, "index"))?;
            if index >= first.tree_size || proof.leaf_index != index {
                return Err(Failure::at(Error::IndexOutOfRange, "index"));
            }
            let receipt = member(object, "receipt")?;
            if receipt.as_object().is_none() {
                return Err(Failure::at(Error::InvalidField, "receipt"));
            }
            let leaf = merkle::leaf_hash(&receipt.to_canonical());
            match federation::verify_inclusion_at(&first.root, first.tree_size, &leaf, &proof) {
                Ok(()) => Err(not_conclusive),
                Err(_) => Ok(Contradiction::BadSample(index)),
            }
        }
    }
}
