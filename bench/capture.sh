#!/usr/bin/env bash
# Web capture cost: `sigillo capture` (everything: screenshots, PDF, MHTML, DOM, WARC/WACZ,
# TLS/DNS facts, second fetch, signed and bundled) against a bare
# `chromium --headless --screenshot` of the same loopback page, in the same run; then
# pages per minute for 20 URLs in one `sigillo capture` run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
S=$PWD/target/release/sigillo
w=$(mktemp -d /tmp/sigillo-cap-bench.XXXXXX)
port=$((20000 + RANDOM % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory samples/web >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$w"' EXIT
sleep 1
url="http://127.0.0.1:$port/index.html"
"$S" key new --out "$w/k.pem" --name Bench >/dev/null 2>&1
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-quic"
base=0; ours=0
for i in 1 2 3; do
  b=$(secs chromium $flags --user-data-dir="$w/p$i" --screenshot="$w/shot$i.png" --window-size=1366,768 "$url")
  o=$(secs "$S" capture "$url" -o "$w/c$i.zip" --key "$w/k.pem" --quiet)
  base=$(echo "$base + $b" | bc -l); ours=$(echo "$ours + $o" | bc -l)
done
printf 'bare chromium --screenshot   %6.2f s/page\n' "$(echo "$base / 3" | bc -l)"
printf 'sigillo capture (everything) %6.2f s/page   ratio %.2fx (target <= 1.5x is not met by a full forensic capture; see note)\n' "$(echo "$ours / 3" | bc -l)" "$(echo "$ours / $base" | bc -l)"
urls=(); for i in $(seq 1 20); do urls+=("$url?n=$i"); done
t=$(secs "$S" capture "${urls[@]}" -o "$w/many.zip" --key "$w/k.pem" --quiet)
printf '20 URLs in one run          %6.1f s  → %.1f pages/minute\n' "$t" "$(echo "20 * 60 / $t" | bc -l)"
# Batch: 12 URLs with --jobs 3 against 12 single captures one after another (issue 17: >= 2x).
single=0
for i in $(seq 1 12); do s=$(secs "$S" capture "$url?s=$i" -o "$w/s$i.zip" --key "$w/k.pem" --quiet); single=$(echo "$single + $s" | bc -l); done
urls=(); for i in $(seq 1 12); do urls+=("$url?j=$i"); done
par=$(secs "$S" capture "${urls[@]}" -o "$w/jobs.zip" --key "$w/k.pem" --quiet --jobs 3)
printf '12 single captures          %6.1f s\n12 URLs with --jobs 3       %6.1f s   speed-up %.2fx (target >= 2x)\n' "$single" "$par" "$(echo "$single / $par" | bc -l)"
