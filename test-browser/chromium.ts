/**
 * Headless Debian Chromium for the browser tests, driven by playwright-core (no browser download:
 * the system binary, /usr/bin/chromium unless KOMPUTE_TS_CHROMIUM says otherwise). With no GPU,
 * Chromium's WebGPU runs on SwiftShader, its CPU Vulkan driver, which it only offers with
 * `--enable-unsafe-webgpu` (see README, "In the browser").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.KOMPUTE_TS_CHROMIUM ?? '/usr/bin/chromium';

/** The switches added to Playwright's defaults (which include --headless and --no-sandbox). */
export const WEBGPU_FLAGS = [
  // The one switch WebGPU needs here: without it Chromium blocks CPU adapters (SwiftShader).
  '--enable-unsafe-webgpu',
  // Expose gc() so the weak-holding tests can collect, as `node --expose-gc` does.
  '--js-flags=--expose-gc',
  // Quiet, reproducible runs: no network chatter, no first-run UI.
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** A browser with a fresh profile; `close()` also removes the profile. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(flags: readonly string[] = WEBGPU_FLAGS): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'kompute-ts-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...flags],
      viewport: { width: 1000, height: 900 },
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
