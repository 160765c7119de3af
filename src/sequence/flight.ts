import { StateError } from '../errors.js';
import type { HostCopy } from '../memory/host-copy.js';

/** One evaluation in flight. */
interface Flight {
  readonly promise: Promise<void>;
  readonly abort: (error: unknown) => void;
  settled: boolean;
  /** Whether an evalAwait() delivered its failure to the caller. */
  observed: boolean;
  failure: { error: unknown } | null;
}

/**
 * The error of an evaluation nobody awaited, as the next call reports it: a copy (same class,
 * code and hint; the original as `cause`) whose message says where it comes from, since it would
 * otherwise read like an error of the reporting call. A copy, because the original may be shared
 * (an algorithm's compile error is every sequence's).
 */
function reportedLate(error: unknown, sequence: string): unknown {
  if (!(error instanceof Error)) return error;
  const late = Object.create(Object.getPrototypeOf(error), Object.getOwnPropertyDescriptors(error)) as Error;
  late.message = `${error.message} [reported late: an earlier evaluation of ${sequence} failed and was not awaited]`;
  Object.defineProperty(late, 'cause', { value: error, writable: true, configurable: true });
  return late;
}

/**
 * A sequence's in-flight bookkeeping: the evaluation running now (at most one) and the last one
 * that settled, whose failure the next call reports when nobody awaited it.
 */
export class Flights {
  /** The evaluation in flight, or null. */
  current: Flight | null = null;
  /** The last evaluation that settled. */
  last: Flight | null = null;

  constructor(private readonly label: string) {}

  /** Throws unless no evaluation is in flight. */
  assertIdle(action: string): void {
    if (this.current) {
      throw new StateError(`${this.label}.${action} while an evaluation is running`, 'await evalAwait() first, or use another sequence for concurrent work');
    }
  }

  /** An evaluation failed and nobody awaited it: the next call reports it rather than losing it. */
  throwUnobserved(): void {
    const last = this.last;
    if (last?.failure && !last.observed) {
      last.observed = true;
      throw reportedLate(last.failure.error, this.label);
    }
  }

  /**
   * Starts an evaluation: calls `run`, then makes it the current flight. A failure of the run is
   * passed through `explain` (which may replace it) before it settles the flight. The host copies
   * in `claimed` are unclaimed when the run itself ends, its failure explained (not at an abort:
   * transfers in flight still need the data). Returns the flight.
   */
  start(run: () => Promise<void>, claimed: readonly HostCopy[], explain: (error: unknown) => Promise<unknown>): Flight {
    // The run first: its synchronous part encodes and submits, and the bookkeeping below can wait
    // until the GPU has the work (nothing in that part looks at the current flight).
    const running = run();
    // One promise per evaluation, settled by the run or, earlier, by an abort (destroy, device
    // loss). The bookkeeping happens before any awaiting caller resumes, so isRunning() is
    // already false when `await seq.eval()` returns.
    let settle!: (failure: { error: unknown } | null) => void;
    const flight: Flight = {
      promise: new Promise<void>((resolve, reject) => {
        settle = (failure) => {
          if (flight.settled) return;
          flight.settled = true;
          flight.failure = failure;
          if (this.current === flight) this.current = null;
          this.last = flight;
          if (failure) reject(failure.error);
          else resolve();
        };
      }),
      abort: (error) => settle({ error }),
      observed: false,
      settled: false,
      failure: null,
    };
    flight.promise.catch(() => {});
    this.current = flight;
    // One reaction on the run's promise (the success path is on every evaluation's critical path).
    const ended = (failure: { error: unknown } | null) => {
      for (const copy of claimed) copy.unclaim();
      settle(failure);
    };
    running.then(
      () => ended(null),
      (error: unknown) => {
        // Aborted already (destroyed, device lost): nobody can see this failure, and explaining it
        // may wait (up to a second for a device loss) while holding the sequence and its batch.
        if (flight.settled) {
          ended(null);
          return;
        }
        explain(error).then(
          (explained) => ended({ error: explained }),
          (thrown: unknown) => ended({ error: thrown }),
        );
      },
    );
    return flight;
  }
}
