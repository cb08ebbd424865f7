//! The vault policy: principals (API keys stored only as SHA-256 hashes, compared in constant
//! time), their roles, what each role may reveal of each entity type (in full, the last four
//! characters, or nothing), and whether a purpose is required.
//!
//! ```toml
//! [roles.support]
//! purpose_required = true
//! reveal = { EMAIL = "full", PHONE = "full", CREDIT_CARD = "last4" }
//!
//! [[principals]]
//! name = "alice"
//! key_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
//! roles = ["support"]
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::span::Entity;

/// How much of a value a role may see.
///
/// # Example
/// ```
/// use velum::{Entity, vault::{hash_api_key, Reveal, VaultPolicy}};
/// let p = VaultPolicy::from_toml_str(&format!(
///     "[roles.r]\npurpose_required = true\nreveal = {{ CREDIT_CARD = \"last4\" }}\n\
///      [[principals]]\nname = \"a\"\nkey_sha256 = \"{}\"\nroles = [\"r\"]\n",
///     hash_api_key(b"k")), "inline")?;
/// let who = p.authenticate(b"k").unwrap();
/// assert_eq!(who.name, "a");
/// assert_eq!(p.reveal(who, Entity::CREDIT_CARD), (Reveal::Last4, true));
/// assert_eq!(p.reveal(who, Entity::EMAIL).0, Reveal::None);
/// assert!(p.authenticate(b"wrong").is_none());
/// # Ok::<(), velum::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reveal {
    /// Nothing: the token stays.
    None,
    /// The last four letters or digits; the rest masked with `*`.
    Last4,
    /// The whole canonical value.
    Full,
}

/// An authenticated caller (example on [`Reveal`]).
#[derive(Clone, Debug)]
pub struct Principal {
    /// The principal's name, as written in the vault policy and the audit log.
    pub name: String,
    roles: Vec<String>,
}

#[derive(Clone, Debug)]
struct Role {
    purpose_required: bool,
    tokenize: bool,
    reveal: BTreeMap<Entity, Reveal>,
}

/// A loaded, checked vault policy (example on [`Reveal`]).
#[derive(Clone, Debug)]
pub struct VaultPolicy {
    roles: BTreeMap<String, Role>,
    principals: Vec<(Principal, [u8; 32])>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    roles: BTreeMap<String, RawRole>,
    #[serde(default)]
    principals: Vec<RawPrincipal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    #[serde(default)]
    purpose_required: bool,
    #[serde(default)]
    tokenize: bool,
    #[serde(default)]
    reveal: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrincipal {
    name: Spanned<String>,
    key_sha256: Spanned<String>,
    roles: Vec<Spanned<String>>,
}

/// SHA-256 of an API key, lower-case hex, as stored in a vault policy.
///
/// # Example
/// ```
/// assert_eq!(&velum::vault::hash_api_key(b"abc")[..8], "ba7816bf");
/// ```
pub fn hash_api_key(key: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(key))
}

impl VaultPolicy {
    /// Parses and checks a vault policy; `origin` names it in errors.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) naming `origin:line: field`.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self> {
        let line = |off: usize| text[..off.min(text.len())].matches('\n').count() + 1;
        let err = |off: usize, field: &str, msg: &str| {
            Error::config_at(origin, Some(line(off)), field, msg)
        };
        let raw: RawPolicy = toml::from_str(text)
            .map_err(|e| Error::toml_at(origin, e.span().map(|s| line(s.start)), &e))?;
        let mut roles = BTreeMap::new();
        for (name, r) in raw.roles {
            let mut reveal = BTreeMap::new();
            for (k, v) in r.reveal {
                let e = Entity::parse(k.get_ref()).ok_or_else(|| {
                    err(
                        k.span().start,
                        "reveal",
                        &format!("malformed entity name {:?}", k.get_ref()),
                    )
                })?;
                let level = match v.get_ref().as_str() {
                    "full" => Reveal::Full,
                    "last4" => Reveal::Last4,
                    "none" => Reveal::None,
                    other => {
                        return Err(err(
                            v.span().start,
                            "reveal",
                            &format!("unknown level {other:?}; expected full, last4 or none"),
                        ));
                    }
                };
                reveal.insert(e, level);
            }
            roles.insert(
                name,
                Role {
                    purpose_required: r.purpose_required,
                    tokenize: r.tokenize,
                    reveal,
                },
            );
        }
        let mut principals = Vec::new();
        for p in raw.principals {
            let hash = data_encoding::HEXLOWER_PERMISSIVE
                .decode(p.key_sha256.get_ref().as_bytes())
                .ok()
                .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
                .ok_or_else(|| {
                    err(
                        p.key_sha256.span().start,
                        "key_sha256",
                        "must be 64 hex digits (see `velum vault hash-key`)",
                    )
                })?;
            for r in &p.roles {
                if !roles.contains_key(r.get_ref()) {
                    return Err(err(
                        r.span().start,
                        "roles",
                        &format!("unknown role {:?}", r.get_ref()),
                    ));
                }
            }
            if principals
                .iter()
                .any(|(q, _): &(Principal, _)| q.name == *p.name.get_ref())
            {
                return Err(err(p.name.span().start, "name", "principal defined twice"));
            }
            // The hash of the empty key would let an empty VELUM_API_KEY in; a hash held by
            // two principals would make the last one win silently.
            if hash == <[u8; 32]>::from(Sha256::digest(b"")) {
                return Err(err(
                    p.key_sha256.span().start,
                    "key_sha256",
                    "is the hash of the empty key: give each principal a real key",
                ));
            }
            if principals.iter().any(|(_, h)| *h == hash) {
                return Err(err(
                    p.key_sha256.span().start,
                    "key_sha256",
                    "held by another principal too: give each principal its own key",
                ));
            }
            principals.push((
                Principal {
                    name: p.name.into_inner(),
                    roles: p.roles.into_iter().map(Spanned::into_inner).collect(),
                },
                hash,
            ));
        }
        Ok(Self { roles, principals })
    }

    /// Reads a vault policy file.
    ///
    /// # Errors
    /// As [`VaultPolicy::from_toml_str`]; an unreadable file is a configuration error too.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config(format!("vault policy {}: cannot read: {e}", path.display()))
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// A principal named `name` with those of `roles` the policy defines (others are
    /// ignored): how an identity provider's token, whose roles claim names roles, becomes a
    /// principal. `None` when it names none of them.
    ///
    /// # Example
    /// ```
    /// let p = velum::vault::VaultPolicy::from_toml_str("[roles.fraud]\ntokenize = true\n", "p")?;
    /// let who = p.principal_with_roles("jwt:u1", &["fraud".into(), "admin".into()]).unwrap();
    /// assert!(p.may_tokenize(&who));
    /// assert!(p.principal_with_roles("jwt:u2", &["admin".into()]).is_none());
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn principal_with_roles(&self, name: &str, roles: &[String]) -> Option<Principal> {
        let known: Vec<String> = roles
            .iter()
            .filter(|r| self.roles.contains_key(r.as_str()))
            .cloned()
            .collect();
        (!known.is_empty()).then(|| Principal {
            name: name.to_owned(),
            roles: known,
        })
    }

    /// The principal whose key this is. Every stored hash is compared, in constant time.
    pub fn authenticate(&self, api_key: &[u8]) -> Option<&Principal> {
        let h: [u8; 32] = Sha256::digest(api_key).into();
        let mut found = None;
        for (p, stored) in &self.principals {
            if bool::from(stored.ct_eq(&h)) {
                found = Some(p);
            }
        }
        found
    }

    /// Whether `p` may make tokens (through `velum vault serve`): a tokeniser is an oracle
    /// that confirms guesses of a value, so it is granted per role (`tokenize = true`).
    pub fn may_tokenize(&self, p: &Principal) -> bool {
        p.roles
            .iter()
            .filter_map(|r| self.roles.get(r))
            .any(|r| r.tokenize)
    }

    /// The entity types `p` may see something of, each with whether a purpose is required
    /// for it (see [`VaultPolicy::reveal`]).
    ///
    /// # Example
    /// ```
    /// use velum::{Entity, vault::{hash_api_key, VaultPolicy}};
    /// let p = VaultPolicy::from_toml_str(&format!(
    ///     "[roles.r]\npurpose_required = true\nreveal = {{ EMAIL = \"full\", US_SSN = \"none\" }}\n\
    ///      [[principals]]\nname = \"a\"\nkey_sha256 = \"{}\"\nroles = [\"r\"]\n",
    ///     hash_api_key(b"k")), "inline")?;
    /// let who = p.authenticate(b"k").unwrap();
    /// assert_eq!(p.revealable(who), [(Entity::EMAIL, true)]);
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn revealable(&self, p: &Principal) -> Vec<(Entity, bool)> {
        let mut types: Vec<Entity> = p
            .roles
            .iter()
            .filter_map(|r| self.roles.get(r))
            .flat_map(|r| r.reveal.keys().copied())
            .collect();
        types.sort_unstable();
        types.dedup();
        types
            .into_iter()
            .filter_map(|e| match self.reveal(p, e) {
                (Reveal::None, _) => None,
                (_, purpose) => Some((e, purpose)),
            })
            .collect()
    }

    /// What `p` may see of `entity` (the most any of its roles allows), and whether a purpose
    /// is required for it.
    pub fn reveal(&self, p: &Principal, entity: Entity) -> (Reveal, bool) {
        let mut best = Reveal::None;
        let mut purpose = false;
        for r in p.roles.iter().filter_map(|r| self.roles.get(r)) {
            let lvl = r.reveal.get(&entity).copied().unwrap_or(Reveal::None);
            if lvl > best {
                best = lvl;
                purpose = r.purpose_required;
            } else if lvl == best && lvl != Reveal::None {
                purpose &= r.purpose_required;
            }
        }
        (best, purpose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> VaultPolicy {
        let text = format!(
            "[roles.support]\npurpose_required = true\nreveal = {{ EMAIL = \"full\", CREDIT_CARD = \"last4\" }}\n\
             [roles.fraud]\ntokenize = true\nreveal = {{ CREDIT_CARD = \"full\" }}\n\
             [[principals]]\nname = \"alice\"\nkey_sha256 = \"{}\"\nroles = [\"support\"]\n\
             [[principals]]\nname = \"bob\"\nkey_sha256 = \"{}\"\nroles = [\"support\", \"fraud\"]\n",
            hash_api_key(b"alice-key"),
            hash_api_key(b"bob-key")
        );
        VaultPolicy::from_toml_str(&text, "v.toml").unwrap()
    }

    #[test]
    fn authenticate_and_authorise() {
        let p = policy();
        assert!(p.authenticate(b"wrong").is_none());
        let alice = p.authenticate(b"alice-key").unwrap();
        assert_eq!(alice.name, "alice");
        assert_eq!(p.reveal(alice, Entity::EMAIL), (Reveal::Full, true));
        assert_eq!(p.reveal(alice, Entity::CREDIT_CARD), (Reveal::Last4, true));
        assert_eq!(p.reveal(alice, Entity::US_SSN).0, Reveal::None);
        let bob = p.authenticate(b"bob-key").unwrap();
        assert_eq!(p.reveal(bob, Entity::CREDIT_CARD), (Reveal::Full, false));
        assert!(p.may_tokenize(bob));
        assert!(!p.may_tokenize(alice));
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = VaultPolicy::from_toml_str("[roles.x]\nreveal = { EMAIL = \"most\" }\n", "v.toml")
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("v.toml:2: reveal: unknown level \"most\""),
            "{e}"
        );
        let e = VaultPolicy::from_toml_str(
            "[[principals]]\nname = \"a\"\nkey_sha256 = \"abc\"\nroles = []\n",
            "v.toml",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("v.toml:3: key_sha256:"), "{e}");
        let e = VaultPolicy::from_toml_str(
            &format!(
                "[[principals]]\nname = \"a\"\nkey_sha256 = \"{}\"\nroles = [\"nope\"]\n",
                hash_api_key(b"k")
            ),
            "v.toml",
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("v.toml:4: roles: unknown role"),
            "{e}"
        );
    }

    /// Issue 16: the empty key's hash, and one hash for two principals, are refused.
    #[test]
    fn empty_and_shared_key_hashes_are_refused() {
        let one = |name: &str, key: &[u8]| {
            format!(
                "[[principals]]\nname = \"{name}\"\nkey_sha256 = \"{}\"\nroles = []\n",
                hash_api_key(key)
            )
        };
        let e = VaultPolicy::from_toml_str(&one("a", b""), "v.toml").unwrap_err();
        assert!(
            e.to_string()
                .contains("v.toml:3: key_sha256: is the hash of the empty key"),
            "{e}"
        );
        let text = one("a", b"k") + &one("b", b"k");
        let e = VaultPolicy::from_toml_str(&text, "v.toml").unwrap_err();
        assert!(
            e.to_string()
                .contains("v.toml:7: key_sha256: held by another"),
            "{e}"
        );
        assert!(VaultPolicy::from_toml_str(&(one("a", b"k") + &one("b", b"j")), "v").is_ok());
    }
}
