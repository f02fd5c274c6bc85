//! Encryption at rest: every item file stored as a standard age file (`<name>.age`,
//! readable by the stock `age` CLI) encrypted to the bundle's recipients, while what
//! verification and takedown need stays readable (manifests with the plaintext hashes,
//! signatures, tokens, custody, keys, SHA256SUMS). The `age` crate (rage) does the
//! cryptography; this module only names recipients and identities, streams, and says
//! what went wrong. See `docs/encryption.md`.
//!
//! What is sensitive in a manifest — the names of the files as received, where they came
//! from on disk, the acquisition's `input` and `facts` (chat participants, EXIF, paths) —
//! moves into an encrypted part of the item, `private.json` ([`PrivatePart`],
//! `sigillo-private/1`), listed among the item's files like any other; the public
//! manifest names the files `original/0001.jpg`, `derived/0002.json` … and keeps only the
//! source URL of each file (takedown notices need it) and the captured page's URL.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, IoContext, Result};
use crate::evidence::hash::Digest256;
use crate::evidence::manifest::Source;

/// Where identities come from when `--identity` is not given.
pub const IDENTITY_ENV: &str = "SIGILLO_IDENTITY";
/// The suffix of an encrypted member.
pub const SUFFIX: &str = ".age";
/// The item-relative path of the encrypted private part.
pub const PRIVATE_PATH: &str = "derived/private.json";
/// `format` of the private part.
pub const PRIVATE_FORMAT: &str = "sigillo-private/1";

/// Where the passphrase of `--encrypt-passphrase` / `--passphrase` comes from when it is
/// not typed at the terminal (scripts).
pub const PASSPHRASE_ENV: &str = "SIGILLO_ENCRYPT_PASSPHRASE";
/// Shortest passphrase accepted for new encryption.
pub const MIN_PASSPHRASE: usize = 12;

/// The people a bundle is encrypted to.
pub struct Recipients {
    list: Vec<Box<dyn age::Recipient + Send + Sync>>,
    /// Each recipient as written (`age1…`, `ssh-ed25519 AAAA… comment`), in the order given.
    pub shown: Vec<String>,
    /// With a passphrase: an age identity of its own, encrypted with the passphrase
    /// (scrypt, ASCII-armored age file), stored in the bundle; its recipient is in
    /// `shown`. `age -d -i <this file>` asks for the passphrase and opens every member.
    pub passphrase_identity: Option<String>,
}

impl std::fmt::Debug for Recipients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipients")
            .field("shown", &self.shown)
            .finish()
    }
}

impl Recipients {
    /// Parse recipients: `age1…` (X25519), `ssh-ed25519 …` or `ssh-rsa …` public keys.
    /// Empty lines and `#` comments are skipped; duplicates are kept once.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Recipients> {
        let mut out = Recipients {
            list: Vec::new(),
            shown: Vec::new(),
            passphrase_identity: None,
        };
        for raw in items {
            let s = raw.as_ref().trim();
            if s.is_empty() || s.starts_with('#') {
                continue;
            }
            if out.shown.iter().any(|x| x == s) {
                continue;
            }
            let r: Box<dyn age::Recipient + Send + Sync> = if s.starts_with("age1") {
                Box::new(age::x25519::Recipient::from_str(s).map_err(|e| bad_recipient(s, e))?)
            } else if s.starts_with("ssh-") {
                Box::new(
                    age::ssh::Recipient::from_str(s)
                        .map_err(|e| bad_recipient(s, format!("{e:?}")))?,
                )
            } else {
                return Err(bad_recipient(s, "not an age or SSH public key"));
            };
            out.list.push(r);
            out.shown.push(s.to_string());
        }
        if out.list.is_empty() {
            return Err(Error::input("no recipient to encrypt to").with_fix(
                "give --encrypt-to age1… (make one with age-keygen) or an SSH public key",
            ));
        }
        Ok(out)
    }

    /// `--encrypt-to` values, the lines of `--encrypt-to-file` files, and with
    /// `--encrypt-passphrase` the passphrase (see [`Recipients::add_passphrase`]).
    pub fn from_args(
        values: &[String],
        files: &[PathBuf],
        passphrase: Option<&str>,
    ) -> Result<Option<Recipients>> {
        let mut all = values.to_vec();
        for f in files {
            let text = std::fs::read_to_string(f)
                .map_err(|e| Error::io("read the recipients file", f, e))?;
            all.extend(text.lines().map(String::from));
        }
        let mut r = if values.is_empty() && files.is_empty() {
            match passphrase {
                None => return Ok(None),
                Some(_) => Recipients {
                    list: Vec::new(),
                    shown: Vec::new(),
                    passphrase_identity: None,
                },
            }
        } else {
            Recipients::parse(&all)?
        };
        if let Some(p) = passphrase {
            r.add_passphrase(p)?;
        }
        Ok(Some(r))
    }

    /// Add a passphrase: a fresh X25519 identity becomes one more recipient, and that
    /// identity, encrypted with the passphrase, is kept in `passphrase_identity`. (One
    /// scrypt per bundle rather than one per file: an age scrypt recipient must be a
    /// file's only recipient and costs about a second to open, per file.)
    pub fn add_passphrase(&mut self, pass: &str) -> Result<()> {
        use age::secrecy::{ExposeSecret, SecretString};
        if pass.chars().count() < MIN_PASSPHRASE {
            return Err(Error::key(format!(
                "the passphrase is too short: at least {MIN_PASSPHRASE} characters"
            ))
            .with_fix(
                "choose a longer passphrase (a few words), or use --encrypt-to with an age key",
            ));
        }
        let id = age::x25519::Identity::generate();
        let text = format!("{}\n", id.to_string().expose_secret());
        let mut r = age::scrypt::Recipient::new(SecretString::from(pass.to_owned()));
        // 2^18 (256 MiB, about a second): fixed, so that every bundle opens within the
        // cap `unlock` puts on a crafted one.
        r.set_work_factor(18);
        let wrapped = age::encrypt_and_armor(&r, text.as_bytes()).map_err(|e| {
            Error::internal(format!("could not encrypt the passphrase identity: {e}"))
        })?;
        self.shown.push(id.to_public().to_string());
        self.list.push(Box::new(id.to_public()));
        self.passphrase_identity = Some(wrapped);
        Ok(())
    }

    /// Whether `other` names the same recipients (in any order).
    pub fn same_as(&self, other: &[String]) -> bool {
        let mut a: Vec<&str> = self.shown.iter().map(String::as_str).collect();
        let mut b: Vec<&str> = other.iter().map(String::as_str).collect();
        a.sort_unstable();
        b.sort_unstable();
        a.dedup();
        b.dedup();
        a == b
    }

    fn encryptor(&self) -> io::Result<age::Encryptor> {
        age::Encryptor::with_recipients(self.list.iter().map(|r| r.as_ref() as &dyn age::Recipient))
            .map_err(io::Error::other)
    }
}

fn bad_recipient(s: &str, e: impl std::fmt::Display) -> Error {
    Error::input(format!(
        "'{}' is not a recipient sigillo can encrypt to ({e})",
        crate::text::clip(s, 120)
    ))
    .with_fix("give an age public key (age1…, from age-keygen -y key.txt) or an SSH ed25519/RSA public key")
}

/// Encrypt everything `plain` yields into `out` as one age file; returns the plaintext's
/// size and SHA-256 (computed on the way: the plaintext is never stored).
pub fn encrypt_stream(
    recipients: &Recipients,
    plain: &mut dyn Read,
    out: &mut dyn Write,
) -> io::Result<Digest256> {
    let mut w = recipients.encryptor()?.wrap_output(out)?;
    // A large buffer: io::copy then moves 1 MiB at a time (its default is 8 KiB).
    let mut hashed =
        io::BufReader::with_capacity(1 << 20, crate::evidence::hash::HashingReader::new(plain));
    io::copy(&mut hashed, &mut w)?;
    w.finish()?;
    Ok(hashed.into_inner().finish())
}

/// The identities that can open a bundle (`--identity`, else `$SIGILLO_IDENTITY`).
pub struct Identities {
    list: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// The files they came from, for messages.
    pub files: Vec<PathBuf>,
}

impl Identities {
    /// Load identity files: age (`AGE-SECRET-KEY-1…`) or unencrypted OpenSSH private keys.
    /// A file that others can read is refused.
    pub fn load(paths: &[PathBuf]) -> Result<Option<Identities>> {
        let mut paths = paths.to_vec();
        if paths.is_empty()
            && let Some(v) = std::env::var_os(IDENTITY_ENV).filter(|v| !v.is_empty())
        {
            paths.push(PathBuf::from(v));
        }
        if paths.is_empty() {
            return Ok(None);
        }
        let mut list = Vec::new();
        for p in &paths {
            refuse_if_open(p)?;
            let file = age::IdentityFile::from_file(p.display().to_string()).map_err(|e| {
                Error::key(format!("'{}' cannot be read as an identity ({e})", p.display()))
                    .with_fix("give an age identity file (age-keygen -o key.txt) or an unencrypted OpenSSH private key")
            })?;
            let ids = file.into_identities().map_err(|e| {
                Error::key(format!("'{}' holds no usable identity ({e})", p.display()))
                    .with_fix("give an age identity file (age-keygen -o key.txt)")
            })?;
            list.extend(ids);
        }
        Ok(Some(Identities { list, files: paths }))
    }

    /// The identity that `passphrase_identity` (an armored age file encrypted with a
    /// passphrase, as [`Recipients::add_passphrase`] writes) holds, opened with `pass`.
    /// The wrapped file is hostile input: bounded, and scrypt's work factor capped.
    pub fn unlock(wrapped: &str, pass: &str) -> Result<Identities> {
        use age::secrecy::SecretString;
        if wrapped.len() > 16 * 1024 {
            return Err(Error::key(
                "the passphrase identity in the bundle is too large",
            ));
        }
        let mut id = age::scrypt::Identity::new(SecretString::from(pass.to_owned()));
        id.set_max_work_factor(19);
        let plain = age::decrypt(&id, wrapped.as_bytes()).map_err(|e| {
            Error::key(format!("the passphrase does not open this bundle ({e})"))
                .with_fix("check the passphrase (or give --identity with a recipient's key)")
        })?;
        let text = String::from_utf8(plain).unwrap_or_default();
        let key = text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .and_then(|l| age::x25519::Identity::from_str(l.trim()).ok())
            .ok_or_else(|| Error::key("the passphrase identity in the bundle holds no age key"))?;
        Ok(Identities {
            list: vec![Box::new(key)],
            files: Vec::new(),
        })
    }

    /// These identities and `more`'s.
    pub fn join(mut self, more: Identities) -> Identities {
        self.list.extend(more.list);
        self.files.extend(more.files);
        self
    }

    /// A reader of the plaintext of the age file `cipher`.
    ///
    /// The file is hostile input: its header is read first, into a bounded buffer
    /// ([`MAX_HEADER`] bytes, [`MAX_STANZAS`] recipient stanzas), and refused beyond
    /// that, so a crafted header cannot make the parser work for hours or allocate
    /// without end.
    pub fn decrypt<'a, R: Read + 'a>(&self, cipher: R) -> io::Result<Box<dyn Read + 'a>> {
        let mut cipher = cipher;
        let mut head = Vec::with_capacity(4096);
        let mut chunk = [0u8; 4096];
        let end = loop {
            if let Some(i) = find(&head, b"\n--- ")
                && let Some(nl) = head[i + 1..].iter().position(|&b| b == b'\n')
            {
                break i + 1 + nl + 1;
            }
            if head.len() >= MAX_HEADER {
                return Err(io::Error::other(format!(
                    "not an age file sigillo opens: no header end in the first {MAX_HEADER} bytes"
                )));
            }
            let n = cipher.read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::other(
                    "not an age file: it ends inside its header",
                ));
            }
            head.extend_from_slice(&chunk[..n]);
        };
        let stanzas = head[..end].windows(4).filter(|w| w == b"\n-> ").count();
        if stanzas > MAX_STANZAS {
            return Err(io::Error::other(format!(
                "not an age file sigillo opens: {stanzas} recipient stanzas (at most {MAX_STANZAS})"
            )));
        }
        let input = io::Cursor::new(head).chain(cipher);
        let d =
            age::Decryptor::new_buffered(io::BufReader::new(input)).map_err(io::Error::other)?;
        let r = d
            .decrypt(self.list.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .map_err(|e| io::Error::other(format!("cannot decrypt: {e}")))?;
        Ok(Box::new(r))
    }
}

/// The passphrase: `$SIGILLO_ENCRYPT_PASSPHRASE`, else asked on the terminal (twice
/// when `confirm`, for new encryption).
pub fn read_passphrase(confirm: bool) -> Result<String> {
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(p);
    }
    let fail = |e: io::Error| {
        Error::key(format!("no passphrase could be read: {e}")).with_fix(format!(
            "run sigillo in a terminal, or set ${PASSPHRASE_ENV} for scripts"
        ))
    };
    let p = rpassword::prompt_password("Passphrase for the evidence: ").map_err(fail)?;
    if confirm {
        let again = rpassword::prompt_password("The same passphrase again: ").map_err(fail)?;
        if again != p {
            return Err(Error::key("the two passphrases differ").with_fix("run the command again"));
        }
    }
    Ok(p)
}

/// Largest age header read (a header holds one stanza of a few hundred bytes per recipient).
pub const MAX_HEADER: usize = 64 * 1024;
/// Most recipient stanzas in one header.
pub const MAX_STANZAS: usize = 64;

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Identity files are secret: refused when group or others may read them.
fn refuse_if_open(p: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(p).at("read the identity file", p)?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::key(format!(
            "the identity file '{}' can be read by other users (mode {mode:03o}); it opens the evidence",
            p.display()
        ))
        .with_fix(format!("chmod 600 {}", crate::evidence::keys::shell_quote(&p.display().to_string()))));
    }
    Ok(())
}

/// The sensitive fields of an encrypted item (`derived/private.json`, itself encrypted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivatePart {
    /// `sigillo-private/1`.
    pub format: String,
    /// The acquisition's input, as it would stand in a plain manifest.
    pub input: Map<String, Value>,
    /// The acquisition's facts, as they would stand in a plain manifest.
    pub facts: Map<String, Value>,
    /// The acquisition's transformations, as they would stand in a plain manifest.
    pub transformations: Vec<String>,
    /// The acquisition's warnings (they may name files), as in a plain manifest.
    pub warnings: Vec<String>,
    /// For each file: the name it is stored under in the public manifest, its real
    /// item-relative path, and its full provenance.
    pub files: Vec<PrivateFile>,
}

/// One file's real name and provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateFile {
    /// The path in the public manifest (`original/0001.jpg`).
    pub path: String,
    /// The real item-relative path (`original/IMG_0042.jpg`).
    pub name: String,
    /// Full provenance (path as given, original name, mtime, URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// The public name of a file: its folder (`original/`, `derived/`), a number, and the
/// real name's extension (the media type is public anyway; a file name may not be).
pub fn public_name(real: &str, n: usize) -> String {
    let (dir, base) = match real.split_once('/') {
        Some((d, b)) => (format!("{d}/"), b),
        None => (String::new(), real),
    };
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|e| format!(".{}", e.to_ascii_lowercase()))
        .unwrap_or_default();
    format!("{dir}{n:04}{ext}")
}

/// What of `input`/`facts` stays public: the URL of a captured page.
pub fn public_view(map: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for k in ["url", "final_url"] {
        if let Some(v) = map.get(k).filter(|v| v.is_string()) {
            out.insert(k.to_string(), v.clone());
        }
    }
    out
}

/// What of a file's provenance stays public: its source URL (and origin).
pub fn public_source(s: &Source) -> Option<Source> {
    let p = Source {
        url: s.url.clone(),
        origin: s.origin.clone(),
        ..Source::default()
    };
    (p.url.is_some() || p.origin.is_some()).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_names_keep_folder_and_extension_only() {
        assert_eq!(public_name("original/IMG_0042.JPG", 1), "original/0001.jpg");
        assert_eq!(
            public_name("derived/transcript.html", 12),
            "derived/0012.html"
        );
        assert_eq!(public_name("original/Marco", 3), "original/0003");
        assert_eq!(
            public_name("original/WhatsApp Chat with Marco.zip", 2),
            "original/0002.zip"
        );
        assert_eq!(public_name("original/x.<script>", 4), "original/0004");
    }

    #[test]
    fn round_trip_and_wrong_identity() {
        let id = age::x25519::Identity::generate();
        let r = Recipients::parse(&[id.to_public().to_string()]).unwrap();
        let mut ct = Vec::new();
        let d = encrypt_stream(&r, &mut &b"secret evidence"[..], &mut ct).unwrap();
        assert_eq!(d.size, 15);
        assert!(!ct.windows(6).any(|w| w == b"secret"));
        let ids = Identities {
            list: vec![Box::new(id)],
            files: vec![],
        };
        let mut out = Vec::new();
        ids.decrypt(&ct[..]).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, b"secret evidence");
        let other = Identities {
            list: vec![Box::new(age::x25519::Identity::generate())],
            files: vec![],
        };
        assert!(other.decrypt(&ct[..]).is_err());
        assert!(Recipients::parse(&["nope"]).is_err());
        assert!(Recipients::parse::<&str>(&[]).is_err());
    }

    #[test]
    fn a_passphrase_opens_its_identity_and_nothing_else() {
        let mut r = Recipients::parse(&[age::x25519::Identity::generate().to_public().to_string()])
            .unwrap();
        assert!(r.add_passphrase("short").is_err());
        r.add_passphrase("correct horse battery staple").unwrap();
        assert_eq!(r.shown.len(), 2);
        let wrapped = r.passphrase_identity.clone().unwrap();
        assert!(wrapped.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        let mut ct = Vec::new();
        encrypt_stream(&r, &mut &b"secret evidence"[..], &mut ct).unwrap();
        let ids = Identities::unlock(&wrapped, "correct horse battery staple").unwrap();
        let mut out = Vec::new();
        ids.decrypt(&ct[..]).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, b"secret evidence");
        assert!(Identities::unlock(&wrapped, "wrong horse battery staple").is_err());
        assert!(Identities::unlock("garbage", "correct horse battery staple").is_err());
    }

    /// A crafted header (a megabyte with no end, or too many stanzas) is refused at once,
    /// before the age parser sees it.
    #[test]
    fn crafted_headers_are_refused_quickly() {
        let ids = Identities {
            list: vec![Box::new(age::x25519::Identity::generate())],
            files: vec![],
        };
        let mut endless = b"age-encryption.org/v1\n-> ".to_vec();
        endless.extend(std::iter::repeat_n(b'A', 1 << 20));
        let t = std::time::Instant::now();
        let e = ids.decrypt(&endless[..]).err().expect("refused");
        assert!(e.to_string().contains("no header end"), "{e}");
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
        let mut many = b"age-encryption.org/v1\n".to_vec();
        for _ in 0..100 {
            many.extend_from_slice(b"-> X25519 abc\nAAAA\n");
        }
        many.extend_from_slice(b"--- mac\n");
        let e = ids.decrypt(&many[..]).err().expect("refused");
        assert!(e.to_string().contains("stanzas"), "{e}");
        assert!(ids.decrypt(&b"age-encryption.org/v1\n"[..]).is_err());
    }
}
