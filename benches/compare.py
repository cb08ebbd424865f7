"""Times the commands of benches/compare.sh; see there. Standard library only."""
import os, platform, statistics, subprocess, sys, time

dir_, mib, runs, shared = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
velum = os.path.abspath("target/release/velum")
cores = os.cpu_count()
# The hand-written filters people use today (../shared/bench), or the same four regexes.
if os.path.exists(os.path.join(shared, "rg.sh")):
    RG = f"sh {os.path.abspath(shared)}/rg.sh"
    SED = f"sh {os.path.abspath(shared)}/sed.sh"
else:
    ALT = (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\b[0-9]([ -]?[0-9]){12,18}\b"
           r"|\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|\b[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,4})?\b")
    RG = f"rg --no-config --passthru --no-line-number --color never -r '[REDACTED]' '{ALT}'"
    SED = f"sed -E 's/{ALT}/[REDACTED]/g'"
# {t} wraps the tool under test in GNU time, which records its peak RSS in {rss}.
TOOLS = {
    "cat | cat": "cat {f} | {t} cat > /dev/null",
    "velum 1 thread": f"cat {{f}} | {{t}} {velum} --threads 1 redact > /dev/null",
    f"velum {cores} cores": f"cat {{f}} | {{t}} {velum} redact > /dev/null",
    "velum FILE": f"{{t}} {velum} redact {{f}} > /dev/null",
    "ripgrep 4 regexes": f"cat {{f}} | {{t}} {RG} > /dev/null",
    "sed -E 4 regexes": f"cat {{f}} | {{t}} {SED} > /dev/null",
}
ALL = f"velum {cores} cores"
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


corpora = [c for c in ["own-clean", "own-pii10", "own-pii50", "shared-clean", "shared-pii10"]
           if os.path.exists(os.path.join(dir_, f"{c}-{mib}.log"))]
print(f"# {time.strftime('%Y-%m-%d')}, {platform.node()}, {cores} cores, {mib} MiB per corpus, "
      f"median of {runs} runs (tools interleaved run by run)")
print(f"{'corpus':13} {'tool':18} {'MB/s':>8} {'peak RSS':>10}")
rows, rss = {}, {}
for c in corpora:
    f = os.path.join(dir_, f"{c}-{mib}.log")
    size = os.path.getsize(f) / 1e6
    times = {name: [] for name in TOOLS}
    peak = {name: 0 for name in TOOLS}
    # Interleaved: a burst of load on the machine hits every tool alike.
    for _ in range(runs):
        for name, tmpl in TOOLS.items():
            t, r = measure(tmpl.replace("{f}", f))
            times[name].append(t)
            peak[name] = max(peak[name], r)
    for name in TOOLS:
        rows[(c, name)] = size / statistics.median(times[name])
        rss[(c, name)] = peak[name] / 1024
        print(f"{c:13} {name:18} {rows[(c, name)]:8.1f} {rss[(c, name)]:8.1f} MiB", flush=True)

# One 1 GiB line (no newline) through velum on all cores: peak memory and time.
line_cmd = (f"head -c {1 << 30} /dev/zero | tr '\\0' 'x' | {{t}} {velum} redact > /dev/null")
t, r = measure(line_cmd)
print(f"{'1GiB-line':13} {ALL:18} {1073.741824 / t:8.1f} {r / 1024:8.1f} MiB")
line_rss = r / 1024

print()
print(f"{'corpus':13} {'1 thread':>9} {'all/1':>6} {'1/floor':>8} {'all/rg':>7} {'all/sed':>8} {'RSS':>8}")
for c in corpora:
    one, alln = rows[(c, "velum 1 thread")], rows[(c, ALL)]
    print(f"{c:13} {one:9.1f} {alln / one:6.2f} {one / rows[(c, 'cat | cat')]:8.3f} "
          f"{alln / rows[(c, 'ripgrep 4 regexes')]:7.2f} {alln / rows[(c, 'sed -E 4 regexes')]:8.2f} "
          f"{max(rss[(c, n)] for n in TOOLS if n.startswith('velum')):6.1f} MiB")

print()
print("targets (the speed issue: one thread on ../shared/bench, all cores against one and ripgrep):")
def check(label, value, want, fmt="{:.2f}", at_most=False):
    ok = "ok" if (value <= want if at_most else value >= want) else "MISSED"
    print(f"  {label:52} {fmt.format(value):>8}  ({'≤' if at_most else '≥'} {want})  {ok}")
if "shared-clean" in corpora:
    check("1 thread, shared clean (MB/s)", rows[("shared-clean", "velum 1 thread")], 150, "{:.0f}")
if "shared-pii10" in corpora:
    check("1 thread, shared 10% PII (MB/s)", rows[("shared-pii10", "velum 1 thread")], 100, "{:.0f}")
for c in corpora:
    check(f"all cores / 1 thread, {c}", rows[(c, ALL)] / rows[(c, "velum 1 thread")], 1.7)
if "shared-clean" in corpora:
    check("all cores / ripgrep, shared clean", rows[("shared-clean", ALL)] / rows[("shared-clean", "ripgrep 4 regexes")], 0.5)
worst = max([line_rss] + [rss[(c, n)] for c in corpora for n in TOOLS if n.startswith("velum")])
check("peak RSS, every corpus and the 1 GiB line (MiB)", worst, 64, "{:.1f}", at_most=True)
# Start-up: a one-line pipe, best of 10 (what a shell user waits for).
best = min(
    measure(f"echo hi | {{t}} {velum} redact > /dev/null")[0] for _ in range(10)
)
check("echo hi | velum redact (ms)", best * 1000, 20, "{:.1f}", at_most=True)
