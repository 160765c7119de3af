/**
 * WebGPU's types, as the program that uses kompute-ts declares them.
 *
 * The published declarations must type-check in every consumer: one with the DOM lib of
 * TypeScript 6 or later (which declares WebGPU's types itself), one with TypeScript 5 and
 * `@webgpu/types`, and a Node program with no DOM lib at all (where `@webgpu/types` cannot load:
 * it needs the DOM's `EventTarget` and `BufferSource`). Naming the global `GPUDevice` in a
 * declaration fails in the last; shipping `/// <reference types="@webgpu/types" />` fails in the
 * first (`Duplicate identifier` against the DOM lib's own declarations). So every declaration
 * names WebGPU's types through these aliases: each one is the global type wherever the program
 * declares it (found through its `declare var`, which both the DOM lib and `@webgpu/types` have),
 * and an opaque `object` where it does not. Inside this repository they are exactly the globals.
 *
 * Source files that name a WebGPU type in an exported signature import it from here
 * (`import type { GPUBuffer } from './webgpu-types.js'`); test/consumer-types.test.ts
 * fails when a global one reaches the published declarations.
 *
 * @module
 */

/** The instance type of the global class `K` (e.g. `GPUDevice`), or `object` where it is not declared. */
type Ambient<K extends string> = typeof globalThis extends { readonly [P in K]: { readonly prototype: infer T } } ? T : object;

export type GPU = Ambient<'GPU'>;
export type GPUAdapter = Ambient<'GPUAdapter'>;
export type GPUAdapterInfo = Ambient<'GPUAdapterInfo'>;
export type GPUBindGroup = Ambient<'GPUBindGroup'>;
export type GPUBindGroupLayout = Ambient<'GPUBindGroupLayout'>;
export type GPUBuffer = Ambient<'GPUBuffer'>;
export type GPUCommandBuffer = Ambient<'GPUCommandBuffer'>;
export type GPUCommandEncoder = Ambient<'GPUCommandEncoder'>;
export type GPUComputePassEncoder = Ambient<'GPUComputePassEncoder'>;
export type GPUComputePipeline = Ambient<'GPUComputePipeline'>;
export type GPUDevice = Ambient<'GPUDevice'>;
export type GPUQuerySet = Ambient<'GPUQuerySet'>;
export type GPUQueue = Ambient<'GPUQueue'>;
export type GPUShaderModule = Ambient<'GPUShaderModule'>;
export type GPUSupportedLimits = Ambient<'GPUSupportedLimits'>;
export type GPUTexture = Ambient<'GPUTexture'>;
export type GPUTextureView = Ambient<'GPUTextureView'>;

/** A texture format name such as `rgba32float` (the global `GPUTextureFormat` where declared). */
export type GPUTextureFormat = typeof globalThis extends { readonly GPUTexture: { readonly prototype: { readonly format: infer F } } } ? F : string;

/** The argument of `device.createBuffer()`. */
export type GPUBufferDescriptor = typeof globalThis extends { readonly GPUDevice: { readonly prototype: { createBuffer(descriptor: infer D): unknown } } } ? D : object;

/** The argument of `device.createTexture()`. */
export type GPUTextureDescriptor = typeof globalThis extends { readonly GPUDevice: { readonly prototype: { createTexture(descriptor: infer D): unknown } } } ? D : object;

/** What a bind group entry binds: a buffer binding, a texture view, ... */
export type GPUBindingResource = typeof globalThis extends {
  readonly GPUDevice: { readonly prototype: { createBindGroup(descriptor: { readonly entries: Iterable<{ readonly resource: infer R }> }): unknown } };
}
  ? R
  : object;

/** WebGPU's texture sample types (a spec enum). */
export type GPUTextureSampleType = 'float' | 'unfilterable-float' | 'depth' | 'sint' | 'uint';

/** A pipeline layout. */
export type GPUPipelineLayout = Ambient<'GPUPipelineLayout'>;

/** The argument of `device.createPipelineLayout()`'s layouts: one entry of `createBindGroupLayout()`. */
export type GPUBindGroupLayoutEntry = typeof globalThis extends {
  readonly GPUDevice: { readonly prototype: { createBindGroupLayout(descriptor: { readonly entries: Iterable<infer E> }): unknown } };
}
  ? E
  : object;

/** The `compute` stage of `device.createComputePipeline()`. */
export type GPUProgrammableStage = typeof globalThis extends { readonly GPUDevice: { readonly prototype: { createComputePipeline(descriptor: { readonly compute: infer S }): unknown } } } ? S : object;
