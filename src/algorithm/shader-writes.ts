import { parseWgsl } from './wgsl-parse.js';

/** Which module-scope variables a WGSL module's functions may write, as far as the syntax tells. */
interface ShaderWrites {
  /**
   * Names assigned (`=`, `+=`, ...) or incremented with the name itself as the root of the left
   * side, in functions that declare no local of that name: certainly written.
   */
  readonly direct: ReadonlySet<string>;
  /**
   * Every name that could be written: `direct`, plus names whose address is taken (`&x`, the only
   * way to write through a pointer or to pass to an atomic), plus assigned names that a local
   * declaration could shadow. A name outside this set is never written.
   */
  readonly possible: ReadonlySet<string>;
}

interface Node {
  readonly astNodeType?: string;
  readonly [key: string]: unknown;
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

/** The variable at the root of an assignment's left side (`b` in `b[i].x`), or null for `*p`. */
function rootName(expr: unknown): string | null {
  if (!isNode(expr)) return null;
  if (expr.astNodeType === 'varExpr' && typeof expr['name'] === 'string') return expr['name'];
  return null;
}

/** Names that a function declares itself: parameters and `var` / `let` / `const` anywhere inside. */
function localNames(fn: Node): Set<string> {
  const names = new Set<string>();
  for (const arg of (fn['args'] as Node[] | undefined) ?? []) if (typeof arg['name'] === 'string') names.add(arg['name']);
  visit(fn['body'], (node) => {
    if ((node.astNodeType === 'var' || node.astNodeType === 'let' || node.astNodeType === 'const') && typeof node['name'] === 'string') names.add(node['name']);
  });
  return names;
}

function visit(value: unknown, callback: (node: Node) => void, seen = new Set<unknown>()): void {
  if (!isNode(value) || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) visit(item, callback, seen);
    return;
  }
  callback(value);
  for (const key of Object.keys(value)) if (key !== 'parent') visit(value[key], callback, seen);
}

/**
 * Finds the module-scope variables that `wgsl`'s functions write, with the `wgsl_reflect`
 * parser's syntax tree. Throws when the parser cannot read the module.
 */
export function findShaderWrites(wgsl: string): ShaderWrites {
  const parsed = parseWgsl(wgsl);
  let writes = known.get(parsed);
  if (!writes) {
    writes = scanWrites(parsed.ast as Node[]);
    known.set(parsed, writes);
  }
  return writes;
}

/** Results per parsed module (parses are shared through `parseWgsl`'s cache). */
const known = new WeakMap<object, ShaderWrites>();

function scanWrites(ast: readonly Node[]): ShaderWrites {
  const direct = new Set<string>();
  const possible = new Set<string>();
  for (const declaration of ast) {
    if (declaration.astNodeType !== 'function') continue;
    const locals = localNames(declaration);
    // `arrayLength(&x)` takes the address only to read the length.
    const lengthQueries = new Set<unknown>();
    visit(declaration['body'], (node) => {
      if ((node.astNodeType === 'callExpr' || node.astNodeType === 'call') && node['name'] === 'arrayLength') for (const arg of (node['args'] as unknown[] | undefined) ?? []) lengthQueries.add(arg);
    });
    visit(declaration['body'], (node) => {
      if (node.astNodeType === 'assign' || node.astNodeType === 'increment') {
        const name = rootName(node['variable']);
        if (name === null) return;
        possible.add(name);
        if (!locals.has(name)) direct.add(name);
      } else if (node.astNodeType === 'unaryOp' && node['operator'] === '&' && !lengthQueries.has(node)) {
        const name = rootName(node['right']);
        if (name !== null) possible.add(name);
      }
    });
  }
  return { direct, possible };
}
