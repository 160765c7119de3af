/** The timeline: a recorded trace in the Chrome trace event format parses, nests, and carries GPU times where the device has timestamp-query. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { renderTraceSvg } from '../bench/trace-render.js';
import { type ChromeTraceEvent, Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, toChromeTrace } from '../src/index.js';
import { DOUBLE_SHADER } from './helpers.js';

describe('trace', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await Manager.create();
  });
  after(() => mgr.destroy());

  test('startTrace() records evaluations; toChromeTrace() gives JSON whose phases nest in their evaluation and whose GPU spans are there where timestamp-query is', async () => {
    const recorder = mgr.startTrace();
    const input = mgr.tensor([1, 2, 3, 4]);
    const out = mgr.tensor(4, 'f32');
    const algo = mgr.algorithm([input, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    const evals = 3;
    for (let i = 0; i < evals; i++) await seq.eval(new OpSyncDevice([input]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    const trace = recorder.stop();
    assert.deepEqual(Array.from(out.data()), [2, 4, 6, 8]);
    assert.equal(recorder.stop().events.length, trace.events.length, 'stop() is idempotent and records nothing after');
    const hasTimestamps = mgr.deviceInfo().features.includes('timestamp-query');
    assert.equal(trace.gpuTimes, hasTimestamps);

    const parsed = JSON.parse(JSON.stringify(toChromeTrace(trace))) as { traceEvents: ChromeTraceEvent[]; displayTimeUnit: string };
    assert.equal(parsed.displayTimeUnit, 'ms');
    for (const e of parsed.traceEvents) {
      assert.ok(['X', 'i', 'M'].includes(e.ph), `phase ${e.ph}`);
      assert.equal(typeof e.pid, 'number');
      assert.equal(typeof e.tid, 'number');
      if (e.ph !== 'M') assert.ok(typeof e.ts === 'number' && e.ts >= 0, `${e.name} has a time`);
      if (e.ph === 'X') assert.ok(typeof e.dur === 'number' && e.dur >= 0, `${e.name} has a duration`);
    }
    const host = parsed.traceEvents.filter((e) => e.ph === 'X' && e.pid === 1);
    const evalSpans = host.filter((e) => e.cat === 'eval');
    assert.equal(evalSpans.length, evals);
    const phases = host.filter((e) => e.cat === 'phase');
    for (const name of ['validate', 'plan', 'encode', 'submit', 'map'])
      assert.ok(
        phases.some((p) => p.name === name),
        `a ${name} span`,
      );
    for (const p of phases) {
      const parent = evalSpans.find((s) => s.tid === p.tid && s.ts! <= p.ts! + 1e-3 && p.ts! + p.dur! <= s.ts! + s.dur! + 1e-3);
      assert.ok(parent, `${p.name} at ${p.ts} nests in an evaluation span`);
    }
    const gpu = parsed.traceEvents.filter((e) => e.ph === 'X' && e.pid === 2);
    if (hasTimestamps) {
      assert.equal(gpu.length, evals, 'one GPU span per dispatch');
      for (const g of gpu) {
        assert.match(g.name, /OpAlgoDispatch/);
        const evaluation = evalSpans.find((s) => s.ts! <= g.ts! + 1e-3 && g.ts! + g.dur! <= s.ts! + s.dur! + 1e-3);
        assert.ok(evaluation || g.dur! > 0, 'a GPU span lies within its evaluation (when shorter than its submit-to-done window)');
      }
    } else {
      assert.equal(gpu.length, 0, 'no GPU spans without timestamp-query');
    }
    assert.ok(parsed.traceEvents.some((e) => e.ph === 'i' && e.name === 'resource.created'));

    const svg = renderTraceSvg(toChromeTrace(trace), 'test');
    assert.match(svg, /^<svg /);
    assert.ok((svg.match(/<rect x=/g) ?? []).length >= host.length + gpu.length, 'a bar per span');
    for (const r of [seq, algo, input, out]) r.destroy();
  });

  test('a sequence timed by a trace keeps its own getTimestamps() state: untimed sequences report none', async () => {
    const recorder = mgr.startTrace();
    const t = mgr.tensor([1, 2, 3, 4]);
    const algo = mgr.algorithm([t, mgr.tensor(4, 'f32')], DOUBLE_SHADER);
    const seq = mgr.sequence();
    await seq.eval(new OpAlgoDispatch(algo));
    recorder.stop();
    assert.throws(() => seq.getTimestamps(), /timestamps/);
  });
});
