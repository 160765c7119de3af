import type { WgslParser, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';

/** A WGSL module parsed once: its syntax tree and the `wgsl_reflect` reflection built from it. */
interface ParsedWgsl {
  readonly ast: readonly unknown[];
  readonly reflect: WgslReflect;
  /** True when the module parsed only after {@link sanitizeForParser} (its `@workgroup_size` values are then placeholders). */
  readonly sanitized: boolean;
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
  const lib = library;
  const parse = (text: string): { ast: readonly unknown[]; reflect: WgslReflect } => {
    const ast = new lib.WgslParser().parse(text);
    const reflect = new lib.WgslReflect();
    reflect.updateAST(ast);
    return { ast, reflect };
  };
  let parsed: ParsedWgsl;
  try {
    parsed = { ...parse(wgsl), sanitized: false };
  } catch (error) {
    const sanitized = sanitizeForParser(wgsl);
    if (sanitized === wgsl) throw error;
    try {
      parsed = { ...parse(sanitized), sanitized: true };
    } catch {
      throw error;
    }
  }
  recent.set(wgsl, parsed);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
  return parsed;
}

/**
 * The module with what `wgsl_reflect` cannot read but reflection does not need rewritten, lines
 * kept: `@workgroup_size(...)` expressions (`TILE * TILE`) become `1` (the size is read from the
 * source text), `const_assert`s go, and `if` / `while` conditions get an extra pair of
 * parentheses (`if (i + 1) % n == 0 {` otherwise stops the parser at the first `)`).
 */
export function sanitizeForParser(wgsl: string): string {
  return wgsl
    .replace(/@workgroup_size\s*\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)/g, (whole, args: string) =>
      /^[\s\w,]*$/.test(args)
        ? whole
        : `@workgroup_size(${args
            .split(',')
            .filter((a) => a.trim() !== '')
            .map(() => '1')
            .join(', ')})`,
    )
    .replace(/\bconst_assert\b[^;]*;/g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\b(if|while)\s+([^{};]+?)\s*\{/g, (_, keyword: string, condition: string) => `${keyword} ((${condition})) {`);
}
