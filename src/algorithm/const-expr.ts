/**
 * A small evaluator of WGSL integer constant expressions, for `@workgroup_size(TILE * TILE)`,
 * `@workgroup_size(WG_X, WG_Y / 2u)` and the like: literals (decimal or hex, `i`/`u` suffixes),
 * names of module-scope `const`s and `override`s, `+ - * / % << >>`, parentheses, and the
 * conversions `u32(...)`, `i32(...)`, `min(a, b)`, `max(a, b)`. Anything else is "unknown" (null).
 */

/** Module-scope `const NAME (: type)? = expr;` declarations of `text` (comments already removed): name → expression. */
export function readModuleConsts(text: string): Map<string, string> {
  const consts = new Map<string, string>();
  // Only at brace depth 0: a function's local consts do not count.
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '}' || i === text.length) {
      if (depth === 0) {
        for (const m of text.slice(start, i).matchAll(/(?:^|[;\s}])const\s+([A-Za-z_]\w*)\s*(?::\s*[\w<>]+)?\s*=\s*([^;]+);/g)) consts.set(m[1]!, m[2]!.trim());
      }
      if (c === '{') depth++;
      else if (c === '}') depth = Math.max(0, depth - 1);
      start = i + 1;
    }
  }
  return consts;
}

const TOKEN = /\s*(0[xX][0-9a-fA-F]+[iu]?|\d+[iu]?|[A-Za-z_]\w*|<<|>>|[-+*/%(),])/y;

/** Evaluates `expression`; names resolve through `lookup` (null: unknown). Returns null when it cannot. */
export function evaluateIntExpression(expression: string, lookup: (name: string) => number | null): number | null {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(expression);
    if (!m) return null;
    tokens.push(m[1]!);
    at = TOKEN.lastIndex;
  }
  let i = 0;
  const fail = (): never => {
    throw new Error('not a constant');
  };
  const primary = (): number => {
    const t = tokens[i++] ?? fail();
    if (t === '(') {
      const v = sum();
      if (tokens[i++] !== ')') fail();
      return v;
    }
    if (t === '-') return -primary();
    if (/^\d|^0[xX]/.test(t)) return Number.parseInt(t.replace(/[iu]$/, ''), t.startsWith('0x') || t.startsWith('0X') ? 16 : 10);
    if (tokens[i] === '(') {
      i++;
      const args = [sum()];
      while (tokens[i] === ',') {
        i++;
        args.push(sum());
      }
      if (tokens[i++] !== ')') fail();
      if ((t === 'u32' || t === 'i32') && args.length === 1) return args[0]!;
      if (t === 'min' && args.length === 2) return Math.min(args[0]!, args[1]!);
      if (t === 'max' && args.length === 2) return Math.max(args[0]!, args[1]!);
      return fail();
    }
    const value = lookup(t);
    return value ?? fail();
  };
  const product = (): number => {
    let v = primary();
    while (tokens[i] === '*' || tokens[i] === '/' || tokens[i] === '%') {
      const op = tokens[i++];
      const r = primary();
      if (op !== '*' && r === 0) fail();
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const additive = (): number => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  const sum = (): number => {
    let v = additive();
    while (tokens[i] === '<<' || tokens[i] === '>>') v = tokens[i++] === '<<' ? v * 2 ** additive() : Math.floor(v / 2 ** additive());
    return v;
  };
  try {
    const v = sum();
    return i === tokens.length && Number.isSafeInteger(v) ? v : null;
  } catch {
    return null;
  }
}
