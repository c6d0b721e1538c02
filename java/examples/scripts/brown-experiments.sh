#!/usr/bin/env bash
# Issue 13, experiments 1 and 2 as the README reports them (2026-12-02; MoS with linear contexts, d = 128 and 256 2026-12-03): each model trains 250 steps
# (0.35 epoch) on Brown, then eval on test and diagnose on valid. About 2-5 minutes a model on 2 cores (MoS at d = 256: about 15).
#   bash java/examples/scripts/brown-experiments.sh RUNS_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
runs=${1:-runs}; mkdir -p "$runs"
beyond() { "$root/beyond" "$@"; }
one() { # name, then train options; $contexts: how many contexts diagnose ranks log p on
  local name=$1; shift
  [[ -f $runs/$name-test.json ]] && return
  beyond train --corpus brown "$@" --epochs 1 --max-steps 250 --seed 1 --out "$runs/$name"
  beyond eval --model "$runs/$name" --corpus brown --split test --json "$runs/$name-test.json"
  beyond diagnose --model "$runs/$name" --corpus brown --split valid --windows 16 --contexts "$contexts" \
      --json "$runs/$name-diag.json" --plots "$runs/$name-plots"
}
slug() { echo "$1" | tr ':=,.' '____'; }
contexts=128
# 1. the Transformer (d = 64, 2 blocks, 4 heads) with each attention normaliser, softmax head
for a in softmax sparsemax entmax:alpha=1.5 entmax:alpha=1.5,learn-alpha=true ssmax:learn-s=true softpick sigmoid; do
  one "tf64-$(slug $a)" --backbone transformer --hidden 64 --layers 2 --attention-heads 4 --attention "$a" --head softmax
done
# 2. hidden size x head x backbone
for d in 16 32 64 128 256; do
  # log p has rank <= d + 2 under a softmax head: from d = 128 on, 128 contexts could not show it
  (( d >= 128 )) && contexts=512
  for h in softmax sigsoftmax plif:knots=1000 mos:components=3 mos:components=3,tanh=false; do
    one "lstm$d-$(slug $h)" --embed $d --hidden $d --head "$h"
    one "transformer$d-$(slug $h)" --backbone transformer --hidden $d --layers 2 --attention-heads 4 --head "$h"
  done
done
java -cp "$root/java/target/beyond-app.jar:$root/java/target/lib/*" "$root/java/examples/scripts/PlotPerplexityAgainstD.java" \
    "$runs" "$runs/bottleneck-brown.png"
