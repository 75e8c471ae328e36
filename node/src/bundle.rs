//! Audit-bundle export in the core's format (`vaultmesh_core::bundle`, docs of that module),
//! and its check by the core's `verify_bundle`.
//!
//! One scroll per bundle:
//!
//! ```text
//! {"type": "vaultmesh_audit_bundle", "version": 1, "created_at", "description",
//!  "keys": {actor: key, …}            the mesh's key and every signer key the node knows
//!  "discovery": [the mesh's self-signed discovery record],
//!  "agreements": [its federation agreements, signed by both parties]   (when it has any)
//!  "scrolls": [{"mesh_id", "scroll",
//!               "checkpoints": [signed checkpoints from --from-checkpoint N on, size > 0],
//!               "consistency": [a proof between each two consecutive checkpoint sizes],
//!               "receipts": [{"record", "proof"}]}]}   from N's size (or 0) to the last
//!               "witnesses": [verified witness receipts about these checkpoints] (when any)
//!                                                     checkpoint, each proven against it
//!  "cross_anchors": [cross-anchors this mesh signed over its root of the scroll] (when any)}
//! ```
//!
//! Everything comes from the store with `O(log n)` reads per proof.

use std::fmt::Write as _;

use vaultmesh_core::bundle::{self as core_bundle, Overall, BUNDLE_LIMITS};
use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::merkle;
use vaultmesh_core::record::Keyring;
use vaultmesh_core::Digest;

use crate::store::{CheckpointRow, Store, StoreRead};

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Runs a subtree-store function of the core over a reader, keeping the first read failure.
fn from_store<T>(
    reader: &mut dyn StoreRead,
    scroll: i64,
    f: impl FnOnce(&mut dyn FnMut(u32, u64) -> Digest) -> T,
) -> Result<T, String> {
    let mut failure = None;
    let out = f(&mut |level, index| {
        reader.subtree(scroll, level, index).unwrap_or_else(|e| {
            failure.get_or_insert(e);
            Digest([0; 32])
        })
    });
    match failure {
        Some(e) => Err(e.to_string()),
        None => Ok(out),
    }
}

/// Why an export failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// No such scroll.
    UnknownScroll(String),
    /// No checkpoint in the range asked for.
    NoCheckpoint(String),
    /// More receipts than one bundle holds.
    TooLarge(String),
    /// The store failed.
    Store(String),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::UnknownScroll(m)
            | ExportError::NoCheckpoint(m)
            | ExportError::TooLarge(m)
            | ExportError::Store(m) => f.write_str(m),
        }
    }
}

impl From<String> for ExportError {
    fn from(e: String) -> ExportError {
        ExportError::Store(e)
    }
}

/// Most receipts in one bundle: with their proofs they stay well inside the core's 64 MiB
/// bundle limit (`BUNDLE_LIMITS`).
pub const MAX_BUNDLE_RECEIPTS: u64 = 20_000;

/// Writes the bundle of `scroll` from checkpoint `from_checkpoint` (default: every checkpoint
/// and every receipt from 0) to checkpoint `to_checkpoint` (default: the latest).
pub fn export(
    store: &dyn Store,
    mesh_id: &str,
    discovery: &[u8],
    keyring: &Keyring,
    scroll: &str,
    from_checkpoint: Option<u64>,
    to_checkpoint: Option<u64>,
) -> Result<Vec<u8>, ExportError> {
    export_with_progress(
        store,
        mesh_id,
        discovery,
        keyring,
        scroll,
        (from_checkpoint, to_checkpoint),
        &mut |_, _| {},
    )
}

/// [`export`], calling `progress(done, total)` as the receipts' inclusion proofs are built (the
/// long part; `vm-node export-bundle` draws a progress bar with it).
pub fn export_with_progress(
    store: &dyn Store,
    mesh_id: &str,
    discovery: &[u8],
    keyring: &Keyring,
    scroll: &str,
    (from_checkpoint, to_checkpoint): (Option<u64>, Option<u64>),
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<u8>, ExportError> {
    let row = store
        .scrolls()
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|s| s.name == scroll)
        .ok_or_else(|| ExportError::UnknownScroll(format!("no scroll named {scroll:?}")))?;
    let mut reader = store.reader().map_err(|e| e.to_string())?;
    let checkpoints: Vec<CheckpointRow> = reader
        .checkpoints(row.id, from_checkpoint.unwrap_or(1), u64::MAX)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|c| c.tree_size > 0 && !matches!(to_checkpoint, Some(to) if c.seq > to))
        .collect();
    let (Some(first), Some(last)) = (checkpoints.first(), checkpoints.last()) else {
        return Err(ExportError::NoCheckpoint(format!(
            "scroll {scroll} has no checkpoint of a non-empty tree{} (make one with `vm-node checkpoint {scroll}`)",
            from_checkpoint.map(|n| format!(" numbered {n} or later")).unwrap_or_default()
        )));
    };
    let start = if from_checkpoint.is_some() {
        first.tree_size
    } else {
        0
    };
    let end = last.tree_size;
    if end - start > MAX_BUNDLE_RECEIPTS {
        return Err(ExportError::TooLarge(format!(
            "receipts {start}..{end} of {scroll} are more than {MAX_BUNDLE_RECEIPTS} for one bundle (the core reads bundles up to 64 MiB): \
             choose a range with --from-checkpoint and --to-checkpoint (checkpoints {}..{} cover it)",
            first.seq, last.seq
        )));
    }

    let mut consistency = Vec::new();
    for pair in checkpoints.windows(2) {
        let (old, new) = (pair[0].tree_size, pair[1].tree_size);
        if old < new {
            let proof = from_store(reader.as_mut(), row.id, |get| {
                merkle::prove_consistency_from_subtrees(old, new, get)
            })?
            .map_err(|e| e.to_string())?;
            consistency.push(proof.to_value().to_canonical());
        }
    }

    let mut out = Vec::with_capacity(1 << 16);
    let mut head = format!(
        "{{\"type\":\"{}\",\"version\":{},\"created_at\":\"{}\",\"description\":{},\"keys\":{{",
        core_bundle::BUNDLE_TYPE,
        core_bundle::BUNDLE_VERSION,
        crate::util::now_text(),
        json_string(&format!(
            "Scroll {scroll} of {mesh_id}: receipts {start}..{end} under checkpoints {}..{}, exported by vm-node",
            first.seq, last.seq
        ))
    );
    for (i, (actor, key)) in keyring.iter().enumerate() {
        let _ = write!(
            head,
            "{}{}:{}",
            if i > 0 { "," } else { "" },
            json_string(actor),
            json_string(&key.to_string())
        );
    }
    head.push_str("},\"discovery\":[");
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(discovery);
    // The mesh's federation agreements, signed by both parties (the core verifies them).
    let agreements = crate::federation::agreement_records(reader.as_mut())?;
    if !agreements.is_empty() {
        out.extend_from_slice(b"],\"agreements\":[");
        out.extend_from_slice(&agreements.join(&b',')[..]);
    }
    let head = format!(
        "],\"scrolls\":[{{\"mesh_id\":{},\"scroll\":{},\"checkpoints\":[",
        json_string(mesh_id),
        json_string(scroll)
    );
    out.extend_from_slice(head.as_bytes());
    for (i, c) in checkpoints.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&c.body);
    }
    out.extend_from_slice(b"],\"consistency\":[");
    for (i, p) in consistency.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(p);
    }
    out.extend_from_slice(b"],\"receipts\":[");
    let mut bodies = Vec::new();
    reader
        .each_receipt(row.id, start, end, &mut |_, body, _| {
            bodies.push(body.to_vec());
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    let total = bodies.len() as u64;
    for (i, body) in bodies.iter().enumerate() {
        let index = start + i as u64;
        if i % 256 == 0 {
            progress(i as u64, total);
        }
        let proof = from_store(reader.as_mut(), row.id, |get| {
            merkle::prove_inclusion_from_subtrees(end, index, get)
        })?
        .map_err(|e| e.to_string())?;
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"record\":");
        out.extend_from_slice(body);
        out.extend_from_slice(b",\"proof\":");
        out.extend_from_slice(&proof.to_value().to_canonical());
        out.push(b'}');
    }
    // Witness receipts other meshes signed about these checkpoints (issue 12).
    let sizes: Vec<u64> = checkpoints.iter().map(|c| c.tree_size).collect();
    let witnesses =
        crate::federation::witness::bundle_records(reader.as_mut(), mesh_id, scroll, &sizes)?;
    if !witnesses.is_empty() {
        out.extend_from_slice(b"],\"witnesses\":[");
        out.extend_from_slice(&witnesses.join(&b',')[..]);
    }
    out.extend_from_slice(b"]}]");
    // Cross-anchors this mesh signed over its root of the scroll (level 3; issue 12).
    let anchors = crate::federation::anchor::bundle_records(reader.as_mut(), scroll)?;
    if !anchors.is_empty() {
        out.extend_from_slice(b",\"cross_anchors\":[");
        out.extend_from_slice(&anchors.join(&b',')[..]);
        out.push(b']');
    }
    out.extend_from_slice(b"}\n");
    progress(total, total);
    Ok(out)
}

/// What the core's verifier found, in counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BundleSummary {
    /// `valid`, `invalid` or `incomplete`.
    pub overall: String,
    /// The scroll (the first in the bundle).
    pub scroll: String,
    /// Its mesh.
    pub mesh_id: String,
    /// Items checked.
    pub items: usize,
    /// Items valid.
    pub valid: usize,
    /// Receipts (record and inclusion proof) checked.
    pub receipts: usize,
    /// Checkpoints.
    pub checkpoints: usize,
    /// Consistency proofs.
    pub consistency_proofs: usize,
    /// The latest checkpoint's size.
    pub tree_size: u64,
    /// The failures, `path: error`.
    pub failures: Vec<String>,
}

/// Verifies a bundle with the core (`vaultmesh_core::bundle::verify_bundle`, default limits),
/// pinning `pinned` as the key of `mesh_id` when given.
pub fn check(bytes: &[u8], pinned: Option<(&str, &PublicKey)>) -> Result<BundleSummary, String> {
    let mut keys = Keyring::new();
    if let Some((mesh, key)) = pinned {
        keys.insert(mesh, *key);
    }
    let report = core_bundle::verify_bundle(bytes, &keys, &BUNDLE_LIMITS)
        .map_err(|f| format!("not a bundle: {} ({}): {f}", f.error.name(), f.error.code()))?;
    let summary = report.summary();
    let mut out = BundleSummary {
        overall: report.overall().as_str().to_string(),
        items: summary.items,
        valid: summary.valid,
        ..Default::default()
    };
    if let Some(s) = report.scrolls.first() {
        out.scroll = s.scroll.clone();
        out.mesh_id = s.mesh_id.clone();
        out.receipts = s.receipts.len();
        out.checkpoints = s.checkpoints.len();
        out.consistency_proofs = s.consistency.len();
        out.tree_size = s
            .checkpoints
            .iter()
            .filter_map(|c| {
                c.details
                    .get("tree_size")
                    .and_then(vaultmesh_core::json::Value::as_u64)
            })
            .max()
            .unwrap_or(0);
    }
    for item in report.items() {
        if let Some((check, failure)) = item.failure() {
            out.failures.push(format!(
                "{}: {} ({}): {} [{}]",
                item.path,
                failure.error.name(),
                failure.error.code(),
                failure,
                check.name
            ));
        }
    }
    if report.overall() == Overall::Valid {
        Ok(out)
    } else {
        Err(format!(
            "bundle {}: {}",
            out.overall,
            out.failures.join("; ")
        ))
    }
}
