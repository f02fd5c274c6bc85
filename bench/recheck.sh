#!/usr/bin/env bash
# Re-check cost: `sigillo recheck` (light profile: status, redirects, main document,
# full-page screenshot, DOM and visible text, media, WARC, TLS/DNS facts, comparison,
# sealed as an item) against `sigillo capture` (everything) of the same loopback pages, in
# the same run; 10 URLs each, one Chromium launch per command.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
S=$PWD/target/release/sigillo
w=$(mktemp -d /tmp/sigillo-recheck-bench.XXXXXX)
port=$((20000 + RANDOM % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory samples/web >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$w"' EXIT
sleep 1
"$S" key new --out "$w/k.pem" --name Bench >/dev/null 2>&1
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
urls=(); for i in $(seq 1 10); do urls+=("http://127.0.0.1:$port/index.html?n=$i"); done
cap=$(secs "$S" capture "${urls[@]}" -o "$w/case.zip" --key "$w/k.pem" --quiet)
re=$(secs "$S" recheck "$w/case.zip" --key "$w/k.pem" --quiet)
"$S" verify "$w/case.zip" >/dev/null
printf 'capture, 10 URLs (baseline) %6.1f s\n' "$cap"
printf 'recheck, 10 URLs            %6.1f s   ratio %.2fx of capture\n' "$re" "$(echo "$re / $cap" | bc -l)"
