"""Times the commands of benches/compare.sh; see there. Standard library only."""
import os, statistics, subprocess, sys, time

dir_, mib, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
velum = os.path.abspath("target/release/velum")
ALT = (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
       r"|\b([0-9][ -]?){12,15}[0-9]\b"
       r"|\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b"
       r"|\b[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,3})?\b")
# {t} wraps the tool under test in GNU time, which records its peak RSS in {rss}.
TOOLS = {
    "cat | cat": "cat {f} | {t} cat > /dev/null",
    "velum redact": f"cat {{f}} | {{t}} {velum} redact > /dev/null",
    "velum --threads 1": f"cat {{f}} | {{t}} {velum} --threads 1 redact > /dev/null",
    "velum redact FILE": f"{{t}} {velum} redact {{f}} > /dev/null",
    "ripgrep 4 regexes": f"cat {{f}} | {{t}} rg --passthru --no-line-number -r '[REDACTED]' '{ALT}' > /dev/null",
    "sed -E 4 regexes": f"cat {{f}} | {{t}} sed -E 's/{ALT}/[REDACTED]/g' > /dev/null",
}

RSS = os.path.join(dir_, ".rss")

def measure(cmd):
    """Wall seconds of one run, and the peak RSS (KiB) of the tool under test."""
    cmd = cmd.replace("{t}", f"/usr/bin/time -f %M -o {RSS}")
    t = time.perf_counter()
    r = subprocess.run(["sh", "-c", cmd])
    d = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"failed: {cmd}")
    with open(RSS) as fh:
        return d, int(fh.read().split()[-1])

print(f"# {mib} MiB per corpus, median of {runs} runs, {os.cpu_count()} cores")
print(f"{'corpus':8} {'tool':20} {'MB/s':>8} {'peak RSS':>10}")
rows = {}
for kind in ["clean", "pii10", "pii50"]:
    f = os.path.join(dir_, f"{kind}-{mib}.log")
    size = os.path.getsize(f) / 1e6
    for name, tmpl in TOOLS.items():
        times, rss = [], 0
        for _ in range(runs):
            t, r = measure(tmpl.replace("{f}", f))
            times.append(t)
            rss = max(rss, r)
        mbs = size / statistics.median(times)
        rows[(kind, name)] = mbs
        print(f"{kind:8} {name:20} {mbs:8.1f} {rss/1024:8.1f} MiB", flush=True)
print()
print(f"{'corpus':8} {'velum/floor':>12} {'velum/ripgrep':>14} {'velum/sed':>10}")
for kind in ["clean", "pii10", "pii50"]:
    v = rows[(kind, "velum redact")]
    print(f"{kind:8} {v/rows[(kind,'cat | cat')]:12.3f} {v/rows[(kind,'ripgrep 4 regexes')]:14.2f} {v/rows[(kind,'sed -E 4 regexes')]:10.2f}")
