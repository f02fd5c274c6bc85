//! Image and media facts for the manifest: MD5, PDQ hash and quality, dimensions,
//! decoded format; and embedded metadata (EXIF, XMP, IPTC markers, C2PA presence) for a
//! derived `metadata.json`.
//!
//! A file that does not decode is recorded as such (`media_error`), its hashes still
//! computed: a corrupt image is evidence too. Decoding is bounded: images above
//! [`MAX_DECODE_PIXELS`] are not decoded.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use md5::{Digest, Md5};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evidence::manifest::{ImageFacts, MediaFacts};
use crate::evidence::pdq;

/// Largest image (in pixels) sigillo decodes for PDQ.
pub const MAX_DECODE_PIXELS: u64 = 100_000_000;
/// PDQ quality below which a hash is unreliable for matching (the reference's advice).
pub const PDQ_MIN_QUALITY: u32 = 50;

/// Where media bytes are: a file, or bytes already in memory (never copied to a
/// temporary file: that would leave a plaintext copy of evidence behind on a crash).
#[derive(Debug, Clone, Copy)]
pub enum Media<'a> {
    /// A file on disk.
    File(&'a Path),
    /// Bytes in memory.
    Bytes(&'a [u8]),
}

/// A readable, seekable, buffered view of media bytes.
trait Source: BufRead + Seek {}
impl<T: BufRead + Seek> Source for T {}

impl Media<'_> {
    fn open(&self) -> std::io::Result<Box<dyn Source + '_>> {
        Ok(match self {
            Media::File(p) => Box::new(BufReader::new(File::open(p)?)),
            Media::Bytes(b) => Box::new(Cursor::new(*b)),
        })
    }
}

/// An image's size in pixels, from its header alone (no decoding); `None` when the header
/// cannot be read.
pub fn header_pixels(media: Media) -> Option<u64> {
    image::ImageReader::new(media.open().ok()?)
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
        .map(|(w, h)| u64::from(w) * u64::from(h))
}

/// Whether a media type is an image, video or audio.
pub fn is_media(media_type: &str) -> bool {
    media_type.starts_with("image/")
        || media_type.starts_with("video/")
        || media_type.starts_with("audio/")
}

/// MD5 of a file, streaming (for video hash lists and legacy systems).
pub fn md5_file(path: &Path) -> std::io::Result<String> {
    md5_of(Media::File(path))
}

fn md5_of(media: Media) -> std::io::Result<String> {
    let mut f = media.open()?;
    let mut h = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// The media facts of a file (MD5; dimensions, format and PDQ of an image) and, for an
/// original or a derived video, its embedded metadata and video facts as JSON (`None`:
/// nothing to say). `path` is the item-relative path: a captured stream's segments are not
/// probed one by one.
pub fn facts_and_metadata(
    media: Media,
    media_type: &str,
    original: bool,
    path: &str,
) -> (MediaFacts, Option<Vec<u8>>) {
    if !is_media(media_type) {
        return (MediaFacts::default(), None);
    }
    let facts = analyze(media, media_type);
    // Originals, and derived videos (a joined stream): their ffprobe facts.
    let meta = if original || media_type.starts_with("video/") {
        metadata_json_with(media, media_type, stream_segment(path))
    } else {
        None
    };
    (facts, meta)
}

/// A media segment of a captured video stream (`original/stream/N/…`, not its init
/// segment): not probed one by one (a capture may hold thousands, and a lone fMP4 fragment
/// has no header to read); the joined `derived/stream-N.mp4` is.
fn stream_segment(path: &str) -> Option<&'static str> {
    let name = path.strip_prefix("original/stream/")?.rsplit('/').next()?;
    (!name.contains("init")).then_some(
        "a segment of a video stream: not probed one by one; the stream's facts are those of the joined derived/stream-N.mp4 (when made) and of its init segment",
    )
}

/// Facts to merge into a manifest file entry: `md5`, and for images
/// `image: {width, height, format, pdq, pdq_quality, orientation?}` or `media_error`.
pub fn analyze(media: Media, media_type: &str) -> MediaFacts {
    analyze_with(media, media_type, None)
}

/// [`analyze`] of a PNG that sigillo encoded itself from `pixels` (the annotated
/// screenshot): the same facts, without decoding what was just encoded.
pub fn analyze_own_png(png: &[u8], pixels: image::DynamicImage) -> MediaFacts {
    analyze_with(Media::Bytes(png), "image/png", Some(pixels))
}

/// [`analyze`], with the image's pixels when they are at hand already (then `media` is
/// the PNG they were encoded to).
fn analyze_with(media: Media, media_type: &str, pixels: Option<image::DynamicImage>) -> MediaFacts {
    let mut m = MediaFacts::default();
    match md5_of(media) {
        Ok(h) => m.md5 = Some(h),
        Err(e) => {
            m.media_error = Some(format!("could not read: {e}"));
            return m;
        }
    }
    if !media_type.starts_with("image/") || media_type == "image/svg+xml" {
        return m;
    }
    let decoded = match pixels {
        Some(img) => {
            let lease = Lease::take(img.width() as u64 * img.height() as u64 * BYTES_PER_PIXEL);
            Ok((img, "png".to_string(), lease))
        }
        None => decode(media),
    };
    match decoded {
        Ok((img, format, lease)) => {
            let (width, height) = (img.width(), img.height());
            let (pdq, pdq_quality) = pdq::pdq_owned(img);
            drop(lease);
            m.media_error = truncation(media, &format);
            m.image = Some(ImageFacts {
                width,
                height,
                format,
                pdq,
                pdq_quality,
                orientation: exif_orientation(media),
            });
        }
        Err(e) => m.media_error = Some(e),
    }
    m
}

/// Memory that the images being decoded at one time may take (their pixels and PDQ's
/// float planes, about 11 bytes a pixel), over all threads: media analysis runs on every
/// core, and a few big photos decoded at once would take far more memory than the rest
/// of a capture. An image bigger than the whole budget waits until it can run alone.
const DECODE_BUDGET: u64 = 128 << 20;
/// Bytes a decoded pixel costs while its PDQ is computed (RGB, then two `f32` planes).
const BYTES_PER_PIXEL: u64 = 11;

static DECODING: (std::sync::Mutex<u64>, std::sync::Condvar) =
    (std::sync::Mutex::new(0), std::sync::Condvar::new());

/// A share of [`DECODE_BUDGET`], given back when dropped.
struct Lease(u64);

impl Lease {
    fn take(bytes: u64) -> Lease {
        let want = bytes.min(DECODE_BUDGET);
        let (used, freed) = &DECODING;
        let mut used = used.lock().unwrap_or_else(|e| e.into_inner());
        while *used + want > DECODE_BUDGET {
            used = freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += want;
        Lease(want)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let (used, freed) = &DECODING;
        let mut used = used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= self.0;
        freed.notify_all();
    }
}

fn decode(media: Media) -> Result<(image::DynamicImage, String, Lease), String> {
    let reader = image::ImageReader::new(media.open().map_err(|e| format!("could not open: {e}"))?)
        .with_guessed_format()
        .map_err(|e| format!("could not read: {e}"))?;
    let format = reader
        .format()
        .map(|f| format!("{f:?}").to_lowercase())
        .ok_or("unrecognised image format")?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| format!("corrupt or truncated {format} image: {e}"))?;
    if (w as u64) * (h as u64) > MAX_DECODE_PIXELS {
        return Err(format!(
            "{w}x{h} pixels: too large to decode for a perceptual hash"
        ));
    }
    let lease = Lease::take(w as u64 * h as u64 * BYTES_PER_PIXEL);
    let mut reader = image::ImageReader::new(media.open().map_err(|e| e.to_string())?)
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    reader.no_limits();
    let img = reader
        .decode()
        .map_err(|e| format!("corrupt or truncated {format} image: {e}"))?;
    Ok((img, format, lease))
}

/// Decoders fill in what is missing from a cut-off file; say so when the end marker
/// of a JPEG or PNG is absent.
fn truncation(media: Media, format: &str) -> Option<String> {
    let mut f = media.open().ok()?;
    let len = f.seek(SeekFrom::End(0)).ok()?;
    let tail_len = len.min(64 * 1024);
    f.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).ok()?;
    let ok = match format {
        "jpeg" => tail.windows(2).any(|w| w == [0xFF, 0xD9]),
        "png" => tail.windows(4).any(|w| w == b"IEND"),
        _ => true,
    };
    (!ok).then(|| format!("truncated {format} file (no end marker): the decoder filled in the missing part; the PDQ hash is of what was there"))
}

fn exif_orientation(media: Media) -> Option<u32> {
    let mut f = media.open().ok()?;
    let ex = exif::Reader::new().read_from_container(&mut f).ok()?;
    ex.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)
}

/// Software names that indicate editing or generation (a fact to report, not a verdict).
const EDITING_SOFTWARE: &[&str] = &[
    "photoshop",
    "gimp",
    "lightroom",
    "affinity",
    "pixelmator",
    "snapseed",
    "facetune",
    "picsart",
    "canva",
    "stable diffusion",
    "midjourney",
    "dall",
    "firefly",
    "faceapp",
    "deepfacelab",
    "comfyui",
    "automatic1111",
];

/// IPTC DigitalSourceType values that say the image was generated or composited by software.
const SYNTHETIC_SOURCE_TYPES: &[&str] = &[
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "algorithmicMedia",
    "compositeSynthetic",
    "algorithmicallyEnhanced",
    "composite",
];

/// A fact found in a file's metadata that suggests generation or editing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Marker {
    /// What kind of marker.
    pub marker: String,
    /// What was found.
    pub value: String,
}

/// `derived/metadata/<file>.json` (`sigillo-metadata/1`): the embedded metadata of an
/// original image or video (and of a video sigillo derived, such as a joined stream).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "sigillo embedded metadata (sigillo-metadata/1)")]
pub struct MetadataFile {
    /// `sigillo-metadata/1`.
    pub format: String,
    /// EXIF fields as displayed by kamadak-exif (`Tag (IFD)` for non-primary IFDs).
    pub exif: BTreeMap<String, String>,
    /// Selected XMP properties, when an XMP packet is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xmp: Option<BTreeMap<String, String>>,
    /// Whether an XMP packet is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xmp_present: Option<bool>,
    /// Fields that can reveal a person's location (GPS).
    pub sensitive_fields: Vec<String>,
    /// Why the sensitive fields matter, when there are any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive_note: Option<String>,
    /// Markers of generated or edited media.
    pub manipulation_markers: Vec<Marker>,
    /// What the markers do and do not mean.
    pub markers_note: String,
    /// For a video: duration, codecs, resolution and frame rate as ffprobe read them, or
    /// `probed: false` and why (ffprobe not installed, could not read the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<crate::evidence::video::VideoFacts>,
}

/// `metadata.json` for an original media file: EXIF fields, XMP packet facts, markers
/// of generated or manipulated media, video facts (ffprobe). `None` when the file holds
/// no metadata at all (never for a video: its facts, or why there are none, are always there).
pub fn metadata_json(media: Media, media_type: &str) -> Option<Vec<u8>> {
    metadata_json_with(media, media_type, None)
}

/// [`metadata_json`], with the video facts given instead of probed (`not_probed`: why a
/// video is not probed, e.g. a segment of a stream whose joined file is probed).
pub fn metadata_json_with(
    media: Media,
    media_type: &str,
    not_probed: Option<&str>,
) -> Option<Vec<u8>> {
    if !media_type.starts_with("image/") && !media_type.starts_with("video/") {
        return None;
    }
    let (exif, sensitive) = exif_fields(media);
    // Scan the first 16 MiB for XMP and C2PA markers (they sit near the start of a file).
    let mut head = Vec::new();
    if let Ok(f) = media.open() {
        let _ = f.take(16 << 20).read_to_end(&mut head);
    }
    let text = String::from_utf8_lossy(&head);
    let (xmp, mut markers) = xmp_facts(&text);
    if head.windows(4).any(|w| w == b"jumb") && (text.contains("c2pa") || text.contains("C2PA"))
        || head.windows(4).any(|w| w == b"caBX")
    {
        markers.push(marker(
            "C2PA manifest present",
            "content credentials embedded (not validated)",
        ));
    }
    let named = |m: &Option<&String>| m.map(|s| s.to_lowercase()).unwrap_or_default();
    let software = named(&exif.get("Software"))
        + " "
        + &named(&xmp.as_ref().and_then(|x| x.get("xmp:CreatorTool")));
    for s in EDITING_SOFTWARE.iter().filter(|s| software.contains(*s)) {
        markers.push(marker("editing or generation software named", s));
    }
    // Every video gets its facts (or why there are none).
    let video = media_type.starts_with("video/").then(|| match not_probed {
        Some(why) => crate::evidence::video::VideoFacts::not_probed(why),
        None => crate::evidence::video::probe(media),
    });
    if exif.is_empty()
        && xmp.as_ref().is_none_or(BTreeMap::is_empty)
        && markers.is_empty()
        && video.is_none()
    {
        return None;
    }
    let file = MetadataFile {
        format: "sigillo-metadata/1".into(),
        xmp_present: xmp.as_ref().map(|_| true),
        xmp: xmp.filter(|x| !x.is_empty()),
        exif,
        sensitive_note: (!sensitive.is_empty()).then(|| "GPS fields can reveal where the person lives or was; share this file only as needed".into()),
        sensitive_fields: sensitive,
        manipulation_markers: markers,
        markers_note: "markers are facts found in the file's metadata; metadata can be removed or forged, so their absence or presence is not a verdict on authenticity".into(),
        video,
    };
    crate::evidence::manifest::canonical(&file).ok()
}

fn marker(marker: &str, value: &str) -> Marker {
    Marker {
        marker: marker.into(),
        value: value.into(),
    }
}

/// Every EXIF field as displayed, and the names of the GPS (location) fields.
fn exif_fields(media: Media) -> (BTreeMap<String, String>, Vec<String>) {
    let mut fields = BTreeMap::new();
    let mut sensitive = Vec::new();
    let Ok(mut f) = media.open() else {
        return (fields, sensitive);
    };
    let Ok(ex) = exif::Reader::new().read_from_container(&mut f) else {
        return (fields, sensitive);
    };
    for field in ex.fields() {
        let name = format!("{}", field.tag);
        let value = field.display_value().with_unit(&ex).to_string();
        if name.starts_with("GPS") {
            sensitive.push(name.clone());
        }
        let key = if field.ifd_num == exif::In::PRIMARY {
            name
        } else {
            format!("{name} ({})", field.ifd_num)
        };
        fields.insert(key, value);
    }
    (fields, sensitive)
}

/// The XMP packet's telling properties (`None` when there is no packet) and its IPTC
/// DigitalSourceType marker, if it says the image was generated or composited.
fn xmp_facts(text: &str) -> (Option<BTreeMap<String, String>>, Vec<Marker>) {
    let (Some(a), Some(b)) = (text.find("<x:xmpmeta"), text.find("</x:xmpmeta>")) else {
        return (None, Vec::new());
    };
    if b <= a {
        return (None, Vec::new());
    }
    let packet = &text[a..b];
    let mut markers = Vec::new();
    if let Some(t) = SYNTHETIC_SOURCE_TYPES.iter().find(|t| {
        packet.contains(&format!("digitalsourcetype/{t}"))
            || packet.contains(&format!("digitalsourcetype#{t}"))
            || packet.contains(&format!(">{t}<"))
            || packet.contains(&format!("\"{t}\""))
    }) {
        markers.push(marker("IPTC DigitalSourceType", t));
    }
    let mut xmp = BTreeMap::new();
    for key in [
        "xmp:CreatorTool",
        "photoshop:History",
        "xmpMM:History",
        "Iptc4xmpExt:DigitalSourceType",
        "dc:creator",
        "xmp:CreateDate",
        "xmp:ModifyDate",
    ] {
        if let Some(i) = packet.find(key) {
            let snippet: String = packet[i..].chars().take(200).collect();
            let value = snippet
                .split(['<', '\n'])
                .take(2)
                .collect::<Vec<_>>()
                .join("")
                .trim()
                .to_string();
            xmp.insert(key.to_string(), value);
        }
    }
    (Some(xmp), markers)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The annotated screenshot's facts, taken from its pixels, are those decoding it gives.
    #[test]
    fn own_png_facts_are_the_decoded_facts() {
        let img = image::RgbImage::from_fn(97, 61, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 11) as u8, ((x ^ y) * 3) as u8])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img.clone())
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let decoded = analyze(Media::Bytes(&png), "image/png");
        let own = analyze_own_png(&png, image::DynamicImage::ImageRgb8(img));
        assert!(decoded.image.is_some());
        assert_eq!(own, decoded);
    }
}
