//! An entry for the fuzz target of request bodies (`fuzz/fuzz_targets/service_body.rs`): the
//! endpoints' work on a body — parsing, limits, authorisation, the vault, the audit — without
//! the network. Not a stable API.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::body::Bytes;

use super::handlers::{detokenize_blocking, tokenize_blocking};
use super::limiter::Limiter;
use super::{Limits, Service};
use crate::error::{Error, Result};
use crate::vault::audit::SharedAudit;
use crate::vault::{AuditLog, Principal, Vault, VaultPolicy};
use crate::{Keyring, Policy, Redactor};

/// The service's request handling for one principal, in process.
#[doc(hidden)]
#[derive(Debug)]
pub struct BodyFuzzer {
    service: Arc<Service>,
    principal: Principal,
    rt: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").finish_non_exhaustive()
    }
}

impl BodyFuzzer {
    /// A service over a fresh keyring, the vault policy `vault_policy` (TOML), the default
    /// detection policy and an audit log in `dir`, with `limits`; requests come from the
    /// principal holding `api_key`.
    ///
    /// # Errors
    /// When the policy does not load, no principal holds `api_key`, or `dir` is unwritable.
    pub fn new(dir: &Path, vault_policy: &str, api_key: &[u8], limits: Limits) -> Result<Self> {
        let keys = dir.join("keys.json");
        Keyring::generate()?.save(&keys)?;
        let audit = AuditLog::open(dir.join("audit.jsonl"), &Keyring::load(&keys)?)?;
        let vault = Vault::new(
            Keyring::load(&keys)?,
            VaultPolicy::from_toml_str(vault_policy, "fuzz")?,
        );
        let principal = vault
            .authenticate(api_key)
            .cloned()
            .ok_or_else(|| Error::config("no principal holds the fuzzer's key"))?;
        let redactor = Redactor::with_keyring(&Policy::default(), vault.keyring().duplicate())?;
        let tokenizer = redactor.with_policy(&Policy::default().tokenize_all())?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| Error::io("starting a runtime", e))?;
        Ok(Self {
            service: Arc::new(Service {
                vault,
                audit: SharedAudit::new(audit)?,
                tokenizer,
                redactor,
                makes_tokens: false,
                jwt: None,
                api_keys: true,
                limiter: Limiter::new(&limits),
                limits,
                log_requests: false,
                requests: AtomicU64::new(0),
            }),
            principal,
            rt,
        })
    }

    /// The status and the JSON body of the answer to `body` sent to `/v1/tokenize` (when
    /// `tokenize`) or `/v1/detokenize`.
    pub fn post(&self, tokenize: bool, body: &[u8]) -> (u16, Vec<u8>) {
        self.post_to(if tokenize { 0 } else { 1 }, body)
    }

    /// The answer to `body` sent to endpoint `which` (modulo 4): `/v1/tokenize`,
    /// `/v1/detokenize`, `/v1/redact`, `/v1/scan`.
    pub fn post_to(&self, which: u8, body: &[u8]) -> (u16, Vec<u8>) {
        let body = Ok(Bytes::copy_from_slice(body));
        let work: super::handlers::Work = match which % 4 {
            0 => tokenize_blocking,
            1 => detokenize_blocking,
            2 => super::redact::redact_blocking,
            _ => super::redact::scan_blocking,
        };
        let response = match work(&self.service, &self.principal, body) {
            Ok(r) => r,
            Err(e) => axum::response::IntoResponse::into_response(e),
        };
        let status = response.status().as_u16();
        let bytes = self
            .rt
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .map(|b| b.to_vec())
            .unwrap_or_default();
        (status, bytes)
    }
}
