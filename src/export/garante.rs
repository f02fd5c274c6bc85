//! `sigillo export --garante`: the pack a victim or a lawyer uploads with a report to the
//! Garante per la protezione dei dati personali under Art. 144-bis of the Italian privacy
//! code (d.lgs. 196/2003). sigillo sends nothing: it writes one ZIP file.
//!
//! The pack (`sigillo-garante/1`) holds, from a bundle that verifies:
//! - `media/<item>/<file>`: the selected items' original media (image, video, audio
//!   originals, a captured page's screenshots among them), byte for byte, each SHA-256
//!   checked against the signed manifest as it is copied (decrypted with `--identity`
//!   for an encrypted bundle);
//! - `hashes.csv`: one row per media file: item, file in the pack, media type, size,
//!   SHA-256, MD5, PDQ, PDQ quality, source URL;
//! - `riepilogo.html` (and `riepilogo.pdf` when Chromium is there): a one-page summary in
//!   Italian: what, where (URLs), when captured, with the case and the bundle's SHA-256.
//!
//! It is written to a temporary file beside `out` and renamed at the end (never over an
//! existing file). Like `export --p7m`, it does not change the bundle (no custody entry);
//! record the hand-over with `sigillo custody add --action exported`.

use std::io::Write;
use std::path::{Path, PathBuf};

use maud::{DOCTYPE, html};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::bundle::layout;
use crate::bundle::reader::BundleReader;
use crate::bundle::state::ItemState;
use crate::error::{Error, IoContext, Result};
use crate::evidence::encryption::Identities;
use crate::evidence::hash::HashingWriter;
use crate::evidence::manifest::{FileRole, ItemKind};
use crate::report::i18n::{Lang, Msg, t, t_args};

/// The pack's format identifier (in `hashes.csv`'s comment line and the summary).
pub const FORMAT: &str = "sigillo-garante/1";

/// The header of `hashes.csv`.
pub const CSV_HEADER: &str = "item,file,media_type,size,sha256,md5,pdq,pdq_quality,source_url";

/// What [`export_garante`] wrote.
#[derive(Debug)]
pub struct GarantePack {
    /// The ZIP written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Media files copied.
    pub media: usize,
    /// Items included.
    pub items: Vec<String>,
    /// Whether `riepilogo.pdf` is in the pack.
    pub pdf: bool,
    /// Why the PDF is missing, when it is.
    pub notes: Vec<String>,
}

/// One media file chosen for the pack.
struct Chosen<'a> {
    item: &'a ItemState,
    index: usize,
    pack_name: String,
}

/// A CSV field: quoted when it holds a comma, a quote or a line break; a leading
/// `=`, `+`, `-`, `@` is prefixed with `'` so spreadsheets do not run it as a formula.
fn csv(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Write the Garante pack of `bundle` (the `items` named, or every item with media) to
/// `out`. An encrypted bundle needs `identities`; `browser`: Chromium for the PDF (its
/// absence only leaves the PDF out, with a note).
pub fn export_garante(
    bundle: &Path,
    out: &Path,
    items: &[String],
    identities: Option<&Identities>,
    browser: Option<&Path>,
) -> Result<GarantePack> {
    if out.exists() {
        return Err(Error::input(format!(
            "'{}' already exists; nothing was written",
            out.display()
        ))
        .with_fix("choose another -o name, or move the old file away"));
    }
    let state = crate::verify::verified_state(bundle)?;
    if state.is_encrypted() && identities.is_none() {
        return Err(Error::key(format!(
            "'{}' is encrypted: the Garante pack holds the original media, which only an identity of one of its recipients opens",
            bundle.display()
        ))
        .with_fix("give --identity key.txt (or --passphrase); `sigillo verify` shows who the recipients are"));
    }
    let (selected, chosen) = choose(&state, items)?;
    let bundle_sha256 = crate::evidence::hash::sha256_file(bundle)?.sha256;
    let reader = BundleReader::open(bundle)?;
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".sigillo-garante-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    let mut zip = ZipWriter::new(tmp.reopen().at("open", tmp.path())?);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .unix_permissions(0o644)
        .large_file(true);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut rows = vec![format!("# {FORMAT}"), CSV_HEADER.to_string()];
    for c in &chosen {
        rows.push(copy_media(&mut zip, &reader, c, identities, stored)?);
    }
    let mut csv_bytes = rows.join("\n");
    csv_bytes.push('\n');
    zip.start_file("hashes.csv", deflated).map_err(zerr)?;
    zip.write_all(csv_bytes.as_bytes()).at("write", out)?;
    let file_name = bundle
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let summary = summary_html(
        &state.case_id,
        &file_name,
        &bundle_sha256,
        &selected,
        &chosen,
    );
    zip.start_file("riepilogo.html", deflated).map_err(zerr)?;
    zip.write_all(summary.as_bytes()).at("write", out)?;
    let mut notes = Vec::new();
    let pdf = match crate::browser::Browser::launch(crate::browser::BrowserOptions {
        executable: browser.map(Path::to_path_buf),
        ..Default::default()
    })
    .and_then(|b| b.print_html_to_pdf(&summary, "<span></span>"))
    {
        Ok(p) => {
            zip.start_file("riepilogo.pdf", stored).map_err(zerr)?;
            zip.write_all(&p).at("write", out)?;
            true
        }
        Err(e) => {
            notes.push(format!(
                "riepilogo.pdf left out: {} (riepilogo.html is in the pack)",
                e.problem()
            ));
            false
        }
    };
    let file = zip.finish().map_err(zerr)?;
    file.sync_all().at("write", out)?;
    drop(file);
    let bytes = std::fs::metadata(tmp.path()).at("read", tmp.path())?.len();
    tmp.persist_noclobber(out)
        .map_err(|e| Error::io("write", out, e.error))?;
    Ok(GarantePack {
        path: out.to_path_buf(),
        bytes,
        media: chosen.len(),
        items: selected.iter().map(|i| i.id.clone()).collect(),
        pdf,
        notes,
    })
}

/// The items `items` names (every item when none), and their original media.
fn choose<'a>(
    state: &'a crate::bundle::state::BundleState,
    items: &[String],
) -> Result<(Vec<&'a ItemState>, Vec<Chosen<'a>>)> {
    let mut selected: Vec<&ItemState> = Vec::new();
    for want in items {
        let it = state.find_item(want)?;
        if !selected.iter().any(|i| i.id == it.id) {
            selected.push(it);
        }
    }
    if items.is_empty() {
        selected = state.items.iter().collect();
    }
    let mut chosen = Vec::new();
    for it in &selected {
        for (i, f) in it.manifest.files.iter().enumerate() {
            if f.role == FileRole::Original && crate::notice::is_media(&f.media_type) {
                let base = f.path.strip_prefix("original/").unwrap_or(&f.path);
                chosen.push(Chosen {
                    item: it,
                    index: i,
                    pack_name: format!("media/{}/{base}", it.id),
                });
            }
        }
    }
    if chosen.is_empty() {
        return Err(
            Error::input("the items chosen hold no original image, video or audio")
                .with_fix("name the items with the media with --item; `sigillo ls` lists them"),
        );
    }
    Ok((selected, chosen))
}

/// Copy one media file into the pack (decrypting it when stored encrypted), checking its
/// SHA-256 and size against the signed manifest; returns its `hashes.csv` row.
fn copy_media(
    zip: &mut ZipWriter<std::fs::File>,
    reader: &BundleReader,
    c: &Chosen,
    identities: Option<&Identities>,
    stored: SimpleFileOptions,
) -> Result<String> {
    let f = &c.item.manifest.files[c.index];
    let s = &c.item.stored[c.index];
    let name = layout::item_member(&c.item.id, &s.path);
    let m = reader
        .members
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| Error::internal(format!("'{name}' is not in the bundle")))?;
    zip.start_file(c.pack_name.as_str(), stored).map_err(zerr)?;
    let mut hw = HashingWriter::new(&mut *zip);
    reader
        .with_reader(m, |r| {
            let r = std::io::Read::take(r, m.size);
            if s.encrypted {
                let ids = identities.ok_or_else(|| std::io::Error::other("no identity"))?;
                std::io::copy(&mut ids.decrypt(r)?, &mut hw)
            } else {
                let mut r = r;
                std::io::copy(&mut r, &mut hw)
            }
        })
        .at("copy", Path::new(&name))?;
    let (d, _) = hw.finish();
    if d.sha256 != f.sha256 || d.size != f.size {
        return Err(Error::not_verified(format!(
            "'{name}' read as other bytes than its manifest lists (SHA-256 {}, expected {})",
            d.sha256, f.sha256
        ))
        .with_fix("the bundle file changed while it was read, or the disk is failing; export again from a safe copy"));
    }
    Ok([
        csv(&c.item.id),
        csv(&c.pack_name),
        csv(&f.media_type),
        f.size.to_string(),
        f.sha256.clone(),
        f.md5.clone().unwrap_or_default(),
        f.image.as_ref().map(|i| i.pdq.clone()).unwrap_or_default(),
        f.image
            .as_ref()
            .map(|i| i.pdq_quality.to_string())
            .unwrap_or_default(),
        csv(f.source_url().unwrap_or("")),
    ]
    .join(","))
}

/// A ZIP write error as an I/O error on the pack.
fn zerr(e: zip::result::ZipError) -> Error {
    Error::io(
        "write",
        Path::new("the Garante pack"),
        std::io::Error::other(e),
    )
}

/// The item's URLs: the captured page's, else its files' source URLs.
fn urls_of(it: &ItemState) -> Vec<String> {
    let m = &it.manifest;
    let mut out: Vec<String> = Vec::new();
    let mut push = |u: &str| {
        if !out.iter().any(|x| x == u) {
            out.push(u.to_string());
        }
    };
    for k in ["url", "final_url"] {
        if let Some(u) = m
            .input
            .get(k)
            .or_else(|| m.facts.get(k))
            .and_then(|v| v.as_str())
        {
            push(u);
        }
    }
    if m.kind != ItemKind::Web {
        for f in &m.files {
            if let Some(u) = f.source_url() {
                push(u);
            }
        }
    }
    out
}

/// The one-page summary, in Italian (every value escaped by maud).
fn summary_html(
    case: &str,
    bundle: &str,
    bundle_sha256: &str,
    items: &[&ItemState],
    chosen: &[Chosen],
) -> String {
    let l = Lang::It;
    let kind = |k: ItemKind| {
        t(
            l,
            match k {
                ItemKind::Files => Msg::KindFiles,
                ItemKind::Web => Msg::KindWeb,
                ItemKind::Chat => Msg::KindChat,
                #[allow(unreachable_patterns)]
                _ => Msg::KindFiles,
            },
        )
    };
    html! {
        (DOCTYPE)
        html lang="it" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'";
                title { (t(l, Msg::GaranteTitle)) }
                (crate::html::style(crate::html::REPORT_CSS))
            }
            body {
                h1 { (t(l, Msg::GaranteTitle)) }
                p { (t(l, Msg::GaranteIntro)) }
                table {
                    (crate::html::row(&t(l, Msg::Case), html! { (case) }))
                    (crate::html::row(&t(l, Msg::Bundle), html! { (bundle) }))
                    (crate::html::row(&t(l, Msg::BundleSha), crate::html::hash(bundle_sha256)))
                }
                table {
                    (crate::html::head_row([
                        t(l, Msg::Item).as_str(), t(l, Msg::GaranteWhat).as_str(),
                        t(l, Msg::GaranteWhere).as_str(), t(l, Msg::GaranteWhen).as_str(),
                    ]))
                    tbody {
                        @for it in items {
                            tr {
                                td { (it.id) }
                                td { (kind(it.manifest.kind)) ", "
                                     (t_args(l, Msg::GaranteMediaCount, &[("count", chosen.iter().filter(|c| c.item.id == it.id).count().into())])) }
                                td { @for u in urls_of(it) { span.h { (u) } br; } }
                                td {
                                    (crate::time::rfc3339(&it.manifest.acquired.started)) " ("
                                    (t(l, match it.manifest.acquired.clock {
                                        crate::time::Clock::Local => Msg::ClockLocal,
                                        crate::time::Clock::Override => Msg::ClockOverride,
                                    })) ")"
                                }
                            }
                        }
                    }
                }
                p { (t(l, Msg::GaranteHashes)) }
                p { (t(l, Msg::GaranteNothingSent)) }
            }
        }
    }
    .into_string()
}
