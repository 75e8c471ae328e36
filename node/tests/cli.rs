//! `vm-node`'s command line: help per command, clap's usage errors, one JSON object under
//! `--json` on success and on failure, shell completions.

mod common;

use common::{vm_node, TempDir, MESH};

/// Standard output as exactly one JSON object on one line.
fn one_object(stdout: &str) -> serde_json::Value {
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim_end()).unwrap();
    assert!(v.is_object(), "{v}");
    v
}

/// The failure object: the HTTP API's error object and the exit status.
fn error_object(stdout: &str, status: i32, name: &str) -> serde_json::Value {
    let v = one_object(stdout);
    assert_eq!(v["exit_status"], status, "{v}");
    let e = &v["error"];
    assert_eq!(e["name"], name, "{v}");
    assert!(
        e["status"]
            .as_u64()
            .is_some_and(|s| (400..600).contains(&s)),
        "{v}"
    );
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(e.get("code").is_some(), "{v}");
    v
}

#[test]
fn help_is_per_command() {
    let (status, out, err) = vm_node(&["init", "--help"]);
    assert_eq!(status, 0, "{err}");
    assert!(out.starts_with("Usage: vm-node init"), "{out}");
    for option in [
        "--mesh-id",
        "--checkpoint-interval",
        "--scrolls",
        "--listen",
    ] {
        assert!(out.contains(option), "{option}: {out}");
    }
    assert!(!out.contains("--expect-size"), "{out}");
    let (status, out, _) = vm_node(&["append", "--help"]);
    assert_eq!(status, 0);
    assert!(
        out.contains("--expect-size") && !out.contains("--mesh-id"),
        "{out}"
    );
    let (status, out, _) = vm_node(&["--help"]);
    assert_eq!(status, 0);
    for command in [
        "init",
        "serve",
        "append",
        "export-bundle",
        "verify-store",
        "bench",
        "demo",
    ] {
        assert!(out.contains(&format!("  {command} ")), "{command}: {out}");
    }
    let (status, out, _) = vm_node(&["--version"]);
    assert_eq!(
        (status, out.as_str()),
        (0, concat!("vm-node ", env!("CARGO_PKG_VERSION"), "\n"))
    );
}

#[test]
fn usage_errors_name_what_is_wrong() {
    let (status, out, err) = vm_node(&["init", "--bogus"]);
    assert_eq!(status, 2);
    assert!(out.is_empty());
    assert!(err.contains("unexpected argument '--bogus'"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let (status, _, err) = vm_node(&["init", "--data", "x"]);
    assert_eq!(status, 2);
    assert!(err.contains("--mesh-id <did:vm:mesh:NAME>"), "{err}");
    let (status, _, err) = vm_node(&["init", "--mesh-id", MESH, "--checkpoint-interval", "soon"]);
    assert_eq!(status, 2);
    assert!(
        err.contains("invalid value 'soon' for '--checkpoint-interval"),
        "{err}"
    );
    let (status, _, err) = vm_node(&["verify-stor"]);
    assert_eq!(status, 2);
    assert!(err.contains("'verify-store'"), "{err}");
    let (status, _, err) = vm_node(&["completions", "tcsh"]);
    assert_eq!(status, 2);
    assert!(err.contains("[possible values: bash,"), "{err}");
}

#[test]
fn json_is_one_object_on_success_and_failure() {
    let (status, out, _) = vm_node(&["init", "--bogus", "--json"]);
    assert_eq!(status, 2);
    error_object(&out, 2, "USAGE");
    let dir = TempDir::new("cli-json");
    let data = dir.0.join("node");
    let data = data.to_str().unwrap();
    let (status, out, _) = vm_node(&["verify-store", "--data", data, "--json"]);
    assert_eq!(status, 2);
    error_object(&out, 2, "FAILED");
    let (status, out, err) = vm_node(&[
        "init",
        "--mesh-id",
        MESH,
        "--data",
        data,
        "--listen",
        "127.0.0.1:0",
        "--json",
    ]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(one_object(&out)["mesh_id"], MESH);
    let (status, out, _) = vm_node(&["init", "--mesh-id", MESH, "--data", data, "--json"]);
    assert_eq!(status, 2);
    error_object(&out, 2, "FAILED");
    let (status, out, _) = vm_node(&["verify-store", "--data", data, "--json"]);
    assert_eq!(status, 0);
    assert_eq!(one_object(&out)["valid"], true);
    // The admin commands need the running node: unreachable is one error object too.
    let (status, out, _) = vm_node(&[
        "checkpoint",
        "Guardian",
        "--data",
        data,
        "--url",
        "http://127.0.0.1:9",
        "--json",
    ]);
    assert_eq!(status, 2);
    error_object(&out, 2, "FAILED");
}

#[test]
fn completions() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (status, out, err) = vm_node(&["completions", shell]);
        assert_eq!(status, 0, "{err}");
        assert!(out.contains("export-bundle"), "{shell}");
    }
    let (status, out, _) = vm_node(&["completions", "bash", "--json"]);
    assert_eq!(status, 0);
    assert!(one_object(&out)["script"]
        .as_str()
        .unwrap()
        .contains("--mesh-id"));
}
