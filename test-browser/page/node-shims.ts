/**
 * Browser stand-ins for the Node built-ins that test/helpers.ts and a few test files import at
 * module level (`node:child_process`, `node:url`, `node:fs`). Tests that really need them (child
 * processes) are listed as not run in test-browser/suite.ts; these only let the files load.
 */

/** `node:child_process`: there are no child processes in a page. */
export function spawnSync(): never {
  throw new Error('child processes do not exist in the browser (this test belongs to the Node-only list)');
}

/** `node:url`: file URLs only name things here; the browser bundle has no file system. */
export function fileURLToPath(url: string | URL): string {
  return decodeURIComponent(new URL(String(url)).pathname);
}

export function pathToFileURL(path: string): URL {
  return new URL(`file://${encodeURI(path)}`);
}

/**
 * `node:fs` `readFileSync` for files the bundle ships as assets (Vite turns
 * `new URL('…', import.meta.url)` into the asset's served URL): a synchronous request to the page's
 * own server.
 */
export function readFileSync(url: string | URL, encoding?: string): string {
  const request = new XMLHttpRequest();
  request.open('GET', String(url), false);
  request.send();
  if (request.status !== 200) throw new Error(`readFileSync(${String(url)}): HTTP ${request.status}`);
  if (encoding === undefined) throw new Error('readFileSync in the browser bundle returns text only: pass an encoding');
  return request.responseText;
}

/** `node:fs` `writeFileSync`: examples import it for their command-line mode only; a page has no files to write. */
export function writeFileSync(): never {
  throw new Error("writeFileSync does not exist in the browser (only the examples' command-line mode writes files)");
}
