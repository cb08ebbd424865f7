//! Text units holding encoded text (`email=jane%40example.com`, `name=Jane+Doe`,
//! `jane&#64;example.com`, fullwidth digits): also scanned in their decoded form
//! ([`crate::decode`], see [`super::readings`]), findings put back on the raw bytes through
//! the decoded-to-raw map, and rewritten from the decoded value (a token of
//! `jane%40example.com` is the token of `jane@example.com`), with every byte outside a
//! finding kept.

use crate::decode;
use crate::record;
use crate::span::Finding;
use crate::transform::{Action, Edit, Sealer};

use super::Redactor;

impl Redactor {
    /// Rewrites an encoded unit whose findings (in raw offsets) are known into `out`, each
    /// change recorded in `edits`: each rule sees the decoded value; a replacement with a
    /// space where the URL-encoded raw value had none (a mask of `Jane+Doe`) writes it `%20`,
    /// so a URL stays one word. False, with `out` empty, when nothing changes.
    pub(super) fn rewrite_encoded(
        &self,
        unit: &[u8],
        findings: &[Finding],
        sealer: Option<&dyn Sealer>,
        out: &mut Vec<u8>,
        mut edits: Option<&mut Vec<Edit>>,
    ) -> bool {
        out.clear();
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        decode::decode(unit, &mut dec, &mut map);
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
            let to = out.len();
            // In a URL (a value written with `+` or `%`), a space would end it.
            let url = raw.iter().any(|&b| b == b'+' || b == b'%');
            if url && !raw.contains(&b' ') && rep.contains(&b' ') {
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
            if let Some(e) = edits.as_deref_mut() {
                e.push(Edit {
                    from: g.span.range(),
                    to: to..out.len(),
                });
            }
            at = g.span.end();
        }
        if !changed {
            out.clear();
            return false;
        }
        out.extend_from_slice(&unit[at..]);
        true
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
