//! The evidence layer: everything that makes bytes provable.
//!
//! - [`hash`]: streaming SHA-256 (and MD5) of files, in parallel;
//! - [`keys`]: Ed25519 keys, fingerprints, PEM files, passphrases;
//! - [`manifest`]: the signed description of one item;
//! - [`custody`]: the hash-chained, signed custody log;
//! - [`tsp`]: RFC 3161 trusted timestamps, and [`stamping`] which applies them;
//! - [`x509sign`] (PKCS#12 files, and [`pkcs11`] tokens) and [`cades`]: X.509 co-signatures
//!   that name a person, made and checked;
//! - [`media`] and [`pdq`]: image and video facts: MD5, PDQ perceptual hash, metadata;
//! - [`encryption`]: item files as age files to the bundle's recipients, and the
//!   encrypted private part of a manifest.

pub mod ber;
pub mod cades;
pub mod custody;
pub mod encryption;
pub mod hash;
pub mod keys;
pub mod manifest;
pub mod media;
pub mod pdq;
pub mod pkcs11;
pub mod revocation;
pub mod stamping;
pub mod trusted_list;
pub mod tsd;
pub mod tsp;
pub mod video;
pub mod x509sign;
