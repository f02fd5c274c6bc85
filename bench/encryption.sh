#!/usr/bin/env bash
# Verify with an identity of an encrypted bundle against verify of the same bundle
# unencrypted, measured in the same run and printed as ratios; plus peak RSS.
#
#   bench/encryption.sh [SIZE_MIB]      default 1024 (one 1 GiB file); needs ~3x that in /tmp
#
# Targets (issue #15): verify --identity of the encrypted bundle within 1.5x of verify of
# the plain one; peak RSS < 64 MiB. Needs age-keygen (apt-get install age).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
cargo build --release -q
S=$PWD/target/release/sigillo
w=$(mktemp -d /tmp/sigillo-bench.XXXXXX)
trap 'rm -rf "$w"' EXIT
cd "$w"
"$S" key new --out k.pem --name Bench >/dev/null 2>&1
age-keygen -o id.txt 2>/dev/null && chmod 600 id.txt
R=$(age-keygen -y id.txt)
echo "generating a ${size} MiB file of random bytes (incompressible)…"
head -c $((size * 1024 * 1024)) /dev/urandom > big.mp4

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

cat big.mp4 >/dev/null
t_add_plain=$(secs "$S" add big.mp4 -o plain.zip --key k.pem)
t_add_enc=$(secs "$S" add big.mp4 -o enc.zip --key k.pem --encrypt-to "$R")
cat plain.zip enc.zip >/dev/null   # both in the page cache
t_plain=$(secs "$S" verify plain.zip -q)
t_enc=$(secs "$S" verify enc.zip -q)
t_enc_id=$(secs "$S" verify enc.zip -q --identity id.txt)
rss_plain=$(rss "$S" verify plain.zip -q)
rss_enc_id=$(rss "$S" verify enc.zip -q --identity id.txt)
rss_add_enc=$(rm -f enc2.zip; rss "$S" add big.mp4 -o enc2.zip --key k.pem --encrypt-to "$R")

printf '\n%-40s %8s %10s %8s\n' "command (${size} MiB)" "seconds" "MiB/s" "ratio"
for row in "verify plain:$t_plain" "verify encrypted, no identity:$t_enc" "verify encrypted --identity:$t_enc_id" "add plain:$t_add_plain" "add --encrypt-to:$t_add_enc"; do
  name=${row%%:*}; t=${row#*:}
  printf '%-40s %8.2f %10.0f %8.2f\n' "$name" "$t" "$(echo "$size / $t" | bc -l)" "$(echo "$t / $t_plain" | bc -l)"
done
echo "(ratio = time / plain verify time; target for verify --identity: <= 1.5)"
printf '\npeak RSS: verify plain %d MiB, verify --identity %d MiB, add --encrypt-to %d MiB (target < 64 MiB)\n' \
  $((rss_plain / 1024)) $((rss_enc_id / 1024)) $((rss_add_enc / 1024))
