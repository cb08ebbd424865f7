"""Reads `callgrind_annotate --inclusive=yes` on stdin; prints instructions per byte (argv[1]
bytes) of each stage of velum's scan: the first function of each in the profile (inclusive,
so a stage counts what it calls, over every reading and rescan; stages nest and do not add
up)."""
import re
import sys

STAGES = [
    ("all scans (one unit's readings)", "readings::<impl velum::redactor::Redactor>::scan_once"),
    ("  the fixed point (rescans)", "Redactor>::settle"),
    ("  JSON reading", "json::<impl velum::redactor::Redactor>::scan_json_line"),
    ("  engine.scan (text floor, rescans)", "Engine::scan "),
    ("    classify (front end)", "classify::"),
    ("    words (lex)", "lex::Words::lex"),
    ("    context words", "ContextIndex::hits"),
    ("    log structure", "structure::mark"),
    ("    shapes + validators", "Shape::run"),
    ("      validators", "Engine::check"),
    ("rewrite", "Redactor::rewrite_into"),
]

total = int(sys.argv[1])
lines = sys.stdin.read().splitlines()
for label, needle in STAGES:
    for line in lines:
        if needle in line:
            m = re.match(r"\s*([\d,]+)", line)
            if m:
                n = int(m.group(1).replace(",", ""))
                print(f"    {label:38} {n / total:8.1f}")
            break
