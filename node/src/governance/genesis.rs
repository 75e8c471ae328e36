//! `vm-node init`'s governance files: the genesis constitution and the keys of its members.
//!
//! ```text
//! DIR/governance/genesis.json      the genesis constitution (the core's builder, fresh keys)
//! DIR/governance/guardian.key      engine:guardian's key: the node signs its violations with it
//! DIR/governance/keys/NAME.key     every other member's key (voters, sovereign, engines)
//! ```
//!
//! The keys in `keys/` belong to people and engines, not to the node: a real mesh hands each
//! to its holder and deletes the directory; the demo and the tests sign with them. Every key
//! is fresh (the test vectors' deterministic keys are never used by a node).

use std::fs;
use std::path::{Path, PathBuf};

use vaultmesh_core::governance::genesis::{self, ENGINES, SOVEREIGN, VOTERS};
use vaultmesh_core::sign::SecretKey;

use crate::config::ConfigError;
use crate::util;

/// The governance directory of a data directory.
pub fn dir_of(data: &Path) -> PathBuf {
    data.join("governance")
}

/// The genesis file.
pub fn genesis_path(data: &Path) -> PathBuf {
    dir_of(data).join("genesis.json")
}

/// The Guardian engine's key file.
pub fn guardian_key_path(data: &Path) -> PathBuf {
    dir_of(data).join("guardian.key")
}

/// The key file of member `id` (`did:vm:human:alice` → `keys/alice.key`,
/// `engine:drills` → `keys/engine-drills.key`).
pub fn member_key_path(data: &Path, id: &str) -> PathBuf {
    let name = match id.strip_prefix("engine:") {
        Some(engine) => format!("engine-{engine}"),
        None => id.rsplit(':').next().unwrap_or(id).to_string(),
    };
    dir_of(data).join("keys").join(format!("{name}.key"))
}

fn err(message: String) -> ConfigError {
    ConfigError(message)
}

fn fresh_key() -> Result<SecretKey, ConfigError> {
    let seed: [u8; 32] = util::random().map_err(|e| err(format!("randomness: {e}")))?;
    Ok(SecretKey::from_seed(seed))
}

fn write_key(path: &Path, key: &SecretKey) -> Result<(), ConfigError> {
    crate::config::write_private(path, key.to_key_file().as_bytes())
}

/// Writes the governance files into data directory `data`: a fresh key for the sovereign,
/// each of the document's voters and each of the twelve engines, and the genesis
/// constitution naming them (with the node-parameter section, docs/SPEC.md §10.4). Returns
/// the genesis file's path.
pub fn init(data: &Path) -> Result<PathBuf, ConfigError> {
    let dir = dir_of(data);
    if genesis_path(data).exists() {
        return Err(err(format!(
            "{} already exists: not overwriting",
            genesis_path(data).display()
        )));
    }
    fs::create_dir_all(dir.join("keys"))
        .map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
    let mut voters = Vec::new();
    for (id, weight) in VOTERS {
        let key = fresh_key()?;
        write_key(&member_key_path(data, id), &key)?;
        voters.push((id.to_string(), key.public_key().to_string(), weight));
    }
    let sovereign = fresh_key()?;
    write_key(&member_key_path(data, SOVEREIGN), &sovereign)?;
    let mut engine_keys = std::collections::BTreeMap::new();
    for (name, ..) in ENGINES {
        let id = format!("engine:{name}");
        let key = fresh_key()?;
        let path = if name == "guardian" {
            guardian_key_path(data)
        } else {
            member_key_path(data, &id)
        };
        write_key(&path, &key)?;
        engine_keys.insert(id, key.public_key().to_string());
    }
    let engine_key = |id: &str| engine_keys.get(id).cloned().unwrap_or_default();
    let document = genesis::with_node_parameters(genesis::document(
        &voters,
        &sovereign.public_key().to_string(),
        &engine_key,
    ));
    let text = serde_json::to_string_pretty(&document).map_err(|e| err(format!("genesis: {e}")))?;
    fs::write(genesis_path(data), format!("{text}\n")).map_err(|e| {
        err(format!(
            "cannot write {}: {e}",
            genesis_path(data).display()
        ))
    })?;
    Ok(genesis_path(data))
}
