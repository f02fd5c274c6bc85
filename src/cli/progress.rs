//! Progress bars on stderr for long work, fed by the library's progress events; hidden
//! with `--quiet`, when stderr is not a terminal, or when `NO_COLOR`/`TERM=dumb` say so.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::progress::{Observer, Progress, Task};

struct Bar(ProgressBar);

impl Observer for Bar {
    fn begin(&self, task: Task, total: u64) {
        let (label, units) = match task {
            Task::Sealing => ("sealing", "{bytes}/{total_bytes} ({bytes_per_sec}, {eta})"),
            Task::Verifying => (
                "verifying",
                "{bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            ),
            Task::Capturing => ("capturing", "{pos}/{len} pages ({eta}) {msg}"),
        };
        let style = ProgressStyle::with_template(&format!("{label:>10} [{{bar:30}}] {units}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        self.0.reset();
        self.0.set_style(style);
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.enable_steady_tick(Duration::from_millis(200));
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn note(&self, what: &str) {
        self.0.set_message(what.to_string());
    }
    fn end(&self) {
        self.0.finish_and_clear();
    }
}

/// A progress handle for a command: a bar on an interactive stderr, nothing otherwise.
pub fn for_terminal(quiet: bool) -> Progress {
    // The same test as colour (a terminal, no NO_COLOR, TERM not dumb): a bar is drawn
    // with escape sequences.
    if quiet || !super::style::color(super::style::Stream::Stderr) {
        return Progress::default();
    }
    let bar = ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr_with_hz(5));
    Progress::to(Arc::new(Bar(bar)))
}
