//! EU trusted lists (ETSI TS 119 612): was a TSA a *qualified* time-stamping service
//! (`…/Svctype/TSA/QTST`, status granted) at a token's genTime?
//!
//! The user downloads the list (a national TSL, e.g. Italy's from AgID, or the list of
//! lists) and passes it with `verify --trusted-list FILE`. The list's XML signature is
//! checked with `xmlsec1` when it is installed (an XML-DSig implementation is not
//! something to hand-write); the result says plainly when it was not checked.
//!
//! Parsed with roxmltree (read-only DOM, no entity expansion, no network).

use std::path::Path;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use der::Encode;
use schemars::JsonSchema;
use serde::Serialize;
use x509_cert::Certificate;

use crate::error::{Error, Result};

const QTST: &str = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST";
const GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";

/// A trusted list, read.
#[derive(Debug, Clone)]
pub struct TrustedList {
    /// `SchemeTerritory` (IT, DE, EU …).
    pub territory: String,
    /// `TSLSequenceNumber`.
    pub sequence: String,
    /// `ListIssueDateTime`.
    pub issued: String,
    /// What was found about the list's own XML signature.
    pub signature: String,
    services: Vec<Service>,
}

#[derive(Debug, Clone)]
struct Service {
    provider: String,
    name: String,
    type_id: String,
    certs: Vec<Vec<u8>>,
    /// (status URI, in force from), current and historical.
    statuses: Vec<(String, DateTime<Utc>)>,
}

/// Whether the TSA of a token was qualified at its genTime.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Qualification {
    /// `qualified`, or `not-qualified`.
    pub status: String,
    /// The trust service provider, when the TSA is on the list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The service's name, when the TSA is on the list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Why, in one sentence.
    pub reason: String,
    /// The list used: territory, sequence number, issue time, signature finding.
    pub list: String,
}

fn text(n: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    n.descendants()
        .find(|d| d.tag_name().name() == name)
        .and_then(|d| d.text())
        .map(|t| t.trim().to_string())
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.tag_name().name() == name)
}

/// First `Name` under a names element (any language).
fn name_of(n: roxmltree::Node<'_, '_>, names: &str) -> String {
    child(n, names)
        .and_then(|ns| text(ns, "Name"))
        .unwrap_or_default()
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl TrustedList {
    /// Read a list from a file, checking its signature with xmlsec1 when installed.
    pub fn load(path: &Path) -> Result<TrustedList> {
        let xml = std::fs::read_to_string(path)
            .map_err(|e| Error::io("read the trusted list", path, e))?;
        let mut tl = TrustedList::parse(&xml).map_err(|e| {
            Error::input(format!("'{}' is not an ETSI trusted list: {e}", path.display()))
                .with_fix("download the XML trusted list (TSL) of the TSA's country, e.g. from https://eidas.ec.europa.eu/efda/tl-browser/")
        })?;
        tl.signature = check_signature(path)?;
        Ok(tl)
    }

    /// Read a list from its XML.
    pub fn parse(xml: &str) -> std::result::Result<TrustedList, String> {
        let opts = roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(xml, opts).map_err(|e| e.to_string())?;
        let root = doc.root_element();
        if root.tag_name().name() != "TrustServiceStatusList" {
            return Err("its root element is not TrustServiceStatusList".into());
        }
        let info = child(root, "SchemeInformation").ok_or("no SchemeInformation")?;
        let mut services = Vec::new();
        for tsp in root
            .descendants()
            .filter(|d| d.tag_name().name() == "TrustServiceProvider")
        {
            let provider = child(tsp, "TSPInformation")
                .map(|i| name_of(i, "TSPName"))
                .unwrap_or_default();
            for svc in tsp
                .descendants()
                .filter(|d| d.tag_name().name() == "TSPService")
            {
                let Some(si) = child(svc, "ServiceInformation") else {
                    continue;
                };
                let mut certs = Vec::new();
                for c in si
                    .descendants()
                    .filter(|d| d.tag_name().name() == "X509Certificate")
                {
                    let b64: String = c
                        .text()
                        .unwrap_or("")
                        .chars()
                        .filter(|ch| !ch.is_whitespace())
                        .collect();
                    if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
                        certs.push(der);
                    }
                }
                let mut statuses = Vec::new();
                let status_of = |n: roxmltree::Node<'_, '_>| {
                    Some((
                        text(n, "ServiceStatus")?,
                        parse_time(&text(n, "StatusStartingTime")?)?,
                    ))
                };
                statuses.extend(status_of(si));
                if let Some(h) = child(svc, "ServiceHistory") {
                    statuses.extend(
                        h.children()
                            .filter(|c| c.tag_name().name() == "ServiceHistoryInstance")
                            .filter_map(status_of),
                    );
                }
                statuses.sort_by_key(|(_, t)| *t);
                services.push(Service {
                    provider: provider.clone(),
                    name: name_of(si, "ServiceName"),
                    type_id: text(si, "ServiceTypeIdentifier").unwrap_or_default(),
                    certs,
                    statuses,
                });
            }
        }
        Ok(TrustedList {
            territory: text(info, "SchemeTerritory").unwrap_or_default(),
            sequence: text(info, "TSLSequenceNumber").unwrap_or_default(),
            issued: text(info, "ListIssueDateTime").unwrap_or_default(),
            signature: "not checked".into(),
            services,
        })
    }

    fn describe(&self) -> String {
        crate::text::clip(
            &format!(
                "trusted list {} no. {} of {}; {}",
                self.territory, self.sequence, self.issued, self.signature
            ),
            400,
        )
    }

    /// Whether the TSA whose chain is `chain` (signer first, then its issuers) was a
    /// qualified time-stamping service at `at`: a QTST service whose identity is one of
    /// these certificates, with status granted then.
    pub fn qualified_at(&self, chain: &[Certificate], at: DateTime<Utc>) -> Qualification {
        let ders: Vec<Vec<u8>> = chain.iter().filter_map(|c| c.to_der().ok()).collect();
        let listed: Vec<&Service> = self
            .services
            .iter()
            .filter(|s| s.certs.iter().any(|c| ders.contains(c)))
            .collect();
        let clip = |s: &str| crate::text::clip(s, 200);
        let mut reason = "the TSA's certificates are not on the list".to_string();
        for s in &listed {
            let in_force = s
                .statuses
                .iter()
                .rfind(|(_, from)| *from <= at)
                .map(|(st, from)| (st.as_str(), *from));
            match in_force {
                Some((st, from)) if s.type_id == QTST && st == GRANTED => {
                    return Qualification {
                        status: "qualified".into(),
                        provider: Some(clip(&s.provider)),
                        service: Some(clip(&s.name)),
                        reason: format!(
                            "a qualified time-stamping service (QTST), granted since {} — under eIDAS Art. 41(2) its time stamps enjoy the presumption of the accuracy of the date and time they indicate and of the integrity of the data bound to them",
                            crate::time::rfc3339(&from)
                        ),
                        list: self.describe(),
                    };
                }
                Some((st, _)) => {
                    reason = format!(
                        "listed as '{}' with status '{}' at genTime, not a granted QTST",
                        clip(
                            s.type_id
                                .rsplit('/')
                                .take(2)
                                .collect::<Vec<_>>()
                                .join("/")
                                .as_str()
                        ),
                        clip(st.rsplit('/').next().unwrap_or(st))
                    );
                }
                None => reason = "listed, but with no status in force at genTime".into(),
            }
        }
        Qualification {
            status: "not-qualified".into(),
            provider: listed.first().map(|s| clip(&s.provider)),
            service: listed.first().map(|s| clip(&s.name)),
            reason,
            list: self.describe(),
        }
    }
}

/// The list's XML signature, checked with xmlsec1 (which uses the certificate the
/// signature carries); an invalid signature is an error: the list is not used.
fn check_signature(path: &Path) -> Result<String> {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("xmlsec1").is_file()));
    if !found {
        return Ok("its XML signature was NOT checked (xmlsec1 is not installed)".into());
    }
    let out = std::process::Command::new("xmlsec1")
        .args([
            "--verify",
            "--insecure",
            "--id-attr:Id",
            "TrustServiceStatusList",
        ])
        .arg(path)
        .output()
        .map_err(|e| Error::internal(format!("running xmlsec1: {e}")))?;
    if out.status.success() {
        Ok("XML signature valid (xmlsec1; the signer's certificate is not checked against the EU list of lists)".into())
    } else {
        Err(Error::input(format!(
            "the XML signature of the trusted list '{}' does not verify (xmlsec1): the list was altered or is not signed",
            path.display()
        ))
        .with_fix("download the list again from its official location"))
    }
}
