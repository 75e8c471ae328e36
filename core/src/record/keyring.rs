//! Actor id → federation key.

use alloc::collections::BTreeMap;
use alloc::string::String;

use crate::encoding::PublicKey;
use crate::error::{Error, Result};
use crate::json::{self, Limits, Value};

/// Maps actor ids (mesh, human and agent DIDs, engine ids) to their Ed25519 keys.
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    keys: BTreeMap<String, PublicKey>,
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Keyring {
        Keyring::default()
    }

    /// Adds or replaces the key of `actor`.
    pub fn insert(&mut self, actor: impl Into<String>, key: PublicKey) {
        // Keyring keys verify many records: settle the batch's torsion question once, here.
        self.keys.insert(actor.into(), key.with_torsion_known());
    }

    /// The key of `actor`.
    pub fn get(&self, actor: &str) -> Option<&PublicKey> {
        self.keys.get(actor)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Iterates `(actor, key)` in actor order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &PublicKey)> {
        self.keys.iter().map(|(a, k)| (a.as_str(), k))
    }

    /// Adds every member of a keyring object `{"actor": "ed25519:z…", …}`.
    pub fn extend_from_value(&mut self, value: &Value<'_>) -> Result<()> {
        let object = value.as_object().ok_or(Error::NotAnObject)?;
        for (actor, key) in &object.members {
            let key = PublicKey::parse(key.as_str().ok_or(Error::MalformedKey)?)?;
            self.insert(actor.as_ref(), key);
        }
        Ok(())
    }

    /// Parses a keyring file: one strict JSON object mapping actor ids to key text.
    pub fn from_json(input: &[u8]) -> Result<Keyring> {
        let mut ring = Keyring::new();
        ring.extend_from_value(&json::parse_record(input, &Limits::default())?)?;
        Ok(ring)
    }
}
