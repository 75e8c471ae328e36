//! `vm-verify bundle FILE`: an audit bundle, verified item by item by the core's
//! `bundle::verify_bundle` (docs/SPEC.md §11), the same verifier the browser page and the C
//! library use.
//!
//! A file that is not a bundle at all is exit 2. A bundle with an invalid item, or one that is
//! incomplete (something could not be checked, or two consecutive checkpoints of a scroll have
//! no consistency proof between them), is exit 1, with the whole report on standard output.

use std::fmt::Write as _;

use vaultmesh_core::bundle::{self, BundleReport, Item, Overall, Verdict, BUNDLE_LIMITS};
use vaultmesh_core::json::Limits;
use vaultmesh_core::record::Failure;
use vaultmesh_core::Error;

use crate::args::{safe_integer, FileArg, KeyArgs};
use crate::input::Inputs;
use crate::keys;
use crate::report::{sanitize, Fail, Report};

/// Help of `vm-verify bundle`.
pub const BUNDLE_HELP: &str = "\
FILE is an audit bundle (docs/SPEC.md §11): {\"type\": \"vaultmesh_audit_bundle\", \"version\": 1,
\"keys\", \"discovery\", \"agreements\", \"scrolls\": [{\"mesh_id\", \"scroll\", \"checkpoints\",
\"consistency\", \"receipts\", \"witnesses\"}], \"cross_anchors\", \"governance\"}. Every item is
checked by the core: keys, discovery records and agreements first (they add the keys the rest is
verified with), then per scroll its checkpoints, the consistency proofs between them, each
receipt's record and inclusion proof under the checkpoint of its size, and witness receipts
against the checkpoint they witnessed; then cross-anchors under an agreement of the bundle, and
the governance chain.

Prints the verdict (valid, invalid or incomplete) with counts, every key with where it came
from, every item with its verdict and, when it is not valid, the error name, code and reason,
and each scroll's growth between checkpoints. With --json: one object with \"valid\", \"code\",
\"error\", \"message\", \"exit_status\" and \"report\", the report document of docs/SPEC.md §11
(the same document the browser's verifyBundle returns).

The key options pin keys you trust: the bundle's own keys must agree with them, and the report
marks them pinned. Without them every key comes from the bundle itself, which shows that the
bundle is consistent, not who made it.

Exit status 0: every item is valid and every growth step proven. 1: an item is invalid (the
error is the first failing item's), or the bundle is incomplete (CONSISTENCY_PROOF_MISMATCH for
two checkpoints without a consistency proof between them). 2: FILE is not an audit bundle: not
strict I-JSON, wrong type or version, a section of the wrong JSON type, an unknown member.";

/// `vm-verify bundle FILE`.
#[derive(clap::Args, Debug)]
pub struct BundleArgs {
    #[command(flatten)]
    input: FileArg,
    #[command(flatten)]
    keys: KeyArgs,
    /// The most bytes FILE may hold (default 67108864, 64 MiB); more is INPUT_TOO_LARGE
    /// (exit 2). Nesting depth is at most 80, and every record inside is held to the per-record
    /// limits (1 MiB, depth 64).
    #[arg(long, value_name = "BYTES", value_parser = safe_integer, allow_hyphen_values = true)]
    max_bytes: Option<u64>,
}

/// `vm-verify bundle FILE`.
pub fn verify_bundle(inputs: &mut Inputs, args: &BundleArgs) -> Result<Report, Fail> {
    let path = &args.input.file;
    let pinned = keys::keyring(inputs, &args.keys)?;
    let max = args.max_bytes.map_or(BUNDLE_LIMITS.max_bytes, |m| {
        usize::try_from(m).unwrap_or(usize::MAX)
    });
    let input = inputs.read(path, max)?;
    let limits = Limits {
        max_bytes: max,
        ..BUNDLE_LIMITS
    };
    let report =
        bundle::verify_bundle(&input.bytes, &pinned, &limits).map_err(|f| Fail::Unusable {
            source: input.name.clone(),
            error: Some(f.error),
            detail: Some(match f.field {
                Some(field) => format!("not an audit bundle (`{field}`)"),
                None => "not an audit bundle".to_string(),
            }),
        })?;
    let s = report.summary();
    let counts = format!(
        "{} valid, {} invalid, {} not checked, {} unproven growth step{}",
        s.valid,
        s.invalid,
        s.not_checked,
        s.unproven_growth,
        if s.unproven_growth == 1 { "" } else { "s" }
    );
    let document = report.to_value();
    match report.overall() {
        Overall::Valid => {
            let message = format!("valid bundle {}: {counts}", input.name);
            let text = text(&message, &report);
            Ok(Report::new(message).with("report", document).artifact(text))
        }
        overall => {
            let first = report
                .items()
                .find_map(|i| i.failure().map(|(_, f)| (i, f)));
            let (failure, hint) = match first {
                Some((item, f)) => (
                    f,
                    format!("first at {}: {}", item.path, sanitize(&item.label)),
                ),
                None => (
                    Failure::at(Error::ConsistencyProofMismatch, "consistency"),
                    "two checkpoints of a scroll have no consistency proof between them"
                        .to_string(),
                ),
            };
            let fail = Fail::Invalid {
                subject: format!("bundle {} ({}: {counts})", input.name, overall.as_str()),
                failure,
                hint: Some(hint),
            };
            let text = text(&fail.message(), &report);
            Err(Fail::WithReport {
                fail: Box::new(fail),
                report: Report::new(String::new())
                    .with("report", document)
                    .artifact(text),
            })
        }
    }
}

fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "valid      ",
        Verdict::Invalid => "INVALID    ",
        Verdict::NotChecked => "not checked",
    }
}

fn line(text: &mut String, item: &Item) {
    let _ = write!(
        text,
        "  {}  {}  {}",
        mark(item.verdict()),
        sanitize(&item.path),
        sanitize(&item.label)
    );
    if let Some((check, f)) = item.failure() {
        let _ = write!(
            text,
            ": {} ({}): {}",
            f.error.name(),
            f.error.code(),
            sanitize(&f.to_string())
        );
        if let Some(note) = &check.note {
            let _ = write!(text, "; {}", sanitize(note));
        }
    } else if let Some(note) = item
        .checks
        .iter()
        .find(|c| c.verdict == Verdict::NotChecked)
        .and_then(|c| c.note.as_ref())
    {
        let _ = write!(text, ": {}", sanitize(note));
    }
    text.push('\n');
}

/// The human-readable report. Untrusted text is sanitized.
fn text(message: &str, report: &BundleReport) -> Vec<u8> {
    let mut text = String::new();
    let _ = writeln!(text, "{}", sanitize(message));
    let _ = writeln!(text, "verdict: {}", report.overall().as_str());
    let _ = writeln!(text, "bundle_hash: {}", report.bundle_hash);
    if let Some(c) = &report.created_at {
        let _ = writeln!(text, "created_at: {}", sanitize(c));
    }
    let pinned = report
        .keys
        .iter()
        .filter(|k| k.source == bundle::KeySource::Pinned)
        .count();
    let _ = writeln!(
        text,
        "keys: {} ({pinned} pinned{})",
        report.keys.len(),
        if pinned == 0 {
            "; every key comes from the bundle itself"
        } else {
            ""
        }
    );
    for k in &report.keys {
        let _ = writeln!(
            text,
            "  {}  {}  {}",
            sanitize(&k.actor),
            k.key,
            k.source.as_str()
        );
    }
    let _ = writeln!(text, "items:");
    for item in report.items() {
        line(&mut text, item);
    }
    let growth: Vec<_> = report
        .scrolls
        .iter()
        .flat_map(|sc| sc.growth.iter().map(move |g| (sc, g)))
        .collect();
    if !growth.is_empty() {
        let _ = writeln!(text, "growth:");
        for (sc, g) in growth {
            let _ = writeln!(
                text,
                "  {}/{}  {} -> {}  {}",
                sanitize(&sc.mesh_id),
                sanitize(&sc.scroll),
                g.old_size,
                g.new_size,
                if g.proven {
                    "proven"
                } else {
                    "NO CONSISTENCY PROOF"
                }
            );
        }
    }
    text.into_bytes()
}
