//! Image and media facts: MD5, PDQ perceptual hash and quality, dimensions, metadata.

use std::path::Path;

use serde_json::{Map, Value};

/// Whether a media type is an image, video or audio.
pub fn is_media(media_type: &str) -> bool {
    media_type.starts_with("image/")
        || media_type.starts_with("video/")
        || media_type.starts_with("audio/")
}

/// Facts to merge into a manifest file entry.
pub fn analyze(_path: &Path, _media_type: &str) -> Map<String, Value> {
    Map::new()
}

/// metadata.json content, if any.
pub fn metadata_json(_path: &Path, _media_type: &str) -> Option<Vec<u8>> {
    None
}
