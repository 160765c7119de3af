/** Bad-input catalogue rows: Bindings (docs/errors.md, section "Resources by name, samplers, parameter blocks"). */
import { AlgorithmBindingError, ArgumentError, DestroyedError, DTypeError, SizeError } from '../../src/index.js';
import { INCREMENT_SHADER } from '../helpers.js';
import { shader, T0, type Row } from './catalogue.js';

export const AREA = { area: 'Bindings', heading: 'Resources by name, samplers, parameter blocks' } as const;

const PARAMS = `struct P { scale: f32, n: u32 }\n${T0}\n@group(0) @binding(1) var<uniform> params: P;`;
const PARAMS_BODY = 't[id.x] = t[id.x] * params.scale + f32(params.n);';
const PUSH_U32 = `struct Push { n: u32, k: i32, v: vec3f }\n${T0}\n@group(1) @binding(0) var<uniform> push: Push;`;
const PUSH_BODY = 't[id.x] = f32(push.n) + f32(push.k) + push.v.x;';
const SAMPLED = `${T0}\n@group(1) @binding(0) var s: sampler_comparison;`;
const WG_OVERRIDE =
  '@group(0) @binding(0) var<storage, read_write> t: array<f32>;\noverride WgX: u32 = 4;\n@compute @workgroup_size(WgX) fn main(@builtin(global_invocation_id) id: vec3u) { t[id.x] = 1.0; }';

export const ROWS: readonly Row[] = [
  {
    id: 'bind.name.undeclared',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: '{ samp: sampler } for a shader that declares no samp',
    call: (c) => c.mgr.algorithm({ t: c.f32(2), samp: c.keep(c.mgr.sampler()) }, INCREMENT_SHADER),
    error: ArgumentError,
    argument: 'tensors.samp',
    message: /declares no resource named 'samp'/,
  },
  {
    id: 'bind.place-key.wrong-kind',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: "`{ '@group(0) @binding(0)': sampler }` for a `var<storage>`",
    call: (c) => c.mgr.algorithm({ '@group(0) @binding(0)': c.keep(c.mgr.sampler()) }, INCREMENT_SHADER),
    error: AlgorithmBindingError,
    argument: 'tensors.@group(0) @binding(0)',
    message: /'t' is array<f32> but .*a sampler/,
  },
  {
    id: 'bind.hole-used',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: '[undefined, t] where the shader uses binding 0',
    call: (c) => c.mgr.algorithm([undefined, c.f32(2)], INCREMENT_SHADER),
    error: AlgorithmBindingError,
    argument: 'tensors',
    message: /@binding\(0\) 't' has no tensor/,
  },
  {
    id: 'bind.sampler.not-comparison',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: 'a sampler without compare for sampler_comparison',
    call: (c) => c.mgr.algorithm({ t: c.f32(2), s: c.keep(c.mgr.sampler()) }, shader(SAMPLED, '_ = s;')),
    error: AlgorithmBindingError,
    argument: 'tensors.s',
    message: /sampler_comparison but .* has no compare function/,
  },
  {
    id: 'bind.sampler.other-manager',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: "another manager's sampler",
    call: (c) => c.mgr.algorithm({ t: c.f32(2), s: c.keep(c.other.sampler({ compare: 'less' })) }, shader(SAMPLED, '_ = s;')),
    error: ArgumentError,
    argument: 'tensors.s',
    message: /belongs to another manager/,
  },
  {
    id: 'bind.sampler.destroyed',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: 'a destroyed sampler',
    call: (c) => {
      const s = c.mgr.sampler({ compare: 'less' });
      s.destroy();
      return c.mgr.algorithm({ t: c.f32(2), s }, shader(SAMPLED, '_ = s;'));
    },
    error: DestroyedError,
    message: /was destroyed/,
  },
  {
    id: 'bind.params.read-write',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: 'a parameter block for a `var<storage, read_write>`',
    call: (c) => c.mgr.algorithm({ t: c.keep(c.mgr.params([1, 2])) }, INCREMENT_SHADER),
    error: AlgorithmBindingError,
    argument: 'tensors.t',
    message: /var<storage, read_write> array<f32> but .*a parameter block/,
  },
  {
    id: 'params.not-values',
    area: 'Bindings',
    api: 'mgr.params',
    input: "'x' (not an object or numbers)",
    call: (c) => c.mgr.params('x' as never),
    error: ArgumentError,
    argument: 'values',
    message: /expected an object of member values or an array of numbers/,
  },
  {
    id: 'params.unknown-member',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: '{ scal: 1, n: 2 } bound to struct P { scale: f32, n: u32 }',
    call: (c) => c.mgr.algorithm({ t: c.f32(2), params: c.keep(c.mgr.params({ scal: 1, n: 2 })) }, shader(PARAMS, PARAMS_BODY)),
    error: ArgumentError,
    argument: 'values.scal',
    message: /P has no member 'scal'.*did you mean 'scale'/,
  },
  {
    id: 'params.missing-member',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: '{ scale: 1 } bound to struct P { scale: f32, n: u32 }',
    call: (c) => c.mgr.algorithm({ t: c.f32(2), params: c.keep(c.mgr.params({ scale: 1 })) }, shader(PARAMS, PARAMS_BODY)),
    error: ArgumentError,
    argument: 'values.n',
    message: /missing: P.n is u32/,
  },
  {
    id: 'params.u32-negative',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: '{ scale: 1, n: -1 } for a u32 member',
    call: (c) => c.mgr.algorithm({ t: c.f32(2), params: c.keep(c.mgr.params({ scale: 1, n: -1 })) }, shader(PARAMS, PARAMS_BODY)),
    error: DTypeError,
    argument: 'values.n',
    message: /-1 is not a u32 value/,
  },
  {
    id: 'params.set-out-of-range',
    area: 'Bindings',
    api: 'params.set',
    input: '{ n: 2 ** 32 } for a u32 member of a bound block',
    call: (c) => {
      const params = c.keep(c.mgr.params({ scale: 1, n: 0 }));
      c.algo([c.f32(2), params as never], shader(PARAMS, PARAMS_BODY));
      params.set({ n: 2 ** 32 });
    },
    error: DTypeError,
    argument: 'values.n',
    message: /4294967296 is not a u32 value/,
  },
  {
    id: 'params.other-struct',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: 'one block bound to two different structs',
    call: (c) => {
      const params = c.keep(c.mgr.params([1, 2]));
      c.algo([c.f32(2), params as never], shader(PARAMS, PARAMS_BODY));
      return c.mgr.algorithm([c.f32(2), params], shader(`struct Q { a: u32, b: u32 }\n${T0}\n@group(0) @binding(1) var<uniform> q: Q;`, 't[id.x] = f32(q.a + q.b);'));
    },
    error: AlgorithmBindingError,
    argument: 'tensors[1]',
    message: /is Q but .* follows P/,
  },
  {
    id: 'push.u32-negative',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: 'pushConstants: [-1, 0, 0, 0, 0] for struct { n: u32, k: i32, v: vec3f }',
    call: (c) => c.mgr.algorithm([c.f32(2)], shader(PUSH_U32, PUSH_BODY), { pushConstants: [-1, 0, 0, 0, 0] }),
    error: DTypeError,
    argument: 'pushConstants[0]',
    message: /Push.n is u32: -1 is not a u32 value/,
  },
  {
    id: 'push.i32-overflow',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: 'pushConstants: { k: 2 ** 31 } for an i32 member',
    call: (c) => c.mgr.algorithm([c.f32(2)], shader(PUSH_U32, PUSH_BODY), { pushConstants: { n: 0, k: 2 ** 31, v: [0, 0, 0] } }),
    error: DTypeError,
    argument: 'pushConstants.k',
    message: /2147483648 is not a i32 value/,
  },
  {
    id: 'push.vector-length',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: 'pushConstants: { v: [1, 2] } for a vec3f member',
    call: (c) => c.mgr.algorithm([c.f32(2)], shader(PUSH_U32, PUSH_BODY), { pushConstants: { n: 0, k: 0, v: [1, 2] } }),
    error: SizeError,
    argument: 'pushConstants.v',
    message: /vec3f takes 3 number\(s\), got 2/,
  },
  {
    id: 'constants.unknown-name',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: 'constants: { Nope: 1 }',
    call: (c) => c.mgr.algorithm([c.f32(4)], WG_OVERRIDE, { constants: { Nope: 1 } }),
    error: AlgorithmBindingError,
    argument: 'constants.Nope',
    message: /declares no override 'Nope'; it declares WgX: u32/,
  },
  {
    id: 'constants.not-a-number',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: "constants: { WgX: '8' }",
    call: (c) => c.mgr.algorithm([c.f32(4)], WG_OVERRIDE, { constants: { WgX: '8' } as never }),
    error: ArgumentError,
    argument: 'constants.WgX',
    message: /must be a finite number/,
  },
  {
    id: 'options.invocations-and-workgroup',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: '{ workgroup: [1], invocations: [4] }',
    call: (c) => c.mgr.algorithm([c.f32(4)], INCREMENT_SHADER, { workgroup: [1], invocations: [4] }),
    error: ArgumentError,
    argument: 'invocations',
    message: /cannot be given together with workgroup/,
  },
  {
    id: 'options.invocations-zero',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: '{ invocations: [0] }',
    call: (c) => c.mgr.algorithm([c.f32(4)], INCREMENT_SHADER, { invocations: [0] }),
    error: ArgumentError,
    argument: 'invocations',
    message: /dimension x must be a positive integer/,
  },
  {
    id: 'options.misspelled',
    area: 'Bindings',
    api: 'mgr.algorithm',
    input: '{ workgroups: [4] } (misspelled)',
    call: (c) => c.mgr.algorithm([c.f32(4)], INCREMENT_SHADER, { workgroups: [4] } as never),
    error: ArgumentError,
    argument: 'options.workgroups',
    message: /did you mean 'workgroup'/,
  },
  {
    id: 'sampler.bad-filter',
    area: 'Bindings',
    api: 'mgr.sampler',
    input: "{ magFilter: 'bilinear' }",
    call: (c) => c.mgr.sampler({ magFilter: 'bilinear' as never }),
    error: ArgumentError,
    argument: 'options.magFilter',
    message: /"bilinear" is not one of nearest, linear/,
  },
  {
    id: 'sampler.unknown-option',
    area: 'Bindings',
    api: 'mgr.sampler',
    input: "{ filter: 'linear' }",
    call: (c) => c.mgr.sampler({ filter: 'linear' } as never),
    error: ArgumentError,
    argument: 'options.filter',
    message: /is not a sampler option/,
  },
  {
    id: 'image.unorm8-range',
    area: 'Bindings',
    api: 'mgr.image',
    input: "[2, 0, 0, 0] for a 1×1 rgba image of dtype 'unorm8' (values are 0..1)",
    call: (c) => c.mgr.image([2, 0, 0, 0], 1, 1, 4, { dtype: 'unorm8' }),
    error: DTypeError,
    argument: 'data',
    message: /element 0 is 2, not a unorm8 value \(from 0 to 1\)/,
  },
];
