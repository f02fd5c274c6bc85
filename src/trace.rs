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
