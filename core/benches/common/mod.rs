//! Paired timing for ratios on a shared machine: criterion measures wall time group by group,
//! each in whatever load it lands in; these helpers interleave the contenders round by round
//! and time each run by this thread's on-CPU time, so a neighbour's compile slows all alike.
#![allow(dead_code)] // each bench uses the helpers it needs

use std::time::Instant;

/// This thread's time on a CPU so far, in ns: `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`
/// (POSIX.1-2008), which Linux reads with nanosecond resolution. (`/proc/thread-self/schedstat`,
/// used before, moves in scheduler ticks of 4 ms here: a 100 ms block read ±4 %.)
#[cfg(unix)]
pub fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the call writes only to it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    let secs = u64::try_from(ts.tv_sec).ok()?;
    let nanos = u64::try_from(ts.tv_nsec).ok()?;
    (rc == 0).then(|| secs * 1_000_000_000 + nanos)
}

/// No thread CPU clock here: callers fall back to wall time.
#[cfg(not(unix))]
pub fn thread_cpu_ns() -> Option<u64> {
    None
}

/// Seconds of on-CPU time `f` took (wall time where the platform does not say).
pub fn cpu_seconds(f: impl FnOnce()) -> f64 {
    let (cpu, wall) = (thread_cpu_ns(), Instant::now());
    f();
    match (cpu, thread_cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 * 1e-9,
        _ => wall.elapsed().as_secs_f64(),
    }
}

/// The median (upper median for even lengths).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs every contender once per round, in an order that rotates each round, and returns each
/// contender's on-CPU seconds per round.
pub fn interleaved(rounds: usize, contenders: &mut [&mut dyn FnMut()]) -> Vec<Vec<f64>> {
    let n = contenders.len();
    let mut times = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for k in 0..n {
            let which = (round + k) % n;
            times[which].push(cpu_seconds(&mut *contenders[which]));
        }
    }
    times
}

/// Median over rounds of `a[i] / b[i]`.
pub fn median_ratio(a: &[f64], b: &[f64]) -> f64 {
    median(a.iter().zip(b).map(|(x, y)| x / y).collect())
}
