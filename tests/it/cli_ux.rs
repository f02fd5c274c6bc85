//! The command line for people who did not read the code (issue 19): completions that
//! bash accepts, man pages that `man` renders, `hashes -o` written whole, labelled tables,
//! colour only on a terminal and never with `NO_COLOR`, and old flag spellings that still
//! work. Judged with bash, man/groff and `script` (a pseudo-terminal).

use std::process::Command;

use crate::util::{Dir, bin};

/// A key, a text file and a bundle with two custody-worthy items: `case.zip`.
fn bundle() -> Dir {
    let d = Dir::new();
    // `--out` is the old spelling of `key new -o/--output`: it must keep working.
    d.command()
        .args(&["key", "new", "--out", "k.pem", "--name", "Avv. Maria Rossi"])
        .assert_exit(0);
    d.write("e.txt", "evidence\n");
    d.add(&[
        "e.txt", "-o", "case.zip", "--key", "k.pem", "--note", "first",
    ]);
    d.command()
        .args(&[
            "custody",
            "add",
            "case.zip",
            "--action",
            "transferred",
            "--to",
            "Isp. Luca Bianchi",
            "--note",
            "by hand",
            "--key",
            "k.pem",
        ])
        .assert_exit(0);
    d
}

#[test]
fn completions_are_valid_bash_and_name_every_command() {
    let d = Dir::new();
    let r = d.sigillo(&["completions", "bash"]);
    r.assert_exit(0);
    for w in [
        "verify",
        "custody",
        "timestamp",
        "completions",
        "manpage",
        "--output",
    ] {
        assert!(r.stdout.contains(w), "bash completion lacks {w}");
    }
    let script = d.write("sigillo.bash", &r.stdout);
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let r = d.sigillo(&["completions", shell]);
        r.assert_exit(0);
        assert!(
            r.stdout.contains("sigillo") && r.stdout.len() > 1000,
            "{shell}"
        );
    }
}

#[test]
fn man_pages_render_one_per_command() {
    let d = Dir::new();
    let r = d.sigillo(&["manpage"]);
    r.assert_exit(0);
    assert!(
        r.stdout.starts_with(".ie") || r.stdout.contains(".TH sigillo"),
        "{}",
        r.stdout
    );
    let page = d.write("sigillo.1", &r.stdout);
    let man = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(&page)
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(
        man.status.success(),
        "{}",
        String::from_utf8_lossy(&man.stderr)
    );
    assert!(
        text.contains("SYNOPSIS") && text.contains("verify"),
        "{text}"
    );

    let r = d.sigillo(&["manpage", "-d", "man/man1"]);
    r.assert_exit(0);
    for f in [
        "sigillo.1",
        "sigillo-verify.1",
        "sigillo-key-new.1",
        "sigillo-custody-add.1",
        "sigillo-timestamp-verify.1",
        "sigillo-completions.1",
    ] {
        assert!(d.join("man/man1").join(f).is_file(), "no {f}: {}", r.stderr);
    }
    let verify = d.read_string("man/man1/sigillo-verify.1");
    assert!(
        verify.contains("Examples") && verify.contains("trust"),
        "{verify}"
    );
}

#[test]
fn hashes_write_a_whole_file_and_take_json_as_a_shortcut() {
    let d = bundle();
    let csv = d.sigillo(&["hashes", "case.zip"]);
    csv.assert_exit(0);
    let r = d.sigillo(&["hashes", "case.zip", "-o", "h.csv"]);
    r.assert_exit(0);
    assert!(
        r.stdout.is_empty() && r.stderr.contains("wrote h.csv"),
        "{}",
        r.all()
    );
    assert_eq!(d.read_string("h.csv"), csv.stdout);
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".sigillo-"))
        .collect();
    assert!(left.is_empty());
    // -q: no summary.
    let r = d.sigillo(&["hashes", "case.zip", "-o", "h2.csv", "-q"]);
    r.assert_exit(0);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    // --json is --format json.
    let a = d.sigillo(&["hashes", "case.zip", "--json"]);
    let b = d.sigillo(&["hashes", "case.zip", "--format", "json"]);
    a.assert_exit(0);
    assert_eq!(a.stdout, b.stdout);
    let _: serde_json::Value = a.json();
    // The table: labelled, aligned columns.
    let t = d.sigillo(&["hashes", "case.zip", "--format", "table"]);
    t.assert_exit(0);
    let lines: Vec<&str> = t.stdout.lines().collect();
    assert!(
        lines[0].starts_with("item") && lines[0].contains("SHA-256"),
        "{}",
        t.stdout
    );
    let row = lines[1];
    let sha = row
        .split_whitespace()
        .find(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("{}", t.stdout));
    assert_eq!(lines[0].find("SHA-256"), row.find(sha), "{}", t.stdout);
}

#[test]
fn custody_show_labels_subject_and_note_apart() {
    let d = bundle();
    let r = d.sigillo(&["custody", "show", "case.zip"]);
    r.assert_exit(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let head = lines[0];
    for col in [
        "#",
        "time (UTC)",
        "action",
        "signature",
        "by",
        "key",
        "subject",
        "note",
    ] {
        assert!(head.contains(col), "no column {col}: {head}");
    }
    let transfer = lines
        .iter()
        .find(|l| l.contains("transferred"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    // The recipient sits under `subject`, the note under `note`.
    assert_eq!(
        transfer.find("Isp. Luca Bianchi"),
        head.find("subject"),
        "{}",
        r.stdout
    );
    assert_eq!(transfer.find("by hand"), head.find("note"), "{}", r.stdout);
    assert!(transfer.contains("Avv. Maria Rossi") && transfer.contains("valid"));
    // ls: one table per item, with labelled columns.
    let ls = d.sigillo(&["ls", "case.zip"]);
    let head = ls.stdout.lines().find(|l| l.contains("SHA-256")).unwrap();
    let row = ls
        .stdout
        .lines()
        .find(|l| l.contains("original/e.txt"))
        .unwrap();
    assert_eq!(head.find("path"), row.find("original/"), "{}", ls.stdout);
}

/// `sigillo ARGS` on a pseudo-terminal (`script`), with extra environment; its output.
fn on_terminal(d: &Dir, args: &str, env: &[(&str, &str)]) -> String {
    let mut c = Command::new("script");
    c.args(["-qec", &format!("{} {args}", bin().display()), "/dev/null"])
        .current_dir(d.path())
        .env("HOME", d.path())
        .env("XDG_CONFIG_HOME", d.join(".config"))
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .env_remove("SIGILLO_KEY");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c
        .output()
        .expect("run `script` (util-linux) to give sigillo a terminal");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let d = bundle();
    let coloured = on_terminal(&d, "custody show case.zip", &[]);
    assert!(
        coloured.contains('\x1b'),
        "no colour on a terminal: {coloured:?}"
    );
    for v in ["1", "true", "0"] {
        let plain = on_terminal(&d, "custody show case.zip", &[("NO_COLOR", v)]);
        assert!(!plain.contains('\x1b'), "NO_COLOR={v}: {plain:?}");
        assert!(plain.contains("transferred"));
    }
    let plain = on_terminal(&d, "verify case.zip", &[("TERM", "dumb")]);
    assert!(!plain.contains('\x1b'), "TERM=dumb: {plain:?}");
    // Piped: never.
    for args in [
        &["ls", "case.zip"][..],
        &["verify", "case.zip"],
        &["custody", "show", "case.zip"],
    ] {
        let r = d.sigillo(args);
        assert!(!r.stdout.contains('\x1b'), "{args:?}");
    }
}

#[test]
fn new_spellings_and_json_everywhere() {
    let d = bundle();
    // key new -o / --json, key show --json.
    let v: serde_json::Value = d
        .command()
        .args(&["key", "new", "-o", "b.pem", "--name", "B", "--json"])
        .assert_exit(0)
        .json();
    assert_eq!(v["private_key"], "b.pem");
    assert!(v["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
    let s: serde_json::Value = d.sigillo(&["key", "show", "b.pem", "--json"]).json();
    assert_eq!(s["fingerprint"], v["fingerprint"]);
    assert_eq!(s["name"], "B");
    // add -q prints nothing; custody add --json; extract --json.
    d.write("f.txt", "more\n");
    let r = d.sigillo(&["add", "f.txt", "-o", "case.zip", "--key", "k.pem", "-q"]);
    r.assert_exit(0);
    assert!(r.stderr.is_empty() && r.stdout.is_empty(), "{}", r.all());
    let c: serde_json::Value = d
        .command()
        .args(&[
            "custody", "add", "case.zip", "--action", "note", "--note", "n", "--key", "k.pem",
            "--json",
        ])
        .assert_exit(0)
        .json();
    assert_eq!(c["action"], "note");
    let x: serde_json::Value = d
        .command()
        .args(&["extract", "case.zip", "-d", "out", "--json"])
        .assert_exit(0)
        .json();
    assert!(x["files"].as_u64().unwrap() >= 2);
    let m = d.sigillo(&["match", "case.zip", "e.txt", "-q"]);
    m.assert_exit(0);
    assert!(m.stderr.is_empty(), "{}", m.stderr);
}
