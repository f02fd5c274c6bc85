//! Sealing an encrypted item: which recipients (the bundle's own, or `--encrypt-to` for
//! a new bundle), the public names of the files, and the private part that keeps what
//! the public manifest leaves out. See `docs/encryption.md`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::acquire::{Acquisition, Role};
use crate::bundle::state::BundleState;
use crate::error::{Error, Result};
use crate::evidence::encryption::{self, PrivateFile, PrivatePart, Recipients};
use crate::evidence::manifest::{Encryption, ItemKind};

use super::prepare::Prepared;

/// The recipients the new item is encrypted to, or `None` for a plain item.
///
/// - A bundle whose items are encrypted stays encrypted to the same recipients:
///   `--encrypt-to` may be left out, or must name the same set.
/// - A plain bundle with items stays plain: encrypting only the new items would leave
///   the earlier evidence readable, so it is refused.
pub(super) fn recipients_for(
    target: &Path,
    state: &BundleState,
    asked: Option<&Arc<Recipients>>,
) -> Result<Option<Arc<Recipients>>> {
    // How the last item is stored now (as sealed, or as `sigillo encrypt`/`decrypt` left it).
    let existing = state
        .items
        .last()
        .map(|i| (!i.recipients.is_empty()).then(|| i.recipients.clone()));
    match (existing, asked) {
        (None, a) => Ok(a.cloned()),
        (Some(None), None) => Ok(None),
        (Some(None), Some(_)) => Err(Error::input(format!(
            "'{}' is not encrypted: its earlier items are readable by anyone who has the file",
            target.display()
        ))
        .with_fix("write encrypted evidence to a new bundle (-o new.zip --encrypt-to …)")),
        (Some(Some(bundle)), None) => {
            let mut r = Recipients::parse(&bundle)?;
            r.passphrase_identity = state.passphrase_identity();
            Ok(Some(Arc::new(r)))
        }
        (Some(Some(bundle)), Some(a)) if a.same_as(&bundle) => Ok(Some(a.clone())),
        (Some(Some(bundle)), Some(_)) => Err(Error::input(format!(
            "'{}' is encrypted to other recipients ({})",
            target.display(),
            bundle.join(", ")
        ))
        .with_fix(
            "drop --encrypt-to to add to this bundle for its recipients, or write to a new bundle",
        )),
    }
}

/// Give every prepared file its public name (`original/0001.jpg` …), rewrite the
/// derivations to match, keep only the URL of each file's provenance, and collect what
/// was taken out (with the acquisition's input, facts, transformations and warnings) as
/// the private part. The acquisition's input and facts keep only a captured page's URL.
pub(super) fn pseudonymize(acq: &mut Acquisition, prepared: &mut [Prepared]) -> PrivatePart {
    let names: HashMap<String, String> = prepared
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.clone(), encryption::public_name(&p.path, i + 1)))
        .collect();
    let mut files = Vec::with_capacity(prepared.len());
    for p in prepared.iter_mut() {
        let public = names[&p.path].clone();
        let source = &p.artifact.source;
        files.push(PrivateFile {
            path: public.clone(),
            name: p.path.clone(),
            source: (!source.is_empty()).then(|| source.clone()),
        });
        p.artifact.source = encryption::public_source(source).unwrap_or_default();
        if let Role::Derived { from } = &mut p.artifact.role {
            for f in from.iter_mut() {
                if let Some(n) = names.get(f.as_str()) {
                    *f = n.clone();
                }
            }
        }
        p.path = public.clone();
        p.artifact.path = public;
    }
    let private = PrivatePart {
        format: encryption::PRIVATE_FORMAT.to_string(),
        input: std::mem::take(&mut acq.input),
        facts: std::mem::take(&mut acq.facts),
        transformations: std::mem::take(&mut acq.transformations),
        warnings: acq.warnings.clone(),
        files,
    };
    acq.input = encryption::public_view(&private.input);
    acq.facts = encryption::public_view(&private.facts);
    private
}

/// The slug of an encrypted item's id: the item folder's name is public, and the slug
/// of files and chats comes from a file name (`whatsapp-chat-with-marco`); a captured
/// page's comes from its host, which the URL shows anyway.
pub(super) fn public_slug(kind: ItemKind, slug: &str) -> String {
    match kind {
        ItemKind::Web | ItemKind::Recheck => slug.to_string(),
        _ => "encrypted".to_string(),
    }
}

/// The manifest's `encryption` block.
pub(super) fn manifest_block(r: &Recipients) -> Encryption {
    Encryption {
        scheme: "age".into(),
        recipients: r.shown.clone(),
        private: encryption::PRIVATE_PATH.into(),
        passphrase_identity: r.passphrase_identity.clone(),
    }
}
