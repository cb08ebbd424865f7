"""velum against the Python PII libraries people use today, on the same lines in one run.

    # a throwaway environment with the others (velum installed from ./python too)
    python3 -m venv /tmp/benchenv
    /tmp/benchenv/bin/pip install ./python presidio-analyzer presidio-anonymizer scrubadub
    /tmp/benchenv/bin/python python/bench.py speed target/f-clean.log target/f-pii10.log
    /tmp/benchenv/bin/python python/bench.py quality      # ../shared/reallogs, score.py

`speed` times, per corpus, velum's `redact` (one call per line, one thread),
`redact_many` (all cores; also given per core), Presidio's analyzer + anonymizer with its
pattern recognizers only (a blank spaCy pipeline: no model download, no NER) and
scrubadub's default scrubber, each over the same lines, and prints a Markdown table.
`quality` runs ``../shared/reallogs/score.py`` with each tool as the detector (``bench.py
scan TOOL FILE`` prints findings in `velum scan` format, Presidio's and scrubadub's entity
names mapped onto velum's) and prints recall, precision and F1.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
# Import the installed velum (with its extension), not the sources beside this file.
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != HERE]
REPO = HERE.parent
SHARED = REPO.parent / "shared"

# Presidio's and scrubadub's names for velum's types.
NAMES = {
    "EMAIL_ADDRESS": "EMAIL",
    "email": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "phone": "PHONE",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "credit_card": "CREDIT_CARD",
    "US_SSN": "US_SSN",
    "social_security_number": "US_SSN",
    "UK_NHS": "UK_NHS",
    "PERSON": "PERSON",
    "name": "PERSON",
    "US_BANK_NUMBER": "US_BANK_ACCOUNT",
    "MEDICAL_LICENSE": "US_NPI",
    "AU_TFN": "AU_TFN",
}


def presidio():
    """Presidio's analyzer (pattern recognizers, blank spaCy pipeline) and anonymizer."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_anonymizer import AnonymizerEngine

    blank = pathlib.Path(tempfile.mkdtemp()) / "blank_en"
    spacy.blank("en").to_disk(blank)
    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": str(blank)}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=nlp, languages=["en"])
    for r in list(registry.recognizers):
        if type(r).__name__ in ("SpacyRecognizer", "StanzaRecognizer", "TransformersRecognizer"):
            registry.remove_recognizer(r.name)
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def scan(line):
        return [(r.entity_type, r.start, r.end) for r in analyzer.analyze(text=line, language="en")]

    def redact(line):
        res = analyzer.analyze(text=line, language="en")
        return anonymizer.anonymize(text=line, analyzer_results=res).text

    return scan, redact


def scrubadub_tool():
    import scrubadub

    scrubber = scrubadub.Scrubber()

    def scan(line):
        return [(f.type, f.beg, f.end) for f in scrubber.iter_filth(line)]

    return scan, scrubber.clean


def velum_tool():
    import velum

    r = velum.Redactor()

    def scan(line):
        return [(f.entity, f.start, f.end) for f in r.scan(line)]

    return scan, r.redact


TOOLS = {"velum": velum_tool, "presidio": presidio, "scrubadub": scrubadub_tool}


def cmd_scan(args):
    """Findings of TOOL in FILE, as `velum scan` prints them (byte offsets)."""
    scan, _ = TOOLS[args.tool]()
    out = sys.stdout
    with open(args.file, encoding="utf-8", errors="surrogateescape") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            for entity, s, e in scan(line):
                b0 = len(line[:s].encode("utf-8", "surrogateescape"))
                b1 = b0 + len(line[s:e].encode("utf-8", "surrogateescape"))
                name = NAMES.get(entity, entity)
                out.write(json.dumps({"line": n, "start": b0, "end": b1, "entity": name}) + "\n")


def timed(fn, lines, min_seconds):
    """MB/s of fn over lines, repeated until min_seconds have passed."""
    size = sum(len(x.encode()) + 1 for x in lines)
    reps, start = 0, time.perf_counter()
    while True:
        fn(lines)
        reps += 1
        took = time.perf_counter() - start
        if took >= min_seconds:
            return size * reps / took / 1e6


def cmd_speed(args):
    import velum

    r = velum.Redactor()
    cores = os.cpu_count() or 1
    tools = {name: TOOLS[name]()[1] for name in ("presidio", "scrubadub")}
    print(f"| corpus | lines | velum `redact` (1 thread) | velum `redact_many` ({cores} cores) "
          f"| per core | Presidio | scrubadub | velum / Presidio per core | velum / scrubadub |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for path in args.corpus:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [x.rstrip("\n") for _, x in zip(range(args.lines), f)]
        # Every tool on the same lines, each repeated for at least `seconds`.
        one = timed(lambda ls: [r.redact(x) for x in ls], lines, args.seconds)
        many = timed(r.redact_many, lines, args.seconds)
        others = {k: timed(lambda ls, fn=fn: [fn(x) for x in ls], lines, args.seconds)
                  for k, fn in tools.items()}
        print(f"| {pathlib.Path(path).name} | {len(lines)} | {one:.1f} MB/s | {many:.1f} MB/s "
              f"| {many / cores:.1f} MB/s | {others['presidio']:.3f} MB/s "
              f"| {others['scrubadub']:.3f} MB/s | {one / others['presidio']:.0f}× "
              f"| {one / others['scrubadub']:.0f}× |")


def cmd_quality(args):
    score = SHARED / "reallogs" / "score.py"
    print("| tool | truth | found | missed | false alarms | FP/MB | recall | precision | F1 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for tool in args.tools:
        cmd = f"{sys.executable} {HERE / 'bench.py'} scan {tool}"
        out = subprocess.run([sys.executable, str(score), "--cmd", cmd], capture_output=True,
                             text=True, check=True, cwd=REPO).stdout
        total = next(x for x in out.splitlines() if x.startswith("total"))
        _, _mb, real, tp, missed, fp, fpmb = total.split()[:7]
        real, tp, fp = int(real), int(tp), int(fp)
        recall = tp / max(real, 1)
        precision = tp / max(tp + fp, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        print(f"| {tool} | {real} | {tp} | {missed} | {fp} | {fpmb} | {recall:.3f} "
              f"| {precision:.3f} | {f1:.3f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("scan", help="print TOOL's findings in FILE in velum's scan format")
    s.add_argument("tool", choices=sorted(TOOLS))
    s.add_argument("file")
    s = sub.add_parser("speed", help="throughput on log corpora")
    s.add_argument("corpus", nargs="+")
    s.add_argument("--lines", type=int, default=2_000)
    s.add_argument("--seconds", type=float, default=3.0)
    s = sub.add_parser("quality", help="recall, precision, F1 on ../shared/reallogs")
    s.add_argument("--tools", nargs="+", default=["velum", "presidio", "scrubadub"])
    args = ap.parse_args()
    {"scan": cmd_scan, "speed": cmd_speed, "quality": cmd_quality}[args.cmd](args)


if __name__ == "__main__":
    # Quiet libraries that log a warning per recognizer.
    import logging

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    main()
