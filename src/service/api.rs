//! What every endpoint shares: error responses (`{"error":{"code","message"}}`, never a
//! value or a key), JSON bodies parsed with errors that name a position, the request log,
//! and authentication behind the rate limit.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::Service;
use crate::error::Error;
use crate::vault::Principal;
use crate::vault::audit::{Audit, Decision};

/// An error response: `{"error":{"code","message"}}`.
#[derive(Debug)]
pub(super) struct ApiError {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) message: String,
    pub(super) retry_after: Option<u64>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub(super) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub(super) fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub(super) fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    /// 429: the audit log took its bytes for this second (`--audit-bytes-per-second`).
    pub(super) fn audit_budget(wait: Duration) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "audit_budget",
            "the audit log's budget for this second is spent; retry later",
        );
        e.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        e
    }

    pub(super) fn internal(e: &Error) -> Self {
        // The operator reads the cause (a path, an OS error) in the server's log; the client
        // learns only that nothing was released. (Errors of this crate never carry values
        // or key material.)
        server_log(format_args!("error: {e}"));
        let message = match e.kind() {
            crate::ErrorKind::Io => "the audit log cannot be written; nothing was released",
            _ => "the request failed; nothing was released",
        };
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
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

pub(super) fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
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

pub(super) type Reply = Result<Response, ApiError>;

/// The server's log: a line on stderr. Callers pass names, statuses and addresses, never
/// values, tokens or keys.
#[allow(
    clippy::print_stderr,
    reason = "a service's request log goes to stderr"
)]
/// Writes a line of the server's log on stderr, at most [`LOG_LINES_PER_SECOND`] a second: a
/// flood of refused connections or requests cannot flood the log. Lines over the budget are
/// counted, and the count is written with the next line let through.
pub(super) fn server_log(line: std::fmt::Arguments<'_>) {
    static STATE: std::sync::Mutex<(Option<Instant>, u32, u64)> =
        std::sync::Mutex::new((None, 0, 0));
    let mut st = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let (start, lines, dropped) = &mut *st;
    if start.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
        *start = Some(Instant::now());
        *lines = 0;
    }
    if *lines >= LOG_LINES_PER_SECOND {
        *dropped += 1;
        return;
    }
    *lines += 1;
    if *dropped > 0 {
        eprintln!(
            "velum: vault: ({dropped} log lines dropped: more than {LOG_LINES_PER_SECOND} a second)"
        );
        *dropped = 0;
    }
    eprintln!("velum: vault: {line}");
}

/// Most lines the server writes to its log per second.
pub(super) const LOG_LINES_PER_SECOND: u32 = 100;

pub(super) fn log(method: &str, path: &str, who: &str, status: StatusCode, started: Instant) {
    server_log(format_args!(
        "{method} {path} {} principal={who} {:.1}ms",
        status.as_u16(),
        started.elapsed().as_secs_f64() * 1e3
    ));
}

/// Rate limit, then authenticate. A refused key is audited (after the rate limit, so
/// a flood of bad keys cannot flood the log).
pub(super) fn authenticate(
    s: &Service,
    headers: &HeaderMap,
    peer: IpAddr,
) -> Result<Principal, ApiError> {
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
        // The scheme is case-insensitive (RFC 9110 §11.1): `Bearer`, `bearer`, `BEARER`.
        .and_then(|v| {
            let v = v.as_bytes();
            (v.len() > 7 && v[..7].eq_ignore_ascii_case(b"bearer ")).then(|| &v[7..])
        })
        .map(|k| k.trim_ascii())
        .filter(|k| !k.is_empty());
    // A JWT access token when the service takes them, else an API key when it takes those.
    let mut why: Option<&'static str> = None;
    let principal = match (key, &s.jwt) {
        (Some(k), Some(v)) if crate::vault::OidcVerifier::looks_like_jwt(k) => {
            match v.verify(k, crate::time::unix_now()) {
                Ok(c) => {
                    let p = s
                        .vault
                        .policy()
                        .principal_with_roles(&format!("jwt:{}", c.subject), &c.roles);
                    if p.is_none() {
                        why = Some("the token's roles claim names no role of the vault policy");
                    }
                    p
                }
                Err(reason) => {
                    why = Some(reason);
                    None
                }
            }
        }
        (Some(_), _) if !s.api_keys => {
            why = Some("this service takes OAuth 2.0 bearer tokens (JWT), not API keys");
            None
        }
        (Some(k), _) => s.vault.authenticate(k).cloned(),
        (None, _) => None,
    };
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
            audit.record(&Decision::refused_key(if key.is_some() {
                "unauthenticated"
            } else {
                "no_credentials"
            }));
            audit.commit().map_err(|e| ApiError::internal(&e))?;
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                match (why, key.is_some()) {
                    (Some(w), _) => w,
                    (None, true) => "the API key is not recognised",
                    (None, false) => {
                        "missing credentials: send Authorization: Bearer <key or token>"
                    }
                },
            ))
        }
    }
}

/// Parses a JSON body; errors name the position and the field, never a value.
pub(super) fn parse_body<T: for<'de> Deserialize<'de>>(
    body: Result<Bytes, ApiError>,
) -> Result<T, ApiError> {
    let body = body?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16: a 500 told the client where the audit log is; the path goes to the
    /// server's log only.
    #[test]
    fn a_500_names_no_path() {
        let e = Error::io(
            "audit log /srv/secret/audit.jsonl: cannot write",
            std::io::Error::other("no space left"),
        );
        let r = ApiError::internal(&e);
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!r.message.contains("/srv"), "{}", r.message);
        assert!(!r.message.contains("space"), "{}", r.message);
        assert!(r.message.contains("nothing was released"));
    }
}
