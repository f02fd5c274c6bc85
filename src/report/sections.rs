//! The report's sections, one small maud component each.
//!
//! Every value from the bundle is spliced as `(value)` and so escaped by maud; this
//! file uses no `PreEscaped` at all (the only raw markup, the style sheet, comes from
//! [`crate::html::style`]).

use base64::Engine;
use chrono::Local;
use maud::{DOCTYPE, Markup, html};

use super::i18n::{Lang, Msg, t, t_args, t_markup};
use super::view::{ChatFacts, Problem, SignerView, WebFacts, source_of};
use super::{ReportInput, ReportOptions, Verdict};
use crate::bundle::layout;
use crate::evidence::custody::{Action, Event, Record, Verdict as CustodyVerdict};
use crate::evidence::manifest::{FileEntry, FileRole, ItemKind, Manifest};
use crate::html::{blank, embeddable_image, hash, head_row, placeholder, relative_href, row};
use crate::recheck::compare::Outcome;
use crate::recheck::timeline::Status;
use crate::time::{Clock, rfc3339};

/// Shown for a fact the bundle does not hold (or holds with the wrong type).
const UNKNOWN: &str = "?";
/// The report's addition to the shared style sheet: the verification commands wrap at the
/// margin, on screen and on paper (between tokens, inside a token only when it is longer
/// than a line), instead of running off the page; smaller on paper.
const COMMANDS_CSS: &str = "ul.how{list-style:none;padding:0}ul.how p{margin:8px 0 2px}pre.cmd span{display:inline-block;max-width:100%}pre.cmd{font-family:'DejaVu Sans Mono',monospace;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:normal;margin:0 0 6px;padding:4px 6px;background:#f6f6f6;border:1px solid #ccc}@media print{pre.cmd{font-size:10px;break-inside:avoid;-webkit-print-color-adjust:exact;print-color-adjust:exact}}";
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
                    @if failed.is_some() { (t(l, Msg::Failed)) " — " }
                    (t(l, Msg::Title)) " — " (inp.case_id)
                }
                (crate::html::style(crate::html::REPORT_CSS))
                (crate::html::style(COMMANDS_CSS))
            }
            body {
                @if let Some(v) = failed { (not_verified_banner(v, l)) }
                (header(inp, l))
                main {
                    (summary(inp, l))
                    @for m in &inp.manifests { (item_section(m, inp, opts)) }
                    @if let Some(tl) = &inp.timeline { (timeline(tl, l)) }
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
            p { strong { (t(l, Msg::Failed)) } }
            p {
                (t_args(l, Msg::AlarmCount, &[("count", n.into())])) " " (t(l, Msg::AlarmHint))
                " " (t(l, Msg::TechnicalNote))
            }
            ul {
                @for p in v.problems.iter().take(BANNER_PROBLEMS) {
                    li { (problem_item(p, l, Some(BANNER_CLIP))) }
                }
            }
            @if n > BANNER_PROBLEMS { p { (t(l, Msg::AlarmMore)) } }
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
fn problem_kind_key(check: Option<&str>) -> Msg {
    match check {
        Some("archive") => Msg::ProblemArchive,
        Some("keys") => Msg::ProblemKeys,
        Some("item") => Msg::ProblemItem,
        Some("file") => Msg::ProblemFile,
        Some("signature") => Msg::ProblemSignature,
        Some("timestamp") => Msg::ProblemTimestamp,
        Some("custody") => Msg::ProblemCustody,
        Some("sums") => Msg::ProblemSums,
        Some("trust") => Msg::ProblemTrust,
        Some("cosignature") => Msg::ProblemCosignature,
        _ => Msg::ProblemOther,
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
            h1 { (t(l, Msg::Title)) }
            p.warn role="note" { (t(l, Msg::Sensitive)) }
            table { tbody {
                (row(&t(l, Msg::Case), html! { (inp.case_id) }))
                (row(&t(l, Msg::Bundle), html! { (inp.bundle_name) }))
                @if let Some(b) = &inp.bundle_sha256 { (row(&t(l, Msg::BundleSha), hash(b))) }
                (row(&t(l, Msg::Generated), html! { (utc) " (" (t(l, Msg::Offset)) " " (offset) ")" }))
                (row(&t(l, Msg::Operators), html! {
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
    let cols = [
        Msg::Item,
        Msg::Kind,
        Msg::Source,
        Msg::Acquired,
        Msg::Tsa,
        Msg::Signer,
    ]
    .map(|k| t(l, k));
    html! {
        h2 { (t(l, Msg::Summary)) }
        table {
            (head_row(cols.iter().map(String::as_str)))
            tbody {
                @for m in &inp.manifests {
                    @let tsa: Vec<String> = inp.timestamps.iter()
                        .filter(|s| s.item == m.id)
                        .map(|s| format!("{} ({})", s.gen_time, tsa_status(&s.status, l)))
                        .collect();
                    tr {
                        td { a href=(format!("#item-{}", m.id)) { (m.id) } }
                        td { (t(l, kind_key(m.kind))) }
                        td { (source_of(&m.input)) }
                        td { (rfc3339(&m.acquired.finished)) }
                        td { @if tsa.is_empty() { (t(l, Msg::LocalOnly)) } @else { (tsa.join("; ")) } }
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
            h2 { (t(l, Msg::Item)) " " (m.id) }
            p {
                (t(l, Msg::Source)) ": " (source_of(&m.input)) " · "
                (t(l, Msg::Acquired)) ": " (rfc3339(&m.acquired.started)) " → "
                (rfc3339(&m.acquired.finished)) " (" (t(l, clock_key(m.acquired.clock))) ") · "
                (t(l, Msg::Signer)) ": " (m.operator.name.as_deref().unwrap_or("")) " " (m.operator.key)
            }
            (method(m, l))
            (files(m, inp, opts))
        }
    }
}

/// How the item was acquired: tool, host, kind-specific facts, transformations, note.
fn method(m: &Manifest, l: Lang) -> Markup {
    html! {
        h3 { (t(l, Msg::Method)) }
        ul {
            li {
                (m.tool.name) " " (m.tool.version) " · "
                (m.host.os_release.as_deref().unwrap_or(""))
            }
            @match m.kind {
                ItemKind::Web | ItemKind::Recheck => (web_method(&WebFacts::of(&m.facts), l)),
                ItemKind::Chat => (chat_method(m, l)),
                ItemKind::Files => {},
            }
            @for tr in &m.transformations {
                li { (t(l, Msg::Transformation)) ": " span lang="en" { (tr) } }
            }
            @if let Some(n) = &m.note { li { (t(l, Msg::Note)) ": " (n) } }
            @if let Some(e) = &m.encryption {
                li {
                    (t(l, Msg::EncryptedTo)) ": "
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
            li { (or_unknown(&b.product)) " · " (t(l, Msg::UserAgent)) ": " (or_unknown(&b.user_agent)) }
        }
        li {
            (t(l, Msg::FinalUrl)) ": " (or_unknown(&w.final_url))
            " · HTTP " (num_or_unknown(status)) " · " (t(l, Msg::Server)) " " (ips)
        }
        @for r in w.redirects.as_deref().unwrap_or_default() {
            li {
                (t(l, Msg::Redirect)) " " (num_or_unknown(r.status)) " "
                (or_unknown(&r.url)) " → " (or_unknown(&r.location))
            }
        }
        @if let Some(tls) = &w.tls {
            li { "TLS " (or_unknown(&tls.protocol)) " " (or_unknown(&tls.cipher)) " · " (or_unknown(&tls.subject)) }
            @for c in tls.certificates.as_deref().unwrap_or_default() {
                li {
                    (t(l, Msg::Certificate)) " " (or_unknown(&c.subject)) " / " (or_unknown(&c.issuer))
                    " · " (or_unknown(&c.not_before)) " – " (or_unknown(&c.not_after))
                    " · SHA-256 " (hash(or_unknown(&c.sha256)))
                }
            }
        }
        @if let Some(d) = &w.dns {
            li {
                "DNS " (or_unknown(&d.host)) ": "
                @if let Some(a) = &d.addresses { (a.join(", ")) } @else { span lang="en" { (or_unknown(&d.error)) } }
            }
        }
        @if let Some(s) = &w.second_fetch {
            li {
                (t(l, Msg::SecondFetch)) ": HTTP " (num_or_unknown(s.status)) " · " (t(l, Msg::SameBody)) ": "
                (match s.same_body_as_browser { Some(true) => t(l, Msg::Yes), Some(false) => t(l, Msg::No), None => UNKNOWN.to_string() })
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
            (t(l, Msg::Transcript)) ": " (or_unknown(&c.format)) " · "
            (t(l, Msg::Messages)) ": " (num_or_unknown(c.messages)) " · "
            (t(l, Msg::Span)) ": " (or_unknown(&c.first)) " – " (or_unknown(&c.last))
        }
        li { (t(l, Msg::Participants)) ": " (c.participants.unwrap_or_default().join(", ")) }
        @if let Some(f) = view {
            li { a href=(relative_href(&format!("{}{}", layout::item_dir(&m.id), f.path))) { (f.path) } }
        }
    }
}

/// Every file of an item with size, role and hashes (images as placeholders).
fn files(m: &Manifest, inp: &ReportInput, opts: &ReportOptions) -> Markup {
    let l = opts.lang;
    let cols = [Msg::Path, Msg::Size, Msg::Role, Msg::Hashes].map(|k| t(l, k));
    html! {
        h3 { (t(l, Msg::Files)) }
        table {
            (head_row(cols.iter().map(String::as_str)))
            tbody {
                @for f in &m.files {
                    tr {
                        td {
                            (f.path)
                            @if f.media_type.starts_with("image/") { br; (image(m, f, inp, opts)) }
                        }
                        td { (f.size) }
                        td { (t(l, role_key(f.role))) }
                        td { (file_hashes(f, l)) }
                    }
                }
            }
        }
    }
}

fn file_hashes(f: &FileEntry, l: Lang) -> Markup {
    html! {
        "SHA-256 " (hash(&f.sha256))
        @if let Some(md5) = &f.md5 { br; "MD5 " (hash(md5)) }
        @if let Some(i) = &f.image { br; "PDQ " (hash(&i.pdq)) " (" (t(l, Msg::PdqQuality)) " " (i.pdq_quality) ")" }
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
        None => placeholder(&t(opts.lang, Msg::Hidden)),
    }
}

/// The custody timeline.
fn custody(entries: &[&Record], l: Lang) -> Markup {
    let cols = [
        "#".to_string(),
        t(l, Msg::Time),
        t(l, Msg::Action),
        t(l, Msg::By),
        t(l, Msg::Note),
    ];
    html! {
        h2 { (t(l, Msg::Custody)) }
        table {
            (head_row(cols.iter().map(String::as_str)))
            tbody {
                @for e in entries {
                    @let who: Vec<&str> = [Some(e.actor.name.as_str()), e.actor.role.as_deref(), e.actor.organisation.as_deref()]
                        .into_iter().flatten().filter(|x| !x.is_empty()).collect();
                    @let note: Vec<String> = [custody_detail(&e.event, l), e.note.clone()]
                        .into_iter().flatten().filter(|x| !x.is_empty()).collect();
                    tr {
                        td { (e.seq) }
                        td { (rfc3339(&e.time)) }
                        td { (t(l, action_key(e.event.action()))) }
                        td { (who.join(", ")) br; (hash(&e.actor.key)) }
                        td { (note.join(" — ")) }
                    }
                }
            }
        }
    }
}

/// The removal timeline: per captured URL, the capture, notices and re-checks in time
/// order, then when it was first found removed (and last found online), and the deadline.
fn timeline(st: &Status, l: Lang) -> Markup {
    let cols = [t(l, Msg::Time), t(l, Msg::Action), t(l, Msg::Item)];
    html! {
        h2 { (t(l, Msg::Timeline)) }
        p { (t(l, Msg::TimelineIntro)) }
        @for u in &st.urls {
            h3 { (u.url) }
            table {
                (head_row(cols.iter().map(String::as_str)))
                tbody {
                    tr { td { (u.first_captured) } td { (t(l, Msg::TimelineCaptured)) } td { (u.item) } }
                    @for n in &u.notices {
                        tr {
                            td { (n.sent_at) }
                            td { (t(l, Msg::TimelineNotice)) @if let Some(to) = &n.to { " → " (to) } }
                            td { "#" (n.custody_seq) }
                        }
                    }
                    @for r in &u.rechecks {
                        tr {
                            td { (r.checked_at) }
                            td {
                                (t(l, result_key(r.result)))
                                @if let Some(s) = r.http_status { " (HTTP " (s) ")" }
                            }
                            td { (r.item) }
                        }
                    }
                }
            }
            ul {
                @match &u.removed_at {
                    Some(at) => li { (t(l, Msg::TimelineRemovedAt)) ": " (at) },
                    None => li { (t(l, Msg::TimelineNotRemoved)) },
                }
                @if let Some(at) = &u.last_seen_online { li { (t(l, Msg::TimelineLastOnline)) ": " (at) } }
                @if let Some(d) = &u.deadline {
                    li {
                        (t_args(l, Msg::TimelineDeadline, &[("at", d.deadline_at.as_str().into())])) ": "
                        @if let Some(h) = d.hours_to_removal {
                            (t_args(l, Msg::TimelineHours, &[("hours", h.into())])) " — "
                        }
                        (t(l, match d.met { Some(true) => Msg::TimelineMet, Some(false) => Msg::TimelineMissed, None => Msg::TimelinePending }))
                    }
                }
            }
        }
    }
}

/// The translation key of a re-check result.
fn result_key(r: Outcome) -> Msg {
    match r {
        Outcome::OnlineUnchanged => Msg::ResultOnlineUnchanged,
        Outcome::OnlineChanged => Msg::ResultOnlineChanged,
        Outcome::Removed => Msg::ResultRemoved,
        Outcome::Redirected => Msg::ResultRedirected,
        Outcome::Unreachable => Msg::ResultUnreachable,
    }
}

/// The action-specific detail of a custody entry, as `key: value`.
fn custody_detail(e: &Event, l: Lang) -> Option<String> {
    let kv = |k: Msg, v: &str| format!("{}: {v}", t(l, k));
    match e {
        Event::ItemAdded(d) => Some(kv(Msg::CustodyItem, &d.item)),
        Event::Transferred(d) => Some(kv(Msg::CustodyTo, &d.to)),
        Event::Received(d) => d.from.as_ref().map(|f| kv(Msg::CustodyFrom, f)),
        Event::Verified(d) => Some(kv(
            Msg::CustodyVerdict,
            &t(
                l,
                match d.verdict {
                    CustodyVerdict::Verified => Msg::VerdictVerified,
                    CustodyVerdict::Failed => Msg::VerdictFailed,
                },
            ),
        )),
        _ => None,
    }
}

/// The translation key of an item kind.
fn kind_key(k: ItemKind) -> Msg {
    match k {
        ItemKind::Files => Msg::KindFiles,
        ItemKind::Web => Msg::KindWeb,
        ItemKind::Chat => Msg::KindChat,
        ItemKind::Recheck => Msg::KindRecheck,
    }
}

/// The translation key of a file role.
fn role_key(r: FileRole) -> Msg {
    match r {
        FileRole::Original => Msg::RoleOriginal,
        FileRole::Derived => Msg::RoleDerived,
    }
}

/// The translation key of the clock an acquisition was timed by.
fn clock_key(c: Clock) -> Msg {
    match c {
        Clock::Local => Msg::ClockLocal,
        Clock::Override => Msg::ClockOverride,
    }
}

/// The translation key of a custody action.
fn action_key(a: Action) -> Msg {
    match a {
        Action::Created => Msg::ActionCreated,
        Action::ItemAdded => Msg::ActionItemAdded,
        Action::Transferred => Msg::ActionTransferred,
        Action::Received => Msg::ActionReceived,
        Action::Verified => Msg::ActionVerified,
        Action::Exported => Msg::ActionExported,
        Action::Note => Msg::ActionNote,
        Action::Timestamped => Msg::ActionTimestamped,
        Action::Cosigned => Msg::ActionCosigned,
        Action::Encrypted => Msg::ActionEncrypted,
        Action::Decrypted => Msg::ActionDecrypted,
        Action::NoticeSent => Msg::ActionNoticeSent,
        Action::NoticeAcknowledged => Msg::ActionNoticeAcknowledged,
        Action::RemovalConfirmed => Msg::ActionRemovalConfirmed,
    }
}

/// A trusted timestamp's state in words (the verify report's `status`; an unknown one
/// is shown as it is).
fn tsa_status(status: &str, l: Lang) -> String {
    match status {
        "trusted" => t(l, Msg::TsaTrusted),
        "untrusted" => t(l, Msg::TsaUntrusted),
        "invalid" => t(l, Msg::TsaInvalid),
        other => other.to_string(),
    }
}

/// The verdict, every problem, and the signers.
fn verdict(v: Option<&Verdict>, l: Lang) -> Markup {
    html! {
        h2 { (t(l, Msg::Verdict)) }
        @if let Some(v) = v {
            @if v.verified {
                p.ok { (t(l, Msg::Verified)) }
                @if v.when_written { p { (t(l, Msg::VerifiedWhenWritten)) } }
            } @else {
                p.bad { (t(l, Msg::Failed)) }
                p { (t(l, Msg::TechnicalNote)) }
                ul { @for p in &v.problems { li { (problem_item(p, l, None)) } } }
            }
            ul { @for s in &v.signers { li { (signer(s, l)) } } }
        }
    }
}

fn signer(s: &SignerView, l: Lang) -> Markup {
    if let Some(c) = &s.certificate {
        return html! {
            (t(l, Msg::CertHolder)) ": " strong { (s.names.as_deref().unwrap_or_default().join(", ")) }
            @if let (Some(g), Some(sn)) = (&c.given_name, &c.surname) { " (" (g) " " (sn) ")" }
            @if let Some(n) = &c.serial_number { "; " (t(l, Msg::CertSerial)) " " (n) }
            "; " (t(l, Msg::CertIssuer)) " " (c.issuer.as_deref().unwrap_or_default())
            "; " (t(l, Msg::CertQualified)) " "
            (t(l, if c.qualified == Some(true) { Msg::Yes } else { Msg::No }))
            " — " (hash(or_unknown(&s.fingerprint)))
            " (" (t(l, if s.trusted == Some(true) { Msg::CertTrusted } else { Msg::CertUntrusted })) ")"
        };
    }
    html! {
        (hash(or_unknown(&s.fingerprint))) " — " (s.names.as_deref().unwrap_or_default().join(", "))
        @match s.trusted {
            Some(true) => { " (" (t(l, Msg::KeyTrusted)) ")" },
            Some(false) => { " (" (t(l, Msg::KeyUntrusted)) ")" },
            None => {},
        }
    }
}

/// Commands that check the bundle with sigillo, `sha256sum` and `openssl`, each after a
/// line saying what it checks. They wrap at the page's margin ([`COMMANDS_CSS`]).
fn how_to_verify(inp: &ReportInput, l: Lang) -> Markup {
    let b = &inp.bundle_name;
    let signatures: Vec<String> = inp
        .manifests
        .iter()
        .map(|m| {
            let dir = layout::item_dir(&m.id);
            format!(
                "openssl pkeyutl -verify -pubin -inkey {} -rawin -in {dir}{} -sigfile {dir}{}",
                layout::key_path(&m.operator.key),
                layout::MANIFEST,
                layout::MANIFEST_SIG
            )
        })
        .collect();
    html! {
        h2 { (t(l, Msg::How)) }
        ul.how {
            (step(l, Msg::HowSigillo, &[format!("sigillo verify {b} --trust <operator.pub> [--tsa-ca <tsa-root.pem>]")]))
            (step(l, Msg::HowUnzip, &[format!("unzip {b} -d case && cd case")]))
            (step(l, Msg::HowSums, &[format!("sha256sum -c {}", layout::SUMS)]))
            (step(l, Msg::HowPkeyutl, &signatures))
            (step(l, Msg::HowTs, &["openssl ts -verify -data items/<item>/manifest.sig -in items/<item>/manifest.tsr -CAfile <tsa-root.pem> -untrusted items/<item>/manifest.tsa.pem".to_string()]))
            (step(l, Msg::HowCms, &["openssl cms -verify -binary -inform DER -in items/<item>/manifest.p7s -content items/<item>/manifest.json -CAfile <signer-ca.pem> -purpose any -out /dev/null".to_string()]))
        }
    }
}

/// One step of "How to verify": what it checks, then its commands, one a line.
fn step(l: Lang, what: Msg, commands: &[String]) -> Markup {
    html! {
        li {
            p { (t(l, what)) }
            // One span per token: a line breaks only between tokens (never after the `-`
            // of an option), inside a token only when it is longer than the line.
            pre.cmd {
                @for (i, c) in commands.iter().enumerate() {
                    @if i > 0 { "\n" }
                    @for (j, token) in c.split(' ').enumerate() {
                        @if j > 0 { " " }
                        span { (token) }
                    }
                }
            }
        }
    }
}

fn proves(l: Lang) -> Markup {
    html! {
        h2 { (t(l, Msg::Proves)) }
        p { (t(l, Msg::ProvesYes)) }
        p { (t(l, Msg::ProvesNo)) }
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
    // The bundle's hash, or (inside the bundle, which cannot hold its own hash) how to get it.
    let sha = |missing: Msg| html! { (inp.bundle_sha256.clone().unwrap_or_else(|| t(l, missing))) };
    let signature_block = html! {
        p { (t(l, Msg::DatePlace)) ": " (blank()) "\u{a0} " (t(l, Msg::NameRole)) ": " (blank()) }
        p { (t(l, Msg::SignatureLine)) ": " (blank()) }
    };
    html! {
        @if l == Lang::It {
            h2 { (t(l, Msg::Verbale)) }
            p {
                (t_markup(l, Msg::VerbaleIntro, &[
                    ("name", blank()),
                    ("role", blank()),
                    ("tool", html! { (tool) }),
                    ("case", html! { strong { (inp.case_id) } }),
                    ("items", html! { (items) }),
                ]))
            }
            p {
                (t_markup(l, Msg::VerbaleHashes, &[
                    ("bundle", html! { (inp.bundle_name) }),
                    ("sha256", sha(Msg::ShaAtDelivery)),
                ]))
            }
            (signature_block)
        }
        h2 { (t(l, Msg::Cert902)) }
        p { (t(l, Msg::Cert902Note)) }
        p {
            (t_markup(l, Msg::Cert902Body, &[
                ("name", blank()),
                ("qualification", blank()),
                ("items", html! { (items) }),
                ("tool", html! { (tool) }),
                ("bundle", html! { (inp.bundle_name) }),
                ("sha256", sha(Msg::ShaWhenProducing)),
            ]))
        }
        (signature_block)
    }
}
