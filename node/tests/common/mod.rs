//! A real `vm-node` on 127.0.0.1 with an ephemeral port, in a temporary data directory.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use vaultmesh_node::client::Client;

pub mod pg;

pub const BIN: &str = env!("CARGO_BIN_EXE_vm-node");
pub const MESH: &str = "did:vm:mesh:test";

/// Starts `vm-node serve --data DATA ARGS…` with `env` (the request log off unless `env` sets
/// `RUST_LOG`) and returns it with the URL its first line announces.
pub fn serve(data: &Path, args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--data", data.to_str().unwrap()])
        .args(args)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("vm-node listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, url)
}

/// `serve` on the test clock in `clock` (`--test-clock`).
pub fn serve_on_clock(data: &Path, clock: &Path, env: &[(&str, &str)]) -> (Child, String) {
    serve(data, &["--test-clock", clock.to_str().unwrap()], env)
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let bytes = vaultmesh_node::util::random::<6>().unwrap();
        let path = std::env::temp_dir().join(format!(
            "vm-node-{label}-{}",
            vaultmesh_node::util::hex(&bytes)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `vm-node ARGS` to completion: (exit status, stdout, stderr).
pub fn vm_node(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `vm-node init` into `dir/node` with port 0, no interval checkpoints and no constitution
/// (`--no-governance`: these tests write engines' scrolls without engine keys; governed nodes
/// are tested in governance.rs); with `--store` the test's database when it runs on PostgreSQL.
pub fn init(dir: &Path, extra: &[&str]) -> PathBuf {
    let data = dir.join("node");
    let mut args = vec![
        "init",
        "--mesh-id",
        MESH,
        "--data",
        data.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--checkpoint-interval",
        "0",
        "--no-governance",
    ];
    args.extend_from_slice(extra);
    // On PostgreSQL (a test body run through `pg::on_postgres`): the same mesh in its database.
    let store = pg::current_store();
    if let Some(url) = &store {
        args.extend(["--store", url.as_str()]);
    }
    let (status, out, err) = vm_node(&args);
    assert_eq!(status, 0, "init failed: {out} {err}");
    data
}

/// Edits `config.toml`.
pub fn edit_config(data: &Path, from: &str, to: &str) {
    let path = data.join("config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "config has no {from:?}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

/// A running `vm-node serve`.
pub struct Node {
    pub child: Child,
    pub url: String,
    pub data: PathBuf,
    pub token: String,
}

impl Node {
    pub fn start(data: &Path) -> Node {
        let log = std::env::var("VM_NODE_TEST_LOG").unwrap_or_else(|_| "warn".into());
        let (child, url) = serve(data, &[], &[("RUST_LOG", &log)]);
        let token = std::fs::read_to_string(data.join("admin.token"))
            .unwrap()
            .trim()
            .to_string();
        Node {
            child,
            url,
            data: data.to_path_buf(),
            token,
        }
    }

    /// A client with the admin token.
    pub fn admin(&self) -> Client {
        Client::new(&self.url).with_token(self.token.clone())
    }

    /// A client without a token.
    pub fn public(&self) -> Client {
        Client::new(&self.url)
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}
