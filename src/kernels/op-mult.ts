import { $internal } from '../core/internal.js';
import { ArgumentError, DTypeError, SizeError } from '../errors.js';
import { wgslType } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import type { TensorView } from '../memory/tensor-view.js';
import { OpAlgoDispatch } from '../operations/op-algo-dispatch.js';
import { checkTensorList } from '../operations/tensor-list.js';
import { kernelAlgorithm } from './kernel-op.js';

const WORKGROUP_SIZE = 256;

function multShader(type: string, columns: number): string {
  const enable = type === 'f16' ? 'enable f16;\n' : '';
  return `${enable}@group(0) @binding(0) var<storage, read> lhs: array<${type}>;
@group(0) @binding(1) var<storage, read> rhs: array<${type}>;
@group(0) @binding(2) var<storage, read_write> result: array<${type}>;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ${columns * WORKGROUP_SIZE}u;
  if (i < arrayLength(&result)) {
    result[i] = lhs[i] * rhs[i];
  }
}
`;
}

/**
 * The built-in element-wise product `out[i] = lhs[i] * rhs[i]`, for tensors of one dtype and
 * size. As in Kompute (`kp::OpMult : kp::OpAlgoDispatch`) it is an {@link OpAlgoDispatch} of its
 * own algorithm, which it creates the way the kernels do (`kernelAlgorithm`): through the tensors'
 * manager, which owns it like any other.
 */
export class OpMult extends OpAlgoDispatch {
  /** @param tensors - `[lhs, rhs, out]` (tensors or views), one dtype and one size */
  constructor(tensors: readonly [Tensor | TensorView, Tensor | TensorView, Tensor | TensorView] | readonly (Tensor | TensorView)[]) {
    if (Array.isArray(tensors) && tensors.length !== 3) {
      throw new SizeError('tensors', `OpMult expects exactly 3 tensors [lhs, rhs, out], got ${tensors.length}`, 'pass [lhs, rhs, out]');
    }
    const list = checkTensorList('OpMult', tensors, 3);
    list.forEach((t, i) => {
      if (t.kind === 'image')
        throw new ArgumentError(`tensors[${i}]`, `OpMult multiplies tensors, and ${t.label} is an image`, 'copy the image into a tensor first (OpCopy), or write a shader for images');
    });
    const [lhs, rhs, out] = list as [Tensor | TensorView, Tensor | TensorView, Tensor | TensorView];
    for (const t of [rhs, out]) {
      if (t.dtype !== lhs.dtype) throw new DTypeError('tensors', `OpMult needs one dtype: ${lhs.label} is ${lhs.dtype}, ${t.label} is ${t.dtype}`, 'use tensors of one dtype');
      if (t.size !== lhs.size) throw new SizeError('tensors', `OpMult needs one size: ${lhs.label} has ${lhs.size} elements, ${t.label} has ${t.size}`, 'use tensors of one size');
    }
    const groups = Math.ceil(lhs.size / WORKGROUP_SIZE);
    const max = lhs[$internal].context.limits.maxComputeWorkgroupsPerDimension;
    const columns = Math.min(groups, max);
    const rows = Math.ceil(groups / columns);
    super(kernelAlgorithm(lhs[$internal].context, list as readonly Tensor[], multShader(wgslType(lhs.dtype), columns), [columns, rows, 1], `OpMult(${lhs.label})`));
  }

  override get name(): string {
    return 'OpMult';
  }
}
