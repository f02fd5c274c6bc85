//! `sigillo config show`: the effective settings, secrets never shown.

use clap::{Args, Subcommand};
use serde::Serialize;

use super::CmdResult;
use super::args::JsonFlag;
use super::output::outln;
use crate::config::{self, Config};
use crate::error::Error;
use crate::evidence::keys;

/// Examples of the `config` commands, shown by `sigillo config --help`.
pub(super) const EXAMPLES: &str = "Examples:
  sigillo config show                           # which config.toml, key, operator and TSAs apply
  SIGILLO_CONFIG=./case-config.toml sigillo config show
  sigillo config show --json";

#[derive(Subcommand, Debug)]
pub(super) enum ConfigCmd {
    /// Print the effective settings: configuration file, key, operator, timestamp
    /// authorities (passwords are never shown: only whether their variable is set).
    #[command(after_help = EXAMPLES)]
    Show(ShowArgs),
}

#[derive(Args, Debug)]
pub(super) struct ShowArgs {
    #[command(flatten)]
    json: JsonFlag,
}

/// What `config show --json` prints.
#[derive(Serialize)]
struct View {
    config_file: Option<String>,
    config_file_exists: bool,
    key: Option<String>,
    key_source: &'static str,
    operator: Option<config::OperatorConfig>,
    tsa_default: Vec<String>,
    sigillo_tsa_env: Option<String>,
    tsa: Vec<TsaView>,
}

#[derive(Serialize)]
struct TsaView {
    name: String,
    url: String,
    username: Option<String>,
    password_env: Option<String>,
    password_set: Option<bool>,
    client_cert: Option<String>,
    tls_ca: Option<String>,
}

pub(super) fn run(c: ConfigCmd) -> CmdResult {
    let ConfigCmd::Show(a) = c;
    let path = config::path();
    let exists = path.as_ref().is_some_and(|p| p.exists());
    let cfg = Config::load()?;
    let env_key = std::env::var_os(keys::KEY_ENV).filter(|v| !v.is_empty());
    let (key, key_source) = match (&env_key, &cfg.key) {
        (Some(k), _) => (Some(k.to_string_lossy().into_owned()), "$SIGILLO_KEY"),
        (None, Some(k)) => (Some(k.display().to_string()), "config.toml"),
        (None, None) => (
            keys::default_key_path().map(|p| p.display().to_string()),
            "default path",
        ),
    };
    let view = View {
        config_file: path.as_ref().map(|p| p.display().to_string()),
        config_file_exists: exists,
        key,
        key_source,
        operator: cfg.operator.clone(),
        tsa_default: cfg.tsa_default.clone(),
        sigillo_tsa_env: std::env::var("SIGILLO_TSA")
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| crate::text::mask_url(&v)),
        tsa: cfg
            .tsa
            .iter()
            .map(|(name, t)| TsaView {
                name: name.clone(),
                url: t.url.clone(),
                username: t.username.clone(),
                password_env: t.password_env.clone(),
                password_set: t
                    .password_env
                    .as_ref()
                    .map(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty())),
                client_cert: t.client_cert.as_ref().map(|p| p.display().to_string()),
                tls_ca: t.tls_ca.as_ref().map(|p| p.display().to_string()),
            })
            .collect(),
    };
    if a.json.json {
        let text =
            serde_json::to_string_pretty(&view).map_err(|e| Error::internal(e.to_string()))?;
        outln!("{text}")?;
        return Ok(0);
    }
    let none = "(none)";
    outln!(
        "config file:  {} ({})",
        view.config_file.as_deref().unwrap_or(none),
        if exists { "read" } else { "not present" }
    )?;
    outln!(
        "key:          {} (from {})",
        view.key.as_deref().unwrap_or(none),
        view.key_source
    )?;
    let op = view.operator.clone().unwrap_or_default();
    outln!("operator:     {}", op.name.as_deref().unwrap_or(none))?;
    outln!("role:         {}", op.role.as_deref().unwrap_or(none))?;
    outln!(
        "organisation: {}",
        op.organisation.as_deref().unwrap_or(none)
    )?;
    if let Some(t) = &view.sigillo_tsa_env {
        outln!("$SIGILLO_TSA: {t}")?;
    }
    outln!(
        "tsa_default:  {}",
        if view.tsa_default.is_empty() {
            none.to_string()
        } else {
            view.tsa_default.join(", ")
        }
    )?;
    for t in &view.tsa {
        outln!("[tsa.{}]", t.name)?;
        outln!("  url:          {}", t.url)?;
        if let Some(u) = &t.username {
            outln!("  username:     {u}")?;
        }
        if let (Some(var), Some(set)) = (&t.password_env, t.password_set) {
            outln!(
                "  password:     ${var} ({})",
                if set { "set" } else { "NOT set" }
            )?;
        }
        if let Some(c) = &t.client_cert {
            outln!("  client cert:  {c}")?;
        }
        if let Some(c) = &t.tls_ca {
            outln!("  TLS roots:    {c}")?;
        }
    }
    Ok(0)
}
