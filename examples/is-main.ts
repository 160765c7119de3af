import { pathToFileURL } from 'node:url';

/** True when the module at `url` is the script Node was started with. */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === url;
}
