//! Tokens and keyed hashes.
//!
//! A token is AES-256-GCM-SIV, used as deterministic authenticated encryption (fixed nonce;
//! GCM-SIV derives its IV from the message, so equal values give equal tokens and nothing
//! else leaks), under a per-entity subkey `HMAC-SHA256(master, "velum/v1/token/" + ENTITY)`,
//! with `"velum/v1|" + ENTITY + "|" + key id` as associated data: a token moved to another
//! type or key id fails to open, and a subkey handed out for one type opens no other.
//!
//! ```text
//! token   = "VLM_" entity "_K" key-id "_" payload
//! hash    = "VLMH_" entity "_K" key-id "_" digest
//! entity  = [A-Z] [A-Z0-9_]*            ; the entity name
//! key-id  = [1-9] [0-9]*                ; the keyring key that made it
//! payload = [a-z2-7]{28,}               ; base32 (RFC 4648, lower case, unpadded) of
//!                                       ;   ciphertext || 16-byte tag
//! digest  = [a-z2-7]{26}                ; base32 of the first 16 bytes of an HMAC-SHA256
//! ```
//!
//! The plaintext is the canonical value, packed: a format byte, then either the bytes
//! themselves (`0x00`) or, for all-digit values, two digits per byte (`0x01`; an odd count
//! ends with nibble `0xF`). A 16-digit card makes a 40-character payload.

use aes_gcm_siv::Aes256GcmSiv;
use aes_gcm_siv::aead::array::Array;
use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::keyring::{KeyState, Keyring, SecretKey};
use crate::span::Entity;

const BASE32: data_encoding::Encoding = data_encoding::BASE32_NOPAD;
const NONCE: [u8; 12] = [0; 12];
/// Shortest payload: a format byte and the 16-byte tag.
pub(crate) const MIN_PAYLOAD: usize = 28;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// `HMAC-SHA256(master, label + entity)`, as a secret.
fn subkey(master: &SecretKey, label: &str, entity: Entity) -> SecretKey {
    SecretKey::from_bytes(hmac(
        master.bytes(),
        &[label.as_bytes(), entity.name().as_bytes()],
    ))
}

fn aad(entity: Entity, key_id: u32) -> Vec<u8> {
    format!("velum/v1|{}|{key_id}", entity.name()).into_bytes()
}

fn lower_base32(b: &[u8]) -> String {
    BASE32.encode(b).to_ascii_lowercase()
}

fn pack(value: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(value.len() / 2 + 2));
    if !value.is_empty() && value.iter().all(u8::is_ascii_digit) {
        out.push(0x01);
        for pair in value.chunks(2) {
            let hi = pair[0] - b'0';
            let lo = pair.get(1).map_or(0x0F, |d| d - b'0');
            out.push(hi << 4 | lo);
        }
    } else {
        out.push(0x00);
        out.extend_from_slice(value);
    }
    out
}

fn unpack(p: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (&flag, body) = p.split_first()?;
    let mut out = Zeroizing::new(Vec::with_capacity(body.len() * 2));
    match flag {
        0x00 => out.extend_from_slice(body),
        0x01 => {
            for (i, &b) in body.iter().enumerate() {
                let (hi, lo) = (b >> 4, b & 0x0F);
                if hi > 9 {
                    return None;
                }
                out.push(b'0' + hi);
                match lo {
                    0..=9 => out.push(b'0' + lo),
                    0x0F if i + 1 == body.len() => {}
                    _ => return None,
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

/// A parsed token (or hash): its parts, before any decryption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TokenParts<'a> {
    pub(crate) entity: Entity,
    pub(crate) key_id: u32,
    pub(crate) payload: &'a str,
}

/// Splits `VLM_<ENTITY>_K<id>_<payload>`; `None` when the text is not shaped like a token.
pub(crate) fn parse(token: &str) -> Option<TokenParts<'_>> {
    parse_with(token, Entity::parse)
}

/// As [`parse`], but `None` also when the entity name is new to this process: for tokens to
/// be opened, whose made-up type names (from a caller of the service, in a text form too) must
/// not be kept. No role can reveal a type no loaded policy names, so nothing is lost.
pub(crate) fn parse_known(token: &str) -> Option<TokenParts<'_>> {
    parse_with(token, Entity::lookup)
}

fn parse_with(token: &str, entity_of: fn(&str) -> Option<Entity>) -> Option<TokenParts<'_>> {
    let rest = token.strip_prefix("VLM_")?;
    let (head, payload) = rest.rsplit_once('_')?;
    let (entity, kid) = head.rsplit_once('_')?;
    let key_id: u32 = kid.strip_prefix('K')?.parse().ok().filter(|&k| k > 0)?;
    if kid.starts_with("K0")
        || payload.len() < MIN_PAYLOAD
        || !payload
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7'))
    {
        return None;
    }
    Some(TokenParts {
        entity: entity_of(entity)?,
        key_id,
        payload,
    })
}

/// Why a token did not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// Not a well-formed token.
    Malformed,
    /// Made by a key this keyring does not hold.
    UnknownKey,
    /// Made by a retired key.
    RetiredKey,
    /// Authentication failed: tampered, or moved to another type or key id.
    Invalid,
}

impl OpenError {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::UnknownKey => "unknown_key",
            Self::RetiredKey => "retired_key",
            Self::Invalid => "invalid",
        }
    }
}

/// Tokens made straight from a keyring: the codec's, so that the keyring need not know it.
impl Keyring {
    /// The token of a value of a known type (a typed column, a form field), under the
    /// active key, without scanning. The value is canonicalised first, as `tokenize` does.
    ///
    /// # Example
    /// ```
    /// use velum::{Entity, Keyring};
    /// let k = Keyring::generate()?;
    /// let t = k.tokenize_value(Entity::CREDIT_CARD, b"4111-1111-1111-1111");
    /// assert_eq!(t, k.tokenize_value(Entity::CREDIT_CARD, b"4111 1111 1111 1111"));
    /// assert!(t.starts_with("VLM_CREDIT_CARD_K1_"));
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn tokenize_value(&self, entity: Entity, value: &[u8]) -> String {
        let regions = crate::phone::Regions::default_set();
        let canon = Zeroizing::new(canonical(entity, value, &regions));
        Codec { keyring: self }.seal(entity, &canon)
    }
}

/// Makes and opens tokens with a keyring.
pub(crate) struct Codec<'k> {
    pub(crate) keyring: &'k Keyring,
}

impl Codec<'_> {
    /// The token of a canonical value under the active key.
    pub(crate) fn seal(&self, entity: Entity, canonical: &[u8]) -> String {
        let k = self.keyring.active();
        seal_with(&k.key, k.id, entity, canonical)
    }

    /// Opens a token, giving its entity and canonical value.
    pub(crate) fn open<'t>(
        &self,
        token: &'t str,
    ) -> Result<(TokenParts<'t>, Zeroizing<Vec<u8>>), OpenError> {
        let parts = parse(token).ok_or(OpenError::Malformed)?;
        let entry = self
            .keyring
            .get(parts.key_id)
            .ok_or(OpenError::UnknownKey)?;
        if entry.state == KeyState::Retired {
            return Err(OpenError::RetiredKey);
        }
        let ct = BASE32
            .decode(parts.payload.to_ascii_uppercase().as_bytes())
            .map_err(|_| OpenError::Invalid)?;
        let sub = subkey(&entry.key, "velum/v1/token/", parts.entity);
        let cipher = Aes256GcmSiv::new(&Array(*sub.bytes()));
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    &Array(NONCE),
                    Payload {
                        msg: &ct,
                        aad: &aad(parts.entity, parts.key_id),
                    },
                )
                .map_err(|_| OpenError::Invalid)?,
        );
        let value = unpack(&plain).ok_or(OpenError::Invalid)?;
        Ok((parts, value))
    }

    /// The keyed pseudonym of a canonical value: not reversible, stable for a key.
    pub(crate) fn hash(&self, entity: Entity, canonical: &[u8]) -> String {
        let k = self.keyring.active();
        let sub = subkey(&k.key, "velum/v1/hash/", entity);
        let d = hmac(sub.bytes(), &[canonical]);
        format!(
            "VLMH_{}_K{}_{}",
            entity.name(),
            k.id,
            lower_base32(&d[..16])
        )
    }
}

pub(crate) fn seal_with(
    master: &SecretKey,
    key_id: u32,
    entity: Entity,
    canonical: &[u8],
) -> String {
    let sub = subkey(master, "velum/v1/token/", entity);
    let cipher = Aes256GcmSiv::new(&Array(*sub.bytes()));
    let packed = pack(canonical);
    let ct = cipher
        .encrypt(
            &Array(NONCE),
            Payload {
                msg: &packed,
                aad: &aad(entity, key_id),
            },
        )
        .expect("AES-GCM-SIV encrypts any value under 64 GiB");
    format!("VLM_{}_K{key_id}_{}", entity.name(), lower_base32(&ct))
}

/// The canonical form of a value, so written variants share one token: separators dropped
/// and letters upper-cased for numbers and codes, lower case for e-mail, E.164 for phones,
/// the standard text form for IP addresses.
pub(crate) fn canonical(entity: Entity, value: &[u8], regions: &crate::phone::Regions) -> Vec<u8> {
    let alnum_upper = || {
        value
            .iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(u8::to_ascii_uppercase)
            .collect()
    };
    // The standard printed grouping, for types whose bare digits are not recognisable alone.
    let grouped = |groups: &[usize], sep: u8| -> Vec<u8> {
        let d: Vec<u8> = value
            .iter()
            .filter(|b| b.is_ascii_digit())
            .copied()
            .collect();
        if d.len() != groups.iter().sum::<usize>() {
            return d;
        }
        let mut out = Vec::with_capacity(d.len() + groups.len());
        let mut at = 0;
        for (i, g) in groups.iter().enumerate() {
            if i > 0 {
                out.push(sep);
            }
            out.extend_from_slice(&d[at..at + g]);
            at += g;
        }
        out
    };
    match entity.name() {
        "US_SSN" | "US_ITIN" => grouped(&[3, 2, 4], b'-'),
        "UK_NHS" => grouped(&[3, 3, 4], b' '),
        "CREDIT_CARD" | "IBAN" | "US_NPI" | "CA_SIN" | "AU_TFN" | "ABA_ROUTING" | "AU_MEDICARE"
        | "AU_IHI" | "SWIFT_BIC" | "UK_NINO" | "US_MBI" | "US_DEA" => alnum_upper(),
        "EMAIL" => value.to_ascii_lowercase(),
        "PHONE" => crate::phone::e164(value, regions.as_slice())
            .unwrap_or_else(|| crate::phone::as_written(value)),
        "IP_ADDRESS" => std::str::from_utf8(value)
            .ok()
            .and_then(|s| s.parse::<std::net::IpAddr>().ok())
            .map_or_else(|| value.to_vec(), |ip| ip.to_string().into_bytes()),
        "MAC_ADDRESS" => value
            .iter()
            .filter(|b| b.is_ascii_hexdigit())
            .map(u8::to_ascii_lowercase)
            .collect(),
        _ => value.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::generate().unwrap()
    }

    #[test]
    fn rfc8452_aes256_gcm_siv_known_answers() {
        // RFC 8452 Appendix C.2: key 01 00.., nonce 03 00.., no AAD.
        let mut key = [0u8; 32];
        key[0] = 1;
        let mut nonce = [0u8; 12];
        nonce[0] = 3;
        let cipher = Aes256GcmSiv::new(&Array(key));
        let ct = cipher.encrypt(&Array(nonce), &b""[..]).unwrap();
        assert_eq!(
            data_encoding::HEXLOWER.encode(&ct),
            "07f5f4169bbf55a8400cd47ea6fd400f"
        );
        let ct = cipher
            .encrypt(&Array(nonce), &[1u8, 0, 0, 0, 0, 0, 0, 0][..])
            .unwrap();
        assert_eq!(
            data_encoding::HEXLOWER.encode(&ct),
            "c2ef328e5c71c83b843122130f7364b761e0b97427e3df28"
        );
    }

    #[test]
    fn rfc4231_hmac_sha256_known_answer() {
        // RFC 4231 test case 2.
        let d = hmac(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            data_encoding::HEXLOWER.encode(&d),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn roundtrip_and_determinism() {
        let k = ring();
        let c = Codec { keyring: &k };
        for (e, v) in [
            (Entity::CREDIT_CARD, &b"4111111111111111"[..]),
            (Entity::EMAIL, b"jane@example.com"),
            (Entity::US_SSN, b"536904399"),
        ] {
            let t = c.seal(e, v);
            assert_eq!(t, c.seal(e, v), "deterministic");
            let (parts, back) = c.open(&t).unwrap();
            assert_eq!((parts.entity, back.as_slice()), (e, v));
        }
        let t = c.seal(Entity::CREDIT_CARD, b"4111111111111111");
        assert!(
            t.starts_with("VLM_CREDIT_CARD_K1_") && t.len() == "VLM_CREDIT_CARD_K1_".len() + 40,
            "{t}"
        );
    }

    #[test]
    fn any_flipped_byte_fails() {
        let k = ring();
        let c = Codec { keyring: &k };
        let t = c.seal(Entity::EMAIL, b"jane@example.com");
        let prefix = "VLM_EMAIL_K1_".len();
        for i in prefix..t.len() {
            let mut b = t.clone().into_bytes();
            b[i] = if b[i] == b'a' { b'b' } else { b'a' };
            let forged = String::from_utf8(b).unwrap();
            assert!(c.open(&forged).is_err(), "position {i}");
        }
        // Moved to another type: the subkey and the associated data differ.
        let moved = t.replacen("VLM_EMAIL_", "VLM_PERSON_", 1);
        assert_eq!(c.open(&moved).unwrap_err(), OpenError::Invalid);
    }

    #[test]
    fn subkey_of_one_type_opens_no_other() {
        let k = ring();
        let t = Codec { keyring: &k }.seal(Entity::EMAIL, b"jane@example.com");
        let payload = BASE32
            .decode(
                t.rsplit_once('_')
                    .unwrap()
                    .1
                    .to_ascii_uppercase()
                    .as_bytes(),
            )
            .unwrap();
        let wrong = subkey(&k.active().key, "velum/v1/token/", Entity::PHONE);
        let cipher = Aes256GcmSiv::new(&Array(*wrong.bytes()));
        let res = cipher.decrypt(
            &Array(NONCE),
            Payload {
                msg: &payload,
                aad: &aad(Entity::EMAIL, 1),
            },
        );
        assert!(res.is_err());
    }

    #[test]
    fn rotation_keeps_old_tokens_and_retirement_stops_them() {
        let mut k = ring();
        let old = Codec { keyring: &k }.seal(Entity::EMAIL, b"a@example.com");
        k.rotate().unwrap();
        let c = Codec { keyring: &k };
        let new = c.seal(Entity::EMAIL, b"a@example.com");
        assert!(new.contains("_K2_") && new != old);
        assert_eq!(c.open(&old).unwrap().1.as_slice(), b"a@example.com");
        k.keys[0].state = KeyState::Retired;
        assert_eq!(
            Codec { keyring: &k }.open(&old).unwrap_err(),
            OpenError::RetiredKey
        );
        let unknown = old.replacen("_K1_", "_K9_", 1);
        assert_eq!(
            Codec { keyring: &k }.open(&unknown).unwrap_err(),
            OpenError::UnknownKey
        );
    }

    #[test]
    fn packing() {
        for v in [&b"4111111111111111"[..], b"123", b"", b"0", b"a1"] {
            assert_eq!(unpack(&pack(v)).unwrap().as_slice(), v);
        }
        assert!(unpack(&[0x01, 0xAF]).is_none());
        assert!(unpack(&[0x07]).is_none());
    }

    #[test]
    fn parse_grammar() {
        let p = parse("VLM_CREDIT_CARD_K12_abcdefghijklmnopqrstuvwxyz234567").unwrap();
        assert_eq!((p.entity, p.key_id), (Entity::CREDIT_CARD, 12));
        for bad in [
            "VLM_EMAIL_K0_abcdefghijklmnopqrstuvwxyz2345",
            "VLM_EMAIL_K1_short",
            "VLM_email_K1_abcdefghijklmnopqrstuvwxyz2345",
            "VLM_EMAIL_1_abcdefghijklmnopqrstuvwxyz2345",
            "VLM_EMAIL_K1_ABCDEFGHIJKLMNOPQRSTUVWXYZ2345",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn canonical_forms_share_a_token() {
        let r = crate::phone::Regions::default_set();
        assert_eq!(
            canonical(Entity::CREDIT_CARD, b"4111-1111 1111-1111", &r),
            b"4111111111111111"
        );
        assert_eq!(
            canonical(Entity::IBAN, b"gb82 west 1234 5698 7654 32", &r),
            b"GB82WEST12345698765432"
        );
        assert_eq!(
            canonical(Entity::EMAIL, b"Jane@Example.COM", &r),
            b"jane@example.com"
        );
        assert_eq!(
            canonical(Entity::PHONE, b"(201) 555-0123", &r),
            b"+12015550123"
        );
        assert_eq!(
            canonical(Entity::PHONE, b"+1 201-555-0123", &r),
            b"+12015550123"
        );
        assert_eq!(
            canonical(Entity::IP_ADDRESS, b"2001:DB8:0:0::1", &r),
            b"2001:db8::1"
        );
        assert_eq!(
            canonical(Entity::US_SSN, b"536 90 4399", &r),
            b"536-90-4399"
        );
        assert_eq!(canonical(Entity::US_SSN, b"536904399", &r), b"536-90-4399");
        assert_eq!(
            canonical(Entity::UK_NHS, b"943-476-5919", &r),
            b"943 476 5919"
        );
    }

    #[test]
    fn hashes_are_stable_and_typed() {
        let k = ring();
        let c = Codec { keyring: &k };
        let h = c.hash(Entity::EMAIL, b"jane@example.com");
        assert_eq!(h, c.hash(Entity::EMAIL, b"jane@example.com"));
        assert_ne!(h, c.hash(Entity::PERSON, b"jane@example.com"));
        assert!(
            h.starts_with("VLMH_EMAIL_K1_") && h.len() == "VLMH_EMAIL_K1_".len() + 26,
            "{h}"
        );
    }
}
