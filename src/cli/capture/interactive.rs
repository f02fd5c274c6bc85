//! `sigillo capture --interactive URL`: a visible browser window recorded from its first
//! request; commands come on standard input, one a line, from a terminal or a pipe:
//! an empty line seals the page on screen as an item, `q` (or the end of input, or
//! Ctrl-C) ends the session once the item in hand is sealed.

use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use super::{CaptureArgs, capture_options, seal_options};
use crate::acquire::web::capture::{Browser, check_url};
use crate::acquire::web::interactive::InteractiveSession;
use crate::bundle::naming;
use crate::cli::CmdResult;
use crate::cli::output::{errln, outln};
use crate::cli::print_error;
use crate::error::Error;
use crate::seal;

/// A command read from standard input.
enum Command {
    Seal,
    Quit,
    Unknown(String),
}

pub(super) fn run(c: &CaptureArgs) -> CmdResult {
    let output = c.output.checked()?;
    let url = match c.urls.as_slice() {
        [u] => u.clone(),
        _ => {
            return Err(Error::input(format!(
                "--interactive opens one URL, {} were given",
                c.urls.len()
            ))
            .with_fix("give exactly one URL: the page to start from (e.g. the login page)")
            .into());
        }
    };
    check_url(&url)?;
    let opts = capture_options(c)?;
    let signer = c.signer.signer()?;
    let seal_opts = seal_options(c)?;
    let mut next_seq = match seal::open_verified(output)? {
        Some((_, st)) => naming::next_seq(st.items.len()),
        None => naming::next_seq(0),
    };
    let quiet = c.quiet.quiet || c.json.json;
    // Ctrl-C ends the session after the item in hand (a second one stops at once).
    let _defer = crate::cleanup::defer_interrupts();
    if !quiet {
        errln!("starting Chromium (a visible window) …");
    }
    // The tool's identity in every manifest: hashed while Chromium starts.
    crate::evidence::manifest::hash_executable_ahead();
    let browser = Browser::launch(&opts)?;
    let operator = signer.actor.name.clone();
    let mut session = InteractiveSession::start(&browser, &url, &opts, &operator)?;
    if !quiet {
        errln!(
            "interactive session open on {} (operator: {operator}){}",
            crate::text::mask_url(&url),
            if opts.record {
                ", recording the screen"
            } else {
                ""
            }
        );
        errln!(
            "log in and navigate in the window; press Enter here to seal the page on screen, type q and Enter to finish"
        );
    }
    let commands = read_commands();
    let mut results: Vec<Value> = Vec::new();
    let mut failed = 0;
    loop {
        let cmd = match commands.recv_timeout(Duration::from_millis(200)) {
            Ok(cmd) => cmd,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if crate::cleanup::interrupted() {
                    break;
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Command::Quit,
        };
        match cmd {
            Command::Quit => break,
            Command::Unknown(s) => {
                if !quiet {
                    errln!(
                        "unknown command '{}': press Enter to seal the page on screen, q to finish",
                        crate::text::clip(&s, 40)
                    );
                }
            }
            Command::Seal => {
                let (ok, result) = seal_on_screen(
                    &mut session,
                    next_seq,
                    &Sealing {
                        output,
                        signer: &signer,
                        opts: &seal_opts,
                        quiet,
                        json: c.json.json,
                    },
                );
                if ok {
                    next_seq += 1;
                } else {
                    failed += 1;
                }
                results.push(result);
            }
        }
        if crate::cleanup::interrupted() {
            break;
        }
    }
    if !quiet {
        let sealed = results.len() - failed;
        errln!(
            "interactive session ended: {sealed} item(s) sealed into {}",
            output.display()
        );
    }
    if c.json.json {
        let v = json!({"bundle": output.display().to_string(), "browser": browser.product,
                       "interactive": true, "operator": operator, "results": results});
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

/// Where and how the items of the session are sealed.
struct Sealing<'a> {
    output: &'a std::path::Path,
    signer: &'a seal::Signer,
    opts: &'a seal::SealOptions,
    quiet: bool,
    json: bool,
}

/// Capture the page on screen and seal it as item number `seq`; success and its JSON result.
fn seal_on_screen(
    session: &mut InteractiveSession<'_>,
    seq: usize,
    to: &Sealing<'_>,
) -> (bool, Value) {
    let quiet = to.quiet;
    // The item is named after the page the window ends on (Enter may come mid-navigation).
    let waited = session.wait_until_loaded(&|step: &str| {
        if !quiet {
            errln!("{step} …");
        }
    });
    let shown = session.current_url();
    let id = naming::item_id(
        seq,
        crate::acquire::ItemKind::Web,
        &naming::web_slug(&shown),
    );
    if !quiet {
        errln!("capturing the page on screen ({shown}) as item {id} …");
    }
    let progress = |step: &str| {
        if !quiet {
            errln!("  {step}");
        }
    };
    let outcome = session
        .capture_now(waited, &format!("item {id}"), &progress)
        .and_then(|acq| seal::seal(to.output, acq, to.signer, to.opts));
    match outcome {
        Ok(s) => {
            if !quiet {
                for w in &s.warnings {
                    errln!("  warning: {w}");
                }
                errln!(
                    "sealed item {} ({shown}) into {}",
                    s.item_id,
                    to.output.display()
                );
            }
            (
                true,
                json!({"url": shown, "ok": true, "item": s.item_id, "manifest_sha256": s.manifest_sha256,
                          "files": s.files, "timestamps": s.tokens, "warnings": s.warnings}),
            )
        }
        Err(e) => {
            if !to.json {
                print_error(&e);
            }
            (
                false,
                json!({"url": shown, "ok": false, "error": e.problem(), "fix": e.fix()}),
            )
        }
    }
}

/// Lines of standard input as commands, read on a thread of their own; the channel
/// closes at the end of input.
fn read_commands() -> mpsc::Receiver<Command> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            line.clear();
            match stdin.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let cmd = match line.trim() {
                "" => Command::Seal,
                "q" | "quit" | "Q" => Command::Quit,
                other => Command::Unknown(other.to_string()),
            };
            if tx.send(cmd).is_err() {
                break;
            }
        }
    });
    rx
}
