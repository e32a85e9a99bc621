#!/usr/bin/env bash
# Screens the same folder with diamond-screen and with the Python reference (both on the
# machine's two cores), times reading and parsing alone, and the floor (examples/parse_floor.rs:
# read every file and convert every number, nothing else), and prints the ratios.
#   benches/python_reference/compare.sh [DIR]   (default: 20,000 simulated stones, two CSV spectra each)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-data/bench20k}
bin=target/release/diamond-screen
cargo build --release -q --bin diamond-screen --example parse_floor
if [ ! -d "$dir" ]; then
  $bin simulate --stones 20000 --seed 7 --channels pl532,ftir --out "$dir"
fi
python3 -m pip install -q -r benches/python_reference/requirements.txt
# Read every file once so all three runs meet the same warm page cache.
find "$dir" -type f -exec cat {} + >/dev/null
now() { date +%s.%N; }
floor=$(target/release/examples/parse_floor "$dir" | grep -o 'in [0-9.]* s' | grep -o '[0-9.]*')
t0=$(now); $bin screen "$dir" --parse-only; t1=$(now)
$bin screen "$dir" --out /tmp/rust-screen.jsonl; t2=$(now)
python3 benches/python_reference/screen.py "$dir" --models models --workers 2 > /tmp/python-screen.jsonl; t3=$(now)
python3 - "$floor" "$t0" "$t1" "$t2" "$t3" <<'PY'
import json, sys
floor, t0, t1, t2, t3 = map(float, sys.argv[1:])
parse, rust, py = t1 - t0, t2 - t1, t3 - t2
r = {json.loads(l)["stone_id"]: json.loads(l)["verdict"] for l in open("/tmp/rust-screen.jsonl")}
p = {json.loads(l)["stone_id"]: json.loads(l)["verdict"] for l in open("/tmp/python-screen.jsonl")}
agree = sum(r.get(k) == v for k, v in p.items())
print(f"floor (read + convert numbers, nothing else): {floor:.2f} s")
print(f"read+parse only: {parse:.2f} s")
print(f"diamond-screen:  {rust:.2f} s ({rust / parse:.2f}x the parse time)")
print(f"python reference: {py:.2f} s")
print(f"speed-up: {py / rust:.1f}x; verdicts agree on {agree}/{len(p)} stones")
print(f"most any implementation could reach (python / floor): {py / floor:.1f}x")
PY
