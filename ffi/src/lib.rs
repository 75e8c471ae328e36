//! # libvaultmesh: the C ABI of VaultMesh
//!
//! Partner systems in C, C++, Go, Python or Java link this one library and get exactly the
//! verdicts of the node and the browser: every check is `vaultmesh-core`'s, this crate only
//! carries bytes across the boundary. The header `bindings/c/include/vaultmesh.h` is generated
//! from these sources by a pinned cbindgen (`ffi/cbindgen.toml`); `docs/ffi.md` is the guide.
//!
//! # Conventions (repeated in the header)
//!
//! - Every function returns a [`vm_status`]: `VM_STATUS_OK` (0), a core error with the core's
//!   stable number and name (100–799), or a boundary error (900–). [`vm_status_name`] and
//!   [`vm_status_message`] describe any status.
//! - Inputs are pointer + length. A zero length needs no pointer (NULL is fine); a NULL pointer
//!   with a non-zero length is `VM_STATUS_NULL_ARGUMENT`. Text arguments (actor ids, keys, kind
//!   names, digests) must be UTF-8 (`VM_STATUS_ARGUMENT_NOT_UTF8`); record bytes are checked by
//!   the strict JSON parser instead (`VM_STATUS_INVALID_UTF8`, a core error).
//! - Variable-length outputs go into a caller-allocated buffer: `out`, its capacity `out_cap`,
//!   and `out_len`. On success the data (never NUL-terminated) is copied and `*out_len` is its
//!   length. When the buffer is too small, nothing is copied, the call returns
//!   `VM_STATUS_BUFFER_TOO_SMALL` and `*out_len` is the length needed, so a caller can ask for
//!   the size with `out = NULL, out_cap = 0` and call again. On any other failure `*out_len`
//!   is 0.
//! - Opaque handles (`vm_keyring`, `vm_scroll_tree`, `vm_agreement`, `vm_checkpoint`,
//!   `vm_governance_chain`, `vm_bundle_report`) are made by their `_new` / `_verify` functions
//!   and released by their `_free`; passing NULL to a `_free` does nothing. Using a handle
//!   after its `_free` is the caller's error (undefined). A handle may be read from several
//!   threads at once; functions that change it (`_add`, `_append`) need exclusive access.
//! - No panic crosses the boundary: every exported body runs inside one `catch_unwind`
//!   ([`boundary`]), and a panic becomes `VM_STATUS_PANIC`. The library must be built with
//!   `panic = "unwind"` (the default; never `abort`).

#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(non_camel_case_types)] // C names: vm_keyring, vm_status, …
#![allow(clippy::missing_safety_doc)] // The safety contract of every function is in the header.

#[macro_use]
pub mod boundary;
pub mod bundle;
pub mod federation;
pub mod governance;
pub mod keyring;
pub mod merkle;
pub mod record;
pub mod sign;
pub mod status;
pub mod types;

pub use status::vm_status;

use std::ffi::c_char;

/// Major version of the library (`VM_VERSION_MAJOR`).
pub const VM_VERSION_MAJOR: u32 = 0;
/// Minor version of the library (`VM_VERSION_MINOR`).
pub const VM_VERSION_MINOR: u32 = 1;
/// Patch version of the library (`VM_VERSION_PATCH`).
pub const VM_VERSION_PATCH: u32 = 0;

/// The library's version, `"MAJOR.MINOR.PATCH"`, as a static NUL-terminated string. Compare it
/// with `VM_VERSION_MAJOR` / `VM_VERSION_MINOR` from the header to detect a header and a library
/// from different releases.
#[no_mangle]
pub extern "C" fn vm_version() -> *const c_char {
    ffi!({
        concat!(env!("CARGO_PKG_VERSION"), "\0")
            .as_ptr()
            .cast::<c_char>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constants_match_the_package() {
        let version = format!("{VM_VERSION_MAJOR}.{VM_VERSION_MINOR}.{VM_VERSION_PATCH}");
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        // SAFETY: vm_version returns a static NUL-terminated string.
        let text = unsafe { std::ffi::CStr::from_ptr(vm_version()) };
        assert_eq!(text.to_str().ok(), Some(env!("CARGO_PKG_VERSION")));
    }
}
