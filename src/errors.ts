/**
 * Every error kompute-ts throws derives from {@link KomputeError}. Each class has a stable `code`
 * and a `hint` that says what to do about it, so callers can branch on the class and users can
 * read the message.
 * @module
 */

/** Base class of every error thrown by kompute-ts. */
export class KomputeError extends Error {
  /** A stable machine-readable code, e.g. `KP_DESTROYED`. */
  readonly code: string;
  /**
   * What the user can do about it. The message already ends with it, so it is not enumerable:
   * printing an error shows it once.
   */
  declare readonly hint: string;

  constructor(code: string, message: string, hint = '', options?: ErrorOptions) {
    super(hint ? `${message} (${hint})` : message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, 'hint', { value: hint, enumerable: false, writable: false, configurable: true });
  }
}

/** A destroyed resource (or a resource of a destroyed manager) was used. */
export class DestroyedError extends KomputeError {
  /** The kind and label of the resource, e.g. `Tensor#3`. */
  readonly resource: string;
  constructor(resource: string, action: string) {
    super('KP_DESTROYED', `${resource} was destroyed and cannot be used (${action})`, 'a destroyed resource can never be used or recreated: create a new one from the manager');
    this.resource = resource;
  }
}

/** The GPU device was lost (driver reset, `device.destroy()` by its owner, ...). */
export class DeviceLostError extends KomputeError {
  /** The reason WebGPU reported: `destroyed` or `unknown`. */
  readonly reason: string;
  constructor(reason: string, detail: string, action?: string) {
    super(
      'KP_DEVICE_LOST',
      `the GPU device was lost (${reason}${detail ? `: ${detail}` : ''})${action ? ` during ${action}` : ''}`,
      'every resource of this manager is gone: create a new Manager and rebuild your resources',
    );
    this.reason = reason;
  }
}

/** One message of the WGSL compiler. */
export interface ShaderMessage {
  /** Severity, as the compiler reported it. */
  readonly type: 'error' | 'warning' | 'info';
  /** The compiler's text. */
  readonly message: string;
  /** 1-based line in the WGSL source, 0 when the compiler gave none. */
  readonly line: number;
  /** 1-based column, 0 when the compiler gave none. */
  readonly column: number;
}

/** The WGSL source did not compile. Carries the compiler's messages with line and column. */
export class ShaderCompileError extends KomputeError {
  /** Every message of the compiler, errors and warnings, with line and column. */
  readonly messages: readonly ShaderMessage[];
  constructor(label: string, messages: readonly ShaderMessage[], source: string) {
    const lines = source.split('\n');
    const text = messages
      .map((m) => {
        const where = m.line > 0 ? `${m.line}:${m.column}` : '?';
        const code = m.line > 0 ? `\n    ${lines[m.line - 1] ?? ''}` : '';
        return `  ${where} ${m.type}: ${m.message}${code}`;
      })
      .join('\n');
    super('KP_SHADER_COMPILE', `${label}: WGSL compilation failed\n${text}\n`, 'fix the shader at the lines above');
    this.messages = messages;
  }
}

/** WebGPU rejected a call as invalid. The message carries WebGPU's own explanation. */
export class ValidationError extends KomputeError {
  constructor(action: string, gpuMessage: string) {
    super('KP_VALIDATION', `WebGPU validation failed in ${action}: ${gpuMessage.trim()}`, 'see the WebGPU message above');
  }
}

/** The device ran out of memory for an allocation. */
export class OutOfMemoryError extends KomputeError {
  constructor(action: string, gpuMessage: string) {
    super('KP_OUT_OF_MEMORY', `the GPU ran out of memory in ${action}: ${gpuMessage.trim()}`, 'destroy resources you no longer need, or use smaller tensors');
  }
}

/** The adapter or device lacks a feature, data type or limit that was asked for. */
export class UnsupportedError extends KomputeError {
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super('KP_UNSUPPORTED', message, hint, options);
  }
}

/** An argument is invalid: wrong kind, out of range, or inconsistent with another. */
export class ArgumentError extends KomputeError {
  /** The name of the argument at fault. */
  readonly argument: string;
  constructor(argument: string, message: string, hint: string, code = 'KP_ARGUMENT') {
    super(code, `${argument}: ${message}`, hint);
    this.argument = argument;
  }
}

/** A size does not match: data length, copy sizes, push-constant bytes, device limits. */
export class SizeError extends ArgumentError {
  constructor(argument: string, message: string, hint: string) {
    super(argument, message, hint, 'KP_SIZE');
  }
}

/** A data type does not match or is not supported as such. */
export class DTypeError extends ArgumentError {
  constructor(argument: string, message: string, hint: string) {
    super(argument, message, hint, 'KP_DTYPE');
  }
}

/** A shader binding does not fit the tensors or constants given to the algorithm. */
export class AlgorithmBindingError extends ArgumentError {
  constructor(argument: string, message: string, hint: string) {
    super(argument, message, hint, 'KP_BINDING');
  }
}

/** The call is not allowed in the object's current state (e.g. `eval()` while the sequence runs). */
export class StateError extends KomputeError {
  constructor(message: string, hint: string) {
    super('KP_STATE', message, hint);
  }
}

/** How a worker process of `runOnDevices` failed. */
export type WorkerFailure = 'threw' | 'exited' | 'killed' | 'timeout' | 'spawn';

/**
 * A worker process of `runOnDevices` failed: its function threw (the worker's own error is
 * described by `remote`), or the process ended without a result (`process.exit`, a crash, a
 * signal, the timeout). Its GPU memory went with its process; the other workers are unaffected.
 */
export class WorkerError extends KomputeError {
  /** The worker's position in `devices`. */
  readonly rank: number;
  /** The device it was given (index or PCI address). */
  readonly device: number | string;
  /** What happened. */
  readonly failure: WorkerFailure;
  /** The process's exit code, or null. */
  readonly exitCode: number | null;
  /** The signal that ended the process, or null. */
  readonly signal: string | null;
  /** The error the worker threw, as it reported it (name, code, message, stack). */
  readonly remote: { readonly name: string; readonly code?: string; readonly message: string; readonly stack?: string } | undefined;
  constructor(rank: number, device: number | string, failure: WorkerFailure, detail: { exitCode?: number | null; signal?: string | null; remote?: WorkerError['remote']; message?: string }) {
    const where = `worker ${rank} (device ${JSON.stringify(device)})`;
    const how = {
      threw: `threw ${detail.remote?.name ?? 'an error'}${detail.remote?.code ? ` [${detail.remote.code}]` : ''}: ${detail.remote?.message ?? ''}`,
      exited: `exited with code ${detail.exitCode} before sending a result`,
      killed: `was killed by ${detail.signal} before sending a result`,
      timeout: `took longer than its timeout and was killed`,
      spawn: `could not be started: ${detail.message ?? ''}`,
    }[failure];
    super('KP_WORKER', `${where} ${how}`, 'its process is gone and with it its GPU memory; the other workers were not affected: rerun its share, or fix the worker');
    this.rank = rank;
    this.device = device;
    this.failure = failure;
    this.exitCode = detail.exitCode ?? null;
    this.signal = detail.signal ?? null;
    this.remote = detail.remote;
  }
}
