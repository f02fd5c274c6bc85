//! Where everything lives inside a bundle: the one place that names paths.
//!
//! See `docs/bundle-format.md` for the normative description. The canonical entry
//! order is: item folders in sequence, each with its files in manifest order first, then
//! `manifest.json`, `manifest.sig`, the X.509 co-signatures (`manifest.p7s`,
//! `manifest.2.p7s` …) and the tokens (`manifest.tsr`, `manifest.tsa.pem`,
//! `manifest.2.tsr`, `manifest.2.tsa.pem` …, see [`item_control_rank`]); then `keys/`
//! sorted, `custody.jsonl`, `custody/` tokens sorted, and [`TRAILER`]: `report.html`,
//! `VERIFY.md`, `SHA256SUMS`, `SHA256SUMS.sig`.

/// Bundle format version written into VERIFY.md and docs.
pub const BUNDLE_FORMAT: &str = "sigillo-bundle/1";
/// Folder holding items.
pub const ITEMS_DIR: &str = "items/";
/// Folder holding public keys.
pub const KEYS_DIR: &str = "keys/";
/// The custody log.
pub const CUSTODY: &str = "custody.jsonl";
/// Folder holding RFC 3161 tokens over custody entries.
pub const CUSTODY_TOKENS_DIR: &str = "custody/";
/// The derived acquisition report.
pub const REPORT: &str = "report.html";
/// Hand-verification instructions.
pub const VERIFY_MD: &str = "VERIFY.md";
/// `sha256sum -c` list of every other entry.
pub const SUMS: &str = "SHA256SUMS";
/// Ed25519 signature over SHA256SUMS.
pub const SUMS_SIG: &str = "SHA256SUMS.sig";
/// Manifest file name inside an item.
pub const MANIFEST: &str = "manifest.json";
/// Signature file name inside an item.
pub const MANIFEST_SIG: &str = "manifest.sig";

/// Largest metadata member (manifest, custody log, sums, key) read into memory.
pub const MAX_METADATA_BYTES: u64 = 64 << 20;

/// `items/<id>/`.
pub fn item_dir(id: &str) -> String {
    format!("{ITEMS_DIR}{id}/")
}

/// `items/<id>/<file>`: a file (or control file) of an item.
pub fn item_member(id: &str, file: &str) -> String {
    format!("{ITEMS_DIR}{id}/{file}")
}

/// `items/<id>/manifest.json`.
pub fn manifest_path(id: &str) -> String {
    item_member(id, MANIFEST)
}

/// `items/<id>/manifest.sig`.
pub fn manifest_sig_path(id: &str) -> String {
    item_member(id, MANIFEST_SIG)
}

/// The members that close a bundle, in canonical order, after the custody tokens.
pub const TRAILER: [&str; 4] = [REPORT, VERIFY_MD, SUMS, SUMS_SIG];

/// Where a member under `items/` belongs: `Some(Ok((id, file)))` for `items/<id>/<file>`,
/// `Some(Err(()))` for a file directly under `items/`, `None` outside `items/`.
#[allow(clippy::result_unit_err)]
pub fn split_item_member(name: &str) -> Option<Result<(&str, &str), ()>> {
    let rest = name.strip_prefix(ITEMS_DIR)?;
    Some(rest.split_once('/').ok_or(()))
}

/// Whether `name` is a public key file (`keys/…`).
pub fn is_key_member(name: &str) -> bool {
    name.starts_with(KEYS_DIR)
}

/// Whether `name` is under `custody/` (tokens over custody entries and their
/// revocation data).
pub fn is_custody_member(name: &str) -> bool {
    name.starts_with(CUSTODY_TOKENS_DIR)
}

/// Whether `name` is a custody token (`custody/<seq>[.N].tsr`).
pub fn is_custody_token(name: &str) -> bool {
    is_custody_member(name) && name.ends_with(".tsr")
}

/// Revocation data for certificate k of the n-th token over custody entry `seq`:
/// `custody/000005.tsa1.ocsp`, `custody/000005.2.tsa1.crl` …
pub fn custody_revocation_path(seq: u64, n: usize, k: usize, kind: RevocationKind) -> String {
    // Same scheme as in an item folder, with `<seq>` in place of `manifest`.
    let item_style = revocation_name(n, k, kind);
    format!(
        "{CUSTODY_TOKENS_DIR}{seq:06}{}",
        item_style.trim_start_matches("manifest")
    )
}

/// (seq, token n, certificate k, kind) of a custody revocation file name.
pub fn custody_revocation_of(name: &str) -> Option<(u64, usize, usize, RevocationKind)> {
    let rest = name.strip_prefix(CUSTODY_TOKENS_DIR)?;
    let (seq, tail) = rest.split_at(rest.find('.')?);
    let seq: u64 = seq.parse().ok()?;
    let (n, k, kind) = revocation_of(&format!("manifest{tail}"))?;
    (custody_revocation_path(seq, n, k, kind) == name).then_some((seq, n, k, kind))
}

/// The n-th X.509 co-signature over custody entry `seq`'s line: `custody/000005.p7s`,
/// then `custody/000005.2.p7s` …
pub fn custody_cosignature_path(seq: u64, n: usize) -> String {
    format!(
        "{CUSTODY_TOKENS_DIR}{seq:06}{}",
        cosignature_name(n).trim_start_matches("manifest")
    )
}

/// (seq, n) of a custody co-signature path.
pub fn custody_cosignature_of(name: &str) -> Option<(u64, usize)> {
    let rest = name.strip_prefix(CUSTODY_TOKENS_DIR)?;
    let (seq, tail) = rest.split_at(rest.find('.')?);
    let seq: u64 = seq.parse().ok()?;
    let n = cosignature_of(&format!("manifest{tail}"))?;
    (custody_cosignature_path(seq, n) == name).then_some((seq, n))
}

/// The custody entry a custody token belongs to (`custody/000005.tsr` → 5).
pub fn custody_token_seq(name: &str) -> Option<u64> {
    name.strip_prefix(CUSTODY_TOKENS_DIR)?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Whether an item-folder file name is an RFC 3161 token (`manifest[.N].tsr`).
pub fn is_item_token(name: &str) -> bool {
    is_item_control_file(name) && name.ends_with(".tsr")
}

/// Sort key of an item's control files in canonical order: `manifest.json`,
/// `manifest.sig`, then per TSA `N` (1, 2 …) its `.tsr`, its `.tsa.pem`, then its
/// revocation data by certificate (`tsa1`, `tsa2` …).
pub fn item_control_rank(f: &str) -> (u8, usize, u8) {
    if f == MANIFEST {
        return (0, 0, 0);
    }
    if f == MANIFEST_SIG {
        return (1, 0, 0);
    }
    if let Some(n) = cosignature_of(f) {
        return (1, n, 1);
    }
    let n: usize = f
        .strip_prefix("manifest.")
        .and_then(|r| r.split('.').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let third = if f.ends_with(ARCHIVE_SUFFIX) {
        0
    } else if f.ends_with(".tsr") {
        1
    } else if f.ends_with(".tsa.pem") {
        2
    } else {
        revocation_of(f).map_or(255, |(_, k, kind)| {
            3u8.saturating_add(u8::try_from(k).unwrap_or(120).saturating_mul(2))
                .saturating_add(u8::from(kind == RevocationKind::Crl))
        })
    };
    (2, n, third)
}

const ARCHIVE_SUFFIX: &str = ".archive";

/// The list a renewal token covers (`manifest.N.archive`, N ≥ 2): `sha256sum` lines of
/// `manifest.sig` and of every earlier token's files (see docs/timestamps.md).
pub fn archive_name(n: usize) -> String {
    format!("manifest.{n}{ARCHIVE_SUFFIX}")
}

/// N of `manifest.N.archive`, if `name` is one.
pub fn archive_of(name: &str) -> Option<usize> {
    let n: usize = name
        .strip_prefix("manifest.")?
        .strip_suffix(ARCHIVE_SUFFIX)?
        .parse()
        .ok()?;
    (n >= 2 && archive_name(n) == name).then_some(n)
}

/// N of a token file name (`manifest.tsr` is 1, `manifest.N.tsr` is N).
pub fn token_number(name: &str) -> Option<usize> {
    if name == "manifest.tsr" {
        return Some(1);
    }
    let n: usize = name
        .strip_prefix("manifest.")?
        .strip_suffix(".tsr")?
        .parse()
        .ok()?;
    (n >= 2 && token_name(n) == name).then_some(n)
}

/// The token a control file belongs to: N of `manifest.N.tsr`, `manifest.N.tsa.pem`,
/// `manifest.N.tsaK.*` and `manifest.N.archive` (1 when N is not written).
pub fn control_token(name: &str) -> Option<usize> {
    if let Some(n) = token_number(name).or_else(|| archive_of(name)) {
        return Some(n);
    }
    if let Some((n, _, _)) = revocation_of(name) {
        return Some(n);
    }
    if name == "manifest.tsa.pem" {
        return Some(1);
    }
    let n: usize = name
        .strip_prefix("manifest.")?
        .strip_suffix(".tsa.pem")?
        .parse()
        .ok()?;
    (n >= 2 && token_chain_name(n) == name).then_some(n)
}

/// Whether the renewal list of token `n` must cover `name`: `manifest.sig` and every
/// control file of the tokens before it.
pub fn renewal_covers(name: &str, n: usize) -> bool {
    name == MANIFEST_SIG || control_token(name).is_some_and(|t| t < n)
}

/// The renewal list (`manifest.N.archive`): a `sha256sum` line for each (name, bytes),
/// in canonical order, so `sha256sum -c` checks it inside the item folder.
pub fn renewal_list(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut v: Vec<&(String, Vec<u8>)> = files.iter().collect();
    v.sort_by_key(|(n, _)| item_control_rank(n));
    v.iter()
        .map(|(n, b)| format!("{}  {n}\n", crate::evidence::hash::sha256_hex(b)))
        .collect::<String>()
        .into_bytes()
}

/// What kind of revocation data a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationKind {
    /// A DER OCSPResponse (`openssl ocsp -respin F -resp_text`).
    Ocsp,
    /// A DER CertificateList (`openssl crl -inform DER -in F -text`).
    Crl,
}

impl RevocationKind {
    fn ext(self) -> &'static str {
        match self {
            RevocationKind::Ocsp => "ocsp",
            RevocationKind::Crl => "crl",
        }
    }
}

/// Revocation data stored at stamp time for the k-th certificate (1: the TSA's signing
/// certificate, 2: its issuer …) of the n-th TSA token: `manifest.tsa1.ocsp`,
/// `manifest.2.tsa2.crl` …
pub fn revocation_name(n: usize, k: usize, kind: RevocationKind) -> String {
    if n <= 1 {
        format!("manifest.tsa{k}.{}", kind.ext())
    } else {
        format!("manifest.{n}.tsa{k}.{}", kind.ext())
    }
}

/// (token n, certificate k, kind) of a revocation file name, if it is one.
pub fn revocation_of(name: &str) -> Option<(usize, usize, RevocationKind)> {
    let rest = name.strip_prefix("manifest.")?;
    let (stem, kind) = if let Some(s) = rest.strip_suffix(".ocsp") {
        (s, RevocationKind::Ocsp)
    } else {
        (rest.strip_suffix(".crl")?, RevocationKind::Crl)
    };
    let (n, tsa) = match stem.split_once('.') {
        Some((n, t)) => (n.parse::<usize>().ok().filter(|n| *n >= 2)?, t),
        None => (1, stem),
    };
    let k: usize = tsa.strip_prefix("tsa")?.parse().ok().filter(|k| *k >= 1)?;
    (revocation_name(n, k, kind) == name).then_some((n, k, kind))
}

/// Item-relative folder of originals (bytes as received).
pub const ORIGINAL_DIR: &str = "original/";
/// Item-relative folder of derived files (made by sigillo from the originals).
pub const DERIVED_DIR: &str = "derived/";

/// `keys/<fingerprint stem>.pub.pem`.
pub fn key_path(fingerprint: &str) -> String {
    format!(
        "{KEYS_DIR}{}.pub.pem",
        crate::evidence::keys::fingerprint_file_stem(fingerprint)
    )
}

/// Token file name for the n-th TSA (1-based): `manifest.tsr`, `manifest.2.tsr` …
pub fn token_name(n: usize) -> String {
    if n <= 1 {
        "manifest.tsr".to_string()
    } else {
        format!("manifest.{n}.tsr")
    }
}

/// Certificate-chain file name for the n-th TSA token.
pub fn token_chain_name(n: usize) -> String {
    if n <= 1 {
        "manifest.tsa.pem".to_string()
    } else {
        format!("manifest.{n}.tsa.pem")
    }
}

/// `custody/<seq>.tsr` (n-th token for that entry when n > 1).
pub fn custody_token_path(seq: u64, n: usize) -> String {
    if n <= 1 {
        format!("{CUSTODY_TOKENS_DIR}{seq:06}.tsr")
    } else {
        format!("{CUSTODY_TOKENS_DIR}{seq:06}.{n}.tsr")
    }
}

/// Whether an item-folder file name is a sigillo control file (not listed in the manifest).
pub fn is_item_control_file(name: &str) -> bool {
    name == MANIFEST
        || name == MANIFEST_SIG
        || (name.starts_with("manifest.") && (name.ends_with(".tsr") || name.ends_with(".tsa.pem")))
        || revocation_of(name).is_some()
        || archive_of(name).is_some()
        || cosignature_of(name).is_some()
}

const COSIGNATURE_SUFFIX: &str = ".p7s";

/// The n-th X.509 co-signature over `manifest.json` (CAdES, detached): `manifest.p7s`,
/// then `manifest.2.p7s`, `manifest.3.p7s` …
pub fn cosignature_name(n: usize) -> String {
    if n <= 1 {
        format!("manifest{COSIGNATURE_SUFFIX}")
    } else {
        format!("manifest.{n}{COSIGNATURE_SUFFIX}")
    }
}

/// n of a co-signature file name (`manifest.p7s` is 1).
pub fn cosignature_of(name: &str) -> Option<usize> {
    if name == "manifest.p7s" {
        return Some(1);
    }
    let n: usize = name
        .strip_prefix("manifest.")?
        .strip_suffix(COSIGNATURE_SUFFIX)?
        .parse()
        .ok()?;
    (n >= 2 && cosignature_name(n) == name).then_some(n)
}

/// Check a path inside the bundle (or an item-relative path) is safe and normal:
/// relative, `/`-separated, no empty, `.` or `..` components, no backslashes or
/// control characters, not too long.
pub fn check_safe_path(p: &str) -> Result<(), String> {
    if p.is_empty() {
        return Err("empty name".into());
    }
    if p.len() > 1024 {
        return Err("name longer than 1024 bytes".into());
    }
    if p.starts_with('/') {
        return Err("absolute path".into());
    }
    if p.contains('\\') {
        return Err("backslash in name".into());
    }
    if p.chars().any(char::is_control) {
        return Err("control character in name".into());
    }
    if p.len() >= 2 && p.as_bytes()[1] == b':' {
        return Err("drive-letter path".into());
    }
    for c in p.split('/') {
        match c {
            "" => return Err("empty path component (// or trailing /)".into()),
            "." | ".." => return Err(format!("'{c}' path component")),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in [
            "../x",
            "a/../b",
            "/etc/passwd",
            "a\\b",
            "a//b",
            "a/",
            "C:x",
            "a/./b",
            "a\u{7}b",
            "",
        ] {
            assert!(check_safe_path(bad).is_err(), "{bad:?}");
        }
        for good in [
            "items/0001-files-x/original/a b.jpg",
            "SHA256SUMS",
            "keys/SHA256_x.pub.pem",
            "ä/ü",
        ] {
            assert!(check_safe_path(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn token_names() {
        assert_eq!(token_name(1), "manifest.tsr");
        assert_eq!(token_name(2), "manifest.2.tsr");
        assert!(is_item_control_file("manifest.2.tsa.pem"));
        assert!(is_item_control_file("manifest.tsa1.ocsp"));
        assert!(is_item_control_file("manifest.2.archive"));
        assert_eq!(
            custody_revocation_path(5, 2, 1, RevocationKind::Crl),
            "custody/000005.2.tsa1.crl"
        );
        assert_eq!(
            custody_revocation_of("custody/000005.tsa2.ocsp"),
            Some((5, 1, 2, RevocationKind::Ocsp))
        );
        assert!(custody_revocation_of("custody/000005.tsr").is_none());
        assert!(!is_custody_token("custody/000005.tsa1.ocsp"));
        assert!(!is_item_control_file("manifest.1.archive"));
        assert_eq!(token_number("manifest.3.tsr"), Some(3));
        assert!(item_control_rank("manifest.2.archive") < item_control_rank("manifest.2.tsr"));
        assert!(is_item_control_file("manifest.3.tsa2.crl"));
        assert!(!is_item_control_file("manifest.1.tsa1.crl"));
        assert!(!is_item_control_file("manifest.tsa0.ocsp"));
        assert_eq!(
            revocation_of("manifest.2.tsa1.ocsp"),
            Some((2, 1, RevocationKind::Ocsp))
        );
        assert!(
            item_control_rank("manifest.tsa.pem") < item_control_rank("manifest.tsa1.ocsp")
                && item_control_rank("manifest.tsa1.ocsp") < item_control_rank("manifest.tsa1.crl")
                && item_control_rank("manifest.tsa1.crl") < item_control_rank("manifest.tsa2.ocsp")
                && item_control_rank("manifest.tsa2.ocsp") < item_control_rank("manifest.2.tsr")
        );
        assert!(!is_item_control_file("manifest.json.bak"));
        assert_eq!(custody_token_path(3, 1), "custody/000003.tsr");
        assert_eq!(custody_token_seq("custody/000003.2.tsr"), Some(3));
        assert_eq!(cosignature_name(1), "manifest.p7s");
        assert_eq!(custody_cosignature_path(5, 1), "custody/000005.p7s");
        assert_eq!(custody_cosignature_of("custody/000005.2.p7s"), Some((5, 2)));
        assert_eq!(custody_cosignature_of("custody/5.p7s"), None);
        assert!(!is_custody_token("custody/000005.p7s"));
        assert_eq!(cosignature_of("manifest.3.p7s"), Some(3));
        assert_eq!(cosignature_of("manifest.1.p7s"), None);
        assert_eq!(cosignature_of("manifest.02.p7s"), None);
        assert!(is_item_control_file("manifest.2.p7s"));
        assert!(!renewal_covers("manifest.p7s", 2));
        let mut c = vec![
            "manifest.2.tsa.pem",
            "manifest.2.p7s",
            "manifest.tsr",
            "manifest.p7s",
            "manifest.sig",
            "manifest.2.tsr",
            "manifest.json",
            "manifest.tsa.pem",
        ];
        c.sort_by_key(|f| item_control_rank(f));
        assert_eq!(
            c,
            [
                "manifest.json",
                "manifest.sig",
                "manifest.p7s",
                "manifest.2.p7s",
                "manifest.tsr",
                "manifest.tsa.pem",
                "manifest.2.tsr",
                "manifest.2.tsa.pem"
            ]
        );
        assert_eq!(split_item_member("items/a/b/c"), Some(Ok(("a", "b/c"))));
        assert_eq!(split_item_member("items/x"), Some(Err(())));
        assert_eq!(split_item_member("keys/x"), None);
    }
}
