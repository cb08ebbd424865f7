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
# The targets' own temporary files (an audit log per run; libFuzzer exits without running
# destructors) go to a directory removed with the run.
scratch=$(mktemp -d)
trap 'rm -rf "$log" "$scratch"' EXIT
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
      # An endpoint byte (0 tokenize, 1 detokenize, 2 redact, 3 scan), then a body of each form.
      printf '\000{"values":[{"entity":"EMAIL","value":"jane@example.com"}]}' > "corpus/$t/values"
      printf '\000{"text":"mail jane@example.com card 4111 1111 1111 1111"}' > "corpus/$t/text"
      printf '\001{"tokens":["VLM_EMAIL_K1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],"purpose":"t"}' > "corpus/$t/tokens"
      printf '\001{"text":"x VLM_US_SSN_K1_bbbbbbbbbbbbbbbbbbbbbbbbbb","purpose":"t"}' > "corpus/$t/detext"
      printf '\002{"texts":["ssn 536-90-4399","jane@example.com"]}' > "corpus/$t/redact"
      printf '\003{"text":"card 4111 1111 1111 1111"}' > "corpus/$t/scan" ;;
    keyring_load)
      # A keyring in clear, one sealed with the target's passphrase, one to an age recipient
      # (made by the debug binary, which `cargo test` built).
      velum=../target/debug/velum
      if [ -x "$velum" ]; then
        seeds=$(mktemp -d)
        printf 'fuzz passphrase\n' > "$seeds/pass"; chmod 600 "$seeds/pass"
        "$velum" keygen --out "$seeds/clear.json" 2>/dev/null
        VELUM_KEYRING_NEW_PASSPHRASE_FILE="$seeds/pass" "$velum" keygen --out "$seeds/sealed.json" --seal 2>/dev/null
        r=$("$velum" keyring identity --out "$seeds/id" 2>/dev/null)
        "$velum" keygen --out "$seeds/age.json" --recipient "$r" 2>/dev/null
        cp "$seeds"/clear.json "$seeds"/sealed.json "$seeds"/age.json "corpus/$t/"
        rm -rf "$seeds"
      fi ;;
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
  if ! TMPDIR="$scratch" cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=8192 -print_final_stats=1 >"$log" 2>&1; then
    grep -E 'panicked|ERROR|SUMMARY|left|right' "$log" | head -20
    echo "fuzz target $t found a failure: input kept in fuzz/artifacts/$t/"
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "$log" || true
done
echo "== all fuzz targets ran ${secs}s each, clean"
