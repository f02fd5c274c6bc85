//! Acquisition: turning a source (files, a web page, a chat export) into artifacts
//! with their provenance, ready to be sealed as one item.
//!
//! Each source module yields an [`Acquisition`]. The sealing step
//! ([`crate::bundle::Bundle::seal`]) hashes every artifact, writes the item
//! manifest, signs it and appends it to the bundle. Acquirers never write into a
//! bundle themselves.

pub mod chat;
pub mod files;
pub mod web;

use std::path::PathBuf;

use serde_json::{Map, Value};

pub use crate::evidence::manifest::{ItemKind, Source};
pub use crate::text::slugify;
use crate::time::Stamp;

/// Where an artifact's bytes are.
#[derive(Debug)]
pub enum Content {
    /// A file on disk, read when sealing (streamed, never loaded whole).
    File(PathBuf),
    /// Bytes in memory (small derived files, CDP results).
    Bytes(Vec<u8>),
}

impl Content {
    /// The path to read from, if the content is on disk.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Content::File(p) => Some(p),
            Content::Bytes(_) => None,
        }
    }
}

/// Whether an artifact is evidence as received or something sigillo made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Bytes as received or as produced by the acquisition instrument, unchanged.
    Original,
    /// Made by sigillo from other files of the same item (paths relative to the item).
    Derived {
        /// The item-relative paths this file was made from.
        from: Vec<String>,
    },
}

/// One file to be sealed into an item.
#[derive(Debug)]
pub struct Artifact {
    /// Path inside the item folder, `/`-separated, e.g. `original/photo.jpg`.
    pub path: String,
    /// The bytes.
    pub content: Content,
    /// Original or derived.
    pub role: Role,
    /// IANA media type; `None` lets the sealer sniff it from the content.
    pub media_type: Option<String>,
    /// Provenance of this file (source URL, path as given, original name, mtime …).
    pub source: Source,
    /// A short human description ("full-page screenshot", "transcript (HTML)").
    pub description: Option<String>,
    /// Its media facts, being computed ahead of sealing ([`Ahead`]); `None`: sealing
    /// computes them.
    pub ahead: Option<Ahead>,
}

/// Media facts and metadata ([`crate::evidence::media::facts_and_metadata`]).
pub type MediaAnalysis = (crate::evidence::manifest::MediaFacts, Option<Vec<u8>>);

/// The media facts of an artifact's bytes, computed on a thread of their own before it is
/// sealed: a web capture starts them for its screenshots while Chromium prints, so
/// sealing finds them done instead of decoding and hashing the images then. The same
/// function on the same bytes as sealing would use; sealing takes the result only for the
/// media type it settles on.
pub struct Ahead {
    media_type: String,
    pending: Pending,
}

/// Where an [`Ahead`] result comes from.
enum Pending {
    /// A thread of its own.
    Thread(std::thread::JoinHandle<MediaAnalysis>),
    /// A thread working through several files in turn ([`Ahead::start_many`]).
    Queued(std::sync::mpsc::Receiver<MediaAnalysis>),
}

/// Media to analyse ahead, owned by the analysing thread.
pub enum AheadMedia {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A file, read where it is.
    File(std::path::PathBuf),
}

impl Ahead {
    /// Start computing the facts of `bytes`, to be sealed at `path` with `media_type`
    /// (`original`: an original file, whose metadata is extracted too). `None` when no
    /// thread could be started (sealing then computes them).
    pub fn start(bytes: Vec<u8>, media_type: &str, path: &str, original: bool) -> Option<Ahead> {
        let (mt, p) = (media_type.to_string(), path.to_string());
        Self::on_thread(media_type, move || {
            let media = crate::evidence::media::Media::Bytes(&bytes);
            crate::evidence::media::facts_and_metadata(media, &mt, original, &p)
        })
    }

    /// Start computing the facts of a PNG sigillo encoded from `pixels` (a derived file:
    /// no metadata is extracted), from the pixels: see
    /// [`crate::evidence::media::analyze_own_png`].
    pub fn start_own_png(png: Vec<u8>, pixels: image::DynamicImage) -> Option<Ahead> {
        Self::on_thread("image/png", move || {
            (crate::evidence::media::analyze_own_png(&png, pixels), None)
        })
    }

    /// Start computing the facts of several original images, one after the other on one
    /// thread (a page may have loaded hundreds: not a thread each). Each is `(media, media
    /// type)`; the answers are in the same order. An image of more than `max_pixels` (or
    /// whose size cannot be read from its header) is left to sealing, which decodes one
    /// big image at a time once the capture's own memory is freed. Empty when no thread
    /// could be started.
    pub fn start_many(jobs: Vec<(AheadMedia, String)>, max_pixels: u64) -> Vec<Ahead> {
        let mut out = Vec::with_capacity(jobs.len());
        let mut work = Vec::with_capacity(jobs.len());
        for (media, mt) in jobs {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            out.push(Ahead {
                media_type: mt.clone(),
                pending: Pending::Queued(rx),
            });
            work.push((media, mt, tx));
        }
        let started = std::thread::Builder::new()
            .name("sigillo-media-ahead".into())
            .spawn(move || {
                for (media, mt, tx) in work {
                    let media_ref = match &media {
                        AheadMedia::Bytes(b) => crate::evidence::media::Media::Bytes(b),
                        AheadMedia::File(p) => crate::evidence::media::Media::File(p),
                    };
                    let pixels = crate::evidence::media::header_pixels(media_ref);
                    if pixels.is_none_or(|n| n > max_pixels) {
                        // Dropping `tx`: its Ahead answers nothing, sealing computes it.
                        continue;
                    }
                    // Not a stream segment (those are never analysed ahead): the path
                    // only tells facts_and_metadata that.
                    let r = crate::evidence::media::facts_and_metadata(
                        media_ref,
                        &mt,
                        true,
                        "original/",
                    );
                    crate::trace::step("media facts ahead: a page image");
                    // An answer no one waits for any more (the file was not kept) is dropped.
                    let _ = tx.send(r);
                }
            });
        if started.is_err() {
            return Vec::new();
        }
        out
    }

    fn on_thread(
        media_type: &str,
        job: impl FnOnce() -> MediaAnalysis + Send + 'static,
    ) -> Option<Ahead> {
        let handle = std::thread::Builder::new()
            .name("sigillo-media-ahead".into())
            .spawn(|| {
                let r = job();
                crate::trace::step("media facts ahead: one file");
                r
            })
            .ok()?;
        Some(Ahead {
            media_type: media_type.to_string(),
            pending: Pending::Thread(handle),
        })
    }

    /// The facts, if they were computed for `media_type` (and their thread did not fail).
    pub fn result(self, media_type: &str) -> Option<MediaAnalysis> {
        if self.media_type != media_type {
            return None;
        }
        match self.pending {
            Pending::Thread(h) => h.join().ok(),
            Pending::Queued(rx) => rx.recv().ok(),
        }
    }
}

impl std::fmt::Debug for Ahead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ahead")
            .field("media_type", &self.media_type)
            .finish_non_exhaustive()
    }
}

impl Artifact {
    /// An original artifact with no provenance fields yet.
    pub fn original(path: impl Into<String>, content: Content) -> Self {
        Artifact {
            path: path.into(),
            content,
            role: Role::Original,
            media_type: None,
            source: Source::default(),
            description: None,
            ahead: None,
        }
    }

    /// A derived artifact made from `from` (item-relative paths).
    pub fn derived(path: impl Into<String>, content: Content, from: Vec<String>) -> Self {
        Artifact {
            path: path.into(),
            content,
            role: Role::Derived { from },
            media_type: None,
            source: Source::default(),
            description: None,
            ahead: None,
        }
    }

    /// Set the media type.
    pub fn media_type(mut self, mt: impl Into<String>) -> Self {
        self.media_type = Some(mt.into());
        self
    }

    /// Its media facts, being computed ahead of sealing.
    pub fn analysed_ahead(mut self, ahead: Option<Ahead>) -> Self {
        self.ahead = ahead;
        self
    }

    /// Set the description.
    pub fn describe(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Record where a file came from: the path as given, its name and modification time.
    pub fn from_file(mut self, path: &std::path::Path) -> Self {
        self.source.path_as_given = Some(path.display().to_string());
        self.source.name = Some(
            path.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        );
        if let Ok(m) = std::fs::metadata(path).and_then(|m| m.modified()) {
            self.source.mtime = Some(crate::time::rfc3339(
                &chrono::DateTime::<chrono::Utc>::from(m),
            ));
        }
        self
    }

    /// Record the URL the bytes were received from.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.source.url = Some(url.into());
        self
    }

    /// Record the origin (scheme://host:port) that presented these bytes.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.source.origin = Some(origin.into());
        self
    }
}

/// Everything one acquisition produced, before it is sealed.
#[derive(Debug)]
pub struct Acquisition {
    /// Item kind.
    pub kind: ItemKind,
    /// Short ASCII name for the item folder (`[a-z0-9-]`, sanitised again when sealing).
    pub slug: String,
    /// What the user asked for (URL, paths as given …).
    pub input: Map<String, Value>,
    /// When the acquisition started.
    pub started: Stamp,
    /// When it finished (before sealing).
    pub finished: Stamp,
    /// The files.
    pub artifacts: Vec<Artifact>,
    /// Kind-specific facts (network facts, environment, chat summary …).
    pub facts: Map<String, Value>,
    /// Every transformation the acquisition applied (scrolling, header stripping …).
    pub transformations: Vec<String>,
    /// Things the user should know that did not stop the acquisition.
    pub warnings: Vec<String>,
    /// For a `recheck` acquisition: the id of the item it re-checks (the manifest's
    /// `rechecks`).
    pub rechecks: Option<String>,
    /// For a later page of a thread (`capture --follow-next`): the page it was reached
    /// from (the manifest's `follows`).
    pub follows: Option<crate::evidence::manifest::Follows>,
    /// Private temp folders holding files that artifacts point to (`Content::File`, e.g. a
    /// chat transcript written while streaming): removed when the acquisition drops (after
    /// sealing) and on interruption.
    pub scratch: Vec<crate::cleanup::Guard>,
}

impl Acquisition {
    /// A new private temp folder (0700) in the system temp folder (`TMPDIR`), removed
    /// when the acquisition drops and on interruption.
    pub fn scratch_dir(&mut self) -> crate::error::Result<PathBuf> {
        use crate::error::IoContext;
        let parent = std::env::temp_dir();
        let dir = tempfile::Builder::new()
            .prefix("sigillo-scratch-")
            .tempdir_in(&parent)
            .at("create a temp folder in", &parent)?
            .keep();
        self.scratch.push(crate::cleanup::register(&dir));
        Ok(dir)
    }

    /// An empty acquisition of `kind` starting now.
    pub fn start(kind: ItemKind, slug: &str) -> Self {
        let now = Stamp::now();
        Acquisition {
            kind,
            slug: slug.to_string(),
            input: Map::new(),
            started: now,
            finished: now,
            artifacts: Vec::new(),
            facts: Map::new(),
            transformations: Vec::new(),
            warnings: Vec::new(),
            rechecks: None,
            follows: None,
            scratch: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Ahead, AheadMedia};
    use crate::evidence::media::{Media, facts_and_metadata};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn images_analysed_ahead_get_the_facts_sealing_would_give() {
        let dir = tempfile::tempdir().unwrap();
        let (small, big) = (png(64, 48), png(300, 200));
        let file = dir.path().join("body");
        std::fs::write(&file, &small).unwrap();
        let jobs = vec![
            (AheadMedia::Bytes(small.clone()), "image/png".to_string()),
            (AheadMedia::File(file.clone()), "image/png".to_string()),
            (AheadMedia::Bytes(big), "image/png".to_string()),
            (
                AheadMedia::Bytes(b"not an image".to_vec()),
                "image/png".to_string(),
            ),
        ];
        let mut aheads = Ahead::start_many(jobs, 10_000).into_iter();
        let want = facts_and_metadata(
            Media::Bytes(&small),
            "image/png",
            true,
            "original/media/001-a.png",
        );
        for _ in 0..2 {
            let got = aheads.next().unwrap().result("image/png").unwrap();
            assert_eq!(got.0, want.0);
            assert_eq!(got.1, want.1);
        }
        // Over the pixel limit, or no readable header: left to sealing.
        assert!(aheads.next().unwrap().result("image/png").is_none());
        assert!(aheads.next().unwrap().result("image/png").is_none());
    }

    #[test]
    fn a_result_is_taken_only_for_the_media_type_sealing_settles_on() {
        let a = Ahead::start_many(
            vec![(AheadMedia::Bytes(png(8, 8)), "image/png".into())],
            100,
        );
        assert!(a.into_iter().next().unwrap().result("image/jpeg").is_none());
    }
}
