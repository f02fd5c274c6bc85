#!/usr/bin/env bash
# Hashing/verify throughput of sigillo against openssl and sha256sum on the same data,
# measured in the same run, printed as ratios; plus peak RSS of add and verify.
#
#   bench/verify.sh [SIZE_MIB]      default 2048 (a 2 GiB file); needs ~3x that in /tmp
#
# Targets (issue #2): verify >= 0.9x openssl on one large file; peak RSS < 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2048}
cargo build --release -q
S=$PWD/target/release/sigillo
w=$(mktemp -d /tmp/sigillo-bench.XXXXXX)
trap 'rm -rf "$w"' EXIT
cd "$w"
"$S" key new --out k.pem --name Bench >/dev/null 2>&1
echo "generating a ${size} MiB file of random bytes (incompressible, stored as is)…"
head -c $((size * 1024 * 1024)) /dev/urandom > big.mp4

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

cat big.mp4 >/dev/null   # warm the page cache so every tool reads from memory
t_add=$(secs "$S" add big.mp4 -o case.zip --key k.pem)
cat case.zip >/dev/null
t_openssl=$(secs openssl dgst -sha256 big.mp4)
t_sha256sum=$(secs sha256sum big.mp4)
t_verify=$(secs "$S" verify case.zip -q)
rss_add=$(rm -f case2.zip; rss "$S" add big.mp4 -o case2.zip --key k.pem)
rss_verify=$(rss "$S" verify case.zip -q)

mb=$size
printf '\n%-28s %8s %10s %8s\n' "tool (${size} MiB)" "seconds" "MiB/s" "ratio"
for row in "openssl dgst -sha256:$t_openssl" "sha256sum:$t_sha256sum" "sigillo verify:$t_verify" "sigillo add:$t_add"; do
  name=${row%%:*}; t=${row#*:}
  printf '%-28s %8.2f %10.0f %8.2f\n' "$name" "$t" "$(echo "$mb / $t" | bc -l)" "$(echo "$t_openssl / $t" | bc -l)"
done
echo "(ratio = openssl time / tool time; >= 0.9 is the target for sigillo verify)"
printf '\npeak RSS: sigillo add %d MiB, sigillo verify %d MiB (target < 64 MiB)\n' $((rss_add / 1024)) $((rss_verify / 1024))
