#!/usr/bin/env bash
# Regenerates the sample files: four SIMULATED stones (natural type Ia, CVD as-grown, HPHT with
# nickel, moissanite), each measured by PL at 532 nm, PL at 405 nm and FTIR, in three formats.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DIAMOND_SCREEN:-target/release/diamond-screen}
for f in csv jcamp json; do
  rm -rf "sample-spectra/$f"
  "$bin" simulate --stones 4 --seed 103 --kinds natural_ia,cvd_as_grown,hpht_ni,moissanite \
    --format "$f" --out "sample-spectra/$f"
done
