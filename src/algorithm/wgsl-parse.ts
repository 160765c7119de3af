import { WgslParser, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';

/** A WGSL module parsed once: its syntax tree and the `wgsl_reflect` reflection built from it. */
interface ParsedWgsl {
  readonly ast: readonly unknown[];
  readonly reflect: WgslReflect;
}

/**
 * Recently parsed modules by source text. Parsing is most of what creating an algorithm costs on
 * the CPU, and programs create algorithms from the same few shaders again and again (OpMult, a
 * rebuild, a loop); the entries are read-only once made.
 */
const recent = new Map<string, ParsedWgsl>();
const RECENT_MAX = 32;

/** Parses `wgsl` with `wgsl_reflect` (or returns the cached result). Throws when it cannot. */
export function parseWgsl(wgsl: string): ParsedWgsl {
  const cached = recent.get(wgsl);
  if (cached) {
    recent.delete(wgsl);
    recent.set(wgsl, cached);
    return cached;
  }
  const ast = new WgslParser().parse(wgsl);
  const reflect = new WgslReflect();
  reflect.updateAST(ast);
  const parsed = { ast, reflect };
  recent.set(wgsl, parsed);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
  return parsed;
}
