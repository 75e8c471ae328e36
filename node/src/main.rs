//! `vm-node`: the VaultMesh node. See `vm-node --help` and `docs/node.md`.
fn main() -> std::process::ExitCode {
    vaultmesh_node::cli::main()
}
