#!/usr/bin/env bash
# End-to-end comparison, in one run on the same files: `velum redact` (one thread and all
# cores, from a pipe and from a file), the pipe floor `cat | cat`, ripgrep --passthru and GNU
# sed -E with the hand-written 4-regex filters of ../shared/bench (e-mail, card, SSN, IBAN).
# Corpora: velum's own (benches/corpus.rs: clean, pii10, pii50) and the one written apart
# from velum (../shared/bench/logcorpus.py: clean and 10% PII, made with Faker 40.63.0 in a
# throwaway virtual environment), plus one 1 GiB line for peak memory. Prints MB/s (median
# of RUNS), peak RSS, the ratios and the targets of the throughput issue.
# Usage: benches/compare.sh [MIB=40] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-40}
runs=${2:-3}
if ! command -v rg >/dev/null 2>&1; then
  (apt-get install -y -q ripgrep >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q ripgrep >/dev/null)) \
    || cargo install ripgrep
fi
if [ ! -x /usr/bin/time ]; then
  apt-get install -y -q time >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null)
fi
cargo build --release --quiet
cargo build --release --quiet --example gen_corpus
dir=benches/data
mkdir -p "$dir"
for kind in clean pii10 pii50; do
  f="$dir/own-$kind-$mib.log"
  [ -s "$f" ] || ./target/release/examples/gen_corpus "$kind" "$mib" > "$f" 2>/dev/null
done
shared=../shared/bench
if [ -f "$shared/logcorpus.py" ]; then
  . benches/lib.sh
  py=$(bench_python)
  for rate in 0.0 0.1; do
    name=$([ "$rate" = 0.0 ] && echo clean || echo pii10)
    f="$dir/shared-$name-$mib.log"
    [ -s "$f" ] || "$py" "$shared/logcorpus.py" --size "$mib" --pii-rate "$rate" --seed 7 -o "$f" >/dev/null
  done
fi
exec python3 benches/compare.py "$dir" "$mib" "$runs" "$shared"
