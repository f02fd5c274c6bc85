//! sigillo: capture digital evidence and seal it into a signed, timestamped,
//! chain-of-custody bundle that anyone can check.
//!
//! The path of data reads like the job:
//! - [`acquire`]: a source (files, a web page, a chat export) becomes artifacts with provenance;
//! - [`evidence`]: hashes, manifests, keys and signatures, trusted timestamps, the custody log;
//! - [`bundle`]: the case ZIP, written atomically and read defensively;
//! - [`verify`]: the verdict, check by check;
//! - [`report`]: what a judge reads.
#![forbid(unsafe_code)]

pub mod acquire;
pub mod browser;
pub mod bundle;
pub mod cleanup;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod evidence;
pub mod export;
pub mod extract;
pub mod hashlist;
pub mod html;
pub mod net;
pub mod notice;
pub mod progress;
pub mod recheck;
pub mod report;
pub mod schemas;
pub mod seal;
pub mod text;
pub mod time;
pub mod trace;
pub mod verify;

pub use error::{Error, ErrorKind, Result};

/// The tool's name as written into manifests.
pub const TOOL_NAME: &str = "sigillo";
/// The tool's version as written into manifests.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
