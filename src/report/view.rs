//! What the report shows, read into small typed views.
//!
//! The manifest's kind-specific `input` and `facts` maps are free-form JSON, and a bundle
//! is hostile input: every field here is optional and read leniently ([`lenient`]), so
//! a missing field or one of the wrong type is simply not shown, never a panic and never
//! a made-up value. The verification outcome is read from the verify report's documented
//! JSON form (`docs/verify-json.md`), which is an interface and outlives renames of the
//! Rust types behind it.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::{Map, Value};

/// Deserialize a field as `T`, or `None` when it has another type (instead of failing
/// the whole struct).
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// Read a free-form JSON map into a view; a map that does not fit gives the empty view.
fn read<T: DeserializeOwned + Default>(map: &Map<String, Value>) -> T {
    serde_json::from_value(Value::Object(map.clone())).unwrap_or_default()
}

/// A failed check, as the report lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Problem {
    /// The layer that failed (`archive`, `file`, `signature` …: the verify report's `check`).
    #[serde(default, deserialize_with = "lenient")]
    pub check: Option<String>,
    /// What was checked (member path, item id, custody line …).
    #[serde(default, deserialize_with = "lenient")]
    pub subject: Option<String>,
    /// What was found.
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<String>,
}

/// A key that signed something in the bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SignerView {
    /// `SHA256:…` fingerprint.
    #[serde(default, deserialize_with = "lenient")]
    pub fingerprint: Option<String>,
    /// Names the key signed under.
    #[serde(default, deserialize_with = "lenient")]
    pub names: Option<Vec<String>>,
    /// Pinned by `--trust` (`None` when nothing was pinned); for a certificate: it chains
    /// to a trusted root.
    #[serde(default, deserialize_with = "lenient")]
    pub trusted: Option<bool>,
    /// `ed25519` or `x509`.
    #[serde(default, deserialize_with = "lenient")]
    pub kind: Option<String>,
    /// For an X.509 co-signer: who the certificate names.
    #[serde(default, deserialize_with = "lenient")]
    pub certificate: Option<CertificateView>,
}

/// The holder of an X.509 co-signer's certificate, as the report names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CertificateView {
    /// Full subject name.
    #[serde(default, deserialize_with = "lenient")]
    pub subject: Option<String>,
    /// givenName.
    #[serde(default, deserialize_with = "lenient")]
    pub given_name: Option<String>,
    /// surname.
    #[serde(default, deserialize_with = "lenient")]
    pub surname: Option<String>,
    /// The subject's serialNumber (e.g. TINIT-…).
    #[serde(default, deserialize_with = "lenient")]
    pub serial_number: Option<String>,
    /// The issuer's name.
    #[serde(default, deserialize_with = "lenient")]
    pub issuer: Option<String>,
    /// QCStatements QcCompliance.
    #[serde(default, deserialize_with = "lenient")]
    pub qualified: Option<bool>,
}

/// A trusted timestamp found by verification over an item's manifest signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimestampView {
    /// The item id.
    pub item: String,
    /// The token's genTime (RFC 3339).
    pub gen_time: String,
    /// `trusted`, `untrusted` or `invalid`.
    pub status: String,
}

/// The verification outcome the report states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// True only when verification ran and every check passed.
    pub verified: bool,
    /// The failed checks.
    pub problems: Vec<Problem>,
    /// The signers.
    pub signers: Vec<SignerView>,
    /// True for the report kept inside the bundle: the verdict is the one sigillo reached
    /// when it wrote that report, and the page says so (check the bundle again now).
    pub when_written: bool,
}

#[derive(Deserialize)]
struct VerifyJson {
    #[serde(default, deserialize_with = "lenient")]
    verdict: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    failures: Option<Vec<Problem>>,
    #[serde(default, deserialize_with = "lenient")]
    signers: Option<Vec<SignerView>>,
    #[serde(default, deserialize_with = "lenient")]
    timestamps: Option<Vec<TokenJson>>,
}

#[derive(Deserialize)]
struct TokenJson {
    #[serde(default, deserialize_with = "lenient")]
    item: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    info: Option<TokenInfo>,
}

#[derive(Deserialize)]
struct TokenInfo {
    #[serde(default, deserialize_with = "lenient")]
    gen_time: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    status: Option<String>,
}

impl Verdict {
    /// The outcome of `sigillo verify` on a bundle, with the item timestamps it found.
    ///
    /// Read through the verify report's JSON form; if that cannot be read the verdict
    /// is "not verified" with one problem saying so (never a made-up "verified").
    pub fn of<R: serde::Serialize>(report: &R) -> (Verdict, Vec<TimestampView>) {
        let parsed = serde_json::to_value(report)
            .ok()
            .and_then(|v| serde_json::from_value::<VerifyJson>(v).ok());
        let Some(v) = parsed else {
            let problem = Problem {
                check: None,
                subject: Some("report".into()),
                message: Some("the verification report could not be read".into()),
            };
            return (
                Verdict {
                    verified: false,
                    problems: vec![problem],
                    signers: Vec::new(),
                    when_written: false,
                },
                Vec::new(),
            );
        };
        let problems = v.failures.unwrap_or_default();
        let verdict = Verdict {
            verified: v.verdict.as_deref() == Some("verified") && problems.is_empty(),
            problems,
            signers: v.signers.unwrap_or_default(),
            when_written: false,
        };
        let stamps = v
            .timestamps
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| {
                let info = t.info?;
                Some(TimestampView {
                    item: t.item?,
                    gen_time: info.gen_time?,
                    status: info.status.unwrap_or_default(),
                })
            })
            .collect();
        (verdict, stamps)
    }
}

/// What the user asked for (`input` of a manifest).
#[derive(Debug, Default, Deserialize)]
struct InputView {
    #[serde(default, deserialize_with = "lenient")]
    url: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    export: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    paths: Option<Vec<String>>,
}

/// The source of an item in one line: its URL, its export, or its paths.
pub(super) fn source_of(input: &Map<String, Value>) -> String {
    let i: InputView = read(input);
    i.url
        .or(i.export)
        .unwrap_or_else(|| i.paths.unwrap_or_default().join(", "))
}

/// Network facts of a web capture.
#[derive(Debug, Default, Deserialize)]
pub(super) struct WebFacts {
    #[serde(default, deserialize_with = "lenient")]
    pub browser: Option<Browser>,
    #[serde(default, deserialize_with = "lenient")]
    pub final_url: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub main_document: Option<MainDocument>,
    #[serde(default, deserialize_with = "lenient")]
    pub server_ips: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    pub redirects: Option<Vec<Redirect>>,
    #[serde(default, deserialize_with = "lenient")]
    pub tls: Option<Tls>,
    #[serde(default, deserialize_with = "lenient")]
    pub dns: Option<Dns>,
    #[serde(default, deserialize_with = "lenient")]
    pub second_fetch: Option<SecondFetch>,
}

impl WebFacts {
    pub(super) fn of(facts: &Map<String, Value>) -> WebFacts {
        read(facts)
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Browser {
    #[serde(default, deserialize_with = "lenient")]
    pub product: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub user_agent: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MainDocument {
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Redirect {
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub location: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Tls {
    #[serde(default, deserialize_with = "lenient")]
    pub protocol: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub cipher: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub certificates: Option<Vec<Certificate>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Certificate {
    #[serde(default, deserialize_with = "lenient")]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub issuer: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub not_before: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub not_after: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub sha256: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Dns {
    #[serde(default, deserialize_with = "lenient")]
    pub host: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub addresses: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SecondFetch {
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub same_body_as_browser: Option<bool>,
}

/// The export summary of a chat item.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ChatFacts {
    #[serde(default, deserialize_with = "lenient")]
    pub format: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub messages: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub first: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub last: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub participants: Option<Vec<String>>,
}

impl ChatFacts {
    pub(super) fn of(facts: &Map<String, Value>) -> ChatFacts {
        read(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_types_are_left_out_not_fatal() {
        let f = json!({"final_url": 5, "server_ips": ["1.2.3.4", 7], "main_document": {"status": "x"},
                       "dns": {"host": "h", "addresses": ["a"]}, "tls": "x"});
        let w = WebFacts::of(f.as_object().unwrap());
        assert!(w.final_url.is_none() && w.server_ips.is_none() && w.tls.is_none());
        assert_eq!(w.main_document.unwrap().status, None);
        assert_eq!(w.dns.unwrap().addresses.unwrap(), vec!["a".to_string()]);
        let i = json!({"paths": ["a", "b"], "url": {"x": 1}});
        assert_eq!(source_of(i.as_object().unwrap()), "a, b");
    }

    #[test]
    fn unreadable_verdict_is_not_verified() {
        let (v, _) = Verdict::of(&json!({"verdict": "verified", "failures": []}));
        assert!(v.verified);
        let (v, _) = Verdict::of(&json!({"verdict": "verified", "failures": [{"subject": "a"}]}));
        assert!(!v.verified && v.problems.len() == 1);
        let (v, _) = Verdict::of(&json!("nonsense"));
        assert!(!v.verified && v.problems.len() == 1);
        let (v, _) = Verdict::of(&json!({"verdict": 1}));
        assert!(!v.verified);
    }
}
