import type { EventHub, KomputeEvent } from './events.js';

/** A recorded timeline: every event of the manager between `startTrace()` and `stop()`. */
export interface Trace {
  /** The events, in the order they were emitted. */
  readonly events: readonly KomputeEvent[];
  /** `performance.now()` when the recording started and stopped, in ms. */
  readonly startedAt: number;
  readonly stoppedAt: number;
  /** True when the device had `timestamp-query`, so the dispatches carry GPU times. */
  readonly gpuTimes: boolean;
}

/** Records a {@link Trace}; from `mgr.startTrace()`. */
export class TraceRecorder {
  readonly #events: KomputeEvent[] = [];
  readonly #startedAt = performance.now();
  readonly #gpuTimes: boolean;
  #stop: (() => void) | null;

  /** @internal */
  constructor(hub: EventHub, gpuTimes: boolean) {
    this.#gpuTimes = gpuTimes;
    const off = hub.on((event) => this.#events.push(event), 'debug');
    const release = gpuTimes ? hub.requestGpuTimes() : () => {};
    this.#stop = () => {
      off();
      release();
    };
  }

  /** Stops recording (idempotent) and returns what was recorded. */
  stop(): Trace {
    this.#stop?.();
    this.#stop = null;
    return { events: [...this.#events], startedAt: this.#startedAt, stoppedAt: performance.now(), gpuTimes: this.#gpuTimes };
  }
}

/** One event of the Chrome trace event format (the subset written here). */
export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly s?: 't' | 'p' | 'g';
  readonly args?: Readonly<Record<string, unknown>>;
}

/** A trace in the Chrome trace event format's JSON object form. */
export interface ChromeTrace {
  readonly traceEvents: readonly ChromeTraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: Readonly<Record<string, unknown>>;
}

/** The process ids of the two tracks: the host (CPU) side and the GPU side. */
export const HOST_PID = 1;
export const GPU_PID = 2;

interface GpuTimingsData {
  readonly spans: readonly { readonly index: number; readonly op: string; readonly startNs: number; readonly ns: number }[];
  readonly submittedAt: number;
  readonly completedAt: number;
}

/**
 * The trace in the Chrome trace event format (opens in Perfetto and chrome://tracing), in
 * microseconds from the start of the recording. The host process has one thread per sequence,
 * where each evaluation is a span (`eval`) holding its phases (`validate`, `plan`,
 * `compile-wait`, `encode`, `submit`, then `gpu-wait` or `map`, and `map` for host copies
 * mapped after the batch), and a `manager` thread of instant events (resources created,
 * destroyed, collected, pool reuse, warnings, device loss). The GPU process has one thread per
 * sequence with a span per timed dispatch.
 *
 * Clocks: WebGPU's timestamps count on the GPU's own clock, which no API relates to
 * `performance.now()`. Within a batch the GPU spans keep their measured offsets and lengths; the
 * batch as a whole is placed between its submission and the moment the host learned it was done,
 * ending at the latter (the GPU finished at the latest then), or starting at the submission when
 * it is longer than that window.
 */
export function toChromeTrace(trace: Trace): ChromeTrace {
  const origin = trace.startedAt;
  const us = (ms: number) => Math.round((ms - origin) * 1000 * 1000) / 1000;
  const out: ChromeTraceEvent[] = [
    { name: 'process_name', ph: 'M', pid: HOST_PID, tid: 0, args: { name: 'host (kompute-ts)' } },
    { name: 'thread_name', ph: 'M', pid: HOST_PID, tid: 0, args: { name: 'manager' } },
  ];
  const threads = new Map<string, number>();
  const threadOf = (source: string, pid: number): number => {
    const key = `${pid}:${source}`;
    let tid = threads.get(key);
    if (tid === undefined) {
      tid = threads.size + 1;
      threads.set(key, tid);
      out.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: source } });
    }
    return tid;
  };
  let gpuTrack = false;
  for (const event of trace.events) {
    const args = { message: event.message, ...(event.source ? { source: event.source } : {}), ...(event.data ?? {}) };
    if (event.kind === 'gpu.timings') {
      const data = event.data as unknown as GpuTimingsData;
      if (!gpuTrack) {
        gpuTrack = true;
        out.push({ name: 'process_name', ph: 'M', pid: GPU_PID, tid: 0, args: { name: 'GPU (timestamp queries)' } });
      }
      const tid = threadOf(event.source ?? 'GPU', GPU_PID);
      const total = Math.max(0, ...data.spans.map((s) => s.startNs + s.ns)) / 1e6;
      const begin = data.submittedAt + Math.max(0, data.completedAt - data.submittedAt - total);
      for (const span of data.spans) {
        out.push({ name: span.op, cat: 'gpu', ph: 'X', pid: GPU_PID, tid, ts: us(begin + span.startNs / 1e6), dur: span.ns / 1000, args: { index: span.index, ns: span.ns } });
      }
      continue;
    }
    const phase = typeof event.data?.phase === 'string' ? event.data.phase : undefined;
    if (event.duration !== undefined && phase !== undefined) {
      const tid = threadOf(event.source ?? 'host', HOST_PID);
      out.push({
        name: phase === 'eval' ? `eval ${event.source ?? ''}`.trim() : phase,
        cat: phase === 'eval' ? 'eval' : 'phase',
        ph: 'X',
        pid: HOST_PID,
        tid,
        ts: us(event.time),
        dur: Math.round(event.duration * 1000 * 1000) / 1000,
        args,
      });
    } else {
      out.push({ name: event.kind, cat: event.level, ph: 'i', s: 't', pid: HOST_PID, tid: 0, ts: us(event.time), args });
    }
  }
  return { traceEvents: out, displayTimeUnit: 'ms', otherData: { producer: 'kompute-ts', gpuTimes: trace.gpuTimes, durationMs: trace.stoppedAt - trace.startedAt } };
}
