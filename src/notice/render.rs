//! A notice for people: HTML (maud, every value escaped: names, reasons and URLs come
//! from the user and the bundle) and the same content as plain text for the e-mail.

use maud::{DOCTYPE, Markup, html};

use crate::report::i18n::{Lang, Msg, t, t_args};
use crate::time::Clock;

use super::{Location, NoticeDoc, UrlOrigin};

/// The subject line (e-mail subject, PDF footer).
pub fn subject(doc: &NoticeDoc, l: Lang) -> String {
    t_args(
        l,
        Msg::NoticeSubject,
        &[
            ("recipient", doc.recipient.clone().into()),
            ("case", doc.case.clone().into()),
        ],
    )
}

fn clock_note(l: Lang, c: Clock) -> String {
    t(
        l,
        match c {
            Clock::Local => Msg::ClockLocal,
            Clock::Override => Msg::ClockOverride,
        },
    )
}

fn location_rows(l: Lang, loc: &Location) -> Vec<(String, String)> {
    let mut rows = vec![(
        t(l, Msg::NoticeUrl),
        match loc.origin {
            UrlOrigin::Captured => loc.url.clone(),
            UrlOrigin::Stated => format!("{} {}", loc.url, t(l, Msg::NoticeUrlStated)),
        },
    )];
    if let Some(f) = &loc.final_url {
        rows.push((t(l, Msg::NoticeFinalUrl), f.clone()));
    }
    rows.push((t(l, Msg::Item), loc.item.clone()));
    rows.push((
        t(l, Msg::NoticeCapturedAt),
        format!("{} ({})", loc.captured_at, clock_note(l, loc.clock)),
    ));
    rows.push((t(l, Msg::NoticeManifest), loc.manifest_sha256.clone()));
    if let Some(h) = &loc.main_document_sha256 {
        rows.push((t(l, Msg::NoticeMainDocument), h.clone()));
    }
    if let Some(h) = &loc.screenshot_sha256 {
        rows.push((t(l, Msg::NoticeScreenshot), h.clone()));
    }
    rows
}

fn media_line(m: &super::MediaPrint) -> String {
    let mut s = format!("{} · {} bytes · SHA-256 {}", m.media_type, m.size, m.sha256);
    if let Some(h) = &m.md5 {
        s.push_str(&format!(" · MD5 {h}"));
    }
    if let Some(p) = &m.pdq {
        s.push_str(&format!(" · PDQ {p}"));
    }
    if let Some(u) = &m.url {
        s.push_str(&format!(" · {u}"));
    }
    s
}

/// The notice as a standalone HTML page (no scripts, no images, no external resources).
pub fn html(doc: &NoticeDoc, l: Lang) -> String {
    let e = &doc.explanation;
    let page: Markup = html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="referrer" content="no-referrer";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'";
                title { (subject(doc, l)) }
                (crate::html::style(crate::html::REPORT_CSS))
            }
            body {
                h1 { (t(l, Msg::NoticeTitle)) }
                table {
                    (crate::html::row(&t(l, Msg::NoticeTo), html! { (doc.recipient) }))
                    (crate::html::row(&t(l, Msg::NoticeIssued), html! { (doc.issued_at) " (" (clock_note(l, doc.clock)) ")" }))
                    (crate::html::row(&t(l, Msg::Case), html! { (doc.case) }))
                    @if let Some(c) = &doc.statement_category {
                        (crate::html::row(&t(l, Msg::NoticeCategory), html! { (c) @for k in &doc.keywords { br; (k) } }))
                    }
                }
                p { (t(l, Msg::NoticeIntro)) }
                h2 { (t(l, Msg::NoticeExplanation)) }
                h3 { (t(l, Msg::NoticeReason)) }
                p style="white-space:pre-wrap" { (e.reason) }
                @if let (Some(law), Some(text)) = (&e.law, &e.legal_text) {
                    h3 { (t(l, Msg::NoticeLegalGround)) ": " (law) }
                    p { (text) }
                }
                h2 { (t(l, Msg::NoticeLocations)) }
                @for loc in &doc.locations {
                    table {
                        @for (k, v) in location_rows(l, loc) {
                            (crate::html::row(&k, html! { (v) }))
                        }
                        (crate::html::row(&t(l, Msg::NoticeMedia), html! {
                            @if loc.media.is_empty() { (t(l, Msg::NoticeMediaNone)) }
                            @for m in &loc.media { (media_line(m)) br; }
                        }))
                    }
                }
                p { (t(l, Msg::NoticeNoMedia)) }
                h2 { (t(l, Msg::NoticeNotifier)) }
                table {
                    (crate::html::row(&t(l, Msg::NoticeName), html! { (doc.notifier.name) }))
                    (crate::html::row(&t(l, Msg::NoticeEmail), html! { (doc.notifier.email) }))
                }
                h2 { (t(l, Msg::NoticeGoodFaithTitle)) }
                p { (doc.good_faith_statement) }
                p { (t_args(l, Msg::NoticeEvidence, &[("case", doc.case.clone().into())])) }
            }
        }
    };
    page.into_string()
}

/// The notice as plain text (the e-mail's text/plain part), the same content as [`html`].
pub fn text(doc: &NoticeDoc, l: Lang) -> String {
    let e = &doc.explanation;
    let mut s = String::new();
    let mut line = |x: &str| {
        s.push_str(x);
        s.push('\n');
    };
    line(&t(l, Msg::NoticeTitle));
    line("");
    line(&format!("{}: {}", t(l, Msg::NoticeTo), doc.recipient));
    line(&format!(
        "{}: {} ({})",
        t(l, Msg::NoticeIssued),
        doc.issued_at,
        clock_note(l, doc.clock)
    ));
    line(&format!("{}: {}", t(l, Msg::Case), doc.case));
    if let Some(c) = &doc.statement_category {
        line(&format!(
            "{}: {} {}",
            t(l, Msg::NoticeCategory),
            c,
            doc.keywords.join(" ")
        ));
    }
    line("");
    line(&t(l, Msg::NoticeIntro));
    line("");
    line(&t(l, Msg::NoticeExplanation));
    line(&format!("{}:", t(l, Msg::NoticeReason)));
    line(&e.reason);
    if let (Some(law), Some(text)) = (&e.law, &e.legal_text) {
        line(&format!("{}: {law}", t(l, Msg::NoticeLegalGround)));
        line(text);
    }
    line("");
    line(&t(l, Msg::NoticeLocations));
    for loc in &doc.locations {
        for (k, v) in location_rows(l, loc) {
            line(&format!("  {k}: {v}"));
        }
        line(&format!("  {}:", t(l, Msg::NoticeMedia)));
        if loc.media.is_empty() {
            line(&format!("    {}", t(l, Msg::NoticeMediaNone)));
        }
        for m in &loc.media {
            line(&format!("    {}", media_line(m)));
        }
        line("");
    }
    line(&t(l, Msg::NoticeNoMedia));
    line("");
    line(&t(l, Msg::NoticeNotifier));
    line(&format!(
        "  {}: {}",
        t(l, Msg::NoticeName),
        doc.notifier.name
    ));
    line(&format!(
        "  {}: {}",
        t(l, Msg::NoticeEmail),
        doc.notifier.email
    ));
    line("");
    line(&t(l, Msg::NoticeGoodFaithTitle));
    line(&doc.good_faith_statement);
    line("");
    line(&t_args(
        l,
        Msg::NoticeEvidence,
        &[("case", doc.case.clone().into())],
    ));
    s
}
