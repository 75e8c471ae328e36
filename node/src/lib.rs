//! # vaultmesh-node
//!
//! The VaultMesh node: durable append-only scrolls on an embedded store, signed checkpoints, and
//! receipts, roots and proofs served over HTTP. Every verification, hash and signature comes
//! from `vaultmesh-core`; this crate only stores, orders and serves (see `docs/node.md`).
//!
//! - [`config`]: the data directory (`config.toml`, `federation.key`, `admin.token`, `store.db`);
//! - [`store`]: the narrow storage trait and its SQLite implementation (WAL, triggers that refuse
//!   UPDATE and DELETE, complete-subtree hashes for `O(log n)` proofs) and its PostgreSQL one
//!   ([`shared`]: several processes on one database; [`migrate`]: moving a mesh there);
//! - [`node`]: scrolls, appends, checkpoints, proofs, violation receipts ([`violations`]: how
//!   many a stranger can cause);
//! - [`http`]: the HTTP API (hyper through axum on tokio, TLS by rustls); [`client`]: the HTTP
//!   client (reqwest over rustls, timeouts, retries of idempotent requests) the CLI, bench, demo
//!   and tests use;
//! - [`bundle`]: audit-bundle export and its check; [`bench`](mod@bench): the load tool;
//!   [`cli`]: `vm-node`; [`progress`]: progress bars on a terminal.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod audit;
pub mod bench;
pub mod bundle;
pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod federation;
pub mod governance;
pub mod http;
pub mod metrics;
pub mod migrate;
pub mod node;
pub mod progress;
pub mod shared;
pub mod store;
pub mod util;
pub mod violations;
