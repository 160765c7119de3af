/** The built-in kernels: operations that record like any other, for common numeric work. */
export { KernelOp, type KernelStep } from './kernel-op.js';
export { OpFill, OpIota, type IotaOptions } from './op-fill.js';
export { OpMap } from './op-map.js';
export { OpMatMul, OpMatMulInt8, SUBGROUP_MATRIX_FEATURE, type MatMulOptions } from './op-matmul.js';
export type { MatMulTile } from './matmul-shader.js';
export { OpReduce, type ReduceOptions } from './op-reduce.js';
export { OpSoftmax, type SoftmaxOptions } from './op-softmax.js';
export { OpScan, type ScanOptions } from './op-scan.js';
export type { ReduceOp, Reduction } from './reduce-ops.js';
