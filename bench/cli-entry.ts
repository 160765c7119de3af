/**
 * The entry point `kompute-ts bench` spawns in a clone of kompute-ts (the benchmark suite is a
 * development tool and is not in the published package). It prints one protocol line, the number
 * of workloads this command line runs (`#workloads N`, which the CLI reads for its progress bar
 * and does not pass on), then runs the suite (`main.ts`, the same as `npm run bench`) with the
 * same arguments.
 */
import { parseArgs } from 'node:util';
import { WORKLOADS } from './workloads.js';

const { values } = parseArgs({ options: { only: { type: 'string' } }, strict: false });
const only = typeof values.only === 'string' ? values.only.split(',') : undefined;
console.log(`#workloads ${WORKLOADS.filter((w) => (only ? only.includes(w.id) : !w.optional)).length}`);
await import('./main.js');
