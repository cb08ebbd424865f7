//! The vault: the only module that touches key material. It owns the keyring, the token
//! codec, authorisation and the audit log. Detokenisation is behind an explicit door
//! ([`Vault::detokenize_stream`]) that needs an authenticated [`Principal`], and every
//! decision is audited before any value is released.
//!
//! # Example
//! ```
//! use velum::vault::{hash_api_key, verify_audit, AuditLog, AuditVerdict, Vault, VaultPolicy};
//! use velum::{Keyring, Policy, Redactor};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let keys = dir.path().join("keys.json");
//! Keyring::generate()?.save(&keys)?;
//! let tokens = Redactor::with_keyring(&Policy::default().tokenize_all(), Keyring::load(&keys)?)?
//!     .redact(b"mail jane@example.com\n")
//!     .into_owned();
//!
//! let policy = VaultPolicy::from_toml_str(&format!(
//!     "[roles.r]\nreveal = {{ EMAIL = \"full\" }}\n[[principals]]\nname = \"p\"\nkey_sha256 = \"{}\"\nroles = [\"r\"]\n",
//!     hash_api_key(b"secret"),
//! ), "inline")?;
//! let audit_path = dir.path().join("audit.jsonl");
//! let mut audit = AuditLog::open(&audit_path, &Keyring::load(&keys)?)?;
//! let vault = Vault::new(Keyring::load(&keys)?, policy);
//! let who = vault.authenticate(b"secret").unwrap().clone();
//! let mut out = Vec::new();
//! vault.detokenize_stream(&who, None, &mut audit, &tokens[..], &mut out)?;
//! assert_eq!(out, b"mail jane@example.com\n");
//! assert!(matches!(verify_audit(&audit_path, &Keyring::load(&keys)?)?, AuditVerdict::Intact { records: 1, .. }));
//! # Ok::<(), velum::Error>(())
//! ```

pub(crate) mod audit;
pub(crate) mod authz;
pub(crate) mod codec;
pub(crate) mod hsm;
pub(crate) mod keyring;
#[cfg(feature = "oidc")]
pub(crate) mod oidc;
pub(crate) mod sealed;

use std::io::{BufRead, Write};

use regex_automata::meta::Regex;
use zeroize::Zeroizing;

pub use audit::{
    Alert, AuditLog, AuditWatcher, Repair as AuditRepair, Verdict as AuditVerdict, WatchConfig,
    follow_log, repair as repair_audit, synthetic_log, verify as verify_audit,
};
pub use authz::{Principal, Reveal, VaultPolicy, hash_api_key};
pub use hsm::{HsmKey, make_hsm_key};
pub use keyring::{KeyState, Keyring};
#[cfg(feature = "oidc")]
pub use oidc::{Claims, JwksSource, JwtConfig, OidcVerifier};
pub use sealed::{DEFAULT_COST, KdfCost, Protection, Unlock, new_identity};

use crate::error::{Error, Result};
use crate::span::Entity;
use audit::{Audit, Decision};
use codec::{Codec, OpenError};

/// Counts of what a detokenise or retokenise pass did (see the [module example](self)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenStats {
    /// Tokens replaced by their full value (detokenize) or re-made under the active key
    /// (retokenize).
    pub revealed: u64,
    /// Tokens replaced by a partial value.
    pub partial: u64,
    /// Tokens left because the principal may not see that type (or gave no purpose).
    pub denied: u64,
    /// Of [`TokenStats::denied`], those the principal could see with a purpose.
    pub no_purpose: u64,
    /// Tokens left because they are forged, tampered or malformed.
    pub invalid: u64,
    /// Tokens left because their key is unknown or retired.
    pub unavailable: u64,
}

impl TokenStats {
    /// The sum of two counts.
    pub fn add(&self, o: &Self) -> Self {
        Self {
            revealed: self.revealed + o.revealed,
            partial: self.partial + o.partial,
            denied: self.denied + o.denied,
            no_purpose: self.no_purpose + o.no_purpose,
            invalid: self.invalid + o.invalid,
            unavailable: self.unavailable + o.unavailable,
        }
    }

    /// Tokens left unchanged.
    pub fn left(&self) -> u64 {
        self.denied + self.invalid + self.unavailable
    }
}

/// Most characters the purpose of a detokenisation may have: it is written into the audit
/// record of every decision it covers, so its size bounds what one request adds to the log.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// Checks the purpose given for a detokenisation: at most [`MAX_PURPOSE_CHARS`] characters,
/// none of them a control character (a newline, an escape). The reason is fixed text; it
/// never quotes the purpose.
///
/// # Example
/// ```
/// use velum::vault::check_purpose;
/// assert!(check_purpose("ticket 4411: customer asked for a refund").is_ok());
/// assert!(check_purpose(&"x".repeat(10_000)).is_err());
/// assert!(check_purpose("line\nbreak").is_err());
/// ```
///
/// # Errors
/// The reason the purpose is refused.
pub fn check_purpose(purpose: &str) -> std::result::Result<(), &'static str> {
    if purpose.chars().nth(MAX_PURPOSE_CHARS).is_some() {
        return Err("longer than 200 characters");
    }
    if purpose.chars().any(char::is_control) {
        return Err("holds a control character (only printable text is kept in the audit log)");
    }
    Ok(())
}

/// Finds token-shaped words: `VLM_<ENTITY>_K<id>_<payload>` standing alone.
pub(crate) struct Finder(Regex);

impl Finder {
    /// The finder (one compiled pattern).
    pub(crate) fn new() -> Self {
        Self(Regex::new(r"VLM_[A-Z][A-Z0-9_]*_K[0-9]+_[a-z2-7]+").expect("token regex"))
    }

    /// Calls `f` with the span of each token in `line`.
    pub(crate) fn each(&self, line: &[u8], mut f: impl FnMut(usize, usize)) {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        for m in self.0.find_iter(line) {
            let (s, e) = (m.start(), m.end());
            if (s > 0 && word(line[s - 1])) || (e < line.len() && word(line[e])) {
                continue;
            }
            f(s, e);
        }
    }
}

fn last4(v: &[u8]) -> Vec<u8> {
    let n = v.iter().filter(|b| b.is_ascii_alphanumeric()).count();
    let mut seen = 0;
    v.iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() {
                seen += 1;
                if seen + 4 > n && n > 4 { b } else { b'*' }
            } else {
                b
            }
        })
        .collect()
}

/// What a principal may do with a token, before it is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// Not a token.
    Malformed,
    /// The principal may not see this type (or gave no purpose); the audit outcome.
    Denied(Entity, &'static str),
    /// The principal may see this much of this type.
    Allowed(Entity, Reveal),
}

/// What one token decision releases.
#[derive(Debug)]
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) enum Opened {
    /// The whole value.
    Revealed(Zeroizing<Vec<u8>>),
    /// The value with all but its last four letters or digits masked.
    Partial(Zeroizing<Vec<u8>>),
    /// Nothing: not authorised; `why` is the audit outcome.
    Denied { why: &'static str },
    /// Nothing: forged, tampered or malformed.
    Invalid,
    /// Nothing: the key is unknown or retired.
    Unavailable,
}

/// A keyring with a vault policy: turns tokens back into values for authorised principals
/// (see the [module example](self)).
#[derive(Debug)]
pub struct Vault {
    keyring: Keyring,
    policy: VaultPolicy,
}

impl Vault {
    /// A vault over a keyring and a vault policy.
    pub fn new(keyring: Keyring, policy: VaultPolicy) -> Self {
        Self { keyring, policy }
    }

    /// The principal holding `api_key`, if any.
    pub fn authenticate(&self, api_key: &[u8]) -> Option<&Principal> {
        self.policy.authenticate(api_key)
    }

    /// A principal from an OAuth 2.0 / OIDC bearer token checked by `verifier`: `jwt:SUB`,
    /// with the roles its roles claim names that the vault policy defines. A token refused
    /// (its reason says which check failed, never its content) or naming no role is
    /// recorded in `audit` as `unauthenticated`, on disk before this returns.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when the audit record cannot be written.
    #[cfg(feature = "oidc")]
    pub fn authenticate_token(
        &self,
        verifier: &OidcVerifier,
        token: &[u8],
        audit: &mut AuditLog,
    ) -> Result<std::result::Result<Principal, &'static str>> {
        let found = verifier
            .verify(token, crate::time::unix_now())
            .and_then(|c| {
                self.policy
                    .principal_with_roles(&format!("jwt:{}", c.subject), &c.roles)
                    .ok_or("the token's roles claim names no role of the vault policy")
            });
        if found.is_err() {
            audit.record(&Decision::refused_key("unauthenticated"));
            audit.commit()?;
        }
        Ok(found)
    }

    /// [`Vault::authenticate`], with a key that is not recognised recorded in `audit` (as
    /// the service records a 401: outcome `unauthenticated`, principal `-`) and on disk
    /// before this returns.
    ///
    /// # Example
    /// ```
    /// use velum::vault::{AuditLog, Keyring, Vault, VaultPolicy};
    /// let dir = tempfile::tempdir()?;
    /// let log = dir.path().join("audit.jsonl");
    /// let keyring = Keyring::generate()?;
    /// let mut audit = AuditLog::open(&log, &keyring)?;
    /// let vault = Vault::new(keyring, VaultPolicy::from_toml_str("", "policy")?);
    /// assert!(vault.authenticate_audited(b"guess", &mut audit)?.is_none());
    /// assert!(std::fs::read_to_string(&log)?.contains("\"outcome\":\"unauthenticated\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when the refusal cannot be written.
    pub fn authenticate_audited(
        &self,
        api_key: &[u8],
        audit: &mut AuditLog,
    ) -> Result<Option<&Principal>> {
        let found = self.authenticate(api_key);
        if found.is_none() {
            audit.record(&Decision::refused_key("unauthenticated"));
            audit.commit()?;
        }
        Ok(found)
    }

    /// Fails when `principal` could release nothing whatever the tokens: its roles reveal no
    /// type, or every type they reveal needs a purpose and `purpose` is none. The message
    /// names what is missing (a role, or the purpose); checked before any input is read.
    ///
    /// # Example
    /// ```
    /// use velum::vault::{hash_api_key, Keyring, Vault, VaultPolicy};
    /// let policy = VaultPolicy::from_toml_str(&format!(
    ///     "[roles.r]\npurpose_required = true\nreveal = {{ EMAIL = \"full\" }}\n\
    ///      [[principals]]\nname = \"a\"\nkey_sha256 = \"{}\"\nroles = [\"r\"]\n",
    ///     hash_api_key(b"k")), "inline")?;
    /// let vault = Vault::new(Keyring::generate()?, policy);
    /// let who = vault.authenticate(b"k").unwrap().clone();
    /// let e = vault.check_can_release(&who, None).unwrap_err();
    /// assert!(e.to_string().contains("--purpose"));
    /// assert!(vault.check_can_release(&who, Some("ticket 7")).is_ok());
    /// # Ok::<(), velum::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config), naming the principal and what to give.
    pub fn check_can_release(&self, principal: &Principal, purpose: Option<&str>) -> Result<()> {
        let types = self.policy.revealable(principal);
        if types.is_empty() {
            return Err(Error::config(format!(
                "principal `{}`: its roles reveal no entity type, so nothing can be released; \
                 a role with `reveal = {{ TYPE = \"full\" }}` in the vault policy is needed",
                principal.name
            )));
        }
        let given = purpose.is_some_and(|p| !p.trim().is_empty());
        if !given && types.iter().all(|&(_, needs)| needs) {
            return Err(Error::config(format!(
                "principal `{}`: its roles release values only with a purpose (the reason, \
                 written into the audit log): give --purpose \"...\" (purpose= in Python)",
                principal.name
            )));
        }
        Ok(())
    }

    /// What `principal` may do with `token` (with `purpose`), before anything is opened.
    pub(crate) fn check(&self, principal: &Principal, purpose: Option<&str>, token: &str) -> Check {
        let Some(parts) = codec::parse_known(token) else {
            return Check::Malformed;
        };
        let (level, needs_purpose) = self.policy.reveal(principal, parts.entity);
        if level == Reveal::None {
            Check::Denied(parts.entity, "denied")
        } else if needs_purpose && purpose.is_none_or(|p| p.trim().is_empty()) {
            Check::Denied(parts.entity, "denied_no_purpose")
        } else {
            Check::Allowed(parts.entity, level)
        }
    }

    /// Decides on one token for `principal`, records the decision in `audit` (not yet
    /// committed: the caller commits before releasing anything) and returns its entity type
    /// (when the token parses) and what may be released.
    pub(crate) fn open_token(
        &self,
        principal: &Principal,
        purpose: Option<&str>,
        audit: &mut impl Audit,
        token: &str,
    ) -> (Option<Entity>, Opened) {
        let key_id = codec::parse_known(token).map_or(0, |p| p.key_id);
        let mut decide = |entity: Option<Entity>, outcome: &str| {
            audit.record(&Decision {
                principal: &principal.name,
                purpose,
                entity: entity.map_or("?", Entity::name),
                token,
                key_id,
                outcome,
            });
        };
        let (entity, level) = match self.check(principal, purpose, token) {
            Check::Malformed => {
                decide(None, OpenError::Malformed.as_str());
                return (None, Opened::Invalid);
            }
            Check::Denied(entity, why) => {
                decide(Some(entity), why);
                return (Some(entity), Opened::Denied { why });
            }
            Check::Allowed(entity, level) => (entity, level),
        };
        let codec = Codec {
            keyring: &self.keyring,
        };
        let opened = match codec.open(token) {
            Ok((_, value)) if level == Reveal::Full => {
                decide(Some(entity), "revealed");
                Opened::Revealed(value)
            }
            Ok((_, value)) => {
                decide(Some(entity), "revealed_last4");
                Opened::Partial(Zeroizing::new(last4(&value)))
            }
            Err(err) => {
                decide(Some(entity), err.as_str());
                match err {
                    OpenError::UnknownKey | OpenError::RetiredKey => Opened::Unavailable,
                    _ => Opened::Invalid,
                }
            }
        };
        (Some(entity), opened)
    }

    /// The vault policy.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn policy(&self) -> &VaultPolicy {
        &self.policy
    }

    /// The keyring.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Replaces, line by line, each token that `principal` may see with its value (in full or
    /// in part), leaving the others as they are. Every decision is written to `audit` and
    /// flushed to disk before the line that releases a value is written.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) on a read or audit failure (nothing more is
    /// released); [`ErrorKind::Output`](crate::ErrorKind::Output) on a write failure.
    pub fn detokenize_stream<R: BufRead, W: Write>(
        &self,
        principal: &Principal,
        purpose: Option<&str>,
        audit: &mut AuditLog,
        reader: R,
        writer: W,
    ) -> Result<TokenStats> {
        self.detokenize_with(principal, purpose, audit, reader, writer)
    }

    /// [`Vault::detokenize_stream`] over any audit sink.
    pub(crate) fn detokenize_with<R: BufRead, W: Write>(
        &self,
        principal: &Principal,
        purpose: Option<&str>,
        audit: &mut impl Audit,
        reader: R,
        writer: W,
    ) -> Result<TokenStats> {
        let mut state = (audit, TokenStats::default());
        rewrite_token_lines(
            reader,
            writer,
            &mut state,
            |(audit, stats), token, out| match self
                .open_token(principal, purpose, &mut **audit, token)
                .1
            {
                Opened::Revealed(v) => {
                    stats.revealed += 1;
                    out.extend_from_slice(&v);
                }
                Opened::Partial(v) => {
                    stats.partial += 1;
                    out.extend_from_slice(&v);
                }
                left => {
                    match left {
                        Opened::Denied { why } => {
                            stats.denied += 1;
                            stats.no_purpose += u64::from(why == "denied_no_purpose");
                        }
                        Opened::Unavailable => stats.unavailable += 1,
                        _ => stats.invalid += 1,
                    }
                    out.extend_from_slice(token.as_bytes());
                }
            },
            // The audit records reach the disk before the values they cover are written.
            |st| st.0.commit(),
        )?;
        Ok(state.1)
    }
}

/// Rewrites tokens made by older keys under the keyring's active key; everything else is
/// copied unchanged. No value leaves the process.
///
/// # Errors
/// As [`Vault::detokenize_stream`], without the audit.
///
/// # Example
/// ```
/// use velum::{Keyring, Policy, Redactor};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("k.json");
/// Keyring::generate()?.save(&path)?;
/// let old = Redactor::with_keyring(&Policy::default().tokenize_all(), Keyring::load(&path)?)?
///     .redact(b"jane@example.com").into_owned();
/// let mut keys = Keyring::load(&path)?;
/// keys.rotate()?;
/// let mut out = Vec::new();
/// let stats = velum::vault::retokenize_stream(&keys, &old[..], &mut out)?;
/// assert_eq!(stats.revealed, 1);
/// assert!(out.starts_with(b"VLM_EMAIL_K2_"));
/// # Ok::<(), velum::Error>(())
/// ```
pub fn retokenize_stream<R: BufRead, W: Write>(
    keyring: &Keyring,
    reader: R,
    writer: W,
) -> Result<TokenStats> {
    let codec = Codec { keyring };
    let active = keyring.active_id();
    let mut stats = TokenStats::default();
    rewrite_token_lines(
        reader,
        writer,
        &mut stats,
        |stats, token, out| match codec.open(token) {
            Ok((parts, _)) if parts.key_id == active => out.extend_from_slice(token.as_bytes()),
            Ok((parts, value)) => {
                stats.revealed += 1;
                out.extend_from_slice(codec.seal(parts.entity, &value).as_bytes());
            }
            Err(OpenError::UnknownKey | OpenError::RetiredKey) => {
                stats.unavailable += 1;
                out.extend_from_slice(token.as_bytes());
            }
            Err(_) => {
                stats.invalid += 1;
                out.extend_from_slice(token.as_bytes());
            }
        },
        |_| Ok(()),
    )?;
    Ok(stats)
}

/// The most bytes read as one piece of a line by [`rewrite_token_lines`].
const MAX_PIECE: usize = 1 << 20;

/// The line loop shared by detokenize and retokenize: reads `reader` line by line, copies
/// everything but tokens, lets `on_token` write each token's replacement, runs `before_write`
/// (the audit commit) and only then writes the line; flushes when the input has nothing more
/// ready. `state` is handed to both callbacks. Output buffers are zeroized (they may hold
/// revealed values). A line longer than [`MAX_PIECE`] is read in pieces cut between words.
fn rewrite_token_lines<R: BufRead, W: Write, A>(
    mut reader: R,
    mut writer: W,
    state: &mut A,
    mut on_token: impl FnMut(&mut A, &str, &mut Vec<u8>),
    mut before_write: impl FnMut(&mut A) -> Result<()>,
) -> Result<()> {
    let finder = Finder::new();
    let mut line = Vec::new();
    // The word a cut piece ended in, carried to the next piece (it may be a token's start).
    let mut carry = Vec::new();
    let mut out = Zeroizing::new(Vec::new());
    loop {
        line.clear();
        line.append(&mut carry);
        let n = std::io::Read::take(&mut reader, MAX_PIECE as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io("reading input", e))?;
        if n == 0 && line.is_empty() {
            break;
        }
        // A line longer than a piece is read a piece at a time, each cut after its last byte
        // that no token holds: memory stays bounded whatever the input.
        if n == MAX_PIECE && line.last() != Some(&b'\n') {
            let token_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
            if let Some(p) = line.iter().rposition(|b| !token_byte(b)) {
                carry.extend_from_slice(&line[p + 1..]);
                line.truncate(p + 1);
            }
        }
        out.clear();
        let mut at = 0;
        finder.each(&line, |s, e| {
            out.extend_from_slice(&line[at..s]);
            at = e;
            let token = std::str::from_utf8(&line[s..e]).expect("the token regex is ASCII");
            on_token(state, token, &mut out);
        });
        out.extend_from_slice(&line[at..]);
        before_write(state)?;
        writer.write_all(&out).map_err(Error::output)?;
        if reader.fill_buf().map(<[u8]>::is_empty).unwrap_or(true) {
            writer.flush().map_err(Error::output)?;
        }
    }
    writer.flush().map_err(Error::output)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vault whose one principal (API key `k`) may see e-mail addresses in full, with its
    /// audit log in a temporary directory.
    fn email_vault(keyring: Keyring) -> (Vault, Principal, AuditLog, tempfile::TempDir) {
        let policy = VaultPolicy::from_toml_str(
            &format!(
                "[roles.r]\nreveal = {{ EMAIL = \"full\" }}\n[[principals]]\nname = \"p\"\nkey_sha256 = \"{}\"\nroles = [\"r\"]\n",
                hash_api_key(b"k")
            ),
            "inline",
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let audit = AuditLog::open(dir.path().join("audit.jsonl"), &keyring).unwrap();
        let vault = Vault::new(keyring, policy);
        let who = vault.authenticate(b"k").unwrap().clone();
        (vault, who, audit, dir)
    }

    /// Issue 16: token-shaped words of types no loaded policy names, in the text form of a
    /// detokenisation, are left as they are and add no entity name to the process.
    #[test]
    fn made_up_types_are_not_kept() {
        let (vault, who, mut audit, _dir) = email_vault(Keyring::generate().unwrap());
        let text = format!("a VLM_MADE_UP_TYPE_ZQX_K1_{} b\n", "a".repeat(40));
        let mut out = Vec::new();
        let stats = vault
            .detokenize_with(&who, None, &mut audit, text.as_bytes(), &mut out)
            .unwrap();
        assert_eq!(out, text.as_bytes());
        assert_eq!(stats.invalid, 1);
        assert!(Entity::lookup("MADE_UP_TYPE_ZQX").is_none());
    }

    /// Issue 24: detokenize read whole lines (a line of any length held in memory). Pieces
    /// of a long line are cut between words: every token is still found, at any place.
    #[test]
    fn a_long_line_is_read_in_pieces_and_no_token_is_cut() {
        let keyring = Keyring::generate().unwrap();
        let token = keyring.tokenize_value(Entity::EMAIL, b"jane@example.com");
        let (vault, who, mut audit, _dir) = email_vault(keyring);
        // Tokens straddling each piece boundary, among 3 MiB of words, and one long run of
        // word bytes that holds no token.
        let mut text = Vec::new();
        let mut placed = 0;
        for piece in 1..=3 {
            while text.len() + token.len() / 2 < piece * MAX_PIECE {
                text.extend_from_slice(b"word ");
            }
            text.extend_from_slice(token.as_bytes());
            text.push(b' ');
            placed += 1;
        }
        text.extend(std::iter::repeat_n(b'x', MAX_PIECE + 10));
        text.extend_from_slice(b" end\n");
        let mut out = Vec::new();
        let stats = vault
            .detokenize_with(&who, None, &mut audit, &text[..], &mut out)
            .unwrap();
        assert_eq!(stats.revealed, placed);
        let expected = String::from_utf8(text)
            .unwrap()
            .replace(&token, "jane@example.com");
        assert!(out == expected.as_bytes(), "the output differs");
    }

    #[test]
    fn last4_masks_all_but_four() {
        assert_eq!(last4(b"4111111111111111"), b"************1111");
        assert_eq!(last4(b"+12015550123"), b"+*******0123");
        assert_eq!(last4(b"abc"), b"***");
    }

    #[test]
    fn finder_needs_standalone_tokens() {
        let f = Finder::new();
        let mut got = Vec::new();
        let t = "VLM_EMAIL_K1_abcdefghijklmnopqrstuvwxyz2345";
        let line = format!("a {t}, x{t} \"{t}\"");
        f.each(line.as_bytes(), |s, e| got.push((s, e)));
        assert_eq!(got.len(), 2);
    }
}
