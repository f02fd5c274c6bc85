//! The trust layer: which signers are pinned with `--trust`, and what the bundle's times
//! rest on (trusted RFC 3161 tokens, or only the acquiring machine's clock).

use std::collections::BTreeSet;

use crate::evidence::keys::{self, TrustRef};
use crate::evidence::stamping::TokenVerdict;

use super::CheckKind::Trust;
use super::{Ctx, Signer, SignerKind, Status, TimeBasis};

/// How a token's judgement counts in the verdict.
pub(super) fn token_status(v: TokenVerdict) -> Status {
    match v {
        TokenVerdict::Trusted => Status::Pass,
        TokenVerdict::Untrusted => Status::Warn,
        TokenVerdict::Invalid => Status::Fail,
    }
}

/// One trust check per signer, and the signer list.
pub(super) fn signers(cx: &mut Ctx, trust: &[TrustRef]) -> Vec<Signer> {
    let pinned = !trust.is_empty();
    let mut out = Vec::new();
    for fpr in &cx.used_keys {
        let trusted = pinned.then(|| {
            trust.iter().any(|t| match t {
                TrustRef::Key(vk) => keys::fingerprint(vk) == *fpr,
                TrustRef::Fingerprint(f) => f == fpr,
            })
        });
        let shown = crate::text::clip(fpr, 60);
        match trusted {
            Some(true) => cx.checks.pass(Trust, shown, "signer is pinned with --trust"),
            Some(false) => cx.checks.add(Trust, Status::Warn, shown, "signer is NOT among the --trust keys: entries by this key come from an unknown party"),
            None => cx.checks.add(Trust, Status::Info, shown, "signer not pinned: signatures are only self-consistent; compare this fingerprint with the one the operator declared"),
        }
        out.push(Signer {
            kind: SignerKind::Ed25519,
            fingerprint: fpr.clone(),
            names: cx
                .names_by_key
                .get(fpr)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            trusted,
            certificate: None,
        });
    }
    for (fpr, s) in &cx.x509_signers {
        out.push(Signer {
            kind: SignerKind::X509,
            fingerprint: fpr.clone(),
            names: s.holder.common_name.iter().cloned().collect(),
            trusted: Some(s.trusted),
            certificate: Some(s.holder.clone()),
        });
    }
    out
}

/// What the times rest on: trusted tokens (and from which TSAs), or the local clock.
pub(super) fn time_basis(cx: &Ctx) -> TimeBasis {
    let trusted: Vec<_> = cx
        .timestamps
        .iter()
        .filter(|t| t.info.status == TokenVerdict::Trusted)
        .collect();
    let tsa: BTreeSet<String> = trusted
        .iter()
        .filter_map(|t| t.info.info.as_ref().map(|i| i.tsa.clone()))
        .collect();
    let stamped: BTreeSet<&str> = trusted.iter().filter_map(|t| t.item.as_deref()).collect();
    let items_on_local_clock: Vec<String> = cx
        .st
        .items
        .iter()
        .filter(|i| !stamped.contains(i.id.as_str()))
        .map(|i| i.id.clone())
        .collect();
    let tsa: Vec<String> = tsa.into_iter().collect();
    let statement = statement(trusted.len(), &tsa, &items_on_local_clock);
    TimeBasis {
        trusted_tokens: trusted.len() as u64,
        tsa,
        items_on_local_clock,
        statement,
    }
}

fn statement(n: usize, tsa: &[String], local: &[String]) -> String {
    if n == 0 {
        return "no trusted timestamp: all times are the acquiring machine's clock".into();
    }
    let tokens = if n == 1 { "token" } else { "tokens" };
    let mut s = format!(
        "times are trusted ({n} {tokens} from TSA {})",
        tsa.join(", ")
    );
    if !local.is_empty() {
        let ids: Vec<String> = local.iter().map(|i| crate::text::clip(i, 80)).collect();
        s.push_str(&format!(
            "; except item(s) {}: their times are the acquiring machine's clock",
            ids.join(", ")
        ));
    }
    s
}
