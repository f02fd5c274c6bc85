#!/usr/bin/env bash
# Web capture cost: `sigillo capture` (everything: screenshots, PDF, MHTML, DOM, WARC/WACZ,
# TLS/DNS facts, second fetch, signed and bundled) against a bare
# `chromium --headless --screenshot` of the same loopback page, in the same run; the peak
# RSS of `sigillo capture` on a page with 100 MB of media (issue 17: under 200 MiB); then
# pages per minute for 20 URLs in one `sigillo capture` run and the --jobs speed-up.
#
# SIGILLO=path/to/sigillo uses that binary (e.g. an older build, to compare) instead of
# building; BENCH_QUICK=1 stops after the single-page ratio and the RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SIGILLO:-}" ]; then
  cargo build --release -q
  S=${CARGO_TARGET_DIR:-$PWD/target}/release/sigillo
else
  S=$SIGILLO
fi
w=$(mktemp -d /tmp/sigillo-cap-bench.XXXXXX)
port=$((20000 + RANDOM % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory samples/web >/dev/null 2>&1 &
srv=$!
# The media page: 4 valid PNG images of random pixels, 25 MB each, served as image/png.
mkdir -p "$w/media"
python3 - "$w/media" <<'EOF'
import os, struct, sys, zlib
d = sys.argv[1]
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
side = 2890  # 2890 x 2890 RGB, stored deflate: ~25 MB each
for i in range(4):
    raw = b"".join(b"\0" + os.urandom(side * 3) for _ in range(side))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")
    open(os.path.join(d, f"big{i}.png"), "wb").write(png)
imgs = "".join(f'<img src="big{i}.png" width="300" alt="big {i}">' for i in range(4))
open(os.path.join(d, "index.html"), "w").write(
    f'<!doctype html><html><head><meta charset="utf-8"><title>100 MB of media</title></head><body><p>Four images of 25 MB.</p>{imgs}</body></html>')
EOF
python3 -m http.server "$((port + 1))" --bind 127.0.0.1 --directory "$w/media" >/dev/null 2>&1 &
srv2=$!
trap 'kill $srv $srv2 2>/dev/null; rm -rf "$w"' EXIT
sleep 1
url="http://127.0.0.1:$port/index.html"
"$S" key new --out "$w/k.pem" --name Bench >/dev/null 2>&1
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-quic"
# Warm-up (page cache, fontconfig) so neither side pays the first start.
chromium $flags --user-data-dir="$w/p0" --screenshot="$w/shot0.png" --window-size=1366,768 "$url" >/dev/null 2>&1 || true
"$S" capture "$url" -o "$w/c0.zip" --key "$w/k.pem" --quiet >/dev/null 2>&1 || true
base=0; ours=0; n=5
for i in $(seq 1 $n); do
  b=$(secs chromium $flags --user-data-dir="$w/p$i" --screenshot="$w/shot$i.png" --window-size=1366,768 "$url")
  o=$(secs "$S" capture "$url" -o "$w/c$i.zip" --key "$w/k.pem" --quiet)
  base=$(echo "$base + $b" | bc -l); ours=$(echo "$ours + $o" | bc -l)
done
ratio=$(echo "$ours / $base" | bc -l)
met=$(echo "$ratio <= 1.5" | bc -l)
printf 'bare chromium --screenshot   %6.2f s/page\n' "$(echo "$base / $n" | bc -l)"
printf 'sigillo capture (everything) %6.2f s/page   ratio %.2fx (target <= 1.5x: %s)\n' \
  "$(echo "$ours / $n" | bc -l)" "$ratio" "$([ "$met" = 1 ] && echo met || echo NOT met)"
# Peak RSS of the sigillo process itself: its VmHWM (/proc/PID/status, a high-water mark,
# so the last value read before it exits is its peak). Not /usr/bin/time's %M: wait4's
# ru_maxrss is the largest of the process and the children it reaped, so it reports
# Chromium's biggest process; printed beside, for the whole picture.
/usr/bin/time -f %M -o "$w/rss-tree" "$S" capture "http://127.0.0.1:$((port + 1))/index.html" -o "$w/media.zip" --key "$w/k.pem" --quiet >/dev/null 2>&1 &
tpid=$!
sleep 0.2
spid=$(pgrep -P "$tpid" | head -1 || true)
hwm=0
while [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; do
  h=$(awk '/^VmHWM/{print $2}' "/proc/$spid/status" 2>/dev/null || true)
  [ -n "$h" ] && hwm=$h
  sleep 0.05
done
wait "$tpid" || echo "media capture failed"
media=$(unzip -l "$w/media.zip" 2>/dev/null | grep -c 'original/media/' || true)
printf 'page with 100 MB of media    peak RSS %6.1f MiB (target < 200 MiB), %s media files sealed\n' \
  "$(echo "$hwm / 1024" | bc -l)" "$media"
printf '  (largest process incl. Chromium, wait4 maxrss: %.1f MiB)\n' "$(echo "$(tail -1 "$w/rss-tree") / 1024" | bc -l)"
[ -n "${BENCH_QUICK:-}" ] && exit 0
urls=(); for i in $(seq 1 20); do urls+=("$url?n=$i"); done
t=$(secs "$S" capture "${urls[@]}" -o "$w/many.zip" --key "$w/k.pem" --quiet)
printf '20 URLs in one run          %6.1f s  → %.1f pages/minute\n' "$t" "$(echo "20 * 60 / $t" | bc -l)"
# Batch: 12 URLs with --jobs 3 against 12 single captures one after another (issue 17: >= 2x).
single=0
for i in $(seq 1 12); do s=$(secs "$S" capture "$url?s=$i" -o "$w/s$i.zip" --key "$w/k.pem" --quiet); single=$(echo "$single + $s" | bc -l); done
urls=(); for i in $(seq 1 12); do urls+=("$url?j=$i"); done
par=$(secs "$S" capture "${urls[@]}" -o "$w/jobs.zip" --key "$w/k.pem" --quiet --jobs 3)
printf '12 single captures          %6.1f s\n12 URLs with --jobs 3       %6.1f s   speed-up %.2fx (target >= 2x)\n' "$single" "$par" "$(echo "$single / $par" | bc -l)"
