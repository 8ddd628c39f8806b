/**
 * The extension host's side of the scan worker: sends requests with increasing ids, hands each
 * caller the newest result (a result that a newer request will replace is dropped), restarts a
 * crashed worker once and scans again, and terminates the worker on dispose.
 */
import { Worker } from 'node:worker_threads';
import type { RepoModel, ScanOptions } from '../repo';
import type { ScanRequest, ScanResponse } from './protocol';

export type ScanOutcome = { id: number; model: RepoModel; workerMs: number } | { id: number; error: string };

export interface ScanClientLog {
  info(message: string): void;
  error(message: string): void;
}

type RequestBody = Omit<ScanRequest & { type: 'scan' }, 'id'> | Omit<ScanRequest & { type: 'update' }, 'id'>;

interface Pending {
  promise: Promise<ScanOutcome>;
  resolve(outcome: ScanOutcome | Promise<ScanOutcome>): void;
}

export class ScanWorkerClient {
  private worker: Worker | undefined;
  private lastId = 0;
  private readonly pending = new Map<number, Pending>();
  /** The folders of the last scan: a restarted worker scans them again. */
  private lastScan: Omit<ScanRequest & { type: 'scan' }, 'id'> | undefined;
  /** Crashes since the last answer: one restart, then the worker is given up. */
  private crashesInARow = 0;
  private stopped: string | undefined;

  /** `script` is the worker's bundled file (dist/scan-worker.js) or its compiled module. */
  constructor(
    private readonly script: string,
    private readonly log: ScanClientLog,
  ) {}

  scan(folders: string[], options: ScanOptions = {}): Promise<ScanOutcome> {
    this.lastScan = { type: 'scan', folders, options };
    return this.request(this.lastScan);
  }

  update(changed: string[], deleted: string[]): Promise<ScanOutcome> {
    return this.request({ type: 'update', changed, deleted });
  }

  dispose(): void {
    this.stopped = 'disposed';
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    this.settleAll('the scan worker was stopped');
  }

  private request(body: RequestBody): Promise<ScanOutcome> {
    const id = ++this.lastId;
    if (this.stopped) return Promise.resolve({ id, error: `no scan: ${this.stopped}` });
    let resolve!: Pending['resolve'];
    const promise = new Promise<ScanOutcome>((r) => (resolve = r));
    this.pending.set(id, { promise, resolve });
    const worker = this.ensureWorker();
    // Referenced while a request waits, so a plain Node process (CLI test, bench) waits for it.
    worker.ref();
    worker.postMessage({ ...body, id } satisfies ScanRequest);
    return promise;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (response: ScanResponse) => this.answer(response));
    worker.on('error', (error) => this.crashed(worker, error.stack ?? error.message));
    worker.on('exit', (code) => this.crashed(worker, `exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private answer(response: ScanResponse): void {
    const waiting = this.pending.get(response.id);
    if (!waiting) return; // asked before a crash: its answer was replaced by the rescan's
    this.pending.delete(response.id);
    this.crashesInARow = 0;
    // An idle worker must not keep a process alive.
    if (this.pending.size === 0) this.worker?.unref();
    const newest = this.pending.get(this.lastId);
    // A newer request is on its way: this result is stale, the caller gets the newer one.
    if (newest) waiting.resolve(newest.promise);
    else
      waiting.resolve(
        response.type === 'result'
          ? { id: response.id, model: response.model, workerMs: response.ms }
          : { id: response.id, error: response.message },
      );
  }

  private crashed(worker: Worker, reason: string): void {
    if (worker !== this.worker) return; // terminated on purpose, or already handled
    this.worker = undefined;
    this.crashesInARow++;
    if (this.crashesInARow > 1 || !this.lastScan) {
      this.stopped = `the scan worker crashed (${reason})`;
      this.log.error(`${this.stopped}; it is not restarted again: reload the window to scan`);
      this.settleAll(this.stopped);
      return;
    }
    this.log.error(`the scan worker crashed (${reason}); restarting it and scanning again`);
    // A new worker knows nothing: every waiting caller gets the result of a fresh scan.
    const waiting = [...this.pending.values()];
    this.pending.clear();
    const rescan = this.request(this.lastScan);
    for (const w of waiting) w.resolve(rescan);
  }

  private settleAll(error: string): void {
    for (const [id, w] of this.pending) w.resolve({ id, error });
    this.pending.clear();
  }
}
