//! `sigillo hashes`: hash lists (SHA-256, MD5, PDQ) of a verified bundle, on stdout or
//! into a file (`-o`, written whole or not at all).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::CmdResult;
use super::args::{QuietFlag, not_the_bundle};
use super::output::{errln, stdout_failed};
use super::style::{Grid, Stream, color};
use crate::error::{Error, Result};
use crate::hashlist::{self, HashRow};

const EXAMPLES: &str = "Examples:
  sigillo hashes case.zip                              # CSV on stdout, a row per file
  sigillo hashes case.zip --format stopncii -o takedown.csv
  sigillo hashes case.zip --item 1 --json              # one item, as JSON";

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum HashFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of rows.
    Json,
    /// `hash_type,hash,pdq_quality` lines for a StopNCII-style request.
    Stopncii,
    /// An aligned table for reading (not for scripts).
    Table,
}

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("quiet", |a| a.help("Print no summary on stderr")))]
pub(super) struct HashesArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HashFormat::Csv)]
    format: HashFormat,
    /// Print JSON: the same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Write the list to this file instead of stdout (complete or not at all: through a
    /// temporary file renamed into place; an existing file is replaced).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Only this item (id or number).
    #[arg(long, value_name = "ID")]
    item: Option<String>,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(h: HashesArgs) -> CmdResult {
    let format = if h.json { HashFormat::Json } else { h.format };
    if let Some(o) = &h.output
        && o.is_dir()
    {
        return Err(Error::input(format!("-o '{}' is a folder", o.display()))
            .with_fix("give a file name such as hashes.csv")
            .into());
    }
    if let Some(o) = &h.output {
        not_the_bundle(o, &h.bundle, "-o")?;
    }
    let st = crate::verify::verified_state(&h.bundle)?;
    let rows = crate::hashlist::hash_rows(&st, h.item.as_deref())?;
    match &h.output {
        Some(path) => {
            write_file(path, &rows, format)?;
            if !h.quiet.quiet {
                errln!("wrote {} ({} file(s))", path.display(), rows.len());
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            write(&rows, format, color(Stream::Stdout), &mut out).map_err(|e| {
                stdout_failed(e, |e| {
                    Error::input(format!("could not write the list: {e}"))
                })
            })?;
        }
    }
    let unreliable = rows
        .iter()
        .filter(|r| r.pdq_reliable == Some(false))
        .count();
    if unreliable > 0 {
        errln!(
            "note: {unreliable} image(s) have PDQ quality below 50: their perceptual hash is unreliable for matching"
        );
    }
    Ok(0)
}

/// Write the rows in `format` (`color`: the table may be coloured).
fn write(
    rows: &[HashRow],
    format: HashFormat,
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        HashFormat::Csv => hashlist::write_csv(rows, out),
        HashFormat::Json => hashlist::write_json(rows, out),
        HashFormat::Stopncii => hashlist::write_stopncii(rows, out),
        HashFormat::Table => {
            let mut g =
                Grid::with_color(&["item", "file", "SHA-256", "MD5", "PDQ", "quality"], color)
                    .right(5);
            for r in rows {
                let quality = r.pdq_quality.map_or_else(|| "-".into(), |q| q.to_string());
                g.row(&[
                    r.item.as_str(),
                    r.file.as_str(),
                    r.sha256.as_str(),
                    r.md5.as_deref().unwrap_or("-"),
                    r.pdq.as_deref().unwrap_or("-"),
                    quality.as_str(),
                ]);
            }
            for l in g.lines() {
                writeln!(out, "{l}")?;
            }
            Ok(())
        }
    }
}

/// Write the list to `path` through a temporary file in the same folder, renamed into
/// place only when complete: a reader never sees half a list.
fn write_file(path: &Path, rows: &[HashRow], format: HashFormat) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".sigillo-hashes-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    let mut w = std::io::BufWriter::new(tmp.as_file_mut());
    write(rows, format, false, &mut w)
        .and_then(|()| w.flush())
        .map_err(|e| Error::io("write", path, e))?;
    drop(w);
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("write", path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("write", path, e.error))?;
    Ok(())
}
