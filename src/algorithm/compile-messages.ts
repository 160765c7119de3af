import type { ShaderMessage } from '../errors.js';
import type { GPUDevice, GPUShaderModule } from '../backends/webgpu-types.js';

/** Devices whose implementation has no `getCompilationInfo()`: it is not asked again (each call prints). */
const withoutCompilationInfo = new WeakSet<GPUDevice>();

/**
 * The compiler's messages for `module` of `device`, or null when the implementation has no
 * `getCompilationInfo()` (bun-webgpu 0.1.7 prints "FATAL ERROR: getCompilationInfo not
 * implemented" and throws).
 */
export async function compilationMessages(device: GPUDevice, module: GPUShaderModule): Promise<ShaderMessage[] | null> {
  if (withoutCompilationInfo.has(device)) return null;
  let info: GPUCompilationInfo;
  try {
    info = await module.getCompilationInfo();
  } catch {
    withoutCompilationInfo.add(device);
    return null;
  }
  return info.messages.map((m) => ({ type: m.type, message: m.message, line: m.lineNum, column: m.linePos }));
}

/**
 * Compiler messages read back from a validation error's text, for implementations without
 * `getCompilationInfo()`: Tint writes each as `:LINE:COLUMN error: TEXT` (Dawn's
 * "Error while parsing WGSL: :3:10 error: unresolved value 'nope'"). Empty when there are none.
 */
export function messagesFromText(text: string): ShaderMessage[] {
  const messages: ShaderMessage[] = [];
  for (const match of text.matchAll(/:(\d+):(\d+) (error|warning|note|info): ([^\n]*)/g)) {
    const [, line, column, severity, message] = match;
    messages.push({ type: severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'info', message: message ?? '', line: Number(line), column: Number(column) });
  }
  return messages;
}
