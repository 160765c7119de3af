#!/usr/bin/env bash
# Issue 17, second round (branch perf2): the figures that judge it, in one H200 call of about
# two minutes. Run from a directory holding `dist/` (this build) beside `../.dist-base/` (the
# build to compare with), as the lead's lease does:
#   source .device/setup.sh && cd .perf && bash dist-run.sh      (dist-run.sh: a copy of this file)
# Writes 8 files under $OUT (the device tool's limit); prints a short log.
set -o pipefail
B=${BASE:-$PWD/../.dist-base}
L=$OUT/h200-perf2-log.log
{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv
  date -u
  echo "== small evaluations, per call, this build then the base (4,000 calls, blocks of 50)"
  node dist/bench/probes/eval-split.js --calls 4000 --json "$OUT/h200-perf2-split-new.json"
  node dist/bench/probes/eval-split.js --calls 4000 --lib "$B/src/index.js" --json "$OUT/h200-perf2-split-base.json"
  echo "== bench tiny-eval, logistic-5: two runs of this build"
  node dist/bench/main.js --only tiny-eval,logistic-5 --json "$OUT/h200-perf2-small-1.json"
  node dist/bench/main.js --only tiny-eval,logistic-5 --json "$OUT/h200-perf2-small-2.json"
  echo "== base build, same workloads"
  node "$B/bench/main.js" --only tiny-eval,logistic-5
  echo "== fill and iota in a fresh process (later workloads of a long process run at half speed, reference included)"
  node dist/bench/main.js --only fill,iota --json "$OUT/h200-perf2-fill-iota.json"
  echo "== the other kernels"
  node dist/bench/main.js --only reduce-sum,reduce-rows,scan,scan-tiles4,scan-tiles16,softmax,map --json "$OUT/h200-perf2-kernels.json"
  echo "== write-only layouts, raw"
  node dist/bench/probes/write-kernels.js --json "$OUT/h200-perf2-write-kernels.json"
  echo "== kernel tests on the H200"
  node --expose-gc --test dist/test/kernels-elementwise.test.js dist/test/kernels-reduce.test.js dist/test/kernels-f16.test.js 2>&1 | grep -E '^# (tests|pass|fail)|^not ok|^    not ok'
  date -u
} 2>&1 | grep -v "^Warning: \|artificially reduced" | tee "$L"
