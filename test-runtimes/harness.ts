/**
 * Runs inside Deno or Bun (started by test-runtimes/run.ts): installs the runtime's WebGPU where
 * it needs one (bun-webgpu's globals on Bun; Deno has `navigator.gpu`), provides the bindings the
 * test bundle reports through (the same ones the browser page gets from Playwright), imports the
 * bundle, prints each outcome and closes with `RUNTIME: N passed, N failed, N skipped`.
 * Exits 1 on any failure, on a stale exclusion, and when no test ran.
 */
import { readFileSync } from 'node:fs';
import type { TestReport } from '../test-browser/page/node-test.js';

interface HarnessConfig {
  readonly runtime: string;
  readonly entry: string;
  readonly exclusions: readonly [string, string][];
  readonly bunWebgpu?: string;
}

interface RuntimeGlobals {
  gc?: () => void;
  Bun?: { gc(force: boolean): void };
  Deno?: { exit(code: number): never };
  komputeExclusions?: () => Promise<[string, string][]>;
  komputeReport?: (report: TestReport) => Promise<void>;
  komputeDone?: () => Promise<void>;
}

const configPath = process.env.KOMPUTE_TS_RUNTIME_CONFIG;
if (!configPath) throw new Error('KOMPUTE_TS_RUNTIME_CONFIG is not set: start this through test-runtimes/run.ts (npm run test:deno, npm run test:bun)');
const config = JSON.parse(readFileSync(configPath, 'utf8')) as HarnessConfig;
const g = globalThis as unknown as RuntimeGlobals;

if (config.bunWebgpu) {
  const binding = (await import(config.bunWebgpu)) as { setupGlobals(): void };
  binding.setupGlobals();
}
// The weak-holding tests collect with gc(): Deno gets it from --v8-flags=--expose-gc, Bun has Bun.gc.
if (!g.gc && g.Bun) {
  const bun = g.Bun;
  g.gc = () => bun.gc(true);
}

// Per test, as in the page but longer: the slowest (the lifecycle model) takes minutes on a busy machine.
(globalThis as { komputeTestTimeoutMs?: number }).komputeTestTimeoutMs = 900_000;

const reports: TestReport[] = [];
g.komputeExclusions = async () => [...config.exclusions];
g.komputeReport = async (report) => {
  reports.push(report);
  const label = report.status === 'pass' ? 'ok' : report.status === 'skip' ? 'skip' : 'not ok';
  console.log(`${label} ${reports.length} - ${report.file} :: ${report.name}${report.status === 'pass' ? ` (${report.ms.toFixed(0)} ms)` : ''}`);
  for (const line of report.diagnostics) console.log(`  # ${line}`);
  if (report.status !== 'pass') console.log(`  # ${(report.error ?? '').split('\n').join('\n  # ')}`);
};
g.komputeDone = async () => {
  const skipped = new Set(reports.filter((r) => r.status === 'skip').map((r) => `${r.file} :: ${r.name}`));
  const stale = config.exclusions.map(([key]) => key).filter((key) => !skipped.has(key));
  for (const key of stale) console.log(`not ok - an exclusion names '${key}', but no such test ran here (test-browser/suite.ts or test-runtimes/suite.ts)`);
  const passed = reports.filter((r) => r.status === 'pass').length;
  const failed = reports.filter((r) => r.status === 'fail').length + stale.length;
  console.log(`\n${config.runtime}: ${passed} passed, ${failed} failed, ${skipped.size} skipped`);
  const code = failed > 0 || passed === 0 ? 1 : 0;
  if (passed === 0) console.log(`FAIL: no test ran on ${config.runtime}`);
  if (g.Deno) g.Deno.exit(code);
  process.exit(code);
};

await import(config.entry);
