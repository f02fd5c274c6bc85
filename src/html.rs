//! HTML shared by the acquisition report and the chat transcript: style sheets and small
//! components, all rendered with [`maud`].
//!
//! Every value taken from evidence (file names, page titles, notes, messages, custody
//! actors …) is spliced as `(value)`, which maud escapes; markup cannot get into a page
//! unless it is wrapped in [`PreEscaped`], and this crate does that only for its own
//! constant style sheets below (each use says so). Pages are self-contained: no external
//! style sheet, font, script or image.

use maud::{Markup, PreEscaped, html};

/// Style sheet of the acquisition report (printable on A4).
pub const REPORT_CSS: &str = "body{font:15px/1.45 'DejaVu Sans',Arial,sans-serif;color:#111;max-width:1100px;margin:24px auto;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #333;padding-bottom:2px;margin-top:28px}h3{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}code,.h{font-family:'DejaVu Sans Mono',monospace;font-size:12px;word-break:break-all}
.warn{border:2px solid #b00;background:#fff4f4;padding:8px 12px}.ok{color:#060;font-weight:bold}.bad{color:#b00;font-weight:bold}
.alarm{border:4px solid #b00;background:#fde8e8;color:#b00;padding:10px 14px;margin:0 0 16px}.alarm strong{font-size:22px}
.ph{display:inline-block;width:160px;height:90px;background:repeating-linear-gradient(45deg,#ddd,#ddd 8px,#eee 8px,#eee 16px);border:1px solid #999;text-align:center;font-size:11px;padding-top:30px;box-sizing:border-box}
.blank{display:inline-block;min-width:320px;border-bottom:1px solid #000;height:1.2em}
img.media{max-width:320px;max-height:240px;border:1px solid #999}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,tr{break-inside:avoid}.alarm{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// Style sheet of the chat transcript view. Each message block has `content-visibility:
/// auto`, so the browser lays out and paints only the blocks near the screen (a million
/// messages open and scroll); `contain-intrinsic-size: auto 4em` reserves an estimate for
/// the others and remembers real sizes once seen. Printing lays out everything.
pub const TRANSCRIPT_CSS: &str = "body{font:14px/1.4 'DejaVu Sans',Arial,sans-serif;max-width:900px;margin:20px auto;padding:0 12px}article{border-bottom:1px solid #ddd;padding:4px 0;content-visibility:auto;contain-intrinsic-size:auto 4em}.n{color:#888;font-size:11px;text-decoration:none}.t{color:#555;font-size:12px}.s{font-weight:bold}.sys{color:#666;font-style:italic}.un{background:#fff3cd}.miss{color:#b00}pre{white-space:pre-wrap;margin:2px 0;font:inherit}.warn{border:2px solid #b00;padding:6px 10px;background:#fff4f4}@media print{article{break-inside:avoid;content-visibility:visible}}";

/// Script of the chat transcript view: a search box (case-insensitive substring over each
/// message's text and sender) and a participant filter, which hide the articles that do
/// not match and say how many are shown. It only reads text (`textContent`, attributes)
/// and sets `hidden`; it never builds markup. `#q=…&p=…` in the URL fills both on load.
///
/// For long chats it works in slices: it goes through the articles for about 12 ms, then
/// yields (`setTimeout`) so the page stays responsive, saying how far it got; a new query
/// (typing pauses 150 ms before searching) abandons the one running. `hidden` is only set
/// where it changes.
pub const TRANSCRIPT_JS: &str = "(function(){var q=document.getElementById('q'),p=document.getElementById('p'),c=document.getElementById('c'),a=document.getElementsByTagName('article'),gen=0,tm=0;document.getElementById('bar').hidden=false;function now(){return window.performance?performance.now():Date.now();}function run(){var g=++gen,s=q.value.toLowerCase(),w=p.value,n=0,i=0,N=a.length;function slice(){if(g!==gen)return;var st=i,end=now()+12;for(;i<N;i++){if(i>st&&(i&255)===0&&now()>end)break;var e=a[i],d=(e.getAttribute('data-s')||''),ok=!w||d===w;if(ok&&s){var t=e.querySelector('pre');ok=((t?t.textContent:'')+'\\n'+d).toLowerCase().indexOf(s)>=0;}if(e.hidden===ok)e.hidden=!ok;if(ok)n++;}if(i<N){c.textContent='searching... '+n+' found in '+i+' of '+N;setTimeout(slice,0);}else{c.textContent=n+' of '+N+' shown';}}slice();}q.oninput=function(){clearTimeout(tm);tm=setTimeout(run,150);};p.onchange=run;var h=new URLSearchParams(location.hash.slice(1));if(h.get('q'))q.value=h.get('q');if(h.get('p')!==null)p.value=h.get('p');run();})();";

/// A `<script>` element holding one of this module's constant scripts.
///
/// Takes `&'static str` so that only compile-time constants (never evidence) can be
/// passed; a script must not be escaped, hence [`PreEscaped`].
pub fn script(js: &'static str) -> Markup {
    // PreEscaped: our own constant script (TRANSCRIPT_JS), not evidence.
    html! { script { (PreEscaped(js)) } }
}

/// A `<style>` element holding one of this module's constant style sheets.
///
/// Takes `&'static str` so that only compile-time constants (never evidence) can be
/// passed; CSS must not be escaped, hence [`PreEscaped`].
pub fn style(css: &'static str) -> Markup {
    // PreEscaped: our own constant CSS (REPORT_CSS / TRANSCRIPT_CSS), not evidence.
    html! { style { (PreEscaped(css)) } }
}

/// A hash (or fingerprint) in monospace that may break anywhere.
pub fn hash(value: &str) -> Markup {
    html! { span.h { (value) } }
}

/// The grey box that stands in for a hidden image, announced to screen readers.
pub fn placeholder(label: &str) -> Markup {
    html! { span.ph role="img" aria-label=(label) { (label) } }
}

/// An empty line for a person to fill in by hand (signature, name, date).
pub fn blank() -> Markup {
    html! { span.blank {} }
}

/// A two-column table row: a header cell and a value.
pub fn row(label: &str, value: Markup) -> Markup {
    html! { tr { th scope="row" { (label) } td { (value) } } }
}

/// A table head of column headers.
pub fn head_row<'a>(labels: impl IntoIterator<Item = &'a str>) -> Markup {
    html! { thead { tr { @for l in labels { th scope="col" { (l) } } } } }
}

/// A relative link target for a path inside the bundle that can never be read as a
/// URL scheme (`javascript:` …): anything not already starting with `../` gets `./`.
pub fn relative_href(path: &str) -> String {
    if path.starts_with("../") || path.starts_with("./") {
        path.to_string()
    } else {
        format!("./{path}")
    }
}

/// True for image media types a report may embed as a `data:` URL: a plain raster type
/// (no SVG, which is a document), spelt only with the characters a media type uses.
pub fn embeddable_image(media_type: &str) -> bool {
    const RASTER: [&str; 7] = [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "image/avif",
    ];
    RASTER.contains(&media_type)
}

/// Escape text for HTML (for the few places that build HTML outside a template, such as
/// a PDF footer handed to Chromium).
pub fn escape(text: &str) -> String {
    html! { (text) }.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert('x') &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(
            placeholder("\"><b>").into_string(),
            "<span class=\"ph\" role=\"img\" aria-label=\"&quot;&gt;&lt;b&gt;\">&quot;&gt;&lt;b&gt;</span>"
        );
    }

    #[test]
    fn links_and_media_types() {
        assert_eq!(
            relative_href("javascript:alert(1)"),
            "./javascript:alert(1)"
        );
        assert_eq!(relative_href("../original/a.jpg"), "../original/a.jpg");
        assert!(embeddable_image("image/png") && !embeddable_image("image/svg+xml"));
    }
}
