/**
 * What the event stream costs: `node dist/bench/events-cost.js [--reps N] [--evals N]` (or
 * `npm run bench:events`). A tiny evaluation (4 floats up, one dispatch, 4 floats back, the
 * workload where host costs dominate) is timed in rounds that alternate three ways: events off
 * (no listener: every site is one false boolean check), events on with a listener that does
 * nothing (the cost of building and handing out the events), and a trace recording. Prints the
 * median µs per evaluation of each and the differences; the off figure against a build without
 * the hooks is the boolean checks alone (about a dozen per evaluation), below what this can
 * resolve, which the second line shows directly.
 */
import { parseArgs } from 'node:util';
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '15' }, evals: { type: 'string', default: '200' } } });
const reps = Number(values.reps);
const evals = Number(values.evals);

await using mgr = await Manager.create();
const info = mgr.deviceInfo();
const a = mgr.tensor([1, 2, 3, 4]);
const out = mgr.tensor(4, 'f32');
const algo = mgr.algorithm(
  [a, out],
  `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { o[id.x] = a[id.x] + 1.0; }`,
);
const seq = mgr
  .sequence()
  .record(new OpSyncDevice([a]))
  .record(new OpAlgoDispatch(algo))
  .record(new OpSyncLocal([out]));

async function round(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < evals; i++) await seq.eval();
  return ((performance.now() - t0) * 1000) / evals;
}

type Mode = 'off' | 'on' | 'trace';
const samples: Record<Mode, number[]> = { off: [], on: [], trace: [] };
async function run(mode: Mode): Promise<void> {
  if (mode === 'off') {
    samples.off.push(await round());
  } else if (mode === 'on') {
    const stop = mgr.on(() => {}, 'debug');
    samples.on.push(await round());
    stop();
  } else {
    const recorder = mgr.startTrace();
    samples.trace.push(await round());
    recorder.stop();
  }
}

await round(); // warm-up: compile, pool, plan cache
const orders: Mode[][] = [
  ['off', 'on', 'trace'],
  ['on', 'trace', 'off'],
  ['trace', 'off', 'on'],
];
for (let r = 0; r < reps; r++) for (const mode of orders[r % orders.length]!) await run(mode);

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const off = median(samples.off);
const on = median(samples.on);
const trace = median(samples.trace);
// The off path in isolation: the one check each site makes, timed over many iterations.
const hub = { enabled: false };
let hits = 0;
const n = 50_000_000;
const c0 = performance.now();
for (let i = 0; i < n; i++) if (hub.enabled) hits++;
const checkNs = ((performance.now() - c0) * 1e6) / n;

console.log(`events cost on ${info.description || info.device} (${info.vendor}), ${reps} rounds of ${evals} tiny evaluations each way`);
console.log(`  off (no listener):        ${off.toFixed(2)} µs per evaluation`);
console.log(`  on (a no-op listener):    ${on.toFixed(2)} µs per evaluation (${(on - off).toFixed(2)} µs, ${(((on - off) / off) * 100).toFixed(1)} % over off)`);
console.log(
  `  trace (startTrace):       ${trace.toFixed(2)} µs per evaluation (${(trace - off).toFixed(2)} µs, ${(((trace - off) / off) * 100).toFixed(1)} % over off; GPU timestamps ${mgr.deviceInfo().features.includes('timestamp-query') ? 'on' : 'unavailable'})`,
);
console.log(`  one off-path check:       ${checkNs.toFixed(3)} ns (${hits} hits); about 12 per evaluation = ${((checkNs * 12) / 1000).toFixed(4)} µs`);
