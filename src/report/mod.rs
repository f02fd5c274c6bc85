//! Human-readable acquisition reports: self-contained HTML (offline, printable,
//! accessible) and PDF printed by Chromium.
//!
//! The report is built from the same facts as the bundle (manifests, custody entries,
//! the verification verdict) and never invents one: blanks are left where only a person
//! can fill in (signature, role). Images are hidden unless asked, everything taken from
//! manifests is HTML-escaped (page titles and file names are attacker-controlled), and
//! the same input always gives the same bytes.

pub mod i18n;

use std::fmt::Write as _;

use base64::Engine;
use chrono::{DateTime, Local, Utc};
use serde_json::Value;

pub use i18n::Lang;
use i18n::t;

/// Looks up the bytes of a bundle member (for `--show-media`).
pub type MediaLookup<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

/// What the report is about.
pub struct ReportInput<'a> {
    /// File name of the bundle.
    pub bundle_name: String,
    /// SHA-256 of the bundle file (`None` inside the bundle itself).
    pub bundle_sha256: Option<String>,
    /// Case id.
    pub case_id: String,
    /// Item manifests.
    pub manifests: Vec<Value>,
    /// Custody entries.
    pub custody: Vec<Value>,
    /// Timestamps found by verification: (item id or custody seq, facts).
    pub timestamps: Vec<(String, Value)>,
    /// The verification report (`sigillo-verify/1` JSON), if any.
    pub verdict: Option<Value>,
    /// When the report is generated.
    pub generated_at: DateTime<Utc>,
    /// Bytes of a bundle member, for `--show-media`.
    pub media: Option<MediaLookup<'a>>,
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions {
    /// Language.
    pub lang: Lang,
    /// Embed images instead of placeholders.
    pub show_media: bool,
}

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn s<'v>(v: &'v Value, path: &[&str]) -> &'v str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or("")
}

const CSS: &str = "body{font:15px/1.45 'DejaVu Sans',Arial,sans-serif;color:#111;max-width:1100px;margin:24px auto;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #333;padding-bottom:2px;margin-top:28px}h3{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}code,.h{font-family:'DejaVu Sans Mono',monospace;font-size:12px;word-break:break-all}
.warn{border:2px solid #b00;background:#fff4f4;padding:8px 12px}.ok{color:#060;font-weight:bold}.bad{color:#b00;font-weight:bold}
.ph{display:inline-block;width:160px;height:90px;background:repeating-linear-gradient(45deg,#ddd,#ddd 8px,#eee 8px,#eee 16px);border:1px solid #999;text-align:center;font-size:11px;padding-top:30px;box-sizing:border-box}
.blank{display:inline-block;min-width:320px;border-bottom:1px solid #000;height:1.2em}
img.media{max-width:320px;max-height:240px;border:1px solid #999}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,tr{break-inside:avoid}}";

/// Render the report as one self-contained HTML document.
pub fn render_html(inp: &ReportInput, opts: &ReportOptions) -> String {
    let l = opts.lang;
    let mut h = String::new();
    let utc = crate::time::rfc3339(&inp.generated_at);
    let offset = inp
        .generated_at
        .with_timezone(&Local)
        .format("%:z")
        .to_string();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} — {}</title><style>{CSS}</style></head><body>",
        l.code(),
        esc(t(l, "title")),
        esc(&inp.case_id)
    );
    let _ = write!(h, "<header><h1>{}</h1>", esc(t(l, "title")));
    let _ = write!(
        h,
        "<p class=\"warn\" role=\"note\">{}</p>",
        esc(t(l, "sensitive"))
    );
    h.push_str("<table><tbody>");
    let row = |h: &mut String, k: &str, v: &str| {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th><td>{v}</td></tr>", esc(k));
    };
    row(&mut h, t(l, "case"), &esc(&inp.case_id));
    row(&mut h, t(l, "bundle"), &esc(&inp.bundle_name));
    if let Some(b) = &inp.bundle_sha256 {
        row(
            &mut h,
            t(l, "bundle_sha"),
            &format!("<span class=\"h\">{}</span>", esc(b)),
        );
    }
    row(
        &mut h,
        t(l, "generated"),
        &format!("{} ({} {offset})", esc(&utc), esc(t(l, "offset"))),
    );
    let mut ops: Vec<String> = inp
        .manifests
        .iter()
        .map(|m| {
            format!(
                "{} <span class=\"h\">{}</span>",
                esc(s(m, &["operator", "name"])),
                esc(s(m, &["operator", "key"]))
            )
        })
        .collect();
    ops.dedup();
    row(&mut h, t(l, "operators"), &ops.join("<br>"));
    h.push_str("</tbody></table></header><main>");

    // Summary of items.
    let _ = write!(h, "<h2>{}</h2><table><thead><tr>", esc(t(l, "summary")));
    for k in ["item", "kind", "source", "acquired", "tsa", "signer"] {
        let _ = write!(h, "<th scope=\"col\">{}</th>", esc(t(l, k)));
    }
    h.push_str("</tr></thead><tbody>");
    for m in &inp.manifests {
        let id = s(m, &["id"]);
        let tsa: Vec<String> = inp
            .timestamps
            .iter()
            .filter(|(k, _)| k == id)
            .map(|(_, v)| format!("{} ({})", s(v, &["gen_time"]), s(v, &["status"])))
            .collect();
        let _ = write!(
            h,
            "<tr><td><a href=\"#item-{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td></tr>",
            esc(id),
            esc(s(m, &["kind"])),
            esc(&source_of(m)),
            esc(s(m, &["acquired", "finished"])),
            if tsa.is_empty() {
                esc(t(l, "local_only"))
            } else {
                esc(&tsa.join("; "))
            },
            esc(s(m, &["operator", "name"]))
        );
    }
    h.push_str("</tbody></table>");

    // Per item.
    for m in &inp.manifests {
        item_section(&mut h, m, inp, opts);
    }

    // Custody.
    let _ = write!(h, "<h2>{}</h2><table><thead><tr>", esc(t(l, "custody")));
    for k in ["#", "time", "action", "by", "note"] {
        let _ = write!(
            h,
            "<th scope=\"col\">{}</th>",
            esc(if k == "#" { "#" } else { t(l, k) })
        );
    }
    h.push_str("</tr></thead><tbody>");
    for e in &inp.custody {
        let d = &e["details"];
        let detail = ["item", "to", "from", "verdict"]
            .iter()
            .filter_map(|k| d[*k].as_str().map(|v| format!("{k}: {v}")))
            .collect::<Vec<_>>()
            .join("; ");
        let who = [
            s(e, &["actor", "name"]),
            s(e, &["actor", "role"]),
            s(e, &["actor", "organisation"]),
        ]
        .iter()
        .filter(|x| !x.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}<br><span class=\"h\">{}</span></td><td>{}</td></tr>",
            e["seq"],
            esc(s(e, &["time"])),
            esc(s(e, &["action"])),
            esc(&who),
            esc(s(e, &["actor", "key"])),
            esc(&[detail, s(e, &["note"]).to_string()]
                .iter()
                .filter(|x| !x.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" — "))
        );
    }
    h.push_str("</tbody></table>");

    // Verdict.
    let _ = write!(h, "<h2>{}</h2>", esc(t(l, "verdict")));
    match &inp.verdict {
        Some(v) if v["verdict"] == "verified" => {
            let _ = write!(h, "<p class=\"ok\">{}</p>", esc(t(l, "verified")));
        }
        Some(v) => {
            let _ = write!(h, "<p class=\"bad\">{}</p><ul>", esc(t(l, "failed")));
            for f in v["failures"].as_array().into_iter().flatten() {
                let _ = write!(
                    h,
                    "<li>{}: {}</li>",
                    esc(s(f, &["subject"])),
                    esc(s(f, &["message"]))
                );
            }
            h.push_str("</ul>");
        }
        None => {}
    }
    if let Some(v) = &inp.verdict {
        h.push_str("<ul>");
        for sg in v["signers"].as_array().into_iter().flatten() {
            let names = join_strs(&sg["names"]);
            let _ = write!(
                h,
                "<li><span class=\"h\">{}</span> — {}</li>",
                esc(s(sg, &["fingerprint"])),
                esc(&names)
            );
        }
        h.push_str("</ul>");
    }

    // How to verify.
    let _ = write!(h, "<h2>{}</h2><pre class=\"h\">", esc(t(l, "how")));
    let b = esc(&inp.bundle_name);
    let _ = writeln!(
        h,
        "sigillo verify {b} --trust &lt;operator.pub&gt; [--tsa-ca &lt;tsa-root.pem&gt;]"
    );
    let _ = writeln!(h, "unzip {b} -d case &amp;&amp; cd case");
    let _ = writeln!(h, "sha256sum -c SHA256SUMS");
    for m in &inp.manifests {
        let id = esc(s(m, &["id"]));
        let key = esc(&crate::bundle::layout::key_path(s(m, &["operator", "key"])));
        let _ = writeln!(
            h,
            "openssl pkeyutl -verify -pubin -inkey {key} -rawin -in items/{id}/manifest.json -sigfile items/{id}/manifest.sig"
        );
    }
    let _ = writeln!(
        h,
        "openssl ts -verify -data items/&lt;item&gt;/manifest.sig -in items/&lt;item&gt;/manifest.tsr -CAfile &lt;tsa-root.pem&gt; -untrusted items/&lt;item&gt;/manifest.tsa.pem"
    );
    h.push_str("</pre>");

    // What it proves.
    let _ = write!(
        h,
        "<h2>{}</h2><p>{}</p><p>{}</p>",
        esc(t(l, "proves")),
        esc(t(l, "proves_yes")),
        esc(t(l, "proves_no"))
    );

    // Court paperwork.
    paperwork(&mut h, inp, opts);
    h.push_str("</main></body></html>\n");
    h
}

/// A JSON array of strings, comma-separated.
fn join_strs(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn source_of(m: &Value) -> String {
    let i = &m["input"];
    if let Some(u) = i["url"].as_str() {
        return u.to_string();
    }
    if let Some(e) = i["export"].as_str() {
        return e.to_string();
    }
    i["paths"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn item_section(h: &mut String, m: &Value, inp: &ReportInput, opts: &ReportOptions) {
    let l = opts.lang;
    let id = s(m, &["id"]);
    let _ = write!(
        h,
        "<section id=\"item-{0}\"><h2>{1} {0}</h2>",
        esc(id),
        esc(t(l, "item"))
    );
    let _ = write!(
        h,
        "<p>{}: {} · {}: {} → {} ({}) · {}: {} {}</p>",
        esc(t(l, "source")),
        esc(&source_of(m)),
        esc(t(l, "acquired")),
        esc(s(m, &["acquired", "started"])),
        esc(s(m, &["acquired", "finished"])),
        esc(s(m, &["acquired", "clock"])),
        esc(t(l, "signer")),
        esc(s(m, &["operator", "name"])),
        esc(s(m, &["operator", "key"]))
    );
    // Method.
    let f = &m["facts"];
    let _ = write!(h, "<h3>{}</h3><ul>", esc(t(l, "method")));
    let _ = write!(
        h,
        "<li>{} {} · {}</li>",
        esc(s(m, &["tool", "name"])),
        esc(s(m, &["tool", "version"])),
        esc(s(m, &["host", "os_release"]))
    );
    if m["kind"] == "web" {
        let _ = write!(
            h,
            "<li>{} · UA: {}</li>",
            esc(s(f, &["browser", "product"])),
            esc(s(f, &["browser", "user_agent"]))
        );
        let _ = write!(
            h,
            "<li>final URL: {} · HTTP {} · server {}</li>",
            esc(s(f, &["final_url"])),
            f["main_document"]["status"],
            esc(&f["server_ips"].to_string())
        );
        for r in f["redirects"].as_array().into_iter().flatten() {
            let _ = write!(
                h,
                "<li>redirect {} {} → {}</li>",
                r["status"],
                esc(s(r, &["url"])),
                esc(s(r, &["location"]))
            );
        }
        if f["tls"].is_object() {
            let _ = write!(
                h,
                "<li>TLS {} {} · {}</li>",
                esc(s(f, &["tls", "protocol"])),
                esc(s(f, &["tls", "cipher"])),
                esc(s(f, &["tls", "subject"]))
            );
            for c in f["tls"]["certificates"].as_array().into_iter().flatten() {
                let _ = write!(
                    h,
                    "<li>certificate {} / {} · {} – {} · SHA-256 <span class=\"h\">{}</span></li>",
                    esc(s(c, &["subject"])),
                    esc(s(c, &["issuer"])),
                    esc(s(c, &["not_before"])),
                    esc(s(c, &["not_after"])),
                    esc(s(c, &["sha256"]))
                );
            }
        }
        let _ = write!(
            h,
            "<li>DNS {}: {}</li>",
            esc(s(f, &["dns", "host"])),
            esc(&f["dns"]["addresses"].to_string())
        );
        let _ = write!(
            h,
            "<li>second fetch: HTTP {} · same body as browser: {}</li>",
            f["second_fetch"]["status"], f["second_fetch"]["same_body_as_browser"]
        );
    }
    if m["kind"] == "chat" {
        let _ = write!(
            h,
            "<li>{}: {} · {}: {} · {}: {} – {}</li>",
            esc(t(l, "transcript")),
            esc(s(f, &["format"])),
            esc(t(l, "messages")),
            f["messages"],
            esc(t(l, "span")),
            esc(s(f, &["first"])),
            esc(s(f, &["last"]))
        );
        let parts = join_strs(&f["participants"]);
        let _ = write!(h, "<li>{}: {}</li>", esc(t(l, "participants")), esc(&parts));
        let _ = write!(
            h,
            "<li><a href=\"items/{}/derived/transcript.html\">transcript.html</a></li>",
            esc(id)
        );
    }
    for tr in m["transformations"].as_array().into_iter().flatten() {
        let _ = write!(h, "<li>{}</li>", esc(tr.as_str().unwrap_or("")));
    }
    if let Some(n) = m["note"].as_str() {
        let _ = write!(h, "<li>{}: {}</li>", esc(t(l, "note")), esc(n));
    }
    h.push_str("</ul>");
    // Files.
    let _ = write!(h, "<h3>{}</h3><table><thead><tr>", esc(t(l, "files")));
    for k in ["path", "size", "role", "hashes"] {
        let _ = write!(h, "<th scope=\"col\">{}</th>", esc(t(l, k)));
    }
    h.push_str("</tr></thead><tbody>");
    for file in m["files"].as_array().into_iter().flatten() {
        let path = s(file, &["path"]);
        let mt = s(file, &["media_type"]);
        let mut hashes = format!(
            "SHA-256 <span class=\"h\">{}</span>",
            esc(s(file, &["sha256"]))
        );
        if let Some(md5) = file["md5"].as_str() {
            let _ = write!(hashes, "<br>MD5 <span class=\"h\">{}</span>", esc(md5));
        }
        if let Some(p) = file["image"]["pdq"].as_str() {
            let _ = write!(
                hashes,
                "<br>PDQ <span class=\"h\">{}</span> (q {})",
                esc(p),
                file["image"]["pdq_quality"]
            );
        }
        let mut cell = esc(path);
        if mt.starts_with("image/") {
            let member = format!("items/{id}/{path}");
            let shown = if opts.show_media {
                inp.media.and_then(|f| f(&member)).map(|b| {
                    format!(
                        "<br><img class=\"media\" alt=\"{}\" src=\"data:{};base64,{}\">",
                        esc(path),
                        esc(mt),
                        base64::engine::general_purpose::STANDARD.encode(b)
                    )
                })
            } else {
                None
            };
            cell.push_str(&shown.unwrap_or_else(|| {
                format!(
                    "<br><span class=\"ph\" role=\"img\" aria-label=\"{0}\">{0}</span>",
                    esc(t(l, "hidden"))
                )
            }));
        }
        let _ = write!(
            h,
            "<tr><td>{cell}</td><td>{}</td><td>{}</td><td>{hashes}</td></tr>",
            file["size"],
            esc(s(file, &["role"]))
        );
    }
    h.push_str("</tbody></table></section>");
}

fn paperwork(h: &mut String, inp: &ReportInput, opts: &ReportOptions) {
    let l = opts.lang;
    let blank = "<span class=\"blank\"></span>";
    let items = inp
        .manifests
        .iter()
        .map(|m| format!("{} ({})", s(m, &["id"]), s(m, &["acquired", "finished"])))
        .collect::<Vec<_>>()
        .join("; ");
    let tool = inp
        .manifests
        .first()
        .map(|m| format!("{} {}", s(m, &["tool", "name"]), s(m, &["tool", "version"])))
        .unwrap_or_default();
    if l == Lang::It {
        let _ = write!(h, "<h2>{}</h2>", esc(t(l, "verbale")));
        let _ = write!(
            h,
            "<p>Il/La sottoscritto/a {blank}, in qualità di {blank}, dà atto di aver acquisito, con lo strumento {} e secondo la procedura descritta in questo verbale (ISO/IEC 27037), le evidenze digitali del procedimento <strong>{}</strong> elencate di seguito: {}.</p>\
             <p>Per ciascun elemento sono state calcolate le impronte SHA-256 riportate sopra; il manifesto di ciascun elemento è stato firmato con la chiave indicata e, dove presente, marcato temporalmente. Il contenitore {} ha impronta SHA-256 {}.</p>\
             <p>{}: {blank} &nbsp; {}: {blank}</p><p>{}: {blank}</p>",
            esc(&tool),
            esc(&inp.case_id),
            esc(&items),
            esc(&inp.bundle_name),
            esc(inp
                .bundle_sha256
                .as_deref()
                .unwrap_or("(calcolata al momento della consegna: sha256sum)")),
            esc(t(l, "date_place")),
            esc(t(l, "name_role")),
            esc(t(l, "signature_line"))
        );
    }
    let _ = write!(h, "<h2>{}</h2>", esc(t(l, "cert902")));
    let _ = write!(
        h,
        "<p>I, {blank}, certify under penalty of perjury that I am qualified by {blank} to make this certification; that the data in the items listed above ({}) were copied from their sources by the process described in this report, using {}; that the process identifies each file by its SHA-256 hash value, recorded at acquisition and signed; and that a comparison of those hash values with the files in bundle {} (SHA-256 {}) shows them to be identical.</p>\
         <p>{}: {blank} &nbsp; {}: {blank}</p><p>{}: {blank}</p>",
        esc(&items),
        esc(&tool),
        esc(&inp.bundle_name),
        esc(inp
            .bundle_sha256
            .as_deref()
            .unwrap_or("(compute with sha256sum when producing)")),
        esc(t(Lang::En, "date_place")),
        esc(t(Lang::En, "name_role")),
        esc(t(Lang::En, "signature_line"))
    );
}
