//! `config.toml`: who the operator is, which key to use, and named timestamp authorities
//! (with their accounts).
//!
//! Found at `$SIGILLO_CONFIG`, else `$XDG_CONFIG_HOME/sigillo/config.toml` (on Linux
//! `~/.config/sigillo/config.toml`). A missing file is an empty configuration; a file
//! that cannot be read or holds unknown keys is an error naming the line. Passwords are
//! never in the file: each TSA names the environment variable that holds its password
//! (`password_env`), and the password is read when the TSA is asked, never stored,
//! printed or logged.
//!
//! ```toml
//! key = "/home/maria/.config/sigillo/key.pem"
//! tsa_default = ["aruba"]
//!
//! [operator]
//! name = "Avv. Maria Rossi"
//! role = "lawyer"
//! organisation = "Studio Legale Rossi"
//!
//! [tsa.aruba]
//! url = "https://servizi.arubapec.it/tsa/ngrequest.php"
//! username = "maria.rossi"
//! password_env = "ARUBA_TSA_PASSWORD"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evidence::stamping::{BasicAuth, TsaEndpoint};

/// Environment variable naming the configuration file.
pub const CONFIG_ENV: &str = "SIGILLO_CONFIG";

/// The configuration file's contents.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Default signing key (else `$SIGILLO_KEY`, else `~/.config/sigillo/key.pem`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
    /// TSAs used when no `--tsa` is given and `$SIGILLO_TSA` is unset: names of
    /// `[tsa.NAME]` sections or URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tsa_default: Vec<String>,
    /// Who acquires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<OperatorConfig>,
    /// Named timestamp authorities.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tsa: BTreeMap<String, TsaConfig>,
}

/// `[operator]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    /// Full name, as in the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Role (lawyer, investigator, expert …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

/// `[tsa.NAME]`: a timestamp authority, with its account when it needs one.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TsaConfig {
    /// The RFC 3161 endpoint (http or https, without credentials).
    pub url: String,
    /// Account name for HTTP basic authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Environment variable that holds the account's password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    /// Client certificate for TLS (PEM: the certificate, its chain and, unless
    /// `client_key` is given, its private key), for TSAs that authenticate that way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM), when kept in a file of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// Root certificate(s) (PEM) to trust for the TSA's HTTPS server, besides the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_ca: Option<PathBuf>,
}

/// Where the configuration is read from.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CONFIG_ENV)
        && !p.is_empty()
    {
        return Some(PathBuf::from(p));
    }
    dirs::config_dir().map(|d| d.join("sigillo").join("config.toml"))
}

impl Config {
    /// Read the configuration (an empty one when there is no file).
    pub fn load() -> Result<Config> {
        match path() {
            Some(p) if p.exists() => Config::read(&p),
            _ => Ok(Config::default()),
        }
    }

    /// Read one configuration file.
    pub fn read(p: &Path) -> Result<Config> {
        let text =
            std::fs::read_to_string(p).map_err(|e| Error::io("read the configuration", p, e))?;
        let config: Config = toml::from_str(&text).map_err(|e| {
            let fix = if e.message().contains("unknown field `password`") {
                "passwords are never written in the configuration: name the environment variable that holds it with password_env = \"…\"".to_string()
            } else {
                format!(
                    "correct the file (see `sigillo config show` and docs/config.md), or point ${CONFIG_ENV} to another one"
                )
            };
            // The message and line only: toml's own display quotes the line, which may
            // hold a secret written by mistake.
            let line = e
                .span()
                .map(|sp| text[..sp.start.min(text.len())].matches('\n').count() + 1);
            Error::input(format!(
                "'{}'{} is not a valid sigillo configuration: {}",
                p.display(),
                line.map(|l| format!(" line {l}")).unwrap_or_default(),
                e.message().trim()
            ))
            .with_fix(fix)
        })?;
        for (name, t) in &config.tsa {
            check_url(&t.url).map_err(|why| {
                Error::input(format!("'{}': [tsa.{name}] url {why}", p.display()))
                    .with_fix("give the TSA's http(s) URL without user name or password; put the account in username and password_env")
            })?;
            if t.password_env.is_some() && t.username.is_none() {
                return Err(Error::input(format!(
                    "'{}': [tsa.{name}] has password_env but no username",
                    p.display()
                ))
                .with_fix("add username = \"…\""));
            }
        }
        Ok(config)
    }

    /// The TSA a `--tsa` value names: a configured name, or a URL.
    pub fn endpoint(&self, spec: &str) -> Result<TsaEndpoint> {
        if let Some(t) = self.tsa.get(spec) {
            let auth = match (&t.username, &t.password_env) {
                (Some(user), Some(var)) => {
                    let password = std::env::var(var).map_err(|_| {
                        Error::input(format!(
                            "the TSA '{spec}' needs its password in ${var}, which is not set"
                        ))
                        .with_fix(format!(
                            "set it for this command, e.g. `read -rs {var} && export {var}`"
                        ))
                    })?;
                    Some(BasicAuth::new(user.clone(), password))
                }
                (Some(user), None) => Some(BasicAuth::new(user.clone(), String::new())),
                _ => None,
            };
            let read =
                |p: &PathBuf, what: &str| std::fs::read(p).map_err(|e| Error::io(what, p, e));
            let identity_pem = match (&t.client_cert, &t.client_key) {
                (Some(c), Some(k)) => {
                    let mut pem = read(c, "read the TSA client certificate")?;
                    pem.push(b'\n');
                    pem.extend(read(k, "read the TSA client key")?);
                    Some(pem)
                }
                (Some(c), None) => Some(read(c, "read the TSA client certificate")?),
                (None, Some(_)) => {
                    return Err(Error::input(format!(
                        "the TSA '{spec}' has client_key but no client_cert"
                    ))
                    .with_fix("add client_cert = \"…pem\" (the certificate the key belongs to)"));
                }
                (None, None) => None,
            };
            let roots_pem = t
                .tls_ca
                .as_ref()
                .map(|p| read(p, "read the TSA's TLS root certificate"))
                .transpose()?;
            return Ok(TsaEndpoint {
                name: Some(spec.to_string()),
                url: t.url.clone(),
                auth,
                tls: crate::evidence::stamping::TlsSettings {
                    identity_pem,
                    roots_pem,
                },
            });
        }
        if spec.contains("://") {
            return TsaEndpoint::from_url(spec);
        }
        let known: Vec<&str> = self.tsa.keys().map(String::as_str).collect();
        Err(Error::input(format!(
            "'{spec}' is neither a TSA URL nor a configured TSA"
        ))
        .with_fix(if known.is_empty() {
            format!(
                "give a URL (https://…), or define [tsa.{spec}] in {}",
                path().map_or("config.toml".into(), |p| p.display().to_string())
            )
        } else {
            format!("configured TSAs: {}", known.join(", "))
        }))
    }
}

/// An http(s) URL without credentials, or why not.
fn check_url(url: &str) -> std::result::Result<(), String> {
    let u = url::Url::parse(url).map_err(|e| format!("'{url}' is not a URL ({e})"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("'{url}' is not an http(s) URL"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("holds credentials".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_configuration_reads_and_names_its_tsas() {
        let c: Config = toml::from_str(
            "key = \"/k.pem\"\ntsa_default = [\"a\"]\n[operator]\nname = \"M\"\n[tsa.a]\nurl = \"https://tsa.example/\"\nusername = \"u\"\npassword_env = \"SIGILLO_TEST_UNSET_VAR\"\n",
        )
        .unwrap();
        assert_eq!(c.tsa["a"].username.as_deref(), Some("u"));
        // The password variable is unset: a clear error, naming the variable only.
        let e = c.endpoint("a").unwrap_err().to_string();
        assert!(e.contains("$SIGILLO_TEST_UNSET_VAR"), "{e}");
        assert!(c.endpoint("nope").is_err());
        assert_eq!(
            c.endpoint("https://other.example/tsr").unwrap().url,
            "https://other.example/tsr"
        );
    }

    #[test]
    fn a_password_in_the_file_is_refused() {
        assert!(
            toml::from_str::<Config>("[tsa.a]\nurl = \"https://x/\"\npassword = \"p\"\n").is_err()
        );
    }
}
