//! The endpoints: health, tokenize and detokenize, each in the fixed order of the module
//! documentation, the vault work on a blocking thread.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::Service;
use super::api::{ApiError, Reply, authenticate, json_response, log, parse_body};
use super::tls::Peer;
use crate::Entity;
use crate::vault::audit::{Audit, Decision};
use crate::vault::{Check, Opened, Principal, codec};

pub(super) async fn health(State(s): State<Arc<Service>>) -> Response {
    json_response(
        StatusCode::OK,
        &serde_json::json!({"status": "ok", "active_key": s.vault.keyring().active_id()}),
    )
}

pub(super) async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint: use POST /v1/redact, /v1/scan, /v1/tokenize, /v1/detokenize or GET /v1/health",
    )
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

pub(super) async fn tokenize(
    State(s): State<Arc<Service>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Body,
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
pub(super) type Work = fn(&Service, &Principal, Result<Bytes, ApiError>) -> Reply;

/// Runs `work` off the async threads (decryption, the audit fsync) and logs the request.
pub(super) async fn handle(
    s: Arc<Service>,
    path: &'static str,
    peer: IpAddr,
    headers: HeaderMap,
    body: Body,
    work: Work,
) -> Reply {
    let started = Instant::now();
    s.requests.fetch_add(1, Ordering::Relaxed);
    // What the headers alone decide, before any body is asked for (a `100 Continue` invites
    // it): an expectation other than 100-continue (417), a caller not authenticated (401,
    // 429), a declared length over the limit (413), a spent audit budget (429).
    let limit = s.limits.max_body_bytes;
    let checked = {
        let (s, headers) = (Arc::clone(&s), headers.clone());
        blocking_with(move || {
            expectation(&headers)?;
            let p = authenticate(&s, &headers, peer)?;
            declared_length(&headers, limit)?;
            // This second's audit bytes spent: shed the request before it writes more.
            s.audit.admit().map_err(ApiError::audit_budget)?;
            Ok(p)
        })
        .await
    };
    let r = match checked {
        Ok(p) => {
            let body = read_body(body, limit).await;
            let who = p.name.clone();
            let s2 = Arc::clone(&s);
            (who, blocking(move || work(&s2, &p, body)).await)
        }
        Err(e) => ("-".to_owned(), Err(e)),
    };
    if s.log_requests {
        log("POST", path, &r.0, status_of(&r.1), started);
    }
    r.1
}

/// 417 for an `Expect` other than `100-continue` (RFC 9110 §10.1.1).
fn expectation(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(axum::http::header::EXPECT) {
        None => Ok(()),
        Some(v) if v.as_bytes().eq_ignore_ascii_case(b"100-continue") => Ok(()),
        Some(_) => Err(ApiError::new(
            StatusCode::EXPECTATION_FAILED,
            "expectation_failed",
            "the only expectation served is 100-continue",
        )),
    }
}

/// 413 for a `Content-Length` over the limit, before the body is read.
fn declared_length(headers: &HeaderMap, limit: usize) -> Result<(), ApiError> {
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit as u64 => Err(ApiError::too_large(format!(
            "request body larger than {limit} bytes"
        ))),
        _ => Ok(()),
    }
}

/// The request body, at most `limit` bytes (413 beyond, 400 when it cannot be read).
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    use http_body_util::BodyExt;
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(ApiError::too_large(format!(
            "request body larger than {limit} bytes"
        ))),
        Err(_) => Err(ApiError::bad_request("cannot read the request body")),
    }
}

fn status_of(r: &Reply) -> StatusCode {
    match r {
        Ok(r) => r.status(),
        Err(e) => e.status,
    }
}

/// Runs request work (decryption, audit fsync) off the async threads.
async fn blocking(f: impl FnOnce() -> Reply + Send + 'static) -> Reply {
    blocking_with(f).await
}

/// [`blocking`] for any result whose error is an [`ApiError`].
async fn blocking_with<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|_| {
        Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the request failed",
        ))
    })
}

pub(super) fn tokenize_blocking(
    s: &Service,
    p: &Principal,
    body: Result<Bytes, ApiError>,
) -> Reply {
    let req: TokenizeRequest = parse_body(body)?;
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
            // A text that holds tokens is refused: the answer would show which of the
            // caller's guesses became one of them, a reveal the audit would not see (issue
            // 24). One record says so, whatever the number of tokens.
            if !tokens_in(text.as_bytes()).is_empty() {
                let mut audit = s.audit.handle();
                record(&mut audit, "-", "", "denied_tokens_in_input");
                audit.commit().map_err(|e| ApiError::internal(&e))?;
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "tokens_in_input",
                    "the text holds tokens (VLM_...): tokenize text without them, and open \
                     tokens through /v1/detokenize, where the reveal is authorised and audited",
                ));
            }
            // The tokens this request made (the text held none).
            let out = Zeroizing::new(s.tokenizer.redact(text.as_bytes()).into_owned());
            let mut made = Vec::new();
            finder().each(&out, |a, b| made.push((a, b)));
            if made.len() > s.limits.max_batch {
                return Err(ApiError::too_large(format!(
                    "the text holds {} values to tokenize; the limit is {}",
                    made.len(),
                    s.limits.max_batch
                )));
            }
            let tokens = made.len();
            let mut audit = s.audit.handle();
            for (a, b) in made {
                let token = std::str::from_utf8(&out[a..b]).expect("tokens are ASCII");
                let entity = codec::parse_known(token).map_or("?", |t| t.entity.name());
                record(&mut audit, entity, token, "tokenized");
            }
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

/// The token finder, compiled once.
fn finder() -> &'static crate::vault::Finder {
    static F: std::sync::OnceLock<crate::vault::Finder> = std::sync::OnceLock::new();
    F.get_or_init(crate::vault::Finder::new)
}

/// The distinct token-shaped words of `text`.
pub(super) fn tokens_in(text: &[u8]) -> std::collections::HashSet<&[u8]> {
    let mut set = std::collections::HashSet::new();
    finder().each(text, |a, b| {
        set.insert(&text[a..b]);
    });
    set
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

pub(super) async fn detokenize(
    State(s): State<Arc<Service>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Body,
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

pub(super) fn detokenize_blocking(
    s: &Service,
    p: &Principal,
    body: Result<Bytes, ApiError>,
) -> Reply {
    let req: DetokenizeRequest = parse_body(body)?;
    if let Some(purpose) = &req.purpose {
        crate::vault::check_purpose(purpose)
            .map_err(|why| ApiError::bad_request(format!("purpose: {why}")))?;
    }
    let purpose = req.purpose.as_deref();
    match (req.tokens, req.text) {
        (Some(tokens), None) => detokenize_list(s, p, purpose, &tokens),
        (None, Some(text)) => {
            let mut count = 0;
            finder().each(text.as_bytes(), |_, _| count += 1);
            if count > s.limits.max_batch {
                return Err(ApiError::too_large(format!(
                    "the text holds {count} tokens; the limit is {}",
                    s.limits.max_batch
                )));
            }
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
    // A refused request is audited once per kind of refusal (its first token), however many
    // tokens it held: its cost in the log does not grow with the request.
    let mut refused: Vec<(&str, &str)> = Vec::new();
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
        if !refused.contains(&(entity, outcome)) {
            refused.push((entity, outcome));
            audit.record(&Decision {
                principal: &p.name,
                purpose,
                entity,
                token: if outcome == "malformed" { "" } else { t },
                key_id: codec::parse_known(t).map_or(0, |t| t.key_id),
                outcome,
            });
        }
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
    use axum::body::Bytes;

    #[test]
    fn json_errors_never_quote_values() {
        let secret = "123-45-6789";
        for body in [
            format!("{{\"values\":[{{\"entity\":\"US_SSN\",\"value\":{secret}}}]}}"),
            format!("{{\"values\":[{{\"entity\":\"US_SSN\",\"value\":[\"{secret}\"]}}]}}"),
            format!("{{\"values\":\"{secret}\"}}"),
            format!("{{\"{secret}\":1}}"),
        ] {
            let e = parse_body::<TokenizeRequest>(Ok(Bytes::from(body.clone())))
                .err()
                .unwrap();
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert!(!e.message.contains("6789"), "{}", e.message);
            assert!(e.message.contains("line 1"), "{}", e.message);
        }
    }
}
