//! Counters and gauges for `/metrics`, kept and encoded by `prometheus-client` (OpenMetrics
//! text, which Prometheus reads). Names are stable: counters end in `_total`.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabel {
    class: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScrollLabel {
    scroll: String,
}

/// The node's metrics. Counters are monotonic; gauges are set when `/metrics` is read.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Receipts appended.
    pub receipts_appended: Counter,
    /// Append requests committed.
    pub append_batches: Counter,
    /// Append requests rejected.
    pub appends_rejected: Counter,
    /// Receipts whose signature the core verified.
    pub signatures_verified: Counter,
    /// Checkpoints signed.
    pub checkpoints: Counter,
    /// Modify/delete attempts blocked (each recorded, alone or in a summary receipt).
    pub violations: Counter,
    /// Inclusion and consistency proofs served.
    pub proofs: Counter,
    /// Seconds spent committing appends (sum).
    pub commit_seconds: Counter<f64, AtomicU64>,
    http_responses: Family<ClassLabel, Counter>,
    scroll_size: Family<ScrollLabel, Gauge>,
    scroll_checkpoint_size: Family<ScrollLabel, Gauge>,
    store_bytes: Gauge,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::default();
        let m = Metrics {
            registry: Registry::default(),
            receipts_appended: Counter::default(),
            append_batches: Counter::default(),
            appends_rejected: Counter::default(),
            signatures_verified: Counter::default(),
            checkpoints: Counter::default(),
            violations: Counter::default(),
            proofs: Counter::default(),
            commit_seconds: Counter::default(),
            http_responses: Family::default(),
            scroll_size: Family::default(),
            scroll_checkpoint_size: Family::default(),
            store_bytes: Gauge::default(),
        };
        // The registry holds clones: each shares its value with the field above.
        for (name, help, c) in [
            (
                "vaultmesh_receipts_appended",
                "Receipts appended and committed.",
                &m.receipts_appended,
            ),
            (
                "vaultmesh_append_batches",
                "Append requests committed.",
                &m.append_batches,
            ),
            (
                "vaultmesh_appends_rejected",
                "Append requests rejected.",
                &m.appends_rejected,
            ),
            (
                "vaultmesh_signatures_verified",
                "Receipt signatures verified by the core.",
                &m.signatures_verified,
            ),
            (
                "vaultmesh_checkpoints",
                "Checkpoints signed.",
                &m.checkpoints,
            ),
            (
                "vaultmesh_violations",
                "Modify or delete attempts blocked (AXIOM-001).",
                &m.violations,
            ),
            (
                "vaultmesh_proofs",
                "Inclusion and consistency proofs served.",
                &m.proofs,
            ),
        ] {
            registry.register(name, help, c.clone());
        }
        registry.register(
            "vaultmesh_commit_seconds",
            "Time spent committing appends.",
            m.commit_seconds.clone(),
        );
        registry.register(
            "vaultmesh_http_responses",
            "HTTP responses by status class.",
            m.http_responses.clone(),
        );
        registry.register(
            "vaultmesh_scroll_size",
            "Receipts in the scroll.",
            m.scroll_size.clone(),
        );
        registry.register(
            "vaultmesh_scroll_checkpoint_size",
            "Tree size of the latest checkpoint.",
            m.scroll_checkpoint_size.clone(),
        );
        registry.register(
            "vaultmesh_store_bytes",
            "Bytes of the store on disk (database and WAL).",
            m.store_bytes.clone(),
        );
        // The three classes from the start, so a scrape sees zeros rather than nothing.
        for class in ["2xx", "4xx", "5xx"] {
            drop(m.http_responses.get_or_create(&ClassLabel { class }));
        }
        Metrics { registry, ..m }
    }
}

fn gauge_value(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(counter: &Counter, n: u64) {
        counter.inc_by(n);
    }

    /// Counts one HTTP response by its status class.
    pub fn response(&self, status: u16) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.http_responses
            .get_or_create(&ClassLabel { class })
            .inc();
    }

    /// The text exposition, with the gauges set from `scrolls` (`(name, size, latest
    /// checkpoint size)`) and the store's size on disk.
    pub fn render(&self, scrolls: &[(String, u64, u64)], store_bytes: u64) -> String {
        for (name, size, checkpoint) in scrolls {
            let label = ScrollLabel {
                scroll: name.clone(),
            };
            self.scroll_size
                .get_or_create(&label)
                .set(gauge_value(*size));
            self.scroll_checkpoint_size
                .get_or_create(&label)
                .set(gauge_value(*checkpoint));
        }
        self.store_bytes.set(gauge_value(store_bytes));
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_documented_ones() {
        let m = Metrics::default();
        Metrics::add(&m.violations, 6);
        Metrics::add(&m.receipts_appended, 37);
        m.commit_seconds.inc_by(0.25);
        m.response(200);
        m.response(404);
        m.response(404);
        let text = m.render(&[("Guardian".into(), 37, 30)], 4096);
        for line in [
            "vaultmesh_violations_total 6",
            "vaultmesh_receipts_appended_total 37",
            "vaultmesh_commit_seconds_total 0.25",
            "vaultmesh_http_responses_total{class=\"2xx\"} 1",
            "vaultmesh_http_responses_total{class=\"4xx\"} 2",
            "vaultmesh_http_responses_total{class=\"5xx\"} 0",
            "vaultmesh_scroll_size{scroll=\"Guardian\"} 37",
            "vaultmesh_scroll_checkpoint_size{scroll=\"Guardian\"} 30",
            "vaultmesh_store_bytes 4096",
            "# TYPE vaultmesh_violations counter",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
    }
}
