//! A throwaway PostgreSQL cluster for a test: Debian's server binaries, `initdb` in a
//! temporary directory, `pg_ctl start` on a free loopback port (and a socket in that
//! directory), one database per test, stopped and removed on drop.
//!
//! PostgreSQL refuses to run as root, and CI runs the tests as root: then the cluster runs as
//! the `postgres` system user of the Debian package (`runuser -u postgres --`), in a directory
//! it owns. Without the server binaries the PG tests fail, saying to run `scripts/test.sh`
//! (which installs them), unless `VAULTMESH_SKIP_PG=1`: they never pass silently.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A running cluster.
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

/// Debian's server binaries: `$VAULTMESH_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`.
fn server_binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("VAULTMESH_PG_BIN") {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Whether PG tests are to be skipped (`VAULTMESH_SKIP_PG=1`); otherwise a missing server
/// fails the test.
pub fn skipped() -> bool {
    std::env::var("VAULTMESH_SKIP_PG").is_ok_and(|v| v == "1")
}

impl PgCluster {
    /// Starts a cluster, or `None` when PostgreSQL is absent and `VAULTMESH_SKIP_PG=1`.
    pub fn start() -> Option<PgCluster> {
        let Some(bin) = server_binaries() else {
            if skipped() {
                eprintln!("PostgreSQL tests skipped (VAULTMESH_SKIP_PG=1)");
                return None;
            }
            panic!(
                "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): run scripts/test.sh, \
                 which installs Debian's postgresql package, or set VAULTMESH_SKIP_PG=1 to skip the PG tests"
            );
        };
        let as_postgres = is_root();
        let tag = vaultmesh_node::util::hex(&vaultmesh_node::util::random::<6>().unwrap());
        let dir = std::env::temp_dir().join(format!("vm-pg-{tag}"));
        std::fs::create_dir_all(&dir).unwrap();
        if as_postgres {
            let status = Command::new("chown")
                .args(["postgres:postgres", dir.to_str().unwrap()])
                .status()
                .unwrap();
            assert!(status.success(), "chown postgres {}", dir.display());
        }
        let mut cluster = PgCluster {
            dir,
            bin,
            port: 0,
            as_postgres,
        };
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // A free port: bind, read it, release it (pg_ctl fails loudly if it was taken since).
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        cluster.port = port;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            cluster.dir.display()
        );
        let log = cluster.dir.join("log");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
        Some(cluster)
    }

    fn run(&self, program: &str, args: &[&str]) {
        let exe = self.bin.join(program);
        let out = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .current_dir(&self.dir)
                .output()
        } else {
            Command::new(&exe)
                .args(args)
                .current_dir(&self.dir)
                .output()
        }
        .unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
        assert!(
            out.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The URL of database `name` (the superuser `postgres`, trusted on loopback).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name` and returns its URL.
    pub fn database(&self, name: &str) -> String {
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        self.url(name)
    }

    /// The server's log (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// The cluster's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let data = self.dir.join("data");
            let stop = [
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ];
            let exe = self.bin.join("pg_ctl");
            let _ = if self.as_postgres {
                Command::new("runuser")
                    .args(["-u", "postgres", "--"])
                    .arg(&exe)
                    .args(stop)
                    .output()
            } else {
                Command::new(&exe).args(stop).output()
            };
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

thread_local! {
    /// The store URL `common::init` passes to `vm-node init --store` on this test's thread.
    static STORE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The PostgreSQL URL the current test runs on, if it runs on PostgreSQL.
pub fn current_store() -> Option<String> {
    STORE.with(|s| s.borrow().clone())
}

/// Runs a test body with its data directories on a fresh database of a fresh cluster (the
/// same body that runs on SQLite: `common::init` adds `--store URL`). Returns without running
/// it only when PostgreSQL is absent and `VAULTMESH_SKIP_PG=1`.
pub fn on_postgres(body: impl FnOnce()) {
    let Some(cluster) = PgCluster::start() else {
        return;
    };
    let url = cluster.database("mesh");
    STORE.with(|s| *s.borrow_mut() = Some(url));
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            STORE.with(|s| *s.borrow_mut() = None);
        }
    }
    let _reset = Reset;
    body();
    drop(cluster);
}
