//! The data directory and its configuration.
//!
//! ```text
//! DIR/config.toml      listen address, scrolls, checkpoint interval, limits, known keys
//! DIR/federation.key   the mesh's Ed25519 secret (mode 0600; never printed or logged)
//! DIR/admin.token      the bearer token of the admin API (mode 0600)
//! DIR/store.db         the SQLite store (with store.db-wal and store.db-shm beside it), unless
//!                      config.toml names a PostgreSQL database (`store = "postgres://…"`)
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use vaultmesh_core::crypto;
use vaultmesh_core::encoding::{id, PublicKey};

use crate::util;

/// File names inside the data directory.
pub const CONFIG_FILE: &str = "config.toml";
/// The secret key file.
pub const KEY_FILE: &str = "federation.key";
/// The admin token file.
pub const TOKEN_FILE: &str = "admin.token";
/// The store.
pub const STORE_FILE: &str = "store.db";

/// The scrolls a new mesh starts with: one per engine of the protocol document's engine
/// registry, named as the registry names them.
pub const DEFAULT_SCROLLS: &[&str] = &[
    "Drills",
    "Compliance",
    "Guardian",
    "Treasury",
    "Mesh",
    "OffSec",
    "Identity",
    "Observability",
    "Automation",
    "PsiField",
    "Federation",
    "Governance",
];

/// The scroll that receives the node's own `gov_violation` receipts.
pub const GOVERNANCE_SCROLL: &str = "Governance";

/// Why a scroll name is refused (docs/SPEC.md §6, scroll names).
pub const SCROLL_NAME_RULE: &str =
    "[A-Z][A-Za-z0-9]{0,63} (PascalCase, as the engine registry names scrolls: Compliance, PsiField)";

/// `config.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The mesh DID, `did:vm:mesh:NAME`.
    pub mesh_id: String,
    /// Address the HTTP server listens on, e.g. `127.0.0.1:8420` (port 0: any free port).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The public `https://` base URL peers reach this node at: the discovery record's
    /// `endpoints` are this plus `/federation` and `/federation/verify`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Seconds between automatic checkpoints of scrolls that grew; 0 turns them off.
    #[serde(default = "default_interval")]
    pub checkpoint_interval_secs: u64,
    /// `full` (fsync the WAL at every commit: survives power loss) or `normal` (survives a
    /// crash of the node, not of the machine).
    #[serde(default = "default_durability")]
    pub durability: String,
    /// The store: absent for the embedded SQLite file `store.db`, or a PostgreSQL URL
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE`, password and port optional (docs/node.md,
    /// "PostgreSQL").
    #[serde(default)]
    pub store: Option<String>,
    /// `accept` (store receipts whose signer has no known key, unverified) or `reject`.
    #[serde(default = "default_unknown_signers")]
    pub unknown_signers: String,
    /// Serve the admin API to non-loopback peers too (off: admin requests must come from
    /// 127.0.0.0/8 or ::1).
    #[serde(default)]
    pub admin_remote: bool,
    /// Threads of the async runtime that serves HTTP (CPU-heavy work runs on a separate
    /// blocking pool).
    #[serde(default = "default_workers")]
    pub workers: usize,
    /// PEM file of the TLS certificate chain (leaf first); with `tls_key`, the node serves
    /// HTTPS (HTTP/1.1 and HTTP/2 by ALPN). A relative path is relative to the data directory.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// PEM file of the TLS private key (PKCS#8, PKCS#1 or SEC1).
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Size and count limits.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// How many modify/delete attempts are recorded one by one.
    #[serde(default)]
    pub violations: ViolationsConfig,
    /// The scrolls.
    #[serde(default)]
    pub scrolls: Vec<ScrollConfig>,
    /// Known signers: actor id or engine id → `ed25519:z…` key.
    #[serde(default)]
    pub keyring: BTreeMap<String, String>,
    /// `[federation]`: the trust policy proposals are checked against.
    #[serde(default)]
    pub federation: crate::federation::FederationConfig,
}

/// One scroll of the config.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScrollConfig {
    /// Its name (`[a-z0-9][a-z0-9._-]{0,63}`).
    pub name: String,
    /// Whether the federation endpoints serve it.
    #[serde(default = "yes")]
    pub public: bool,
}

/// `[limits]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest request body, bytes.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Largest single receipt, bytes (wire format default 1 MiB).
    #[serde(default = "default_max_record")]
    pub max_record_bytes: usize,
    /// Deepest nesting of a receipt (wire format default 64).
    #[serde(default = "default_max_depth")]
    pub max_depth: usize,
    /// Most receipts in one append.
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// Most receipts in one range or sample response.
    #[serde(default = "default_max_range")]
    pub max_range: u64,
    /// Most connections served at once; further ones wait in the listen backlog.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Largest request head (request line and headers), bytes; larger is answered 431.
    #[serde(default = "default_max_header_bytes")]
    pub max_header_bytes: usize,
    /// Most header fields in one request; more is answered 431.
    #[serde(default = "default_max_headers")]
    pub max_headers: usize,
    /// Seconds a client has to send a request head (and to finish a TLS handshake).
    #[serde(default = "default_header_timeout")]
    pub header_timeout_secs: u64,
    /// Seconds a client has to send a request body once the head is in; slower is 408.
    #[serde(default = "default_body_timeout")]
    pub body_timeout_secs: u64,
    /// Seconds a connection may stay open with no request in flight and no bytes moving.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_secs: u64,
    /// Seconds a shutdown waits for requests in flight before it closes their connections.
    #[serde(default = "default_shutdown_timeout")]
    pub shutdown_timeout_secs: u64,
}

/// `[violations]`: modify/delete attempts are recorded one receipt each up to `max_per_window`
/// per peer in `window_secs`; the rest of the window's attempts are recorded as one summary
/// receipt (`evidence.count`) when the window ends.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViolationsConfig {
    /// Receipts recorded one by one per peer and window.
    #[serde(default = "default_max_per_window")]
    pub max_per_window: u64,
    /// The window, seconds.
    #[serde(default = "default_window_secs")]
    pub window_secs: u64,
}

impl Default for ViolationsConfig {
    fn default() -> ViolationsConfig {
        ViolationsConfig {
            max_per_window: default_max_per_window(),
            window_secs: default_window_secs(),
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            max_body_bytes: default_max_body(),
            max_record_bytes: default_max_record(),
            max_depth: default_max_depth(),
            max_batch: default_max_batch(),
            max_range: default_max_range(),
            max_connections: default_max_connections(),
            max_header_bytes: default_max_header_bytes(),
            max_headers: default_max_headers(),
            header_timeout_secs: default_header_timeout(),
            body_timeout_secs: default_body_timeout(),
            idle_timeout_secs: default_idle_timeout(),
            shutdown_timeout_secs: default_shutdown_timeout(),
        }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8420".into()
}
fn default_interval() -> u64 {
    60
}
fn default_durability() -> String {
    "full".into()
}
fn default_unknown_signers() -> String {
    "accept".into()
}
fn default_workers() -> usize {
    8
}
fn yes() -> bool {
    true
}
fn default_max_body() -> usize {
    16 << 20
}
fn default_max_record() -> usize {
    1 << 20
}
fn default_max_depth() -> usize {
    64
}
fn default_max_batch() -> usize {
    10_000
}
fn default_max_range() -> u64 {
    1_000
}
fn default_max_connections() -> usize {
    1_024
}
fn default_max_header_bytes() -> usize {
    16 << 10
}
fn default_max_headers() -> usize {
    64
}
fn default_header_timeout() -> u64 {
    10
}
fn default_body_timeout() -> u64 {
    30
}
fn default_idle_timeout() -> u64 {
    60
}
fn default_shutdown_timeout() -> u64 {
    30
}
fn default_max_per_window() -> u64 {
    10
}
fn default_window_secs() -> u64 {
    60
}

/// What went wrong with the data directory.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn err(msg: impl Into<String>) -> ConfigError {
    ConfigError(msg.into())
}

/// A loaded data directory: the config, the secret key and the admin token.
pub struct DataDir {
    /// The directory.
    pub path: PathBuf,
    /// `config.toml`.
    pub config: Config,
    /// The federation secret (Ed25519 seed).
    secret: [u8; 32],
    /// The admin token.
    pub admin_token: String,
}

impl std::fmt::Debug for DataDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret and the token are never printed.
        f.debug_struct("DataDir")
            .field("path", &self.path)
            .field("mesh_id", &self.config.mesh_id)
            .finish_non_exhaustive()
    }
}

impl DataDir {
    /// The federation secret key (Ed25519 seed).
    pub fn secret(&self) -> &[u8; 32] {
        &self.secret
    }

    /// The mesh's public federation key.
    pub fn public_key(&self) -> PublicKey {
        crypto::derive_public_key(&self.secret)
    }

    /// `DIR/store.db`.
    pub fn store_path(&self) -> PathBuf {
        self.path.join(STORE_FILE)
    }

    /// Reads `config.toml`, `federation.key` and `admin.token` from `dir`.
    pub fn load(dir: &Path) -> Result<DataDir, ConfigError> {
        let config_path = dir.join(CONFIG_FILE);
        let text = fs::read_to_string(&config_path).map_err(|e| {
            err(format!(
                "cannot read {}: {e} (create it with `vm-node init`)",
                config_path.display()
            ))
        })?;
        let mut config: Config =
            toml::from_str(&text).map_err(|e| err(format!("{}: {e}", config_path.display())))?;
        config.check()?;
        // TLS files named relative to the data directory, wherever the node is started from.
        for path in [&mut config.tls_cert, &mut config.tls_key]
            .into_iter()
            .flatten()
        {
            if path.is_relative() {
                *path = dir.join(&*path);
            }
        }
        let secret = read_secret(&dir.join(KEY_FILE))?;
        let admin_token = read_token(&dir.join(TOKEN_FILE))?;
        Ok(DataDir {
            path: dir.to_path_buf(),
            config,
            secret,
            admin_token,
        })
    }
}

impl Config {
    /// Checks values the types do not: ids, names, keys, enumerations.
    pub fn check(&self) -> Result<(), ConfigError> {
        id::check_mesh_id(&self.mesh_id).map_err(|e| err(format!("mesh_id: {e}")))?;
        for s in &self.scrolls {
            if !id::is_valid_scroll(&s.name) {
                return Err(err(format!(
                    "scroll name {:?} is not {SCROLL_NAME_RULE}",
                    s.name
                )));
            }
        }
        if let Some(url) = &self.endpoint {
            if !id::is_https_url(url) {
                return Err(err(format!(
                    "endpoint {url:?} is not an absolute https:// URL"
                )));
            }
        }
        for (actor, key) in &self.keyring {
            PublicKey::parse(key).map_err(|e| err(format!("keyring[{actor}]: {e}")))?;
        }
        if let Some(url) = &self.store {
            if !crate::store::postgres::is_postgres_url(url) {
                return Err(err(
                    "store must be a postgres:// (or postgresql://) URL, or absent for SQLite",
                ));
            }
        }
        if !matches!(self.durability.as_str(), "full" | "normal") {
            return Err(err("durability must be \"full\" or \"normal\""));
        }
        if !matches!(self.unknown_signers.as_str(), "accept" | "reject") {
            return Err(err("unknown_signers must be \"accept\" or \"reject\""));
        }
        if self.workers == 0 {
            return Err(err("workers must be at least 1"));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(err(
                "tls_cert and tls_key go together: set both (HTTPS) or neither (plain HTTP, loopback only)",
            ));
        }
        let l = &self.limits;
        if l.max_connections == 0 || l.max_headers == 0 {
            return Err(err(
                "limits.max_connections and limits.max_headers must be at least 1",
            ));
        }
        if l.max_header_bytes < 8192 {
            return Err(err("limits.max_header_bytes must be at least 8192"));
        }
        for (name, secs) in [
            ("header_timeout_secs", l.header_timeout_secs),
            ("body_timeout_secs", l.body_timeout_secs),
            ("idle_timeout_secs", l.idle_timeout_secs),
        ] {
            if secs == 0 {
                return Err(err(format!("limits.{name} must be at least 1")));
            }
        }
        if self.violations.window_secs == 0 {
            return Err(err("violations.window_secs must be at least 1"));
        }
        Ok(())
    }
}

/// Options of `vm-node init`.
pub struct InitOptions<'a> {
    /// The mesh DID.
    pub mesh_id: &'a str,
    /// The listen address to write.
    pub listen: &'a str,
    /// Scroll names.
    pub scrolls: Vec<String>,
    /// Checkpoint interval, seconds.
    pub checkpoint_interval_secs: u64,
    /// A PostgreSQL URL for the store (`None`: SQLite in the data directory).
    pub store: Option<String>,
}

/// Creates a data directory: the key (0600), the admin token (0600) and `config.toml`. Refuses
/// to touch a directory that already holds a key or a config. The store is created by
/// [`crate::node::Node::open`].
pub fn init(dir: &Path, opts: &InitOptions<'_>) -> Result<PublicKey, ConfigError> {
    id::check_mesh_id(opts.mesh_id).map_err(|e| err(format!("--mesh-id: {e}")))?;
    for s in &opts.scrolls {
        if !id::is_valid_scroll(s) {
            return Err(err(format!("scroll name {s:?} is not {SCROLL_NAME_RULE}")));
        }
    }
    if let Some(url) = &opts.store {
        if !crate::store::postgres::is_postgres_url(url) || url.contains('"') || url.contains('\\')
        {
            return Err(err("--store must be a postgres:// (or postgresql://) URL"));
        }
    }
    fs::create_dir_all(dir).map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
    for f in [KEY_FILE, CONFIG_FILE, TOKEN_FILE, STORE_FILE] {
        if dir.join(f).exists() {
            return Err(err(format!(
                "{} already exists: not overwriting",
                dir.join(f).display()
            )));
        }
    }
    let secret: [u8; 32] = util::random().map_err(|e| err(format!("randomness: {e}")))?;
    let token: [u8; 32] = util::random().map_err(|e| err(format!("randomness: {e}")))?;
    // The key file format is the core's (docs/SPEC.md §3.2), shared with vm-key and the bindings.
    let key = vaultmesh_core::sign::SecretKey::from_seed(secret);
    write_private(&dir.join(KEY_FILE), key.to_key_file().as_bytes())?;
    write_private(
        &dir.join(TOKEN_FILE),
        format!("{}\n", util::hex(&token)).as_bytes(),
    )?;
    let mut text = format!(
        "# VaultMesh node configuration (vm-node init). See docs/node.md.\n\
         mesh_id = \"{}\"\n\
         # Address of the HTTP API; port 0 picks a free port (printed at start).\n\
         listen = \"{}\"\n\
         # endpoint = \"https://mesh.example/\"   # the discovery record's public URL\n\
         checkpoint_interval_secs = {}\n\
         # full: fsync the WAL at every commit (survives power loss); normal: survives a crash of the node.\n\
         durability = \"full\"\n\
         # accept: store receipts whose signer has no known key, unverified; reject: refuse them.\n\
         unknown_signers = \"accept\"\n\
         workers = 8\n\
         # HTTPS: PEM certificate chain and key (relative to this directory). Without them the node\n\
         # serves plain HTTP, and only on a loopback address.\n\
         # tls_cert = \"tls/cert.pem\"\n\
         # tls_key = \"tls/key.pem\"\n\n\
         [limits]\n\
         max_body_bytes = {}\n\
         max_record_bytes = {}\n\
         max_depth = {}\n\
         max_batch = {}\n\
         max_range = {}\n\
         max_connections = {}\n\
         max_header_bytes = {}\n\
         max_headers = {}\n\
         header_timeout_secs = {}\n\
         body_timeout_secs = {}\n\
         idle_timeout_secs = {}\n\
         shutdown_timeout_secs = {}\n\n\
         # Modify/delete attempts recorded one receipt each per peer and window; the rest of a\n\
         # window's attempts become one summary receipt with evidence.count.\n\
         [violations]\n\
         max_per_window = {}\n\
         window_secs = {}\n\n\
         # The trust policy federation proposals and counters are checked against (docs/node.md).\n\
         [federation]\n\
         accepts_proposals = true\n\
         min_trust_level = 1\n\
         max_trust_level = 4\n\
         requires_mutual = true\n\n\
         # Known signers (actor DID or engine id -> key); more can be added with POST /admin/keys.\n\
         [keyring]\n",
        opts.mesh_id,
        opts.listen,
        opts.checkpoint_interval_secs,
        default_max_body(),
        default_max_record(),
        default_max_depth(),
        default_max_batch(),
        default_max_range(),
        default_max_connections(),
        default_max_header_bytes(),
        default_max_headers(),
        default_header_timeout(),
        default_body_timeout(),
        default_idle_timeout(),
        default_shutdown_timeout(),
        default_max_per_window(),
        default_window_secs(),
    );
    if let Some(url) = &opts.store {
        // Top-level keys must come before the first table.
        let at = text.find("\n[limits]").unwrap_or(text.len());
        text.insert_str(
            at,
            &format!(
                "# The store: PostgreSQL (docs/node.md, \"PostgreSQL\").\nstore = \"{url}\"\n"
            ),
        );
    }
    for s in &opts.scrolls {
        text.push_str(&format!("\n[[scrolls]]\nname = \"{s}\"\npublic = true\n"));
    }
    fs::write(dir.join(CONFIG_FILE), text).map_err(|e| err(format!("cannot write config: {e}")))?;
    Ok(crypto::derive_public_key(&secret))
}

/// Writes a file readable by its owner only (mode 0600 from creation, so no window where it is
/// readable by others).
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), ConfigError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| err(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| err(format!("cannot write {}: {e}", path.display())))
}

/// Checks that a private file is not readable by group or others.
fn check_private(path: &Path) -> Result<(), ConfigError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(err(format!(
                "{} is readable by group or others (mode {:o}); run: chmod 600 {}",
                path.display(),
                meta.permissions().mode() & 0o777,
                path.display()
            )));
        }
    }
    let _ = path;
    Ok(())
}

fn read_secret(path: &Path) -> Result<[u8; 32], ConfigError> {
    check_private(path)?;
    let text = fs::read(path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
    // The core reads the key file (docs/SPEC.md §3.2); the error names the file, never its
    // contents.
    let key = vaultmesh_core::sign::SecretKey::from_key_file(&text).map_err(|e| {
        err(format!(
            "{} is not an ed25519-seed key file ({e})",
            path.display()
        ))
    });
    let mut text = text;
    text.fill(0);
    Ok(*key?.seed())
}

fn read_token(path: &Path) -> Result<String, ConfigError> {
    check_private(path)?;
    let text = fs::read_to_string(path)
        .map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
    let token = text.trim().to_string();
    if token.len() < 32 {
        return Err(err(format!("{} holds no token", path.display())));
    }
    Ok(token)
}

/// Reads the admin token of a data directory (for the CLI's client commands).
pub fn admin_token(dir: &Path) -> Result<String, ConfigError> {
    read_token(&dir.join(TOKEN_FILE))
}
