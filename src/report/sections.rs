//! The report's sections, one small maud component each.
//!
//! Every value from the bundle is spliced as `(value)` and so escaped by maud; this
//! file uses no `PreEscaped` at all (the only raw markup, the style sheet, comes from
//! [`crate::html::style`]).

use base64::Engine;
use chrono::Local;
use maud::{DOCTYPE, Markup, html};

use super::i18n::{Lang, t};
use super::view::{ChatFacts, Problem, SignerView, WebFacts, source_of};
use super::{ReportInput, ReportOptions, Verdict};
use crate::bundle::layout;
use crate::evidence::custody::{Event, Record, Verdict as CustodyVerdict};
use crate::evidence::manifest::{FileEntry, FileRole, ItemKind, Manifest};
use crate::html::{blank, embeddable_image, hash, head_row, placeholder, relative_href, row};
use crate::time::rfc3339;

/// Shown for a fact the bundle does not hold (or holds with the wrong type).
const UNKNOWN: &str = "?";
/// How many problems the NOT VERIFIED banner lists before pointing to the full list.
const BANNER_PROBLEMS: usize = 5;
/// How many characters of a problem the banner shows.
const BANNER_CLIP: usize = 300;

fn or_unknown(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or(UNKNOWN)
}

fn num_or_unknown(v: Option<u64>) -> String {
    v.map_or_else(|| UNKNOWN.to_string(), |n| n.to_string())
}

/// The whole document.
pub(super) fn document(inp: &ReportInput, opts: &ReportOptions) -> Markup {
    let l = opts.lang;
    let failed = inp.verdict.as_ref().filter(|v| !v.verified);
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                title {
                    @if failed.is_some() { (t(l, "failed")) " — " }
                    (t(l, "title")) " — " (inp.case_id)
                }
                (crate::html::style(crate::html::REPORT_CSS))
            }
            body {
                @if let Some(v) = failed { (not_verified_banner(v, l)) }
                (header(inp, l))
                main {
                    (summary(inp, l))
                    @for m in &inp.manifests { (item_section(m, inp, opts)) }
                    (custody(&inp.custody, l))
                    (verdict(inp.verdict.as_ref(), l))
                    (how_to_verify(inp, l))
                    (proves(l))
                    (paperwork(inp, l))
                }
            }
        }
    }
}

/// The red banner of a bundle that does not verify: first thing on the page.
fn not_verified_banner(v: &Verdict, l: Lang) -> Markup {
    let n = v.problems.len();
    html! {
        div.alarm role="alert" {
            p { strong { (t(l, "failed")) } }
            p { (t(l, "alarm_count")) ": " (n) ". " (t(l, "alarm_hint")) }
            ul {
                @for p in v.problems.iter().take(BANNER_PROBLEMS) {
                    li { (problem_item(p, l, Some(BANNER_CLIP))) }
                }
            }
            @if n > BANNER_PROBLEMS { p { (t(l, "alarm_more")) } }
        }
    }
}

/// A failed check: what failed, in the report's language, then sigillo's technical
/// message (always English, marked `lang="en"` so a reader or screen reader knows).
fn problem_item(p: &Problem, l: Lang, clip: Option<usize>) -> Markup {
    let detail = format!("{}: {}", or_unknown(&p.subject), or_unknown(&p.message));
    let detail = match clip {
        Some(n) => crate::text::clip(&detail, n),
        None => detail,
    };
    html! {
        strong { (t(l, problem_kind_key(p.check.as_deref()))) } " — "
        span lang="en" { (detail) }
    }
}

/// The translation key of a failed layer (the verify report's `check`).
fn problem_kind_key(check: Option<&str>) -> &'static str {
    match check {
        Some("archive") => "problem_archive",
        Some("keys") => "problem_keys",
        Some("item") => "problem_item",
        Some("file") => "problem_file",
        Some("signature") => "problem_signature",
        Some("timestamp") => "problem_timestamp",
        Some("custody") => "problem_custody",
        Some("sums") => "problem_sums",
        Some("trust") => "problem_trust",
        Some("cosignature") => "problem_cosignature",
        _ => "problem_other",
    }
}

/// Title, sensitivity note, case, bundle, generation time and operators.
fn header(inp: &ReportInput, l: Lang) -> Markup {
    let utc = rfc3339(&inp.generated_at);
    let offset = inp.generated_at.with_timezone(&Local).format("%:z");
    let mut ops: Vec<(&str, &str)> = inp
        .manifests
        .iter()
        .map(|m| {
            (
                m.operator.name.as_deref().unwrap_or(""),
                m.operator.key.as_str(),
            )
        })
        .collect();
    ops.dedup();
    html! {
        header {
            h1 { (t(l, "title")) }
            p.warn role="note" { (t(l, "sensitive")) }
            table { tbody {
                (row(t(l, "case"), html! { (inp.case_id) }))
                (row(t(l, "bundle"), html! { (inp.bundle_name) }))
                @if let Some(b) = &inp.bundle_sha256 { (row(t(l, "bundle_sha"), hash(b))) }
                (row(t(l, "generated"), html! { (utc) " (" (t(l, "offset")) " " (offset) ")" }))
                (row(t(l, "operators"), html! {
                    @for (i, (name, key)) in ops.iter().enumerate() {
                        @if i > 0 { br; }
                        (name) " " (hash(key))
                    }
                }))
            } }
        }
    }
}

/// One row per item: id, kind, source, time, trusted timestamp, signer.
fn summary(inp: &ReportInput, l: Lang) -> Markup {
    let cols = ["item", "kind", "source", "acquired", "tsa", "signer"].map(|k| t(l, k));
    html! {
        h2 { (t(l, "summary")) }
        table {
            (head_row(cols))
            tbody {
                @for m in &inp.manifests {
                    @let tsa: Vec<String> = inp.timestamps.iter()
                        .filter(|s| s.item == m.id)
                        .map(|s| format!("{} ({})", s.gen_time, s.status))
                        .collect();
                    tr {
                        td { a href=(format!("#item-{}", m.id)) { (m.id) } }
                        td { (m.kind.as_str()) }
                        td { (source_of(&m.input)) }
                        td { (rfc3339(&m.acquired.finished)) }
                        td { @if tsa.is_empty() { (t(l, "local_only")) } @else { (tsa.join("; ")) } }
                        td { (m.operator.name.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
    }
}

/// One item: source line, method and files.
fn item_section(m: &Manifest, inp: &ReportInput, opts: &ReportOptions) -> Markup {
    let l = opts.lang;
    html! {
        section id=(format!("item-{}", m.id)) {
            h2 { (t(l, "item")) " " (m.id) }
            p {
                (t(l, "source")) ": " (source_of(&m.input)) " · "
                (t(l, "acquired")) ": " (rfc3339(&m.acquired.started)) " → "
                (rfc3339(&m.acquired.finished)) " (" (m.acquired.clock.as_str()) ") · "
                (t(l, "signer")) ": " (m.operator.name.as_deref().unwrap_or("")) " " (m.operator.key)
            }
            (method(m, l))
            (files(m, inp, opts))
        }
    }
}

/// How the item was acquired: tool, host, kind-specific facts, transformations, note.
fn method(m: &Manifest, l: Lang) -> Markup {
    html! {
        h3 { (t(l, "method")) }
        ul {
            li {
                (m.tool.name) " " (m.tool.version) " · "
                (m.host.os_release.as_deref().unwrap_or(""))
            }
            @match m.kind {
                ItemKind::Web => (web_method(&WebFacts::of(&m.facts), l)),
                ItemKind::Chat => (chat_method(m, l)),
                ItemKind::Files => {},
            }
            @for tr in &m.transformations { li { (tr) } }
            @if let Some(n) = &m.note { li { (t(l, "note")) ": " (n) } }
            @if let Some(e) = &m.encryption {
                li {
                    (t(l, "encrypted_to")) ": "
                    @for (i, r) in e.recipients.iter().enumerate() {
                        @if i > 0 { ", " }
                        code { (r) }
                    }
                }
            }
        }
    }
}

/// Network facts of a web capture.
fn web_method(w: &WebFacts, l: Lang) -> Markup {
    let status = w.main_document.as_ref().and_then(|d| d.status);
    let ips = w.server_ips.as_deref().unwrap_or_default().join(", ");
    html! {
        @if let Some(b) = &w.browser {
            li { (or_unknown(&b.product)) " · UA: " (or_unknown(&b.user_agent)) }
        }
        li {
            (t(l, "final_url")) ": " (or_unknown(&w.final_url))
            " · HTTP " (num_or_unknown(status)) " · " (t(l, "server")) " " (ips)
        }
        @for r in w.redirects.as_deref().unwrap_or_default() {
            li {
                (t(l, "redirect")) " " (num_or_unknown(r.status)) " "
                (or_unknown(&r.url)) " → " (or_unknown(&r.location))
            }
        }
        @if let Some(tls) = &w.tls {
            li { "TLS " (or_unknown(&tls.protocol)) " " (or_unknown(&tls.cipher)) " · " (or_unknown(&tls.subject)) }
            @for c in tls.certificates.as_deref().unwrap_or_default() {
                li {
                    (t(l, "certificate")) " " (or_unknown(&c.subject)) " / " (or_unknown(&c.issuer))
                    " · " (or_unknown(&c.not_before)) " – " (or_unknown(&c.not_after))
                    " · SHA-256 " (hash(or_unknown(&c.sha256)))
                }
            }
        }
        @if let Some(d) = &w.dns {
            li {
                "DNS " (or_unknown(&d.host)) ": "
                @if let Some(a) = &d.addresses { (a.join(", ")) } @else { (or_unknown(&d.error)) }
            }
        }
        @if let Some(s) = &w.second_fetch {
            li {
                (t(l, "second_fetch")) ": HTTP " (num_or_unknown(s.status)) " · " (t(l, "same_body")) ": "
                (match s.same_body_as_browser { Some(true) => t(l, "yes"), Some(false) => t(l, "no"), None => UNKNOWN })
            }
        }
    }
}

/// Export summary of a chat, and a link to its transcript view.
fn chat_method(m: &Manifest, l: Lang) -> Markup {
    let c = ChatFacts::of(&m.facts);
    let view = m
        .files
        .iter()
        .find(|f| f.role == FileRole::Derived && f.path.ends_with("transcript.html"));
    html! {
        li {
            (t(l, "transcript")) ": " (or_unknown(&c.format)) " · "
            (t(l, "messages")) ": " (num_or_unknown(c.messages)) " · "
            (t(l, "span")) ": " (or_unknown(&c.first)) " – " (or_unknown(&c.last))
        }
        li { (t(l, "participants")) ": " (c.participants.unwrap_or_default().join(", ")) }
        @if let Some(f) = view {
            li { a href=(relative_href(&format!("{}{}", layout::item_dir(&m.id), f.path))) { (f.path) } }
        }
    }
}

/// Every file of an item with size, role and hashes (images as placeholders).
fn files(m: &Manifest, inp: &ReportInput, opts: &ReportOptions) -> Markup {
    let l = opts.lang;
    let cols = ["path", "size", "role", "hashes"].map(|k| t(l, k));
    html! {
        h3 { (t(l, "files")) }
        table {
            (head_row(cols))
            tbody {
                @for f in &m.files {
                    tr {
                        td {
                            (f.path)
                            @if f.media_type.starts_with("image/") { br; (image(m, f, inp, opts)) }
                        }
                        td { (f.size) }
                        td { (f.role.as_str()) }
                        td { (file_hashes(f)) }
                    }
                }
            }
        }
    }
}

fn file_hashes(f: &FileEntry) -> Markup {
    html! {
        "SHA-256 " (hash(&f.sha256))
        @if let Some(md5) = &f.md5 { br; "MD5 " (hash(md5)) }
        @if let Some(i) = &f.image { br; "PDQ " (hash(&i.pdq)) " (q " (i.pdq_quality) ")" }
    }
}

/// An image: embedded only with `--show-media` and only for a raster type; otherwise
/// the grey placeholder.
fn image(m: &Manifest, f: &FileEntry, inp: &ReportInput, opts: &ReportOptions) -> Markup {
    let bytes = (opts.show_media && embeddable_image(&f.media_type))
        .then_some(inp.media)
        .flatten()
        .and_then(|lookup| lookup(&format!("{}{}", layout::item_dir(&m.id), f.path)));
    match bytes {
        Some(b) => {
            let b64 = base64::engine::general_purpose::STANDARD.encode(b);
            html! { img.media alt=(f.path) src=(format!("data:{};base64,{b64}", f.media_type)); }
        }
        None => placeholder(t(opts.lang, "hidden")),
    }
}

/// The custody timeline.
fn custody(entries: &[&Record], l: Lang) -> Markup {
    let cols = ["#", t(l, "time"), t(l, "action"), t(l, "by"), t(l, "note")];
    html! {
        h2 { (t(l, "custody")) }
        table {
            (head_row(cols))
            tbody {
                @for e in entries {
                    @let who: Vec<&str> = [Some(e.actor.name.as_str()), e.actor.role.as_deref(), e.actor.organisation.as_deref()]
                        .into_iter().flatten().filter(|x| !x.is_empty()).collect();
                    @let note: Vec<String> = [custody_detail(&e.event), e.note.clone()]
                        .into_iter().flatten().filter(|x| !x.is_empty()).collect();
                    tr {
                        td { (e.seq) }
                        td { (rfc3339(&e.time)) }
                        td { (e.event.action().as_str()) }
                        td { (who.join(", ")) br; (hash(&e.actor.key)) }
                        td { (note.join(" — ")) }
                    }
                }
            }
        }
    }
}

/// The action-specific detail of a custody entry, as `key: value`.
fn custody_detail(e: &Event) -> Option<String> {
    match e {
        Event::ItemAdded(d) => Some(format!("item: {}", d.item)),
        Event::Transferred(d) => Some(format!("to: {}", d.to)),
        Event::Received(d) => d.from.as_ref().map(|f| format!("from: {f}")),
        Event::Verified(d) => Some(format!(
            "verdict: {}",
            match d.verdict {
                CustodyVerdict::Verified => "verified",
                CustodyVerdict::Failed => "failed",
            }
        )),
        _ => None,
    }
}

/// The verdict, every problem, and the signers.
fn verdict(v: Option<&Verdict>, l: Lang) -> Markup {
    html! {
        h2 { (t(l, "verdict")) }
        @if let Some(v) = v {
            @if v.verified {
                p.ok { (t(l, "verified")) }
                @if v.when_written { p { (t(l, "verified_when_written")) } }
            } @else {
                p.bad { (t(l, "failed")) }
                ul { @for p in &v.problems { li { (problem_item(p, l, None)) } } }
            }
            ul { @for s in &v.signers { li { (signer(s, l)) } } }
        }
    }
}

fn signer(s: &SignerView, l: Lang) -> Markup {
    if let Some(c) = &s.certificate {
        return html! {
            (t(l, "cert_holder")) ": " strong { (s.names.as_deref().unwrap_or_default().join(", ")) }
            @if let (Some(g), Some(sn)) = (&c.given_name, &c.surname) { " (" (g) " " (sn) ")" }
            @if let Some(n) = &c.serial_number { "; serialNumber " (n) }
            "; " (t(l, "cert_issuer")) " " (c.issuer.as_deref().unwrap_or_default())
            "; " (t(l, "cert_qualified")) " "
            (t(l, if c.qualified == Some(true) { "yes" } else { "no" }))
            " — " (hash(or_unknown(&s.fingerprint)))
            " (" (t(l, if s.trusted == Some(true) { "cert_trusted" } else { "cert_untrusted" })) ")"
        };
    }
    html! {
        (hash(or_unknown(&s.fingerprint))) " — " (s.names.as_deref().unwrap_or_default().join(", "))
        @match s.trusted {
            Some(true) => { " (" (t(l, "key_trusted")) ")" },
            Some(false) => { " (" (t(l, "key_untrusted")) ")" },
            None => {},
        }
    }
}

/// Commands that check the bundle with sigillo, `sha256sum` and `openssl`.
fn how_to_verify(inp: &ReportInput, l: Lang) -> Markup {
    let b = &inp.bundle_name;
    html! {
        h2 { (t(l, "how")) }
        pre.h {
            "sigillo verify " (b) " --trust <operator.pub> [--tsa-ca <tsa-root.pem>]\n"
            "unzip " (b) " -d case && cd case\n"
            "sha256sum -c " (layout::SUMS) "\n"
            @for m in &inp.manifests {
                @let dir = layout::item_dir(&m.id);
                "openssl pkeyutl -verify -pubin -inkey " (layout::key_path(&m.operator.key))
                " -rawin -in " (dir) (layout::MANIFEST) " -sigfile " (dir) (layout::MANIFEST_SIG) "\n"
            }
            "openssl ts -verify -data items/<item>/manifest.sig -in items/<item>/manifest.tsr -CAfile <tsa-root.pem> -untrusted items/<item>/manifest.tsa.pem\n"
            "openssl cms -verify -binary -inform DER -in items/<item>/manifest.p7s -content items/<item>/manifest.json -CAfile <signer-ca.pem> -purpose any -out /dev/null\n"
        }
    }
}

fn proves(l: Lang) -> Markup {
    html! {
        h2 { (t(l, "proves")) }
        p { (t(l, "proves_yes")) }
        p { (t(l, "proves_no")) }
    }
}

/// The Italian *verbale* (with `--lang it`) and the FRE 902(14) certificate, with blanks
/// only a person can fill in.
fn paperwork(inp: &ReportInput, l: Lang) -> Markup {
    let items = inp
        .manifests
        .iter()
        .map(|m| format!("{} ({})", m.id, rfc3339(&m.acquired.finished)))
        .collect::<Vec<_>>()
        .join("; ");
    let tool = inp
        .manifests
        .first()
        .map(|m| format!("{} {}", m.tool.name, m.tool.version))
        .unwrap_or_default();
    let signature_block = |l: Lang| {
        html! {
            p { (t(l, "date_place")) ": " (blank()) "\u{a0} " (t(l, "name_role")) ": " (blank()) }
            p { (t(l, "signature_line")) ": " (blank()) }
        }
    };
    html! {
        @if l == Lang::It {
            h2 { (t(l, "verbale")) }
            p {
                "Il/La sottoscritto/a " (blank()) ", in qualità di " (blank())
                ", dà atto di aver acquisito, con lo strumento " (tool)
                " e secondo la procedura descritta in questo verbale (ISO/IEC 27037), le evidenze digitali del procedimento "
                strong { (inp.case_id) } " elencate di seguito: " (items) "."
            }
            p {
                "Per ciascun elemento sono state calcolate le impronte SHA-256 riportate sopra; il manifesto di ciascun elemento è stato firmato con la chiave indicata e, dove presente, marcato temporalmente. Il contenitore "
                (inp.bundle_name) " ha impronta SHA-256 "
                (inp.bundle_sha256.as_deref().unwrap_or("(calcolata al momento della consegna: sha256sum)")) "."
            }
            (signature_block(l))
        }
        h2 { (t(l, "cert902")) }
        p {
            "I, " (blank()) ", certify under penalty of perjury that I am qualified by " (blank())
            " to make this certification; that the data in the items listed above (" (items)
            ") were copied from their sources by the process described in this report, using " (tool)
            "; that the process identifies each file by its SHA-256 hash value, recorded at acquisition and signed; and that a comparison of those hash values with the files in bundle "
            (inp.bundle_name) " (SHA-256 "
            (inp.bundle_sha256.as_deref().unwrap_or("(compute with sha256sum when producing)"))
            ") shows them to be identical."
        }
        (signature_block(Lang::En))
    }
}
