//! Sealing: everything that writes a bundle. [`seal`] turns an [`Acquisition`] into a
//! signed item and appends it; [`append_custody`] adds a custody entry; [`add_timestamps`]
//! adds trusted timestamps. Each locks the bundle's folder, verifies the existing bundle
//! and refuses one that does not verify, copies every earlier member byte for byte,
//! regenerates the bundle-level files (custody log, report, VERIFY.md, SHA256SUMS and its
//! signature) and replaces the bundle atomically. See `docs/bundle-format.md`.

mod convert;
mod cosign;
mod custody_add;
pub mod custody_request;
mod encrypt;
mod finish;
mod item;
mod prepare;
mod report_html;
mod timestamps;
mod verify_md;

pub use convert::{Converted, Direction, convert};
pub use cosign::{Cosigned, add_cosignatures};
pub use custody_add::append_custody;
pub use finish::open_verified;
pub use item::seal;
pub use timestamps::{Stamped, add_timestamps};

use std::time::Duration;

use crate::evidence::custody::Actor;
use crate::evidence::keys::Key;
use crate::evidence::x509sign::CertSigner;
use crate::progress::Progress;

/// Who signs: the key and the person behind it, and any X.509 co-signers.
pub struct Signer {
    /// The private key.
    pub key: Key,
    /// Name, role, organisation.
    pub actor: Actor,
    /// X.509 signers (`--signer`): each adds a CAdES co-signature to every manifest sealed.
    pub cosigners: Vec<Box<dyn CertSigner>>,
}

/// Options for sealing an item.
#[derive(Default, Clone)]
pub struct SealOptions {
    /// Case id (required to match an existing bundle's).
    pub case: Option<String>,
    /// Free-text note for the item and its custody entry.
    pub note: Option<String>,
    /// RFC 3161 TSA URLs.
    pub tsa: Vec<crate::evidence::stamping::TsaEndpoint>,
    /// Fail (write nothing) when any TSA fails.
    pub require_tsa: bool,
    /// TSA request timeout.
    pub tsa_timeout: Option<Duration>,
    /// Where to report progress of hashing and writing the files.
    pub progress: Progress,
    /// `--encrypt-to`: encrypt the item's files to these recipients (a bundle that is
    /// already encrypted is appended to with its own recipients; see
    /// [`crate::evidence::encryption`]).
    pub encrypt_to: Option<std::sync::Arc<crate::evidence::encryption::Recipients>>,
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
    /// Warnings (acquisition warnings, then TSA failures).
    pub warnings: Vec<String>,
    /// Why a TSA gave no timestamp (also in `warnings`).
    pub tsa_failures: Vec<String>,
    /// The case id.
    pub case_id: String,
}
