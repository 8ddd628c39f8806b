/**
 * The scan worker (bundled as dist/scan-worker.js): owns the RepoIndex, so a scan of a large
 * repository runs on its own thread and the extension host never waits for it. Requests are
 * answered one at a time, in order (see protocol.ts).
 */
import { parentPort } from 'node:worker_threads';
import { RepoIndex, type RepoModel } from '../repo';
import type { ScanRequest, ScanResponse } from './protocol';

let index: RepoIndex | undefined;

function handle(request: ScanRequest): ScanResponse {
  const started = performance.now();
  try {
    let model: RepoModel;
    if (request.type === 'scan') {
      index = new RepoIndex(request.folders, request.options);
      model = index.scan();
    } else {
      if (!index) return { id: request.id, type: 'error', message: 'no scan yet to update' };
      model = index.model;
      for (const file of request.changed) model = index.updateFile(file);
      for (const file of request.deleted) model = index.removeFile(file);
    }
    return { id: request.id, type: 'result', model, ms: performance.now() - started };
  } catch (error) {
    return {
      id: request.id,
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}

const port = parentPort;
if (!port) throw new Error('scanWorker runs as a worker_threads Worker only');
port.on('message', (request: ScanRequest) => port.postMessage(handle(request)));
