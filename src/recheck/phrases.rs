//! Known "content not available" phrases of large platforms, in several languages.
//!
//! A platform that takes content down often answers `200 OK` with a short page saying
//! so, instead of a 404. `sigillo recheck` detects that generically first (an error
//! status, the original media gone and a short page: see [`super::compare`]); this table
//! adds the wording such pages use, so a 200 page that says it is gone is recognised
//! too. A phrase counts only together with the media gone or a short page, never alone
//! (a long page that quotes the phrase is not a removal).
//!
//! Matching is case-insensitive on the page's visible text and title, with typographic
//! apostrophes read as `'` and runs of white space as one space. Platforms change their
//! wording: the table is small, documented (docs/recheck.md) and easy to extend; a miss
//! makes a removal show as `online-changed`, never the other way round.

/// One known phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrase {
    /// The platform whose pages use it (`generic` for wording seen on several).
    pub platform: &'static str,
    /// BCP 47 language tag.
    pub lang: &'static str,
    /// The phrase, lowercase, normalised as the text is.
    pub text: &'static str,
}

const fn p(platform: &'static str, lang: &'static str, text: &'static str) -> Phrase {
    Phrase {
        platform,
        lang,
        text,
    }
}

/// The table, most specific first.
pub const PHRASES: &[Phrase] = &[
    p("instagram", "en", "sorry, this page isn't available"),
    p(
        "instagram",
        "it",
        "spiacenti, questa pagina non è disponibile",
    ),
    p("facebook", "en", "this content isn't available right now"),
    p(
        "facebook",
        "it",
        "questo contenuto non è al momento disponibile",
    ),
    p(
        "facebook",
        "de",
        "dieser inhalt ist derzeit nicht verfügbar",
    ),
    p(
        "facebook",
        "fr",
        "ce contenu n'est pas disponible pour le moment",
    ),
    p(
        "facebook",
        "es",
        "este contenido no está disponible en este momento",
    ),
    p("x", "en", "this post is unavailable"),
    p("x", "en", "this page doesn't exist"),
    p("x", "it", "questo post non è disponibile"),
    p("youtube", "en", "video unavailable"),
    p("youtube", "it", "video non disponibile"),
    p("youtube", "de", "video nicht verfügbar"),
    p("youtube", "fr", "vidéo non disponible"),
    p("youtube", "es", "vídeo no disponible"),
    p("tiktok", "en", "video currently unavailable"),
    p("tiktok", "it", "video attualmente non disponibile"),
    p("reddit", "en", "sorry, this post has been removed"),
    p("reddit", "en", "sorry, this post was deleted"),
    p("generic", "en", "this content is no longer available"),
    p("generic", "en", "this content has been removed"),
    p("generic", "en", "content not available"),
    p("generic", "it", "contenuto non disponibile"),
    p("generic", "it", "questo contenuto è stato rimosso"),
    p("generic", "de", "dieser inhalt ist nicht mehr verfügbar"),
    p("generic", "fr", "ce contenu n'est plus disponible"),
    p("generic", "es", "este contenido ya no está disponible"),
];

/// Lowercase, typographic apostrophes as `'`, white space collapsed.
pub fn normalise(text: &str) -> String {
    text.to_lowercase()
        .replace(['\u{2019}', '\u{2018}', '\u{02bc}'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first known phrase in any of `texts`.
pub fn find(texts: &[&str]) -> Option<Phrase> {
    let texts: Vec<String> = texts.iter().map(|t| normalise(t)).collect();
    PHRASES
        .iter()
        .find(|ph| texts.iter().any(|t| t.contains(ph.text)))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_normalised_and_found() {
        for ph in PHRASES {
            assert_eq!(normalise(ph.text), ph.text, "{ph:?} is not normalised");
        }
        let hit = find(&["Sorry, this page isn\u{2019}t   available.\nGo back"]).unwrap();
        assert_eq!((hit.platform, hit.lang), ("instagram", "en"));
        assert_eq!(find(&["", "Video non disponibile"]).unwrap().lang, "it");
        assert!(find(&["A perfectly ordinary page"]).is_none());
    }
}
