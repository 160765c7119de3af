/**
 * The bad-input catalogue (issue 4): one table row per bad input to the public API, kept one file
 * per area in test/bad-inputs/ (index.ts lists them). Every row must throw or reject with exactly
 * its documented error class, a KomputeError with a KP_ code and a hint, naming the argument at
 * fault for ArgumentError kinds; afterwards the managers involved still compute correctly, nothing
 * leaked, and WebGPU reported no uncaptured error. The table is documented in docs/errors.md; the
 * last test keeps the two in sync, section by section.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, KomputeError, Manager, OpAlgoDispatch, OpMult, OpSyncDevice, OpSyncLocal, type Sequence, type Tensor } from '../src/index.js';
import { ADD_PUSH_SHADER, assertClose, liveMemory, randomValues, rawDevice, Usage } from './helpers.js';
import { type Ctx, type Row } from './bad-inputs/catalogue.js';
import { AREAS, ROWS } from './bad-inputs/index.js';

/** The markdown table row of docs/errors.md for `row`. */
function docLine(row: Row): string {
  return `| \`${row.id}\` | \`${row.api}\` | ${row.input} | \`${row.error.name}\` | ${row.argument === undefined ? '—' : `\`${row.argument}\``} |`;
}

/** Runs `p` with a time bound, so a hanging call fails the row instead of the file. */
async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `out = a * b` with OpMult, then `out += k` with push constants, compared with the CPU. */
async function assertComputes(m: Manager, seed: number): Promise<void> {
  const n = 37;
  const av = randomValues(n, seed);
  const bv = randomValues(n, seed + 1);
  const k = (seed % 7) + 0.5;
  const a = m.tensor(av);
  const b = m.tensor(bv);
  const out = m.tensor(n, 'f32');
  const mult = new OpMult([a, b, out]);
  const add = m.algorithm([out], ADD_PUSH_SHADER, { pushConstants: [0] });
  const s = m.sequence();
  try {
    await s.eval(new OpSyncDevice([a, b]), mult, new OpAlgoDispatch(add, [k]), new OpSyncLocal([out]));
    assertClose(
      out.data(),
      Float32Array.from(av, (x, i) => Math.fround(Math.fround(x * bv[i]!) + k)),
      0,
      `${m.deviceInfo().description} still computes`,
    );
  } finally {
    for (const r of [s, add, mult.algorithm, out, b, a]) r.destroy();
  }
}

/** Live resources and bytes of `m`, for leak checks (released staging may wait in the pool). */
function usage(m: Manager): string {
  return JSON.stringify(liveMemory(m.memory()));
}

describe('bad-input catalogue', () => {
  let mgr: Manager;
  let other: Manager;
  let bare: Manager;
  let bareDevice: GPUDevice;
  const uncaptured: string[] = [];
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(`${w.name}: ${w.message}`);
  };

  /** Records every uncaptured WebGPU error of `m`'s device. */
  function watch(m: Manager, name: string): Manager {
    m.device.addEventListener('uncapturederror', (event) => {
      uncaptured.push(`${name}: ${(event as GPUUncapturedErrorEvent).error.message}`);
    });
    return m;
  }

  before(async () => {
    mgr = watch(await Manager.create(), 'mgr');
    other = watch(await Manager.create(), 'other');
    ({ device: bareDevice } = await rawDevice());
    bare = watch(Manager.fromDevice(bareDevice), 'bare');
    process.on('warning', onWarning);
  });
  after(() => {
    process.off('warning', onWarning);
    for (const m of [mgr, other, bare]) m?.destroy();
    bareDevice?.destroy();
  });

  test('the catalogue has at least 70 rows with unique ids, and each names an argument exactly when its class is an ArgumentError', () => {
    assert.ok(ROWS.length >= 70, `${ROWS.length} rows`);
    assert.equal(new Set(ROWS.map((r) => r.id)).size, ROWS.length, 'ids are unique');
    for (const row of ROWS) {
      const isArgument = row.error === ArgumentError || row.error.prototype instanceof ArgumentError;
      assert.equal(row.argument !== undefined, isArgument, `${row.id}: argument given iff ${row.error.name} is an ArgumentError`);
      for (const text of [row.api, row.input]) {
        const outsideCode = text.replace(/`[^`]*`/g, '');
        assert.ok(!text.includes('|') && !/[<>]/.test(outsideCode), `${row.id}: documentation fields have no '|', and '<' or '>' only inside backticks`);
      }
    }
  });

  test('the uncaptured-error watch works: an invalid call outside any error scope is reported', async () => {
    const m = await Manager.create();
    try {
      const seen: string[] = [];
      m.device.addEventListener('uncapturederror', (event) => seen.push((event as GPUUncapturedErrorEvent).error.message));
      m.device.createBuffer({ size: 4, usage: Usage.MAP_READ | Usage.MAP_WRITE }); // MAP_READ | MAP_WRITE is invalid
      await m.device.queue.onSubmittedWorkDone();
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 2));
      assert.equal(seen.length, 1, 'the listener saw the error');
    } finally {
      m.destroy();
    }
  });

  let seed = 1;
  for (const row of ROWS) {
    test(`${row.id}: ${row.api}(${row.input}) -> ${row.error.name}${row.argument ? ` naming ${row.argument}` : ''}`, async () => {
      const resources: { destroy(): void }[] = [];
      const laters: (() => unknown)[] = [];
      const freshManagers: Manager[] = [];
      const touched = new Set<Manager>([mgr]);
      const touch = (m: Manager): Manager => {
        if (!freshManagers.includes(m)) touched.add(m);
        return m;
      };
      const ctx: Ctx = {
        mgr,
        get other() {
          return touch(other);
        },
        get bare() {
          return touch(bare);
        },
        async fresh(device) {
          const m = watch(device ? Manager.fromDevice(device) : await Manager.create(), 'fresh');
          freshManagers.push(m);
          return m;
        },
        keep(resource) {
          resources.push(resource);
          return resource;
        },
        later(fn) {
          laters.push(fn);
        },
        f32(valuesOrLength, options = {}, m = mgr) {
          touch(m);
          return ctx.keep(typeof valuesOrLength === 'number' ? m.tensor(valuesOrLength, 'f32', options) : (m.tensor(valuesOrLength, { ...options, dtype: 'f32' }) as Tensor<'f32'>));
        },
        algo(tensors, wgsl, options = {}, m = mgr) {
          touch(m);
          return ctx.keep(m.algorithm(tensors, wgsl, options));
        },
        seq(m = mgr) {
          touch(m);
          return ctx.keep(m.sequence());
        },
        buffer(size, usageFlags, m = mgr) {
          const buffer = touch(m).device.createBuffer({ size, usage: usageFlags });
          laters.push(() => buffer.destroy());
          return buffer;
        },
      };
      const before = { mgr: usage(mgr), other: usage(other), bare: usage(bare) };
      const problems: string[] = [];

      // 1. The bad call.
      let thrown: unknown;
      let returned: unknown;
      try {
        returned = await bounded(
          Promise.resolve().then(() => row.call(ctx)),
          10_000,
          row.id,
        );
      } catch (e) {
        thrown = e;
      }

      // 2. Clean up: evaluations in flight finish, then everything the row made is destroyed.
      if (returned && typeof (returned as { destroy?: unknown }).destroy === 'function') resources.push(returned as { destroy(): void });
      for (const r of resources) {
        const s = r as Partial<Sequence>;
        if (typeof s.evalAwait === 'function' && typeof s.isRunning === 'function' && s.isInit?.() && s.isRunning()) {
          await bounded(
            s.evalAwait().catch(() => {}),
            10_000,
            `${row.id}: cleanup evalAwait`,
          );
        }
      }
      for (const fn of laters) await fn();
      for (const r of resources.reverse()) r.destroy();

      // 3. The error: exactly the documented class, a KomputeError with a code, a hint, the argument and the message.
      if (thrown === undefined) {
        problems.push(`expected ${row.error.name}, but the call succeeded (returned ${String(returned?.constructor?.name ?? returned)})`);
      } else if (!(thrown instanceof KomputeError)) {
        problems.push(`expected ${row.error.name}, got a non-KomputeError ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`);
      } else {
        const e = thrown;
        const described = `${e.name}${e instanceof ArgumentError ? `(${e.argument})` : ''}: ${e.message.split('\n')[0]}`;
        if (e.constructor !== row.error || e.name !== row.error.name) problems.push(`expected exactly ${row.error.name}, got ${described}`);
        if (!(e instanceof row.error)) problems.push(`not an instance of ${row.error.name}`);
        if (!/^KP_[A-Z_]+$/.test(e.code)) problems.push(`code ${JSON.stringify(e.code)} is not KP_...`);
        if (typeof e.hint !== 'string' || e.hint.trim() === '') problems.push(`no hint (${described})`);
        if (row.argument !== undefined) {
          if (!(e instanceof ArgumentError)) problems.push(`expected an ArgumentError naming ${row.argument}`);
          else if (e.argument !== row.argument) problems.push(`argument is ${JSON.stringify(e.argument)}, expected ${JSON.stringify(row.argument)} (${described})`);
        }
        if (!row.message.test(e.message)) problems.push(`message ${JSON.stringify(e.message)} does not match ${row.message}`);
      }

      // 4. Every manager the row touched still computes correctly, and nothing the row made is left.
      for (const m of new Set([...touched, ...freshManagers].filter((f) => f.isInit()))) {
        try {
          await bounded(assertComputes(m, seed++), 10_000, `${row.id}: computation afterwards`);
        } catch (e) {
          problems.push(`the manager no longer computes correctly: ${(e as Error).message}`);
        }
      }
      for (const m of freshManagers) m.destroy();
      const afterwards = { mgr: usage(mgr), other: usage(other), bare: usage(bare) };
      for (const name of ['mgr', 'other', 'bare'] as const) {
        if (afterwards[name] !== before[name]) problems.push(`${name}.memory() changed: ${before[name]} -> ${afterwards[name]}`);
      }

      // 5. WebGPU reported no uncaptured error, and Node no warning.
      if (uncaptured.length > 0) problems.push(`uncaptured WebGPU error(s): ${uncaptured.splice(0).join(' / ')}`);
      if (warnings.length > 0) problems.push(`process warning(s): ${warnings.splice(0).join(' / ')}`);

      assert.deepEqual(problems, [], `${row.id}:\n  ${problems.join('\n  ')}`);
    });
  }

  test('docs/errors.md lists every row of the catalogue, and no other', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const expected = ROWS.map(docLine);
    const missing = expected.filter((line) => !doc.includes(line));
    const documentedIds = [...doc.matchAll(/^\| `([a-z0-9.-]+)` \|/gm)].map((m) => m[1]);
    const extra = documentedIds.filter((id) => !ROWS.some((r) => r.id === id));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `docs/errors.md is out of date with the catalogue; its table rows should be:\n${expected.join('\n')}`);
  });

  test("docs/errors.md has one section per area file, in index.ts's order, holding exactly that file's rows in order", () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const catalogue = doc.slice(doc.indexOf('## The bad-input catalogue'));
    const sections = catalogue.split(/^### /m).slice(1);
    assert.deepEqual(
      sections.map((s) => s.slice(0, s.indexOf('\n'))),
      AREAS.map((a) => a.heading),
      'section headings',
    );
    for (const [i, area] of AREAS.entries()) {
      for (const row of area.rows) assert.equal(row.area, area.area, `${row.id} is in the ${area.area} file`);
      const ids = [...sections[i]!.matchAll(/^\| `([a-z0-9.-]+)` \|/gm)].map((m) => m[1]);
      assert.deepEqual(
        ids,
        area.rows.map((r) => r.id),
        `the rows of section ${area.heading}`,
      );
    }
  });
});
