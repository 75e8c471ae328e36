//! Signing for partners (feature `signing`): the key file every VaultMesh tool reads and writes,
//! and signing a record of a named kind (docs/SPEC.md §3.2). The node, `vm-key`, the C library,
//! Python and the browser build all sign through this module, so a partner never writes
//! Ed25519, base58 or canonical JSON code of its own.
//!
//! The secret is the 32-byte Ed25519 seed (RFC 8032 §5.1.5); it lives in a [`Zeroizing`] buffer
//! that is overwritten when the key is dropped, and no `Debug` or error ever shows it.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use crate::crypto;
use crate::encoding::PublicKey;
use crate::error::{Error, Result};
use crate::federation;
use crate::json::{self, Limits, Value};
use crate::record::{self, Failure, Kind, Signer};

/// The key file's text: this prefix, 64 lowercase hex digits of the seed, one optional `\n`.
pub const KEY_FILE_PREFIX: &str = "ed25519-seed:";

/// An Ed25519 signing key, zeroized on drop.
pub struct SecretKey {
    seed: Zeroizing<[u8; 32]>,
    public: PublicKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the public half: a secret must never reach a log.
        f.debug_struct("SecretKey")
            .field("public", &format_args!("{}", self.public))
            .finish_non_exhaustive()
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl SecretKey {
    /// The key of a 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        let seed = Zeroizing::new(seed);
        let public = crypto::derive_public_key(&seed);
        SecretKey { seed, public }
    }

    /// Reads key file text: exactly [`KEY_FILE_PREFIX`], 64 lowercase hex digits and at most one
    /// trailing `\n`. Anything else is [`Error::MalformedSecretKey`] (the error never quotes the
    /// text).
    pub fn from_key_file(text: &[u8]) -> Result<SecretKey> {
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        let hex = text
            .strip_prefix(KEY_FILE_PREFIX.as_bytes())
            .filter(|h| h.len() == 64)
            .ok_or(Error::MalformedSecretKey)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        for (byte, pair) in seed.iter_mut().zip(hex.chunks_exact(2)) {
            let (hi, lo) = hex_digit(pair[0])
                .zip(hex_digit(pair[1]))
                .ok_or(Error::MalformedSecretKey)?;
            *byte = hi << 4 | lo;
        }
        let public = crypto::derive_public_key(&seed);
        Ok(SecretKey { seed, public })
    }

    /// The key file text of this key (ends with `\n`), in a buffer zeroized on drop.
    pub fn to_key_file(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = Zeroizing::new(String::with_capacity(KEY_FILE_PREFIX.len() + 65));
        text.push_str(KEY_FILE_PREFIX);
        for b in self.seed.iter() {
            text.push(char::from(HEX[usize::from(b >> 4)]));
            text.push(char::from(HEX[usize::from(b & 15)]));
        }
        text.push('\n');
        text
    }

    /// The public key (`ed25519:z6Mk…` in text form).
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// The seed, for code that signs with the lower-level functions
    /// ([`record::sign_record`], [`federation::sign_agreement`]).
    pub fn seed(&self) -> &[u8; 32] {
        &self.seed
    }

    /// Signs the JSON record `input` as `kind` (or, when `None`, the kind its `type` names) and
    /// returns the signed record's canonical bytes (RFC 8785). The record is read strictly and
    /// its defined fields are checked before anything is signed, so a partner cannot sign a
    /// record every verifier would refuse; a signature already present is replaced. A
    /// self-signed record (discovery) must carry this key as its `public_key`
    /// ([`Error::KeyMismatch`]). Agreements are signed by each party with
    /// [`SecretKey::sign_agreement`].
    pub fn sign(
        &self,
        kind: Option<Kind>,
        input: &[u8],
        limits: &Limits,
    ) -> core::result::Result<Vec<u8>, Failure> {
        if kind == Some(Kind::Agreement) {
            return Err(Failure::at(Error::UnknownKind, "signatures"));
        }
        edit_record(input, limits, |object| {
            let kind = record::check_shape(object, kind)?;
            if let Signer::OwnKeyField(field) = kind.spec().signer {
                let own = object
                    .get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if PublicKey::parse(own).ok() != Some(self.public) {
                    return Err(Failure::at(Error::KeyMismatch, field));
                }
            }
            record::sign_record(object, kind, &self.seed);
            Ok(())
        })
    }

    /// [`SecretKey::sign`] with the kind given by name, as the bindings receive it: a name of
    /// [`Kind::from_name`] (`gov_vote`, `checkpoint`, `discovery`, `proposal`, …); `None` or an
    /// empty name takes the kind from `type`. An unknown name is [`Error::UnknownKind`].
    pub fn sign_named(
        &self,
        kind: Option<&str>,
        input: &[u8],
        limits: &Limits,
    ) -> core::result::Result<Vec<u8>, Failure> {
        let kind = match kind.filter(|k| !k.is_empty()) {
            None => None,
            Some(name) => Some(Kind::from_name(name).ok_or(Error::UnknownKind)?),
        };
        self.sign(kind, input, limits)
    }

    /// Signs the agreement `input` as `party` at `signed_at` (docs/SPEC.md §7.1): sets
    /// `agreement_hash` from the terms and adds this party's entry to `signatures`, keeping the
    /// other parties'. `party` must be one of `parties` and its `key_exchange` key must be this
    /// key ([`Error::PartyMismatch`], [`Error::KeyMismatch`]).
    pub fn sign_agreement(
        &self,
        party: &str,
        signed_at: &str,
        input: &[u8],
        limits: &Limits,
    ) -> core::result::Result<Vec<u8>, Failure> {
        crate::encoding::timestamp::Timestamp::parse(signed_at)
            .map_err(|e| Failure::at(e, "signed_at"))?;
        edit_record(input, limits, |object| {
            let hash = federation::agreement_hash(object);
            object.insert("agreement_hash", Value::String(hash.to_string().into()));
            record::check_shape(object, Some(Kind::Agreement))?;
            let listed = object
                .get("parties")
                .and_then(Value::as_array)
                .is_some_and(|p| p.iter().any(|v| v.as_str() == Some(party)));
            if !listed {
                return Err(Failure::at(Error::PartyMismatch, "parties"));
            }
            let exchanged = object
                .get("key_exchange")
                .and_then(|k| k.as_object())
                .and_then(|k| k.get(party))
                .and_then(Value::as_str)
                .and_then(|k| PublicKey::parse(k).ok());
            if exchanged != Some(self.public) {
                return Err(Failure::at(Error::KeyMismatch, "key_exchange"));
            }
            federation::sign_agreement(object, party, signed_at, &self.seed);
            Ok(())
        })
    }
}

/// Reads `input` strictly as a record, lets `edit` check and sign it, and returns the result's
/// canonical bytes.
fn edit_record(
    input: &[u8],
    limits: &Limits,
    edit: impl FnOnce(&mut crate::json::Object<'_>) -> core::result::Result<(), Failure>,
) -> core::result::Result<Vec<u8>, Failure> {
    let mut value = json::parse_record(input, limits)?;
    let Value::Object(object) = &mut value else {
        return Err(Error::NotAnObject.into());
    };
    edit(object)?;
    Ok(value.to_canonical())
}
