//! Encoded text: the percent-encoding of URLs (`jane%40example.com`), the `+` that stands for
//! a space in query strings and form bodies (`name=Jane+Doe`), HTML character references
//! (`&amp;`, `&#64;`, `&#x40;`), and Unicode forms of ASCII that hide a value from an ASCII
//! reader: spaces other than U+0020 (no-break, thin, ideographic…), zero-width characters and
//! soft hyphens inside a number, fullwidth forms (`５３６-９０-４３９９`, `ｊａｎｅ＠…`) and
//! Unicode dashes. A unit holding any is also scanned in its decoded form (the raw reading
//! stays the floor); a map from each decoded byte to the raw byte it came from puts every
//! finding back on the raw bytes, so the output replaces exactly the encoded value and keeps
//! every other byte.

/// True when `raw` holds something [`decode`] changes.
pub(crate) fn needs(raw: &[u8]) -> bool {
    if !raw.is_ascii() && has_unicode_form(raw) {
        return true;
    }
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

/// What a non-ASCII character at the start of `s` reads as for detection: `Some((bytes, n))`
/// with `bytes` its ASCII reading (empty for a character that is dropped) and `n` its length
/// in UTF-8; `None` for a character read as itself.
fn unicode_form(s: &[u8]) -> Option<(&'static [u8], usize)> {
    const SPACE: &[u8] = b" ";
    const DASH: &[u8] = b"-";
    const NONE: &[u8] = b"";
    match *s {
        // U+00A0 no-break space; U+00AD soft hyphen (invisible).
        [0xC2, 0xA0, ..] => Some((SPACE, 2)),
        [0xC2, 0xAD, ..] => Some((NONE, 2)),
        // U+1680 Ogham space mark.
        [0xE1, 0x9A, 0x80, ..] => Some((SPACE, 3)),
        // U+2000–U+200A spaces; U+200B–U+200D zero-width; U+2010–U+2015 hyphens and dashes;
        // U+2028/U+2029 separators; U+202F narrow no-break space.
        [0xE2, 0x80, b, ..] => match b {
            0x80..=0x8A | 0xA8 | 0xA9 | 0xAF => Some((SPACE, 3)),
            0x8B..=0x8D => Some((NONE, 3)),
            0x90..=0x95 => Some((DASH, 3)),
            _ => None,
        },
        // U+205F medium mathematical space; U+2060 word joiner; U+2212 minus sign.
        [0xE2, 0x81, 0x9F, ..] => Some((SPACE, 3)),
        [0xE2, 0x81, 0xA0, ..] => Some((NONE, 3)),
        [0xE2, 0x88, 0x92, ..] => Some((DASH, 3)),
        // U+3000 ideographic space.
        [0xE3, 0x80, 0x80, ..] => Some((SPACE, 3)),
        // U+FEFF zero-width no-break space (a byte-order mark inside text).
        [0xEF, 0xBB, 0xBF, ..] => Some((NONE, 3)),
        // U+FF01–U+FF5E fullwidth forms of `!`…`~`.
        [0xEF, 0xBC, b @ 0x81..=0xBF, ..] => Some((ascii(0x21 + (b - 0x81)), 3)),
        [0xEF, 0xBD, b @ 0x80..=0x9E, ..] => Some((ascii(0x60 + (b - 0x80)), 3)),
        _ => None,
    }
}

/// The one-byte string of a printable ASCII byte.
fn ascii(b: u8) -> &'static [u8] {
    const PRINTABLE: &[u8; 95] = b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    let i = usize::from(b - 0x20);
    &PRINTABLE[i..=i]
}

/// True when `raw` holds a character [`unicode_form`] reads as ASCII or drops.
fn has_unicode_form(raw: &[u8]) -> bool {
    memchr::memchr3_iter(0xC2, 0xE2, 0xEF, raw)
        .chain(memchr::memchr2_iter(0xE1, 0xE3, raw))
        .any(|i| unicode_form(&raw[i..]).is_some())
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
            // A `+` that opens a query value before a digit is a phone number's, sent
            // unencoded (`?phone=+442079460958`), not a space.
            b'+' if in_query(i)
                && !(raw.get(i.wrapping_sub(1)) == Some(&b'=')
                    && raw.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                out.push(b' ');
                i += 1;
                continue;
            }
            0x80.. => {
                if let Some((ascii, n)) = unicode_form(&raw[i..]) {
                    // A dropped character maps nothing: the next decoded byte is mapped to
                    // the raw byte after it.
                    map.pop();
                    for &a in ascii {
                        out.push(a);
                        map.push(i);
                    }
                    i += n;
                    continue;
                }
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
    fn unicode_forms_read_as_ascii_with_offsets_kept() {
        let (d, map) = dec("card 4111\u{a0}1111\u{2009}1111\u{3000}1111");
        assert_eq!(d, "card 4111 1111 1111 1111");
        assert_eq!(map[9], 9); // the no-break space (2 bytes) is one space
        assert_eq!(map[10], 11);
        let (d, map) = dec("ssn 536\u{200b}-90\u{ad}-4399\u{feff}");
        assert_eq!(d, "ssn 536-90-4399");
        // The decoded `-` after the dropped zero-width space maps to the raw `-`.
        assert_eq!(map[7], 10);
        assert_eq!(
            *map.last().unwrap(),
            "ssn 536\u{200b}-90\u{ad}-4399\u{feff}".len()
        );
        assert_eq!(
            dec("ｓｓｎ ５３６－９０－４３９９ ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ").0,
            "ssn 536-90-4399 jane@example.com"
        );
        assert_eq!(dec("4111\u{2013}1111\u{2212}1").0, "4111-1111-1");
        // Other letters are themselves.
        assert_eq!(dec("Zoë Łukasz 東京 x%40y").0, "Zoë Łukasz 東京 x@y");
        assert!(!needs("Zoë Łukasz 東京".as_bytes()));
        assert!(needs("a\u{a0}b".as_bytes()));
        for b in 0x21u8..0x7f {
            assert_eq!(ascii(b), &[b]);
        }
    }

    #[test]
    fn a_plus_that_opens_a_query_value_before_a_digit_stays() {
        assert_eq!(
            dec("GET /x?phone=+442079460958&q=a+b").0,
            "GET /x?phone=+442079460958&q=a b"
        );
    }

    #[test]
    fn needs_only_what_changes() {
        assert!(needs(b"a%40b"));
        assert!(needs(b"?q=a+b"));
        assert!(needs(b"&#64;"));
        assert!(!needs(b"+44 20 7946 0958 100% &foo"));
    }
}
