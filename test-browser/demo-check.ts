/**
 * The demo page's check: builds examples/browser with its Vite config (as `npm run demo:web`
 * does), verifies the bundle holds no Node built-in, serves it with `vite preview`, lets it run in
 * Chromium, checks the results on the page, and saves a screenshot under test-results/. It also
 * opens the page in a Chromium without WebGPU and checks the "not available" message.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { launchChromium, WEBGPU_FLAGS } from './chromium.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, 'examples', 'browser', 'vite.config.ts');
const OUT = join(ROOT, 'dist', 'web-demo');
export const SCREENSHOT = join(ROOT, 'test-results', 'browser-demo.png');

/** What a browser bundle must not contain: Node built-in imports, CommonJS requires, Node globals, Dawn. */
const NODE_ONLY = [
  /["'`]node:[a-z_/]+["'`]/,
  /\brequire\s*\(/,
  /\bprocess\.(?:argv|env|versions|platform|exit|memoryUsage)\b/,
  /\bBuffer\.(?:from|alloc)\b/,
  /\bsetImmediate\b/,
  /\b__dirname\b/,
  /["'`]webgpu["'`]/,
];

interface DemoOutcome {
  state: string;
  message: string;
  product?: number[];
  losses?: number[];
}

export async function checkDemo(): Promise<{ ok: boolean; summary: string }> {
  const problems: string[] = [];
  await build({ configFile: CONFIG, logLevel: 'warn' });
  const assets = readdirSync(join(OUT, 'assets')).filter((f) => f.endsWith('.js'));
  if (assets.length === 0) problems.push('the demo build produced no JavaScript');
  for (const file of assets) {
    const code = readFileSync(join(OUT, 'assets', file), 'utf8');
    for (const pattern of NODE_ONLY) {
      const hit = pattern.exec(code);
      if (hit) problems.push(`bundle ${file} contains ${hit[0]} (a Node-only reference)`);
    }
  }

  const port = await freePort();
  const server = await preview({ configFile: CONFIG, logLevel: 'warn', preview: { host: '127.0.0.1', port, strictPort: true } });
  const url = `http://127.0.0.1:${port}/`;
  let outcome: DemoOutcome | undefined;
  try {
    const browser = await launchChromium();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 120_000 });
      outcome = await page.evaluate(() => (window as unknown as { komputeDemo: DemoOutcome }).komputeDemo);
      const text = (await page.locator('body').textContent()) ?? '';
      const points = await page
        .locator('#loss-chart svg polyline')
        .getAttribute('points')
        .catch(() => null);
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      if (outcome?.state !== 'done') problems.push(`the demo ended in state ${outcome?.state}: ${outcome?.message}`);
      for (const expected of [
        '[2, 4, 6] * [0, 1, 2] = [0, 4, 12]',
        'Done: all programs ran on this GPU.',
        'swiftshader',
        'mean loss',
        "[1, 2, 3, 4] * 2 = [2, 4, 6, 8]; after mgr.destroy() the page's device still works",
      ]) {
        if (!text.includes(expected)) problems.push(`the page does not show '${expected}'`);
      }
      const losses = outcome?.losses ?? [];
      if (losses.length !== 100 || !(losses.at(-1)! < losses[0]!)) problems.push(`the loss curve has ${losses.length} points and does not fall (${losses[0]} -> ${losses.at(-1)})`);
      if ((points?.trim().split(/\s+/).length ?? 0) !== losses.length) problems.push('the loss chart does not plot one point per iteration');
    } finally {
      await browser.close();
    }

    // Without --enable-unsafe-webgpu this Chromium offers no adapter: the page must say so.
    const plain = await launchChromium(WEBGPU_FLAGS.filter((flag) => flag !== '--enable-unsafe-webgpu'));
    try {
      const page = plain.context.pages()[0] ?? (await plain.context.newPage());
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 60_000 });
      const state = await page.evaluate(() => document.body.dataset.state);
      const visible = await page.locator('#unsupported').isVisible();
      if (state !== 'unsupported' || !visible) problems.push(`without WebGPU the demo ended in state ${state} and ${visible ? 'shows' : 'hides'} the explanation`);
    } finally {
      await plain.close();
    }
  } finally {
    await server.close();
  }
  for (const problem of problems) console.log(`not ok - demo: ${problem}`);
  const summary =
    outcome?.state === 'done'
      ? `product [${outcome.product?.join(', ')}], loss ${outcome.losses?.[0]?.toFixed(4)} -> ${outcome.losses?.at(-1)?.toFixed(4)}, bundle free of Node built-ins: ${problems.some((p) => p.startsWith('bundle')) ? 'no' : 'yes'}; screenshot ${SCREENSHOT}`
      : `state ${outcome?.state ?? 'unknown'}`;
  return { ok: problems.length === 0, summary };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
