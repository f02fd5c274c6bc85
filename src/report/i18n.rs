//! The report's words in every language: Fluent files (`locales/<lang>/report.ftl`,
//! [Project Fluent](https://projectfluent.org) syntax) embedded at compile time and looked
//! up by typed keys ([`Msg`]), so code can only ask for a key that exists.
//!
//! The unit tests below hold the rest of the contract: every locale file parses, has
//! exactly the keys of [`Msg`] (none missing, none the code does not use), and uses
//! exactly the variables each key declares. How to add a language: `docs/translating.md`.
//!
//! A translation is text, never markup: [`t`] and [`t_args`] return a `String` that the
//! templates splice escaped, and [`t_markup`] puts the caller's own markup (a blank line, a
//! bold case id) where the translation places a variable, escaping all the text around it.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use maud::{Markup, html};

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the reference locale).
    #[default]
    En,
    /// Italian.
    It,
}

impl Lang {
    /// Every language, in the order of [`Lang::index`].
    pub const ALL: [Lang; 2] = [Lang::En, Lang::It];

    /// The `lang` attribute, and the folder of its locale file (`locales/<code>/`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
        }
    }

    /// The language's Fluent file, embedded at compile time.
    fn ftl(self) -> &'static str {
        match self {
            Lang::En => include_str!("../../locales/en/report.ftl"),
            Lang::It => include_str!("../../locales/it/report.ftl"),
        }
    }

    fn index(self) -> usize {
        Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

/// Declares [`Msg`]: each key with its Fluent id and the variables its text takes.
macro_rules! messages {
    ($($(#[$doc:meta])* $name:ident = $id:literal $(($($var:ident),+))?;)+) => {
        /// A message of the report: one key of every `locales/*/report.ftl`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* #[doc = concat!("`", $id, "`")] $name),+
        }

        impl Msg {
            /// Every key.
            pub const ALL: &'static [Msg] = &[$(Msg::$name),+];

            /// The Fluent message id.
            pub fn id(self) -> &'static str {
                match self { $(Msg::$name => $id),+ }
            }

            /// The variables the message takes (`{ $name }`).
            pub fn vars(self) -> &'static [&'static str] {
                match self { $(Msg::$name => &[$($(stringify!($var)),+)?]),+ }
            }

            /// The variant's name (for the test that the code uses every key).
            #[cfg(test)]
            fn name(self) -> &'static str {
                match self { $(Msg::$name => stringify!($name)),+ }
            }
        }
    };
}

messages! {
    Title = "title";
    Sensitive = "sensitive";
    Case = "case";
    Bundle = "bundle";
    BundleSha = "bundle-sha";
    Generated = "generated";
    Offset = "offset";
    Operators = "operators";
    PdfFooter = "pdf-footer" (bundle, case, sha256);
    Summary = "summary";
    Item = "item";
    Kind = "kind";
    Source = "source";
    Acquired = "acquired";
    Tsa = "tsa";
    Signer = "signer";
    Files = "files";
    Path = "path";
    Size = "size";
    Role = "role";
    Hashes = "hashes";
    Method = "method";
    Note = "note";
    EncryptedTo = "encrypted-to";
    Hidden = "hidden";
    PdqQuality = "pdq-quality";
    LocalOnly = "local-only";
    Transformation = "transformation";
    KindFiles = "kind-files";
    KindWeb = "kind-web";
    KindChat = "kind-chat";
    KindRecheck = "kind-recheck";
    RoleOriginal = "role-original";
    RoleDerived = "role-derived";
    ClockLocal = "clock-local";
    ClockOverride = "clock-override";
    TsaTrusted = "tsa-trusted";
    TsaUntrusted = "tsa-untrusted";
    TsaInvalid = "tsa-invalid";
    FinalUrl = "final-url";
    Server = "server";
    Redirect = "redirect";
    Certificate = "certificate";
    UserAgent = "user-agent";
    SecondFetch = "second-fetch";
    SameBody = "same-body";
    Yes = "yes";
    No = "no";
    Transcript = "transcript";
    Participants = "participants";
    Messages = "messages";
    Span = "span";
    Custody = "custody";
    Time = "time";
    Action = "action";
    By = "by";
    ActionCreated = "action-created";
    ActionItemAdded = "action-item-added";
    ActionTransferred = "action-transferred";
    ActionReceived = "action-received";
    ActionVerified = "action-verified";
    ActionExported = "action-exported";
    ActionNote = "action-note";
    ActionTimestamped = "action-timestamped";
    ActionCosigned = "action-cosigned";
    ActionEncrypted = "action-encrypted";
    ActionDecrypted = "action-decrypted";
    ActionNoticeSent = "action-notice-sent";
    ActionNoticeAcknowledged = "action-notice-acknowledged";
    ActionRemovalConfirmed = "action-removal-confirmed";
    CustodyItem = "custody-item";
    CustodyTo = "custody-to";
    CustodyFrom = "custody-from";
    CustodyVerdict = "custody-verdict";
    VerdictVerified = "verdict-verified";
    VerdictFailed = "verdict-failed";
    Verdict = "verdict";
    Verified = "verified";
    Failed = "failed";
    VerifiedWhenWritten = "verified-when-written";
    AlarmCount = "alarm-count" (count);
    AlarmHint = "alarm-hint";
    AlarmMore = "alarm-more";
    TechnicalNote = "technical-note";
    ProblemArchive = "problem-archive";
    ProblemKeys = "problem-keys";
    ProblemItem = "problem-item";
    ProblemFile = "problem-file";
    ProblemSignature = "problem-signature";
    ProblemTimestamp = "problem-timestamp";
    ProblemCustody = "problem-custody";
    ProblemSums = "problem-sums";
    ProblemTrust = "problem-trust";
    ProblemCosignature = "problem-cosignature";
    ProblemOther = "problem-other";
    KeyTrusted = "key-trusted";
    KeyUntrusted = "key-untrusted";
    CertHolder = "cert-holder";
    CertSerial = "cert-serial";
    CertIssuer = "cert-issuer";
    CertQualified = "cert-qualified";
    CertTrusted = "cert-trusted";
    CertUntrusted = "cert-untrusted";
    How = "how";
    HowSigillo = "how-sigillo";
    HowUnzip = "how-unzip";
    HowSums = "how-sums";
    HowPkeyutl = "how-pkeyutl";
    HowTs = "how-ts";
    HowCms = "how-cms";
    Proves = "proves";
    ProvesYes = "proves-yes";
    ProvesNo = "proves-no";
    Verbale = "verbale";
    VerbaleIntro = "verbale-intro" (name, role, tool, case, items);
    VerbaleHashes = "verbale-hashes" (bundle, sha256);
    ShaAtDelivery = "sha-at-delivery";
    Cert902 = "cert902";
    Cert902Note = "cert902-note";
    Cert902Body = "cert902-body" (name, qualification, items, tool, bundle, sha256);
    ShaWhenProducing = "sha-when-producing";
    SignatureLine = "signature-line";
    NameRole = "name-role";
    DatePlace = "date-place";
    Timeline = "timeline";
    TimelineIntro = "timeline-intro";
    TimelineCaptured = "timeline-captured";
    TimelineNotice = "timeline-notice";
    TimelineRemovedAt = "timeline-removed-at";
    TimelineLastOnline = "timeline-last-online";
    TimelineNotRemoved = "timeline-not-removed";
    TimelineDeadline = "timeline-deadline" (at);
    TimelineHours = "timeline-hours" (hours);
    TimelineMet = "timeline-met";
    TimelineMissed = "timeline-missed";
    TimelinePending = "timeline-pending";
    ResultOnlineUnchanged = "result-online-unchanged";
    ResultOnlineChanged = "result-online-changed";
    ResultRemoved = "result-removed";
    ResultRedirected = "result-redirected";
    ResultUnreachable = "result-unreachable";
    NoticeTitle = "notice-title";
    NoticeSubject = "notice-subject" (recipient, case);
    NoticeTo = "notice-to";
    NoticeIssued = "notice-issued";
    NoticeCategory = "notice-category";
    NoticeIntro = "notice-intro";
    NoticeExplanation = "notice-explanation";
    NoticeReason = "notice-reason";
    NoticeLegalGround = "notice-legal-ground";
    NoticeGroundNcii = "notice-ground-ncii";
    NoticeGroundDeepfake = "notice-ground-deepfake";
    NoticeLocations = "notice-locations";
    NoticeUrl = "notice-url";
    NoticeUrlStated = "notice-url-stated";
    NoticeFinalUrl = "notice-final-url";
    NoticeCapturedAt = "notice-captured-at";
    NoticeManifest = "notice-manifest";
    NoticeMainDocument = "notice-main-document";
    NoticeScreenshot = "notice-screenshot";
    NoticeMedia = "notice-media";
    NoticeMediaNone = "notice-media-none";
    NoticeNoMedia = "notice-no-media";
    NoticeNotifier = "notice-notifier";
    NoticeName = "notice-name";
    NoticeEmail = "notice-email";
    NoticeGoodFaithTitle = "notice-good-faith-title";
    NoticeGoodFaith = "notice-good-faith" (notifier);
    NoticeEvidence = "notice-evidence" (case);
    GaranteTitle = "garante-title";
    GaranteIntro = "garante-intro";
    GaranteWhat = "garante-what";
    GaranteWhere = "garante-where";
    GaranteWhen = "garante-when";
    GaranteMediaCount = "garante-media-count" (count);
    GaranteHashes = "garante-hashes";
    GaranteNothingSent = "garante-nothing-sent";
}

/// One parsed bundle per language, built on first use.
fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: OnceLock<Vec<FluentBundle<FluentResource>>> = OnceLock::new();
    &BUNDLES.get_or_init(|| Lang::ALL.iter().map(|l| load(*l)).collect())[lang.index()]
}

/// Parse a locale file. Syntax errors and duplicate keys cannot reach a release (the unit
/// tests reject them); if one did, the entries that parsed are kept and a missing one
/// falls back to English.
fn load(lang: Lang) -> FluentBundle<FluentResource> {
    let res = FluentResource::try_new(lang.ftl().to_string()).unwrap_or_else(|(res, _)| res);
    let id = lang.code().parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around variables: they would end up inside hashes and
    // commands a reader copies from the report (the values are plain text either way).
    b.set_use_isolating(false);
    let _ = b.add_resource(res);
    b
}

/// Format `msg` in `lang` (falling back to English, then to the key itself: visible in
/// review, never a crash).
fn format(lang: Lang, msg: Msg, args: Option<&FluentArgs>) -> String {
    for l in [lang, Lang::En] {
        let b = bundle(l);
        if let Some(p) = b.get_message(msg.id()).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return b.format_pattern(p, args, &mut errors).into_owned();
        }
    }
    msg.id().to_string()
}

/// The text of a message that takes no variables.
pub fn t(lang: Lang, msg: Msg) -> String {
    debug_assert!(msg.vars().is_empty(), "{} takes variables", msg.id());
    format(lang, msg, None)
}

/// The text of a message with its variables (plain text or numbers).
pub fn t_args(lang: Lang, msg: Msg, args: &[(&'static str, FluentValue<'_>)]) -> String {
    debug_assert_eq!(
        args.iter().map(|a| a.0).collect::<Vec<_>>(),
        msg.vars(),
        "variables of {}",
        msg.id()
    );
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        fa.set(*k, v.clone());
    }
    format(lang, msg, Some(&fa))
}

/// Private-use characters around a part's index in a formatted message (never text).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// A piece of a message rendered by [`t_markup`].
enum Piece<'a> {
    Text(&'a str),
    Part(usize),
}

/// Split a message formatted with [`OPEN`]`i`[`CLOSE`] for each part into text and parts.
fn pieces(s: &str, parts: usize) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len_utf8()..];
        let part = after
            .find(CLOSE)
            .and_then(|end| Some((after[..end].parse::<usize>().ok()?, end)))
            .filter(|(i, _)| *i < parts);
        match part {
            Some((i, end)) => {
                out.push(Piece::Text(&rest[..start]));
                out.push(Piece::Part(i));
                rest = &after[end + CLOSE.len_utf8()..];
            }
            None => {
                // A stray private-use character in a translation: keep it as text.
                out.push(Piece::Text(&rest[..start + OPEN.len_utf8()]));
                rest = after;
            }
        }
    }
    out.push(Piece::Text(rest));
    out
}

/// A message whose variables are markup of the caller's (a blank line to fill in, a bold
/// case id, escaped values), placed where the translation puts them; the translation's
/// own text is escaped like any other text.
pub fn t_markup(lang: Lang, msg: Msg, parts: &[(&'static str, Markup)]) -> Markup {
    debug_assert_eq!(
        parts.iter().map(|a| a.0).collect::<Vec<_>>(),
        msg.vars(),
        "variables of {}",
        msg.id()
    );
    let mut fa = FluentArgs::new();
    for (i, (k, _)) in parts.iter().enumerate() {
        fa.set(*k, format!("{OPEN}{i}{CLOSE}"));
    }
    let s = format(lang, msg, Some(&fa));
    html! {
        @for p in pieces(&s, parts.len()) {
            @match p {
                Piece::Text(text) => (text),
                Piece::Part(i) => (parts[i].1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast;
    use std::collections::BTreeSet;

    /// The variables a pattern references, select expressions included.
    fn pattern_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expr_vars(expression, out);
            }
        }
    }

    fn expr_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => inline_vars(i, out),
        }
    }

    fn inline_vars(e: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, out);
                }
                for a in &arguments.named {
                    inline_vars(&a.value, out);
                }
            }
            ast::InlineExpression::Placeable { expression } => expr_vars(expression, out),
            _ => {}
        }
    }

    /// Every locale parses, has exactly the code's keys (each with a value and no
    /// attributes, none twice, no terms) and uses exactly the variables each key declares.
    #[test]
    fn every_locale_has_exactly_the_codes_keys() {
        let code: BTreeSet<&str> = Msg::ALL.iter().map(|m| m.id()).collect();
        assert_eq!(code.len(), Msg::ALL.len(), "two keys share an id");
        for lang in Lang::ALL {
            let file = format!("locales/{}/report.ftl", lang.code());
            let res = fluent_syntax::parser::parse(lang.ftl())
                .unwrap_or_else(|(_, errors)| panic!("{file}: {errors:?}"));
            let mut seen = BTreeSet::new();
            for entry in &res.body {
                match entry {
                    ast::Entry::Message(m) => {
                        let id = m.id.name;
                        assert!(seen.insert(id), "{file}: {id} is defined twice");
                        assert!(m.attributes.is_empty(), "{file}: {id} has attributes");
                        let value = m
                            .value
                            .as_ref()
                            .unwrap_or_else(|| panic!("{file}: {id} has no text"));
                        let Some(msg) = Msg::ALL.iter().find(|m| m.id() == id) else {
                            panic!("{file}: key {id} is not used by the code (no Msg has it)");
                        };
                        let mut vars = BTreeSet::new();
                        pattern_vars(value, &mut vars);
                        let declared: BTreeSet<String> =
                            msg.vars().iter().map(|v| v.to_string()).collect();
                        assert_eq!(vars, declared, "{file}: variables of {id}");
                    }
                    ast::Entry::Term(t) => panic!("{file}: term -{} (not supported)", t.id.name),
                    ast::Entry::Junk { content } => panic!("{file}: cannot parse {content:?}"),
                    _ => {}
                }
            }
            let missing: Vec<_> = code.difference(&seen).collect();
            assert!(missing.is_empty(), "{file} lacks {missing:?}");
        }
    }

    /// Every key formats in every language without an error, to text that is not empty.
    #[test]
    fn every_key_formats_in_every_language() {
        for lang in Lang::ALL {
            let b = bundle(lang);
            for msg in Msg::ALL {
                let p = b
                    .get_message(msg.id())
                    .and_then(|m| m.value())
                    .unwrap_or_else(|| panic!("{lang:?}: {}", msg.id()));
                let mut args = FluentArgs::new();
                for v in msg.vars() {
                    args.set(*v, "x");
                }
                let mut errors = Vec::new();
                let s = b.format_pattern(p, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{lang:?} {}: {errors:?}", msg.id());
                assert!(!s.trim().is_empty(), "{lang:?} {}", msg.id());
            }
        }
    }

    /// The code asks for every key (a key nobody renders is a translator's wasted work).
    #[test]
    fn the_code_uses_every_key() {
        let code = [
            include_str!("sections.rs"),
            include_str!("of_bundle.rs"),
            include_str!("view.rs"),
            include_str!("../notice/mod.rs"),
            include_str!("../notice/render.rs"),
            include_str!("../export/garante.rs"),
        ]
        .concat();
        for msg in Msg::ALL {
            assert!(
                code.contains(&format!("Msg::{}", msg.name())),
                "Msg::{} ({}) is not used",
                msg.name(),
                msg.id()
            );
        }
    }

    #[test]
    fn markup_goes_only_where_the_translation_puts_a_variable() {
        // The parts go where the translation puts them; text around them is escaped.
        let m = t_markup(
            Lang::It,
            Msg::VerbaleHashes,
            &[
                ("bundle", html! { b { "c.zip" } }),
                ("sha256", html! { ("<x>") }),
            ],
        )
        .into_string();
        assert!(m.contains("Il contenitore <b>c.zip</b> ha impronta SHA-256 &lt;x&gt;."));
        assert_eq!(
            t_args(Lang::En, Msg::AlarmCount, &[("count", 3.into())]),
            "This bundle failed verification. Problems found: 3."
        );
        // A stray marker is text, and an index out of range is not a part.
        let p = pieces("a\u{E000}9\u{E001}b\u{E000}", 1);
        assert!(p.iter().all(|p| matches!(p, Piece::Text(_))));
    }
}
