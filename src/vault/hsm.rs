//! A keyring wrapped by a key that never leaves a hardware security module (PKCS#11, via
//! `cryptoki`): an AES-256 key made inside the token (sensitive, not extractable) seals the
//! keyring with CKM_AES_GCM; the token only ever sees the keyring going in and out, and a
//! copy of the file alone opens nothing. The module, token and key are named in the
//! envelope; the user PIN comes from a file (`VELUM_HSM_PIN_FILE`, `--hsm-pin-file`).
//!
//! Tested against SoftHSM2 (`.ci/run` installs it, makes a token in a temporary directory
//! and removes it afterwards).

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as P11Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Where the wrapping key is: the PKCS#11 module (a shared library), the token's label and
/// the key's label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HsmKey {
    /// The module, e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    pub module: std::path::PathBuf,
    /// The token's label.
    pub token: String,
    /// The AES key's label.
    pub key: String,
}

fn p11(what: &str, e: P11Error) -> Error {
    match e {
        P11Error::Pkcs11(RvError::PinIncorrect, _) => {
            Error::locked(format!("{what}: the HSM refused the PIN"))
        }
        P11Error::Pkcs11(RvError::PinLocked, _) => {
            Error::locked(format!("{what}: the token's PIN is locked"))
        }
        other => Error::config(format!("{what}: {other}")),
    }
}

/// A logged-in session on the token labelled `key.token`.
fn session(key: &HsmKey, pin: &str) -> Result<(Pkcs11, Session)> {
    let what = format!("HSM module {}", key.module.display());
    let ctx = Pkcs11::new(&key.module).map_err(|e| p11(&what, e))?;
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(|e| p11(&what, e))?;
    let mut slot = None;
    for s in ctx.get_slots_with_token().map_err(|e| p11(&what, e))? {
        if ctx
            .get_token_info(s)
            .is_ok_and(|t| t.label().trim_end() == key.token)
        {
            slot = Some(s);
            break;
        }
    }
    let slot =
        slot.ok_or_else(|| Error::config(format!("{what}: no token labelled {:?}", key.token)))?;
    let s = ctx.open_rw_session(slot).map_err(|e| p11(&what, e))?;
    let pin = AuthPin::from(pin.to_owned());
    match s.login(UserType::User, Some(&pin)) {
        Ok(()) | Err(P11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
        Err(e) => return Err(p11(&format!("token {:?}", key.token), e)),
    }
    Ok((ctx, s))
}

fn find_key(s: &Session, key: &HsmKey) -> Result<ObjectHandle> {
    let found = s
        .find_objects(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::Label(key.key.as_bytes().to_vec()),
        ])
        .map_err(|e| p11(&format!("token {:?}", key.token), e))?;
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::config(format!(
            "token {:?}: no key labelled {:?} (make one with `velum keyring hsm-key`)",
            key.token, key.key
        ))),
        _ => Err(Error::config(format!(
            "token {:?}: several keys labelled {:?}",
            key.token, key.key
        ))),
    }
}

/// Makes the AES-256 wrapping key inside the token: a token object, private, sensitive,
/// never extractable, for encryption and decryption only.
///
/// # Errors
/// [`ErrorKind::Config`](crate::ErrorKind::Config) when the module, token or a key of
/// that label is wrong; [`ErrorKind::Locked`](crate::ErrorKind::Locked) for a wrong PIN.
pub fn make_hsm_key(key: &HsmKey, pin: &str) -> Result<()> {
    let (_ctx, s) = session(key, pin)?;
    if find_key(&s, key).is_ok() {
        return Err(Error::config(format!(
            "token {:?}: a key labelled {:?} exists",
            key.token, key.key
        )));
    }
    s.generate_key(
        &Mechanism::AesKeyGen,
        &[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::ValueLen(32.into()),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Encrypt(true),
            Attribute::Decrypt(true),
            Attribute::Wrap(false),
            Attribute::Label(key.key.as_bytes().to_vec()),
        ],
    )
    .map_err(|e| p11(&format!("token {:?}", key.token), e))?;
    Ok(())
}

/// Seals `plain` inside the token: `(iv, ciphertext with its tag)`.
pub(crate) fn seal(
    key: &HsmKey,
    pin: &str,
    aad: &[u8],
    plain: &[u8],
) -> Result<([u8; 12], Vec<u8>)> {
    let (_ctx, s) = session(key, pin)?;
    let k = find_key(&s, key)?;
    let mut iv = [0u8; 12];
    getrandom::fill(&mut iv).map_err(|e| Error::internal(format!("no system randomness: {e}")))?;
    let mut iv_param = iv;
    let params =
        GcmParams::new(&mut iv_param, aad, 128.into()).map_err(|e| p11("AES-GCM parameters", e))?;
    let ct = s
        .encrypt(&Mechanism::AesGcm(params), k, plain)
        .map_err(|e| p11(&format!("token {:?}", key.token), e))?;
    Ok((iv, ct))
}

/// Opens what [`seal`] made. `Ok(None)` when the token's key does not open it (damage).
pub(crate) fn open(
    key: &HsmKey,
    pin: &str,
    aad: &[u8],
    iv: [u8; 12],
    ct: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let (_ctx, s) = session(key, pin)?;
    let k = find_key(&s, key)?;
    let mut iv_param = iv;
    let params =
        GcmParams::new(&mut iv_param, aad, 128.into()).map_err(|e| p11("AES-GCM parameters", e))?;
    match s.decrypt(&Mechanism::AesGcm(params), k, ct) {
        Ok(p) => Ok(Some(Zeroizing::new(p))),
        Err(P11Error::Pkcs11(
            RvError::EncryptedDataInvalid | RvError::EncryptedDataLenRange | RvError::DataInvalid,
            _,
        )) => Ok(None),
        Err(e) => Err(p11(&format!("token {:?}", key.token), e)),
    }
}
