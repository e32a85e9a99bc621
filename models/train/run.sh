#!/usr/bin/env bash
# Rebuilds the shipped models from scratch: simulate, featurize, train, calibrate, evaluate.
# Seeds: 1 training (balanced over the 11 classes), 2 calibration, 3 evaluation (standard mix);
# they never overlap. Needs Python with models/train/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release/diamond-screen
data=${DATA:-data}
all=natural_ia,natural_iia,cvd_as_grown,cvd_hpht_treated,hpht_ni,hpht_low_n,hpht_boron,cz,moissanite,glass,corundum
cargo build --release
rm -rf "$data/train" "$data/calib" "$data/eval" "$data/train-features"
$bin simulate --stones 4400 --seed 1 --kinds "$all" --out "$data/train"
$bin featurize "$data/train" --out "$data/train-features"
python3 models/train/train.py --features "$data/train-features" --out models --seed 1 \
  --description "simulated by diamond-screen simulate, seed 1, 4400 stones (400 of each of 11 classes), channels pl532, pl405, ftir"
$bin simulate --stones 4000 --seed 2 --out "$data/calib"
$bin calibrate "$data/calib" --backend tract
$bin simulate --stones 10000 --seed 3 --out "$data/eval"
$bin evaluate "$data/eval" --backend tract \
  --record "simulated by diamond-screen simulate, seed 3, 10000 stones, standard mix (70% natural of which 2% type IIa, 15% CVD/HPHT, 15% simulants), channels pl532, pl405, ftir"

