//! MAC_ADDRESS — EUI-48, ENTITIES.md §3: six hex pairs with one separator kind, or Cisco's
//! `xxxx.xxxx.xxxx`; all-zero, broadcast and multicast (group) addresses are not devices.

use super::{Cand, Verdict};

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let b = c.bytes();
    let (s, e) = (c.span.start(), c.span.end());
    // Part of a longer colon/hyphen/dot-hex run (a fingerprint, an IPv6 address): not a MAC.
    let hexish = |x: u8| x.is_ascii_hexdigit() || matches!(x, b':' | b'-' | b'.');
    if (s > 0
        && (c.hay[s - 1].is_ascii_alphanumeric()
            || (hexish(c.hay[s - 1]) && s > 1 && c.hay[s - 2].is_ascii_hexdigit())))
        || (e < c.hay.len()
            && (c.hay[e].is_ascii_alphanumeric()
                || (hexish(c.hay[e]) && c.hay.get(e + 1).is_some_and(u8::is_ascii_hexdigit))))
    {
        return None;
    }
    let mut octets = [0u8; 6];
    let hex: Vec<u8> = b.iter().copied().filter(u8::is_ascii_hexdigit).collect();
    if hex.len() != 12 {
        return None;
    }
    for (i, o) in octets.iter_mut().enumerate() {
        let v = std::str::from_utf8(&hex[2 * i..2 * i + 2]).ok()?;
        *o = u8::from_str_radix(v, 16).ok()?;
    }
    if octets == [0; 6] || octets == [0xff; 6] || octets[0] & 1 == 1 {
        return None;
    }
    // `10:20:30:40:50:60` may be a time or a list of numbers.
    let score = if hex.iter().all(u8::is_ascii_digit) {
        0.4
    } else {
        0.8
    };
    Verdict::new(c.span, score)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, run_at, table};
    use super::*;

    #[test]
    fn entities_md_examples() {
        table(
            validate,
            0.5,
            &["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"],
            &[
                "00:00:00:00:00:00",
                "ff:ff:ff:ff:ff:ff",
                "01:00:5e:00:00:fb",
                "33:33:00:00:00:01",
                "10:20:30:40:50:60",
            ],
        );
        assert!(
            run(validate, "02:00:5e:10:00:01").is_some(),
            "locally administered: kept"
        );
    }

    #[test]
    fn longer_hex_runs_are_not_macs() {
        assert!(run_at(validate, "fp aa:00:1a:2b:3c:4d:5e:ff", 6, 23).is_none());
    }
}
