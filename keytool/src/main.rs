//! `vm-key`: the partners' signer (docs/SPEC.md §3.2). It generates a key file, prints its
//! public key and signs records; everything it signs is checked and signed by
//! `vaultmesh_core::sign`, the same code the node, the C library, Python and JS use.
//! `vm-verify` stays verify-only.
//!
//! Exit status: 0 done, 1 the record was refused (it would not verify), 2 usage or I/O.
//! With `--json`, stdout holds exactly one JSON object, on success and on failure.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vaultmesh_core::json::{self, Limits, Number, Object, Value};
use vaultmesh_core::record::Failure;
use vaultmesh_core::sign::SecretKey;
use zeroize::Zeroizing;

/// Sign VaultMesh records with your own Ed25519 key.
#[derive(Parser)]
#[command(name = "vm-key", version, about, long_about = None)]
struct Cli {
    /// Print one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new key file (mode 0600; an existing file is never overwritten).
    Generate {
        /// Where to write the key file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the public key (`ed25519:z6Mk…`) of a key file.
    Public {
        /// The key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
    /// Sign a record and print it, signed, as canonical JSON.
    Sign {
        /// The key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The record's kind: gov_vote, checkpoint, discovery, proposal, response, witness,
        /// cross-anchor, gov_proposal, … (default: the kind its `type` names).
        #[arg(long)]
        kind: Option<String>,
        /// The record (JSON); `-` or nothing reads standard input.
        #[arg(value_name = "FILE")]
        record: Option<PathBuf>,
    },
    /// Sign an agreement as one party, keeping the other parties' signatures.
    SignAgreement {
        /// The key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The party signing (its `key_exchange` key must be this key).
        #[arg(long, value_name = "DID")]
        party: String,
        /// When it signs (RFC 3339 UTC, `2025-12-06T12:00:00Z`).
        #[arg(long, value_name = "TIME")]
        signed_at: String,
        /// The agreement (JSON); `-` or nothing reads standard input.
        #[arg(value_name = "FILE")]
        agreement: Option<PathBuf>,
    },
}

/// Why a command failed: its exit status and the message (and, for a refused record, the
/// core's error).
struct Fail {
    status: u8,
    message: String,
    failure: Option<Failure>,
}

impl Fail {
    fn usage(message: impl Into<String>) -> Fail {
        Fail {
            status: 2,
            message: message.into(),
            failure: None,
        }
    }

    fn refused(what: &str, failure: Failure) -> Fail {
        Fail {
            status: 1,
            message: format!("{what}: {failure}"),
            failure: Some(failure),
        }
    }
}

fn read_key(path: &Path) -> Result<SecretKey, Fail> {
    let text = Zeroizing::new(
        std::fs::read(path)
            .map_err(|e| Fail::usage(format!("cannot read {}: {e}", path.display())))?,
    );
    // The error names the file, never its contents.
    SecretKey::from_key_file(&text)
        .map_err(|e| Fail::usage(format!("{} is not a key file: {e}", path.display())))
}

fn read_input(path: Option<&Path>) -> Result<Vec<u8>, Fail> {
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).map_err(|e| Fail::usage(format!("cannot read {}: {e}", p.display())))
        }
        _ => {
            let mut input = Vec::new();
            std::io::stdin()
                .read_to_end(&mut input)
                .map_err(|e| Fail::usage(format!("cannot read standard input: {e}")))?;
            Ok(input)
        }
    }
}

fn generate(out: &Path) -> Result<SecretKey, Fail> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|e| Fail::usage(format!("no randomness: {e}")))?;
    let key = SecretKey::from_seed(*seed);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(out)
        .map_err(|e| Fail::usage(format!("cannot create {}: {e}", out.display())))?;
    file.write_all(key.to_key_file().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Fail::usage(format!("cannot write {}: {e}", out.display())))?;
    Ok(key)
}

/// What a command printed: text for a terminal, and the members of its JSON object (a signed
/// record goes in as `"signed"`, the record itself).
struct Done {
    text: String,
    members: Vec<(&'static str, Value<'static>)>,
    signed: bool,
}

fn done(text: String, members: Vec<(&'static str, Value<'static>)>) -> Result<Done, Fail> {
    Ok(Done {
        text,
        members,
        signed: false,
    })
}

fn uint(n: u16) -> Value<'static> {
    Value::Number(Number {
        value: f64::from(n),
        plain_integer: true,
    })
}

fn string(s: impl Into<String>) -> Value<'static> {
    Value::String(s.into().into())
}

/// A signed record: printed as it is, and under `--json` as the member `"signed"`.
fn signed_record(signed: Vec<u8>) -> Result<Done, Fail> {
    let text = String::from_utf8(signed).map_err(|_| Fail::usage("output is not UTF-8"))?;
    Ok(Done {
        text,
        members: Vec::new(),
        signed: true,
    })
}

/// One JSON object: `members`, `"signed"` when given (canonical JSON already) and `"ok"`.
fn object(members: Vec<(&'static str, Value<'static>)>, signed: Option<&str>, ok: bool) -> String {
    let mut o = Object::default();
    for (k, v) in members {
        o.insert(k, v);
    }
    // The core wrote the record, so it reads back.
    if let Some(record) =
        signed.and_then(|s| json::parse_record(s.as_bytes(), &Limits::default()).ok())
    {
        o.insert("signed", record);
    }
    o.insert("ok", Value::Bool(ok));
    String::from_utf8_lossy(&Value::Object(o).to_canonical()).into_owned()
}

/// Runs the command.
fn run(command: &Command) -> Result<Done, Fail> {
    let limits = Limits::default();
    match command {
        Command::Generate { out } => {
            let key = generate(out)?;
            let public = key.public_key().to_string();
            done(
                format!("wrote {} (mode 0600); public key {public}", out.display()),
                vec![
                    ("key_file", string(out.display().to_string())),
                    ("public_key", string(public.clone())),
                ],
            )
        }
        Command::Public { key } => {
            let public = read_key(key)?.public_key().to_string();
            done(public.clone(), vec![("public_key", string(public))])
        }
        Command::Sign { key, kind, record } => {
            let key = read_key(key)?;
            let input = read_input(record.as_deref())?;
            let signed = key
                .sign_named(kind.as_deref(), &input, &limits)
                .map_err(|f| Fail::refused("not signed", f))?;
            signed_record(signed)
        }
        Command::SignAgreement {
            key,
            party,
            signed_at,
            agreement,
        } => {
            let key = read_key(key)?;
            let input = read_input(agreement.as_deref())?;
            let signed = key
                .sign_agreement(party, signed_at, &input, &limits)
                .map_err(|f| Fail::refused("not signed", f))?;
            signed_record(signed)
        }
    }
}

/// The failure as the HTTP API's error object `{"code", "name", "message", "field"?}`, with
/// the exit status.
fn error_object(fail: &Fail) -> String {
    let mut error = Object::default();
    if let Some(f) = &fail.failure {
        error.insert("code", uint(f.error.code()));
        error.insert("name", string(f.error.name()));
        if let Some(field) = f.field {
            error.insert("field", string(field));
        }
    }
    error.insert("message", string(fail.message.clone()));
    let members = vec![
        ("error", Value::Object(error)),
        ("exit_status", uint(u16::from(fail.status))),
    ];
    object(members, None, false)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let json = std::env::args().any(|a| a == "--json");
            if json && e.use_stderr() {
                let fail = Fail::usage(vaultmesh_clikit::one_line(&e));
                println!("{}", error_object(&fail));
                let _ = e.print();
                return ExitCode::from(2);
            }
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(&cli.command) {
        Ok(Done {
            text,
            members,
            signed,
        }) => {
            if cli.json {
                println!("{}", object(members, signed.then_some(text.as_str()), true));
            } else {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(fail) => {
            if cli.json {
                println!("{}", error_object(&fail));
            }
            eprintln!("vm-key: {}", fail.message);
            ExitCode::from(fail.status)
        }
    }
}
