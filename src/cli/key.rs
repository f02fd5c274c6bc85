//! `sigillo key new|show`: create a signing key pair, show a key's fingerprint.

use std::path::PathBuf;

use clap::Subcommand;

use super::CmdResult;
use serde_json::json;

use super::args::{JsonFlag, QuietFlag, default_key, load_key};
use super::output::{errln, out, outln};
use super::style::clean;
use crate::error::{Error, Result};
use crate::evidence::keys;

/// Examples of the `key` commands, shown by `sigillo key --help`.
pub(super) const EXAMPLES: &str = "Examples:
  sigillo key new --name \"Avv. Maria Rossi\" --passphrase   # ~/.config/sigillo/key.pem (+ .pub)
  sigillo key show                                          # the default key's fingerprint
  sigillo key show rossi.pem.pub --json";

const NEW_EXAMPLES: &str = "Examples:
  sigillo key new --name \"Avv. Maria Rossi\"   # writes ~/.config/sigillo/key.pem and .pub
  sigillo key new -o rossi.pem --name \"Avv. Maria Rossi\" --passphrase
  SIGILLO_PASSPHRASE=\"$PW\" sigillo key new -o ci.pem --name \"CI runner\" --passphrase --json";

const SHOW_EXAMPLES: &str = "Examples:
  sigillo key show                  # the default key: $SIGILLO_KEY, else ~/.config/sigillo/key.pem
  sigillo key show rossi.pem.pub    # a public key someone gave you
  sigillo key show rossi.pem --json";

#[derive(Subcommand, Debug)]
pub(super) enum KeyCmd {
    /// Create a new Ed25519 key pair (private key mode 0600; never overwrites).
    #[command(after_help = NEW_EXAMPLES)]
    #[command(mut_arg("json", |a| a.help("Print the fingerprint and the key files as JSON")))]
    #[command(mut_arg("quiet", |a| a.help("Print only the fingerprint (no advice on stderr)")))]
    New {
        /// Where to write the private key; the public key goes to PATH.pub
        /// [default: $SIGILLO_KEY, else ~/.config/sigillo/key.pem].
        #[arg(short = 'o', long = "output", alias = "out", value_name = "PATH")]
        output: Option<PathBuf>,
        /// Your full name, stored beside the public key and used as the default operator name.
        #[arg(long)]
        name: Option<String>,
        /// Encrypt the private key with a passphrase (asked on the terminal, or $SIGILLO_PASSPHRASE).
        #[arg(long)]
        passphrase: bool,
        #[command(flatten)]
        json: JsonFlag,
        #[command(flatten)]
        quiet: QuietFlag,
    },
    /// Show a key's fingerprint and public key.
    #[command(after_help = SHOW_EXAMPLES)]
    #[command(mut_arg("json", |a| a.help("Print fingerprint, name and public key as JSON")))]
    Show {
        /// Private or public key file [default: $SIGILLO_KEY, else ~/.config/sigillo/key.pem].
        path: Option<PathBuf>,
        #[command(flatten)]
        json: JsonFlag,
    },
}

pub(super) fn run(k: KeyCmd) -> CmdResult {
    match k {
        KeyCmd::New {
            output,
            name,
            passphrase,
            json,
            quiet,
        } => new(output, name.as_deref(), passphrase, json.json, quiet.quiet),
        KeyCmd::Show { path, json } => show(path, json.json),
    }
}

fn new(
    out: Option<PathBuf>,
    name: Option<&str>,
    passphrase: bool,
    json: bool,
    quiet: bool,
) -> CmdResult {
    let out = out.or_else(keys::default_key_path).ok_or_else(|| {
        Error::input("no place for the key: no -o/--output and no config folder")
            .with_fix("pass -o PATH")
    })?;
    let pw = if passphrase {
        Some(new_passphrase()?)
    } else {
        None
    };
    let key = keys::generate(&out, name, pw.as_deref())?;
    let public = keys::pub_path(&out);
    if json {
        outln!(
            "{}",
            json!({"fingerprint": key.fingerprint(), "private_key": out.display().to_string(),
                   "public_key": public.display().to_string(), "passphrase": pw.is_some(), "name": name})
        )?;
    } else {
        outln!("{}", key.fingerprint())?;
    }
    if !quiet && !json {
        errln!(
            "created {} (private, mode 0600{}) and {} (public)\nGive the public key or its fingerprint to whoever will check your evidence.",
            out.display(),
            if pw.is_some() {
                ", passphrase-protected"
            } else {
                ""
            },
            public.display()
        );
    }
    Ok(0)
}

fn show(path: Option<PathBuf>, json: bool) -> CmdResult {
    let path = match path {
        Some(p) => p,
        None => default_key()?,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    let vk = match keys::parse_public_pem(&text) {
        Some(vk) => vk,
        None => load_key(&path)?.verifying_key(),
    };
    let name = std::fs::read_to_string(keys::pub_path(&path))
        .ok()
        .and_then(|t| keys::pub_comment(&t, "name"))
        .or_else(|| keys::pub_comment(&text, "name"));
    if json {
        outln!(
            "{}",
            json!({"fingerprint": keys::fingerprint(&vk), "name": name, "public_key_pem": keys::public_pem(&vk)})
        )?;
        return Ok(0);
    }
    outln!("fingerprint: {}", keys::fingerprint(&vk))?;
    if let Some(n) = name {
        outln!("name: {}", clean(&n))?;
    }
    out!("{}", keys::public_pem(&vk))?;
    Ok(0)
}

/// A new passphrase: `$SIGILLO_PASSPHRASE`, or asked twice on the terminal.
fn new_passphrase() -> Result<String> {
    if let Ok(p) = std::env::var(keys::PASSPHRASE_ENV) {
        if p.is_empty() {
            return Err(Error::input(format!("${} is empty", keys::PASSPHRASE_ENV))
                .with_fix("set a non-empty passphrase"));
        }
        return Ok(p);
    }
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|e| {
            Error::input(format!(
                "could not read a passphrase from the terminal: {e}"
            ))
            .with_fix(format!(
                "run in a terminal, or set ${} for scripts",
                keys::PASSPHRASE_ENV
            ))
        })
    };
    let a = read("New passphrase: ")?;
    let b = read("Repeat passphrase: ")?;
    if a != b {
        return Err(Error::input("the two passphrases differ").with_fix("run the command again"));
    }
    if a.is_empty() {
        return Err(
            Error::input("empty passphrase").with_fix("choose a passphrase, or drop --passphrase")
        );
    }
    Ok(a)
}
