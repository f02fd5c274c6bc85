//! Images and media: PDQ agrees with Meta's reference, hashes and metadata land in the
//! manifest, hash lists have their fixed columns, matching finds near-duplicates.

use std::path::PathBuf;

use serde_json::Value;
use sigillo::evidence::pdq::{hamming, pdq};

use crate::tool::Tool;
use crate::util::*;

fn fixtures() -> PathBuf {
    fixture("media")
}

fn expected() -> serde_json::Map<String, Value> {
    serde_json::from_str::<Value>(
        &std::fs::read_to_string(fixtures().join("expected-pdq.json")).unwrap(),
    )
    .unwrap()
    .as_object()
    .unwrap()
    .clone()
}

#[test]
fn pdq_equals_the_reference_on_committed_fixtures() {
    for (name, want) in expected() {
        let img = image::open(fixtures().join(&name)).unwrap();
        let (h, q) = pdq(&img);
        let want_q = want["quality"].as_u64().unwrap() as u32;
        assert_eq!(q, want_q, "{name}: quality");
        if want_q == 0 {
            continue; // a flat image has no meaningful hash: any bits are noise
        }
        let d = hamming(&h, want["pdq"].as_str().unwrap()).unwrap();
        // Same decoded pixels (PNG): identical. JPEG: the decoder may differ, <= 8.
        let limit = if name.ends_with(".png") { 0 } else { 8 };
        assert!(d <= limit, "{name}: distance {d} to the reference");
    }
}

#[test]
fn near_duplicates_are_close_and_unrelated_images_far() {
    let h = |n: &str| pdq(&image::open(fixtures().join(n)).unwrap()).0;
    let d = |a: &str, b: &str| hamming(&h(a), &h(b)).unwrap();
    assert!(
        d("scene1.png", "scene1-small.jpg") <= 31,
        "a resized, recompressed copy must stay within 31"
    );
    assert!(d("scene1.png", "scene1.jpg") <= 8);
    for (a, b) in [
        ("scene1.png", "scene2.png"),
        ("scene1.png", "scene3.png"),
        ("scene2.png", "scene3.png"),
    ] {
        assert!(
            d(a, b) > 70,
            "{a} vs {b}: unrelated images too close ({})",
            d(a, b)
        );
    }
}

#[test]
fn pdq_equals_the_live_reference_on_fresh_images() {
    let d = Dir::new();
    let script = r#"
import sys, numpy as np, pdqhash
from PIL import Image, ImageFilter
out = []
for seed in range(12):
    r = np.random.default_rng(seed)
    w, h = int(r.integers(40, 700)), int(r.integers(40, 700))
    base = r.random((max(2, h // 9), max(2, w // 9), 3)) * 255
    img = Image.fromarray(base.astype('uint8')).resize((w, h), Image.BICUBIC).filter(ImageFilter.GaussianBlur(1.5))
    if seed % 3 == 0:
        img = img.convert('L').convert('RGB')
    p = f"{sys.argv[1]}/g{seed}.png"
    img.save(p)
    bits, q = pdqhash.compute(np.asarray(img))
    out.append(f"{p} {''.join('%02x' % b for b in np.packbits(bits))} {int(q)}")
print("\n".join(out))
"#;
    let o = Tool::Python
        .command()
        .args(["-c", script, d.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    for line in text.lines() {
        let mut it = line.split(' ');
        let (p, want, q) = (
            it.next().unwrap(),
            it.next().unwrap(),
            it.next().unwrap().parse::<u32>().unwrap(),
        );
        let (h, ours_q) = pdq(&image::open(p).unwrap());
        assert_eq!(ours_q, q, "{p}: quality");
        if q >= 50 {
            assert_eq!(
                hamming(&h, want),
                Some(0),
                "{p}: hash differs from the reference"
            );
        }
    }
}

/// Seal fixture images (and a fake JPEG) as one item; returns its manifest.
fn sealed(d: &Dir) -> Value {
    d.key("k.pem", "K");
    for f in [
        "scene1.png",
        "scene2.jpg",
        "exif.jpg",
        "truncated.jpg",
        "flat.png",
    ] {
        d.copy(&fixtures().join(f), &format!("imgs/{f}"));
    }
    d.write("imgs/garbage.jpg", b"\xFF\xD8\xFFnot really a jpeg");
    d.add(&["imgs", "-o", "case.zip", "--key", "k.pem"]);
    serde_json::from_slice(&member(&d.join("case.zip"), "manifest.json")).unwrap()
}

#[test]
fn manifests_carry_md5_pdq_and_metadata_and_corrupt_images_are_recorded() {
    let d = Dir::new();
    let m = sealed(&d);
    let file = |name: &str| {
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    let s1 = file("imgs/scene1.png");
    assert_eq!(s1["image"]["pdq"], expected()["scene1.png"]["pdq"]);
    assert_eq!(s1["image"]["pdq_quality"], 100);
    assert_eq!(s1["image"]["width"], 320);
    assert_eq!(s1["md5"].as_str().unwrap().len(), 32);
    let g = file("garbage.jpg");
    assert!(
        g["media_error"].as_str().unwrap().contains("corrupt"),
        "{g}"
    );
    assert_eq!(g["sha256"].as_str().unwrap().len(), 64);
    let t = file("truncated.jpg");
    assert!(
        t["media_error"].as_str().unwrap().contains("truncated"),
        "{t}"
    );
    assert_eq!(file("exif.jpg")["image"]["orientation"], 6);
    // metadata.json, derived from the original, with GPS marked sensitive and the markers found.
    let md = file("derived/metadata/imgs/exif.jpg.json");
    assert_eq!(md["role"], "derived");
    assert_eq!(md["derived_from"][0], "original/imgs/exif.jpg");
    let bytes = member(&d.join("case.zip"), "exif.jpg.json");
    let meta: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(meta["exif"]["Make"], "\"ExampleCam\"");
    assert!(
        meta["sensitive_fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "GPSLatitude")
    );
    let markers = meta["manipulation_markers"].to_string();
    assert!(
        markers.contains("trainedAlgorithmicMedia") && markers.contains("photoshop"),
        "{markers}"
    );
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);
}

#[test]
fn hash_lists_have_fixed_columns_and_match_finds_copies() {
    let d = Dir::new();
    sealed(&d);
    let r = d.sigillo(&["hashes", "case.zip"]);
    r.assert_exit(0);
    let header = r.stdout.lines().next().unwrap();
    assert!(
        header.starts_with("item,file,source_url,sha256,md5,pdq,pdq_quality"),
        "{header}"
    );
    assert_eq!(r.stdout.lines().count(), 1 + 6);
    assert!(
        r.stdout.contains(",0,false"),
        "flat image must be marked unreliable"
    );
    let v: Vec<Value> = d
        .sigillo(&["hashes", "case.zip", "--format", "json"])
        .json();
    for k in [
        "item",
        "file",
        "source_url",
        "sha256",
        "md5",
        "pdq",
        "pdq_quality",
    ] {
        assert!(v[0].get(k).is_some(), "missing key {k}");
    }
    let r = d.sigillo(&["hashes", "case.zip", "--format", "stopncii"]);
    assert!(r.stdout.lines().filter(|l| l.starts_with("pdq,")).count() >= 4);
    d.sigillo(&["hashes", "case.zip", "--item", "9"])
        .assert_exit(2);
    // Match: the resized copy matches by PDQ, the exact copy by SHA-256, the unrelated one does not.
    let f = fixtures();
    let (a, b, c) = (
        f.join("scene1-small.jpg"),
        f.join("scene1.png"),
        f.join("scene3.png"),
    );
    let r = d.sigillo(&[
        "match",
        "case.zip",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
        "--json",
    ]);
    r.assert_exit(0);
    let v: Vec<Value> = r.json();
    assert_eq!(v[0]["matches"][0]["how"], "pdq");
    assert!(v[0]["matches"][0]["distance"].as_u64().unwrap() <= 31);
    assert_eq!(v[1]["matches"][0]["how"], "sha256");
    assert!(v[2]["matches"].as_array().unwrap().is_empty());
    let r = d.sigillo(&["match", "case.zip", a.to_str().unwrap(), "--threshold", "5"]);
    assert!(r.stdout.contains("no match"), "{}", r.stdout);
}
