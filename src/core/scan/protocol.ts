/**
 * Messages between the extension host and the scan worker (scanWorker.ts). They travel by
 * structured clone: a RepoModel is plain data (objects, arrays, strings, numbers, booleans,
 * null, and one Map for `kustomizations`, which structured clone keeps as a Map), so it arrives
 * as the same model. test/unit/scan/worker.test.ts checks that no class instance or function
 * sneaks into it.
 */
import type { RepoModel, ScanOptions } from '../repo';

export type ScanRequest =
  /** Forget everything and scan these folders. */
  | { id: number; type: 'scan'; folders: string[]; options: ScanOptions }
  /** Take changed (created or edited) and deleted files or folders into account. */
  | { id: number; type: 'update'; changed: string[]; deleted: string[] };

export type ScanResponse =
  | { id: number; type: 'result'; model: RepoModel; /** Time spent in the worker. */ ms: number }
  | { id: number; type: 'error'; message: string };
