//! Real logs of public systems (`../shared/reallogs`: loghub samples with the personal data
//! really in them labelled): `velum scan` must raise at most [`MAX_FP_PER_MB`] false alarms
//! per MB over them and find at least [`MIN_RECALL`] of the labelled data. Scored as
//! `../shared/reallogs/score.py` scores: a finding matches a truth span of its entity that it
//! overlaps by half their union; findings on spans marked ambiguous count neither way;
//! MAC_ADDRESS is not labelled there, so its findings are not counted.

use std::path::{Path, PathBuf};

use crate::util::run;

const MAX_FP_PER_MB: f64 = 2.0;
const MIN_RECALL: f64 = 0.99;

use crate::util::{LabelSpan as SpanAt, label_span as read_span};

fn iou(a: &SpanAt, b: &SpanAt) -> f64 {
    let inter = a.end.min(b.end).saturating_sub(a.start.max(b.start));
    if inter == 0 {
        return 0.0;
    }
    inter as f64 / (a.end.max(b.end) - a.start.min(b.start)) as f64
}

/// (false alarms, truth spans, found) of one system's log.
fn score(log: &Path) -> (usize, usize, usize) {
    let truth_file = log.with_extension("truth.jsonl");
    let truth: Vec<SpanAt> = std::fs::read_to_string(&truth_file)
        .unwrap_or_else(|e| panic!("{}: {e}", truth_file.display()))
        .lines()
        .map(|l| read_span(&serde_json::from_str(l).unwrap()))
        .collect();
    let out = run(&["scan", log.to_str().unwrap()], b"");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut used = vec![false; truth.len()];
    let mut fp = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let p = read_span(&serde_json::from_str(line).unwrap());
        if p.entity == "MAC_ADDRESS" {
            continue;
        }
        let mut best: Option<(f64, usize)> = None;
        let mut ambiguous = false;
        for (i, t) in truth.iter().enumerate().filter(|(_, t)| t.line == p.line) {
            let o = iou(&p, t);
            ambiguous |= o > 0.0 && t.ambiguous;
            if t.entity == p.entity
                && !t.ambiguous
                && !used[i]
                && o >= 0.5
                && best.is_none_or(|(b, _)| o > b)
            {
                best = Some((o, i));
            }
        }
        match best {
            Some((_, i)) => used[i] = true,
            None if !ambiguous => fp += 1,
            None => {}
        }
    }
    let real = truth.iter().filter(|t| !t.ambiguous).count();
    let found = used.iter().filter(|u| **u).count();
    (fp, real, found)
}

#[test]
fn real_logs_have_few_false_alarms_and_their_personal_data_is_found() {
    let Some(dir) = crate::util::shared("reallogs") else {
        return;
    };
    let mut logs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} (the shared real logs): {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    logs.sort();
    assert!(logs.len() >= 8, "{} logs in {}", logs.len(), dir.display());
    let (mut bytes, mut fp, mut real, mut found) = (0u64, 0, 0, 0);
    let mut report = String::new();
    for log in &logs {
        let size = std::fs::metadata(log).unwrap().len();
        let (f, r, t) = score(log);
        report.push_str(&format!(
            "{:<12} {:>6} truth, {:>6} found, {:>4} false ({:.1}/MB)\n",
            log.file_stem().unwrap().to_string_lossy(),
            r,
            t,
            f,
            f as f64 / (size as f64 / 1e6)
        ));
        bytes += size;
        fp += f;
        real += r;
        found += t;
    }
    let per_mb = fp as f64 / (bytes as f64 / 1e6);
    let recall = found as f64 / real.max(1) as f64;
    assert!(
        per_mb <= MAX_FP_PER_MB && recall >= MIN_RECALL,
        "false alarms {per_mb:.1}/MB (at most {MAX_FP_PER_MB}), recall {recall:.3} (at least \
         {MIN_RECALL}):\n{report}"
    );
}
