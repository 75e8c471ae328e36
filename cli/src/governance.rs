//! Governance commands: `governance CHAIN.json` (a genesis constitution and its governance
//! receipts, verified in order by `governance::verify_chain`) and `constitution FILE` (a
//! constitution's schema, version and `constitution_hash`), docs/SPEC.md §10.
//!
//! A chain file that cannot be used as one (not strict I-JSON, not an object, `genesis` or
//! `receipts` missing, `receipts` not an array) is exit 2. A chain that breaks a rule (a genesis
//! that breaks the constitution schema included) is exit 1, with the report of everything
//! verified before the violation.

use std::borrow::Cow;
use std::fmt::Write as _;

use vaultmesh_core::governance::{self, ChainReport, ConstitutionVersion};
use vaultmesh_core::json::{self, Limits, Value};
use vaultmesh_core::record::Failure;
use vaultmesh_core::Error;

use std::ffi::OsString;

use crate::args::{safe_integer, FileArg};
use crate::input::{Input, Inputs};
use crate::report::{digest, sanitize, string, Fail, Report};

/// The default bound on a chain file: 64 MiB (67,108,864 bytes). A chain of 10,000 receipts
/// is about 2.5 MB.
pub const CHAIN_DEFAULT_MAX_BYTES: u64 = 64 << 20;

/// The nesting depth allowed in a chain file (the core's default).
pub const CHAIN_MAX_DEPTH: usize = 64;

/// Help of `vm-verify governance`.
pub const GOVERNANCE_HELP: &str = "\
CHAIN.json is a governance chain file (docs/SPEC.md section 10.3.1):
  {\"genesis\": {...constitution...}, \"receipts\": [{...gov_proposal...}, {...gov_vote...}, ...]}
Other members are ignored. The genesis is checked against the constitution schema, then every
receipt in order: its fields and signature with the keys of the constitution that judges it,
the chain order of its dates, and the rules of its kind (deliberation, votes, quorum and
thresholds, ratification, amendment hashes and version bumps, executive orders, emergencies,
violations, enforcement and reviews). The first failure stops the verification.

Prints the receipts verified, every constitution version that was in force with its hash and
the amendment that brought it in force (receipt index, proposal, effective_at), each proposal
with its type, phase and tally, the final version and hash, and on failure the failing receipt
(index, or none when the genesis constitution is at fault), the error name and code, and the
field concerned. On failure the report describes the chain up to the receipt before the
violation; it is printed on standard output and the one-line error on standard error.

With --json: one object with \"valid\", \"code\", \"error\", \"message\", \"exit_status\"
(and \"field\" on failure when the error names a member), the chain report of docs/SPEC.md
section 10.6: \"receipts\", \"verified\", \"violation\" ({\"index\", \"error\", \"code\",
\"message\", \"field\"?}, index null for the genesis; or null), \"versions\" ([{\"version\",
\"constitution_hash\", \"index\", \"proposal_id\", \"effective_at\"}], genesis first, its index,
proposal_id and effective_at null), \"proposals\" ([{\"proposal_id\", \"proposal_type\", \"class\", \"phase\",
\"tally\": {\"approve\", \"reject\", \"abstain\"}, \"index\"}]), \"orders\", \"violations\" and
\"enforcements\" (counts); then \"final_version\" and \"final_hash\" (null when the genesis is
invalid).

Trust: the voters' and engines' keys come from the genesis constitution in the file itself, so
a valid chain proves that every step followed the rules from that genesis on. Compare the
genesis hash (the first version printed) with one you trust.

Exit status 0: every receipt verified. 1: the genesis breaks the constitution schema or a
receipt breaks a rule (the failing receipt's index, error and field are printed). 2: the file is
unusable as a chain file: unreadable, too large, not strict I-JSON, not an object, `genesis` or
`receipts` missing, `receipts` not an array.";

/// `vm-verify governance CHAIN.json [--max-bytes BYTES]`.
#[derive(clap::Args, Debug)]
pub struct GovernanceArgs {
    /// The governance chain file (`-` for standard input).
    #[arg(value_name = "CHAIN.json")]
    file: OsString,
    /// The most bytes the chain file may hold (default 67108864, 64 MiB); more is
    /// INPUT_TOO_LARGE (exit 2). Nesting depth is at most 64. The file is read into memory
    /// whole.
    #[arg(long, value_name = "BYTES", value_parser = safe_integer, allow_hyphen_values = true)]
    max_bytes: Option<u64>,
}

/// Help of `vm-verify constitution`.
pub const CONSTITUTION_HELP: &str = "\
Checks FILE, one constitution document (docs/SPEC.md section 10.1), against the constitution
schema and prints its version and constitution_hash = blake3(JCS(document)). This is the hash
a governance chain's amendments name in constitution_hash_before / constitution_hash_after.
With --json: one object with \"valid\", \"code\", \"error\", \"message\", \"exit_status\",
\"version\" and \"constitution_hash\".

A document that breaks the schema is INVALID_CONSTITUTION (exit 1), naming the member
concerned (e.g. rules.quorum). Input that is not strict I-JSON or not an object is exit 2.";

/// `vm-verify constitution FILE`.
pub fn verify_constitution(inputs: &mut Inputs, args: &FileArg) -> Result<Report, Fail> {
    let input = inputs.read_record(&args.file)?;
    let value = input.record()?;
    let info = governance::constitution_info(&value).map_err(|failure| {
        let is_chain = value
            .as_object()
            .is_some_and(|o| o.get("genesis").is_some() && o.get("receipts").is_some());
        Fail::Invalid {
            subject: format!("constitution {}", input.name),
            failure,
            hint: is_chain.then(|| {
                "this looks like a governance chain file: use `vm-verify governance`".to_string()
            }),
        }
    })?;
    Ok(Report::new(format!(
        "valid constitution {}, version {}",
        input.name, info.version
    ))
    .with("version", string(info.version.to_string()))
    .with("constitution_hash", digest(&info.hash)))
}

/// `vm-verify governance CHAIN.json`.
pub fn verify_governance(inputs: &mut Inputs, args: &GovernanceArgs) -> Result<Report, Fail> {
    let path = &args.file;
    let max = args.max_bytes.unwrap_or(CHAIN_DEFAULT_MAX_BYTES);
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let input = inputs.read(path, max).map_err(|fail| match fail {
        Fail::Unusable {
            source,
            error: Some(Error::InputTooLarge),
            ..
        } => Fail::Unusable {
            source,
            error: Some(Error::InputTooLarge),
            detail: Some(format!(
                "the file exceeds {max} bytes; raise the bound with --max-bytes"
            )),
        },
        other => other,
    })?;
    let limits = Limits {
        max_bytes: max,
        max_depth: CHAIN_MAX_DEPTH,
    };
    let value =
        json::parse_record(&input.bytes, &limits).map_err(|e| Fail::unusable(&input.name, e))?;
    check_chain_file(&input, &value)?;
    let report = governance::verify_chain(&value);
    let fields = chain_fields(&report);
    match report.violation {
        None => {
            let message = format!(
                "valid governance chain {}: {} receipts verified; constitution {}",
                input.name,
                report.verified,
                version_path(&report.versions)
            );
            let text = chain_text(&message, &report);
            Ok(with_fields(Report::new(message), fields).artifact(text))
        }
        Some(violation) => {
            let subject = match violation.index {
                Some(i) => format!(
                    "governance chain {} at receipt {i} (of {})",
                    input.name, report.receipts
                ),
                None => format!("governance chain {}, genesis constitution", input.name),
            };
            let fail = Fail::Invalid {
                subject,
                failure: Failure {
                    error: violation.error,
                    field: violation.field,
                },
                hint: None,
            };
            let text = chain_text(&fail.message(), &report);
            Err(Fail::WithReport {
                fail: Box::new(fail),
                report: with_fields(Report::new(String::new()), fields).artifact(text),
            })
        }
    }
}

/// A chain file that does not have the chain file's shape is unusable (exit 2): the tool
/// cannot tell what to verify. (`verify_chain` would report these as a violation without an
/// index; everything else it reports is a verdict.)
fn check_chain_file(input: &Input, value: &Value<'_>) -> Result<(), Fail> {
    let unusable = |error, detail: &str| Fail::Unusable {
        source: input.name.clone(),
        error: Some(error),
        detail: Some(format!("not a governance chain file: {detail}")),
    };
    let Some(object) = value.as_object() else {
        return Err(Fail::unusable(&input.name, Error::NotAnObject));
    };
    if object.get("genesis").is_none() {
        return Err(unusable(Error::MissingField, "no `genesis` member"));
    }
    match object.get("receipts") {
        None => Err(unusable(Error::MissingField, "no `receipts` member")),
        Some(Value::Array(_)) => Ok(()),
        Some(_) => Err(unusable(Error::InvalidField, "`receipts` is not an array")),
    }
}

fn with_fields(mut report: Report, fields: Vec<(&'static str, Value<'static>)>) -> Report {
    report.fields = fields;
    report
}

/// The `--json` members of a chain report: the core's report ([`ChainReport::to_value`],
/// docs/SPEC.md §10.6) without its `valid` (the envelope's), then `final_version` and
/// `final_hash` (null when the genesis is invalid).
fn chain_fields(report: &ChainReport<'_>) -> Vec<(&'static str, Value<'static>)> {
    let mut fields: Vec<(&'static str, Value<'static>)> = Vec::new();
    if let Value::Object(object) = report.to_value() {
        // The core names its members with string literals.
        for (name, value) in object.members {
            if let Cow::Borrowed(name) = name {
                if name != "valid" {
                    fields.push((name, value));
                }
            }
        }
    }
    let last = report.last_version();
    fields.push((
        "final_version",
        last.map_or(Value::Null, |v| string(v.version.to_string())),
    ));
    fields.push(("final_hash", last.map_or(Value::Null, |v| digest(&v.hash))));
    fields
}

/// `1.0.0 -> 1.1.0 -> 1.1.1`, or `(none)`.
fn version_path(versions: &[ConstitutionVersion]) -> String {
    if versions.is_empty() {
        return "(none)".to_string();
    }
    versions
        .iter()
        .map(|v| v.version.to_string())
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// The human-readable report: `message`, then one section per part of the report. Untrusted
/// text (proposal ids) is sanitized line by line.
fn chain_text(message: &str, report: &ChainReport<'_>) -> Vec<u8> {
    let mut text = String::new();
    let _ = writeln!(text, "{message}");
    let _ = writeln!(text, "receipts: {}", report.receipts);
    let _ = writeln!(text, "verified: {}", report.verified);
    let _ = writeln!(text, "versions:");
    if report.versions.is_empty() {
        let _ = writeln!(text, "  (none: the genesis constitution is invalid)");
    }
    for v in &report.versions {
        let _ = write!(text, "  {} {}", v.version, v.hash);
        match (v.index, &v.proposal_id) {
            (None, _) => text.push_str(" genesis"),
            (Some(i), proposal) => {
                let _ = write!(text, " amendment receipt {i}");
                if let Some(p) = proposal {
                    let _ = write!(text, " ({p})");
                }
                if let Some(t) = v.effective_at {
                    let _ = write!(text, ", effective {t}");
                }
            }
        }
        text.push('\n');
    }
    if !report.proposals.is_empty() {
        let _ = writeln!(text, "proposals:");
        for p in &report.proposals {
            let _ = writeln!(
                text,
                "  {} {} {} (proposal receipt {}; approve {}, reject {}, abstain {})",
                p.proposal_id,
                p.proposal_type.name(),
                p.phase.name(),
                p.index,
                p.tally.approve,
                p.tally.reject,
                p.tally.abstain
            );
        }
    }
    let qualifier = if report.is_valid() {
        ""
    } else {
        " (in force before the violation)"
    };
    match report.last_version() {
        Some(last) => {
            let _ = writeln!(text, "final_version: {}{qualifier}", last.version);
            let _ = writeln!(text, "final_hash: {}", last.hash);
        }
        None => {
            let _ = writeln!(text, "final_version: (none)");
            let _ = writeln!(text, "final_hash: (none)");
        }
    }
    match &report.violation {
        None => {
            let _ = writeln!(text, "violation: none");
        }
        Some(v) => {
            let at = v.index.map_or_else(
                || "genesis constitution".to_string(),
                |i| format!("receipt {i}"),
            );
            let _ = writeln!(
                text,
                "violation: {at}: {} ({}): {}",
                v.error.name(),
                v.error.code(),
                v.error.message()
            );
            if let Some(field) = v.field {
                let _ = writeln!(text, "violation_field: {field}");
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&sanitize(line));
        out.push('\n');
    }
    out.into_bytes()
}
