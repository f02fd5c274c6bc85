//! HTTP client setup shared by the web capture's second fetch and TSA requests.
//!
//! sigillo builds one TLS crypto back end, ring (see `Cargo.toml`): reqwest is compiled
//! without its default aws-lc-rs provider, so the ring provider must be installed as the
//! process default before the first client is built. [`client_builder`] does that.

use std::sync::Once;

/// Install ring as the process-wide rustls crypto provider (idempotent).
pub fn install_tls_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only if another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A blocking reqwest client builder with the TLS provider in place.
pub fn client_builder() -> reqwest::blocking::ClientBuilder {
    install_tls_provider();
    reqwest::blocking::Client::builder()
}
