//! Hash lists for takedown and re-upload blocking, and matching new finds against them.
//!
//! Rows come from the sealed manifests only: the images never leave the bundle. The
//! column names `item, file, source_url, sha256, md5, pdq, pdq_quality` are a fixed
//! interface (`sigillo hashes`); see `docs/hash-lists.md`.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::bundle::state::BundleState;
use crate::error::{Error, Result};
use crate::evidence::manifest::{FileRole, Manifest};
use crate::evidence::media::{self, PDQ_MIN_QUALITY};
use crate::evidence::pdq;

/// One row of a hash list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct HashRow {
    /// Item id.
    pub item: String,
    /// Path inside the bundle.
    pub file: String,
    /// Where it was downloaded from, if known.
    pub source_url: Option<String>,
    /// SHA-256 (hex).
    pub sha256: String,
    /// MD5 (hex), for media files.
    pub md5: Option<String>,
    /// PDQ (64 hex), for images.
    pub pdq: Option<String>,
    /// PDQ quality 0–100.
    pub pdq_quality: Option<u32>,
    /// False when the PDQ quality is below 50: too flat or small to match reliably.
    pub pdq_reliable: Option<bool>,
    /// Media type.
    pub media_type: String,
}

/// Rows for every original file of the given items (pick one item with
/// `BundleState::find_item`).
pub fn rows(manifests: &[Manifest]) -> Vec<HashRow> {
    let mut out = Vec::new();
    for m in manifests {
        for f in m.files.iter().filter(|f| f.role == FileRole::Original) {
            let q = f.image.as_ref().map(|i| i.pdq_quality);
            out.push(HashRow {
                item: m.id.clone(),
                file: crate::bundle::layout::item_member(&m.id, &f.path),
                source_url: f.source_url().map(str::to_string),
                sha256: f.sha256.clone(),
                md5: f.md5.clone(),
                pdq: f.image.as_ref().map(|i| i.pdq.clone()),
                pdq_quality: q,
                pdq_reliable: q.map(|q| q >= PDQ_MIN_QUALITY),
                media_type: f.media_type.clone(),
            });
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV with the fixed header.
pub fn write_csv(rows: &[HashRow], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "item,file,source_url,sha256,md5,pdq,pdq_quality,pdq_reliable"
    )?;
    for r in rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            csv_field(&r.item),
            csv_field(&r.file),
            csv_field(r.source_url.as_deref().unwrap_or("")),
            r.sha256,
            r.md5.as_deref().unwrap_or(""),
            r.pdq.as_deref().unwrap_or(""),
            r.pdq_quality.map(|q| q.to_string()).unwrap_or_default(),
            r.pdq_reliable.map(|q| q.to_string()).unwrap_or_default(),
        )?;
    }
    Ok(())
}

/// A JSON array of rows.
pub fn write_json(rows: &[HashRow], out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, rows)?;
    writeln!(out)
}

/// The list a StopNCII-style hash-sharing request needs: PDQ for images, MD5 for
/// videos, one line per file: `<type>,<hash>,<quality>` (`pdq` or `md5`); images whose PDQ
/// is unreliable are listed with their MD5 as well.
pub fn write_stopncii(rows: &[HashRow], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "hash_type,hash,pdq_quality")?;
    for r in rows {
        if let Some(p) = &r.pdq {
            writeln!(out, "pdq,{p},{}", r.pdq_quality.unwrap_or(0))?;
            if r.pdq_reliable == Some(false)
                && let Some(m) = &r.md5
            {
                writeln!(out, "md5,{m},")?;
            }
        } else if (r.media_type.starts_with("video/") || r.media_type.starts_with("image/"))
            && let Some(m) = &r.md5
        {
            writeln!(out, "md5,{m},")?;
        }
    }
    Ok(())
}

/// A candidate file that matched a sealed one.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    /// The candidate file.
    pub candidate: String,
    /// The sealed file it matches.
    pub sealed: String,
    /// Item of the sealed file.
    pub item: String,
    /// `sha256` (identical bytes), `md5`, or `pdq` (visually similar).
    pub how: String,
    /// PDQ Hamming distance (0–256) when compared by PDQ.
    pub distance: Option<u32>,
    /// Whether the sealed file's PDQ was reliable.
    pub reliable: bool,
}

/// Files under `inputs` (folders recursively, sorted).
pub fn collect(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for i in inputs {
        if i.is_dir() {
            for e in walkdir::WalkDir::new(i)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if e.file_type().is_file() {
                    out.push(e.path().to_path_buf());
                }
            }
        } else if i.is_file() {
            out.push(i.clone());
        } else {
            return Err(Error::input(format!(
                "'{}' does not exist or is not a file or folder",
                i.display()
            ))
            .with_fix("name the images (or folders of images) to compare"));
        }
    }
    Ok(out)
}

/// Compare candidate files with the sealed rows: exact SHA-256/MD5, or PDQ within `threshold`.
pub fn match_files(
    rows: &[HashRow],
    candidates: &[PathBuf],
    threshold: u32,
) -> Vec<(PathBuf, Vec<Match>)> {
    use rayon::prelude::*;
    candidates
        .par_iter()
        .map(|c| {
            let name = c.display().to_string();
            let mut found = Vec::new();
            // An unreadable candidate has no hash: it matches nothing (never an empty hash).
            let sha = crate::evidence::hash::sha256_file(c).ok().map(|d| d.sha256);
            let md5 = media::md5_file(c).ok();
            let pdq_hash = image::open(c).ok().map(|img| pdq::pdq(&img));
            for r in rows {
                let how = if sha.as_deref() == Some(r.sha256.as_str()) {
                    Some(("sha256", None))
                } else if md5.is_some() && r.md5 == md5 {
                    Some(("md5", None))
                } else if let (Some(p), Some((h, _))) = (&r.pdq, &pdq_hash) {
                    pdq::hamming(p, h)
                        .filter(|d| *d <= threshold)
                        .map(|d| ("pdq", Some(d)))
                } else {
                    None
                };
                if let Some((how, distance)) = how {
                    found.push(Match {
                        candidate: name.clone(),
                        sealed: r.file.clone(),
                        item: r.item.clone(),
                        how: how.into(),
                        distance,
                        reliable: r.pdq_reliable.unwrap_or(true),
                    });
                }
            }
            found.sort_by_key(|m| m.distance.unwrap_or(0));
            (c.clone(), found)
        })
        .collect()
}

/// The hash rows of every item, or of `item` (id or number); an unknown item is an error.
pub fn hash_rows(state: &BundleState, item: Option<&str>) -> Result<Vec<HashRow>> {
    let manifests: Vec<Manifest> = match item {
        Some(want) => vec![state.find_item(want)?.manifest.clone()],
        None => state.items.iter().map(|i| i.manifest.clone()).collect(),
    };
    Ok(rows(&manifests))
}
