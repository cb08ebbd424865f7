//! What a field name says about PERSON: under `name`, `patient`, `cardholder`… a
//! name-shaped value is a name even when no dictionary knows it; under `hostname`,
//! `service`… nothing is. Keys are normalised once, in a stack buffer.

use crate::record::Field;
use crate::span::{Entity, Finding, Span};

use super::Redactor;

impl Redactor {
    /// Applies a field name's verdict on PERSON to the findings of its value (spans relative
    /// to `value`): under `name`, `patient`, `cardholder`… a name-shaped value is a PERSON even
    /// if no dictionary knows it; under `hostname`, `service`… nothing is a PERSON.
    pub(super) fn person_hint(&self, key: &[u8], value: &[u8], found: &mut Vec<Finding>) {
        match person_key(key) {
            Some(PersonKey::Never) => found.retain(|g| g.entity != Entity::PERSON),
            Some(PersonKey::Name(norm)) => self.person_hint_name(norm, value, found),
            None => {}
        }
    }

    /// [`Redactor::person_hint`] under a person key (`norm` its normalised form).
    pub(super) fn person_hint_name(&self, norm: &str, value: &[u8], found: &mut Vec<Finding>) {
        let Ok(text) = std::str::from_utf8(value) else {
            return;
        };
        let trimmed = text.trim();
        let Some((id, entity, min)) = self.compiled.engine.detector("person") else {
            return;
        };
        // Words that also name other things need a known name in the value.
        let ambiguous = matches!(
            norm,
            "name"
                | "user"
                | "contact"
                | "owner"
                | "author"
                | "customer"
                | "holder"
                | "sender"
                | "recipient"
        );
        // A value written all in lower case (`john smith`) is read as its capitalised form:
        // case says nothing about a name under a name key.
        let capitalised: String;
        let known = if trimmed.chars().any(char::is_uppercase) {
            trimmed
        } else {
            capitalised = trimmed
                .split(' ')
                .map(|w| {
                    let mut cs = w.chars();
                    cs.next().map_or_else(String::new, |c| {
                        c.to_uppercase()
                            .chain(cs.flat_map(char::to_lowercase))
                            .collect()
                    })
                })
                .collect::<Vec<_>>()
                .join(" ");
            &capitalised
        };
        let one_case = !std::ptr::eq(known, trimmed);
        if !name_shaped(known, !ambiguous)
            || 0.9 < min
            || (ambiguous && !crate::detect::validate::has_dictionary_name(known))
            // In lower case, a known given name first (`john smith`, not `acme corp`).
            || (one_case && ambiguous && !crate::detect::validate::starts_with_given_name(known))
        {
            return;
        }
        let start = text.len() - text.trim_start().len();
        let span = Span::new(start, start + trimmed.len());
        found.retain(|g| g.entity != Entity::PERSON);
        if found.iter().any(|g| g.span.overlaps(span)) {
            return;
        }
        let at = found.partition_point(|g| g.span.start() < span.start());
        found.insert(
            at,
            Finding {
                span,
                entity,
                score: 0.9,
                detector: id,
                fragment: false,
            },
        );
    }
}

/// What a field name says about PERSON.
#[derive(Clone, Copy)]
pub(super) enum PersonKey<'a> {
    /// A name field (`first_name`, `patient`…), with the normalised key.
    Name(&'a str),
    /// A field whose values are never people (`hostname`, `service`…).
    Never,
}

/// A field name normalised in a stack buffer (this runs for every field of every record):
/// lower case without `_`, `-`, ` ` or `.`; `None` when it is long or has other bytes.
pub(super) struct NormKey {
    buf: [u8; 24],
    len: usize,
}

impl NormKey {
    pub(super) fn new(key: &[u8]) -> Option<Self> {
        let mut k = Self {
            buf: [0; 24],
            len: 0,
        };
        for &b in key {
            if matches!(b, b'_' | b'-' | b' ' | b'.') {
                continue;
            }
            if k.len == k.buf.len() || !b.is_ascii_alphanumeric() {
                return None;
            }
            k.buf[k.len] = b.to_ascii_lowercase();
            k.len += 1;
        }
        Some(k)
    }

    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// The verdict of field name `key` on PERSON.
pub(super) fn person_key(key: &[u8]) -> Option<PersonKey<'static>> {
    let k = NormKey::new(key)?;
    let norm = k.as_str();
    if is_not_person_key(norm) {
        return Some(PersonKey::Never);
    }
    if let Ok(i) = PERSON_KEYS.binary_search(&norm) {
        return Some(PersonKey::Name(PERSON_KEYS[i]));
    }
    // `individualName`, `payee_name`, `debtorName`: a person's role, then `name`.
    norm.strip_suffix("name")
        .filter(|role| ROLES.contains(role))
        .map(|_| PersonKey::Name("fullname"))
}

/// Roles whose `…name` field holds a person's name.
const ROLES: &[&str] = &[
    "accountholder",
    "applicant",
    "beneficiary",
    "cardholder",
    "client",
    "contact",
    "creditor",
    "customer",
    "debtor",
    "driver",
    "emergencycontact",
    "employee",
    "family",
    "father",
    "first",
    "given",
    "guarantor",
    "guardian",
    "guest",
    "holder",
    "individual",
    "insured",
    "last",
    "legal",
    "maiden",
    "member",
    "middle",
    "mother",
    "nextofkin",
    "originator",
    "parent",
    "passenger",
    "patient",
    "payee",
    "payer",
    "person",
    "receiver",
    "recipient",
    "sender",
    "signer",
    "spouse",
    "student",
    "subscriber",
    "traveler",
    "traveller",
];

/// The verdict on PERSON of field `f` of a JSON record: from where it is (below), else from
/// its key.
pub(super) fn field_person_key(
    unit: &[u8],
    f: &Field,
    fields: &[Field],
) -> Option<PersonKey<'static>> {
    if f.scope.is_none() && &unit[f.key.clone()] == b"name" && !names_a_person(unit, fields) {
        return Some(PersonKey::Never);
    }
    match scoped_person_key(unit, f, fields) {
        Some(PersonKey::Never) => Some(PersonKey::Never),
        scoped => person_key(&unit[f.key.clone()]).or(scoped),
    }
}

/// False when the record is a FHIR resource whose `name` is not a person's: only a
/// `Patient`, `Practitioner`, `RelatedPerson` or `Person` is named after one (an
/// `Organization`, a `Location`, a `Medication` are not). True for any other record.
fn names_a_person(unit: &[u8], fields: &[Field]) -> bool {
    let Some(t) = fields
        .iter()
        .find(|g| g.scope.is_none() && &unit[g.key.clone()] == b"resourceType")
    else {
        return true;
    };
    matches!(
        &unit[t.raw.clone()],
        b"Patient" | b"Practitioner" | b"RelatedPerson" | b"Person" | b"PractitionerRole"
    )
}

/// The verdict on PERSON of field `f` of a JSON record from where it is: a `family` beside a
/// `given` (an HL7 FHIR HumanName), a `text` or `value` of an object under a name key
/// (`"name": {"text": ...}`), an ISO 20022 party's `Nm`; nothing in an object under a key
/// that is never a person (`"service": {"name": ...}`).
pub(super) fn scoped_person_key(
    unit: &[u8],
    f: &Field,
    fields: &[Field],
) -> Option<PersonKey<'static>> {
    let scope = f.scope.as_ref()?;
    let k = NormKey::new(&unit[f.key.clone()])?;
    // An object under `service`, `host`, `container`... describes no person (asked only for
    // the keys whose verdict it would change).
    let person_word = matches!(k.as_str(), "family" | "text" | "value" | "nm")
        || matches!(person_key(&unit[f.key.clone()]), Some(PersonKey::Name(_)));
    if person_word
        && matches!(
            person_key(&unit[scope.outer.clone()]),
            Some(PersonKey::Never)
        )
    {
        return Some(PersonKey::Never);
    }
    match k.as_str() {
        "family" => fields
            .iter()
            .any(|g| {
                g.scope.as_ref() == Some(scope)
                    && NormKey::new(&unit[g.key.clone()]).is_some_and(|n| n.as_str() == "given")
            })
            .then_some(PersonKey::Name("familyname")),
        "text" | "value" => match person_key(&unit[scope.outer.clone()])? {
            PersonKey::Name(n) => Some(PersonKey::Name(n)),
            PersonKey::Never => None,
        },
        // ISO 20022: `"Dbtr": {"Nm": ...}`, `"Cdtr"`, the ultimate parties.
        "nm" => NormKey::new(&unit[scope.outer.clone()])
            .filter(|o| {
                matches!(
                    o.as_str(),
                    "dbtr" | "cdtr" | "ultmtdbtr" | "ultmtcdtr" | "initgpty" | "invcr" | "invcee"
                )
            })
            .map(|_| PersonKey::Name("fullname")),
        _ => None,
    }
}

/// Field names that say their value is a person's name (ENTITIES.md §6), normalised: lower
/// case without `_`, `-` or spaces (`firstName`, `first_name` and `First Name` are equal).
/// Sorted (a test checks).
pub(super) const PERSON_KEYS: &[&str] = &[
    "accountholder",
    "applicant",
    "author",
    "beneficiary",
    "cardholder",
    "cardholdername",
    "contact",
    "contactname",
    "customer",
    "customername",
    "displayname",
    "emergencycontact",
    "employee",
    "employeename",
    "familyname",
    "firstname",
    "fullname",
    "given",
    "givenname",
    "guarantor",
    "holder",
    "insured",
    "lastname",
    "middlename",
    "name",
    "nameoncard",
    "nextofkin",
    "nok",
    "owner",
    "patient",
    "patientname",
    "payee",
    "physician",
    "providername",
    "recipient",
    "sender",
    "signedby",
    "subscriber",
    "surname",
    "user",
    "username",
];

/// Field names whose values are never people (a service's `name`, a `hostname`...).
fn is_not_person_key(k: &str) -> bool {
    matches!(
        k,
        "hostname"
            | "host"
            | "filename"
            | "file"
            | "service"
            | "servicename"
            | "app"
            | "appname"
            | "logger"
            | "class"
            | "method"
            | "function"
            | "bucket"
            | "table"
            | "queue"
            | "topic"
            | "index"
            | "container"
            | "pod"
            | "image"
            | "region"
            | "zone"
            | "env"
            | "level"
            | "thread"
            | "event"
            | "path"
            | "url"
            | "status"
    )
}

/// True for a value shaped like a name: 1–6 tokens of letters (and `.'’-`), each starting
/// with an upper-case letter or a lower-case particle; `Surname, Given` allowed. `any_case`
/// (under a key that says name and nothing else) takes `jerzy żyto` and `KEANO KORSMAN` too.
fn name_shaped(v: &str, any_case: bool) -> bool {
    let tokens = || v.split([' ', ',']).filter(|t| !t.is_empty());
    let count = tokens().count();
    (1..=6).contains(&count)
        && v.len() <= 80
        && tokens().all(|t| {
            t.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
                && (any_case
                    || t.starts_with(char::is_uppercase)
                    || matches!(
                        t,
                        "van"
                            | "von"
                            | "der"
                            | "den"
                            | "de"
                            | "het"
                            | "la"
                            | "del"
                            | "di"
                            | "da"
                            | "du"
                            | "le"
                            | "y"
                    ))
        })
        && tokens().any(|t| t.starts_with(char::is_alphabetic))
        && (any_case || tokens().any(|t| t.starts_with(char::is_uppercase)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 23: case says nothing about a name under a name key; a firm in lower case is
    /// still no person.
    #[test]
    fn names_in_lower_case_under_name_keys() {
        let r = Redactor::new();
        for (line, person) in [
            (r#"{"name":"john smith"}"#, true),
            (r#"{"patient_name":"maria garcia"}"#, true),
            (r#"{"name":"JOHN SMITH"}"#, true),
            (r#"{"customer":"acme corp"}"#, false),
            (r#"{"name":"cache warmup"}"#, false),
        ] {
            let found = r.scan(line.as_bytes());
            assert_eq!(
                found.iter().any(|f| f.entity == Entity::PERSON),
                person,
                "{line}"
            );
        }
    }

    #[test]
    fn key_lists_are_sorted() {
        for list in [PERSON_KEYS, ROLES] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn keys_in_every_convention() {
        for k in [
            "firstName",
            "first_name",
            "First Name",
            "individualName",
            "payee_name",
        ] {
            assert!(
                matches!(person_key(k.as_bytes()), Some(PersonKey::Name(_))),
                "{k}"
            );
        }
        assert!(matches!(person_key(b"hostname"), Some(PersonKey::Never)));
        assert!(person_key(b"username_hash").is_none());
    }
}
