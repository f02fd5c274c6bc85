//! Image and media facts: MD5, PDQ perceptual hash and quality, dimensions, metadata.
