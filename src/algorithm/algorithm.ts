import { ShaderStage } from '../backends/webgpu-constants.js';
import { Resource } from '../core/lifecycle.js';
import { AlgorithmBindingError, ArgumentError, DTypeError, KomputeError, ShaderCompileError, SizeError, ValidationError, type ShaderMessage } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import { $create, $internal, assertCreationKey, assertSameManager, type CreationKey } from '../core/internal.js';
import type { Releasable } from '../core/registry.js';
import { Image } from '../memory/image.js';
import { imageWgslType, sampleType } from '../memory/image-format.js';
import { Memory } from '../memory/memory.js';
import { type PushConstants, type PushType, pushTypeOf, toPushData } from './push-constants.js';
import { checkBindingDetails } from './binding-checks.js';
import { bindNamedTensors, type NamedTensors } from './generated-bindings.js';
import { reflectShader, type ShaderBinding, type ShaderInterface } from './shader-interface.js';

/** Options of `mgr.algorithm(...)` and `algorithm.rebuild(...)`. */
export interface AlgorithmOptions {
  /**
   * Number of workgroups `[x, y, z]` to dispatch (missing y and z are 1). Default
   * `[tensors[0].size, 1, 1]`, which suits shaders with `@workgroup_size(1)` as in Kompute.
   */
  readonly workgroup?: readonly number[];
  /** Specialization constants: value *i* sets the WGSL `override` declared with `@id(i)`. */
  readonly constants?: readonly number[];
  /**
   * Push constants, visible to the shader as `@group(1) @binding(0) var<uniform> push: P;` where
   * `P` is a struct of 4-byte scalars in the order of the values. At most 256 bytes.
   */
  readonly pushConstants?: PushConstants;
  /** The `@compute` function to run; default the only one, or `main`. */
  readonly entryPoint?: string;
  /** Name used in error messages and WebGPU labels. */
  readonly label?: string;
  /**
   * Check the shader's bindings, overrides and push constants against the tensors and values
   * given (default `true`). Turn it off for a shader the `wgsl_reflect` parser misreads; the
   * WGSL compiler and WebGPU validation still run.
   */
  readonly checkBindings?: boolean;
  /**
   * With named tensors (`mgr.algorithm({ a, b }, body)`), the access mode of each generated
   * binding; names not listed are inferred (`read` when the body never writes them).
   */
  readonly access?: Readonly<Record<string, 'read' | 'read_write'>>;
}

type PushData = Float32Array | Int32Array | Uint32Array;

/** The GPU side of an algorithm. Pipelines and bind groups are freed by WebGPU when dropped. */
class AlgorithmCore implements Releasable {
  pipeline: GPUComputePipeline | null = null;
  bindGroup: GPUBindGroup | null = null;
  bindGroupVersion = -1;
  generations: number[] = [];

  release(): void {
    this.pipeline = null;
    this.bindGroup = null;
  }
}

interface Configuration {
  readonly tensors: readonly Memory[];
  readonly wgsl: string;
  readonly workgroup: readonly [number, number, number];
  readonly constants: readonly number[];
  readonly push: PushData | null;
  readonly layout: GPUBindGroupLayout;
  readonly pipelineLayout: GPUPipelineLayout;
}

/**
 * A WGSL compute shader bound to tensors and images: memory *i* is `@group(0) @binding(i)`, a
 * tensor as `var<storage>`, an image as `texture_storage_2d<format, access>` or `texture_2d<T>`.
 * Compilation runs in the background; evaluations wait for it, and {@link Algorithm.compiled}
 * reports errors early.
 */
export class Algorithm extends Resource {
  readonly #core = new AlgorithmCore();
  #config!: Configuration;
  #ready!: Promise<void>;
  #error: KomputeError | null = null;
  #version = 0;

  /** @internal Use `mgr.algorithm(...)`; inside the library, {@link createAlgorithm}. */
  constructor(key: CreationKey, context: DeviceContext, tensors: readonly Memory[], wgsl: string, options: AlgorithmOptions = {}) {
    assertCreationKey(key, 'Algorithm', 'mgr.algorithm(...)');
    super(context, 'Algorithm', options.label);
    this.#configure(tensors, wgsl, options);
    this.track('algorithm', this.#core);
  }

  /** @internal */
  protected get core(): Releasable {
    return this.#core;
  }

  /**
   * Replaces tensors, shader and options (all of them, like creating it anew) and recompiles.
   * Named tensors generate the bindings, as in `mgr.algorithm(...)`.
   * Sequences that record this algorithm use the new pipeline at their next evaluation.
   */
  rebuild(tensors: readonly Memory[] | NamedTensors, wgsl: string, options: AlgorithmOptions = {}): void {
    this.assertUsable('rebuild()');
    const bound = bindNamedTensors(tensors, wgsl, options?.access);
    this.#configure(bound.tensors, bound.wgsl, options);
  }

  /** Resolves once the pipeline is compiled; rejects with {@link ShaderCompileError} or {@link ValidationError}. */
  async compiled(): Promise<this> {
    this.assertUsable('compiled()');
    await this.#ready;
    if (this.#error) throw this.#error;
    return this;
  }

  /** Replaces the push constants; the byte size must stay what it was at creation. */
  setPushConstants(values: PushConstants): void {
    this.assertUsable('setPushConstants()');
    this.#config = { ...this.#config, push: this.checkPushConstants('values', values) };
  }

  /** The number of workgroups dispatched, `[x, y, z]`. */
  getWorkgroup(): [number, number, number] {
    this.assertUsable('getWorkgroup()');
    return [...this.#config.workgroup];
  }

  /** A copy of the push constants (empty when there are none). */
  getPushConstants(): Float32Array | Int32Array | Uint32Array {
    this.assertUsable('getPushConstants()');
    return this.#config.push ? this.#config.push.slice() : new Float32Array(0);
  }

  /** The specialization constants, by `@id`. */
  getSpecializationConstants(): number[] {
    this.assertUsable('getSpecializationConstants()');
    return [...this.#config.constants];
  }

  /** The tensors and images bound, in binding order. */
  getTensors(): readonly Memory[] {
    this.assertUsable('getTensors()');
    return this.#config.tensors;
  }

  /** @internal Validates per-dispatch push constants against this algorithm's size. */
  checkPushConstants(argument: string, values: PushConstants): PushData {
    const own = this.#config?.push;
    const data = toPushData(argument, values, own ? pushTypeOf(own) : 'f32');
    if (own && pushTypeOf(data) !== pushTypeOf(own)) {
      throw new DTypeError(argument, `${this.label}'s push constants are ${pushTypeOf(own)}, got ${pushTypeOf(data)} values`, 'pass numbers, or a typed array of the same type');
    }
    const expected = own?.byteLength ?? 0;
    if (data.byteLength !== expected) {
      throw new SizeError(
        argument,
        `${this.label} expects ${expected} bytes of push constants, got ${data.byteLength}`,
        expected === 0 ? 'create the algorithm with pushConstants to use them' : 'pass as many values as at creation',
      );
    }
    return data;
  }

  /** @internal True when the algorithm and all its tensors can be used. */
  isUsableWithTensors(): boolean {
    if (!this.isInit()) return false;
    for (const tensor of this.#config.tensors) if (!tensor.isInit()) return false;
    return true;
  }

  /** @internal Throws unless usable; also checks the bound tensors. */
  protected override assertUsableBy(action: string): void {
    this.assertUsable(action);
    for (const tensor of this.#config.tensors) tensor[$internal].assertUsable(`${action} through ${this.label}`);
  }

  /** @internal Waits for compilation; throws its error. */
  async whenCompiled(): Promise<void> {
    if (!this.#core.pipeline || this.#error) await this.#ready;
    if (this.#error) throw this.#error;
  }

  /** @internal True when the pipeline is compiled and error-free (no waiting needed). */
  get isCompiled(): boolean {
    return this.#core.pipeline !== null && this.#error === null;
  }

  /** @internal The current push constants. */
  get pushData(): PushData | null {
    return this.#config.push;
  }

  /** @internal What a dispatch binds: the compiled pipeline, the tensors' bind group, the workgroup count. */
  dispatchState(): { pipeline: GPUComputePipeline; group: GPUBindGroup; workgroup: readonly [number, number, number] } {
    const config = this.#config;
    return { pipeline: this.#core.pipeline!, group: this.#bindGroup(config), workgroup: config.workgroup };
  }

  #bindGroup(config: Configuration): GPUBindGroup {
    const core = this.#core;
    const generations = core.generations;
    let stale = core.bindGroup === null || core.bindGroupVersion !== this.#version;
    for (let i = 0; !stale && i < config.tensors.length; i++) stale = generations[i] !== config.tensors[i]!.generation;
    if (stale) {
      core.bindGroup = this.context.device.createBindGroup({
        label: this.label,
        layout: config.layout,
        entries: config.tensors.map((t, i) => ({ binding: i, resource: t.bindingResource() })),
      });
      core.bindGroupVersion = this.#version;
      core.generations = config.tensors.map((t) => t.generation);
    }
    return core.bindGroup!;
  }

  #configure(tensors: readonly Memory[], wgsl: string, options: AlgorithmOptions): void {
    const context = this.context;
    if (typeof options !== 'object' || options === null)
      throw new ArgumentError('options', `expected an options object, got ${typeof options}`, 'pass { workgroup, constants, pushConstants } or nothing');
    if (!Array.isArray(tensors)) throw new ArgumentError('tensors', 'expected an array of tensors', 'pass [tensor0, tensor1, ...] in binding order');
    tensors.forEach((t, i) => {
      if (!(t instanceof Memory)) throw new ArgumentError(`tensors[${i}]`, 'is not a Tensor or an Image', 'create tensors with mgr.tensor() and images with mgr.image()');
      t[$internal].assertUsable(`binding to ${this.label}`);
      assertSameManager(`tensors[${i}]`, t, context, `binding to ${this.label}`);
    });
    const buffers = tensors.reduce((n, t) => (t.kind === 'tensor' ? n + 1 : n), 0);
    if (buffers > context.limits.maxStorageBuffersPerShaderStage) {
      throw new SizeError(
        'tensors',
        `${buffers} tensors exceed this device's maxStorageBuffersPerShaderStage (${context.limits.maxStorageBuffersPerShaderStage})`,
        'bind fewer tensors, e.g. pack several arrays into one',
      );
    }
    if (typeof wgsl !== 'string' || wgsl.trim() === '') throw new ArgumentError('wgsl', 'expected WGSL source text', 'pass the shader as a string');
    const workgroup = this.#checkWorkgroup(options.workgroup ?? [tensors[0]?.size ?? 1]);
    const constants = options.constants ?? [];
    if (!Array.isArray(constants) || constants.some((c) => typeof c !== 'number' || !Number.isFinite(c))) {
      throw new ArgumentError('constants', 'specialization constants must be an array of finite numbers', 'value i sets the override declared with @id(i)');
    }
    let shader: ShaderInterface | null = null;
    try {
      shader = reflectShader(wgsl);
    } catch {
      // The parser could not read it; the compiler decides (and reports errors with lines).
    }
    const pushType = shaderPushType(shader);
    const pushData = options.pushConstants === undefined ? null : toPushData('pushConstants', options.pushConstants, pushType ?? 'f32');
    const push = pushData && pushData.length > 0 ? pushData : null;
    const check = options.checkBindings !== false;
    if (check && push && pushType && pushTypeOf(push) !== pushType) {
      throw new AlgorithmBindingError(
        'pushConstants',
        `the shader's push-constant struct holds ${pushType} values but a ${push.constructor.name} was given`,
        `pass numbers or a ${pushType === 'i32' ? 'Int32Array' : pushType === 'u32' ? 'Uint32Array' : 'Float32Array'}`,
      );
    }
    checkAliasing(shader, tensors);
    const entryPoint = this.#entryPoint(shader, options.entryPoint);
    if (shader && check) {
      this.#checkBindings(shader, tensors, push);
      checkBindingDetails(wgsl, tensors, constants, push);
    }

    const { layout, pipelineLayout } = context.capture(`creating ${this.label}'s layout`, () => {
      const layout = context.device.createBindGroupLayout({
        label: this.label,
        entries: tensors.map((t, i): GPUBindGroupLayoutEntry => {
          const declared = shader?.bindings.find((b) => b.group === 0 && b.binding === i);
          if (t instanceof Image) return imageLayoutEntry(i, t, declared);
          const type: GPUBufferBindingType = declared?.access === 'read' ? 'read-only-storage' : 'storage';
          return { binding: i, visibility: ShaderStage.COMPUTE, buffer: { type } };
        }),
      });
      const groups = push ? [layout, context.pushLayout] : [layout];
      return { layout, pipelineLayout: context.device.createPipelineLayout({ label: this.label, bindGroupLayouts: groups }) };
    });

    this.#config = { tensors: [...tensors], wgsl, workgroup, constants: [...constants], push, layout, pipelineLayout };
    this.#version++;
    context.bumpEpoch();
    this.#core.pipeline = null;
    this.#core.bindGroup = null;
    this.#error = null;
    const version = this.#version;
    this.#ready = this.#compile(wgsl, pipelineLayout, entryPoint, constants).then(
      (pipeline) => {
        if (version === this.#version && !this.isDestroyed) this.#core.pipeline = pipeline;
      },
      (error: unknown) => {
        if (version !== this.#version) return;
        this.#error = error instanceof KomputeError ? error : new ValidationError(`compiling ${this.label}`, String(error));
      },
    );
  }

  async #compile(wgsl: string, layout: GPUPipelineLayout, entryPoint: string | undefined, constants: readonly number[]): Promise<GPUComputePipeline> {
    const context = this.context;
    const { result: module, error } = context.captureNow(`compiling ${this.label}`, () => context.device.createShaderModule({ label: this.label, code: wgsl }));
    const info = await module.getCompilationInfo();
    const messages: ShaderMessage[] = info.messages.map((m) => ({ type: m.type, message: m.message, line: m.lineNum, column: m.linePos }));
    if (messages.some((m) => m.type === 'error')) {
      await error;
      throw new ShaderCompileError(this.label, messages, wgsl);
    }
    const moduleError = await error;
    if (moduleError) throw moduleError;
    const stage: GPUProgrammableStage = { module, constants: Object.fromEntries(constants.map((c, i) => [String(i), c])) };
    if (entryPoint !== undefined) stage.entryPoint = entryPoint;
    try {
      return await context.device.createComputePipelineAsync({ label: this.label, layout, compute: stage });
    } catch (e) {
      throw new ValidationError(`creating ${this.label}'s pipeline`, e instanceof Error ? e.message : String(e));
    }
  }

  #entryPoint(shader: ShaderInterface | null, requested: string | undefined): string | undefined {
    if (!shader) return requested;
    const names = shader.computeEntryPoints;
    if (requested !== undefined) {
      if (!names.includes(requested)) {
        throw new ArgumentError('entryPoint', `the shader has no @compute function '${requested}'`, `its compute entry points: ${names.join(', ') || 'none'}`);
      }
      return requested;
    }
    if (names.length === 0) throw new ArgumentError('wgsl', 'the shader declares no @compute entry point', 'add @compute @workgroup_size(...) fn main(...)');
    if (names.length === 1) return names[0];
    if (names.includes('main')) return 'main';
    throw new ArgumentError('entryPoint', `the shader has several @compute functions (${names.join(', ')})`, 'name one with options.entryPoint');
  }

  #checkBindings(shader: ShaderInterface, tensors: readonly Memory[], push: PushData | null): void {
    let pushDeclared = false;
    for (const b of shader.bindings) {
      const where = `@group(${b.group}) @binding(${b.binding}) '${b.name}'`;
      if (b.group === 0) {
        const tensor = tensors[b.binding];
        if (!tensor) {
          throw new AlgorithmBindingError(
            'tensors',
            `${where} has no tensor (it is ${b.typeName}): ${tensors.length} tensor(s) were given, so tensors[${b.binding}] is missing`,
            'pass a tensor for every binding of group 0',
          );
        }
        if (tensor instanceof Image) {
          checkImageBinding(where, b, tensor);
          continue;
        }
        if (b.kind === 'storage-texture' || b.kind === 'texture') {
          throw new AlgorithmBindingError(
            'wgsl',
            `${where} is a texture (${b.typeName}) and must be var<storage> to bind ${tensor.label}, a tensor`,
            'bind an image (mgr.image) to a texture binding, or declare the binding as var<storage>',
          );
        }
        if (b.kind !== 'storage') {
          throw new AlgorithmBindingError(
            'wgsl',
            `${where} is var<${b.kind}> ${b.typeName} but must be var<storage> to bind ${tensor.label}`,
            'declare tensors as var<storage, read> or var<storage, read_write>',
          );
        }
        const scalar = /(f32|i32|u32|f16)>*$/.exec(b.typeName)?.[1];
        if (scalar && scalar !== tensor.dtype) {
          throw new AlgorithmBindingError(
            `tensors[${b.binding}]`,
            `${where} is ${b.typeName} but ${tensor.label} is ${tensor.dtype}`,
            `pass a ${scalar} tensor or change the shader's element type to ${tensor.dtype}`,
          );
        }
      } else if (b.group === 1 && b.binding === 0 && b.kind === 'uniform') {
        pushDeclared = true;
        if (!push) {
          throw new AlgorithmBindingError('pushConstants', `${where} declares push constants but none were given`, 'pass options.pushConstants');
        }
        if (b.size > push.byteLength) {
          throw new AlgorithmBindingError(
            'pushConstants',
            `${where}: ${b.typeName} is ${b.size} bytes but ${push.byteLength} bytes of push constants were given`,
            'pass one 4-byte value per struct member',
          );
        }
      } else {
        throw new AlgorithmBindingError('wgsl', `${where} is not a binding kompute-ts provides`, 'tensors and images are @group(0) @binding(i); push constants are @group(1) @binding(0) var<uniform>');
      }
    }
    if (push && !pushDeclared) {
      throw new AlgorithmBindingError('pushConstants', 'push constants were given but the shader declares no @group(1) @binding(0) var<uniform>', 'declare it, or drop options.pushConstants');
    }
  }

  #checkWorkgroup(workgroup: readonly number[]): [number, number, number] {
    const max = this.context.limits.maxComputeWorkgroupsPerDimension;
    if (!Array.isArray(workgroup) || workgroup.length < 1 || workgroup.length > 3) {
      throw new ArgumentError('workgroup', 'expected [x], [x, y] or [x, y, z] workgroup counts', 'pass an array of one to three positive integers');
    }
    const full = [workgroup[0], workgroup[1] ?? 1, workgroup[2] ?? 1] as [number, number, number];
    full.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 1) throw new ArgumentError('workgroup', `dimension ${'xyz'[i]} must be a positive integer, got ${String(n)}`, 'workgroup counts are whole numbers of at least 1');
      if (n > max) {
        throw new SizeError(
          'workgroup',
          `dimension ${'xyz'[i]} is ${n}, over this device's maxComputeWorkgroupsPerDimension (${max})`,
          'raise @workgroup_size in the shader and dispatch fewer workgroups, or spread them over y and z',
        );
      }
    });
    return full;
  }
}

/** Storage-texture formats that allow `read_write` access without the `texture-formats-tier2` feature. */
const READ_WRITE_FORMATS = new Set(['r32float', 'r32sint', 'r32uint']);

/** Checks a group-0 binding that an image is bound to: its kind, dimension, format and access. */
function checkImageBinding(where: string, b: ShaderBinding, image: Image): void {
  const argument = `tensors[${b.binding}]`;
  if (b.kind === 'storage-texture') {
    if (b.textureType !== 'texture_storage_2d') {
      throw new AlgorithmBindingError(argument, `${where} is ${b.textureType} but ${image.label} is a 2-D image`, `declare it as texture_storage_2d<${image.format}, ...>`);
    }
    if (b.textureFormat !== image.format) {
      throw new AlgorithmBindingError(
        argument,
        `${where} is ${b.typeName} but ${image.label} is ${image.format}`,
        `declare texture_storage_2d<${image.format}, ${b.textureAccess}>, or bind an image of format ${b.textureFormat}`,
      );
    }
    if (b.textureAccess === 'read_write' && !READ_WRITE_FORMATS.has(image.format) && !image[$internal].context.features.has('texture-formats-tier2')) {
      throw new AlgorithmBindingError(
        argument,
        `${where} declares read_write access, which ${image.format} storage textures do not allow on this device`,
        'use read or write access (a separate image for each), or a 1-channel 32-bit image',
      );
    }
    return;
  }
  if (b.kind === 'texture') {
    if (b.textureType !== 'texture_2d') {
      throw new AlgorithmBindingError(argument, `${where} is ${b.textureType} but ${image.label} is a 2-D image`, `declare it as texture_2d<${imageWgslType(image.dtype)}>`);
    }
    const expected = imageWgslType(image.dtype);
    if (b.textureFormat !== expected) {
      throw new AlgorithmBindingError(argument, `${where} is ${b.typeName} but ${image.label} is ${image.format}, read as ${expected}`, `declare texture_2d<${expected}>`);
    }
    return;
  }
  throw new AlgorithmBindingError(
    argument,
    `${where} is ${b.kind === 'storage' ? `var<storage> ${b.typeName}` : b.typeName} but ${image.label} is an image`,
    `declare it as texture_storage_2d<${image.format}, read|write> or texture_2d<${imageWgslType(image.dtype)}>, or bind a tensor`,
  );
}

/** The bind-group layout entry of an image, following the shader's declaration. */
function imageLayoutEntry(binding: number, image: Image, declared: ShaderBinding | undefined): GPUBindGroupLayoutEntry {
  if (declared?.kind === 'texture') {
    return { binding, visibility: ShaderStage.COMPUTE, texture: { sampleType: sampleType(image.dtype), viewDimension: '2d' } };
  }
  const declaredAccess = declared?.kind === 'storage-texture' ? declared.textureAccess : '';
  const access: GPUStorageTextureAccess = declaredAccess === 'read' ? 'read-only' : declaredAccess === 'read_write' ? 'read-write' : 'write-only';
  return { binding, visibility: ShaderStage.COMPUTE, storageTexture: { access, format: image.format, viewDimension: '2d' } };
}

/** The one scalar type of the push-constant struct's members, or null when unknown or mixed. */
function shaderPushType(shader: ShaderInterface | null): PushType | null {
  const members = shader?.bindings.find((b) => b.group === 1 && b.binding === 0 && b.kind === 'uniform')?.memberTypes ?? [];
  const types = new Set(members);
  const [only] = types;
  return types.size === 1 && (only === 'f32' || only === 'i32' || only === 'u32') ? only : null;
}

/**
 * One tensor bound twice is allowed only when every such binding is read-only: WebGPU rejects a
 * buffer that one dispatch both writes and reads through two bindings.
 */
function checkAliasing(shader: ShaderInterface | null, tensors: readonly Memory[]): void {
  const writable = (i: number) => shader?.bindings.find((b) => b.group === 0 && b.binding === i)?.access !== 'read';
  tensors.forEach((t, j) => {
    const i = tensors.indexOf(t);
    if (i < j && (writable(i) || writable(j))) {
      throw new AlgorithmBindingError(`tensors[${j}]`, `${t.label} is bound twice (bindings ${i} and ${j}) and one of them is writable`, 'pass a separate tensor for each writable binding');
    }
  });
}

/**
 * The one creation path of an algorithm (the manager's factory, the kernels and `OpMult`): an
 * algorithm owned and tracked by the manager of `context`, exactly like one made with `mgr.algorithm()`.
 */
export function createAlgorithm(context: DeviceContext, tensors: readonly Memory[], wgsl: string, options?: AlgorithmOptions): Algorithm {
  return new Algorithm($create, context, tensors, wgsl, options);
}
