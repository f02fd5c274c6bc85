//! The verdict: every check a court needs, one line each, and precise failures.
//!
//! [`verify`] runs one check function per layer, in this order (each failure names what
//! and where):
//! 1. [`archive`]: readable, no prepended data, safe and unique names, and every member read
//!    once: a member that cannot be read is reported here *and* by every later check that
//!    needs it (its item's file check, SHA256SUMS), never passed over;
//! 2. keys: every `keys/*.pub.pem` parses and its name matches its fingerprint;
//! 3. [`items`]: each manifest is canonical, signed by the key it names, lists exactly the
//!    files present with the right sizes and SHA-256 — nothing missing, extra or swapped —
//!    and the trusted timestamps over its signature;
//! 4. [`custody`]: links, signatures, sequence, times, tokens, and that it matches the items;
//!    every stored key is used;
//! 5. [`sums`]: SHA256SUMS lists every other member with the right hash and is signed by
//!    the last custodian;
//! 6. [`order`]: canonical member order, bundle files present;
//! 7. [`trust`]: which signers are pinned with `--trust`, and what the times rest on.
//!
//! The library returns a [`Report`]; only the CLI prints it. Every value taken from the
//! bundle is shown through [`crate::text::clip`]: a hostile bundle cannot break a message.

mod archive;
mod cosign;
mod custody;
mod encrypted;
mod items;
mod order;
mod report;
mod sums;
pub mod token;
mod trust;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use report::{
    Check, CheckKind, Cosignature, CosignatureStatus, Report, Signer, SignerKind, Status,
    TimeBasis, TimestampRecord,
};

use crate::bundle::reader::BundleReader;
use crate::bundle::state::BundleState;
use crate::error::{Error, Result};
use crate::evidence::custody::Verdict;
use crate::evidence::hash::Digest256;
use crate::evidence::keys::{self, TrustRef};
use crate::evidence::stamping::{self, Anchors};

/// Options for verification.
#[derive(Default)]
pub struct VerifyOptions {
    /// `--trust` arguments: public key files or fingerprints.
    pub trust: Vec<String>,
    /// `--tsa-ca` PEM files.
    pub tsa_ca: Vec<PathBuf>,
    /// Where to report progress of reading and hashing the members.
    pub progress: crate::progress::Progress,
    /// An EU trusted list (`--trusted-list`): says whether each TSA was qualified.
    pub trusted_list: Option<PathBuf>,
    /// `--signer-ca` PEM files: the roots X.509 co-signers must chain to.
    pub signer_ca: Vec<PathBuf>,
    /// `--identity`: decrypt encrypted items and check their plaintext hashes too.
    pub identities: Option<std::sync::Arc<crate::evidence::encryption::Identities>>,
}

/// Verify the bundle at `path`. Errors only when it cannot be read at all (exit 2);
/// everything else is a check in the report.
pub fn verify(path: &Path, opts: &VerifyOptions) -> Result<Report> {
    let trust: Vec<TrustRef> = opts
        .trust
        .iter()
        .map(|t| keys::parse_trust(t))
        .collect::<Result<_>>()?;
    let anchors = stamping::anchors_for(&opts.tsa_ca)?;
    let list = opts
        .trusted_list
        .as_deref()
        .map(crate::evidence::trusted_list::TrustedList::load)
        .transpose()?;
    let signer_anchors = if opts.signer_ca.is_empty() {
        crate::evidence::tsp::TrustAnchors::system()
    } else {
        crate::evidence::tsp::TrustAnchors::from_pem_files(&opts.signer_ca)?
    };
    let reader = BundleReader::open(path)?;
    not_a_bundle(path, &reader)?;
    let mut cx = Ctx::new(&reader, &anchors, &signer_anchors);
    cx.trusted_list = list.as_ref();
    cx.identities = opts.identities.as_deref();

    let bundle_sha256 = archive::members(&mut cx, &opts.progress);
    archive::keys(&mut cx);
    custody::read(&mut cx);
    items::all(&mut cx);
    custody::chain(&mut cx);
    custody::items_belong_to_case(&mut cx);
    archive::keys_used(&mut cx);
    sums::sums(&mut cx);
    order::canonical_order(&mut cx);
    if let Some(env) = reader.envelope() {
        cosign::envelope(&mut cx, env);
    }
    let signers = trust::signers(&mut cx, &trust);
    let time_basis = trust::time_basis(&cx);
    if cx.encryption.items > 0 && cx.encryption.plain_items > 0 {
        cx.checks.fail(
            CheckKind::Item,
            "(bundle)",
            "some items are encrypted and others are not: the plain ones are readable by anyone",
        );
    }
    let encryption = encrypted::statement(&cx.encryption, cx.identities.is_some()).map(|s| {
        report::EncryptionSummary {
            items: cx.encryption.items,
            files: cx.encryption.files,
            decrypted_files: cx.encryption.decrypted,
            recipients: cx.encryption.recipients.iter().cloned().collect(),
            statement: s,
        }
    });

    let checks = cx.checks.0;
    let failures: Vec<Check> = checks
        .iter()
        .filter(|x| x.status == Status::Fail)
        .cloned()
        .collect();
    Ok(Report {
        format: "sigillo-verify/1",
        bundle: path.display().to_string(),
        bundle_sha256,
        verdict: if failures.is_empty() {
            Verdict::Verified
        } else {
            Verdict::Failed
        },
        checks,
        failures,
        signers,
        trust_pinned: !trust.is_empty(),
        timestamps: cx.timestamps,
        cosignatures: cx.cosignatures,
        time_basis,
        encryption,
        state: cx.st,
    })
}

/// A ZIP with none of a bundle's members (no `items/`, `keys/`, custody log or
/// SHA256SUMS) is some other file, not a damaged bundle: say so (exit 2) instead of
/// listing what it lacks.
fn not_a_bundle(path: &Path, reader: &BundleReader) -> Result<()> {
    use crate::bundle::layout;
    let ours = reader.members.iter().any(|m| {
        m.name.starts_with(layout::ITEMS_DIR)
            || m.name.starts_with(layout::KEYS_DIR)
            || m.name == layout::CUSTODY
            || m.name == layout::SUMS
    });
    if ours || !reader.problems.is_empty() {
        return Ok(());
    }
    Err(Error::input(format!(
        "'{}' is a ZIP file but not a sigillo bundle (it has no items/, keys/, custody.jsonl or SHA256SUMS)",
        path.display()
    ))
    .with_fix(format!(
        "give the case .zip written by sigillo; to preserve this file itself as evidence: sigillo add {} -o case.zip",
        keys::shell_quote(&path.display().to_string())
    )))
}

/// How reading one member in full went: each member gets exactly one such verdict, and
/// every check that needs the member reports from it.
#[derive(Debug, Clone)]
enum MemberRead {
    /// Read in full, CRC-32 and size as declared.
    Ok(Digest256),
    /// Could not be read in full. `actual` is the SHA-256 of what it holds when that could
    /// still be computed (bytes read without the CRC-32 check).
    Unreadable {
        reason: String,
        actual: Option<String>,
    },
}

/// "cannot be read: <reason>; expected SHA-256 <x>[, actual <y>]".
fn unreadable_message(reason: &str, expected: &str, actual: Option<&str>) -> String {
    let expected = crate::text::clip(expected, 80);
    match actual {
        Some(a) => format!("cannot be read: {reason}; expected SHA-256 {expected}, actual {a}"),
        None => format!("cannot be read: {reason}; expected SHA-256 {expected}"),
    }
}

/// The checks found so far.
struct Checks(Vec<Check>);

impl Checks {
    fn add(
        &mut self,
        check: CheckKind,
        status: Status,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Check {
            check,
            status,
            subject: subject.into(),
            message: message.into(),
        });
    }
    fn fail(&mut self, check: CheckKind, subject: impl Into<String>, message: impl Into<String>) {
        self.add(check, Status::Fail, subject, message);
    }
    fn pass(&mut self, check: CheckKind, subject: impl Into<String>, message: impl Into<String>) {
        self.add(check, Status::Pass, subject, message);
    }
}

/// What the layers share while they run.
struct Ctx<'a> {
    reader: &'a BundleReader,
    anchors: &'a Anchors,
    checks: Checks,
    /// What the bundle holds, filled layer by layer.
    st: BundleState,
    /// The one read verdict of every member, by name.
    reads: BTreeMap<String, MemberRead>,
    /// Members under `keys/`.
    key_files: BTreeSet<String>,
    /// Fingerprints that signed something.
    used_keys: BTreeSet<String>,
    /// Names each key signed under.
    names_by_key: BTreeMap<String, BTreeSet<String>>,
    /// Item members in canonical order (filled by the items layer).
    item_order: Vec<String>,
    /// Tokens found.
    timestamps: Vec<TimestampRecord>,
    /// `--trusted-list`, when given.
    trusted_list: Option<&'a crate::evidence::trusted_list::TrustedList>,
    /// Roots for X.509 co-signers (`--signer-ca`, else the system store).
    signer_anchors: &'a crate::evidence::tsp::TrustAnchors,
    /// X.509 co-signatures found.
    cosignatures: Vec<Cosignature>,
    /// X.509 signers, by certificate fingerprint.
    x509_signers: BTreeMap<String, cosign::SeenSigner>,
    /// `--identity`, when given.
    identities: Option<&'a crate::evidence::encryption::Identities>,
    /// What the encryption layer saw.
    encryption: encrypted::Seen,
    /// With `--identity`: each age member's plaintext digest (or why it could not be
    /// decrypted), computed by the archive layer in the same read as its stored hash.
    plaintexts: BTreeMap<String, std::result::Result<Digest256, String>>,
    /// The custody log's bytes and chain check (read once, after the keys; taken by the
    /// custody layer), or why it cannot be read.
    custody_log:
        Option<std::result::Result<(Vec<u8>, crate::evidence::custody::ChainReport), String>>,
}

impl<'a> Ctx<'a> {
    fn new(
        reader: &'a BundleReader,
        anchors: &'a Anchors,
        signer_anchors: &'a crate::evidence::tsp::TrustAnchors,
    ) -> Self {
        Ctx {
            reader,
            anchors,
            checks: Checks(Vec::new()),
            st: BundleState::default(),
            reads: BTreeMap::new(),
            key_files: BTreeSet::new(),
            used_keys: BTreeSet::new(),
            names_by_key: BTreeMap::new(),
            item_order: Vec::new(),
            timestamps: Vec::new(),
            trusted_list: None,
            signer_anchors,
            cosignatures: Vec::new(),
            x509_signers: BTreeMap::new(),
            identities: None,
            encryption: encrypted::Seen::default(),
            plaintexts: BTreeMap::new(),
            custody_log: None,
        }
    }

    /// Read a small metadata member; the error (to follow the member's name) says "is
    /// missing from the bundle" or why it cannot be read.
    fn read_meta(&self, name: &str) -> std::result::Result<Vec<u8>, String> {
        if self.reader.member(name).is_none() {
            return Err("is missing from the bundle".into());
        }
        if let Some(MemberRead::Unreadable { reason, .. }) = self.reads.get(name) {
            return Err(format!("cannot be read: {reason}"));
        }
        self.reader
            .read_small(name)
            .map_err(|e| format!("cannot be read: {}", e.problem()))
    }

    /// Note that `key` signed something under `name`.
    fn signed_by(&mut self, key: &str, name: Option<&str>) {
        self.used_keys.insert(key.to_string());
        if let Some(n) = name {
            self.names_by_key
                .entry(key.to_string())
                .or_default()
                .insert(n.to_string());
        }
    }
}

/// Verify `bundle` for a read-only command; refuse to work from one that does not verify.
pub fn verified_state(bundle: &Path) -> Result<BundleState> {
    let rep = verify(bundle, &VerifyOptions::default())?;
    if !rep.ok() {
        return Err(Error::not_verified(format!(
            "'{}' does not verify ({} problem(s)); its hashes cannot be trusted",
            bundle.display(),
            rep.failures.len()
        ))
        .with_fix(format!(
            "run `sigillo verify {}` to see the problems",
            bundle.display()
        )));
    }
    Ok(rep.state)
}
