//! `sigillo hashes`: hash lists (SHA-256, MD5, PDQ) of a verified bundle.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::CmdResult;
use super::output::{errln, stdout_failed};
use crate::error::Error;
use crate::hashlist;

#[derive(ValueEnum, Debug, Clone, Copy)]
enum HashFormat {
    Csv,
    Json,
    Stopncii,
}

#[derive(Args, Debug)]
pub(super) struct HashesArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HashFormat::Csv)]
    format: HashFormat,
    /// Only this item (id or number).
    #[arg(long, value_name = "ID")]
    item: Option<String>,
}

pub(super) fn run(h: HashesArgs) -> CmdResult {
    let st = crate::verify::verified_state(&h.bundle)?;
    let rows = crate::hashlist::hash_rows(&st, h.item.as_deref())?;
    let mut out = std::io::stdout().lock();
    match h.format {
        HashFormat::Csv => hashlist::write_csv(&rows, &mut out),
        HashFormat::Json => hashlist::write_json(&rows, &mut out),
        HashFormat::Stopncii => hashlist::write_stopncii(&rows, &mut out),
    }
    .map_err(|e| {
        stdout_failed(e, |e| {
            Error::input(format!("could not write the list: {e}"))
        })
    })?;
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
