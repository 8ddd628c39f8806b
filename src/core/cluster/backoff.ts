// Reconnection delays: exponential with full jitter, capped, so many watches that drop at once
// (an apiserver restart) do not come back in lockstep.

export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  initialMs?: number;
  /** Largest delay. Default 30 s. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Share of the delay that is random, 0..1. Default 0.5. */
  jitter?: number;
}

/** The delay before retry number `attempt` (0 = first retry); `random` is in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random = Math.random()): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const base = Math.min(max, initial * Math.pow(factor, Math.max(0, attempt)));
  return Math.round(base * (1 - jitter) + base * jitter * random);
}

/** Counts consecutive failures; reset() after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay, growing with each call. */
  next(): number {
    return backoffDelay(this.attempt++, this.options, this.random());
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

/** Waits `ms`, or less when `signal` aborts first; never rejects. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
