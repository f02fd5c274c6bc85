//! Target (b): verify (and the report built from its result) on structure-aware
//! mutations of a valid bundle. The fuzzer's bytes drive a list of edits: replace any
//! JSON field of a manifest or custody entry with a hostile value, swap, truncate,
//! duplicate, drop or rename members; then, optionally, re-sign everything with the
//! seed key (as a malicious operator can), and rewrite the zip.
//!
//! APIs used: `sigillo::verify::{verify, VerifyOptions}`, `sigillo::report::of_bundle::render_report`,
//! `sigillo::report::{ReportOptions, Lang}`, `sigillo::evidence::keys::fingerprint`.
#![no_main]

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use base64::Engine;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

type Members = Vec<(String, Vec<u8>)>;

struct Seed {
    members: Members,
    key: SigningKey,
    dir: tempfile::TempDir,
}

fn seed() -> &'static Seed {
    static S: OnceLock<Seed> = OnceLock::new();
    S.get_or_init(|| {
        let bytes = include_bytes!("../seeds/bundle.zip");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).expect("seed zip");
        let mut members = Vec::new();
        for i in 0..z.len() {
            let mut e = z.by_index(i).expect("seed member");
            let mut b = Vec::new();
            e.read_to_end(&mut b).expect("seed member bytes");
            members.push((e.name().expect("name").to_string(), b));
        }
        let key = SigningKey::from_pkcs8_pem(include_str!("../seeds/fuzz-key.pem")).expect("key");
        Seed {
            members,
            key,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    })
}

/// Reads choices from the fuzzer's bytes; zeros once they run out.
struct Bytes<'a>(&'a [u8]);
impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, r)) => {
                self.0 = r;
                *b
            }
            None => 0,
        }
    }
    fn idx(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (usize::from(self.u8()) << 8 | usize::from(self.u8())) % n
    }
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

fn hostile(b: &mut Bytes) -> Value {
    let n = b.u8();
    match n % 24 {
        0 => json!("aéééééééééééééééééééééééééééééé"),
        1 => json!("\u{0}\u{1}\u{7}\u{1b}[31m\r\n\t\u{7f}\u{202e}\u{200e}"),
        2 => json!(u64::MAX),
        3 => json!(i64::MIN),
        4 => json!(-1),
        5 => json!(1.5e300),
        6 => json!(0.1),
        7 => {
            let mut v = json!("x");
            for _ in 0..200 {
                v = json!([v]);
            }
            v
        }
        8 => json!("a".repeat(1 << 16)),
        9 => json!({}),
        10 => json!([]),
        11 => Value::Null,
        12 => json!(true),
        13 => json!("<script>alert(1)</script>"),
        14 => json!("\"><img src=x onerror=alert(1)>"),
        15 => json!(""),
        16 => json!("../../etc/passwd"),
        17 => json!("items/0001-x/manifest.json"),
        18 => json!("9999-99-99T99:99:99Z"),
        19 => json!("-262143-01-01T00:00:00Z"),
        20 => json!("+262142-12-31T23:59:59.999999999Z"),
        21 => json!("SHA256:"),
        22 => json!({"item": "0001-x", "digest": "é", "items": 1e30}),
        _ => {
            let len = usize::from(b.u8());
            json!(String::from_utf8_lossy(b.take(len)))
        }
    }
}

/// Every path (object keys and array indices) in a JSON value, including the root's children.
fn paths(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                prefix.push(json!(k));
                out.push(prefix.clone());
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                prefix.push(json!(i));
                out.push(prefix.clone());
                paths(c, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(v: &'v mut Value, path: &[Value]) -> Option<&'v mut Value> {
    let mut cur = v;
    for p in path {
        cur = match p {
            Value::String(k) => cur.get_mut(k.as_str())?,
            Value::Number(i) => cur.get_mut(i.as_u64()? as usize)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn jcs(v: &Value) -> Vec<u8> {
    serde_jcs::to_vec(v).unwrap_or_default()
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Edit one JSON document (a manifest, or one custody line).
fn edit_json(doc: &mut Value, b: &mut Bytes) {
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let p = all[b.idx(all.len())].clone();
    let what = b.u8();
    if what % 8 == 7 {
        // Remove the field.
        if let Some((last, parent)) = p.split_last()
            && let Some(Value::Object(m)) = at(doc, parent)
            && let Value::String(k) = last
        {
            m.remove(k);
        }
        return;
    }
    let h = hostile(b);
    if let Some(slot) = at(doc, &p) {
        *slot = h;
    }
}

/// Re-sign manifests, rebuild the custody chain links and signatures, and re-sum.
fn resign(members: &mut Members, key: &SigningKey) {
    let fpr = sigillo::evidence::keys::fingerprint(&key.verifying_key());
    let mut manifests: Vec<(String, String)> = Vec::new();
    for i in 0..members.len() {
        if members[i].0.ends_with("/manifest.json") {
            let Ok(v) = serde_json::from_slice::<Value>(&members[i].1) else {
                continue;
            };
            let bytes = jcs(&v);
            let sig = key.sign(&bytes).to_bytes().to_vec();
            let id = members[i].0.split('/').nth(1).unwrap_or("").to_string();
            manifests.push((id, sha(&bytes)));
            let sname = members[i].0.replace("manifest.json", "manifest.sig");
            members[i].1 = bytes;
            if let Some(s) = members.iter_mut().find(|m| m.0 == sname) {
                s.1 = sig;
            }
        }
    }
    if let Some(ci) = members.iter().position(|m| m.0 == "custody.jsonl") {
        let text = String::from_utf8_lossy(&members[ci].1).into_owned();
        let mut out: Vec<u8> = Vec::new();
        let mut prev = "0".repeat(64);
        let mut n_items = 0usize;
        for line in text.lines() {
            let Ok(mut v) = serde_json::from_str::<Value>(line) else {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
                prev = sha(line.as_bytes());
                continue;
            };
            if let Some(o) = v.as_object_mut() {
                o.remove("signature");
                if o.get("prev").is_some_and(Value::is_string) {
                    o.insert("prev".into(), json!(prev));
                }
                // `Map`'s `[]` panics on a missing key (unlike `Value`'s): a mutated line
                // may lack any field, so only `get`/`get_mut` here.
                if o.get("action") == Some(&json!("item-added")) {
                    let item = o
                        .get("details")
                        .and_then(|d| d.get("item"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    if let Some((_, h)) = manifests.iter().find(|(id, _)| *id == item)
                        && let Some(m) = o
                            .get_mut("details")
                            .and_then(|d| d.get_mut("manifest_sha256"))
                            .filter(|m| m.is_string())
                    {
                        *m = json!(h);
                    }
                    n_items += 1;
                }
                if let Some(d) = o
                    .get_mut("content")
                    .and_then(|c| c.get_mut("digest"))
                    .filter(|d| d.is_string())
                {
                    let mut upto: Vec<&(String, String)> = manifests.iter().take(n_items).collect();
                    upto.sort();
                    let s: String = upto.iter().map(|(id, h)| format!("{h}  {id}\n")).collect();
                    *d = json!(sha(s.as_bytes()));
                }
                let sig = key.sign(&jcs(&Value::Object(o.clone())));
                o.insert(
                    "signature".into(),
                    json!(base64::engine::general_purpose::STANDARD.encode(sig.to_bytes())),
                );
            }
            let l = jcs(&v);
            prev = sha(&l);
            out.extend_from_slice(&l);
            out.push(b'\n');
        }
        members[ci].1 = out;
    }
    let _ = fpr;
    let mut sums = String::new();
    for (n, b) in members.iter() {
        if n != "SHA256SUMS" && n != "SHA256SUMS.sig" {
            sums.push_str(&format!("{}  {n}\n", sha(b)));
        }
    }
    let sig = key.sign(sums.as_bytes()).to_bytes().to_vec();
    for m in members.iter_mut() {
        if m.0 == "SHA256SUMS" {
            m.1 = sums.clone().into_bytes();
        } else if m.0 == "SHA256SUMS.sig" {
            m.1 = sig.clone();
        }
    }
}

fn mutate(members: &mut Members, b: &mut Bytes) {
    let n_ops = 1 + b.u8() % 4;
    for _ in 0..n_ops {
        if members.is_empty() {
            return;
        }
        let op = b.u8() % 10;
        let i = b.idx(members.len());
        match op {
            // JSON field edits are the most interesting: weight them.
            0..=3 => {
                let name = members[i].0.clone();
                let target = if name.ends_with(".json") || name.ends_with(".jsonl") {
                    i
                } else {
                    let json: Vec<usize> = (0..members.len())
                        .filter(|&j| members[j].0.ends_with(".json") || members[j].0.ends_with(".jsonl"))
                        .collect();
                    if json.is_empty() {
                        continue;
                    }
                    json[i % json.len()]
                };
                if members[target].0.ends_with(".jsonl") {
                    let text = String::from_utf8_lossy(&members[target].1).into_owned();
                    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                    if lines.is_empty() {
                        continue;
                    }
                    let li = b.idx(lines.len());
                    if let Ok(mut v) = serde_json::from_str::<Value>(&lines[li]) {
                        edit_json(&mut v, b);
                        lines[li] = String::from_utf8(jcs(&v)).unwrap_or_default();
                    }
                    let mut s = lines.join("\n");
                    s.push('\n');
                    members[target].1 = s.into_bytes();
                } else if let Ok(mut v) = serde_json::from_slice::<Value>(&members[target].1) {
                    edit_json(&mut v, b);
                    members[target].1 = jcs(&v);
                }
            }
            4 => {
                let j = b.idx(members.len());
                if b.u8() % 2 == 0 {
                    let (x, y) = (members[i].1.clone(), members[j].1.clone());
                    members[i].1 = y;
                    members[j].1 = x;
                } else {
                    members.swap(i, j);
                }
            }
            5 => {
                let len = members[i].1.len();
                let keep = b.idx(len + 1);
                members[i].1.truncate(keep);
            }
            6 => {
                let m = members[i].clone();
                members.insert(i, m);
            }
            7 => {
                members.remove(i);
            }
            8 => {
                let len = usize::from(b.u8() % 64);
                let name = String::from_utf8_lossy(b.take(len)).into_owned();
                members[i].0 = name;
            }
            _ => {
                let len = usize::from(b.u8());
                members[i].1 = b.take(len).to_vec();
            }
        }
    }
}

fn write_zip(path: &PathBuf, members: &Members) -> bool {
    let Ok(f) = std::fs::File::create(path) else {
        return false;
    };
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for (n, b) in members {
        if z.start_file(n.as_str(), opts).is_err() || z.write_all(b).is_err() {
            return false;
        }
    }
    z.finish().is_ok()
}

fuzz_target!(|data: &[u8]| {
    let s = seed();
    let mut b = Bytes(data);
    let flags = b.u8();
    let mut members = s.members.clone();
    mutate(&mut members, &mut b);
    if flags & 1 == 1 {
        resign(&mut members, &s.key);
    }
    let path = s.dir.path().join("case.zip");
    if !write_zip(&path, &members) {
        return;
    }
    if sigillo::verify::verify(&path, &sigillo::verify::VerifyOptions::default()).is_err() {
        return;
    }
    // What `sigillo report` does next (it verifies again, then renders).
    let lang = if flags & 2 == 2 {
        sigillo::report::Lang::It
    } else {
        sigillo::report::Lang::En
    };
    let _ = sigillo::report::of_bundle::render_report(
        &path,
        &sigillo::report::ReportOptions {
            lang,
            show_media: false,
            ..Default::default()
        },
    );
});
