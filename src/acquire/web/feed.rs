//! Infinite feeds (`capture --scroll-until-end`): scroll to the bottom again and again
//! until the page stops growing, or a height or time cap is reached; and the screenshot
//! tiles of pages taller than one screenshot can hold.
//!
//! One step: scroll down to the bottom in viewport steps, wait for the network to be quiet (at most 5 s), then
//! watch the height for [`QUIET`]. A step in which the height did not grow ends the feed
//! (`end`); the height reaching `max_height` ends it with `max_height`, the time since the
//! first step reaching `max_time` with `max_time`. The outcome is recorded in the facts
//! (`scroll_until_end`) and in a transformation line.

use std::time::{Duration, Instant};

use headless_chrome::Tab;
use serde::Serialize;

use crate::acquire::web::network::Recorder;

/// How long the height must stay the same after a scroll for the feed to count as ended.
pub const QUIET: Duration = Duration::from_millis(1500);

/// Default `--max-height` (CSS pixels).
pub const DEFAULT_MAX_HEIGHT: u64 = 100_000;

/// Default `--max-time`.
pub const DEFAULT_MAX_TIME: Duration = Duration::from_secs(120);

/// The tallest clip one full-page screenshot takes (CSS pixels); a taller page is shot in
/// several tiles ([`tiles`]).
pub const SHOT_LIMIT: f64 = 30_000.0;

/// What to scroll for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedLimits {
    /// Stop once the page is at least this tall (CSS pixels).
    pub max_height: u64,
    /// Stop once scrolling took this long.
    pub max_time: Duration,
}

impl Default for FeedLimits {
    fn default() -> Self {
        FeedLimits {
            max_height: DEFAULT_MAX_HEIGHT,
            max_time: DEFAULT_MAX_TIME,
        }
    }
}

/// Why scrolling stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stopped {
    /// The page stopped growing: no new content within the quiet window.
    End,
    /// The page reached `--max-height`.
    MaxHeight,
    /// Scrolling took `--max-time`.
    MaxTime,
    /// The page's height could not be read (the page broke or navigated away).
    Error,
}

impl Stopped {
    fn says(self) -> &'static str {
        match self {
            Stopped::End => "the end of the feed was reached (no new content appeared)",
            Stopped::MaxHeight => "the height cap (--max-height) was reached",
            Stopped::MaxTime => "the time cap (--max-time) was reached",
            Stopped::Error => "the page's height could no longer be read",
        }
    }
}

/// Where and why scrolling stopped: the facts' `scroll_until_end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedFacts {
    /// Why it stopped.
    pub stopped: Stopped,
    /// The page's height when it stopped (`document.documentElement.scrollHeight`, CSS px).
    pub final_height: u64,
    /// The height before the first scroll.
    pub initial_height: u64,
    /// How many times the page was scrolled to the bottom.
    pub scroll_steps: u64,
    /// The caps in force.
    pub max_height: u64,
    /// The time cap in seconds.
    pub max_time_s: u64,
    /// The page's height when the screenshots were taken (CSS px): it can be more than
    /// `final_height` when what the last step started (a batch on a timer, a request)
    /// landed after scrolling stopped. The screenshot and its tiles show this height.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captured_height: Option<u64>,
}

impl FeedFacts {
    /// The transformation line that says what was done.
    pub fn transformation(&self) -> String {
        format!(
            "scrolled to the bottom of the feed {} time(s) (--scroll-until-end): the page grew from {} to {} CSS px; stopped because {}",
            self.scroll_steps,
            self.initial_height,
            self.final_height,
            self.stopped.says()
        )
    }
}

/// One step: down to the bottom in viewport steps (so that lazy images on the way load).
const STEP_JS: &str = r#"(async () => {
  const step = Math.max(200, Math.floor(window.innerHeight * 0.8));
  for (let y = window.scrollY + step; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 50));
  }
  window.scrollTo(0, document.documentElement.scrollHeight);
  return true;
})()"#;

const HEIGHT_JS: &str = "document.documentElement ? Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0) : 0";

fn height(tab: &Tab) -> Option<u64> {
    tab.evaluate(HEIGHT_JS, false)
        .ok()?
        .value?
        .as_f64()
        .map(|h| h.max(0.0) as u64)
}

/// Scroll `tab` until the feed ends or a cap is reached; then back to the top.
pub fn scroll_until_end(tab: &Tab, net: &Recorder, limits: FeedLimits) -> FeedFacts {
    let start = Instant::now();
    let initial = height(tab).unwrap_or(0);
    let mut facts = FeedFacts {
        stopped: Stopped::End,
        final_height: initial,
        initial_height: initial,
        scroll_steps: 0,
        max_height: limits.max_height,
        max_time_s: limits.max_time.as_secs(),
        captured_height: None,
    };
    loop {
        if facts.final_height >= limits.max_height {
            facts.stopped = Stopped::MaxHeight;
            break;
        }
        if start.elapsed() >= limits.max_time {
            facts.stopped = Stopped::MaxTime;
            break;
        }
        let _ = tab.evaluate(STEP_JS, true);
        facts.scroll_steps += 1;
        let left = limits.max_time.saturating_sub(start.elapsed());
        net.wait_network_idle(Duration::from_millis(300), left.min(Duration::from_secs(5)));
        // Watch the height for the quiet window (or until the time cap).
        let before = facts.final_height;
        let watch = Instant::now();
        let grown = loop {
            let Some(h) = height(tab) else {
                facts.stopped = Stopped::Error;
                break None;
            };
            if h > before {
                break Some(h);
            }
            if watch.elapsed() >= QUIET || start.elapsed() >= limits.max_time {
                break Some(h);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        match grown {
            None => break,
            Some(h) if h > before => facts.final_height = h,
            Some(h) => {
                facts.final_height = h;
                facts.stopped = if start.elapsed() >= limits.max_time && watch.elapsed() < QUIET {
                    Stopped::MaxTime
                } else {
                    Stopped::End
                };
                break;
            }
        }
    }
    let _ = tab.evaluate("window.scrollTo(0, 0); true", false);
    facts
}

/// The clips (y, height) of the tiles below the first [`SHOT_LIMIT`] pixels of a page
/// `height` CSS px tall: empty when one screenshot holds it.
pub fn tile_clips(height: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut y = SHOT_LIMIT;
    while height.is_finite() && y < height {
        out.push((y, (height - y).min(SHOT_LIMIT)));
        y += SHOT_LIMIT;
    }
    out
}

/// The item-relative path of tile number `n` (2, 3 …; the first is `screenshot-full.png`).
pub fn tile_path(n: usize) -> String {
    format!("original/screenshot-full-{n:03}.png")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_page_below_the_first_shot() {
        assert!(tile_clips(29_999.0).is_empty());
        assert!(tile_clips(30_000.0).is_empty());
        assert_eq!(tile_clips(30_001.0), vec![(30_000.0, 1.0)]);
        assert_eq!(
            tile_clips(75_000.0),
            vec![(30_000.0, 30_000.0), (60_000.0, 15_000.0)]
        );
        assert!(tile_clips(f64::NAN).is_empty());
        assert_eq!(tile_path(2), "original/screenshot-full-002.png");
    }

    #[test]
    fn the_outcome_is_said_in_words_and_snake_case() {
        let f = FeedFacts {
            stopped: Stopped::MaxHeight,
            final_height: 41_000,
            initial_height: 900,
            scroll_steps: 20,
            max_height: 40_000,
            max_time_s: 120,
            captured_height: None,
        };
        assert!(f.transformation().contains("--max-height"));
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["stopped"], "max_height");
    }
}
