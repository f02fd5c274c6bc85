//! Command-line interface: arguments in, exit code out.
//!
//! This module only parses flags, builds options for the library, prints what the
//! library returns and maps errors to exit codes:
//! 0 = success / verified, 1 = verification failed (or some acquisitions failed),
//! 2 = could not run (usage, unreadable input, wrong key or passphrase).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};

use crate::bundle::{self, SealOptions, Signer};
use crate::error::{Error, Result};
use crate::evidence::custody::{Action, Actor};
use crate::evidence::keys::{self, EnvOrTerminal};
use crate::verify::{self, Status, VerifyOptions};

const AFTER_HELP: &str = "Exit codes: 0 success (bundle verified), 1 verification failed or some acquisitions failed, 2 could not run.\nDocumentation: docs/ in the source tree; every bundle explains itself in VERIFY.md.";

/// sigillo: capture digital evidence and seal it into a signed, timestamped,
/// chain-of-custody bundle that a court can check.
#[derive(Parser, Debug)]
#[command(name = "sigillo", version, about, long_about = None, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create or show signing keys.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Seal files, folders or a chat export into a bundle as one new item.
    Add(AddArgs),
    /// Check a bundle: signatures, hashes, timestamps, custody chain.
    Verify(VerifyArgs),
    /// List a bundle's items and files with their hashes.
    Ls(LsArgs),
    /// Extract a verified bundle (or one item) into a working copy.
    Extract(ExtractArgs),
    /// Record or show the chain of custody.
    #[command(subcommand)]
    Custody(CustodyCmd),
    /// Capture web pages with headless Chromium (screenshot, PDF, MHTML, DOM, WARC/WACZ, TLS and DNS facts).
    Capture(Box<CaptureArgs>),
    /// Add RFC 3161 trusted timestamps to items that lack them (or renewal tokens).
    Timestamp(TimestampArgs),
    /// Export hash lists (SHA-256, MD5, PDQ) for takedown and re-upload blocking.
    Hashes(HashesArgs),
    /// Tell which given images match sealed ones (PDQ distance or exact hash).
    Match(MatchArgs),
    /// Write the acquisition report (HTML, and PDF through Chromium).
    Report(ReportArgs),
    /// Build a sample bundle from the bundled samples/ (offline) and verify it.
    Demo(DemoArgs),
}

#[derive(Args, Debug)]
struct CaptureArgs {
    /// The URLs to capture; each becomes one item.
    #[arg(required = true, value_name = "URL")]
    urls: Vec<String>,
    /// The bundle to create or append to.
    #[arg(short = 'o', long = "output", value_name = "case.zip")]
    output: PathBuf,
    /// Case id (a new bundle gets one generated if not given).
    #[arg(long = "case", value_name = "ID")]
    case: Option<String>,
    /// A note recorded with each item.
    #[arg(long)]
    note: Option<String>,
    /// Browser window size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1366x768")]
    viewport: String,
    /// Give up on a page after this long (e.g. 60s, 2m).
    #[arg(long, default_value = "60s")]
    timeout: String,
    /// Wait until this CSS selector is present before capturing.
    #[arg(long, value_name = "CSS_SELECTOR")]
    wait_for: Option<String>,
    /// Extra seconds to wait after the page loaded.
    #[arg(long, value_name = "SECS", default_value_t = 0.0)]
    delay: f64,
    /// Do not scroll the page (scrolling triggers lazy-loaded content).
    #[arg(long)]
    no_scroll: bool,
    /// Netscape cookies.txt of a logged-in session (the secrets are never stored).
    #[arg(long, value_name = "cookies.txt")]
    cookies: Option<PathBuf>,
    /// Use this Chromium user-data folder (a logged-in profile) instead of a fresh one.
    #[arg(long, value_name = "CHROME_USER_DATA_DIR")]
    profile: Option<PathBuf>,
    /// Chromium executable [default: $CHROME, else /usr/bin/chromium].
    #[arg(long, value_name = "PATH")]
    browser: Option<PathBuf>,
    /// Override the browser's user agent.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    /// Accept invalid TLS certificates (self-signed test servers); recorded in the manifest.
    #[arg(long)]
    insecure: bool,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    /// No progress on stderr.
    #[arg(short, long)]
    quiet: bool,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct TimestampArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Also add a new token to items that already have one (renewal for long-term validity).
    #[arg(long)]
    renew: bool,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum HashFormat {
    Csv,
    Json,
    Stopncii,
}

#[derive(Args, Debug)]
struct HashesArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HashFormat::Csv)]
    format: HashFormat,
    /// Only this item (id or number).
    #[arg(long, value_name = "ID")]
    item: Option<String>,
}

#[derive(Args, Debug)]
struct MatchArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Images or folders to compare with the sealed images.
    #[arg(required = true, value_name = "IMAGE_OR_DIR")]
    inputs: Vec<PathBuf>,
    /// Largest PDQ Hamming distance that counts as a match (0-256).
    #[arg(long, default_value_t = 31)]
    threshold: u32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum ReportLang {
    En,
    It,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Where to write the HTML report.
    #[arg(short = 'o', long = "output", default_value = "report.html")]
    output: PathBuf,
    /// Also print it to PDF with headless Chromium.
    #[arg(long, value_name = "report.pdf")]
    pdf: Option<PathBuf>,
    /// Show screenshots and images (hidden by default: they can be intimate).
    #[arg(long)]
    show_media: bool,
    /// Language.
    #[arg(long, value_enum, default_value_t = ReportLang::En)]
    lang: ReportLang,
    /// Chromium executable for --pdf [default: $CHROME, else /usr/bin/chromium].
    #[arg(long, value_name = "PATH")]
    browser: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum KeyCmd {
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
        /// Private or public key file (default: --key / $SIGILLO_KEY / the default key).
        path: Option<PathBuf>,
    },
}

#[derive(Args, Debug, Clone)]
struct SignerArgs {
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
}

#[derive(Args, Debug, Clone)]
struct TsaArgs {
    /// RFC 3161 timestamp authority URL (repeatable; also $SIGILLO_TSA, comma-separated).
    #[arg(long = "tsa", value_name = "URL")]
    tsa: Vec<String>,
    /// Fail, writing nothing, if any timestamp authority fails.
    #[arg(long)]
    require_tsa: bool,
}

impl TsaArgs {
    fn urls(&self) -> Vec<String> {
        let mut v = self.tsa.clone();
        if v.is_empty()
            && let Ok(env) = std::env::var("SIGILLO_TSA")
        {
            {
                v.extend(
                    env.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                );
            }
        }
        v
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum AddAs {
    /// Detect from the content (default).
    Auto,
    /// Plain files.
    Files,
    /// A WhatsApp export (.txt or .zip).
    ChatWhatsapp,
    /// A Telegram Desktop export (result.json or its folder).
    ChatTelegram,
}

#[derive(Args, Debug)]
struct AddArgs {
    /// Files or folders to seal (folders recursively).
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    inputs: Vec<PathBuf>,
    /// The bundle to create or append to.
    #[arg(short = 'o', long = "output", value_name = "case.zip")]
    output: PathBuf,
    /// Case id (a new bundle gets one generated if not given).
    #[arg(long = "case", value_name = "ID")]
    case: Option<String>,
    /// A note recorded with the item.
    #[arg(long)]
    note: Option<String>,
    /// What the input is.
    #[arg(long = "as", value_enum, default_value_t = AddAs::Auto)]
    as_: AddAs,
    /// Date order of a WhatsApp export when it cannot be detected (DD/MM/YYYY, MM/DD/YY, YYYY-MM-DD).
    #[arg(long, value_name = "FORMAT")]
    date_format: Option<String>,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct VerifyArgs {
    /// The bundle to check.
    bundle: PathBuf,
    /// A public key file or SHA256:… fingerprint you trust (repeatable).
    #[arg(long, value_name = "PUBKEY_OR_FINGERPRINT")]
    trust: Vec<String>,
    /// A file with one trusted fingerprint per line, optionally followed by a name.
    #[arg(long, value_name = "FILE")]
    trust_file: Option<PathBuf>,
    /// Root certificate(s) for timestamp authorities (PEM, repeatable).
    #[arg(long, value_name = "PEM")]
    tsa_ca: Vec<PathBuf>,
    /// Print the machine-readable report (schema: docs/verify-json.md).
    #[arg(long)]
    json: bool,
    /// Print only the verdict and failures.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct ExtractArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Folder to extract into (must not exist or be empty).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: PathBuf,
    /// Only this item (id, or its number).
    #[arg(long, value_name = "ID")]
    item: Option<String>,
}

#[derive(Args, Debug)]
struct LsArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum CustodyCmd {
    /// Append a signed custody entry (verifies the bundle first).
    Add(Box<CustodyAddArgs>),
    /// Show the custody timeline.
    Show {
        /// The bundle.
        bundle: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum CustodyAction {
    Transferred,
    Received,
    Verified,
    Exported,
    Note,
}

#[derive(Args, Debug)]
struct CustodyAddArgs {
    /// The bundle.
    bundle: PathBuf,
    /// What happened.
    #[arg(long, value_enum)]
    action: CustodyAction,
    /// Recipient (for `transferred`).
    #[arg(long)]
    to: Option<String>,
    /// Sender (for `received`).
    #[arg(long)]
    from: Option<String>,
    /// Free text.
    #[arg(long)]
    note: Option<String>,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    /// For `verified`: trusted keys to check against.
    #[arg(long, value_name = "PUBKEY_OR_FINGERPRINT")]
    trust: Vec<String>,
}

#[derive(Args, Debug)]
struct DemoArgs {
    /// Where to write the demo bundle [default: a new temporary folder].
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

/// Run the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.kind().exit_code()
        }
    }
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Key(k) => key_cmd(k),
        Command::Add(a) => add_cmd(a),
        Command::Verify(v) => verify_cmd(v),
        Command::Ls(l) => ls_cmd(l),
        Command::Extract(x) => {
            let out = bundle::extract::extract(&x.bundle, &x.dir, x.item.as_deref())?;
            eprintln!(
                "extracted {} files ({} bytes) into {}; every SHA-256 checked. This is a working copy: keep {} unchanged as the evidentiary copy, and record the copy with `sigillo custody add {} --action exported --note \"…\"`.",
                out.files,
                out.bytes,
                out.dir.display(),
                x.bundle.display(),
                x.bundle.display()
            );
            Ok(0)
        }
        Command::Custody(c) => custody_cmd(c),
        Command::Demo(d) => demo_cmd(d),
        Command::Timestamp(t) => timestamp_cmd(t),
        Command::Capture(c) => capture_cmd(*c),
        Command::Hashes(h) => hashes_cmd(h),
        Command::Match(m) => match_cmd(m),
        Command::Report(r) => report_cmd(r),
    }
}

fn key_cmd(k: KeyCmd) -> Result<i32> {
    match k {
        KeyCmd::New {
            out,
            name,
            passphrase,
        } => {
            let out = out.or_else(keys::default_key_path).ok_or_else(|| {
                Error::input("no place for the key: no --out and no config folder")
                    .with_fix("pass --out PATH")
            })?;
            let pw = if passphrase {
                Some(new_passphrase()?)
            } else {
                None
            };
            let key = keys::generate(&out, name.as_deref(), pw.as_deref())?;
            println!("{}", key.fingerprint());
            eprintln!(
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
        KeyCmd::Show { path } => {
            let path = match path {
                Some(p) => p,
                None => default_key()?,
            };
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
            let vk = if let Some(vk) = keys::parse_public_pem(&text) {
                vk
            } else {
                keys::load(&path, &EnvOrTerminal)?.verifying_key()
            };
            let name = std::fs::read_to_string(keys::pub_path(&path))
                .ok()
                .and_then(|t| keys::pub_comment(&t, "name"));
            println!("fingerprint: {}", keys::fingerprint(&vk));
            if let Some(n) = name.or_else(|| keys::pub_comment(&text, "name")) {
                println!("name: {n}");
            }
            print!("{}", keys::public_pem(&vk));
            Ok(0)
        }
    }
}

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

fn default_key() -> Result<PathBuf> {
    let p = keys::default_key_path().ok_or_else(|| {
        Error::input("no signing key given").with_fix("pass --key PATH or set $SIGILLO_KEY")
    })?;
    if !p.exists() {
        return Err(Error::input(format!("no signing key: '{}' does not exist", p.display())).with_fix(format!(
            "create one with: sigillo key new --out {} --name \"Your Full Name\"   (or pass --key PATH / set $SIGILLO_KEY)",
            keys::shell_quote(&p.display().to_string())
        )));
    }
    Ok(p)
}

fn signer(a: &SignerArgs) -> Result<Signer> {
    let path = match &a.key {
        Some(p) => p.clone(),
        None => default_key()?,
    };
    let key = keys::load(&path, &EnvOrTerminal)?;
    let name = a
        .operator
        .clone()
        .or_else(|| key.name.clone())
        .ok_or_else(|| {
            Error::input("who is acquiring? no operator name was given and the key has none stored")
                .with_fix("pass --operator \"Full Name\" (or create the key with --name)")
        })?;
    Ok(Signer {
        key,
        actor: Actor {
            name,
            role: a.role.clone(),
            organisation: a.organisation.clone(),
        },
    })
}

fn check_output(p: &Path) -> Result<()> {
    if p.is_dir() {
        return Err(Error::input(format!("-o '{}' is a folder", p.display()))
            .with_fix("give a file name such as case.zip"));
    }
    Ok(())
}

fn add_cmd(a: AddArgs) -> Result<i32> {
    check_output(&a.output)?;
    for i in &a.inputs {
        if let (Ok(x), Ok(y)) = (std::fs::canonicalize(i), std::fs::canonicalize(&a.output))
            && x == y
        {
            {
                return Err(Error::input("the bundle cannot contain itself")
                    .with_fix("choose another -o path"));
            }
        }
    }
    let signer = signer(&a.signer)?;
    // Refuse early, before any work, if the bundle exists and does not verify.
    if a.output.exists() {
        bundle::open_verified(&a.output)?;
    }
    use crate::acquire::chat::{self, ChatFormat, ChatOptions};
    let chat_opts = ChatOptions {
        date_format: a.date_format.clone(),
    };
    let single = (a.inputs.len() == 1).then(|| a.inputs[0].clone());
    let chat_format = match (a.as_, &single) {
        (AddAs::Files, _) => None,
        (AddAs::ChatWhatsapp, _) => Some(ChatFormat::WhatsApp),
        (AddAs::ChatTelegram, _) => Some(ChatFormat::Telegram),
        (AddAs::Auto, Some(p)) if p.exists() => chat::detect(p)?,
        (AddAs::Auto, _) => None,
    };
    let acq = match (chat_format, &single) {
        (Some(f), Some(p)) => {
            eprintln!(
                "detected a {} chat export",
                if f == ChatFormat::WhatsApp {
                    "WhatsApp"
                } else {
                    "Telegram"
                }
            );
            chat::acquire(p, f, &chat_opts)?
        }
        (Some(_), None) => {
            return Err(Error::input("a chat export is added on its own")
                .with_fix("add one export per command"));
        }
        (None, _) => {
            crate::acquire::files::acquire(&a.inputs, &[a.output.clone(), signer.key.path.clone()])?
        }
    };
    for w in &acq.warnings {
        eprintln!("warning: {w}");
    }
    let opts = SealOptions {
        case: a.case.clone(),
        note: a.note.clone(),
        tsa: a.tsa.urls(),
        require_tsa: a.tsa.require_tsa,
        tsa_timeout: None,
    };
    let s = bundle::seal(&a.output, acq, &signer, &opts)?;
    for w in s
        .warnings
        .iter()
        .filter(|w| w.contains("timestamp") || w.contains("TSA"))
    {
        eprintln!("warning: {w}");
    }
    if a.json {
        println!(
            "{}",
            json!({"bundle": a.output.display().to_string(), "case": s.case_id, "item": s.item_id, "manifest_sha256": s.manifest_sha256,
                   "files": s.files, "bytes": s.bytes, "timestamps": s.tokens, "signer": signer.key.fingerprint()})
        );
    } else {
        eprintln!(
            "sealed item {} ({} files, {} bytes) into {} — case {}, signed by {}{}",
            s.item_id,
            s.files,
            s.bytes,
            a.output.display(),
            s.case_id,
            signer.key.fingerprint(),
            if s.tokens > 0 {
                format!(", {} trusted timestamp(s)", s.tokens)
            } else {
                String::new()
            }
        );
    }
    Ok(0)
}

fn trust_list(args: &[String], file: Option<&Path>) -> Result<Vec<String>> {
    let mut v = args.to_vec();
    if let Some(f) = file {
        let text =
            std::fs::read_to_string(f).map_err(|e| Error::io("read the trust file", f, e))?;
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let fpr = line.split_whitespace().next().unwrap_or("");
            if !fpr.starts_with("SHA256:") {
                return Err(Error::input(format!(
                    "'{}': line '{line}' does not start with a SHA256: fingerprint",
                    f.display()
                ))
                .with_fix("write one fingerprint per line, optionally followed by a name"));
            }
            v.push(fpr.to_string());
        }
    }
    Ok(v)
}

fn verify_cmd(a: VerifyArgs) -> Result<i32> {
    let opts = VerifyOptions {
        trust: trust_list(&a.trust, a.trust_file.as_deref())?,
        tsa_ca: a.tsa_ca.clone(),
    };
    let rep = verify::verify(&a.bundle, &opts)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rep).map_err(|e| Error::internal(e.to_string()))?
        );
    } else {
        print_report(&rep, a.quiet);
    }
    Ok(if rep.ok() { 0 } else { 1 })
}

fn print_report(rep: &verify::Report, quiet: bool) {
    let mut out = std::io::stdout().lock();
    if !quiet {
        let _ = writeln!(out, "bundle  {}\nsha256  {}", rep.bundle, rep.bundle_sha256);
        for c in &rep.checks {
            let tag = match c.status {
                Status::Pass => "ok  ",
                Status::Fail => "FAIL",
                Status::Warn => "warn",
                Status::Info => "info",
            };
            let _ = writeln!(out, "{tag}  {:<9} {}: {}", c.check, c.subject, c.message);
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "signers:");
        for s in &rep.signers {
            let t = match s.trusted {
                Some(true) => "trusted",
                Some(false) => "NOT TRUSTED",
                None => "not pinned",
            };
            let _ = writeln!(out, "  {}  {}  ({t})", s.fingerprint, s.names.join(", "));
        }
        if !rep.trust_pinned {
            let _ = writeln!(
                out,
                "note: no --trust given: the signatures are only self-consistent. Compare the fingerprints above with the\n      ones the operator declared, or run again with --trust <their .pub file>."
            );
        }
    }
    if rep.ok() {
        let _ = writeln!(out, "VERIFIED: {} — every check passed.", rep.bundle);
    } else {
        let _ = writeln!(
            out,
            "NOT VERIFIED: {} — {} problem(s):",
            rep.bundle,
            rep.failures.len()
        );
        for f in &rep.failures {
            let _ = writeln!(out, "  - {}: {}", f.subject, f.message);
        }
    }
}

fn ls_cmd(a: LsArgs) -> Result<i32> {
    let rep = verify::verify(&a.bundle, &VerifyOptions::default())?;
    let st = &rep.state;
    if a.json {
        let items: Vec<Value> = st.items.iter().map(|i| i.manifest_json.clone()).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"case": st.case_id, "items": items}))
                .unwrap_or_default()
        );
    } else {
        println!("case {} — {} item(s)", st.case_id, st.items.len());
        for it in &st.items {
            let m = &it.manifest;
            println!(
                "\n{}  kind={}  acquired {}  by {} ({})",
                it.id,
                m.kind,
                m.acquired.finished,
                m.operator.name.clone().unwrap_or_default(),
                m.operator.key
            );
            for f in &m.files {
                println!("  {}  {:>12}  {}  {}", f.sha256, f.size, f.role, f.path);
            }
        }
    }
    if !rep.ok() {
        eprintln!(
            "warning: the bundle does NOT verify ({} problem(s)); run `sigillo verify {}`",
            rep.failures.len(),
            a.bundle.display()
        );
        return Ok(1);
    }
    Ok(0)
}

fn custody_cmd(c: CustodyCmd) -> Result<i32> {
    match c {
        CustodyCmd::Show { bundle, json } => {
            let rep = verify::verify(&bundle, &VerifyOptions::default())?;
            let failing: Vec<&str> = rep
                .failures
                .iter()
                .filter(|f| f.check == "custody")
                .map(|f| f.subject.as_str())
                .collect();
            if json {
                let v: Vec<Value> = rep
                    .state
                    .custody
                    .iter()
                    .map(|e| {
                        let mut o = e.raw.clone();
                        if let Some(m) = o.as_object_mut() {
                            m.insert("signature_ok".into(), json!(e.signature_ok));
                        }
                        o
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                println!(
                    "{:>3}  {:<24}  {:<12}  {:<10}  by",
                    "#", "time (UTC)", "action", "signature"
                );
                for e in &rep.state.custody {
                    let who = match (&e.actor_role, &e.actor_org) {
                        (Some(r), Some(o)) => format!("{} ({r}, {o})", e.actor_name),
                        (Some(r), None) => format!("{} ({r})", e.actor_name),
                        (None, Some(o)) => format!("{} ({o})", e.actor_name),
                        _ => e.actor_name.clone(),
                    };
                    let what = e
                        .details
                        .get("item")
                        .or_else(|| e.details.get("to"))
                        .or_else(|| e.details.get("from"))
                        .or_else(|| e.details.get("verdict"))
                        .and_then(Value::as_str)
                        .map(|s| format!(" {s}"))
                        .unwrap_or_default();
                    println!(
                        "{:>3}  {:<24}  {:<12}  {:<10}  {who} [{}]{}{what}",
                        e.seq,
                        e.time_text,
                        e.action,
                        if e.signature_ok { "valid" } else { "INVALID" },
                        e.actor_key,
                        e.note
                            .as_ref()
                            .map(|n| format!(" — {n}"))
                            .unwrap_or_default()
                    );
                }
                if !failing.is_empty() {
                    println!(
                        "\nthe custody chain does NOT verify: {}",
                        failing.join("; ")
                    );
                }
            }
            Ok(if rep.ok() { 0 } else { 1 })
        }
        CustodyCmd::Add(a) => {
            let a = *a;
            let signer = signer(&a.signer)?;
            let mut details = Map::new();
            let action = match a.action {
                CustodyAction::Transferred => {
                    let to = a.to.clone().ok_or_else(|| {
                        Error::input(
                            "--action transferred needs --to \"Recipient Name, Organisation\"",
                        )
                        .with_fix("add --to")
                    })?;
                    details.insert("to".into(), json!(to));
                    Action::Transferred
                }
                CustodyAction::Received => {
                    if let Some(f) = &a.from {
                        details.insert("from".into(), json!(f));
                    }
                    Action::Received
                }
                CustodyAction::Verified => {
                    let rep = verify::verify(
                        &a.bundle,
                        &VerifyOptions {
                            trust: a.trust.clone(),
                            tsa_ca: Vec::new(),
                        },
                    )?;
                    details.insert("verdict".into(), json!(rep.verdict));
                    details.insert("bundle_sha256".into(), json!(rep.bundle_sha256));
                    details.insert("checks".into(), json!(rep.checks.len()));
                    details.insert("failures".into(), json!(rep.failures.len()));
                    if !rep.ok() {
                        print_report(&rep, true);
                        return Err(Error::not_verified(format!("'{}' does not verify; nothing was recorded", a.bundle.display()))
                            .with_fix("a bundle that fails verification cannot take new custody entries; report the problems"));
                    }
                    Action::Verified
                }
                CustodyAction::Exported => Action::Exported,
                CustodyAction::Note => {
                    if a.note.is_none() {
                        return Err(Error::input("--action note needs --note TEXT")
                            .with_fix("add --note \"…\""));
                    }
                    Action::Note
                }
            };
            let seq = bundle::append_custody(
                &a.bundle,
                action,
                a.note.as_deref(),
                details,
                &signer,
                &a.tsa.urls(),
                a.tsa.require_tsa,
            )?;
            eprintln!(
                "recorded custody entry #{seq} ({}) in {}, signed by {}",
                action.as_str(),
                a.bundle.display(),
                signer.key.fingerprint()
            );
            Ok(0)
        }
    }
}

fn timestamp_cmd(t: TimestampArgs) -> Result<i32> {
    let signer = signer(&t.signer)?;
    let out = bundle::add_timestamps(
        &t.bundle,
        &t.tsa.urls(),
        t.renew,
        t.tsa.require_tsa,
        &signer,
    )?;
    for (item, file) in &out.added {
        eprintln!("timestamped {item}: {file}");
    }
    for s in &out.skipped {
        eprintln!("skipped {s}: it already has a token (use --renew to add another)");
    }
    for f in &out.failed {
        eprintln!("warning: {f}");
    }
    if !out.failed.is_empty() && (t.tsa.require_tsa || out.added.is_empty()) {
        return Err(
            Error::partial(format!("{} timestamp request(s) failed", out.failed.len()))
                .with_fix("check the TSA URL and the network, then run `sigillo timestamp` again"),
        );
    }
    Ok(0)
}

fn parse_duration(s: &str) -> Result<std::time::Duration> {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num.trim().parse().map_err(|_| {
        Error::input(format!("'{s}' is not a duration")).with_fix("write it like 60s, 2m or 1500ms")
    })?;
    if !(0.0..=86_400.0).contains(&(v * mult)) {
        return Err(Error::input(format!("'{s}' is out of range"))
            .with_fix("use a duration between 0 and 24 hours"));
    }
    Ok(std::time::Duration::from_secs_f64(v * mult))
}

fn parse_viewport(s: &str) -> Result<(u32, u32)> {
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

fn capture_cmd(c: CaptureArgs) -> Result<i32> {
    use crate::acquire::web::capture::{Browser, CaptureOptions};
    check_output(&c.output)?;
    let opts = CaptureOptions {
        viewport: parse_viewport(&c.viewport)?,
        timeout: parse_duration(&c.timeout)?,
        wait_for: c.wait_for.clone(),
        delay: std::time::Duration::from_secs_f64(c.delay.clamp(0.0, 3600.0)),
        scroll: !c.no_scroll,
        cookies_file: c.cookies.clone(),
        profile: c.profile.clone(),
        browser: c.browser.clone(),
        user_agent: c.user_agent.clone(),
        insecure: c.insecure,
    };
    if let Some(f) = &c.cookies
        && !f.is_file()
    {
        return Err(
            Error::input(format!("the cookies file '{}' does not exist", f.display()))
                .with_fix("export the logged-in session's cookies in Netscape cookies.txt format"),
        );
    }
    let signer = signer(&c.signer)?;
    // Refuse early if the bundle exists and does not verify; learn the next item number.
    let mut next_seq = match bundle::open_verified(&c.output)? {
        Some((_, st)) => st.items.len() + 1,
        None => 1,
    };
    let seal_opts = SealOptions {
        case: c.case.clone(),
        note: c.note.clone(),
        tsa: c.tsa.urls(),
        require_tsa: c.tsa.require_tsa,
        tsa_timeout: None,
    };
    let quiet = c.quiet || c.json;
    if !quiet {
        eprintln!("starting Chromium …");
    }
    let browser = Browser::launch(&opts)?;
    let mut results = Vec::new();
    let mut failed = 0;
    for url in &c.urls {
        let slug = url::Url::parse(url)
            .map(|u| {
                crate::acquire::slugify(&format!("{}{}", u.host_str().unwrap_or(""), u.path()))
            })
            .unwrap_or_else(|_| "page".into());
        let label = format!("item {next_seq:04}-web-{slug}");
        let progress = |step: &str| {
            if !quiet {
                eprintln!("  {url}: {step}");
            }
        };
        let outcome = browser
            .capture(url, &label, &opts, &progress)
            .and_then(|acq| bundle::seal(&c.output, acq, &signer, &seal_opts));
        match outcome {
            Ok(s) => {
                next_seq += 1;
                for w in &s.warnings {
                    if !quiet {
                        eprintln!("  warning: {w}");
                    }
                }
                if !quiet {
                    eprintln!(
                        "sealed {url} as item {} ({} files) into {}",
                        s.item_id,
                        s.files,
                        c.output.display()
                    );
                }
                results.push(json!({"url": url, "ok": true, "item": s.item_id, "manifest_sha256": s.manifest_sha256,
                                    "files": s.files, "timestamps": s.tokens, "warnings": s.warnings}));
            }
            Err(e) => {
                failed += 1;
                if !c.json {
                    eprintln!("error: {e}");
                }
                results
                    .push(json!({"url": url, "ok": false, "error": e.problem(), "fix": e.fix()}));
            }
        }
    }
    if c.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"bundle": c.output.display().to_string(), "browser": browser.product, "results": results}))
                .unwrap_or_default()
        );
    }
    if failed > 0 {
        if failed == c.urls.len() && !c.json {
            return Ok(1);
        }
        if !c.json {
            eprintln!(
                "{failed} of {} URL(s) could not be captured; the others were sealed",
                c.urls.len()
            );
        }
        return Ok(1);
    }
    Ok(0)
}

/// Verify a bundle for a read-only command; refuse to work from one that does not verify.
fn verified_state(bundle: &Path) -> Result<verify::BundleState> {
    let rep = verify::verify(bundle, &VerifyOptions::default())?;
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

fn hashes_cmd(h: HashesArgs) -> Result<i32> {
    let st = verified_state(&h.bundle)?;
    let manifests: Vec<Value> = st.items.iter().map(|i| i.manifest_json.clone()).collect();
    let rows = crate::hashlist::rows(&manifests, h.item.as_deref());
    if let Some(want) = &h.item
        && rows.is_empty()
        && !st
            .items
            .iter()
            .any(|i| i.id == *want || i.id.starts_with(&format!("{want}-")))
    {
        return Err(Error::input(format!("no item '{want}' in the bundle"))
            .with_fix("list the items with `sigillo ls`"));
    }
    let mut out = std::io::stdout().lock();
    let r = match h.format {
        HashFormat::Csv => crate::hashlist::write_csv(&rows, &mut out),
        HashFormat::Json => crate::hashlist::write_json(&rows, &mut out),
        HashFormat::Stopncii => crate::hashlist::write_stopncii(&rows, &mut out),
    };
    r.map_err(|e| Error::input(format!("could not write the list: {e}")))?;
    let unreliable = rows
        .iter()
        .filter(|r| r.pdq_reliable == Some(false))
        .count();
    if unreliable > 0 {
        eprintln!(
            "note: {unreliable} image(s) have PDQ quality below 50: their perceptual hash is unreliable for matching"
        );
    }
    Ok(0)
}

fn match_cmd(m: MatchArgs) -> Result<i32> {
    if m.threshold > 256 {
        return Err(
            Error::input("--threshold must be between 0 and 256").with_fix("the usual value is 31")
        );
    }
    let st = verified_state(&m.bundle)?;
    let manifests: Vec<Value> = st.items.iter().map(|i| i.manifest_json.clone()).collect();
    let rows = crate::hashlist::rows(&manifests, None);
    let files = crate::hashlist::collect(&m.inputs)?;
    let results = crate::hashlist::match_files(&rows, &files, m.threshold);
    let matched = results.iter().filter(|(_, v)| !v.is_empty()).count();
    if m.json {
        let v: Vec<Value> = results
            .iter()
            .map(|(c, ms)| json!({"candidate": c.display().to_string(), "matches": ms}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for (c, ms) in &results {
            if ms.is_empty() {
                println!("no match   {}", c.display());
            }
            for x in ms {
                let how = match x.distance {
                    Some(d) => format!(
                        "PDQ distance {d}{}",
                        if x.reliable {
                            ""
                        } else {
                            " (sealed hash unreliable)"
                        }
                    ),
                    None => format!("identical {}", x.how.to_uppercase()),
                };
                println!("MATCH      {}  ~  {}  ({how})", c.display(), x.sealed);
            }
        }
        eprintln!(
            "{matched} of {} file(s) match sealed evidence (threshold {})",
            results.len(),
            m.threshold
        );
    }
    Ok(0)
}

fn report_cmd(r: ReportArgs) -> Result<i32> {
    let rep = verify::verify(&r.bundle, &VerifyOptions::default())?;
    let reader = crate::bundle::reader::BundleReader::open(&r.bundle)?;
    let media = |name: &str| reader.read_small(name).ok();
    let raw: Vec<Value> = rep.state.custody.iter().map(|e| e.raw.clone()).collect();
    let timestamps: Vec<(String, Value)> = rep
        .timestamps
        .iter()
        .filter_map(|t| {
            t["item"]
                .as_str()
                .map(|i| (i.to_string(), t["info"].clone()))
        })
        .collect();
    let verdict = serde_json::to_value(&rep).unwrap_or(Value::Null);
    let name = r
        .bundle
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut inp = crate::bundle::report_input(
        &name,
        Some(rep.bundle_sha256.clone()),
        &rep.state,
        &raw,
        timestamps,
        Some(verdict),
    );
    if r.show_media {
        inp.media = Some(&media);
    }
    let lang = match r.lang {
        ReportLang::En => crate::report::Lang::En,
        ReportLang::It => crate::report::Lang::It,
    };
    let html = crate::report::render_html(
        &inp,
        &crate::report::ReportOptions {
            lang,
            show_media: r.show_media,
        },
    );
    std::fs::write(&r.output, &html).map_err(|e| Error::io("write the report", &r.output, e))?;
    eprintln!("wrote {}", r.output.display());
    if let Some(pdf) = &r.pdf {
        let footer = format!(
            "{} · case {} · bundle SHA-256 {}",
            name, rep.state.case_id, rep.bundle_sha256
        );
        crate::browser::print_pdf(&html, &footer, pdf, r.browser.as_deref())?;
        eprintln!("wrote {}", pdf.display());
    }
    if !rep.ok() {
        eprintln!("warning: the bundle does NOT verify; the report says so");
        return Ok(1);
    }
    Ok(0)
}

fn demo_cmd(d: DemoArgs) -> Result<i32> {
    crate::demo::run(d.output.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_viewports() {
        assert_eq!(parse_duration("60s").unwrap().as_secs(), 60);
        assert_eq!(parse_duration("2m").unwrap().as_secs(), 120);
        assert_eq!(parse_duration("1500ms").unwrap().as_millis(), 1500);
        assert_eq!(parse_duration("5").unwrap().as_secs(), 5);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
        assert_eq!(parse_viewport("1366x768").unwrap(), (1366, 768));
        assert!(parse_viewport("1366").is_err());
        assert!(parse_viewport("10x10").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
