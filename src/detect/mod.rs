//! Detection: bytes in, [`Finding`](crate::Finding)s out. Knows nothing of policies' actions or
//! of output.
//!
//! - `spec`: the detector definitions (embedded `patterns/**/*.toml` and policy patterns);
//! - `lex`: the words of a unit, from one byte-class pass;
//! - `cue`: words that introduce a person by name (`Dear`, `Mr`, `spoke with`);
//! - `structure`: log structure on those words (times, dates, versions, ids, paths, keys);
//! - `shapes`: candidate shapes built from the words (numbers, phones, names…);
//! - `engine`: the single pass over a unit: shapes, a policy's regexes, validators, context;
//! - `validate`: per-family validators;
//! - `context`: context words (one Aho-Corasick automaton) and the score window;
//! - `resolve`: deterministic overlap resolution;
//! - `trace`: why a candidate was not reported (for `explain`).

pub(crate) mod context;
pub(crate) mod cue;
pub(crate) mod engine;
pub(crate) mod lex;
pub(crate) mod resolve;
pub(crate) mod shapes;
pub(crate) mod spec;
pub(crate) mod structure;
pub(crate) mod trace;
pub(crate) mod validate;
