//! Signing with a key on a smart card, USB token or HSM through its PKCS#11 module
//! (`cryptoki`). The key never leaves the token: sigillo sends it the data to sign
//! (RSA: the mechanism hashes; ECDSA: sigillo hashes and the token signs the digest).

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::Decode;
use x509_cert::Certificate;

use super::x509sign::{CertSigner, PIN_ENV, Pkcs11Uri, SigAlg, order_chain, read_pin};
use crate::error::{Error, Result};

/// Where Debian's p11-kit proxy module lives: it reaches every module registered with
/// p11-kit (OpenSC, vendor drivers) when the URI names none.
const P11_KIT_PROXY: &str = "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so";

/// A logged-in session on the token holding the key.
pub struct Pkcs11Signer {
    // The session must close before the library is finalised: fields drop in order.
    session: Session,
    _ctx: Pkcs11,
    key: ObjectHandle,
    chain: Vec<Certificate>,
    alg: SigAlg,
    shown: String,
}

fn p11_error(doing: &str, e: cryptoki::error::Error) -> Error {
    Error::key(format!("PKCS#11: {doing} failed ({e})"))
}

impl Pkcs11Signer {
    /// Load the module, find the token and the key, ask for the PIN and log in.
    pub fn open(uri: &Pkcs11Uri, pss: bool) -> Result<Pkcs11Signer> {
        let module = module_path(uri)?;
        let ctx = Pkcs11::new(&module).map_err(|e| {
            let err = Error::key(format!(
                "the PKCS#11 module '{}' cannot be loaded ({e})",
                module.display()
            ));
            // A static musl binary (packaging/static.sh) has no dynamic loader, and a
            // PKCS#11 module is always a shared library.
            if cfg!(target_feature = "crt-static") {
                err.with_fix("this is the static build of sigillo, which cannot load shared libraries such as PKCS#11 modules: use the .deb or a build from source (cargo install --locked) to sign with a smart card or HSM")
            } else {
                err.with_fix("check module-path= in the --signer URI (for SoftHSM2: /usr/lib/softhsm/libsofthsm2.so; for OpenSC: /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so)")
            }
        })?;
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| p11_error("initialising the module", e))?;
        let (slot, label) = find_token(&ctx, uri)?;
        let session = ctx
            .open_ro_session(slot)
            .map_err(|e| p11_error("opening a session", e))?;
        let pin = read_pin(&format!("PIN for token '{label}'"))?;
        login(&ctx, slot, &session, &label, pin)?;
        let key = find_key(&session, uri)?;
        let (signer, pool) = find_certs(&session, key, uri)?;
        let alg = SigAlg::for_certificate(&signer, pss)?;
        let chain = order_chain(&signer, &pool);
        let mut shown = format!("pkcs11:token={label}");
        if let Some(o) = &uri.object {
            shown.push_str(&format!(";object={o}"));
        }
        Ok(Pkcs11Signer {
            session,
            _ctx: ctx,
            key,
            chain,
            alg,
            shown,
        })
    }
}

fn module_path(uri: &Pkcs11Uri) -> Result<PathBuf> {
    if let Some(p) = &uri.module_path {
        return Ok(p.clone());
    }
    if Path::new(P11_KIT_PROXY).exists() {
        return Ok(PathBuf::from(P11_KIT_PROXY));
    }
    Err(
        Error::input("--signer: the PKCS#11 URI names no module and p11-kit is not installed")
            .with_fix(
                "add ?module-path=/path/to/module.so to the URI (the smart card's PKCS#11 library)",
            ),
    )
}

fn find_token(ctx: &Pkcs11, uri: &Pkcs11Uri) -> Result<(Slot, String)> {
    let slots = ctx
        .get_slots_with_token()
        .map_err(|e| p11_error("listing tokens", e))?;
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for slot in slots {
        let Ok(info) = ctx.get_token_info(slot) else {
            continue;
        };
        let label = info.label().trim().to_string();
        let serial = info.serial_number().trim().to_string();
        let ok = uri.token.as_ref().is_none_or(|t| *t == label)
            && uri.serial.as_ref().is_none_or(|s| *s == serial);
        seen.push(label.clone());
        if ok {
            found.push((slot, label));
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::key(format!(
            "no token {} is present (tokens seen: {})",
            uri.token
                .as_ref()
                .map_or("matching the URI".to_string(), |t| format!(
                    "labelled '{t}'"
                )),
            if seen.is_empty() {
                "none".to_string()
            } else {
                seen.join(", ")
            }
        ))
        .with_fix("insert the card or token, or correct token= in the --signer URI")),
        _ => Err(Error::key(format!(
            "several tokens match the URI ({})",
            found
                .iter()
                .map(|(_, l)| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_fix("add token=LABEL or serial=… to the --signer URI")),
    }
}

fn login(ctx: &Pkcs11, slot: Slot, session: &Session, label: &str, pin: String) -> Result<()> {
    let pin = AuthPin::from(pin);
    match session.login(UserType::User, Some(&pin)) {
        Ok(()) => Ok(()),
        Err(cryptoki::error::Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(cryptoki::error::Error::Pkcs11(RvError::PinIncorrect, _)) => {
            let left = ctx.get_token_info(slot).ok().map(|i| {
                if i.user_pin_locked() {
                    " The token is now locked: it needs its PUK or security officer to unlock it."
                } else if i.user_pin_final_try() {
                    " The token says one try is left before it locks."
                } else if i.user_pin_count_low() {
                    " The token says few tries are left before it locks."
                } else {
                    ""
                }
            });
            Err(Error::key(format!(
                "wrong PIN for token '{label}'; nothing was written.{}",
                left.unwrap_or("")
            ))
            .with_fix(format!("type the PIN again, or check ${PIN_ENV}")))
        }
        Err(cryptoki::error::Error::Pkcs11(RvError::PinLocked, _)) => Err(Error::key(format!(
            "the PIN of token '{label}' is locked; nothing was written"
        ))
        .with_fix("unlock the token with its PUK (the card issuer's tool), then try again")),
        Err(cryptoki::error::Error::Pkcs11(RvError::PinLenRange, _)) => Err(Error::key(format!(
            "the PIN given for token '{label}' has the wrong length; nothing was written"
        ))
        .with_fix(format!("type the PIN again, or check ${PIN_ENV}"))),
        Err(e) => Err(p11_error("logging in", e)),
    }
}

fn template(uri: &Pkcs11Uri, class: ObjectClass) -> Vec<Attribute> {
    let mut t = vec![Attribute::Class(class)];
    if let Some(o) = &uri.object {
        t.push(Attribute::Label(o.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        t.push(Attribute::Id(id.clone()));
    }
    t
}

fn find_key(session: &Session, uri: &Pkcs11Uri) -> Result<ObjectHandle> {
    let keys = session
        .find_objects(&template(uri, ObjectClass::PRIVATE_KEY))
        .map_err(|e| p11_error("searching for the key", e))?;
    match keys.as_slice() {
        [k] => Ok(*k),
        [] => Err(
            Error::key("no private key on the token matches the URI (object= / id=)").with_fix(
                "list the token's objects with: pkcs11-tool --module MODULE --login --list-objects",
            ),
        ),
        _ => Err(
            Error::key("several private keys on the token match the URI")
                .with_fix("add id=… to the --signer URI to name one key"),
        ),
    }
}

/// The key's certificate (same CKA_ID, else the URI's label) and every certificate on the
/// token, from which the chain is built.
fn find_certs(
    session: &Session,
    key: ObjectHandle,
    uri: &Pkcs11Uri,
) -> Result<(Certificate, Vec<Certificate>)> {
    let key_id = session
        .get_attributes(key, &[AttributeType::Id])
        .ok()
        .and_then(|a| {
            a.into_iter().find_map(|x| match x {
                Attribute::Id(id) => Some(id),
                _ => None,
            })
        });
    let value = |h: ObjectHandle| -> Option<Certificate> {
        session
            .get_attributes(h, &[AttributeType::Value])
            .ok()?
            .into_iter()
            .find_map(|x| match x {
                Attribute::Value(v) => Certificate::from_der(&v).ok(),
                _ => None,
            })
    };
    let by = |t: Vec<Attribute>| -> Vec<Certificate> {
        session
            .find_objects(&t)
            .unwrap_or_default()
            .into_iter()
            .filter_map(value)
            .collect()
    };
    let mut mine = Vec::new();
    if let Some(id) = key_id.filter(|i| !i.is_empty()) {
        mine = by(vec![
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::Id(id),
        ]);
    }
    if mine.is_empty() {
        mine = by(template(uri, ObjectClass::CERTIFICATE));
    }
    let signer = mine.into_iter().next().ok_or_else(|| {
        Error::key("the token holds no certificate for the key")
            .with_fix("load the certificate with the same id as the key (pkcs11-tool --write-object cert.der --type cert --id …)")
    })?;
    let pool = by(vec![Attribute::Class(ObjectClass::CERTIFICATE)]);
    let mut all = vec![signer.clone()];
    all.extend(pool.into_iter().filter(|c| *c != signer));
    Ok((signer, all))
}

impl CertSigner for Pkcs11Signer {
    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn alg(&self) -> SigAlg {
        self.alg
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let sign = |m: &Mechanism, data: &[u8]| {
            self.session
                .sign(m, self.key, data)
                .map_err(|e| p11_error("signing on the token", e))
        };
        match self.alg {
            SigAlg::RsaPkcs1Sha256 => sign(&Mechanism::Sha256RsaPkcs, msg),
            SigAlg::RsaPssSha256 => sign(
                &Mechanism::Sha256RsaPkcsPss(PkcsPssParams {
                    hash_alg: cryptoki::mechanism::MechanismType::SHA256,
                    mgf: PkcsMgfType::MGF1_SHA256,
                    s_len: 32u64.into(),
                }),
                msg,
            ),
            SigAlg::EcdsaP256Sha256 => {
                let raw = sign(&Mechanism::Ecdsa, &self.alg.digest(msg))?;
                let s = p256::ecdsa::Signature::from_slice(&raw).map_err(|e| {
                    Error::key(format!("the token's ECDSA signature is malformed ({e})"))
                })?;
                Ok(s.to_der().as_bytes().to_vec())
            }
            SigAlg::EcdsaP384Sha384 => {
                let raw = sign(&Mechanism::Ecdsa, &self.alg.digest(msg))?;
                let s = p384::ecdsa::Signature::from_slice(&raw).map_err(|e| {
                    Error::key(format!("the token's ECDSA signature is malformed ({e})"))
                })?;
                Ok(s.to_der().as_bytes().to_vec())
            }
        }
    }

    fn describe(&self) -> String {
        self.shown.clone()
    }
}
