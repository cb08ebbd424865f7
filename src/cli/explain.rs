//! `velum explain`: for each line given (argument or stdin), each finding with its detector,
//! score, the validator's base score and the context word that moved it, then each candidate
//! that was looked at and not reported, with why; highlighted when stdout is a terminal. The
//! user supplied the text, so the matched values are shown.

use std::io::{self, BufRead, IsTerminal, Write};

use clap::Args;
use velum::{Error, Reason, Redactor, Span};

use super::{PolicyArgs, exit};

#[derive(Args)]
pub(crate) struct ExplainArgs {
    /// The line to explain; lines from stdin when absent.
    text: Option<String>,
    #[command(flatten)]
    policy: PolicyArgs,
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
}

fn show(w: &mut impl Write, r: &Redactor, line: &[u8], style: &Style) -> io::Result<()> {
    let found = r.explain(line);
    let text = |s: Span| String::from_utf8_lossy(&line[s.range()]).into_owned();
    // The line with findings highlighted.
    let mut at = 0;
    let mut marked = String::new();
    for e in &found {
        marked.push_str(&String::from_utf8_lossy(&line[at..e.finding.span.start()]));
        marked.push_str(&style.paint("1;31", &text(e.finding.span)));
        at = e.finding.span.end();
    }
    marked.push_str(&String::from_utf8_lossy(&line[at..]));
    writeln!(w, "{marked}")?;
    let rejected = r.explain_rejected(line);
    if found.is_empty() {
        writeln!(w, "  (no findings)")?;
    }
    for e in &found {
        let f = e.finding;
        write!(
            w,
            "  {} {}..{} {:?} detector={} score={:.2} (base {:.2}",
            style.paint("1", f.entity.name()),
            f.span.start(),
            f.span.end(),
            text(f.span),
            f.detector,
            f.score,
            e.base_score
        )?;
        if let Some(c) = e.positive_context {
            write!(
                w,
                ", {} near {:?}",
                style.paint("32", "raised by context"),
                text(c)
            )?;
        }
        if let Some(c) = e.negative_context {
            write!(
                w,
                ", {} near {:?}",
                style.paint("33", "lowered by context"),
                text(c)
            )?;
        }
        if let Some(k) = e.field {
            let how = if e.by_field_name {
                "made by field name"
            } else {
                "in field"
            };
            write!(w, ", {} {:?}", style.paint("36", how), text(k))?;
        }
        writeln!(w, ") -> {}", r.rule(f.entity).action.as_str())?;
    }
    // One line per candidate: its place and value, then each entity with why.
    let mut i = 0;
    while i < rejected.len() {
        let span = rejected[i].span;
        let j = i + rejected[i..].iter().take_while(|n| n.span == span).count();
        write!(
            w,
            "  {} {}..{} {:?}",
            style.paint("2", "not reported:"),
            span.start(),
            span.end(),
            text(span),
        )?;
        let mut group: Vec<_> = rejected[i..j].iter().collect();
        group.sort_by_key(|n| std::cmp::Reverse(n.reason.rank_for_display()));
        for n in group {
            let what = n.entity.map_or("number", |e| e.name());
            write!(w, "\n    {what}: {}", n.reason.describe())?;
            if let Reason::BelowThreshold {
                negative: Some(c), ..
            } = n.reason
            {
                write!(
                    w,
                    ", {} near {:?}",
                    style.paint("33", "lowered by context"),
                    text(c)
                )?;
            }
        }
        writeln!(w)?;
        i = j;
    }
    Ok(())
}

pub(crate) fn run(a: ExplainArgs) -> Result<u8, Error> {
    let r = a.policy.redactor()?;
    let style = Style {
        on: io::stdout().is_terminal(),
    };
    let mut out = io::stdout().lock();
    match &a.text {
        Some(t) => show(&mut out, &r, t.as_bytes(), &style).map_err(Error::output)?,
        None => {
            for line in io::stdin().lock().split(b'\n') {
                let mut line = line.map_err(|e| Error::io("reading stdin", e))?;
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                show(&mut out, &r, &line, &style).map_err(Error::output)?;
            }
        }
    }
    Ok(exit::OK)
}
