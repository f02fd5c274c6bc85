//! `sigillo notice`: a notice of illegal content under DSA Art. 16(2), made from a bundle
//! that verifies, for a platform's notice-and-action channel.
//!
//! The notice carries the four elements Art. 16(2) lists: (a) a substantiated explanation
//! (the notifier's reason, with an optional legal-ground template: Art. 612-ter c.p. for
//! non-consensual intimate images, Art. 612-quater c.p. for deepfakes), (b) the exact URLs
//! with what identifies the content (item id, capture time, SHA-256 of the main document
//! and of the screenshot, SHA-256/MD5/PDQ of each media file — never the media itself),
//! (c) the notifier's name and e-mail, (d) the good-faith statement. One typed model
//! ([`NoticeDoc`], `sigillo-notice/1`) is written as JSON and rendered as HTML, PDF
//! (Chromium) or an RFC 5322 e-mail ([`eml`]). Only manifest facts are used, so an
//! encrypted bundle needs no identity (a captured page's URL is public by design).
//!
//! Writing a notice records a `notice-sent` custody entry in the bundle (the notice's
//! SHA-256, size, format, file name, recipient and notifier); [`listing`] reads them back.

pub mod eml;
pub mod listing;
pub mod render;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::bundle::state::{BundleState, ItemState};
use crate::error::{Error, Result};
use crate::evidence::custody::NoticeFormat;
use crate::evidence::manifest::{FileRole, ItemKind};
use crate::report::i18n::{Lang, Msg, t, t_args};
use crate::time::{Clock, Stamp};

pub use listing::{ItemNotices, Notice, PlatformReply, notices_by_item};

/// The notice format identifier.
pub const FORMAT: &str = "sigillo-notice/1";

/// The DSA Transparency Database category for non-consensual intimate imagery and
/// deepfakes.
pub const CATEGORY_CYBER_VIOLENCE: &str = "STATEMENT_CATEGORY_CYBER_VIOLENCE";

/// The legal ground a notice cites (`--ground`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Ground {
    /// Non-consensual sharing of intimate images: Art. 612-ter c.p.
    Ncii,
    /// Sexually explicit deepfakes: Art. 612-quater c.p.
    Deepfake,
}

impl Ground {
    /// The provision cited.
    pub fn law(self) -> &'static str {
        match self {
            Ground::Ncii => "Art. 612-ter c.p.",
            Ground::Deepfake => "Art. 612-quater c.p.",
        }
    }

    /// The DSA Transparency Database keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Ground::Ncii => "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
            Ground::Deepfake => "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
        }
    }
}

/// (a) Why the content is illegal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// The notifier's reason, as given (`--reason`).
    pub reason: String,
    /// The legal ground cited, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground: Option<Ground>,
    /// The provision (`Art. 612-ter c.p.`), with a ground.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub law: Option<String>,
    /// The ground's text in the notice's language, with a ground.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_text: Option<String>,
}

/// Where a location's URL comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UrlOrigin {
    /// The page sigillo captured (the item's manifest).
    Captured,
    /// Given by the notifier (`--url`) for an item that is not a captured page.
    Stated,
}

/// A media file's fingerprints (the file itself is never in a notice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaPrint {
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256.
    pub sha256: String,
    /// MD5, when computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// PDQ perceptual hash (images).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdq: Option<String>,
    /// Where the page loaded it from, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// (b) One exact URL and what identifies the content there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The URL.
    pub url: String,
    /// Captured by sigillo or stated by the notifier.
    pub origin: UrlOrigin,
    /// The item id in the bundle.
    pub item: String,
    /// SHA-256 of the item's signed manifest.
    pub manifest_sha256: String,
    /// When the item was captured (UTC RFC 3339).
    pub captured_at: String,
    /// The clock of `captured_at` (`local`, `override`).
    pub clock: Clock,
    /// The URL the page ended at, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// SHA-256 of the main document as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_document_sha256: Option<String>,
    /// SHA-256 of the full-page screenshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshot_sha256: Option<String>,
    /// The media files' fingerprints.
    pub media: Vec<MediaPrint>,
}

/// (c) Who notifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notifier {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// A notice (`sigillo-notice/1`): DSA Art. 16(2) (a)–(d) as `explanation`, `locations`,
/// `notifier`, `good_faith_statement`, with the Transparency Database vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeDoc {
    /// `sigillo-notice/1`.
    pub format: String,
    /// (a) The substantiated explanation.
    pub explanation: Explanation,
    /// (b) The exact URLs and identifying details.
    pub locations: Vec<Location>,
    /// (c) The notifier.
    pub notifier: Notifier,
    /// (d) The statement of good faith, in the notice's language.
    pub good_faith_statement: String,
    /// DSA Transparency Database category, with a ground.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_category: Option<String>,
    /// DSA Transparency Database keywords, with a ground.
    pub keywords: Vec<String>,
    /// The recipient platform (`--to`).
    pub recipient: String,
    /// The case id of the bundle.
    pub case: String,
    /// The notice's language (`en`, `it`).
    pub language: String,
    /// When the notice was written (UTC RFC 3339) and by which clock.
    pub issued_at: String,
    /// The clock of `issued_at`.
    pub clock: Clock,
}

/// What a notice is made from.
#[derive(Debug, Clone)]
pub struct NoticeRequest {
    /// Items (ids or numbers), at least one.
    pub items: Vec<String>,
    /// The recipient platform.
    pub to: String,
    /// The recipient's notice address, for the e-mail's `To:`.
    pub to_email: Option<String>,
    /// The notifier's reason.
    pub reason: String,
    /// The legal ground template.
    pub ground: Option<Ground>,
    /// URLs for items that are not captured pages.
    pub urls: Vec<String>,
    /// The notifier's name.
    pub notifier: String,
    /// The notifier's e-mail.
    pub email: String,
    /// Language.
    pub lang: Lang,
}

/// Check an e-mail address enough to put it in a header: one `@`, no spaces, controls or
/// angle brackets.
pub fn check_email(flag: &str, s: &str) -> Result<()> {
    let ok = s.len() <= 254
        && s.split('@').count() == 2
        && s.split('@').all(|p| !p.is_empty())
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::input(format!(
            "{flag} '{}' is not an e-mail address",
            crate::text::clip(s, 80)
        ))
        .with_fix(format!("give {flag} as name@example.org")))
    }
}

/// Build the notice for `req` from a verified bundle's state, at `now`.
pub fn build(state: &BundleState, req: &NoticeRequest, now: &Stamp) -> Result<NoticeDoc> {
    if req.items.is_empty() {
        return Err(
            Error::input("a notice needs --item ID (the content to remove)")
                .with_fix("add --item (repeatable); `sigillo ls` lists the items"),
        );
    }
    for (flag, v) in [
        ("--to", &req.to),
        ("--reason", &req.reason),
        ("--notifier", &req.notifier),
    ] {
        if v.trim().is_empty() {
            return Err(
                Error::input(format!("{flag} is empty")).with_fix(format!("give {flag} a value"))
            );
        }
    }
    check_email("--email", &req.email)?;
    if let Some(e) = &req.to_email {
        check_email("--to-email", e)?;
    }
    for u in &req.urls {
        match url::Url::parse(u) {
            Ok(p) if matches!(p.scheme(), "http" | "https") => {}
            _ => {
                return Err(Error::input(format!(
                    "--url '{}' is not an http(s) URL",
                    crate::text::clip(u, 120)
                ))
                .with_fix("give the exact address of the content, https://…"));
            }
        }
    }
    let mut items: Vec<&ItemState> = Vec::new();
    for want in &req.items {
        let it = state.find_item(want)?;
        if !items.iter().any(|i| i.id == it.id) {
            items.push(it);
        }
    }
    let mut locations = Vec::new();
    for it in &items {
        if it.manifest.kind == ItemKind::Web {
            locations.push(captured_location(it)?);
        } else {
            for u in &req.urls {
                locations.push(stated_location(it, u));
            }
        }
    }
    if locations.is_empty() {
        return Err(Error::input(
            "the notice names no URL: the items are not captured pages",
        )
        .with_fix("give the exact address of the content with --url https://… (repeatable), or capture the page with `sigillo capture` and name that item"));
    }
    let l = req.lang;
    Ok(NoticeDoc {
        format: FORMAT.to_string(),
        explanation: Explanation {
            reason: req.reason.clone(),
            ground: req.ground,
            law: req.ground.map(|g| g.law().to_string()),
            legal_text: req.ground.map(|g| {
                t(
                    l,
                    match g {
                        Ground::Ncii => Msg::NoticeGroundNcii,
                        Ground::Deepfake => Msg::NoticeGroundDeepfake,
                    },
                )
            }),
        },
        locations,
        notifier: Notifier {
            name: req.notifier.clone(),
            email: req.email.clone(),
        },
        good_faith_statement: t_args(
            l,
            Msg::NoticeGoodFaith,
            &[("notifier", req.notifier.clone().into())],
        ),
        statement_category: req.ground.map(|_| CATEGORY_CYBER_VIOLENCE.to_string()),
        keywords: req
            .ground
            .map(|g| vec![g.keyword().to_string()])
            .unwrap_or_default(),
        recipient: req.to.clone(),
        case: state.case_id.clone(),
        language: l.code().to_string(),
        issued_at: now.rfc3339(),
        clock: now.clock,
    })
}

/// Whether a file is the one its capture described with `what` (the captured page's
/// files keep their descriptions when their names are made public by encryption).
fn described(f: &crate::evidence::manifest::FileEntry, path: &str, what: &str) -> bool {
    f.path == path
        || f.description
            .as_deref()
            .is_some_and(|d| d.starts_with(what))
}

/// A captured page's location: URL, capture time, main document, screenshot, media.
fn captured_location(it: &ItemState) -> Result<Location> {
    let m = &it.manifest;
    let url = m
        .input
        .get("url")
        .or_else(|| m.facts.get("url"))
        .and_then(|v| v.as_str())
        .ok_or_else(|| {
            Error::input(format!("item {} names no captured URL", it.id))
                .with_fix("give the URL with --url for this item")
        })?
        .to_string();
    let final_url = m
        .facts
        .get("final_url")
        .and_then(|v| v.as_str())
        .filter(|f| *f != url)
        .map(str::to_string);
    let captured_at = m
        .facts
        .get("captured_at")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| crate::time::rfc3339(&m.acquired.started));
    let find = |path: &str, what: &str| {
        m.files
            .iter()
            .find(|f| described(f, path, what))
            .map(|f| f.sha256.clone())
    };
    let media = m
        .files
        .iter()
        .filter(|f| {
            f.role == FileRole::Original
                && (f.path.starts_with("original/media/")
                    || described(f, "", "media file the page loaded"))
        })
        .map(print_of)
        .collect();
    Ok(Location {
        url,
        origin: UrlOrigin::Captured,
        item: it.id.clone(),
        manifest_sha256: it.manifest_sha256.clone(),
        captured_at,
        clock: m.acquired.clock,
        final_url,
        main_document_sha256: find(
            "original/main-document.body",
            "main document body as the browser received it",
        ),
        screenshot_sha256: find(
            "original/screenshot-full.png",
            "full-page screenshot (beyond the viewport)",
        ),
        media,
    })
}

/// A location the notifier states for an item of files or a chat: its media prints.
fn stated_location(it: &ItemState, url: &str) -> Location {
    let m = &it.manifest;
    Location {
        url: url.to_string(),
        origin: UrlOrigin::Stated,
        item: it.id.clone(),
        manifest_sha256: it.manifest_sha256.clone(),
        captured_at: crate::time::rfc3339(&m.acquired.started),
        clock: m.acquired.clock,
        final_url: None,
        main_document_sha256: None,
        screenshot_sha256: None,
        media: m
            .files
            .iter()
            .filter(|f| f.role == FileRole::Original && is_media(&f.media_type))
            .map(print_of)
            .collect(),
    }
}

/// Image, video or audio.
pub(crate) fn is_media(media_type: &str) -> bool {
    ["image/", "video/", "audio/"]
        .iter()
        .any(|p| media_type.starts_with(p))
}

fn print_of(f: &crate::evidence::manifest::FileEntry) -> MediaPrint {
    MediaPrint {
        media_type: f.media_type.clone(),
        size: f.size,
        sha256: f.sha256.clone(),
        md5: f.md5.clone(),
        pdq: f.image.as_ref().map(|i| i.pdq.clone()),
        url: f.source_url().map(str::to_string),
    }
}

/// The notice's bytes in `format` (`browser`: Chromium for PDF).
pub fn render(
    doc: &NoticeDoc,
    format: NoticeFormat,
    to_email: Option<&str>,
    browser: Option<&Path>,
) -> Result<Vec<u8>> {
    let lang = if doc.language == "it" {
        Lang::It
    } else {
        Lang::En
    };
    match format {
        NoticeFormat::Json => {
            let mut v = serde_json::to_vec_pretty(doc)
                .map_err(|e| Error::internal(format!("notice JSON: {e}")))?;
            v.push(b'\n');
            Ok(v)
        }
        NoticeFormat::Html => Ok(render::html(doc, lang).into_bytes()),
        NoticeFormat::Eml => Ok(eml::message(doc, lang, to_email, &chrono::Utc::now())),
        NoticeFormat::Pdf => {
            let b = crate::browser::Browser::launch(crate::browser::BrowserOptions {
                executable: browser.map(Path::to_path_buf),
                ..Default::default()
            })?;
            b.print_html_to_pdf(
                &render::html(doc, lang),
                &format!(
                    "<div style='font-size:8px;width:100%;padding:0 12mm;display:flex;justify-content:space-between'><span>{}</span><span><span class='pageNumber'></span>/<span class='totalPages'></span></span></div>",
                    crate::html::escape(&render::subject(doc, lang))
                ),
            )
        }
    }
}

/// What [`write_notice`] did.
#[derive(Debug)]
pub struct Written {
    /// The notice.
    pub doc: NoticeDoc,
    /// The file written.
    pub path: PathBuf,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// The custody entry's number.
    pub seq: u64,
    /// Warnings of timestamp requests that failed.
    pub warnings: Vec<String>,
}

/// Where and how to write a notice.
pub struct WriteOptions<'a> {
    /// The file to write (never replaced).
    pub out: &'a Path,
    /// Its format.
    pub format: NoticeFormat,
    /// Chromium for PDF.
    pub browser: Option<&'a Path>,
    /// Who records the custody entry.
    pub signer: &'a crate::seal::Signer,
    /// TSAs for the entry.
    pub tsa: &'a [crate::evidence::stamping::TsaEndpoint],
    /// Fail when no TSA answers.
    pub require_tsa: bool,
}

/// Make the notice from `bundle` (which must verify), write it to `opts.out` (temp file
/// + rename, never over an existing file) and record `notice-sent` in the bundle.
pub fn write_notice(bundle: &Path, req: &NoticeRequest, opts: &WriteOptions) -> Result<Written> {
    let out = opts.out;
    if out.exists() {
        return Err(Error::input(format!(
            "'{}' already exists; nothing was written",
            out.display()
        ))
        .with_fix(
            "choose another -o name (a notice sent is kept as it was), or move the old file away",
        ));
    }
    let state = crate::verify::verified_state(bundle)?;
    let now = Stamp::now();
    let doc = build(&state, req, &now)?;
    let bytes = render(&doc, opts.format, req.to_email.as_deref(), opts.browser)?;
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".sigillo-notice-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    std::io::Write::write_all(&mut tmp, &bytes).map_err(|e| Error::io("write", tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("write", tmp.path(), e))?;
    let sha256 = crate::evidence::hash::sha256_hex(&bytes);
    let mut urls: Vec<String> = Vec::new();
    for l in &doc.locations {
        if !urls.contains(&l.url) {
            urls.push(l.url.clone());
        }
    }
    let mut ids: Vec<String> = Vec::new();
    for l in &doc.locations {
        if !ids.contains(&l.item) {
            ids.push(l.item.clone());
        }
    }
    let event =
        crate::evidence::custody::Event::NoticeSent(crate::evidence::custody::NoticeSentDetails {
            items: ids,
            recipient: doc.recipient.clone(),
            urls,
            format: opts.format,
            sha256: sha256.clone(),
            size: bytes.len() as u64,
            file: out
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            notifier: doc.notifier.name.clone(),
        });
    let (seq, warnings) =
        crate::seal::append_custody(bundle, event, None, opts.signer, opts.tsa, opts.require_tsa)?;
    tmp.persist_noclobber(out).map_err(|e| {
        Error::io("write", out, e.error).with_fix(
            "the notice-sent entry is recorded in the bundle; write the notice again under another name",
        )
    })?;
    Ok(Written {
        doc,
        path: out.to_path_buf(),
        sha256,
        size: bytes.len() as u64,
        seq,
        warnings,
    })
}
