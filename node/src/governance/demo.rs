//! The governance part of `vm-node demo`.
