//! Text units holding encoded text (`email=jane%40example.com`, `name=Jane+Doe`,
//! `jane&#64;example.com`): scanned in their decoded form ([`crate::decode`]), findings put
//! back on the raw bytes through the decoded-to-raw map, and rewritten from the decoded value
//! (a token of `jane%40example.com` is the token of `jane@example.com`), with every byte
//! outside a finding kept.

use std::borrow::Cow;

use crate::decode;
use crate::detect::engine::Scratch;
use crate::record;
use crate::span::{Finding, Span};
use crate::transform::{Action, Sealer};

use super::Redactor;

impl Redactor {
    /// Scans `unit` decoded; findings in `unit`'s raw offsets, appended to `out`.
    pub(super) fn scan_encoded(&self, scratch: &mut Scratch, unit: &[u8], out: &mut Vec<Finding>) {
        let mut rec = std::mem::take(&mut scratch.record);
        decode::decode(unit, &mut rec.dec, &mut rec.map);
        let first = out.len();
        self.compiled.engine.scan(&rec.dec, scratch, out);
        for g in &mut out[first..] {
            g.span = Span::new(rec.map[g.span.start()], rec.map[g.span.end()]);
        }
        scratch.record = rec;
    }

    /// Rewrites an encoded unit whose findings (in raw offsets) are known: each rule sees
    /// the decoded value; a replacement with a space where the raw value had none (a mask
    /// of `Jane+Doe`) writes it `%20`, so a URL stays one word.
    pub(super) fn rewrite_encoded<'a>(
        &self,
        unit: &'a [u8],
        findings: &[Finding],
        sealer: Option<&dyn Sealer>,
    ) -> Cow<'a, [u8]> {
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        decode::decode(unit, &mut dec, &mut map);
        let mut out = Vec::with_capacity(unit.len() + 16);
        let mut rep = Vec::new();
        let mut at = 0;
        let mut changed = false;
        for g in findings {
            let rule = self.rule(g.entity);
            if rule.action == Action::Keep {
                continue;
            }
            changed = true;
            let raw = &unit[g.span.range()];
            let d0 = record::to_decoded(&map, g.span.start());
            let d1 = record::to_decoded(&map, g.span.end()).max(d0);
            rep.clear();
            rule.write_finding(g.entity, &dec[d0..d1], g.fragment, &mut rep, sealer);
            out.extend_from_slice(&unit[at..g.span.start()]);
            if !raw.contains(&b' ') && rep.contains(&b' ') {
                for &b in &rep {
                    if b == b' ' {
                        out.extend_from_slice(b"%20");
                    } else {
                        out.push(b);
                    }
                }
            } else {
                out.extend_from_slice(&rep);
            }
            at = g.span.end();
        }
        if !changed {
            return Cow::Borrowed(unit);
        }
        out.extend_from_slice(&unit[at..]);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Entity, Keyring, Policy, Redactor};

    #[test]
    fn encoded_values_are_found_on_their_raw_bytes() {
        let r = Redactor::new();
        let line = b"GET /s?email=jane%40example.com&name=Jane+Doe&ref=x HTTP/1.1";
        let f = r.scan(line);
        let got: Vec<(Entity, &[u8])> = f
            .iter()
            .map(|g| (g.entity, &line[g.span.range()]))
            .collect();
        assert!(
            got.contains(&(Entity::EMAIL, &b"jane%40example.com"[..])),
            "{got:?}"
        );
        assert_eq!(
            r.redact(line).as_ref(),
            &b"GET /s?email=[EMAIL]&name=[PERSON]&ref=x HTTP/1.1"[..]
        );
        assert_eq!(
            r.redact(b"mail jane&#64;example.com &amp; more").as_ref(),
            &b"mail [EMAIL] &amp; more"[..]
        );
        assert_eq!(
            r.redact(b"to=%2B44%2020%207946%200958 ok").as_ref(),
            &b"to=[PHONE] ok"[..]
        );
    }

    #[test]
    fn nothing_encoded_nothing_changed() {
        let r = Redactor::new();
        for line in [&b"100% done &nbsp x+y"[..], b"GET /a?b=c%2Fd HTTP/1.1"] {
            assert!(r.scan(line).is_empty(), "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn a_token_of_an_encoded_value_is_the_token_of_the_value() {
        let k = Redactor::with_keyring(
            &Policy::default().tokenize_all(),
            Keyring::generate().unwrap(),
        )
        .unwrap();
        let plain = k.redact(b"email=jane@example.com").into_owned();
        let enc = k.redact(b"email=jane%40example.com").into_owned();
        assert_eq!(plain, enc);
        // A mask keeps the URL one word.
        let p = Policy::from_toml_str("[entities.PERSON]\naction = \"mask\"\n", "p.toml").unwrap();
        let m = Redactor::from_policy(&p).unwrap();
        let out = m.redact(b"GET /s?name=Jane+Doe&x=1 HTTP/1.1");
        assert_eq!(out.as_ref(), &b"GET /s?name=****%20***&x=1 HTTP/1.1"[..]);
    }

    #[test]
    fn json_values_with_encoded_text_are_decoded_too() {
        let r = Redactor::new();
        let line = br#"{"url": "/s?email=jane%40example.com&x=1", "n": 2}"#;
        assert_eq!(
            r.redact(line).as_ref(),
            &br#"{"url": "/s?email=[EMAIL]&x=1", "n": 2}"#[..]
        );
    }
}
