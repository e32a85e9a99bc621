#!/usr/bin/env bash
# Soak test: MINUTES (default 10) of mixed traffic at about 80% of the single-stone saturation
# rate against `diamond-screen serve`: good stones, batches, and bad requests (broken JSON,
# invalid spectra, unknown routes, wrong content type) mixed. Per minute: requests, status
# counts and latency percentiles of the good stones; every 10 s: the server's resident memory.
#   benches/soak/run.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-10}
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
command -v wrk >/dev/null && command -v hey >/dev/null ||
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk hey >/dev/null
cargo build --release -q
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
RUST_LOG=warn target/release/diamond-screen serve --addr 127.0.0.1:18191 --backend tract 2>"$tmp/server.log" &
pid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18191/healthz >/dev/null && break; sleep 0.2; done
url=http://127.0.0.1:18191
one=sample-spectra/json/SIM103-000000.json
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
stones = [json.load(open(f"sample-spectra/json/SIM103-00000{i}.json")) for i in range(4)]
json.dump({"stones": stones}, open(f"{d}/batch.json", "w"))
json.dump({"stone_id": "BAD", "spectra": [{"technique": "pl", "excitation_nm": 532, "x": [1, 2, 3], "y": [1, 2, 3]}]}, open(f"{d}/invalid.json", "w"))
open(f"{d}/broken.json", "w").write('{"stone_id": "X", "spectra": [')
PY
BODY=$one wrk -t1 -c16 -d10s -s benches/load/post.lua "$url/v1/screen" >"$tmp/sat.txt"
sat=$(awk '/Requests\/sec/ {print $2}' "$tmp/sat.txt")
rate=$(python3 -c "print(round($sat * 0.8))")
echo "saturation $sat req/s; soak at $rate req/s (single stones 80% of it, plus batches and bad requests)"
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
( while kill -0 $pid 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 10; done ) >"$tmp/rss.txt" &
hey_run() { # name rate body path content-type
  hey -z 60s -c 4 -q "$(python3 -c "print(max(1, round($2 / 4)))")" -m POST -T "$5" -D "$3" "$url$4" >"$tmp/$1.txt" 2>&1
}
summary() { # file -> "requests status-counts p50 p99"
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
codes = dict(re.findall(r"\[(\d+)\]\s+(\d+) responses", t))
pct = {m[0]: float(m[1]) * 1000 for m in re.findall(r"(\d+)% in ([\d.]+) secs", t)}
errs = re.findall(r"\[(\d+)\]\s+(Get|Post).*", t)
n = sum(int(v) for v in codes.values())
print(f"{n} {'/'.join(f'{k}:{v}' for k, v in sorted(codes.items()))} {pct.get('50', 0):.1f} {pct.get('99', 0):.1f} {len(errs)}")
PY
}
echo "minute  good(req status p50ms p99ms transport-errors)  batch  invalid  broken  wrongtype  noroute  rss_kB"
for m in $(seq "$minutes"); do
  pids=()
  hey_run good "$(python3 -c "print($rate * 0.8)")" "$one" /v1/screen application/json & pids+=($!)
  hey_run batch "$(python3 -c "print(max(1, $rate * 0.02))")" "$tmp/batch.json" /v1/screen/batch application/json & pids+=($!)
  hey_run invalid "$(python3 -c "print($rate * 0.05)")" "$tmp/invalid.json" /v1/screen application/json & pids+=($!)
  hey_run broken "$(python3 -c "print($rate * 0.05)")" "$tmp/broken.json" /v1/screen application/json & pids+=($!)
  hey_run wrongtype 8 "$one" /v1/screen text/plain & pids+=($!)
  hey_run noroute 8 "$one" /v2/nowhere application/json & pids+=($!)
  wait "${pids[@]}"
  echo "$m  $(summary "$tmp/good.txt")  $(summary "$tmp/batch.txt" | cut -d' ' -f1-2)  $(summary "$tmp/invalid.txt" | cut -d' ' -f1-2)  $(summary "$tmp/broken.txt" | cut -d' ' -f1-2)  $(summary "$tmp/wrongtype.txt" | cut -d' ' -f1-2)  $(summary "$tmp/noroute.txt" | cut -d' ' -f1-2)  $(rss)"
  cat "$tmp"/{good,batch,invalid,broken,wrongtype,noroute}.txt >>"$tmp/all.txt"
done
fives=$({ grep -Eo "\[5[0-9][0-9]\][[:space:]]+[0-9]+" "$tmp/all.txt" || true; } | awk '{s += $2} END {print s + 0}')
echo "5xx answers in all: $fives"
echo "resident memory (kB) every 10 s: $(cut -d' ' -f2 "$tmp/rss.txt" | tr '\n' ' ')"
curl -s "$url/metrics" | grep -E "^diamond_screen_(verdicts_total|requests_in_flight|queue_stones)" || true
kill -0 $pid && echo "server still up"
