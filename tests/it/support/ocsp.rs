//! A real `openssl ocsp` responder on 127.0.0.1, answering from an OpenSSL CA database.

use std::path::Path;

use crate::tool::Tool;

/// The responder process, killed when dropped.
pub struct Responder(std::process::Child);

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Responder {
    /// Start `openssl ocsp` in `dir` on `port`, answering from the CA database `index`
    /// and signing as the CA (`ca_pem`, `ca_key`, paths relative to `dir`); returned once
    /// it says it is ready (a probe connection would block the one-at-a-time
    /// responder); its log is drained in the background. It reads the database when it
    /// starts: start a new one after a revocation.
    pub fn start(dir: &Path, index: &str, ca_pem: &str, ca_key: &str, port: u16) -> Responder {
        let port = port.to_string();
        let mut child = Tool::Openssl
            .command()
            .args([
                "ocsp",
                "-index",
                index,
                "-port",
                &port,
                "-rsigner",
                ca_pem,
                "-rkey",
                ca_key,
                "-CA",
                ca_pem,
                "-ignore_err",
            ])
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut log = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while !line.contains("waiting for OCSP client connections") {
            line.clear();
            let n = std::io::BufRead::read_line(&mut log, &mut line).unwrap();
            assert!(n > 0, "openssl ocsp did not start");
        }
        std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
        Responder(child)
    }
}

/// A port free on 127.0.0.1 now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
