import { requestedLogLevel } from '../backends/log-request.js';

/**
 * The manager's event stream: what the library does, as it does it (Kompute's DEBUG log), for
 * loggers and for the timeline ({@link TraceRecorder}). Off by default: every emitting site
 * checks the one boolean `enabled` flag first, so with nobody listening no event
 * object is even built.
 */

/** How much an event matters; a listener gets the events at or above its level. */
export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

/** The levels, least severe first. */
export const EVENT_LEVELS: readonly EventLevel[] = ['debug', 'info', 'warn', 'error'];

/** What happened. */
export type EventKind =
  | 'manager.created'
  | 'manager.destroyed'
  | 'resource.created'
  | 'resource.rebuilt'
  | 'resource.destroyed'
  | 'resource.collected'
  | 'pool.reused'
  | 'batch.validated'
  | 'batch.planned'
  | 'batch.waited'
  | 'batch.encoded'
  | 'batch.submitted'
  | 'batch.completed'
  | 'batch.failed'
  | 'map.waited'
  | 'gpu.timings'
  | 'device.lost'
  | 'warning';

/** One event of the manager's event stream (`mgr.on()`). */
export interface KomputeEvent {
  readonly kind: EventKind;
  readonly level: EventLevel;
  /** When it happened (or, for a span, when the span began): `performance.now()`, in ms. */
  readonly time: number;
  /** For spans (validate, plan, wait, encode, submit, map, a whole evaluation): its length in ms. */
  readonly duration?: number;
  /** The resource concerned, by label (`Sequence#3`), when there is one. */
  readonly source?: string;
  /** A human-readable line. */
  readonly message: string;
  /** Details by name (sizes, counts, a warning's code, GPU times). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Receives events; see `mgr.on()`. */
export type EventListener = (event: KomputeEvent) => void;

/** The optional parts of an event, as emitting sites give them. */
export interface EventFields {
  readonly source?: string;
  readonly time?: number;
  readonly duration?: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

const RANK: Readonly<Record<EventLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Throws unless `level` is one of {@link EVENT_LEVELS}. */
export function isEventLevel(level: unknown): level is EventLevel {
  return typeof level === 'string' && level in RANK;
}

/** One manager's listeners. */
export class EventHub {
  /** True while someone listens: the single check at every emitting site. */
  enabled = false;
  /** True while a trace wants GPU timestamps of every dispatch (where `timestamp-query` exists). */
  gpuTimes = false;
  readonly #listeners = new Map<EventListener, number>();
  #gpuTimeRequests = 0;

  /** Calls `listener` with every event at `level` or above until the returned function is called. */
  on(listener: EventListener, level: EventLevel = 'debug'): () => void {
    this.#listeners.set(listener, RANK[level]);
    this.enabled = true;
    return () => {
      this.#listeners.delete(listener);
      this.enabled = this.#listeners.size > 0;
    };
  }

  /** Asks for GPU timestamps of every dispatch until the returned function is called. */
  requestGpuTimes(): () => void {
    this.#gpuTimeRequests++;
    this.gpuTimes = true;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.gpuTimes = --this.#gpuTimeRequests > 0;
    };
  }

  /** Builds the event and hands it to the listeners that want its level. Check {@link enabled} first. */
  emit(kind: EventKind, level: EventLevel, message: string, fields?: EventFields): void {
    const rank = RANK[level];
    const event: KomputeEvent = { kind, level, time: fields?.time ?? performance.now(), message, ...fields };
    for (const [listener, min] of this.#listeners) {
      if (rank < min) continue;
      try {
        listener(event);
      } catch {
        // A listener's failure must not break the work it watches.
      }
    }
  }
}

/**
 * A listener that prints each event on the console (`console.error`, so stdout stays the
 * program's): `mgr.on(consoleLogger(), 'debug')`, or `KOMPUTE_TS_LOG=debug` in Node.
 */
export function consoleLogger(write: (line: string) => void = (line) => console.error(line)): EventListener {
  return (event) => {
    const span = event.duration === undefined ? '' : ` (${event.duration.toFixed(3)} ms)`;
    write(`[kompute-ts] ${event.level.padEnd(5)} ${event.kind}${event.source ? ` ${event.source}` : ''}: ${event.message}${span}`);
  };
}

let defaultLevel: EventLevel | null = null;

/**
 * Every manager created from now on gets a {@link consoleLogger} at `level` (null: none). The
 * Node entry point calls it with `KOMPUTE_TS_LOG` when that variable is set.
 */
export function setDefaultLogLevel(level: EventLevel | null): void {
  defaultLevel = level;
}

let warnedAbout: string | undefined;

/** The level set by {@link setDefaultLogLevel}, else the one `KOMPUTE_TS_LOG` names in Node, or null. */
export function defaultLogLevel(): EventLevel | null {
  if (defaultLevel) return defaultLevel;
  const requested = requestedLogLevel();
  if (requested === undefined) return null;
  if (isEventLevel(requested)) return requested;
  if (warnedAbout !== requested) {
    warnedAbout = requested;
    console.error(`[kompute-ts] KOMPUTE_TS_LOG=${requested} is not a level: use debug, info, warn or error`);
  }
  return null;
}
