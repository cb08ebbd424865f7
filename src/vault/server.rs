//! The vault as a service (`velum vault serve`): tokenisation and detokenisation over HTTPS
//! for callers that must not hold the keyring.
//!
//! It owns the HTTP surface only; every decision goes through the same [`Vault`] checks and
//! the same hash-chained [`AuditLog`] as the CLI. The order inside a request is fixed:
//! rate limit → authenticate (Bearer key, constant-time hash compare) → body and batch
//! limits → parse (unknown fields refused) → authorise → decide and record → commit the
//! audit records to disk → respond. Nothing is released when the commit fails.
//!
//! ```text
//! GET  /v1/health                                   no authentication
//! POST /v1/tokenize    {"values":[{"entity","value"}]} | {"text"}
//! POST /v1/detokenize  {"tokens":[...], "purpose"?}    | {"text", "purpose"?}
//! ```
//!
//! Responses are JSON; errors are `{"error":{"code","message"}}` with 400 (malformed JSON,
//! unknown field, bad entity), 401 (missing or wrong key), 403 (role forbids the type,
//! or purpose missing), 413 (body or batch too large), 429 (rate limit, with
//! `Retry-After`), 500 (audit log unwritable). Messages name fields and positions, never
//! values or keys.
//!
//! # Example
//! ```no_run
//! use velum::vault::server::{Limits, ServerConfig, VaultServer};
//! use velum::vault::{AuditLog, Vault, VaultPolicy};
//! use velum::{Keyring, Policy};
//!
//! # async fn run() -> velum::Result<()> {
//! let keyring = Keyring::load("keys.json")?;
//! let audit = AuditLog::open("audit.jsonl", &keyring)?;
//! let vault = Vault::new(keyring, VaultPolicy::load("vault-policy.toml")?);
//! let config = ServerConfig {
//!     listen: "127.0.0.1:8443".parse().unwrap(),
//!     tls: None,
//!     insecure: true,
//!     limits: Limits::default(),
//!     log_requests: true,
//! };
//! let server = VaultServer::bind(config, vault, audit, &Policy::default()).await?;
//! println!("listening on {}", server.local_addr());
//! server.run(async { tokio::signal::ctrl_c().await.ok(); }).await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use zeroize::Zeroizing;

use super::audit::{Audit, Decision, SharedAudit};
use super::{AuditLog, Check, Opened, Principal, Vault, codec};
use crate::error::{Error, Result};
use crate::{Entity, Policy, Redactor};

/// Request limits of a [`VaultServer`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Limits {
    /// Requests per second each principal (or, before authentication, each client address)
    /// may make on average.
    pub rate_per_second: f64,
    /// Requests a principal may make at once before the rate applies.
    pub burst: u32,
    /// Largest request body, in bytes (413 above).
    pub max_body_bytes: usize,
    /// Most values or tokens in one request (413 above).
    pub max_batch: usize,
}

impl Default for Limits {
    /// 100 requests/s with bursts of 200, 1 MiB bodies, 1,000 items per request.
    fn default() -> Self {
        Self {
            rate_per_second: 100.0,
            burst: 200,
            max_body_bytes: 1 << 20,
            max_batch: 1000,
        }
    }
}

impl Limits {
    /// These limits with another rate and burst.
    ///
    /// # Example
    /// ```
    /// let l = velum::vault::server::Limits::default().with_rate(5.0, 10);
    /// assert_eq!(l.burst, 10);
    /// ```
    pub fn with_rate(mut self, per_second: f64, burst: u32) -> Self {
        self.rate_per_second = per_second;
        self.burst = burst;
        self
    }

    /// These limits with another body size and batch size.
    pub fn with_sizes(mut self, max_body_bytes: usize, max_batch: usize) -> Self {
        self.max_body_bytes = max_body_bytes;
        self.max_batch = max_batch;
        self
    }
}

/// PEM files of the server's certificate chain and private key.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// Certificate chain, leaf first (PEM).
    pub cert: PathBuf,
    /// Private key (PEM: PKCS#8, PKCS#1 or SEC1), readable by the owner only.
    pub key: PathBuf,
}

/// Where and how a [`VaultServer`] listens (example in the [module docs](self)).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// TLS certificate and key; `None` serves plain HTTP, allowed only with `insecure` on a
    /// loopback address.
    pub tls: Option<TlsFiles>,
    /// Allow plain HTTP (loopback only).
    pub insecure: bool,
    /// Request limits.
    pub limits: Limits,
    /// Log one line per request to stderr (method, path, status, principal, time).
    pub log_requests: bool,
}

impl ServerConfig {
    /// Refuses plain HTTP unless the address is loopback and `insecure` is set.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) saying what to change.
    ///
    /// # Example
    /// ```
    /// use velum::vault::server::{Limits, ServerConfig};
    /// let mut c = ServerConfig { listen: "0.0.0.0:8443".parse().unwrap(), tls: None,
    ///     insecure: true, limits: Limits::default(), log_requests: false };
    /// assert!(c.check().is_err());
    /// c.listen = "127.0.0.1:8443".parse().unwrap();
    /// assert!(c.check().is_ok());
    /// ```
    pub fn check(&self) -> Result<()> {
        let l = &self.limits;
        let rate_ok = l.rate_per_second.is_finite() && l.rate_per_second > 0.0;
        if !rate_ok || l.burst == 0 || l.max_body_bytes == 0 || l.max_batch == 0 {
            return Err(Error::config(
                "--rate, --burst, --max-body and --max-batch must be positive",
            ));
        }
        if self.tls.is_some() {
            return Ok(());
        }
        if !self.insecure {
            return Err(Error::config(
                "plain HTTP refused: give --tls-cert and --tls-key (or --insecure on a loopback address)",
            ));
        }
        if !self.listen.ip().is_loopback() {
            return Err(Error::config(format!(
                "plain HTTP refused on {}: --insecure is allowed only on a loopback address",
                self.listen
            )));
        }
        Ok(())
    }
}

/// Token buckets per principal (and per client address before authentication).
struct Limiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Limiter {
    const MAX_BUCKETS: usize = 10_000;

    fn new(l: &Limits) -> Self {
        Self {
            rate: l.rate_per_second,
            burst: f64::from(l.burst),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `who`'s bucket, or says how long to wait.
    fn take(&self, who: &str) -> std::result::Result<(), Duration> {
        let now = Instant::now();
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if b.len() >= Self::MAX_BUCKETS && !b.contains_key(who) {
            // Forget buckets that have refilled: they hold no state worth keeping.
            let (rate, burst) = (self.rate, self.burst);
            b.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = b.entry(who.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rate))
        }
    }
}

/// Shared state of the handlers.
struct Service {
    vault: Vault,
    audit: SharedAudit,
    tokenizer: Redactor,
    limiter: Limiter,
    limits: Limits,
    log_requests: bool,
    requests: AtomicU64,
}

/// A bound vault server; [`VaultServer::run`] serves until the shutdown future completes.
pub struct VaultServer {
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    service: Arc<Service>,
}

impl std::fmt::Debug for VaultServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultServer")
            .field("listen", &self.listener.local_addr().ok())
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl VaultServer {
    /// Checks the configuration, loads the TLS files and binds the address. `policy` decides
    /// what the free-text form of `/v1/tokenize` finds (every finding becomes a token).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) for a refused configuration or bad
    /// TLS files (named); [`ErrorKind::Io`](crate::ErrorKind::Io) when the address cannot be
    /// bound.
    pub async fn bind(
        config: ServerConfig,
        vault: Vault,
        audit: AuditLog,
        policy: &Policy,
    ) -> Result<Self> {
        config.check()?;
        let tls = config.tls.as_ref().map(load_tls).transpose()?;
        let tokenizer =
            Redactor::with_keyring(&policy.clone().tokenize_all(), vault.keyring().duplicate())?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| Error::io(format!("cannot listen on {}", config.listen), e))?;
        Ok(Self {
            listener,
            tls,
            service: Arc::new(Service {
                vault,
                audit: SharedAudit::new(audit)?,
                tokenizer,
                limiter: Limiter::new(&config.limits),
                limits: config.limits,
                log_requests: config.log_requests,
                requests: AtomicU64::new(0),
            }),
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then stops accepting, lets in-flight requests
    /// finish (their audit records are on disk before their responses) and returns the
    /// number of requests served.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if the server fails.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<u64> {
        let limit = self.service.limits.max_body_bytes;
        let app = Router::new()
            .route("/v1/health", get(health))
            .route("/v1/tokenize", post(tokenize))
            .route("/v1/detokenize", post(detokenize))
            .fallback(not_found)
            .layer(DefaultBodyLimit::max(limit))
            .with_state(Arc::clone(&self.service));
        let make = app.into_make_service_with_connect_info::<Peer>();
        let served = match self.tls {
            None => {
                axum::serve(self.listener, make)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            Some(acceptor) => {
                axum::serve(TlsListener::new(self.listener, acceptor), make)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
        };
        served.map_err(|e| Error::io("vault server", e))?;
        Ok(self.service.requests.load(Ordering::Relaxed))
    }
}

fn load_tls(files: &TlsFiles) -> Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |p: &PathBuf, what: &str| Error::config(format!("{}: {what}", p.display()));
    super::keyring::check_private(&files.key, "TLS key")?;
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad(&files.cert, &format!("cannot read certificates: {e}")))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(&files.cert, &format!("malformed certificate PEM: {e}")))?;
    if certs.is_empty() {
        return Err(bad(&files.cert, "no certificate in the file"));
    }
    // The error of a malformed key file never quotes the key.
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|_| bad(&files.key, "no readable private key (PEM) in the file"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::config(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            Error::config(format!(
                "{} and {}: certificate and key do not form a usable pair: {e}",
                files.cert.display(),
                files.key.display()
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Accepts TCP connections and hands out finished TLS sessions; handshakes run on their own
/// tasks (with a time limit), so a slow client does not hold up the others.
struct TlsListener {
    ready: tokio::sync::mpsc::Receiver<(
        tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
        SocketAddr,
    )>,
    local: SocketAddr,
    acceptor_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

    fn new(mut tcp: TcpListener, acceptor: tokio_rustls::TlsAcceptor) -> Self {
        let local = tcp.local_addr().expect("a bound listener has an address");
        let (tx, ready) = tokio::sync::mpsc::channel(256);
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (stream, peer) = axum::serve::Listener::accept(&mut tcp).await;
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(Self::HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => {
                            server_log(format_args!("TLS handshake with {peer} failed: {e}"));
                        }
                        Err(_) => server_log(format_args!("TLS handshake with {peer} timed out")),
                    }
                });
            }
        });
        Self {
            ready,
            local,
            acceptor_task,
        }
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The acceptor task only ends when aborted, after the server stopped accepting.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The client's address, for the per-address rate limit before authentication.
#[derive(Clone, Copy, Debug)]
struct Peer(SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, TcpListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, TlsListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

/// An error response: `{"error":{"code","message"}}`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    fn internal(e: &Error) -> Self {
        // Errors of this crate never carry values or key material.
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        let mut r = json_response(self.status, &body);
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let text = Zeroizing::new(serde_json::to_string(body).expect("responses serialise"));
    let mut r = (status, text.as_str().to_owned()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

type Reply = std::result::Result<Response, ApiError>;

/// The server's log: a line on stderr. Callers pass names, statuses and addresses, never
/// values, tokens or keys.
#[allow(
    clippy::print_stderr,
    reason = "a service's request log goes to stderr"
)]
fn server_log(line: std::fmt::Arguments<'_>) {
    eprintln!("velum: vault: {line}");
}

fn log(method: &str, path: &str, who: &str, status: StatusCode, started: Instant) {
    server_log(format_args!(
        "{method} {path} {} principal={who} {:.1}ms",
        status.as_u16(),
        started.elapsed().as_secs_f64() * 1e3
    ));
}

async fn health(State(s): State<Arc<Service>>) -> Response {
    json_response(
        StatusCode::OK,
        &serde_json::json!({"status": "ok", "active_key": s.vault.keyring().active_id()}),
    )
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint: use POST /v1/tokenize, POST /v1/detokenize or GET /v1/health",
    )
}

/// Rate limit, then authenticate. A refused key is audited (after the rate limit, so
/// a flood of bad keys cannot flood the log).
fn authenticate(
    s: &Service,
    headers: &HeaderMap,
    peer: IpAddr,
) -> std::result::Result<Principal, ApiError> {
    let limited = |wait: Duration| {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests; retry later",
        );
        e.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        e
    };
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
        .map(|k| k.trim_ascii())
        .filter(|k| !k.is_empty());
    let principal = key.and_then(|k| s.vault.authenticate(k).cloned());
    match principal {
        Some(p) => {
            s.limiter
                .take(&format!("principal:{}", p.name))
                .map_err(limited)?;
            Ok(p)
        }
        None => {
            s.limiter.take(&format!("peer:{peer}")).map_err(limited)?;
            let mut audit = s.audit.handle();
            audit.record(&Decision {
                principal: "-",
                purpose: None,
                entity: "-",
                token: "",
                key_id: 0,
                outcome: if key.is_some() {
                    "unauthenticated"
                } else {
                    "no_credentials"
                },
            });
            audit.commit().map_err(|e| ApiError::internal(&e))?;
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                if key.is_some() {
                    "the API key is not recognised"
                } else {
                    "missing API key: send Authorization: Bearer <key>"
                },
            ))
        }
    }
}

/// Parses a JSON body; errors name the position and the field, never a value.
fn parse_body<T: for<'de> Deserialize<'de>>(
    body: std::result::Result<Bytes, BytesRejection>,
    limit: usize,
) -> std::result::Result<T, ApiError> {
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(format!("request body larger than {limit} bytes"))
        } else {
            ApiError::bad_request("cannot read the request body")
        }
    })?;
    serde_json::from_slice(&body).map_err(|e| {
        use serde_json::error::Category;
        let at = format!("line {} column {}", e.line(), e.column());
        let msg = e.to_string();
        ApiError::bad_request(match e.classify() {
            Category::Syntax => format!("malformed JSON at {at}"),
            Category::Eof => "truncated JSON body".to_owned(),
            Category::Io => "cannot read the request body".to_owned(),
            // A missing field is named from the schema; an unknown one is not echoed (a
            // caller may have put a value where a key belongs), only what was expected.
            Category::Data if msg.starts_with("missing field") => {
                msg.split(" at line").next().unwrap_or(&msg).to_owned()
            }
            Category::Data if msg.starts_with("unknown field") => {
                let expected = msg
                    .split_once(", expected ")
                    .map_or("", |(_, e)| e.split(" at line").next().unwrap_or(""));
                format!("unknown field at {at}; expected {expected}")
            }
            Category::Data => format!("wrong type or shape of a field at {at}"),
        })
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenizeRequest {
    values: Option<Vec<ValueItem>>,
    text: Option<Zeroizing<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueItem {
    entity: String,
    value: Zeroizing<String>,
}

#[derive(Serialize)]
struct TokenItem {
    entity: &'static str,
    token: String,
}

async fn tokenize(
    State(s): State<Arc<Service>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Reply {
    handle(
        s,
        "/v1/tokenize",
        peer.ip(),
        headers,
        body,
        tokenize_blocking,
    )
    .await
}

/// The request work of one endpoint, for an authenticated principal.
type Work = fn(&Service, &Principal, std::result::Result<Bytes, BytesRejection>) -> Reply;

/// Runs `work` off the async threads (decryption, the audit fsync) and logs the request.
async fn handle(
    s: Arc<Service>,
    path: &'static str,
    peer: IpAddr,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
    work: Work,
) -> Reply {
    let started = Instant::now();
    blocking(move || {
        s.requests.fetch_add(1, Ordering::Relaxed);
        let (who, r) = match authenticate(&s, &headers, peer) {
            Ok(p) => (p.name.clone(), work(&s, &p, body)),
            Err(e) => ("-".to_owned(), Err(e)),
        };
        if s.log_requests {
            log("POST", path, &who, status_of(&r), started);
        }
        r
    })
    .await
}

fn status_of(r: &Reply) -> StatusCode {
    match r {
        Ok(r) => r.status(),
        Err(e) => e.status,
    }
}

/// Runs request work (decryption, audit fsync) off the async threads.
async fn blocking(f: impl FnOnce() -> Reply + Send + 'static) -> Reply {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|_| {
        Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the request failed",
        ))
    })
}

fn tokenize_blocking(
    s: &Service,
    p: &Principal,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Reply {
    let req: TokenizeRequest = parse_body(body, s.limits.max_body_bytes)?;
    let policy = s.vault.policy();
    let record = |audit: &mut dyn Audit, entity: &str, token: &str, outcome: &str| {
        audit.record(&Decision {
            principal: &p.name,
            purpose: None,
            entity,
            token,
            key_id: s.vault.keyring().active_id(),
            outcome,
        });
    };
    if !policy.may_tokenize(p) {
        let mut audit = s.audit.handle();
        record(&mut audit, "-", "", "denied_tokenize");
        audit.commit().map_err(|e| ApiError::internal(&e))?;
        return Err(ApiError::forbidden(
            "forbidden",
            format!(
                "principal {} may not tokenise (no role with tokenize = true)",
                p.name
            ),
        ));
    }
    match (req.values, req.text) {
        (Some(values), None) => {
            if values.len() > s.limits.max_batch {
                return Err(ApiError::too_large(format!(
                    "{} values in one request; the limit is {}",
                    values.len(),
                    s.limits.max_batch
                )));
            }
            let mut items = Vec::with_capacity(values.len());
            for (i, v) in values.iter().enumerate() {
                let entity = Entity::lookup(&v.entity).ok_or_else(|| {
                    ApiError::bad_request(format!("values[{i}].entity: unknown entity type"))
                })?;
                if v.value.trim().is_empty() {
                    return Err(ApiError::bad_request(format!("values[{i}].value: empty")));
                }
                items.push(TokenItem {
                    entity: entity.name(),
                    token: s.vault.keyring().tokenize_value(entity, v.value.as_bytes()),
                });
            }
            let mut audit = s.audit.handle();
            for t in &items {
                record(&mut audit, t.entity, &t.token, "tokenized");
            }
            audit.commit().map_err(|e| ApiError::internal(&e))?;
            Ok(json_response(
                StatusCode::OK,
                &serde_json::json!({ "tokens": items }),
            ))
        }
        (None, Some(text)) => {
            let out = Zeroizing::new(s.tokenizer.redact(text.as_bytes()).into_owned());
            let mut tokens = 0u64;
            let mut audit = s.audit.handle();
            super::Finder::new().each(&out, |a, b| {
                let token = std::str::from_utf8(&out[a..b]).expect("tokens are ASCII");
                let entity = codec::parse_known(token).map_or("?", |t| t.entity.name());
                record(&mut audit, entity, token, "tokenized");
                tokens += 1;
            });
            audit.commit().map_err(|e| ApiError::internal(&e))?;
            Ok(json_response(
                StatusCode::OK,
                &serde_json::json!({ "text": String::from_utf8_lossy(&out), "tokens": tokens }),
            ))
        }
        _ => Err(ApiError::bad_request(
            "give exactly one of \"values\" (a list of {entity, value}) or \"text\"",
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetokenizeRequest {
    tokens: Option<Vec<String>>,
    text: Option<String>,
    purpose: Option<String>,
}

#[derive(Serialize)]
struct ValueOut {
    token: String,
    entity: &'static str,
    outcome: &'static str,
    value: Option<String>,
}

async fn detokenize(
    State(s): State<Arc<Service>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Reply {
    handle(
        s,
        "/v1/detokenize",
        peer.ip(),
        headers,
        body,
        detokenize_blocking,
    )
    .await
}

fn detokenize_blocking(
    s: &Service,
    p: &Principal,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Reply {
    let req: DetokenizeRequest = parse_body(body, s.limits.max_body_bytes)?;
    let purpose = req.purpose.as_deref();
    match (req.tokens, req.text) {
        (Some(tokens), None) => detokenize_list(s, p, purpose, &tokens),
        (None, Some(text)) => {
            let mut out = Zeroizing::new(Vec::with_capacity(text.len()));
            let stats = {
                let mut audit = s.audit.handle();
                s.vault
                    .detokenize_with(p, purpose, &mut audit, text.as_bytes(), &mut *out)
                    .map_err(|e| ApiError::internal(&e))?
            };
            Ok(json_response(
                StatusCode::OK,
                &serde_json::json!({
                    "text": String::from_utf8_lossy(&out),
                    "revealed": stats.revealed,
                    "partial": stats.partial,
                    "left": stats.left(),
                }),
            ))
        }
        _ => Err(ApiError::bad_request(
            "give exactly one of \"tokens\" (a list) or \"text\"",
        )),
    }
}

/// The list form: all or nothing. A malformed token (400) or one the principal may not see
/// (403) stops the request before anything is opened; the refusals are audited.
fn detokenize_list(s: &Service, p: &Principal, purpose: Option<&str>, tokens: &[String]) -> Reply {
    if tokens.len() > s.limits.max_batch {
        return Err(ApiError::too_large(format!(
            "{} tokens in one request; the limit is {}",
            tokens.len(),
            s.limits.max_batch
        )));
    }
    let mut audit = s.audit.handle();
    let mut refusal: Option<ApiError> = None;
    for (i, t) in tokens.iter().enumerate() {
        let check = if codec::parse_known(t).is_some() {
            s.vault.check(p, purpose, t)
        } else {
            Check::Malformed
        };
        let (entity, outcome, err) = match check {
            Check::Allowed(..) => continue,
            Check::Malformed => (
                "?",
                "malformed",
                ApiError::bad_request(format!("tokens[{i}]: not a velum token of a known type")),
            ),
            Check::Denied(e, why) if why == "denied_no_purpose" => (
                e.name(),
                why,
                ApiError::forbidden(
                    "purpose_required",
                    format!("tokens[{i}]: revealing {} requires a \"purpose\"", e.name()),
                ),
            ),
            Check::Denied(e, why) => (
                e.name(),
                why,
                ApiError::forbidden(
                    "forbidden",
                    format!(
                        "tokens[{i}]: principal {} may not reveal {}",
                        p.name,
                        e.name()
                    ),
                ),
            ),
        };
        audit.record(&Decision {
            principal: &p.name,
            purpose,
            entity,
            token: if outcome == "malformed" { "" } else { t },
            key_id: codec::parse_known(t).map_or(0, |t| t.key_id),
            outcome,
        });
        // A malformed token outranks a refusal: the request is wrong before it is forbidden.
        if refusal
            .as_ref()
            .is_none_or(|r| r.status != StatusCode::BAD_REQUEST)
        {
            refusal = Some(err);
        }
    }
    if let Some(err) = refusal {
        audit.commit().map_err(|e| ApiError::internal(&e))?;
        return Err(err);
    }
    let mut values = Vec::with_capacity(tokens.len());
    for t in tokens {
        let (entity, opened) = s.vault.open_token(p, purpose, &mut audit, t);
        let (outcome, value) = match opened {
            Opened::Revealed(v) => ("revealed", Some(v)),
            Opened::Partial(v) => ("revealed_last4", Some(v)),
            Opened::Denied { why } => (why, None),
            Opened::Invalid => ("invalid", None),
            Opened::Unavailable => ("key_unavailable", None),
        };
        values.push(ValueOut {
            token: t.clone(),
            entity: entity.map_or("?", Entity::name),
            outcome,
            value: value.map(|v| String::from_utf8_lossy(&v).into_owned()),
        });
    }
    // The records reach the disk before any value leaves.
    audit.commit().map_err(|e| ApiError::internal(&e))?;
    let r = json_response(StatusCode::OK, &serde_json::json!({ "values": values }));
    for v in &mut values {
        if let Some(v) = v.value.as_mut() {
            zeroize::Zeroize::zeroize(v);
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_refills_at_its_rate() {
        let l = Limiter::new(&Limits::default().with_rate(1000.0, 2));
        assert!(l.take("a").is_ok());
        assert!(l.take("a").is_ok());
        let wait = l.take("a").unwrap_err();
        assert!(wait <= Duration::from_millis(1), "{wait:?}");
        assert!(l.take("b").is_ok(), "buckets are per key");
        std::thread::sleep(Duration::from_millis(5));
        assert!(l.take("a").is_ok());
    }

    #[test]
    fn limiter_forgets_full_buckets_when_crowded() {
        let l = Limiter::new(&Limits::default().with_rate(1e9, 1));
        for i in 0..Limiter::MAX_BUCKETS + 10 {
            let _ = l.take(&i.to_string());
        }
        assert!(l.buckets.lock().unwrap().len() <= Limiter::MAX_BUCKETS);
    }

    #[test]
    fn config_refuses_plain_http_off_loopback() {
        let mut c = ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: None,
            insecure: false,
            limits: Limits::default(),
            log_requests: false,
        };
        assert!(
            c.check()
                .unwrap_err()
                .to_string()
                .contains("plain HTTP refused")
        );
        c.insecure = true;
        assert!(c.check().is_ok());
        c.listen = "[::1]:0".parse().unwrap();
        assert!(c.check().is_ok());
        c.listen = "10.0.0.1:0".parse().unwrap();
        assert!(c.check().unwrap_err().to_string().contains("loopback"));
    }

    #[test]
    fn json_errors_never_quote_values() {
        let secret = "123-45-6789";
        for body in [
            format!("{{\"values\":[{{\"entity\":\"US_SSN\",\"value\":{secret}}}]}}"),
            format!("{{\"values\":[{{\"entity\":\"US_SSN\",\"value\":[\"{secret}\"]}}]}}"),
            format!("{{\"values\":\"{secret}\"}}"),
            format!("{{\"{secret}\":1}}"),
        ] {
            let e = parse_body::<TokenizeRequest>(Ok(Bytes::from(body.clone())), 100)
                .err()
                .unwrap();
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert!(!e.message.contains("6789"), "{}", e.message);
            assert!(e.message.contains("line 1"), "{}", e.message);
        }
    }
}
