//! `vm-verify merkle …`: RFC 9162 Merkle trees with BLAKE3 over JSON Lines scrolls (wire format
//! §5): roots, inclusion and consistency proofs, generated and verified.

use vaultmesh_core::federation;
use vaultmesh_core::json::Value;
use vaultmesh_core::merkle::{self, ConsistencyProof, InclusionProof};
use vaultmesh_core::record::Failure;
use vaultmesh_core::{Digest, Error};

use std::ffi::OsString;

use crate::args::{safe_integer, KeyArgs};
use crate::input::{Inputs, JSONL_DEFAULT_MAX_TOTAL};
use crate::keys;
use crate::records::checkpoint_option;
use crate::report::{digest, number, owned, Fail, Report};

const SCROLL_HELP: &str = "\
FILE.jsonl is a scroll in JSON Lines: one record per line, an optional final newline; an empty
file is the empty scroll; a blank line is BLANK_LINE (exit 2). Each line is parsed as a strict
I-JSON record and hashed as leaf_hash = blake3(0x00 || JCS(record)). Each line holds at most
1 MiB; the whole file at most --max-total BYTES (default 1073741824, 1 GiB). Only the 32-byte
leaf hashes are kept in memory.";

/// `vm-verify merkle SUBCOMMAND`.
#[derive(clap::Subcommand, Debug)]
pub enum MerkleCommand {
    /// Compute the Merkle root and size of a scroll
    #[command(long_about = SCROLL_HELP)]
    Root(ScrollArgs),
    /// Print the inclusion proof of record I (0-based) of a scroll
    #[command(long_about = PROVE_HELP)]
    Prove(ProveArgs),
    /// Print the consistency proof from the first M records to the whole scroll
    #[command(long_about = CONSISTENCY_HELP)]
    Consistency(ConsistencyArgs),
    /// Verify that a record is in a tree
    #[command(long_about = VERIFY_INCLUSION_HELP)]
    VerifyInclusion(VerifyInclusionArgs),
    /// Verify that one tree extends another
    #[command(long_about = VERIFY_CONSISTENCY_HELP)]
    VerifyConsistency(VerifyConsistencyArgs),
}

/// Runs a `merkle` subcommand.
pub fn run(inputs: &mut Inputs, command: &MerkleCommand) -> Result<Report, Fail> {
    match command {
        MerkleCommand::Root(args) => root(inputs, args),
        MerkleCommand::Prove(args) => prove(inputs, args),
        MerkleCommand::Consistency(args) => consistency(inputs, args),
        MerkleCommand::VerifyInclusion(args) => verify_inclusion(inputs, args),
        MerkleCommand::VerifyConsistency(args) => verify_consistency(inputs, args),
    }
}

/// A scroll file and its bound.
#[derive(clap::Args, Debug)]
pub struct ScrollArgs {
    /// The scroll, JSON Lines (`-` for standard input).
    #[arg(value_name = "FILE.jsonl")]
    file: OsString,
    /// The most bytes the whole file may hold (default 1073741824, 1 GiB).
    #[arg(long, value_name = "BYTES", value_parser = safe_integer, allow_hyphen_values = true)]
    max_total: Option<u64>,
}

const PROVE_HELP: &str = "\
Prints the inclusion proof (RFC 9162 section 2.1.3.1) of the record on line I+1 as one JSON
line, {\"leaf_index\",\"path\",\"tree_size\"}, ready for `merkle verify-inclusion --proof`.
With --json, the object also has the root, tree_size, leaf_hash and the proof.
An index not below the number of records is INDEX_OUT_OF_RANGE (exit 2).

FILE.jsonl is a scroll in JSON Lines: one record per line, an optional final newline; an empty
file is the empty scroll; a blank line is BLANK_LINE (exit 2). Each line is parsed as a strict
I-JSON record and hashed as leaf_hash = blake3(0x00 || JCS(record)). Each line holds at most
1 MiB; the whole file at most --max-total BYTES (default 1073741824, 1 GiB). Only the 32-byte
leaf hashes are kept in memory.";

/// `vm-verify merkle prove FILE.jsonl --index I`.
#[derive(clap::Args, Debug)]
pub struct ProveArgs {
    #[command(flatten)]
    scroll: ScrollArgs,
    /// The record's index, 0-based.
    #[arg(long, value_name = "I", value_parser = safe_integer, allow_hyphen_values = true)]
    index: u64,
}

const CONSISTENCY_HELP: &str = "\
Prints the consistency proof (RFC 9162 section 2.1.4.1) between the tree of the first M
records and the tree of all N records as one JSON line, {\"new_size\",\"old_size\",\"path\"},
ready for `merkle verify-consistency --proof`. With --json, the object also has both roots.
M must satisfy 0 < M <= N, else INVALID_TREE_SIZE (exit 2).

FILE.jsonl is a scroll in JSON Lines: one record per line, an optional final newline; an empty
file is the empty scroll; a blank line is BLANK_LINE (exit 2). Each line is parsed as a strict
I-JSON record and hashed as leaf_hash = blake3(0x00 || JCS(record)). Each line holds at most
1 MiB; the whole file at most --max-total BYTES (default 1073741824, 1 GiB). Only the 32-byte
leaf hashes are kept in memory.";

/// `vm-verify merkle consistency FILE.jsonl --old-size M`.
#[derive(clap::Args, Debug)]
pub struct ConsistencyArgs {
    #[command(flatten)]
    scroll: ScrollArgs,
    /// The size of the older tree: the first M records.
    #[arg(long, value_name = "M", value_parser = safe_integer, allow_hyphen_values = true)]
    old_size: u64,
}

const VERIFY_INCLUSION_HELP: &str = "\
Verifies that the record in --record is the leaf at the proof's leaf_index of the tree with the
given root (RFC 9162 section 2.1.3.2). Give either --root and --tree-size (take them from a
signed checkpoint) or --checkpoint.

A proof that does not lead to the root is INCLUSION_PROOF_MISMATCH (exit 1); a proof file that
is not a well-formed proof is MALFORMED_PROOF (exit 2).";

/// `vm-verify merkle verify-inclusion`.
#[derive(clap::Args, Debug)]
pub struct VerifyInclusionArgs {
    /// The record (strict I-JSON; its leaf hash is blake3(0x00 || JCS(record))).
    #[arg(long, value_name = "FILE")]
    record: OsString,
    /// An inclusion proof {"leaf_index", "tree_size", "path"}.
    #[arg(long, value_name = "FILE")]
    proof: OsString,
    /// The tree's root, blake3:<64 hex>.
    #[arg(long, value_name = "ROOT")]
    root: Option<String>,
    /// The tree's size; the proof's tree_size must equal it (else CHECKPOINT_MISMATCH, exit 1).
    #[arg(long, value_name = "N", value_parser = safe_integer, allow_hyphen_values = true)]
    tree_size: Option<u64>,
    /// Instead of --root and --tree-size: verify this scroll checkpoint (with the key options)
    /// and take the root and size from it.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<OsString>,
    #[command(flatten)]
    keys: KeyArgs,
}

const VERIFY_CONSISTENCY_HELP: &str = "\
Verifies a consistency proof (RFC 9162 section 2.1.4.2): the tree with root R2 extends the tree
with root R1. Give either --old-root and --new-root or --old-checkpoint and --new-checkpoint.

With --old-root/--new-root the tree sizes are the proof's own old_size and new_size: a proof
does not bind a size to a root, so callers must take the roots and the sizes from signed
checkpoints and compare the sizes printed here with them (or use the checkpoint options, which
do). A proof that does not lead to both roots is CONSISTENCY_PROOF_MISMATCH (exit 1).";

/// `vm-verify merkle verify-consistency`.
#[derive(clap::Args, Debug)]
pub struct VerifyConsistencyArgs {
    /// A consistency proof {"old_size", "new_size", "path"}.
    #[arg(long, value_name = "FILE")]
    proof: OsString,
    /// The older root, blake3:<64 hex>.
    #[arg(long, value_name = "R1")]
    old_root: Option<String>,
    /// The newer root.
    #[arg(long, value_name = "R2")]
    new_root: Option<String>,
    /// Instead of the roots: verify this scroll checkpoint and the --new-checkpoint (with the
    /// key options; same mesh and scroll) and take roots and sizes from them.
    #[arg(long, value_name = "FILE")]
    old_checkpoint: Option<OsString>,
    /// The newer checkpoint (with --old-checkpoint).
    #[arg(long, value_name = "FILE")]
    new_checkpoint: Option<OsString>,
    #[command(flatten)]
    keys: KeyArgs,
}

fn read_scroll(inputs: &mut Inputs, args: &ScrollArgs) -> Result<(String, Vec<Digest>), Fail> {
    let max_total = args.max_total.unwrap_or(JSONL_DEFAULT_MAX_TOTAL);
    inputs.read_leaves(&args.file, max_total)
}

/// A count as the tool reports it (scrolls never approach 2^53 records).
fn count(n: usize) -> u64 {
    n as u64
}

fn root(inputs: &mut Inputs, args: &ScrollArgs) -> Result<Report, Fail> {
    let (name, leaves) = read_scroll(inputs, args)?;
    let root = merkle::root(&leaves);
    Ok(
        Report::new(format!("Merkle root of {name}, {} records", leaves.len()))
            .with("root", digest(&root))
            .with("tree_size", number(count(leaves.len()))),
    )
}

/// The proof as one canonical JSON line.
fn proof_line(proof: &Value<'_>) -> Vec<u8> {
    let mut line = proof.to_canonical();
    line.push(b'\n');
    line
}

fn prove(inputs: &mut Inputs, args: &ProveArgs) -> Result<Report, Fail> {
    let index = args.index;
    let (name, leaves) = read_scroll(inputs, &args.scroll)?;
    let out_of_range = || Fail::Unusable {
        source: "--index".to_string(),
        error: Some(Error::IndexOutOfRange),
        detail: Some(format!("{name} has {} records", leaves.len())),
    };
    let i = usize::try_from(index)
        .ok()
        .filter(|&i| i < leaves.len())
        .ok_or_else(out_of_range)?;
    let proof =
        merkle::prove_inclusion(&leaves, index).map_err(|e| Fail::unusable("--index", e))?;
    let proof = proof.to_value();
    Ok(
        Report::new(format!("inclusion proof of record {index} of {name}"))
            .with("root", digest(&merkle::root(&leaves)))
            .with("tree_size", number(count(leaves.len())))
            .with("leaf_index", number(index))
            .with("leaf_hash", digest(&leaves[i]))
            .with("proof", owned(&proof))
            .artifact(proof_line(&proof)),
    )
}

fn consistency(inputs: &mut Inputs, args: &ConsistencyArgs) -> Result<Report, Fail> {
    let old_size = args.old_size;
    let (name, leaves) = read_scroll(inputs, &args.scroll)?;
    let m = usize::try_from(old_size)
        .ok()
        .filter(|&m| m > 0 && m <= leaves.len())
        .ok_or_else(|| Fail::Unusable {
            source: "--old-size".to_string(),
            error: Some(Error::InvalidTreeSize),
            detail: Some(format!(
                "need 0 < M <= {}, the number of records of {name}",
                leaves.len()
            )),
        })?;
    let proof = merkle::prove_consistency(&leaves, old_size)
        .map_err(|e| Fail::unusable("--old-size", e))?;
    let proof = proof.to_value();
    Ok(Report::new(format!(
        "consistency proof of {name} from size {old_size} to {}",
        leaves.len()
    ))
    .with("old_size", number(old_size))
    .with("new_size", number(count(leaves.len())))
    .with("old_root", digest(&merkle::root(&leaves[..m])))
    .with("new_root", digest(&merkle::root(&leaves)))
    .with("proof", owned(&proof))
    .artifact(proof_line(&proof)))
}

/// A digest given as option `name` (malformed: exit 2).
fn digest_option(text: Option<&str>, name: &str) -> Result<Option<Digest>, Fail> {
    let Some(text) = text else {
        return Ok(None);
    };
    Digest::parse(text)
        .map(Some)
        .map_err(|e| Fail::unusable(name, e))
}

/// Usage error unless exactly one of two ways to give the trusted tree head was used.
/// `direct` and `checkpoints` are the options of each way, with whether each was given.
fn one_way(
    direct: &[(&'static str, bool)],
    checkpoints: &[(&'static str, bool)],
) -> Result<bool, Fail> {
    fn given(opts: &[(&str, bool)]) -> usize {
        opts.iter().filter(|(_, given)| *given).count()
    }
    fn names(opts: &[(&'static str, bool)]) -> Vec<&'static str> {
        opts.iter().map(|(n, _)| *n).collect()
    }
    let (d, c) = (given(direct), given(checkpoints));
    match (d, c) {
        (d, 0) if d == direct.len() => Ok(false),
        (0, c) if c == checkpoints.len() => Ok(true),
        _ => Err(Fail::usage(format!(
            "give either {} or {}",
            names(direct).join(" and "),
            names(checkpoints).join(" and ")
        ))),
    }
}

fn verify_inclusion(inputs: &mut Inputs, args: &VerifyInclusionArgs) -> Result<Report, Fail> {
    let use_checkpoint = one_way(
        &[
            ("--root", args.root.is_some()),
            ("--tree-size", args.tree_size.is_some()),
        ],
        &[("--checkpoint", args.checkpoint.is_some())],
    )?;
    let record_path = &args.record;
    let proof_path = &args.proof;
    let root = digest_option(args.root.as_deref(), "--root")?;
    let size = args.tree_size;
    let ring = keys::keyring(inputs, &args.keys)?;
    let cp = if use_checkpoint {
        checkpoint_option(inputs, args.checkpoint.as_deref(), &ring)?
    } else {
        None
    };

    let record_input = inputs.read_record(record_path)?;
    let record = record_input.record()?;
    let proof_input = inputs.read_record(proof_path)?;
    let proof = InclusionProof::from_value(&proof_input.record()?)
        .map_err(|e| Fail::unusable(&proof_input.name, e))?;
    let invalid = |failure: Failure, hint: Option<String>| Fail::Invalid {
        subject: format!(
            "inclusion proof {} for {}",
            proof_input.name, record_input.name
        ),
        failure,
        hint,
    };

    let leaf = merkle::leaf_hash(&record.to_canonical());
    let (root, tree_size) = match (&cp, root, size) {
        (Some(cp), _, _) => (cp.root, cp.tree_size),
        (None, Some(root), Some(size)) => (root, size),
        _ => {
            return Err(Fail::usage(
                "give either --root and --tree-size or --checkpoint",
            ))
        }
    };
    federation::verify_inclusion_at(&root, tree_size, &leaf, &proof).map_err(|f| {
        let hint = (f.error == Error::CheckpointMismatch).then(|| match &cp {
            Some(_) => format!(
                "the proof is for tree size {}, the checkpoint's is {tree_size}",
                proof.tree_size
            ),
            None => format!(
                "the proof is for tree size {}, not {tree_size}",
                proof.tree_size
            ),
        });
        invalid(f, hint)
    })?;
    Ok(Report::new(format!(
        "valid inclusion proof: {} is record {} of the tree of size {tree_size} with root {root}",
        record_input.name, proof.leaf_index
    ))
    .with("leaf_index", number(proof.leaf_index))
    .with("tree_size", number(tree_size))
    .with("root", digest(&root))
    .with("leaf_hash", digest(&leaf)))
}

fn verify_consistency(inputs: &mut Inputs, args: &VerifyConsistencyArgs) -> Result<Report, Fail> {
    let use_checkpoints = one_way(
        &[
            ("--old-root", args.old_root.is_some()),
            ("--new-root", args.new_root.is_some()),
        ],
        &[
            ("--old-checkpoint", args.old_checkpoint.is_some()),
            ("--new-checkpoint", args.new_checkpoint.is_some()),
        ],
    )?;
    let proof_path = &args.proof;
    let old_root = digest_option(args.old_root.as_deref(), "--old-root")?;
    let new_root = digest_option(args.new_root.as_deref(), "--new-root")?;
    let ring = keys::keyring(inputs, &args.keys)?;
    let (old_cp, new_cp) = if use_checkpoints {
        let old = checkpoint_option(inputs, args.old_checkpoint.as_deref(), &ring)?;
        (
            old,
            checkpoint_option(inputs, args.new_checkpoint.as_deref(), &ring)?,
        )
    } else {
        (None, None)
    };

    let proof_input = inputs.read_record(proof_path)?;
    let proof = ConsistencyProof::from_value(&proof_input.record()?)
        .map_err(|e| Fail::unusable(&proof_input.name, e))?;
    let invalid = |failure: Failure, hint: Option<String>| Fail::Invalid {
        subject: format!("consistency proof {}", proof_input.name),
        failure,
        hint,
    };
    let (old_root, new_root) = match (&old_cp, &new_cp, old_root, new_root) {
        (Some(old), Some(new), _, _) => {
            federation::verify_consistency(old, new, &proof).map_err(|f| {
                let hint = (f.error == Error::CheckpointMismatch && f.field == Some("tree_size"))
                    .then(|| {
                        format!(
                            "the proof is from size {} to {}, the checkpoints' sizes are {} and {}",
                            proof.old_size, proof.new_size, old.tree_size, new.tree_size
                        )
                    });
                invalid(f, hint)
            })?;
            (old.root, new.root)
        }
        (None, None, Some(old_root), Some(new_root)) => {
            merkle::verify_consistency(&old_root, &new_root, &proof)
                .map_err(|e| invalid(e.into(), None))?;
            (old_root, new_root)
        }
        _ => {
            return Err(Fail::usage(
                "give either --old-root and --new-root or --old-checkpoint and --new-checkpoint",
            ))
        }
    };
    let sizes_from = if use_checkpoints {
        "the checkpoints"
    } else {
        "the proof (compare them with signed checkpoints)"
    };
    Ok(Report::new(format!(
        "valid consistency proof: the tree of size {} with root {new_root} extends the tree of size {} with root {old_root}; sizes from {sizes_from}",
        proof.new_size, proof.old_size
    ))
    .with("old_size", number(proof.old_size))
    .with("new_size", number(proof.new_size))
    .with("old_root", digest(&old_root))
    .with("new_root", digest(&new_root))
    .with("sizes_from", Value::String(if use_checkpoints { "checkpoints" } else { "proof" }.into())))
}
