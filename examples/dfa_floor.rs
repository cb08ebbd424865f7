//! The floor under velum's candidate search on this machine: how fast one `regex-automata`
//! meta regex (a lazy DFA, as velum's) runs over a file for a given pattern, searching
//! line by line the way the scanner does. A pattern that never matches gives the cost of one
//! DFA pass per byte; the README's performance section quotes it.
//!
//! ```text
//! cargo run --release --example dfa_floor -- benches/data/clean-50.log '[0-9]{30}' '\b\d{30}\b'
//! ```

use std::time::Instant;

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: dfa_floor FILE PATTERN [PATTERN...]")?;
    let data = std::fs::read(&path)?;
    for pattern in args {
        let re = Regex::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(meta::Config::new().match_kind(MatchKind::LeftmostFirst))
            .build(&pattern)?;
        let mut cache = re.create_cache();
        let t = Instant::now();
        let mut matches = 0usize;
        for line in data.split(|&b| b == b'\n') {
            let mut at = 0;
            while let Some(m) = re.search_with(&mut cache, &Input::new(line).range(at..)) {
                matches += 1;
                at = m.end().max(m.start() + 1);
                if at >= line.len() {
                    break;
                }
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{pattern}: {matches} matches, {:.0} MB/s",
            data.len() as f64 / secs / 1e6
        );
    }
    Ok(())
}
