//! `velum vault serve` on loopback: authentication, authorisation, limits, TLS, a bounded
//! load test and a graceful shutdown, all against the built binary, with a small HTTP/1.1
//! client written here (so the test sees the raw status lines and headers).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::{run, velum};

const SUPPORT: &str = "support-demo-key";
const FRAUD: &str = "fraud-demo-key";

fn policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/vault-policy.toml")
}

/// A running `velum vault serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, extra)
    }

    fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Self {
        Self::start_with(dir, extra, None)
    }

    /// With `files`, the server runs under that limit of open files (`ulimit -n`), as many
    /// systems set by default.
    fn start_with(dir: tempfile::TempDir, extra: &[&str], files: Option<u32>) -> Self {
        let keys = dir.path().join("keys.json");
        if !keys.exists() {
            let out = run(&["keygen", "--out", keys.to_str().unwrap()], b"");
            assert!(out.status.success());
        }
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let mut command = match files {
            None => velum(),
            Some(n) => {
                let mut c = std::process::Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(env!("CARGO_BIN_EXE_velum"));
                c
            }
        };
        let child = command
            .args(["vault", "serve", "--listen", "127.0.0.1:0", "--keyring"])
            .arg(&keys)
            .arg("--vault-policy")
            .arg(policy())
            .arg("--audit-log")
            .arg(dir.path().join("audit.jsonl"))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        // Owned by a `Server` at once, so a failed start still kills and reaps the child.
        let mut server = Self {
            child,
            addr: ([127, 0, 0, 1], 0).into(),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = server.log();
            // Only a whole line: the server may be half-way through writing it.
            if let Some(l) = text
                .split_inclusive('\n')
                .find(|l| l.ends_with('\n') && l.contains("listening on"))
            {
                server.addr = l.trim_end().rsplit("://").next().unwrap().parse().unwrap();
                return server;
            }
            assert!(Instant::now() < deadline, "server did not start: {text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap()
    }

    fn keys(&self) -> PathBuf {
        self.dir.path().join("keys.json")
    }

    fn audit(&self) -> PathBuf {
        self.dir.path().join("audit.jsonl")
    }

    fn audit_records(&self) -> usize {
        std::fs::read_to_string(self.audit())
            .unwrap_or_default()
            .lines()
            .count()
    }

    /// The number of records once the log holds at least `n` (refusals are written once a
    /// second, as one record per kind), or after 3 s.
    fn audit_records_at_least(&self, n: usize) -> usize {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let now = self.audit_records();
            if now >= n || Instant::now() > deadline {
                // A moment more, to see a record too many.
                std::thread::sleep(Duration::from_millis(200));
                return self.audit_records();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn verify_audit(&self) -> String {
        let out = run(
            &[
                "audit",
                "verify",
                self.audit().to_str().unwrap(),
                "--keyring",
                self.keys().to_str().unwrap(),
            ],
            b"",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.child.wait().unwrap()
    }

    fn post(&self, path: &str, key: Option<&str>, body: &Value) -> Reply {
        post(self.addr, path, key, body.to_string().as_bytes())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Value,
}

fn header<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
    r.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// One HTTP/1.1 exchange over `stream` (`Connection: close`).
fn exchange(
    mut stream: impl Read + Write,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(k) = key {
        req.push_str(&format!("Authorization: Bearer {k}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8(raw).map_err(std::io::Error::other)?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP response: {text:?}")))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head:?}")))?;
    Ok(Reply {
        status,
        head: head.to_owned(),
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    })
}

fn try_post(
    addr: SocketAddr,
    path: &str,
    key: Option<&str>,
    body: &[u8],
) -> std::io::Result<Reply> {
    let s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    exchange(s, "POST", path, key, body)
}

fn post(addr: SocketAddr, path: &str, key: Option<&str>, body: &[u8]) -> Reply {
    try_post(addr, path, key, body).unwrap()
}

fn tokens(r: &Reply) -> Vec<String> {
    r.body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["token"].as_str().unwrap().to_owned())
        .collect()
}

/// Tokenises the synthetic values through the service (as the fraud analyst, whose role may).
fn make_tokens(s: &Server) -> (String, String, String) {
    let r = s.post(
        "/v1/tokenize",
        Some(FRAUD),
        &json!({"values": [
            {"entity": "EMAIL", "value": "jane.doe@example.com"},
            {"entity": "CREDIT_CARD", "value": "4111 1111 1111 1111"},
            {"entity": "US_SSN", "value": "123-45-6789"},
        ]}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let t = tokens(&r);
    (t[0].clone(), t[1].clone(), t[2].clone())
}

#[test]
fn authenticates_authorises_and_audits_every_decision() {
    let s = Server::start(&["--insecure"]);
    let health = exchange(
        TcpStream::connect(s.addr).unwrap(),
        "GET",
        "/v1/health",
        None,
        b"",
    )
    .unwrap();
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");

    let (email, card, ssn) = make_tokens(&s);
    // The service's tokens are the CLI's tokens under the same keyring.
    let cli = run(
        &["tokenize", "--keyring", s.keys().to_str().unwrap()],
        b"mail jane.doe@example.com\n",
    );
    assert_eq!(
        String::from_utf8(cli.stdout).unwrap(),
        format!("mail {email}\n")
    );

    // 401: no key, a wrong key; the challenge header is sent.
    let r = s.post("/v1/detokenize", None, &json!({"tokens": [email]}));
    assert_eq!(r.status, 401);
    assert_eq!(header(&r, "www-authenticate"), Some("Bearer"));
    let r = s.post(
        "/v1/detokenize",
        Some("not-a-key"),
        &json!({"tokens": [email]}),
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "unauthorized");

    // 403: support may not see SSNs at all; nothing of the batch is released.
    let r = s.post(
        "/v1/detokenize",
        Some(SUPPORT),
        &json!({"tokens": [email, ssn], "purpose": "ticket 7"}),
    );
    assert_eq!(r.status, 403, "{r:?}");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("US_SSN")
    );
    assert!(!r.body.to_string().contains("jane.doe"));

    // 403: support's role needs a purpose.
    let r = s.post("/v1/detokenize", Some(SUPPORT), &json!({"tokens": [email]}));
    assert_eq!(r.status, 403);
    assert_eq!(r.body["error"]["code"], "purpose_required");

    // 200: full and last-4 reveals, as the CLI's detokenize would.
    let r = s.post(
        "/v1/detokenize",
        Some(SUPPORT),
        &json!({"tokens": [email, card], "purpose": "ticket 7"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(header(&r, "cache-control"), Some("no-store"));
    let v = &r.body["values"];
    assert_eq!(v[0]["value"], "jane.doe@example.com");
    assert_eq!(v[0]["outcome"], "revealed");
    assert_eq!(v[1]["value"], "************1111");
    assert_eq!(v[1]["entity"], "CREDIT_CARD");

    // The text form leaves what the principal may not see.
    let r = s.post(
        "/v1/detokenize",
        Some(SUPPORT),
        &json!({"text": format!("a {email} b {ssn}"), "purpose": "ticket 7"}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body["text"], format!("a jane.doe@example.com b {ssn}"));
    assert_eq!(r.body["left"], 1);

    // A tampered token is reported, not opened.
    let mut bad = card.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'a' { 'b' } else { 'a' });
    let r = s.post("/v1/detokenize", Some(FRAUD), &json!({"tokens": [bad]}));
    assert_eq!(r.status, 200);
    assert_eq!(r.body["values"][0]["value"], Value::Null);
    assert_eq!(r.body["values"][0]["outcome"], "invalid");

    // Tokenising needs a role that allows it; free text is scanned and tokenised.
    let r = s.post("/v1/tokenize", Some(SUPPORT), &json!({"text": "x"}));
    assert_eq!(r.status, 403);
    let r = s.post(
        "/v1/tokenize",
        Some(FRAUD),
        &json!({"text": "card 4111 1111 1111 1111 for jane.doe@example.com"}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body["text"], format!("card {card} for {email}"));

    // Every decision is in the chain: 3 tokenised, 2 refused keys, 1 denial (the SSN of the
    // refused batch), 1 missing purpose, 2 reveals, 2 in the text, 1 invalid, 1 refused
    // tokenisation, 2 tokens made from text.
    let verdict = s.verify_audit();
    assert!(verdict.starts_with("intact: 15 records"), "{verdict}");
    let audit = std::fs::read_to_string(s.audit()).unwrap();
    let log = s.log();
    // (Whole forms of the values: four digits alone turn up in the records' hex MACs by
    // chance, one run in some twenty.)
    for secret in [
        "jane.doe",
        "4111 1111",
        "4111111111111111",
        "45-6789",
        "123456789",
        SUPPORT,
        FRAUD,
    ] {
        assert!(!audit.contains(secret), "audit log holds {secret}");
        assert!(!log.contains(secret), "server log holds {secret}");
    }
    assert!(
        log.contains("POST /v1/detokenize 403 principal=support-bot"),
        "{log}"
    );
}

/// Issue 24: a token and guesses of its value sent to tokenize as one text answered which
/// guess was right, and only the misses were audited. A text holding tokens is refused,
/// with one audit record.
#[test]
fn tokenize_is_no_oracle_for_a_token_in_its_input() {
    let s = Server::start(&["--insecure"]);
    let (email, _, _) = make_tokens(&s);
    let before = std::fs::read_to_string(s.audit()).unwrap().lines().count();
    let guesses: Vec<String> = (0..50)
        .map(|i| format!("jane.doe{i}@example.com"))
        .collect();
    let text = format!("{email} {} jane.doe@example.com", guesses.join(" "));
    let r = s.post("/v1/tokenize", Some(FRAUD), &json!({ "text": text }));
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.body["error"]["code"], "tokens_in_input");
    assert!(r.body.get("text").is_none());
    s.audit_records_at_least(before + 1);
    let audit = std::fs::read_to_string(s.audit()).unwrap();
    let added: Vec<&str> = audit.lines().skip(before).collect();
    assert_eq!(added.len(), 1, "one record for the refusal");
    assert!(added[0].contains("denied_tokens_in_input"));
    // Text without tokens is tokenised as before.
    let r = s.post(
        "/v1/tokenize",
        Some(FRAUD),
        &json!({ "text": "mail jane.doe@example.com" }),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body["text"], format!("mail {email}"));
}

/// A loopback OpenID provider: its discovery document and a JWKS the test can change.
struct Issuer {
    url: String,
    jwks: Arc<std::sync::Mutex<String>>,
    fetches: Arc<std::sync::atomic::AtomicUsize>,
}

impl Issuer {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let jwks = Arc::new(std::sync::Mutex::new(String::from(r#"{"keys":[]}"#)));
        let fetches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (u, j, f) = (url.clone(), Arc::clone(&jwks), Arc::clone(&fetches));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut c) = conn else { continue };
                let mut buf = [0u8; 4096];
                let n = c.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).into_owned();
                let body = if req.starts_with("GET /.well-known/openid-configuration") {
                    format!(r#"{{"issuer":"{u}","jwks_uri":"{u}/jwks"}}"#)
                } else {
                    f.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    j.lock().unwrap().clone()
                };
                let _ = write!(
                    c,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=600\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self { url, jwks, fetches }
    }
}

fn b64u(b: &[u8]) -> String {
    data_encoding::BASE64URL_NOPAD.encode(b)
}

/// The token keys of the test: Ed25519, P-256 and RSA (a fixed test key).
struct Keys {
    ed: ring::signature::Ed25519KeyPair,
    ec: ring::signature::EcdsaKeyPair,
    rsa: ring::signature::RsaKeyPair,
}

impl Keys {
    fn new() -> Self {
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
        let rng = ring::rand::SystemRandom::new();
        let ed = Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref())
            .unwrap();
        let ec_pk = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let ec = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, ec_pk.as_ref(), &rng)
            .unwrap();
        // A fixed 2048-bit test key (PKCS#1 DER, made with openssl for these tests only): ring
        // cannot make RSA keys.
        let der = std::fs::read(crate::util::data("jwt-test-rsa.der")).unwrap();
        let rsa = ring::signature::RsaKeyPair::from_der(&der).unwrap();
        Self { ed, ec, rsa }
    }

    fn jwks(&self, prefix: &str) -> String {
        use ring::signature::KeyPair;
        let ec = self.ec.public_key().as_ref();
        let rsa: ring::rsa::PublicKeyComponents<Vec<u8>> = self.rsa.public().into();
        serde_json::json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": format!("{prefix}-ed"), "x": b64u(self.ed.public_key().as_ref())},
            {"kty": "EC", "crv": "P-256", "kid": format!("{prefix}-ec"), "x": b64u(&ec[1..33]), "y": b64u(&ec[33..65])},
            {"kty": "RSA", "kid": format!("{prefix}-rsa"), "alg": "RS256", "use": "sig",
             "n": b64u(&rsa.n),
             "e": b64u(&rsa.e)},
        ]})
        .to_string()
    }

    fn sign(&self, alg: &str, kid: &str, claims: &Value) -> String {
        let header = serde_json::json!({"alg": alg, "kid": kid, "typ": "JWT"});
        let m = format!(
            "{}.{}",
            b64u(header.to_string().as_bytes()),
            b64u(claims.to_string().as_bytes())
        );
        let rng = ring::rand::SystemRandom::new();
        let sig = match alg {
            "EdDSA" => self.ed.sign(m.as_bytes()).as_ref().to_vec(),
            "ES256" => self.ec.sign(&rng, m.as_bytes()).unwrap().as_ref().to_vec(),
            "RS256" => {
                let mut sig = vec![0u8; self.rsa.public().modulus_len()];
                self.rsa
                    .sign(
                        &ring::signature::RSA_PKCS1_SHA256,
                        &rng,
                        m.as_bytes(),
                        &mut sig,
                    )
                    .unwrap();
                sig
            }
            _ => unreachable!(),
        };
        format!("{m}.{}", b64u(&sig))
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn oidc_bearer_tokens_decide_who_may_reveal() {
    let issuer = Issuer::start();
    let keys = Keys::new();
    *issuer.jwks.lock().unwrap() = keys.jwks("k1");
    let s = Server::start(&[
        "--insecure",
        "--jwt-issuer",
        &issuer.url,
        "--jwt-audience",
        "api://velum",
        "--no-api-keys",
    ]);
    let claims = |roles: &[&str]| {
        serde_json::json!({"iss": issuer.url, "aud": "api://velum", "sub": "alice@idp",
            "exp": now() + 300, "nbf": now() - 5, "roles": roles})
    };
    let text = json!({"text": "mail jane.doe@example.com"});
    // Each accepted algorithm, with the fraud role from the identity provider.
    for (alg, kid) in [("EdDSA", "k1-ed"), ("ES256", "k1-ec"), ("RS256", "k1-rsa")] {
        let t = keys.sign(alg, kid, &claims(&["fraud"]));
        let r = s.post("/v1/tokenize", Some(&t), &text);
        assert_eq!(r.status, 200, "{alg}: {r:?}");
    }
    // The support role may not tokenise: the role came from the token.
    let support = keys.sign("EdDSA", "k1-ed", &claims(&["support"]));
    assert_eq!(s.post("/v1/tokenize", Some(&support), &text).status, 403);
    // Refused, each with its reason, never its content.
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = claims(&["fraud"]);
        f(&mut c);
        keys.sign("ES256", "k1-ec", &c)
    };
    let cases: Vec<(String, &str)> = vec![
        (with(&|c| c["exp"] = (now() - 120).into()), "expired"),
        (
            with(&|c| c["iss"] = "http://127.0.0.1:9/other".into()),
            "another issuer",
        ),
        (
            with(&|c| c["aud"] = "api://other".into()),
            "another audience",
        ),
        (with(&|c| c["roles"] = json!(["admin"])), "names no role"),
        (
            {
                let t = keys.sign("ES256", "k1-ec", &claims(&["fraud"]));
                let (head, sig) = t.rsplit_once('.').unwrap();
                let mut raw = data_encoding::BASE64URL_NOPAD
                    .decode(sig.as_bytes())
                    .unwrap();
                raw[5] ^= 1;
                format!("{head}.{}", b64u(&raw))
            },
            "signature",
        ),
        (
            // Algorithm confusion: HS256 keyed with the issuer's public key.
            {
                use ring::signature::KeyPair;
                let m = format!(
                    "{}.{}",
                    b64u(br#"{"alg":"HS256","kid":"k1-ed"}"#),
                    b64u(claims(&["fraud"]).to_string().as_bytes())
                );
                let k =
                    ring::hmac::Key::new(ring::hmac::HMAC_SHA256, keys.ed.public_key().as_ref());
                format!("{m}.{}", b64u(ring::hmac::sign(&k, m.as_bytes()).as_ref()))
            },
            "alg",
        ),
        (
            format!(
                "{}.{}.",
                b64u(br#"{"alg":"none"}"#),
                b64u(claims(&["fraud"]).to_string().as_bytes())
            ),
            "alg",
        ),
    ];
    for (t, why) in &cases {
        let r = s.post("/v1/tokenize", Some(t), &text);
        assert_eq!(r.status, 401, "{why}: {r:?}");
        let msg = r.body["error"]["message"].as_str().unwrap();
        assert!(msg.contains(why), "{why}: {msg}");
        assert!(!msg.contains("alice"), "{msg}");
    }
    // Static API keys are refused with --no-api-keys.
    let r = s.post("/v1/tokenize", Some(FRAUD), &text);
    assert_eq!(r.status, 401);
    // A key rotated in at the issuer: a token under it is taken once the JWKS is fetched again.
    let fetched = issuer.fetches.load(std::sync::atomic::Ordering::SeqCst);
    let next = Keys::new();
    *issuer.jwks.lock().unwrap() = next.jwks("k2");
    std::thread::sleep(Duration::from_millis(2100));
    let t = next.sign("EdDSA", "k2-ed", &claims(&["fraud"]));
    let r = s.post("/v1/tokenize", Some(&t), &text);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(issuer.fetches.load(std::sync::atomic::Ordering::SeqCst) > fetched);
    // And the retired key no longer opens anything.
    let old = keys.sign("EdDSA", "k1-ed", &claims(&["fraud"]));
    assert_eq!(s.post("/v1/tokenize", Some(&old), &text).status, 401);
    // Every refusal is in the audit log as unauthenticated; the accepted ones under jwt:SUB.
    let audit = std::fs::read_to_string(s.audit()).unwrap();
    assert!(audit.contains("\"principal\":\"jwt:alice@idp\""), "{audit}");
    s.verify_audit();
}

#[test]
fn alerts_follow_the_audit_log_while_serving() {
    let dir = tempfile::tempdir().unwrap();
    let alerts = dir.path().join("alerts.jsonl");
    let s = Server::start_in(
        dir,
        &[
            "--insecure",
            "--alerts",
            alerts.to_str().unwrap(),
            "--alert-window",
            "1",
            "--alert-max-reveals",
            "3",
        ],
    );
    let (_, card, ssn) = make_tokens(&s);
    let r = s.post(
        "/v1/detokenize",
        Some(FRAUD),
        &json!({"tokens": [card.clone(), ssn.clone(), card.clone(), ssn, card], "purpose": "case 7"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    // The window closes within a second or two of wall time; the watcher polls twice a second.
    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        let text = std::fs::read_to_string(&alerts).unwrap_or_default();
        if let Some(l) = text.lines().find(|l| l.contains("reveal_limit")) {
            break l.to_owned();
        }
        assert!(Instant::now() < deadline, "no alert: {text:?}\n{}", s.log());
        std::thread::sleep(Duration::from_millis(100));
    };
    let v: Value = serde_json::from_str(&found).unwrap();
    assert_eq!(v["class_uid"], 2004);
    assert_eq!(v["actor"]["user"]["name"], "fraud-analyst");
    assert!(v["unmapped"]["count"].as_u64().unwrap() >= 4, "{v}");
    assert!(!found.contains("VLM_"), "an alert names no token: {found}");
}

#[test]
fn redact_and_scan_apply_the_policy_with_the_same_rules() {
    let s = Server::start(&["--insecure", "--max-batch", "3"]);
    let text = "card 4111 1111 1111 1111 for Zoë <jane.doe@example.com>";
    let before = s.audit_records();
    // Any authenticated principal; the policy's own actions.
    let r = s.post("/v1/redact", Some(SUPPORT), &json!({ "text": text }));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["text"], "card **** **** **** 1111 for Zoë <[EMAIL]>");
    assert_eq!(r.body["findings"], 2);
    let r = s.post(
        "/v1/redact",
        Some(SUPPORT),
        &json!({ "texts": [text, "nothing here", "ssn 536-90-4399"] }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["texts"][1], "nothing here");
    assert_eq!(r.body["texts"][2], "ssn ***-**-4399");
    // Scan: byte offsets that slice the values out of the UTF-8 text.
    let r = s.post("/v1/scan", Some(SUPPORT), &json!({ "text": text }));
    assert_eq!(r.status, 200, "{r:?}");
    let got: Vec<(String, String)> = r.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let (a, b) = (f["start"].as_u64().unwrap(), f["end"].as_u64().unwrap());
            (
                f["entity"].as_str().unwrap().to_owned(),
                text[a as usize..b as usize].to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("CREDIT_CARD".to_owned(), "4111 1111 1111 1111".to_owned()),
            ("EMAIL".to_owned(), "jane.doe@example.com".to_owned())
        ]
    );
    let r = s.post(
        "/v1/scan",
        Some(SUPPORT),
        &json!({ "texts": ["a", "ip 203.0.113.9"] }),
    );
    assert_eq!(r.body["results"][0], json!([]));
    assert_eq!(r.body["results"][1][0]["entity"], "IP_ADDRESS");
    // The same authentication, limits and parsing as every endpoint.
    for path in ["/v1/redact", "/v1/scan"] {
        assert_eq!(s.post(path, None, &json!({ "text": text })).status, 401);
        assert_eq!(
            s.post(path, Some("wrong"), &json!({ "text": text })).status,
            401
        );
        let r = s.post(path, Some(SUPPORT), &json!({ "text": text, "texts": [] }));
        assert_eq!(r.status, 400, "{r:?}");
        let r = s.post(path, Some(SUPPORT), &json!({ "txt": text }));
        assert_eq!(r.status, 400, "{r:?}");
        let r = s.post(
            path,
            Some(SUPPORT),
            &json!({ "texts": ["a", "b", "c", "d"] }),
        );
        assert_eq!(r.status, 413, "{r:?}");
    }
    // Audited by type, never by value: one record per request and entity type.
    let after = s.audit_records_at_least(before + 8);
    let audit = std::fs::read_to_string(s.audit()).unwrap();
    let added: Vec<&str> = audit.lines().skip(before).collect();
    assert!(after >= before + 6, "{added:?}");
    // (Records of one kind are counted, not repeated.)
    let count = |outcome: &str| -> u64 {
        added
            .iter()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|r| r["outcome"] == outcome)
            .map(|r| r["count"].as_u64().unwrap_or(1))
            .sum()
    };
    assert_eq!((count("redacted"), count("scanned")), (5, 3), "{added:?}");
    // (Whole values: the chain's MACs are hex and may hold any four digits.)
    assert!(
        !audit.contains("jane.doe") && !audit.contains("4111 1111") && !audit.contains("90-4399"),
        "a value in the audit log"
    );
    s.verify_audit();
}

#[test]
fn redact_with_a_token_policy_is_tokenising() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("policy.toml");
    std::fs::write(&p, "[entities.EMAIL]\naction = \"token\"\n").unwrap();
    let s = Server::start(&["--insecure", "--policy", p.to_str().unwrap()]);
    // The support role may not tokenise: refused, and audited.
    let r = s.post(
        "/v1/redact",
        Some(SUPPORT),
        &json!({ "text": "jane.doe@example.com" }),
    );
    assert_eq!(r.status, 403, "{r:?}");
    let r = s.post(
        "/v1/redact",
        Some(FRAUD),
        &json!({ "text": "mail jane.doe@example.com" }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let out = r.body["text"].as_str().unwrap().to_owned();
    assert!(out.starts_with("mail VLM_EMAIL_"), "{out}");
    // No oracle: a text holding a token is refused.
    let token = out.trim_start_matches("mail ");
    let r = s.post(
        "/v1/redact",
        Some(FRAUD),
        &json!({ "text": format!("{token} jane.doe@example.com") }),
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.body["error"]["code"], "tokens_in_input");
    // Scanning reveals nothing and needs no tokenise role.
    let r = s.post(
        "/v1/scan",
        Some(SUPPORT),
        &json!({ "text": "jane.doe@example.com" }),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

/// Issue 24: a thousand refused tokens in the text form, with the longest purpose, wrote a
/// record each (an 11.8 KB request, 1.1 MB of audit); a flood of refused keys wrote one per
/// request. Refusals are now one record per kind, with their count, per request or window.
#[test]
fn refusals_cost_one_record_per_kind() {
    let s = Server::start(&["--insecure"]);
    let _ = make_tokens(&s);
    let before = (
        s.audit_records(),
        std::fs::metadata(s.audit()).unwrap().len(),
    );
    let text = vec!["VLM_A_K1_a"; 1000].join(" ");
    let purpose = "😀".repeat(200);
    let r = s.post(
        "/v1/detokenize",
        Some(SUPPORT),
        &json!({"text": text, "purpose": purpose}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["left"], 1000);
    let records = s.audit_records_at_least(before.0 + 1);
    let grew = std::fs::metadata(s.audit()).unwrap().len() - before.1;
    assert_eq!(records, before.0 + 1, "one record for a thousand refusals");
    assert!(grew < 2_000, "{grew} bytes of audit");
    let last: Value = serde_json::from_str(
        std::fs::read_to_string(s.audit())
            .unwrap()
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["count"], 1000);
    // Refused keys from many requests within a window: a record or two, not one each.
    let before = s.audit_records();
    for i in 0..40 {
        let r = s.post(
            "/v1/detokenize",
            Some(&format!("wrong-key-{i}")),
            &json!({"tokens": []}),
        );
        assert!(matches!(r.status, 401 | 429), "{r:?}");
    }
    let after = s.audit_records_at_least(before + 1);
    assert!(
        after - before <= 4,
        "{} records for 40 refused keys",
        after - before
    );
    // Lower-case `bearer` is the same scheme.
    let body = b"{\"tokens\": []}";
    let mut c = TcpStream::connect(s.addr).unwrap();
    write!(
        c,
        "POST /v1/detokenize HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         authorization: bearer {SUPPORT}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    c.write_all(body).unwrap();
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    s.verify_audit();
}

#[test]
fn limits_and_bad_requests_get_clear_errors() {
    let s = Server::start(&[
        "--insecure",
        "--rate",
        "0.1",
        "--burst",
        "7",
        "--max-body",
        "2000",
        "--max-batch",
        "3",
    ]);
    let key = Some(FRAUD);
    // 400: malformed JSON, an unknown field, neither form, an unknown entity type; no value
    // is echoed.
    let r = post(s.addr, "/v1/tokenize", key, b"{\"values\": [");
    assert_eq!(
        (r.status, r.body["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
    let r = s.post(
        "/v1/tokenize",
        key,
        &json!({"values": [{"entity": "US_SSN", "value": "123-45-6789", "note": 1}]}),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field")
    );
    let r = s.post("/v1/tokenize", key, &json!({"values": "123-45-6789"}));
    assert_eq!(r.status, 400);
    assert!(!r.body.to_string().contains("6789"), "{r:?}");
    let r = s.post(
        "/v1/tokenize",
        key,
        &json!({"values": [{"entity": "NO_SUCH_TYPE", "value": "x"}]}),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("values[0].entity")
    );
    // A token-shaped word of a type this process never heard of is refused, not kept.
    let made_up = format!("VLM_NEVER_HEARD_OF_K1_{}", "a".repeat(40));
    let r = s.post("/v1/detokenize", key, &json!({"tokens": [made_up]}));
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tokens[0]")
    );
    // 413: body and batch.
    let big = json!({"text": "a".repeat(3000)});
    assert_eq!(s.post("/v1/tokenize", key, &big).status, 413);
    let r = s.post(
        "/v1/detokenize",
        key,
        &json!({"tokens": ["a", "b", "c", "d"]}),
    );
    assert_eq!(r.status, 413);
    // 429 with Retry-After once the burst (7) is spent: 7 requests so far (at 0.1/s the
    // bucket regains one only after 10 s).
    let r = s.post("/v1/tokenize", key, &json!({"text": "x"}));
    assert_eq!(r.status, 429, "{r:?}");
    let wait: u64 = header(&r, "retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&wait), "{wait}");
    // Another principal has its own bucket.
    let r = s.post("/v1/detokenize", Some(SUPPORT), &json!({"tokens": []}));
    assert_eq!(r.status, 200);
}

/// Issue 16: what one request may cost. A purpose is bounded (400 otherwise); a refused list
/// is audited once per kind of refusal, not once per token; the text forms count their
/// tokens and findings against `--max-batch`; a caller's token-shaped words are not audited
/// as made by the service.
#[test]
fn one_request_costs_a_bounded_amount() {
    let s = Server::start(&["--insecure", "--max-batch", "5"]);
    let (_, _, ssn) = make_tokens(&s);
    // Purposes: too long, or with a control character.
    for purpose in ["p".repeat(100_000), "ok\nforged record".to_owned()] {
        let r = s.post(
            "/v1/detokenize",
            Some(SUPPORT),
            &json!({"tokens": [ssn.clone()], "purpose": purpose}),
        );
        assert_eq!(r.status, 400, "{r:?}");
        let msg = r.body["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with("purpose: "), "{msg}");
        assert!(!msg.contains("forged") && !msg.contains("ppp"), "{msg}");
    }
    // Five refused tokens (support may not reveal SSNs) with the longest purpose allowed:
    // one audit record, and the log grows by less than one record's worth of purpose twice.
    let before = (
        s.audit_records(),
        std::fs::metadata(s.audit()).unwrap().len(),
    );
    let purpose = "q".repeat(200);
    let r = s.post(
        "/v1/detokenize",
        Some(SUPPORT),
        &json!({"tokens": vec![ssn.clone(); 5], "purpose": purpose}),
    );
    assert_eq!(r.status, 403, "{r:?}");
    let after = (
        s.audit_records_at_least(before.0 + 1),
        std::fs::metadata(s.audit()).unwrap().len(),
    );
    assert_eq!(after.0, before.0 + 1);
    assert!(after.1 - before.1 < 800, "{} bytes", after.1 - before.1);
    // Text forms against --max-batch: six values to tokenize, six tokens to open.
    let six: Vec<String> = (0..6).map(|i| format!("u{i}@example.com")).collect();
    let r = s.post("/v1/tokenize", Some(FRAUD), &json!({"text": six.join(" ")}));
    assert_eq!(r.status, 413, "{r:?}");
    let r = s.post(
        "/v1/tokenize",
        Some(FRAUD),
        &json!({"text": six[..5].join(" ")}),
    );
    assert_eq!(
        (r.status, r.body["tokens"].as_u64()),
        (200, Some(5)),
        "{r:?}"
    );
    let r = s.post(
        "/v1/detokenize",
        Some(FRAUD),
        &json!({"text": vec![ssn; 6].join(" ")}),
    );
    assert_eq!(r.status, 413, "{r:?}");
    // A text with token-shaped words is refused with one record, however many it holds.
    let records = s.audit_records();
    let fake = format!("VLM_EMAIL_K1_{}", "a".repeat(40));
    let text = format!("{} and {fake} {fake} {fake} {fake} {fake}", six[0]);
    let r = s.post("/v1/tokenize", Some(FRAUD), &json!({"text": text}));
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(s.audit_records_at_least(records + 1), records + 1);
    s.verify_audit();
}

#[test]
fn plain_http_is_refused_off_loopback_and_without_insecure() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("k.json");
    assert!(
        run(&["keygen", "--out", keys.to_str().unwrap()], b"")
            .status
            .success()
    );
    let serve = |args: &[&str]| {
        let mut c = velum();
        c.args([
            "vault",
            "serve",
            "--keyring",
            keys.to_str().unwrap(),
            "--audit-log",
        ])
        .arg(dir.path().join("a.jsonl"))
        .arg("--vault-policy")
        .arg(policy())
        .args(args);
        crate::util::run_cmd(&mut c, b"")
    };
    let out = serve(&["--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain HTTP refused"));
    let out = serve(&["--listen", "0.0.0.0:0", "--insecure"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
    // Issue 16: a rate so small that the wait overflowed once panicked; now it is refused.
    let out = serve(&["--listen", "127.0.0.1:0", "--insecure", "--rate", "1e-300"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rate must be between"));
    let out = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--insecure",
        "--idle-timeout",
        "-1",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// A self-signed certificate for `localhost`, written as cert.pem and key.pem (0600).
fn test_certificate(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    (cert, key, ck.cert.der().to_vec())
}

fn tls_client(der: Vec<u8>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der.into()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

fn tls_exchange(
    config: &Arc<rustls::ClientConfig>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &[u8],
) -> std::io::Result<Reply> {
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn =
        rustls::ClientConnection::new(Arc::clone(config), name).map_err(std::io::Error::other)?;
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    exchange(rustls::StreamOwned::new(conn, tcp), method, path, key, body)
}

#[test]
fn serves_over_tls_with_a_generated_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, der) = test_certificate(dir.path());
    let (cert, key) = (
        cert.to_str().unwrap().to_owned(),
        key.to_str().unwrap().to_owned(),
    );
    let s = Server::start_in(dir, &["--tls-cert", &cert, "--tls-key", &key]);
    assert!(s.log().contains("listening on https://"));
    let client = tls_client(der);
    let r = tls_exchange(&client, s.addr, "GET", "/v1/health", None, b"").unwrap();
    assert_eq!(r.status, 200);
    let body =
        json!({"values": [{"entity": "EMAIL", "value": "jane.doe@example.com"}]}).to_string();
    let r = tls_exchange(
        &client,
        s.addr,
        "POST",
        "/v1/tokenize",
        Some(FRAUD),
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let token = tokens(&r).remove(0);
    let body = json!({"tokens": [token], "purpose": "tls test"}).to_string();
    let r = tls_exchange(
        &client,
        s.addr,
        "POST",
        "/v1/detokenize",
        Some(SUPPORT),
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(r.body["values"][0]["value"], "jane.doe@example.com");

    // A client that does not trust the certificate fails the handshake; plain HTTP to the
    // TLS port gets no HTTP answer.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let untrusting = tls_client(other.cert.der().to_vec());
    assert!(tls_exchange(&untrusting, s.addr, "GET", "/v1/health", None, b"").is_err());
    assert!(
        exchange(
            TcpStream::connect(s.addr).unwrap(),
            "GET",
            "/v1/health",
            None,
            b""
        )
        .is_err()
    );
    s.verify_audit();
}

#[test]
fn tls_key_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = test_certificate(dir.path());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let keys = dir.path().join("k.json");
    assert!(
        run(&["keygen", "--out", keys.to_str().unwrap()], b"")
            .status
            .success()
    );
    let mut c = velum();
    c.args(["vault", "serve", "--listen", "127.0.0.1:0", "--keyring"])
        .arg(&keys)
        .arg("--audit-log")
        .arg(dir.path().join("a.jsonl"))
        .arg("--vault-policy")
        .arg(policy())
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key);
    let out = crate::util::run_cmd(&mut c, b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("TLS key") && err.contains("chmod 600"),
        "{err}"
    );
    assert!(!err.contains("PRIVATE KEY"), "{err}");
}

/// Concurrent clients: every request answered 200, one audit record per token, chain intact.
#[test]
fn bounded_load_from_concurrent_clients() {
    let s = Server::start(&["--insecure", "--rate", "100000", "--burst", "100000"]);
    let (email, card, _) = make_tokens(&s);
    let (threads, per_thread) = (8, 300);
    let body = Arc::new(
        json!({"tokens": [email, card], "purpose": "load test"})
            .to_string()
            .into_bytes(),
    );
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (addr, body) = (s.addr, Arc::clone(&body));
            std::thread::spawn(move || {
                (0..per_thread)
                    .filter(|_| {
                        let r = post(addr, "/v1/detokenize", Some(SUPPORT), &body);
                        r.status == 200 && r.body["values"][0]["value"] == "jane.doe@example.com"
                    })
                    .count()
            })
        })
        .collect();
    let ok: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    let took = started.elapsed();
    assert_eq!(ok, threads * per_thread, "every request answered");
    assert!(took < Duration::from_secs(60), "{took:?}");
    // 3 tokenised + 2 per request.
    let verdict = s.verify_audit();
    let expect = 3 + 2 * threads * per_thread;
    assert!(
        verdict.starts_with(&format!("intact: {expect} records")),
        "{verdict}"
    );
}

/// SIGTERM while clients are sending: requests in flight finish, nothing audited is lost,
/// the chain verifies, and every request that got an answer got a whole one.
#[test]
fn sigterm_finishes_requests_in_flight_and_loses_no_audit_record() {
    let mut s = Server::start(&["--insecure", "--rate", "100000", "--burst", "100000"]);
    let (email, _, _) = make_tokens(&s);
    let body = Arc::new(
        json!({"tokens": [email], "purpose": "shutdown test"})
            .to_string()
            .into_bytes(),
    );
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..6)
        .map(|_| {
            let (addr, body, stop) = (s.addr, Arc::clone(&body), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut answered = 0usize;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match try_post(addr, "/v1/detokenize", Some(SUPPORT), &body) {
                        Ok(r) => {
                            assert_eq!(r.status, 200, "{r:?}");
                            answered += 1;
                        }
                        // Refused or closed once the server stops accepting.
                        Err(_) => break,
                    }
                }
                answered
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    let status = s.terminate();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answered: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(status.success(), "{status:?}\n{}", s.log());
    assert!(answered > 0);
    assert!(s.log().contains("vault stopped after"), "{}", s.log());
    s.verify_audit();
    // One record per answered request (plus the 3 tokenised values): none lost, none extra.
    assert_eq!(s.audit_records(), 3 + answered);
}

/// GET /v1/health on a fresh connection.
fn health(addr: SocketAddr) -> std::io::Result<Reply> {
    let s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    exchange(s, "GET", "/v1/health", None, b"")
}

/// True when the server closed `s` (EOF or reset) within `within`.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 256];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) => {
                return !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                );
            }
        }
    }
}

/// Issue 16: slow clients. A client that drips its request is cut off after the request
/// timeout, an idle one after the idle timeout; connections over the cap are closed at once,
/// so the ones under it (a health probe) still get answered once the slow ones are gone; and
/// SIGTERM does not wait for a connection that never finishes.
#[test]
fn slow_clients_are_cut_off_and_do_not_hold_the_server() {
    let mut s = Server::start(&[
        "--insecure",
        "--max-connections",
        "3",
        "--request-timeout",
        "1",
        "--idle-timeout",
        "2",
        "--shutdown-grace",
        "1",
    ]);
    // A dripping request: a byte every 300 ms, never idle, never complete.
    let mut drip = TcpStream::connect(s.addr).unwrap();
    let started = Instant::now();
    let mut cut = false;
    for b in b"POST /v1/tokenize HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa" {
        if drip.write_all(&[*b]).is_err() || closed_within(&mut drip, Duration::from_millis(300)) {
            cut = true;
            break;
        }
    }
    assert!(cut, "a dripping client was never cut off");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Three idle connections fill the cap: a fourth is closed at once.
    let mut idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(s.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = TcpStream::connect(s.addr).unwrap();
    assert!(closed_within(&mut extra, Duration::from_secs(1)));
    // The idle ones are closed after the idle timeout, and a probe is answered again.
    for c in &mut idle {
        assert!(closed_within(c, Duration::from_secs(4)));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(health(s.addr).unwrap().status, 200);
    assert!(s.log().contains("--max-connections"), "{}", s.log());
    // SIGTERM with a connection that has sent half a request: stopped within the grace.
    let mut half = TcpStream::connect(s.addr).unwrap();
    half.write_all(b"POST /v1/tokenize HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    let status = s.terminate();
    assert!(status.success(), "{status:?}\n{}", s.log());
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
}

/// A TCP connection to `addr` from the loopback address `from` (`127.0.0.2`: another client).
fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let s = rt
        .block_on(async {
            let sock = tokio::net::TcpSocket::new_v4()?;
            sock.bind((from, 0).into())?;
            sock.connect(addr).await
        })
        .unwrap()
        .into_std()
        .unwrap();
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Health probes from another client while one holds `held` connections open: each answered
/// (status 200), and the slowest latency.
fn probes_while_held(probe: impl Fn() -> std::io::Result<Reply>) -> Duration {
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let t = Instant::now();
        let r = probe().expect("the probe is answered");
        assert_eq!(r.status, 200);
        slowest = slowest.max(t.elapsed());
    }
    slowest
}

/// Issue 24: 256 idle connections from one client took every slot, and health probes from
/// others went unanswered for 100 s. One client now holds at most its own share.
#[test]
fn one_client_cannot_lock_out_the_others() {
    let s = Server::start_with(tempfile::tempdir().unwrap(), &["--insecure"], Some(1024));
    let held: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(s.addr).ok())
        .collect();
    assert!(held.len() >= 256, "{} connections opened", held.len());
    std::thread::sleep(Duration::from_millis(300));
    let slowest = probes_while_held(|| {
        exchange(
            connect_from([127, 0, 0, 2], s.addr),
            "GET",
            "/v1/health",
            None,
            b"",
        )
    });
    assert!(slowest < Duration::from_secs(2), "{slowest:?}");
    assert!(s.log().contains("--max-connections-per-client"));
    eprintln!("health under 300 idle connections of one client: slowest of 20 {slowest:?}");
    drop(held);
}

/// Issue 24: 1,100 TLS connections that never finish their handshake made 10 of 14 probes
/// fail. Unfinished handshakes are capped per client and timed out.
#[test]
fn unfinished_tls_handshakes_lock_out_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, der) = test_certificate(dir.path());
    let (cert, key) = (
        cert.to_str().unwrap().to_owned(),
        key.to_str().unwrap().to_owned(),
    );
    // Under 1,024 open files, as many systems run services: 1,100 held connections would
    // exhaust them.
    let s = Server::start_with(dir, &["--tls-cert", &cert, "--tls-key", &key], Some(1024));
    let held: Vec<TcpStream> = (0..1_100)
        .filter_map(|_| TcpStream::connect(s.addr).ok())
        .collect();
    assert!(held.len() > 500, "{} connections opened", held.len());
    std::thread::sleep(Duration::from_millis(300));
    let client = tls_client(der);
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let slowest = probes_while_held(|| {
        let conn = rustls::ClientConnection::new(Arc::clone(&client), name.clone())
            .map_err(std::io::Error::other)?;
        let tcp = connect_from([127, 0, 0, 2], s.addr);
        exchange(
            rustls::StreamOwned::new(conn, tcp),
            "GET",
            "/v1/health",
            None,
            b"",
        )
    });
    assert!(slowest < Duration::from_secs(2), "{slowest:?}");
    assert!(s.log().contains("--max-handshakes-per-client"));
    eprintln!(
        "health under 1,100 unfinished TLS handshakes of one client: slowest of 20 {slowest:?}"
    );
    drop(held);
}

/// Issue 24: sustained audit growth filled a disk in minutes. The service has a budget of
/// audit bytes per second; past it, requests get 429 `audit_budget` with `Retry-After`, and
/// the log grows by at most the budget and one request's records a second.
#[test]
fn the_audit_budget_sheds_load_before_the_disk_fills() {
    let s = Server::start(&[
        "--insecure",
        "--audit-bytes-per-second",
        "4096",
        "--burst",
        "1000",
    ]);
    let (email, _, _) = make_tokens(&s);
    let before = std::fs::metadata(s.audit()).unwrap().len();
    let started = Instant::now();
    let mut shed = None;
    for _ in 0..200 {
        let r = s.post(
            "/v1/detokenize",
            Some(FRAUD),
            &json!({"tokens": vec![email.clone(); 5], "purpose": "budget test"}),
        );
        if r.status == 429 {
            shed = Some(r);
            break;
        }
        assert_eq!(r.status, 200, "{r:?}");
    }
    let secs = started.elapsed().as_secs_f64().ceil().max(1.0);
    let r = shed.expect("shed within 200 requests");
    assert_eq!(r.body["error"]["code"], "audit_budget");
    assert!(header(&r, "retry-after").is_some());
    let grew = std::fs::metadata(s.audit()).unwrap().len() - before;
    // The budget a second, and one request of five records (under 3 KB) over it.
    assert!(
        (grew as f64) <= secs * (4096.0 + 3_000.0),
        "{grew} bytes in {secs} s"
    );
    s.verify_audit();
}

/// Issue 24, `Expect: 100-continue`: a `100 Continue` invited the body of an unauthenticated
/// caller and of a body over the limit, and an unknown expectation was ignored. Now the
/// headers decide first: 401 and 413 come without a `100 Continue`, an unknown expectation
/// gets 417, and an authenticated caller within the limit is invited as before.
#[test]
fn expect_continue_only_for_a_request_that_may_send_its_body() {
    let s = Server::start(&["--insecure"]);
    let head = |key: &str, length: usize, expect: &str| {
        let mut c = TcpStream::connect(s.addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        write!(
            c,
            "POST /v1/detokenize HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\nExpect: {expect}\r\n\r\n"
        )
        .unwrap();
        let mut buf = [0u8; 64];
        let n = c.read(&mut buf).unwrap_or(0);
        (c, String::from_utf8_lossy(&buf[..n]).into_owned())
    };
    let body = b"{\"tokens\": []}";
    let (_, first) = head("not-a-key", body.len(), "100-continue");
    assert!(first.starts_with("HTTP/1.1 401"), "{first}");
    let (_, first) = head(SUPPORT, 50_000_000, "100-continue");
    assert!(first.starts_with("HTTP/1.1 413"), "{first}");
    let (_, first) = head(SUPPORT, body.len(), "something-else");
    assert!(first.starts_with("HTTP/1.1 417"), "{first}");
    let (mut c, first) = head(SUPPORT, body.len(), "100-continue");
    assert!(first.starts_with("HTTP/1.1 100"), "{first}");
    c.write_all(body).unwrap();
    let mut rest = String::new();
    let _ = c.read_to_string(&mut rest);
    assert!(rest.contains("200 OK"), "{rest}");
}

/// Issue 24: the service's own log was unthrottled (a line per refused connection). It
/// writes at most 100 lines a second and counts the rest.
#[test]
fn the_server_log_is_throttled() {
    let s = Server::start(&["--insecure", "--max-connections-per-client", "1"]);
    let _held = TcpStream::connect(s.addr).unwrap();
    let started = Instant::now();
    for _ in 0..1_000 {
        drop(TcpStream::connect(s.addr));
    }
    let secs = started.elapsed().as_secs() + 1;
    std::thread::sleep(Duration::from_millis(1_100));
    // One more line after the second: it brings the count of the dropped ones.
    drop(TcpStream::connect(s.addr));
    std::thread::sleep(Duration::from_millis(300));
    let log = s.log();
    let refused = log
        .lines()
        .filter(|l| l.contains("it holds 1 connections"))
        .count();
    assert!(
        refused as u64 <= 100 * (secs + 1),
        "{refused} lines in {secs} s"
    );
    assert!(log.contains("log lines dropped"), "{log}");
}
