//! Getting artifacts ready to seal: safe unique paths, media types, media facts (MD5,
//! PDQ, metadata), and their manifest entries.

use std::path::Path;

use rayon::prelude::*;

use crate::acquire::{Acquisition, Artifact, Content, Role};
use crate::bundle::layout;
use crate::error::{Error, IoContext, Result};
use crate::evidence::manifest::{FileEntry, FileRole, MediaFacts};
use crate::evidence::media::Media;
use crate::time::Stamp;

/// A file ready to be written into the new item.
pub(super) struct Prepared {
    pub(super) path: String,
    pub(super) artifact: Artifact,
    pub(super) media_type: String,
    pub(super) media: MediaFacts,
}

pub(super) fn sniff_media_type(a: &Artifact) -> String {
    if let Some(mt) = &a.media_type {
        return mt.clone();
    }
    let by_content = match &a.content {
        Content::Bytes(b) => infer::get(b).map(|t| t.mime_type().to_string()),
        other => other
            .path()
            .and_then(|p| infer::get_from_path(p).ok().flatten())
            .map(|t| t.mime_type().to_string()),
    };
    if let Some(mt) = by_content {
        return mt;
    }
    let lower = a.path.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    match ext {
        "txt" | "log" => "text/plain",
        "json" => "application/json",
        "jsonl" => "application/jsonl",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "pem" => "application/x-pem-file",
        "mhtml" | "mht" => "multipart/related",
        "svg" => "image/svg+xml",
        "wacz" => "application/wacz",
        "warc" => "application/warc",
        _ => "application/octet-stream",
    }
    .to_string()
}

pub(super) fn content_len(c: &Content) -> Result<u64> {
    match c {
        Content::Bytes(b) => Ok(b.len() as u64),
        other => {
            let p = other.path().unwrap_or(Path::new(""));
            Ok(std::fs::metadata(p).at("read", p)?.len())
        }
    }
}

/// Media facts for one artifact (MD5, PDQ …) and its optional metadata.json.
pub(super) fn media_facts(a: &Artifact, media_type: &str) -> (MediaFacts, Option<Vec<u8>>) {
    let media = match &a.content {
        Content::Bytes(b) => Media::Bytes(b),
        Content::File(p) => Media::File(p),
    };
    crate::evidence::media::facts_and_metadata(media, media_type, a.role == Role::Original, &a.path)
}

pub(super) fn prepare(acq: &mut Acquisition) -> Result<Vec<Prepared>> {
    let mut seen = std::collections::HashSet::new();
    for a in &acq.artifacts {
        layout::check_safe_path(&a.path).map_err(|why| {
            Error::internal(format!("artifact path '{}' is unsafe: {why}", a.path))
        })?;
        if layout::is_item_control_file(&a.path) || !seen.insert(a.path.clone()) {
            return Err(Error::internal(format!(
                "artifact path '{}' is reserved or used twice",
                a.path
            )));
        }
    }
    let artifacts = std::mem::take(&mut acq.artifacts);
    // Media analysis (decode + PDQ) is CPU-heavy: run it on all cores.
    type Analysed = (Artifact, String, MediaFacts, Option<Vec<u8>>);
    let analysed: Vec<Analysed> = artifacts
        .into_par_iter()
        .map(|mut a| {
            let mt = sniff_media_type(&a);
            // Computed ahead (from these bytes, by the same function) when the source
            // started it early; else now.
            let (facts, meta) = a
                .ahead
                .take()
                .and_then(|h| h.result(&mt))
                .unwrap_or_else(|| media_facts(&a, &mt));
            (a, mt, facts, meta)
        })
        .collect();
    let mut out = Vec::new();
    let mut metas = Vec::new();
    for (a, mt, facts, meta) in analysed {
        if let Some(m) = meta {
            let base = a.path.strip_prefix(layout::ORIGINAL_DIR).unwrap_or(&a.path);
            let p = format!("{}metadata/{base}.json", layout::DERIVED_DIR);
            if !seen.contains(&p) {
                seen.insert(p.clone());
                metas.push(
                    Artifact::derived(p, Content::Bytes(m), vec![a.path.clone()])
                        .media_type("application/json")
                        .describe("embedded metadata (EXIF/XMP/IPTC) and video facts (ffprobe) extracted by sigillo; may contain GPS locations"),
                );
            }
        }
        out.push(Prepared {
            path: a.path.clone(),
            media_type: mt,
            media: facts,
            artifact: a,
        });
    }
    for m in metas {
        out.push(Prepared {
            path: m.path.clone(),
            media_type: "application/json".into(),
            media: MediaFacts::default(),
            artifact: m,
        });
    }
    Ok(out)
}

pub(super) fn file_entry(p: &Prepared, size: u64, sha256: &str) -> FileEntry {
    let a = &p.artifact;
    let (role, derived_from) = match &a.role {
        Role::Original => (FileRole::Original, None),
        Role::Derived { from } => (FileRole::Derived, Some(from.clone())),
    };
    FileEntry {
        path: p.path.clone(),
        size,
        sha256: sha256.to_string(),
        media_type: p.media_type.clone(),
        role,
        derived_from,
        description: a.description.clone(),
        source: (!a.source.is_empty()).then(|| a.source.clone()),
        md5: p.media.md5.clone(),
        image: p.media.image.clone(),
        media_error: p.media.media_error.clone(),
        encrypted: None,
    }
}

pub(super) fn new_case_id(now: &Stamp) -> String {
    let mut r = [0u8; 3];
    let _ = getrandom::fill(&mut r);
    format!(
        "CASE-{}-{}",
        now.at.format("%Y%m%d"),
        hex::encode(r).to_uppercase()
    )
}
