import { accessSync, constants, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { defaultDispatch } from '../algorithm/dispatch-size.js';
import { Manager } from '../manager/manager.js';
import { DTYPES, type DType, type TensorData } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { OpAlgoDispatch } from '../operations/op-algo-dispatch.js';
import { OpSyncDevice } from '../operations/op-sync-device.js';
import { OpSyncLocal } from '../operations/op-sync-local.js';
import { CliError, fileError, UsageError } from './cli-errors.js';
import { formatNpy, type NpyArray, parseNpy } from './npy.js';

/** What `kompute-ts run` is asked to do. */
interface RunRequest {
  readonly shader: string;
  /** Input files, bound first in order; `name=path` binds by name (generated bindings). */
  readonly inputs: readonly string[];
  /**
   * Output files, bound after the inputs: `path`, `path:dtype`, `path:dtype:shape` or
   * `path:shape` (shape `4` or `2x3`), each optionally `name=` first. Without a dtype, the one
   * the shader declares (else the first input's); without a shape, the first input's.
   */
  readonly outputs: readonly string[];
  readonly workgroup?: readonly number[];
  readonly constants?: readonly number[];
}

interface FileArgument {
  readonly name: string | null;
  readonly path: string;
}

interface OutputArgument extends FileArgument {
  readonly dtype: DType | null;
  readonly shape: readonly number[] | null;
}

function splitName(argument: string): FileArgument {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(argument);
  return match ? { name: match[1]!, path: match[2]! } : { name: null, path: argument };
}

const SHAPE = /^\d+(?:x\d+)*$/;

/** `--out` as `[name=]path[:dtype][:shape]`. */
export function parseOutput(argument: string): OutputArgument {
  const { name, path: spec } = splitName(argument);
  const parts = spec.split(':');
  let dtype: DType | null = null;
  let shape: number[] | null = null;
  const last = parts[parts.length - 1]!;
  if (parts.length >= 2 && SHAPE.test(last) && !last.endsWith('.npy')) {
    shape = last.split('x').map(Number);
    parts.pop();
  }
  const maybeType = parts[parts.length - 1]!;
  if (parts.length >= 2 && (DTYPES as readonly string[]).includes(maybeType)) {
    dtype = maybeType as DType;
    parts.pop();
  } else if (parts.length >= 2 && /^[a-z]+\d+$/.test(maybeType)) {
    throw new UsageError(`--out ${argument}: '${maybeType}' is not a dtype (use ${DTYPES.join(', ')})`);
  }
  const path = parts.join(':');
  if (path === '') throw new UsageError(`--out ${argument}: no file name`);
  if (shape?.some((d) => d < 1)) throw new UsageError(`--out ${argument}: every dimension of the shape must be at least 1`);
  return { name, path, dtype, shape };
}

interface Typed {
  readonly name: string;
  readonly count?: number;
  readonly format?: Typed | null;
}

const SCALARS: readonly string[] = ['f32', 'i32', 'u32', 'f16'];
const VECTOR = /^vec([234])([fiuh]?)$/;
const SUFFIX: Readonly<Record<string, DType>> = { f: 'f32', i: 'i32', u: 'u32', h: 'f16' };

/** What a binding's declared type says about the data bound to it. */
interface BindingShape {
  readonly dtype: DType | null;
  /** Elements it holds when fixed (a scalar, a vector, a sized array), null for a runtime-sized array or an unknown type. */
  readonly fixed: number | null;
  /** A runtime-sized array (its length is the data's). */
  readonly runtime: boolean;
}

/** A scalar or vector type as its element type and count, or null. */
function scalarOrVector(type: Typed | null | undefined): { dtype: DType; count: number } | null {
  if (!type) return null;
  if (SCALARS.includes(type.name)) return { dtype: type.name as DType, count: 1 };
  const vector = VECTOR.exec(type.name);
  if (!vector) return null;
  const dtype = vector[2] ? SUFFIX[vector[2]]! : type.format && SCALARS.includes(type.format.name) ? (type.format.name as DType) : null;
  return dtype ? { dtype, count: Number(vector[1]) } : null;
}

/** The shape the shader declares for `@group(0) @binding(i)`, as far as it says one. */
function declaredShape(reflect: WgslReflect | null, binding: number): BindingShape {
  const variable = reflect?.storage.find((v) => v.group === 0 && v.binding === binding);
  const type = variable?.type as Typed | null | undefined;
  if (!type) return { dtype: null, fixed: null, runtime: false };
  const direct = scalarOrVector(type);
  if (direct) return { dtype: direct.dtype, fixed: direct.count, runtime: false };
  if (type.name === 'array') {
    const element = scalarOrVector(type.format);
    const count = type.count ?? 0;
    if (!element) return { dtype: null, fixed: null, runtime: count === 0 };
    return { dtype: element.dtype, fixed: count > 0 ? count * element.count : null, runtime: count === 0 };
  }
  return { dtype: null, fixed: null, runtime: false };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError('read', path, error);
  }
}

function readNpy(path: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw fileError('read', path, error);
  }
  return parseNpy(bytes, path);
}

/** Fails now, before any GPU work, when an output cannot be written where it is asked. */
function checkWritable(path: string): void {
  const folder = dirname(path);
  try {
    if (!statSync(folder).isDirectory()) throw new CliError(`cannot write ${path}: ${folder} is not a directory`);
    accessSync(folder, constants.W_OK);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw fileError('write', path, error);
  }
  try {
    if (statSync(path).isDirectory()) throw new CliError(`cannot write ${path}: is a directory`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    // It does not exist yet: fine.
  }
}

/** Writes every file or none: each to a temporary file beside it, renamed into place once all are written. */
function writeAll(files: readonly { path: string; bytes: Uint8Array }[]): void {
  const temporary = files.map((f) => join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`));
  const written: string[] = [];
  try {
    files.forEach((f, i) => {
      try {
        writeFileSync(temporary[i]!, f.bytes);
      } catch (error) {
        throw fileError('write', f.path, error);
      }
      written.push(temporary[i]!);
    });
    files.forEach((f, i) => {
      try {
        renameSync(temporary[i]!, f.path);
      } catch (error) {
        throw fileError('write', f.path, error);
      }
      written.splice(written.indexOf(temporary[i]!), 1);
    });
  } finally {
    for (const path of written) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    }
  }
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Dispatches a WGSL kernel over `.npy` files: inputs are bound first, outputs after them (each of
 * the dtype and shape its `--out` gives, else of the shader's declared element type and the first
 * input's shape). Inputs are checked against what the shader's bindings imply (a runtime-sized
 * array has the first input's length; a scalar, vector or sized array its own size) before
 * anything runs, and outputs are written all or none. The default workgroup count covers the
 * first input with the entry point's `@workgroup_size`.
 */
export async function runKernel(request: RunRequest, log: (line: string) => void = () => {}): Promise<void> {
  const inputs = request.inputs.map(splitName);
  const outputs = request.outputs.map(parseOutput);
  const all: FileArgument[] = [...inputs, ...outputs];
  if (inputs.length === 0) throw new UsageError('run needs at least one --in file.npy');
  const named = all.filter((f) => f.name !== null).length;
  if (named !== 0 && named !== all.length) throw new UsageError('name every --in and --out file (name=path) to generate bindings, or none to bind them in order');
  const names = all.map((f) => f.name);
  const duplicate = names.find((n, i) => n !== null && names.indexOf(n) !== i);
  if (duplicate) throw new UsageError(`the name '${duplicate}' is given to two files`);
  const paths = outputs.map((f) => f.path);
  const twice = paths.find((p, i) => paths.indexOf(p) !== i);
  if (twice) throw new UsageError(`--out ${twice} is given twice`);
  const wgsl = readText(request.shader);
  const arrays: NpyArray[] = inputs.map((f) => readNpy(f.path));
  for (const f of outputs) checkWritable(f.path);
  const first = arrays[0]!;
  let reflect: WgslReflect | null = null;
  try {
    reflect = new WgslReflect(wgsl);
  } catch {
    // The compiler reports what the parser could not read.
  }
  // Generated bindings: every file is a runtime-sized array of its own dtype.
  const shapeOf = (binding: number): BindingShape => (named ? { dtype: null, fixed: null, runtime: true } : declaredShape(reflect, binding));
  arrays.forEach((a, i) => {
    const declared = shapeOf(i);
    const path = inputs[i]!.path;
    if (declared.fixed !== null && a.data.length !== declared.fixed) {
      throw new CliError(`${path} has ${a.data.length} elements but @binding(${i}) of ${request.shader} holds ${declared.fixed}`);
    }
    if (i > 0 && declared.runtime && a.data.length !== first.data.length) {
      throw new CliError(
        `${path} has ${a.data.length} elements but ${inputs[0]!.path} has ${first.data.length}: the kernel runs over the first input, so every input bound to a runtime-sized array has its length (declare @binding(${i}) as a sized array to bind fewer)`,
      );
    }
  });
  const outputShapes = outputs.map((f, i) => {
    const declared = shapeOf(inputs.length + i);
    const shape = f.shape ?? (declared.fixed !== null ? [declared.fixed] : first.shape);
    const length = shape.reduce((x, y) => x * y, 1);
    if (declared.fixed !== null && length !== declared.fixed) {
      throw new CliError(`--out ${f.path} has shape ${shapeText(shape)} (${length} elements) but @binding(${inputs.length + i}) of ${request.shader} holds ${declared.fixed}`);
    }
    const dtype = f.dtype ?? declared.dtype ?? first.dtype;
    if (declared.dtype !== null && dtype !== declared.dtype) {
      throw new CliError(`--out ${f.path} is ${dtype} but @binding(${inputs.length + i}) of ${request.shader} holds ${declared.dtype}`);
    }
    return { shape, length, dtype };
  });
  await using mgr = await Manager.create();
  const tensors: Tensor[] = arrays.map((a, i) => mgr.tensor(a.data as TensorData, { label: inputs[i]!.path }));
  outputShapes.forEach((o, i) => tensors.push(mgr.tensor(o.length, o.dtype, { label: outputs[i]!.path })));
  // The library's default dispatch rule: the first tensor covered once, ceil(size / workgroup_size.x).
  const workgroup = request.workgroup ?? [defaultDispatch(wgsl, first.data.length, request.constants ? { constants: request.constants } : {})[0]];
  const options = { workgroup, ...(request.constants ? { constants: request.constants } : {}) };
  const algorithm = named ? mgr.algorithm(Object.fromEntries(all.map((f, i) => [f.name!, tensors[i]!])), wgsl, options) : mgr.algorithm(tensors, wgsl, options);
  await algorithm.compiled();
  const outTensors = tensors.slice(inputs.length);
  await mgr.sequence().eval(new OpSyncDevice(tensors.slice(0, inputs.length)), new OpAlgoDispatch(algorithm), ...(outTensors.length ? [new OpSyncLocal(outTensors)] : []));
  writeAll(outputs.map((f, i) => ({ path: f.path, bytes: formatNpy({ dtype: outTensors[i]!.dtype, shape: outputShapes[i]!.shape, data: outTensors[i]!.data().slice() }) })));
  outputs.forEach((f, i) => log(`wrote ${f.path} (${outTensors[i]!.dtype}, shape ${shapeText(outputShapes[i]!.shape)})`));
  log(`dispatched ${workgroup.join(' x ')} workgroup(s) on ${mgr.deviceInfo().description || mgr.deviceInfo().device}`);
}
