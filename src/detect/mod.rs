//! Detection: bytes in, [`Finding`](crate::Finding)s out. Knows nothing of policies' actions or
//! of output.
//!
//! - `spec`: the detector definitions (embedded `patterns/**/*.toml` and policy patterns);
//! - `engine`: the single pass (one multi-pattern meta regex) and candidate dispatch;
//! - `validate`: per-family validators;
//! - `context`: context words (one Aho-Corasick automaton) and the score window;
//! - `resolve`: deterministic overlap resolution.

pub(crate) mod context;
pub(crate) mod engine;
pub(crate) mod resolve;
pub(crate) mod spec;
pub(crate) mod validate;
