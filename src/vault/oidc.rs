//! OAuth 2.0 / OpenID Connect bearer tokens: a JWT access token is checked against the
//! issuer's keys (a JWKS from a file, or fetched from the issuer's discovery document and
//! cached for its `max-age`, fetched again when a token names a key it does not hold), its
//! `iss`, `aud`, `exp` and `nbf` with a leeway for clock skew; its roles claim (`roles`,
//! `groups`, `scp`…) names the vault policy's roles, so the identity provider decides who
//! may reveal what.
//!
//! Only asymmetric signatures are accepted — RS256, ES256 and EdDSA (Ed25519) — each with a
//! key of its own kind: `none`, any HMAC algorithm, a JWK of another kind or another `alg`
//! than the token's header (the "algorithm confusion" of a public key used as an HMAC
//! secret) are refused, and symmetric (`oct`) keys in a JWKS are ignored. Signatures are
//! checked with `ring`. A refusal says which check failed (expired, issuer, audience,
//! signature…), never the token or a claim's value.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use data_encoding::BASE64URL_NOPAD;
use serde_json::Value;

use crate::error::{Error, Result};

/// Where the issuer's keys come from.
#[derive(Clone, Debug)]
pub enum JwksSource {
    /// A JWKS file (`{"keys":[…]}`), read once.
    File(PathBuf),
    /// The issuer's discovery document (`ISSUER/.well-known/openid-configuration`), whose
    /// `jwks_uri` is fetched and cached.
    Discovery,
    /// A JWKS URL, fetched and cached.
    Url(String),
}

impl JwksSource {
    /// A JWKS file when given, else a URL when given, else the issuer's discovery document:
    /// how the command line and the Python `Vault` read their options.
    pub fn from_options(file: Option<PathBuf>, url: Option<String>) -> Self {
        match (file, url) {
            (Some(f), _) => Self::File(f),
            (None, Some(u)) => Self::Url(u),
            (None, None) => Self::Discovery,
        }
    }
}

/// How bearer tokens are checked; see the module documentation.
///
/// # Example
/// ```
/// use velum::service::{JwksSource, JwtConfig};
/// let c = JwtConfig::new("https://login.example.com/tenant/v2.0", "api://velum", JwksSource::Discovery);
/// assert_eq!(c.roles_claim, "roles");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JwtConfig {
    /// The `iss` a token must carry (and, for discovery, where its keys are published).
    pub issuer: String,
    /// A value the token's `aud` must hold.
    pub audience: String,
    /// Where the keys come from.
    pub jwks: JwksSource,
    /// The claim whose values are the vault policy's role names: `roles` (Azure AD app
    /// roles, Okta custom claims), `groups`, or `scp` / `scope` (a space-separated string).
    pub roles_claim: String,
    /// Clock skew allowed on `exp` and `nbf`.
    pub leeway: Duration,
}

impl JwtConfig {
    /// A configuration with the `roles` claim and 60 s of leeway.
    pub fn new(issuer: &str, audience: &str, jwks: JwksSource) -> Self {
        Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            audience: audience.to_owned(),
            jwks,
            roles_claim: "roles".to_owned(),
            leeway: Duration::from_secs(60),
        }
    }
}

/// A public key of the issuer.
#[derive(Clone, Debug, PartialEq)]
enum KeyKind {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    P256 { point: Vec<u8> },
    Ed25519 { x: Vec<u8> },
}

#[derive(Clone, Debug)]
struct Jwk {
    kid: Option<String>,
    alg: Option<String>,
    kind: KeyKind,
}

/// Parses a JWKS, keeping the signature keys of the three kinds accepted.
fn parse_jwks(text: &[u8]) -> std::result::Result<Vec<Jwk>, &'static str> {
    let v: Value = serde_json::from_slice(text).map_err(|_| "the JWKS is not JSON")?;
    let keys = v["keys"]
        .as_array()
        .ok_or("the JWKS has no \"keys\" list")?;
    let b64 = |k: &Value, f: &str| -> Option<Vec<u8>> {
        BASE64URL_NOPAD
            .decode(k[f].as_str()?.trim_end_matches('=').as_bytes())
            .ok()
    };
    let mut out = Vec::new();
    for k in keys {
        if k.get("use")
            .and_then(Value::as_str)
            .is_some_and(|u| u != "sig")
        {
            continue;
        }
        let kind = match (k["kty"].as_str(), k["crv"].as_str()) {
            (Some("RSA"), _) => match (b64(k, "n"), b64(k, "e")) {
                (Some(n), Some(e)) => KeyKind::Rsa { n, e },
                _ => continue,
            },
            (Some("EC"), Some("P-256")) => match (b64(k, "x"), b64(k, "y")) {
                (Some(x), Some(y)) if x.len() == 32 && y.len() == 32 => {
                    let mut point = vec![4u8];
                    point.extend(x);
                    point.extend(y);
                    KeyKind::P256 { point }
                }
                _ => continue,
            },
            (Some("OKP"), Some("Ed25519")) => match b64(k, "x") {
                Some(x) if x.len() == 32 => KeyKind::Ed25519 { x },
                _ => continue,
            },
            // `oct` (symmetric) and other kinds: never used to check a token.
            _ => continue,
        };
        out.push(Jwk {
            kid: k["kid"].as_str().map(str::to_owned),
            alg: k["alg"].as_str().map(str::to_owned),
            kind,
        });
    }
    Ok(out)
}

/// A token's subject and the role names its roles claim gives.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Claims {
    /// The `sub` claim.
    pub subject: String,
    /// The values of the roles claim.
    pub roles: Vec<String>,
}

struct Cache {
    keys: Vec<Jwk>,
    /// When the keys must be fetched again (never for a file).
    expires: Option<Instant>,
    /// The last fetch, to bound fetches made for unknown `kid`s.
    fetched: Instant,
}

/// Checks bearer tokens (see the module documentation). Shared by threads: the cached keys
/// sit behind a lock.
///
/// # Example
/// ```
/// use velum::vault::{JwksSource, JwtConfig, OidcVerifier};
/// let dir = tempfile::tempdir().unwrap();
/// let jwks = dir.path().join("jwks.json");
/// std::fs::write(&jwks, r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#).unwrap();
/// let v = OidcVerifier::new(JwtConfig::new("https://idp.example", "velum", JwksSource::File(jwks)))?;
/// assert!(v.verify(b"eyJhbGciOiJub25lIn0.e30.", 0).is_err()); // alg none: refused
/// # Ok::<(), velum::Error>(())
/// ```
pub struct OidcVerifier {
    cfg: JwtConfig,
    cache: Mutex<Option<Cache>>,
}

/// Fetches again at most this often for a token naming an unknown key.
const REFETCH_AFTER: Duration = Duration::from_secs(2);
/// Longest a token may be.
const MAX_TOKEN: usize = 16 << 10;

impl OidcVerifier {
    /// Loads the keys of a file at once (a URL's on first use, so a server starts while the
    /// issuer is briefly away).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) for a JWKS file without a usable key.
    pub fn new(cfg: JwtConfig) -> Result<Self> {
        let v = Self {
            cfg,
            cache: Mutex::new(None),
        };
        if let JwksSource::File(p) = &v.cfg.jwks {
            let text =
                std::fs::read(p).map_err(|e| Error::io(format!("JWKS {}", p.display()), e))?;
            let keys = parse_jwks(&text)
                .map_err(|m| Error::config(format!("JWKS {}: {m}", p.display())))?;
            if keys.is_empty() {
                return Err(Error::config(format!(
                    "JWKS {}: no RS256, ES256 or Ed25519 signature key",
                    p.display()
                )));
            }
            *v.cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(Cache {
                keys,
                expires: None,
                fetched: Instant::now(),
            });
        }
        Ok(v)
    }

    /// True when `bearer` has the shape of a JWT (three base64url parts).
    pub fn looks_like_jwt(bearer: &[u8]) -> bool {
        bearer.iter().filter(|&&b| b == b'.').count() == 2
            && bearer.starts_with(b"ey")
            && bearer
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    }

    /// Checks a token at `now` (seconds since the epoch); the reason of a refusal names the
    /// check that failed.
    pub fn verify(&self, token: &[u8], now: u64) -> std::result::Result<Claims, &'static str> {
        if token.len() > MAX_TOKEN {
            return Err("the token is too long");
        }
        let text = std::str::from_utf8(token).map_err(|_| "the token is not text")?;
        let mut parts = text.split('.');
        let (Some(h64), Some(p64), Some(s64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("the token is not a JWS compact serialisation");
        };
        let decode = |s: &str| BASE64URL_NOPAD.decode(s.as_bytes()).ok();
        let header: Value = decode(h64)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("the token's header is not base64url JSON")?;
        let alg = header["alg"]
            .as_str()
            .ok_or("the token's header has no alg")?;
        if !matches!(alg, "RS256" | "ES256" | "EdDSA") {
            return Err("the token's alg is not RS256, ES256 or EdDSA");
        }
        if header.get("crit").is_some() {
            return Err("the token has critical header extensions");
        }
        let kid = header["kid"].as_str();
        let sig = decode(s64).ok_or("the token's signature is not base64url")?;
        let msg = &token[..h64.len() + 1 + p64.len()];
        let checked = self.with_keys(kid, |keys| {
            keys.iter()
                .filter(|k| kid.is_none() || k.kid.as_deref() == kid)
                .filter(|k| k.alg.as_deref().is_none_or(|a| a == alg))
                .any(|k| signature_ok(alg, &k.kind, msg, &sig))
        })?;
        if !checked {
            return Err("the token's signature does not verify with the issuer's keys");
        }
        let claims: Value = decode(p64)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("the token's payload is not base64url JSON")?;
        if claims["iss"].as_str().map(|s| s.trim_end_matches('/')) != Some(self.cfg.issuer.as_str())
        {
            return Err("the token is from another issuer");
        }
        let aud_ok = match &claims["aud"] {
            Value::String(a) => *a == self.cfg.audience,
            Value::Array(a) => a.iter().any(|x| x.as_str() == Some(&self.cfg.audience)),
            _ => false,
        };
        if !aud_ok {
            return Err("the token is for another audience");
        }
        let leeway = self.cfg.leeway.as_secs();
        let exp = claims["exp"].as_u64().ok_or("the token has no exp")?;
        if now > exp.saturating_add(leeway) {
            return Err("the token has expired");
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = nbf.as_u64().ok_or("the token's nbf is not a number")?;
            if now.saturating_add(leeway) < nbf {
                return Err("the token is not valid yet");
            }
        }
        let subject = claims["sub"]
            .as_str()
            .ok_or("the token has no sub")?
            .to_owned();
        let roles = match &claims[self.cfg.roles_claim.as_str()] {
            Value::String(s) => s.split_ascii_whitespace().map(str::to_owned).collect(),
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Claims { subject, roles })
    }

    /// Runs `check` on the current keys, fetching them first when there are none or they
    /// are stale, and once more when the token names a key they lack.
    fn with_keys(
        &self,
        kid: Option<&str>,
        check: impl Fn(&[Jwk]) -> bool,
    ) -> std::result::Result<bool, &'static str> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let stale = cache
            .as_ref()
            .is_none_or(|c| c.expires.is_some_and(|e| Instant::now() >= e));
        if stale && !matches!(self.cfg.jwks, JwksSource::File(_)) {
            match self.fetch() {
                Ok(c) => *cache = Some(c),
                // Stale keys still check tokens until a fetch works; none at all cannot.
                Err(_) if cache.is_none() => return Err("the issuer's keys cannot be fetched"),
                Err(_) => {}
            }
        }
        let c = cache
            .as_ref()
            .ok_or("the issuer's keys cannot be fetched")?;
        if check(&c.keys) {
            return Ok(true);
        }
        let unknown = kid.is_some_and(|k| !c.keys.iter().any(|j| j.kid.as_deref() == Some(k)));
        if unknown
            && !matches!(self.cfg.jwks, JwksSource::File(_))
            && c.fetched.elapsed() >= REFETCH_AFTER
        {
            // A key rotated in at the issuer.
            if let Ok(fresh) = self.fetch() {
                let ok = check(&fresh.keys);
                *cache = Some(fresh);
                return Ok(ok);
            }
        }
        Ok(false)
    }

    fn fetch(&self) -> Result<Cache> {
        let url = match &self.cfg.jwks {
            JwksSource::Url(u) => u.clone(),
            JwksSource::Discovery => {
                let (doc, _) = http_get(&format!(
                    "{}/.well-known/openid-configuration",
                    self.cfg.issuer
                ))?;
                let v: Value = serde_json::from_slice(&doc)
                    .map_err(|_| Error::config("the discovery document is not JSON"))?;
                v["jwks_uri"]
                    .as_str()
                    .ok_or_else(|| Error::config("the discovery document has no jwks_uri"))?
                    .to_owned()
            }
            JwksSource::File(_) => unreachable!("a file is read once"),
        };
        let (body, max_age) = http_get(&url)?;
        let keys = parse_jwks(&body).map_err(Error::config)?;
        let max_age = max_age
            .unwrap_or(Duration::from_secs(300))
            .clamp(Duration::from_secs(60), Duration::from_secs(86_400));
        Ok(Cache {
            keys,
            expires: Some(Instant::now() + max_age),
            fetched: Instant::now(),
        })
    }
}

/// True when `sig` is `alg`'s signature of `msg` under `key` (a key of another kind never
/// checks).
fn signature_ok(alg: &str, key: &KeyKind, msg: &[u8], sig: &[u8]) -> bool {
    use ring::signature;
    match (alg, key) {
        ("RS256", KeyKind::Rsa { n, e }) => signature::RsaPublicKeyComponents { n, e }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
            .is_ok(),
        ("ES256", KeyKind::P256 { point }) => {
            signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(msg, sig)
                .is_ok()
        }
        ("EdDSA", KeyKind::Ed25519 { x }) => {
            signature::UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(msg, sig)
                .is_ok()
        }
        _ => false,
    }
}

/// A GET of `url` (http on a loopback address only, else https with the Mozilla roots),
/// at most 1 MiB, 5 s: the body and the `Cache-Control` max-age.
fn http_get(url: &str) -> Result<(Vec<u8>, Option<Duration>)> {
    let fail = |m: &str| Error::config(format!("fetching {url}: {m}"));
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(fail("not an http(s) URL"));
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h, p.parse::<u16>().map_err(|_| fail("bad port"))?)
        }
        _ => (authority, if tls { 443 } else { 80 }),
    };
    let host_bare = host.trim_start_matches('[').trim_end_matches(']');
    if !tls {
        let loopback = host_bare == "localhost"
            || host_bare
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| a.is_loopback());
        if !loopback {
            return Err(fail("plain http is allowed only on a loopback address"));
        }
    }
    let timeout = Duration::from_secs(5);
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(host_bare, port))
        .map_err(|e| Error::io(format!("fetching {url}"), e))?
        .next()
        .ok_or_else(|| fail("the host has no address"))?;
    let tcp = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| Error::io(format!("fetching {url}"), e))?;
    tcp.set_read_timeout(Some(timeout)).ok();
    tcp.set_write_timeout(Some(timeout)).ok();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\nUser-Agent: velum\r\n\r\n"
    );
    let mut raw = Vec::new();
    let io = |e| Error::io(format!("fetching {url}"), e);
    if tls {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|_| fail("TLS set-up"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls_pki_types::ServerName::try_from(host_bare.to_owned())
            .map_err(|_| fail("not a valid server name"))?;
        let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name)
            .map_err(|_| fail("TLS set-up"))?;
        let mut s = rustls::StreamOwned::new(conn, tcp);
        s.write_all(request.as_bytes()).map_err(io)?;
        s.take(1 << 20).read_to_end(&mut raw).map_err(io)?;
    } else {
        let mut s = tcp;
        s.write_all(request.as_bytes()).map_err(io)?;
        s.take(1 << 20).read_to_end(&mut raw).map_err(io)?;
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| fail("no HTTP response"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(fail(&format!("status {status}")));
    }
    let mut max_age = None;
    let mut chunked = false;
    for line in head.lines().skip(1) {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
        if k == "cache-control" {
            max_age = v
                .split(',')
                .find_map(|d| d.trim().strip_prefix("max-age=")?.parse().ok())
                .map(Duration::from_secs);
        } else if k == "transfer-encoding" && v.contains("chunked") {
            chunked = true;
        }
    }
    let body = &raw[split + 4..];
    let body = if chunked {
        dechunk(body).ok_or_else(|| fail("bad chunked body"))?
    } else {
        body.to_vec()
    };
    Ok((body, max_age))
}

/// The body of a chunked transfer.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = b.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&b[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        b = &b[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{self, KeyPair};

    fn b64(b: &[u8]) -> String {
        BASE64URL_NOPAD.encode(b)
    }

    fn sign_ed(kp: &signature::Ed25519KeyPair, header: &Value, claims: &Value) -> String {
        let m = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        format!("{m}.{}", b64(kp.sign(m.as_bytes()).as_ref()))
    }

    #[test]
    fn checks_signature_issuer_audience_time_and_alg() {
        let rng = SystemRandom::new();
        let pk = signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let kp = signature::Ed25519KeyPair::from_pkcs8(pk.as_ref()).unwrap();
        let jwks = serde_json::json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": "k1", "x": b64(kp.public_key().as_ref())},
            {"kty": "oct", "kid": "k1", "k": b64(b"a shared secret")},
        ]});
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("jwks.json");
        std::fs::write(&f, jwks.to_string()).unwrap();
        let v = OidcVerifier::new(JwtConfig::new(
            "https://idp.test/",
            "velum",
            JwksSource::File(f),
        ))
        .unwrap();
        let now = 1_800_000_000u64;
        let h = serde_json::json!({"alg": "EdDSA", "kid": "k1", "typ": "JWT"});
        let good = serde_json::json!({"iss": "https://idp.test", "aud": ["x", "velum"], "sub": "u1",
            "exp": now + 300, "nbf": now - 10, "roles": ["fraud", "other"]});
        let t = sign_ed(&kp, &h, &good);
        assert_eq!(
            v.verify(t.as_bytes(), now),
            Ok(Claims {
                subject: "u1".into(),
                roles: vec!["fraud".into(), "other".into()]
            })
        );
        let with = |k: &str, val: Value| {
            let mut c = good.clone();
            c[k] = val;
            v.verify(sign_ed(&kp, &h, &c).as_bytes(), now)
        };
        assert_eq!(with("exp", (now - 61).into()), Err("the token has expired"));
        assert!(with("exp", (now - 30).into()).is_ok(), "within the leeway");
        assert_eq!(
            with("nbf", (now + 120).into()),
            Err("the token is not valid yet")
        );
        assert_eq!(
            with("iss", "https://evil.test".into()),
            Err("the token is from another issuer")
        );
        assert_eq!(
            with("aud", "other".into()),
            Err("the token is for another audience")
        );
        // A flipped signature byte; `none`; HS256 keyed with the public key or the oct key.
        let mut forged = t.clone().into_bytes();
        let n = forged.len();
        forged[n - 2] = if forged[n - 2] == b'A' { b'B' } else { b'A' };
        assert!(v.verify(&forged, now).is_err());
        let body = b64(good.to_string().as_bytes());
        let none = format!("{}.{body}.", b64(br#"{"alg":"none"}"#));
        assert_eq!(
            v.verify(none.as_bytes(), now),
            Err("the token's alg is not RS256, ES256 or EdDSA")
        );
        for secret in [kp.public_key().as_ref(), b"a shared secret".as_slice()] {
            let m = format!("{}.{body}", b64(br#"{"alg":"HS256","kid":"k1"}"#));
            let tag = ring::hmac::sign(
                &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret),
                m.as_bytes(),
            );
            let hs = format!("{m}.{}", b64(tag.as_ref()));
            assert!(v.verify(hs.as_bytes(), now).is_err());
        }
        // The right signature under an alg its key is not for.
        let es = sign_ed(
            &kp,
            &serde_json::json!({"alg": "ES256", "kid": "k1"}),
            &good,
        );
        assert!(v.verify(es.as_bytes(), now).is_err());
        assert!(OidcVerifier::looks_like_jwt(t.as_bytes()));
        assert!(!OidcVerifier::looks_like_jwt(b"fraud-demo-key"));
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(
            dechunk(b"4\r\nab\r\n\r\n2\r\ncd\r\n0\r\n\r\n").as_deref(),
            Some(&b"ab\r\ncd"[..])
        );
    }
}
