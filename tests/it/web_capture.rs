//! Web capture with the real headless Chromium against pages served on 127.0.0.1.

use std::path::Path;

use serde_json::Value;

use crate::support::web_server;
use crate::tool::{Tool, unzip};
use crate::util::*;

fn manifest(bundle: &Path, n: usize) -> Value {
    let m = read_zip(bundle)
        .into_iter()
        .filter(|(name, _)| name.ends_with("/manifest.json"))
        .nth(n)
        .unwrap()
        .1;
    serde_json::from_slice(&m).unwrap()
}

#[test]
fn captures_a_page_with_lazy_images_js_text_redirects_and_errors() {
    let srv = web_server::start_http();
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let page = format!("{}/old", srv.base);
    let gone = format!("{}/removed", srv.base);
    let dead = "http://127.0.0.1:9/nothing";
    let r = d.sigillo(&[
        "capture",
        &page,
        &gone,
        dead,
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--json",
        "--timeout",
        "30s",
    ]);
    assert_eq!(
        r.code,
        1,
        "one URL is dead: exit 1, the others sealed. {}",
        r.all()
    );
    // --json: one line per URL as it finishes, then the summary line.
    let v: Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(v["results"][0]["ok"], true, "{}", r.stdout);
    assert_eq!(
        v["results"][1]["ok"], true,
        "a 404 is evidence too: {}",
        r.stdout
    );
    assert_eq!(v["results"][2]["ok"], false);
    assert!(
        v["results"][2]["error"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1:9")
    );
    let bundle = d.join("case.zip");
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);

    let m = manifest(&bundle, 0);
    assert_eq!(m["kind"], "web");
    let f = &m["facts"];
    assert_eq!(f["final_url"], format!("{}/page", srv.base));
    assert_eq!(f["redirects"][0]["status"], 302);
    assert_eq!(f["main_document"]["status"], 200);
    assert_eq!(
        f["network_reconciliation"]["complete"], true,
        "{}",
        f["network_reconciliation"]
    );
    assert_eq!(f["second_fetch"]["status"], 200);
    assert_eq!(f["second_fetch"]["same_body_as_browser"], true);
    assert!(
        f["dns"]["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "127.0.0.1")
    );
    assert!(m["transformations"].to_string().contains("scrolled"));
    // The JS-inserted text is in the DOM and in the visible text.
    let dom =
        String::from_utf8(member(&bundle, "0001-web-127-0-0-1-old/original/dom.html")).unwrap();
    assert!(dom.contains("Inserted by JavaScript later"));
    let text = String::from_utf8(member(
        &bundle,
        "0001-web-127-0-0-1-old/derived/visible-text.txt",
    ))
    .unwrap();
    assert!(
        text.contains("Inserted by JavaScript later") && text.contains("Visible text of the post")
    );
    // The full screenshot is taller than the viewport; the annotated copy is derived from it.
    let full = image::load_from_memory(&member(
        &bundle,
        "0001-web-127-0-0-1-old/original/screenshot-full.png",
    ))
    .unwrap();
    assert!(
        full.height() > 768 * 3,
        "full-page screenshot is {}px high",
        full.height()
    );
    let files = m["files"].as_array().unwrap();
    let ann = files
        .iter()
        .find(|f| f["path"] == "derived/screenshot-full-annotated.png")
        .unwrap();
    assert_eq!(ann["derived_from"][0], "original/screenshot-full.png");
    // The lazy image was loaded and kept as media, with its URL and PDQ.
    let lazy = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("lazy.png"))
        .expect("lazy image captured");
    assert_eq!(lazy["source"]["url"], format!("{}/img/lazy.png", srv.base));
    assert_eq!(lazy["image"]["pdq"].as_str().unwrap().len(), 64);
    // The 404 page is captured with its status.
    let m2 = manifest(&bundle, 1);
    assert_eq!(m2["facts"]["main_document"]["status"], 404);
    assert!(m2["warnings"].to_string().contains("404"));

    // The WARC reads cleanly in warcio and holds the lazy image; the WACZ validates.
    let x = d.join("x");
    unzip(&bundle, &x);
    let warc = x.join("items/0001-web-127-0-0-1-old/original/capture.warc.gz");
    let r = Tool::Warcio.run(&x, &["check", "-v", warc.to_str().unwrap()]);
    r.assert_exit(0);
    let r = Tool::Warcio.run(&x, &["index", warc.to_str().unwrap()]);
    assert!(r.stdout.lines().count() >= 10, "{}", r.stdout);
    assert!(r.stdout.contains("/img/lazy.png"));
    let wacz = x.join("items/0001-web-127-0-0-1-old/derived/capture.wacz");
    let r = Tool::Wacz.run(&x, &["validate", "-f", wacz.to_str().unwrap()]);
    r.assert_exit(0);
    replays_in_pywb(&d, &wacz, &srv);
}

/// Import `wacz` into a fresh pywb collection (`wb-manager add --unpack-wacz`, which reads
/// only `indexes/*.cdx` / `*.cdx.gz`) and, with the live server stopped, fetch every response
/// pywb indexed back through its replay server in `id_` mode (the recorded bytes, not
/// rewritten): each must carry the status and the exact body the server sent.
fn replays_in_pywb(d: &Dir, wacz: &Path, srv: &web_server::Server) {
    srv.stop();
    let pyw = d.join("pywb");
    std::fs::create_dir_all(&pyw).unwrap();
    Tool::WbManager.run(&pyw, &["init", "case"]).assert_exit(0);
    let r = Tool::WbManager.run(
        &pyw,
        &["add", "--unpack-wacz", "case", wacz.to_str().unwrap()],
    );
    r.assert_exit(0);
    assert!(
        !r.all().contains("does not contain any indices"),
        "{}",
        r.all()
    );
    let index = std::fs::read_to_string(pyw.join("collections/case/indexes/index.cdxj"))
        .expect("pywb wrote no collection index from the WACZ");

    let port = crate::support::ocsp::free_port();
    let log = std::fs::File::create(d.join("wayback.log")).unwrap();
    let child = Tool::Wayback
        .command()
        .current_dir(&pyw)
        .args(["-p", &port.to_string(), "-b", "127.0.0.1"])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _child = Kill(child);
    let addr = format!("127.0.0.1:{port}");
    let up = (0..300).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::net::TcpStream::connect(&addr).is_ok()
    });
    let log = || std::fs::read_to_string(d.join("wayback.log")).unwrap_or_default();
    assert!(up, "pywb's wayback did not start:\n{}", log());

    let mut fetched = Vec::new();
    for line in index.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.splitn(3, ' ');
        let (_key, ts, json) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
        let v: Value = serde_json::from_str(json).unwrap();
        let url = v["url"].as_str().unwrap();
        let status = v["status"].as_str().unwrap_or("200");
        // Resource records (`urn:sigillo:screenshot:full` …) are sigillo's own: replayed
        // whole, not compared with the server.
        let path = url.strip_prefix(srv.base.as_str());
        let out = d.join("replayed");
        let r = run_program(
            Path::new("curl"),
            &d.join("."),
            &[
                "-s",
                "-o",
                out.to_str().unwrap(),
                "-w",
                "%{http_code}",
                &format!("http://{addr}/case/{ts}id_/{url}"),
            ],
        );
        assert_eq!(r.code, 0, "curl failed: {}", r.all());
        assert_eq!(
            r.stdout,
            status,
            "pywb replayed {url} with another status:\n{}",
            log()
        );
        let got = std::fs::read(&out).unwrap();
        // Chromium never hands over a redirect's body: the WARC records the 3xx without it.
        let Some(path) = path else {
            assert!(!got.is_empty(), "pywb replayed {url} empty");
            continue;
        };
        let sent = if status.starts_with('3') {
            Vec::new()
        } else {
            web_server::body(path)
        };
        assert!(
            got == sent,
            "pywb replayed {url} with other bytes ({} bytes, the server sent {})",
            got.len(),
            sent.len()
        );
        fetched.push(path.to_string());
    }
    for p in ["/page", "/img/top.png", "/img/lazy.png", "/frame"] {
        assert!(
            fetched.iter().any(|f| f == p),
            "pywb did not replay {p}: {fetched:?}"
        );
    }
}

#[test]
fn https_certificate_recorded_is_the_one_served() {
    let srv = web_server::start_https();
    let d = Dir::new();
    d.key("k.pem", "K");
    let url = format!("{}/page", srv.base);
    let r = d.sigillo(&[
        "capture",
        &url,
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--insecure",
        "--quiet",
    ]);
    r.assert_exit(0);
    let m = manifest(&d.join("case.zip"), 0);
    let tls = &m["facts"]["tls"];
    assert_eq!(
        tls["certificates"][0]["sha256"],
        srv.cert_sha256.clone().unwrap(),
        "{tls}"
    );
    assert!(
        tls["protocol"].as_str().unwrap().starts_with("TLS"),
        "{tls}"
    );
    assert_eq!(
        m["facts"]["second_fetch"]["tls_peer_certificate_sha256"],
        srv.cert_sha256.unwrap()
    );
    assert!(m["warnings"].to_string().contains("--insecure"));
    assert!(
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"].as_str().unwrap().starts_with("original/tls/"))
    );
    // Without --insecure the self-signed certificate is refused with a clear message.
    let r = d.sigillo(&[
        "capture",
        &url,
        "-o",
        "case2.zip",
        "--key",
        "k.pem",
        "--quiet",
    ]);
    r.assert_exit(1);
    assert!(
        r.stderr.contains("certificate") || r.stderr.contains("CERT"),
        "{}",
        r.stderr
    );
    assert!(!d.join("case2.zip").exists());
}

#[test]
fn javascript_dialogs_are_accepted_and_recorded() {
    let srv = web_server::start_http();
    let d = Dir::new();
    d.key("k.pem", "K");
    let url = format!("{}/alert", srv.base);
    let r = d.sigillo(&[
        "capture",
        &url,
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--quiet",
        "--timeout",
        "30s",
    ]);
    r.assert_exit(0);
    let m = manifest(&d.join("case.zip"), 0);
    assert_eq!(
        m["facts"]["javascript_dialogs"][0]["type"], "Alert",
        "{}",
        m["facts"]
    );
    assert!(
        m["transformations"]
            .to_string()
            .contains("JavaScript dialog")
    );
    let dom = String::from_utf8(member(&d.join("case.zip"), "original/dom.html")).unwrap();
    assert!(dom.contains("after the alert"));
}

#[test]
fn missing_browser_says_how_to_install_it() {
    let d = Dir::new();
    d.key("k.pem", "K");
    let r = d.sigillo(&[
        "capture",
        "http://127.0.0.1:1/",
        "-o",
        "c.zip",
        "--key",
        "k.pem",
        "--browser",
        "/nonexistent/chromium",
    ]);
    r.assert_exit(2);
    assert!(r.stderr.contains("--browser"), "{}", r.stderr);
}

#[test]
fn demo_runs_the_main_job_offline() {
    let d = Dir::new();
    let r = d.sigillo(&["demo", "-o", "out"]);
    r.assert_exit(0);
    assert!(r.stdout.contains("verdict:  verified"), "{}", r.stdout);
    for id in [
        "0001-files",
        "0002-chat-whatsapp",
        "0003-chat-telegram",
        "0004-web-127-0-0-1",
    ] {
        assert!(r.stdout.contains(id), "missing {id}: {}", r.stdout);
    }
    assert_eq!(
        d.sigillo(&[
            "verify",
            "out/case.zip",
            "--trust",
            "out/demo-operator.pem.pub"
        ])
        .code,
        0
    );
}

/// `--from FILE` (comments, blank lines, a URL listed twice), failures listed at the end and
/// retried with `--retry`, and a second run that skips what the bundle already holds
/// (resumable), unless `--again`.
#[test]
fn a_batch_from_a_file_resumes_and_retries() {
    let srv = web_server::start_http();
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let page = format!("{}/page", srv.base);
    let frame = format!("{}/frame", srv.base);
    let dead = "http://127.0.0.1:9/gone";
    d.write(
        "urls.txt",
        format!("# the case's URLs\n\n{page}\n  {dead}  \n{page}\n#{frame}\n"),
    );
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "capture", "--from", "urls.txt", "-o", "case.zip", "--key", "k.pem",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        d.sigillo(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let r = run(&["--retry", "1", "--json"]);
    assert_eq!(r.code, 1, "the dead URL fails: {}", r.all());
    // --json: one line per URL as it finishes, then the summary line.
    let v: Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    let res = v["results"].as_array().unwrap();
    assert_eq!(res.len(), 3, "{}", r.stdout);
    assert_eq!(res[0]["ok"], true);
    assert_eq!(res[0]["item"], "0001-web-127-0-0-1-page");
    assert_eq!(res[1]["ok"], false);
    assert_eq!(res[1]["attempts"], 2, "one retry: {}", r.stdout);
    assert_eq!(res[2]["skipped"], true, "listed twice, captured once");
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);

    // Run again: the page is in the bundle and skipped; the failure is listed with its reason.
    let r = run(&[]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains(&format!(
            "skipping {page}: already sealed as item 0001-web-127-0-0-1-page"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("no URL could be captured:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&format!("  {dead}: ")), "{}", r.stderr);

    // Only sealed URLs left: nothing to do, no browser, exit 0; --again captures anew.
    d.write("urls.txt", format!("{page}\n"));
    let r = run(&[]);
    r.assert_exit(0);
    assert!(r.stderr.contains("nothing to capture"), "{}", r.stderr);
    run(&["--again", "-q"]).assert_exit(0);
    let r = d.sigillo(&["ls", "case.zip", "--json"]);
    assert!(r.stdout.contains("0002-web-127-0-0-1-page"), "{}", r.stdout);
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);

    // An empty list is a usage error.
    d.write("empty.txt", "# nothing yet\n");
    let r = d.sigillo(&[
        "capture",
        "--from",
        "empty.txt",
        "-o",
        "x.zip",
        "--key",
        "k.pem",
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("the URL list is empty"), "{}", r.stderr);
}

#[test]
fn jobs_capture_in_parallel_and_seal_in_input_order() {
    let srv = web_server::start_http();
    let d = Dir::new();
    d.key("k.pem", "K");
    let urls: Vec<String> = vec![
        format!("{}/page?n=1", srv.base),
        format!("{}/page?n=2", srv.base),
        "http://127.0.0.1:9/x".to_string(),
        format!("{}/page?n=3", srv.base),
        format!("{}/page?n=4", srv.base),
    ];
    let mut a: Vec<&str> = vec!["capture"];
    a.extend(urls.iter().map(String::as_str));
    a.extend(["-o", "case.zip", "--key", "k.pem", "--jobs", "3", "--json"]);
    let r = d.sigillo(&a);
    assert_eq!(r.code, 1, "the dead URL fails: {}", r.all());
    // --json: one line per URL as it finishes, then the summary line.
    let v: Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    let res = v["results"].as_array().unwrap();
    assert_eq!(res.len(), 5, "{}", r.stdout);
    let good = [0, 1, 3, 4];
    for (n, &i) in good.iter().enumerate() {
        assert_eq!(res[i]["url"], urls[i].as_str(), "{}", r.stdout);
        assert_eq!(res[i]["item"], format!("{:04}-web-127-0-0-1-page", n + 1));
        let m = manifest(&d.join("case.zip"), n);
        assert_eq!(m["input"]["url"], urls[i].as_str());
        // The header strip names the item the page is sealed as, also after the dead
        // URL (the two pages after it were drawn as 0004 and 0005, then drawn again).
        let strip = &m["facts"]["header_strip"];
        assert!(
            strip[0]
                .as_str()
                .unwrap()
                .ends_with(&format!(" · item {:04}-web-127-0-0-1-page", n + 1)),
            "{strip}"
        );
        assert_eq!(strip[1], m["facts"]["final_url"]);
        assert!(
            m["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["path"] == "derived/screenshot-full-annotated.png"),
            "{}",
            m["warnings"]
        );
    }
    assert_eq!(res[2]["ok"], false);
    assert_eq!(res[2]["url"], "http://127.0.0.1:9/x");
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);
    // Without --json the dead URL is listed at the end.
    let r = d.sigillo(&[
        "capture",
        "http://127.0.0.1:9/x",
        &urls[0],
        "-o",
        "b.zip",
        "--key",
        "k.pem",
        "--jobs",
        "2",
    ]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("  http://127.0.0.1:9/x: "),
        "{}",
        r.stderr
    );
}

/// A page whose resources pass 24 MiB: sigillo builds the MHTML itself from the DOM and
/// the recorded bodies (Chromium's snapshot would come as one CDP message, held in memory
/// several times over). Python's MIME parser reads every part back byte for byte, and
/// Chromium renders the snapshot with the server stopped.
#[test]
fn big_page_mhtml_is_built_from_the_recorded_bodies() {
    use crate::support::http::{Reply, serve};
    use sha2::{Digest, Sha256};
    let css = |colour: &str| {
        let mut c = b"/*".to_vec();
        c.resize(13 << 20, b'x');
        c.extend_from_slice(format!("*/ body {{ background: {colour} }}").as_bytes());
        c
    };
    let (a, b) = (css("#ffffff"), css("#fefefe"));
    let mut red = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(200, 100, image::Rgb([255, 0, 0]))
        .write_to(&mut red, image::ImageFormat::Png)
        .unwrap();
    let red = red.into_inner();
    let served: Vec<(&str, Vec<u8>)> = vec![("/a.css", a), ("/b.css", b), ("/red.png", red)];
    let table = served.clone();
    let srv = serve(move |r| match r.path.as_str() {
        "/" => Reply::html(
            "<!doctype html><html><head><meta charset=utf-8><title>Città</title><link rel=stylesheet href=/a.css><link rel=stylesheet href=/b.css></head><body><p>big</p><img src=/red.png width=200 height=100></body></html>",
        ),
        p => match table.iter().find(|(q, _)| *q == p) {
            Some((q, body)) => Reply::new(
                200,
                if q.ends_with(".css") {
                    "text/css"
                } else {
                    "image/png"
                },
                body.clone(),
            ),
            None => Reply::not_found(),
        },
    });
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let url = format!("{}/", srv.base);
    d.sigillo(&["capture", &url, "-o", "case.zip", "--key", "k.pem"])
        .assert_exit(0);
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);
    let m = manifest(&d.join("case.zip"), 0);
    let entry = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "original/page.mhtml")
        .expect("the MHTML is sealed");
    assert!(
        entry["description"]
            .as_str()
            .unwrap()
            .contains("built by sigillo"),
        "{entry}"
    );
    assert!(
        m["transformations"].as_array().unwrap().iter().any(|t| t
            .as_str()
            .unwrap()
            .contains("MHTML snapshot was built by sigillo")),
        "{}",
        m["transformations"]
    );
    let mhtml = member(&d.join("case.zip"), "/original/page.mhtml");
    let dom = member(&d.join("case.zip"), "/original/dom.html");
    d.write("page.mhtml", &mhtml);

    // An independent MIME reader: every part, its type and the SHA-256 of its bytes.
    let py = r#"
import email, hashlib, json, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
assert m.get_content_type() == "multipart/related", m.get_content_type()
out = []
for p in m.walk():
    if p.is_multipart():
        continue
    out.append([p["Content-Location"], p.get_content_type(), hashlib.sha256(p.get_payload(decode=True)).hexdigest()])
print(json.dumps(out))
"#;
    let r = Tool::Python.run(d.path(), &["-c", py, "page.mhtml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let parts: Vec<(String, String, String)> = serde_json::from_str(r.stdout.trim()).unwrap();
    let hex = |b: &[u8]| format!("{:x}", Sha256::digest(b));
    assert_eq!(
        parts[0],
        (url.clone(), "text/html".to_string(), hex(&dom)),
        "the first part is the DOM"
    );
    for (path, body) in &served {
        let loc = format!("{}{path}", srv.base);
        assert!(
            parts.iter().any(|(l, _, h)| *l == loc && *h == hex(body)),
            "{loc} is a part, byte for byte: {parts:?}"
        );
    }

    // Chromium renders it from the file alone: the red image is there.
    srv.stop();
    let out = std::process::Command::new("chromium")
        .current_dir(d.path())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=800,600",
            "--screenshot=shot.png",
            &format!("file://{}", d.join("page.mhtml").display()),
        ])
        .output()
        .expect("chromium runs");
    let shot = image::open(d.join("shot.png"))
        .unwrap_or_else(|e| {
            panic!(
                "no screenshot ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .to_rgb8();
    let reds = shot
        .pixels()
        .filter(|p| p[0] > 200 && p[1] < 60 && p[2] < 60)
        .count();
    assert!(
        reds > 15_000,
        "the image renders from the MHTML: {reds} red pixels"
    );
}
