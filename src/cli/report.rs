//! `sigillo report`: write the acquisition report (HTML, and PDF through Chromium).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::CmdResult;
use super::output::errln;
use crate::error::Error;
use crate::report::{Lang, ReportOptions};

#[derive(ValueEnum, Debug, Clone, Copy)]
enum ReportLang {
    En,
    It,
}

#[derive(Args, Debug)]
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
    let ids = r.identity.load(&r.bundle)?;
    let rendered = crate::report::of_bundle::render_report_with(&r.bundle, &opts, ids)?;
    std::fs::write(&r.output, &rendered.html)
        .map_err(|e| Error::io("write the report", &r.output, e))?;
    errln!("wrote {}", r.output.display());
    if let Some(pdf) = &r.pdf {
        crate::browser::print_pdf(
            &rendered.html,
            &rendered.pdf_footer,
            pdf,
            r.browser.as_deref(),
        )?;
        errln!("wrote {}", pdf.display());
    }
    if !rendered.verified {
        errln!("warning: the bundle does NOT verify; the report says so");
        return Ok(1);
    }
    Ok(0)
}
