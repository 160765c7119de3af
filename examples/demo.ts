/**
 * `npm start`: prints the adapter in use, then runs Kompute's two classic programs with their
 * results and times.
 */
import { Manager } from '../src/index.js';
import { arrayMultiplication } from './array-multiplication.js';
import { logisticRegression } from './logistic-regression.js';

const started = performance.now();
await using mgr = await Manager.create();
const info = mgr.deviceInfo();
console.log(`kompute-ts on ${info.description || info.device || 'unnamed adapter'} (vendor ${info.vendor || '?'}, architecture ${info.architecture || '?'})`);
console.log(`  manager ready in ${(performance.now() - started).toFixed(1)} ms`);

let t = performance.now();
const product = await arrayMultiplication(mgr);
console.log(`\narray multiplication: [2, 4, 6] * [0, 1, 2] = [${product.join(', ')}]  (${(performance.now() - t).toFixed(1)} ms)`);

t = performance.now();
const { w, b, losses } = await logisticRegression(mgr);
const ms = performance.now() - t;
console.log(`\nlogistic regression, 5 samples, 100 iterations, learning rate 0.1  (${ms.toFixed(1)} ms, ${((ms * 1000) / 100).toFixed(0)} µs per iteration)`);
console.log(`  w = [${w.map((v) => v.toFixed(6)).join(', ')}]  b = ${b.toFixed(6)}`);
console.log(`  mean loss ${losses[0]!.toFixed(4)} -> ${losses.at(-1)!.toFixed(4)}`);
const memory = mgr.memory();
console.log(`\nmemory after the programs: ${JSON.stringify(memory)}`);
console.log(`  (nothing live; poolBytes: ${memory.poolBytes} bytes of released staging kept for reuse, freed with the manager)`);
