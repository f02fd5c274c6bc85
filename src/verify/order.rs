//! The order layer: members in the canonical order of `bundle::layout`, and the bundle
//! files present.

use crate::bundle::layout::{self, CUSTODY};

use super::CheckKind::Archive;
use super::Ctx;

/// Items (files in manifest order, then control files), keys sorted, the custody log,
/// custody tokens sorted, then the trailer; and report.html / VERIFY.md present.
pub(super) fn canonical_order(cx: &mut Ctx) {
    let reader = cx.reader;
    let mut expected: Vec<String> = std::mem::take(&mut cx.item_order);
    expected.extend(cx.key_files.iter().cloned());
    expected.push(CUSTODY.into());
    let mut ctoks: Vec<String> = reader
        .members
        .iter()
        .filter(|m| layout::is_custody_member(&m.name))
        .map(|m| m.name.clone())
        .collect();
    ctoks.sort();
    expected.extend(ctoks);
    expected.extend(
        layout::TRAILER
            .iter()
            .filter(|f| reader.member(f).is_some())
            .map(|f| f.to_string()),
    );
    let actual: Vec<&str> = reader.members.iter().map(|m| m.name.as_str()).collect();
    let expected_present: Vec<&str> = expected
        .iter()
        .map(String::as_str)
        .filter(|n| actual.contains(n))
        .collect();
    if actual.len() == expected_present.len() && actual != expected_present {
        let pos = actual
            .iter()
            .zip(&expected_present)
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        cx.checks.fail(Archive, actual[pos], format!("members are not in canonical order (expected '{}' here): the archive was rebuilt or reordered", expected_present[pos]));
    }
    for n in [layout::REPORT, layout::VERIFY_MD] {
        if reader.member(n).is_none() && !cx.st.items.is_empty() {
            cx.checks.fail(Archive, n, "missing from the bundle");
        }
    }
}
