//! Addresses of every form the shape reads, and the words and tails it must not take.

use super::super::Shape;
use super::super::tests::cands;
use super::*;

fn one(s: &str) -> String {
    let c = cands(Shape::Address, s);
    assert!(!c.is_empty(), "nothing in {s:?}");
    c.into_iter().max_by_key(String::len).unwrap()
}

#[test]
fn us_forms() {
    assert_eq!(
        one("at 1600 Pennsylvania Avenue NW, Washington, DC 20500 ok"),
        "1600 Pennsylvania Avenue NW, Washington, DC 20500"
    );
    assert_eq!(
        one("12 North Main St., Apt 4B"),
        "12 North Main St., Apt 4B"
    );
    assert_eq!(one("12 North St"), "12 North St");
    assert_eq!(one("12 Park Street Road x"), "12 Park Street Road");
    assert_eq!(one("PO Box 123 and"), "PO Box 123");
    assert_eq!(one("P.O. Box 9"), "P.O. Box 9");
    assert_eq!(one("500 5th Ave #12"), "500 5th Ave #12");
    assert_eq!(
        one("263 Rodriguez Dale Suite 479, Haleborough, VA 78144-1234."),
        "263 Rodriguez Dale Suite 479, Haleborough, VA 78144-1234"
    );
}

#[test]
fn uk_ca_au_forms() {
    for a in [
        "Flat 27a, Hannah Center, West Patricia, W2J 8AP",
        "13 Ward Centers, Hussainburgh, TS3P 9AE",
        "53747 Todd Expressway, Lake Dana, MB G5N6C6",
        "65608 Eddie Hills, West Natashaside, NU B5M 5M5",
        "Suite 526 1 Miller Footway, East Ariel, VIC, 2679",
        "0/3 Gutierrez Green, Butlerfort, WA, 2617",
        "Apt. 114 873 Baker Highway, Ayalaview, QLD, 2687",
        "7 Alicia Extension, North Amandafort, SA, 2932",
    ] {
        assert_eq!(one(&format!("at {a}.")), a);
    }
}

#[test]
fn street_before_number() {
    for a in [
        "Drubinring 75, 66442 Kehl",
        "Krista-Seifert-Weg 3/1, 48147 Karlsruhe",
        "Stoiberstr. 823, 8517 Rohrbach in Oberösterreich",
        "Jannaweg 9, 4634 BQ, Vorchten",
        "Iseboulevard 88, 1730PZ, Heythuysen",
        "ul. Głowackiego 45, 82-212 Zamość",
        "al. Maja 31/42, 04-363 Łowicz",
        "Cuesta Juanito Briones 79, Murcia, 50027",
        "Glorieta de Dolores Gibert 48, Las Palmas, 02715",
        "C. Estrella Cid 2, Murcia, 05689",
        "Urbanización Isidro Galan 70 Apt. 52, Huesca, 34888",
        "Piazza Tedesco, 257 Piano 8, 13887, Magnano (BI)",
        "Vicolo Tatiana, 7, 17024, Varigotti (SV)",
    ] {
        assert_eq!(one(&format!("at {a}.")), a);
    }
}

#[test]
fn french_forms() {
    for a in [
        "46, rue de Benard, 12645 Saint Juliette",
        "737, chemin de Germain, 58549 Saint Sophie",
        "rue Seguin, 31430 Guichard",
        "29, avenue de Lecomte, 51381 FernandesBourg",
    ] {
        assert_eq!(one(&format!("at {a}.")), a);
    }
}

#[test]
fn not_addresses() {
    for s in [
        "200 OK",
        "3 main threads",
        "Spring 2026 release",
        "version 2 Way",
        "in 2026 Berlin",
    ] {
        let c = cands(Shape::Address, s);
        assert!(
            c.iter()
                .all(|a| parts(a.as_bytes()).is_none_or(|p| !p.tail)),
            "{s:?}: {c:?}"
        );
    }
}

#[test]
fn word_lists_are_sorted() {
    for list in [
        TYPES_AFTER,
        TYPES_BEFORE,
        TYPES_BEFORE_WEAK,
        COUNTRIES,
        UNITS,
        UNITS_DOTTED,
        PARTICLES,
        DIRECTIONS,
    ] {
        assert!(list.iter().all(|w| (1..=24).contains(&w.len())));
        let mut sorted = list.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(list, sorted.as_slice());
    }
}

/// Issue 23: a street named after a person, its type first (`Calle Miguel Hidalgo 25`), is
/// a street as strong as `12 Oak Street`, and the name in it no person.
#[test]
fn a_type_first_street_with_its_number() {
    for s in [
        "Calle Miguel Hidalgo 25",
        "Via Giuseppe Garibaldi 12",
        "Rua Augusta 1578",
        "Calle de Anacleto Domínguez 8",
    ] {
        let p = parts(s.as_bytes()).unwrap();
        assert!(p.typed, "{s}");
    }
    for s in ["Place Order 2", "Route Planner 66"] {
        assert!(parts(s.as_bytes()).is_none_or(|p| !p.typed), "{s}");
    }
    assert!(ends_with_street_type_first(b"ships to Calle "));
    assert!(ends_with_street_type_first(b"lives at 4, rue de la "));
    assert!(!ends_with_street_type_first(b"Place "));
    assert!(!ends_with_street_type_first(b"sent "));
}

#[test]
fn parts_read_back() {
    let p = parts(b"12 North Main St., Apt 4B").unwrap();
    assert!(p.typed && p.unit && !p.tail);
    let p = parts(b"Drubinring 75, 66442 Kehl").unwrap();
    assert!(p.tail && !p.typed);
    assert!(parts(b"PO Box 9").unwrap().po_box);
}

/// Issue 23: addresses outside the US forms — a UK postcode after the city with no comma, a
/// Spanish floor and door, a Polish `m.` flat, a Dutch `bis`, an Australian `Level`/`Unit`,
/// and the country after a complete address, all in the span.
#[test]
fn forms_outside_the_us_whole() {
    for a in [
        "Flat 3, 10 Downing Street, London SW1A 2AA",
        "221B Baker Street, London NW1 6XE, United Kingdom",
        "Calle Mayor 12, 3º 2ª, 28013 Madrid",
        "Calle Mayor 12, 3º B, 28013 Madrid",
        "Hauptstraße 5, 10115 Berlin, Deutschland",
        "1600 Amphitheatre Parkway, Mountain View, CA 94043, USA",
        "12 rue de la Paix, 75002 Paris, France",
        "ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa",
        "Kerkstraat 12 bis, 1017 GC Amsterdam",
        "Level 3, 20 Bond Street, Sydney NSW 2000, Australia",
        "Unit 5/12 Smith St, Fitzroy VIC 3065",
    ] {
        assert_eq!(one(&format!("address: {a} ok")), a);
    }
    // A country word only after a complete address; `US` in prose is not taken.
    assert_eq!(one("12 Oak Street US"), "12 Oak Street");
}
