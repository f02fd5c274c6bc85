//! `sigillo notice`: a DSA Art. 16 notice for a platform, recorded in the bundle.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::CmdResult;
use super::args::{JsonFlag, QuietFlag, SignerArgs, TsaArgs, not_the_bundle};
use super::output::{errln, outln};
use crate::evidence::custody::NoticeFormat;
use crate::notice::{Ground, NoticeRequest, WriteOptions};
use crate::report::Lang;

const EXAMPLES: &str = "Examples:
  sigillo notice c.zip --item 2 --to X --reason \"…\" --notifier \"M. Rossi\" --email m@r.it -o n.html
  sigillo notice c.zip --item 2 --to X --reason r --ground ncii --notifier R --email a@b.it -o n.eml
  sigillo notice c.zip --item 1 --to X --reason \"…\" --notifier R --email m@r.it -o n.pdf --lang en
  # format from -o (.html .pdf .eml .json) or --format; for a non-captured item add --url URL
  sigillo custody add c.zip --action notice-acknowledged --item 2 --reference T-4815";

#[derive(ValueEnum, Debug, Clone, Copy)]
enum FormatArg {
    Html,
    Pdf,
    Eml,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum LangArg {
    It,
    En,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum GroundArg {
    /// Non-consensual intimate images: Art. 612-ter c.p.
    Ncii,
    /// Sexually explicit deepfakes: Art. 612-quater c.p.
    Deepfake,
}

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print the file written, its SHA-256 and the custody entry as JSON")))]
#[command(mut_arg("quiet", |a| a.help("Print nothing but warnings and errors")))]
pub(super) struct NoticeArgs {
    /// The bundle (it must verify; an encrypted one needs no identity).
    bundle: PathBuf,
    /// The item the notice is about (repeatable; id or number).
    #[arg(long, value_name = "ID", required = true)]
    item: Vec<String>,
    /// The platform the notice is for (its name, as it should appear).
    #[arg(long, value_name = "PLATFORM")]
    to: String,
    /// The platform's notice address, for the e-mail's To: (else the platform's name only).
    #[arg(long, value_name = "ADDR")]
    to_email: Option<String>,
    /// Why the content is illegal, in your words.
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// Add a legal-ground template: Art. 612-ter c.p. (ncii) or Art. 612-quater c.p. (deepfake).
    #[arg(long, value_enum)]
    ground: Option<GroundArg>,
    /// The exact URL where the content is, for items that are not captured pages
    /// (repeatable; a captured page's URL comes from the bundle).
    #[arg(long, value_name = "URL")]
    url: Vec<String>,
    /// Your name (the notifier).
    #[arg(long, value_name = "NAME")]
    notifier: String,
    /// Your e-mail address.
    #[arg(long, value_name = "ADDR")]
    email: String,
    /// Language of the notice.
    #[arg(long, value_enum, default_value = "it")]
    lang: LangArg,
    /// File format [default: from the -o extension (.html .pdf .eml .json), else html].
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// The notice file to write (never replaced if it exists).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Chromium executable for --format pdf [default: $CHROME, else /usr/bin/chromium].
    #[arg(long, value_name = "PATH")]
    browser: Option<PathBuf>,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(a: NoticeArgs) -> CmdResult {
    not_the_bundle(&a.output, &a.bundle, "-o")?;
    let signer = a.signer.signer()?;
    let req = NoticeRequest {
        items: a.item.clone(),
        to: a.to.clone(),
        to_email: a.to_email.clone(),
        reason: a.reason.clone(),
        ground: a.ground.map(|g| match g {
            GroundArg::Ncii => Ground::Ncii,
            GroundArg::Deepfake => Ground::Deepfake,
        }),
        urls: a.url.clone(),
        notifier: a.notifier.clone(),
        email: a.email.clone(),
        lang: match a.lang {
            LangArg::It => Lang::It,
            LangArg::En => Lang::En,
        },
    };
    let ext = a
        .output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let guessed = match ext.as_deref() {
        Some("pdf") => FormatArg::Pdf,
        Some("eml") => FormatArg::Eml,
        Some("json") => FormatArg::Json,
        _ => FormatArg::Html,
    };
    let format = match a.format.unwrap_or(guessed) {
        FormatArg::Html => NoticeFormat::Html,
        FormatArg::Pdf => NoticeFormat::Pdf,
        FormatArg::Eml => NoticeFormat::Eml,
        FormatArg::Json => NoticeFormat::Json,
    };
    let endpoints = a.tsa.endpoints()?;
    let w = crate::notice::write_notice(
        &a.bundle,
        &req,
        &WriteOptions {
            out: &a.output,
            format,
            browser: a.browser.as_deref(),
            signer: &signer,
            tsa: &endpoints,
            require_tsa: a.tsa.require_tsa,
        },
    )?;
    for x in &w.warnings {
        errln!("warning: {x}");
    }
    let urls: Vec<&str> = w.doc.locations.iter().map(|l| l.url.as_str()).collect();
    if a.json.json {
        outln!(
            "{}",
            json!({"bundle": a.bundle.display().to_string(), "output": w.path.display().to_string(),
                   "format": format.as_str(), "sha256": w.sha256, "bytes": w.size,
                   "recipient": w.doc.recipient, "urls": urls, "custody_seq": w.seq,
                   "warnings": w.warnings})
        )?;
    } else if !a.quiet.quiet {
        outln!(
            "wrote {} ({} bytes, SHA-256 {}): notice to {} about {} URL(s); recorded as custody entry #{} (notice-sent) in {}",
            w.path.display(),
            w.size,
            w.sha256,
            crate::text::clip(&w.doc.recipient, 80),
            urls.len(),
            w.seq,
            a.bundle.display()
        )?;
        outln!(
            "when the platform replies: sigillo custody add {} --action notice-acknowledged --item ID --reference …",
            a.bundle.display()
        )?;
    }
    Ok(0)
}
