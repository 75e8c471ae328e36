//! Commands on single records: `canon`, `hash`, `record`, `agreement`, `checkpoint`, `witness`,
//! `cross-anchor`.
//!
//! Each parses its input strictly first (any parse error: exit 2), then hands the parsed value to
//! the core's verifier (any failure: exit 1, except an unknown kind: exit 2).

use vaultmesh_core::federation::{self, Agreement, Checkpoint};
use vaultmesh_core::json::Value;
use vaultmesh_core::record::{self, Failure, Keyring, Kind, Signer};
use vaultmesh_core::Error;

use crate::args::{Args, Opt};
use crate::input::{Input, Inputs};
use crate::keys::{self, member, KEY, KEYRING};
use crate::report::{digest, number, owned, sanitize, string, strings, Fail, Report};
use crate::Command;

/// `vm-verify canon FILE`.
pub const CANON: Command = Command {
    name: "canon",
    usage: "canon FILE",
    summary: "print the canonical (RFC 8785) bytes of a record",
    help: &["\
Parses FILE as one strict I-JSON record and prints its canonical bytes (RFC 8785 JSON
Canonicalization Scheme) exactly, with no final newline. With --json, the object's
\"canonical\" member holds them as a string."],
    opts: &[],
    run: canon,
};

/// `vm-verify hash FILE`.
pub const HASH: Command = Command {
    name: "hash",
    usage: "hash FILE",
    summary: "print a record's receipt_hash, blake3(JCS(record))",
    help: &["\
Parses FILE as one strict I-JSON record and prints receipt_hash = blake3(JCS(record)) over the
complete record, signatures included (wire format section 4). The record is not verified."],
    opts: &[],
    run: hash,
};

/// `vm-verify record FILE`.
pub const RECORD: Command = Command {
    name: "record",
    usage: "record FILE [--kind KIND] [--key ACTOR=KEY]... [--keyring FILE]...",
    summary: "verify a signed record of any kind",
    help: &["\
Verifies one signed record: strict parse, kind, every defined field, then the strict Ed25519
signature of the signer its kind names, with the key from the key options. Agreements,
checkpoints, witness receipts and cross-anchors get their full checks, as with their own
commands (without --checkpoint / --agreement).

  --kind KIND   the kind to verify as. Required for untyped records: discovery, proposal
                (trust_proposal), response (proposal_response), agreement. For a typed record
                it may be given and must then equal its `type` (else KIND_MISMATCH, exit 1).
                Also accepted: checkpoint, witness, cross-anchor, and every domain name
                (fed_discovery, scroll_checkpoint, gov_vote, ...).

A discovery record is self-signed with its own public_key; a key given for its mesh_id must
equal that key (KEY_MISMATCH). An unknown --kind, an untyped record without --kind, or an
unknown `type` is UNKNOWN_KIND (exit 2: the tool cannot tell what to check)."],
    opts: &[Opt::value("--kind", "KIND"), KEY, KEYRING],
    run: verify_record,
};

/// `vm-verify agreement FILE`.
pub const AGREEMENT: Command = Command {
    name: "agreement",
    usage: "agreement FILE [--key ACTOR=KEY]... [--keyring FILE]...",
    summary: "verify a federation agreement",
    help: &["\
Verifies a federation agreement: at least two distinct parties; key_exchange and signatures
name exactly the parties; the recomputed agreement_hash equals the record's; every party's
strict signature over {agreement_hash, signed_at, signer} with its key from key_exchange; trust
level 0-4.

Every key in key_exchange that the key options also give must be the same (KEY_MISMATCH). Keys
the key options do not give are taken from the agreement itself: the output lists them under
keys_unconfirmed, and such an agreement is only self-consistent, not proven to be by the real
meshes."],
    opts: &[KEY, KEYRING],
    run: verify_agreement_cmd,
};

/// `vm-verify checkpoint FILE`.
pub const CHECKPOINT: Command = Command {
    name: "checkpoint",
    usage: "checkpoint FILE [--key ACTOR=KEY]... [--keyring FILE]...",
    summary: "verify a scroll checkpoint (signed tree head)",
    help: &["\
Verifies a scroll checkpoint: its fields and its signature by the key of mesh_id. Prints the
mesh, scroll, tree size and root it signs."],
    opts: &[KEY, KEYRING],
    run: verify_checkpoint_cmd,
};

/// `vm-verify witness FILE`.
pub const WITNESS: Command = Command {
    name: "witness",
    usage: "witness FILE [--checkpoint FILE] [--key ACTOR=KEY]... [--keyring FILE]...",
    summary: "verify a witness receipt",
    help: &["\
Verifies a witness receipt: its fields, its signature by the key of witnessing_mesh, and that
verification_result agrees with discrepancies (verified: none; discrepancy: some).

  --checkpoint FILE   also verify this scroll checkpoint (signed by the witnessed mesh) and
                      check that the receipt's witnessed_mesh, scroll, root and tree_size are
                      the checkpoint's (else CHECKPOINT_MISMATCH, exit 1).

A valid receipt whose verification_result is `discrepancy` or `failed` is still a valid record
(exit 0); the result is printed."],
    opts: &[Opt::value("--checkpoint", "FILE"), KEY, KEYRING],
    run: verify_witness_cmd,
};

/// `vm-verify cross-anchor FILE`.
pub const CROSS_ANCHOR: Command = Command {
    name: "cross-anchor",
    usage: "cross-anchor FILE [--agreement FILE] [--key ACTOR=KEY]... [--keyring FILE]...",
    summary: "verify a cross-anchor",
    help: &["\
Verifies a cross-anchor: distinct meshes, non-empty roots_included, the recomputed
combined_root, and the signature by the key of anchoring_mesh.

  --agreement FILE   also verify this agreement (as `vm-verify agreement` does, with the same
                     key options) and check that it is between the two meshes at trust level 3
                     (attest) or above (else AGREEMENT_MISMATCH / TRUST_LEVEL_TOO_LOW, exit 1).
                     The parties' keys from its key_exchange are then trusted for the parties
                     the key options do not give; the output says where the signer's key came
                     from (signer_key_source: keyring or agreement)."],
    opts: &[Opt::value("--agreement", "FILE"), KEY, KEYRING],
    run: verify_cross_anchor_cmd,
};

fn canon(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let input = inputs.read_record(args.operand("FILE")?)?;
    let bytes = input.record()?.to_canonical();
    Ok(Report::new(format!("canonical form of {}", input.name))
        .with("canonical", string(String::from_utf8_lossy(&bytes)))
        .artifact(bytes))
}

fn hash(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let input = inputs.read_record(args.operand("FILE")?)?;
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

/// The kind named by `--kind`, if given.
fn kind_option(args: &Args) -> Result<Option<Kind>, Fail> {
    let Some(name) = args.text("--kind")? else {
        return Ok(None);
    };
    Kind::from_name(name).map(Some).ok_or_else(|| Fail::Unusable {
        source: "--kind".to_string(),
        error: Some(Error::UnknownKind),
        detail: Some(format!(
            "unknown kind `{}`; kinds: discovery, proposal, response, agreement, checkpoint, witness, \
             cross-anchor, gov_proposal, gov_vote, gov_ratification, gov_amendment, gov_executive_order, \
             gov_violation, gov_enforcement",
            sanitize(name)
        )),
    })
}

fn verify_record(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let path = args.operand("FILE")?;
    let kind = kind_option(args)?;
    let ring = keys::keyring(inputs, args)?;
    let input = inputs.read_record(path)?;
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

fn verify_agreement_cmd(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let path = args.operand("FILE")?;
    let ring = keys::keyring(inputs, args)?;
    let input = inputs.read_record(path)?;
    verify_agreement(&input, &input.record()?, &ring).map(|(_, report)| report)
}

fn verify_checkpoint_cmd(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let path = args.operand("FILE")?;
    let ring = keys::keyring(inputs, args)?;
    let input = inputs.read_record(path)?;
    verify_checkpoint(&input, &input.record()?, &ring).map(|(_, report)| report)
}

/// Reads and verifies a checkpoint given by option `option` (exit 2 if unusable, 1 if invalid).
pub fn checkpoint_option(
    inputs: &mut Inputs,
    args: &Args,
    option: &str,
    ring: &Keyring,
) -> Result<Option<Checkpoint>, Fail> {
    let Some(path) = args.value(option) else {
        return Ok(None);
    };
    let input = inputs.read_record(path)?;
    let value = input.record()?;
    verify_checkpoint(&input, &value, ring).map(|(cp, _)| Some(cp))
}

fn verify_witness_cmd(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let path = args.operand("FILE")?;
    let ring = keys::keyring(inputs, args)?;
    let cp = checkpoint_option(inputs, args, "--checkpoint", &ring)?;
    let input = inputs.read_record(path)?;
    verify_witness(&input, &input.record()?, &ring, cp.as_ref())
}

fn verify_cross_anchor_cmd(inputs: &mut Inputs, args: &Args) -> Result<Report, Fail> {
    let path = args.operand("FILE")?;
    let ring = keys::keyring(inputs, args)?;
    let agreement = match args.value("--agreement") {
        Some(agreement_path) => {
            let a = inputs.read_record(agreement_path)?;
            Some(verify_agreement(&a, &a.record()?, &ring)?.0)
        }
        None => None,
    };
    let input = inputs.read_record(path)?;
    verify_cross_anchor(&input, &input.record()?, &ring, agreement.as_ref())
}
