import { readFileSync, writeFileSync } from 'node:fs';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { ArgumentError } from '../errors.js';
import { Manager } from '../manager/manager.js';
import type { DType, TensorData } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { OpAlgoDispatch } from '../operations/op-algo-dispatch.js';
import { OpSyncDevice } from '../operations/op-sync-device.js';
import { OpSyncLocal } from '../operations/op-sync-local.js';
import { formatNpy, type NpyArray, parseNpy } from './npy.js';

/** What `kompute-ts run` is asked to do. */
interface RunRequest {
  readonly shader: string;
  /** Input files, bound first in order; `name=path` binds by name (generated bindings). */
  readonly inputs: readonly string[];
  /** Output files, bound after the inputs; each gets the first input's shape. */
  readonly outputs: readonly string[];
  readonly workgroup?: readonly number[];
  readonly constants?: readonly number[];
}

interface FileArgument {
  readonly name: string | null;
  readonly path: string;
}

function splitName(argument: string): FileArgument {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(argument);
  return match ? { name: match[1]!, path: match[2]! } : { name: null, path: argument };
}

/** The element type the shader declares for `@group(0) @binding(i)`, when it says one. */
function declaredDType(reflect: WgslReflect | null, binding: number): DType | null {
  const variable = reflect?.storage.find((v) => v.group === 0 && v.binding === binding);
  interface Typed {
    readonly name: string;
    readonly format?: Typed | null;
  }
  let type = variable?.type as Typed | null | undefined;
  while (type && !['f32', 'i32', 'u32', 'f16'].includes(type.name)) type = type.format;
  return (type?.name as DType | undefined) ?? null;
}

/**
 * Dispatches a WGSL kernel over `.npy` files: inputs are bound first, outputs after them (each
 * as large as the first input, of the shader's declared element type). The default workgroup
 * count covers the first input with the entry point's `@workgroup_size`.
 */
export async function runKernel(request: RunRequest, log: (line: string) => void = () => {}): Promise<void> {
  const wgsl = readFileSync(request.shader, 'utf8');
  const inputs = request.inputs.map(splitName);
  const outputs = request.outputs.map(splitName);
  const all = [...inputs, ...outputs];
  if (inputs.length === 0) throw new ArgumentError('--in', 'no input file was given', 'pass at least one --in file.npy');
  const named = all.filter((f) => f.name !== null).length;
  if (named !== 0 && named !== all.length)
    throw new ArgumentError('--in/--out', 'some files are named (name=path) and others are not', 'name every file to generate bindings, or none to bind them in order');
  const arrays: NpyArray[] = inputs.map((f) => parseNpy(readFileSync(f.path), f.path));
  const first = arrays[0]!;
  let reflect: WgslReflect | null = null;
  try {
    reflect = new WgslReflect(wgsl);
  } catch {
    // The compiler reports what the parser could not read.
  }
  await using mgr = await Manager.create();
  const tensors: Tensor[] = arrays.map((a) => mgr.tensor(a.data as TensorData, { label: inputs[arrays.indexOf(a)]!.path }));
  for (let i = 0; i < outputs.length; i++) {
    const dtype = declaredDType(reflect, inputs.length + i) ?? first.dtype;
    tensors.push(mgr.tensor(first.data.length, dtype, { label: outputs[i]!.path }));
  }
  const size = reflect?.entry.compute[0]?.workgroupSize?.[0] ?? 1;
  const workgroup = request.workgroup ?? [Math.max(1, Math.ceil(first.data.length / (Number(size) || 1)))];
  const options = { workgroup, ...(request.constants ? { constants: request.constants } : {}) };
  const algorithm = named ? mgr.algorithm(Object.fromEntries(all.map((f, i) => [f.name!, tensors[i]!])), wgsl, options) : mgr.algorithm(tensors, wgsl, options);
  await algorithm.compiled();
  const outTensors = tensors.slice(inputs.length);
  await mgr.sequence().eval(new OpSyncDevice(tensors.slice(0, inputs.length)), new OpAlgoDispatch(algorithm), ...(outTensors.length ? [new OpSyncLocal(outTensors)] : []));
  outputs.forEach((f, i) => {
    const tensor = outTensors[i]!;
    writeFileSync(f.path, formatNpy({ dtype: tensor.dtype, shape: first.shape, data: tensor.data().slice() }));
    log(`wrote ${f.path} (${tensor.dtype}, shape (${first.shape.join(', ')}))`);
  });
  log(`dispatched ${workgroup.join(' x ')} workgroup(s) on ${mgr.deviceInfo().description || mgr.deviceInfo().device}`);
}
