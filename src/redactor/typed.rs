//! Typed fields: a value whose record says what it is, found whatever its shape — the floor
//! rule applied to records that type their values (a typed field redacts what it holds).
//! HL7 FHIR types its identifiers and contact points:
//! - an `Identifier` by `type.coding[].code` (HL7 v2 table 0203: `MR` a medical record
//!   number, `SS`/`SB` a social security number, `NPI`) or by its `system` URI
//!   (`http://hl7.org/fhir/sid/us-ssn`, `…/us-npi`, `…/us-mbi`, `https://fhir.nhs.uk/Id/
//!   nhs-number`, a URI naming an MRN): its `value` is that identifier, a UUID or a number
//!   no issuer would hand out (Synthea's `999-…` SSNs) included;
//! - a `ContactPoint` by its `system`: `phone`, `fax`, `pager`, `sms` make its `value` a
//!   phone number, `email` an e-mail address, however it is written;
//! - an `Address`'s `line` strings (under `address`): the street part of an address, in
//!   capitals or with a street type no list knows (`67 GRAND ARMY OF THE REPUBLIC HIGHWAY`,
//!   `381 Stehr Highlands`);
//! - a Patient's `patient-mothersMaidenName` extension: its `valueString` is a person's name.
//!
//! These findings take the detector (and threshold) of their entity; they add to the text
//! and field readings of the same line, and win where they cover the same bytes.

use std::ops::Range;

use crate::record::{Field, Kind};
use crate::span::{Entity, Finding, Span};

use super::Redactor;

/// The score of a typed value: the record itself says what it is.
const TYPED: f32 = 0.95;

/// Longest value taken as an identifier or a contact (longer is a document, not a value).
const MAX_VALUE: usize = 128;

impl Redactor {
    /// Appends to `out` the values of `fields` (of the JSON object line `unit`, whose objects
    /// span `objects`, ordered by start) that their objects type.
    pub(super) fn typed_fields(
        &self,
        unit: &[u8],
        fields: &[Field],
        objects: &[Range<usize>],
        out: &mut Vec<Finding>,
    ) {
        for f in fields {
            if f.raw.is_empty()
                || f.raw.len() > MAX_VALUE
                || !matches!(f.kind, Kind::JsonString | Kind::JsonNumber)
            {
                continue;
            }
            let Some(scope) = &f.scope else { continue };
            let key = &unit[f.key.clone()];
            let entity = if key == b"line"
                && f.kind == Kind::JsonString
                && &unit[scope.outer.clone()] == b"address"
            {
                // An `Address`'s `line`: the street, the house number, the flat.
                Entity::STREET_ADDRESS
            } else if key == b"valueString" && maiden_name(unit, fields, scope.start) {
                // The mother's maiden name extension of a FHIR Patient.
                Entity::PERSON
            } else if key == b"value" {
                let Ok(o) = objects.binary_search_by_key(&scope.start, |r| r.start) else {
                    continue;
                };
                let object = objects[o].clone();
                let Some(entity) = type_of(unit, fields, scope.start, &object) else {
                    continue;
                };
                entity
            } else {
                continue;
            };
            let Some((id, e, min)) = self.compiled.engine.detector(detector_of(entity)) else {
                continue;
            };
            if TYPED < min {
                continue;
            }
            out.push(Finding {
                span: Span::new(f.raw.start, f.raw.end),
                entity: e,
                score: TYPED,
                detector: id,
                fragment: false,
            });
        }
    }
}

/// The detector whose entity a typed value is.
fn detector_of(e: Entity) -> &'static str {
    match e {
        Entity::MRN => "mrn",
        Entity::US_SSN => "us_ssn",
        Entity::US_NPI => "us_npi",
        Entity::US_MBI => "us_mbi",
        Entity::UK_NHS => "uk_nhs",
        Entity::EMAIL => "email",
        Entity::STREET_ADDRESS => "street_address",
        Entity::PERSON => "person",
        _ => "phone",
    }
}

/// True when the object at `start` is the FHIR extension of a mother's maiden name (its `url`
/// ends `patient-mothersMaidenName`).
fn maiden_name(unit: &[u8], fields: &[Field], start: usize) -> bool {
    fields.iter().any(|g| {
        g.scope.as_ref().is_some_and(|s| s.start == start)
            && &unit[g.key.clone()] == b"url"
            && unit[g.raw.clone()].ends_with(b"mothersMaidenName")
    })
}

/// What the object at `start` (spanning `object`) types its `value` as, by its `system`
/// (a direct field) or its `type.coding[].code` (inside it).
fn type_of(unit: &[u8], fields: &[Field], start: usize, object: &Range<usize>) -> Option<Entity> {
    let in_object = |g: &Field| object.start < g.raw.start && g.raw.end < object.end;
    let string = |g: &Field| (g.kind == Kind::JsonString).then(|| &unit[g.raw.clone()]);
    let system = fields
        .iter()
        .find(|g| {
            g.scope.as_ref().is_some_and(|s| s.start == start) && &unit[g.key.clone()] == b"system"
        })
        .and_then(string);
    if let Some(sys) = system {
        let lower = sys.to_ascii_lowercase();
        let ends = |s: &[u8]| lower.ends_with(s);
        let has = |s: &[u8]| lower.windows(s.len()).any(|w| w == s);
        match lower.as_slice() {
            b"phone" | b"fax" | b"pager" | b"sms" => return Some(Entity::PHONE),
            b"email" => return Some(Entity::EMAIL),
            _ => {}
        }
        if ends(b"/us-ssn") {
            return Some(Entity::US_SSN);
        }
        if ends(b"/us-npi") {
            return Some(Entity::US_NPI);
        }
        if ends(b"/us-mbi") || ends(b"/us-medicare") {
            return Some(Entity::US_MBI);
        }
        if ends(b"/nhs-number") {
            return Some(Entity::UK_NHS);
        }
        if has(b"mrn") || has(b"medical-record") || has(b"medicalrecord") {
            return Some(Entity::MRN);
        }
    }
    // `type.coding[].code`, HL7 v2 table 0203.
    fields
        .iter()
        .filter(|g| in_object(g) && &unit[g.key.clone()] == b"code")
        .filter(|g| {
            g.scope
                .as_ref()
                .is_some_and(|s| &unit[s.outer.clone()] == b"coding")
        })
        .find_map(|g| match string(g)? {
            b"MR" => Some(Entity::MRN),
            b"SS" | b"SB" => Some(Entity::US_SSN),
            b"NPI" => Some(Entity::US_NPI),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use crate::Redactor;

    fn found(line: &str) -> Vec<(String, String)> {
        let r = Redactor::new();
        r.scan(line.as_bytes())
            .iter()
            .map(|f| (f.entity.name().to_owned(), line[f.span.range()].to_owned()))
            .collect()
    }

    /// Issue 23: FHIR identifiers and contact points are what their record says they are.
    #[test]
    fn fhir_types_its_identifiers_and_contacts() {
        let line = r#"{"resourceType":"Patient","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"urn:oid:1.2.3","value":"e925b0f3-8006-43f6-aa31-94bd215e55e7"},{"system":"http://hl7.org/fhir/sid/us-ssn","value":"999-22-1962"},{"system":"https://github.com/synthetichealth/synthea","value":"a37ffc2e-7d4f-4e91-8bd9-1f22e96418bf"}],"telecom":[{"system":"phone","value":"555-978-4581","use":"home"},{"system":"email","value":"x@y"}]}"#;
        let got = found(line);
        for want in [
            ("MRN", "e925b0f3-8006-43f6-aa31-94bd215e55e7"),
            ("US_SSN", "999-22-1962"),
            ("PHONE", "555-978-4581"),
            ("EMAIL", "x@y"),
        ] {
            assert!(
                got.iter().any(|(e, v)| e == want.0 && v == want.1),
                "{want:?} in {got:?}"
            );
        }
        // An address's lines are its street, whatever their form.
        let line = r#"{"resourceType":"Patient","address":[{"line":["ONE GENERAL STREET","381 Stehr Highlands"],"city":"Lawrence"}]}"#;
        let got = found(line);
        for v in ["ONE GENERAL STREET", "381 Stehr Highlands"] {
            assert!(
                got.iter().any(|(e, g)| e == "STREET_ADDRESS" && g == v),
                "{v} in {got:?}"
            );
        }
        let line = r#"{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName","valueString":"Blanch Crooks"}]}"#;
        assert!(found(line).contains(&("PERSON".to_owned(), "Blanch Crooks".to_owned())));
        // An identifier of no personal type is not one.
        assert!(
            !got.iter().any(|(_, v)| v.starts_with("a37ffc2e")),
            "{got:?}"
        );
        // The value of a `system`/`value` object that says nothing is left to its shape.
        assert!(found(r#"{"a":{"system":"inventory","value":"12-34"}}"#).is_empty());
    }
}
