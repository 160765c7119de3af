/**
 * Vite config of the browser demo (`npm run demo:web`). The demo imports the library's browser
 * entry (src/browser.ts); the shared example functions import the Node entry (src/index.ts) by
 * relative path, so that module is swapped for the browser entry here: same exports (checked by
 * test/entry-points.test.ts), without Dawn.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const NODE_ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const BROWSER_ENTRY = fileURLToPath(new URL('../../src/browser.ts', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web-demo', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  plugins: [
    {
      name: 'kompute-browser-entry',
      enforce: 'pre',
      async resolveId(source, importer, options) {
        if (!importer || !source.includes('src/index')) return null;
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        return resolved?.id === NODE_ENTRY ? BROWSER_ENTRY : null;
      },
    },
  ],
});
