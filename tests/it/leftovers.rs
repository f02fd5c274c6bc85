//! Nothing is left behind: temporary bundle files of a killed run are removed by the next
//! command that takes the bundle's lock, and the original bundle stays intact.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Dir, bin};

fn temp_files(dir: &Dir) -> Vec<String> {
    std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".sigillo-tmp-"))
        .collect()
}

#[test]
fn stale_temp_bundle_is_removed_by_the_next_add() {
    let d = Dir::new();
    d.key("k.pem", "Alice");
    d.write("a.txt", "a");
    d.add(&["a.txt", "-o", "case.zip", "--key", "k.pem"]);
    // What a `kill -9` mid-write leaves: a partial copy of the evidence beside the bundle.
    d.write(".sigillo-tmp-AbC123", b"PK\x03\x04 partial plaintext copy");
    d.write("b.txt", "b");
    d.add(&["b.txt", "-o", "case.zip", "--key", "k.pem"]);
    assert!(temp_files(&d).is_empty(), "{:?}", temp_files(&d));
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
}

#[test]
fn add_killed_mid_write_leaves_the_bundle_intact_and_the_next_run_cleans_up() {
    let d = Dir::new();
    d.key("k.pem", "Alice");
    d.write("a.txt", "a");
    d.add(&["a.txt", "-o", "case.zip", "--key", "k.pem"]);
    let before = d.read("case.zip");
    // Enough incompressible data that writing takes a while.
    let mut big = vec![0u8; 96 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in big.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    d.write("big.bin", &big);
    let mut killed_mid_write = false;
    for _ in 0..3 {
        let mut child = Command::new(bin())
            .args(["add", "big.bin", "-o", "case.zip", "--key", "k.pem"])
            .current_dir(d.path())
            .env("HOME", d.path())
            .env_remove("SIGILLO_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if !temp_files(&d).is_empty() {
                child.kill().unwrap(); // SIGKILL: no chance to clean up
                killed_mid_write = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = child.wait();
        if killed_mid_write {
            break;
        }
        // The add finished before it could be killed: start again from the one-item bundle.
        std::fs::write(d.join("case.zip"), &before).unwrap();
    }
    assert!(
        killed_mid_write,
        "could not catch `add` while it was writing"
    );
    assert_eq!(d.read("case.zip"), before, "the original bundle changed");
    assert!(!temp_files(&d).is_empty());
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
    d.write("c.txt", "c");
    d.add(&["c.txt", "-o", "case.zip", "--key", "k.pem"]);
    assert!(temp_files(&d).is_empty(), "{:?}", temp_files(&d));
}

#[test]
fn commands_leave_nothing_in_the_temp_directory() {
    let d = Dir::new();
    let tmp = d.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let tmp_s = tmp.to_str().unwrap().to_string();
    let run = |args: &[&str]| d.command().args(args).env("TMPDIR", &tmp_s).run();
    run(&["key", "new", "--out", "k.pem", "--name", "Alice"]).assert_exit(0);
    d.copy(
        &crate::util::sample("chat/whatsapp-export.zip"),
        "WhatsApp Chat.zip",
    );
    d.copy(&crate::util::sample("files/shared-image-1.png"), "img.png");
    run(&[
        "add",
        "WhatsApp Chat.zip",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
    ])
    .assert_exit(0);
    run(&["add", "img.png", "-o", "case.zip", "--key", "k.pem"]).assert_exit(0);
    run(&["verify", "case.zip"]).assert_exit(0);
    run(&["ls", "case.zip"]).assert_exit(0);
    run(&["hashes", "case.zip"]).assert_exit(0);
    run(&["report", "case.zip", "-o", "r.html"]).assert_exit(0);
    run(&["extract", "case.zip", "-d", "x"]).assert_exit(0);
    run(&["custody", "show", "case.zip"]).assert_exit(0);
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    assert!(temp_files(&d).is_empty(), "{:?}", temp_files(&d));
}
