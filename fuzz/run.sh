#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 300), one after another, with the
# committed seeds (fuzz/seeds/<target>) and the growing corpus (fuzz/corpus/<target>).
# Prints, per target, the executions reached and whether a crash was found; crashing
# inputs land in fuzz/artifacts/<target>/. Needs nightly and cargo-fuzz:
#   cargo install cargo-fuzz --locked
# Usage: fuzz/run.sh [SECONDS] [TARGET…]
# FUZZ_NO_BUILD=1 runs the binaries built last (fuzz/target/…/release/<target>) without
# rebuilding, so that editing the main crate during a long campaign does not restart it.
set -u
cd "$(dirname "$0")"
secs="${1:-300}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(verify_bytes verify_mutate whatsapp telegram tsp custody)
fi
# Panics are what we look for: Rust is memory-safe here (#![forbid(unsafe_code)]), so
# no sanitizer; debug assertions catch integer overflow.
flags=(--sanitizer none --debug-assertions)
bin_dir=target/x86_64-unknown-linux-gnu/release
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
    nice -n 10 cargo +nightly fuzz build "${flags[@]}" || exit 2
fi
mkdir -p logs
status=0
summary=""
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    before=$(ls "artifacts/$t" | wc -l)
    log="logs/$t.log"
    echo "== $t: ${secs}s" >&2
    # One worker, one job: the machine is shared.
    nice -n 10 "$bin_dir/$t" "corpus/$t" "seeds/$t" -artifact_prefix="artifacts/$t/" \
        -max_total_time="$secs" -print_final_stats=1 -timeout=20 -rss_limit_mb=3072 \
        -max_len=262144 >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    if [ -z "$execs" ]; then
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    after=$(ls "artifacts/$t" | wc -l)
    if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
        verdict="CRASH (exit $rc; $((after - before)) new in fuzz/artifacts/$t; see fuzz/$log)"
        status=1
    else
        verdict="no crash"
    fi
    line=$(printf '%-14s %12s execs  %s' "$t" "${execs:-?}" "$verdict")
    echo "$line" >&2
    summary+="$line"$'\n'
done
printf '\n%s' "$summary"
exit $status
