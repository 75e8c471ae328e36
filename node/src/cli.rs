//! The `vm-node` command line. Every command is a function returning `Result<(), Fail>`;
//! [`main`] maps the outcome to the exit status (0 done, 1 checked and found bad, 2 unusable
//! input or failure).

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use vaultmesh_core::encoding::PublicKey;

use crate::client::Client;
use crate::config::{self, DataDir, InitOptions};
use crate::node::Node;

/// Shown after every command's help.
const AFTER_HELP: &str = "\
DIR defaults to $VM_NODE_DATA, else ./vm-node-data. append, checkpoint and add-key talk to the
running node (URL from the config's listen address, token from DIR/admin.token); export-bundle
and verify-store read the store directly and may run beside the node.

--json prints exactly one JSON object on standard output: the command's result, or on failure
{\"error\": {\"status\", \"code\", \"name\", \"message\", ...}, \"exit_status\"} with the HTTP
API's error object (the node's own when the node refused the request).

Exit status: 0 done, 1 checked and found invalid, 2 unusable input, usage or failure.";

/// Usage first, then the description and options.
const HELP_TEMPLATE: &str =
    "{usage-heading} {usage}\n\n{about-with-newline}\n{all-args}{after-help}";

/// `vm-node`: the VaultMesh node.
#[derive(Parser, Debug)]
#[command(
    name = "vm-node",
    version,
    about = "vm-node: the VaultMesh node (durable append-only scrolls, signed checkpoints, proofs over HTTP).",
    subcommand_required = true,
    arg_required_else_help = false
)]
pub struct Cli {
    /// Print exactly one JSON object on standard output, also on failure.
    #[arg(long, global = true)]
    pub json: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a data directory: config, federation key, admin token, store
    Init(InitArgs),
    /// Serve the node over HTTP
    Serve(ServeArgs),
    /// Append receipts to a scroll of the running node
    Append(AppendArgs),
    /// Sign a checkpoint of a scroll of the running node
    Checkpoint(CheckpointArgs),
    /// Register an actor's public key with the running node
    AddKey(AddKeyArgs),
    /// Write an audit bundle of a scroll (read from the store; may run beside the node)
    ExportBundle(ExportBundleArgs),
    /// Verify an audit bundle with the core's verify_bundle
    VerifyBundle(VerifyBundleArgs),
    /// Re-derive every root, subtree, checkpoint and signature of the store
    VerifyStore(DataArg),
    /// Copy a stopped mesh's SQLite store into an empty PostgreSQL database
    Migrate(MigrateArgs),
    /// Load test a running node: appends per second, proof latency, bytes per receipt
    Bench(BenchArgs),
    /// Time witness rounds between two nodes on loopback, at a large and a small scroll
    BenchWitness(crate::bench::witness::WitnessBenchArgs),
    /// A demo mesh in a temporary directory, end to end
    Demo(DemoArgs),
    /// Print a shell completion script (bash, elvish, fish, powershell, zsh)
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `--data DIR`.
#[derive(clap::Args, Debug, Default)]
pub struct DataArg {
    /// The data directory (default $VM_NODE_DATA, else ./vm-node-data).
    #[arg(long = "data", value_name = "DIR")]
    pub data: Option<PathBuf>,
}

impl DataArg {
    /// The data directory.
    pub fn dir(&self) -> PathBuf {
        self.data
            .clone()
            .or_else(|| std::env::var_os("VM_NODE_DATA").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("vm-node-data"))
    }
}

/// `--data DIR --url URL`: the running node of a data directory.
#[derive(clap::Args, Debug, Default)]
pub struct NodeArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub data: DataArg,
    /// The node's URL (default: the config's listen address).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

/// A count: digits, `_` allowed as a separator (`1_000_000`).
pub fn count(text: &str) -> Result<u64, String> {
    let digits = text.replace('_', "");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("needs a non-negative integer (digits, `_` allowed)".to_string());
    }
    digits
        .parse()
        .map_err(|_| "needs an integer below 2^64".to_string())
}

/// `vm-node init`.
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The mesh's id, did:vm:mesh:NAME.
    #[arg(long, value_name = "did:vm:mesh:NAME")]
    pub mesh_id: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub data: DataArg,
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8420")]
    pub listen: String,
    /// The scrolls to create, comma-separated (default: the standard scrolls).
    #[arg(long, value_name = "a,b,c")]
    pub scrolls: Option<String>,
    /// Seconds between automatic checkpoints of scrolls that grew (0: none).
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = count)]
    pub checkpoint_interval: u64,
    /// No constitution: skip writing governance/ (genesis.json and the members' keys); the
    /// node then judges nothing and enforces no governance (docs/governance.md).
    #[arg(long)]
    pub no_governance: bool,
    /// Keep the mesh in this PostgreSQL database instead of DIR/store.db
    /// (postgres://USER:PASSWORD@HOST:PORT/DATABASE (password and port optional)).
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
}

/// `vm-node serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub data: DataArg,
    /// Listen here instead of the config's address.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Tests only: read the node's clock (Unix seconds) from FILE at every reading
    /// (`crate::clock`).
    #[arg(long, value_name = "FILE", hide = true)]
    pub test_clock: Option<PathBuf>,
}

/// `vm-node append SCROLL FILE|-`.
#[derive(clap::Args, Debug)]
pub struct AppendArgs {
    /// The scroll.
    pub scroll: String,
    /// One receipt, a JSON array of receipts, or JSON Lines; `-` for standard input.
    #[arg(value_name = "FILE")]
    pub file: OsString,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub node: NodeArgs,
    /// Append only if the scroll has exactly N receipts (else SIZE_MISMATCH); makes the append
    /// idempotent, so the client may retry it after a lost connection.
    #[arg(long, value_name = "N", value_parser = count)]
    pub expect_size: Option<u64>,
    /// The kind of records without `type` (discovery, proposal, response, agreement): every
    /// receipt of the batch is verified as it; such records are refused without it.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
}

/// `vm-node checkpoint SCROLL`.
#[derive(clap::Args, Debug)]
pub struct CheckpointArgs {
    /// The scroll.
    pub scroll: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub node: NodeArgs,
    /// Sign a new checkpoint even if the scroll did not grow.
    #[arg(long)]
    pub force: bool,
}

/// `vm-node add-key ACTOR KEY`.
#[derive(clap::Args, Debug)]
pub struct AddKeyArgs {
    /// did:vm:mesh|human|agent:NAME, or engine:NAME.
    pub actor: String,
    /// ed25519:z6Mk... or did:key:z6Mk...
    pub key: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub node: NodeArgs,
}

/// `vm-node export-bundle`.
#[derive(clap::Args, Debug)]
pub struct ExportBundleArgs {
    /// The scroll.
    #[arg(long, value_name = "S")]
    pub scroll: String,
    /// The first checkpoint (sequence number) to include.
    #[arg(long, value_name = "N", value_parser = count)]
    pub from_checkpoint: Option<u64>,
    /// The last checkpoint to include (default: the latest).
    #[arg(long, value_name = "M", value_parser = count)]
    pub to_checkpoint: Option<u64>,
    /// Where to write the bundle.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub data: DataArg,
}

/// `vm-node verify-bundle FILE`.
#[derive(clap::Args, Debug)]
pub struct VerifyBundleArgs {
    /// The audit bundle.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Pin the mesh's key (ed25519:z6Mk...); without it the bundle's own keys are trusted.
    #[arg(long, value_name = "KEY")]
    pub mesh_key: Option<String>,
}

/// `vm-node migrate --to URL`.
#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub data: DataArg,
    /// The empty PostgreSQL database (postgres://USER:PASSWORD@HOST:PORT/DATABASE (password and port optional)).
    #[arg(long, value_name = "URL")]
    pub to: String,
}

/// `vm-node bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub node: NodeArgs,
    /// Receipts to sign and append.
    #[arg(long, value_name = "N", default_value = "200000", value_parser = count)]
    pub receipts: u64,
    /// Receipts per append request.
    #[arg(long, value_name = "B", default_value = "1000", value_parser = count)]
    pub batch: u64,
    /// Connections appending at once.
    #[arg(long, value_name = "C", default_value = "2", value_parser = count)]
    pub connections: u64,
    /// Inclusion proofs to ask for after the appends.
    #[arg(long, value_name = "P", default_value = "10000", value_parser = count)]
    pub proofs: u64,
    /// Guardian engine keys signing the receipts.
    #[arg(long, value_name = "K", default_value = "4", value_parser = count)]
    pub signers: u64,
    /// The scroll (created if missing).
    #[arg(long, value_name = "S", default_value = "Bench")]
    pub scroll: String,
}

/// `vm-node demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Where to put the demo mesh (default: a new temporary directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// A command failure: the message, the exit status, and the error object `--json` prints.
#[derive(Debug)]
pub struct Fail {
    /// Exit status (1 invalid, 2 unusable).
    pub status: u8,
    /// What went wrong.
    pub message: String,
    /// The stable name: `USAGE`, `INVALID`, `FAILED`, or the node's error name.
    pub name: &'static str,
    /// The node's own error object, when the node refused the request.
    pub node_error: Option<serde_json::Value>,
    /// What the command established before it failed (verify-store's report): its members
    /// are added to the `--json` object.
    pub report: Option<serde_json::Value>,
}

impl Fail {
    /// Unusable input or a failure (exit 2).
    pub fn usage(message: impl Into<String>) -> Fail {
        Fail {
            status: 2,
            message: message.into(),
            name: "FAILED",
            node_error: None,
            report: None,
        }
    }

    /// Checked and invalid (exit 1).
    pub fn invalid(message: impl Into<String>) -> Fail {
        Fail {
            status: 1,
            message: message.into(),
            name: "INVALID",
            node_error: None,
            report: None,
        }
    }

    /// A command line clap refused (exit 2), as one line.
    fn command_line(error: &clap::Error) -> Fail {
        let message = vaultmesh_clikit::one_line(error);
        Fail {
            name: "USAGE",
            ..Fail::usage(message)
        }
    }

    /// The `--json` object: `{"error": {...}, "exit_status"}`, the error object in the HTTP
    /// API's shape (docs/node.md). The node's own object is passed on as it answered it.
    pub fn to_json(&self) -> serde_json::Value {
        let error = self.node_error.clone().unwrap_or_else(|| {
            let status = match self.name {
                "USAGE" => 400,
                "INVALID" => 422,
                _ => 500,
            };
            serde_json::json!({
                "status": status, "code": null, "name": self.name, "message": self.message,
            })
        });
        let mut object = match &self.report {
            Some(serde_json::Value::Object(report)) => report.clone(),
            _ => serde_json::Map::new(),
        };
        object.insert("error".into(), error);
        object.insert("exit_status".into(), self.status.into());
        serde_json::Value::Object(object)
    }
}

impl<E: std::error::Error> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail::usage(e.to_string())
    }
}

/// Output: human lines, or one JSON object with `--json`.
fn emit(json: bool, human: &str, value: serde_json::Value) {
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(out, "{value}");
    } else {
        let _ = writeln!(out, "{human}");
    }
}

/// The clap command with the help layout on every subcommand.
pub fn command() -> clap::Command {
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let mut command = Cli::command()
        .help_template(HELP_TEMPLATE)
        .after_help(AFTER_HELP);
    for name in names {
        // As before clap, an option given twice takes its last value (scripts append
        // overrides to a base command line).
        command = command.mut_subcommand(name, |c| {
            c.help_template(HELP_TEMPLATE)
                .after_help(AFTER_HELP)
                .args_override_self(true)
        });
    }
    command
}

/// Whether `--json` is on the command line (before `--`), so that a line clap refuses is
/// answered with one JSON object too.
fn wants_json(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// Runs `vm-node` with the process arguments.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let json = wants_json(&args);
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("vm-node: {}", f.message);
            if json {
                println!("{}", f.to_json());
            }
            ExitCode::from(f.status)
        }
    }
}

/// Runs one command line (with the program name first).
pub fn run(args: Vec<OsString>) -> Result<(), Fail> {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let text = e.render().to_string();
            // clap's version line has no final newline.
            println!("{}", text.trim_end());
            return Ok(());
        }
        Err(e) => return Err(Fail::command_line(&e)),
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| Fail::command_line(&e))?;
    let json = cli.json;
    match &cli.command {
        Command::Init(a) => init(a, json),
        Command::Serve(a) => serve(a, json),
        Command::Append(a) => append(a, json),
        Command::Checkpoint(a) => checkpoint(a, json),
        Command::AddKey(a) => add_key(a, json),
        Command::ExportBundle(a) => export_bundle(a, json),
        Command::VerifyBundle(a) => verify_bundle(a, json),
        Command::VerifyStore(a) => verify_store(a, json),
        Command::Migrate(a) => migrate(a, json),
        Command::Bench(a) => crate::bench::run(a, json),
        Command::BenchWitness(a) => crate::bench::witness::run(a, json),
        Command::Demo(a) => crate::bench::demo(a, json),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command(), "vm-node", &mut script);
            let script = String::from_utf8_lossy(&script).into_owned();
            if json {
                emit(
                    true,
                    "",
                    serde_json::json!({ "shell": shell.to_string(), "script": script }),
                );
            } else {
                print!("{script}");
            }
            Ok(())
        }
    }
}

fn init(args: &InitArgs, json: bool) -> Result<(), Fail> {
    let mesh_id = args.mesh_id.as_str();
    let dir = args.data.dir();
    let scrolls: Vec<String> = match &args.scrolls {
        Some(list) => list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        None => config::DEFAULT_SCROLLS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let opts = InitOptions {
        mesh_id,
        listen: &args.listen,
        scrolls,
        checkpoint_interval_secs: args.checkpoint_interval,
        store: args.store.clone(),
    };
    let public_key = config::init(&dir, &opts)?;
    let genesis = match args.no_governance {
        true => None,
        false => Some(crate::governance::genesis::init(&dir)?),
    };
    // Create the store now, so `init` leaves a complete data directory.
    let data = DataDir::load(&dir)?;
    let node = Node::open(&data).map_err(|e| Fail::usage(e.to_string()))?;
    let scrolls: Vec<String> = node.scrolls().iter().map(|s| s.name.clone()).collect();
    emit(
        json,
        &(format!(
            "initialised mesh {mesh_id} in {}\n  federation key  {public_key}  (secret in {}, mode 0600)\n  admin token     {} (mode 0600)\n  scrolls         {}\n  start it with   vm-node serve --data {}",
            dir.display(),
            dir.join(config::KEY_FILE).display(),
            dir.join(config::TOKEN_FILE).display(),
            scrolls.join(", "),
            dir.display()
        ) + &genesis.as_ref().map_or(String::new(), |g| format!(
            "\n  constitution    {} (members' keys in {})",
            g.display(),
            crate::governance::genesis::dir_of(&dir).join("keys").display()
        ))),
        serde_json::json!({
            "mesh_id": mesh_id, "data": dir, "public_key": public_key.to_string(), "scrolls": scrolls,
            "config": dir.join(config::CONFIG_FILE), "admin_token_file": dir.join(config::TOKEN_FILE),
            "genesis": genesis,
        }),
    );
    Ok(())
}

/// Opens the node of a data directory and serves it; returns the running server.
pub fn start(dir: &Path, listen: Option<&str>) -> Result<(Arc<Node>, crate::http::Running), Fail> {
    start_with_clock(dir, listen, None)
}

/// [`start`] with the node reading `clock` (tests: `serve --test-clock`).
pub fn start_with_clock(
    dir: &Path,
    listen: Option<&str>,
    clock: Option<Arc<dyn crate::violations::Clock>>,
) -> Result<(Arc<Node>, crate::http::Running), Fail> {
    let data = DataDir::load(dir)?;
    let mut node = Node::open(&data).map_err(|e| Fail::usage(e.to_string()))?;
    if let Some(clock) = clock {
        node = node.with_clock(clock);
    }
    let node = Arc::new(node);
    let listen = listen.unwrap_or(&data.config.listen).to_string();
    let running = crate::http::serve(node.clone(), &listen)?;
    Ok((node, running))
}

fn serve(args: &ServeArgs, json: bool) -> Result<(), Fail> {
    let dir = args.data.dir();
    crate::http::log::init();
    if args.test_clock.is_some() {
        // Test hooks (docs/node.md "Federation"), never without --test-clock.
        let hook = std::env::var("VM_NODE_TEST_FED_CRASH").unwrap_or_default();
        let flag = match hook.as_str() {
            "before-commit" => Some(&crate::federation::CRASH_BEFORE_COMMIT),
            "after-proposal" => Some(&crate::federation::CRASH_AFTER_PROPOSAL),
            _ => None,
        };
        if let Some(flag) = flag {
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        use crate::federation::witness;
        use std::sync::atomic::Ordering;
        match std::env::var("VM_NODE_TEST_WITNESS").as_deref() {
            Ok("bad-proofs") => witness::SERVE_BAD_PROOFS.store(true, Ordering::Relaxed),
            Ok("pause-before-commit") => witness::PAUSE.store(1, Ordering::Relaxed),
            Ok("pause-after-commit") => witness::PAUSE.store(2, Ordering::Relaxed),
            _ => {}
        }
        if let Ok(mark) = std::env::var("VM_NODE_TEST_WITNESS_MARK") {
            let _ = witness::PAUSE_MARK.set(mark.into());
        }
    }
    let clock = args
        .test_clock
        .clone()
        .map(|path| Arc::new(crate::clock::FileClock(path)) as Arc<dyn crate::violations::Clock>);
    let (node, running) = start_with_clock(&dir, args.listen.as_deref(), clock)?;
    if node.config.federation.notify_peers {
        crate::federation::notify::start_notifier(node.clone());
    }
    if node.config.federation.scheduled_rounds {
        crate::federation::schedule::start(node.clone());
    }
    let scrolls: Vec<String> = node
        .scrolls()
        .iter()
        .map(|s| format!("{} ({})", s.name, s.size()))
        .collect();
    emit(
        json,
        &format!(
            "vm-node listening on {}\n  mesh {}  key {}\n  scrolls {}",
            running.url(),
            node.mesh_id,
            node.public_key,
            scrolls.join(", ")
        ),
        serde_json::json!({ "listening": running.url(), "mesh_id": node.mesh_id }),
    );
    let _ = std::io::stdout().flush();
    running.wait_for_shutdown_signal()?;
    Ok(())
}

/// A client of the running node of a data directory (URL from `--url` or the config).
fn admin_client(args: &NodeArgs) -> Result<Client, Fail> {
    let dir = args.data.dir();
    let token = config::admin_token(&dir)?;
    let url = match &args.url {
        Some(u) => u.clone(),
        None => DataDir::load(&dir)?.config.listen,
    };
    Ok(Client::new(&url).with_token(token))
}

fn unreachable_node(client: &Client, e: std::io::Error) -> Fail {
    Fail::usage(format!(
        "cannot reach the node at {}: {e} (is `vm-node serve` running?)",
        client.addr()
    ))
}

/// Prints a node's error body and returns the failure.
fn node_error(reply: &crate::client::Reply) -> Fail {
    let body = reply.json();
    let e = &body["error"];
    let mut message = format!(
        "{} ({}): {}",
        e["name"].as_str().unwrap_or("?"),
        e["code"],
        e["message"].as_str().unwrap_or("")
    );
    if let Some(f) = e["field"].as_str() {
        message.push_str(&format!(" (field `{f}`)"));
    }
    if let Some(i) = e["index"].as_u64() {
        message.push_str(&format!(" (receipt {i})"));
    }
    Fail {
        status: if reply.status == 422 { 1 } else { 2 },
        message,
        name: "NODE_ERROR",
        node_error: e.is_object().then(|| e.clone()),
        report: None,
    }
}

fn append(args: &AppendArgs, json: bool) -> Result<(), Fail> {
    let (scroll, file) = (&args.scroll, &args.file);
    let mut body = Vec::new();
    if file == "-" {
        std::io::stdin().read_to_end(&mut body)?;
    } else {
        body = std::fs::read(file)
            .map_err(|e| Fail::usage(format!("cannot read {}: {e}", Path::new(file).display())))?;
    }
    // One JSON value (a receipt or an array of them) if it parses as one, else JSON Lines.
    let whole = vaultmesh_core::json::Limits {
        max_bytes: usize::MAX,
        max_depth: 1 << 10,
    };
    let ndjson = vaultmesh_core::json::parse(&body, &whole).is_err();
    let mut client = admin_client(&args.node)?;
    let mut path = format!("/admin/scrolls/{scroll}/receipts");
    let mut query = Vec::new();
    if let Some(n) = args.expect_size {
        query.push(format!("expect_size={n}"));
    }
    if let Some(k) = &args.kind {
        query.push(format!("kind={k}"));
    }
    if !query.is_empty() {
        path.push('?');
        path.push_str(&query.join("&"));
    }
    let content_type = if ndjson {
        "application/x-ndjson"
    } else {
        "application/json"
    };
    let reply = client
        .request("POST", &path, Some(content_type), &body)
        .map_err(|e| unreachable_node(&client, e))?;
    if reply.status != 200 {
        return Err(node_error(&reply));
    }
    print_appended(json, scroll, &reply)
}

fn print_appended(json: bool, scroll: &str, reply: &crate::client::Reply) -> Result<(), Fail> {
    let r = reply.json();
    let first = r["first_index"].as_u64().unwrap_or(0);
    let count = r["count"].as_u64().unwrap_or(0);
    emit(
        json,
        &format!(
            "appended {count} receipt(s) to {scroll} at {first}..{} (size {}; {} signature(s) verified, {} unknown signer, {} without a core kind)",
            first + count,
            r["tree_size"],
            r["verified"],
            r["unknown_signer"],
            r["opaque"]
        ),
        r,
    );
    Ok(())
}

fn checkpoint(args: &CheckpointArgs, json: bool) -> Result<(), Fail> {
    let scroll = &args.scroll;
    let mut client = admin_client(&args.node)?;
    let path = format!(
        "/admin/scrolls/{scroll}/checkpoints{}",
        if args.force { "?force" } else { "" }
    );
    let reply = client
        .post(&path, b"")
        .map_err(|e| unreachable_node(&client, e))?;
    if !matches!(reply.status, 200 | 201) {
        return Err(node_error(&reply));
    }
    let r = reply.json();
    let cp = &r["checkpoint"];
    emit(
        json,
        &format!(
            "{} checkpoint {} of {scroll}: tree_size {} root {}",
            if r["created"] == true {
                "signed"
            } else {
                "unchanged; latest"
            },
            r["seq"],
            cp["tree_size"],
            cp["root"].as_str().unwrap_or("")
        ),
        r,
    );
    Ok(())
}

fn add_key(args: &AddKeyArgs, json: bool) -> Result<(), Fail> {
    let (actor, key) = (&args.actor, &args.key);
    let mut client = admin_client(&args.node)?;
    let body = serde_json::json!({ "actor": actor, "key": key }).to_string();
    let reply = client
        .post("/admin/keys", body.as_bytes())
        .map_err(|e| unreachable_node(&client, e))?;
    if !matches!(reply.status, 200 | 201) {
        return Err(node_error(&reply));
    }
    emit(json, &format!("{actor} → {key}"), reply.json());
    Ok(())
}

/// Opens the node of a data directory on the existing store, read-only.
fn open_read_only(args: &DataArg) -> Result<Node, Fail> {
    let dir = args.dir();
    let data = DataDir::load(&dir)?;
    let store = crate::store::open_existing(&data)?;
    Node::with_store(&data, store).map_err(|e| Fail::usage(e.to_string()))
}

fn export_bundle(args: &ExportBundleArgs, json: bool) -> Result<(), Fail> {
    let scroll = args.scroll.as_str();
    let out = args.out.display().to_string();
    let (from, to) = (args.from_checkpoint, args.to_checkpoint);
    let node = open_read_only(&args.data)?;
    let bundle = crate::bundle::export_with_progress(
        node.store(),
        &node.mesh_id,
        &node.discovery(),
        &node.keyring(),
        scroll,
        (from, to),
        &mut crate::progress::callback("receipts", json),
    )
    .map_err(|e| Fail::usage(e.to_string()))?;
    let bundle = crate::governance::with_chain(&node, scroll, from, bundle)
        .map_err(|e| Fail::usage(e.to_string()))?;
    std::fs::write(&args.out, &bundle)
        .map_err(|e| Fail::usage(format!("cannot write {out}: {e}")))?;
    let report = crate::bundle::check(&bundle, Some((&node.mesh_id, &node.public_key)))
        .map_err(Fail::invalid)?;
    emit(
        json,
        &format!(
            "wrote {out} ({} bytes, format {} v{}): {} receipts of {scroll} with inclusion proofs, {} checkpoint(s), {} consistency proof(s), tree_size {}; the core's verify_bundle: {}",
            bundle.len(),
            vaultmesh_core::bundle::BUNDLE_TYPE,
            vaultmesh_core::bundle::BUNDLE_VERSION,
            report.receipts,
            report.checkpoints,
            report.consistency_proofs,
            report.tree_size,
            report.overall
        ),
        serde_json::json!({ "out": out, "bytes": bundle.len(), "receipts": report.receipts, "checkpoints": report.checkpoints,
            "consistency_proofs": report.consistency_proofs, "tree_size": report.tree_size, "verdict": report.overall }),
    );
    Ok(())
}

fn verify_bundle(args: &VerifyBundleArgs, json: bool) -> Result<(), Fail> {
    let file = &args.file;
    let bytes = std::fs::read(file)
        .map_err(|e| Fail::usage(format!("cannot read {}: {e}", file.display())))?;
    let key = args
        .mesh_key
        .as_deref()
        .map(PublicKey::parse)
        .transpose()
        .map_err(|e| Fail::usage(format!("--mesh-key: {e}")))?;
    // The mesh the key is pinned for: the bundle's first scroll's.
    let mesh = vaultmesh_core::json::parse(&bytes, &vaultmesh_core::bundle::BUNDLE_LIMITS)
        .ok()
        .and_then(|v| {
            let scrolls = v.as_object()?.get("scrolls")?.as_array()?;
            Some(
                scrolls
                    .first()?
                    .as_object()?
                    .get("mesh_id")?
                    .as_str()?
                    .to_string(),
            )
        })
        .unwrap_or_default();
    let r = crate::bundle::check(&bytes, key.as_ref().map(|k| (mesh.as_str(), k)))
        .map_err(Fail::invalid)?;
    emit(
        json,
        &format!(
            "{}: {} of {} items valid — {} receipts of {} ({}) with inclusion proofs, {} checkpoint(s), {} consistency proof(s), tree_size {} (the core's verify_bundle{})",
            r.overall,
            r.valid,
            r.items,
            r.receipts,
            r.scroll,
            r.mesh_id,
            r.checkpoints,
            r.consistency_proofs,
            r.tree_size,
            if key.is_some() { ", mesh key pinned" } else { "; the bundle's own keys were trusted: pin with --mesh-key" }
        ),
        serde_json::json!({ "verdict": r.overall, "items": r.items, "valid": r.valid, "mesh_id": r.mesh_id, "scroll": r.scroll,
            "receipts": r.receipts, "checkpoints": r.checkpoints, "consistency_proofs": r.consistency_proofs, "tree_size": r.tree_size }),
    );
    Ok(())
}

fn migrate(args: &MigrateArgs, json: bool) -> Result<(), Fail> {
    if !crate::store::postgres::is_postgres_url(&args.to) {
        return Err(Fail::usage(
            "--to must be a postgres:// (or postgresql://) URL",
        ));
    }
    let dir = args.data.dir();
    let data = DataDir::load(&dir)?;
    let mut progress = crate::progress::callback("receipts", json);
    let moved = crate::migrate::to_postgres(&data, &args.to, &mut progress)?;
    let shown = crate::store::postgres::redact(&args.to);
    emit(
        json,
        &format!(
            "copied {} scroll(s), {} receipts, {} subtrees, {} checkpoint(s), {} key(s), {} state row(s) to {shown}\n  \
             next: add  store = \"{shown}\"  to {} (before [limits]), then vm-node verify-store --data {}",
            moved.scrolls, moved.receipts, moved.subtrees, moved.checkpoints, moved.keys, moved.state,
            dir.join(config::CONFIG_FILE).display(),
            dir.display()
        ),
        serde_json::json!({ "to": shown, "scrolls": moved.scrolls, "receipts": moved.receipts, "subtrees": moved.subtrees,
            "checkpoints": moved.checkpoints, "keys": moved.keys, "state": moved.state }),
    );
    Ok(())
}

fn verify_store(args: &DataArg, json: bool) -> Result<(), Fail> {
    let node = open_read_only(args)?;
    let mut progress = crate::progress::callback("receipts", json);
    let audit =
        crate::audit::verify_store(node.store(), &node.mesh_id, &node.keyring(), &mut progress)?;
    let mut human = String::new();
    for s in &audit.scrolls {
        human.push_str(&format!(
            "{:<12} {:>9} receipts, {:>9} subtrees, {:>4} checkpoints, {} signatures verified, {} unknown signer, {} without a core kind\n",
            s.name, s.size, s.subtrees, s.checkpoints, s.signatures_verified, s.unknown_signer, s.opaque
        ));
    }
    let ok = audit.problems.is_empty();
    if ok {
        human.push_str("store verified: every root, subtree, checkpoint and signature re-derived");
    } else {
        human.push_str(&format!(
            "STORE INVALID: {} problem(s)\n  {}",
            audit.problems.len(),
            audit.problems.join("\n  ")
        ));
    }
    let scrolls: Vec<_> = audit
        .scrolls
        .iter()
        .map(|s| serde_json::json!({ "name": s.name, "size": s.size, "subtrees": s.subtrees, "checkpoints": s.checkpoints,
            "signatures_verified": s.signatures_verified, "unknown_signer": s.unknown_signer, "opaque": s.opaque }))
        .collect();
    let report = serde_json::json!({ "valid": ok, "scrolls": scrolls, "problems": audit.problems });
    if ok {
        emit(json, &human, report);
        Ok(())
    } else {
        // The report goes out once: on stdout in human mode, inside the one error object
        // under --json.
        if !json {
            emit(json, &human, serde_json::Value::Null);
        }
        Err(Fail {
            report: Some(report),
            ..Fail::invalid("the store failed verification")
        })
    }
}
