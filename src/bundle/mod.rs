//! The case bundle: one ZIP per case, items appended, never rewritten.
//!
//! [`seal`] turns an [`Acquisition`] into a signed item and appends it; [`append_custody`]
//! adds a custody entry. Both verify an existing bundle first and refuse to touch one
//! that does not verify, copy every earlier member byte for byte, regenerate the
//! bundle-level files (custody log, report, VERIFY.md, SHA256SUMS and its signature) and
//! replace the bundle atomically. See `docs/bundle-format.md`.

pub mod extract;
pub mod layout;
pub mod reader;
mod report;
pub mod state;

mod verify_md;
pub mod writer;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;
use serde_json::Value;

use crate::acquire::{Acquisition, Artifact, Content, Role, slugify};
use crate::bundle::layout::{CUSTODY, REPORT, SUMS, SUMS_SIG, VERIFY_MD};
use crate::bundle::reader::BundleReader;
use crate::bundle::state::{BundleState, ItemState};
use crate::bundle::writer::{BundleWriter, is_precompressed};
use crate::error::{Error, IoContext, Result};
use crate::evidence::custody::{self, Actor, Event};
use crate::evidence::hash::sha256_hex;
use crate::evidence::keys::Key;
use crate::evidence::manifest::{
    self, Acquired, FORMAT, FileEntry, FileRole, Manifest, MediaFacts, Operator,
};
use crate::time::Stamp;
use crate::verify::{self, VerifyOptions};

/// Who signs: the key and the person behind it.
pub struct Signer {
    /// The private key.
    pub key: Key,
    /// Name, role, organisation.
    pub actor: Actor,
}

/// Options for sealing an item.
#[derive(Default, Clone)]
pub struct SealOptions {
    /// Case id (required to match an existing bundle's).
    pub case: Option<String>,
    /// Free-text note for the item and its custody entry.
    pub note: Option<String>,
    /// RFC 3161 TSA URLs.
    pub tsa: Vec<String>,
    /// Fail (write nothing) when any TSA fails.
    pub require_tsa: bool,
    /// TSA request timeout.
    pub tsa_timeout: Option<Duration>,
}

/// What sealing produced.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The new item's id.
    pub item_id: String,
    /// SHA-256 of its manifest.
    pub manifest_sha256: String,
    /// Number of files.
    pub files: usize,
    /// Total bytes of the files.
    pub bytes: u64,
    /// Trusted timestamps obtained.
    pub tokens: usize,
    /// Warnings (TSA failures, acquisition warnings).
    pub warnings: Vec<String>,
    /// The case id.
    pub case_id: String,
}

/// Hold an exclusive lock on the bundle's folder while rewriting it, so two sigillo
/// processes never append to the same bundle at once (one would lose its item).
fn lock_dir(target: &Path) -> Result<File> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let f = File::open(&dir).at("open the bundle's folder", &dir)?;
    f.lock().at("lock the bundle's folder", &dir)?;
    Ok(f)
}

/// Open and fully verify an existing bundle; `None` when `target` does not exist yet.
pub fn open_verified(target: &Path) -> Result<Option<(BundleReader, BundleState)>> {
    if !target.exists() {
        return Ok(None);
    }
    let report = verify::verify(target, &VerifyOptions::default())?;
    if !report.ok() {
        let first = &report.failures[0];
        return Err(Error::not_verified(format!(
            "refusing to change '{}': it does not verify ({} problem(s); first: {}: {})",
            target.display(),
            report.failures.len(),
            first.subject,
            first.message
        ))
        .with_fix(format!(
            "run `sigillo verify {}` to see every problem; keep this copy as it is and write new evidence to a new bundle (-o new.zip)",
            target.display()
        )));
    }
    let reader = BundleReader::open(target)?;
    Ok(Some((reader, report.state)))
}

/// A file ready to be written into the new item.
struct Prepared {
    path: String,
    artifact: Artifact,
    media_type: String,
    media: MediaFacts,
}

fn sniff_media_type(a: &Artifact) -> String {
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

fn content_len(c: &Content) -> Result<u64> {
    match c {
        Content::Bytes(b) => Ok(b.len() as u64),
        other => {
            let p = other.path().unwrap_or(Path::new(""));
            Ok(std::fs::metadata(p).at("read", p)?.len())
        }
    }
}

/// Media facts for one artifact (MD5, PDQ …) and its optional metadata.json.
fn media_facts(a: &Artifact, media_type: &str) -> (MediaFacts, Option<Vec<u8>>) {
    if !crate::evidence::media::is_media(media_type) {
        return (MediaFacts::default(), None);
    }
    let tmp;
    let path: &Path = match &a.content {
        Content::Bytes(b) => {
            let Ok(mut t) = tempfile::NamedTempFile::new() else {
                return (MediaFacts::default(), None);
            };
            if std::io::Write::write_all(&mut t, b).is_err() {
                return (MediaFacts::default(), None);
            }
            tmp = t.into_temp_path();
            &tmp
        }
        other => match other.path() {
            Some(p) => p,
            None => return (MediaFacts::default(), None),
        },
    };
    let facts = crate::evidence::media::analyze(path, media_type);
    let meta = if a.role == Role::Original {
        crate::evidence::media::metadata_json(path, media_type)
    } else {
        None
    };
    (facts, meta)
}

fn prepare(acq: &mut Acquisition) -> Result<Vec<Prepared>> {
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
        .map(|a| {
            let mt = sniff_media_type(&a);
            let (facts, meta) = media_facts(&a, &mt);
            (a, mt, facts, meta)
        })
        .collect();
    let mut out = Vec::new();
    let mut metas = Vec::new();
    for (a, mt, facts, meta) in analysed {
        if let Some(m) = meta {
            let base = a.path.strip_prefix("original/").unwrap_or(&a.path);
            let p = format!("derived/metadata/{base}.json");
            if !seen.contains(&p) {
                seen.insert(p.clone());
                metas.push(
                    Artifact::derived(p, Content::Bytes(m), vec![a.path.clone()])
                        .media_type("application/json")
                        .describe("embedded metadata (EXIF/XMP/IPTC) extracted by sigillo; may contain GPS locations"),
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

fn file_entry(p: &Prepared, size: u64, sha256: &str) -> FileEntry {
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
    }
}

fn new_case_id(now: &Stamp) -> String {
    let mut r = [0u8; 3];
    let _ = getrandom::fill(&mut r);
    format!(
        "CASE-{}-{}",
        now.at.format("%Y%m%d"),
        hex::encode(r).to_uppercase()
    )
}

/// Seal `acq` as a new item of the bundle at `target` (created if missing).
pub fn seal(
    target: &Path,
    mut acq: Acquisition,
    signer: &Signer,
    opts: &SealOptions,
) -> Result<Sealed> {
    let _lock = lock_dir(target)?;
    let existing = open_verified(target)?;
    let (mut reader, state) = match existing {
        Some((r, s)) => (Some(r), s),
        None => (None, BundleState::default()),
    };
    let case_id = match (&opts.case, state.case_id.is_empty()) {
        (Some(c), false) if *c != state.case_id => {
            return Err(Error::input(format!(
                "'{}' belongs to case '{}', not '{c}'",
                target.display(),
                state.case_id
            ))
            .with_fix("drop --case to add to this case, or write to another bundle with -o"));
        }
        (_, false) => state.case_id.clone(),
        (Some(c), true) => c.clone(),
        (None, true) => new_case_id(&acq.started),
    };
    let seq = state.items.len() + 1;
    let item_id = format!("{seq:04}-{}-{}", acq.kind, slugify(&acq.slug));
    let dir = layout::item_dir(&item_id);
    let prepared = prepare(&mut acq)?;

    let mut w = BundleWriter::create(target)?;
    let mut hashes: Vec<(String, String)> = Vec::new();
    // Earlier items, byte for byte.
    if let Some(r) = reader.as_mut() {
        copy_items(&mut w, r, &state, &mut hashes)?;
    }
    // The new item's files, hashed as they are written: the hash is of the stored bytes.
    let sealed_at = acq.finished.at;
    let mut entries = Vec::new();
    let mut total = 0u64;
    for p in &prepared {
        let name = format!("{dir}{}", p.path);
        let compress = !is_precompressed(&p.media_type, &p.path);
        let size = content_len(&p.artifact.content)?;
        let d = match &p.artifact.content {
            Content::Bytes(b) => {
                w.add_bytes(&name, b, compress, &sealed_at)?;
                crate::evidence::hash::Digest256 {
                    size: b.len() as u64,
                    sha256: sha256_hex(b),
                }
            }
            other => {
                let src = other.path().unwrap_or(Path::new(""));
                let mut f = File::open(src).at("open", src)?;
                w.add_stream(&name, &mut f as &mut dyn Read, size, compress, &sealed_at)?
            }
        };
        if d.size != size {
            return Err(Error::input(format!(
                "'{}' changed size while it was being sealed ({} → {} bytes)",
                p.path, size, d.size
            ))
            .with_fix(
                "make sure no program is writing to the evidence files, then run the command again",
            ));
        }
        total += d.size;
        entries.push(file_entry(p, d.size, &d.sha256));
        hashes.push((name, d.sha256));
    }
    // The manifest.
    let manifest = Manifest {
        format: FORMAT.to_string(),
        id: item_id.clone(),
        seq: seq as u64,
        kind: acq.kind,
        case: case_id.clone(),
        operator: Operator {
            name: Some(signer.actor.name.clone()),
            key: signer.key.fingerprint(),
        },
        acquired: Acquired::new(&acq.started, &acq.finished),
        sealed: manifest::Sealed::new(&Stamp::now()),
        tool: manifest::tool_facts(),
        host: manifest::host_facts(),
        note: opts.note.clone(),
        input: acq.input.clone(),
        facts: acq.facts.clone(),
        transformations: acq.transformations.clone(),
        warnings: acq.warnings.clone(),
        files: entries,
    };
    let mbytes = manifest.to_canonical()?;
    let msig = signer.key.sign(&mbytes);
    let msha = sha256_hex(&mbytes);
    for (name, data) in [
        (layout::MANIFEST, &mbytes[..]),
        (layout::MANIFEST_SIG, &msig[..]),
    ] {
        let full = format!("{dir}{name}");
        w.add_bytes(&full, data, name == layout::MANIFEST, &sealed_at)?;
        hashes.push((full, sha256_hex(data)));
    }
    // Trusted timestamps over manifest.sig.
    let mut warnings = acq.warnings.clone();
    let tokens = crate::evidence::stamping::request_all(
        &opts.tsa,
        &msig,
        opts.tsa_timeout,
        opts.require_tsa,
    )?;
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Ok((tsr, chain)) => {
                for (name, data, compress) in [
                    (layout::token_name(i + 1), tsr.as_slice(), false),
                    (layout::token_chain_name(i + 1), chain.as_bytes(), true),
                ] {
                    if data.is_empty() {
                        continue;
                    }
                    let full = format!("{dir}{name}");
                    w.add_bytes(&full, data, compress, &sealed_at)?;
                    hashes.push((full, sha256_hex(data)));
                }
            }
            Err(e) => warnings.push(e.clone()),
        }
    }
    let n_tokens = tokens.iter().filter(|t| t.is_ok()).count();

    // Custody: `created` for a new bundle, then `item-added`.
    let mut new_state = state.clone();
    new_state.case_id = case_id.clone();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut prev: Option<Vec<u8>> = last_line(&state.custody_bytes);
    let mut next_seq = state.custody.len() as u64 + 1;
    let now = Stamp::now();
    if state.custody.is_empty() {
        let event = Event::Created(custody::CreatedDetails {
            case: case_id.clone(),
            bundle_format: layout::BUNDLE_FORMAT.to_string(),
        });
        let new = custody::NewEntry {
            seq: next_seq,
            time: &now,
            event,
            actor: &signer.actor,
            note: None,
            content: (&custody::content_digest(&[]), 0),
        };
        let line = custody::make_entry(prev.as_deref(), new, &signer.key)?;
        next_seq += 1;
        prev = Some(line.clone());
        lines.push(line);
    }
    let mut items: Vec<(String, String)> = state
        .items
        .iter()
        .map(|i| (i.id.clone(), i.manifest_sha256.clone()))
        .collect();
    items.push((item_id.clone(), msha.clone()));
    let event = Event::ItemAdded(custody::ItemAddedDetails {
        item: item_id.clone(),
        kind: acq.kind,
        manifest_sha256: msha.clone(),
        files: prepared.len() as u64,
        timestamps: n_tokens as u64,
    });
    let new = custody::NewEntry {
        seq: next_seq,
        time: &now,
        event,
        actor: &signer.actor,
        note: opts.note.as_deref(),
        content: (&custody::content_digest(&items), items.len()),
    };
    let line = custody::make_entry(prev.as_deref(), new, &signer.key)?;
    lines.push(line);
    new_state.items.push(ItemState {
        id: item_id.clone(),
        manifest,
        manifest_sha256: msha.clone(),
    });
    finish_bundle(
        w,
        reader.as_mut(),
        &new_state,
        lines,
        Vec::new(),
        signer,
        hashes,
        &now,
    )?;
    Ok(Sealed {
        item_id,
        manifest_sha256: msha,
        files: prepared.len(),
        bytes: total,
        tokens: n_tokens,
        warnings,
        case_id,
    })
}

fn last_line(bytes: &[u8]) -> Option<Vec<u8>> {
    let body = bytes.strip_suffix(b"\n")?;
    Some(body.rsplit(|b| *b == b'\n').next().unwrap_or(body).to_vec())
}

/// What `timestamp` did.
#[derive(Debug, Default)]
pub struct Stamped {
    /// (item id, token file) for every token added.
    pub added: Vec<(String, String)>,
    /// Items skipped because they already had a token (without `renew`).
    pub skipped: Vec<String>,
    /// Failures (TSA unreachable …); nothing is added for those.
    pub failed: Vec<String>,
}

/// Add RFC 3161 tokens over `manifest.sig` to items that lack them (all items with
/// `renew`), then record a `timestamped` custody entry. Existing bytes are untouched:
/// tokens are new files beside the manifest.
pub fn add_timestamps(
    target: &Path,
    tsa: &[String],
    renew: bool,
    require: bool,
    signer: &Signer,
) -> Result<Stamped> {
    if tsa.is_empty() {
        return Err(Error::input("no timestamp authority given")
            .with_fix("pass --tsa URL (repeatable) or set $SIGILLO_TSA"));
    }
    let _lock = lock_dir(target)?;
    let Some((mut reader, state)) = open_verified(target)? else {
        return Err(
            Error::input(format!("'{}' does not exist", target.display()))
                .with_fix("give the path of an existing bundle"),
        );
    };
    let mut out = Stamped::default();
    // item id -> new (name, bytes) files, after the existing ones.
    let mut new_files: BTreeMap<String, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    for it in &state.items {
        let dir = layout::item_dir(&it.id);
        let existing = reader
            .members
            .iter()
            .filter(|m| m.name.starts_with(&dir) && m.name.ends_with(".tsr"))
            .count();
        if existing > 0 && !renew {
            out.skipped.push(it.id.clone());
            continue;
        }
        let sig = reader.read_small(&format!("{dir}{}", layout::MANIFEST_SIG))?;
        let mut n = existing;
        for t in crate::evidence::stamping::request_all(tsa, &sig, None, require)? {
            match t {
                Ok((tsr, chain)) => {
                    n += 1;
                    let files = new_files.entry(it.id.clone()).or_default();
                    files.push((layout::token_name(n), tsr));
                    if !chain.is_empty() {
                        files.push((layout::token_chain_name(n), chain.into_bytes()));
                    }
                    out.added
                        .push((it.id.clone(), format!("{dir}{}", layout::token_name(n))));
                }
                Err(e) => out.failed.push(format!("{}: {e}", it.id)),
            }
        }
    }
    if out.added.is_empty() {
        return Ok(out);
    }
    let now = Stamp::now();
    let mut w = BundleWriter::create(target)?;
    let mut hashes = Vec::new();
    let old: Vec<(usize, String)> = reader
        .members
        .iter()
        .filter(|m| m.name.starts_with(layout::ITEMS_DIR))
        .map(|m| (m.index, m.name.clone()))
        .collect();
    let mut current: Option<String> = None;
    let flush = |w: &mut BundleWriter,
                 id: &Option<String>,
                 hashes: &mut Vec<(String, String)>|
     -> Result<()> {
        if let Some(id) = id {
            for (name, data) in new_files.get(id).into_iter().flatten() {
                let full = format!("{}{name}", layout::item_dir(id));
                w.add_bytes(&full, data, name.ends_with(".pem"), &now.at)?;
                hashes.push((full, sha256_hex(data)));
            }
        }
        Ok(())
    };
    for (idx, name) in old {
        let id = name[layout::ITEMS_DIR.len()..]
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        if current.as_deref() != Some(id.as_str()) {
            flush(&mut w, &current, &mut hashes)?;
            current = Some(id);
        }
        w.copy_raw(&mut reader, idx)?;
        hashes.push((name.clone(), state.member_sha256(&name)?));
    }
    flush(&mut w, &current, &mut hashes)?;
    let event = Event::Timestamped(custody::TimestampedDetails {
        tokens: out.added.iter().map(|(_, f)| f.clone()).collect(),
        tsa: tsa.to_vec(),
    });
    let new = custody::NewEntry {
        seq: state.custody.len() as u64 + 1,
        time: &now,
        event,
        actor: &signer.actor,
        note: None,
        content: (&state.content_digest(), state.items.len()),
    };
    let line = custody::make_entry(last_line(&state.custody_bytes).as_deref(), new, &signer.key)?;
    finish_bundle(
        w,
        Some(&mut reader),
        &state,
        vec![line],
        Vec::new(),
        signer,
        hashes,
        &now,
    )?;
    Ok(out)
}

/// Add one custody entry (signed by `signer`) to an existing bundle.
pub fn append_custody(
    target: &Path,
    event: Event,
    note: Option<&str>,
    signer: &Signer,
    tsa: &[String],
    require_tsa: bool,
) -> Result<u64> {
    let _lock = lock_dir(target)?;
    let Some((mut reader, state)) = open_verified(target)? else {
        return Err(Error::input(format!("'{}' does not exist", target.display()))
            .with_fix("give the path of an existing bundle; bundles are created by `sigillo add` or `sigillo capture`"));
    };
    let now = Stamp::now();
    let seq = state.custody.len() as u64 + 1;
    let new = custody::NewEntry {
        seq,
        time: &now,
        event,
        actor: &signer.actor,
        note,
        content: (&state.content_digest(), state.items.len()),
    };
    let line = custody::make_entry(last_line(&state.custody_bytes).as_deref(), new, &signer.key)?;
    // Trusted timestamps over the entry's signature.
    let sig = custody::check_chain(&[line.as_slice(), b"\n"].concat(), &Default::default())
        .entries
        .first()
        .map(|e| e.signature.clone())
        .unwrap_or_default();
    let mut tokens = Vec::new();
    for (i, t) in crate::evidence::stamping::request_all(tsa, &sig, None, require_tsa)?
        .into_iter()
        .enumerate()
    {
        match t {
            Ok((tsr, _)) => tokens.push((layout::custody_token_path(seq, i + 1), tsr)),
            Err(e) => eprintln!("warning: {e}"),
        }
    }
    let mut w = BundleWriter::create(target)?;
    let mut hashes = Vec::new();
    copy_items(&mut w, &mut reader, &state, &mut hashes)?;
    finish_bundle(
        w,
        Some(&mut reader),
        &state,
        vec![line],
        tokens,
        signer,
        hashes,
        &now,
    )?;
    Ok(seq)
}

/// Report input for `sigillo report`, generated now.
pub fn report_input<'a>(
    bundle_name: &str,
    bundle_sha256: Option<String>,
    state: &BundleState,
    custody: &[Value],
    timestamps: Vec<(String, Value)>,
    verdict: Option<Value>,
) -> crate::report::ReportInput<'a> {
    report::input(
        bundle_name,
        bundle_sha256,
        state,
        custody,
        timestamps,
        verdict,
        &Stamp::now(),
    )
}

/// Copy every member of the existing items into `w` unchanged, noting their hashes.
fn copy_items(
    w: &mut BundleWriter,
    r: &mut BundleReader,
    state: &BundleState,
    hashes: &mut Vec<(String, String)>,
) -> Result<()> {
    let old: Vec<(usize, String)> = r
        .members
        .iter()
        .filter(|m| m.name.starts_with(layout::ITEMS_DIR))
        .map(|m| (m.index, m.name.clone()))
        .collect();
    for (idx, name) in old {
        w.copy_raw(r, idx)?;
        let h = state.member_sha256(&name)?;
        hashes.push((name, h));
    }
    Ok(())
}

/// Write everything after the items: keys, custody log and tokens, report, VERIFY.md,
/// SHA256SUMS and its signature; then replace the bundle.
#[allow(clippy::too_many_arguments)]
fn finish_bundle(
    mut w: BundleWriter,
    mut reader: Option<&mut BundleReader>,
    state: &BundleState,
    new_lines: Vec<Vec<u8>>,
    new_tokens: Vec<(String, Vec<u8>)>,
    signer: &Signer,
    mut hashes: Vec<(String, String)>,
    now: &Stamp,
) -> Result<()> {
    let t = now.at;
    // Keys: the old ones and the signer's, sorted by path.
    let mut keys: BTreeMap<String, Option<usize>> = BTreeMap::new();
    if let Some(r) = reader.as_deref() {
        for m in r
            .members
            .iter()
            .filter(|m| m.name.starts_with(layout::KEYS_DIR))
        {
            keys.insert(m.name.clone(), Some(m.index));
        }
    }
    let signer_path = layout::key_path(&signer.key.fingerprint());
    keys.entry(signer_path).or_insert(None);
    for (name, src) in &keys {
        match (src, reader.as_deref_mut()) {
            (Some(idx), Some(r)) => {
                w.copy_raw(r, *idx)?;
                hashes.push((name.clone(), state.member_sha256(name)?));
            }
            _ => {
                let pem = signer.key.public_pem();
                w.add_bytes(name, pem.as_bytes(), true, &t)?;
                hashes.push((name.clone(), sha256_hex(pem.as_bytes())));
            }
        }
    }
    // Custody log.
    let mut log = state.custody_bytes.clone();
    for l in &new_lines {
        log.extend_from_slice(l);
        log.push(b'\n');
    }
    w.add_bytes(CUSTODY, &log, true, &t)?;
    hashes.push((CUSTODY.into(), sha256_hex(&log)));
    let mut toks: BTreeMap<String, Option<Vec<u8>>> = BTreeMap::new();
    if let Some(r) = reader.as_deref() {
        for m in r
            .members
            .iter()
            .filter(|m| m.name.starts_with(layout::CUSTODY_TOKENS_DIR))
        {
            toks.insert(m.name.clone(), None);
        }
    }
    for (n, b) in new_tokens {
        toks.insert(n, Some(b));
    }
    for (name, data) in toks {
        match (data, reader.as_deref_mut()) {
            (Some(b), _) => {
                w.add_bytes(&name, &b, false, &t)?;
                hashes.push((name, sha256_hex(&b)));
            }
            (None, Some(r)) => {
                if let Some(idx) = r.member(&name).map(|m| m.index) {
                    w.copy_raw(r, idx)?;
                    hashes.push((name.clone(), state.member_sha256(&name)?));
                }
            }
            (None, None) => {}
        }
    }
    // Report and VERIFY.md, from the new state.
    let entries = custody::check_chain(
        &log,
        &state.keys.iter().map(|(k, v)| (k.clone(), *v)).collect(),
    )
    .entries;
    let report = report::render(state, &entries, now);
    w.add_bytes(REPORT, report.as_bytes(), true, &t)?;
    hashes.push((REPORT.into(), sha256_hex(report.as_bytes())));
    let vmd = verify_md::render(state, &entries, &keys.keys().cloned().collect::<Vec<_>>());
    w.add_bytes(VERIFY_MD, vmd.as_bytes(), true, &t)?;
    hashes.push((VERIFY_MD.into(), sha256_hex(vmd.as_bytes())));
    // SHA256SUMS over everything so far, signed by this custodian.
    let mut sums = String::new();
    for (name, h) in &hashes {
        sums.push_str(&format!("{h}  {name}\n"));
    }
    w.add_bytes(SUMS, sums.as_bytes(), true, &t)?;
    let sig = signer.key.sign(sums.as_bytes());
    w.add_bytes(SUMS_SIG, &sig, false, &t)?;
    w.commit()
}
