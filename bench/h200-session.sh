#!/usr/bin/env bash
# Issues 14 and 17, fourth session, in one GPU call: the ranged readback against the base build
# (bench/h200-range-reduce.sh, without the reductions), the scan and reduction probes, two full
# bench runs (the second with the chart), then the kernel tests on the GPU. Run from the
# repository root with `dist/` (this build) and `.dist-base/` (the base build):
#   source .device/setup.sh && bash bench/h200-session.sh
# Logs and JSON go under $OUT, 8 files (what the device tool brings back): the range log and its two
# JSON files, the probes' text, the full runs' JSON and the chart. FULL=0 leaves out the full runs.
set -o pipefail
quiet() { grep -v "^Warning: \|artificially reduced"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv,noheader
ROUNDS=2 REDUCE=0 bash bench/h200-range-reduce.sh | grep -v "^#\|^ok"
for p in scan-variants reduce-variants; do
  node dist/bench/probes/$p.js 2>&1 | quiet | tee "$OUT/$p.txt"
done
if [[ ${FULL:-1} != 0 ]]; then
  for run in 1 2; do
    svg=()
    [[ $run == 2 ]] && svg=(--svg "$OUT/h200.svg")
    echo "== full run $run"
    node dist/bench/main.js --json "$OUT/full-$run.json" "${svg[@]}" --dawn-flags enable-dawn-features=allow_unsafe_apis 2>&1 | quiet | grep '^  '
  done
fi
echo "== kernel tests on the GPU"
node --expose-gc --test dist/test/kernels-reduce.test.js dist/test/kernels-f16.test.js dist/test/kernel-examples.test.js dist/test/views.test.js dist/test/ranged-readback-model.test.js 2>&1 | grep -E '^# (tests|pass|fail)|^not ok|^    not ok'
date -u
