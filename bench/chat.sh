#!/usr/bin/env bash
# Parse + transcribe + seal a 200,000-message WhatsApp export; prints messages/second and
# peak RSS, against `wc -l` and `grep -c` over the same file in the same run.
#
#   bench/chat.sh [MESSAGES]     default 200000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
cargo build --release -q
S=$PWD/target/release/sigillo
w=$(mktemp -d /tmp/sigillo-chat-bench.XXXXXX)
trap 'rm -rf "$w"' EXIT
python3 - "$w/chat.txt" "$n" <<'PY'
import sys, random
random.seed(1)
path, n = sys.argv[1], int(sys.argv[2])
words = "ciao come stai ti ho visto ieri la foto non va bene cancella subito per favore".split()
with open(path, "w") as f:
    f.write("01/01/2024, 00:00 - Messages and calls are end-to-end encrypted.\n")
    for i in range(n):
        d, m = 1 + (i // 1440) % 28, 1 + (i // 40320) % 12
        who = ("Giulia", "Marco X")[i % 2]
        text = " ".join(random.choice(words) for _ in range(random.randint(3, 15)))
        f.write(f"{d:02d}/{m:02d}/2024, {(i // 60) % 24:02d}:{i % 60:02d} - {who}: {text}\n")
        if i % 50 == 0:
            f.write("a second line of the same message\n")
PY
"$S" key new --out "$w/k.pem" --name Bench >/dev/null 2>&1
size=$(du -m "$w/chat.txt" | cut -f1)
t0=$(date +%s.%N); wc -l "$w/chat.txt" >/dev/null; t1=$(date +%s.%N)
grep -c ' - Giulia: ' "$w/chat.txt" >/dev/null; t2=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$w/rss" "$S" add "$w/chat.txt" -o "$w/case.zip" --key "$w/k.pem" --as chat-whatsapp 2>/dev/null; t3=$(date +%s.%N)
wc=$(echo "$t1 - $t0" | bc -l); gr=$(echo "$t2 - $t1" | bc -l); sg=$(echo "$t3 - $t2" | bc -l)
echo "chat: $n messages, ${size} MiB"
printf '%-40s %8.2f s\n' "wc -l (baseline)" "$wc" "grep -c (baseline)" "$gr"
printf '%-40s %8.2f s  %8.0f msg/s  (%.0fx grep)\n' "sigillo add (parse+transcript+seal)" "$sg" "$(echo "$n / $sg" | bc -l)" "$(echo "$sg / $gr" | bc -l)"
echo "peak RSS of sigillo add: $(( $(cat "$w/rss") / 1024 )) MiB"
