//! Web pages: capture with headless Chromium, record the traffic as WARC/WACZ,
//! and collect the network facts around the page.
//!
//! - [`exchange`]: the HTTP exchanges the browser made (shared by capture and WARC);
//! - [`capture`]: drives Chromium and yields an [`crate::acquire::Acquisition`];
//! - [`network`]: turns the DevTools events into exchanges and counts;
//! - [`facts`]: the typed `facts` of a web item;
//! - [`stream`]: HLS/DASH streams the page played (segments, completion, ffmpeg join), yt-dlp;
//! - [`warc`]: WARC/1.1 writer (one gzip member per record);
//! - [`wacz`]: WACZ 1.1.1 packaging of that WARC;
//! - [`interactive`]: a recorded session in a visible window, sealed page by page;
//! - [`recording`]: the screen recording (`--record`, CDP screencast);
//! - [`secrets`]: login secrets of an interactive session replaced by their SHA-256.
//! - [`feed`]: `--scroll-until-end` for infinite feeds, screenshot tiles of tall pages;
//! - [`next`]: the "next page" link of a thread (`--follow-next`).

pub mod capture;
pub mod exchange;
pub mod facts;
pub mod feed;
pub mod interactive;
pub mod mhtml;
pub mod network;
pub mod next;
pub mod recording;
pub mod secrets;
pub mod stream;
pub mod strip;
pub mod wacz;
pub mod warc;
