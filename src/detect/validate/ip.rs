//! IP_ADDRESS — IPv4 and IPv6, ENTITIES.md §3, parsed with `std::net`. Loopback, unspecified,
//! broadcast and multicast addresses score low; documentation ranges a little lower; colon-hex
//! fingerprints that happen to parse as IPv6 need context.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Cand, Verdict};
use crate::span::Span;

pub(crate) fn validate_v4(c: &Cand<'_>) -> Option<Verdict> {
    let (hay, s, e) = (c.hay, c.span.start(), c.span.end());
    // Versions and OIDs (`10.0.19041.1`, `1.3.6.1.4.1`) continue with `.digit`.
    if (s >= 2 && hay[s - 1] == b'.' && hay[s - 2].is_ascii_digit())
        || (e + 1 < hay.len() && hay[e] == b'.' && hay[e + 1].is_ascii_digit())
        || (s >= 1 && hay[s - 1].is_ascii_alphanumeric())
        || (e < hay.len() && hay[e].is_ascii_alphanumeric())
    {
        return None;
    }
    let ip: Ipv4Addr = std::str::from_utf8(c.bytes()).ok()?.parse().ok()?;
    let o = ip.octets();
    let score = if ip.is_loopback() || ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast()
    {
        0.3
    } else if matches!(o, [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _]) {
        0.6
    } else {
        0.8
    };
    Verdict::new(Span::new(s, prefix_end(hay, e, 32)), score)
}

/// Where a CIDR prefix length after an address ends (`/24` of `192.168.1.0/24`: the
/// network's size is part of what is written about it), or `e` when there is none.
fn prefix_end(hay: &[u8], e: usize, max: u32) -> usize {
    if hay.get(e) != Some(&b'/') {
        return e;
    }
    let d = hay[e + 1..]
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let value = std::str::from_utf8(&hay[e + 1..e + 1 + d])
        .ok()
        .and_then(|t| t.parse::<u32>().ok());
    let end = e + 1 + d;
    let next = hay.get(end).copied();
    if (1..=3).contains(&d)
        && value.is_some_and(|v| v <= max)
        && !next.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/'))
    {
        end
    } else {
        e
    }
}

/// Where a zone index after an IPv6 address ends (`%eth0`, `%25en0` in a URL), or `e`.
fn zone_end(hay: &[u8], e: usize) -> usize {
    if hay.get(e) != Some(&b'%') {
        return e;
    }
    let z = hay[e + 1..]
        .iter()
        .take(32)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    if z == 0 { e } else { e + 1 + z }
}

fn is_hexish(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b':' || b == b'_'
}

pub(crate) fn validate_v6(c: &Cand<'_>) -> Option<Verdict> {
    let (hay, s) = (c.hay, c.span.start());
    let mut e = c.span.end();
    if (s >= 1 && (is_hexish(hay[s - 1]) || hay[s - 1] == b'.'))
        || (e < hay.len() && is_hexish(hay[e]))
    {
        return None;
    }
    let text = std::str::from_utf8(&hay[s..e]).ok()?;
    let ip: Ipv6Addr = match text.parse() {
        Ok(ip) => ip,
        // A trailing `:` belongs to a port or to prose (`addr fe80::1: up`).
        Err(_) if text.ends_with(':') && !text.ends_with("::") => {
            e -= 1;
            text[..text.len() - 1].parse().ok()?
        }
        Err(_) => return None,
    };
    // Cut short before an embedded IPv4 address (`::ffff:192` of `::ffff:192.0.2.33`): only
    // a dotted run of at least two more groups says so; one group after a dot is another
    // value (`…:370.215 20 7946`), which may be redacted before the next pass.
    if hay.get(e) == Some(&b'.') && dotted_groups(&hay[e..]) >= 2 {
        return None;
    }
    let groups = text.split(':').collect::<Vec<_>>();
    let fingerprint = groups.len() == 8 && groups.iter().all(|g| g.len() == 2);
    let seg = ip.segments();
    let score = if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || fingerprint {
        0.3
    } else if seg[0] == 0x2001 && seg[1] == 0x0db8 {
        0.6
    } else {
        0.8
    };
    let end = zone_end(hay, e);
    Verdict::new(Span::new(s, prefix_end(hay, end, 128)), score)
}

/// The number of `.digits` groups at the start of `s`.
fn dotted_groups(s: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while n < 3 && s.get(i) == Some(&b'.') {
        let d = s[i + 1..]
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if d == 0 {
            break;
        }
        n += 1;
        i += 1 + d;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, table};
    use super::super::{Settings, ValidateFn};
    use super::*;

    fn at(f: ValidateFn, hay: &str, needle: &str) -> Option<Verdict> {
        let s = hay.find(needle).unwrap();
        let settings = Settings::default();
        f(&Cand::new(
            hay.as_bytes(),
            Span::new(s, s + needle.len()),
            &settings,
        ))
    }

    /// Issue 23: a CIDR prefix length and a zone index are part of the address written.
    #[test]
    fn prefixes_and_zones_are_in_the_span() {
        fn span<'h>(f: ValidateFn, hay: &'h str, needle: &str) -> Option<&'h str> {
            let s = hay.find(needle).unwrap();
            at(f, hay, needle).map(|v| &hay[s..v.span.end()])
        }
        assert_eq!(
            span(validate_v4, "net 192.168.1.0/24 ok", "192.168.1.0"),
            Some("192.168.1.0/24")
        );
        assert_eq!(
            span(validate_v4, "to 10.0.0.1/api", "10.0.0.1"),
            Some("10.0.0.1")
        );
        assert_eq!(
            span(validate_v4, "to 10.0.0.1/33", "10.0.0.1"),
            Some("10.0.0.1")
        );
        assert_eq!(
            span(validate_v6, "a 2001:db8::/32 b", "2001:db8::"),
            Some("2001:db8::/32")
        );
        assert_eq!(
            span(validate_v6, "fe80::1%eth0 up", "fe80::1"),
            Some("fe80::1%eth0")
        );
    }

    #[test]
    fn entities_md_examples_v4() {
        table(
            validate_v4,
            0.5,
            &["192.0.2.1", "10.1.2.3", "8.8.8.8", "100.64.0.1"],
            &[
                "256.1.1.1",
                "01.2.3.4",
                "127.0.0.1",
                "0.0.0.0",
                "255.255.255.255",
            ],
        );
    }

    #[test]
    fn entities_md_examples_v6() {
        table(
            validate_v6,
            0.5,
            &[
                "2001:db8::1",
                "::ffff:192.0.2.1",
                "fe80::1ff:fe23:4567:890a",
                "2a00:1450:4001:81b::200e",
            ],
            &[
                "1::2::3",
                "::1",
                "::",
                "12:34:56",
                "ab:cd:ef:01:23:45:67:89",
            ],
        );
    }

    #[test]
    fn versions_and_oids_are_not_ips() {
        assert!(at(validate_v4, "build 10.0.19041.1 ok", "10.0.1904").is_none());
        assert!(at(validate_v4, "oid 1.3.6.1.4.1", "1.3.6.1").is_none());
        assert!(at(validate_v4, "oid 1.3.6.1.4.1", "3.6.1.4").is_none());
        assert!(at(validate_v4, "from 10.1.2.3:8080", "10.1.2.3").is_some());
        assert!(at(validate_v4, "net 10.1.2.0/24", "10.1.2.0").is_some());
    }

    #[test]
    fn v6_trailing_colon_is_trimmed() {
        let v = at(validate_v6, "peer 2001:db8::1: down", "2001:db8::1:").unwrap();
        assert_eq!(v.span, Span::new(5, 16));
        assert!(run(validate_v6, "2001:db8::1").is_some());
    }

    /// See: fuzz/regressions/json/ipv6-before-dot-idempotence.
    #[test]
    fn v6_before_one_dotted_group_is_whole() {
        let hay = "ip 2001:db8:85a3::8a2e:370.215 20 7946";
        assert!(at(validate_v6, hay, "2001:db8:85a3::8a2e:370").is_some());
        let hay = "ip 2001:db8:85a3::8a2e:370.*** ** 7946";
        assert!(at(validate_v6, hay, "2001:db8:85a3::8a2e:370").is_some());
        // The head of an embedded IPv4 address is not an address.
        assert!(at(validate_v6, "x ::ffff:192.0.2.33", "::ffff:192").is_none());
    }
}
