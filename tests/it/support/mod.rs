//! Servers the tests run on 127.0.0.1: a timestamp authority and web pages.

pub mod http;
pub mod ocsp;
pub mod signer_pki;
pub mod tsa;
pub mod web_server;
