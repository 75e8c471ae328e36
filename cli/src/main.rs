//! `vm-verify`: the VaultMesh auditor's command-line verifier, built only on `vaultmesh-core`.
//!
//! The command line is declared with clap's derive ([`Cli`], each command's arguments beside its
//! function); every command is a thin function `fn(&mut Inputs, &XArgs) -> Result<Report, Fail>`
//! over the core's API; [`main`] only parses the line, runs the command, prints the [`Report`]
//! or the one-line [`Fail`], and maps it to the exit status:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | valid (or: the command computed what it was asked) |
//! | 1 | the input was checked and is invalid (bad signature, unknown signer, missing field, kind mismatch, proof mismatch, …) |
//! | 2 | the input is unusable or the command line is wrong (unreadable file, not strict I-JSON, duplicate keys, not an object, malformed key/digest/proof, unknown kind, bad arguments) |
//!
//! Commands are the variants of [`Cmd`]; a usage error from clap is a [`Fail::Usage`] like any
//! other (exit 2, and one JSON object under `--json`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod args;
mod bundle;
mod governance;
mod input;
mod keys;
mod merkle;
mod records;
mod report;

use std::ffi::OsString;
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use args::FileArg;
use input::Inputs;
use report::{string, Fail, Report, EXIT_UNUSABLE, EXIT_VALID};

/// Shown after every command's help.
const COMMON_HELP: &str = "\
FILE may be `-` for standard input (at most one input per call). Records are strict I-JSON: at
most 1 MiB (1048576 bytes) and nesting depth 64, valid UTF-8 without a byte-order mark, a
top-level object, no duplicate member names, no lone surrogates, numbers within 2^53-1.

--json prints exactly one JSON object on standard output, also on failure: \"valid\", \"code\"
(0 when valid, else the core's stable error code; null for USAGE, IO and INTERNAL),
\"message\", \"exit_status\", \"field\" (when a failure concerns one field), the values
computed (receipt_hash, root, tree_size, proof, ...), and \"error\": null when valid, else the
HTTP API's error object {\"status\", \"code\", \"name\", \"message\", \"field\"?}.
Errors are one line on standard error: `vm-verify: <input>: <NAME> (<code>): <reason>`.

Exit status:
  0  valid (or computed)
  1  checked and invalid: a record that parses but fails a check (missing or malformed field,
     `type` differing from --kind, unknown signer, bad signature, hash or root mismatch), or a
     well-formed proof that does not lead to the given root(s)
  2  unusable input or usage: unreadable file, input that is not strict I-JSON or not an object,
     a malformed key, digest or proof given to the tool, an unknown kind (an untyped record
     without --kind), a blank line in a JSON Lines file, bad arguments";

/// Usage first (scripts and tests read the first line), then the description and options.
const HELP_TEMPLATE: &str =
    "{usage-heading} {usage}\n\n{about-with-newline}\n{all-args}{after-help}";

/// `vm-verify`: the VaultMesh auditor's verifier, built only on vaultmesh-core.
#[derive(Parser, Debug)]
#[command(
    name = "vm-verify",
    version,
    about = "vm-verify: the VaultMesh auditor's verifier, built only on vaultmesh-core.",
    subcommand_required = true,
    arg_required_else_help = false
)]
struct Cli {
    /// Print exactly one JSON object on standard output, also on failure.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Cmd,
}

/// Every command, in help order. Adding a command is adding its variant here and its arm in
/// [`run`].
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print the canonical (RFC 8785) bytes of a record
    #[command(long_about = records::CANON_HELP)]
    Canon(FileArg),
    /// Print a record's receipt_hash, blake3(JCS(record))
    #[command(long_about = records::HASH_HELP)]
    Hash(FileArg),
    /// Verify a signed record of any kind
    #[command(long_about = records::RECORD_HELP)]
    Record(records::RecordArgs),
    /// Verify a federation agreement
    #[command(long_about = records::AGREEMENT_HELP)]
    Agreement(records::KeyedFileArgs),
    /// Verify a scroll checkpoint (signed tree head)
    #[command(long_about = records::CHECKPOINT_HELP)]
    Checkpoint(records::KeyedFileArgs),
    /// Verify a witness receipt
    #[command(long_about = records::WITNESS_HELP)]
    Witness(records::WitnessArgs),
    /// Verify a witness's discrepancy evidence (a split view, an inconsistent history, a bad sample)
    #[command(long_about = records::EVIDENCE_HELP)]
    Evidence(records::KeyedFileArgs),
    /// Verify a cross-anchor
    #[command(long_about = records::CROSS_ANCHOR_HELP)]
    CrossAnchor(records::CrossAnchorArgs),
    /// Merkle roots, inclusion and consistency proofs of JSON Lines scrolls
    #[command(subcommand_required = true, arg_required_else_help = false)]
    Merkle {
        #[command(subcommand)]
        command: merkle::MerkleCommand,
    },
    /// Verify a governance chain: genesis constitution + governance receipts
    #[command(long_about = governance::GOVERNANCE_HELP)]
    Governance(governance::GovernanceArgs),
    /// Check a constitution document; print its version and constitution_hash
    #[command(long_about = governance::CONSTITUTION_HELP)]
    Constitution(FileArg),
    /// Verify an audit bundle: keys, agreements, scrolls, proofs, witnesses, cross-anchors, governance
    #[command(long_about = bundle::BUNDLE_HELP)]
    Bundle(bundle::BundleArgs),
    /// Print a shell completion script (bash, elvish, fish, powershell, zsh)
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The clap command with the tool's help layout on every subcommand.
fn command() -> clap::Command {
    fn layout(command: clap::Command) -> clap::Command {
        let names: Vec<String> = command
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        let mut command = command.help_template(HELP_TEMPLATE).after_help(COMMON_HELP);
        for name in names {
            command = command.mut_subcommand(name, layout);
        }
        command
    }
    layout(Cli::command())
}

/// Runs the command the line names.
fn run(inputs: &mut Inputs, cmd: &Cmd) -> Result<Report, Fail> {
    match cmd {
        Cmd::Canon(args) => records::canon(inputs, args),
        Cmd::Hash(args) => records::hash(inputs, args),
        Cmd::Record(args) => records::verify_record(inputs, args),
        Cmd::Agreement(args) => records::verify_agreement_cmd(inputs, args),
        Cmd::Checkpoint(args) => records::verify_checkpoint_cmd(inputs, args),
        Cmd::Witness(args) => records::verify_witness_cmd(inputs, args),
        Cmd::Evidence(args) => records::verify_evidence_cmd(inputs, args),
        Cmd::CrossAnchor(args) => records::verify_cross_anchor_cmd(inputs, args),
        Cmd::Merkle { command } => merkle::run(inputs, command),
        Cmd::Governance(args) => governance::verify_governance(inputs, args),
        Cmd::Constitution(args) => governance::verify_constitution(inputs, args),
        Cmd::Bundle(args) => bundle::verify_bundle(inputs, args),
        Cmd::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command(), "vm-verify", &mut script);
            Ok(
                Report::new(format!("{shell} completion script for vm-verify"))
                    .with("shell", string(shell.to_string()))
                    .with("script", string(String::from_utf8_lossy(&script)))
                    .artifact(script),
            )
        }
    }
}

/// What running the command line produced.
enum Outcome {
    /// Help or version text (exit 0).
    Text(String),
    /// A command's report.
    Report(Report),
}

/// A command line clap refused, as one line (exit 2).
fn usage_fail(error: &clap::Error) -> Fail {
    Fail::usage(vaultmesh_clikit::one_line(error))
}

/// Whether `--json` is on the command line (before `--`): a usage error is then one JSON
/// object too, although clap could not parse the line.
fn wants_json(tokens: &[OsString]) -> bool {
    tokens
        .iter()
        .skip(1)
        .take_while(|t| *t != "--")
        .any(|t| t == "--json")
}

/// Parses the command line and runs the command.
fn dispatch(tokens: Vec<OsString>) -> Result<Outcome, Fail> {
    let matches = match command().try_get_matches_from(tokens) {
        Ok(matches) => matches,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // clap's version line has no final newline.
            return Ok(Outcome::Text(format!(
                "{}\n",
                e.render().to_string().trim_end()
            )));
        }
        Err(e) => return Err(usage_fail(&e)),
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| usage_fail(&e))?;
    let mut inputs = Inputs::default();
    run(&mut inputs, &cli.command).map(Outcome::Report)
}

/// Writes to standard output; a closed pipe is not an error (the reader chose to stop).
fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".to_string())
}

fn main() -> ExitCode {
    let tokens: Vec<OsString> = std::env::args_os().collect();
    let json = wants_json(&tokens);
    // A bug must still end in one line and exit status 2, never a backtrace.
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| dispatch(tokens)))
        .unwrap_or_else(|payload| Err(Fail::Internal(panic_message(&*payload))));
    let (bytes, status) = match outcome {
        Ok(Outcome::Text(text)) => (text.into_bytes(), EXIT_VALID),
        Ok(Outcome::Report(report)) if json => {
            let mut bytes = report.to_json().to_canonical();
            bytes.push(b'\n');
            (bytes, EXIT_VALID)
        }
        Ok(Outcome::Report(report)) => (report.to_text(), EXIT_VALID),
        Err(fail) => {
            let _ = writeln!(io::stderr(), "vm-verify: {}", fail.message());
            let bytes = if json {
                let mut bytes = fail.to_json().to_canonical();
                bytes.push(b'\n');
                bytes
            } else {
                fail.to_text()
            };
            (bytes, fail.exit_status())
        }
    };
    if let Err(e) = write_stdout(&bytes) {
        let _ = writeln!(io::stderr(), "vm-verify: cannot write standard output: {e}");
        return ExitCode::from(EXIT_UNUSABLE);
    }
    ExitCode::from(status)
}
