//! Argument groups shared by several commands, flattened into each with
//! `#[command(flatten)]`, so one flag means one thing everywhere: the bundle written
//! (`-o`), case and note, the signer, timestamp authorities, `--json` and `--quiet`.
//! Commands that word a flag's help for their own case override only the help
//! (`mut_arg`), never the flag's meaning.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::output::errln;
use crate::error::{Error, Result};
use crate::evidence::custody::Actor;
use crate::evidence::keys::{self, EnvOrTerminal};
use crate::evidence::stamping::TsaEndpoint;
use crate::evidence::x509sign::{self, SignerSpec};
use crate::seal::Signer;

/// `-o/--output`: the bundle a command creates or appends to.
#[derive(Args, Debug)]
pub(super) struct BundleOutput {
    /// The bundle to create or append to.
    #[arg(short = 'o', long = "output", value_name = "case.zip")]
    pub(super) output: PathBuf,
}

impl BundleOutput {
    /// Refuse a folder as the bundle path.
    pub(super) fn checked(&self) -> Result<&Path> {
        if self.output.is_dir() {
            return Err(
                Error::input(format!("-o '{}' is a folder", self.output.display()))
                    .with_fix("give a file name such as case.zip"),
            );
        }
        Ok(&self.output)
    }
}

/// `--case` and `--note` of a new item.
#[derive(Args, Debug)]
pub(super) struct CaseNote {
    /// Case id (a new bundle gets one generated if not given).
    #[arg(long = "case", value_name = "ID")]
    pub(super) case: Option<String>,
    /// A note recorded with each item.
    #[arg(long)]
    pub(super) note: Option<String>,
}

/// Who signs: `--key`, `--operator`, `--role`, `--organisation`.
#[derive(Args, Debug, Clone)]
pub(super) struct SignerArgs {
    /// Private key to sign with [default: $SIGILLO_KEY, else ~/.config/sigillo/key.pem].
    #[arg(long, value_name = "PATH")]
    key: Option<PathBuf>,
    /// Your name as it should appear in the record [default: the name stored with the key].
    #[arg(long)]
    operator: Option<String>,
    /// Your role (lawyer, investigator, expert …).
    #[arg(long)]
    role: Option<String>,
    /// Your organisation.
    #[arg(long)]
    organisation: Option<String>,
    #[command(flatten)]
    cosigners: CosignerArgs,
}

/// X.509 signers: `--signer SPEC` (repeatable) and `--signer-rsa-pss`.
#[derive(Args, Debug, Clone)]
pub(super) struct CosignerArgs {
    /// Also sign with an X.509 certificate (repeatable): a smart card, USB token or HSM
    /// as `pkcs11:token=LABEL;object=LABEL?module-path=/path/module.so` (RFC 7512), or a
    /// file as `pkcs12:/path/file.p12`. Each manifest gets a CAdES co-signature
    /// (manifest.p7s; with --tsa, CAdES-B-T). The PIN or password is read from
    /// $SIGILLO_PIN, else asked on the terminal; never give it on the command line.
    #[arg(long = "signer", value_name = "SPEC")]
    pub(super) signer: Vec<String>,
    /// RSA co-signers sign with RSASSA-PSS instead of PKCS#1 v1.5.
    #[arg(long = "signer-rsa-pss")]
    signer_rsa_pss: bool,
}

impl CosignerArgs {
    /// Open every signer (asking for PINs and passwords): refused before anything is
    /// written when a certificate is expired or may not sign.
    pub(super) fn open(&self) -> Result<Vec<Box<dyn x509sign::CertSigner>>> {
        let specs: Vec<SignerSpec> = self
            .signer
            .iter()
            .map(|s| SignerSpec::parse(s))
            .collect::<Result<_>>()?;
        let mut out = Vec::new();
        for spec in &specs {
            let s = x509sign::open(spec, self.signer_rsa_pss)?;
            for n in s.revocation_notes() {
                errln!(
                    "warning: {n}; the co-signatures by {} carry no revocation data for it",
                    s.describe()
                );
            }
            out.push(s);
        }
        Ok(out)
    }
}

impl SignerArgs {
    /// Load the key (asking for its passphrase if needed) and name the person behind it.
    /// Flags first, then config.toml (`key`, `[operator]`), then the key's stored name.
    pub(super) fn signer(&self) -> Result<Signer> {
        let config = crate::config::Config::load()?;
        let op = config.operator.clone().unwrap_or_default();
        let path = match (&self.key, &config.key) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) if std::env::var_os(keys::KEY_ENV).is_none_or(|v| v.is_empty()) => {
                p.clone()
            }
            _ => default_key()?,
        };
        let key = load_key(&path)?;
        let name = self
            .operator
            .clone()
            .or(op.name)
            .or_else(|| key.name.clone())
            .ok_or_else(|| {
                Error::input(
                    "who is acquiring? no operator name was given and the key has none stored",
                )
                .with_fix("pass --operator \"Full Name\" (or create the key with --name)")
            })?;
        let cosigners = self.cosigners.open()?;
        Ok(Signer {
            key,
            actor: Actor {
                name,
                role: self.role.clone().or(op.role),
                organisation: self.organisation.clone().or(op.organisation),
            },
            cosigners,
        })
    }
}

/// Load a private key, warning first if other users can read it.
pub(super) fn load_key(path: &Path) -> Result<keys::Key> {
    if let Some(w) = keys::too_open_warning(path) {
        errln!("warning: {w}");
    }
    keys::load(path, &EnvOrTerminal)
}

/// The default key path ($SIGILLO_KEY or the config folder), which must exist.
pub(super) fn default_key() -> Result<PathBuf> {
    let p = keys::default_key_path().ok_or_else(|| {
        Error::input("no signing key given").with_fix("pass --key PATH or set $SIGILLO_KEY")
    })?;
    if !p.exists() {
        return Err(Error::input(format!("no signing key: '{}' does not exist", p.display())).with_fix(format!(
            "create one with: sigillo key new -o {} --name \"Your Full Name\"   (or pass --key PATH / set $SIGILLO_KEY)",
            keys::shell_quote(&p.display().to_string())
        )));
    }
    Ok(p)
}

/// Timestamp authorities: `--tsa` (repeatable, else $SIGILLO_TSA) and `--require-tsa`.
#[derive(Args, Debug, Clone)]
pub(super) struct TsaArgs {
    /// RFC 3161 timestamp authority: a URL, or the NAME of a [tsa.NAME] section of
    /// config.toml (repeatable; else $SIGILLO_TSA, comma-separated; else tsa_default).
    #[arg(long = "tsa", value_name = "URL|NAME")]
    tsa: Vec<String>,
    /// Fail, writing nothing, if any timestamp authority fails.
    #[arg(long)]
    pub(super) require_tsa: bool,
}

impl TsaArgs {
    /// The TSAs: `--tsa`, else the comma-separated `$SIGILLO_TSA`, else config.toml's
    /// `tsa_default`; each a URL or a configured name.
    pub(super) fn endpoints(&self) -> Result<Vec<TsaEndpoint>> {
        let specs: Vec<String> = if !self.tsa.is_empty() {
            self.tsa.clone()
        } else {
            std::env::var("SIGILLO_TSA")
                .map(|env| {
                    env.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        // The configuration is read only when it is needed: a URL alone needs none.
        if !specs.is_empty() && specs.iter().all(|s| s.contains("://")) {
            return specs.iter().map(|s| TsaEndpoint::from_url(s)).collect();
        }
        let config = crate::config::Config::load()?;
        let specs = if specs.is_empty() {
            config.tsa_default.clone()
        } else {
            specs
        };
        specs.iter().map(|s| config.endpoint(s)).collect()
    }
}

/// `--encrypt-to` / `--encrypt-to-file`: the people a new bundle is encrypted to.
#[derive(Args, Debug, Clone)]
pub(super) struct EncryptArgs {
    /// Encrypt the item's files to this recipient (repeatable): an age public key
    /// (age1…, from `age-keygen`) or an SSH ed25519/RSA public key. Every file is stored
    /// as a standard age file; hashes, signatures and custody stay readable. A bundle that
    /// is already encrypted keeps its recipients (see docs/encryption.md).
    #[arg(long = "encrypt-to", value_name = "RECIPIENT")]
    encrypt_to: Vec<String>,
    /// A file with one recipient a line (`#` comments), as `--encrypt-to` (repeatable).
    #[arg(long = "encrypt-to-file", value_name = "FILE")]
    encrypt_to_file: Vec<PathBuf>,
    /// Also encrypt to a passphrase (asked twice on the terminal, or
    /// $SIGILLO_ENCRYPT_PASSPHRASE; at least 12 characters). Opened later with
    /// `--passphrase`, or by the stock CLI: `age -d -i <the identity in the manifest>`.
    #[arg(long = "encrypt-passphrase")]
    encrypt_passphrase: bool,
}

impl EncryptArgs {
    /// The recipients asked for, if any.
    pub(super) fn recipients(
        &self,
    ) -> Result<Option<std::sync::Arc<crate::evidence::encryption::Recipients>>> {
        let pass = if self.encrypt_passphrase {
            Some(crate::evidence::encryption::read_passphrase(true)?)
        } else {
            None
        };
        Ok(crate::evidence::encryption::Recipients::from_args(
            &self.encrypt_to,
            &self.encrypt_to_file,
            pass.as_deref(),
        )?
        .map(std::sync::Arc::new))
    }
}

/// `--identity`: what opens an encrypted bundle.
#[derive(Args, Debug, Clone)]
pub(super) struct IdentityArgs {
    /// An age identity file (or an unencrypted OpenSSH private key) that opens an
    /// encrypted bundle (repeatable) [default: $SIGILLO_IDENTITY]. Refused when other
    /// users can read it. Plaintext is streamed, never written to disk.
    #[arg(long = "identity", value_name = "FILE")]
    identity: Vec<PathBuf>,
    /// Open a bundle encrypted with --encrypt-passphrase: the passphrase is asked on the
    /// terminal (or read from $SIGILLO_ENCRYPT_PASSPHRASE).
    #[arg(long)]
    passphrase: bool,
}

impl IdentityArgs {
    /// The identities given (and with `--passphrase`, the bundle's passphrase identity
    /// opened), if any.
    pub(super) fn load(
        &self,
        bundle: &Path,
    ) -> Result<Option<std::sync::Arc<crate::evidence::encryption::Identities>>> {
        use crate::evidence::encryption::{self, Identities};
        let files = Identities::load(&self.identity)?;
        if !self.passphrase {
            return Ok(files.map(std::sync::Arc::new));
        }
        let reader = crate::bundle::reader::BundleReader::open(bundle)?;
        let wrapped = reader.passphrase_identities();
        if wrapped.is_empty() {
            return Err(Error::input(format!(
                "'{}' was not encrypted with a passphrase",
                bundle.display()
            ))
            .with_fix("leave out --passphrase; give --identity with a recipient's key"));
        }
        let pass = encryption::read_passphrase(false)?;
        let mut last = None;
        for w in &wrapped {
            match Identities::unlock(w, &pass) {
                Ok(ids) => {
                    let all = match files {
                        Some(f) => f.join(ids),
                        None => ids,
                    };
                    return Ok(Some(std::sync::Arc::new(all)));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("at least one identity was tried"))
    }
}

/// `--json`: machine-readable output on stdout.
#[derive(Args, Debug, Clone, Copy)]
pub(super) struct JsonFlag {
    /// Print JSON.
    #[arg(long)]
    pub(super) json: bool,
}

/// `-q/--quiet`: less output.
#[derive(Args, Debug, Clone, Copy)]
pub(super) struct QuietFlag {
    /// No progress or summary on stderr (warnings and errors are still shown).
    #[arg(short, long)]
    pub(super) quiet: bool,
}

/// Refuse to write `output` (given as `flag`) when it is the bundle being read: `hashes -o
/// case.zip case.zip` or `report case.zip -o case.zip` would replace the evidence with a
/// list or a page. The same file through another name or a hard link is caught too.
pub(super) fn not_the_bundle(output: &Path, bundle: &Path, flag: &str) -> Result<()> {
    let (Ok(o), Ok(b)) = (std::fs::metadata(output), std::fs::metadata(bundle)) else {
        return Ok(());
    };
    #[cfg(unix)]
    let same = {
        use std::os::unix::fs::MetadataExt;
        (o.dev(), o.ino()) == (b.dev(), b.ino())
    };
    #[cfg(not(unix))]
    let same = {
        let _ = (o, b);
        std::fs::canonicalize(output).ok() == std::fs::canonicalize(bundle).ok()
    };
    if same {
        return Err(Error::input(format!(
            "{flag} '{}' is the bundle itself; writing there would destroy the evidence",
            output.display()
        ))
        .with_fix(format!("give {flag} another file name")));
    }
    Ok(())
}

/// Parse a duration: a number of seconds (`2.5`), or with a unit: `1500ms`, `30s`, `2m`,
/// `1h`. NaN, infinities and negative values are refused.
fn duration(s: &str, max_secs: f64, allowed: &str) -> std::result::Result<Duration, String> {
    let t = s.trim();
    let (num, mult) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration; {allowed}"))?;
    let secs = v * mult;
    // NaN and infinities fall outside the range too.
    if !(0.0..=max_secs).contains(&secs) {
        return Err(format!("'{s}' is not allowed; {allowed}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A `--delay`-style wait: up to an hour, as seconds (`2.5`) or a duration (`2s`, `1m`).
pub(super) fn delay(s: &str) -> std::result::Result<Duration, String> {
    duration(
        s,
        3600.0,
        "give a finite number of seconds from 0 to 3600, e.g. 2.5, or a duration such as 2s or 1m",
    )
}

/// A `--timeout`-style limit: up to 24 hours, e.g. `60s`, `2m`, `1h`, `1500ms` or `90`.
pub(super) fn timeout(s: &str) -> std::result::Result<Duration, String> {
    duration(
        s,
        86_400.0,
        "write it like 60s, 2m, 1h or 1500ms (at most 24 hours)",
    )
}

/// A long interval (`--every`, `--deadline`): up to a year, e.g. `30m`, `6h`, `48h`.
pub(super) fn interval(s: &str) -> std::result::Result<Duration, String> {
    let d = duration(
        s,
        366.0 * 86_400.0,
        "write it like 30s, 15m, 6h or 48h (at most a year)",
    )?;
    if d.is_zero() {
        return Err(format!(
            "'{s}' is not allowed; give a duration above zero, e.g. 30m"
        ));
    }
    Ok(d)
}

/// A UTC time: RFC 3339 (`2026-12-03T18:00:00Z`).
pub(super) fn utc_time(s: &str) -> std::result::Result<chrono::DateTime<chrono::Utc>, String> {
    crate::time::parse(s.trim()).ok_or_else(|| {
        format!("'{s}' is not a time; write it in RFC 3339, e.g. 2026-12-03T18:00:00Z")
    })
}

#[cfg(test)]
mod tests {
    use super::{delay, interval, parse_viewport, timeout};

    #[test]
    fn viewports() {
        assert_eq!(parse_viewport("1366x768").unwrap(), (1366, 768));
        assert!(parse_viewport("1366").is_err());
        assert!(parse_viewport("10x10").is_err());
    }

    #[test]
    fn intervals_are_long_and_positive() {
        assert_eq!(interval("48h").unwrap().as_secs(), 48 * 3600);
        assert_eq!(interval("30m").unwrap().as_secs(), 1800);
        assert!(interval("0").is_err());
        assert!(interval("9000h").is_err());
        assert!(super::utc_time("2026-12-03T18:00:00Z").is_ok());
        assert!(super::utc_time("tomorrow").is_err());
    }
    use std::time::Duration;

    #[test]
    fn delays_are_finite_and_in_range() {
        assert_eq!(delay("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(delay("0"), Ok(Duration::ZERO));
        assert_eq!(delay("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(delay("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(delay("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(delay("500ms"), Ok(Duration::from_millis(500)));
        for bad in [
            "NaN", "nan", "inf", "-inf", "infinity", "-1", "3601", "soon", "", "2h", "NaNs",
            "1e309",
        ] {
            let e = delay(bad).unwrap_err();
            assert!(
                e.contains("finite number of seconds from 0 to 3600"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn timeouts_take_units_up_to_a_day() {
        assert_eq!(timeout("60s").unwrap().as_secs(), 60);
        assert_eq!(timeout("2m").unwrap().as_secs(), 120);
        assert_eq!(timeout("1h").unwrap().as_secs(), 3600);
        assert_eq!(timeout("1500ms").unwrap().as_millis(), 1500);
        assert_eq!(timeout("5").unwrap().as_secs(), 5);
        for bad in ["soon", "-1s", "NaNs", "infs", "25h"] {
            assert!(timeout(bad).is_err(), "{bad}");
        }
    }
}

/// The browser flags shared by `capture` and `recheck`: window, session (cookies or a
/// profile), executable, user agent and TLS leniency.
#[derive(Args, Debug)]
pub(super) struct BrowserArgs {
    /// Browser window size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1366x768")]
    pub(super) viewport: String,
    /// Netscape cookies.txt of a logged-in session (the secrets are never stored).
    #[arg(long, value_name = "cookies.txt")]
    pub(super) cookies: Option<PathBuf>,
    /// Use this Chromium user-data folder (a logged-in profile) instead of a fresh one.
    #[arg(long, value_name = "CHROME_USER_DATA_DIR")]
    pub(super) profile: Option<PathBuf>,
    /// Chromium executable [default: $CHROME, else /usr/bin/chromium].
    #[arg(long, value_name = "PATH")]
    pub(super) browser: Option<PathBuf>,
    /// Override the browser's user agent.
    #[arg(long, value_name = "UA")]
    pub(super) user_agent: Option<String>,
    /// Accept invalid TLS certificates (self-signed test servers); recorded in the manifest.
    #[arg(long)]
    pub(super) insecure: bool,
}

impl BrowserArgs {
    /// The capture options these flags set (the rest at their defaults), after checking
    /// the viewport and that the cookies file exists.
    pub(super) fn options(
        &self,
        timeout: Duration,
    ) -> Result<crate::acquire::web::capture::CaptureOptions> {
        if let Some(f) = &self.cookies
            && !f.is_file()
        {
            return Err(
                Error::input(format!("the cookies file '{}' does not exist", f.display()))
                    .with_fix(
                        "export the logged-in session's cookies in Netscape cookies.txt format",
                    ),
            );
        }
        Ok(crate::acquire::web::capture::CaptureOptions {
            viewport: parse_viewport(&self.viewport)?,
            timeout,
            cookies_file: self.cookies.clone(),
            profile: self.profile.clone(),
            browser: self.browser.clone(),
            user_agent: self.user_agent.clone(),
            insecure: self.insecure,
            ..Default::default()
        })
    }
}

/// Parse a viewport `WIDTHxHEIGHT` within 200..=10000 × 200..=20000.
pub(super) fn parse_viewport(s: &str) -> Result<(u32, u32)> {
    let bad = || {
        Error::input(format!("'{s}' is not a viewport size"))
            .with_fix("write it as WIDTHxHEIGHT, e.g. 1366x768")
    };
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if !(200..=10_000).contains(&w) || !(200..=20_000).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}
