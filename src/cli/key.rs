//! `sigillo key new|show`: create a signing key pair, show a key's fingerprint.

use std::path::PathBuf;

use clap::Subcommand;

use super::CmdResult;
use super::args::{default_key, load_key};
use super::output::{errln, out, outln};
use crate::error::{Error, Result};
use crate::evidence::keys;

#[derive(Subcommand, Debug)]
pub(super) enum KeyCmd {
    /// Create a new Ed25519 key pair (private key mode 0600; never overwrites).
    New {
        /// Where to write the private key; the public key goes to PATH.pub.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Your full name, stored beside the public key and used as the default operator name.
        #[arg(long)]
        name: Option<String>,
        /// Encrypt the private key with a passphrase (asked on the terminal, or $SIGILLO_PASSPHRASE).
        #[arg(long)]
        passphrase: bool,
    },
    /// Show a key's fingerprint and public key.
    Show {
        /// Private or public key file [default: $SIGILLO_KEY, else ~/.config/sigillo/key.pem].
        path: Option<PathBuf>,
    },
}

pub(super) fn run(k: KeyCmd) -> CmdResult {
    match k {
        KeyCmd::New {
            out,
            name,
            passphrase,
        } => new(out, name.as_deref(), passphrase),
        KeyCmd::Show { path } => show(path),
    }
}

fn new(out: Option<PathBuf>, name: Option<&str>, passphrase: bool) -> CmdResult {
    let out = out.or_else(keys::default_key_path).ok_or_else(|| {
        Error::input("no place for the key: no --out and no config folder")
            .with_fix("pass --out PATH")
    })?;
    let pw = if passphrase {
        Some(new_passphrase()?)
    } else {
        None
    };
    let key = keys::generate(&out, name, pw.as_deref())?;
    outln!("{}", key.fingerprint())?;
    errln!(
        "created {} (private, mode 0600{}) and {} (public)\nGive the public key or its fingerprint to whoever will check your evidence.",
        out.display(),
        if pw.is_some() {
            ", passphrase-protected"
        } else {
            ""
        },
        keys::pub_path(&out).display()
    );
    Ok(0)
}

fn show(path: Option<PathBuf>) -> CmdResult {
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
        .and_then(|t| keys::pub_comment(&t, "name"));
    outln!("fingerprint: {}", keys::fingerprint(&vk))?;
    if let Some(n) = name.or_else(|| keys::pub_comment(&text, "name")) {
        outln!("name: {n}")?;
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
