/** The manager's event stream: order, levels, and nothing built or emitted while nobody listens. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EventHub } from '../src/core/events.js';
import { consoleLogger, type KomputeEvent, Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { DOUBLE_SHADER, rawDevice, runChild, INDEX_URL, describeChild } from './helpers.js';

async function evalOnce(mgr: Manager): Promise<void> {
  const input = mgr.tensor([1, 2, 3, 4]);
  const out = mgr.tensor(4, 'f32');
  const algo = mgr.algorithm([input, out], DOUBLE_SHADER);
  const seq = mgr.sequence();
  await seq.eval(new OpSyncDevice([input]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
  assert.deepEqual(Array.from(out.data()), [2, 4, 6, 8]);
  for (const r of [seq, algo, input, out]) r.destroy();
}

describe('events', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await Manager.create();
  });
  after(() => mgr.destroy());

  test('off by default: with no listener no event is built or emitted', async () => {
    const emit = EventHub.prototype.emit;
    let calls = 0;
    EventHub.prototype.emit = function (...args) {
      calls++;
      return emit.apply(this, args);
    };
    try {
      await evalOnce(mgr);
      const stop = mgr.on(() => {});
      stop();
      await evalOnce(mgr);
    } finally {
      EventHub.prototype.emit = emit;
    }
    assert.equal(calls, 0, 'EventHub.emit ran while nobody listened');
  });

  test('one evaluation reports its resources and phases in order', async () => {
    const events: KomputeEvent[] = [];
    const stop = mgr.on((e) => events.push(e));
    await evalOnce(mgr);
    stop();
    const kinds: string[] = events.map((e) => e.kind);
    const order = ['resource.created', 'batch.validated', 'batch.planned', 'batch.encoded', 'batch.submitted', 'map.waited', 'batch.completed', 'resource.destroyed'];
    let at = -1;
    for (const kind of order) {
      const next = kinds.indexOf(kind, at + 1);
      assert.ok(next > at, `${kind} after ${order[order.indexOf(kind) - 1] ?? 'the start'} in ${kinds.join(', ')}`);
      at = next;
    }
    assert.equal(kinds.filter((k) => k === 'resource.created').length, 4, 'two tensors, an algorithm and a sequence created');
    assert.equal(kinds.filter((k) => k === 'resource.destroyed').length, 4);
    const sequence = events.find((e) => e.kind === 'batch.completed')!;
    assert.match(sequence.source ?? '', /^Sequence#\d+$/);
    assert.equal(sequence.level, 'info');
    for (const e of events) {
      assert.ok(e.time > 0 && Number.isFinite(e.time));
      if (e.duration !== undefined) assert.ok(e.duration >= 0, `${e.kind} has a non-negative duration`);
    }
    // Spans: each phase lies within the evaluation's span.
    const end = sequence.time + sequence.duration!;
    for (const e of events.filter((x) => x.data?.phase && x.kind !== 'batch.completed')) {
      assert.ok(e.time >= sequence.time - 1e-6 && e.time + e.duration! <= end + 1e-3, `${e.kind} inside the evaluation`);
    }
  });

  test('levels: a listener gets its level and above only', async () => {
    const info: KomputeEvent[] = [];
    const all: KomputeEvent[] = [];
    const stops = [mgr.on((e) => info.push(e), 'info'), mgr.on((e) => all.push(e), 'debug')];
    await evalOnce(mgr);
    for (const stop of stops) stop();
    assert.ok(info.length > 0 && info.every((e) => e.level !== 'debug'), info.map((e) => `${e.kind}:${e.level}`).join(', '));
    assert.ok(info.some((e) => e.kind === 'batch.completed'));
    assert.ok(all.length > info.length && all.some((e) => e.level === 'debug'));
    assert.throws(() => mgr.on(() => {}, 'loud' as 'info'), { name: 'ArgumentError' });
  });

  test('device loss is an error-level event', async () => {
    const { device } = await rawDevice();
    const external = Manager.fromDevice(device);
    const errors: KomputeEvent[] = [];
    external.on((e) => errors.push(e), 'error');
    device.destroy();
    for (let i = 0; i < 200 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(errors[0]?.kind, 'device.lost');
    assert.ok(errors.every((e) => e.level === 'error'));
    external.destroy();
  });

  test('consoleLogger() writes one line per event', () => {
    const lines: string[] = [];
    const log = consoleLogger((line) => lines.push(line));
    log({ kind: 'batch.submitted', level: 'debug', time: 1, duration: 0.5, source: 'Sequence#1', message: 'submitted' });
    assert.deepEqual(lines, ['[kompute-ts] debug batch.submitted Sequence#1: submitted (0.500 ms)']);
  });

  test("KOMPUTE_TS_LOG=debug logs a script's events to stderr with no code change", () => {
    const script = `
      import { Manager, OpSyncDevice } from ${JSON.stringify(INDEX_URL)};
      const mgr = await Manager.create();
      const t = mgr.tensor([1, 2]);
      await mgr.sequence().eval(new OpSyncDevice([t]));
      mgr.destroy();
    `;
    process.env.KOMPUTE_TS_LOG = 'debug';
    let result: ReturnType<typeof runChild>;
    try {
      result = runChild(script, 60_000);
    } finally {
      delete process.env.KOMPUTE_TS_LOG;
    }
    assert.equal(result.status, 0, describeChild(result));
    for (const kind of ['manager.created', 'resource.created Tensor#', 'batch.submitted', 'batch.completed', 'manager.destroyed']) {
      assert.ok(result.stderr.includes(kind), `stderr mentions ${kind}: ${result.stderr}`);
    }
    const quiet = runChild(script, 60_000);
    assert.equal(quiet.status, 0, describeChild(quiet));
    assert.ok(!quiet.stderr.includes('[kompute-ts]'), 'without the variable nothing is logged');
  });
});
