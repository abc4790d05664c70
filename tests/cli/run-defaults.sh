#!/usr/bin/env bash
# `ponder run` as the README and issue 4 write it, with nothing but the task's defaults: without --store it writes a new
# store under runs/ and says how to resume it; on arith the verifier strategies get the policy's confidence; --prm none
# leaves them out; --resume without --store is refused with a message. And `ponder solve` refuses an expression that
# is not arith's with one line, not a stack trace, and runs its default strategy with the same default verifier.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

dotnet build src/Ponder.Cli -c Release -v quiet -nologo >/dev/null
ponder() { dotnet "$repo/src/Ponder.Cli/bin/Release/net10.0/Ponder.Cli.dll" "$@"; }
fail() { echo "run-defaults: $*" >&2; exit 1; }
cd "$work"

ponder run --task arith --split test --limit 2 --strategies beam,majority --budgets 4 --json defaults.json > defaults.log
stores=(runs/run-*.db)
[ -f "${stores[0]}" ] || fail "no store written under runs/"
grep -q -- "--store $work/${stores[0]} --resume" <(tr -d '\n' < defaults.log) || fail "the log does not say how to resume: $(cat defaults.log)"
python3 - defaults.json <<'PY' || fail "defaults.json: $(cat defaults.json)"
import json, sys
rows = {r["strategy"]: r for r in json.load(open(sys.argv[1]))["results"]}
assert set(rows) == {"beam", "majority"}, rows
assert rows["beam"]["mean_verifier_flops"] > 0 and rows["majority"]["mean_verifier_flops"] == 0, rows
PY

ponder run --limit 1 --strategies all --budgets 1 --prm none --store none.db --json none.json > /dev/null
python3 - none.json <<'PY' || fail "none.json: $(cat none.json)"
import json, sys
names = {r["strategy"] for r in json.load(open(sys.argv[1]))["results"]}
assert names == {"sampling", "majority", "adaptive-consistency", "revision"}, names  # revision works without a verifier
PY

if ponder run --limit 1 --strategies majority --budgets 1 --resume > resume.log 2>&1; then fail "--resume without --store was accepted"; fi
grep -q -- "--resume needs the --store" resume.log || fail "no message for --resume without --store: $(cat resume.log)"
if ponder solve --strategy resample-until-accepted "23+45*2-17" > solve.log 2>&1; then fail "a malformed expression was accepted"; fi
grep -q "^error: '23+45\*2-17' is not an arith expression" solve.log && ! grep -q "   at " solve.log || fail "no one-line error for a malformed expression: $(cat solve.log)"
# solve's default strategy (weighted best-of-N) needs a verifier: like run, it gets the policy's confidence unless --prm none.
ponder solve "((17*4)+39)-8" --budget 2 > solve-default.log 2>&1 || fail "solve with its defaults failed: $(cat solve-default.log)"
if ponder solve "((17*4)+39)-8" --budget 2 --prm none > solve-none.log 2>&1; then fail "weighted best-of-N ran with --prm none"; fi
# An output path that is a directory is a one-line error, not a stack trace.
if ponder export --store none.db -o "$work" > export.log 2>&1; then fail "export onto a directory was accepted"; fi
grep -q "^error: " export.log && ! grep -q "   at " export.log || fail "no one-line error for export onto a directory: $(cat export.log)"
# A --json path that is a directory is refused before the sweep, so no store is written for figures that could not be saved.
if ponder run --limit 1 --strategies majority --budgets 1 --store early.db --json "$work" > early.log 2>&1; then fail "--json onto a directory was accepted"; fi
grep -q -- "--json: $work is a directory" early.log && [ ! -e early.db ] || fail "--json onto a directory was not refused first: $(cat early.log)"
# Ctrl+C during `ponder train` stops after the current step and saves a checkpoint of it (README: "Ctrl+C saves a checkpoint").
cat > ctrlc.train.json <<'JSON'
{ "name": "ctrlc", "model": { "contextLength": 64, "modelDim": 16, "layers": 1, "heads": 2, "feedForwardDim": 32 },
  "training": { "steps": 100000, "batchSize": 2, "sequenceLength": 64, "warmupSteps": 2 }, "checkpointEvery": 100000 }
JSON
python3 - "$repo/src/Ponder.Cli/bin/Release/net10.0/Ponder.Cli.dll" <<'PY' || fail "Ctrl+C did not checkpoint the training run: $(cat ctrlc.log)"
import os, signal, subprocess, sys, time
# SIGINT back to its default in the child: a background job of a non-interactive shell (CI may run this script as
# one) starts with SIGINT ignored, the ignoring is inherited through exec, and the runtime then leaves Ctrl+C alone.
p = subprocess.Popen(["dotnet", sys.argv[1], "train", "--config", "ctrlc.train.json", "--run-dir", "ctrlc-run"],
                     stdout=open("ctrlc.log", "w"), stderr=subprocess.STDOUT, start_new_session=True,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
deadline = time.time() + 60
while not (os.path.exists("ctrlc-run/train.log.csv") and sum(1 for _ in open("ctrlc-run/train.log.csv")) > 20):
    assert p.poll() is None and time.time() < deadline, "the run ended or did not start"
    time.sleep(0.1)
p.send_signal(signal.SIGINT)
assert p.wait(60) == 130, p.returncode
last = open("ctrlc-run/train.log.csv").read().splitlines()[-1].split(",")[0]
assert f"stopped at step {last}; checkpoint saved" in open("ctrlc.log").read(), last
PY
ponder train --config ctrlc.train.json --run-dir ctrlc-run --snapshot -o ctrlc.gguf > ctrlc-snapshot.log 2>&1 || fail "no checkpoint after Ctrl+C: $(cat ctrlc-snapshot.log)"
# An --output that is a directory is refused before training, not after the last step.
if ponder train --config ctrlc.train.json --run-dir outdir-run -o "$work" > outdir.log 2>&1; then fail "train onto a directory was accepted"; fi
grep -q -- "^error: --output $work is a directory" outdir.log && [ ! -e outdir-run/checkpoint.ckpt ] || fail "train onto a directory was not refused first: $(cat outdir.log)"
# More problems per level than a split holds is a one-line error, not a stack trace.
if ponder eval --model builtin:arith-small --per-level 100000 --samples 1 > per-level.log 2>&1; then fail "eval beyond the split was accepted"; fi
grep -q "^error: --per-level 100000: the Test split of level 1 seems to hold only" per-level.log && ! grep -q "   at " per-level.log || fail "no one-line error for --per-level beyond the split: $(cat per-level.log)"
# A --json file in a folder that does not exist yet gets the folder, as the store does.
ponder run --limit 1 --strategies majority --budgets 1 --store fresh/runs.db --json fresh/out/summary.json > fresh.log 2>&1 || fail "--json into a new folder failed: $(cat fresh.log)"
[ -s fresh/out/summary.json ] || fail "--json into a new folder wrote nothing: $(cat fresh.log)"
echo "run-defaults: ok"
