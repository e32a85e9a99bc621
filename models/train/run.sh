#!/usr/bin/env bash
# Rebuilds the shipped models from scratch: simulate, featurize, train, calibrate, evaluate.
# Instrument families (src/simulate/instrument.rs) are held out the way a new spectrometer is:
#   training    seed 1, families original, compact, microscope, flattened, field (balanced
#               over the 11 classes);
#   calibration seed 2, family high_resolution, not in training: temperature scaling, the
#               familiarity (out-of-distribution) threshold and the pass threshold are set here;
#   evaluation  seed 3, family bench, never used in training or calibration (the figures that
#               count), and seed 3 on the original instrument (must not get worse).
# Seeds never overlap. Needs Python with models/train/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release/diamond-screen
data=${DATA:-data}
all=natural_ia,natural_iia,cvd_as_grown,cvd_hpht_treated,hpht_ni,hpht_low_n,hpht_boron,cz,moissanite,glass,corundum
train_families=original,compact,microscope,flattened,field
calib_family=high_resolution
eval_family=bench
cargo build --release
rm -rf "$data/train" "$data/calib" "$data/eval" "$data/eval-original" "$data/train-features" "$data/calib-features"
$bin simulate --stones 6600 --seed 1 --kinds "$all" --families "$train_families" --out "$data/train"
$bin featurize "$data/train" --out "$data/train-features"
$bin simulate --stones 4000 --seed 2 --families "$calib_family" --out "$data/calib"
$bin featurize "$data/calib" --out "$data/calib-features"
python3 models/train/train.py --features "$data/train-features" --out models --seed 1 \
  --calib-features "$data/calib-features" \
  --calib-description "simulated, seed 2, 4000 stones, standard mix, instrument family $calib_family (not in training)" \
  --description "simulated by diamond-screen simulate, seed 1, 6600 stones (600 of each of 11 classes), instrument families $train_families, channels pl532, pl405, ftir"
$bin calibrate "$data/calib" --backend tract
$bin simulate --stones 10000 --seed 3 --families "$eval_family" --out "$data/eval"
$bin simulate --stones 10000 --seed 3 --out "$data/eval-original"
$bin evaluate "$data/eval-original" --backend tract | tee "$data/eval-original.txt"
$bin evaluate "$data/eval" --backend tract \
  --record "simulated by diamond-screen simulate, seed 3, 10000 stones, standard mix (70% natural of which 2% type IIa, 15% CVD/HPHT, 15% simulants), instrument family $eval_family held out of training and calibration, channels pl532, pl405, ftir" \
  | tee "$data/eval.txt"
