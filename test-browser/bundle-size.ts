/**
 * The library's part of a minimal browser app's bundle: a one-kernel app built with Vite
 * (production, minified) from the browser entry, gzipped, and the same for wgsl_reflect alone
 * (the WGSL reflection library, the largest dependency). Printed by the browser test run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const BROWSER_ENTRY = fileURLToPath(new URL('../src/browser.js', import.meta.url));
const REFLECTION = fileURLToPath(new URL('../../node_modules/wgsl_reflect/wgsl_reflect.module.js', import.meta.url));

const APP = `import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from ${JSON.stringify(BROWSER_ENTRY)};
const mgr = await Manager.create();
const a = mgr.tensor([1, 2, 3]);
const out = mgr.tensor(3, 'f32');
const k = mgr.algorithm({ a, out }, '@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { out[id.x] = a[id.x] * 2.0; }');
await mgr.sequence().eval(new OpSyncDevice([a]), new OpAlgoDispatch(k), new OpSyncLocal([out]));
document.body.textContent = String(out.data());
`;

interface Sizes {
  readonly raw: number;
  readonly gzip: number;
}

/** A module's share of the initial chunk: its code as the bundler rendered it (tree-shaken, before minification), raw and gzipped on its own. */
interface ModuleShare {
  readonly id: string;
  readonly rendered: number;
  readonly gzip: number;
}

/** Bytes of the minified bundle of `source`, raw and gzipped: all chunks, and the initial one (what loads before any dynamic import), with its modules largest first. */
async function bundleBytes(source: string): Promise<Sizes & { readonly initial: Sizes; readonly chunks: readonly string[]; readonly modules: readonly ModuleShare[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'kompute-ts-bundle-'));
  try {
    const entry = join(dir, 'main.js');
    writeFileSync(entry, source);
    const output = (await build({ logLevel: 'silent', configFile: false, root: dir, build: { write: false, minify: true, target: 'es2022', rollupOptions: { input: entry } } })) as
      | { output: { type: string; code?: string; source?: string | Uint8Array }[] }
      | { output: { type: string; code?: string }[] }[];
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((c) => c.type === 'chunk') as {
      code?: string;
      fileName?: string;
      isEntry?: boolean;
      imports?: string[];
      modules?: Record<string, { renderedLength: number; code?: string | null }>;
    }[];
    const sizes = (list: typeof chunks): Sizes => {
      const code = list.map((c) => c.code ?? '').join('\n');
      return { raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).byteLength };
    };
    // The initial chunk: the entry and what it imports statically.
    const initial = new Set(chunks.filter((c) => c.isEntry));
    for (const c of [...initial]) for (const name of c.imports ?? []) for (const d of chunks) if (d.fileName === name) initial.add(d);
    const modules = [...initial]
      .flatMap((c) => Object.entries(c.modules ?? {}))
      .filter(([, m]) => m.renderedLength > 0)
      .map(([id, m]) => ({ id: shortId(id), rendered: m.renderedLength, gzip: m.code ? gzipSync(m.code, { level: 9 }).byteLength : 0 }))
      .sort((a, b) => b.rendered - a.rendered);
    return { ...sizes(chunks), initial: sizes([...initial]), chunks: chunks.map((c) => `${c.fileName} ${Buffer.byteLength(c.code ?? '')}`), modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A module id without the checkout's path: `src/memory/tensor.js`, `node_modules/...`, or the bundler's own helper. */
function shortId(id: string): string {
  const dist = id.lastIndexOf('/dist/');
  if (dist >= 0) return id.slice(dist + '/dist/'.length);
  const modules = id.lastIndexOf('/node_modules/');
  return modules >= 0 ? id.slice(modules + 1) : id.replace(/^\0/, '');
}

export async function measureBundle(): Promise<{ app: Awaited<ReturnType<typeof bundleBytes>>; reflection: Sizes }> {
  const app = await bundleBytes(APP);
  const reflection = await bundleBytes(`import { WgslReflect } from ${JSON.stringify(REFLECTION)};\nconsole.log(new WgslReflect('').entry);\n`);
  return { app, reflection };
}

const TOP_MODULES = 12;

const kB = (n: number): string => `${(n / 1000).toFixed(1)} kB`;

/** One line per measure, for the run's log. */
export function describeBundle(sizes: Awaited<ReturnType<typeof measureBundle>>): string {
  return [
    `bundle: a minimal app (one kernel, browser entry, Vite, minified): ${kB(sizes.app.raw)}, ${kB(sizes.app.gzip)} gzipped in all (${sizes.app.chunks.length} chunks)`,
    `bundle: its initial chunk (loaded before the WGSL reflection, a chunk of its own): ${kB(sizes.app.initial.raw)}, ${kB(sizes.app.initial.gzip)} gzipped`,
    `bundle: of which wgsl_reflect alone would be ${kB(sizes.reflection.raw)}, ${kB(sizes.reflection.gzip)} gzipped`,
    `bundle: the initial chunk's largest modules (tree-shaken, before minification; gzipped each on its own): ${sizes.app.modules
      .slice(0, TOP_MODULES)
      .map((m) => `${m.id} ${kB(m.rendered)} (${kB(m.gzip)})`)
      .join(', ')}`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(describeBundle(await measureBundle()));
