/**
 * `node dist/bench/trace-svg.js TRACE.json [OUT.svg] [--from MS --to MS]` writes the SVG timeline
 * of a Chrome-format trace (bench/trace-render.ts draws it) to OUT.svg (default: TRACE.svg); the
 * bench's `--trace` writes the picture beside the trace itself.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChromeTrace } from '../src/index.js';
import { renderTraceSvg } from './trace-render.js';

export { renderTraceSvg };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [value] = args.splice(i, 2).slice(1);
    return value === undefined ? undefined : Number(value);
  };
  const from = flag('--from');
  const to = flag('--to');
  const [input, output = input?.replace(/\.json$/, '') + '.svg'] = args;
  if (!input) {
    console.error('usage: node dist/bench/trace-svg.js TRACE.json [OUT.svg] [--from MS --to MS]');
    process.exit(2);
  }
  const trace = JSON.parse(readFileSync(input, 'utf8')) as ChromeTrace;
  writeFileSync(output, renderTraceSvg(trace, `kompute-ts trace: ${basename(input)}${from !== undefined || to !== undefined ? `, ${from ?? ''}–${to ?? ''} ms` : ''}`, from, to));
  console.log(`wrote ${output}`);
}
