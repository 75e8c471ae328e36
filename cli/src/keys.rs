//! The key options every verifying command takes: `--key ACTOR=KEY` and `--keyring FILE`, both
//! repeatable, merged into one core [`Keyring`].

use vaultmesh_core::encoding::{id, PublicKey};
use vaultmesh_core::json::Value;
use vaultmesh_core::record::Keyring;
use vaultmesh_core::Error;

use crate::args::KeyArgs;
use crate::input::Inputs;
use crate::report::{sanitize, Fail};

/// Builds the keyring from `--keyring` files (in order), then `--key` options.
pub fn keyring(inputs: &mut Inputs, args: &KeyArgs) -> Result<Keyring, Fail> {
    let mut ring = Keyring::new();
    let mut origin: Vec<(String, String)> = Vec::new();
    for path in &args.keyring {
        let input = inputs.read_record(path)?;
        let value = input.record()?;
        let object = value
            .as_object()
            .ok_or_else(|| Fail::unusable(&input.name, Error::NotAnObject))?;
        for (actor, key) in &object.members {
            let source = format!("{}: `{}`", input.name, sanitize(actor));
            let key = key
                .as_str()
                .ok_or_else(|| Fail::unusable(&source, Error::MalformedKey))?;
            add(&mut ring, &mut origin, actor, key, &source)?;
        }
    }
    for spec in &args.key {
        let (actor, key) = spec
            .split_once('=')
            .ok_or_else(|| Fail::usage(format!("`--key {}` must be ACTOR=KEY", sanitize(spec))))?;
        add(
            &mut ring,
            &mut origin,
            actor,
            key,
            &format!("--key {}", sanitize(actor)),
        )?;
    }
    Ok(ring)
}

/// Checks and adds one key; `origin` remembers where each actor's key came from.
fn add(
    ring: &mut Keyring,
    origin: &mut Vec<(String, String)>,
    actor: &str,
    key: &str,
    source: &str,
) -> Result<(), Fail> {
    check_actor(actor).map_err(|e| Fail::unusable(source, e))?;
    let key = PublicKey::parse(key).map_err(|e| Fail::unusable(source, e))?;
    if let Some(known) = ring.get(actor) {
        if *known != key {
            let first = origin
                .iter()
                .find(|(a, _)| a == actor)
                .map(|(_, s)| s.as_str())
                .unwrap_or("?");
            return Err(Fail::Unusable {
                source: source.to_string(),
                error: Some(Error::KeyMismatch),
                detail: Some(format!("conflicts with the key from {first}")),
            });
        }
        return Ok(());
    }
    ring.insert(actor, key);
    origin.push((actor.to_string(), source.to_string()));
    Ok(())
}

/// An actor id the keyring may hold: an actor DID or an engine id.
fn check_actor(actor: &str) -> Result<(), Error> {
    if actor.starts_with("engine:") {
        id::check_engine_id(actor)
    } else {
        id::parse_actor(actor).map(drop)
    }
}

/// The text of string member `field` of a record, for messages.
pub fn member<'v>(record: &'v Value<'_>, field: &str) -> Option<&'v str> {
    record.as_object()?.get(field)?.as_str()
}

/// A hint for [`Error::UnknownSigner`]: which actor needs a key.
pub fn unknown_signer_hint(record: &Value<'_>, field: Option<&str>) -> Option<String> {
    let actor = sanitize(member(record, field?)?).into_owned();
    Some(format!(
        "the signer is `{actor}`: give its key with --key {actor}=KEY or --keyring FILE"
    ))
}
