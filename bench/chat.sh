#!/usr/bin/env bash
# Parse + transcribe + seal a WhatsApp export and a Telegram JSON export of N messages;
# prints messages/second and peak RSS of `sigillo add` (release build), against `wc -l` and
# `grep -c` over the same file in the same run.
#
#   bench/chat.sh [MESSAGES]     default 200000; bench/chat.sh 1000000 is the issue's run
#                                (about 75 MiB of WhatsApp text; targets: peak RSS < 100
#                                MiB, >= 100,000 messages/s on 2 cores)
#   BENCH_TELEGRAM=0 bench/chat.sh …   skip the Telegram run
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
cargo build --release -q
S=${CARGO_TARGET_DIR:-$PWD/target}/release/sigillo
w=$(mktemp -d /tmp/sigillo-chat-bench.XXXXXX)
trap 'rm -rf "$w"' EXIT
python3 - "$w/chat.txt" "$w/result.json" "$n" <<'PY'
import sys, random, json
random.seed(1)
txt, js, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
words = "ciao come stai ti ho visto ieri la foto non va bene cancella subito per favore".split()
with open(txt, "w") as f, open(js, "w") as g:
    f.write("01/01/2024, 00:00 - Messages and calls are end-to-end encrypted.\n")
    g.write('{\n "name": "Giulia",\n "type": "personal_chat",\n "id": 1,\n "messages": [\n')
    for i in range(n):
        d, m = 1 + (i // 1440) % 28, 1 + (i // 40320) % 12
        hh, mm = (i // 60) % 24, i % 60
        who = ("Giulia", "Marco X")[i % 2]
        text = " ".join(random.choice(words) for _ in range(random.randint(3, 15)))
        f.write(f"{d:02d}/{m:02d}/2024, {hh:02d}:{mm:02d} - {who}: {text}\n")
        if i % 50 == 0:
            f.write("a second line of the same message\n")
            text += "\na second line of the same message"
        msg = {"id": i + 1, "type": "message", "date": f"2024-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:00",
               "date_unixtime": str(1704067200 + i * 60), "from": who, "from_id": f"user{i % 2}",
               "text": text, "text_entities": [{"type": "plain", "text": text}]}
        g.write(("  " if i == 0 else ",\n  ") + json.dumps(msg, ensure_ascii=False))
    g.write("\n ]\n}\n")
PY
"$S" key new --out "$w/k.pem" --name Bench >/dev/null 2>&1
t0=$(date +%s.%N); wc -l "$w/chat.txt" >/dev/null; t1=$(date +%s.%N)
grep -c ' - Giulia: ' "$w/chat.txt" >/dev/null; t2=$(date +%s.%N)
wc=$(echo "$t1 - $t0" | bc -l); gr=$(echo "$t2 - $t1" | bc -l)
echo "chat: $n messages"
printf '%-44s %8.2f s\n' "wc -l (baseline)" "$wc" "grep -c (baseline)" "$gr"

# run LABEL FILE AS: sigillo add of one export into a fresh bundle; time, msg/s, peak RSS
run() {
    rm -f "$w/case.zip"
    local size t3 t4 sg
    size=$(du -m "$2" | cut -f1)
    t3=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$w/rss" "$S" add "$2" -o "$w/case.zip" --key "$w/k.pem" --as "$3" 2>/dev/null
    t4=$(date +%s.%N)
    sg=$(echo "$t4 - $t3" | bc -l)
    printf '%-44s %8.2f s  %8.0f msg/s  (%.0fx grep)  peak RSS %d MiB\n' \
        "sigillo add $1 (${size} MiB)" "$sg" "$(echo "$n / $sg" | bc -l)" \
        "$(echo "$sg / $gr" | bc -l)" "$(($(cat "$w/rss") / 1024))"
}
run "WhatsApp text" "$w/chat.txt" chat-whatsapp
if [ "${BENCH_TELEGRAM:-1}" != 0 ]; then
    run "Telegram JSON" "$w/result.json" chat-telegram
fi
echo "bundle of the last run: $(du -m "$w/case.zip" | cut -f1) MiB"
