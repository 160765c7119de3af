/**
 * The log level the environment asks for: the Node entry (./node.ts) records `KOMPUTE_TS_LOG`
 * here, and the event stream (src/core/events.ts) reads it, so no core module touches `process`.
 */
let requested: string | undefined;

/** Records the level named by the environment (unchecked; the event stream validates it). */
export function requestLogLevel(level: string | undefined): void {
  requested = level?.trim().toLowerCase() || undefined;
}

/** The level the environment named, if any. */
export function requestedLogLevel(): string | undefined {
  return requested;
}
