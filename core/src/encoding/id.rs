//! Actor and engine ids (wire format §1, §9): `did:vm:<class>:<name>` with class `mesh`, `human`
//! or `agent`, and `engine:<name>`, where a name matches `[a-z0-9][a-z0-9._-]{0,63}`.

use crate::error::{Error, Result};
use core::fmt;

const DID_PREFIX: &str = "did:vm:";
const ENGINE_PREFIX: &str = "engine:";
/// Longest name: one leading character and up to 63 more.
pub const NAME_MAX_LEN: usize = 64;

/// The class of an actor id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActorClass {
    /// `did:vm:mesh:…`, a mesh (federation member).
    Mesh,
    /// `did:vm:human:…`, a person.
    Human,
    /// `did:vm:agent:…`, an automated agent.
    Agent,
}

impl ActorClass {
    /// The class as written in ids: `mesh`, `human` or `agent`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActorClass::Mesh => "mesh",
            ActorClass::Human => "human",
            ActorClass::Agent => "agent",
        }
    }

    /// The class with this exact (lowercase) name.
    pub fn from_name(name: &str) -> Option<ActorClass> {
        match name {
            "mesh" => Some(ActorClass::Mesh),
            "human" => Some(ActorClass::Human),
            "agent" => Some(ActorClass::Agent),
            _ => None,
        }
    }
}

impl fmt::Display for ActorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// True when `name` matches `[a-z0-9][a-z0-9._-]{0,63}`.
pub fn is_valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    match b.split_first() {
        Some((first, rest)) => {
            b.len() <= NAME_MAX_LEN
                && matches!(first, b'a'..=b'z' | b'0'..=b'9')
                && rest
                    .iter()
                    .all(|c| matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'))
        }
        None => false,
    }
}

/// True when `name` is a scroll name: `[A-Z][A-Za-z0-9]{0,63}`, as the protocol document writes
/// them (`Compliance`, `Drills`, `PsiField`, the twelve scrolls of the engine registry).
pub fn is_valid_scroll(name: &str) -> bool {
    let b = name.as_bytes();
    match b.split_first() {
        Some((first, rest)) => {
            b.len() <= NAME_MAX_LEN
                && first.is_ascii_uppercase()
                && rest.iter().all(u8::is_ascii_alphanumeric)
        }
        None => false,
    }
}

/// True when `url` is an absolute `https://` URL with a host: no whitespace, no control
/// characters, no user information, at most 2,048 bytes (discovery `endpoints`).
pub fn is_https_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.len() <= 2048
        && !authority.is_empty()
        && !authority.contains('@')
        && !authority.starts_with(':')
        && url.bytes().all(|c| c.is_ascii_graphic())
}

/// Splits an actor id `did:vm:<class>:<name>` into its class and name.
/// Anything else is [`Error::MalformedActorId`].
pub fn parse_actor(id: &str) -> Result<(ActorClass, &str)> {
    let rest = id.strip_prefix(DID_PREFIX).ok_or(Error::MalformedActorId)?;
    let (class, name) = rest.split_once(':').ok_or(Error::MalformedActorId)?;
    let class = ActorClass::from_name(class).ok_or(Error::MalformedActorId)?;
    if !is_valid_name(name) {
        return Err(Error::MalformedActorId);
    }
    Ok((class, name))
}

/// Checks an actor id of any class ([`Error::MalformedActorId`]).
pub fn check_actor_id(id: &str) -> Result<()> {
    parse_actor(id).map(|_| ())
}

/// Checks a mesh DID, `did:vm:mesh:<name>`: an actor id of another class, or no actor id at all,
/// is [`Error::MalformedActorId`].
pub fn check_mesh_id(id: &str) -> Result<()> {
    match parse_actor(id)? {
        (ActorClass::Mesh, _) => Ok(()),
        _ => Err(Error::MalformedActorId),
    }
}

/// Returns the name of an engine id `engine:<name>`; anything else is
/// [`Error::MalformedEngineId`].
pub fn parse_engine(id: &str) -> Result<&str> {
    let name = id
        .strip_prefix(ENGINE_PREFIX)
        .ok_or(Error::MalformedEngineId)?;
    if is_valid_name(name) {
        Ok(name)
    } else {
        Err(Error::MalformedEngineId)
    }
}

/// Checks an engine id `engine:<name>` ([`Error::MalformedEngineId`]).
pub fn check_engine_id(id: &str) -> Result<()> {
    parse_engine(id).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn actors() {
        assert_eq!(
            parse_actor("did:vm:mesh:dublin"),
            Ok((ActorClass::Mesh, "dublin"))
        );
        assert_eq!(
            parse_actor("did:vm:human:alice.smith"),
            Ok((ActorClass::Human, "alice.smith"))
        );
        assert_eq!(parse_actor("did:vm:agent:0"), Ok((ActorClass::Agent, "0")));
        assert_eq!(
            parse_actor("did:vm:agent:a-b_c.d9"),
            Ok((ActorClass::Agent, "a-b_c.d9"))
        );
        let longest = format!("did:vm:mesh:a{}", "-".repeat(63));
        assert_eq!(check_mesh_id(&longest), Ok(()));
        assert_eq!(check_actor_id("did:vm:human:x"), Ok(()));
        for class in [ActorClass::Mesh, ActorClass::Human, ActorClass::Agent] {
            assert_eq!(ActorClass::from_name(class.as_str()), Some(class));
        }
    }

    #[test]
    fn malformed_actors() {
        let too_long = format!("did:vm:mesh:a{}", "b".repeat(64));
        for bad in [
            "",
            "did:vm:",
            "did:vm:mesh",
            "did:vm:mesh:",
            "did:vm::dublin",
            "did:vm:Mesh:dublin",
            "did:vm:org:dublin",
            "did:vm:engine:guardian",
            "DID:vm:mesh:dublin",
            "did:key:mesh:dublin",
            "did:vmx:mesh:dublin",
            "did:vm:mesh:Dublin",
            "did:vm:mesh:.dublin",
            "did:vm:mesh:-dublin",
            "did:vm:mesh:_dublin",
            "did:vm:mesh:dub lin",
            "did:vm:mesh:dublin:extra",
            "did:vm:mesh:dublin/x",
            "did:vm:mesh:dublin#frag",
            "did:vm:mesh:dübl",
            " did:vm:mesh:dublin",
            "did:vm:mesh:dublin\n",
            "engine:guardian",
            too_long.as_str(),
        ] {
            assert_eq!(parse_actor(bad), Err(Error::MalformedActorId), "{bad:?}");
            assert_eq!(check_mesh_id(bad), Err(Error::MalformedActorId), "{bad:?}");
        }
        // Valid actor ids of another class are not mesh ids.
        assert_eq!(
            check_mesh_id("did:vm:human:alice"),
            Err(Error::MalformedActorId)
        );
        assert_eq!(
            check_mesh_id("did:vm:agent:bot"),
            Err(Error::MalformedActorId)
        );
    }

    #[test]
    fn engines() {
        assert_eq!(parse_engine("engine:guardian"), Ok("guardian"));
        assert_eq!(check_engine_id("engine:0.x_y-z"), Ok(()));
        let too_long = format!("engine:a{}", "b".repeat(64));
        for bad in [
            "",
            "engine:",
            "engine",
            "Engine:guardian",
            "engine:Guardian",
            "engine:-guardian",
            "engine:guard ian",
            "engine:guardian:x",
            "engines:guardian",
            "did:vm:mesh:guardian",
            "engine:engine:guardian",
            too_long.as_str(),
        ] {
            assert_eq!(
                check_engine_id(bad),
                Err(Error::MalformedEngineId),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn names() {
        assert!(is_valid_name("a"));
        assert!(is_valid_name(&"a".repeat(64)));
        assert!(!is_valid_name(&"a".repeat(65)));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("A"));
        for scroll in ["Compliance", "PsiField", "Guardian", "A"] {
            assert!(is_valid_scroll(scroll), "{scroll}");
        }
        for scroll in [
            "compliance",
            "Psi-Field",
            "Ψ",
            "",
            "9Lives",
            &"A".repeat(65),
        ] {
            assert!(!is_valid_scroll(scroll), "{scroll}");
        }
        assert!(is_https_url("https://federation.vaultmesh-dublin.io"));
        assert!(is_https_url("https://127.0.0.1:8443/federation"));
        for url in [
            "http://a.io",
            "https://",
            "https:///x",
            "https://u@a.io",
            "https://a .io",
            "ftp://a",
        ] {
            assert!(!is_https_url(url), "{url}");
        }
    }
}
