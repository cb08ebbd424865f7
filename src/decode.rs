//! Encoded text: the percent-encoding of URLs (`jane%40example.com`), the `+` that stands for
//! a space in query strings and form bodies (`name=Jane+Doe`), and HTML character references
//! (`&amp;`, `&#64;`, `&#x40;`). A unit holding any is scanned in its decoded form; a map from
//! each decoded byte to the raw byte it came from puts every finding back on the raw bytes, so
//! the output replaces exactly the encoded value and keeps every other byte.

/// True when `raw` holds something [`decode`] changes.
pub(crate) fn needs(raw: &[u8]) -> bool {
    // One pass over the three bytes that can start an encoding.
    let mut plus = false;
    for i in memchr::memchr3_iter(b'%', b'&', b'+', raw) {
        match raw[i] {
            b'%' => {
                if raw.get(i + 1).copied().and_then(hex).is_some()
                    && raw.get(i + 2).copied().and_then(hex).is_some()
                {
                    return true;
                }
            }
            b'&' => {
                if entity(&raw[i..]).is_some() {
                    return true;
                }
            }
            _ => plus = true,
        }
    }
    plus && query_plus(raw)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A character reference at the start of `s`: its byte and its length.
fn entity(s: &[u8]) -> Option<(u8, usize)> {
    let end = s.iter().take(10).position(|&b| b == b';')?;
    let body = &s[1..end];
    let byte = match body {
        b"amp" => b'&',
        b"lt" => b'<',
        b"gt" => b'>',
        b"quot" => b'"',
        b"apos" => b'\'',
        b"nbsp" => b' ',
        [b'#', b'x' | b'X', h @ ..] if !h.is_empty() && h.len() <= 4 => {
            let v = h
                .iter()
                .try_fold(0u32, |a, &b| Some(a * 16 + u32::from(hex(b)?)))?;
            u8::try_from(v).ok().filter(u8::is_ascii)?
        }
        [b'#', d @ ..] if !d.is_empty() && d.len() <= 4 => {
            let v = d.iter().try_fold(0u32, |a, &b| {
                b.is_ascii_digit().then(|| a * 10 + u32::from(b - b'0'))
            })?;
            u8::try_from(v).ok().filter(u8::is_ascii)?
        }
        _ => return None,
    };
    Some((byte, end + 1))
}

/// The ranges of `raw` that are query strings or form bodies (`?a=1&b=2` up to white space
/// or a quote; a whole unit of `k=v&k=v`), where `+` is a space.
fn queries(raw: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let stop = |b: u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>');
    let form = raw.contains(&b'=')
        && raw.contains(&b'&')
        && !raw.iter().any(|&b| stop(b))
        && raw.first().is_some_and(u8::is_ascii_alphanumeric);
    let whole = form.then_some((0, raw.len()));
    let urls = memchr::memchr_iter(b'?', raw)
        .filter(move |_| !form)
        .map(move |q| {
            let e = raw[q..]
                .iter()
                .position(|&b| stop(b))
                .map_or(raw.len(), |p| q + p);
            (q + 1, e)
        })
        .filter(|&(s, e)| raw[s..e].contains(&b'='));
    whole.into_iter().chain(urls)
}

fn query_plus(raw: &[u8]) -> bool {
    queries(raw).any(|(s, e)| raw[s..e].contains(&b'+'))
}

/// Decodes `raw` into `out`, with `map[i]` the raw offset of decoded byte `i` and one last
/// entry `raw.len()` (both cleared first).
pub(crate) fn decode(raw: &[u8], out: &mut Vec<u8>, map: &mut Vec<usize>) {
    out.clear();
    map.clear();
    let mut plus = [(0usize, 0usize); 8];
    let mut np = 0;
    if memchr::memchr(b'+', raw).is_some() {
        for q in queries(raw) {
            if np < plus.len() {
                plus[np] = q;
                np += 1;
            }
        }
    }
    let in_query = |i: usize| plus[..np].iter().any(|&(s, e)| s <= i && i < e);
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        map.push(i);
        match b {
            b'%' => {
                if let (Some(h), Some(l)) = (
                    raw.get(i + 1).copied().and_then(hex),
                    raw.get(i + 2).copied().and_then(hex),
                ) {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
            }
            b'&' => {
                if let Some((c, n)) = entity(&raw[i..]) {
                    out.push(c);
                    i += n;
                    continue;
                }
            }
            b'+' if in_query(i) => {
                out.push(b' ');
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(b);
        i += 1;
    }
    map.push(raw.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> (String, Vec<usize>) {
        let (mut out, mut map) = (Vec::new(), Vec::new());
        decode(s.as_bytes(), &mut out, &mut map);
        (String::from_utf8(out).unwrap(), map)
    }

    #[test]
    fn percent_plus_and_entities() {
        assert_eq!(dec("email=jane%40example.com").0, "email=jane@example.com");
        assert_eq!(
            dec("GET /s?name=Jane+Doe&x=1 HTTP/1.1").0,
            "GET /s?name=Jane Doe&x=1 HTTP/1.1"
        );
        assert_eq!(dec("a=1&name=Jane+Doe").0, "a=1&name=Jane Doe");
        // A `+` outside a query string stays: it is the + of a phone number.
        assert_eq!(dec("call +44 20 7946 0958").0, "call +44 20 7946 0958");
        assert_eq!(dec("phone=%2B44%2020").0, "phone=+44 20");
        assert_eq!(
            dec("mail jane&#64;example.com &amp; co").0,
            "mail jane@example.com & co"
        );
        assert_eq!(dec("50% off, &nbsp").0, "50% off, &nbsp");
        let (d, map) = dec("x%40y");
        assert_eq!(d, "x@y");
        assert_eq!(map, vec![0, 1, 4, 5]);
    }

    #[test]
    fn needs_only_what_changes() {
        assert!(needs(b"a%40b"));
        assert!(needs(b"?q=a+b"));
        assert!(needs(b"&#64;"));
        assert!(!needs(b"+44 20 7946 0958 100% &foo"));
    }
}
