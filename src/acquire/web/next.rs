//! Threads: the "next page" link of a captured page, found in its sealed rendered DOM
//! (`original/dom.html`), so that anyone can see in the evidence which link was followed.
//!
//! In order: `<link rel="next">`, then `<a rel="next">`, then an anchor whose text or
//! `aria-label` is one of [`NEXT_PHRASES`] (English and Italian). The first two are
//! followed wherever they point (the page itself declares them); a phrase link only within
//! the page's own origin. Relative links are resolved against `<base href>` or the page's
//! final URL, as the browser does. Only http(s) links to another page count (a link to the
//! same page, differing at most in its `#fragment`, is no next page).

use serde::{Deserialize, Serialize};

/// The texts (lowercase, whitespace collapsed) of a "next page" anchor. Arrows around a
/// phrase are ignored ("Next »", "Successiva ›"), so they need no entries of their own.
pub const NEXT_PHRASES: &[&str] = &[
    // English
    "next",
    "next page",
    "older posts",
    "older entries",
    "›",
    "»",
    // Italian
    "successiva",
    "pagina successiva",
    "avanti",
];

/// Characters taken off both ends of an anchor's text before it is compared.
const ARROWS: &[char] = &['›', '»', '→', '>', '…'];

/// A next-page link found in a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextLink {
    /// The absolute URL it points to.
    pub url: String,
    /// How it was found: `link rel=next`, `a rel=next` or `link text "…"`.
    pub found_by: String,
}

/// Why a thread ended (`thread.stopped` in the facts of its last page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreadEnd {
    /// The page has no next-page link.
    NoNextLink,
    /// `--max-pages` pages were captured (the next link, if any, is recorded).
    MaxPages,
    /// The next link leads to a page of the thread already captured.
    Loop,
}

impl ThreadEnd {
    /// In words, for the transformation line and the terminal.
    pub fn says(self) -> &'static str {
        match self {
            ThreadEnd::NoNextLink => "the page has no next-page link",
            ThreadEnd::MaxPages => "--max-pages pages were captured",
            ThreadEnd::Loop => {
                "its next-page link leads back to a page of the thread already captured"
            }
        }
    }
}

/// A page of a thread captured with `--follow-next`: the facts' `thread`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadFacts {
    /// 1 for the first page, 2 for the page its next link led to …
    pub page: u32,
    /// The next-page link found in this page's `original/dom.html` (`null`: none).
    pub next: Option<NextLink>,
    /// Set on the thread's last page: why no further page was captured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<ThreadEnd>,
}

/// Where an interrupted thread goes on: the page after the last one sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// Number of the next page (the last sealed page's plus one).
    pub page: u32,
    /// The last sealed page's item.
    pub item: String,
    /// The thread's first item.
    pub first_item: String,
    /// The next-page link recorded in the last sealed page (`facts.thread.next`).
    pub link: NextLink,
    /// The URLs (`input.url`, `facts.final_url`) of the pages sealed so far.
    pub seen: Vec<String>,
}

/// The thread whose first page is item `first` in `st`, if it can go on within `max`
/// pages: its last sealed page (the last item in bundle order that is `first` or follows
/// it) names a next link and did not end the thread for good (no next link, or a loop).
/// A last page that stopped at `--max-pages` goes on when `max` allows more pages. `None`
/// for a complete thread, or when the sealed facts do not read as a thread page or name a
/// link that is not http(s) (a bundle is hostile input: it is then treated as complete).
pub fn resume(st: &crate::bundle::state::BundleState, first: &str, max: u32) -> Option<Resume> {
    let pages: Vec<_> = st
        .items
        .iter()
        .filter(|it| {
            it.id == first
                || it
                    .manifest
                    .follows
                    .as_ref()
                    .is_some_and(|f| f.first_item == first)
        })
        .collect();
    let last = pages.last()?;
    let facts: ThreadFacts =
        serde_json::from_value(last.manifest.facts.get("thread")?.clone()).ok()?;
    // As any URL sigillo is told to capture: http(s) only.
    let link = facts
        .next
        .filter(|l| crate::acquire::web::capture::check_url(&l.url).is_ok())?;
    let done = matches!(facts.stopped, Some(ThreadEnd::NoNextLink | ThreadEnd::Loop));
    if done || facts.page >= max {
        return None;
    }
    let mut seen = Vec::new();
    for it in &pages {
        for key in [
            it.manifest.input.get("url"),
            it.manifest.facts.get("final_url"),
        ]
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        {
            seen.push(key.to_string());
        }
    }
    Some(Resume {
        page: facts.page + 1,
        item: last.id.clone(),
        first_item: first.to_string(),
        link,
        seen,
    })
}

/// The next-page link of a captured page: from its rendered DOM (`original/dom.html`)
/// and final URL (`facts.final_url`).
pub fn of_acquisition(acq: &crate::acquire::Acquisition) -> Option<NextLink> {
    let page_url = acq
        .facts
        .get("final_url")
        .and_then(|v| v.as_str())
        .or_else(|| acq.input.get("url").and_then(|v| v.as_str()))?;
    let dom = acq
        .artifacts
        .iter()
        .find(|a| a.path == "original/dom.html")?;
    let bytes = match &dom.content {
        crate::acquire::Content::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
        crate::acquire::Content::File(p) => std::borrow::Cow::Owned(std::fs::read(p).ok()?),
    };
    find(&String::from_utf8_lossy(&bytes), page_url)
}

/// The next-page link of the page whose rendered DOM is `dom` and whose URL (after
/// redirects) is `page_url`; `None` when it has none.
pub fn find(dom: &str, page_url: &str) -> Option<NextLink> {
    let page = url::Url::parse(page_url).ok()?;
    let parsed = tl::parse(dom, tl::ParserOptions::default()).ok()?;
    let p = parsed.parser();
    let tags = |sel: &str| -> Vec<&tl::HTMLTag> {
        parsed
            .query_selector(sel)
            .map(|q| {
                q.filter_map(|h| h.get(p).and_then(|n| n.as_tag()))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The document's base URL: <base href> resolved against the page's URL.
    let base = tags("base")
        .into_iter()
        .find_map(|t| attr(t, "href"))
        .and_then(|h| page.join(&h).ok())
        .unwrap_or_else(|| page.clone());
    let target = |t: &tl::HTMLTag| -> Option<url::Url> {
        let href = attr(t, "href")?;
        let u = base.join(href.trim()).ok()?;
        if !matches!(u.scheme(), "http" | "https") {
            return None;
        }
        let (mut a, mut b) = (u.clone(), page.clone());
        a.set_fragment(None);
        b.set_fragment(None);
        (a != b).then_some(u)
    };
    let rel_next = |t: &tl::HTMLTag| {
        attr(t, "rel").is_some_and(|r| {
            r.split_ascii_whitespace()
                .any(|x| x.eq_ignore_ascii_case("next"))
        })
    };
    for (sel, how) in [("link", "link rel=next"), ("a", "a rel=next")] {
        if let Some(u) = tags(sel)
            .into_iter()
            .filter(|t| rel_next(t))
            .find_map(target)
        {
            return Some(NextLink {
                url: u.to_string(),
                found_by: how.into(),
            });
        }
    }
    for t in tags("a") {
        let text = decode(&t.inner_text(p));
        let label = attr(t, "aria-label").unwrap_or_default();
        let Some(phrase) = [text.as_str(), label.as_str()]
            .into_iter()
            .find_map(next_phrase)
        else {
            continue;
        };
        if let Some(u) = target(t).filter(|u| u.origin() == page.origin()) {
            return Some(NextLink {
                url: u.to_string(),
                found_by: format!("link text \"{phrase}\""),
            });
        }
    }
    None
}

/// The entry of [`NEXT_PHRASES`] that `text` reads as, if any.
fn next_phrase(text: &str) -> Option<&'static str> {
    let norm = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let norm = norm.to_lowercase();
    let trimmed = norm.trim_matches(|c: char| ARROWS.contains(&c) || c.is_whitespace());
    NEXT_PHRASES
        .iter()
        .copied()
        .find(|p| *p == norm || (!trimmed.is_empty() && *p == trimmed))
}

/// An attribute's value, its character references decoded.
fn attr(t: &tl::HTMLTag, name: &str) -> Option<String> {
    t.attributes()
        .get(name)
        .flatten()
        .map(|b| decode(&b.as_utf8_str()))
}

/// The character references a serialised DOM holds in text and attributes.
fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&raquo;", "»")
        .replace("&rsaquo;", "›")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "http://127.0.0.1:8080/thread/1?x=1";

    fn url(dom: &str) -> Option<(String, String)> {
        find(dom, AT).map(|n| (n.url, n.found_by))
    }

    #[test]
    fn link_rel_next_comes_first_and_may_leave_the_origin() {
        let dom = r#"<html><head><link rel="next" href="https://cdn.example/p2"></head>
            <body><a href="/p3">Next</a></body></html>"#;
        assert_eq!(
            url(dom),
            Some(("https://cdn.example/p2".into(), "link rel=next".into()))
        );
        let dom = r#"<a href="/p4" rel="nofollow Next">page 2</a><a href="/p3">Next</a>"#;
        assert_eq!(
            url(dom),
            Some(("http://127.0.0.1:8080/p4".into(), "a rel=next".into()))
        );
    }

    #[test]
    fn phrases_in_english_and_italian_same_origin_only() {
        for (text, phrase) in [
            ("Successiva", "successiva"),
            ("  Pagina\n successiva › ", "pagina successiva"),
            ("AVANTI", "avanti"),
            ("Next »", "next"),
            ("»", "»"),
            ("Older posts", "older posts"),
        ] {
            let dom = format!(r#"<a href="/a">Home</a><a href="2?a=1&amp;b=2">{text}</a>"#);
            assert_eq!(
                url(&dom),
                Some((
                    "http://127.0.0.1:8080/thread/2?a=1&b=2".into(),
                    format!("link text \"{phrase}\"")
                )),
                "{text}"
            );
        }
        let dom = r#"<a aria-label="Next page" href="/p2"><svg></svg></a>"#;
        assert_eq!(url(dom).unwrap().0, "http://127.0.0.1:8080/p2");
        // Another origin, a script link, the page itself, no phrase: nothing to follow.
        for dom in [
            r#"<a href="https://ads.example/">Next</a>"#,
            r#"<a href="javascript:go()">Next</a>"#,
            r##"<a href="#more">Next</a>"##,
            r#"<a href="/p2">Next steps for victims</a>"#,
            r#"<link rel="next">"#,
            "",
        ] {
            assert_eq!(url(dom), None, "{dom}");
        }
    }

    #[test]
    fn base_href_is_honoured() {
        let dom = r#"<head><base href="/forum/"></head><a href="t?page=2">successiva</a>"#;
        assert_eq!(url(dom).unwrap().0, "http://127.0.0.1:8080/forum/t?page=2");
    }
}
