//! `POST /v1/redact` and `POST /v1/scan`: the service's policy applied to a caller's text,
//! for callers that should hold neither the engine nor the keyring. Same order as every
//! endpoint (rate limit, authentication, body and batch limits, parse, authorise, audit,
//! respond). Any authenticated principal may redact and scan: the answer holds no more than
//! the caller sent. When the policy writes tokens or keyed hashes, redaction is
//! tokenisation: the principal needs `tokenize = true`, a text holding tokens is refused
//! (422), as on `/v1/tokenize`.
//!
//! ```text
//! POST /v1/redact  {"text"} | {"texts":[...]}  ->  {"text"} | {"texts"}, with "findings": n
//! POST /v1/scan    {"text"} | {"texts":[...]}  ->  {"findings":[...]} | {"results":[[...]]}
//! ```
//!
//! A finding is `{"entity","start","end","score","detector"}`, offsets in UTF-8 bytes of
//! the text. The audit log gets one record per request and entity type found (outcome
//! `redacted` or `scanned`; entity `-` when nothing was found): who sent what kind of data,
//! never the data.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::Service;
use super::api::{ApiError, Reply, json_response, parse_body};
use super::handlers::{handle, tokens_in};
use super::tls::Peer;
use crate::vault::Principal;
use crate::vault::audit::{Audit, Decision};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextRequest {
    text: Option<Zeroizing<String>>,
    texts: Option<Vec<Zeroizing<String>>>,
}

#[derive(Serialize)]
struct FindingOut {
    entity: &'static str,
    start: usize,
    end: usize,
    score: f32,
    detector: &'static str,
}

pub(super) async fn redact(
    State(s): State<Arc<Service>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Body,
) -> Reply {
    handle(s, "/v1/redact", peer.ip(), headers, body, redact_blocking).await
}

pub(super) async fn scan(
    State(s): State<Arc<Service>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Body,
) -> Reply {
    handle(s, "/v1/scan", peer.ip(), headers, body, scan_blocking).await
}

/// The texts of a request: one (`text`) or a batch (`texts`, at most the batch limit).
fn texts(s: &Service, req: TextRequest) -> Result<(Vec<Zeroizing<String>>, bool), ApiError> {
    match (req.text, req.texts) {
        (Some(t), None) => Ok((vec![t], false)),
        (None, Some(v)) if v.len() > s.limits.max_batch => Err(ApiError::too_large(format!(
            "{} texts in one request; the limit is {}",
            v.len(),
            s.limits.max_batch
        ))),
        (None, Some(v)) => Ok((v, true)),
        _ => Err(ApiError::bad_request(
            "give exactly one of \"text\" (a string) or \"texts\" (a list of strings)",
        )),
    }
}

/// One audit record per entity type found (`-` when none), committed before the answer.
fn audit(
    s: &Service,
    p: &Principal,
    outcome: &str,
    found: &BTreeSet<&'static str>,
) -> Result<(), ApiError> {
    let mut audit = s.audit.handle();
    let none = BTreeSet::from(["-"]);
    for entity in if found.is_empty() { &none } else { found } {
        audit.record(&Decision {
            principal: &p.name,
            purpose: None,
            entity,
            token: "",
            key_id: s.vault.keyring().active_id(),
            outcome,
        });
    }
    audit.commit().map_err(|e| ApiError::internal(&e))
}

pub(super) fn redact_blocking(s: &Service, p: &Principal, body: Result<Bytes, ApiError>) -> Reply {
    let req: TextRequest = parse_body(body)?;
    let (texts, batch) = texts(s, req)?;
    if s.makes_tokens {
        if !s.vault.policy().may_tokenize(p) {
            audit(s, p, "denied_tokenize", &BTreeSet::new())?;
            return Err(ApiError::forbidden(
                "forbidden",
                format!(
                    "the service's policy writes tokens, and principal {} may not tokenise \
                     (no role with tokenize = true)",
                    p.name
                ),
            ));
        }
        if texts.iter().any(|t| !tokens_in(t.as_bytes()).is_empty()) {
            audit(s, p, "denied_tokens_in_input", &BTreeSet::new())?;
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "tokens_in_input",
                "a text holds tokens (VLM_...), and this service's policy writes tokens: \
                 send text without them",
            ));
        }
    }
    let mut found = BTreeSet::new();
    let mut n = 0;
    let mut out = Vec::with_capacity(texts.len());
    for t in &texts {
        let d = s.redactor.redact_detailed(t.as_bytes());
        n += d.replacements.len();
        found.extend(d.replacements.iter().map(|r| r.entity.name()));
        out.push(Zeroizing::new(
            String::from_utf8_lossy(&d.text).into_owned(),
        ));
    }
    audit(s, p, "redacted", &found)?;
    let body = if batch {
        let v: Vec<&str> = out.iter().map(|t| t.as_str()).collect();
        serde_json::json!({ "texts": v, "findings": n })
    } else {
        serde_json::json!({ "text": out[0].as_str(), "findings": n })
    };
    Ok(json_response(StatusCode::OK, &body))
}

pub(super) fn scan_blocking(s: &Service, p: &Principal, body: Result<Bytes, ApiError>) -> Reply {
    let req: TextRequest = parse_body(body)?;
    let (texts, batch) = texts(s, req)?;
    let mut found = BTreeSet::new();
    let results: Vec<Vec<FindingOut>> = texts
        .iter()
        .map(|t| {
            s.redactor
                .scan(t.as_bytes())
                .into_iter()
                .map(|f| {
                    found.insert(f.entity.name());
                    FindingOut {
                        entity: f.entity.name(),
                        start: f.span.start(),
                        end: f.span.end(),
                        score: f.score,
                        detector: f.detector.as_str(),
                    }
                })
                .collect()
        })
        .collect();
    audit(s, p, "scanned", &found)?;
    let body = if batch {
        serde_json::json!({ "results": results })
    } else {
        serde_json::json!({ "findings": results[0] })
    };
    Ok(json_response(StatusCode::OK, &body))
}
