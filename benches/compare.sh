#!/usr/bin/env bash
# End-to-end comparison, in one run on the same generated files: `velum redact` through a
# pipe, the pipe floor `cat | cat`, ripgrep --passthru with a 4-regex alternation (e-mail,
# card, SSN, IBAN) and GNU sed -E with the same regexes. Prints MB/s (median of RUNS), the
# ratios velum/floor, velum/ripgrep, velum/sed, and peak RSS.
# Usage: benches/compare.sh [MIB=100] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-100}
runs=${2:-5}
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
  f="$dir/$kind-$mib.log"
  [ -s "$f" ] || ./target/release/examples/gen_corpus "$kind" "$mib" > "$f" 2>/dev/null
done
exec python3 benches/compare.py "$dir" "$mib" "$runs"
