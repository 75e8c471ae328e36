//! Bounding the violation record a stranger can cause.
//!
//! Every modify/delete attempt is refused (403 `APPEND_ONLY`), but recording each one as a
//! signed receipt lets anyone grow the `Governance` scroll without bound. So, per peer and time
//! window, the first `max_per_window` attempts are recorded one receipt each, as before, and
//! the rest of the window's attempts are counted; when the window has ended (seen at the next
//! attempt of that peer, by the node's periodic flush, or at shutdown) the count becomes ONE
//! summary receipt with `evidence.count`. AXIOM-001 attempts therefore all stay on the record,
//! and the scroll grows by at most `max_per_window + 1` receipts per peer and window.
//!
//! Time comes from a [`Clock`], so tests move it instead of sleeping.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the limiter reads the time.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A clock that moves only when told (tests).
#[derive(Debug, Default)]
pub struct ManualClock(std::sync::atomic::AtomicU64);

impl ManualClock {
    /// A clock reading `secs`.
    pub fn new(secs: u64) -> ManualClock {
        ManualClock(secs.into())
    }

    /// Moves the clock forward by `secs`.
    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Distinct peers tracked at once; past this, new peers share one bucket, so a flood from
/// many addresses (IPv6 makes them cheap) bounds the limiter's memory as well as the scroll.
pub const MAX_PEERS: usize = 4096;

/// The shared bucket's name once [`MAX_PEERS`] is reached.
pub const OVERFLOW_PEER: &str = "(other peers)";

/// What to do with one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Record it as its own receipt.
    Record,
    /// Count it; it will be in the window's summary (`window_end`: Unix seconds).
    Summarise {
        /// When the window ends.
        window_end: u64,
    },
}

/// A window whose attempts beyond the limit must be recorded as one summary receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The peer (an IP address, or [`OVERFLOW_PEER`]).
    pub peer: String,
    /// Window start, Unix seconds.
    pub window_start: u64,
    /// Window end, Unix seconds.
    pub window_end: u64,
    /// Attempts in the window that have no receipt of their own.
    pub count: u64,
    /// Whether every one of them carried the admin token.
    pub authenticated: bool,
    /// Whether every one of them was a DELETE.
    pub deletes_only: bool,
    /// The first few of their request lines (`METHOD PATH`), for the evidence.
    pub samples: Vec<String>,
}

/// Request lines kept as samples in a summary.
const SAMPLES: usize = 3;

#[derive(Debug)]
struct Window {
    start: u64,
    recorded: u64,
    suppressed: u64,
    authenticated: bool,
    deletes_only: bool,
    samples: Vec<String>,
}

impl Window {
    fn new(start: u64) -> Window {
        Window {
            start,
            recorded: 0,
            suppressed: 0,
            authenticated: true,
            deletes_only: true,
            samples: Vec::new(),
        }
    }
}

/// The per-peer windows.
#[derive(Debug)]
pub struct Limiter {
    max_per_window: u64,
    window_secs: u64,
    peers: HashMap<String, Window>,
}

impl Limiter {
    /// A limiter recording `max_per_window` attempts per peer in every `window_secs`.
    pub fn new(max_per_window: u64, window_secs: u64) -> Limiter {
        Limiter {
            max_per_window,
            window_secs: window_secs.max(1),
            peers: HashMap::new(),
        }
    }

    fn summary(&self, peer: &str, w: &Window) -> Option<Summary> {
        (w.suppressed > 0).then(|| Summary {
            peer: peer.to_string(),
            window_start: w.start,
            window_end: w.start.saturating_add(self.window_secs),
            count: w.suppressed,
            authenticated: w.authenticated,
            deletes_only: w.deletes_only,
            samples: w.samples.clone(),
        })
    }

    /// One attempt by `peer` at `now` (`request`: `METHOD PATH`). Returns the decision and the
    /// summary of this peer's previous window if it ended with uncounted attempts — to be
    /// recorded before this attempt.
    pub fn attempt(
        &mut self,
        peer: &str,
        request: &str,
        authenticated: bool,
        now: u64,
    ) -> (Decision, Option<Summary>) {
        let key = if self.peers.contains_key(peer) || self.peers.len() < MAX_PEERS {
            peer
        } else {
            OVERFLOW_PEER
        };
        let mut ended = None;
        let window_secs = self.window_secs;
        let expired = self
            .peers
            .get(key)
            .is_some_and(|w| now >= w.start.saturating_add(window_secs) || now < w.start);
        if expired {
            if let Some(w) = self.peers.remove(key) {
                ended = self.summary(key, &w);
            }
        }
        let max = self.max_per_window;
        let w = self
            .peers
            .entry(key.to_string())
            .or_insert_with(|| Window::new(now));
        if w.recorded < max {
            w.recorded += 1;
            return (Decision::Record, ended);
        }
        w.suppressed += 1;
        w.authenticated &= authenticated;
        w.deletes_only &= request.starts_with("DELETE ");
        if w.samples.len() < SAMPLES {
            w.samples.push(request.chars().take(200).collect());
        }
        (
            Decision::Summarise {
                window_end: w.start.saturating_add(window_secs),
            },
            ended,
        )
    }

    /// Removes every window that has ended at `now` (all of them with `all`, at shutdown) and
    /// returns the summaries to record.
    pub fn flush(&mut self, now: u64, all: bool) -> Vec<Summary> {
        let window_secs = self.window_secs;
        let done: Vec<String> = self
            .peers
            .iter()
            .filter(|(_, w)| all || now >= w.start.saturating_add(window_secs) || now < w.start)
            .map(|(p, _)| p.clone())
            .collect();
        let mut out = Vec::new();
        for peer in done {
            if let Some(w) = self.peers.remove(&peer) {
                out.extend(self.summary(&peer, &w));
            }
        }
        out.sort_by(|a, b| (a.window_start, &a.peer).cmp(&(b.window_start, &b.peer)));
        out
    }

    /// Peers with an open window.
    pub fn tracked(&self) -> usize {
        self.peers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_the_first_then_summarises_the_rest_of_the_window() {
        let mut l = Limiter::new(3, 60);
        for _ in 0..3 {
            assert_eq!(
                l.attempt("10.0.0.1", "DELETE /x", false, 100),
                (Decision::Record, None)
            );
        }
        for t in 101..108 {
            let (d, s) = l.attempt("10.0.0.1", "DELETE /x", false, t);
            assert_eq!(d, Decision::Summarise { window_end: 160 });
            assert_eq!(s, None);
        }
        // Another peer has its own window.
        assert_eq!(
            l.attempt("10.0.0.2", "PUT /y", true, 110).0,
            Decision::Record
        );
        // The window ends: the next attempt is recorded, after the summary of the 7.
        let (d, s) = l.attempt("10.0.0.1", "PATCH /z", false, 160);
        assert_eq!(d, Decision::Record);
        let s = s.unwrap();
        assert_eq!((s.count, s.window_start, s.window_end), (7, 100, 160));
        assert_eq!(s.samples.len(), 3);
        assert!(!s.authenticated);
        // Nothing is left to summarise for either peer.
        assert!(l.flush(1_000, false).is_empty());
    }

    #[test]
    fn flush_emits_ended_windows_and_all_at_shutdown() {
        let mut l = Limiter::new(1, 10);
        l.attempt("a", "DELETE /1", true, 0);
        l.attempt("a", "DELETE /2", true, 1);
        l.attempt("b", "DELETE /3", false, 5);
        l.attempt("b", "DELETE /4", false, 6);
        l.attempt("b", "DELETE /5", false, 7);
        assert!(l.flush(9, false).is_empty());
        let s = l.flush(10, false);
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].peer.as_str(), s[0].count, s[0].authenticated),
            ("a", 1, true)
        );
        let s = l.flush(11, true);
        assert_eq!((s[0].peer.as_str(), s[0].count), ("b", 2));
        assert_eq!(l.tracked(), 0);
    }

    #[test]
    fn a_flood_from_many_peers_shares_one_bucket() {
        let mut l = Limiter::new(2, 60);
        for i in 0..MAX_PEERS + 100 {
            l.attempt(&format!("peer-{i}"), "DELETE /x", false, 0);
        }
        assert_eq!(l.tracked(), MAX_PEERS + 1);
        let s = l.flush(0, true);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].peer.as_str(), s[0].count), (OVERFLOW_PEER, 98));
    }

    #[test]
    fn a_clock_that_goes_back_starts_a_new_window() {
        let mut l = Limiter::new(1, 60);
        l.attempt("a", "DELETE /x", false, 1_000);
        l.attempt("a", "DELETE /x", false, 1_001);
        let (d, s) = l.attempt("a", "DELETE /x", false, 10);
        assert_eq!(d, Decision::Record);
        assert_eq!(s.map(|s| s.count), Some(1));
    }
}
