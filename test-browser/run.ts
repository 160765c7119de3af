/**
 * `npm run test:browser`: the environment-neutral part of the test suite in headless Chromium
 * (WebGPU on its software adapter), then a manager in a Web Worker (test-browser/worker-check.ts),
 * then the demo page (examples/browser) built with Vite,
 * checked for Node built-ins, opened, checked for its results and screenshotted into
 * test-results/. Exits non-zero on any failure, and when no test ran.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTests } from './bundle.js';
import { describeBundle, measureBundle } from './bundle-size.js';
import { CHROMIUM_PATH, launchChromium, WEBGPU_FLAGS } from './chromium.js';
import { checkDemo } from './demo-check.js';
import { checkWebWorker } from './worker-check.js';
import type { TestReport } from './page/node-test.js';
import { serveFolder } from './static-server.js';
import { NODE_ONLY_FILES, NODE_ONLY_TESTS } from './suite.js';

const DIST = fileURLToPath(new URL('../', import.meta.url));
const RUN_TIMEOUT_MS = 30 * 60_000;

async function runSuiteInBrowser(): Promise<{ passed: number; failed: number; excluded: number; files: number }> {
  const all = readdirSync(join(DIST, 'test'))
    .filter((f) => f.endsWith('.js'))
    .sort();
  const files = all.filter((f) => !(f in NODE_ONLY_FILES));
  console.log(`browser tests: Chromium ${CHROMIUM_PATH}, flags ${WEBGPU_FLAGS.join(' ')}`);
  console.log(`files run in the browser (${files.length}): ${files.join(', ')}`);
  console.log('files run in Node only:');
  for (const [file, why] of Object.entries(NODE_ONLY_FILES)) console.log(`  ${file}: ${why}`);

  console.log(describeBundle(await measureBundle()));
  const outDir = join(DIST, 'browser-tests');
  await bundleTests(files, outDir);
  const server = await serveFolder(outDir);
  const browser = await launchChromium();
  const reports: TestReport[] = [];
  const consoleTail: string[] = [];
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (message) => {
      consoleTail.push(`[${message.type()}] ${message.text()}`);
      if (consoleTail.length > 40) consoleTail.shift();
    });
    page.on('pageerror', (error) => consoleTail.push(`[pageerror] ${error.message}`));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await page.exposeFunction('komputeExclusions', () => Object.entries(NODE_ONLY_TESTS));
    await page.exposeFunction('komputeReport', (report: TestReport) => {
      reports.push(report);
      const label = report.status === 'pass' ? 'ok' : report.status === 'skip' ? 'node-only' : 'not ok';
      console.log(`${label} ${reports.length} - ${report.file} :: ${report.name}${report.status === 'pass' ? ` (${report.ms.toFixed(0)} ms)` : ''}`);
      for (const line of report.diagnostics) console.log(`  # ${line}`);
      if (report.status !== 'pass') console.log(`  # ${(report.error ?? '').split('\n').join('\n  # ')}`);
    });
    await page.exposeFunction('komputeDone', () => finish());
    await page.goto(server.url);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the browser tests did not finish within ${RUN_TIMEOUT_MS / 60_000} min`)), RUN_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (error) {
    console.log(`browser console (last lines):\n  ${consoleTail.join('\n  ')}`);
    throw error;
  } finally {
    await browser.close();
    await server.close();
  }

  const excludedSeen = new Set(reports.filter((r) => r.status === 'skip').map((r) => `${r.file} :: ${r.name}`));
  const stale = Object.keys(NODE_ONLY_TESTS).filter((key) => !excludedSeen.has(key));
  const passed = reports.filter((r) => r.status === 'pass').length;
  const failed = reports.filter((r) => r.status === 'fail').length;
  for (const key of stale) console.log(`not ok - test-browser/suite.ts lists '${key}' as Node-only, but no such test exists`);
  return { passed, failed: failed + stale.length, excluded: excludedSeen.size, files: files.length };
}

async function main(): Promise<void> {
  const started = performance.now();
  const suite = await runSuiteInBrowser();
  console.log(`\nbrowser suite: ${suite.passed} passed, ${suite.failed} failed in ${suite.files} files; ${suite.excluded} test(s) Node-only (listed above)`);
  const worker = await checkWebWorker();
  console.log(`web worker: ${worker.ok ? 'ok' : 'FAILED'}; ${worker.summary}`);
  const demo = await checkDemo();
  console.log(`demo page: ${demo.ok ? 'ok' : 'FAILED'}; ${demo.summary}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (suite.passed === 0) {
    console.log('FAIL: no test ran in the browser');
    process.exitCode = 1;
  } else if (suite.failed > 0 || !demo.ok || !worker.ok) {
    console.log(`FAIL (${seconds} s)`);
    process.exitCode = 1;
  } else {
    console.log(`PASS: ${suite.passed} tests in the browser, the Web Worker and the demo page (${seconds} s)`);
  }
}

await main();
