//! # vaultmesh-wasm
//!
//! The VaultMesh verification core for JavaScript: `vaultmesh-core` compiled to WebAssembly
//! (`wasm32-unknown-unknown`) with wasm-bindgen, behind the npm package in `bindings/js/`.
//!
//! - [`api`]: every exported function's work in plain Rust, returning the JSON document the
//!   function gives to JavaScript; compiled and tested on the host as well.
//! - `js` (only on `wasm32`): the wasm-bindgen exports with their JavaScript names
//!   (`verifyRecord`, `verifyBundle`, …), argument conversion, and errors as JavaScript
//!   `Error`s carrying the core's code and name (`bindings/js/README.md`).
#![no_std]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

extern crate alloc;

pub mod api;

#[cfg(target_arch = "wasm32")]
mod js;
