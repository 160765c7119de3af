import { KomputeError, ShaderCompileError, type ShaderMessage, ValidationError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import { compilationMessages, messagesFromText } from './compile-messages.js';
import type { GPUComputePipeline, GPUPipelineLayout } from '../backends/webgpu-types.js';

/** What to compile: the module, and where the user's own source starts in it. */
export interface CompileInput {
  readonly wgsl: string;
  /** The shader as the user wrote it (without generated declarations). */
  readonly source: string;
  /** Lines written in front of `source`: compiler lines are reported minus this. */
  readonly lineOffset: number;
  readonly layout: GPUPipelineLayout;
  readonly entryPoint: string | undefined;
  readonly constants: Readonly<Record<string, number>>;
}

/**
 * Compiles a compute pipeline. WGSL errors become a {@link ShaderCompileError} whose lines and
 * columns are the user's own (generated declarations in front of a shader body are not
 * counted; a message about a generated line is reported at line 0, its text kept).
 */
export async function compilePipeline(context: DeviceContext, label: string, input: CompileInput): Promise<GPUComputePipeline> {
  const { result: module, error } = context.captureNow(`compiling ${label}`, () => context.device.createShaderModule({ label, code: input.wgsl }));
  const offset = input.lineOffset;
  const atUserLines = (list: readonly ShaderMessage[]): ShaderMessage[] =>
    list.map((m) => {
      const line = m.line > offset ? m.line - offset : 0;
      return { type: m.type, message: line === 0 && m.line > 0 ? `${m.message} (in the generated declarations)` : m.message, line, column: line === 0 ? 0 : m.column };
    });
  const compiled = await compilationMessages(context.device, module);
  const messages = compiled === null ? [] : atUserLines(compiled);
  if (messages.some((m) => m.type === 'error')) {
    await error;
    throw new ShaderCompileError(label, messages, input.source);
  }
  const moduleError = await error;
  if (moduleError) {
    // Without getCompilationInfo() (bun-webgpu) the lines and columns are read from the error's text.
    const fromText = compiled === null ? atUserLines(messagesFromText(moduleError.message)) : [];
    if (fromText.some((m) => m.type === 'error')) throw new ShaderCompileError(label, fromText, input.source);
    throw moduleError;
  }
  const stage: GPUProgrammableStage = { module, constants: { ...input.constants } };
  if (input.entryPoint !== undefined) stage.entryPoint = input.entryPoint;
  try {
    return await context.device.createComputePipelineAsync({ label, layout: input.layout, compute: stage });
  } catch (e) {
    if (e instanceof KomputeError) throw e;
    throw new ValidationError(`creating ${label}'s pipeline`, e instanceof Error ? e.message : String(e));
  }
}
