/** The built-in kernels: operations that record like any other, for common numeric work. */
export { KernelOp, type KernelStep } from './kernel-op.js';
export { OpFill, OpIota, type IotaOptions } from './op-fill.js';
export { OpMap } from './op-map.js';
export { OpMatMul, type MatMulOptions } from './op-matmul.js';
export { EXPERIMENTAL_FEATURES_FLAG, type Int8MatMulOptions, OpMatMulInt8 } from './op-matmul-int8.js';
export type { Int8Tile } from './int8-matmul-shader.js';
export { SUBGROUP_MATRIX_FEATURE, type SubgroupMatrixConfig, subgroupMatrixConfigsOf } from '../core/subgroup-matrix.js';
export { packInt8, unpackInt8 } from './int8-pack.js';
export type { MatMulTile } from './matmul-shader.js';
export { OpReduce, type ReduceOptions } from './op-reduce.js';
export { OpSoftmax, type SoftmaxOptions } from './op-softmax.js';
export { OpScan, type ScanOptions } from './op-scan.js';
export type { ReduceOp, Reduction } from './reduce-ops.js';
