//! [`Scratch`]: the per-thread buffers of a scan — the engine's (words, candidates, context
//! hits) and the redactor's own for records (fields, decoded values, maps back to raw bytes).
//! The engine scans bytes and knows nothing of records; the redactor reads records.

use crate::detect::engine::{EngineScratch, Segment};
use crate::record::Field;
use crate::span::Finding;

/// Reusable per-thread buffers for [`Redactor::scan_unit_with`](crate::Redactor::scan_unit_with):
/// one per thread, created with [`Redactor::scratch`](crate::Redactor::scratch).
///
/// # Example
/// ```
/// let r = velum::Redactor::new();
/// let mut scratch = r.scratch();
/// let mut found = Vec::new();
/// for line in [&b"a jane@example.com"[..], b"b 536-90-4399"] {
///     found.clear();
///     r.scan_unit_with(&mut scratch, line, &mut found); // no allocation per line
///     assert_eq!(found.len(), 1);
/// }
/// ```
pub struct Scratch {
    pub(crate) engine: EngineScratch,
    pub(crate) record: RecordScratch,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch").finish_non_exhaustive()
    }
}

/// Reusable buffers for reading a unit as a record or decoded text.
#[derive(Default)]
pub(crate) struct RecordScratch {
    pub(crate) fields: Vec<Field>,
    /// Fields of another reading of the same unit (a row's physical lines, leniently).
    pub(crate) cells: Vec<Field>,
    /// The objects of a JSON line (their byte ranges, by start).
    pub(crate) objects: Vec<std::ops::Range<usize>>,
    /// The text reading of a unit made together with its fields (a JSON line).
    pub(crate) floor: Vec<Finding>,
    /// The fields of a row's records, strictly (see `rows`).
    pub(crate) strict: Vec<Field>,
    /// `key: value` as scanned.
    pub(crate) unit: Vec<u8>,
    pub(crate) dec: Vec<u8>,
    pub(crate) map: Vec<usize>,
    pub(crate) found: Vec<Finding>,
    /// The values of a JSON line scanned in place (those without escapes).
    pub(crate) segs: Vec<Segment>,
    /// The fields whose key or value has escapes: decoded and scanned one by one.
    pub(crate) escaped: Vec<usize>,
}
