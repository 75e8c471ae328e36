//! Record verification (`record::verify_record`) with a small keyring (the test vectors'
//! actors): the first byte picks the kind asked for (0: none, from `type`), the rest is the
//! record. Never panics, whatever the kind and bytes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vaultmesh_core::encoding::PublicKey;
use vaultmesh_core::json::Limits;
use vaultmesh_core::record::{self, Keyring, Kind};

const KEYS: &[(&str, &str)] = &[
    (
        "did:vm:agent:guardian-01",
        "ed25519:z6Mkvf4gkaVDMrpCzx7YxbULfmn1MGjaaAYJkpdhJRXe44nu",
    ),
    (
        "did:vm:human:alice",
        "ed25519:z6MkuVeepP832jfWqeYve1W87tq8CcUKo6bTwQmh2bpMAu56",
    ),
];

fn keyring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(|| {
        let mut ring = Keyring::new();
        for (actor, key) in KEYS {
            ring.insert(*actor, PublicKey::parse(key).expect("vector key"));
        }
        ring
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let kind = match usize::from(selector) % (Kind::ALL.len() + 1) {
        0 => None,
        i => Some(Kind::ALL[i - 1]),
    };
    let _ = record::verify_record(input, kind, keyring(), &Limits::default());
});
