#!/usr/bin/env bash
# Load test: diamond-screen's service against the Python reference service (FastAPI + the
# reference pipeline, benches/python_reference/service.py), both on this machine, same body,
# same models. Reports saturation throughput (wrk), latency percentiles at half of saturation
# (hey, rate-limited), error counts, and batch throughput.
#   benches/load/run.sh [SECONDS]        (default 20 s per measurement)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-20}
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
command -v wrk >/dev/null && command -v hey >/dev/null ||
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk hey >/dev/null
python3 -m pip install -q --disable-pip-version-check -r benches/python_reference/requirements-service.txt
cargo build --release -q
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
single=sample-spectra/json/SIM103-000000.json
python3 - "$tmp/batch.json" <<'PY'
import json, sys
stones = [json.load(open(f"sample-spectra/json/SIM103-00000{i}.json")) for i in range(4)]
json.dump({"stones": [dict(s, stone_id=f"B{k}") for k in range(8) for s in stones]}, open(sys.argv[1], "w"))
PY
RUST_LOG=warn target/release/diamond-screen serve --addr 127.0.0.1:18181 --backend tract 2>"$tmp/rust.log" &
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MODELS=models uvicorn service:app --app-dir benches/python_reference \
  --host 127.0.0.1 --port 18182 --workers 2 --log-level warning --no-access-log 2>"$tmp/py.log" &
for port in 18181 18182; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.3; done
done

saturate() { # url body -> requests/s and non-2xx count
  BODY=$2 wrk -t1 -c16 -d"${secs}s" -s benches/load/post.lua "$1" >"$tmp/wrk.txt"
  awk '/Requests\/sec/ {r=$2} /^non2xx/ {e=$2} /Socket errors/ {s=$0} END {printf "%s %s\n", r, e + 0}' "$tmp/wrk.txt"
}
half() { # url body rate clients -> p50 p90 p99 (ms) and non-200 count
  hey -z "${secs}s" -c "$4" -q "$(python3 -c "print(max(1, round($3 / $4)))")" -m POST \
    -T application/json -D "$2" "$1" >"$tmp/hey.txt"
  python3 - "$tmp/hey.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
pct = {m[0]: float(m[1]) * 1000 for m in re.findall(r"(\d+)% in ([\d.]+) secs", t)}
codes = dict(re.findall(r"\[(\d+)\]\s+(\d+) responses", t))
bad = sum(int(n) for c, n in codes.items() if c != "200") + len(re.findall(r"Error distribution", t))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t)[1])
print(f"{rps:.0f} {pct['50']:.1f} {pct['90']:.1f} {pct['99']:.1f} {bad}")
PY
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
declare -A sat
for who in rust python; do
  port=$([ $who = rust ] && echo 18181 || echo 18182)
  url="http://127.0.0.1:$port/v1/screen"
  read -r rps err < <(saturate "$url" "$single")
  sat[$who]=$rps
  echo "$who single stone, saturation (wrk, 16 connections): $rps req/s, non-2xx $err"
  for clients in 2 4; do
    read -r r p50 p90 p99 bad < <(half "$url" "$single" "$(python3 -c "print($rps / 2)")" "$clients")
    echo "$who at half saturation ($r req/s, $clients clients): p50 $p50 ms, p90 $p90 ms, p99 $p99 ms, non-200 $bad"
  done
done
read -r brps berr < <(saturate "http://127.0.0.1:18181/v1/screen/batch" "$tmp/batch.json")
echo "rust batches of 32 stones (wrk, 16 connections): $brps req/s = $(python3 -c "print(round($brps * 32))") stones/s, non-2xx $berr"
python3 -c "print(f'single-stone throughput ratio: {${sat[rust]} / ${sat[python]}:.1f}x')"
