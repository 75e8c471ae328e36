//! Counters for `/metrics` (Prometheus text format, version 0.0.4).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The node's counters. All monotonic except where named.
#[derive(Debug, Default)]
pub struct Metrics {
    /// HTTP requests answered, by class.
    pub http_2xx: AtomicU64,
    /// HTTP 4xx answers.
    pub http_4xx: AtomicU64,
    /// HTTP 5xx answers.
    pub http_5xx: AtomicU64,
    /// Receipts appended.
    pub receipts_appended: AtomicU64,
    /// Append requests committed.
    pub append_batches: AtomicU64,
    /// Append requests rejected.
    pub appends_rejected: AtomicU64,
    /// Receipts whose signature the core verified.
    pub signatures_verified: AtomicU64,
    /// Checkpoints signed.
    pub checkpoints: AtomicU64,
    /// Modify/delete attempts blocked (and recorded as `gov_violation`).
    pub violations: AtomicU64,
    /// Inclusion and consistency proofs served.
    pub proofs: AtomicU64,
    /// Microseconds spent committing appends (sum).
    pub commit_micros: AtomicU64,
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    /// The Prometheus text exposition, with `extra` gauges `(name, help, labels, value)`.
    pub fn render(&self, extra: &[(&str, &str, String, u64)]) -> String {
        let mut out = String::new();
        let counters: [(&str, &str, &AtomicU64); 10] = [
            (
                "vaultmesh_receipts_appended_total",
                "Receipts appended and committed.",
                &self.receipts_appended,
            ),
            (
                "vaultmesh_append_batches_total",
                "Append requests committed.",
                &self.append_batches,
            ),
            (
                "vaultmesh_appends_rejected_total",
                "Append requests rejected.",
                &self.appends_rejected,
            ),
            (
                "vaultmesh_signatures_verified_total",
                "Receipt signatures verified by the core.",
                &self.signatures_verified,
            ),
            (
                "vaultmesh_checkpoints_total",
                "Checkpoints signed.",
                &self.checkpoints,
            ),
            (
                "vaultmesh_violations_total",
                "Modify or delete attempts blocked (AXIOM-001).",
                &self.violations,
            ),
            (
                "vaultmesh_proofs_total",
                "Inclusion and consistency proofs served.",
                &self.proofs,
            ),
            (
                "vaultmesh_commit_seconds_total",
                "Time spent committing appends.",
                &self.commit_micros,
            ),
            (
                "vaultmesh_http_responses_total",
                "HTTP responses by status class.",
                &self.http_2xx,
            ),
            ("", "", &self.http_4xx),
        ];
        for (name, help, value) in counters {
            match name {
                "" => {}
                "vaultmesh_commit_seconds_total" => {
                    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
                    let _ = writeln!(out, "{name} {:.6}", value.load(Relaxed) as f64 / 1e6);
                }
                "vaultmesh_http_responses_total" => {
                    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
                    for (class, v) in [
                        ("2xx", &self.http_2xx),
                        ("4xx", &self.http_4xx),
                        ("5xx", &self.http_5xx),
                    ] {
                        let _ = writeln!(out, "{name}{{class=\"{class}\"}} {}", v.load(Relaxed));
                    }
                }
                _ => {
                    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
                    let _ = writeln!(out, "{name} {}", value.load(Relaxed));
                }
            }
        }
        let mut last = "";
        for (name, help, labels, value) in extra {
            if *name != last {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
                last = name;
            }
            let _ = writeln!(out, "{name}{labels} {value}");
        }
        out
    }
}
