//! velum finds personal data in log and data streams — names, account numbers, health
//! identifiers, contact data — and replaces it with labels or masks according to a policy.
//!
//! # The pipeline
//!
//! ```text
//! bytes ─► framing ─► scanning ──────────────────────────► findings ─► policy ─► transform ─► bytes
//!         (lines,     one multi-pattern regex pass ─►       (Span,     (entity    (label, mask,
//!          chunks)    validators (checksums, ranges),        Entity,    → Rule)    drop, keep)
//!                     context words, overlap resolution      score)
//! ```
//!
//! - **framing** (`stream`) cuts a stream into units: a line, or a bounded chunk of a very long
//!   line with overlap, so no identifier is split unseen;
//! - **scanning** (`detect`) returns [`Finding`]s: one pass of a `regex-automata` meta regex
//!   over all built-in and custom patterns, cheap validators on the few candidates, context
//!   words from one Aho-Corasick automaton, and a deterministic overlap rule;
//! - **policy** ([`Policy`]) maps each [`Entity`] to a [`Rule`]; it is TOML, with an embedded
//!   default;
//! - **transform** rewrites a unit; it is the only stage that writes, and a unit with nothing
//!   to change is returned borrowed.
//!
//! # Example
//!
//! ```
//! use velum::{Entity, Redactor};
//!
//! let redactor = Redactor::new(); // embedded default policy
//! let line = b"refund to 4111 1111 1111 1111, mail jane.doe@example.com\n";
//! assert_eq!(
//!     redactor.redact(line).as_ref(),
//!     b"refund to **** **** **** 1111, mail [EMAIL]\n"
//! );
//! let found = redactor.scan(line);
//! assert_eq!(found[0].entity, Entity::CREDIT_CARD);
//! ```
//!
//! # Crate features
//!
//! - `cli` (default): the `velum` binary and its dependencies (clap).
//! - `tokio` (default): [`Redactor::redact_async`], for async ingestion services.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[cfg(feature = "batch")]
pub mod batch;
mod decode;
pub(crate) mod detect;
mod error;
#[cfg(feature = "compression")]
pub mod input;
pub(crate) mod phone;
mod policy;
mod record;
mod redactor;
#[cfg(feature = "server")]
pub mod service;
mod span;
pub(crate) mod stream;
mod time;
mod transform;
pub mod vault;

pub use detect::trace::{Reason, Rejected};
pub use error::{Error, ErrorKind, Result};
pub use policy::Policy;
pub use record::Format;
pub use redactor::{
    Explanation, JsonFinding, JsonOptions, Redacted, Redactor, Replacement, Scratch,
};
pub use span::{DetectorId, Entity, Finding, Span};
pub use stream::{LineFinding, ReadAhead, RedactingWriter, StreamStats};
pub use transform::{Action, Rule};
pub use vault::Keyring;
