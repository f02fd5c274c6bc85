//! The enveloping `.p7m` form of a bundle (CAdES-BES, ETSI EN 319 122-1): a DER CMS
//! SignedData whose encapsulated content is the bundle's ZIP, byte for byte. It is the
//! form court deposit systems (the Italian processo telematico among them) accept for
//! signed documents; `openssl cms -verify -binary -inform DER -in case.zip.p7m -CAfile
//! ca.pem -out case.zip` gives the bundle back.
//!
//! Hand-written DER framing, because the `cms` crate encodes and decodes in memory and a
//! bundle may be many gigabytes. The signature itself is made and checked by
//! [`cades`](crate::evidence::cades) in its detached form; here:
//! - writing: the detached SignedData's elements are written around a streamed
//!   `[0] EXPLICIT OCTET STRING` holding the bundle (lengths are known in advance);
//! - reading: the definite-length headers are walked to find where the bundle lies in the
//!   file, and the elements around it are put back together as the detached SignedData
//!   for [`cades`](crate::evidence::cades) to check, while the bundle itself is read
//!   straight from the file (as a window of it, see
//!   [`BundleReader`](super::reader::BundleReader)).
//!
//! Only DER is written and read: definite lengths and a primitive OCTET STRING (what
//! `openssl cms -sign -nodetach -binary -outform DER` writes). A BER envelope (indefinite
//! lengths, as `openssl cms -stream` writes) is refused with a way to convert it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

/// DER of OID 1.2.840.113549.1.7.2 (id-signedData), tag and length included.
const OID_SIGNED_DATA: [u8; 11] = [
    0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02,
];
/// DER of OID 1.2.840.113549.1.7.1 (id-data), tag and length included.
const OID_DATA: [u8; 11] = [
    0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
];
/// The part of an envelope before the bundle that is read to find it (the version and
/// digest algorithms are tiny; a header this large is not a signature).
const MAX_HEAD: usize = 64 * 1024;
/// The part after the bundle: certificates, CRLs, signer infos, a signature timestamp.
const MAX_TAIL: u64 = 4 << 20;

/// Where the bundle lies in an enveloping `.p7m`, and the signature around it.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// Offset of the first byte of the bundle in the file.
    pub content_offset: u64,
    /// The bundle's length.
    pub content_len: u64,
    /// The signature as a detached CMS ContentInfo (DER): the envelope without its content.
    pub detached: Vec<u8>,
}

/// One TLV header: tag, header length, content length.
#[derive(Debug, Clone, Copy)]
struct Header {
    tag: u8,
    header_len: u64,
    len: u64,
}

impl Header {
    fn total(&self) -> Option<u64> {
        self.header_len.checked_add(self.len)
    }
}

fn not_der(why: impl std::fmt::Display) -> Error {
    Error::input(format!("not an enveloping CMS signature sigillo can read: {why}")).with_fix(
        "give the .p7m written by `sigillo export --p7m` (DER); a BER one converts with: openssl cms -cmsout -inform DER -in in.p7m -outform DER -out out.p7m",
    )
}

/// Read a DER header at the start of `buf`.
fn header(buf: &[u8]) -> Result<Header> {
    let (&tag, rest) = buf
        .split_first()
        .ok_or_else(|| not_der("it ends inside a header"))?;
    if tag & 0x1F == 0x1F {
        return Err(not_der("a multi-byte tag"));
    }
    let (&first, rest) = rest
        .split_first()
        .ok_or_else(|| not_der("it ends inside a header"))?;
    if first < 0x80 {
        return Ok(Header {
            tag,
            header_len: 2,
            len: u64::from(first),
        });
    }
    if first == 0x80 {
        return Err(not_der("an indefinite length (BER)"));
    }
    let n = usize::from(first & 0x7F);
    if n > 8 {
        return Err(not_der("a length of more than 8 bytes"));
    }
    let bytes = rest
        .get(..n)
        .ok_or_else(|| not_der("it ends inside a header"))?;
    let len = bytes.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
    Ok(Header {
        tag,
        header_len: 2 + n as u64,
        len,
    })
}

/// DER length octets of `n`.
fn der_len(n: u64) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// A TLV header for `tag` and `len`.
fn tlv_header(tag: u8, len: u64) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(der_len(len));
    v
}

/// The complete TLVs inside a constructed value's content.
fn elements(mut content: &[u8]) -> Result<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let h = header(content)?;
        let total = h
            .total()
            .and_then(|t| usize::try_from(t).ok())
            .filter(|&t| t <= content.len())
            .ok_or_else(|| not_der("an element is longer than what holds it"))?;
        out.push(&content[..total]);
        content = &content[total..];
    }
    Ok(out)
}

/// Whether the file at `path` starts like a DER SignedData (a SEQUENCE) rather than a ZIP.
pub fn looks_enveloped(path: &Path) -> bool {
    let mut b = [0u8; 1];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut b))
        .is_ok()
        && b[0] == 0x30
}

/// Find the bundle in the enveloping `.p7m` at `path`.
pub fn parse(path: &Path) -> Result<Envelope> {
    let mut f = File::open(path).at("open", path)?;
    let file_len = f.metadata().at("read", path)?.len();
    let mut head = Vec::new();
    (&mut f)
        .take(MAX_HEAD as u64)
        .read_to_end(&mut head)
        .at("read", path)?;
    let mut pos = 0u64;
    // A cursor over `head`: the next header, checked to be `tag`.
    let next = |pos: &mut u64, tag: u8, what: &str| -> Result<Header> {
        let h = header(head.get(*pos as usize..).unwrap_or(&[]))?;
        if h.tag != tag {
            return Err(not_der(format!(
                "{what} has tag 0x{:02x}, expected 0x{tag:02x}",
                h.tag
            )));
        }
        Ok(h)
    };
    let end_of = |start: u64, h: &Header| -> Result<u64> {
        start
            .checked_add(h.header_len)
            .and_then(|s| s.checked_add(h.len))
            .ok_or_else(|| not_der("a length overflows"))
    };
    let take_whole = |pos: &mut u64, h: &Header, what: &str| -> Result<Vec<u8>> {
        let end = end_of(*pos, h)?;
        let bytes = head
            .get(*pos as usize..end as usize)
            .ok_or_else(|| not_der(format!("{what} is too large")))?
            .to_vec();
        *pos = end;
        Ok(bytes)
    };

    let ci = next(&mut pos, 0x30, "the ContentInfo")?;
    if end_of(pos, &ci)? != file_len {
        return Err(not_der(format!(
            "the signature declares {} bytes but the file has {file_len} (cut short, or data after it)",
            ci.total().unwrap_or(u64::MAX)
        )));
    }
    pos += ci.header_len;
    let oid = next(&mut pos, 0x06, "the content type")?;
    if take_whole(&mut pos, &oid, "the content type")? != OID_SIGNED_DATA {
        return Err(not_der("the content type is not id-signedData"));
    }
    let explicit = next(&mut pos, 0xA0, "the content")?;
    let sd_end = end_of(pos, &explicit)?;
    if sd_end != file_len {
        return Err(not_der(
            "the SignedData does not end where the ContentInfo does",
        ));
    }
    pos += explicit.header_len;
    let sd = next(&mut pos, 0x30, "the SignedData")?;
    if end_of(pos, &sd)? != sd_end {
        return Err(not_der("the SignedData does not fill its ContentInfo"));
    }
    pos += sd.header_len;
    let version = next(&mut pos, 0x02, "the version")?;
    let version = take_whole(&mut pos, &version, "the version")?;
    let algs = next(&mut pos, 0x31, "the digest algorithms")?;
    let algs = take_whole(&mut pos, &algs, "the digest algorithms")?;
    let encap = next(&mut pos, 0x30, "the encapsulated content")?;
    let encap_end = end_of(pos, &encap)?;
    if encap_end > sd_end {
        return Err(not_der(
            "the signed content is declared longer than the file (cut short, or crafted)",
        ));
    }
    pos += encap.header_len;
    let ctype = next(&mut pos, 0x06, "the signed content type")?;
    if take_whole(&mut pos, &ctype, "the signed content type")? != OID_DATA {
        return Err(not_der("the signed content type is not id-data"));
    }
    if pos == encap_end {
        return Err(not_der(
            "the signature is detached: it holds no bundle (give the .p7m written by `sigillo export --p7m`)",
        ));
    }
    let wrapper = next(&mut pos, 0xA0, "the signed content")?;
    if end_of(pos, &wrapper)? != encap_end {
        return Err(not_der("the signed content does not fill its wrapper"));
    }
    pos += wrapper.header_len;
    let h = header(head.get(pos as usize..).unwrap_or(&[]))?;
    if h.tag == 0x24 {
        return Err(not_der(
            "the bundle is stored as a constructed OCTET STRING (BER)",
        ));
    }
    if h.tag != 0x04 {
        return Err(not_der("the signed content is not an OCTET STRING"));
    }
    if end_of(pos, &h)? != encap_end {
        return Err(not_der("the signed content does not fill its wrapper"));
    }
    let content_offset = pos + h.header_len;
    let content_len = h.len;
    let tail_len = sd_end.saturating_sub(encap_end);
    if tail_len > MAX_TAIL {
        return Err(not_der(format!(
            "{tail_len} bytes of certificates and signer information is too much"
        )));
    }
    f.seek(SeekFrom::Start(encap_end)).at("read", path)?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    (&mut f)
        .take(tail_len)
        .read_to_end(&mut tail)
        .at("read", path)?;
    if tail.len() as u64 != tail_len {
        return Err(not_der("it ends inside the signer information"));
    }
    elements(&tail)?;
    Ok(Envelope {
        content_offset,
        content_len,
        detached: detached_form(&version, &algs, &tail),
    })
}

/// A detached ContentInfo from the SignedData's elements around the content.
fn detached_form(version: &[u8], algs: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut encap = tlv_header(0x30, OID_DATA.len() as u64);
    encap.extend_from_slice(&OID_DATA);
    let inner_len = (version.len() + algs.len() + encap.len() + tail.len()) as u64;
    let mut sd = tlv_header(0x30, inner_len);
    sd.extend_from_slice(version);
    sd.extend_from_slice(algs);
    sd.extend_from_slice(&encap);
    sd.extend_from_slice(tail);
    let mut explicit = tlv_header(0xA0, sd.len() as u64);
    explicit.extend(sd);
    let mut ci = tlv_header(0x30, (OID_SIGNED_DATA.len() + explicit.len()) as u64);
    ci.extend_from_slice(&OID_SIGNED_DATA);
    ci.extend(explicit);
    ci
}

/// Write `out`: the detached signature `detached` (a DER ContentInfo over `bundle`'s
/// bytes) with `bundle` put inside it. The bundle is streamed and hashed again on the way
/// with `rehash`, whose result must equal `digest` (the bundle must not change between
/// signing and writing). Written to a temporary file beside `out`, then renamed; an
/// existing `out` is never replaced.
pub fn write(
    bundle: &Path,
    detached: &[u8],
    out: &Path,
    digest: &[u8],
    rehash: &mut dyn FnMut(&mut dyn Read) -> io::Result<Vec<u8>>,
) -> Result<u64> {
    let internal = |why: &str| Error::internal(format!("framing the .p7m: {why}"));
    // The detached ContentInfo: SEQUENCE { OID, [0] { SEQUENCE { elements } } }.
    let ci = header(detached)?;
    let rest = &detached[ci.header_len as usize..];
    let parts = elements(rest)?;
    let [oid, explicit] = parts[..] else {
        return Err(internal("unexpected ContentInfo"));
    };
    let eh = header(explicit)?;
    let sd = &explicit[eh.header_len as usize..];
    let sh = header(sd)?;
    let els = elements(&sd[sh.header_len as usize..])?;
    if els.len() < 4 {
        return Err(internal("unexpected SignedData"));
    }
    let (version, algs, tail) = (els[0], els[1], &els[3..]);

    let src_len = std::fs::metadata(bundle).at("read", bundle)?.len();
    let octet = tlv_header(0x04, src_len);
    let octet_total = octet.len() as u64 + src_len;
    let wrapper = tlv_header(0xA0, octet_total);
    let encap_inner = OID_DATA.len() as u64 + wrapper.len() as u64 + octet_total;
    let encap = tlv_header(0x30, encap_inner);
    let tail_len: u64 = tail.iter().map(|t| t.len() as u64).sum();
    let sd_inner = (version.len() + algs.len() + encap.len()) as u64 + encap_inner + tail_len;
    let sd_head = tlv_header(0x30, sd_inner);
    let explicit_len = sd_head.len() as u64 + sd_inner;
    let explicit_head = tlv_header(0xA0, explicit_len);
    let ci_inner = oid.len() as u64 + explicit_head.len() as u64 + explicit_len;
    let ci_head = tlv_header(0x30, ci_inner);

    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".sigillo-tmp-")
        .tempfile_in(&dir)
        .at("create a temporary file in", &dir)?;
    let path = tmp.path().to_path_buf();
    let guard = crate::cleanup::register(&path);
    let result = (|| -> Result<u64> {
        let mut w = io::BufWriter::with_capacity(1 << 20, tmp.as_file());
        for part in [
            &ci_head[..],
            oid,
            &explicit_head,
            &sd_head,
            version,
            algs,
            &encap,
            &OID_DATA,
            &wrapper,
            &octet,
        ] {
            w.write_all(part).at("write", &path)?;
        }
        let src = File::open(bundle).at("open", bundle)?;
        let mut counted = Tee {
            inner: src.take(src_len),
            out: &mut w,
            n: 0,
            err: None,
        };
        let again = rehash(&mut counted);
        let (n, err) = (counted.n, counted.err.take());
        if let Some(e) = err {
            return Err(Error::io("write", &path, e));
        }
        let again = again.at("read", bundle)?;
        if n != src_len || again != digest {
            return Err(Error::input(format!(
                "'{}' changed while it was being exported; nothing was written",
                bundle.display()
            ))
            .with_fix("run the export again when no other sigillo command is writing the bundle"));
        }
        for t in tail {
            w.write_all(t).at("write", &path)?;
        }
        w.flush().at("write", &path)?;
        drop(w);
        tmp.as_file().sync_all().at("write", &path)?;
        Ok(ci_head.len() as u64 + ci_inner)
    })();
    // On an error the guard and the temporary file both remove it.
    let written = result?;
    let persisted = tmp.persist_noclobber(out);
    guard.keep();
    persisted.map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            Error::input(format!(
                "'{}' already exists; nothing was written",
                out.display()
            ))
            .with_fix("choose another -o name, or move the old file away")
        } else {
            Error::io("write", out, e.error)
        }
    })?;
    Ok(written)
}

/// A reader that copies what it reads into `out` (the bundle is hashed and written in
/// one pass).
struct Tee<'a, R: Read, W: Write> {
    inner: R,
    out: &'a mut W,
    n: u64,
    err: Option<io::Error>,
}

impl<R: Read, W: Write> Read for Tee<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Err(e) = self.out.write_all(&buf[..n]) {
            self.err = Some(e);
            return Err(io::Error::other("write failed"));
        }
        self.n += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_headers() {
        assert_eq!(der_len(5), [5]);
        assert_eq!(der_len(0x80), [0x81, 0x80]);
        assert_eq!(der_len(0x1_0000), [0x83, 1, 0, 0]);
        let h = header(&[0x30, 0x82, 0x01, 0x00]).unwrap();
        assert_eq!((h.tag, h.header_len, h.len), (0x30, 4, 256));
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x80],
            &[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            &[0x1F, 0x01, 0x00],
            &[0x30, 0x82, 0x01],
        ] {
            assert!(header(bad).is_err(), "{bad:?}");
        }
        assert!(elements(&[0x04, 0x05, 1, 2]).is_err());
        assert_eq!(elements(&[0x04, 0x01, 9, 0x05, 0x00]).unwrap().len(), 2);
    }

    /// A framed envelope around "hello" (with a stand-in SignedData), then every
    /// single-byte change and every truncation of it: parse() answers, never panics, and
    /// a window it accepts always lies inside the file.
    #[test]
    fn every_mutation_of_an_envelope_is_judged_without_panicking() {
        let d = tempfile::tempdir().unwrap();
        let bundle = d.path().join("b.zip");
        std::fs::write(&bundle, b"hello").unwrap();
        // SEQ { OID signedData, [0] { SEQ { INT 1, SET {}, SEQ { OID data }, SET {} } } }
        let mut sd_inner = vec![0x02, 0x01, 0x01, 0x31, 0x00];
        sd_inner.extend(tlv_header(0x30, OID_DATA.len() as u64));
        sd_inner.extend_from_slice(&OID_DATA);
        sd_inner.extend([0x31, 0x00]);
        let mut sd = tlv_header(0x30, sd_inner.len() as u64);
        sd.extend(sd_inner);
        let mut explicit = tlv_header(0xA0, sd.len() as u64);
        explicit.extend(sd);
        let mut ci = tlv_header(0x30, (OID_SIGNED_DATA.len() + explicit.len()) as u64);
        ci.extend_from_slice(&OID_SIGNED_DATA);
        ci.extend(explicit);
        let out = d.path().join("b.p7m");
        let digest = b"d".to_vec();
        write(&bundle, &ci, &out, &digest, &mut |r| {
            std::io::copy(r, &mut std::io::sink())?;
            Ok(b"d".to_vec())
        })
        .unwrap();
        let good = std::fs::read(&out).unwrap();
        let env = parse(&out).unwrap();
        assert_eq!(
            &good[env.content_offset as usize..][..env.content_len as usize],
            b"hello"
        );
        let probe = d.path().join("m.p7m");
        let check = |bytes: &[u8]| {
            std::fs::write(&probe, bytes).unwrap();
            if let Ok(e) = parse(&probe) {
                assert!(e.content_offset + e.content_len <= bytes.len() as u64);
            }
        };
        for i in 0..good.len() {
            for v in [
                0x00,
                0x01,
                0x7F,
                0x80,
                0x81,
                0x84,
                0x88,
                0xFF,
                good[i] ^ 0x01,
            ] {
                let mut m = good.clone();
                m[i] = v;
                check(&m);
            }
            check(&good[..i]);
        }
    }
}
