//! RFC 5544 TimeStampedData (`.tsd`): data and its RFC 3161 tokens in one file, as
//! Italian "marca temporale" software writes them.
//!
//! ```text
//! ContentInfo { id-ct-timestampedData, [0] EXPLICIT TimeStampedData }
//! TimeStampedData ::= SEQUENCE { version INTEGER (1), dataUri IA5String OPTIONAL,
//!     metaData MetaData OPTIONAL, content OCTET STRING OPTIONAL,
//!     temporalEvidence Evidence }
//! MetaData ::= SEQUENCE { hashProtected BOOLEAN, fileName UTF8String OPTIONAL,
//!     mediaType IA5String OPTIONAL, otherMetaData Attributes OPTIONAL }
//! Evidence ::= CHOICE { tstEvidence [0] IMPLICIT SEQUENCE OF TimeStampAndCRL, … }
//! TimeStampAndCRL ::= SEQUENCE { timeStamp TimeStampToken, crl CertificateList OPTIONAL }
//! ```
//!
//! The first token covers the content (preceded by the DER of MetaData when
//! `hashProtected` is true); each later token covers the DER of the TimeStampAndCRL
//! before it (RFC 5544 §4.2, renewal). Read by walking the DER with `der`: the module
//! is three levels deep and no crate implements it.

use der::{AnyRef, Decode, Encode, Reader, SliceReader, Tag, Tagged};

const ID_CT_TIMESTAMPED_DATA: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x1F,
];

/// A TimeStampedData file, read.
#[derive(Debug, Clone, Default)]
pub struct TimeStampedData {
    /// Where the data is, when it is not inside (`dataUri`).
    pub data_uri: Option<String>,
    /// `fileName` of the metadata.
    pub file_name: Option<String>,
    /// `mediaType` of the metadata.
    pub media_type: Option<String>,
    /// The data, when inside.
    pub content: Option<Vec<u8>>,
    /// DER of MetaData when `hashProtected` is true (the first token covers it too).
    protected_metadata: Option<Vec<u8>>,
    /// Each TimeStampAndCRL: (its DER, the token's DER).
    entries: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A token of the file and the bytes it must cover.
pub struct Stamp {
    /// The TimeStampToken (DER).
    pub token: Vec<u8>,
    /// What its imprint covers.
    pub covered: Vec<u8>,
}

fn kids(value: &[u8]) -> Result<Vec<AnyRef<'_>>, String> {
    let mut r = SliceReader::new(value).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while !r.is_finished() {
        out.push(r.decode::<AnyRef<'_>>().map_err(|e| e.to_string())?);
    }
    Ok(out)
}

fn text(a: &AnyRef<'_>) -> Option<String> {
    std::str::from_utf8(a.value()).ok().map(str::to_string)
}

/// True when `bytes` is a ContentInfo of type id-ct-timestampedData.
pub fn looks_like(bytes: &[u8]) -> bool {
    AnyRef::from_der(bytes)
        .ok()
        .and_then(|ci| {
            kids(ci.value())
                .ok()
                .map(|k| k.first().map(|o| o.value().to_vec()))
        })
        .flatten()
        .is_some_and(|oid| oid == ID_CT_TIMESTAMPED_DATA)
}

impl TimeStampedData {
    /// Read a `.tsd` file (DER; BER is re-encoded first, as for tokens).
    pub fn parse(bytes: &[u8]) -> Result<TimeStampedData, String> {
        let der = crate::evidence::ber::reencode(bytes)
            .ok_or("not a DER or BER file (not an RFC 5544 TimeStampedData)")?;
        let bad = |what: &str| format!("not an RFC 5544 TimeStampedData: {what}");
        let ci = AnyRef::from_der(&der).map_err(|e| bad(&e.to_string()))?;
        let ci_kids = kids(ci.value()).map_err(|e| bad(&e))?;
        match ci_kids.as_slice() {
            [oid, _]
                if oid.tag() == Tag::ObjectIdentifier && oid.value() == ID_CT_TIMESTAMPED_DATA => {}
            _ => return Err(bad("its content type is not id-ct-timestampedData")),
        }
        let explicit = kids(ci_kids[1].value()).map_err(|e| bad(&e))?;
        let tsd = explicit.first().ok_or_else(|| bad("empty content"))?;
        let mut out = TimeStampedData::default();
        let fields = kids(tsd.value()).map_err(|e| bad(&e))?;
        let mut evidence = None;
        for (i, f) in fields.iter().enumerate() {
            match f.tag() {
                Tag::Integer if i == 0 => {
                    if f.value() != [1] {
                        return Err(bad("version is not 1"));
                    }
                }
                Tag::Ia5String => out.data_uri = text(f),
                Tag::Sequence => {
                    let m = kids(f.value()).map_err(|e| bad(&e))?;
                    let protected = m
                        .first()
                        .is_some_and(|b| b.tag() == Tag::Boolean && b.value() == [0xFF]);
                    for x in &m[1.min(m.len())..] {
                        match x.tag() {
                            Tag::Utf8String => out.file_name = text(x),
                            Tag::Ia5String => out.media_type = text(x),
                            _ => {}
                        }
                    }
                    if protected {
                        out.protected_metadata = Some(f.to_der().map_err(|e| e.to_string())?);
                    }
                }
                Tag::OctetString => out.content = Some(f.value().to_vec()),
                t if t.octet() == 0xA0 => evidence = Some(*f),
                t if t.octet() == 0xA1 || t.octet() == 0xA2 => {
                    return Err(
                        "the file holds evidence records (RFC 4998) or other evidence, not RFC 3161 tokens: not supported"
                            .into(),
                    );
                }
                _ => return Err(bad("unexpected field")),
            }
        }
        let evidence = evidence.ok_or_else(|| bad("it holds no timestamp tokens"))?;
        for entry in kids(evidence.value()).map_err(|e| bad(&e))? {
            let parts = kids(entry.value()).map_err(|e| bad(&e))?;
            let token = parts
                .first()
                .ok_or_else(|| bad("an empty TimeStampAndCRL"))?
                .to_der()
                .map_err(|e| e.to_string())?;
            out.entries
                .push((entry.to_der().map_err(|e| e.to_string())?, token));
        }
        if out.entries.is_empty() {
            return Err(bad("it holds no timestamp tokens"));
        }
        Ok(out)
    }

    /// Every token with what it covers. `detached`: the data, when the file holds only
    /// its `dataUri` (an error names what is missing when neither is there).
    pub fn stamps(&self, detached: Option<&[u8]>) -> Result<Vec<Stamp>, String> {
        let data = match (&self.content, detached) {
            (_, Some(d)) => d.to_vec(),
            (Some(c), None) => c.clone(),
            (None, None) => {
                return Err(format!(
                    "the file holds no data (dataUri: {}): give it with --data",
                    self.data_uri.as_deref().unwrap_or("none")
                ));
            }
        };
        let mut first = self.protected_metadata.clone().unwrap_or_default();
        first.extend_from_slice(&data);
        let mut out = Vec::new();
        let mut covered = first;
        for (entry, token) in &self.entries {
            out.push(Stamp {
                token: token.clone(),
                covered: std::mem::replace(&mut covered, entry.clone()),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_files_are_not_timestamped_data() {
        assert!(!looks_like(b"hello"));
        assert!(!looks_like(&[0x30, 0x03, 0x06, 0x01, 0x2A]));
        assert!(TimeStampedData::parse(b"hello").is_err());
        assert!(TimeStampedData::parse(&[0x30, 0x03, 0x06, 0x01, 0x2A]).is_err());
    }
}
