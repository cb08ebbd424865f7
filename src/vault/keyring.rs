//! The keyring: versioned 256-bit master keys (active / decrypt-only / retired) and the audit
//! key, stored as JSON in a file only its owner may read. Key bytes live in [`SecretKey`],
//! which has no `Debug`, is never formatted, and is zeroized on drop.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::sealed::{self, KdfCost, Protection, Unlock};
use crate::error::{Error, Result};
use crate::time::now_utc;

/// 32 secret bytes. No `Debug`, no `Display`, zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct SecretKey([u8; 32]);

impl SecretKey {
    pub(crate) fn generate() -> Result<Self> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k)
            .map_err(|e| Error::internal(format!("no system randomness: {e}")))?;
        Ok(Self(k))
    }

    pub(crate) fn from_bytes(b: [u8; 32]) -> Self {
        Self(b)
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::HEXLOWER.encode(&self.0))
    }

    fn from_hex(s: &str) -> Option<Self> {
        let v = Zeroizing::new(
            data_encoding::HEXLOWER_PERMISSIVE
                .decode(s.as_bytes())
                .ok()?,
        );
        let arr: [u8; 32] = v.as_slice().try_into().ok()?;
        Some(Self(arr))
    }
}

/// What a key may still do.
///
/// # Example
/// ```
/// use velum::{Keyring, vault::KeyState};
/// let mut k = Keyring::generate()?;
/// k.rotate()?;
/// assert_eq!(k.key_states(), vec![(1, KeyState::DecryptOnly), (2, KeyState::Active)]);
/// # Ok::<(), velum::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyState {
    /// Makes new tokens and opens old ones. Exactly one key is active.
    Active,
    /// Opens tokens it made; makes none.
    DecryptOnly,
    /// Opens nothing: its tokens are reported, never decrypted.
    Retired,
}

#[derive(Clone)]
pub(crate) struct KeyEntry {
    pub(crate) id: u32,
    pub(crate) created: String,
    pub(crate) state: KeyState,
    pub(crate) key: SecretKey,
}

/// A loaded keyring.
///
/// # Security
/// Holds key material; it never appears in `Debug` output or in errors.
///
/// # Example
/// ```
/// use velum::Keyring;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("keys.json");
/// Keyring::generate()?.save(&path)?; // mode 0600
/// let k = Keyring::load(&path)?;
/// assert_eq!(k.active_id(), 1);
/// assert!(!format!("{k:?}").contains("material"));
/// # Ok::<(), velum::Error>(())
/// ```
pub struct Keyring {
    pub(crate) keys: Vec<KeyEntry>,
    pub(crate) audit_key: SecretKey,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field(
                "keys",
                &self
                    .keys
                    .iter()
                    .map(|k| (k.id, k.state))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeyring {
    version: u32,
    keys: Vec<RawKey>,
    audit_key: Zeroizing<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    id: u32,
    created: String,
    state: KeyState,
    material: Zeroizing<String>,
}

/// Refuses a secret file (`what`: "keyring", "TLS key") that group or others may read.
pub(crate) fn check_private(path: &Path, what: &str) -> Result<()> {
    let name = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::config(format!("{what} {name}: cannot read: {e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Error::config(format!(
                "{what} {name}: readable by group or others (mode {mode:04o}); run `chmod 600 {name}`"
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

impl Keyring {
    /// A new keyring with one active key and an audit key.
    ///
    /// # Errors
    /// When the system has no randomness.
    pub fn generate() -> Result<Self> {
        Ok(Self {
            keys: vec![KeyEntry {
                id: 1,
                created: now_utc(),
                state: KeyState::Active,
                key: SecretKey::generate()?,
            }],
            audit_key: SecretKey::generate()?,
        })
    }

    /// Adds a new active key and demotes the previous active key to decrypt-only.
    ///
    /// # Errors
    /// When the system has no randomness.
    pub fn rotate(&mut self) -> Result<u32> {
        let id = self.keys.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        for k in &mut self.keys {
            if k.state == KeyState::Active {
                k.state = KeyState::DecryptOnly;
            }
        }
        self.keys.push(KeyEntry {
            id,
            created: now_utc(),
            state: KeyState::Active,
            key: SecretKey::generate()?,
        });
        Ok(id)
    }

    /// Retires a key: its tokens are reported, never opened again.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) for an unknown id or the active key
    /// (rotate first).
    pub fn retire(&mut self, id: u32) -> Result<()> {
        let k = self
            .keys
            .iter_mut()
            .find(|k| k.id == id)
            .ok_or_else(|| Error::config(format!("no key {id} in the keyring")))?;
        if k.state == KeyState::Active {
            return Err(Error::config(format!(
                "key {id} is the active key; rotate before retiring it"
            )));
        }
        k.state = KeyState::Retired;
        Ok(())
    }

    /// The key that makes new tokens.
    pub(crate) fn active(&self) -> &KeyEntry {
        self.keys
            .iter()
            .find(|k| k.state == KeyState::Active)
            .expect("a loaded keyring has one active key")
    }

    pub(crate) fn get(&self, id: u32) -> Option<&KeyEntry> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// A second copy (each copy zeroizes its keys when dropped), for a component that must
    /// own one; not `Clone`, so copies of key material are never made by accident.
    #[cfg(feature = "server")]
    pub(crate) fn duplicate(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            audit_key: self.audit_key.clone(),
        }
    }

    /// Id of the active key.
    pub fn active_id(&self) -> u32 {
        self.active().id
    }

    /// `(id, state)` of every key, oldest first.
    pub fn key_states(&self) -> Vec<(u32, KeyState)> {
        self.keys.iter().map(|k| (k.id, k.state)).collect()
    }

    /// Reads a keyring file, refusing one that group or others may read. A sealed keyring
    /// is opened with what the environment gives ([`Unlock::from_env`]:
    /// `VELUM_KEYRING_PASSPHRASE_FILE`, `VELUM_KEYRING_IDENTITY`).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) naming the file and the problem
    /// (permissions, truncated or malformed JSON, a bad key, a damaged envelope) — never key
    /// bytes; [`ErrorKind::Locked`](crate::ErrorKind::Locked) for a sealed keyring that the
    /// passphrase or identities given do not open.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self::open(path, &Unlock::from_env()?)?.0)
    }

    /// Reads a keyring file in any form ([`Protection`]), opening a sealed one with
    /// `unlock`; returns it and how it was stored (to save it back the same way).
    ///
    /// # Errors
    /// As [`Keyring::load`].
    ///
    /// # Example
    /// ```
    /// use velum::Keyring;
    /// use velum::vault::{Protection, Unlock};
    /// use zeroize::Zeroizing;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("keys.json");
    /// let secret = Protection::Passphrase(Zeroizing::new("correct horse".into()));
    /// Keyring::generate()?.save_as(&path, &secret)?;
    /// let e = Keyring::open(&path, &Unlock::default()).unwrap_err();
    /// assert_eq!(e.kind(), velum::ErrorKind::Locked);
    /// let unlock = Unlock::default().with_passphrase(Zeroizing::new("correct horse".into()));
    /// let (k, how) = Keyring::open(&path, &unlock)?;
    /// assert_eq!((k.active_id(), how.name()), (1, "passphrase"));
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>, unlock: &Unlock) -> Result<(Self, Protection)> {
        let path = path.as_ref();
        let name = path.display().to_string();
        check_private(path, "keyring")?;
        let bytes = Zeroizing::new(
            std::fs::read(path)
                .map_err(|e| Error::config(format!("keyring {name}: cannot read: {e}")))?,
        );
        Self::from_bytes(&bytes, &name, unlock)
    }

    /// A keyring from a file's bytes in any form ([`Keyring::open`] without the file);
    /// `origin` names it in errors.
    ///
    /// # Errors
    /// As [`Keyring::load`].
    pub fn from_bytes(bytes: &[u8], origin: &str, unlock: &Unlock) -> Result<(Self, Protection)> {
        if sealed::is_sealed(bytes) {
            let (plain, how) = sealed::open(bytes, origin, unlock)?;
            return Ok((Self::from_json(&plain, origin)?, how));
        }
        Ok((Self::from_json(bytes, origin)?, Protection::Clear))
    }

    /// Parses keyring JSON; `origin` names it in errors.
    ///
    /// # Errors
    /// As [`Keyring::load`].
    pub fn from_json(bytes: &[u8], origin: &str) -> Result<Self> {
        let raw: RawKeyring = serde_json::from_slice(bytes).map_err(|e| {
            // serde_json's message may quote the offending value: report its place only.
            let what = match e.classify() {
                serde_json::error::Category::Eof => "truncated",
                serde_json::error::Category::Syntax => "not valid JSON",
                serde_json::error::Category::Data => "unexpected field or value",
                serde_json::error::Category::Io => "unreadable",
            };
            Error::config(format!(
                "keyring {origin}: {what} at line {} column {}",
                e.line(),
                e.column()
            ))
        })?;
        if raw.version != 1 {
            return Err(Error::config(format!(
                "keyring {origin}: unsupported version {}",
                raw.version
            )));
        }
        let bad = |what: &str| Error::config(format!("keyring {origin}: {what}"));
        let audit_key = SecretKey::from_hex(&raw.audit_key)
            .ok_or_else(|| bad("audit_key is not 64 hex digits"))?;
        let mut keys = Vec::with_capacity(raw.keys.len());
        for k in raw.keys {
            let key = SecretKey::from_hex(&k.material)
                .ok_or_else(|| bad(&format!("key {}: material is not 64 hex digits", k.id)))?;
            if k.id == 0 || keys.iter().any(|e: &KeyEntry| e.id == k.id) {
                return Err(bad(&format!("key id {} is zero or repeated", k.id)));
            }
            keys.push(KeyEntry {
                id: k.id,
                created: k.created,
                state: k.state,
                key,
            });
        }
        match keys.iter().filter(|k| k.state == KeyState::Active).count() {
            1 => {}
            n => return Err(bad(&format!("needs exactly one active key, has {n}"))),
        }
        Ok(Self { keys, audit_key })
    }

    fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let raw = RawKeyring {
            version: 1,
            keys: self
                .keys
                .iter()
                .map(|k| RawKey {
                    id: k.id,
                    created: k.created.clone(),
                    state: k.state,
                    material: k.key.to_hex(),
                })
                .collect(),
            audit_key: self.audit_key.to_hex(),
        };
        let mut v = Zeroizing::new(serde_json::to_vec_pretty(&raw).expect("keyring serialises"));
        v.push(b'\n');
        v
    }

    /// Writes the keyring in clear with mode 0600, atomically (temporary file, fsync,
    /// rename). When `path` is a symbolic link, the file it points to is replaced and the
    /// link stays.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_as(path, &Protection::Clear)
    }

    /// [`Keyring::save`], stored as `how` says: in clear, sealed with a passphrase (Argon2id
    /// at [`DEFAULT_COST`](super::DEFAULT_COST), then AES-256-GCM-SIV) or encrypted to `age`
    /// recipients.
    ///
    /// # Errors
    /// As [`Keyring::save`]; [`ErrorKind::Config`](crate::ErrorKind::Config) for an empty
    /// passphrase or a recipient that is not one.
    pub fn save_as(&self, path: impl AsRef<Path>, how: &Protection) -> Result<()> {
        self.save_with_cost(path, how, sealed::DEFAULT_COST)
    }

    /// [`Keyring::save_as`] with an Argon2id cost of the caller's (tests use a cheap one).
    #[doc(hidden)]
    pub fn save_with_cost(
        &self,
        path: impl AsRef<Path>,
        how: &Protection,
        cost: KdfCost,
    ) -> Result<()> {
        let body = sealed::seal(&self.to_json(), how, cost)?;
        let path = path.as_ref();
        let resolved;
        let path = if path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            resolved = std::fs::canonicalize(path).map_err(|e| {
                Error::io(
                    format!("keyring {}: cannot follow the link", path.display()),
                    e,
                )
            })?;
            resolved.as_path()
        } else {
            path
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = dir.join(format!(
            ".{}.tmp{}",
            path.file_name()
                .map_or("keyring".into(), |n| n.to_string_lossy()),
            std::process::id()
        ));
        let write = || -> std::io::Result<()> {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(format!("writing keyring {}", path.display()), e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_rotate_roundtrip() {
        let mut k = Keyring::generate().unwrap();
        assert_eq!(k.active_id(), 1);
        assert_eq!(k.rotate().unwrap(), 2);
        assert_eq!(
            k.key_states(),
            vec![(1, KeyState::DecryptOnly), (2, KeyState::Active)]
        );
        let json = k.to_json();
        let back = Keyring::from_json(&json, "t").unwrap();
        assert_eq!(back.key_states(), k.key_states());
        assert_eq!(back.active().key.bytes(), k.active().key.bytes());
    }

    #[test]
    fn debug_shows_no_material() {
        let k = Keyring::generate().unwrap();
        let hex = data_encoding::HEXLOWER.encode(k.active().key.bytes());
        let dbg = format!("{k:?}");
        assert!(!dbg.contains(&hex) && dbg.contains("Active"), "{dbg}");
    }

    #[test]
    fn bad_keyrings_name_the_problem_not_the_bytes() {
        let k = Keyring::generate().unwrap();
        let json = String::from_utf8(k.to_json().to_vec()).unwrap();
        let truncated = &json[..json.len() / 2];
        let e = Keyring::from_json(truncated.as_bytes(), "k.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("keyring k.json: truncated at line"), "{e}");
        let hex = data_encoding::HEXLOWER.encode(k.active().key.bytes());
        let bad = json.replace(&hex, &format!("{}zz", &hex[..62]));
        let e = Keyring::from_json(bad.as_bytes(), "k.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("material is not 64 hex digits") && !e.contains(&hex[..62]),
            "{e}"
        );
        let e = Keyring::from_json(br#"{"version":1,"keys":[],"audit_key":"00"}"#, "k.json")
            .unwrap_err();
        assert!(e.to_string().contains("audit_key"), "{e}");
    }

    #[test]
    fn dates_are_utc_iso() {
        let d = now_utc();
        assert_eq!(d.len(), 20);
        assert!(d.starts_with("20") && d.ends_with('Z'));
    }
}
