import { ArgumentError } from '../errors.js';
import { Resource } from '../core/lifecycle.js';
import type { DeviceContext } from '../core/device-context.js';
import type { Releasable } from '../core/registry.js';
import { $create, assertCreationKey, type CreationKey } from '../core/internal.js';

/** Options of `mgr.sampler(...)`: WebGPU's sampler descriptor (all optional, WebGPU's defaults). */
export interface SamplerOptions {
  readonly addressModeU?: 'clamp-to-edge' | 'repeat' | 'mirror-repeat';
  readonly addressModeV?: 'clamp-to-edge' | 'repeat' | 'mirror-repeat';
  readonly addressModeW?: 'clamp-to-edge' | 'repeat' | 'mirror-repeat';
  readonly magFilter?: 'nearest' | 'linear';
  readonly minFilter?: 'nearest' | 'linear';
  readonly mipmapFilter?: 'nearest' | 'linear';
  readonly lodMinClamp?: number;
  readonly lodMaxClamp?: number;
  /** Makes a comparison sampler (`sampler_comparison` in WGSL). */
  readonly compare?: 'never' | 'less' | 'equal' | 'less-equal' | 'greater' | 'not-equal' | 'greater-equal' | 'always';
  readonly maxAnisotropy?: number;
  /** Name used in error messages and WebGPU labels. */
  readonly label?: string;
}

const KEYS = ['addressModeU', 'addressModeV', 'addressModeW', 'magFilter', 'minFilter', 'mipmapFilter', 'lodMinClamp', 'lodMaxClamp', 'compare', 'maxAnisotropy', 'label'] as const;
const ADDRESS = ['clamp-to-edge', 'repeat', 'mirror-repeat'];
const FILTER = ['nearest', 'linear'];
const COMPARE = ['never', 'less', 'equal', 'less-equal', 'greater', 'not-equal', 'greater-equal', 'always'];

/** Checks a sampler descriptor; throws {@link ArgumentError} naming the option. */
export function checkSamplerOptions(options: unknown): SamplerOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new ArgumentError('options', 'expected a sampler descriptor object', 'pass { magFilter: "linear", ... } or nothing');
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new ArgumentError(`options.${key}`, 'is not a sampler option', `use ${KEYS.join(', ')}`);
  }
  const oneOf = (key: string, allowed: readonly string[]) => {
    const v = record[key];
    if (v !== undefined && (typeof v !== 'string' || !allowed.includes(v)))
      throw new ArgumentError(`options.${key}`, `${JSON.stringify(v)} is not one of ${allowed.join(', ')}`, `use one of ${allowed.join(', ')}`);
  };
  for (const key of ['addressModeU', 'addressModeV', 'addressModeW']) oneOf(key, ADDRESS);
  for (const key of ['magFilter', 'minFilter', 'mipmapFilter']) oneOf(key, FILTER);
  oneOf('compare', COMPARE);
  for (const key of ['lodMinClamp', 'lodMaxClamp', 'maxAnisotropy']) {
    const v = record[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0))
      throw new ArgumentError(`options.${key}`, `must be a non-negative number, got ${String(v)}`, 'see GPUSamplerDescriptor');
  }
  if (record['label'] !== undefined && typeof record['label'] !== 'string') throw new ArgumentError('options.label', 'must be a string', 'pass a name or nothing');
  return options as SamplerOptions;
}

/** The GPU side of a sampler (WebGPU frees samplers when dropped). */
class SamplerCore implements Releasable {
  constructor(public sampler: GPUSampler | null) {}
  release(): void {
    this.sampler = null;
  }
}

/**
 * A texture sampler, bound to a WGSL `var s: sampler;` (or `sampler_comparison` when created
 * with `compare`). Created by `mgr.sampler(...)`, tracked and destroyed by the manager like
 * every resource; `rebuild()` replaces its descriptor.
 */
export class Sampler extends Resource {
  readonly #core: SamplerCore;
  #options: SamplerOptions;
  #generation = 0;

  /** @internal Use `mgr.sampler(...)`; inside the library, {@link createSampler}. */
  constructor(key: CreationKey, context: DeviceContext, options: SamplerOptions) {
    assertCreationKey(key, 'Sampler', 'mgr.sampler(...)');
    super(context, 'Sampler', options.label);
    this.#options = options;
    this.#core = new SamplerCore(this.#create(options));
    this.track('sampler', this.#core);
  }

  /** @internal */
  protected get core(): Releasable {
    return this.#core;
  }

  /** Always `sampler`. */
  get kind(): 'sampler' {
    return 'sampler';
  }

  /** True when a linear filter is set (the shader's textures must then be filterable). */
  get filtering(): boolean {
    const o = this.#options;
    return o.magFilter === 'linear' || o.minFilter === 'linear' || o.mipmapFilter === 'linear';
  }

  /** True for a comparison sampler (created with `compare`). */
  get comparison(): boolean {
    return this.#options.compare !== undefined;
  }

  /** The descriptor it was made with. */
  getOptions(): SamplerOptions {
    this.assertUsable('getOptions()');
    return { ...this.#options };
  }

  /** Replaces the sampler with one of a new descriptor; algorithms pick it up at their next dispatch. */
  rebuild(options?: SamplerOptions): void {
    this.assertUsable('rebuild()');
    const checked = checkSamplerOptions(options);
    this.#core.sampler = this.#create(checked);
    this.#options = checked;
    this.#generation++;
    this.context.bumpEpoch();
  }

  /** @internal */
  get generation(): number {
    return this.#generation;
  }

  /** @internal */
  bindingResource(): GPUBindingResource {
    return this.#core.sampler!;
  }

  #create(options: SamplerOptions): GPUSampler {
    const { label: _label, ...descriptor } = options;
    return this.context.capture(`creating ${this.label}`, () => this.context.device.createSampler({ ...descriptor, label: this.label }));
  }
}

/** The one creation path of a sampler (the manager's factory). */
export function createSampler(context: DeviceContext, options: SamplerOptions): Sampler {
  return new Sampler($create, context, options);
}
