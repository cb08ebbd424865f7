//! The engine on the built-in catalogue: each shape and its validators, candidates that
//! share a start, what a validator leaves in front of a value, labels and invalid UTF-8.

use super::super::context::Artifact;
use super::super::spec;
use super::*;

fn engine() -> Engine {
    let (defs, neg) = spec::builtin().unwrap();
    Engine::build(&defs, &neg, &EngineOptions::default()).unwrap()
}

fn scan(e: &Engine, s: &str) -> Vec<(String, &'static str)> {
    let mut scratch = e.scratch();
    let mut out = Vec::new();
    e.scan(s.as_bytes(), &mut scratch, &mut out);
    out.iter()
        .map(|f| (s[f.span.range()].to_owned(), f.entity.name()))
        .collect()
}

#[test]
fn finds_each_foundation_type() {
    let e = engine();
    let line = "user jane.doe@example.com paid with 4111 1111 1111 1111 from 203.0.113.9, \
                iban GB82 WEST 1234 5698 7654 32, ssn 536-90-4399, call +44 20 7946 0958, \
                nhs 943 476 5919, npi 1234567893, ipv6 2001:db8::1";
    let got = scan(&e, line);
    let want = [
        ("jane.doe@example.com", "EMAIL"),
        ("4111 1111 1111 1111", "CREDIT_CARD"),
        ("203.0.113.9", "IP_ADDRESS"),
        ("GB82 WEST 1234 5698 7654 32", "IBAN"),
        ("536-90-4399", "US_SSN"),
        ("+44 20 7946 0958", "PHONE"),
        ("943 476 5919", "UK_NHS"),
        ("1234567893", "US_NPI"),
        ("2001:db8::1", "IP_ADDRESS"),
    ];
    let want: Vec<_> = want.iter().map(|(a, b)| (a.to_string(), *b)).collect();
    assert_eq!(got, want);
}

#[test]
fn hard_negatives_are_quiet() {
    let e = engine();
    for line in [
        "order 4111111111111112 shipped",
        "ts=1700000000123 took 1234567890 ms",
        "id 550e8400-e29b-41d4-a716-446655440000",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "version 10.0.19041.1 build 1.3.6.1.4.1",
        "at 2024-01-02T10:11:12.123Z",
        "npi 1234567890",
        "GB82 WEST 1234 5698 7654 33",
        "image@2x.png and git@github.com:org/repo",
    ] {
        assert_eq!(scan(&e, line), vec![], "{line}");
    }
}

#[test]
fn context_decides_weak_numbers() {
    let e = engine();
    assert_eq!(scan(&e, "id 1234567893"), vec![]);
    assert_eq!(scan(&e, "provider npi: 1234567893").len(), 1);
    assert_eq!(scan(&e, "ref 9434765919"), vec![]);
    assert_eq!(scan(&e, "NHS number 9434765919")[0].1, "UK_NHS");
    assert_eq!(scan(&e, "ssn=536904399")[0].1, "US_SSN");
}

#[test]
fn a_rejected_match_does_not_hide_one_inside_it() {
    // `0958 4111 1111 1111` is 4-4-4-4 too, and fails Luhn; the card after it is found.
    let e = engine();
    assert_eq!(
        scan(&e, "+44 20 7946 0958 4111 1111 1111 1111 ::"),
        vec![
            ("+44 20 7946 0958".to_owned(), "PHONE"),
            ("4111 1111 1111 1111".to_owned(), "CREDIT_CARD")
        ]
    );
}

/// See: fuzz/regressions/scan/person-cut-short-idempotence.
#[test]
fn the_rest_of_a_candidate_cut_short_is_searched() {
    // The PERSON pattern runs on to `Boston`; the validator keeps `Flore Jefferson`. The
    // rest is searched like any text, as it is once the name is labelled.
    let e = engine();
    let mut scratch = e.scratch();
    let mut out = Vec::new();
    let hay = b"last_name: Flore Jefferson Drive, Boston, MA 02108";
    e.scan_field(hay, 11, &mut scratch, &mut out);
    let names: Vec<&[u8]> = out.iter().map(|f| &hay[f.span.range()]).collect();
    assert_eq!(names, vec![&b"Flore Jefferson"[..], b"Boston"]);
}

/// See: fuzz/regressions/scan/mrn-after-number-of-another-shape.
#[test]
fn a_value_of_one_shape_does_not_hide_an_earlier_one_of_another() {
    // `630368` (a number) is validated before `A2019032` (letters and digits): the MRN
    // it confirmed must not cover the candidates of the other shape before it (and the
    // context word belongs to the nearer value).
    let e = engine();
    assert_eq!(
        scan(&e, "mrn A2019032 b 630368"),
        vec![("A2019032".to_owned(), "MRN")]
    );
}

/// See: fuzz/regressions/scan/shape-inside-label-idempotence.
#[test]
fn nothing_is_found_inside_a_label() {
    // `MEDICARE` has a SWIFT_BIC's shape (bank, country CA, location RE).
    let (defs, neg) = spec::builtin().unwrap();
    let opts = EngineOptions {
        artifacts: vec![(Artifact::Label, "[AU_MEDICARE]".to_owned())],
        ..EngineOptions::default()
    };
    let e = Engine::build(&defs, &neg, &opts).unwrap();
    assert!(scan(&e, "swift code [AU_MEDICARE]").is_empty());
    assert_eq!(scan(&e, "swift code DEUTDEFF").len(), 1);
}

/// See: fuzz/regressions/scan/prefix-read-with-label-idempotence.
#[test]
fn the_text_in_front_is_read_as_the_next_pass_reads_it() {
    // `Place, Austin` is kept; `Lincoln` before it was rejected for its capitalised
    // neighbour `Place`, which the next pass sees as a label.
    let e = engine();
    let first = scan(&e, "first_name Lincoln Place, Austin, TX");
    let second = scan(&e, "first_name Lincoln [PERSON], TX");
    assert_eq!(first[0], ("Lincoln".to_owned(), "PERSON"));
    assert_eq!(second[0], first[0]);
}

/// See: fuzz/regressions/scan/person-prefix-idempotence.
#[test]
fn what_a_validator_leaves_in_front_is_validated_too() {
    let e = engine();
    assert_eq!(
        scan(&e, "customer=Björn Lee Łukasz Patel"),
        vec![
            ("Björn Lee".to_owned(), "PERSON"),
            ("Łukasz Patel".to_owned(), "PERSON")
        ]
    );
}

#[test]
fn same_start_alternatives_are_tried() {
    // 3-3-4 is both an NHS shape and a NANP phone shape: context picks the type.
    let e = engine();
    assert_eq!(scan(&e, "nhs no 943 476 5919")[0].1, "UK_NHS");
    assert_eq!(scan(&e, "phone 943-476-5919")[0].1, "PHONE");
}

#[test]
fn invalid_utf8_is_scanned() {
    let e = engine();
    let mut hay = b"\xff\xfe jane@example.com \x00\xc3".to_vec();
    hay.extend_from_slice(b" 536-90-4399");
    let mut out = Vec::new();
    e.scan(&hay, &mut e.scratch(), &mut out);
    assert_eq!(out.len(), 2);
}

#[test]
fn units_without_a_required_byte_are_not_searched() {
    let e = engine();
    // The built-in shapes all need a digit, a capital, `@`, `:`, a non-ASCII letter or a
    // space (a name in lower case after a word that introduces it)...
    for b in [b'@', b'7', b'J', b':', 0xc3, b' '] {
        assert!(e.trigger[usize::from(b)], "{}", b as char);
    }
    for b in [b'a', b'z', b'_', b'-', b'.'] {
        assert!(!e.trigger[usize::from(b)], "{}", b as char);
    }
    // ... so a field whose value has none is skipped, and a finding in the key is never
    // reported, while the key still gives context.
    let mut scratch = e.scratch();
    let mut out = Vec::new();
    let hay = b"jane@example.com:cache_refreshed";
    e.scan_field(hay, 17, &mut scratch, &mut out);
    assert_eq!(out, vec![]);
    let hay = b"ssn: 536904399";
    e.scan_field(hay, 5, &mut scratch, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].span, Span::new(5, 14));
}

#[test]
fn another_regions_number_needs_a_label() {
    let e = engine();
    for line in [
        "Tel. 0123056737",
        "changed phone to 539 498 418",
        "phone: 32 326 85 81",
        "level=info msg=\"sms sent\" to=0146964294 user_id=5550921",
    ] {
        assert_eq!(scan(&e, line).len(), 1, "{line}");
    }
    // A phone word nearby is not a label: status and size of an access log, pid and tid.
    for line in [
        "\"GET /a HTTP/1.1\" 404 9264 \"-\" \"Mozilla/5.0 (iPhone) Mobile/15E148\"",
        "03-17 16:13:40.307  2626 23469 W PhoneInterfaceManager: x",
        "parcel 029429666629, contact +1 (382) 339-9605",
        "D PhoneStatusBar: setSystemUiVisibility vis=40000500 mask=ffffffff",
    ] {
        let got = scan(&e, line);
        assert!(
            got.iter().all(|(v, _)| v.starts_with('+')),
            "{line}: {got:?}"
        );
    }
}

#[test]
fn empty_matching_pattern_is_refused() {
    let (mut defs, neg) = spec::builtin().unwrap();
    defs[0].patterns = vec!["a*".into()];
    let err = Engine::build(&defs, &neg, &EngineOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("empty string"), "{err}");
}

/// Explaining (with its trace of rejected candidates) finds exactly what a scan finds, on
/// every line of the labelled corpus and the sample log.
#[test]
fn tracing_rejections_never_changes_the_findings() {
    let e = engine();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/data/eval/indep/dev"))
        .unwrap()
        .map(|d| d.unwrap().path())
        .collect();
    files.push(root.join("examples/app.log"));
    let (mut lines, mut rejected) = (0, 0);
    for f in files {
        let data = std::fs::read(&f).unwrap();
        for line in data.split(|&b| b == b'\n') {
            let mut scratch = e.scratch();
            let mut plain = Vec::new();
            e.scan(line, &mut scratch, &mut plain);
            let (explained, not) =
                e.explain_and_reject(line, Segment::text(line.len()), &mut scratch);
            let traced: Vec<Finding> = explained.iter().map(|x| x.finding).collect();
            assert_eq!(plain, traced, "{}", String::from_utf8_lossy(line));
            // And the next scan with the same scratch is not traced.
            let mut again = Vec::new();
            e.scan(line, &mut scratch, &mut again);
            assert_eq!(plain, again);
            assert!(scratch.trace.is_none());
            lines += 1;
            rejected += not.len();
        }
    }
    assert!(
        lines > 1000 && rejected > 100,
        "{lines} lines, {rejected} rejections"
    );
}
