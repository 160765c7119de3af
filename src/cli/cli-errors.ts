/**
 * The CLI's own errors, each printed as one line (`kompute-ts: ...`), and its exit codes.
 * @module
 */

/** Exit codes of `kompute-ts`: documented in `kompute-ts help` and the README. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The command ran and failed: a file, the shader, the GPU (one line on stderr says why). */
  failed: 1,
  /** The command line is wrong: unknown command or option, a malformed value. */
  usage: 2,
  /** A bug of kompute-ts (the stack trace is printed): please report it. */
  internal: 70,
} as const;

/** A wrong command line: printed as one line with a pointer to `kompute-ts help`, exit code 2. */
export class UsageError extends Error {}

/** A user's file or input that does not work: printed as one line, exit code 1. */
export class CliError extends Error {}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
};

/** A file-system error as a one-line {@link CliError}: `cannot read nope.npy: no such file or directory`. */
export function fileError(action: string, path: string, error: unknown): CliError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' && Object.hasOwn(REASONS, code) ? REASONS[code]! : error instanceof Error ? error.message : String(error);
  return new CliError(`cannot ${action} ${path}: ${reason}`);
}
