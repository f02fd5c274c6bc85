#!/usr/bin/env bash
# Parse + transcribe + seal exports of N messages each (WhatsApp text, Telegram JSON, an
# Instagram inbox folder of message_N.json files of 10,000 messages each, newest first,
# with mojibake, and a Telegram HTML export of pages of 1,000 messages); prints
# messages/second and peak RSS of `sigillo add` (release build), against `wc -l` and
# `grep -c` over the WhatsApp text in the same run.
#
#   bench/chat.sh [MESSAGES]     default 200000; bench/chat.sh 1000000 is the issue's run
#                                (about 75 MiB of WhatsApp text; targets: peak RSS < 100
#                                MiB, >= 100,000 messages/s on 2 cores)
#   BENCH_TELEGRAM=0 bench/chat.sh …        skip the Telegram JSON run
#   BENCH_INSTAGRAM=0 bench/chat.sh …       skip the Instagram run
#   BENCH_TELEGRAM_HTML=0 bench/chat.sh …   skip the Telegram HTML run
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
if [ "${BENCH_INSTAGRAM:-1}" != 0 ]; then
python3 - "$w/inbox/giulia_1234" "$n" <<'PY'
# Instagram: message_1.json holds the newest 10,000 messages, message_2.json the 10,000
# before, …; within a file newest first. Meta writes UTF-8 as Latin-1 escapes (mojibake).
import sys, os, random, json
random.seed(2)
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
moji = lambda s: s.encode("utf-8").decode("latin-1")
words = "ciao come stai ti ho visto ieri la foto non va bene cancella subito perché già".split()
per = 10000
files = (n + per - 1) // per
people = [{"name": "Giulia"}, {"name": moji("Marco Nèri")}]
for k in range(files):
    hi = n - k * per          # newest message number in this file
    lo = max(0, hi - per)
    msgs = []
    for i in range(hi - 1, lo - 1, -1):
        text = " ".join(random.choice(words) for _ in range(random.randint(3, 15)))
        m = {"sender_name": people[i % 2]["name"], "timestamp_ms": 1704067200000 + i * 60000,
             "content": moji(text), "is_geoblocked_for_viewer": False}
        if i % 100 == 0:
            m["reactions"] = [{"reaction": moji("😢"), "actor": people[(i + 1) % 2]["name"]}]
        msgs.append(m)
    doc = {"participants": people, "messages": msgs, "title": moji("Marco Nèri"),
           "is_still_participant": True, "thread_path": "inbox/giulia_1234"}
    with open(os.path.join(d, f"message_{k + 1}.json"), "w") as f:
        json.dump(doc, f, indent=2)
PY
fi
if [ "${BENCH_TELEGRAM_HTML:-1}" != 0 ]; then
python3 - "$w/tg-html" "$n" <<'PY'
# Telegram Desktop HTML: messages.html, messages2.html … of 1,000 messages each, in the
# app's markup (a message after one by the same sender is "joined": no name, no picture).
import sys, os, random, html
random.seed(3)
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
words = "ciao come stai ti ho visto ieri la foto non va bene cancella subito <per> favore & basta".split()
per = 1000
head = """<!DOCTYPE html>
<html>
 <head>
  <meta charset="utf-8"/>
<title>Exported Data</title>
  <link href="css/style.css" rel="stylesheet"/>
 </head>
 <body onload="CheckLocation();">
  <div class="page_wrap">
   <div class="page_header">
    <div class="content">
     <div class="text bold">
Giulia
     </div>
    </div>
   </div>
   <div class="page_body chat_page">
    <div class="history">
"""
for p in range((n + per - 1) // per):
    out = [head]
    for i in range(p * per, min(n, (p + 1) * per)):
        d0, m0 = 1 + (i // 1440) % 28, 1 + (i // 40320) % 12
        hh, mm = (i // 60) % 24, i % 60
        who = ("Giulia", "Marco X")[(i // 3) % 2]
        joined = i % 3 != 0
        text = html.escape(" ".join(random.choice(words) for _ in range(random.randint(3, 15))))
        out.append(f'     <div class="message default clearfix{" joined" if joined else ""}" id="message{i + 1}">\n')
        if not joined:
            out.append(f'      <div class="pull_left userpic_wrap"><div class="userpic userpic2" style="width: 42px; height: 42px"><div class="initials" style="line-height: 42px">{who[0]}</div></div></div>\n')
        out.append(f'      <div class="body">\n       <div class="pull_right date details" title="{d0:02d}.{m0:02d}.2024 {hh:02d}:{mm:02d}:00 UTC+01:00">\n{hh:02d}:{mm:02d}\n       </div>\n')
        if not joined:
            out.append(f'       <div class="from_name">\n{who}\n       </div>\n')
        out.append(f'       <div class="text">\n{text}\n       </div>\n      </div>\n     </div>\n')
    out.append("    </div>\n   </div>\n  </div>\n </body>\n</html>\n")
    name = "messages.html" if p == 0 else f"messages{p + 1}.html"
    with open(os.path.join(d, name), "w") as f:
        f.write("".join(out))
PY
fi
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
    size=$(du -sm "$2" | cut -f1)
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
if [ "${BENCH_INSTAGRAM:-1}" != 0 ]; then
    run "Instagram folder" "$w/inbox/giulia_1234" chat-instagram
fi
if [ "${BENCH_TELEGRAM_HTML:-1}" != 0 ]; then
    run "Telegram HTML" "$w/tg-html" chat-telegram-html
fi
echo "bundle of the last run: $(du -m "$w/case.zip" | cut -f1) MiB"
