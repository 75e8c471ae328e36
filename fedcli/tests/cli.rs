//! The whole negotiation through `vm-federation`, between three real `vm-node serve`
//! processes on 127.0.0.1 (issue 11): discover, propose, counter, accept, reject, list, revoke
//! with notice under a clock the test controls, status; exit codes and `--json`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use vaultmesh_core::federation;
use vaultmesh_core::json::{self, Limits};
use vaultmesh_core::record::Keyring;

const FED: &str = env!("CARGO_BIN_EXE_vm-federation");
/// 2025-12-06T10:00:00Z.
const T0: u64 = 1_765_015_200;

/// `vm-node`, built beside this test's binary (`cargo build -p vaultmesh-node` if absent).
fn vm_node() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("vm-node");
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "vaultmesh-node", "--bin", "vm-node"])
            .status()
            .unwrap();
        assert!(status.success());
    }
    bin
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Mesh {
    id: String,
    data: PathBuf,
    child: Child,
    url: String,
}

impl Drop for Mesh {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, name: &str, clock: &Path) -> Mesh {
    let data = dir.join(name);
    let id = format!("did:vm:mesh:{name}");
    let out = Command::new(vm_node())
        .args(["init", "--mesh-id", &id, "--data"])
        .arg(&data)
        .args(["--listen", "127.0.0.1:0", "--checkpoint-interval", "0"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut child = Command::new(vm_node())
        .arg("serve")
        .arg("--data")
        .arg(&data)
        .arg("--test-clock")
        .arg(clock)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("vm-node listening on ")
        .unwrap()
        .to_string();
    Mesh {
        id,
        data,
        child,
        url,
    }
}

/// `vm-federation --data DIR --url URL ARGS`: (exit status, stdout, stderr).
fn fed(m: &Mesh, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(FED)
        .arg("--data")
        .arg(&m.data)
        .args(["--url", &m.url])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `vm-federation … --json ARGS`, expecting success: the JSON answer.
fn ok(m: &Mesh, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (status, out, err) = fed(m, &all);
    assert_eq!(status, 0, "{args:?}: {out} {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn the_whole_negotiation_through_vm_federation() {
    let bytes: [u8; 6] = std::array::from_fn(|i| (std::process::id() as u8).wrapping_add(i as u8));
    let dir =
        TempDir(std::env::temp_dir().join(format!("vm-fedcli-{}-{:?}", std::process::id(), bytes)));
    std::fs::create_dir_all(&dir.0).unwrap();
    let clock = dir.0.join("clock");
    std::fs::write(&clock, T0.to_string()).unwrap();
    let (a, b, c) = (
        start(&dir.0, "dublin", &clock),
        start(&dir.0, "berlin", &clock),
        start(&dir.0, "paris", &clock),
    );
    for (x, y) in [(&a, &b), (&b, &a), (&c, &b), (&b, &c)] {
        let v = ok(x, &["discover", "--mesh", &y.url]);
        assert_eq!(v["outcome"], "new");
    }
    let (status, out, _) = fed(&a, &["list-known"]);
    assert_eq!(status, 0);
    assert!(out.contains("did:vm:mesh:berlin"), "{out}");

    // Propose, counter, accept.
    let v = ok(
        &a,
        &[
            "propose",
            "--target",
            &b.id,
            "--trust-level",
            "2",
            "--scrolls",
            "Compliance",
            "--expires",
            "7d",
        ],
    );
    let id = v["proposal_id"].as_str().unwrap().to_string();
    let (status, out, _) = fed(&b, &["proposals", "list"]);
    assert_eq!(status, 0);
    assert!(out.contains(&id) && out.contains("proposed"), "{out}");
    let v = ok(
        &b,
        &[
            "proposals",
            "counter",
            &id,
            "--trust-level",
            "3",
            "--scrolls",
            "Compliance,Drills",
        ],
    );
    assert_eq!(v["state"], "countered");
    // Not Berlin's turn: refused (exit 1), the state named.
    let (status, out, err) = fed(&b, &["--json", "proposals", "accept", &id]);
    assert_eq!(status, 1, "{out} {err}");
    assert!(
        err.contains("NEGOTIATION_CONFLICT") && err.contains("countered"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["exit_status"], 1);
    let v = ok(&a, &["proposals", "accept", &id]);
    assert_eq!(v["state"], "agreed");
    let agreement_id = v["agreement_id"].as_str().unwrap().to_string();

    // Both agreements byte-identical and valid for the core.
    let sa = ok(&a, &["agreements", "show", &agreement_id]);
    let sb = ok(&b, &["agreements", "show", &agreement_id]);
    let canon = |v: &serde_json::Value| {
        json::canonicalize(v["agreement"].to_string().as_bytes(), &Limits::default()).unwrap()
    };
    assert_eq!(canon(&sa), canon(&sb));
    let bytes = canon(&sa);
    let value = json::parse_record(&bytes, &Limits::default()).unwrap();
    assert_eq!(
        federation::verify_agreement(&value, &Keyring::new())
            .unwrap()
            .trust_level,
        3
    );

    // Paris proposes, Berlin rejects.
    let v = ok(
        &c,
        &[
            "propose",
            "--target",
            &b.id,
            "--trust-level",
            "1",
            "--scrolls",
            "Compliance",
        ],
    );
    let rejected = v["proposal_id"].as_str().unwrap().to_string();
    let v = ok(
        &b,
        &["proposals", "reject", &rejected, "--reason", "not now"],
    );
    assert_eq!(v["state"], "rejected");

    // Revoke with one day's notice; lapses exactly at its end on both sides.
    let v = ok(
        &b,
        &["agreements", "revoke", &agreement_id, "--notice-days", "1"],
    );
    assert_eq!(v["status"], "revoking");
    std::fs::write(&clock, (T0 + 86_399).to_string()).unwrap();
    assert_eq!(
        ok(&a, &["agreements", "show", &agreement_id])["status"],
        "revoking"
    );
    std::fs::write(&clock, (T0 + 86_400).to_string()).unwrap();
    let (status, out, _) = fed(&a, &["agreements", "list"]);
    assert_eq!(status, 0);
    assert!(out.contains("lapsed"), "{out}");
    assert_eq!(
        ok(&b, &["agreements", "show", &agreement_id])["status"],
        "lapsed"
    );
    let v = ok(&b, &["status"]);
    assert_eq!(v["agreements"]["lapsed"], 1);
    assert_eq!(v["proposals"]["rejected"], 1);

    // Usage errors exit 2; an unknown proposal is a refusal (1).
    assert_eq!(fed(&a, &["propose", "--target", &b.id]).0, 2);
    assert_eq!(fed(&a, &["proposals", "accept", "nope"]).0, 1);
}
