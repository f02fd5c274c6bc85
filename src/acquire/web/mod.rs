//! Web pages: capture with headless Chromium, record the traffic as WARC/WACZ,
//! and collect the network facts around the page.
//!
//! - [`exchange`]: the HTTP exchanges the browser made (shared by capture and WARC);
//! - [`capture`]: drives Chromium and yields an [`crate::acquire::Acquisition`];
//! - [`warc`]: WARC/1.1 writer (one gzip member per record);
//! - [`wacz`]: WACZ 1.1.1 packaging of that WARC.

pub mod capture;
pub mod exchange;
pub mod wacz;
pub mod warc;
