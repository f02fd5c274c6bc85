//! Lenient reading of RFC 3161 tokens: BER re-encoded as DER, duplicate certificates
//! dropped.
//!
//! `openssl ts -verify` accepts tokens that are not strict DER: indefinite or
//! non-minimal lengths, constructed OCTET STRINGs, and (from a TSA whose `certs` file
//! also holds its own certificate) the signer certificate listed twice in the
//! SignedData `certificates` SET. The meaning of each is unambiguous, so such a token
//! is re-encoded here and then checked as strictly as any other. Only the structure is
//! re-encoded: the contents of primitive values, among them the TSTInfo octets the
//! `messageDigest` covers, are copied byte for byte.
//!
//! Hand-written because the `der` crate reads DER only by design, and no maintained
//! crate re-encodes an arbitrary BER tree as DER (bcder decodes BER into typed values,
//! not a generic tree). It is small, bounded (depth and size) and fuzzed (`fuzz/tsp`).

/// Deepest nesting accepted (a token is a few levels deep; this bounds recursion).
const MAX_DEPTH: usize = 64;

/// One value: identifier octets, and either primitive contents or children.
struct Tlv<'a> {
    /// The identifier octets as written (tag class, constructed bit, number).
    tag: &'a [u8],
    body: Body<'a>,
}

enum Body<'a> {
    Primitive(&'a [u8]),
    Constructed(Vec<Tlv<'a>>),
}

impl Tlv<'_> {
    fn constructed(&self) -> bool {
        self.tag[0] & 0x20 != 0
    }
}

/// Read one value from the front of `input`: the value and what follows it.
fn read(input: &[u8], depth: usize) -> Option<(Tlv<'_>, &[u8])> {
    if depth > MAX_DEPTH {
        return None;
    }
    let first = *input.first()?;
    let mut i = 1;
    if first & 0x1F == 0x1F {
        // High tag number form: base-128 octets, the last without bit 8.
        loop {
            let b = *input.get(i)?;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            if i > 6 {
                return None;
            }
        }
    }
    let tag = &input[..i];
    let len_byte = *input.get(i)?;
    i += 1;
    let constructed = first & 0x20 != 0;
    if len_byte == 0x80 {
        // Indefinite length: constructed only, children up to the end-of-contents octets.
        if !constructed {
            return None;
        }
        let mut rest = &input[i..];
        let mut kids = Vec::new();
        loop {
            if rest.starts_with(&[0, 0]) {
                return Some((
                    Tlv {
                        tag,
                        body: Body::Constructed(kids),
                    },
                    &rest[2..],
                ));
            }
            let (kid, after) = read(rest, depth + 1)?;
            kids.push(kid);
            rest = after;
        }
    }
    let len = if len_byte & 0x80 == 0 {
        usize::from(len_byte)
    } else {
        let n = usize::from(len_byte & 0x7F);
        if n > 4 {
            return None;
        }
        let bytes = input.get(i..i + n)?;
        i += n;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    let contents = input.get(i..i.checked_add(len)?)?;
    let rest = &input[i + len..];
    let body = if constructed {
        let mut kids = Vec::new();
        let mut c = contents;
        while !c.is_empty() {
            let (kid, after) = read(c, depth + 1)?;
            kids.push(kid);
            c = after;
        }
        Body::Constructed(kids)
    } else {
        Body::Primitive(contents)
    };
    Some((Tlv { tag, body }, rest))
}

/// DER length octets.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn push_tlv(out: &mut Vec<u8>, tag: &[u8], contents: &[u8]) {
    out.extend_from_slice(tag);
    push_len(out, contents.len());
    out.extend_from_slice(contents);
}

/// The concatenated contents of a constructed OCTET STRING (BER §8.7.3), or `None`
/// when a segment is not itself an OCTET STRING.
fn octets(kids: &[Tlv<'_>], out: &mut Vec<u8>) -> Option<()> {
    for k in kids {
        match (&k.body, k.tag[0] & 0xDF) {
            (Body::Primitive(p), 0x04) => out.extend_from_slice(p),
            (Body::Constructed(c), 0x04) => octets(c, out)?,
            _ => return None,
        }
    }
    Some(())
}

/// DER encoding of a value; a constructed universal OCTET STRING becomes primitive.
fn encode(t: &Tlv<'_>, out: &mut Vec<u8>) -> Option<()> {
    match &t.body {
        Body::Primitive(p) => push_tlv(out, t.tag, p),
        Body::Constructed(kids) if t.tag == [0x24] => {
            let mut flat = Vec::new();
            octets(kids, &mut flat)?;
            push_tlv(out, &[0x04], &flat);
        }
        Body::Constructed(kids) => {
            let mut inner = Vec::new();
            for k in kids {
                encode(k, &mut inner)?;
            }
            push_tlv(out, t.tag, &inner);
        }
    }
    Some(())
}

/// What [`normalize`] changed, for the verification report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repairs {
    /// The token was BER (indefinite or non-minimal lengths, constructed strings).
    pub reencoded: bool,
    /// How many repeated certificates were dropped from the `certificates` SET.
    pub duplicate_certificates: usize,
}

impl Repairs {
    /// True when nothing had to be changed.
    pub fn none(&self) -> bool {
        !self.reencoded && self.duplicate_certificates == 0
    }

    /// One sentence for a report, or `None` when nothing changed.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.reencoded {
            parts.push("BER encoding read as DER".to_string());
        }
        if self.duplicate_certificates > 0 {
            parts.push(format!(
                "{} repeated certificate(s) ignored",
                self.duplicate_certificates
            ));
        }
        (!parts.is_empty()).then(|| format!("read leniently: {}", parts.join("; ")))
    }
}

/// Drop exact repeats among the certificates of a SignedData inside `ci` (a ContentInfo:
/// SEQUENCE { contentType, [0] EXPLICIT SignedData }).
fn dedupe_certificates(ci: &mut Tlv<'_>) -> usize {
    let Body::Constructed(ci_kids) = &mut ci.body else {
        return 0;
    };
    let Some(Body::Constructed(explicit)) = ci_kids.get_mut(1).map(|k| &mut k.body) else {
        return 0;
    };
    let Some(Body::Constructed(sd)) = explicit.get_mut(0).map(|k| &mut k.body) else {
        return 0;
    };
    // SignedData: version, digestAlgorithms, encapContentInfo, [0] certificates, ….
    let Some(certs) = sd
        .iter_mut()
        .skip(3)
        .find(|k| k.tag == [0xA0] && k.constructed())
    else {
        return 0;
    };
    let Body::Constructed(list) = &mut certs.body else {
        return 0;
    };
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let before = list.len();
    list.retain(|c| {
        let mut der = Vec::new();
        if encode(c, &mut der).is_none() {
            return true;
        }
        if seen.contains(&der) {
            false
        } else {
            seen.push(der);
            true
        }
    });
    before - list.len()
}

/// The token (a TimeStampResp or a bare ContentInfo) as strict DER with repeated
/// certificates dropped, and what was changed; `None` when it is not BER at all.
pub fn normalize(bytes: &[u8]) -> Option<(Vec<u8>, Repairs)> {
    let (mut top, rest) = read(bytes, 0)?;
    if !rest.is_empty() {
        return None;
    }
    let mut plain = Vec::new();
    encode(&top, &mut plain)?;
    let reencoded = plain != bytes;
    // A TimeStampResp is SEQUENCE { PKIStatusInfo SEQUENCE, token ContentInfo }; a bare
    // token starts with its contentType OID.
    let is_resp =
        matches!(&top.body, Body::Constructed(k) if k.first().is_some_and(|s| s.tag == [0x30]));
    let dropped = if is_resp {
        match &mut top.body {
            Body::Constructed(k) => k.get_mut(1).map_or(0, dedupe_certificates),
            Body::Primitive(_) => 0,
        }
    } else {
        dedupe_certificates(&mut top)
    };
    let mut out = Vec::new();
    encode(&top, &mut out)?;
    Some((
        out,
        Repairs {
            reencoded,
            duplicate_certificates: dropped,
        },
    ))
}

/// `bytes` as DER, when it is BER (used for a TSTInfo, whose original octets are what
/// the `messageDigest` covers); `None` when it cannot be read at all.
pub fn reencode(bytes: &[u8]) -> Option<Vec<u8>> {
    let (top, rest) = read(bytes, 0)?;
    if !rest.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    encode(&top, &mut out)?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_stays_as_it_is() {
        // SEQUENCE { INTEGER 5, OCTET STRING "ab" }
        let der = [0x30, 0x07, 0x02, 0x01, 0x05, 0x04, 0x02, b'a', b'b'];
        let (out, r) = normalize(&der).unwrap();
        assert_eq!(out, der);
        assert!(r.none());
    }

    #[test]
    fn indefinite_and_long_lengths_and_constructed_strings_become_der() {
        // SEQUENCE (indefinite) { INTEGER (length in 2 octets) 5, OCTET STRING constructed
        // { "a", "b" } (indefinite) }
        let ber = [
            0x30, 0x80, 0x02, 0x82, 0x00, 0x01, 0x05, 0x24, 0x80, 0x04, 0x01, b'a', 0x04, 0x01,
            b'b', 0x00, 0x00, 0x00, 0x00,
        ];
        let (out, r) = normalize(&ber).unwrap();
        assert_eq!(out, [0x30, 0x07, 0x02, 0x01, 0x05, 0x04, 0x02, b'a', b'b']);
        assert!(r.reencoded);
    }

    #[test]
    fn hostile_input_is_refused_not_a_panic() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x80],
            &[0x30, 0x85, 1, 2, 3, 4, 5],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x05, 0x02, 0x01],
            &[0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
            &[0x30, 0x02, 0x00, 0x00, 0x00],
        ] {
            let _ = normalize(bad);
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 1000)
            .flatten()
            .collect();
        assert!(normalize(&deep).is_none());
    }

    #[test]
    fn repeated_certificates_are_dropped_once() {
        // ContentInfo { OID, [0] { SignedData { INTEGER, SET, SEQUENCE, [0] { c, c, d } } } }
        let cert_c = [0x30, 0x03, 0x02, 0x01, 0x01];
        let cert_d = [0x30, 0x03, 0x02, 0x01, 0x02];
        let mut certs = Vec::new();
        for c in [&cert_c, &cert_c, &cert_d] {
            certs.extend_from_slice(c);
        }
        let mut sd = vec![0x02, 0x01, 0x03, 0x31, 0x00, 0x30, 0x00];
        push_tlv(&mut sd, &[0xA0], &certs);
        let mut sd_tlv = Vec::new();
        push_tlv(&mut sd_tlv, &[0x30], &sd);
        let mut explicit = Vec::new();
        push_tlv(&mut explicit, &[0xA0], &sd_tlv);
        let mut ci = vec![0x06, 0x01, 0x2A];
        ci.extend_from_slice(&explicit);
        let mut token = Vec::new();
        push_tlv(&mut token, &[0x30], &ci);
        let (out, r) = normalize(&token).unwrap();
        assert_eq!(r.duplicate_certificates, 1);
        assert!(!r.reencoded);
        assert_eq!(out.len(), token.len() - cert_c.len());
    }
}
