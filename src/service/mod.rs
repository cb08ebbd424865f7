//! The vault as a service (`velum vault serve`): tokenisation and detokenisation over HTTPS
//! for callers that must not hold the keyring. An application above the library, like the
//! CLI: it uses the [`Redactor`] (free-text tokenisation) and the [`vault`](crate::vault)
//! (keys, tokens, authorisation, audit), neither of which knows about it.
//!
//! It owns the HTTP surface only (`tls` the listener, `limiter` the rate limits, `api`
//! authentication, parsing and error responses, `handlers` the endpoints); every decision goes through the same [`Vault`] checks and
//! the same hash-chained [`AuditLog`] as the CLI. The order inside a request is fixed:
//! rate limit → authenticate (a Bearer API key, constant-time hash compare, or an OAuth 2.0
//! / OIDC JWT access token: [`crate::vault::OidcVerifier`]) → body and batch
//! limits → parse (unknown fields refused) → authorise → decide and record → commit the
//! audit records to disk → respond. Nothing is released when the commit fails.
//!
//! ```text
//! GET  /v1/health                                   no authentication
//! POST /v1/tokenize    {"values":[{"entity","value"}]} | {"text"}
//! POST /v1/detokenize  {"tokens":[...], "purpose"?}    | {"text", "purpose"?}
//! POST /v1/redact      {"text"} | {"texts":[...]}      (the policy's actions; `redact`)
//! POST /v1/scan        {"text"} | {"texts":[...]}      (findings, byte offsets; `redact`)
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
//! use velum::service::{Limits, ServerConfig, VaultServer};
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

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::net::TcpListener;

use crate::error::{Error, Result};
use crate::vault::audit::SharedAudit;
use crate::vault::{AuditLog, Vault};
use crate::{Policy, Redactor};

mod api;
mod conn;
mod fuzzing;
mod handlers;
mod limiter;
mod per_source;
mod redact;
mod tls;

pub use crate::vault::{JwksSource, JwtConfig};
use conn::Guarded;
#[doc(hidden)]
pub use fuzzing::BodyFuzzer;
use handlers::{detokenize, health, not_found, tokenize};
use limiter::Limiter;
use tls::{Peer, TlsListener, load_tls};

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
    /// Most connections open at once; one more is closed at once.
    pub max_connections: usize,
    /// Most connections one client address may hold open at once (so that one client
    /// cannot take every slot of `max_connections`).
    pub max_connections_per_client: usize,
    /// Most TLS handshakes one client address may have unfinished at once.
    pub max_handshakes_per_client: usize,
    /// Time a TLS handshake may take; a client that does not finish it is closed.
    pub handshake_timeout: Duration,
    /// Audit log bytes the service may write per second; beyond, requests get 429 until
    /// the next second (so a flood cannot fill the disk the log is on).
    pub audit_bytes_per_second: u64,
    /// Time a request may take to arrive whole from its first byte (headers and body).
    pub request_timeout: Duration,
    /// Time a connection may stay with nothing read or written before it is closed.
    pub idle_timeout: Duration,
    /// After a shutdown signal, time in-flight requests get to finish; connections still
    /// open then are dropped.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    /// 100 requests/s with bursts of 200, 1 MiB bodies, 1,000 items per request, 256
    /// connections (32 per client address, 8 unfinished TLS handshakes per address, 5 s to
    /// finish one), 20 s to send a request, 60 s idle, 10 s to finish at shutdown.
    fn default() -> Self {
        Self {
            rate_per_second: 100.0,
            burst: 200,
            max_body_bytes: 1 << 20,
            max_batch: 1000,
            max_connections: 256,
            max_connections_per_client: 32,
            max_handshakes_per_client: 8,
            handshake_timeout: Duration::from_secs(5),
            audit_bytes_per_second: 16 << 20,
            request_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// These limits with another rate and burst.
    ///
    /// # Example
    /// ```
    /// let l = velum::service::Limits::default().with_rate(5.0, 10);
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

    /// These limits with other caps per client address: connections, unfinished TLS
    /// handshakes, and the time a handshake may take.
    ///
    /// # Example
    /// ```
    /// use std::time::Duration;
    /// let l = velum::service::Limits::default().with_per_client(4, 2, Duration::from_secs(1));
    /// assert_eq!((l.max_connections_per_client, l.max_handshakes_per_client), (4, 2));
    /// ```
    pub fn with_per_client(
        mut self,
        max_connections: usize,
        max_handshakes: usize,
        handshake_timeout: Duration,
    ) -> Self {
        self.max_connections_per_client = max_connections;
        self.max_handshakes_per_client = max_handshakes;
        self.handshake_timeout = handshake_timeout;
        self
    }

    /// These limits with another audit budget (bytes per second).
    ///
    /// # Example
    /// ```
    /// let l = velum::service::Limits::default().with_audit_budget(1 << 20);
    /// assert_eq!(l.audit_bytes_per_second, 1 << 20);
    /// ```
    pub fn with_audit_budget(mut self, bytes_per_second: u64) -> Self {
        self.audit_bytes_per_second = bytes_per_second;
        self
    }

    /// These limits with another connection cap and time limits.
    ///
    /// # Example
    /// ```
    /// use std::time::Duration;
    /// let s = Duration::from_secs;
    /// let l = velum::service::Limits::default().with_connections(64, s(5), s(30), s(3));
    /// assert_eq!((l.max_connections, l.idle_timeout), (64, s(30)));
    /// ```
    pub fn with_connections(
        mut self,
        max_connections: usize,
        request_timeout: Duration,
        idle_timeout: Duration,
        shutdown_grace: Duration,
    ) -> Self {
        self.max_connections = max_connections;
        self.request_timeout = request_timeout;
        self.idle_timeout = idle_timeout;
        self.shutdown_grace = shutdown_grace;
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
    /// use velum::service::{Limits, ServerConfig};
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
        // A rate so small that a client would wait longer than a day is a typo (1e-300 once
        // overflowed the wait's duration).
        if l.rate_per_second < 1.0 / 86_400.0 || l.rate_per_second > 1e9 {
            return Err(Error::config(
                "--rate must be between one request a day (0.0000116) and 1e9 per second",
            ));
        }
        let secs = |d: Duration| d.as_secs_f64();
        if l.max_connections == 0
            || !(0.001..=86_400.0).contains(&secs(l.request_timeout))
            || !(0.001..=86_400.0).contains(&secs(l.idle_timeout))
            || secs(l.shutdown_grace) > 86_400.0
        {
            return Err(Error::config(
                "--max-connections must be positive and --request-timeout, --idle-timeout, --shutdown-grace at most a day (the timeouts more than 0)",
            ));
        }
        if l.audit_bytes_per_second < 4096 {
            return Err(Error::config(
                "--audit-bytes-per-second must be at least 4096 (a few records)",
            ));
        }
        if l.max_connections_per_client == 0
            || l.max_handshakes_per_client == 0
            || !(0.001..=3_600.0).contains(&secs(l.handshake_timeout))
        {
            return Err(Error::config(
                "--max-connections-per-client and --max-handshakes-per-client must be positive and --handshake-timeout between 0.001 and 3600 seconds",
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

/// Shared state of the handlers.
struct Service {
    vault: Vault,
    audit: SharedAudit,
    tokenizer: Redactor,
    /// The policy with its own actions, for `/v1/redact` and `/v1/scan`.
    redactor: Redactor,
    /// The policy writes tokens or keyed hashes (then redacting is tokenising).
    makes_tokens: bool,
    /// OAuth 2.0 / OIDC bearer tokens, when configured.
    jwt: Option<crate::vault::OidcVerifier>,
    /// Static API keys are accepted (the vault policy's `key_sha256`).
    api_keys: bool,
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
    /// what the free-text form of `/v1/tokenize` finds (every finding becomes a token), and
    /// what `/v1/redact` (with the policy's actions) and `/v1/scan` do.
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
        let redactor = Redactor::with_keyring(policy, vault.keyring().duplicate())?;
        let tokenizer = redactor.with_policy(&policy.clone().tokenize_all())?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| Error::io(format!("cannot listen on {}", config.listen), e))?;
        Ok(Self {
            listener,
            tls,
            service: Arc::new(Service {
                vault,
                audit: {
                    let shared = SharedAudit::new(audit)?;
                    shared.set_budget(config.limits.audit_bytes_per_second);
                    shared
                },
                tokenizer,
                redactor,
                makes_tokens: policy.needs_keyring().is_some(),
                jwt: None,
                api_keys: true,
                limiter: Limiter::new(&config.limits),
                limits: config.limits,
                log_requests: config.log_requests,
                requests: AtomicU64::new(0),
            }),
        })
    }

    /// Also accepts OAuth 2.0 / OpenID Connect bearer tokens (JWT access tokens) checked as
    /// `cfg` says; the token's roles claim names the vault policy's roles, its `sub` the
    /// principal (`jwt:SUB` in the audit log). With `api_keys` false, static API keys are
    /// refused: every caller comes through the identity provider.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) for a JWKS file without a usable key.
    pub fn with_jwt(mut self, cfg: JwtConfig, api_keys: bool) -> Result<Self> {
        let verifier = crate::vault::OidcVerifier::new(cfg)?;
        let service = Arc::get_mut(&mut self.service)
            .ok_or_else(|| Error::internal("the server is already running"))?;
        service.jwt = Some(verifier);
        service.api_keys = api_keys;
        Ok(self)
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
            .route("/v1/redact", post(redact::redact))
            .route("/v1/scan", post(redact::scan))
            .fallback(not_found)
            .layer(DefaultBodyLimit::max(limit))
            .with_state(Arc::clone(&self.service));
        let make = app.into_make_service_with_connect_info::<Peer>();
        let limits = self.service.limits;
        // Refusals held to be one record per kind are written every window.
        let ticker = {
            let service = Arc::clone(&self.service);
            tokio::spawn(async move {
                let mut every = tokio::time::interval(crate::vault::audit::REFUSAL_WINDOW);
                loop {
                    every.tick().await;
                    let s = Arc::clone(&service);
                    let flushed =
                        tokio::task::spawn_blocking(move || s.audit.flush_refusals(false)).await;
                    if let Ok(Err(e)) = flushed {
                        api::server_log(format_args!("error: {e}"));
                    }
                }
            })
        };
        // The signal starts the grace period; connections still open after it are dropped
        // (a slow client cannot hold the shutdown).
        let (signalled, stopping) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            shutdown.await;
            let _ = signalled.send(());
        };
        let grace = async move {
            if stopping.await.is_ok() {
                tokio::time::sleep(limits.shutdown_grace).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let served = async {
            match self.tls {
                None => {
                    axum::serve(Guarded::new(self.listener, &limits), make)
                        .with_graceful_shutdown(shutdown)
                        .await
                }
                Some(acceptor) => {
                    let tls = TlsListener::new(self.listener, acceptor, &limits);
                    axum::serve(Guarded::new(tls, &limits), make)
                        .with_graceful_shutdown(shutdown)
                        .await
                }
            }
        };
        tokio::select! {
            served = served => served.map_err(|e| Error::io("vault server", e))?,
            () = grace => api::server_log(format_args!(
                "shutdown: connections still open after {} s dropped",
                limits.shutdown_grace.as_secs_f64()
            )),
        }
        ticker.abort();
        // The refusals still held reach the log before the server returns.
        let s = Arc::clone(&self.service);
        tokio::task::spawn_blocking(move || s.audit.flush_refusals(true))
            .await
            .map_err(|e| Error::internal(format!("audit flush: {e}")))??;
        Ok(self.service.requests.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
