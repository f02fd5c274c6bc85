//! Removal tracking: load captured URLs again, compare with the capture, and seal what was
//! found as a new item of kind `recheck` (`sigillo recheck`); the timeline of a bundle's
//! URLs from those items (`sigillo status`).
//!
//! The job of one re-check: the web item's original facts and files are read from the
//! verified bundle ([`targets`]); the URL is loaded with the capture machinery in its
//! light profile ([`crate::acquire::web::capture::CaptureOptions::light`]); the page now
//! is compared with the page then ([`compare::classify`]) and the comparison becomes the
//! derived file `recheck.json` of the new item ([`acquisition`]); `seal` writes it. A
//! page that cannot be loaded is sealed too, as an item that records the failure (no
//! screenshot stands in for it).
//!
//! Encrypted bundles are refused: the original's facts and visible text are in its
//! encrypted part (see docs/recheck.md).

pub mod compare;
pub mod phrases;
pub mod timeline;

use serde_json::{Value, json};

use crate::acquire::web::capture::Unreachable;
use crate::acquire::web::facts::dns_facts;
use crate::acquire::{Acquisition, Artifact, Content, ItemKind};
use crate::bundle::layout;
use crate::bundle::reader::BundleReader;
use crate::bundle::state::{BundleState, ItemState};
use crate::error::{Error, Result};
use crate::evidence::hash::{sha256_file, sha256_hex};
use crate::evidence::media::{Media, analyze, is_media};
use crate::time::Stamp;

use compare::{DerivedFrom, Failure, MediaRef, Observed, Outcome, RecheckFile};

/// Item-relative path of the visible text in web (and recheck) items.
const VISIBLE_TEXT: &str = "derived/visible-text.txt";
/// Item-relative folder of the media a page loaded.
const MEDIA_DIR: &str = "original/media/";

/// A captured URL to load again, with what the capture observed.
#[derive(Debug, Clone)]
pub struct Target {
    /// The web item.
    pub item: String,
    /// SHA-256 of its manifest.
    pub manifest_sha256: String,
    /// The URL as captured.
    pub url: String,
    /// The page at capture.
    pub original: Observed,
    /// Bundle paths of the original's files that are compared.
    pub compared: Vec<String>,
}

/// The web items to re-check: those named (`--item`), else every web item. Reads each
/// one's facts and visible text from the verified bundle (hash-checked).
pub fn targets(
    reader: &BundleReader,
    state: &BundleState,
    wanted: &[String],
) -> Result<Vec<Target>> {
    if state.is_encrypted() {
        return Err(Error::input(format!(
            "'{}' is encrypted: re-checking needs the captured facts and text, which are in the items' encrypted part",
            reader.path().display()
        ))
        .with_fix("recheck works on unencrypted bundles only for now; write a decrypted working copy with `sigillo decrypt` and recheck that (see docs/recheck.md)"));
    }
    let items: Vec<&ItemState> = if wanted.is_empty() {
        state
            .items
            .iter()
            .filter(|i| i.manifest.kind == ItemKind::Web)
            .collect()
    } else {
        let mut v: Vec<&ItemState> = Vec::new();
        for w in wanted {
            let it = state.find_item(w)?;
            if it.manifest.kind != ItemKind::Web {
                return Err(Error::input(format!(
                    "item '{}' is a {} item, not a captured web page",
                    it.id, it.manifest.kind
                ))
                .with_fix(match it.manifest.rechecks.as_deref() {
                    Some(r) => format!("name the web item it re-checks: --item {r}"),
                    None => "name a web item (`sigillo ls` lists the items and their kinds)".into(),
                }));
            }
            if !v.iter().any(|x| x.id == it.id) {
                v.push(it);
            }
        }
        v
    };
    if items.is_empty() {
        return Err(Error::input(format!(
            "'{}' holds no captured web page to re-check",
            reader.path().display()
        ))
        .with_fix("capture the page first: sigillo capture URL -o case.zip"));
    }
    items.into_iter().map(|it| target(reader, it)).collect()
}

fn target(reader: &BundleReader, it: &ItemState) -> Result<Target> {
    let m = &it.manifest;
    let url = m
        .input
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Error::not_verified(format!("item '{}' records no URL", it.id))
                .with_fix("re-check another item; this one cannot be loaded again")
        })?
        .to_string();
    if url.contains(":***@") {
        return Err(Error::input(format!(
            "item '{}' was captured with credentials in the URL, which are not stored",
            it.id
        ))
        .with_fix("capture the page again with the credentials, or leave this item out (--item)"));
    }
    let facts = &m.facts;
    let mut compared = vec![layout::manifest_path(&it.id)];
    let text = match m.file(VISIBLE_TEXT) {
        Some(f) => {
            let name = layout::item_member(&it.id, &f.path);
            let bytes = reader.read_small(&name)?;
            if sha256_hex(&bytes) != f.sha256 {
                return Err(Error::not_verified(format!(
                    "'{name}' does not match its manifest entry"
                ))
                .with_fix("run `sigillo verify` on the bundle"));
            }
            compared.push(name);
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        None => None,
    };
    let media = m
        .files
        .iter()
        .filter(|f| f.path.starts_with(MEDIA_DIR) && is_media(&f.media_type))
        .map(|f| MediaRef {
            sha256: f.sha256.clone(),
            pdq: f.image.as_ref().map(|i| i.pdq.clone()),
            url: f.source_url().map(str::to_string),
        })
        .collect();
    Ok(Target {
        item: it.id.clone(),
        manifest_sha256: it.manifest_sha256.clone(),
        url,
        original: observed_from_facts(facts, text, media),
        compared,
    })
}

/// What the page looks like now, from the re-check's acquisition; also the
/// item-relative paths it was read from.
fn observed(acq: &Acquisition) -> (Observed, Vec<String>) {
    let mut from = Vec::new();
    let mut text = None;
    let mut media = Vec::new();
    for a in &acq.artifacts {
        if a.path == VISIBLE_TEXT {
            let Content::Bytes(b) = &a.content else {
                continue;
            };
            text = Some(String::from_utf8_lossy(b).into_owned());
            from.push(a.path.clone());
        } else if a.path == "original/main-document.body" {
            from.push(a.path.clone());
        } else if a.path.starts_with(MEDIA_DIR) {
            let mt = a
                .media_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            // An image request answered with an error page (text/html) is not media.
            if !is_media(mt) {
                continue;
            }
            // Media of a capture are on disk (its private temp folder), streamed here.
            let (sha256, media_of) = match &a.content {
                Content::Bytes(b) => (sha256_hex(b), Media::Bytes(b)),
                Content::File(p) => match sha256_file(p) {
                    Ok(d) => (d.sha256, Media::File(p)),
                    Err(_) => continue,
                },
            };
            let pdq = analyze(media_of, mt).image.map(|i| i.pdq);
            media.push(MediaRef {
                sha256,
                pdq,
                url: a.source.url.clone(),
            });
            from.push(a.path.clone());
        }
    }
    (observed_from_facts(&acq.facts, text, media), from)
}

/// An [`Observed`] page from a web item's facts (the sealed manifest's, or the re-check
/// acquisition's: the same typed web facts), with its visible text and media.
fn observed_from_facts(
    facts: &serde_json::Map<String, Value>,
    text: Option<String>,
    media: Vec<MediaRef>,
) -> Observed {
    let main = facts.get("main_document");
    Observed {
        status: main
            .and_then(|d| d.get("status"))
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok()),
        body_sha256: main
            .and_then(|d| d.get("body_sha256"))
            .and_then(Value::as_str)
            .map(str::to_string),
        final_url: facts
            .get("final_url")
            .and_then(Value::as_str)
            .map(str::to_string),
        title: facts
            .get("page")
            .and_then(|p| p.get("title"))
            .and_then(Value::as_str)
            .map(str::to_string),
        text,
        media,
    }
}

/// The recheck acquisition of `target`: the page as loaded (`Ok`) or the failure
/// (`Err`), with the comparison as `derived/recheck.json`; `started` is when loading
/// began. Returns the acquisition to seal and the comparison.
pub fn acquisition(
    target: &Target,
    loaded: std::result::Result<Acquisition, Unreachable>,
    started: Stamp,
) -> Result<(Acquisition, RecheckFile)> {
    let checked_at = started.rfc3339();
    let (mut acq, file) = match loaded {
        Ok(mut acq) => {
            let (now, from) = observed(&acq);
            let v = compare::classify(&target.original, &now);
            let file = RecheckFile {
                format: compare::FORMAT.into(),
                rechecks: target.item.clone(),
                url: target.url.clone(),
                checked_at,
                result: v.outcome,
                http_status: now.status,
                final_url: now.final_url.clone(),
                reasons: v.reasons,
                changes: v.changes,
                failure: None,
                derived_from: DerivedFrom {
                    original_manifest_sha256: target.manifest_sha256.clone(),
                    original: target.compared.clone(),
                    recheck: from,
                },
            };
            acq.started = started;
            (acq, file)
        }
        Err(u) => {
            let slug = crate::bundle::naming::web_slug(&target.url);
            let mut acq = Acquisition::start(ItemKind::Recheck, &slug);
            acq.started = started;
            let error = u.error.to_string();
            acq.input.insert("url".into(), json!(target.url));
            let dns = url::Url::parse(&target.url)
                .ok()
                .map(|u| dns_facts(&u))
                .map(|d| serde_json::to_value(d).unwrap_or(Value::Null))
                .unwrap_or(Value::Null);
            acq.facts.insert(
                "load_failure".into(),
                json!({"kind": u.kind, "error": error}),
            );
            acq.facts.insert("dns".into(), dns);
            acq.warnings.push(format!(
                "the page could not be loaded: {}",
                u.error.problem()
            ));
            let file = RecheckFile {
                format: compare::FORMAT.into(),
                rechecks: target.item.clone(),
                url: target.url.clone(),
                checked_at,
                result: Outcome::Unreachable,
                http_status: None,
                final_url: None,
                reasons: vec![
                    format!("the browser could not load the page ({:?})", u.kind).to_lowercase(),
                ],
                changes: compare::Changes::default(),
                failure: Some(Failure {
                    kind: u.kind,
                    error,
                }),
                derived_from: DerivedFrom {
                    original_manifest_sha256: target.manifest_sha256.clone(),
                    original: target.compared.clone(),
                    recheck: Vec::new(),
                },
            };
            (acq, file)
        }
    };
    acq.kind = ItemKind::Recheck;
    acq.rechecks = Some(target.item.clone());
    acq.input.insert("rechecks".into(), json!(target.item));
    acq.artifacts.push(
        Artifact::derived(
            compare::PATH,
            Content::Bytes(file.to_canonical()?),
            file.derived_from.recheck.clone(),
        )
        .media_type("application/json")
        .describe(format!(
            "comparison with item {} ({}): {}",
            target.item,
            compare::FORMAT,
            file.result
        )),
    );
    acq.finished = Stamp::now();
    Ok((acq, file))
}
