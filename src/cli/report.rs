//! `sigillo report`: write the acquisition report (HTML, and PDF through Chromium).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::CmdResult;
use super::args::{JsonFlag, QuietFlag, not_the_bundle};
use super::output::{errln, outln};
use crate::error::Error;
use crate::report::{Lang, ReportOptions};

#[derive(ValueEnum, Debug, Clone, Copy)]
enum ReportLang {
    En,
    It,
}

const EXAMPLES: &str = "Examples:
  sigillo report case.zip                               # report.html (images hidden)
  sigillo report case.zip -o report.html --pdf report.pdf --lang it
  sigillo report case.zip -o full.html --show-media --tsa-ca tsa-root.pem";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print the files written and the verdict as JSON")))]
#[command(mut_arg("quiet", |a| a.help("Print no summary on stderr")))]
pub(super) struct ReportArgs {
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
    /// Root certificate(s) for timestamp authorities (PEM, repeatable), as for verify.
    #[arg(long, value_name = "PEM")]
    tsa_ca: Vec<PathBuf>,
    /// Root certificate(s) X.509 co-signers must chain to (PEM, repeatable), as for verify.
    #[arg(long, value_name = "PEM")]
    signer_ca: Vec<PathBuf>,
    #[command(flatten)]
    identity: super::args::IdentityArgs,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(r: ReportArgs) -> CmdResult {
    let opts = ReportOptions {
        lang: match r.lang {
            ReportLang::En => Lang::En,
            ReportLang::It => Lang::It,
        },
        show_media: r.show_media,
        tsa_ca: r.tsa_ca.clone(),
        signer_ca: r.signer_ca.clone(),
    };
    not_the_bundle(&r.output, &r.bundle, "-o")?;
    if let Some(pdf) = &r.pdf {
        not_the_bundle(pdf, &r.bundle, "--pdf")?;
    }
    let ids = r.identity.load(&r.bundle)?;
    let rendered = crate::report::of_bundle::render_report_with(&r.bundle, &opts, ids)?;
    std::fs::write(&r.output, &rendered.html)
        .map_err(|e| Error::io("write the report", &r.output, e))?;
    let quiet = r.quiet.quiet || r.json.json;
    if !quiet {
        errln!("wrote {}", r.output.display());
    }
    if let Some(pdf) = &r.pdf {
        crate::browser::print_pdf(
            &rendered.html,
            &rendered.pdf_footer,
            pdf,
            r.browser.as_deref(),
        )?;
        if !quiet {
            errln!("wrote {}", pdf.display());
        }
    }
    if r.json.json {
        outln!(
            "{}",
            serde_json::json!({"bundle": r.bundle.display().to_string(), "html": r.output.display().to_string(),
                               "pdf": r.pdf.as_ref().map(|p| p.display().to_string()), "verified": rendered.verified})
        )?;
    }
    if !rendered.verified {
        errln!("warning: the bundle does NOT verify; the report says so");
        return Ok(1);
    }
    Ok(0)
}
