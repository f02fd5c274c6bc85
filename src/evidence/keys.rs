//! Ed25519 signing keys: create, store, load, fingerprint.
//!
//! File formats (stable, readable by stock OpenSSL 3.0):
//! - private key: PKCS#8 **v1** PEM (`BEGIN PRIVATE KEY`), or PKCS#8 PBES2-encrypted PEM
//!   (`BEGIN ENCRYPTED PRIVATE KEY`, scrypt + AES-256-CBC) when a passphrase is set;
//!   written with mode 0600 and never overwritten. (ed25519-dalek's own encoder writes
//!   PKCS#8 v2, which OpenSSL 3.0 cannot read, so we encode `KeypairBytes` without the
//!   public key.)
//! - public key: SPKI PEM (`BEGIN PUBLIC KEY`), optionally preceded by comment lines
//!   `# name: …` that OpenSSL ignores.
//! - fingerprint: `SHA256:` + unpadded standard base64 of SHA-256 over the raw 32-byte
//!   public key (the OpenSSH style). In file names `/` and `+` become `_` and `-`.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, KeypairBytes};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use pkcs8::EncodePrivateKey;
use pkcs8::LineEnding;
use pkcs8::der::zeroize::Zeroizing;
use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext, Result};

/// Environment variable naming the default key path.
pub const KEY_ENV: &str = "SIGILLO_KEY";
/// Environment variable with the passphrase, for scripts.
pub const PASSPHRASE_ENV: &str = "SIGILLO_PASSPHRASE";

/// The fingerprint of a public key: `SHA256:<base64>`.
pub fn fingerprint(vk: &VerifyingKey) -> String {
    let d = Sha256::digest(vk.as_bytes());
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(d)
    )
}

/// The file-name form of a fingerprint (`SHA256_<base64url>`).
pub fn fingerprint_file_stem(fpr: &str) -> String {
    fpr.replacen(':', "_", 1)
        .replace('/', "_")
        .replace('+', "-")
}

/// SPKI PEM of a public key.
pub fn public_pem(vk: &VerifyingKey) -> String {
    // Encoding a valid 32-byte Ed25519 key cannot fail.
    vk.to_public_key_pem(LineEnding::LF).unwrap_or_default()
}

/// Parse a public key from SPKI PEM (comment lines before the PEM are ignored).
pub fn parse_public_pem(text: &str) -> Option<VerifyingKey> {
    let start = text.find("-----BEGIN PUBLIC KEY-----")?;
    VerifyingKey::from_public_key_pem(text[start..].trim_end()).ok()
}

/// Verify a raw 64-byte Ed25519 signature over `msg` (strict: rejects malleable signatures).
pub fn verify_raw(vk: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    let Ok(bytes) = <[u8; 64]>::try_from(sig) else {
        return false;
    };
    let sig = Signature::from_bytes(&bytes);
    vk.verify_strict(msg, &sig).is_ok() && vk.verify(msg, &sig).is_ok()
}

/// A loaded private key with the operator name stored beside it (if any).
pub struct Key {
    signing: SigningKey,
    /// Name from the public key file's `# name:` line, if any.
    pub name: Option<String>,
    /// Where the key was loaded from.
    pub path: PathBuf,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("fingerprint", &self.fingerprint())
            .field("path", &self.path)
            .finish()
    }
}

impl Key {
    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// `SHA256:…` fingerprint.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.verifying_key())
    }

    /// Sign `msg`; returns the raw 64-byte signature.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.signing.sign(msg).to_bytes()
    }

    /// SPKI PEM of the public key.
    pub fn public_pem(&self) -> String {
        public_pem(&self.verifying_key())
    }
}

/// Where the default key lives: `$SIGILLO_KEY`, else `<config dir>/sigillo/key.pem`.
pub fn default_key_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(KEY_ENV)
        && !p.is_empty()
    {
        {
            return Some(PathBuf::from(p));
        }
    }
    dirs::config_dir().map(|d| d.join("sigillo").join("key.pem"))
}

/// The `.pub` path beside a private key path.
pub fn pub_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Create a new key at `path` (mode 0600, never overwriting) and its `.pub` beside it.
pub fn generate(path: &Path, name: Option<&str>, passphrase: Option<&str>) -> Result<Key> {
    let pubp = pub_path(path);
    for p in [path, pubp.as_path()] {
        if p.exists() {
            return Err(Error::input(format!("'{}' already exists; sigillo never overwrites a key", p.display()))
                .with_fix("choose another -o path, or move the existing key away if you really mean to replace it"));
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).at("create the directory", dir)?;
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| Error::internal(format!("the system random generator failed: {e}")))?;
    let signing = SigningKey::from_bytes(&seed);
    let kp = KeypairBytes {
        secret_key: signing.to_bytes(),
        public_key: None,
    };
    let pem = match passphrase {
        Some(pw) => encrypt_pem(&kp, pw),
        None => kp
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| Error::internal(format!("could not encode the private key: {e}"))),
    }?;

    write_new(path, pem.as_bytes(), 0o600)?;
    let mut pubtext = String::new();
    if let Some(n) = name {
        pubtext.push_str(&format!("# name: {}\n", n.replace(['\n', '\r'], " ")));
    }
    pubtext.push_str(&format!(
        "# fingerprint: {}\n",
        fingerprint(&signing.verifying_key())
    ));
    pubtext.push_str(&public_pem(&signing.verifying_key()));
    write_new(&pubp, pubtext.as_bytes(), 0o644)?;
    Ok(Key {
        signing,
        name: name.map(str::to_string),
        path: path.to_path_buf(),
    })
}

/// scrypt cost of encrypted key files: N = 2^14, r = 8, p = 1 (16 MiB), the parameters
/// sigillo has always written. pkcs8's own default (N = 2^17, 128 MiB) is more than
/// OpenSSL's 32 MiB scrypt limit, so `openssl pkey` could not open such a key.
const SCRYPT_LOG_N: u8 = 14;

/// PKCS#8 PBES2 (scrypt + AES-256-CBC, random 16-byte salt and IV) PEM of a key pair.
fn encrypt_pem(kp: &KeypairBytes, passphrase: &str) -> Result<Zeroizing<String>> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::internal(format!("could not encrypt the private key: {e}"))
    };
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    getrandom::fill(&mut salt)
        .and_then(|()| getrandom::fill(&mut iv))
        .map_err(|e| Error::internal(format!("the system random generator failed: {e}")))?;
    let scrypt = pkcs8::pkcs5::scrypt::Params::new(SCRYPT_LOG_N, 8, 1, 32).map_err(|e| fail(&e))?;
    let params = pkcs8::pkcs5::pbes2::Parameters::scrypt_aes256cbc(scrypt, &salt, &iv)
        .map_err(|e| fail(&e))?;
    let plain = kp.to_pkcs8_der().map_err(|e| fail(&e))?;
    let info = pkcs8::PrivateKeyInfo::try_from(plain.as_bytes()).map_err(|e| fail(&e))?;
    let enc = info
        .encrypt_with_params(params, passphrase.as_bytes())
        .map_err(|e| fail(&e))?;
    enc.to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .map_err(|e| fail(&e))
}

/// Create `path` exclusively (no race between check and open) with `mode`, write, fsync.
fn write_new(path: &Path, data: &[u8], mode: u32) -> Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(path).at("create", path)?;
    f.write_all(data).at("write", path)?;
    f.sync_all().at("sync", path)?;
    Ok(())
}

/// How to get a passphrase when a key is encrypted.
pub trait PassphraseSource {
    /// Return the passphrase for the key at `path`, or an error telling how to supply one.
    fn passphrase(&self, path: &Path) -> Result<String>;
}

/// `$SIGILLO_PASSPHRASE`, else ask on the terminal.
pub struct EnvOrTerminal;

impl PassphraseSource for EnvOrTerminal {
    fn passphrase(&self, path: &Path) -> Result<String> {
        if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
            return Ok(p);
        }
        rpassword::prompt_password(format!("Passphrase for {}: ", path.display())).map_err(|e| {
            Error::key(format!(
                "the key '{}' is encrypted and no passphrase could be read: {e}",
                path.display()
            ))
            .with_fix(format!(
                "run sigillo in a terminal, or set ${PASSPHRASE_ENV} for scripts"
            ))
        })
    }
}

/// Load a private key from `path`, asking `pw` for a passphrase if it is encrypted.
pub fn load(path: &Path, pw: &dyn PassphraseSource) -> Result<Key> {
    let text = fs::read_to_string(path).map_err(|e| {
        Error::io("read the key", path, e).with_fix(format!(
            "create a key with: sigillo key new -o {}",
            shell_quote(&path.display().to_string())
        ))
    })?;
    let signing = if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let pass = pw.passphrase(path)?;
        let kp = KeypairBytes::from_pkcs8_encrypted_pem(
            pem_block(&text, "ENCRYPTED PRIVATE KEY"),
            pass.as_bytes(),
        )
        .map_err(|_| {
            Error::key(format!(
                "wrong passphrase for the key '{}' (or the key file is damaged)",
                path.display()
            ))
            .with_fix(format!(
                "type the passphrase again, or check ${PASSPHRASE_ENV}"
            ))
        })?;
        SigningKey::from_bytes(&kp.secret_key)
    } else if text.contains("-----BEGIN PRIVATE KEY-----") {
        let kp = KeypairBytes::from_pkcs8_pem(pem_block(&text, "PRIVATE KEY"))
            .map_err(|e| not_a_key(path, &e))?;
        SigningKey::from_bytes(&kp.secret_key)
    } else {
        return Err(not_a_key(path, &"no PEM private key block found"));
    };
    let name = fs::read_to_string(pub_path(path))
        .ok()
        .and_then(|t| pub_comment(&t, "name"));
    Ok(Key {
        signing,
        name,
        path: path.to_path_buf(),
    })
}

fn not_a_key(path: &Path, why: &dyn std::fmt::Display) -> Error {
    Error::key(format!("'{}' is not an Ed25519 private key ({why})", path.display()))
        .with_fix("pass the private key file made by `sigillo key new` (not the .pub file), or an Ed25519 key from `openssl genpkey -algorithm ed25519`")
}

fn pem_block<'a>(text: &'a str, label: &str) -> &'a str {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) if e > b => &text[b..e + end.len()],
        _ => text,
    }
}

/// Read a `# key: value` comment line from a public key file.
pub fn pub_comment(text: &str, key: &str) -> Option<String> {
    let prefix = format!("# {key}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A warning when the private key at `path` can be read by other users (the caller
/// shows it; loading does not refuse such a key).
pub fn too_open_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(md) = fs::metadata(path)
            && md.permissions().mode() & 0o077 != 0
        {
            return Some(format!(
                "the private key '{}' can be read by other users; fix with: chmod 600 {}",
                path.display(),
                shell_quote(&path.display().to_string())
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

/// Load a public key given as a `.pub`/PEM file, a private key file, or a `SHA256:` fingerprint.
pub enum TrustRef {
    /// A full public key.
    Key(VerifyingKey),
    /// Only a fingerprint.
    Fingerprint(String),
}

/// Parse a `--trust` argument: a fingerprint, or a path to a public key file.
pub fn parse_trust(arg: &str) -> Result<TrustRef> {
    if arg.starts_with("SHA256:") && !Path::new(arg).exists() {
        return Ok(TrustRef::Fingerprint(arg.to_string()));
    }
    let p = Path::new(arg);
    let text = fs::read_to_string(p).map_err(|e| {
        Error::io("read the trusted key", p, e)
            .with_fix("give --trust a public key file (.pub / .pem) or a fingerprint like SHA256:…")
    })?;
    parse_public_pem(&text).map(TrustRef::Key).ok_or_else(|| {
        Error::key(format!("'{arg}' holds no Ed25519 public key (SPKI PEM)"))
            .with_fix("pass the .pub file made by `sigillo key new`, a keys/*.pub.pem file, or a SHA256:… fingerprint")
    })
}

/// Quote a string for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(&'static str);
    impl PassphraseSource for Fixed {
        fn passphrase(&self, _: &Path) -> Result<String> {
            Ok(self.0.to_string())
        }
    }

    #[test]
    fn generate_load_sign_verify() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pem");
        let k = generate(&p, Some("Avv. Test"), None).unwrap();
        let k2 = load(&p, &Fixed("")).unwrap();
        assert_eq!(k.fingerprint(), k2.fingerprint());
        assert_eq!(k2.name.as_deref(), Some("Avv. Test"));
        let sig = k2.sign(b"hello");
        assert!(verify_raw(&k.verifying_key(), b"hello", &sig));
        assert!(!verify_raw(&k.verifying_key(), b"hellp", &sig));
        assert!(
            generate(&p, None, None).is_err(),
            "must refuse to overwrite"
        );
        let text = fs::read_to_string(pub_path(&p)).unwrap();
        assert_eq!(parse_public_pem(&text), Some(k.verifying_key()));
    }

    #[test]
    fn encrypted_key_needs_the_right_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pem");
        let k = generate(&p, None, Some("correct horse")).unwrap();
        assert!(
            fs::read_to_string(&p)
                .unwrap()
                .contains("ENCRYPTED PRIVATE KEY")
        );
        assert_eq!(
            load(&p, &Fixed("correct horse")).unwrap().fingerprint(),
            k.fingerprint()
        );
        let e = load(&p, &Fixed("wrong")).unwrap_err();
        assert!(e.problem().contains("wrong passphrase"));
    }

    /// Key files written by sigillo built on ed25519-dalek 3 / pkcs8 0.11 (before the move
    /// to one RustCrypto generation) must load unchanged, and sign exactly as OpenSSL does
    /// (`openssl pkeyutl -sign -rawin -inkey plain.pem` over "fixed message").
    #[test]
    fn key_files_from_earlier_versions_still_load_and_sign_identically() {
        const PLAIN: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEICxI86tqOrebNwnacvHlkQPoyiwhbnTCPcNdQbLDnbHD\n-----END PRIVATE KEY-----\n";
        const ENCRYPTED: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n\
            MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSsGAQQB2kcECzAcBBDgjj0mSCvKuMby2176\n\
            WKJNAgJAAAIBCAIBATAdBglghkgBZQMEASoEEMyo3TUPFa8mBJU28z2D/0MEQGmY\n\
            IZafT45MRJsiqEANXaxdtvyO6TcObCT84HdJQ5jAetunP3+FtlfadOxYu6fLij/F\n\
            9qHcKDjq74Gg7zE6Gqs=\n\
            -----END ENCRYPTED PRIVATE KEY-----\n";
        const OPENSSL_SIG: &str = "f64969af582a1fad232a3a6bf20cf035ef8ed483fdbdefdb8c67ee5f010b89f8f7583df47731d62326be9096daf2134d690f2bf9a014ffaf3eff0518651e1c0b";
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.pem");
        let enc = dir.path().join("enc.pem");
        fs::write(&plain, PLAIN).unwrap();
        fs::write(&enc, ENCRYPTED).unwrap();
        let k = load(&plain, &Fixed("")).unwrap();
        assert_eq!(
            k.fingerprint(),
            "SHA256:Z/rtixIVBDV7SJTcpGNsb2bdXorupE3Ki49tnhqB8Zo"
        );
        assert_eq!(hex::encode(k.sign(b"fixed message")), OPENSSL_SIG);
        let e = load(&enc, &Fixed("correct horse")).unwrap();
        assert_eq!(
            e.fingerprint(),
            "SHA256:q8PsBYmeUz4KHEE9mdB/XHRecdSHw0pFGtkxm19ARcc"
        );
        assert!(load(&enc, &Fixed("wrong")).is_err());
    }

    #[test]
    fn encrypted_keys_keep_the_scrypt_cost_openssl_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pem");
        generate(&p, None, Some("pw")).unwrap();
        let text = fs::read_to_string(&p).unwrap();
        let (_, doc) = pkcs8::SecretDocument::from_pem(&text).unwrap();
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes()).unwrap();
        let pkcs8::pkcs5::EncryptionScheme::Pbes2(p2) = info.encryption_algorithm else {
            panic!("not PBES2");
        };
        let pkcs8::pkcs5::pbes2::Kdf::Scrypt(sc) = p2.kdf else {
            panic!("not scrypt");
        };
        assert_eq!(
            (sc.cost_parameter, sc.block_size, sc.parallelization),
            (1 << 14, 8, 1)
        );
        assert_eq!(sc.salt.len(), 16);
    }

    #[test]
    fn fingerprint_file_stem_is_path_safe() {
        let s = fingerprint_file_stem("SHA256:ab/c+d");
        assert_eq!(s, "SHA256_ab_c-d");
    }
}
