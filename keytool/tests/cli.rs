//! `vm-key` as partners run it: every signing case of `test-vectors/signing.json` gives the
//! fixture's bytes (or its error), keys are generated 0600 and never overwritten, and `--json`
//! prints exactly one object on success and on failure.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value as J;
use vaultmesh_core::json::Limits;
use vaultmesh_core::record::{self, Keyring, Kind};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

fn vm_key(args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vm-key"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("vm-key-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn one_json_object(out: &Output) -> J {
    let stdout = std::str::from_utf8(&out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?}");
    serde_json::from_str(stdout).unwrap()
}

#[test]
fn every_signing_case_gives_the_fixtures_bytes() {
    let file: J =
        serde_json::from_str(&std::fs::read_to_string(vectors().join("signing.json")).unwrap())
            .unwrap();
    let dir = Dir::new("cases");
    let key = dir.path("partner.key");
    std::fs::write(&key, file["key_file"].as_str().unwrap()).unwrap();
    let ring = Keyring::from_json(file["keyring"].to_string().as_bytes()).unwrap();
    let mut signed = 0;
    for case in file["cases"].as_array().unwrap() {
        if case["op"] != "sign_record" {
            continue;
        }
        let input = case["input"].as_str().unwrap().as_bytes();
        let kind = case["kind"].as_str().unwrap();
        let out = vm_key(&["sign", "--key", &key, "--kind", kind], Some(input));
        let name = case["name"].as_str().unwrap();
        match case["expect"]["signed"].as_str() {
            Some(expect) => {
                assert!(
                    out.status.success(),
                    "{name}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let stdout = std::str::from_utf8(&out.stdout).unwrap();
                assert_eq!(stdout, format!("{expect}\n"), "{name}");
                record::verify_record(
                    expect.as_bytes(),
                    Kind::from_name(kind),
                    &ring,
                    &Limits::default(),
                )
                .unwrap();
                signed += 1;
            }
            None => {
                let out = vm_key(
                    &["sign", "--key", &key, "--kind", kind, "--json"],
                    Some(input),
                );
                assert_eq!(out.status.code(), Some(1), "{name}");
                let e = one_json_object(&out);
                assert_eq!(e["ok"], false);
                assert_eq!(e["error"]["name"], case["expect"]["error"], "{name}");
                assert_eq!(e["error"]["code"], case["expect"]["code"], "{name}");
            }
        }
    }
    assert_eq!(signed, 4);
}

#[test]
fn generate_public_and_sign_from_a_file() {
    let dir = Dir::new("generate");
    let key = dir.path("me.key");
    let out = vm_key(&["generate", "--out", &key, "--json"], None);
    assert!(out.status.success());
    let made = one_json_object(&out);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Never overwritten: the second generate fails and the file is unchanged.
    let before = std::fs::read(&key).unwrap();
    let again = vm_key(&["generate", "--out", &key], None);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(std::fs::read(&key).unwrap(), before);
    let public = vm_key(&["public", "--key", &key], None);
    let public = String::from_utf8(public.stdout).unwrap();
    assert_eq!(public.trim_end(), made["public_key"].as_str().unwrap());
    // Nothing printed holds the secret.
    let secret = std::str::from_utf8(&before).unwrap()[13..77].to_string();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret));

    let record = dir.path("cp.json");
    std::fs::write(&record, format!(
        "{{\"type\":\"scroll_checkpoint\",\"mesh_id\":\"did:vm:mesh:me\",\"scroll\":\"Drills\",\"tree_size\":3,\"root\":\"blake3:{}\",\"timestamp\":\"2025-12-06T10:00:00Z\"}}",
        "ab".repeat(32)
    )).unwrap();
    let out = vm_key(&["sign", "--key", &key, &record, "--json"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = one_json_object(&out)["signed"].to_string();
    let mut ring = Keyring::new();
    ring.insert(
        "did:vm:mesh:me".to_string(),
        vaultmesh_core::encoding::PublicKey::parse(public.trim_end()).unwrap(),
    );
    record::verify_record(signed.as_bytes(), None, &ring, &Limits::default()).unwrap();
}

#[test]
fn usage_errors_exit_2_and_name_the_problem() {
    let out = vm_key(&["sign", "--bogus"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bogus"));
    let out = vm_key(&["public", "--key", "/nonexistent/key", "--json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(one_json_object(&out)["ok"], false);
    let help = vm_key(&["sign", "--help"], None);
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("--kind") && !help.contains("--out"));
}
