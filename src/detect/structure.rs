//! Log structure: marks on the [`Word`]s of a unit that say what a word is part of — a clock
//! time, a date, a month or weekday name in a date, a version, an identifier (hex digest,
//! UUID, an id glued to its prefix), a path, URL or dotted name, the key of a `key=value`.
//! Candidate shapes read the marks: a timestamp's `Jun` or `Fri` is never a name, a version
//! `4.2.0.17` never an IP address, `blk_-4980916519894289629` never a card. One pass over the
//! words, each rule looking only at a word's neighbours and the separators between them.

use super::lex::{self, Word, Words};

/// Part of a clock time (`07:07:00`, `14:02:11.377`), its zone or its fraction.
pub(crate) const TIME: u8 = 1;
/// Part of a calendar date (`2026-11-25`, `25/Nov/2025`, `Jun 17`).
pub(crate) const DATE: u8 = 2;
/// A month or weekday name inside a date or timestamp.
pub(crate) const CALENDAR: u8 = 4;
/// Part of a version (`v0.97`, `Chrome/62.0.807.0`, `gcc-4.2.1`, `1.3.6.1.4.1`).
pub(crate) const VERSION: u8 = 8;
/// Part of an identifier: a hex digest, a UUID, a number glued to an id prefix.
pub(crate) const IDENT: u8 = 16;
/// Part of a path, a URL, a host name or a dotted name (`org.apache.hadoop`).
pub(crate) const PATH: u8 = 32;
/// The key of a `key=value` or `key:value` pair.
pub(crate) const KEY: u8 = 64;

/// Marks that rule a word out of a numeric identifier.
pub(crate) const NOT_NUMBER: u8 = TIME | DATE | VERSION | IDENT;
/// Marks that rule a word out of a name.
pub(crate) const NOT_NAME: u8 = TIME | DATE | CALENDAR | VERSION | IDENT | PATH | KEY;

const MONTHS: [&[u8]; 12] = [
    b"january",
    b"february",
    b"march",
    b"april",
    b"may",
    b"june",
    b"july",
    b"august",
    b"september",
    b"october",
    b"november",
    b"december",
];

const WEEKDAYS: [&[u8]; 7] = [
    b"monday",
    b"tuesday",
    b"wednesday",
    b"thursday",
    b"friday",
    b"saturday",
    b"sunday",
];

/// Time zone and clock words that follow a time.
const ZONES: &[&[u8]] = &[
    b"utc", b"gmt", b"z", b"am", b"pm", b"est", b"edt", b"cst", b"cdt", b"mst", b"mdt", b"pst",
    b"pdt", b"akst", b"hst", b"cet", b"cest", b"eet", b"eest", b"wet", b"west", b"bst", b"ist",
    b"jst", b"kst", b"aest", b"aedt", b"acst", b"awst", b"nzst", b"nzdt", b"msk", b"hkt", b"sgt",
];

/// Folds an ASCII word to lower case into `buf`; `None` when it is longer or not ASCII.
fn lower<'b>(w: &[u8], buf: &'b mut [u8; 16]) -> Option<&'b [u8]> {
    if w.len() > buf.len() || !w.is_ascii() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    Some(&buf[..w.len()])
}

/// The month (1–12) a word names, in full or abbreviated to three letters (`Sept` too).
pub(crate) fn month(w: &[u8]) -> Option<u32> {
    let mut buf = [0u8; 16];
    let l = lower(w, &mut buf)?;
    if l.len() < 3 {
        return None;
    }
    let i = MONTHS
        .iter()
        .position(|m| m.starts_with(l) && (l.len() == 3 || l.len() == m.len()))
        .or_else(|| (matches!(l, [b's', b'e', b'p', b't'])).then_some(8))?;
    Some(i as u32 + 1)
}

/// True when a word names a weekday, in full or as `Mon`, `Tue`, `Tues`, `Thu`, `Thur`,
/// `Thurs`...
pub(crate) fn is_weekday(w: &[u8]) -> bool {
    let mut buf = [0u8; 16];
    let Some(l) = lower(w, &mut buf) else {
        return false;
    };
    l.len() >= 3
        && WEEKDAYS.iter().any(|d| {
            d.starts_with(l)
                && (l.len() <= 4
                    || l.len() == d.len()
                    || (matches!(l, [b't', b'h', b'u', b'r', b's'])))
        })
}

fn is_zone(w: &[u8]) -> bool {
    let mut buf = [0u8; 16];
    lower(w, &mut buf).is_some_and(|l| ZONES.contains(&l))
}

/// The value of a word of at most 9 ASCII digits.
fn value(hay: &[u8], w: Word) -> Option<u32> {
    (w.is_number() && w.len() <= 9).then(|| {
        hay[w.range()]
            .iter()
            .fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'))
    })
}

struct Units<'a> {
    hay: &'a [u8],
    w: &'a mut [Word],
}

impl<'a> Units<'a> {
    fn text(&self, i: usize) -> &'a [u8] {
        &self.hay[self.w[i].range()]
    }

    /// The separator bytes between word `i` and word `i + 1` (to the end after the last).
    fn sep(&self, i: usize) -> &'a [u8] {
        let s = self.w[i].end as usize;
        let e = self
            .w
            .get(i + 1)
            .map_or(self.hay.len(), |w| w.start as usize);
        &self.hay[s..e]
    }

    /// The separator bytes before word `i` (from the start of the unit for the first).
    fn sep_before(&self, i: usize) -> &'a [u8] {
        let e = self.w[i].start as usize;
        let s = if i == 0 {
            0
        } else {
            self.w[i - 1].end as usize
        };
        &self.hay[s..e]
    }

    /// The separator after word `i` when it is exactly one byte.
    #[inline]
    fn sep1(&self, i: usize) -> Option<u8> {
        let e = self.w[i].end as usize;
        let next = self
            .w
            .get(i + 1)
            .map_or(self.hay.len(), |w| w.start as usize);
        (next == e + 1).then(|| self.hay[e])
    }

    fn num(&self, i: usize) -> Option<u32> {
        self.w.get(i).and_then(|&w| value(self.hay, w))
    }

    fn digits(&self, i: usize) -> usize {
        self.w
            .get(i)
            .filter(|w| w.is_number())
            .map_or(0, |w| w.len())
    }

    fn mark(&mut self, i: usize, m: u8) {
        if let Some(w) = self.w.get_mut(i) {
            w.mark |= m;
        }
    }

    fn before(&self, i: usize, k: usize) -> Option<u8> {
        (self.w[i].start as usize)
            .checked_sub(k + 1)
            .map(|p| self.hay[p])
    }

    /// Words `i..j` joined by exactly the byte `b` each time (`j` is past the last).
    fn chain(&self, i: usize, b: u8, ok: impl Fn(Word) -> bool) -> usize {
        let mut j = i + 1;
        while j < self.w.len() && self.sep(j - 1) == [b] && ok(self.w[j]) {
            j += 1;
        }
        j
    }
}

/// Sets the structure marks of the words of `hay`. Each rule looks only at the words it can
/// start at (numbers, capitalised words, words of letters and digits).
pub(crate) fn mark(hay: &[u8], words: &mut Words) {
    let Words {
        w,
        nums,
        caps,
        mixed,
        ..
    } = words;
    let mut u = Units { hay, w };
    numbers(&mut u, nums);
    mixed_words(&mut u, mixed);
    calendar(&mut u, caps);
    paths_and_keys(&mut u, caps);
}

/// Dates, versions and identifiers among the numbers, in one pass: each rule runs only when
/// the separator after the number can start it.
fn numbers(u: &mut Units<'_>, nums: &[u32]) {
    let mut next = 0;
    for &k in nums {
        let i = k as usize;
        ident_at(u, i);
        if i < next {
            continue;
        }
        next = match u.sep1(i) {
            Some(b':') if u.w[i].len() <= 2 => time_at(u, i),
            Some(b @ (b'-' | b'/' | b'.')) => {
                let j = date_at(u, i, b);
                if j == i + 1 && b == b'.' {
                    version_at(u, i)
                } else {
                    j
                }
            }
            _ => i + 1,
        };
    }
}

/// Versions after `v` (`v0.97`), clocks glued to a date (`25T16:00`) and hex digests among
/// the words of letters and digits.
fn mixed_words(u: &mut Units<'_>, mixed: &[u32]) {
    let mut next = 0;
    for &k in mixed {
        let i = k as usize;
        let w = u.w[i];
        if w.has(lex::HEX) && w.len() >= 8 {
            u.mark(i, IDENT);
        }
        if i < next {
            continue;
        }
        next = match u.sep1(i) {
            Some(b'.') => version_at(u, i),
            Some(b':') if w.len() <= 5 => time_at(u, i),
            _ => i + 1,
        };
    }
}

/// Clocks: `HH:MM`, `HH:MM:SS`, `HH:MM:SS:mmm` (a chain of at most four), with a fraction
/// (`.377`, `,144`), a zone word or a numeric offset after it.
/// Marks the clock starting at word `i`, if any; the next word to look at.
fn time_at(u: &mut Units<'_>, i: usize) -> usize {
    let n = u.w.len();
    let w = u.w[i];
    if !matches!(u.sep(i), [b':']) {
        return i + 1;
    }
    let hour = u
        .num(i)
        .filter(|_| w.len() <= 2)
        .or_else(|| iso_t_hour(u.text(i)));
    if hour.is_none_or(|h| h > 24) {
        return i + 1;
    }
    let j = u.chain(i, b':', |w| w.is_number() && (w.len() == 2 || w.len() == 3));
    let parts = j - i;
    // Minutes and seconds of two digits up to 60; only a fourth part (`22:15:29:606`) may be
    // milliseconds.
    let sane = (i + 1..j).all(|k| {
        let ms = k == i + 3 && u.digits(k) == 3;
        ms || (u.digits(k) == 2 && u.num(k).is_some_and(|v| v <= 60))
    });
    // Longer chains are MAC addresses, IPv6 or counters, not clocks; a clock does not
    // continue with `:`, nor follow `:` (`fe80::1:20`) or a dotted number (`10.0.0.1:80`).
    let before = u.sep_before(i);
    let goes_on = matches!(u.sep(j - 1), [b':']) && j < u.w.len() && !frac_zone(u.text(j));
    if !(2..=4).contains(&parts)
        || !sane
        || goes_on
        || before.ends_with(b":")
        || (before.ends_with(b".") && i > 0 && u.w[i - 1].is_number())
    {
        return j;
    }
    for k in i..j {
        u.mark(k, TIME);
    }
    // `…:00Z`: the seconds with the zone glued on.
    if matches!(u.sep(j - 1), [b':']) && j < u.w.len() && frac_zone(u.text(j)) {
        u.mark(j, TIME);
        return j + 1;
    }
    let mut k = j - 1;
    // Fraction: `.377`, `,144`, `.115Z` (a word of digits and a zone letter).
    if matches!(u.sep(k), [b'.'] | [b','])
        && k + 1 < n
        && (u.w[k + 1].is_number() || frac_zone(u.text(k + 1)))
    {
        k += 1;
        u.mark(k, TIME);
    }
    // A zone (` UTC`, `Z`, ` EST`) or an offset (` +0000`, `+01:00`).
    if k + 1 < n {
        let sep = u.sep(k);
        let next = u.text(k + 1);
        if (matches!(sep, [b' '] | []) && is_zone(next))
            || (matches!(sep, [b' ', b'+'] | [b' ', b'-'] | [b'+'] | [b'-'])
                && u.w[k + 1].is_number()
                && matches!(next.len(), 2 | 4))
        {
            u.mark(k + 1, TIME);
            if matches!(u.sep(k + 1), [b':']) && u.digits(k + 2) == 2 {
                u.mark(k + 2, TIME);
            }
        }
    }
    j
}

/// The hour of an ISO date-time word glued by `T` (`25T16` → 16).
fn iso_t_hour(w: &[u8]) -> Option<u32> {
    let t = w.iter().position(|&b| b == b'T')?;
    let (d, h) = (&w[..t], &w[t + 1..]);
    (matches!(d.len(), 1 | 2) && h.len() == 2 && d.iter().chain(h).all(u8::is_ascii_digit))
        .then(|| u32::from(h[0] - b'0') * 10 + u32::from(h[1] - b'0'))
}

/// `115Z`: a fraction of a second with the zone letter glued on.
fn frac_zone(w: &[u8]) -> bool {
    w.len() >= 2 && w[w.len() - 1] == b'Z' && w[..w.len() - 1].iter().all(u8::is_ascii_digit)
}

fn day_ok(d: u32) -> bool {
    (1..=31).contains(&d)
}

fn month_ok(m: u32) -> bool {
    (1..=12).contains(&m)
}

/// Numeric dates (`2026-11-25`, `2025/11/25`, `2005.06.03`, `25.11.2026`, `11/25/2026`), the
/// `25/Nov/2025` of access logs, an ISO date glued to its time (`25T16`), a compact
/// `20171223` glued to a time, and `MM.DD` / `MM-DD` right before a time.
/// True when word `k` starts a clock (`16:49:06`); the clock itself is marked when the pass
/// reaches it.
fn clock_at(u: &Units<'_>, k: usize) -> bool {
    k + 1 < u.w.len()
        && u.w[k].is_number()
        && u.w[k].len() <= 2
        && u.sep1(k) == Some(b':')
        && u.w[k + 1].is_number()
        && u.w[k + 1].len() == 2
}

/// The dates starting at number `i`, whose separator is `b`; the next word to look at.
fn date_at(u: &mut Units<'_>, i: usize, b: u8) -> usize {
    let n = u.w.len();
    let da = u.w[i].len();
    // Three parts with one separator kind: `YYYY-MM-DD` or `DD.MM.YYYY` / `MM/DD/YYYY`.
    if i + 2 < n && (da == 4 || da <= 2) && u.sep1(i + 1) == Some(b) && u.w[i + 1].len() <= 2 {
        let third = u.text(i + 2);
        let t_hour = iso_t_hour(third);
        let dc = match t_hour {
            Some(_) => third.iter().position(|&x| x == b'T').unwrap_or(0),
            None => u.digits(i + 2),
        };
        let plausible = (da == 4 && (1..=2).contains(&dc)) || (da <= 2 && dc == 4);
        if plausible && u.w[i + 1].is_number() {
            let (a, m) = (u.num(i), u.num(i + 1));
            let c = if t_hour.is_some() {
                Some(
                    third[..dc]
                        .iter()
                        .fold(0u32, |x, &y| x * 10 + u32::from(y - b'0')),
                )
            } else {
                u.num(i + 2)
            };
            let ymd = da == 4
                && a.is_some_and(|y| (1000..=2999).contains(&y))
                && m.is_some_and(month_ok)
                && c.is_some_and(day_ok);
            let dmy = da <= 2
                && a.is_some_and(day_ok)
                && m.is_some_and(day_ok)
                && (a.is_some_and(month_ok) || m.is_some_and(month_ok))
                && c.is_some_and(|y| (1000..=2999).contains(&y));
            if ymd || dmy {
                for k in i..i + 3 {
                    u.mark(k, DATE);
                }
                // BGL's `2005-06-03-15.42.50.675872`: a dotted time after the date.
                if u.sep1(i + 2) == Some(b'-') && i + 3 < n && u.num(i + 3).is_some_and(|h| h <= 24)
                {
                    let j = u.chain(i + 3, b'.', Word::is_number);
                    if j - (i + 3) >= 3 {
                        for k in i + 3..j {
                            u.mark(k, TIME);
                        }
                    }
                }
                return i + 3;
            }
        }
    }
    // `25/Nov/2025` and `25-Nov-2025`; `25 Nov 2025` is left to the calendar rule.
    if (b == b'/' || b == b'-')
        && i + 2 < n
        && da <= 2
        && u.sep1(i + 1) == Some(b)
        && u.digits(i + 2) == 4
        && u.num(i).is_some_and(day_ok)
        && month(u.text(i + 1)).is_some()
    {
        u.mark(i, DATE);
        u.mark(i + 1, DATE | CALENDAR);
        u.mark(i + 2, DATE);
        return i + 3;
    }
    // `10.30 16:49:06`: month and day right before a time.
    if i + 2 < n
        && da <= 2
        && u.digits(i + 1) == 2
        && matches!(u.sep(i + 1), [b' '])
        && clock_at(u, i + 2)
        && u.num(i).is_some_and(|v| day_ok(v) || month_ok(v))
        && u.num(i + 1).is_some_and(day_ok)
    {
        u.mark(i, DATE);
        u.mark(i + 1, DATE);
        return i + 2;
    }
    // A compact date glued to a clock: `20171223-22:15:29:606`.
    if b == b'-' {
        compact_date_at(u, i);
    }
    i + 1
}

/// `20171223` glued to a clock (`-22:15:29`, `T221529`).
fn compact_date_at(u: &mut Units<'_>, i: usize) {
    if u.w[i].len() == 8 && clock_at(u, i + 1) {
        u.mark(i, DATE);
    }
}

/// True when a word names a month or a weekday (ASCII, any case).
fn is_calendar(t: &[u8]) -> bool {
    // The first three letters of month and weekday names: a cheap filter before the lists.
    const HEADS: [&[u8; 3]; 19] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec", b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun",
    ];
    (3..=9).contains(&t.len())
        && HEADS.contains(&&[t[0] | 0x20, t[1] | 0x20, t[2] | 0x20])
        && (t.len() == 3 || month(t).is_some() || is_weekday(t))
}

/// Month and weekday names next to a day, a year, a time or another calendar word
/// (`Jun 17 07:07:00`, `Fri Jun 17`, `[Tue Mar 03 14:02:11 2026]`, `17 June 2024`,
/// `Mon, 12 Feb`): the name and its numbers are a date, never a person.
fn calendar(u: &mut Units<'_>, caps: &[u32]) {
    let n = u.w.len();
    let cal = |u: &Units<'_>, i: usize| {
        let w = u.w[i];
        w.is_alpha() && !w.has(lex::WIDE) && is_calendar(u.text(i))
    };
    // A separator inside a date: a space, `, `, `-`, `/`, `.` or `. `.
    let date_sep = |s: &[u8]| {
        matches!(
            s,
            [b' '] | [b' ', b' '] | [b',', b' '] | [b','] | [b'-'] | [b'/'] | [b'.'] | [b'.', b' ']
        )
    };
    for &k in caps {
        let i = k as usize;
        if !cal(u, i) {
            continue;
        }
        let day_or_year = |u: &Units<'_>, k: usize| {
            u.w.get(k).is_some_and(|w| {
                w.mark & (TIME | DATE) != 0
                    || (w.is_number() && matches!(w.len(), 1 | 2 | 4))
                    || ordinal(u.text(k))
            })
        };
        let next = i + 1 < n && date_sep(u.sep(i)) && (day_or_year(u, i + 1) || cal(u, i + 1));
        let prev = i > 0 && date_sep(u.sep(i - 1)) && (day_or_year(u, i - 1) || cal(u, i - 1));
        if !(next || prev) {
            continue;
        }
        u.mark(i, CALENDAR | DATE);
        for k in [i.wrapping_sub(1), i + 1] {
            if k < n && date_sep(u.sep(k.min(i))) && day_or_year(u, k) {
                u.mark(k, DATE);
            }
        }
    }
}

/// `1st`, `2nd`, `23rd`, `17th`.
fn ordinal(w: &[u8]) -> bool {
    w.len() >= 3
        && w.len() <= 4
        && w[..w.len() - 2].iter().all(u8::is_ascii_digit)
        && matches!(
            &w[w.len() - 2..],
            [b's', b't']
                | [b'n', b'd']
                | [b'r', b'd']
                | [b't', b'h']
                | [b'S', b'T']
                | [b'N', b'D']
                | [b'R', b'D']
                | [b'T', b'H']
        )
}

/// Dotted numbers that are versions: after `v` (`v0.97`, `v6.1.7601.23505`), after a product
/// name and `/` (`Chrome/62.0.807.0`), glued to a name by `-` or `_` (`gcc-4.2.1`), glued to
/// a suffix (`1.2.3.4-SNAPSHOT`, `6.1.7601.23505_none`), or five parts and more (OIDs).
fn version_at(u: &mut Units<'_>, i: usize) -> usize {
    let n = u.w.len();
    let w = u.w[i];
    if !matches!(u.sep(i), [b'.']) {
        return i + 1;
    }
    let v_word = {
        let t = u.text(i);
        t.len() >= 2 && matches!(t[0], b'v' | b'V') && t[1..].iter().all(u8::is_ascii_digit)
    };
    if !(w.is_number() || v_word) {
        return i + 1;
    }
    let j = u.chain(i, b'.', Word::is_number);
    if j - i < 2 {
        return i + 1;
    }
    let before = u.sep_before(i);
    let glued_name = |k: usize| k > 0 && u.w[k - 1].has(lex::UPPER | lex::LOWER);
    let product = matches!(before, [b'/'])
        && i > 0
        && u.w[i - 1].is_alpha()
        && u.w[i - 1].has(lex::FIRST_UPPER)
        && u.before(i - 1, 0)
            .is_none_or(|b| !lex::is_word_byte(b) && b != b'-');
    let prefixed = matches!(before, [b'-'] | [b'_']) && glued_name(i);
    // After a word that says version: `rv:1.9.1.20`, `build 4.2.0.17`, `version=10.0.1.2`.
    let keyed = matches!(before, [b':'] | [b'='] | [b' '] | [b':', b' '])
        && i > 0
        && is_version_word(u.text(i - 1));
    let after = u.sep(j - 1);
    let suffixed = (after.first() == Some(&b'_') && j < n && after.len() == 1)
        || (matches!(after, [b'-']) && j < n && u.w[j].has(lex::UPPER | lex::LOWER))
        || (matches!(after, [b'+']) && j < n);
    if v_word || product || prefixed || keyed || suffixed || j - i >= 5 {
        for k in i..j {
            u.mark(k, VERSION);
        }
    }
    if product {
        product_comment(u, i - 1, j);
    }
    j
}

/// A product token (`Mozilla/5.0`) and the comment in brackets after it (`(Macintosh; Intel
/// Mac OS X 10_15_7)`, as user agents write them): the words of software, never a name.
fn product_comment(u: &mut Units<'_>, name: usize, after: usize) {
    u.mark(name, IDENT);
    let n = u.w.len();
    // The comment may open on velum's own label (`([EMAIL]`) once a value in it is redacted.
    if after >= n || !u.sep(after - 1).starts_with(b" (") {
        return;
    }
    // It ends at its `)`, or at the quote that ends the user agent's field: what comes after
    // is the next field (`... HTTP/1.1" 404`), whichever value stood in the comment.
    for k in after..n.min(after + 40) {
        u.mark(k, IDENT);
        if u.sep(k).iter().any(|&b| matches!(b, b')' | b'"')) {
            break;
        }
    }
}

/// Words after which a dotted number is a version.
fn is_version_word(w: &[u8]) -> bool {
    const WORDS: [&[u8]; 13] = [
        b"rv",
        b"ver",
        b"version",
        b"build",
        b"release",
        b"rev",
        b"revision",
        b"firmware",
        b"fw",
        b"kernel",
        b"driver",
        b"v",
        b"vsn",
    ];
    w.len() <= 9 && WORDS.iter().any(|k| k.eq_ignore_ascii_case(w))
}

/// Numbers glued to an id prefix (`blk_-4980916519894289629`, `task_0001`,
/// `ORD-7222695482`, `a716-446655440000`, `0001_r`), negative numbers and the first group of
/// a UUID: identifiers of things, not of people. (Hex digests are marked with the other
/// words of letters and digits.)
fn ident_at(u: &mut Units<'_>, i: usize) {
    let n = u.w.len();
    let w = u.w[i];
    let (start, end) = (w.start as usize, w.end as usize);
    let before = start.checked_sub(1).map(|p| u.hay[p]);
    let after = u.hay.get(end).copied();
    // Most numbers stand between spaces, dots, colons and quotes: nothing to look at.
    if !matches!(before, Some(b'_' | b'-')) && !matches!(after, Some(b'_' | b'-')) {
        return;
    }
    let prev = (i > 0).then(|| u.w[i - 1]);
    let glued = |gap: usize| prev.is_some_and(|p| p.end as usize + gap == start);
    let id_prefix = match before {
        Some(b'_') => glued(1),
        Some(b'-') => {
            (start >= 2 && u.hay[start - 2] == b'_' && glued(2))
                || (glued(1)
                    && prev.is_some_and(|p| {
                        p.has(lex::UPPER | lex::LOWER)
                            && p.len() >= 2
                            && !is_label(&u.hay[p.range()])
                    }))
        }
        _ => false,
    };
    // A negative number (`offset=-123456789`).
    let negative = before == Some(b'-')
        && start >= 2
        && matches!(u.hay[start - 2], b'=' | b':' | b'(' | b'[' | b',');
    let id_suffix = match after {
        Some(b'_') => i + 1 < n && u.w[i + 1].start as usize == end + 1,
        Some(b'-') => {
            i + 1 < n
                && w.len() == 8
                && u.w[i + 1].start as usize == end + 1
                && u.w[i + 1].has(lex::HEX)
                && u.w[i + 1].has(lex::UPPER | lex::LOWER)
        }
        _ => false,
    };
    if id_prefix || id_suffix || negative {
        u.mark(i, IDENT);
    }
}

/// Prefixes that label the personal data glued to them (`MRN-00482913`, `SSN-…`), so the
/// number after them is not an id of a thing.
fn is_label(w: &[u8]) -> bool {
    let mut buf = [0u8; 16];
    lower(w, &mut buf).is_some_and(|l| {
        matches!(
            l,
            [b'm', b'r', b'n']
                | [b's', b's', b'n']
                | [b's', b'i', b'n']
                | [b'n', b'h', b's']
                | [b'n', b'p', b'i']
                | [b't', b'f', b'n']
                | [b'd', b'o', b'b']
                | [b't', b'e', b'l']
                | [b'p', b'h', b'o', b'n', b'e']
                | [b'm', b'o', b'b']
                | [b'f', b'a', b'x']
                | [b'a', b'c', b'c', b't']
                | [b'a', b'c', b'c', b'o', b'u', b'n', b't']
                | [b'c', b'a', b'r', b'd']
                | [b'i', b'b', b'a', b'n']
                | [b'm', b'b', b'i']
                | [b'm', b'e', b'd', b'i', b'c', b'a', b'r', b'e']
                | [b'c', b'h', b'a', b'r', b't']
                | [b'p', b'a', b't', b'i', b'e', b'n', b't']
                | [b'm', b'r']
        )
    })
}

/// The byte ranges of the URLs of `hay`: from a scheme's start (the word before `://`) to the
/// first white space, quote or `?`/`#` (a query string's values are data).
fn urls(hay: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    memchr::memchr_iter(b':', hay)
        .filter(|&p| hay.get(p + 1..p + 3) == Some(b"//"))
        .map(move |p| {
            let s = hay[..p]
                .iter()
                .rposition(|b| !b.is_ascii_alphanumeric() && !matches!(b, b'+' | b'-' | b'.'))
                .map_or(0, |q| q + 1);
            let e = hay[p + 3..]
                .iter()
                .position(|&b| {
                    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'?' | b'#')
                })
                .map_or(hay.len(), |q| p + 3 + q);
            (s, e)
        })
}

/// Marks on capitalised words (what keeps a word out of a name): paths
/// (`/home/curi/.zookeeper`, `C:\Windows\winsxs`), URLs up to their query string, host and
/// dotted names (`org.apache.Hadoop`, `NIOServerCxn.Factory`), and the keys of `key=value` /
/// `key:value`.
fn paths_and_keys(u: &mut Units<'_>, caps: &[u32]) {
    if caps.is_empty() {
        return;
    }
    let n = u.w.len();
    let mut spans = urls(u.hay).peekable();
    for &k in caps {
        let i = k as usize;
        let w = u.w[i];
        while spans.peek().is_some_and(|&(_, e)| e <= w.start as usize) {
            spans.next();
        }
        let url = spans
            .peek()
            .is_some_and(|&(s, e)| s <= w.start as usize && (w.end as usize) <= e);
        let before = u.sep_before(i);
        let after = u.sep(i);
        let slash = |b: Option<&u8>| b.is_some_and(|b| matches!(b, b'/' | b'\\'));
        // `/home`, `:/home`, `/.zoo`, `a/b`, `C:\x`: a segment of a path.
        let segment = slash(before.last())
            || (before.len() >= 2 && before.ends_with(b".") && slash(before.get(before.len() - 2)))
            || (after.len() == 1 && slash(after.first()) && i + 1 < n);
        // Two words of two or more characters joined by a dot (initials `J.R.` are single
        // letters).
        let long = |k: usize| u.w[k].len() >= 2;
        let dotted = (matches!(after, [b'.']) && i + 1 < n && long(i) && long(i + 1))
            || (matches!(before, [b'.']) && i > 0 && long(i) && long(i - 1));
        if url || segment || dotted {
            u.mark(i, PATH);
        }
        // `Name:x`, and `Name:[PERSON]` alike: what follows the colon may be velum's own
        // label once the value is redacted, and the verdict must not change with it.
        let key = after.first() == Some(&b'=')
            || (after.first() == Some(&b':')
                && after.get(1).map_or(i + 1 < n, |b| !b.is_ascii_whitespace()));
        if key {
            u.mark(i, KEY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(s: &str) -> Vec<(String, u8)> {
        let mut w = Words::default();
        w.lex(s.as_bytes());
        mark(s.as_bytes(), &mut w);
        w.w.iter()
            .map(|w| (s[w.range()].to_owned(), w.mark))
            .collect()
    }

    fn marked(s: &str, m: u8) -> Vec<String> {
        marks(s)
            .into_iter()
            .filter(|(_, k)| k & m != 0)
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn clock_times() {
        assert_eq!(marked("at 07:07:00 ok", TIME), ["07", "07", "00"]);
        assert_eq!(marked("14:02:11.377Z x", TIME), ["14", "02", "11", "377Z"]);
        assert_eq!(marked("16:00:00,144 INFO", TIME), ["16", "00", "00", "144"]);
        assert_eq!(marked("19:02:14 EST 2004", TIME), ["19", "02", "14", "EST"]);
        assert_eq!(marked("16:00:00 +0000]", TIME), ["16", "00", "00", "0000"]);
        assert_eq!(marked("22:15:29:606|x", TIME), ["22", "15", "29", "606"]);
        // Not clocks: MAC addresses, IPv6, ports.
        assert!(marked("00:11:22:33:44:55", TIME).is_empty());
        assert!(marked("fe80::1:20", TIME).is_empty());
        assert!(marked("host:8080", TIME).is_empty());
    }

    #[test]
    fn dates_and_calendar_words() {
        assert_eq!(
            marked("2026-11-25T09:14:02.377Z", DATE),
            ["2026", "11", "25T09"]
        );
        assert_eq!(
            marked("2026-11-25T09:14:02.377Z", TIME),
            ["25T09", "14", "02", "377Z"]
        );
        assert_eq!(
            marked("[25/Nov/2025:16:00:00 +0000]", DATE),
            ["25", "Nov", "2025"]
        );
        assert_eq!(marked("Jun 17 07:07:00 combo", CALENDAR), ["Jun"]);
        assert_eq!(
            marked("at Fri Jun 17 07:07:00 2005", CALENDAR),
            ["Fri", "Jun"]
        );
        assert_eq!(
            marked("[Tue Mar 03 14:02:11 2026]", CALENDAR),
            ["Tue", "Mar"]
        );
        assert_eq!(
            marked("built Fri Dec 10 19:02:14 EST", CALENDAR),
            ["Fri", "Dec"]
        );
        assert_eq!(marked("born 17 June 1975", CALENDAR), ["June"]);
        assert_eq!(marked("2005.06.03 R02", DATE), ["2005", "06", "03"]);
        assert_eq!(marked("[10.30 16:49:06] chrome", DATE), ["10", "30"]);
        assert_eq!(marked("20171223-22:15:29:606|Step", DATE), ["20171223"]);
        // A month name alone is a word (or a name): `June Carter`, `May I`.
        assert!(marked("June Carter called", CALENDAR).is_empty());
        assert!(marked("ip 10.0.0.1 up", DATE).is_empty());
    }

    #[test]
    fn versions_and_ids() {
        assert_eq!(marked("Support v0.97 (c)", VERSION), ["v0", "97"]);
        assert_eq!(
            marked("Chrome/62.0.807.0 Safari", VERSION),
            ["62", "0", "807", "0"]
        );
        assert_eq!(
            marked("pkg gcc-4.2.0.17 ok", VERSION),
            ["4", "2", "0", "17"]
        );
        assert_eq!(marked("1.2.3.4-SNAPSHOT", VERSION), ["1", "2", "3", "4"]);
        assert_eq!(
            marked("(X11; rv:1.9.1.20) Gecko", VERSION),
            ["1", "9", "1", "20"]
        );
        assert_eq!(marked("driver build 4.2.0.17 ok", VERSION).len(), 4);
        assert_eq!(
            marked(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome",
                IDENT
            ),
            [
                "Mozilla",
                "Macintosh",
                "Intel",
                "Mac",
                "OS",
                "X",
                "10",
                "15",
                "7"
            ]
        );
        // See: fuzz/regressions/scan/product-comment-idempotence — a comment ends at the
        // quote of its field too, and may open on a label.
        assert_eq!(
            marked("Moz/5.0 (X90 HTTP/1.1\" 404 \"Joseph\"", IDENT),
            ["Moz", "X90", "HTTP", "1", "1"]
        );
        assert_eq!(
            marked("Moz/5.0 ([EMAIL] HTTP/1.1\" 404 \"Joseph\"", IDENT),
            ["Moz", "EMAIL", "HTTP", "1", "1"]
        );
        assert_eq!(marked("Version=10.0.19041.1", VERSION).len(), 4);
        // A host after other words is not a version.
        assert!(marked("client 10.0.0.17 connected", VERSION).is_empty());
        assert!(marked("from: 10.0.0.17", VERSION).is_empty());
        assert_eq!(marked("oid 1.3.6.1.4.1 x", VERSION).len(), 6);
        // Addresses stay addresses, also after a host name and `/` (Java's host/ip form).
        assert!(marked("from /10.251.38.53:50010", VERSION).is_empty());
        assert!(marked("msra-sa-41/10.190.173.170:9000", VERSION).is_empty());
        assert!(marked("localhost/127.0.0.1", VERSION).is_empty());
        assert_eq!(
            marked("blk_-4980916519894289629 x", IDENT),
            ["4980916519894289629"]
        );
        assert_eq!(marked("id ORD-7222695482", IDENT), ["7222695482"]);
        assert!(marked("MRN-00482913", IDENT).is_empty());
        // A UUID: its digest-like first group and its group of digits only.
        assert_eq!(
            marked("550e8400-e29b-41d4-a716-446655440000", IDENT),
            ["550e8400", "446655440000"]
        );
        assert_eq!(
            marked("trace 4cbd87ad5c90a958 x", IDENT),
            ["4cbd87ad5c90a958"]
        );
        assert!(marked("card 4111111111111111", IDENT).is_empty());
    }

    #[test]
    fn paths_hosts_and_keys() {
        // Only capitalised words are marked (the marks keep words out of names).
        assert_eq!(marked("Path:/Home/curi/.Zoo", PATH), ["Home", "Zoo"]);
        assert_eq!(marked("org.apache.Hadoop ok", PATH), ["Hadoop"]);
        assert_eq!(
            marked("see http://Example.com/Jane Doe", PATH),
            ["Example", "Jane"]
        );
        assert!(marked("J.R. Smith", PATH).is_empty());
        assert_eq!(marked("User=Jane Name:x", KEY), ["User", "Name"]);
        // See: fuzz/regressions/scan/key-before-label-idempotence.
        assert_eq!(marked("Anders:[PERSON] Note: Mon", KEY), ["Anders"]);
    }
}
