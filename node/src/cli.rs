//! The `vm-node` command line. Every command is a function returning `Result<(), Fail>`;
//! [`main`] maps the outcome to the exit status (0 done, 1 checked and found bad, 2 unusable
//! input or failure).

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use vaultmesh_core::encoding::PublicKey;

use crate::client::Client;
use crate::config::{self, DataDir, InitOptions};
use crate::node::Node;
use crate::store::SqliteStore;

const HELP: &str = "\
vm-node: the VaultMesh node (durable append-only scrolls, signed checkpoints, proofs over HTTP).

Usage:
  vm-node init --mesh-id did:vm:mesh:NAME [--data DIR] [--listen ADDR] [--scrolls a,b,c]
               [--checkpoint-interval SECS]
  vm-node serve [--data DIR] [--listen ADDR]
  vm-node append SCROLL FILE|- [--data DIR] [--url URL] [--expect-size N]
  vm-node checkpoint SCROLL [--data DIR] [--url URL] [--force]
  vm-node add-key ACTOR KEY [--data DIR] [--url URL]
  vm-node export-bundle --scroll S [--from-checkpoint N] [--to-checkpoint M] --out FILE
                        [--data DIR]
  vm-node verify-bundle FILE [--mesh-key KEY]
  vm-node verify-store [--data DIR]
  vm-node bench [--data DIR] [--url URL] [--receipts N] [--batch B] [--connections C]
                [--proofs P] [--scroll S]
  vm-node demo [--dir DIR]

Every command takes --json (one JSON object on stdout) and --help.
DIR defaults to $VM_NODE_DATA, else ./vm-node-data. append, checkpoint and add-key talk to the
running node (URL from the config's listen address, token from DIR/admin.token); FILE holds
one receipt, a JSON array of receipts, or JSON Lines. export-bundle and verify-store read the
store directly and may run beside the node.

Exit status: 0 done, 1 checked and found invalid, 2 unusable input or failure.";

/// A command failure: the message and the exit status.
#[derive(Debug)]
pub struct Fail {
    /// Exit status (1 invalid, 2 unusable).
    pub status: u8,
    /// What went wrong.
    pub message: String,
}

impl Fail {
    /// Unusable input or a failure (exit 2).
    pub fn usage(message: impl Into<String>) -> Fail {
        Fail {
            status: 2,
            message: message.into(),
        }
    }

    /// Checked and invalid (exit 1).
    pub fn invalid(message: impl Into<String>) -> Fail {
        Fail {
            status: 1,
            message: message.into(),
        }
    }
}

impl<E: std::error::Error> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail::usage(e.to_string())
    }
}

/// Parsed arguments: positionals, `--name value` options and `--flag`s.
#[derive(Debug, Default)]
pub struct Args {
    /// Positional arguments after the command.
    pub positional: Vec<String>,
    options: Vec<(String, Option<String>)>,
}

const FLAGS: &[&str] = &["json", "help", "force"];

impl Args {
    /// Parses `args` (without the program and command names).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, Fail> {
        let mut out = Args::default();
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                if let Some((n, v)) = name.split_once('=') {
                    out.options.push((n.to_string(), Some(v.to_string())));
                } else if FLAGS.contains(&name) {
                    out.options.push((name.to_string(), None));
                } else {
                    let v = it
                        .next()
                        .ok_or_else(|| Fail::usage(format!("--{name} needs a value")))?;
                    out.options.push((name.to_string(), Some(v)));
                }
            } else {
                out.positional.push(a);
            }
        }
        Ok(out)
    }

    /// The value of `--name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    /// `--name` as a number.
    pub fn number(&self, name: &str, default: u64) -> Result<u64, Fail> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .replace('_', "")
                .parse()
                .map_err(|_| Fail::usage(format!("--{name} must be a number"))),
        }
    }

    fn check_known(&self, known: &[&str]) -> Result<(), Fail> {
        for (n, _) in &self.options {
            if !known.contains(&n.as_str()) && !FLAGS.contains(&n.as_str()) {
                return Err(Fail::usage(format!("unknown option --{n}")));
            }
        }
        Ok(())
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.get("data")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("VM_NODE_DATA").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("vm-node-data"))
    }
}

/// Output: human lines, or one JSON object with `--json`.
fn emit(args: &Args, human: &str, json: serde_json::Value) {
    let mut out = std::io::stdout().lock();
    if args.flag("json") {
        let _ = writeln!(out, "{json}");
    } else {
        let _ = writeln!(out, "{human}");
    }
}

/// Runs `vm-node` with the process arguments.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a: OsString| a.to_string_lossy().into_owned())
        .collect();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("vm-node: {}", f.message);
            ExitCode::from(f.status)
        }
    }
}

/// Runs one command line (without the program name).
pub fn run(args: Vec<String>) -> Result<(), Fail> {
    let Some((command, rest)) = args.split_first() else {
        println!("{HELP}");
        return Ok(());
    };
    let args = Args::parse(rest.iter().cloned())?;
    if args.flag("help") || command == "--help" || command == "help" || command == "-h" {
        println!("{HELP}");
        return Ok(());
    }
    match command.as_str() {
        "init" => init(&args),
        "serve" => serve(&args),
        "append" => append(&args),
        "checkpoint" => checkpoint(&args),
        "add-key" => add_key(&args),
        "export-bundle" => export_bundle(&args),
        "verify-bundle" => verify_bundle(&args),
        "verify-store" => verify_store(&args),
        "bench" => crate::bench::run(&args),
        "demo" => crate::bench::demo(&args),
        "--version" | "version" => {
            println!("vm-node {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        other => Err(Fail::usage(format!(
            "unknown command {other:?} (vm-node --help)"
        ))),
    }
}

fn init(args: &Args) -> Result<(), Fail> {
    args.check_known(&[
        "mesh-id",
        "data",
        "listen",
        "scrolls",
        "checkpoint-interval",
    ])?;
    let mesh_id = args
        .get("mesh-id")
        .ok_or_else(|| Fail::usage("init needs --mesh-id did:vm:mesh:NAME"))?;
    let dir = args.data_dir();
    let scrolls: Vec<String> = match args.get("scrolls") {
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
        listen: args.get("listen").unwrap_or("127.0.0.1:8420"),
        scrolls,
        checkpoint_interval_secs: args.number("checkpoint-interval", 60)?,
    };
    let public_key = config::init(&dir, &opts)?;
    // Create the store now, so `init` leaves a complete data directory.
    let data = DataDir::load(&dir)?;
    let node = Node::open(&data).map_err(|e| Fail::usage(e.to_string()))?;
    let scrolls: Vec<String> = node.scrolls().iter().map(|s| s.name.clone()).collect();
    emit(
        args,
        &format!(
            "initialised mesh {mesh_id} in {}\n  federation key  {public_key}  (secret in {}, mode 0600)\n  admin token     {} (mode 0600)\n  scrolls         {}\n  start it with   vm-node serve --data {}",
            dir.display(),
            dir.join(config::KEY_FILE).display(),
            dir.join(config::TOKEN_FILE).display(),
            scrolls.join(", "),
            dir.display()
        ),
        serde_json::json!({
            "mesh_id": mesh_id, "data": dir, "public_key": public_key.to_string(), "scrolls": scrolls,
            "config": dir.join(config::CONFIG_FILE), "admin_token_file": dir.join(config::TOKEN_FILE),
        }),
    );
    Ok(())
}

/// Opens the node of a data directory and serves it; returns the running server.
pub fn start(dir: &Path, listen: Option<&str>) -> Result<(Arc<Node>, crate::http::Running), Fail> {
    let data = DataDir::load(dir)?;
    let node = Arc::new(Node::open(&data).map_err(|e| Fail::usage(e.to_string()))?);
    let listen = listen.unwrap_or(&data.config.listen).to_string();
    let running = crate::http::serve(node.clone(), &listen)?;
    Ok((node, running))
}

fn serve(args: &Args) -> Result<(), Fail> {
    args.check_known(&["data", "listen"])?;
    let dir = args.data_dir();
    crate::http::log::init();
    let (node, running) = start(&dir, args.get("listen"))?;
    let scrolls: Vec<String> = node
        .scrolls()
        .iter()
        .map(|s| format!("{} ({})", s.name, s.size()))
        .collect();
    emit(
        args,
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
fn admin_client(args: &Args) -> Result<Client, Fail> {
    let dir = args.data_dir();
    let token = config::admin_token(&dir)?;
    let url = match args.get("url") {
        Some(u) => u.to_string(),
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
    }
}

fn append(args: &Args) -> Result<(), Fail> {
    args.check_known(&["data", "url", "expect-size"])?;
    let [scroll, file] = args.positional.as_slice() else {
        return Err(Fail::usage("usage: vm-node append SCROLL FILE|-"));
    };
    let mut body = Vec::new();
    if file == "-" {
        std::io::stdin().read_to_end(&mut body)?;
    } else {
        body = std::fs::read(file).map_err(|e| Fail::usage(format!("cannot read {file}: {e}")))?;
    }
    // One JSON value (a receipt or an array of them) if it parses as one, else JSON Lines.
    let whole = vaultmesh_core::json::Limits {
        max_bytes: usize::MAX,
        max_depth: 1 << 10,
    };
    let ndjson = vaultmesh_core::json::parse(&body, &whole).is_err();
    let mut client = admin_client(args)?;
    let mut path = format!("/admin/scrolls/{scroll}/receipts");
    if let Some(n) = args.get("expect-size") {
        path.push_str(&format!("?expect_size={n}"));
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
    print_appended(args, scroll, &reply)
}

fn print_appended(args: &Args, scroll: &str, reply: &crate::client::Reply) -> Result<(), Fail> {
    let r = reply.json();
    let first = r["first_index"].as_u64().unwrap_or(0);
    let count = r["count"].as_u64().unwrap_or(0);
    emit(
        args,
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

fn checkpoint(args: &Args) -> Result<(), Fail> {
    args.check_known(&["data", "url"])?;
    let [scroll] = args.positional.as_slice() else {
        return Err(Fail::usage("usage: vm-node checkpoint SCROLL"));
    };
    let mut client = admin_client(args)?;
    let path = format!(
        "/admin/scrolls/{scroll}/checkpoints{}",
        if args.flag("force") { "?force" } else { "" }
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
        args,
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

fn add_key(args: &Args) -> Result<(), Fail> {
    args.check_known(&["data", "url"])?;
    let [actor, key] = args.positional.as_slice() else {
        return Err(Fail::usage("usage: vm-node add-key ACTOR KEY"));
    };
    let mut client = admin_client(args)?;
    let body = serde_json::json!({ "actor": actor, "key": key }).to_string();
    let reply = client
        .post("/admin/keys", body.as_bytes())
        .map_err(|e| unreachable_node(&client, e))?;
    if !matches!(reply.status, 200 | 201) {
        return Err(node_error(&reply));
    }
    emit(args, &format!("{actor} → {key}"), reply.json());
    Ok(())
}

/// Opens the node of a data directory on the existing store, read-only.
fn open_read_only(args: &Args) -> Result<Node, Fail> {
    let dir = args.data_dir();
    let data = DataDir::load(&dir)?;
    let store = SqliteStore::open_existing(&data.store_path())?;
    Node::with_store(&data, Box::new(store)).map_err(|e| Fail::usage(e.to_string()))
}

fn export_bundle(args: &Args) -> Result<(), Fail> {
    args.check_known(&["data", "scroll", "from-checkpoint", "to-checkpoint", "out"])?;
    let scroll = args
        .get("scroll")
        .ok_or_else(|| Fail::usage("export-bundle needs --scroll S"))?;
    let out = args
        .get("out")
        .ok_or_else(|| Fail::usage("export-bundle needs --out FILE"))?;
    let to = args
        .get("to-checkpoint")
        .map(|_| args.number("to-checkpoint", 1))
        .transpose()?;
    let from = args
        .get("from-checkpoint")
        .map(|_| args.number("from-checkpoint", 1))
        .transpose()?;
    let node = open_read_only(args)?;
    let bundle = crate::bundle::export(
        node.store(),
        &node.mesh_id,
        &node.discovery(),
        &node.keyring(),
        scroll,
        from,
        to,
    )
    .map_err(|e| Fail::usage(e.to_string()))?;
    std::fs::write(out, &bundle).map_err(|e| Fail::usage(format!("cannot write {out}: {e}")))?;
    let report = crate::bundle::check(&bundle, Some((&node.mesh_id, &node.public_key)))
        .map_err(Fail::invalid)?;
    emit(
        args,
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

fn verify_bundle(args: &Args) -> Result<(), Fail> {
    args.check_known(&["mesh-key"])?;
    let [file] = args.positional.as_slice() else {
        return Err(Fail::usage(
            "usage: vm-node verify-bundle FILE [--mesh-key KEY]",
        ));
    };
    let bytes = std::fs::read(file).map_err(|e| Fail::usage(format!("cannot read {file}: {e}")))?;
    let key = args
        .get("mesh-key")
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
        args,
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

fn verify_store(args: &Args) -> Result<(), Fail> {
    args.check_known(&["data"])?;
    let node = open_read_only(args)?;
    let tty = std::io::stderr().is_terminal() && !args.flag("json");
    let mut progress = |done: u64, total: u64| {
        if tty && total >= 50_000 {
            let width = 40;
            let filled = (done * width / total.max(1)) as usize;
            eprint!(
                "\r[{}{}] {done}/{total} receipts",
                "#".repeat(filled),
                " ".repeat(width as usize - filled)
            );
            if done == total {
                eprintln!();
            }
        }
    };
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
    emit(
        args,
        &human,
        serde_json::json!({ "valid": ok, "scrolls": scrolls, "problems": audit.problems }),
    );
    if ok {
        Ok(())
    } else {
        Err(Fail::invalid("the store failed verification"))
    }
}
