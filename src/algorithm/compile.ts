import { KomputeError, ShaderCompileError, type ShaderMessage, ValidationError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';

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
  const info = await module.getCompilationInfo();
  const offset = input.lineOffset;
  const messages: ShaderMessage[] = info.messages.map((m) => {
    const line = m.lineNum > offset ? m.lineNum - offset : 0;
    return { type: m.type, message: line === 0 && m.lineNum > 0 ? `${m.message} (in the generated declarations)` : m.message, line, column: line === 0 ? 0 : m.linePos };
  });
  if (messages.some((m) => m.type === 'error')) {
    await error;
    throw new ShaderCompileError(label, messages, input.source);
  }
  const moduleError = await error;
  if (moduleError) throw moduleError;
  const stage: GPUProgrammableStage = { module, constants: { ...input.constants } };
  if (input.entryPoint !== undefined) stage.entryPoint = input.entryPoint;
  try {
    return await context.device.createComputePipelineAsync({ label, layout: input.layout, compute: stage });
  } catch (e) {
    if (e instanceof KomputeError) throw e;
    throw new ValidationError(`creating ${label}'s pipeline`, e instanceof Error ? e.message : String(e));
  }
}
