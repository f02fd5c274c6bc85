//! The comparison of a re-check with the original capture, and its file
//! (`derived/recheck.json`, `sigillo-recheck/1`): one serde type writes and reads it.
//!
//! The result, one per URL (the names are an interface):
//! - `online-unchanged`: the same main-document SHA-256 with none of the captured media
//!   missing, or the same visible text and the same set of media (by SHA-256);
//! - `online-changed`: online, with what changed (media removed/added by SHA-256 and PDQ,
//!   visible text lines added/removed, title);
//! - `removed`: HTTP 404, 410 or 451; or a "content not available" page: a known phrase
//!   ([`super::phrases`]) with the original media gone or a short page, or an error
//!   status with the original media gone and a short page;
//! - `redirected`: the page now ends on a login page or on the site's home page;
//! - `unreachable`: the browser could not load it (DNS, TLS, connection, timeout).

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::acquire::web::capture::LoadFailure;
use crate::error::Result;
use crate::evidence::manifest::canonical;

/// The format identifier of `recheck.json`.
pub const FORMAT: &str = "sigillo-recheck/1";
/// Where the comparison sits in a recheck item.
pub const PATH: &str = "derived/recheck.json";
/// PDQ distance up to which two images count as the same picture (re-encoded, resized).
pub const PDQ_SAME: u32 = 31;
/// A page with less visible text than this (characters) counts as short.
pub const SHORT_PAGE_CHARS: usize = 400;
/// Lines of text kept as samples of what was added or removed.
const SAMPLE_LINES: usize = 5;
/// Characters kept of each sample line.
const SAMPLE_CHARS: usize = 120;

/// What a re-check found (the names are an interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Online, as captured.
    OnlineUnchanged,
    /// Online, with changes (`changes` says which).
    OnlineChanged,
    /// Taken down (status, or a "content not available" page).
    Removed,
    /// Sent to a login page or the home page.
    Redirected,
    /// Could not be loaded at all.
    Unreachable,
}

impl Outcome {
    /// The name written in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::OnlineUnchanged => "online-unchanged",
            Outcome::OnlineChanged => "online-changed",
            Outcome::Removed => "removed",
            Outcome::Redirected => "redirected",
            Outcome::Unreachable => "unreachable",
        }
    }

    /// Whether the page was found online (changed or not).
    pub fn is_online(self) -> bool {
        matches!(self, Outcome::OnlineUnchanged | Outcome::OnlineChanged)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `derived/recheck.json`: what was re-checked, what was found, and from what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "sigillo re-check comparison (sigillo-recheck/1)")]
pub struct RecheckFile {
    /// `sigillo-recheck/1`.
    pub format: String,
    /// The item re-checked (equal to the manifest's `rechecks`).
    pub rechecks: String,
    /// The URL loaded again (as the original capture recorded it).
    pub url: String,
    /// When the re-check began (UTC, RFC 3339; local clock, as the manifest's
    /// `acquired.clock` says).
    pub checked_at: String,
    /// What was found.
    pub result: Outcome,
    /// The main document's HTTP status now (`null` when no response came).
    pub http_status: Option<u16>,
    /// The URL the page ended on now (`null` when it could not be loaded).
    pub final_url: Option<String>,
    /// Why the result was chosen, one rule per line.
    pub reasons: Vec<String>,
    /// What differs from the original capture.
    pub changes: Changes,
    /// For `unreachable`: how loading failed.
    pub failure: Option<Failure>,
    /// What the comparison was made from.
    pub derived_from: DerivedFrom,
}

/// A load that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// `dns`, `tls`, `connection`, `timeout` or `other`.
    pub kind: LoadFailure,
    /// The browser's error, as sigillo reported it.
    pub error: String,
}

/// The files the comparison was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DerivedFrom {
    /// SHA-256 of the original item's manifest.json (its facts and file hashes).
    pub original_manifest_sha256: String,
    /// Bundle paths of the original item's files that were compared.
    pub original: Vec<String>,
    /// Item-relative paths of this item's files that were compared (also the
    /// manifest's `derived_from` of recheck.json).
    pub recheck: Vec<String>,
}

/// What changed between the capture and the re-check (empty lists: nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Changes {
    /// Whether the main document's bytes are the same (`null`: one of them is unknown).
    pub main_document_same: Option<bool>,
    /// The title, when it changed.
    pub title: Option<TitleChange>,
    /// The URL the page ended on, when it changed.
    pub final_url: Option<UrlChange>,
    /// Media of the capture found neither by SHA-256 nor by PDQ.
    pub media_removed: Vec<MediaRef>,
    /// Media found now that the capture had neither by SHA-256 nor by PDQ.
    pub media_added: Vec<MediaRef>,
    /// Media of the capture found again (same SHA-256, or PDQ within 31).
    pub media_kept: usize,
    /// The visible text (`null`: one of the two texts is unknown).
    pub text: Option<TextDiff>,
    /// A known "content not available" phrase found on the page.
    pub removal_phrase: Option<PhraseHit>,
}

/// A title that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleChange {
    /// At capture.
    pub before: Option<String>,
    /// Now.
    pub after: Option<String>,
}

/// A final URL that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UrlChange {
    /// At capture.
    pub before: String,
    /// Now.
    pub after: String,
}

/// One media file, by its hashes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaRef {
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// PDQ of the image (`null` for media that is not a decodable image).
    pub pdq: Option<String>,
    /// The URL it was loaded from.
    pub url: Option<String>,
}

/// The visible text, line by line (trimmed, empty lines ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TextDiff {
    /// The same lines in the same order.
    pub same: bool,
    /// Lines now that the capture did not have.
    pub lines_added: usize,
    /// Lines of the capture that are gone.
    pub lines_removed: usize,
    /// The first added lines (at most 5, each clipped to 120 characters). Left out of
    /// `recheck --json`: it is page content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_sample: Option<Vec<String>>,
    /// The first removed lines, as `added_sample`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_sample: Option<Vec<String>>,
}

/// A known phrase found ([`super::phrases::PHRASES`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhraseHit {
    /// Platform of the phrase.
    pub platform: String,
    /// Language of the phrase.
    pub lang: String,
    /// The phrase.
    pub phrase: String,
}

impl Changes {
    /// The same changes without page text (the samples), for printing.
    pub fn without_text(&self) -> Changes {
        let mut c = self.clone();
        if let Some(t) = &mut c.text {
            t.added_sample = None;
            t.removed_sample = None;
        }
        c
    }
}

impl RecheckFile {
    /// The canonical bytes (RFC 8785).
    pub fn to_canonical(&self) -> Result<Vec<u8>> {
        canonical(self)
    }

    /// Read strictly: the known format, and exactly the bytes this type writes.
    pub fn parse(bytes: &[u8]) -> std::result::Result<RecheckFile, String> {
        let f: RecheckFile =
            serde_json::from_slice(bytes).map_err(|e| format!("not a {FORMAT} file ({e})"))?;
        if f.format != FORMAT {
            return Err(format!(
                "unknown format '{}' (this sigillo reads {FORMAT})",
                crate::text::clip(&f.format, 64)
            ));
        }
        if canonical(&f).map_err(|e| e.to_string())? != bytes {
            return Err(
                "not exactly what sigillo writes: it was edited or written by another tool".into(),
            );
        }
        Ok(f)
    }
}

/// A page as observed: at capture (from the item) or now (from the re-check).
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Main document status.
    pub status: Option<u16>,
    /// Main document SHA-256.
    pub body_sha256: Option<String>,
    /// Where the page ended.
    pub final_url: Option<String>,
    /// `document.title`.
    pub title: Option<String>,
    /// Visible text.
    pub text: Option<String>,
    /// Media loaded.
    pub media: Vec<MediaRef>,
}

/// What [`classify`] decided.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The result.
    pub outcome: Outcome,
    /// Why.
    pub reasons: Vec<String>,
    /// What changed.
    pub changes: Changes,
}

/// Compare the page now with the page at capture.
pub fn classify(before: &Observed, now: &Observed) -> Verdict {
    let changes = changes(before, now);
    let mut reasons = Vec::new();
    let status = now.status;
    let media_gone = !before.media.is_empty() && changes.media_kept == 0;
    let text_chars = now
        .text
        .as_deref()
        .map(|t| t.trim().chars().count())
        .unwrap_or(0);
    let short = text_chars < SHORT_PAGE_CHARS;
    let outcome = if let Some(s @ (404 | 410 | 451)) = status {
        reasons.push(format!("the main document answered HTTP {s}"));
        Outcome::Removed
    } else if let Some(why) = redirect(before, now) {
        reasons.push(why);
        Outcome::Redirected
    } else if changes.main_document_same == Some(true) && changes.media_removed.is_empty() {
        // The same HTML with its image gone is a change (the image is what matters).
        reasons.push(
            "the main document has the same SHA-256 as at capture, and every captured media file is still there"
                .into(),
        );
        Outcome::OnlineUnchanged
    } else if changes.text.as_ref().is_some_and(|t| t.same)
        && changes.media_added.is_empty()
        && media_set(&before.media) == media_set(&now.media)
    {
        reasons.push("the same visible text and the same media (by SHA-256) as at capture".into());
        Outcome::OnlineUnchanged
    } else if let Some(ph) = changes
        .removal_phrase
        .as_ref()
        .filter(|_| media_gone || short)
    {
        reasons.push(format!(
            "the page says '{}' (a known {} phrase, {})",
            ph.phrase, ph.platform, ph.lang
        ));
        reasons.push(gone_detail(media_gone, text_chars));
        Outcome::Removed
    } else if status.is_some_and(|s| s >= 400) && media_gone && short {
        reasons.push(format!(
            "the main document answered HTTP {}",
            status.unwrap_or_default()
        ));
        reasons.push(gone_detail(media_gone, text_chars));
        Outcome::Removed
    } else {
        reasons.push("online, and different from the capture".into());
        Outcome::OnlineChanged
    };
    Verdict {
        outcome,
        reasons,
        changes,
    }
}

fn gone_detail(media_gone: bool, text_chars: usize) -> String {
    match media_gone {
        true => format!(
            "none of the captured media is on the page; {text_chars} characters of visible text"
        ),
        false => format!(
            "a short page: {text_chars} characters of visible text (under {SHORT_PAGE_CHARS})"
        ),
    }
}

fn media_set(m: &[MediaRef]) -> BTreeSet<&str> {
    m.iter().map(|r| r.sha256.as_str()).collect()
}

/// Why the page counts as redirected (to a login or the home page), if it does.
fn redirect(before: &Observed, now: &Observed) -> Option<String> {
    let after = url::Url::parse(now.final_url.as_deref()?).ok()?;
    let was = before
        .final_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok());
    let same = |a: &url::Url, b: &url::Url| {
        a.host_str() == b.host_str() && a.path() == b.path() && a.query() == b.query()
    };
    if was.as_ref().is_some_and(|w| same(w, &after)) {
        return None;
    }
    let target = format!(
        "{}?{}",
        after.path().to_lowercase(),
        after.query().unwrap_or("").to_lowercase()
    );
    const LOGIN: &[&str] = &[
        "login",
        "log-in",
        "log_in",
        "signin",
        "sign-in",
        "sign_in",
        "logon",
        "auth",
        "accounts",
        "session",
        "checkpoint",
    ];
    if LOGIN.iter().any(|w| target.contains(w)) {
        return Some(format!(
            "the page now ends on a login page ({})",
            crate::text::clip(after.as_str(), 200)
        ));
    }
    let home = matches!(after.path(), "" | "/") && after.query().is_none();
    if home && was.is_none_or(|w| !matches!(w.path(), "" | "/")) {
        return Some(format!(
            "the page now ends on the site's home page ({})",
            crate::text::clip(after.as_str(), 200)
        ));
    }
    None
}

fn changes(before: &Observed, now: &Observed) -> Changes {
    let main_document_same = match (&before.body_sha256, &now.body_sha256) {
        (Some(a), Some(b)) => Some(a == b),
        _ => None,
    };
    let title = (before.title != now.title).then(|| TitleChange {
        before: before.title.clone(),
        after: now.title.clone(),
    });
    let final_url = match (&before.final_url, &now.final_url) {
        (Some(a), Some(b)) if a != b => Some(UrlChange {
            before: a.clone(),
            after: b.clone(),
        }),
        _ => None,
    };
    let found_in = |m: &MediaRef, set: &[MediaRef]| {
        set.iter().any(|o| {
            o.sha256 == m.sha256
                || matches!((&o.pdq, &m.pdq), (Some(a), Some(b))
                    if crate::evidence::pdq::hamming(a, b).is_some_and(|d| d <= PDQ_SAME))
        })
    };
    let mut media_removed: Vec<MediaRef> = dedup(&before.media)
        .into_iter()
        .filter(|m| !found_in(m, &now.media))
        .collect();
    let media_kept = dedup(&before.media).len() - media_removed.len();
    let mut media_added: Vec<MediaRef> = dedup(&now.media)
        .into_iter()
        .filter(|m| !found_in(m, &before.media))
        .collect();
    media_removed.sort();
    media_added.sort();
    let text = match (&before.text, &now.text) {
        (Some(a), Some(b)) => Some(text_diff(a, b)),
        _ => None,
    };
    let texts: Vec<&str> = [now.title.as_deref(), now.text.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let removal_phrase = super::phrases::find(&texts).map(|p| PhraseHit {
        platform: p.platform.into(),
        lang: p.lang.into(),
        phrase: p.text.into(),
    });
    Changes {
        main_document_same,
        title,
        final_url,
        media_removed,
        media_added,
        media_kept,
        text,
        removal_phrase,
    }
}

/// One entry per SHA-256.
fn dedup(m: &[MediaRef]) -> Vec<MediaRef> {
    let mut seen = BTreeSet::new();
    m.iter()
        .filter(|r| seen.insert(r.sha256.clone()))
        .cloned()
        .collect()
}

fn lines(t: &str) -> Vec<&str> {
    t.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

fn text_diff(before: &str, now: &str) -> TextDiff {
    let (a, b) = (lines(before), lines(now));
    let (sa, sb): (BTreeSet<&str>, BTreeSet<&str>) =
        (a.iter().copied().collect(), b.iter().copied().collect());
    let added: Vec<&str> = b.iter().copied().filter(|l| !sa.contains(l)).collect();
    let removed: Vec<&str> = a.iter().copied().filter(|l| !sb.contains(l)).collect();
    let sample = |v: &[&str]| {
        (!v.is_empty()).then(|| {
            v.iter()
                .take(SAMPLE_LINES)
                .map(|l| crate::text::clip(l, SAMPLE_CHARS))
                .collect()
        })
    };
    TextDiff {
        same: a == b,
        lines_added: added.len(),
        lines_removed: removed.len(),
        added_sample: sample(&added),
        removed_sample: sample(&removed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(sha: &str) -> MediaRef {
        MediaRef {
            sha256: sha.into(),
            pdq: None,
            url: None,
        }
    }

    fn page(status: u16, body: &str, url: &str, text: &str, m: &[&str]) -> Observed {
        Observed {
            status: Some(status),
            body_sha256: Some(body.into()),
            final_url: Some(url.into()),
            title: Some("t".into()),
            text: Some(text.into()),
            media: m.iter().map(|s| media(s)).collect(),
        }
    }

    #[test]
    fn results() {
        let cap = page(
            200,
            "b1",
            "https://s.example/p/1",
            "hello\nworld",
            &["m1", "m2"],
        );
        let r = |now: &Observed| classify(&cap, now).outcome;
        assert_eq!(r(&cap), Outcome::OnlineUnchanged);
        let same_html_image_gone =
            page(200, "b1", "https://s.example/p/1", "hello\nworld", &["m1"]);
        assert_eq!(r(&same_html_image_gone), Outcome::OnlineChanged);
        let same_text = page(
            200,
            "b2",
            "https://s.example/p/1",
            " hello \n\nworld",
            &["m2", "m1"],
        );
        assert_eq!(r(&same_text), Outcome::OnlineUnchanged);
        let lost = page(200, "b2", "https://s.example/p/1", "hello\nworld", &["m1"]);
        let v = classify(&cap, &lost);
        assert_eq!(v.outcome, Outcome::OnlineChanged);
        assert_eq!(v.changes.media_removed, vec![media("m2")]);
        assert_eq!(v.changes.media_kept, 1);
        assert_eq!(
            r(&page(404, "b3", "https://s.example/p/1", "x", &[])),
            Outcome::Removed
        );
        assert_eq!(
            r(&page(410, "b3", "https://s.example/p/1", "x", &[])),
            Outcome::Removed
        );
        let notice = page(
            200,
            "b4",
            "https://s.example/p/1",
            "Sorry, this page isn't available.",
            &[],
        );
        assert_eq!(r(&notice), Outcome::Removed);
        let soft = page(403, "b4", "https://s.example/p/1", "Forbidden", &[]);
        assert_eq!(r(&soft), Outcome::Removed);
        let login = page(
            200,
            "b5",
            "https://s.example/accounts/login/?next=/p/1",
            "Log in",
            &[],
        );
        assert_eq!(r(&login), Outcome::Redirected);
        let home = page(200, "b6", "https://s.example/", "Welcome", &["m9"]);
        assert_eq!(r(&home), Outcome::Redirected);
        let diff = classify(
            &cap,
            &page(
                200,
                "b7",
                "https://s.example/p/1",
                "hello\nthere",
                &["m1", "m2", "m3"],
            ),
        );
        let t = diff.changes.text.unwrap();
        assert_eq!((t.lines_added, t.lines_removed, t.same), (1, 1, false));
        assert_eq!(diff.changes.media_added, vec![media("m3")]);
    }

    #[test]
    fn the_file_round_trips_strictly() {
        let f = RecheckFile {
            format: FORMAT.into(),
            rechecks: "0001-web-a".into(),
            url: "https://a.example/".into(),
            checked_at: "2026-01-01T00:00:00.000Z".into(),
            result: Outcome::Unreachable,
            http_status: None,
            final_url: None,
            reasons: vec!["x".into()],
            changes: Changes::default(),
            failure: Some(Failure {
                kind: LoadFailure::Connection,
                error: "refused".into(),
            }),
            derived_from: DerivedFrom {
                original_manifest_sha256: "00".into(),
                original: vec![],
                recheck: vec![],
            },
        };
        let b = f.to_canonical().unwrap();
        assert_eq!(RecheckFile::parse(&b).unwrap(), f);
        let mut v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        v["extra"] = serde_json::json!(1);
        assert!(RecheckFile::parse(&canonical(&v).unwrap()).is_err());
        assert!(String::from_utf8_lossy(&b).contains("\"result\":\"unreachable\""));
    }
}
