//! Target (f): the custody chain checker on arbitrary `custody.jsonl` bytes, with the
//! seed bundle's key known, so mutated seeds reach the signature and link checks.
//!
//! APIs used: `sigillo::evidence::custody::check_chain`.
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{SigningKey, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fn keys() -> &'static HashMap<String, VerifyingKey> {
    static K: OnceLock<HashMap<String, VerifyingKey>> = OnceLock::new();
    K.get_or_init(|| {
        let sk = SigningKey::from_pkcs8_pem(include_str!("../seeds/fuzz-key.pem")).expect("seed key");
        let vk = sk.verifying_key();
        let mut m = HashMap::new();
        m.insert(sigillo::evidence::keys::fingerprint(&vk), vk);
        m
    })
}

fuzz_target!(|data: &[u8]| {
    let rep = sigillo::evidence::custody::check_chain(data, keys());
    // What verify does with the entries next must not panic either.
    for e in &rep.entries {
        let _ = (e.action(), e.actor_key(), e.place());
        let _ = e.record.event.subject();
        let _ = e.record.actor.display();
    }
});
