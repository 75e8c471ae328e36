//! The committed header names every status with the core's number and name, and carries the
//! package's version (scripts/test.sh also regenerates it and fails on any difference).

use vaultmesh::status::{vm_status, BOUNDARY};
use vaultmesh_core::Error;

fn header() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../bindings/c/include/vaultmesh.h"
    );
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn every_status_is_in_the_header_with_its_number() {
    let h = header();
    assert!(h.contains("VM_STATUS_OK = 0,"));
    for e in Error::ALL {
        let line = format!("VM_STATUS_{} = {},", e.name(), e.code());
        assert!(
            h.contains(&line),
            "header lacks `{line}`: run bindings/c/generate-header.sh"
        );
    }
    for (_, code, name, _) in BOUNDARY {
        let line = format!("VM_STATUS_{name} = {code},");
        assert!(h.contains(&line), "header lacks `{line}`");
    }
    assert_eq!(h.matches("  VM_STATUS_").count(), vm_status::ALL.len());
}

#[test]
fn the_header_carries_the_package_version() {
    let h = header();
    for (name, value) in [
        ("VM_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("VM_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("VM_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(h.contains(&format!("#define {name} {value}\n")), "{name}");
    }
}
