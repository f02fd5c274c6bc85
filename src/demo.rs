//! `sigillo demo`: the main job, offline, on the bundled samples.

use std::path::Path;

use crate::error::Result;

/// Run the demo; returns the exit code.
pub fn run(_out: Option<&Path>) -> Result<i32> {
    Ok(0)
}
