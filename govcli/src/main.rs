//! `vm-gov`: govern a VaultMesh mesh against its running node (docs/governance.md).
//!
//! A thin client: it reads the constitution and the governance state from the node
//! (`GET /governance/…`), builds each governance receipt, shows what it will sign (on stderr),
//! signs it with the acting person's own key file (`--key FILE`, never the mesh's) through
//! `vaultmesh-core`, appends it to the `Governance` scroll (`POST
//! /admin/scrolls/Governance/receipts` with the admin token) and prints the receipt the node
//! stored. The node judges every receipt by the constitution in force and its clock; a refusal
//! is printed with the core's code and nothing changes.
//!
//! Exit status: 0 done, 1 the node refused, 2 usage, I/O or an unreachable node. With
//! `--json`, stdout holds exactly one JSON object.

mod node;
mod records;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value as J};

use node::Node;

/// Govern a VaultMesh mesh: every change is a receipt signed by the person making it.
#[derive(Parser)]
#[command(name = "vm-gov", version, about, long_about = None)]
struct Cli {
    /// The node's URL (default: VAULTMESH_NODE_URL, else http://127.0.0.1:8420).
    #[arg(long, global = true)]
    url: Option<String>,
    /// The node's admin token file (appends go through the admin API); or set
    /// VAULTMESH_ADMIN_TOKEN.
    #[arg(long, global = true, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Your own key file (ed25519-seed, as `vm-key generate` writes): who signs.
    #[arg(long, global = true, value_name = "FILE")]
    key: Option<PathBuf>,
    /// Act as this member (default: the member of the constitution whose key is `--key`).
    #[arg(long = "as", global = true, value_name = "DID")]
    actor: Option<String>,
    /// Print one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The constitution: show, version, diff.
    #[command(subcommand)]
    Constitution(ConstitutionCmd),
    /// Proposals: create, list, show, activate (an added engine's anchor confirmation).
    #[command(subcommand)]
    Proposal(ProposalCmd),
    /// Vote on a proposal.
    Vote(VoteArgs),
    /// Ratify a voted proposal (the sovereign) and, when it passed, activate it.
    Ratify {
        /// The proposal.
        id: String,
    },
    /// Executive orders: create, list, revoke.
    #[command(subcommand)]
    Order(OrderCmd),
    /// Emergencies (Article VI): declare, status, extend, end.
    #[command(subcommand)]
    Emergency(EmergencyCmd),
    /// Violations: list, review (enforce against one).
    #[command(subcommand)]
    Violations(ViolationsCmd),
    /// Enforcement: list, review (uphold, dismiss, modify).
    #[command(subcommand)]
    Enforcement(EnforcementCmd),
}

#[derive(Subcommand)]
enum ConstitutionCmd {
    /// The constitution in force (or of `--version`).
    Show {
        /// A version that was in force.
        #[arg(long)]
        version: Option<String>,
    },
    /// The version and hash in force, and every earlier version.
    Version,
    /// What changed from version A to version B.
    Diff {
        /// The earlier version.
        a: String,
        /// The later version.
        b: String,
    },
}

#[derive(Subcommand)]
enum ProposalCmd {
    /// Propose a change.
    Create(Box<CreateArgs>),
    /// Every proposal (or those with `--status`).
    List {
        /// open, ratified, rejected, engine_pending or activated.
        #[arg(long)]
        status: Option<String>,
    },
    /// One proposal: where it stands, and its receipt.
    Show {
        /// The proposal.
        id: String,
    },
    /// Activate an added engine: its anchor confirmation, citing a signed checkpoint of the
    /// governance scroll that includes the amendment that made it pending (the sovereign).
    Activate {
        /// The add_engine proposal.
        id: String,
    },
}

#[derive(Args)]
struct CreateArgs {
    /// amendment (articles, statutes), change_rules, add_engine or retire_engine.
    #[arg(long = "type", value_name = "TYPE")]
    proposal_type: String,
    /// The change: `{"target", "action", "text"}` (JSON), or an object with `content`,
    /// `title` and `rationale`.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// The proposal id (default PROP-YYYY-MM-NNN).
    #[arg(long)]
    id: Option<String>,
    /// The title.
    #[arg(long)]
    title: Option<String>,
    /// Why.
    #[arg(long)]
    rationale: Option<String>,
    /// Days of deliberation (default: the constitution's minimum).
    #[arg(long, value_name = "DAYS")]
    deliberation_days: Option<u64>,
    /// add_engine: the engine id (engine:NAME).
    #[arg(long, value_name = "ID")]
    engine_id: Option<String>,
    /// add_engine: its display name.
    #[arg(long)]
    name: Option<String>,
    /// add_engine: its scroll.
    #[arg(long)]
    scroll: Option<String>,
    /// add_engine: what it is for.
    #[arg(long)]
    authority: Option<String>,
    /// add_engine: its public key (`ed25519:z…`).
    #[arg(long, value_name = "KEY")]
    public_key: Option<String>,
    /// add_engine: its key file (the public key is derived from it).
    #[arg(long, value_name = "FILE")]
    engine_key: Option<PathBuf>,
}

#[derive(Args)]
struct VoteArgs {
    /// The proposal.
    id: String,
    /// approve, reject or abstain.
    #[arg(long, value_parser = ["approve", "reject", "abstain"])]
    vote: String,
    /// Why.
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Subcommand)]
enum OrderCmd {
    /// Issue an executive order.
    Create {
        /// Its type (operational_directive, parameter_change, maintenance_window, …).
        #[arg(long = "type", value_name = "TYPE")]
        order_type: String,
        /// Its `content` (JSON); for parameter_change `{"parameter", "value"}`.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// The article section granting it (default: the one granting this type to you).
        #[arg(long, value_name = "SECTION")]
        authority: Option<String>,
        /// Hours until it expires (temporary orders).
        #[arg(long)]
        hours: Option<u64>,
        /// The order id (default ORDER-YYYY-MM-NNN).
        #[arg(long)]
        id: Option<String>,
        /// The title.
        #[arg(long)]
        title: Option<String>,
    },
    /// Executive orders (emergencies included).
    List {
        /// Only those in force now.
        #[arg(long)]
        active: bool,
    },
    /// Revoke an order in force.
    Revoke {
        /// The order.
        id: String,
    },
}

#[derive(Subcommand)]
enum EmergencyCmd {
    /// Declare an emergency invoking Article VI powers.
    Declare {
        /// The emergency's type (security_incident, …).
        #[arg(long = "type", value_name = "TYPE")]
        emergency_type: String,
        /// The threat.
        #[arg(long)]
        description: String,
        /// Powers invoked, comma-separated (lockdown_scrolls refuses appends to every scroll
        /// but Governance while in force).
        #[arg(long, value_delimiter = ',', default_value = "Enhanced logging")]
        powers: Vec<String>,
        /// Hours until it lapses (at most the constitution's maximum).
        #[arg(long, default_value = "24")]
        hours: u64,
        /// The order id (default EMERG-YYYY-MM-NNN).
        #[arg(long)]
        id: Option<String>,
    },
    /// The emergencies and powers in force.
    Status,
    /// Renew the emergency in force for `--hours` from now.
    Extend {
        /// Hours from now.
        #[arg(long)]
        hours: u64,
        /// The emergency (default: the one in force).
        #[arg(long)]
        id: Option<String>,
    },
    /// End the emergency in force.
    End {
        /// The emergency (default: the one in force).
        #[arg(long)]
        id: Option<String>,
    },
}

#[derive(Subcommand)]
enum ViolationsCmd {
    /// Recorded violations.
    List {
        /// low, medium, high or critical.
        #[arg(long)]
        severity: Option<String>,
    },
    /// Enforce against a violation: a warning or a capability suspension of its actor.
    Review {
        /// The violation.
        id: String,
        /// warning or suspend.
        #[arg(long, value_parser = ["warning", "suspend"])]
        decision: String,
        /// The capability suspended.
        #[arg(long, default_value = "write")]
        capability: String,
        /// Where: all_scrolls or a scroll.
        #[arg(long, default_value = "all_scrolls")]
        scope: String,
        /// Until when: pending_review or a time.
        #[arg(long, default_value = "pending_review")]
        duration: String,
        /// Days until the review deadline.
        #[arg(long, default_value = "7")]
        review_days: u64,
        /// The enforcement id (default ENF-…).
        #[arg(long)]
        enforcement_id: Option<String>,
    },
}

#[derive(Subcommand)]
enum EnforcementCmd {
    /// Enforcements.
    List {
        /// Only those awaiting review before their deadline.
        #[arg(long)]
        pending_review: bool,
    },
    /// Review an enforcement before its deadline.
    Review {
        /// The enforcement.
        id: String,
        /// uphold, dismiss or modify.
        #[arg(long, value_parser = ["uphold", "dismiss", "modify"])]
        decision: String,
        /// modify: the new duration (a time after now, or pending_review).
        #[arg(long)]
        duration: Option<String>,
    },
}

/// Why a command failed.
pub struct Fail {
    status: u8,
    message: String,
    error: Option<J>,
}

impl Fail {
    /// A usage or I/O failure (exit 2).
    pub fn usage(message: String) -> Fail {
        Fail {
            status: 2,
            message,
            error: None,
        }
    }

    /// The node's refusal (exit 1; 2 for a server error).
    pub fn node(body: &J) -> Fail {
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
        Fail {
            status: if e["status"].as_u64().unwrap_or(500) >= 500 {
                2
            } else {
                1
            },
            message,
            error: Some(e.clone()),
        }
    }
}

fn main() -> ExitCode {
    let json_mode = std::env::args().any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            print!("{}", e.render());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let message = vaultmesh_clikit::one_line(&e);
            if json_mode {
                println!(
                    "{}",
                    json!({"error": {"name": "USAGE", "status": 2, "message": message}})
                );
            } else {
                eprintln!("vm-gov: {message}");
            }
            return ExitCode::from(2);
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if cli.json {
                let mut e = json!({"status": f.status, "message": f.message});
                if let Some(node) = f.error {
                    e["node_error"] = node;
                }
                println!("{}", json!({ "error": e }));
            } else {
                eprintln!("vm-gov: {}", f.message);
            }
            ExitCode::from(f.status)
        }
    }
}

fn run(cli: &Cli) -> Result<(), Fail> {
    let token = match (&cli.token_file, std::env::var("VAULTMESH_ADMIN_TOKEN")) {
        (Some(f), _) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| Fail::usage(format!("{}: {e}", f.display())))?
                .trim()
                .to_string(),
        ),
        (None, Ok(t)) => Some(t.trim().to_string()),
        (None, Err(_)) => None,
    };
    let url = cli
        .url
        .clone()
        .or_else(|| std::env::var("VAULTMESH_NODE_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:8420".to_string());
    let node = Node::new(&url, token)?;
    let ctx = records::Ctx {
        node,
        key: cli.key.clone(),
        actor: cli.actor.clone(),
        json: cli.json,
    };
    match &cli.command {
        Command::Constitution(c) => match c {
            ConstitutionCmd::Show { version } => {
                records::constitution_show(&ctx, version.as_deref())
            }
            ConstitutionCmd::Version => records::constitution_version(&ctx),
            ConstitutionCmd::Diff { a, b } => records::constitution_diff(&ctx, a, b),
        },
        Command::Proposal(p) => match p {
            ProposalCmd::Create(a) => records::proposal_create(&ctx, a),
            ProposalCmd::List { status } => records::proposal_list(&ctx, status.as_deref()),
            ProposalCmd::Show { id } => records::proposal_show(&ctx, id),
            ProposalCmd::Activate { id } => records::proposal_activate(&ctx, id),
        },
        Command::Vote(v) => records::vote(&ctx, &v.id, &v.vote, v.reason.as_deref()),
        Command::Ratify { id } => records::ratify(&ctx, id),
        Command::Order(o) => match o {
            OrderCmd::Create {
                order_type,
                file,
                authority,
                hours,
                id,
                title,
            } => records::order_create(
                &ctx,
                records::NewOrder {
                    order_type,
                    file: file.as_deref(),
                    authority: authority.as_deref(),
                    hours: *hours,
                    id: id.as_deref(),
                    title: title.as_deref(),
                },
            ),
            OrderCmd::List { active } => records::order_list(&ctx, *active),
            OrderCmd::Revoke { id } => records::order_revoke(&ctx, id),
        },
        Command::Emergency(e) => match e {
            EmergencyCmd::Declare {
                emergency_type,
                description,
                powers,
                hours,
                id,
            } => records::emergency_declare(
                &ctx,
                emergency_type,
                description,
                powers,
                *hours,
                id.as_deref(),
            ),
            EmergencyCmd::Status => records::emergency_status(&ctx),
            EmergencyCmd::Extend { hours, id } => {
                records::emergency_extend(&ctx, *hours, id.as_deref())
            }
            EmergencyCmd::End { id } => records::emergency_end(&ctx, id.as_deref()),
        },
        Command::Violations(v) => match v {
            ViolationsCmd::List { severity } => records::violations_list(&ctx, severity.as_deref()),
            ViolationsCmd::Review {
                id,
                decision,
                capability,
                scope,
                duration,
                review_days,
                enforcement_id,
            } => records::violation_review(
                &ctx,
                records::NewEnforcement {
                    violation_id: id,
                    decision,
                    capability,
                    scope,
                    duration,
                    review_days: *review_days,
                    enforcement_id: enforcement_id.as_deref(),
                },
            ),
        },
        Command::Enforcement(e) => match e {
            EnforcementCmd::List { pending_review } => {
                records::enforcement_list(&ctx, *pending_review)
            }
            EnforcementCmd::Review {
                id,
                decision,
                duration,
            } => records::enforcement_review(&ctx, id, decision, duration.as_deref()),
        },
    }
}

pub(crate) use CreateArgs as ProposalArgs;
