//! Commands on single records: `canon`, `hash`, `record`, `agreement`, `checkpoint`, `witness`,
//! `cross-anchor`.
//!
//! Each parses its input strictly first (any parse error: exit 2), then hands the parsed value to
//! the core's verifier (any failure: exit 1, except an unknown kind: exit 2).

use vaultmesh_core::federation::{self, Agreement, Checkpoint};
use vaultmesh_core::json::Value;
use vaultmesh_core::record::{self, Failure, Keyring, Kind, Signer};
use vaultmesh_core::{witness, Error};

use std::ffi::{OsStr, OsString};

use crate::args::{kind_parser, FileArg, KeyArgs};
use crate::input::{Input, Inputs};
use crate::keys::{self, member};
use crate::report::{digest, number, owned, sanitize, string, strings, Fail, Report};

/// Help of `vm-verify canon`.
pub const CANON_HELP: &str = "\
Parses FILE as one strict I-JSON record and prints its canonical bytes (RFC 8785 JSON
Canonicalization Scheme) exactly, with no final newline. With --json, the object's
\"canonical\" member holds them as a string.";

/// Help of `vm-verify hash`.
pub const HASH_HELP: &str = "\
Parses FILE as one strict I-JSON record and prints receipt_hash = blake3(JCS(record)) over the
complete record, signatures included (wire format section 4). The record is not verified.";

/// Help of `vm-verify record`.
pub const RECORD_HELP: &str = "\
Verifies one signed record: strict parse, kind, every defined field, then the strict Ed25519
signature of the signer its kind names, with the key from the key options. Agreements,
checkpoints, witness receipts and cross-anchors get their full checks, as with their own
commands (without --checkpoint / --agreement).

A discovery record is self-signed with its own public_key; a key given for its mesh_id must
equal that key (KEY_MISMATCH). An untyped record without --kind, or an unknown `type`, is
UNKNOWN_KIND (exit 2: the tool cannot tell what to check); an unknown --kind is a usage error
(exit 2) that lists the kinds.";

/// `vm-verify record FILE [--kind KIND]`.
#[derive(clap::Args, Debug)]
pub struct RecordArgs {
    #[command(flatten)]
    input: FileArg,
    /// The kind to verify as. Required for untyped records: discovery, proposal
    /// (trust_proposal), response (proposal_response), agreement. For a typed record it may be
    /// given and must then equal its `type` (else KIND_MISMATCH, exit 1).
    #[arg(long, value_name = "KIND", value_parser = kind_parser())]
    kind: Option<Kind>,
    #[command(flatten)]
    keys: KeyArgs,
}

/// Help of `vm-verify agreement`.
pub const AGREEMENT_HELP: &str = "\
Verifies a federation agreement: at least two distinct parties; key_exchange and signatures
name exactly the parties; the recomputed agreement_hash equals the record's; every party's
strict signature over {agreement_hash, signed_at, signer} with its key from key_exchange; trust
level 0-4.

Every key in key_exchange that the key options also give must be the same (KEY_MISMATCH). Keys
the key options do not give are taken from the agreement itself: the output lists them under
keys_unconfirmed, and such an agreement is only self-consistent, not proven to be by the real
meshes.";

/// Help of `vm-verify checkpoint`.
pub const CHECKPOINT_HELP: &str = "\
Verifies a scroll checkpoint: its fields and its signature by the key of mesh_id. Prints the
mesh, scroll, tree size and root it signs.";

/// `vm-verify agreement FILE` and `vm-verify checkpoint FILE`: a file and the key options.
#[derive(clap::Args, Debug)]
pub struct KeyedFileArgs {
    #[command(flatten)]
    input: FileArg,
    #[command(flatten)]
    keys: KeyArgs,
}

/// Help of `vm-verify witness`.
pub const WITNESS_HELP: &str = "\
Verifies a witness receipt: its fields, its signature by the key of witnessing_mesh, and that
verification_result agrees with discrepancies (verified: none; discrepancy: some).

A valid receipt whose verification_result is `discrepancy` or `failed` is still a valid record
(exit 0); the result is printed.";

/// Help of `vm-verify evidence`.
pub const EVIDENCE_HELP: &str = "\
Verifies a witness's discrepancy evidence (an entry of a fed_witness_event's discrepancies, or
the file a witness wrote) without trusting the witness: every checkpoint in it is verified with
the witnessed mesh's key (--key/--keys), they are of one mesh and scroll, and the contradiction
holds. kind `split_view`: two checkpoints of one size with different roots (conclusive on its
own); `inconsistent`: the consistency_proof the mesh served does not connect its earlier and
later checkpoint; `bad_sample`: the inclusion_proof it served for receipt `index` does not lead
to the signed root. Evidence that verifies but shows no contradiction is EVIDENCE_NOT_CONCLUSIVE
(exit 1). Prints the contradiction (docs/SPEC.md §7.9).";

/// `vm-verify witness FILE [--checkpoint FILE]`.
#[derive(clap::Args, Debug)]
pub struct WitnessArgs {
    #[command(flatten)]
    input: FileArg,
    /// Also verify this scroll checkpoint (signed by the witnessed mesh) and check that the
    /// receipt's witnessed_mesh, scroll, root and tree_size are the checkpoint's (else
    /// CHECKPOINT_MISMATCH, exit 1).
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<OsString>,
    #[command(flatten)]
    keys: KeyArgs,
}

/// Help of `vm-verify cross-anchor`.
pub const CROSS_ANCHOR_HELP: &str = "\
Verifies a cross-anchor: distinct meshes, non-empty roots_included, the recomputed
combined_root, and the signature by the key of anchoring_mesh.";

/// `vm-verify cross-anchor FILE [--agreement FILE]`.
#[derive(clap::Args, Debug)]
pub struct CrossAnchorArgs {
    #[command(flatten)]
    input: FileArg,
    /// Also verify this agreement (as `vm-verify agreement` does, with the same key options)
    /// and check that it is between the two meshes at trust level 3 (attest) or above (else
    /// AGREEMENT_MISMATCH / TRUST_LEVEL_TOO_LOW, exit 1). The parties' keys from its
    /// key_exchange are then trusted for the parties the key options do not give; the output
    /// says where the signer's key came from (signer_key_source: keyring or agreement).
    #[arg(long, value_name = "FILE")]
    agreement: Option<OsString>,
    #[command(flatten)]
    keys: KeyArgs,
}

/// `vm-verify canon FILE`.
pub fn canon(inputs: &mut Inputs, args: &FileArg) -> Result<Report, Fail> {
    let input = inputs.read_record(&args.file)?;
    let bytes = input.record()?.to_canonical();
    Ok(Report::new(format!("canonical form of {}", input.name))
        .with("canonical", string(String::from_utf8_lossy(&bytes)))
        .artifact(bytes))
}

/// `vm-verify hash FILE`.
pub fn hash(inputs: &mut Inputs, args: &FileArg) -> Result<Report, Fail> {
    let input = inputs.read_record(&args.file)?;
    let hash = record::receipt_hash(&input.record()?);
    Ok(Report::new(format!("receipt_hash of {}", input.name))
        .with("receipt_hash", digest(&hash))
        .artifact(format!("{hash}\n").into_bytes()))
}

/// The name of a kind's domain, which is also the `type` of typed records.
fn domain(kind: Kind) -> &'static str {
    kind.domain()
}

/// Turns a verifier's [`Failure`] on `record` (read from `input`) into a [`Fail`]: exit 1,
/// except [`Error::UnknownKind`] (the tool cannot tell what to check: exit 2).
fn failed(input: &Input, record: &Value<'_>, what: &str, failure: Failure) -> Fail {
    match failure.error {
        Error::UnknownKind => {
            let detail = match member(record, "type") {
                Some(t) => format!("unknown record type `{}`", sanitize(t)),
                None if record.as_object().is_some_and(|o| o.get("type").is_some()) => {
                    "`type` is not a string".to_string()
                }
                None => "untyped record: name its kind with --kind (discovery, proposal, response, agreement)"
                    .to_string(),
            };
            Fail::Unusable {
                source: input.name.clone(),
                error: Some(Error::UnknownKind),
                detail: Some(detail),
            }
        }
        Error::UnknownSigner => Fail::Invalid {
            subject: format!("{what} {}", input.name),
            failure,
            hint: keys::unknown_signer_hint(record, failure.field),
        },
        _ => Fail::Invalid {
            subject: format!("{what} {}", input.name),
            failure,
            hint: None,
        },
    }
}

/// `vm-verify record FILE`.
pub fn verify_record(inputs: &mut Inputs, args: &RecordArgs) -> Result<Report, Fail> {
    let kind = args.kind;
    let ring = keys::keyring(inputs, &args.keys)?;
    let input = inputs.read_record(&args.input.file)?;
    let value = input.record()?;
    // The kind to dispatch on: the one named, else the record's own `type`. Anything else is
    // left to the core, which reports the precise reason.
    let dispatch = kind.or_else(|| {
        member(&value, "type")
            .and_then(Kind::from_domain)
            .filter(|k| k.spec().typed)
    });
    match dispatch {
        Some(Kind::Agreement) => verify_agreement(&input, &value, &ring).map(|(_, report)| report),
        Some(Kind::ScrollCheckpoint) => {
            verify_checkpoint(&input, &value, &ring).map(|(_, report)| report)
        }
        Some(Kind::WitnessReceipt) => verify_witness(&input, &value, &ring, None),
        Some(Kind::CrossAnchor) => verify_cross_anchor(&input, &value, &ring, None),
        _ => {
            let what =
                dispatch.map_or_else(|| "record".to_string(), |k| format!("{} record", domain(k)));
            let verified = record::verify_value(&value, kind, &ring)
                .map_err(|f| failed(&input, &value, &what, f))?;
            let spec = verified.kind.spec();
            // Where the key that verified came from: the key options, or (for a self-signed
            // discovery record whose mesh the key options do not name) the record itself.
            let (signer, how, key_source) = match spec.signer {
                Signer::OwnKeyField(field) => {
                    let mesh = member(&value, "mesh_id").unwrap_or_default();
                    match ring.get(mesh) {
                        Some(_) => (
                            mesh,
                            format!("self-signed with its {field}, the key given for it"),
                            "keyring",
                        ),
                        None => (
                            mesh,
                            format!(
                                "self-signed with its {field} (not confirmed by --key/--keyring)"
                            ),
                            "record",
                        ),
                    }
                }
                Signer::ActorField(field) => {
                    let actor = member(&value, field).unwrap_or_default();
                    (actor, format!("signed by {}", sanitize(actor)), "keyring")
                }
                Signer::Parties => ("", "signed by its parties".to_string(), "record"),
            };
            Ok(Report::new(format!(
                "valid {} record {}, {how}",
                spec.domain, input.name
            ))
            .with("kind", string(spec.domain))
            .with("signer", string(signer))
            .with("signer_key_source", string(key_source))
            .with("receipt_hash", digest(&verified.receipt_hash)))
        }
    }
}

/// Verifies an agreement; its report lists which parties' keys the key options confirmed.
fn verify_agreement(
    input: &Input,
    value: &Value<'_>,
    ring: &Keyring,
) -> Result<(Agreement, Report), Fail> {
    let agreement = federation::verify_agreement(value, ring)
        .map_err(|f| failed(input, value, "agreement", f))?;
    let (confirmed, unconfirmed): (Vec<&String>, Vec<&String>) = agreement
        .parties
        .iter()
        .partition(|p| ring.get(p).is_some());
    let mut message = format!(
        "valid agreement {} between {} at trust level {}",
        input.name,
        agreement.parties.join(" and "),
        agreement.trust_level
    );
    if !unconfirmed.is_empty() {
        let list: Vec<&str> = unconfirmed.iter().map(|p| p.as_str()).collect();
        message.push_str(&format!(
            "; keys of {} taken from its key_exchange only (not confirmed by --key/--keyring)",
            list.join(", ")
        ));
    }
    let report = Report::new(message)
        .with("kind", string(domain(Kind::Agreement)))
        .with(
            "agreement_id",
            string(member(value, "agreement_id").unwrap_or_default()),
        )
        .with("agreement_hash", digest(&agreement.agreement_hash))
        .with("receipt_hash", digest(&record::receipt_hash(value)))
        .with("parties", strings(&agreement.parties))
        .with("trust_level", number(agreement.trust_level))
        .with("keys_confirmed", strings(confirmed))
        .with("keys_unconfirmed", strings(unconfirmed));
    Ok((agreement, report))
}

fn verify_checkpoint(
    input: &Input,
    value: &Value<'_>,
    ring: &Keyring,
) -> Result<(Checkpoint, Report), Fail> {
    let cp = federation::verify_checkpoint(value, ring)
        .map_err(|f| failed(input, value, domain(Kind::ScrollCheckpoint), f))?;
    let report = Report::new(format!(
        "valid scroll_checkpoint {}: {} scroll {} at tree size {}",
        input.name, cp.mesh_id, cp.scroll, cp.tree_size
    ))
    .with("kind", string(domain(Kind::ScrollCheckpoint)))
    .with("mesh_id", string(cp.mesh_id.as_str()))
    .with("scroll", string(cp.scroll.as_str()))
    .with("tree_size", number(cp.tree_size))
    .with("root", digest(&cp.root))
    .with(
        "timestamp",
        string(member(value, "timestamp").unwrap_or_default()),
    )
    .with("receipt_hash", digest(&cp.receipt_hash));
    Ok((cp, report))
}

fn verify_witness(
    input: &Input,
    value: &Value<'_>,
    ring: &Keyring,
    cp: Option<&Checkpoint>,
) -> Result<Report, Fail> {
    let what = domain(Kind::WitnessReceipt);
    let hash =
        federation::verify_witness(value, ring, cp).map_err(|f| failed(input, value, what, f))?;
    let text = |field| member(value, field).unwrap_or_default();
    let size = value
        .as_object()
        .and_then(|o| o.get("tree_size"))
        .and_then(Value::as_u64)
        .unwrap_or_default();
    let mut message = format!(
        "valid {what} {}: {} witnessed {} scroll {} at tree size {}: {}",
        input.name,
        text("witnessing_mesh"),
        text("witnessed_mesh"),
        text("scroll"),
        size,
        text("verification_result"),
    );
    if cp.is_some() {
        message.push_str(" (matches the checkpoint)");
    }
    let mut report = Report::new(message)
        .with("kind", string(what))
        .with("witnessing_mesh", string(text("witnessing_mesh")))
        .with("witnessed_mesh", string(text("witnessed_mesh")))
        .with("scroll", string(text("scroll")))
        .with("witnessed_root", string(text("witnessed_root")))
        .with("tree_size", number(size))
        .with("verification_result", string(text("verification_result")))
        .with("receipt_hash", digest(&hash));
    if let Some(discrepancies) = value.as_object().and_then(|o| o.get("discrepancies")) {
        report = report.with("discrepancies", owned(discrepancies));
    }
    if let Some(cp) = cp {
        report = report.with("checkpoint_receipt_hash", digest(&cp.receipt_hash));
    }
    Ok(report)
}

fn verify_cross_anchor(
    input: &Input,
    value: &Value<'_>,
    ring: &Keyring,
    agreement: Option<&Agreement>,
) -> Result<Report, Fail> {
    let what = domain(Kind::CrossAnchor);
    let anchoring = member(value, "anchoring_mesh").unwrap_or_default();
    let key_source = if ring.get(anchoring).is_some() {
        "keyring"
    } else {
        "agreement"
    };
    // The parties' keys from a verified agreement, for the parties the key options do not give.
    let mut with_agreement;
    let ring = match agreement {
        Some(a) => {
            with_agreement = ring.clone();
            for (party, key) in a.keys.iter() {
                if with_agreement.get(party).is_none() {
                    with_agreement.insert(party, *key);
                }
            }
            &with_agreement
        }
        None => ring,
    };
    let hash = federation::verify_cross_anchor(value, ring, agreement)
        .map_err(|f| failed(input, value, what, f))?;
    let text = |field| member(value, field).unwrap_or_default();
    let mut message = format!(
        "valid {what} {}: {} anchors {}, signed by {}",
        input.name,
        text("anchoring_mesh"),
        text("anchored_mesh"),
        text("anchoring_mesh")
    );
    if agreement.is_some() {
        message.push_str(&format!(
            " (key from the {key_source}), covered by the agreement"
        ));
    }
    let mut report = Report::new(message)
        .with("kind", string(what))
        .with("anchoring_mesh", string(text("anchoring_mesh")))
        .with("anchored_mesh", string(text("anchored_mesh")))
        .with("combined_root", string(text("combined_root")))
        .with("receipt_hash", digest(&hash));
    if let Some(a) = agreement {
        report = report
            .with("agreement_hash", digest(&a.agreement_hash))
            .with("trust_level", number(a.trust_level))
            .with("signer_key_source", string(key_source));
    } else {
        report = report.with("signer_key_source", string("keyring"));
    }
    Ok(report)
}

/// `vm-verify agreement FILE`.
pub fn verify_agreement_cmd(inputs: &mut Inputs, args: &KeyedFileArgs) -> Result<Report, Fail> {
    let ring = keys::keyring(inputs, &args.keys)?;
    let input = inputs.read_record(&args.input.file)?;
    verify_agreement(&input, &input.record()?, &ring).map(|(_, report)| report)
}

/// `vm-verify checkpoint FILE`.
pub fn verify_checkpoint_cmd(inputs: &mut Inputs, args: &KeyedFileArgs) -> Result<Report, Fail> {
    let ring = keys::keyring(inputs, &args.keys)?;
    let input = inputs.read_record(&args.input.file)?;
    verify_checkpoint(&input, &input.record()?, &ring).map(|(_, report)| report)
}

/// `vm-verify evidence FILE`.
pub fn verify_evidence_cmd(inputs: &mut Inputs, args: &KeyedFileArgs) -> Result<Report, Fail> {
    let ring = keys::keyring(inputs, &args.keys)?;
    let input = inputs.read_record(&args.input.file)?;
    let value = input.record()?;
    let found = witness::verify_evidence(&value, &ring)
        .map_err(|f| failed(&input, &value, "witness evidence", f))?;
    let index = match found {
        witness::Contradiction::BadSample(i) => format!(" at receipt {i}"),
        _ => String::new(),
    };
    let mut report = Report::new(format!(
        "valid evidence {}: {}{index} proven",
        input.name,
        found.kind()
    ))
    .with("contradiction", string(found.kind()));
    if let witness::Contradiction::BadSample(i) = found {
        report = report.with("index", number(i));
    }
    Ok(report)
}

/// Reads and verifies the checkpoint file given by an option, if any (exit 2 if unusable, 1 if
/// invalid).
pub fn checkpoint_option(
    inputs: &mut Inputs,
    path: Option<&OsStr>,
    ring: &Keyring,
) -> Result<Option<Checkpoint>, Fail> {
    let Some(path) = path else {
        return Ok(None);
    };
    let input = inputs.read_record(path)?;
    let value = input.record()?;
    verify_checkpoint(&input, &value, ring).map(|(cp, _)| Some(cp))
}

/// `vm-verify witness FILE`.
pub fn verify_witness_cmd(inputs: &mut Inputs, args: &WitnessArgs) -> Result<Report, Fail> {
    let ring = keys::keyring(inputs, &args.keys)?;
    let cp = checkpoint_option(inputs, args.checkpoint.as_deref(), &ring)?;
    let input = inputs.read_record(&args.input.file)?;
    verify_witness(&input, &input.record()?, &ring, cp.as_ref())
}

/// `vm-verify cross-anchor FILE`.
pub fn verify_cross_anchor_cmd(
    inputs: &mut Inputs,
    args: &CrossAnchorArgs,
) -> Result<Report, Fail> {
    let ring = keys::keyring(inputs, &args.keys)?;
    let agreement = match &args.agreement {
        Some(agreement_path) => {
            let a = inputs.read_record(agreement_path)?;
            Some(verify_agreement(&a, &a.record()?, &ring)?.0)
        }
        None => None,
    };
    let input = inputs.read_record(&args.input.file)?;
    verify_cross_anchor(&input, &input.record()?, &ring, agreement.as_ref())
}
