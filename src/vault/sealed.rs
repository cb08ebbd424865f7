//! A keyring at rest. Three forms, told apart by their first bytes:
//!
//! - **clear**: the keyring's JSON (`{"version":1,"keys":…}`); loads, and the CLI warns;
//! - **passphrase**: a JSON envelope whose key is derived from a passphrase with Argon2id
//!   (its parameters and salt stored in the envelope), the keyring sealed with
//!   AES-256-GCM-SIV under it, the envelope's header as associated data;
//! - **recipients**: the keyring encrypted in the `age` format to X25519 recipients (machine
//!   identities), their public keys kept in clear in the envelope so that a rotation
//!   re-seals to the same ones.
//!
//! A wrong passphrase, or no identity matching a recipient, is [`ErrorKind::Locked`]
//! (exit 4); a file that is not one of the forms, truncated, or altered is
//! [`ErrorKind::Config`] (exit 2). The two are told apart for a passphrase by a check value
//! derived beside the key (it says whether the passphrase is right, no more than a trial
//! decryption would): a right passphrase on a ciphertext that fails to open is damage. No
//! part of a key is kept when opening fails: every buffer holding one is zeroized.
//!
//! [`ErrorKind::Locked`]: crate::ErrorKind::Locked
//! [`ErrorKind::Config`]: crate::ErrorKind::Config

use std::io::{Read, Write};
use std::path::Path;

use aes_gcm_siv::Aes256GcmSiv;
use aes_gcm_siv::aead::array::Array;
use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The envelope's format marker and version.
const MARK: &str = "velum-keyring-sealed";

/// Argon2id cost of a new passphrase envelope: 64 MiB, 3 passes, 1 lane (RFC 9106's second
/// recommended setting with one lane; about a third of a second here).
pub const DEFAULT_COST: KdfCost = KdfCost {
    m_kib: 64 * 1024,
    t: 3,
    p: 1,
};

/// Argon2id parameters.
///
/// # Example
/// ```
/// assert_eq!(velum::vault::DEFAULT_COST.m_kib, 65536);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfCost {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

/// How a keyring is stored.
///
/// # Example
/// ```
/// use velum::vault::Protection;
/// use zeroize::Zeroizing;
/// let p = Protection::Passphrase(Zeroizing::new("correct horse".into()));
/// assert_eq!(p.name(), "passphrase");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Protection {
    /// JSON in clear (a file only its owner may read).
    Clear,
    /// Sealed under a passphrase.
    Passphrase(Zeroizing<String>),
    /// Encrypted to `age` X25519 recipients (`age1…`).
    Recipients(Vec<String>),
    /// Sealed inside a hardware security module by a key that never leaves it (PKCS#11),
    /// with the token's user PIN.
    Pkcs11(super::hsm::HsmKey, Zeroizing<String>),
}

impl std::fmt::Debug for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the passphrase.
        f.write_str(self.name())
    }
}

impl Protection {
    /// `clear`, `passphrase` or `recipients`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Clear => "clear",
            Self::Passphrase(_) => "passphrase",
            Self::Recipients(_) => "recipients",
            Self::Pkcs11(..) => "pkcs11",
        }
    }
}

/// What may open a sealed keyring: a passphrase, `age` identities, or both.
///
/// # Example
/// ```
/// use velum::vault::Unlock;
/// use zeroize::Zeroizing;
/// let u = Unlock::default().with_passphrase(Zeroizing::new("correct horse".into()));
/// assert!(u.has_passphrase());
/// ```
#[derive(Default)]
pub struct Unlock {
    passphrase: Option<Zeroizing<String>>,
    hsm_pin: Option<Zeroizing<String>>,
    /// The PKCS#11 module to load: named by the operator, never taken from the file (a
    /// path written into a keyring would be a library loaded into the process).
    hsm_module: Option<std::path::PathBuf>,
    identities: Vec<age::x25519::Identity>,
    /// Asked when a passphrase is needed and none was given (a terminal prompt).
    prompt: Option<Box<Prompt>>,
}

/// Asks for a passphrase, given what it is for.
type Prompt = dyn Fn(&str) -> Result<Zeroizing<String>>;

impl std::fmt::Debug for Unlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unlock")
            .field("passphrase", &self.passphrase.is_some())
            .field("identities", &self.identities.len())
            .finish()
    }
}

/// Reads a secret file: private to its owner, one line (a final newline dropped).
fn read_secret_file(path: &Path, what: &str) -> Result<Zeroizing<String>> {
    super::keyring::check_private(path, what)?;
    let bytes = Zeroizing::new(
        std::fs::read(path)
            .map_err(|e| Error::config(format!("{what} {}: cannot read: {e}", path.display())))?,
    );
    secret_text(&bytes, &format!("{what} {}", path.display()))
}

/// A secret's text: UTF-8, one final newline (`\n` or `\r\n`) dropped, not empty.
pub(crate) fn secret_text(bytes: &[u8], origin: &str) -> Result<Zeroizing<String>> {
    let mut s = Zeroizing::new(
        std::str::from_utf8(bytes)
            .map_err(|_| Error::config(format!("{origin}: not UTF-8 text")))?
            .to_owned(),
    );
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    if s.is_empty() {
        return Err(Error::config(format!("{origin}: empty")));
    }
    Ok(s)
}

impl Unlock {
    /// With a passphrase.
    pub fn with_passphrase(mut self, p: Zeroizing<String>) -> Self {
        self.passphrase = Some(p);
        self
    }

    /// With the passphrase in a file (one line, the file private to its owner).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when the file cannot be read, is
    /// readable by others or is empty.
    pub fn with_passphrase_file(self, path: &Path) -> Result<Self> {
        Ok(self.with_passphrase(read_secret_file(path, "passphrase file")?))
    }

    /// With the user PIN of an HSM token, from a file private to its owner (one line).
    ///
    /// # Errors
    /// As [`Unlock::with_passphrase_file`].
    pub fn with_hsm_pin_file(mut self, path: &Path) -> Result<Self> {
        self.hsm_pin = Some(read_secret_file(path, "HSM PIN file")?);
        Ok(self)
    }

    /// With the PKCS#11 module (a shared library) of the HSM a keyring is sealed in.
    pub fn with_hsm_module(mut self, path: &Path) -> Self {
        self.hsm_module = Some(path.to_path_buf());
        self
    }

    /// The HSM PIN given, if any (consumes the `Unlock`).
    pub fn into_hsm_pin(self) -> Option<Zeroizing<String>> {
        self.hsm_pin
    }

    /// The HSM PIN given, or a locked error saying how to give it.
    pub(crate) fn hsm_pin(&self, origin: &str) -> Result<Zeroizing<String>> {
        self.hsm_pin.clone().ok_or_else(|| {
            Error::locked(format!(
                "keyring {origin} is sealed in an HSM and no PIN was given: use --hsm-pin-file \
                 FILE or VELUM_HSM_PIN_FILE=FILE"
            ))
        })
    }

    /// With the `age` identities (`AGE-SECRET-KEY-1…` lines; `#` comments) of a file private
    /// to its owner.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when the file cannot be read, is
    /// readable by others or holds no identity.
    pub fn with_identity_file(mut self, path: &Path) -> Result<Self> {
        let text = read_secret_file(path, "identity file")?;
        let origin = format!("identity file {}", path.display());
        let before = self.identities.len();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let id: age::x25519::Identity = line.parse().map_err(|_| {
                Error::config(format!(
                    "{origin}:{}: not an age X25519 identity (AGE-SECRET-KEY-1…)",
                    n + 1
                ))
            })?;
            self.identities.push(id);
        }
        if self.identities.len() == before {
            return Err(Error::config(format!("{origin}: no identity")));
        }
        Ok(self)
    }

    /// Asks `prompt` (given what it is for) for a passphrase when one is needed and none was
    /// given: the CLI's terminal prompt.
    pub fn with_prompt(
        mut self,
        prompt: impl Fn(&str) -> Result<Zeroizing<String>> + 'static,
    ) -> Self {
        self.prompt = Some(Box::new(prompt));
        self
    }

    /// From the environment: `VELUM_KEYRING_PASSPHRASE_FILE` (a file holding the passphrase),
    /// `VELUM_KEYRING_IDENTITY` (an `age` identity file), `VELUM_HSM_MODULE` and
    /// `VELUM_HSM_PIN_FILE` (an HSM's PKCS#11 module and its token's user PIN), each when set. What the library
    /// and the Python package use for [`Keyring::load`](super::Keyring::load).
    ///
    /// # Errors
    /// As [`Unlock::with_passphrase_file`] and [`Unlock::with_identity_file`].
    pub fn from_env() -> Result<Self> {
        let mut u = Self::default();
        if let Some(p) = std::env::var_os("VELUM_KEYRING_PASSPHRASE_FILE") {
            u = u.with_passphrase_file(Path::new(&p))?;
        }
        if let Some(p) = std::env::var_os("VELUM_KEYRING_IDENTITY") {
            u = u.with_identity_file(Path::new(&p))?;
        }
        if let Some(p) = std::env::var_os("VELUM_HSM_PIN_FILE") {
            u = u.with_hsm_pin_file(Path::new(&p))?;
        }
        if let Some(p) = std::env::var_os("VELUM_HSM_MODULE") {
            u = u.with_hsm_module(Path::new(&p));
        }
        Ok(u)
    }

    /// The passphrase given, if any (consumes the `Unlock`).
    pub fn into_passphrase(self) -> Option<Zeroizing<String>> {
        self.passphrase
    }

    /// True when a passphrase was given.
    pub fn has_passphrase(&self) -> bool {
        self.passphrase.is_some()
    }

    fn passphrase_for(&self, origin: &str) -> Result<Zeroizing<String>> {
        if let Some(p) = &self.passphrase {
            return Ok(p.clone());
        }
        if let Some(ask) = &self.prompt {
            return ask(&format!("passphrase for keyring {origin}: "));
        }
        Err(Error::locked(format!(
            "keyring {origin} is sealed with a passphrase and none was given: use \
             --passphrase-fd N, VELUM_KEYRING_PASSPHRASE_FILE=FILE, or run on a terminal"
        )))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    format: String,
    version: u32,
    sealed: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<Kdf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    check: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    recipients: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pkcs11: Option<P11>,
    ciphertext: String,
    /// SHA-256 of every other field: a file changed by accident (a bad copy, a hand edit of
    /// a parameter) reads as damaged, not as a wrong passphrase. (One who rewrites it too
    /// gets "wrong passphrase" at worst: nothing opens either way.)
    digest: String,
}

impl Envelope {
    fn digest(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        let kdf = self.kdf.as_ref().map(header_aad).unwrap_or_default();
        for part in [
            self.format.as_bytes(),
            &self.version.to_be_bytes(),
            self.sealed.as_bytes(),
            &kdf,
            self.nonce.as_deref().unwrap_or("").as_bytes(),
            self.check.as_deref().unwrap_or("").as_bytes(),
            self.recipients.join("\n").as_bytes(),
            &self
                .pkcs11
                .as_ref()
                .map(|p| [p.aad(), p.iv.clone().into_bytes()].concat())
                .unwrap_or_default(),
            self.ciphertext.as_bytes(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        data_encoding::HEXLOWER.encode(&h.finalize())
    }
}

#[derive(Serialize, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct P11 {
    module: String,
    token: String,
    key: String,
    iv: String,
}

impl P11 {
    fn aad(&self) -> Vec<u8> {
        format!(
            "{MARK}/1|pkcs11|{}|{}|{}",
            self.module, self.token, self.key
        )
        .into_bytes()
    }
}

#[derive(Serialize, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Kdf {
    name: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
}

/// What the associated data binds: the format, version, KDF parameters and salt, so none
/// can be changed without the keyring failing to open.
fn header_aad(k: &Kdf) -> Vec<u8> {
    format!(
        "{MARK}/1|{}|m={}|t={}|p={}|salt={}",
        k.name, k.m_kib, k.t, k.p, k.salt
    )
    .into_bytes()
}

/// 64 bytes from the passphrase: the sealing key, then the check value's key.
fn derive(passphrase: &str, k: &Kdf, salt: &[u8]) -> Result<Zeroizing<[u8; 64]>> {
    let params = argon2::Params::new(k.m_kib, k.t, k.p, Some(64))
        .map_err(|_| Error::config("keyring: Argon2 parameters out of range"))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 64]);
    a.hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|_| Error::config("keyring: Argon2 refused the parameters"))?;
    Ok(out)
}

/// The check value: HMAC-SHA256 of a fixed text under the second half of the derived bytes.
fn check_value(derived: &[u8; 64]) -> String {
    use hmac::Mac;
    let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&derived[32..])
        .expect("HMAC takes any key length");
    m.update(b"velum keyring passphrase check");
    data_encoding::HEXLOWER.encode(&m.finalize().into_bytes())
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| Error::internal(format!("no system randomness: {e}")))?;
    Ok(b)
}

/// True when `bytes` is a sealed envelope rather than a keyring in clear.
pub(crate) fn is_sealed(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256)];
    head.windows(MARK.len()).any(|w| w == MARK.as_bytes())
}

/// Seals the keyring JSON `plain` as `how` says (not `Clear`).
pub(crate) fn seal(plain: &[u8], how: &Protection, cost: KdfCost) -> Result<Zeroizing<Vec<u8>>> {
    let env = match how {
        Protection::Clear => return Ok(Zeroizing::new(plain.to_vec())),
        Protection::Passphrase(p) => {
            if p.is_empty() {
                return Err(Error::config("keyring: an empty passphrase seals nothing"));
            }
            let salt: [u8; 16] = random()?;
            let kdf = Kdf {
                name: "argon2id".into(),
                m_kib: cost.m_kib,
                t: cost.t,
                p: cost.p,
                salt: data_encoding::HEXLOWER.encode(&salt),
            };
            let derived = derive(p, &kdf, &salt)?;
            let key = Zeroizing::new(<[u8; 32]>::try_from(&derived[..32]).expect("32 bytes"));
            let cipher = Aes256GcmSiv::new(&Array(*key));
            let nonce: [u8; 12] = random()?;
            let aad = header_aad(&kdf);
            let ct = cipher
                .encrypt(
                    &Array(nonce),
                    Payload {
                        msg: plain,
                        aad: &aad,
                    },
                )
                .map_err(|_| Error::internal("keyring: sealing failed"))?;
            Envelope {
                format: MARK.into(),
                version: 1,
                sealed: "passphrase".into(),
                check: Some(check_value(&derived)),
                kdf: Some(kdf),
                nonce: Some(data_encoding::HEXLOWER.encode(&nonce)),
                recipients: Vec::new(),
                pkcs11: None,
                ciphertext: data_encoding::BASE64.encode(&ct),
                digest: String::new(),
            }
        }
        Protection::Pkcs11(key, pin) => {
            let mut info = P11 {
                module: key.module.display().to_string(),
                token: key.token.clone(),
                key: key.key.clone(),
                iv: String::new(),
            };
            let (iv, ct) = super::hsm::seal(key, pin, &info.aad(), plain)?;
            info.iv = data_encoding::HEXLOWER.encode(&iv);
            Envelope {
                format: MARK.into(),
                version: 1,
                sealed: "pkcs11".into(),
                kdf: None,
                nonce: None,
                check: None,
                recipients: Vec::new(),
                pkcs11: Some(info),
                ciphertext: data_encoding::BASE64.encode(&ct),
                digest: String::new(),
            }
        }
        Protection::Recipients(rs) => {
            let parsed = parse_recipients(rs)?;
            let dyns: Vec<&dyn age::Recipient> =
                parsed.iter().map(|r| r as &dyn age::Recipient).collect();
            let enc = age::Encryptor::with_recipients(dyns.into_iter())
                .map_err(|_| Error::config("keyring: no recipient to encrypt to"))?;
            let mut ct = Vec::new();
            let mut w = enc
                .wrap_output(&mut ct)
                .map_err(|e| Error::io("keyring: encrypting", e))?;
            w.write_all(plain)
                .map_err(|e| Error::io("keyring: encrypting", e))?;
            w.finish()
                .map_err(|e| Error::io("keyring: encrypting", e))?;
            Envelope {
                format: MARK.into(),
                version: 1,
                sealed: "recipients".into(),
                kdf: None,
                nonce: None,
                check: None,
                recipients: rs.clone(),
                pkcs11: None,
                ciphertext: data_encoding::BASE64.encode(&ct),
                digest: String::new(),
            }
        }
    };
    let env = Envelope {
        digest: env.digest(),
        ..env
    };
    let mut v = serde_json::to_vec_pretty(&env).expect("an envelope serialises");
    v.push(b'\n');
    Ok(Zeroizing::new(v))
}

/// Parses `age1…` recipients, naming the first that is not one.
pub(crate) fn parse_recipients(rs: &[String]) -> Result<Vec<age::x25519::Recipient>> {
    if rs.is_empty() {
        return Err(Error::config("keyring: no recipient to encrypt to"));
    }
    rs.iter()
        .enumerate()
        .map(|(i, r)| {
            r.trim().parse().map_err(|_| {
                Error::config(format!(
                    "recipient {}: not an age X25519 recipient (age1…)",
                    i + 1
                ))
            })
        })
        .collect()
}

/// Opens a sealed envelope: the keyring's JSON and how it was sealed.
pub(crate) fn open(
    bytes: &[u8],
    origin: &str,
    unlock: &Unlock,
) -> Result<(Zeroizing<Vec<u8>>, Protection)> {
    let damaged = |what: &str| Error::config(format!("keyring {origin}: damaged: {what}"));
    let env: Envelope = serde_json::from_slice(bytes).map_err(|e| {
        damaged(&format!(
            "not a sealed keyring envelope (line {} column {})",
            e.line(),
            e.column()
        ))
    })?;
    if env.format != MARK || env.version != 1 {
        return Err(damaged("unknown envelope format or version"));
    }
    if env.digest != env.digest() {
        return Err(damaged(
            "its digest does not match its content (changed or cut)",
        ));
    }
    let ct = data_encoding::BASE64
        .decode(env.ciphertext.as_bytes())
        .map_err(|_| damaged("the ciphertext is not base64"))?;
    match env.sealed.as_str() {
        "passphrase" => {
            let (Some(kdf), Some(nonce), Some(check)) = (&env.kdf, &env.nonce, &env.check) else {
                return Err(damaged("a passphrase envelope without its parameters"));
            };
            if kdf.name != "argon2id" {
                return Err(damaged("unknown key derivation"));
            }
            // Refuse costs no sealing would use before spending them (a file edited to make
            // the unlock take all memory).
            if kdf.m_kib < 8
                || kdf.m_kib > 1024 * 1024
                || kdf.t == 0
                || kdf.t > 64
                || kdf.p == 0
                || kdf.p > 16
            {
                return Err(damaged("Argon2 parameters out of range"));
            }
            let salt = data_encoding::HEXLOWER
                .decode(kdf.salt.as_bytes())
                .map_err(|_| damaged("the salt is not hex"))?;
            let nonce: [u8; 12] = data_encoding::HEXLOWER
                .decode(nonce.as_bytes())
                .ok()
                .and_then(|n| n.try_into().ok())
                .ok_or_else(|| damaged("the nonce is not 12 bytes of hex"))?;
            let passphrase = unlock.passphrase_for(origin)?;
            let derived = derive(&passphrase, kdf, &salt)?;
            if check_value(&derived) != *check {
                return Err(Error::locked(format!("keyring {origin}: wrong passphrase")));
            }
            let key = Zeroizing::new(<[u8; 32]>::try_from(&derived[..32]).expect("32 bytes"));
            let cipher = Aes256GcmSiv::new(&Array(*key));
            let plain = cipher
                .decrypt(
                    &Array(nonce),
                    Payload {
                        msg: &ct,
                        aad: &header_aad(kdf),
                    },
                )
                .map_err(|_| {
                    damaged("the passphrase is right, and the sealed keys fail authentication (altered or truncated)")
                })?;
            Ok((Zeroizing::new(plain), Protection::Passphrase(passphrase)))
        }
        "recipients" => {
            if unlock.identities.is_empty() {
                return Err(Error::locked(format!(
                    "keyring {origin} is encrypted to age recipients and no identity was \
                     given: use --identity FILE or VELUM_KEYRING_IDENTITY=FILE"
                )));
            }
            let d = age::Decryptor::new(&ct[..])
                .map_err(|_| damaged("the age ciphertext has no valid header"))?;
            let ids = unlock.identities.iter().map(|i| i as &dyn age::Identity);
            let mut r = d.decrypt(ids).map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => Error::locked(format!(
                    "keyring {origin}: none of the identities given is a recipient"
                )),
                _ => damaged("the age ciphertext does not open (altered or truncated)"),
            })?;
            let mut plain = Zeroizing::new(Vec::new());
            r.read_to_end(&mut plain).map_err(|_| {
                damaged("the age payload fails authentication (altered or truncated)")
            })?;
            Ok((plain, Protection::Recipients(env.recipients)))
        }
        "pkcs11" => {
            let Some(info) = &env.pkcs11 else {
                return Err(damaged("a PKCS#11 envelope without its token"));
            };
            let iv: [u8; 12] = data_encoding::HEXLOWER
                .decode(info.iv.as_bytes())
                .ok()
                .and_then(|n| n.try_into().ok())
                .ok_or_else(|| damaged("the IV is not 12 bytes of hex"))?;
            let module = unlock.hsm_module.clone().ok_or_else(|| {
                Error::locked(format!(
                    "keyring {origin} is sealed in an HSM: name its PKCS#11 module with \
                     --hsm-module LIB or VELUM_HSM_MODULE=LIB"
                ))
            })?;
            let key = super::hsm::HsmKey {
                module,
                token: info.token.clone(),
                key: info.key.clone(),
            };
            let pin = unlock.hsm_pin(origin)?;
            let plain = super::hsm::open(&key, &pin, &info.aad(), iv, &ct)?.ok_or_else(|| {
                damaged("the token's key does not open it (altered, or another key)")
            })?;
            Ok((plain, Protection::Pkcs11(key, pin)))
        }
        _ => Err(damaged("unknown sealing")),
    }
}

/// A new `age` X25519 identity file's text and its recipient: `velum keyring identity`.
///
/// # Example
/// ```
/// let (secret, recipient) = velum::vault::new_identity();
/// assert!(secret.starts_with("# created by velum") && recipient.starts_with("age1"));
/// ```
pub fn new_identity() -> (Zeroizing<String>, String) {
    use age::secrecy::ExposeSecret;
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    let secret = Zeroizing::new(format!(
        "# created by velum; recipient: {recipient}\n{}\n",
        id.to_string().expose_secret()
    ));
    (secret, recipient)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: KdfCost = KdfCost {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    fn pass(s: &str) -> Zeroizing<String> {
        Zeroizing::new(s.to_owned())
    }

    #[test]
    fn passphrase_round_trip_wrong_passphrase_and_damage_are_told_apart() {
        let plain = br#"{"version":1}"#;
        let sealed = seal(plain, &Protection::Passphrase(pass("correct horse")), CHEAP).unwrap();
        assert!(is_sealed(&sealed));
        let text = String::from_utf8(sealed.to_vec()).unwrap();
        assert!(
            !text.contains("version\":1}"),
            "the keyring is not in clear"
        );
        let right = Unlock::default().with_passphrase(pass("correct horse"));
        let (back, how) = open(&sealed, "k", &right).unwrap();
        assert_eq!(&back[..], plain);
        assert_eq!(how.name(), "passphrase");
        let wrong = Unlock::default().with_passphrase(pass("battery staple"));
        let e = open(&sealed, "k", &wrong).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Locked, "{e}");
        // One flipped bit of the ciphertext, a changed parameter, a truncation: damage.
        let mut v: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
        let ct = v["ciphertext"].as_str().unwrap().to_owned();
        let mut raw = data_encoding::BASE64.decode(ct.as_bytes()).unwrap();
        raw[0] ^= 1;
        v["ciphertext"] = data_encoding::BASE64.encode(&raw).into();
        let e = open(v.to_string().as_bytes(), "k", &right).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config, "{e}");
        assert!(e.to_string().contains("damaged"), "{e}");
        let e = open(&sealed[..sealed.len() / 2], "k", &right).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config, "{e}");
        let mut v: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
        v["kdf"]["m_kib"] = (1u64 << 40).into();
        let e = open(v.to_string().as_bytes(), "k", &right).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config, "{e}");
        // No passphrase at all: locked, saying how to give one.
        let e = open(&sealed, "k", &Unlock::default()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Locked);
        assert!(e.to_string().contains("--passphrase-fd"), "{e}");
    }

    #[test]
    fn recipients_round_trip_and_a_stranger_is_locked_out() {
        let (secret, recipient) = new_identity();
        let dir = tempfile::tempdir().unwrap();
        let idf = dir.path().join("id.txt");
        std::fs::write(&idf, secret.as_bytes()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&idf, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let plain = br#"{"version":1}"#;
        let sealed = seal(
            plain,
            &Protection::Recipients(vec![recipient.clone()]),
            CHEAP,
        )
        .unwrap();
        let u = Unlock::default().with_identity_file(&idf).unwrap();
        let (back, how) = open(&sealed, "k", &u).unwrap();
        assert_eq!(&back[..], plain);
        assert!(matches!(how, Protection::Recipients(r) if r == vec![recipient]));
        let (other, _) = new_identity();
        std::fs::write(&idf, other.as_bytes()).unwrap();
        let stranger = Unlock::default().with_identity_file(&idf).unwrap();
        let e = open(&sealed, "k", &stranger).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Locked, "{e}");
        let e = parse_recipients(&["age1nope".into()]).unwrap_err();
        assert!(e.to_string().contains("recipient 1"), "{e}");
    }
}
