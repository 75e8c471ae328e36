//! The test clock of served nodes (federation lapses, governance windows and expiries): `vm-node serve --test-clock FILE` reads the time (Unix
//! seconds, decimal) from FILE at every reading, so a test moves several nodes' time together
//! by rewriting one file. Without the flag the node uses the system clock; nothing else reads
//! the file.

use std::path::PathBuf;

use crate::violations::{Clock, SystemClock};

/// Reads Unix seconds from a file; the system clock when the file is missing or unreadable.
#[derive(Debug)]
pub struct FileClock(pub PathBuf);

impl Clock for FileClock {
    fn now(&self) -> u64 {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or_else(|| SystemClock.now())
    }
}
