//! EMAIL — a practical subset of RFC 5321/5322 addresses, ENTITIES.md §3: dot-atom local part
//! (≤ 64 bytes), a domain of at least two LDH labels whose top-level label is in the embedded
//! IANA root-zone list (`patterns/tlds.txt`), whole address ≤ 254 bytes.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::{Cand, Verdict};
use crate::span::Span;

const TLDS: &str = include_str!("../../../patterns/tlds.txt");

fn tlds() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        TLDS.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// True when `label` (any case) is a delegated top-level domain.
pub(crate) fn is_tld(label: &[u8]) -> bool {
    let mut buf = [0u8; 64];
    if label.len() > buf.len() {
        return false;
    }
    for (d, s) in buf.iter_mut().zip(label) {
        *d = s.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..label.len()]).is_ok_and(|s| tlds().contains(s))
}

/// Bytes that RFC 5322 allows in a local part but that, in logs, almost always separate a
/// key or a URL piece from the address (`email=jane@…`, `/u/jane@…`).
fn is_soft_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'=' | b'/' | b'|' | b'{' | b'}' | b'?' | b'#' | b'&' | b'`'
    )
}

const ROLE_MAILBOXES: &[&[u8]] = &[
    b"noreply",
    b"no-reply",
    b"donotreply",
    b"postmaster",
    b"mailer-daemon",
    b"abuse",
    b"hostmaster",
    b"webmaster",
];

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let b = c.bytes();
    let at = memchr::memchr(b'@', b)?;
    let mut start = b[..at]
        .iter()
        .rposition(|&x| is_soft_delimiter(x))
        .map_or(0, |p| p + 1);
    while start < at && matches!(b[start], b'.' | b'\'') {
        start += 1;
    }
    let local = &b[start..at];
    let domain = &b[at + 1..];
    if local.is_empty()
        || local.len() > 64
        || local.ends_with(b".")
        || local.windows(2).any(|w| w == b"..")
        || b.len() - start > 254
    {
        return None;
    }
    let mut labels = 0;
    let mut last: &[u8] = &[];
    for label in domain.split(|&x| x == b'.') {
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
            || !label
                .iter()
                .all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        {
            return None;
        }
        labels += 1;
        last = label;
    }
    if labels < 2 || !(last.iter().all(u8::is_ascii_alphabetic) || last.starts_with(b"xn--")) {
        return None;
    }
    if !is_tld(last) {
        return None;
    }
    let (s, e) = (c.span.start() + start, c.span.end());
    // `git@github.com:org/repo` is an SSH remote, not a mailbox.
    if c.hay.get(e) == Some(&b':') && c.hay.get(e + 1).is_some_and(|x| !x.is_ascii_whitespace()) {
        return None;
    }
    let role = ROLE_MAILBOXES.iter().any(|r| local.eq_ignore_ascii_case(r));
    Verdict::new(Span::new(s, e), if role { 0.7 } else { 0.9 })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, table};
    use super::*;

    #[test]
    fn entities_md_examples() {
        table(
            validate,
            0.5,
            &[
                "jane.doe@example.com",
                "o'neil+billing@mail.example.co.uk",
                "JANE@EXAMPLE.COM",
                "a@b.zip",
                "x@example.xn--p1ai",
            ],
            &[
                "a..b@example.com",
                "user@localhost",
                "image@2x.png",
                "pkg@1.2.3",
                "a.@example.com",
                "a@-x.com",
                "a@x-.com",
            ],
        );
    }

    #[test]
    fn local_part_is_cut_at_soft_delimiters() {
        let v = run(validate, "email=jane@example.com").unwrap();
        assert_eq!(v.span, Span::new(6, 22));
        let v = run(validate, "'jane@example.com").unwrap();
        assert_eq!(v.span.start(), 1);
    }

    #[test]
    fn ssh_remote_is_not_an_email() {
        let settings = super::super::Settings::default();
        let hay = b"git clone git@github.com:org/repo";
        let c = Cand::new(hay, Span::new(10, 24), &settings);
        assert!(validate(&c).is_none());
    }

    #[test]
    fn role_mailboxes_score_lower() {
        assert!(run(validate, "noreply@example.com").unwrap().score < 0.9);
        assert!(is_tld(b"COM") && is_tld(b"zip") && !is_tld(b"png"));
    }
}
