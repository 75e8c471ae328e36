//! `vm-verify merkle …`: RFC 9162 Merkle trees with BLAKE3 over JSON Lines scrolls (wire format
//! §5): roots, inclusion and consistency proofs, generated and verified.

use vaultmesh_core::federation;
use vaultmesh_core::json::Value;
use vaultmesh_core::merkle::{self, ConsistencyProof, InclusionProof};
use vaultmesh_core::record::Failure;
use vaultmesh_core::{Digest, Error};

use crate::args::{Args, Opt};
use crate::input::{Inputs, JSONL_DEFAULT_MAX_TOTAL};
use crate::keys::{self, KEY, KEYRING};
use crate::records::checkpoint_option;
use crate::report::{digest, number, owned, Fail, Report};
use crate::Command;

const MAX_TOTAL: Opt = Opt::value("--max-total", "BYTES");

const SCROLL_HELP: &str = "\
FILE.jsonl is a scroll in JSON Lines: one record per line, an optional final newline; an empty
file is the empty scroll; a blank line is BLANK_LINE (exit 2). Each line is parsed as a strict
I-JSON record and hashed as leaf_hash = blake3(0x00 || JCS(record)). Each line holds at most
1 MiB; the whole file at most --max-total BYTES (default 1073741824, 1 GiB). Only the 32-byte
leaf hashes are kept in memory.";

/// `vm-verify merkle root FILE.jsonl`.
pub const ROOT: Command = Command {
    name: "merkle root",
    usage: "merkle root FILE.jsonl [--max-total BYTES]",
    summary: "compute the Merkle root and size of a scroll",
    help: &[SCROLL_HELP],
    opts: &[MAX_TOTAL],
    run: root,
};

/// `vm-verify merkle prove FILE.jsonl --index I`.
pub const PROVE: Command = Command {
    name: "merkle prove",
    usage: "merkle prove FILE.jsonl --index I [--max-total BYTES]",
    summary: "print the inclusion proof of record I (0-based) of a scroll",
    help: &[
        "\
Prints the inclusion proof (RFC 9162 section 2.1.3.1) of the record on line I+1 as one JSON
line, {\"leaf_index\",\"path\",\"tree_size\"}, ready for `merkle verify-inclusion --proof`.
With --json, the object also has the root, tree_size, leaf_hash and the proof.
An index not below the number of records is INDEX_OUT_OF_RANGE (exit 2).",
        SCROLL_HELP,
    ],
    opts: &[Opt::value("--index", "I"), MAX_TOTAL],
    run: prove,
};

/// `vm-verify merkle consistency FILE.jsonl --old-size M`.
pub const CONSISTENCY: Command = Command {
    name: "merkle consistency",
    usage: "merkle consistency FILE.jsonl --old-size M [--max-total BYTES]",
    summary: "print the consistency proof from the first M records to the whole scroll",
    help: &[
        "\
Prints the consistency proof (RFC 9162 section 2.1.4.1) between the tree of the first M
records and the tree of all N records as one JSON line, {\"new_size\",\"old_size\",\"path\"},
ready for `merkle verify-consistency --proof`. With --json, the object also has both roots.
M must satisfy 0 < M <= N, else INVALID_TREE_SIZE (exit 2).",
        SCROLL_HELP,
    ],
    opts: &[Opt::value("--old-size", "M"), MAX_TOTAL],
    run: consistency,
};

/// `vm-verify merkle verify-inclusion`.
pub const VERIFY_INCLUSION: Command = Command {
    name: "merkle verify-inclusion",
    usage: "merkle verify-inclusion --record FILE --proof FILE (--root ROOT --tree-size N | --checkpoint FILE [KEY OPTIONS])",
    summary: "verify that a record is in a tree",
    help: &["\
Verifies that the record in --record is the leaf at the proof's leaf_index of the tree with the
given root (RFC 9162 section 2.1.3.2).

  --record FILE      the record (strict I-JSON; its leaf hash is blake3(0x00 || JCS(record)))
  --proof FILE       an inclusion proof {\"leaf_index\", \"tree_size\", \"path\"}
  --root ROOT        the tree's root, blake3:<64 hex>
  --tree-size N      the tree's size; the proof's tree_size must equal it (else
                     CHECKPOINT_MISMATCH, exit 1). Take ROOT and N from a signed checkpoint.
  --checkpoint FILE  instead of --root and --tree-size: verify this scroll checkpoint (with the
                     key options) and take the root and size from it.

A proof that does not lead to the root is INCLUSION_PROOF_MISMATCH (exit 1); a proof file that
is not a well-formed proof is MALFORMED_PROOF (exit 2)."],
    opts: &[
        Opt::value("--record", "FILE"),
        Opt::value("--proof", "FILE"),
        Opt::value("--root", "ROOT"),
        Opt::value("--tree-size", "N"),
        Opt::value("--checkpoint", "FILE"),
        KEY,
        KEYRING,
    ],
    run: verify_inclusion,
};

/// `vm-verify merkle verify-consistency`.
pub const VERIFY_CONSISTENCY: Command = Command {
    name: "merkle verify-consistency",
    usage: "merkle verify-consistency --proof FILE (--old-root R1 --new-root R2 | --old-checkpoint FILE --new-checkpoint FILE [KEY OPTIONS])",
    summary: "verify that one tree extends another",
    help: &["\
Verifies a consistency proof (RFC 9162 section 2.1.4.2): the tree with root R2 extends the tree
with root R1.

  --proof FILE           a consistency proof {\"old_size\", \"new_size\", \"path\"}
  --old-root R1          the older root, blake3:<64 hex>
  --new-root R2          the newer root
  --old-checkpoint FILE  instead of the roots: verify these two scroll checkpoints (with the
  --new-checkpoint FILE  key options; same mesh and scroll) and take roots and sizes from them.

With --old-root/--new-root the tree sizes are the proof's own old_size and new_size: a proof
does not bind a size to a root, so callers must take the roots and the sizes from signed
checkpoints and compare the sizes printed here with them (or use the checkpoint options, which
do). A proof that does not lead to both roots is CONSISTENCY_PROOF_MISMATCH (exit 1)."],
    opts: &[
        Opt::value("--proof", "FILE"),
        Opt::value("--old-root", "R1"),
        Opt::value("--new-root", "R2"),
        Opt::value("--old-checkpoint", "FILE"),
        Opt::value("--new-checkpoint", "FILE"),
        KEY,
        KEYRING,
    ],
    run: verify_consistency,
};

fn read_scroll(inputs: &mut Inputs, args: &Args) -> Result<(String, Vec<Digest>), Fail> {
    let path = args.operand("FILE.jsonl")?;
    let max_total = args
        .integer("--max-total")?
        .unwrap_or(JSONL_DEFAULT_MAX_TOTAL);
    inputs.read_leaves(path, max_total)
}

/// A count as the tool reports it (scrolls never approach 2^53 records).
fn count(n: usize) -> u64 {
    n as u64
}

fn root(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
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

fn prove(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let index = args
        .integer("--index")?
        .ok_or_else(|| Fail::usage("missing option `--index`"))?;
    let (name, leaves) = read_scroll(inputs, args)?;
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

fn consistency(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let old_size = args
        .integer("--old-size")?
        .ok_or_else(|| Fail::usage("missing option `--old-size`"))?;
    let (name, leaves) = read_scroll(inputs, args)?;
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
fn digest_option(args: &Args, name: &str) -> Result<Option<Digest>, Fail> {
    let Some(text) = args.text(name)? else {
        return Ok(None);
    };
    Digest::parse(text)
        .map(Some)
        .map_err(|e| Fail::unusable(name, e))
}

/// Usage error unless exactly one of two ways to give the trusted tree head was used.
fn one_way(args: &Args, direct: &[&str], checkpoints: &[&str]) -> Result<bool, Fail> {
    let given = |names: &[&str]| names.iter().filter(|n| args.value(n).is_some()).count();
    let (d, c) = (given(direct), given(checkpoints));
    match (d, c) {
        (d, 0) if d == direct.len() => Ok(false),
        (0, c) if c == checkpoints.len() => Ok(true),
        _ => Err(Fail::usage(format!(
            "give either {} or {}",
            direct.join(" and "),
            checkpoints.join(" and ")
        ))),
    }
}

fn verify_inclusion(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    args.no_operands()?;
    let use_checkpoint = one_way(args, &["--root", "--tree-size"], &["--checkpoint"])?;
    let record_path = args.required("--record")?;
    let proof_path = args.required("--proof")?;
    let root = digest_option(args, "--root")?;
    let size = args.integer("--tree-size")?;
    let ring = keys::keyring(inputs, args)?;
    let cp = if use_checkpoint {
        checkpoint_option(inputs, args, "--checkpoint", &ring)?
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

fn verify_consistency(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    args.no_operands()?;
    let use_checkpoints = one_way(
        args,
        &["--old-root", "--new-root"],
        &["--old-checkpoint", "--new-checkpoint"],
    )?;
    let proof_path = args.required("--proof")?;
    let old_root = digest_option(args, "--old-root")?;
    let new_root = digest_option(args, "--new-root")?;
    let ring = keys::keyring(inputs, args)?;
    let (old_cp, new_cp) = if use_checkpoints {
        let old = checkpoint_option(inputs, args, "--old-checkpoint", &ring)?;
        (
            old,
            checkpoint_option(inputs, args, "--new-checkpoint", &ring)?,
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
