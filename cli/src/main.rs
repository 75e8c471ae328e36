//! `vm-verify`: the VaultMesh auditor's command-line verifier, built only on `vaultmesh-core`.
//!
//! Every command is a thin function `fn(&mut Inputs, &Args) -> Result<Report, Fail>` over the
//! core's API; [`main`] only finds the command, runs it, prints the [`Report`] or the one-line
//! [`Fail`], and maps it to the exit status:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | valid (or: the command computed what it was asked) |
//! | 1 | the input was checked and is invalid (bad signature, unknown signer, missing field, kind mismatch, proof mismatch, …) |
//! | 2 | the input is unusable or the command line is wrong (unreadable file, not strict I-JSON, duplicate keys, not an object, malformed key/digest/proof, unknown kind, bad arguments) |
//!
//! Commands live in one table, [`COMMANDS`]; a command is one entry there.

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

use args::{Args, Opt};
use input::Inputs;
use report::{Fail, Report, EXIT_UNUSABLE, EXIT_VALID};

/// One command: its name (one word, or two for `merkle …`), help, options and function.
#[derive(Debug)]
pub struct Command {
    /// `record`, `merkle root`, …
    pub name: &'static str,
    /// The synopsis after `vm-verify `.
    pub usage: &'static str,
    /// One line for the command list.
    pub summary: &'static str,
    /// Paragraphs of `--help`.
    pub help: &'static [&'static str],
    /// The options it accepts (besides the global `--json` and `--help`).
    pub opts: &'static [Opt],
    /// Runs it.
    pub run: fn(&mut Inputs, &Args) -> Result<Report, Fail>,
}

/// Every command, in help order. Adding a command is adding its entry here.
pub const COMMANDS: &[&Command] = &[
    &records::CANON,
    &records::HASH,
    &records::RECORD,
    &records::AGREEMENT,
    &records::CHECKPOINT,
    &records::WITNESS,
    &records::CROSS_ANCHOR,
    &merkle::ROOT,
    &merkle::PROVE,
    &merkle::CONSISTENCY,
    &merkle::VERIFY_INCLUSION,
    &merkle::VERIFY_CONSISTENCY,
    &governance::GOVERNANCE,
    &governance::CONSTITUTION,
    &bundle::BUNDLE,
];

const VERSION: &str = concat!("vm-verify ", env!("CARGO_PKG_VERSION"));

const ABOUT: &str = "\
vm-verify: the VaultMesh auditor's verifier, built only on vaultmesh-core.

Usage: vm-verify COMMAND [ARGS] [--json]
       vm-verify COMMAND --help";

const COMMON_HELP: &str = "\
Common:
  FILE may be `-` for standard input (at most one input per call). Records are strict I-JSON:
  at most 1 MiB (1048576 bytes) and nesting depth 64, valid UTF-8 without a byte-order mark,
  a top-level object, no duplicate member names, no lone surrogates, numbers within 2^53-1.
  --json    print exactly one JSON object on standard output, also on failure, with
            \"valid\", \"code\" (0 when valid, else the core's stable error code; null for
            USAGE, IO and INTERNAL), \"error\" (the stable name, e.g. DUPLICATE_KEY; null
            when valid), \"message\", \"exit_status\", \"field\" (when a failure concerns
            one field) and the values computed (receipt_hash, root, tree_size, proof, ...).
  --help    show help.
  Errors are one line on standard error: `vm-verify: <input>: <NAME> (<code>): <reason>`.

Exit status:
  0  valid (or computed)
  1  checked and invalid: a record that parses but fails a check (missing or malformed field,
     `type` differing from --kind, unknown signer, bad signature, hash or root mismatch), or a
     well-formed proof that does not lead to the given root(s)
  2  unusable input or usage: unreadable file, input that is not strict I-JSON or not an object,
     a malformed key, digest or proof given to the tool, an unknown kind (an untyped record
     without --kind), a blank line in a JSON Lines file, bad arguments";

fn top_help() -> String {
    let mut text = format!("{ABOUT}\n\nCommands:\n");
    for c in COMMANDS {
        text.push_str(&format!("  {:<27}{}\n", c.name, c.summary));
    }
    text.push_str(&format!("\n{}\n\n{COMMON_HELP}\n", keys::HELP));
    text
}

fn group_help(group: &str) -> String {
    let mut text = format!("Usage: vm-verify {group} SUBCOMMAND [ARGS] [--json]\n\nSubcommands:\n");
    for c in COMMANDS
        .iter()
        .filter(|c| c.name.split(' ').next() == Some(group))
    {
        text.push_str(&format!("  vm-verify {}\n      {}\n", c.usage, c.summary));
    }
    text.push_str("\nSee `vm-verify ");
    text.push_str(group);
    text.push_str(" SUBCOMMAND --help`.\n");
    text
}

fn command_help(c: &Command) -> String {
    let mut text = format!(
        "Usage: vm-verify {}\n\n{}.\n",
        c.usage,
        capitalized(c.summary)
    );
    for paragraph in c.help {
        text.push('\n');
        text.push_str(paragraph);
        text.push('\n');
    }
    if c.opts.iter().any(|o| o.name == keys::KEY.name) {
        text.push('\n');
        text.push_str(keys::HELP);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(COMMON_HELP);
    text.push('\n');
    text
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What running the command line produced.
enum Outcome {
    /// Help or version text (exit 0).
    Text(String),
    /// A command's report.
    Report(Report),
}

/// The global flags, removed from the tokens (up to `--`).
struct Globals {
    json: bool,
    help: bool,
    version: bool,
}

fn split_globals(tokens: Vec<OsString>) -> (Globals, Vec<OsString>) {
    let mut globals = Globals {
        json: false,
        help: false,
        version: false,
    };
    let mut rest = Vec::with_capacity(tokens.len());
    let mut options_ended = false;
    for token in tokens {
        if !options_ended {
            match token.to_str() {
                Some("--json") => {
                    globals.json = true;
                    continue;
                }
                Some("--help" | "-h") => {
                    globals.help = true;
                    continue;
                }
                Some("--version" | "-V") if rest.is_empty() => {
                    globals.version = true;
                    continue;
                }
                Some("--") => options_ended = true,
                _ => {}
            }
        }
        rest.push(token);
    }
    (globals, rest)
}

/// Finds the command the tokens name and runs it.
fn dispatch(globals: &Globals, mut tokens: Vec<OsString>) -> Result<Outcome, Fail> {
    if globals.version {
        return Ok(Outcome::Text(format!("{VERSION}\n")));
    }
    // `vm-verify help [COMMAND]` is `vm-verify [COMMAND] --help`.
    let help_topic = tokens.first().is_some_and(|t| t == "help");
    if help_topic {
        tokens.remove(0);
    }
    let help = globals.help || help_topic;
    let words: Vec<String> = tokens
        .iter()
        .take(2)
        .map(|t| t.to_string_lossy().into_owned())
        .collect();
    let Some(first) = words.first().map(String::as_str) else {
        return if help {
            Ok(Outcome::Text(top_help()))
        } else {
            Err(Fail::usage("missing command; see `vm-verify --help`"))
        };
    };
    let found = COMMANDS.iter().find(|c| match c.name.split_once(' ') {
        None => c.name == first,
        Some((group, sub)) => group == first && words.get(1).map(String::as_str) == Some(sub),
    });
    let Some(command) = found else {
        if COMMANDS
            .iter()
            .any(|c| c.name.split(' ').next() == Some(first))
        {
            if help {
                return Ok(Outcome::Text(group_help(first)));
            }
            return Err(Fail::usage(match words.get(1) {
                Some(sub) => format!(
                    "unknown subcommand `{first} {}`; see `vm-verify {first} --help`",
                    report::sanitize(sub)
                ),
                None => format!("missing subcommand of `{first}`; see `vm-verify {first} --help`"),
            }));
        }
        return Err(Fail::usage(format!(
            "unknown command `{}`; see `vm-verify --help`",
            report::sanitize(first)
        )));
    };
    if help {
        return Ok(Outcome::Text(command_help(command)));
    }
    let rest = tokens.split_off(command.name.split(' ').count().min(tokens.len()));
    let see = |fail: Fail| match fail {
        Fail::Usage(message) => Fail::Usage(format!(
            "{message}; see `vm-verify {} --help`",
            command.name
        )),
        other => other,
    };
    let args = Args::parse(rest, command.opts).map_err(see)?;
    let mut inputs = Inputs::default();
    (command.run)(&mut inputs, &args)
        .map(Outcome::Report)
        .map_err(see)
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
    let (globals, tokens) = split_globals(std::env::args_os().skip(1).collect());
    // A bug must still end in one line and exit status 2, never a backtrace.
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| dispatch(&globals, tokens)))
        .unwrap_or_else(|payload| Err(Fail::Internal(panic_message(&*payload))));
    let (bytes, status) = match outcome {
        Ok(Outcome::Text(text)) => (text.into_bytes(), EXIT_VALID),
        Ok(Outcome::Report(report)) if globals.json => {
            let mut bytes = report.to_json().to_canonical();
            bytes.push(b'\n');
            (bytes, EXIT_VALID)
        }
        Ok(Outcome::Report(report)) => (report.to_text(), EXIT_VALID),
        Err(fail) => {
            let _ = writeln!(io::stderr(), "vm-verify: {}", fail.message());
            let bytes = if globals.json {
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
