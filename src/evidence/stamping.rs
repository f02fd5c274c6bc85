//! Glue between sealing/verification and RFC 3161 timestamps: ask the configured
//! TSAs for tokens, and judge stored tokens, in the terms the rest of sigillo uses.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::Result;
use crate::evidence::tsp::{self as timestamp, TokenStatus, TrustAnchors, TsaRequestOptions};
use crate::verify::Status;

/// Default time to wait for a TSA.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Trust anchors for TSA certificates (from `--tsa-ca`, else the system store).
pub struct Anchors(TrustAnchors);

/// Load TSA trust anchors.
pub fn anchors_for(paths: &[PathBuf]) -> Result<Anchors> {
    Ok(Anchors(if paths.is_empty() {
        TrustAnchors::system()
    } else {
        TrustAnchors::from_pem_files(paths)?
    }))
}

/// Judge a stored token over `data`; returns (status, message) and facts for the report.
pub fn check_stored(
    tsr: &[u8],
    data: &[u8],
    anchors: &Anchors,
    local_time: &str,
) -> ((Status, String), Value) {
    let v = timestamp::verify_token(tsr, data, &anchors.0);
    let mut facts = json!({});
    let mut when = String::new();
    if let Some(i) = &v.info {
        let delta = crate::time::parse(local_time).map(|t| (i.gen_time - t).num_milliseconds());
        facts = json!({
            "gen_time": crate::time::rfc3339(&i.gen_time),
            "tsa": i.tsa_name.clone().unwrap_or_else(|| i.signer_subject.clone()),
            "policy": i.policy,
            "serial": i.serial,
            "difference_from_local_ms": delta,
        });
        when = format!(
            "genTime {} by {} (policy {}{})",
            crate::time::rfc3339(&i.gen_time),
            i.tsa_name
                .clone()
                .unwrap_or_else(|| i.signer_subject.clone()),
            i.policy,
            delta
                .map(|d| format!(", {:+.3} s from the local clock", d as f64 / 1000.0))
                .unwrap_or_default()
        );
    }
    let (status, msg) = match &v.status {
        TokenStatus::Trusted => (Status::Pass, format!("trusted timestamp: {when}")),
        TokenStatus::Untrusted { reason } => {
            if anchors.0.is_explicit() {
                (
                    Status::Fail,
                    format!("the TSA certificate chain does not reach a --tsa-ca root: {reason}"),
                )
            } else {
                (
                    Status::Warn,
                    format!(
                        "valid token from a TSA not in the system trust store ({reason}); pass --tsa-ca with the TSA's root: {when}"
                    ),
                )
            }
        }
        TokenStatus::Invalid { reason } => {
            (Status::Fail, format!("invalid timestamp token: {reason}"))
        }
    };
    if let Some(o) = facts.as_object_mut() {
        o.insert(
            "status".into(),
            json!(match status {
                Status::Pass => "trusted",
                Status::Warn => "untrusted",
                _ => "invalid",
            }),
        );
    }
    ((status, msg), facts)
}

/// Ask every TSA in `urls` for a token over `data`. Each result is the token (`.tsr`
/// bytes and certificate chain PEM) or a warning text. With `require`, any failure is
/// an error and nothing is written.
#[allow(clippy::type_complexity)]
pub fn request_all(
    urls: &[String],
    data: &[u8],
    timeout: Option<Duration>,
    require: bool,
) -> Result<Vec<std::result::Result<(Vec<u8>, String), String>>> {
    let opts = TsaRequestOptions {
        timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
    };
    let mut out = Vec::new();
    for url in urls {
        match timestamp::request_token(url, data, &opts) {
            Ok(t) => out.push(Ok((t.tsr, t.chain_pem))),
            Err(e) => {
                if require {
                    // The TSA failure itself (problem and source) with the --require-tsa fix.
                    return Err(e.with_fix("nothing was written (--require-tsa); check the TSA URL and the network, or drop --require-tsa to seal with local time only"));
                }
                out.push(Err(format!("timestamp authority {url} failed ({}); sealed with the local clock only, marked untrusted — add a token later with `sigillo timestamp`", e.problem())));
            }
        }
    }
    Ok(out)
}
