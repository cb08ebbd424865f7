//! `ENTITIES.md` is held to the detectors: every built-in entity has a section, the context
//! words it lists are the compiled-in detectors' (read from `patterns/`), each "Found" line
//! gives that entity with that value, and each "Left alone" line does not.

use std::collections::BTreeMap;
use std::path::Path;

use velum::{Entity, Redactor};

struct Section {
    context: Vec<String>,
    found: Vec<(String, String)>,
    left: Vec<String>,
}

/// The text between the first pair of backticks after `from` (and the rest of the line).
fn ticked(s: &str) -> Option<(&str, &str)> {
    let a = s.find('`')? + 1;
    let b = a + s[a..].find('`')?;
    Some((&s[a..b], &s[b + 1..]))
}

fn sections(doc: &str) -> BTreeMap<String, Section> {
    let mut out = BTreeMap::new();
    let mut name: Option<String> = None;
    for line in doc.lines() {
        if let Some(n) = line.strip_prefix("## ") {
            name = Some(n.trim().to_owned());
            out.insert(
                n.trim().to_owned(),
                Section {
                    context: Vec::new(),
                    found: Vec::new(),
                    left: Vec::new(),
                },
            );
            continue;
        }
        let Some(s) = name.as_ref().and_then(|n| out.get_mut(n)) else {
            continue;
        };
        if let Some(rest) = line.strip_prefix("- **Context words:** ") {
            let mut r = rest;
            while let Some((w, more)) = ticked(r) {
                s.context.push(w.to_owned());
                r = more;
            }
        } else if let Some(rest) = line.strip_prefix("- **Found:** ") {
            let (text, more) = ticked(rest).expect("a Found line has `text`");
            let (value, _) = ticked(more).expect("a Found line has → `value`");
            s.found.push((text.to_owned(), value.to_owned()));
        } else if let Some(rest) = line.strip_prefix("- **Left alone:** ") {
            s.left.push(
                ticked(rest)
                    .expect("a Left alone line has `text`")
                    .0
                    .to_owned(),
            );
        }
    }
    out
}

/// Context words per entity, from the pattern files the binary embeds.
fn context_words() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns")];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    files.sort();
    for f in files {
        let v: toml::Value = toml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        for d in v
            .get("detector")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
        {
            let entity = d["entity"].as_str().unwrap().to_owned();
            let words = out.entry(entity).or_default();
            for w in d
                .get("context")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
            {
                let w = w.as_str().unwrap().to_owned();
                if !words.contains(&w) {
                    words.push(w);
                }
            }
        }
    }
    out
}

#[test]
fn entities_md_matches_the_detectors() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ENTITIES.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let sections = sections(&doc);
    let words = context_words();
    let r = Redactor::new();
    for e in Entity::BUILTIN {
        let s = sections
            .get(e.name())
            .unwrap_or_else(|| panic!("ENTITIES.md has no section for {}", e.name()));
        let mut want = words.get(e.name()).cloned().unwrap_or_default();
        let mut got = s.context.clone();
        want.sort();
        got.sort();
        assert_eq!(
            got,
            want,
            "{}: context words differ from patterns/ (run scripts/gen-entities-md.py)",
            e.name()
        );
        assert!(!s.found.is_empty(), "{}: no Found example", e.name());
        for (text, value) in &s.found {
            let found = r.scan(text.as_bytes());
            assert!(
                found.iter().any(|f| f.entity == *e
                    && &text.as_bytes()[f.span.range()] == value.as_bytes()),
                "{}: `{text}` does not give `{value}`",
                e.name()
            );
        }
        for text in &s.left {
            assert!(
                !r.scan(text.as_bytes()).iter().any(|f| f.entity == *e),
                "{}: `{text}` is found, and ENTITIES.md says it is left alone",
                e.name()
            );
        }
    }
    assert_eq!(
        sections.len(),
        Entity::BUILTIN.len(),
        "a section for no entity"
    );
}
