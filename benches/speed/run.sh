#!/usr/bin/env bash
# Screening against parsing on both backends, side by side in one run (issue 14's measure):
# a simulated archive of wide-range PL spectra (2,000 stones, PL 532 + 405 nm, every instrument
# family: 512-4,096 pixels, 4,000 CSV files), warm page cache, the machine's cores, best of
# $RUNS runs each. Prints each backend's screen time over the parse-only time, and the Python
# reference on the same files and models (benches/python_reference/screen.py).
#   benches/speed/run.sh [DIR]        OLD_BIN=path/to/old/diamond-screen adds a column for it
#                                     (OLD_MODELS=its model folder, when the models changed)
#   RUNS=3 PYTHON=0 (skip the Python reference)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-data/wide2k}
runs=${RUNS:-3}
bin=target/release/diamond-screen
cargo build --release -q --bin diamond-screen
if [ ! -d "$dir" ]; then
  $bin simulate --stones 2000 --seed 41 --channels pl532,pl405 \
    --families bench,high_resolution,original,compact,microscope,flattened,field --out "$dir"
fi
find "$dir" -type f -exec cat {} + >/dev/null
best() { # best wall time (s) of $runs runs of the command
  local b=999999
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    b=$(python3 -c "print(min($b, $t1 - $t0))")
  done
  echo "$b"
}
bins=("$bin")
[ -n "${OLD_BIN:-}" ] && bins+=("$OLD_BIN")
for b in "${bins[@]}"; do
  m=models
  [ "$b" = "${OLD_BIN:-}" ] && m=${OLD_MODELS:-models}
  run=(env DIAMOND_SCREEN_MODELS="$m" "$b" screen "$dir")
  parse=$(best "${run[@]}" --parse-only)
  tract=$(best "${run[@]}" --backend tract --out /tmp/speed-tract.jsonl)
  ort=$(best "${run[@]}" --backend onnxruntime --out /tmp/speed-ort.jsonl)
  python3 - "$b" "$parse" "$tract" "$ort" <<'PY'
import sys
b, parse, tract, ort = sys.argv[1], *map(float, sys.argv[2:])
print(f"{b}: parse-only {parse:.2f} s; screen tract {tract:.2f} s ({tract / parse:.2f}x parse), "
      f"onnxruntime {ort:.2f} s ({ort / parse:.2f}x parse)")
PY
  new_tract=${new_tract:-$tract}; new_ort=${new_ort:-$ort}
done
if [ "${PYTHON:-1}" = 1 ]; then
  python3 -m pip install -q -r benches/python_reference/requirements.txt
  py=$(best python3 benches/python_reference/screen.py "$dir" --models models --workers 2)
  python3 - "$py" "$new_tract" "$new_ort" <<'PY'
import sys
py, tract, ort = map(float, sys.argv[1:])
print(f"python reference {py:.2f} s: diamond-screen {py / ort:.1f}x faster (onnxruntime), "
      f"{py / tract:.1f}x (tract)")
PY
fi
