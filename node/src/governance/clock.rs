//! The test clock: governance decides by the node's clock, and tests must move it.
//!
//! In a debug build only, `vm-node serve` with `VAULTMESH_TEST_CLOCK_FILE=PATH` reads the time
//! from PATH (Unix seconds, decimal, rewritten by the test) at every reading. A release build
//! ignores the variable: a production node's clock is the system's.

use std::path::PathBuf;

use crate::violations::Clock;

/// The environment variable naming the clock file.
pub const TEST_CLOCK_ENV: &str = "VAULTMESH_TEST_CLOCK_FILE";

/// A clock read from a file (tests).
#[derive(Debug)]
pub struct FileClock(PathBuf);

impl Clock for FileClock {
    fn now(&self) -> u64 {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0)
    }
}

/// The test clock, when this is a debug build and [`TEST_CLOCK_ENV`] is set.
pub fn test_clock() -> Option<FileClock> {
    if !cfg!(debug_assertions) {
        return None;
    }
    std::env::var_os(TEST_CLOCK_ENV).map(|p| FileClock(PathBuf::from(p)))
}
