//! Glue between sealing/verification and RFC 3161 timestamps: ask the configured
//! TSAs for tokens, and judge stored tokens, in the terms the rest of sigillo uses.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::error::Result;
use crate::verify::Status;

/// Trust anchors for TSA certificates (from `--tsa-ca`, else the system store).
pub struct Anchors {
    _paths: Vec<PathBuf>,
}

/// Load TSA trust anchors.
pub fn anchors_for(paths: &[PathBuf]) -> Result<Anchors> {
    Ok(Anchors {
        _paths: paths.to_vec(),
    })
}

/// Judge a stored token over `data`; returns (status, message) and facts for the report.
pub fn check_stored(
    _tsr: &[u8],
    _data: &[u8],
    _anchors: &Anchors,
    _local_time: &str,
) -> ((Status, String), Value) {
    (
        (
            Status::Warn,
            "timestamp tokens are not checked by this build".into(),
        ),
        json!({}),
    )
}

/// Ask every TSA in `urls` for a token over `data`. Each result is the token (`.tsr`
/// bytes and certificate chain PEM) or a warning text. With `require`, any failure is
/// an error and nothing is written.
#[allow(clippy::type_complexity)]
pub fn request_all(
    urls: &[String],
    _data: &[u8],
    _timeout: Option<std::time::Duration>,
    require: bool,
) -> Result<Vec<std::result::Result<(Vec<u8>, String), String>>> {
    if urls.is_empty() {
        return Ok(Vec::new());
    }
    let msg = "this build cannot request RFC 3161 timestamps yet".to_string();
    if require {
        return Err(crate::Error::input(msg));
    }
    Ok(urls.iter().map(|_| Err(msg.clone())).collect())
}
