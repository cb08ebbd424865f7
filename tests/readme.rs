//! The README shows what velum does: each output it prints under a `<!-- readme: velum … -->`
//! marker is what that command prints today, each file it quotes is the file, its links and
//! those of `docs/` lead somewhere, and nothing a user reads points at the project's
//! issues or at data outside the repository.

use std::path::{Path, PathBuf};

use crate::util::velum;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `(marker, block)` for each fenced block right after a `<!-- readme: … -->` line.
fn marked_blocks(doc: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(m) = l
            .strip_prefix("<!-- readme: ")
            .and_then(|m| m.strip_suffix(" -->"))
        else {
            continue;
        };
        assert!(lines[i + 1].starts_with("```"), "a fence after {l}");
        let end = i + 2 + lines[i + 2..].iter().position(|x| *x == "```").unwrap();
        out.push((m.to_owned(), lines[i + 2..end].join("\n") + "\n"));
    }
    out
}

#[test]
fn the_readme_prints_what_velum_prints() {
    let doc = read(&root().join("README.md"));
    let blocks = marked_blocks(&doc);
    assert!(blocks.len() >= 3, "{blocks:?}");
    for (marker, block) in blocks {
        let want = match marker.strip_prefix("velum ") {
            Some(args) => {
                let out = velum()
                    .args(args.split_whitespace())
                    .current_dir(root())
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{marker}");
                String::from_utf8(out.stdout).unwrap()
            }
            None => read(&root().join(&marker)),
        };
        assert_eq!(
            block, want,
            "the README's block under {marker:?} is out of date"
        );
    }
}

/// Markdown links `](target)` of a document.
fn links(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let Some(j) = after.find(')') else { break };
        out.push(after[..j].to_owned());
        rest = &after[j..];
    }
    out
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(doc: &str) -> Vec<String> {
    doc.lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect()
}

#[test]
fn links_lead_somewhere_and_nothing_points_outside_the_repository() {
    let mut docs: Vec<PathBuf> = vec![root().join("README.md"), root().join("ENTITIES.md")];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        docs.push(e.unwrap().path());
    }
    for d in &docs {
        let text = read(d);
        for link in links(&text) {
            if link.starts_with("http") {
                continue;
            }
            let (file, frag) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                d.clone()
            } else {
                d.parent().unwrap().join(file)
            };
            assert!(
                target.exists(),
                "{}: link to {link} leads nowhere",
                d.display()
            );
            if !frag.is_empty() {
                assert!(
                    anchors(&read(&target)).iter().any(|a| a == frag),
                    "{}: no heading for #{frag} in {}",
                    d.display(),
                    target.display()
                );
            }
        }
        for bad in ["../shared", "issue 1", "issue 2", "the throughput issue"] {
            assert!(
                !text.contains(bad),
                "{}: a user cannot follow {bad:?}",
                d.display()
            );
        }
    }
}
