#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with a seed corpus from tests/data and
# the kept regressions. Any crash fails the script; its input is kept in
# fuzz/artifacts/<target>/ (add it to fuzz/regressions/<target>/ and a test beside the fix).
# Usage: fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz
targets=(scan redact_stream token_decode policy_load keyring_load json service_body csv leak)
cargo fuzz build
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  case "$t" in
    scan|redact_stream)
      cp ../tests/data/*.log ../examples/app.log "corpus/$t/"
      # Records and every entity type: the eval corpus without its label markup.
      sed -E 's/⟦[A-Z_]+\|//g; s/⟧//g' ../tests/data/eval/dev.txt ../tests/data/eval/dev.csv \
        | split -l 8 - "corpus/$t/eval-" ;;
    policy_load) cp ../policies/*.toml ../examples/vault-policy.toml "corpus/$t/" ;;
    json) awk '/^[{]/ && n++ < 50' ../examples/app.log ../tests/data/*.log | split -l 1 - "corpus/$t/seed-" ;;
    service_body)
      # A flag byte (tokenize or not), then a body of each form.
      printf '\001{"values":[{"entity":"EMAIL","value":"jane@example.com"}]}' > "corpus/$t/values"
      printf '\001{"text":"mail jane@example.com card 4111 1111 1111 1111"}' > "corpus/$t/text"
      printf '\000{"tokens":["VLM_EMAIL_K1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],"purpose":"t"}' > "corpus/$t/tokens"
      printf '\000{"text":"x VLM_US_SSN_K1_bbbbbbbbbbbbbbbbbbbbbbbbbb","purpose":"t"}' > "corpus/$t/detext" ;;
    leak)
      # Lines that move framing: stray and open quotes, CRs, a byte-order mark, JSON.
      printf 'seed0001\n1,"open\n' > "corpus/$t/quotes"
      printf '\xff\xfeab\r\nx"y\n{"a":' > "corpus/$t/bom"
      printf '12345678\n"\n""\n\r\r' > "corpus/$t/crs" ;;
    csv)
      cp ../tests/data/eval/dev.csv ../tests/data/eval/indep/dev/people.csv "corpus/$t/"
      sed -E 's/⟦[A-Z_]+\|//g; s/⟧//g' -i "corpus/$t/"*.csv ;;
  esac
  if [ -d "regressions/$t" ]; then cp regressions/"$t"/* "corpus/$t/"; fi
  echo "== fuzz $t for ${secs}s"
  if ! cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=8192 -print_final_stats=1 >"$log" 2>&1; then
    grep -E 'panicked|ERROR|SUMMARY|left|right' "$log" | head -20
    echo "fuzz target $t found a failure: input kept in fuzz/artifacts/$t/"
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "$log" || true
done
echo "== all fuzz targets ran ${secs}s each, clean"
