//! The log, its chain, verify and repair.

use super::*;

/// Concurrent requests through one shared log: every record lands once, in chain order,
/// and each commit returns only when its own records are on disk.
#[cfg(feature = "server")]
#[test]
fn group_commit_keeps_the_chain_under_concurrency() {
    let (_dir, path, k) = log_with(2);
    let shared = SharedAudit::new(AuditLog::open(&path, &k).unwrap()).unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let shared = &shared;
            let path = &path;
            s.spawn(move || {
                for i in 0..50 {
                    let mut h = shared.handle();
                    let token = format!("VLM_EMAIL_K1_t{t}x{i}");
                    h.record(&Decision {
                        principal: "p",
                        purpose: None,
                        entity: "EMAIL",
                        token: &token,
                        key_id: 1,
                        outcome: "revealed",
                    });
                    h.commit().unwrap();
                    let on_disk = std::fs::read_to_string(path).unwrap();
                    assert!(on_disk.contains(&fingerprint(&token)));
                }
            });
        }
    });
    assert!(matches!(
        verify(&path, &k).unwrap(),
        Verdict::Intact { records: 402, .. }
    ));
}

fn log_with(n: usize) -> (tempfile::TempDir, PathBuf, Keyring) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let k = Keyring::generate().unwrap();
    let mut log = AuditLog::open(&path, &k).unwrap();
    for i in 0..n {
        log.record(&Decision {
            principal: "alice",
            purpose: Some("ticket 1"),
            entity: "EMAIL",
            token: &format!("VLM_EMAIL_K1_token{i}"),
            key_id: 1,
            outcome: "revealed",
        });
    }
    log.commit().unwrap();
    (dir, path, k)
}

/// Opens the log and appends one decision to it.
fn append_one(p: &Path, k: &Keyring) {
    let mut log = AuditLog::open(p, k).unwrap();
    log.record(&Decision {
        principal: "bob",
        purpose: None,
        entity: "PHONE",
        token: "t",
        key_id: 1,
        outcome: "denied",
    });
    log.commit().unwrap();
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write(p: &Path, l: &[String]) {
    std::fs::write(p, l.join("\n") + "\n").unwrap();
}

#[test]
fn intact_and_continued() {
    let (_d, p, k) = log_with(3);
    assert!(matches!(
        verify(&p, &k).unwrap(),
        Verdict::Intact { records: 3, .. }
    ));
    append_one(&p, &k);
    assert!(matches!(
        verify(&p, &k).unwrap(),
        Verdict::Intact { records: 4, .. }
    ));
    assert!(
        !std::fs::read_to_string(&p).unwrap().contains("VLM_EMAIL"),
        "tokens are fingerprinted"
    );
}

#[test]
fn each_kind_of_edit_is_named() {
    let (_d, p, k) = log_with(5);
    let orig = lines(&p);
    let check = |l: Vec<String>, want: &str, at: u64| {
        write(&p, &l);
        match verify(&p, &k).unwrap() {
            Verdict::Tampered { line, what } => {
                assert!(what.contains(want), "{what}");
                assert_eq!(line, at, "{what}");
            }
            v => panic!("not detected: {v:?}"),
        }
    };
    let mut l = orig.clone();
    l[2] = l[2].replace("alice", "mallory");
    check(l, "record 3 was edited", 3);
    let mut l = orig.clone();
    l.remove(1);
    check(l, "record 2 was removed", 2);
    let mut l = orig.clone();
    l.insert(2, l[1].replace("\"seq\":2", "\"seq\":9"));
    check(l, "inserted", 3);
    let mut l = orig.clone();
    l.swap(1, 2);
    check(l, "reordered", 2);
    let mut l = orig;
    l.insert(3, l[2].clone());
    check(l, "reordered or repeated", 4);
}

/// Issue 16: a write cut short blocked start-up with no way out; `repair` keeps the
/// verified records, moves the torn bytes aside, and the log opens and goes on.
#[test]
fn a_torn_last_record_is_repaired_keeping_the_verified_ones() {
    let (_d, p, k) = log_with(3);
    let whole = std::fs::read(&p).unwrap();
    let torn = b"{\"seq\":4,\"time\":\"2026-";
    std::fs::write(&p, [&whole[..], torn].concat()).unwrap();
    let e = AuditLog::open(&p, &k).unwrap_err();
    assert!(e.to_string().contains("cut short"), "{e}");
    assert!(e.to_string().contains("velum audit repair"), "{e}");
    assert!(matches!(
        verify(&p, &k).unwrap(),
        Verdict::Tampered { line: 4, ref what } if what.contains("torn")
    ));
    let Repair::Truncated {
        records,
        line,
        offset,
        moved_to,
        bytes,
    } = repair(&p, &k).unwrap()
    else {
        panic!("not repaired");
    };
    assert_eq!((records, bytes), (3, torn.len() as u64));
    assert_eq!((line, offset), (4, whole.len() as u64));
    assert_eq!(std::fs::read(&moved_to).unwrap(), torn);
    assert_eq!(std::fs::read(&p).unwrap(), whole);
    assert_eq!(repair(&p, &k).unwrap(), Repair::Intact { records: 3 });
    append_one(&p, &k);
    assert!(matches!(
        verify(&p, &k).unwrap(),
        Verdict::Intact { records: 4, .. }
    ));
    // A second repair keeps the first one's file.
    std::fs::write(&p, [&std::fs::read(&p).unwrap()[..], b"{\"s"].concat()).unwrap();
    let Repair::Truncated {
        moved_to: again, ..
    } = repair(&p, &k).unwrap()
    else {
        panic!("not repaired");
    };
    assert_ne!(again, moved_to);
    assert_eq!(std::fs::read(&moved_to).unwrap(), torn);
}

#[test]
fn repair_changes_nothing_but_a_torn_end() {
    let (_d, p, k) = log_with(4);
    let mut l = lines(&p);
    l[1] = l[1].replace("alice", "mallory");
    write(&p, &l);
    let before = std::fs::read(&p).unwrap();
    assert!(matches!(
        repair(&p, &k).unwrap(),
        Repair::Refused { line: 2, .. }
    ));
    // A malformed record with records after it is an edit, not a tear.
    let mut l = lines(&p);
    l[1] = "{\"seq\":2".to_owned();
    write(&p, &l);
    let before2 = std::fs::read(&p).unwrap();
    assert!(matches!(
        repair(&p, &k).unwrap(),
        Repair::Refused { line: 2, .. }
    ));
    assert_ne!(before, before2);
    assert_eq!(std::fs::read(&p).unwrap(), before2);
}

/// Issue 16: one byte that is not UTF-8 is a malformed record (exit 1 from `audit
/// verify`), not an I/O error; a line longer than any record is malformed without being
/// held whole.
#[test]
fn bytes_that_are_not_records_are_malformed() {
    let (_d, p, k) = log_with(3);
    let mut b = std::fs::read(&p).unwrap();
    let second = b.iter().position(|&c| c == b'\n').unwrap() + 10;
    b[second] = 0xff;
    std::fs::write(&p, &b).unwrap();
    assert!(matches!(
        verify(&p, &k).unwrap(),
        Verdict::Tampered { line: 2, ref what } if what.contains("malformed")
    ));
    let (_d, p, k) = log_with(2);
    let mut b = std::fs::read(&p).unwrap();
    b.extend(std::iter::repeat_n(b'x', 3 * MAX_RECORD));
    b.extend_from_slice(b"\n");
    b.extend(std::fs::read(&p).unwrap());
    std::fs::write(&p, &b).unwrap();
    assert!(matches!(
        verify(&p, &k).unwrap(),
        Verdict::Tampered { line: 3, ref what } if what.contains("malformed")
    ));
    assert!(matches!(
        repair(&p, &k).unwrap(),
        Repair::Refused { line: 3, .. }
    ));
}

/// Issue 16: `/dev/full` (or any file that is not a regular file) grew memory until the
/// process was killed; it is refused when opened. A log others may read is refused too.
#[cfg(unix)]
#[test]
fn only_a_private_regular_file_is_an_audit_log() {
    use std::os::unix::fs::PermissionsExt;
    let k = Keyring::generate().unwrap();
    for dev in ["/dev/full", "/dev/zero"] {
        if Path::new(dev).exists() {
            let e = AuditLog::open(dev, &k).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
            assert!(verify(dev, &k).is_err());
        }
    }
    let (_d, p, k) = log_with(1);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = AuditLog::open(&p, &k).unwrap_err();
    assert!(e.to_string().contains("chmod 600"), "{e}");
}

#[test]
fn another_keyring_cannot_vouch() {
    let (_d, p, _k) = log_with(2);
    let other = Keyring::generate().unwrap();
    assert!(matches!(
        verify(&p, &other).unwrap(),
        Verdict::Tampered { line: 1, .. }
    ));
}

/// Issue 24: `repair` cut an edited last record, or a tail of records padded with blanks,
/// calling them torn. Only a last line without a newline is torn.
#[test]
fn only_a_last_line_without_a_newline_is_torn() {
    let (_d, p, k) = log_with(3);
    let whole = std::fs::read(&p).unwrap();
    // An edited last record, with and without blank lines after it.
    for tail in ["", "\n", "\n\n  \n"] {
        let mut l = lines(&p);
        l[2] = l[2].replace("\"seq\":3", "\"seq\": 3 ,\"x\":1");
        std::fs::write(&p, format!("{}\n{tail}", l.join("\n"))).unwrap();
        let before = std::fs::read(&p).unwrap();
        assert!(
            matches!(repair(&p, &k).unwrap(), Repair::Refused { line: 3, .. }),
            "{tail:?}"
        );
        assert_eq!(std::fs::read(&p).unwrap(), before, "nothing cut");
        std::fs::write(&p, &whole).unwrap();
    }
    // Whitespace after the last record: a blank line is no record, and is not torn.
    std::fs::write(&p, [&whole[..], b"   \n"].concat()).unwrap();
    assert!(matches!(
        repair(&p, &k).unwrap(),
        Repair::Refused { line: 4, .. }
    ));
    // Without its newline it is a torn write: cut, and said exactly.
    std::fs::write(&p, [&whole[..], b"   "].concat()).unwrap();
    assert!(matches!(
        repair(&p, &k).unwrap(),
        Repair::Truncated {
            records: 3,
            line: 4,
            bytes: 3,
            ..
        }
    ));
    assert_eq!(std::fs::read(&p).unwrap(), whole);
}

/// Issue 24: two writers on one log forked its chain. The second waits for the first, then
/// fails naming the cause; once the first is gone it opens and continues the chain.
#[test]
fn one_writer_per_log() {
    let (_d, p, k) = log_with(2);
    let first = AuditLog::open(&p, &k).unwrap();
    let t = std::time::Instant::now();
    let e = AuditLog::open(&p, &k).unwrap_err();
    assert!(
        t.elapsed() >= std::time::Duration::from_secs(4),
        "it waited"
    );
    assert!(e.to_string().contains("another writer holds it"), "{e}");
    // A repair is a writer too.
    assert!(repair(&p, &k).is_err());
    drop(first);
    append_one(&p, &k);
    assert!(matches!(
        verify(&p, &k).unwrap(),
        Verdict::Intact { records: 3, .. }
    ));
}

/// Issue 24: a long-lived writer went on writing to a log deleted or replaced under it. It
/// now refuses to commit (so nothing is released), and says why.
#[cfg(unix)]
#[test]
fn a_log_deleted_or_replaced_under_its_writer_takes_nothing_more() {
    let d = |outcome: &'static str| Decision {
        principal: "alice",
        purpose: None,
        entity: "EMAIL",
        token: "VLM_EMAIL_K1_x",
        key_id: 1,
        outcome,
    };
    for how in ["delete", "replace", "rotate"] {
        let (dir, p, k) = log_with(1);
        let mut log = AuditLog::open(&p, &k).unwrap();
        match how {
            "delete" => std::fs::remove_file(&p).unwrap(),
            "replace" => {
                let new = dir.path().join("new.jsonl");
                std::fs::write(&new, b"").unwrap();
                std::fs::rename(&new, &p).unwrap();
            }
            _ => std::fs::rename(&p, dir.path().join("audit.jsonl.1")).unwrap(),
        }
        log.record(&d("revealed"));
        let e = log.commit().unwrap_err();
        assert!(
            e.to_string().contains("deleted, replaced or rotated"),
            "{how}: {e}"
        );
    }
}

/// The service's shared log fails closed the same way, for every later request too.
#[cfg(all(unix, feature = "server"))]
#[test]
fn the_shared_log_stops_when_its_file_is_replaced() {
    let (_d, p, k) = log_with(1);
    let shared = SharedAudit::new(AuditLog::open(&p, &k).unwrap()).unwrap();
    std::fs::remove_file(&p).unwrap();
    std::fs::write(&p, b"").unwrap();
    for _ in 0..2 {
        let mut h = shared.handle();
        h.record(&Decision {
            principal: "alice",
            purpose: None,
            entity: "EMAIL",
            token: "VLM_EMAIL_K1_x",
            key_id: 1,
            outcome: "revealed",
        });
        assert!(h.commit().is_err());
    }
    assert_eq!(
        std::fs::read(&p).unwrap(),
        b"",
        "nothing written to the new file"
    );
}

/// Issue 24: refusals join the chain as one record per kind with their count; reveals stay
/// one record each; the chain verifies.
#[test]
fn refusals_are_one_record_per_kind_with_a_count() {
    let (_d, p, k) = log_with(1);
    let mut log = AuditLog::open(&p, &k).unwrap();
    let d = |token: &'static str, entity: &'static str, outcome: &'static str| Decision {
        principal: "bob",
        purpose: Some("ticket 9"),
        entity,
        token,
        key_id: 1,
        outcome,
    };
    for _ in 0..1000 {
        log.record(&d("VLM_A_K1_a", "?", "malformed"));
    }
    for _ in 0..3 {
        log.record(&d("VLM_EMAIL_K1_x", "EMAIL", "denied"));
    }
    log.record(&d("VLM_EMAIL_K1_y", "EMAIL", "revealed"));
    log.commit().unwrap();
    drop(log);
    let l = lines(&p);
    assert_eq!(l.len(), 4, "one old, one reveal, two kinds of refusal");
    let counts: Vec<Option<u64>> = l
        .iter()
        .map(|x| serde_json::from_str::<serde_json::Value>(x).unwrap()["count"].as_u64())
        .collect();
    assert_eq!(counts, [None, None, Some(1000), Some(3)]);
    assert!(matches!(
        verify(&p, &k).unwrap(),
        Verdict::Intact { records: 4, .. }
    ));
}

/// Issue 24: personal data in a purpose was stored as given.
#[test]
fn a_purpose_is_stored_redacted() {
    let (_d, p, k) = log_with(0);
    let mut log = AuditLog::open(&p, &k).unwrap();
    log.record(&Decision {
        principal: "bob",
        purpose: Some("ticket 7: call jane.doe@example.com, SSN 536-90-4399"),
        entity: "EMAIL",
        token: "VLM_EMAIL_K1_y",
        key_id: 1,
        outcome: "revealed",
    });
    log.commit().unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    // The default policy's masks: the e-mail as its label, the SSN but its last four.
    assert!(
        text.contains("ticket 7: call [EMAIL], SSN ***-**-4399"),
        "{text}"
    );
    assert!(!text.contains("jane") && !text.contains("536-90"));
}
