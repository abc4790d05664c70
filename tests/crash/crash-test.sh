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

for kill in 1 2 3 4 5; do
  ponder "${args[@]}" --store "$work/crashed.db" --resume >/dev/null 2>&1 &
  pid=$!
  sleep "$(python3 -c "import random; print(round(random.uniform(1.3, 3.0), 2))")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  ponder export --store "$work/crashed.db" -o "$work/partial.jsonl" >/dev/null 2>&1 && echo "after kill $kill: $(wc -l < "$work/partial.jsonl") rows" || echo "after kill $kill: no store yet"
done
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
