//! The published JSON Schemas (docs/schemas/, generated from sigillo's own types) accept
//! what sigillo writes: every manifest, custody entry, transcript, metadata file, hash list and verify report of the demo
//! bundle (files, two chat exports, a web page, plus an image with EXIF) validates with an independent validator
//! (Python `jsonschema`, Draft 2020-12).

use std::path::PathBuf;

use crate::tool::Tool;
use crate::util::{Dir, read_zip};

const VALIDATE: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    for err in v.iter_errors(json.load(open(path))):
        bad += 1
        print(f"{path}: {'/'.join(map(str, err.absolute_path))}: {err.message}"[:400])
print(f"checked {len(sys.argv) - 2} document(s), {bad} error(s)")
sys.exit(1 if bad else 0)
"#;

fn schema(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(name)
}

#[test]
fn demo_bundle_members_validate_against_the_published_schemas() {
    let d = Dir::new();
    d.sigillo(&["demo", "-o", "out"]).assert_exit(0);
    // The demo's images carry no EXIF: add one that does, for a metadata.json.
    d.copy(&crate::util::fixture("media/exif.jpg"), "exif.jpg");
    d.add(&[
        "exif.jpg",
        "-o",
        "out/case.zip",
        "--key",
        "out/demo-operator.pem",
    ]);
    d.write("validate.py", VALIDATE);
    let mut docs: Vec<(&str, Vec<String>)> = vec![
        ("manifest.schema.json", vec![]),
        ("custody-entry.schema.json", vec![]),
        ("transcript.schema.json", vec![]),
        ("hash-list.schema.json", vec![]),
        ("metadata.schema.json", vec![]),
        ("verify-report.schema.json", vec![]),
    ];
    let mut n = 0;
    let mut put = |docs: &mut Vec<(&str, Vec<String>)>, which: usize, bytes: &[u8]| {
        n += 1;
        let rel = format!("doc-{n}.json");
        d.write(&rel, bytes);
        docs[which].1.push(rel);
    };
    for (name, bytes) in read_zip(&d.join("out/case.zip")) {
        if name.ends_with("/manifest.json") {
            put(&mut docs, 0, &bytes);
        } else if name == "custody.jsonl" {
            for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                put(&mut docs, 1, line);
            }
        } else if name.ends_with("/transcript.json") {
            put(&mut docs, 2, &bytes);
        } else if name.contains("/derived/metadata/") && name.ends_with(".json") {
            put(&mut docs, 4, &bytes);
        }
    }
    let list = d.sigillo(&["hashes", "out/case.zip", "--format", "json"]);
    list.assert_exit(0);
    put(&mut docs, 3, list.stdout.as_bytes());
    let verdict = d.sigillo(&["verify", "out/case.zip", "--json"]);
    verdict.assert_exit(0);
    put(&mut docs, 5, verdict.stdout.as_bytes());
    for (name, files) in &docs {
        assert!(
            !files.is_empty(),
            "the demo bundle has no document for {name}"
        );
        let s = schema(name);
        let mut args = vec!["validate.py", s.to_str().unwrap()];
        args.extend(files.iter().map(String::as_str));
        let r = Tool::Python.run(d.path(), &args);
        assert_eq!(r.code, 0, "{name}:\n{}", r.all());
    }
    // 5 items, custody entries for each, two transcripts.
    assert_eq!(docs[0].1.len(), 5);
    assert_eq!(docs[2].1.len(), 2);
}
