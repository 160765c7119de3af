/**
 * True when the module at `url` is the script Node was started with. Environment-neutral (no
 * `node:` import, no bare `process`), so the examples also load in the browser demo, where it is
 * always false.
 */
export function isMain(url: string): boolean {
  const entry = (globalThis as { process?: { argv?: readonly string[] } }).process?.argv?.[1];
  if (entry === undefined || !url.startsWith('file:')) return false;
  const path = decodeURIComponent(new URL(url).pathname).replace(/^\/([A-Za-z]:)/, '$1');
  return path.replaceAll('\\', '/') === entry.replaceAll('\\', '/');
}
