//! The one HTTP/1.1 server the web tests run on 127.0.0.1: a handler maps each request to
//! a reply; the server can be stopped (the port then refuses connections), and serves
//! plain HTTP or, given a rustls config, HTTPS. One connection per request
//! (`Connection: close`), which is all Chromium and reqwest need here.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A request as the handler sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The query without `?` (empty if none).
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// 200, `text/html; charset=utf-8`.
    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200, "text/html; charset=utf-8", body)
    }

    /// 404, plain text.
    pub fn not_found() -> Reply {
        Reply::new(404, "text/plain", "not found")
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::new(status, "text/html", "moved").with("Location", location)
    }

    /// The same reply with one more header.
    pub fn with(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:PORT` or `https://…`.
    pub base: String,
    addr: String,
    stopped: Arc<AtomicBool>,
}

impl Server {
    /// Stop serving: the listener is closed (a new connection is refused) once this returns.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wake the blocking accept so that it sees the flag and drops the listener.
        let _ = TcpStream::connect(&self.addr);
        for _ in 0..100 {
            if TcpStream::connect(&self.addr).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("the test web server at {} did not stop", self.addr);
    }
}

/// Serve plain HTTP on 127.0.0.1 (a free port) with `handler`.
pub fn serve(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
    start(None, Arc::new(handler))
}

/// Serve HTTPS on 127.0.0.1 with `tls` and `handler`.
pub fn serve_tls(
    tls: Arc<rustls::ServerConfig>,
    handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> Server {
    start(Some(tls), Arc::new(handler))
}

fn start(tls: Option<Arc<rustls::ServerConfig>>, handler: Handler) -> Server {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let stopped = Arc::new(AtomicBool::new(false));
    let s2 = stopped.clone();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            if s2.load(Ordering::SeqCst) {
                break;
            }
            let (h, tls) = (handler.clone(), tls.clone());
            std::thread::spawn(move || match tls {
                Some(cfg) => {
                    if let Ok(conn) = rustls::ServerConnection::new(cfg) {
                        answer(rustls::StreamOwned::new(conn, c), &h);
                    }
                }
                None => answer(c, &h),
            });
        }
    });
    Server {
        base: format!("{scheme}://{addr}"),
        addr,
        stopped,
    }
}

/// Read one request from `s` and write the handler's reply.
fn answer(mut s: impl Read + Write, handler: &Handler) {
    let Some(req) = read_request(&mut s) else {
        return;
    };
    let r = handler(&req);
    let reason = match r.status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        r.status,
        r.body.len()
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = s.write_all(head.as_bytes());
    if req.method != "HEAD" {
        let _ = s.write_all(&r.body);
    }
    let _ = s.flush();
}

fn read_request(s: &mut impl Read) -> Option<Request> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 65536 {
            return None;
        }
        match s.read(&mut tmp) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_string();
    let target = first.next().unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut req = Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: buf[end + 4..].to_vec(),
    };
    let len: usize = req
        .header("Content-Length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(64 << 20);
    while req.body.len() < len {
        match s.read(&mut tmp) {
            Ok(0) | Err(_) => break,
            Ok(n) => req.body.extend_from_slice(&tmp[..n]),
        }
    }
    Some(req)
}

/// A small PNG, different for each `seed`.
pub fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(120, 90, |x, y| {
        image::Rgb([
            (x as u8).wrapping_mul(seed),
            (y as u8).wrapping_mul(3),
            seed,
        ])
    });
    let mut buf = std::io::Cursor::new(Vec::new());
    img.write_to(&mut buf, image::ImageFormat::Png).unwrap();
    buf.into_inner()
}
