//! `VERIFY.md`: how anyone can check the bundle by hand, with stock tools only.

use crate::bundle::layout;
use crate::bundle::state::BundleState;
use crate::evidence::custody::Entry;

/// Render VERIFY.md for the bundle as it will be after this change.
pub fn render(state: &BundleState, entries: &[Entry], key_files: &[String]) -> String {
    let mut s = String::new();
    let case = &state.case_id;
    s.push_str(&format!(
        "# How to verify this evidence bundle\n\nCase `{case}` · format `{}` · written by {} {}.\n\n",
        layout::BUNDLE_FORMAT,
        crate::TOOL_NAME,
        crate::TOOL_VERSION
    ));
    s.push_str(
        "Everything below uses only `unzip`, `sha256sum` and OpenSSL 3 (`openssl`). Nothing needs sigillo.\n\
         With sigillo installed, `sigillo verify case.zip --trust <the operator's .pub file>` runs every check at once.\n\n\
         ## 1. Extract a working copy\n\n```sh\nmkdir check && cd check && unzip -q ../case.zip\n```\n\n\
         ## 2. Every file is intact\n\n```sh\nsha256sum -c SHA256SUMS\n```\n\n\
         Every line must say `OK`. SHA256SUMS lists every file of the bundle except itself and its signature.\n\n\
         ## 3. The list of hashes is signed by the last custodian\n\n",
    );
    if let Some(last) = entries.last() {
        s.push_str(&format!(
            "The last custody entry (#{}) is by {} ({}).\n\n```sh\nopenssl pkeyutl -verify -pubin -inkey {} -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig\n```\n\n",
            last.record.seq,
            md(&last.record.actor.name),
            last.actor_key(),
            layout::key_path(last.actor_key())
        ));
    }
    s.push_str("It must print `Signature Verified Successfully`.\n\n## 4. Each item's manifest is signed by its operator\n\n");
    s.push_str("Each manifest lists the item's files with size and SHA-256, and says who acquired them, when and how.\n\n```sh\n");
    for it in &state.items {
        let dir = layout::item_dir(&it.id);
        s.push_str(&format!(
            "openssl pkeyutl -verify -pubin -inkey {} -rawin -in {dir}manifest.json -sigfile {dir}manifest.sig\n",
            layout::key_path(&it.manifest.operator.key)
        ));
    }
    s.push_str("```\n\n");
    s.push_str("To check a manifest's file list against the files (the same hashes as SHA256SUMS), for example with `jq`:\n\n```sh\n");
    if let Some(it) = state.items.first() {
        let dir = layout::item_dir(&it.id);
        if it.manifest.encryption.is_some() {
            s.push_str(&format!(
                "(cd {dir} && jq -r '.files[] | \"\\(.encrypted.sha256)  \\(.encrypted.path)\"' manifest.json | sha256sum -c)\n"
            ));
        } else {
            s.push_str(&format!(
                "(cd {dir} && jq -r '.files[] | \"\\(.sha256)  \\(.path)\"' manifest.json | sha256sum -c)\n"
            ));
        }
    }
    s.push_str("```\n\n");
    if let Some(enc) = state
        .items
        .iter()
        .find_map(|i| i.manifest.encryption.as_ref())
    {
        s.push_str("### Encrypted content\n\nThe items' files are stored as age files (`<file>.age`). Everything above holds without opening them; only a recipient can read the content. The recipients are:\n\n");
        for r in &enc.recipients {
            s.push_str(&format!("- `{}`\n", md(r)));
        }
        s.push_str("\nA recipient decrypts a file with the stock `age` tool and checks it against the plaintext SHA-256 its manifest lists (`.files[].sha256`):\n\n```sh\nage -d -i key.txt items/<item>/original/0001.jpg.age > 0001.jpg && sha256sum 0001.jpg\n```\n\n`derived/private.json.age` holds what the public manifest leaves out: the files' real names and provenance, the input and the facts of the acquisition.\n\n");
    }
    s.push_str("## 5. Trusted timestamps (RFC 3161)\n\n");
    s.push_str("Where an item has `manifest.tsr`, a timestamp authority (TSA) certified the time at which `manifest.sig` existed:\n\n```sh\n");
    s.push_str("openssl ts -reply -in items/<item>/manifest.tsr -text          # show the time and the TSA\nopenssl ts -verify -data items/<item>/manifest.sig -in items/<item>/manifest.tsr -CAfile <TSA root certificate> -untrusted items/<item>/manifest.tsa.pem\n```\n\n");
    s.push_str("### X.509 co-signatures (CAdES)\n\nWhere an item has `manifest.p7s` (and `manifest.2.p7s` …), a person co-signed its manifest with a certificate (a smart card, a qualified certificate). Check each against the root of the certificate's issuer, and read who it names:\n\n```sh\n");
    s.push_str("openssl cms -verify -binary -inform DER -in items/<item>/manifest.p7s -content items/<item>/manifest.json -CAfile <issuer root certificate> -purpose any -out /dev/null\nopenssl cms -cmsout -print -inform DER -in items/<item>/manifest.p7s | grep -A3 subject:\n```\n\n");
    s.push_str("A co-signature of custody entry N (`custody/00000N.p7s`) signs that entry's line without its newline:\n\n```sh\nsed -n \"Np\" custody.jsonl | tr -d '\\n' > entry\nopenssl cms -verify -binary -inform DER -in custody/00000N.p7s -content entry -CAfile <issuer root certificate> -purpose any -out /dev/null\n```\n\n");
    s.push_str("## 6. Who signed\n\nCompare these key fingerprints with the ones the signers declared to you (for example on paper):\n\n");
    s.push_str("| fingerprint | key file |\n|---|---|\n");
    for k in key_files {
        let fpr = entries
            .iter()
            .map(|e| e.actor_key().to_string())
            .chain(state.items.iter().map(|i| i.manifest.operator.key.clone()))
            .find(|f| layout::key_path(f) == *k)
            .unwrap_or_default();
        s.push_str(&format!("| `{fpr}` | `{k}` |\n"));
    }
    s.push_str(
        "\nThe fingerprint is `SHA256:` + base64 of the SHA-256 of the raw 32-byte Ed25519 key:\n\n```sh\n\
         openssl pkey -pubin -in keys/<file>.pub.pem -outform DER | tail -c 32 | openssl dgst -sha256 -binary | openssl base64 -A | tr -d '='\n```\n\n",
    );
    s.push_str("## 7. Chain of custody\n\n`custody.jsonl` holds one signed entry per line; each carries the SHA-256 of the line before it (`prev`).\n\n| # | time (UTC) | action | by |\n|---|---|---|---|\n");
    for e in entries {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            e.record.seq,
            crate::time::rfc3339(&e.record.time),
            e.action(),
            md(&e.record.actor.name)
        ));
    }
    s.push_str("\nCheck the links by hand: the SHA-256 of line N (without its newline) must equal `prev` of line N+1:\n\n```sh\n");
    s.push_str("n=$(wc -l < custody.jsonl); for i in $(seq 1 $((n-1))); do\n  h=$(sed -n \"${i}p\" custody.jsonl | tr -d '\\n' | sha256sum | cut -d' ' -f1)\n  sed -n \"$((i+1))p\" custody.jsonl | grep -q \"\\\"prev\\\":\\\"$h\\\"\" && echo \"link $i→$((i+1)) OK\" || echo \"link $i→$((i+1)) BROKEN\"\ndone\n```\n\n");
    s.push_str("Each entry's `signature` is Ed25519 over the entry's canonical JSON (RFC 8785) without the `signature` field; `sigillo verify` checks them, and `docs/chain-of-custody.md` shows how to do it with openssl.\n");
    s
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}
