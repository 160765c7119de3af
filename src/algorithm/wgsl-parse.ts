import type { WgslParser, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';

/** A WGSL module parsed once: its syntax tree and the `wgsl_reflect` reflection built from it. */
interface ParsedWgsl {
  readonly ast: readonly unknown[];
  readonly reflect: WgslReflect;
}

/** The two classes of `wgsl_reflect` this library uses. */
interface ReflectionLibrary {
  readonly WgslParser: typeof WgslParser;
  readonly WgslReflect: typeof WgslReflect;
}

/**
 * `wgsl_reflect` (the WGSL parser, most of the library's size) is loaded on demand with a dynamic
 * `import()`, so that a bundler puts it into a chunk of its own: `Manager.create()` awaits it
 * before resolving (every algorithm it makes is reflected as before), `Manager.fromDevice()`
 * starts it (algorithms made before it arrives are checked when it does).
 */
let library: ReflectionLibrary | null = null;
let loading: Promise<void> | null = null;

/** Starts loading `wgsl_reflect` (once); resolves when it is there. */
export function loadWgslReflect(): Promise<void> {
  loading ??= import('./wgsl-reflect-lib.js').then(
    (module: ReflectionLibrary) => {
      library = module;
    },
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** True once `wgsl_reflect` is loaded (until then, shaders are read with the light read only). */
export function isWgslReflectLoaded(): boolean {
  return library !== null;
}

/** Thrown by {@link parseWgsl} while `wgsl_reflect` is still loading. */
export class ReflectionNotLoaded extends Error {
  constructor() {
    super('wgsl_reflect is not loaded yet');
  }
}

/**
 * Recently parsed modules by source text. Parsing is most of what creating an algorithm costs on
 * the CPU, and programs create algorithms from the same few shaders again and again (OpMult, a
 * rebuild, a loop); the entries are read-only once made.
 */
const recent = new Map<string, ParsedWgsl>();
const RECENT_MAX = 32;

/** Parses `wgsl` with `wgsl_reflect` (or returns the cached result). Throws when it cannot, or while it is not loaded. */
export function parseWgsl(wgsl: string): ParsedWgsl {
  const cached = recent.get(wgsl);
  if (cached) {
    recent.delete(wgsl);
    recent.set(wgsl, cached);
    return cached;
  }
  if (!library) throw new ReflectionNotLoaded();
  const ast = new library.WgslParser().parse(wgsl);
  const reflect = new library.WgslReflect();
  reflect.updateAST(ast);
  const parsed = { ast, reflect };
  recent.set(wgsl, parsed);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
  return parsed;
}
