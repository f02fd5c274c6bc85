//! `sigillo status`: the removal timeline of a bundle's captured URLs.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::CmdResult;
use super::args::{JsonFlag, interval};
use super::output::outln;
use super::style::clean;
use crate::bundle::reader::BundleReader;
use crate::error::Error;
use crate::recheck::timeline::{self, Status};

const EXAMPLES: &str = "Examples:
  sigillo status case.zip                 # per URL: captured, each recheck, removed at
  sigillo status case.zip --json --deadline 24h";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print the timeline as one JSON object")))]
pub(super) struct StatusArgs {
    /// The bundle.
    #[arg(value_name = "case.zip")]
    bundle: PathBuf,
    /// The time a platform has from notice to removal (e.g. 24h, 48h).
    #[arg(long, value_name = "DURATION", default_value = "48h", value_parser = interval)]
    deadline: Duration,
    #[command(flatten)]
    json: JsonFlag,
}

pub(super) fn run(a: StatusArgs) -> CmdResult {
    let state = crate::verify::verified_state(&a.bundle)?;
    let reader = BundleReader::open(&a.bundle)?;
    let deadline = chrono::Duration::from_std(a.deadline)
        .map_err(|_| Error::input("the deadline is too long").with_fix("give at most 8760h"))?;
    let st = timeline::status(&reader, &state, deadline, chrono::Utc::now())?;
    if a.json.json {
        let text = serde_json::to_string_pretty(&st)
            .map_err(|e| Error::internal(format!("status: {e}")))?;
        outln!("{text}")?;
    } else {
        print(&st)?;
    }
    Ok(0)
}

fn print(st: &Status) -> CmdResult<()> {
    outln!(
        "case {} — {} captured URL(s); deadline {} h from notice",
        clean(&st.case),
        st.urls.len(),
        st.deadline_hours
    )?;
    outln!(
        "times: UTC, from the clock of the machine that sealed each item or custody entry \
         (local; the trusted time is in each item's RFC 3161 token: sigillo verify)"
    )?;
    for u in &st.urls {
        outln!("\n{}  (item {})", clean(&u.url), clean(&u.item))?;
        outln!("  {}  captured", u.first_captured)?;
        for n in &u.notices {
            outln!(
                "  {}  notice sent{}",
                clean(&n.sent_at),
                n.to.as_deref()
                    .map(|t| format!(" to {}", clean(t)))
                    .unwrap_or_default()
            )?;
        }
        for r in &u.rechecks {
            let status = r
                .http_status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default();
            outln!(
                "  {}  {}{status}  [item {}]",
                clean(&r.checked_at),
                r.result,
                clean(&r.item)
            )?;
        }
        match (&u.removed_at, &u.last_seen_online) {
            (Some(r), Some(l)) => {
                outln!("  removed at {}; last seen online {}", clean(r), clean(l))?
            }
            (Some(r), None) => outln!("  removed at {}", clean(r))?,
            (None, Some(l)) if u.rechecks.is_empty() => outln!(
                "  never re-checked (run `sigillo recheck`); captured online {}",
                clean(l)
            )?,
            (None, Some(l)) => outln!("  not found removed; last seen online {}", clean(l))?,
            (None, None) => outln!("  not found removed")?,
        }
        if let Some(d) = &u.deadline {
            let verdict = match (d.met, d.hours_to_removal) {
                (Some(true), Some(h)) => {
                    format!("removed {h} h after the notice: within the deadline")
                }
                (Some(false), Some(h)) => {
                    format!("removed {h} h after the notice: after the deadline")
                }
                (Some(false), None) => "not removed, and the deadline has passed".into(),
                _ => "not removed yet; the deadline has not passed".into(),
            };
            outln!("  deadline {}: {verdict}", clean(&d.deadline_at))?;
        }
    }
    Ok(())
}
