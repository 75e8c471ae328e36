//! `vm-federation`: the operator's federation tool (protocol "CLI Commands", issue 11). A thin
//! client of the node's admin API (`/admin/federation/*`, docs/node.md "Federation") with the
//! admin token of the node's data directory; the node makes every signed call to other meshes
//! and the core decides every verdict.
//!
//! Exit status: 0 done; 1 the node (or the peer through it) checked the request and refused
//! it; 2 usage, I/O, or the node unreachable. With `--json`, stdout holds exactly one JSON
//! object: the node's answer, or `{"error": {...}, "exit_status": N}`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use vaultmesh_node::client::Client;
use vaultmesh_node::config::{self, DataDir};

/// Federate this mesh with others: discover, propose, negotiate, sign and revoke agreements.
#[derive(Parser)]
#[command(name = "vm-federation", version, about, long_about = None)]
struct Cli {
    /// Print one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// The node's data directory (default $VM_NODE_DATA, else ./vm-node-data): its admin
    /// token, and its listen address unless --url is given.
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The node's URL (default: the data directory's listen address).
    #[arg(long, global = true, value_name = "URL")]
    url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch a mesh's discovery record, verify it and pin its key.
    Discover {
        /// The mesh's base URL (`https://host:port`, or `host:port` on loopback).
        #[arg(long, value_name = "URL")]
        mesh: String,
        /// Accept a key other than the one pinned (after checking it out of band).
        #[arg(long)]
        accept_new_key: bool,
    },
    /// The meshes discovered, with their pinned keys.
    ListKnown,
    /// Propose a federation agreement to a discovered mesh.
    Propose {
        /// The target mesh's DID.
        #[arg(long, value_name = "DID")]
        target: String,
        /// The trust level, 0–4.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=4))]
        trust_level: u64,
        /// The scrolls to share, comma-separated.
        #[arg(long, value_name = "A,B", value_delimiter = ',', required = true)]
        scrolls: Vec<String>,
        /// Further terms: a JSON object (verification_frequency, retention_period_days, …).
        #[arg(long, value_name = "FILE")]
        terms: Option<PathBuf>,
        /// How long the proposal stands: `7d`, `12h`, `30m` or seconds (default 7d).
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        expires: Option<u64>,
    },
    /// Proposals this mesh made or received.
    Proposals {
        #[command(subcommand)]
        action: ProposalAction,
    },
    /// Agreements in force, revoking or lapsed.
    Agreements {
        #[command(subcommand)]
        action: AgreementAction,
    },
    /// This mesh's federation at a glance.
    Status,
    /// Witness a peer's scroll now: its latest signed checkpoint, consistency with the one
    /// accepted before, and at trust level 2 or more sampled receipts; the signed witness
    /// receipt is stored here and sent to the peer.
    Verify {
        /// The witnessed mesh's DID.
        #[arg(long, value_name = "DID")]
        mesh: String,
        /// The scroll (one the agreement shares).
        #[arg(long, value_name = "NAME")]
        scroll: String,
    },
    /// Send a witness this mesh's signed checkpoint of a shared scroll now (what the node does on
    /// its own for each checkpoint it signs); a witness that is ahead answers 409 with its size,
    /// and the node then sends its latest checkpoint instead.
    Notify {
        /// The witnessing mesh's DID.
        #[arg(long, value_name = "DID")]
        mesh: String,
        /// The scroll (one the agreement shares).
        #[arg(long, value_name = "NAME")]
        scroll: String,
        /// The checkpoint of this tree size (default: the latest).
        #[arg(long, value_name = "N")]
        size: Option<u64>,
    },
    /// Per peer and scroll this mesh witnesses: last round, last verified round, lag, problems.
    Health {
        /// Every peer (the only mode so far; accepted for the protocol's spelling).
        #[arg(long)]
        all_peers: bool,
    },
    /// The witness receipts this mesh made or received, oldest first.
    WitnessHistory {
        /// Only those of this mesh (witnessing or witnessed).
        #[arg(long, value_name = "DID")]
        mesh: Option<String>,
        /// Only those of this scroll.
        #[arg(long, value_name = "NAME")]
        scroll: Option<String>,
        /// Only those dated within this long of the node's clock: `30d`, `12h`, `30m`, seconds.
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        last: Option<u64>,
    },
}

#[derive(Subcommand)]
enum ProposalAction {
    /// Every proposal and its state.
    List,
    /// One proposal with every record.
    Show {
        /// The proposal id.
        id: String,
    },
    /// Accept the current terms: the agreement is signed here, countersigned by the peer.
    Accept {
        /// The proposal id.
        id: String,
    },
    /// Reject the proposal.
    Reject {
        /// The proposal id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Answer with other terms.
    Counter {
        /// The proposal id.
        id: String,
        /// Another trust level.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=4))]
        trust_level: Option<u64>,
        /// Other scrolls, comma-separated.
        #[arg(long, value_name = "A,B", value_delimiter = ',')]
        scrolls: Option<Vec<String>>,
        /// Further terms (JSON object file).
        #[arg(long, value_name = "FILE")]
        terms: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AgreementAction {
    /// Every agreement and its status.
    List,
    /// One agreement, signed by both parties.
    Show {
        /// The agreement id.
        id: String,
    },
    /// Revoke with notice: in force until the notice ends, then lapsed on both sides.
    Revoke {
        /// The agreement id.
        id: String,
        /// Days of notice.
        #[arg(long, value_name = "N")]
        notice_days: u64,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
}

fn duration(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 7d, 12h, 30m or 3600"))?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?}: the unit is one of s, m, h, d")),
    };
    n.checked_mul(unit)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

/// Why a command failed.
struct Fail {
    status: u8,
    message: String,
    error: Value,
}

impl Fail {
    fn usage(message: impl Into<String>) -> Fail {
        let message = message.into();
        Fail {
            status: 2,
            error: json!({ "message": message }),
            message,
        }
    }
}

fn terms_file(path: &Option<PathBuf>) -> Result<Option<Value>, Fail> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read(path)
        .map_err(|e| Fail::usage(format!("cannot read {}: {e}", path.display())))?;
    let value: Value = serde_json::from_slice(&text)
        .map_err(|e| Fail::usage(format!("{}: {e}", path.display())))?;
    if !value.is_object() {
        return Err(Fail::usage(format!(
            "{}: terms must be a JSON object",
            path.display()
        )));
    }
    Ok(Some(value))
}

fn client(cli: &Cli) -> Result<Client, Fail> {
    let dir = cli
        .data
        .clone()
        .or_else(|| std::env::var_os("VM_NODE_DATA").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("vm-node-data"));
    let token = config::admin_token(&dir).map_err(|e| Fail::usage(e.to_string()))?;
    let url = match &cli.url {
        Some(u) => u.clone(),
        None => {
            DataDir::load(&dir)
                .map_err(|e| Fail::usage(e.to_string()))?
                .config
                .listen
        }
    };
    Ok(Client::new(&url).with_token(token).with_retries(0))
}

/// One call to the node: its JSON answer, or the failure with the node's error.
fn call(c: &mut Client, method: &str, path: &str, body: Option<Value>) -> Result<Value, Fail> {
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let reply = c
        .request(method, path, Some("application/json"), &bytes)
        .map_err(|e| {
            Fail::usage(format!(
                "cannot reach the node at {}: {e} (is `vm-node serve` running?)",
                c.addr()
            ))
        })?;
    let answer = reply.json();
    if (200..300).contains(&reply.status) {
        return Ok(answer);
    }
    let e = &answer["error"];
    Err(Fail {
        status: if (400..500).contains(&reply.status) {
            1
        } else {
            2
        },
        message: format!(
            "{} ({}): {}",
            e["name"].as_str().unwrap_or("HTTP error"),
            e["code"],
            e["message"].as_str().unwrap_or(&reply.text())
        ),
        error: e.clone(),
    })
}

fn show_proposal(p: &Value) -> String {
    let awaiting = p["awaiting"]
        .as_str()
        .map(|a| format!(", awaiting {a}"))
        .unwrap_or_default();
    let last = p["responses"].as_array().and_then(|r| r.last());
    let level = last
        .and_then(|r| r["counter_trust_level"].as_u64())
        .or_else(|| p["proposal"]["proposed_trust_level"].as_u64())
        .unwrap_or(0);
    format!(
        "{}  {} -> {}  {}{}  (level {level}, {} response(s))",
        p["proposal_id"].as_str().unwrap_or("?"),
        p["proposer"].as_str().unwrap_or("?"),
        p["target"].as_str().unwrap_or("?"),
        p["state"].as_str().unwrap_or("?"),
        awaiting,
        p["responses"].as_array().map_or(0, Vec::len),
    )
}

fn show_agreement(a: &Value) -> String {
    let until = a["effective_at"]
        .as_str()
        .map(|t| format!(" (lapses {t})"))
        .unwrap_or_default();
    format!(
        "{}  with {}  level {}  {}{}  {}",
        a["agreement_id"].as_str().unwrap_or("?"),
        a["peer"].as_str().unwrap_or("?"),
        a["trust_level"],
        a["status"].as_str().unwrap_or("?"),
        until,
        a["agreement"]["agreement_hash"].as_str().unwrap_or(""),
    )
}

fn show_witness(w: &Value) -> String {
    let r = &w["receipt"];
    let why = match r["verification_result"].as_str() {
        Some("discrepancy") => format!(
            " ({})",
            r["discrepancies"][0]["kind"].as_str().unwrap_or("?")
        ),
        Some("failed") => format!(
            " ({})",
            r["discrepancies"][0]["reason"].as_str().unwrap_or("?")
        ),
        _ => String::new(),
    };
    format!(
        "{}  {}  {} witnessed {} {} at size {}: {}{why}, {} sample(s){}",
        r["timestamp"].as_str().unwrap_or("?"),
        r["witness_id"].as_str().unwrap_or("?"),
        r["witnessing_mesh"].as_str().unwrap_or("?"),
        r["witnessed_mesh"].as_str().unwrap_or("?"),
        r["scroll"].as_str().unwrap_or("?"),
        r["tree_size"],
        r["verification_result"].as_str().unwrap_or("?"),
        r["samples_checked"],
        if w["delivered"] == false {
            ", not delivered"
        } else {
            ""
        },
    )
}

fn lines(items: &Value, key: &str, show: fn(&Value) -> String, empty: &str) -> String {
    let items = items[key].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return empty.to_string();
    }
    items.iter().map(show).collect::<Vec<_>>().join("\n")
}

fn run(cli: &Cli) -> Result<(Value, String), Fail> {
    let mut c = client(cli)?;
    let c = &mut c;
    Ok(match &cli.command {
        Command::Discover {
            mesh,
            accept_new_key,
        } => {
            let v = call(
                c,
                "POST",
                "/admin/federation/discover",
                Some(json!({ "url": mesh, "accept_new_key": accept_new_key })),
            )?;
            let text = format!(
                "{} {}  key {}  ({})",
                v["outcome"].as_str().unwrap_or("?"),
                v["peer"]["mesh_id"].as_str().unwrap_or("?"),
                v["peer"]["public_key"].as_str().unwrap_or("?"),
                v["peer"]["url"].as_str().unwrap_or("?"),
            );
            (v, text)
        }
        Command::ListKnown => {
            let v = call(c, "GET", "/admin/federation/peers", None)?;
            let show = |p: &Value| {
                format!(
                    "{}  {}  {}  pinned {}",
                    p["mesh_id"].as_str().unwrap_or("?"),
                    p["public_key"].as_str().unwrap_or("?"),
                    p["url"].as_str().unwrap_or("?"),
                    p["pinned_at"].as_str().unwrap_or("?"),
                )
            };
            let text = lines(
                &v,
                "peers",
                show,
                "no known meshes (vm-federation discover --mesh URL)",
            );
            (v, text)
        }
        Command::Propose {
            target,
            trust_level,
            scrolls,
            terms,
            expires,
        } => {
            let mut body =
                json!({ "target": target, "trust_level": trust_level, "scrolls": scrolls });
            if let Some(t) = terms_file(terms)? {
                body["terms"] = t;
            }
            if let Some(e) = expires {
                body["expires_secs"] = (*e).into();
            }
            let v = call(c, "POST", "/admin/federation/proposals", Some(body))?;
            let text = format!("proposed {}", show_proposal(&v));
            (v, text)
        }
        Command::Proposals { action } => match action {
            ProposalAction::List => {
                let v = call(c, "GET", "/admin/federation/proposals", None)?;
                let text = lines(&v, "proposals", show_proposal, "no proposals");
                (v, text)
            }
            ProposalAction::Show { id } => {
                let v = call(c, "GET", &format!("/admin/federation/proposals/{id}"), None)?;
                let text = format!(
                    "{}\n{}",
                    show_proposal(&v),
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                );
                (v, text)
            }
            ProposalAction::Accept { id } => respond(c, id, json!({ "decision": "accept" }))?,
            ProposalAction::Reject { id, reason } => {
                let mut body = json!({ "decision": "reject" });
                if let Some(r) = reason {
                    body["reason"] = r.clone().into();
                }
                respond(c, id, body)?
            }
            ProposalAction::Counter {
                id,
                trust_level,
                scrolls,
                terms,
            } => {
                let mut body = json!({ "decision": "counter" });
                if let Some(l) = trust_level {
                    body["trust_level"] = (*l).into();
                }
                if let Some(s) = scrolls {
                    body["scrolls"] = json!(s);
                }
                if let Some(t) = terms_file(terms)? {
                    body["terms"] = t;
                }
                respond(c, id, body)?
            }
        },
        Command::Agreements { action } => match action {
            AgreementAction::List => {
                let v = call(c, "GET", "/admin/federation/agreements", None)?;
                let text = lines(&v, "agreements", show_agreement, "no agreements");
                (v, text)
            }
            AgreementAction::Show { id } => {
                let v = call(
                    c,
                    "GET",
                    &format!("/admin/federation/agreements/{id}"),
                    None,
                )?;
                let text = format!(
                    "{}\n{}",
                    show_agreement(&v),
                    serde_json::to_string_pretty(&v["agreement"]).unwrap_or_default()
                );
                (v, text)
            }
            AgreementAction::Revoke {
                id,
                notice_days,
                reason,
            } => {
                let mut body = json!({ "notice_days": notice_days });
                if let Some(r) = reason {
                    body["reason"] = r.clone().into();
                }
                let v = call(
                    c,
                    "POST",
                    &format!("/admin/federation/agreements/{id}/revoke"),
                    Some(body),
                )?;
                let text = format!("revoked {}", show_agreement(&v));
                (v, text)
            }
        },
        Command::Health { .. } => {
            let v = call(c, "GET", "/admin/federation/health", None)?;
            let show = |w: &Value| {
                format!(
                    "{} {}  accepted size {}  last {} at {}  last verified {}  lag {}s  problems since {}",
                    w["mesh"].as_str().unwrap_or("?"),
                    w["scroll"].as_str().unwrap_or("?"),
                    w["accepted_size"],
                    w["last_result"].as_str().unwrap_or("?"),
                    w["last_round"].as_str().unwrap_or("?"),
                    w["last_verified"].as_str().unwrap_or("never"),
                    w["lag_secs"],
                    w["problems_since_verified"],
                )
            };
            let text = lines(&v, "witnessed", show, "no witness rounds yet");
            (v, text)
        }
        Command::Verify { mesh, scroll } => {
            let v = call(
                c,
                "POST",
                "/admin/federation/witness",
                Some(json!({ "mesh": mesh, "scroll": scroll })),
            )?;
            let text = show_witness(&v);
            (v, text)
        }
        Command::Notify { mesh, scroll, size } => {
            let v = call(
                c,
                "POST",
                "/admin/federation/notify",
                Some(json!({ "mesh": mesh, "scroll": scroll, "tree_size": size })),
            )?;
            let text = match (v["status"].as_u64(), v["resynced_from"].as_u64()) {
                (Some(200), None) => show_witness(&v["answer"]),
                (Some(200), Some(from)) => format!(
                    "the witness was at size {from}: sent the latest instead\n{}",
                    show_witness(&v["answer"])
                ),
                (status, _) => {
                    let e = &v["answer"]["error"];
                    return Err(Fail {
                        status: 1,
                        message: format!(
                            "the witness answered {}: {} ({})",
                            status.unwrap_or(0),
                            e["message"].as_str().unwrap_or(""),
                            e["name"].as_str().unwrap_or("?")
                        ),
                        error: e.clone(),
                    });
                }
            };
            (v, text)
        }
        Command::WitnessHistory { mesh, scroll, last } => {
            let mut query = Vec::new();
            if let Some(m) = mesh {
                query.push(format!("mesh={m}"));
            }
            if let Some(s) = scroll {
                query.push(format!("scroll={s}"));
            }
            if let Some(l) = last {
                query.push(format!("last_secs={l}"));
            }
            let path = format!("/admin/federation/witnesses?{}", query.join("&"));
            let v = call(c, "GET", &path, None)?;
            let text = lines(&v, "witnesses", show_witness, "no witness receipts");
            (v, text)
        }
        Command::Status => {
            let v = call(c, "GET", "/admin/federation/status", None)?;
            let text = format!(
                "mesh {}  key {}\n  now {}\n  peers {}\n  proposals {}\n  agreements {}\n  witness rounds {}, receipts received {}",
                v["mesh_id"].as_str().unwrap_or("?"),
                v["public_key"].as_str().unwrap_or("?"),
                v["now"].as_str().unwrap_or("?"),
                v["peers"],
                v["proposals"],
                v["agreements"],
                v["witness"]["rounds"],
                v["witness"]["received"],
            );
            (v, text)
        }
    })
}

fn respond(c: &mut Client, id: &str, body: Value) -> Result<(Value, String), Fail> {
    let decision = body["decision"].as_str().unwrap_or("?").to_string();
    let v = call(
        c,
        "POST",
        &format!("/admin/federation/proposals/{id}"),
        Some(body),
    )?;
    let mut text = format!("{decision}: {}", show_proposal(&v));
    if let Some(hash) = v["agreement"]["agreement_hash"].as_str() {
        text.push_str(&format!(
            "\nagreement {} signed by both ({hash})",
            v["agreement_id"].as_str().unwrap_or("?")
        ));
    }
    Ok((v, text))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let json = std::env::args().any(|a| a == "--json");
            if json && e.use_stderr() {
                let message = vaultmesh_clikit::one_line(&e);
                println!(
                    "{}",
                    json!({ "error": { "message": message }, "exit_status": 2 })
                );
                let _ = e.print();
                return ExitCode::from(2);
            }
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(&cli) {
        Ok((value, text)) => {
            if cli.json {
                println!("{value}");
            } else {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(fail) => {
            if cli.json {
                println!(
                    "{}",
                    json!({ "error": fail.error, "exit_status": fail.status })
                );
            }
            eprintln!("vm-federation: {}", fail.message);
            ExitCode::from(fail.status)
        }
    }
}
