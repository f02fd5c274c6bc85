//! `SIGILLO_TRACE=1`: the time of each step on standard error, since the process started,
//! to find where a capture's time goes (`bench/capture.sh` sums them). Step names only:
//! never a URL, a file name or any content.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Start the clock (at the top of `main`); tracing is on when `SIGILLO_TRACE` is set and
/// not `0`.
pub fn init() {
    START.get_or_init(|| {
        std::env::var_os("SIGILLO_TRACE")
            .filter(|v| !v.is_empty() && v != "0")
            .map(|_| Instant::now())
    });
}

/// Note that `step` was reached (nothing when tracing is off).
pub fn step(step: &str) {
    if let Some(Some(t0)) = START.get() {
        eprintln!("sigillo-trace {:8.3} s  {step}", t0.elapsed().as_secs_f64());
    }
}

/// At the end, with tracing on: the CPU time this process used (user and system, from
/// `/proc/self/stat`, in clock ticks of 10 ms), Chromium's not included.
pub fn cpu() {
    if !matches!(START.get(), Some(Some(_))) {
        return;
    }
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return;
    };
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name.
    step(&format!(
        "cpu: user {:.2} s, system {:.2} s",
        tick(11),
        tick(12)
    ));
}
