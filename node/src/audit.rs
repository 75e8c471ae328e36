//! `vm-node verify-store`: re-derives everything the store holds, with the core.
//!
//! For every scroll: receipts are contiguous from index 0, each body is its own canonical form
//! (strict parse, RFC 8785), each stored leaf hash is the core's `leaf_hash` of the body, every
//! complete subtree the core's [`Frontier`] produces is the stored one (and nothing else is
//! stored), receipt signatures verify where the kind and the signer's key are known, and every
//! checkpoint is numbered in order, verifies under the mesh's key, names this mesh and scroll,
//! and signs the root re-derived at its size.

use std::collections::BTreeMap;

use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits};
use vaultmesh_core::merkle::{self, Frontier};
use vaultmesh_core::record::{self, Keyring};
use vaultmesh_core::Error;

use crate::store::{Store, StoreError};

/// One scroll's result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScrollAudit {
    /// Name.
    pub name: String,
    /// Receipts.
    pub size: u64,
    /// Complete subtrees (level ≥ 1) checked.
    pub subtrees: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// Signatures verified.
    pub signatures_verified: u64,
    /// Receipts of a known kind with no known signer key.
    pub unknown_signer: u64,
    /// Receipts of no kind the core knows.
    pub opaque: u64,
}

/// The whole result: per scroll, and every problem found (empty: the store is sound).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// Per scroll.
    pub scrolls: Vec<ScrollAudit>,
    /// Problems, at most 100.
    pub problems: Vec<String>,
}

/// Checks the store. `progress(done, total)` is called every few thousand receipts.
pub fn verify_store(
    store: &dyn Store,
    mesh_id: &str,
    keyring: &Keyring,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Audit, StoreError> {
    let scrolls = store.scrolls()?;
    let total: u64 = scrolls.iter().map(|s| s.size).sum();
    let mut done = 0u64;
    let mut audit = Audit::default();
    let limits = Limits {
        max_bytes: usize::MAX,
        max_depth: 1 << 10,
    };
    for scroll in scrolls {
        let mut problems: Vec<String> = Vec::new();
        let mut result = ScrollAudit {
            name: scroll.name.clone(),
            size: scroll.size,
            ..Default::default()
        };
        let mut reader = store.reader()?;
        let mut lookup = store.reader()?;
        let checkpoints = reader.checkpoints(scroll.id, 1, u64::MAX)?;
        let mut expected_roots: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for (i, c) in checkpoints.iter().enumerate() {
            if c.seq != i as u64 + 1 {
                problems.push(format!("checkpoint numbers skip before {}", c.seq));
            }
            if c.tree_size > scroll.size {
                problems.push(format!(
                    "checkpoint {} signs size {} beyond the scroll's {}",
                    c.seq, c.tree_size, scroll.size
                ));
            }
            let value = match json::parse_record(&c.body, &limits) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("checkpoint {}: {e}", c.seq));
                    continue;
                }
            };
            match federation::verify_checkpoint(&value, keyring) {
                Ok(cp) => {
                    if cp.mesh_id != mesh_id
                        || cp.scroll != scroll.name
                        || cp.tree_size != c.tree_size
                        || cp.root != c.root
                    {
                        problems.push(format!(
                            "checkpoint {}: {}",
                            c.seq,
                            Error::CheckpointMismatch
                        ));
                    }
                }
                Err(f) => problems.push(format!("checkpoint {}: {f}", c.seq)),
            }
            if value.to_canonical() != c.body {
                problems.push(format!("checkpoint {} is not stored canonically", c.seq));
            }
            expected_roots.entry(c.tree_size).or_default().push(c.seq);
        }

        let mut frontier = Frontier::new();
        let check_roots =
            |frontier: &Frontier, problems: &mut Vec<String>, result: &mut ScrollAudit| {
                if let Some(seqs) = expected_roots.get(&frontier.size()) {
                    let root = frontier.root();
                    for seq in seqs {
                        let c = &checkpoints[(*seq - 1) as usize];
                        if c.root != root {
                            problems.push(format!(
                                "checkpoint {seq}: root differs from the receipts' root at size {}",
                                c.tree_size
                            ));
                        }
                        result.checkpoints += 1;
                    }
                }
            };
        check_roots(&frontier, &mut problems, &mut result);
        let mut batch: Vec<Vec<u8>> = Vec::new();
        let flush = |batch: &mut Vec<Vec<u8>>,
                     first: u64,
                     problems: &mut Vec<String>,
                     result: &mut ScrollAudit| {
            let inputs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
            let seed = crate::util::random().unwrap_or([7; 32]);
            for (i, verdict) in record::verify_batch(&inputs, None, keyring, &limits, &seed)
                .into_iter()
                .enumerate()
            {
                match verdict {
                    Ok(_) => result.signatures_verified += 1,
                    Err(f) if f.error == Error::UnknownKind => result.opaque += 1,
                    Err(f) if f.error == Error::UnknownSigner => result.unknown_signer += 1,
                    Err(f) => problems.push(format!("receipt {}: {f}", first + i as u64)),
                }
            }
            batch.clear();
        };
        let mut batch_first = 0;
        reader
            .each_receipt(scroll.id, 0, u64::MAX, &mut |index, body, leaf| {
                if index != frontier.size() {
                    problems.push(format!(
                        "receipt index {index} where {} was expected (a gap)",
                        frontier.size()
                    ));
                    return Err(StoreError("gap".into()));
                }
                match json::parse_record(body, &limits) {
                    Ok(v) if v.to_canonical() == body => {}
                    Ok(_) => problems.push(format!("receipt {index} is not stored canonically")),
                    Err(e) => problems.push(format!("receipt {index}: {e}")),
                }
                if merkle::leaf_hash(body) != *leaf {
                    problems.push(format!(
                        "receipt {index}: stored leaf hash differs from the body's"
                    ));
                }
                let mut missing = None;
                frontier.append_with(merkle::leaf_hash(body), |level, idx, hash| {
                    if level > 0 {
                        result.subtrees += 1;
                        match lookup.subtree(scroll.id, level, idx) {
                            Ok(stored) if stored == *hash => {}
                            Ok(_) => {
                                missing = Some(format!(
                                    "subtree ({level}, {idx}) differs from the receipts'"
                                ))
                            }
                            Err(e) => missing = Some(e.0),
                        }
                    }
                });
                if let Some(m) = missing {
                    problems.push(format!("receipt {index}: {m}"));
                }
                if batch.is_empty() {
                    batch_first = index;
                }
                batch.push(body.to_vec());
                if batch.len() == 1024 {
                    flush(&mut batch, batch_first, &mut problems, &mut result);
                }
                check_roots(&frontier, &mut problems, &mut result);
                done += 1;
                if done % 4096 == 0 {
                    progress(done, total);
                }
                if problems.len() > 100 {
                    return Err(StoreError("too many problems".into()));
                }
                Ok(())
            })
            .or_else(|e| if problems.is_empty() { Err(e) } else { Ok(()) })?;
        flush(&mut batch, batch_first, &mut problems, &mut result);
        if frontier.size() != scroll.size {
            problems.push(format!(
                "{} receipts read, size is {}",
                frontier.size(),
                scroll.size
            ));
        }
        let mut stored_subtrees = 0u64;
        lookup.each_subtree(scroll.id, &mut |_, _, _| {
            stored_subtrees += 1;
            Ok(())
        })?;
        if stored_subtrees != result.subtrees {
            problems.push(format!(
                "{stored_subtrees} subtrees stored, {} expected",
                result.subtrees
            ));
        }
        audit.problems.extend(
            problems
                .into_iter()
                .map(|p| format!("{}: {p}", scroll.name)),
        );
        audit.scrolls.push(result);
    }
    progress(done, total);
    audit.problems.truncate(100);
    Ok(audit)
}
