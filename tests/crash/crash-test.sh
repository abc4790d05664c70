#!/usr/bin/env bash
# Crash test of `ponder run`: a sweep killed with SIGKILL at 5 random moments and resumed each time must end with
# exactly the rows of an uninterrupted sweep (wall-clock times aside), with no duplicates.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
echo "work folder: $work"

dotnet build src/Ponder.Cli -c Release -v quiet -nologo >/dev/null
ponder() { dotnet src/Ponder.Cli/bin/Release/net10.0/Ponder.Cli.dll "$@"; }

ponder bench train --config tests/crash/tiny.train.json --steps 3 --save "$work/tiny.gguf" >/dev/null
args=(run --model "$work/tiny.gguf" --limit 400 --budgets 1,4,16 --strategies sampling,majority,revision,adaptive-consistency --seed 3)

start=$(date +%s.%N)
ponder "${args[@]}" --store "$work/straight.db" >/dev/null
echo "uninterrupted sweep: $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"

# Bytes in the store and its write-ahead log: they grow as the sweep writes rows.
written() { { cat "$work"/crashed.db* 2>/dev/null || true; } | wc -c; }

midrun=0
for kill in 1 2 3 4 5; do
  before=$(written)
  ponder "${args[@]}" --store "$work/crashed.db" --resume >/dev/null 2>&1 &
  pid=$!
  # Kill at a random moment after the resumed sweep has written something new, so that every kill lands mid-run.
  for _ in $(seq 400); do
    [ "$(written)" -gt "$before" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  sleep "$(awk -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.2f", rand() * 0.5 }')"
  if kill -9 "$pid" 2>/dev/null; then state="killed mid-run"; midrun=$((midrun + 1)); else state="had already finished"; fi
  wait "$pid" 2>/dev/null || true
  ponder export --store "$work/crashed.db" -o "$work/partial.jsonl" >/dev/null 2>&1
  echo "kill $kill: $state, $(wc -l < "$work/partial.jsonl") rows stored"
done
[ "$midrun" -eq 5 ] || { echo "only $midrun of 5 kills landed mid-run: make the sweep longer" >&2; exit 1; }
ponder "${args[@]}" --store "$work/crashed.db" --resume >/dev/null

ponder export --store "$work/straight.db" -o "$work/straight.jsonl" >/dev/null
ponder export --store "$work/crashed.db" -o "$work/crashed.jsonl" >/dev/null
python3 - "$work/straight.jsonl" "$work/crashed.jsonl" <<'PY'
import json, sys
def rows(path):
    out = []
    for line in open(path):
        row = json.loads(line)
        body = row.get("sample") or row.get("result")
        body.pop("WallSeconds", None)
        out.append(json.dumps(row, sort_keys=True))
    return out
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert len(b) == len(set(b)), "duplicate rows after resuming"
assert a == b, f"resumed sweep differs: {len(a)} rows uninterrupted, {len(b)} after crashes"
print(f"crash test: {len(a)} rows identical after 5 SIGKILLs and resumes")
PY
