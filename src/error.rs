//! The crate's one error type. Messages name what is wrong and where (file, line, field),
//! never a matched value or key material.

use std::fmt;
use std::path::PathBuf;

/// What went wrong, in broad classes that map to the CLI's exit codes.
///
/// # Example
/// ```
/// use velum::{ErrorKind, Policy};
/// let e = Policy::from_path("/nonexistent/policy.toml").unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::Io);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A policy or pattern definition is invalid (exit code 2).
    Config,
    /// Reading an input failed (exit code 3); other inputs may still be processed.
    Io,
    /// Writing the output failed (exit code 3, or a quiet 0 for a closed pipe); nothing more
    /// can be written.
    Output,
    /// An internal fault stopped processing; the unit in progress was withheld (exit code 3).
    Internal,
    /// A sealed keyring was not opened: a wrong passphrase, none given, or no identity that
    /// is one of its recipients (exit code 4). A damaged keyring is [`ErrorKind::Config`].
    Locked,
}

/// An error from building a [`crate::Redactor`] or from streaming through one.
///
/// # Example
/// ```
/// use velum::{ErrorKind, Policy};
/// let err = Policy::from_toml_str("[entities.CREDIT_CRD]\naction = \"mask\"\n", "p.toml").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Config);
/// assert!(err.to_string().starts_with("p.toml:1:"), "{err}");
/// ```
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<std::io::Error>,
}

impl Error {
    /// The class of the error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Config,
            message: message.into(),
            source: None,
        }
    }

    /// A sealed keyring that was not opened (see [`ErrorKind::Locked`], exit code 4).
    pub fn locked(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Locked,
            message: message.into(),
            source: None,
        }
    }

    /// A configuration error at `origin:line: field: message`.
    pub(crate) fn config_at(origin: &str, line: Option<usize>, field: &str, msg: &str) -> Self {
        let place = match line {
            Some(l) => format!("{origin}:{l}"),
            None => origin.to_owned(),
        };
        if field.is_empty() {
            Self::config(format!("{place}: {msg}"))
        } else {
            Self::config(format!("{place}: {field}: {msg}"))
        }
    }

    /// A configuration error for a TOML file that does not parse: its place and what is
    /// wrong, without the value found there (a value of an allow-list is personal data).
    pub(crate) fn toml_at(origin: &str, line: Option<usize>, e: &toml::de::Error) -> Self {
        Self::config_at(origin, line, "", &without_values(e.message().trim_end()))
    }

    /// An input error: `what` says which input and what was being done, without data.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Self {
            kind: ErrorKind::Io,
            message: what.into(),
            source: Some(source),
        }
    }

    /// A usage or configuration error with a message of the caller's (exit code 2).
    pub fn usage(msg: &str) -> Self {
        Self::config(msg)
    }

    /// An output error.
    pub fn output(source: std::io::Error) -> Self {
        Self {
            kind: ErrorKind::Output,
            message: "writing output".to_owned(),
            source: Some(source),
        }
    }

    /// The same error with `place` (a file name, say) in front of its message.
    pub fn at(mut self, place: &str) -> Self {
        self.message = format!("{place}: {}", self.message);
        self
    }

    pub(crate) fn io_path(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::io(PathBuf::from(path).display().to_string(), source)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Internal,
            message: message.into(),
            source: None,
        }
    }

    /// The underlying I/O error, if this is an I/O failure.
    pub fn io_error(&self) -> Option<&std::io::Error> {
        self.source.as_ref()
    }

    /// True when the error is a closed output pipe, which a filter treats as a quiet end.
    pub fn is_broken_pipe(&self) -> bool {
        self.source
            .as_ref()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(src) => write!(f, "{}: {}", self.message, src),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Shorthand for results with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A parser's message with the values it quotes taken out: `invalid type: string "…",
/// expected a sequence` → `invalid type: string, expected a sequence`; `unknown variant `…``
/// → `unknown variant`. Field names, which a policy's schema gives, stay.
fn without_values(msg: &str) -> String {
    let expected = |rest: &str| {
        rest.rfind(", expected")
            .map_or("", |i| &rest[i..])
            .to_owned()
    };
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        return format!("unknown variant{}", expected(rest));
    }
    for lead in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = msg.strip_prefix(lead) {
            let kind = rest.split([' ', ',']).next().unwrap_or("");
            return format!("{lead}{kind}{}", expected(rest));
        }
    }
    msg.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_messages_lose_their_values() {
        let cases = [
            (
                r#"invalid type: string "jane@example.com", expected a sequence"#,
                "invalid type: string, expected a sequence",
            ),
            (
                "invalid type: integer `5`, expected a string",
                "invalid type: integer, expected a string",
            ),
            (
                "unknown variant `jane, expected x`, expected one of `mask`, `label`",
                "unknown variant, expected one of `mask`, `label`",
            ),
            (
                "unknown field `bogus`, expected one of `a`",
                "unknown field `bogus`, expected one of `a`",
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(without_values(msg), want);
        }
    }

    #[test]
    fn config_error_names_place_and_field() {
        let e = Error::config_at(
            "p.toml",
            Some(12),
            "entity",
            "unknown entity \"CREDIT_CRD\"",
        );
        assert_eq!(
            e.to_string(),
            "p.toml:12: entity: unknown entity \"CREDIT_CRD\""
        );
        assert_eq!(e.kind(), ErrorKind::Config);
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let e = Error::output(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(e.is_broken_pipe());
        assert_eq!(e.kind(), ErrorKind::Output);
        let e = Error::io("reading input", std::io::Error::other("boom")).at("a.log");
        assert_eq!(e.to_string(), "a.log: reading input: boom");
    }
}
