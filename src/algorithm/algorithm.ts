import { AlgorithmBindingError, ArgumentError, KomputeError, SizeError, ValidationError } from '../errors.js';
import { $create, $internal, assertCreationKey, type CreationKey } from '../core/internal.js';
import { Resource } from '../core/lifecycle.js';
import type { DeviceContext } from '../core/device-context.js';
import type { Releasable } from '../core/registry.js';
import { Image } from '../memory/image.js';
import type { Memory } from '../memory/memory.js';
import type { Tensor } from '../memory/tensor.js';
import { isLinear } from '../memory/tensor-view.js';
import { type AlgorithmOptions, checkAlgorithmOptions, checkWorkgroup } from './algorithm-options.js';
import { checkBindingDetails } from './binding-checks.js';
import { type CompileInput, compilePipeline } from './compile.js';
import { loadWgslReflect } from './wgsl-parse.js';
import { checkConstantsShape, checkOverrides, resolveWorkgroupSize, type SpecializationConstants, stageConstants } from './constants.js';
import { defaultWorkgroups, pickEntry, workgroupsForInvocations } from './dispatch-size.js';
import { type BindLayout, buildLayout } from './layout.js';
import { MAX_PUSH_CONSTANT_BYTES, type PushConstants, type PushData, showPush, toPushData } from './push-constants.js';
import { checkPlaced } from './resource-checks.js';
import { type AlgorithmResources, type Bindable, type BoundResources, bindResources, isBoundResources } from './resources.js';
import { type ComputeEntry, declarationAt, reflectShader, type ShaderBinding, type ShaderInterface } from './shader-interface.js';
import { type StructLayout, structLayout } from './struct-layout.js';
import type { GPUBindGroup, GPUComputePipeline } from '../backends/webgpu-types.js';

export type { AlgorithmOptions } from './algorithm-options.js';

/** The group push constants use, as in Kompute's WebGPU mapping. */
const PUSH_GROUP = 1;

/** The GPU side of an algorithm. Pipelines and bind groups are freed by WebGPU when dropped. */
class AlgorithmCore implements Releasable {
  pipeline: GPUComputePipeline | null = null;
  groups: (GPUBindGroup | null)[] = [];
  groupsVersion = -1;
  generations: number[] = [];

  release(): void {
    this.pipeline = null;
    this.groups = [];
  }
}

/** @internal What a dispatch binds (see {@link Algorithm.dispatchState}). */
export interface DispatchState {
  readonly pipeline: GPUComputePipeline;
  readonly group: GPUBindGroup;
  readonly extra: readonly (readonly [number, GPUBindGroup])[];
  readonly workgroup: readonly [number, number, number];
  /** The bind-group array it was made from (a new array whenever the groups are made again). */
  readonly groups: readonly (GPUBindGroup | null)[];
}

interface Configuration {
  readonly bound: BoundResources;
  readonly resources: readonly Bindable[];
  readonly memories: readonly Memory[];
  readonly workgroup: readonly [number, number, number];
  readonly constants: SpecializationConstants;
  readonly push: PushData | null;
  readonly pushLayout: StructLayout | null;
  readonly layout: BindLayout;
  readonly warnings: readonly string[];
  readonly written: readonly Memory[];
}

/** An algorithm's configuration and what its pipeline is compiled from; `pending` while reflection loads. */
interface Plan {
  readonly config: Configuration;
  readonly input: CompileInput;
  readonly pending: boolean;
}

/** Shaders whose skipped checks were already reported, so a loop does not repeat the warning. */
const warned = new Set<string>();

/**
 * A WGSL compute shader bound to resources: tensors (`var<storage>` or `var<uniform>`), images
 * (`texture_storage_2d` or `texture_2d`), samplers and parameter blocks, in any group. Kompute's
 * form binds resource *i* to `@group(0) @binding(i)`; an object binds by the shader's variable
 * names. The layout follows the declarations the chosen entry point uses. Compilation runs in
 * the background; evaluations wait for it, and {@link Algorithm.compiled} reports errors early.
 */
export class Algorithm extends Resource {
  readonly #core = new AlgorithmCore();
  #config!: Configuration;
  #ready!: Promise<void>;
  #error: KomputeError | null = null;
  #version = 0;

  /** @internal Use `mgr.algorithm(...)`; inside the library, {@link createAlgorithm}. */
  constructor(key: CreationKey, context: DeviceContext, resources: AlgorithmResources | BoundResources, wgsl: string, options?: AlgorithmOptions) {
    assertCreationKey(key, 'Algorithm', 'mgr.algorithm(...)');
    super(context, 'Algorithm', (options as { label?: unknown } | undefined)?.label as string | undefined);
    this.#configure(resources, wgsl, options);
    this.track('algorithm', this.#core);
  }

  /** @internal */
  protected get core(): Releasable {
    return this.#core;
  }

  /**
   * Replaces resources, shader and options (all of them, like creating it anew) and recompiles.
   * Sequences that record this algorithm use the new pipeline at their next evaluation.
   */
  rebuild(resources: AlgorithmResources, wgsl: string, options?: AlgorithmOptions): void {
    this.assertUsable('rebuild()');
    this.#configure(resources, wgsl, options);
    this.reportRebuilt('new resources, a new shader or options');
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

  /**
   * A copy of the push constants (empty when there are none): a typed array of the struct's one
   * scalar type (or of the typed array given); for a struct of mixed members, its raw 32-bit words.
   */
  getPushConstants(): Float32Array | Int32Array | Uint32Array {
    this.assertUsable('getPushConstants()');
    return showPush(this.#config.push);
  }

  /** The specialization constants, by `@id` (an array), or the object by name given at creation. */
  getSpecializationConstants(): number[] {
    this.assertUsable('getSpecializationConstants()');
    const c = this.#config.constants;
    return Array.isArray(c) ? [...c] : (Object.values(c) as number[]);
  }

  /** The tensors and images bound, in group and binding order. */
  getTensors(): readonly Memory[] {
    this.assertUsable('getTensors()');
    return this.#config.memories;
  }

  /** Every resource bound (tensors, images, samplers, parameter blocks), in group and binding order. */
  getResources(): readonly Bindable[] {
    this.assertUsable('getResources()');
    return this.#config.resources;
  }

  /** Notes about checks that could not run (e.g. a shader the reflection could not parse). */
  getWarnings(): readonly string[] {
    this.assertUsable('getWarnings()');
    return this.#config.warnings;
  }

  /** @internal Validates per-dispatch push constants against this algorithm's size. */
  checkPushConstants(argument: string, values: PushConstants): PushData {
    const own = this.#config?.push ?? null;
    const expected = own?.words.byteLength ?? 0;
    const layout = this.#config?.pushLayout ?? null;
    if (layout && (Array.isArray(values) || ArrayBuffer.isView(values)) && (values as ArrayLike<number>).length !== layout.length && !(ArrayBuffer.isView(values) && values.byteLength === expected)) {
      throw new SizeError(argument, `${this.label} expects ${expected} bytes of push constants, got ${(values as ArrayLike<number>).length * 4}`, `pass ${layout.length} value(s), as at creation`);
    }
    const data = toPushData(argument, values, layout);
    if (data.words.byteLength !== expected) {
      throw new SizeError(
        argument,
        `${this.label} expects ${expected} bytes of push constants, got ${data.words.byteLength}`,
        expected === 0 ? 'create the algorithm with pushConstants to use them' : 'pass as many values as at creation',
      );
    }
    return data;
  }

  /** @internal True when the algorithm and all its resources can be used. */
  isUsableWithTensors(): boolean {
    if (!this.isInit()) return false;
    for (const r of this.#config.resources) if (!r.isInit()) return false;
    return true;
  }

  /** @internal Throws unless usable; also checks the bound resources. */
  protected override assertUsableBy(action: string): void {
    this.assertUsable(action);
    for (const r of this.#config.resources) r[$internal].assertUsable(`${action} through ${this.label}`);
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

  /** @internal The tensors the shader may write (storage read_write bindings): debug mode's sync checks. */
  get writtenMemories(): readonly Memory[] {
    return this.#config.written;
  }

  /** @internal The current push constants (32-bit words). */
  get pushData(): Uint32Array | null {
    return this.#config.push?.words ?? null;
  }

  /** @internal What a dispatch binds: the pipeline, group 0's bind group, the other groups', the workgroup count. */
  dispatchState(): DispatchState {
    const config = this.#config;
    const groups = this.#bindGroups(config);
    const extra: [number, GPUBindGroup][] = [];
    for (let i = 1; i < groups.length; i++) if (groups[i]) extra.push([i, groups[i]!]);
    return { pipeline: this.#core.pipeline!, group: groups[0]!, extra, workgroup: config.workgroup, groups };
  }

  #bindGroups(config: Configuration): (GPUBindGroup | null)[] {
    const core = this.#core;
    const resources = config.resources;
    let stale = core.groupsVersion !== this.#version;
    for (let i = 0; !stale && i < resources.length; i++) stale = core.generations[i] !== resources[i]!.generation;
    if (stale) {
      const device = this.context.device;
      core.groups = config.layout.layouts.map(() => null);
      for (const { index, resources: placed } of config.layout.groups) {
        core.groups[index] = device.createBindGroup({
          label: config.layout.layouts.length > 1 ? `${this.label} group ${index}` : this.label,
          layout: config.layout.layouts[index]!,
          entries: placed.map((p) => ({ binding: p.binding, resource: p.resource instanceof Image ? p.resource.bindingResource(p.view) : p.resource.bindingResource() })),
        });
      }
      core.groupsVersion = this.#version;
      core.generations = resources.map((r) => r.generation);
    }
    return core.groups;
  }

  #configure(given: AlgorithmResources | BoundResources, wgsl: string, rawOptions: unknown): void {
    const plan = this.#plan(given, wgsl, rawOptions);
    this.#config = plan.config;
    this.#version++;
    this.context.bumpEpoch();
    this.#core.pipeline = null;
    this.#core.groups = [];
    this.#error = null;
    const version = this.#version;
    const compile = (input: CompileInput) =>
      compilePipeline(this.context, this.label, input).then(
        (pipeline) => {
          if (version === this.#version && !this.isDestroyed) this.#core.pipeline = pipeline;
        },
        (error: unknown) => {
          if (version !== this.#version) return;
          this.#error = error instanceof KomputeError ? error : new ValidationError(`compiling ${this.label}`, String(error));
        },
      );
    if (!plan.pending) {
      this.#ready = compile(plan.input);
      return;
    }
    // wgsl_reflect is still loading (a manager from Manager.fromDevice, used at once): the layout
    // came from the light read; once the reflection is there, the algorithm is planned again with
    // every check, and a failing check is reported by compiled() and the evaluations.
    this.#ready = loadWgslReflect().then(
      () => {
        if (version !== this.#version || this.isDestroyed) return;
        let again: Plan;
        try {
          again = this.#plan(plan.config.bound, wgsl, rawOptions);
        } catch (error) {
          this.#error = error instanceof KomputeError ? error : new ValidationError(`checking ${this.label}`, String(error));
          return;
        }
        this.#config = again.config;
        this.#core.groupsVersion = -1;
        return compile(again.input);
      },
      () => compile(plan.input),
    );
  }

  #plan(given: AlgorithmResources | BoundResources, wgsl: string, rawOptions: unknown): Plan {
    const context = this.context;
    const options = checkAlgorithmOptions(rawOptions);
    if (typeof wgsl !== 'string' || wgsl.trim() === '') throw new ArgumentError('wgsl', 'expected WGSL source text', 'pass the shader as a string');
    const bound = isBoundResources(given) ? given : bindResources(context, this.label, given, wgsl, options.access);
    const placed = [...bound.placed].sort((a, b) => a.group - b.group || a.binding - b.binding);
    const max = context.limits.maxComputeWorkgroupsPerDimension;
    const explicit = options.workgroup !== undefined ? checkWorkgroup(options.workgroup, max) : null;
    const shader = reflectShader(bound.wgsl);
    const entry = this.#entryPoint(shader, options.entryPoint);
    const check = options.checkBindings !== false;
    const constants = checkConstantsShape(options.constants);
    const warnings: string[] = [];
    if (!shader.reflected && !shader.pending) {
      warnings.push(
        `${this.label}: wgsl_reflect could not parse the shader (${shader.parseError.split('\n')[0]}); its layout comes from a light read of the declarations and the binding checks were skipped`,
      );
      if (!warned.has(bound.wgsl)) {
        warned.add(bound.wgsl);
        console.warn(`kompute-ts: ${warnings[0]}`);
      }
    }
    const pushDeclaration = shader.bindings.find((b) => b.group === PUSH_GROUP && b.binding === 0 && b.kind === 'uniform' && (!entry?.uses || entry.uses.has(b)));
    const pushLayout = pushDeclaration?.type ? structLayout(pushDeclaration.type) : null;
    if (check && pushDeclaration && pushLayout) checkPushCount(pushDeclaration.name, pushLayout, options.pushConstants);
    const pushGiven = options.pushConstants !== undefined ? toPushData('pushConstants', options.pushConstants, pushLayout) : null;
    const push = pushGiven && pushGiven.words.length > 0 ? pushGiven : null;
    if (push && placed.some((p) => p.group === PUSH_GROUP)) {
      throw new AlgorithmBindingError(
        'pushConstants',
        `push constants use @group(${PUSH_GROUP}) but resources were placed in that group too`,
        'pass the values as a parameter block (mgr.params) at their binding instead',
      );
    }
    if (check && shader.reflected) {
      if (pushDeclaration && !push && !placed.some((p) => p.group === PUSH_GROUP)) {
        throw new AlgorithmBindingError(
          'pushConstants',
          `@group(1) @binding(0) '${pushDeclaration.name}' declares push constants but none were given`,
          'pass options.pushConstants, or a parameter block at that binding',
        );
      }
      if (push && !pushDeclaration) {
        throw new AlgorithmBindingError('pushConstants', 'push constants were given but the shader declares no @group(1) @binding(0) var<uniform>', 'declare it, or drop options.pushConstants');
      }
      checkOverrides(shader.overrides, constants);
    }
    const resources = placed.map((p) => p.resource);
    const usesPush = push !== null;
    checkPlaced(context, shader, entry, placed, check && shader.reflected, usesPush ? PUSH_GROUP : null);
    if (check && shader.reflected) {
      const tensors = new Map(placed.filter((p) => isLinear(p.resource)).map((p) => [`${p.group}:${p.binding}`, { tensor: p.resource as Tensor, argument: p.argument }]));
      checkBindingDetails(bound.wgsl, tensors);
    }
    const workgroup = explicit ?? this.#workgroup(options, entry, shader, constants, resources);
    const layout = buildLayout(context, this.label, shader, entry, placed, usesPush ? PUSH_GROUP : null);

    const memories = resources.filter((r): r is Memory => isLinear(r) || r instanceof Image);
    const written = placed.filter((p) => isLinear(p.resource) && isWritable(declarationAt(shader, entry, p.group, p.binding))).map((p) => p.resource as Memory);
    const config: Configuration = { bound, resources, memories, workgroup, constants, push, pushLayout, layout, warnings, written };
    const input = {
      wgsl: bound.wgsl,
      source: bound.source,
      lineOffset: bound.lineOffset,
      layout: layout.pipelineLayout,
      entryPoint: entry?.name ?? options.entryPoint,
      constants: stageConstants(constants, shader.overrides),
    };
    return { config, input, pending: shader.pending === true };
  }

  #workgroup(options: AlgorithmOptions, entry: ComputeEntry | undefined, shader: ShaderInterface, constants: SpecializationConstants, resources: readonly Bindable[]): [number, number, number] {
    const max = this.context.limits.maxComputeWorkgroupsPerDimension;
    const size = resolveWorkgroupSize(entry, shader.overrides, constants, shader.consts);
    if (options.invocations !== undefined) return checkWorkgroup(workgroupsForInvocations(options.invocations, size), max, 'invocations');
    const first = resources.find((r): r is Memory => isLinear(r) || r instanceof Image);
    return checkWorkgroup(defaultWorkgroups(first, size), max);
  }

  #entryPoint(shader: ShaderInterface, requested: string | undefined): ComputeEntry | undefined {
    const names = shader.entries.map((e) => e.name);
    if (!shader.reflected && names.length === 0) return undefined;
    if (requested !== undefined) {
      const found = pickEntry(shader.entries, requested);
      if (!found) throw new ArgumentError('entryPoint', `the shader has no @compute function '${requested}'`, `its compute entry points: ${names.join(', ') || 'none'}`);
      return found;
    }
    if (names.length === 0) throw new ArgumentError('wgsl', 'the shader declares no @compute entry point', 'add @compute @workgroup_size(...) fn main(...)');
    const found = pickEntry(shader.entries, undefined);
    if (!found) throw new ArgumentError('entryPoint', `the shader has several @compute functions (${names.join(', ')})`, 'name one with options.entryPoint');
    return found;
  }
}

/** A flat list of push constants of another length than the struct's is a binding mismatch. */
function checkPushCount(name: string, layout: StructLayout, values: PushConstants | undefined): void {
  if (values === undefined || !(Array.isArray(values) || ArrayBuffer.isView(values))) return;
  const n = (values as ArrayLike<number>).length;
  if (n * 4 > MAX_PUSH_CONSTANT_BYTES || n === layout.length || (ArrayBuffer.isView(values) && layout.scalar !== null && n * 4 === Math.ceil(layout.size / 4) * 4)) return;
  throw new AlgorithmBindingError(
    'pushConstants',
    `@group(1) @binding(0) '${name}': ${layout.name} is ${layout.size} bytes but ${n * 4} bytes of push constants were given: it holds ${layout.length} value(s), got ${n} values (${n * 4} bytes)`,
    `pass ${layout.length} number(s) in member order (${layout.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}), or an object by member name`,
  );
}

/**
 * The one creation path of an algorithm (the manager's factory, the kernels and `OpMult`): an
 * algorithm owned and tracked by the manager of `context`, exactly like one made with `mgr.algorithm()`.
 */
export function createAlgorithm(context: DeviceContext, resources: AlgorithmResources | BoundResources, wgsl: string, options?: AlgorithmOptions): Algorithm {
  return new Algorithm($create, context, resources, wgsl, options);
}

/** Whether a tensor at a binding so declared may be written by the shader (a storage binding that is not read-only; undeclared ones bind read_write). */
function isWritable(declared: ShaderBinding | undefined): boolean {
  return declared?.kind !== 'uniform' && declared?.access !== 'read';
}
