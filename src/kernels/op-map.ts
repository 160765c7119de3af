import { ArgumentError, SizeError } from '../errors.js';
import { wgslType } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { contextOf, enables, KernelOp, kernelAlgorithm } from './kernel-op.js';
import { ELEMENTS_PER_THREAD, elementLoop, grid, vec4Eligible, vec4Loop, WORKGROUP } from './grid.js';

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;
const RESERVED = new Set(['i', 'n', 'out', 'main', 'wg', 'lid']);

/**
 * An element-wise map from a WGSL expression: `out[i] = expression` for every i, where each
 * input name stands for that input's element i (an input of one element is broadcast), `i` is the
 * index (u32) and `n` the length. An input whose size divides the output's is repeated: one
 * element is a scalar, and a bias of `cols` elements over a row-major `[rows, cols]` output is read
 * at `i % cols`. Inputs given as an array are named `a`, `b`, `c`, ... in order.
 *
 * ```ts
 * new OpMap('a * b + 1.0', [a, b], out);
 * new OpMap('max(x, 0.0)', { x }, x);          // in place: the output may be one of the inputs
 * new OpMap('f32(i) * 0.5', {}, out);          // no inputs
 * ```
 * The expression must have the output's WGSL type (convert with `f32(...)`, `i32(...)`, ...); a
 * wrong expression fails at compilation with a ShaderCompileError that shows the generated shader.
 */
export class OpMap extends KernelOp {
  readonly expression: string;

  /**
   * @param expression - a WGSL expression of the input names, `i` and `n`
   * @param inputs - the tensors the expression reads, by name or in order (`a`, `b`, ...)
   * @param out - the tensor written
   */
  constructor(expression: string, inputs: Readonly<Record<string, Tensor>> | readonly Tensor[], out: Tensor) {
    if (typeof expression !== 'string' || expression.trim() === '') throw new ArgumentError('expression', 'OpMap expects a WGSL expression', "e.g. 'a * b + 1.0'");
    if (typeof inputs !== 'object' || inputs === null) throw new ArgumentError('inputs', 'OpMap expects the input tensors as an array or an object of names', 'e.g. [a, b] or { a, b }');
    const named: Record<string, Tensor> = Array.isArray(inputs)
      ? Object.fromEntries((inputs as readonly Tensor[]).map((t, k) => [String.fromCharCode(97 + k), t]))
      : { ...(inputs as Record<string, Tensor>) };
    if (Array.isArray(inputs) && inputs.length > 8) throw new SizeError('inputs', `OpMap takes at most 8 inputs, got ${inputs.length}`, 'split the map into several');
    for (const name of Object.keys(named)) {
      if (!IDENTIFIER.test(name) || RESERVED.has(name) || /^in\d+$/.test(name)) {
        throw new ArgumentError('inputs', `'${name}' cannot name an OpMap input`, `use a WGSL identifier other than ${[...RESERVED].join(', ')} and in0, in1, ...`);
      }
    }
    const context = contextOf('OpMap', { ...named, out });
    const n = out.size;
    for (const [name, t] of Object.entries(named)) {
      if (n % t.size !== 0) {
        throw new SizeError(
          name,
          `OpMap input ${name} (${t.label}) has ${t.size} elements, which does not divide out's ${n}`,
          'inputs must have the output size, one element, or a size that divides it (repeated)',
        );
      }
    }
    // Four elements at a time where every tensor is 32-bit and the length a multiple of 4: the
    // expression still sees one element per name (a function called once per lane), while loads
    // and stores move vec4s.
    const vec4 = vec4Eligible(n, [out.dtype, ...Object.values(named).map((t) => t.dtype)]);
    // Bind each distinct input tensor once; an input that is the output reads the output binding.
    const bound: Tensor[] = [out];
    const vectorOf = (t: Tensor): boolean => vec4 && (t.size === n || (t.size > 1 && t.size % 4 === 0));
    const arrayType = (t: Tensor): string => (vectorOf(t) ? `array<vec4<${wgslType(t.dtype)}>>` : `array<${wgslType(t.dtype)}>`);
    const decls = [`@group(0) @binding(0) var<storage, read_write> out: ${arrayType(out)};`];
    const lets: string[] = [];
    const names = Object.keys(named);
    for (const [name, t] of Object.entries(named)) {
      let binding = bound.indexOf(t);
      if (binding < 0) {
        binding = bound.push(t) - 1;
        decls.push(`@group(0) @binding(${binding}) var<storage, read> in${binding}: ${arrayType(t)};`);
      }
      const array = binding === 0 ? 'out' : `in${binding}`;
      if (!vec4) {
        lets.push(`    let ${name} = ${array}[${t.size === 1 ? '0u' : t.size === n ? 'i' : `i % ${t.size}u`}];`);
      } else if (vectorOf(t)) {
        lets.push(`    let ${name} = ${array}[${t.size === n ? 'q_' : `q_ % ${t.size / 4}u`}];`);
      } else if (t.size === 1) {
        lets.push(`    let ${name} = vec4<${wgslType(t.dtype)}>(${array}[0u]);`);
      } else {
        const at = (k: number) => `${array}[(i + ${k}u) % ${t.size}u]`;
        lets.push(`    let ${name} = vec4<${wgslType(t.dtype)}>(${at(0)}, ${at(1)}, ${at(2)}, ${at(3)});`);
      }
    }
    const units = vec4 ? n / 4 : n;
    const { workgroup, columns } = grid(context, Math.ceil(units / (WORKGROUP * ELEMENTS_PER_THREAD)));
    let wgsl: string;
    const header = `${enables(...bound.map((t) => t.dtype))}${decls.join('\n')}
`;
    if (vec4) {
      const outType = wgslType(out.dtype);
      const params = ['i: u32', 'n: u32', ...names.map((name) => `${name}: ${wgslType(named[name]!.dtype)}`)].join(', ');
      const lane = (k: number) => `element(i + ${k}u, ${n}u${names.map((name) => `, ${name}[${k}]`).join('')})`;
      wgsl = `${header}fn element(${params}) -> ${outType} {
  return ${expression};
}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
${vec4Loop(
  columns,
  units,
  `${lets.join('\n')}
    out[q_] = vec4<${outType}>(${lane(0)}, ${lane(1)}, ${lane(2)}, ${lane(3)});`,
)}
}
`;
    } else {
      wgsl = `${header}@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
${elementLoop(
  columns,
  n,
  `${lets.join('\n')}
    out[i] = ${expression};`,
)}
}
`;
    }
    super([{ algorithm: kernelAlgorithm(context, bound, wgsl, workgroup, `OpMap(${expression})`) }]);
    this.expression = expression;
  }

  get name(): string {
    return 'OpMap';
  }
}
