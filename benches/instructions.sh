#!/usr/bin/env bash
# Instructions per input byte of `velum --threads 1 redact`, counted by callgrind (stable on a
# noisy machine where times are not) over the first 2 MiB of each corpus, less an empty run:
# ../shared/bench (clean, 10% PII: Faker 40.63.0 in a throwaway virtual environment) and
# velum's own (benches/corpus.rs: clean, pii10, pii50). With --stages, the share of each
# stage of the scan (inclusive counts of its functions).
# Usage: benches/instructions.sh [--stages] [VELUM=target/release/velum]
set -euo pipefail
cd "$(dirname "$0")/.."
stages=0
if [ "${1:-}" = "--stages" ]; then
  stages=1
  shift
fi
velum=${1:-target/release/velum}
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 2; }
if [ "$velum" = target/release/velum ]; then
  cargo build --release --quiet
fi
cargo build --release --quiet --example gen_corpus
dir=benches/data
mkdir -p "$dir"
head_of() { head -c 2097152 "$1" > "$2"; }
corpora=()
shared=../shared/bench
if [ -f "$shared/logcorpus.py" ]; then
  . benches/lib.sh
  py=$(bench_python)
  for rate in 0.0 0.1; do
    name=$([ "$rate" = 0.0 ] && echo clean || echo pii10)
    f="$dir/shared-$name-2.log"
    [ -s "$f" ] || "$py" "$shared/logcorpus.py" --size 2 --pii-rate "$rate" --seed 7 -o "$f.full" >/dev/null
    [ -s "$f" ] || { head_of "$f.full" "$f"; rm -f "$f.full"; }
    corpora+=("shared-$name:$f")
  done
else
  echo "(../shared/bench is absent: velum's own corpora only)"
fi
for kind in clean pii10 pii50; do
  f="$dir/own-$kind-2.log"
  [ -s "$f" ] || { ./target/release/examples/gen_corpus "$kind" 2 > "$f.full" 2>/dev/null; head_of "$f.full" "$f"; rm -f "$f.full"; }
  corpora+=("own-$kind:$f")
done
count() {
  valgrind --tool=callgrind --callgrind-out-file="$2" "$velum" --threads 1 redact "$1" \
    2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/empty"
base=$(count "$tmp/empty" "$tmp/cg.empty")
printf '%-14s %10s %14s %8s\n' corpus bytes instructions "per byte"
for c in "${corpora[@]}"; do
  name=${c%%:*}
  f=${c#*:}
  n=$(count "$f" "$tmp/cg.$name")
  bytes=$(stat -c %s "$f")
  printf '%-14s %10d %14d %8.1f\n' "$name" "$bytes" "$n" "$(echo "($n - $base) / $bytes" | bc -l)"
  if [ "$stages" = 1 ]; then
    callgrind_annotate --inclusive=yes "$tmp/cg.$name" 2>/dev/null | python3 benches/stages.py "$bytes"
  fi
done
echo "(empty run: $base instructions, subtracted)"
