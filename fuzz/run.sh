#!/usr/bin/env bash
# Fuzz every target for SECONDS (default 60) each, seeded from sample-spectra/,
# tests/bad_inputs/files/ and ../shared/fixtures/ (when present). Prints executions, coverage
# and crashes per target; crash inputs land in fuzz/artifacts/<target>/.
#   fuzz/run.sh [SECONDS] [TARGET...]
# FUZZ_MAX_LEN (default 262144) caps an input's length; a small cap (e.g. 16384) explores the
# parsers' logic many times faster, the large one reaches the size limits.
# Only the stable toolchain exists here: RUSTC_BOOTSTRAP=1 lets it take cargo fuzz's -Z flags.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(read_delimited read_jcamp read_json protocol request_body read_sif read_spe read_vendor)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
seed() { # target -> seed files
  case $1 in
    read_delimited) ls ../sample-spectra/csv/*.csv ../tests/bad_inputs/files/*.{csv,tsv} ../../shared/fixtures/ftir/*.csv 2>/dev/null ;;
    read_jcamp) ls ../sample-spectra/jcamp/*.jdx ../tests/bad_inputs/files/*.jdx ../../shared/fixtures/jcamp/* 2>/dev/null ;;
    read_json|request_body) ls ../sample-spectra/json/*.json ../tests/bad_inputs/files/*.json 2>/dev/null ;;
    read_sif) ls ../../shared/lab-files/formats/sif/*.sif 2>/dev/null ;;
    read_spe) ls ../../shared/lab-files/formats/spe/*.spe 2>/dev/null ;;
    read_vendor) ls ../../shared/lab-files/formats/{opus,spa,wdf,spc}/* ../../shared/fixtures/ftir/*.SPA 2>/dev/null | grep -v -i -E '\.(txt|dpt|csv)$' ;;
    protocol) ;;
  esac
}
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  seed "$t" | while IFS= read -r f; do # names may hold spaces
    # the JCAMP and JSON targets add their own first bytes
    case $t in
      read_jcamp) sed '1{/^##TITLE=/d}' "$f" >"corpus/$t/$(basename "$f")" ;;
      read_json) tail -c +2 "$f" >"corpus/$t/$(basename "$f")" ;;
      read_vendor) # the first byte picks the name: 0 .0, 1 .spa, 2 .wdf, 3 .spc
        case "${f,,}" in
          *.spa) k=1 ;; *.wdf) k=2 ;; *.spc) k=3 ;; *) k=0 ;;
        esac
        { printf "\\$(printf %o $k)"; cat "$f"; } >"corpus/$t/$(basename "$f")" ;;
      read_sif) tail -c +37 "$f" >"corpus/$t/$(basename "$f")" ;; # the target adds the signature line
      *) cp "$f" "corpus/$t/" ;;
    esac
  done
  cargo fuzz build "$t"
  # Each log line is stamped with the seconds since the run began, to see when coverage last grew.
  start=$SECONDS
  cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -max_len="${FUZZ_MAX_LEN:-262144}" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 2>&1 | while IFS= read -r line; do
      printf '%d %s\n' $((SECONDS - start)) "$line"
    done >"corpus/$t.log" || echo "$t: FOUND A FAILURE (see fuzz/artifacts/$t/)"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "corpus/$t.log" | grep -o '[0-9]*$' || echo '?')
  crashes=$(ls "artifacts/$t" 2>/dev/null | wc -l)
  awk -v t="$t" -v execs="$execs" -v secs="$secs" -v crashes="$crashes" '
    match($0, /cov: [0-9]+/) {
      c = substr($0, RSTART + 5, RLENGTH - 5) + 0
      if (c > max) { max = c; at = $1 }
      if ($1 <= 0.75 * secs) q3 = max
    }
    END { printf "%s: %s executions in %s s, coverage %d edges (%d new in the last quarter, last at %d s), %d crash/timeout/oom inputs\n", t, execs, secs, max, max - q3, at, crashes }
  ' "corpus/$t.log"
done
