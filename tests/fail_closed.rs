//! Issue 21, row by row: each input that used to pass values in clear with exit 0, through
//! the binary. (The Spark, pandas and logging rows are in `python/tests`; the classes these
//! rows stand for are in the leak harness, `tests/leak.rs`.)

use std::io::Write;

use crate::util::run;

fn redact(args: &[&str], input: &[u8]) -> String {
    let out = run(&[&["redact"], args].concat(), input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_owned()
}

/// One stray quote left every later SSN in clear, with and without `--format csv`, in batch
/// and in TSV.
#[test]
fn a_stray_quote_in_a_csv() {
    let mut csv = "id,note,ssn\n1,\"typed by user,536904399\n".to_owned();
    for i in 10..2000 {
        csv.push_str(&format!("{i},plain,5369{:05}\n", 43000 + i % 1000));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "stray.csv", csv.as_bytes());
    for out in [
        redact(&["--format", "csv"], csv.as_bytes()),
        redact(&[&path], b""),
        redact(&["--format", "tsv"], csv.replace(',', "\t").as_bytes()),
    ] {
        assert!(
            !out.contains(",5369") && !out.contains("\t5369"),
            "{}",
            &out[..400]
        );
        assert_eq!(out.lines().count(), csv.lines().count());
    }
    let out_dir = dir.path().join("out");
    let b = run(&["batch", &path, "--out", out_dir.to_str().unwrap()], b"");
    assert_eq!(
        b.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    let out = std::fs::read_to_string(out_dir.join("stray.csv")).unwrap();
    assert!(!out.contains(",5369"));
}

/// Fields the row parser refuses though the framer accepts them.
#[test]
fn rows_the_parser_refuses() {
    let head = "id,note,ssn,mrn,account_number\n";
    let vals = "536904399,00123456,0001234567";
    for row in [
        format!("1,5\" screen,{vals}"),
        format!("1, \"Doe, Jane\" ,{vals}"),
        format!("1,{},{vals}", "x".repeat(1_200_000)),
    ] {
        let out = redact(&["--format", "csv"], format!("{head}{row}\n").as_bytes());
        for v in vals.split(',') {
            assert!(
                !out.contains(v),
                "{v} in {}",
                &out[out.len().saturating_sub(200)..]
            );
        }
    }
    // CR-only line ends.
    let cr = format!("{}\r1,x,{vals}\r2,y,{vals}\r", head.trim_end());
    let out = redact(&["--format", "csv"], cr.as_bytes());
    assert!(
        !out.contains("536904399") && !out.contains("00123456"),
        "{out}"
    );
}

#[test]
fn numbers_written_as_floats() {
    let out = redact(
        &[],
        b"{\"ssn\":536904399.0,\"card\":4111111111111111.0,\"npi\":1.253905842e9}\n",
    );
    assert_eq!(
        out,
        "{\"ssn\":\"*****4399\",\"card\":\"************1111\",\"npi\":\"[US_NPI]\"}\n"
    );
}

/// More findings than the old bound of the fixed point (32).
#[test]
fn a_line_with_many_findings() {
    let mut line = (0..40)
        .map(|i| format!("u{i}@example.com "))
        .collect::<String>();
    line.push_str("x 203.0.113.9-536-90-4399\n");
    let out = redact(&[], line.as_bytes());
    assert!(out.ends_with("x [IP_ADDRESS]-***-**-4399\n"), "{out}");
    let again = redact(&[], out.as_bytes());
    assert_eq!(again, out);
}

/// A negative word in the next field's key.
#[test]
fn the_next_fields_key() {
    for (line, value) in [
        ("npi=1253905842 elapsed_ms=1", "1253905842"),
        ("nhs_number=9434765919 elapsed_ms=1", "9434765919"),
        ("tax_id=536904399 latency_ms=2", "536904399"),
        ("mrn=00123456 duration_ms=9", "00123456"),
        ("acct_no: 0001234567 took_ms: 4", "0001234567"),
    ] {
        let out = redact(&[], format!("{line}\n").as_bytes());
        assert!(!out.contains(value), "{line} -> {out}");
    }
}

#[test]
fn phones_where_phones_are_named() {
    for line in [
        "contact_phone=\"+1 452-507-9362\"",
        "{\"phone\":\"+18780293054\"}",
        "GET /x?phone=+442079460958 HTTP/1.1",
    ] {
        let out = redact(&[], format!("{line}\n").as_bytes());
        assert!(out.contains("[PHONE]"), "{line} -> {out}");
    }
}

#[test]
fn a_gzip_file_is_read_and_written_as_gzip() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..2000 {
        writeln!(gz, "{i} mail user{i}@example.com").unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, "app.log.gz", &gz.finish().unwrap());
    let out = run(&["redact", &path], b"");
    assert_eq!(out.status.code(), Some(0));
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::MultiGzDecoder::new(&out.stdout[..]),
        &mut text,
    )
    .unwrap();
    assert_eq!(text.lines().count(), 2000);
    assert!(!text.contains("example.com"));
    // Read from stdin too.
    let piped = run(&["scan"], &std::fs::read(&path).unwrap());
    assert_eq!(String::from_utf8_lossy(&piped.stdout).lines().count(), 2000);
    // What velum cannot decompress is refused, never passed through.
    let xz = run(&["redact"], &[0xFD, b'7', b'z', b'X', b'Z', 0, 1, 2]);
    assert_eq!(xz.status.code(), Some(2));
    assert!(xz.stdout.is_empty());
}

#[test]
fn a_csv_is_known_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(
        &dir,
        "people.csv",
        b"first_name,last_name,account_number,nhs_number\nJane,Smith,0001234567,943 476 5919\n",
    );
    let out = redact(&[&path], b"");
    assert_eq!(
        out,
        "first_name,last_name,account_number,nhs_number\n[PERSON],[PERSON],[US_BANK_ACCOUNT],[UK_NHS]\n"
    );
    // `--format text` still forces text.
    let out = redact(&["--format", "text", &path], b"");
    assert!(out.contains("0001234567"));
}

#[test]
fn utf16_is_decoded_and_written_back() {
    let text = "mail jane@example.com ssn 536-90-4399\n";
    for bom in [true, false] {
        let mut raw = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        raw.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let out = run(&["redact"], &raw);
        assert_eq!(out.status.code(), Some(0));
        let units: Vec<u16> = out.stdout[if bom { 2 } else { 0 }..]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(
            String::from_utf16(&units).unwrap(),
            "mail [EMAIL] ssn ***-**-4399\n"
        );
        let scan = run(&["scan", "--fail-on-findings"], &raw);
        assert_eq!(scan.status.code(), Some(1));
    }
}

#[test]
fn unicode_disguises_and_version_words() {
    let out = redact(
        &[],
        "card 4111\u{a0}1111\u{a0}1111\u{a0}1111 ssn 536\u{200b}-90-4399 ｓｓｎ ５３６-９０-４３９９\n"
            .as_bytes(),
    );
    assert!(
        !out.contains("1111\u{a0}1111") && !out.contains("90-4399 ") && !out.contains('５'),
        "{out}"
    );
    let out = redact(
        &[],
        b"v 4111111111111111 ver 536-90-4399 build 4111 1111 1111 1111 build 4.2.0.17\n",
    );
    assert_eq!(
        out,
        "v ************1111 ver ***-**-4399 build **** **** **** 1111 build 4.2.0.17\n"
    );
}
