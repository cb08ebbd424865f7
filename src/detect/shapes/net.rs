//! Network shapes: IPv4, IPv6 and MAC addresses, and e-mail addresses found from their `@`.

use super::{View, from_word};
use crate::detect::lex::{self, HEX};
use crate::detect::structure::{DATE, IDENT, TIME, VERSION};
use crate::span::Span;

fn octet(v: &View<'_>, i: usize) -> bool {
    let w = v.w[i];
    w.is_number() && w.len() <= 3 && w.mark & (VERSION | TIME | DATE | IDENT) == 0
}

/// Four dotted groups of one to three digits that are not a version, a date or a time.
pub(super) fn ipv4(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let n = v.len();
    let mut next = 0;
    for &i in from_word(&v.words.nums, from) {
        let i = i as usize;
        if i < next || i + 3 >= n || !matches!(v.sep(i), [b'.']) {
            continue;
        }
        if octet(v, i)
            && (0..3).all(|k| matches!(v.sep(i + k), [b'.']) && octet(v, i + k + 1))
            && check(v.span(i, i + 3)).is_some()
        {
            next = i + 4;
        }
    }
}

fn hex_group(v: &View<'_>, i: usize) -> bool {
    let w = v.w[i];
    w.has(HEX) && w.len() <= 4 && w.mark & TIME == 0
}

/// Colon-separated groups of one to four hex digits, with one `::` or exactly eight groups,
/// possibly ending in a dotted IPv4 address (`::ffff:192.0.2.33`); also `::1`.
pub(super) fn ipv6(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let n = v.len();
    let mut next = 0;
    for &i in from_word(&v.words.hexsep, from) {
        let i = i as usize;
        if i < next || !hex_group(v, i) {
            continue;
        }
        // The address may begin with `::` (`::1`).
        let before = v.sep_before(i);
        let lead = before.ends_with(b"::")
            && (before.len() == 2 || !lex::is_word_byte(before[before.len() - 3]));
        let first_sep = v.sep(i);
        if !lead && !first_sep.starts_with(b":") {
            continue;
        }
        let start = if lead {
            v.w[i].start as usize - 2
        } else {
            v.w[i].start as usize
        };
        let mut double = lead;
        let mut groups = 1;
        let mut k = i;
        let mut end = v.w[i].end as usize;
        loop {
            if k + 1 >= n {
                // `fe80::` at the end.
                if matches!(v.sep(k), [b':', b':']) && !double {
                    end += 2;
                    double = true;
                }
                break;
            }
            let sep = v.sep(k);
            let is_double = matches!(sep, [b':', b':']);
            if !(matches!(sep, [b':']) || (is_double && !double)) {
                if sep.starts_with(b"::") && !double {
                    // `fe80:: ` followed by other text.
                    end += 2;
                    double = true;
                }
                break;
            }
            // An IPv4 tail: `…:192.0.2.33`.
            if k + 4 < n
                && v.w[k + 1].is_number()
                && (1..4).all(|d| matches!(v.sep(k + d), [b'.']))
                && (1..=4).all(|d| v.w[k + d].is_number() && v.w[k + d].len() <= 3)
            {
                double |= is_double;
                end = v.w[k + 4].end as usize;
                groups += 2;
                break;
            }
            if !hex_group(v, k + 1) {
                if is_double {
                    end += 2;
                    double = true;
                }
                break;
            }
            double |= is_double;
            groups += 1;
            k += 1;
            end = v.w[k].end as usize;
            if groups == 8 {
                break;
            }
        }
        if (double || groups == 8)
            && let Some(e) = check(Span::new(start, end))
        {
            next = v.word_at(e);
        }
    }
}

/// `00:1a:2b:3c:4d:5e`, `00-1A-2B-3C-4D-5E` (one separator kind) or `001a.2b3c.4d5e`.
pub(super) fn mac(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let n = v.len();
    let hexn = |i: usize, len: usize| i < n && v.w[i].has(HEX) && v.w[i].len() == len;
    let mut next = 0;
    for &i in from_word(&v.words.hexsep, from) {
        let i = i as usize;
        if i < next {
            continue;
        }
        let found = if hexn(i, 2) && i + 5 < n {
            let sep = v.sep(i);
            (matches!(sep, [b':'] | [b'-'])
                && (0..5).all(|k| v.sep(i + k) == sep && hexn(i + k + 1, 2)))
            .then(|| v.span(i, i + 5))
        } else if hexn(i, 4) && i + 2 < n {
            (0..2)
                .all(|k| matches!(v.sep(i + k), [b'.']) && hexn(i + k + 1, 4))
                .then(|| v.span(i, i + 2))
        } else {
            None
        };
        if let Some(s) = found.and_then(|s| check(s).map(|_| s)) {
            next = v.word_at(s.end());
        }
    }
}

/// Bytes of an e-mail address's local part (a dot-atom; dots are handled apart).
fn local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'$' | b'%' | b'\'' | b'*' | b'+' | b'^' | b'_' | b'~' | b'-'
        )
}

/// From every `@` after word `from`: the longest dot-atom before it and the longest run of
/// domain labels after it.
pub(super) fn email(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let hay = v.hay;
    let floor = if from == 0 {
        0
    } else {
        v.w.get(from).map_or(hay.len(), |w| w.start as usize)
    };
    let mut covered = 0;
    for at in memchr::memchr_iter(b'@', &hay[floor..]).map(|p| p + floor) {
        if at < covered {
            continue;
        }
        // Local part: atoms joined by single dots.
        let mut s = at;
        while s > floor
            && (local_byte(hay[s - 1])
                || (hay[s - 1] == b'.' && s - 1 > floor && local_byte(hay[s - 2]) && s < at))
        {
            s -= 1;
        }
        while s < at && hay[s] == b'.' {
            s += 1;
        }
        if s == at {
            continue;
        }
        // Domain: LDH labels joined by dots, at least two.
        let mut e = at + 1;
        let mut last_dot = None;
        while e < hay.len()
            && (hay[e].is_ascii_alphanumeric()
                || hay[e] == b'-'
                || (hay[e] == b'.' && e > at + 1 && hay[e - 1] != b'.' && hay[e - 1] != b'-'))
        {
            if hay[e] == b'.' {
                last_dot = Some(e);
            }
            e += 1;
        }
        while e > at + 1 && matches!(hay[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let _ = last_dot;
        // At least two labels: a dot inside the domain.
        if memchr::memchr(b'.', &hay[at + 1..e]).is_none() {
            continue;
        }
        if let Some(end) = check(Span::new(s, e)) {
            covered = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Shape;
    use super::super::tests::cands;

    #[test]
    fn ipv4_not_versions_or_dates() {
        assert_eq!(
            cands(Shape::Ipv4, "from 203.0.113.9:443 ok"),
            ["203.0.113.9"]
        );
        assert_eq!(
            cands(Shape::Ipv4, "at /10.251.38.53:50010"),
            ["10.251.38.53"]
        );
        assert!(cands(Shape::Ipv4, "Chrome/62.0.807.0 and v1.2.3.4").is_empty());
        assert!(cands(Shape::Ipv4, "oid 1.3.6.1.4.1").is_empty());
    }

    #[test]
    fn ipv6_forms() {
        assert_eq!(cands(Shape::Ipv6, "ip 2001:db8::1 up"), ["2001:db8::1"]);
        assert_eq!(cands(Shape::Ipv6, "lo ::1 up"), ["::1"]);
        assert_eq!(
            cands(Shape::Ipv6, "m ::ffff:192.0.2.33 x"),
            ["::ffff:192.0.2.33"]
        );
        assert_eq!(cands(Shape::Ipv6, "ll fe80:: x"), ["fe80::"]);
        assert_eq!(
            cands(Shape::Ipv6, "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
            ["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]
        );
        assert!(cands(Shape::Ipv6, "at 16:00:00 and host:80").is_empty());
    }

    #[test]
    fn macs() {
        assert_eq!(
            cands(Shape::Mac, "hw 00:1a:2b:3c:4d:5e."),
            ["00:1a:2b:3c:4d:5e"]
        );
        assert_eq!(cands(Shape::Mac, "hw 001a.2b3c.4d5e"), ["001a.2b3c.4d5e"]);
        assert!(cands(Shape::Mac, "00:1a-2b:3c:4d:5e").is_empty());
    }

    #[test]
    fn emails_from_their_at() {
        assert_eq!(
            cands(Shape::Email, "to jane.doe+x@mail.example.co.uk."),
            ["jane.doe+x@mail.example.co.uk"]
        );
        assert_eq!(
            cands(Shape::Email, "user=o'neil@example.com"),
            ["o'neil@example.com"]
        );
        assert_eq!(cands(Shape::Email, "a..b@example.com"), ["b@example.com"]);
        assert!(cands(Shape::Email, "@scope/pkg and x@localhost").is_empty());
    }
}
