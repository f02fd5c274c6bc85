//! The co-signature layer: each item's X.509 (CAdES) co-signatures over its manifest:
//! the signature itself, its signature timestamp, and the certificate chain to
//! `--signer-ca` (or the system store) at the signing time.

use base64::Engine as _;

use crate::bundle::layout;
use crate::evidence::cades::{self, CosignStatus, CosignVerdict, Holder};
use crate::evidence::tsp::TokenStatus;
use crate::text::clip;

use super::CheckKind::Cosignature as Kind;
use super::{Cosignature, CosignatureStatus, Ctx, Status};

/// An X.509 signer seen in the bundle, by certificate fingerprint.
#[derive(Debug, Clone)]
pub(super) struct SeenSigner {
    pub(super) holder: Holder,
    pub(super) trusted: bool,
}

/// `SHA256:<base64>` of a certificate, in the form of the Ed25519 key fingerprints.
fn fingerprint(holder: &Holder) -> String {
    let raw = hex::decode(&holder.sha256).unwrap_or_default();
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(raw)
    )
}

/// Check every co-signature in item `id` over `mbytes` (its manifest.json).
pub(super) fn item(cx: &mut Ctx, id: &str, files: &[String], mbytes: &[u8]) {
    let mut numbers: Vec<(usize, &String)> = files
        .iter()
        .filter_map(|f| layout::cosignature_of(f).map(|n| (n, f)))
        .collect();
    numbers.sort();
    for (want, (n, _)) in numbers.iter().enumerate() {
        if *n != want + 1 {
            cx.checks.fail(
                Kind,
                layout::item_member(id, &layout::cosignature_name(want + 1)),
                "co-signature missing: the co-signatures after it remain, so one was removed",
            );
            break;
        }
    }
    for (_, name) in numbers {
        let path = layout::item_member(id, name);
        let p7s = match cx.read_meta(&path) {
            Ok(b) => b,
            Err(why) => {
                cx.checks.fail(Kind, &path, format!("co-signature {why}"));
                continue;
            }
        };
        let v = cades::verify_detached(&p7s, mbytes, cx.signer_anchors, cx.anchors.trust());
        record(cx, Of::Item(id), &path, &v);
    }
}

/// The enveloping signature of a `.p7m` over the whole bundle inside it: the same
/// checks as a co-signature, with the bundle streamed from the file to be hashed.
pub(super) fn envelope(cx: &mut Ctx, env: &crate::bundle::p7m::Envelope) {
    let reader = cx.reader;
    let mut read_error = None;
    let mut digest_of =
        |oid: &der::oid::ObjectIdentifier| match crate::evidence::tsp::digest_reader(
            oid,
            &mut reader.whole(),
        )? {
            Ok(d) => Some(d),
            Err(e) => {
                read_error = Some(e.to_string());
                None
            }
        };
    let v = cades::verify_detached_digest(
        &env.detached,
        &mut digest_of,
        "the bundle inside the envelope",
        cx.signer_anchors,
        cx.anchors.trust(),
    );
    if let Some(e) = read_error {
        cx.checks.fail(
            Kind,
            ENVELOPE,
            format!(
                "the bundle inside the envelope cannot be read: {}",
                clip(&e, 200)
            ),
        );
        return;
    }
    record(cx, Of::Envelope, ENVELOPE, &v);
}

/// The subject of the envelope's check and record.
pub(super) const ENVELOPE: &str = "(envelope .p7m)";

fn who(h: &Holder) -> String {
    let mut s = clip(h.common_name.as_deref().unwrap_or(&h.subject), 120);
    if let Some(sn) = &h.serial_number {
        s.push_str(&format!(" (serialNumber {})", clip(sn, 60)));
    }
    if h.qualified {
        s.push_str(", qualified certificate (QcCompliance)");
    }
    s
}

/// What a co-signature signs.
#[derive(Debug, Clone, Copy)]
pub(super) enum Of<'a> {
    /// An item's manifest.json.
    Item(&'a str),
    /// A custody entry's line.
    Custody(u64),
    /// The whole bundle, inside an enveloping `.p7m`.
    Envelope,
}

/// Report one judged co-signature: a check, the signer, a [`Cosignature`] record.
pub(super) fn record(cx: &mut Ctx, of: Of<'_>, path: &str, v: &CosignVerdict) {
    let level = if v.timestamp.is_some() { "B-T" } else { "B-B" };
    let ts_time = v
        .timestamp
        .as_ref()
        .and_then(|t| t.info.as_ref())
        .map(|i| crate::time::rfc3339(&i.gen_time));
    let ts_tsa = v
        .timestamp
        .as_ref()
        .and_then(|t| t.info.as_ref())
        .map(|i| clip(&i.signer_subject, 200));
    let ts_note = match v.timestamp.as_ref().map(|t| &t.status) {
        Some(TokenStatus::Trusted) => format!(
            "signature timestamp {} (trusted TSA)",
            ts_time.as_deref().unwrap_or("?")
        ),
        Some(TokenStatus::Untrusted { reason }) => format!(
            "signature timestamp {} from an untrusted TSA ({})",
            ts_time.as_deref().unwrap_or("?"),
            clip(reason, 200)
        ),
        Some(TokenStatus::Invalid { .. }) | None => "no signature timestamp".to_string(),
    };
    let rev_note = match &v.revocation {
        Some(r) if r.status != "none" => format!(
            "; revocation: {}{}",
            r.status,
            match (&r.source, &r.produced_at) {
                (Some(s), Some(p)) => format!(" ({s} of {p})"),
                _ => String::new(),
            }
        ),
        Some(_) => "; revocation: none carried".to_string(),
        None => String::new(),
    };
    let at = v.judged_at.map(|(t, src)| {
        let basis = match src {
            "tsa" => "the signature timestamp",
            "signer-clock" => "the signer's own clock (signing-time attribute)",
            _ => "the time of this check",
        };
        (crate::time::rfc3339(&t), src, basis)
    });
    let (status, reason) = match &v.status {
        CosignStatus::Trusted => (CosignatureStatus::Trusted, None),
        CosignStatus::Untrusted { reason } => {
            (CosignatureStatus::Untrusted, Some(clip(reason, 300)))
        }
        CosignStatus::Invalid { reason } => (CosignatureStatus::Invalid, Some(clip(reason, 300))),
    };
    let holder = v.holder.as_ref();
    let subject = holder.map_or("an unknown signer".to_string(), who);
    let explicit = cx.signer_anchors.is_explicit();
    let (check, message) = match (&v.status, &at) {
        (CosignStatus::Trusted, Some((t, _, basis))) => (
            Status::Pass,
            format!(
                "CAdES-{level} co-signature by {subject}, issued by {}; chain valid at {t} ({basis}); {ts_note}{rev_note}",
                clip(&holder.map(|h| h.issuer.clone()).unwrap_or_default(), 200)
            ),
        ),
        (CosignStatus::Untrusted { .. }, _) if explicit => (
            Status::Fail,
            format!(
                "CAdES-{level} co-signature by {subject}: the certificate does not chain to --signer-ca: {}",
                reason.as_deref().unwrap_or("")
            ),
        ),
        (CosignStatus::Untrusted { .. }, _) => (
            Status::Warn,
            format!(
                "CAdES-{level} co-signature by {subject} verifies, but its certificate is NOT trusted: {} (give the issuing CA with --signer-ca)",
                reason.as_deref().unwrap_or("")
            ),
        ),
        _ => (
            Status::Fail,
            format!(
                "co-signature by {subject} is not valid: {}",
                reason.as_deref().unwrap_or("")
            ),
        ),
    };
    cx.checks.add(Kind, check, path, message);
    let fpr = holder.map(fingerprint);
    if let (Some(f), Some(h)) = (&fpr, holder) {
        let trusted = check == Status::Pass;
        cx.x509_signers
            .entry(f.clone())
            .and_modify(|s| s.trusted &= trusted)
            .or_insert(SeenSigner {
                holder: h.clone(),
                trusted,
            });
    }
    let (item, custody_seq) = match of {
        Of::Item(id) => (Some(id.to_string()), None),
        Of::Custody(seq) => (None, Some(seq)),
        Of::Envelope => (None, None),
    };
    cx.cosignatures.push(Cosignature {
        item,
        custody_seq,
        envelope: matches!(of, Of::Envelope),
        member: path.to_string(),
        status,
        reason,
        level: level.to_string(),
        signer: fpr,
        signing_time: v.signing_time.map(|t| crate::time::rfc3339(&t)),
        timestamp: ts_time,
        timestamp_tsa: ts_tsa,
        judged_at: at.as_ref().map(|(t, _, _)| t.clone()),
        judged_at_source: at.as_ref().map(|(_, s, _)| s.to_string()),
        chain: v.chain.iter().map(|c| clip(c, 200)).collect(),
        revocation: v.revocation.clone(),
    });
}
