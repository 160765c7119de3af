#!/usr/bin/env bash
# Issues 14 and 17, third session: the ranged readback (sync-local-range) and the whole-tensor
# reduction (reduce-sum) of this build against the build main began the session with, in one H200
# call, each workload in a fresh process (late in a long process the element-wise reference
# itself slows down), interleaved new / base / new / base; then the tests that judge correctness.
# Run from the repository root with `dist/` (this build) and `.dist-base/` (the base build):
#   source .device/setup.sh && bash bench/h200-range-reduce.sh
# ROUNDS (default 2) and REDUCE=0 (leave out the reductions) shorten it.
# Writes its log and the JSON of each run under $OUT.
set -o pipefail
B=${BASE:-$PWD/.dist-base}
L=$OUT/h200-range-reduce.log
{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv
  date -u
  for round in $(seq 1 "${ROUNDS:-2}"); do
    echo "== round $round: sync-local-range and reduce-sum, this build"
    node dist/bench/main.js --only sync-local-range --json "$OUT/range-new-$round.json" | grep '^  '
    [[ ${REDUCE:-1} == 0 ]] || node dist/bench/main.js --only reduce-sum,reduce-rows --json "$OUT/reduce-new-$round.json" | grep '^  '
    echo "== round $round: the base build"
    node "$B/bench/main.js" --only sync-local-range | grep '^  '
    [[ ${REDUCE:-1} == 0 ]] || node "$B/bench/main.js" --only reduce-sum,reduce-rows | grep '^  '
  done
  echo "== tests on the H200: views, the ranged-readback model, kernels"
  node --expose-gc --test dist/test/views.test.js dist/test/ranged-readback-model.test.js dist/test/kernels-reduce.test.js dist/test/large-tensors.test.js 2>&1 | grep -E '^# (tests|pass|fail)|^not ok|^    not ok'
  date -u
} 2>&1 | grep -v "^Warning: \|artificially reduced" | tee "$L"
