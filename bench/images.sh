#!/usr/bin/env bash
# Full media path (decode + PDQ + MD5 + SHA-256, in parallel) over 1,000 generated images,
# against sha256sum over the same files in the same run.
#
#   bench/images.sh [COUNT]      default 1000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
cargo build --release -q
S=$PWD/target/release/sigillo
w=$(mktemp -d /tmp/sigillo-img-bench.XXXXXX)
trap 'rm -rf "$w"' EXIT
[ -x .venv/bin/python ] || { echo "run ./setup.sh --deps first (needs Pillow in .venv)"; exit 2; }
echo "generating $n JPEG images (640x480)…"
.venv/bin/python - "$w/imgs" "$n" <<'PY'
import sys, os, numpy as np
from PIL import Image
d, n = sys.argv[1], int(sys.argv[2]); os.makedirs(d)
r = np.random.default_rng(1)
for i in range(n):
    small = (r.random((30, 40, 3)) * 255).astype('uint8')
    Image.fromarray(small).resize((640, 480), Image.BILINEAR).save(f"{d}/img{i:05d}.jpg", quality=85)
PY
"$S" key new --out "$w/k.pem" --name Bench >/dev/null 2>&1
t0=$(date +%s.%N); sha256sum "$w"/imgs/* >/dev/null; t1=$(date +%s.%N)
"$S" add "$w/imgs" -o "$w/case.zip" --key "$w/k.pem" 2>/dev/null; t2=$(date +%s.%N)
"$S" match "$w/case.zip" "$w/imgs" >/dev/null 2>&1; t3=$(date +%s.%N)
base=$(echo "$t1 - $t0" | bc -l); add=$(echo "$t2 - $t1" | bc -l); match=$(echo "$t3 - $t2" | bc -l)
printf '%-34s %8.2f s %10.0f img/s\n' "sha256sum (baseline)" "$base" "$(echo "$n / $base" | bc -l)"
printf '%-34s %8.2f s %10.0f img/s  (%.1fx baseline time)\n' "sigillo add (decode+PDQ+MD5+seal)" "$add" "$(echo "$n / $add" | bc -l)" "$(echo "$add / $base" | bc -l)"
printf '%-34s %8.2f s %10.0f img/s\n' "sigillo match (decode+PDQ+compare)" "$match" "$(echo "$n / $match" | bc -l)"
