#!/usr/bin/env bash
# The release-lto profile (fat LTO, one codegen unit) against the default release profile,
# side by side in one run: screen a simulated archive (every instrument family) with each
# binary in turn, best of ROUNDS runs each, on the embedded tract backend, and print the
# ratio. Usage: benches/profiles/run.sh [STONES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
stones=${1:-1400}
rounds=${2:-3}
cargo build --release --bin diamond-screen
cargo build --profile release-lto --bin diamond-screen
data=${DATA:-target/bench-profiles-data}
if [ ! -f "$data/labels.csv" ]; then
  target/release/diamond-screen simulate --stones "$stones" --seed 30 \
    --families original,bench,compact,high_resolution,microscope,flattened,field --out "$data"
fi
best() { sort -n | head -1; }
declare -A t
for profile in release release-lto; do t[$profile]=""; done
for _ in $(seq "$rounds"); do
  for profile in release release-lto; do
    s=$(date +%s.%N)
    "target/$profile/diamond-screen" screen "$data" --backend tract --chunk 2000 > /dev/null 2>&1
    e=$(date +%s.%N)
    t[$profile]+="$(echo "$e - $s" | bc)"$'\n'
  done
done
r=$(printf '%s' "${t[release]}" | best)
l=$(printf '%s' "${t[release-lto]}" | best)
printf 'screen %s stones (SIMULATED), tract, best of %s: release %.2f s, release-lto %.2f s, release/release-lto = %.3f\n' \
  "$stones" "$rounds" "$r" "$l" "$(echo "$r / $l" | bc -l)"
