//! `sigillo match`: which given images match sealed ones (PDQ distance or exact hash).

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};

use super::CmdResult;
use super::args::{JsonFlag, QuietFlag};
use super::output::{errln, outln};
use crate::hashlist::{self, Match};

const EXAMPLES: &str = "Examples:
  sigillo match case.zip new-uploads/     # which images are sealed ones (same hash, or PDQ ≤ 31)
  sigillo match case.zip found.jpg --threshold 10
  sigillo match case.zip downloads/ --json";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print every candidate and its matches as JSON")))]
#[command(mut_arg("quiet", |a| a.help("Print no summary on stderr")))]
pub(super) struct MatchArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Images or folders to compare with the sealed images.
    #[arg(required = true, value_name = "IMAGE_OR_DIR")]
    inputs: Vec<PathBuf>,
    /// Largest PDQ Hamming distance that counts as a match (0-256).
    #[arg(long, default_value_t = 31, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(0..=256))]
    threshold: u32,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(m: MatchArgs) -> CmdResult {
    let st = crate::verify::verified_state(&m.bundle)?;
    let rows = hashlist::rows(
        &st.items
            .iter()
            .map(|i| i.manifest.clone())
            .collect::<Vec<_>>(),
    );
    let files = hashlist::collect(&m.inputs)?;
    let results = hashlist::match_files(&rows, &files, m.threshold);
    if m.json.json {
        let v: Vec<Value> = results
            .iter()
            .map(|(c, ms)| json!({"candidate": c.display().to_string(), "matches": ms}))
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
    } else {
        for (c, ms) in &results {
            print_matches(c, ms)?;
        }
        let matched = results.iter().filter(|(_, v)| !v.is_empty()).count();
        if !m.quiet.quiet {
            errln!(
                "{matched} of {} file(s) match sealed evidence (threshold {})",
                results.len(),
                m.threshold
            );
        }
    }
    Ok(0)
}

fn print_matches(c: &Path, ms: &[Match]) -> CmdResult<()> {
    if ms.is_empty() {
        outln!("no match   {}", c.display())?;
    }
    for x in ms {
        let how = match x.distance {
            Some(d) => format!(
                "PDQ distance {d}{}",
                if x.reliable {
                    ""
                } else {
                    " (sealed hash unreliable)"
                }
            ),
            None => format!("identical {}", x.how.to_uppercase()),
        };
        outln!("MATCH      {}  ~  {}  ({how})", c.display(), x.sealed)?;
    }
    Ok(())
}
