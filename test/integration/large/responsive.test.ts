/**
 * A generated repository of about 10,000 files (test/harness/runs.mjs, run "large"): the scan
 * runs in the scan worker, so a timer of the extension host keeps firing on time while it runs,
 * and the view says it is scanning (a message during the first scan, the progress bar during a
 * rescan) and then shows the result. The same scan in process is measured too, for comparison.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RepoIndex } from '../../../src/core/repo';
import type { RepoNode } from '../../../src/core/tree/repoTree';
import { getExtension, waitFor, workspaceRoot } from '../helpers';
import { child, labels, scannedTree } from '../treeHelpers';

/**
 * The worker scan may delay a 50 ms timer of the extension host by at most this share of what the
 * same scan in process delays it, measured in the same run (so it holds at any machine load).
 * What is left on the extension host is receiving the model and rebuilding the views from it:
 * measured 3.0 s against 15.5 s in process at load average 25 on 2 cores (the log line
 * "views updated in … ms" gives the views' part).
 */
const MAX_LAG_SHARE = 0.5;
const PERIOD_MS = 50;

/** Records how late a PERIOD_MS interval timer fires: the extension host's event-loop lag. */
function lagProbe(): { readonly max: number; readonly lastTick: number; stop(): number } {
  let expected = performance.now() + PERIOD_MS;
  let max = 0;
  let lastTick = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - expected);
    expected = now + PERIOD_MS;
    lastTick = now;
  }, PERIOD_MS);
  return {
    get max() {
      return max;
    },
    get lastTick() {
      return lastTick;
    },
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}

/** Waits until the probe's timer has fired after `since`, so the lag of any work before is counted. */
async function tickAfter(probe: { lastTick: number }, since: number): Promise<void> {
  await waitFor('a timer tick of the lag probe', () => (probe.lastTick > since ? true : undefined));
}

function appsOf(roots: readonly RepoNode[]): number {
  const cluster = roots[0];
  return cluster.children
    .filter((k) => k.label.startsWith('apps-'))
    .reduce((sum, k) => sum + k.children.length, 0);
}

describe('a large repository, scanned in the scan worker', function () {
  this.timeout(240_000);

  it('says "scanning" during the first scan, then shows the tree', async () => {
    // workspaceContains activation searches all 10,000 files, which a loaded machine may give up
    // on: activating here does what the activation event would.
    await getExtension().activate();
    const roots = await waitFor('the first scan', scannedTree, 180_000);
    const api = getExtension().exports;
    assert.deepStrictEqual(labels(roots), ['prod']);
    assert.strictEqual(appsOf(roots), 2000);
    const seen = api.scanIndication();
    // The first thing the view showed was the message; it is gone now that the tree is there.
    assert.strictEqual(seen.history[0], 'message', JSON.stringify(seen));
    assert.ok(seen.history.includes('idle'), JSON.stringify(seen));
    assert.strictEqual(seen.message, undefined, JSON.stringify(seen));
    console.log(`BENCH large_first_scan_ms=${api.firstScanMs?.toFixed(0)}`);
  });

  it('keeps the extension host responsive during a rescan, with the progress bar, and the same rows when nothing changed', async () => {
    const api = getExtension().exports;
    const before = await scannedTree();
    const historyBefore = api.scanIndication().history.length;
    const probe = lagProbe();
    const started = performance.now();
    const rescan = api.rescan();
    await waitFor('the progress bar on the repository view', () =>
      api.scanIndication().progress ? true : undefined,
    );
    // Meanwhile the view keeps the last tree.
    assert.strictEqual(api.repositoryTree(), before, 'the tree changed before the rescan ended');
    await rescan;
    const scanMs = performance.now() - started;
    await tickAfter(probe, performance.now());
    const workerLag = probe.stop();
    await waitFor('the progress bar to go', () => (api.scanIndication().progress ? undefined : true));
    const after = api.repositoryTree();
    // Nothing changed on disk: the new model shows the same rows, and the view keeps the ones
    // VS Code has (a whole-tree re-render would lose a click landing meanwhile).
    assert.strictEqual(after, before, 'a rescan that found the same repository re-rendered the tree');
    assert.strictEqual(appsOf(after), 2000);
    assert.deepStrictEqual(api.scanIndication().history.slice(historyBefore), ['progress', 'idle']);

    // The same scan in this thread, as before the worker: the timer waits for all of it.
    const inProcess = lagProbe();
    await tickAfter(inProcess, performance.now());
    const t0 = performance.now();
    const model = new RepoIndex([workspaceRoot()]).scan();
    const inProcessMs = performance.now() - t0;
    await tickAfter(inProcess, performance.now());
    const inProcessLag = inProcess.stop();
    assert.strictEqual(model.objects.length > 8000, true);
    console.log(
      `BENCH worker_rescan_ms=${scanMs.toFixed(0)} worker_max_lag_ms=${workerLag.toFixed(0)} ` +
        `in_process_scan_ms=${inProcessMs.toFixed(0)} in_process_max_lag_ms=${inProcessLag.toFixed(0)}`,
    );
    assert.ok(
      workerLag < inProcessLag * MAX_LAG_SHARE,
      `a ${PERIOD_MS} ms timer fired ${workerLag.toFixed(0)} ms late during the worker scan, ` +
        `${inProcessLag.toFixed(0)} ms during the scan in process (limit: ${MAX_LAG_SHARE * 100}% of it)`,
    );
  });

  it('applies a one-file change without a scan and without the progress bar', async () => {
    const api = getExtension().exports;
    const before = await scannedTree();
    const historyBefore = api.scanIndication().history.length;
    const release = path.join(workspaceRoot(), 'apps', 'apps-04', 'app-0004', 'release.yaml');
    const text = fs.readFileSync(release, 'utf8');
    const probe = lagProbe();
    fs.writeFileSync(release, text.replace('version: "4.1.1"', 'version: "4.2.0"'));
    const changedRow = (): RepoNode | undefined => {
      const roots = api.repositoryTree();
      if (roots === before) return undefined;
      const file = child(child(child(roots[0], 'apps-04'), 'app-0004'), 'release.yaml');
      return file.children.find(
        (c) => c.label === 'HelmRelease app-0004' && /4\.2\.0/.test(c.description ?? ''),
      );
    };
    await waitFor('the new chart version in the tree', changedRow, 60_000);
    await tickAfter(probe, performance.now());
    const lag = probe.stop();
    // Printed, not asserted: an update costs the views' rebuild on the extension host, as before.
    console.log(`BENCH worker_update_max_lag_ms=${lag.toFixed(0)}`);
    assert.deepStrictEqual(api.scanIndication().history.slice(historyBefore), []);
    assert.strictEqual(api.scanIndication().progress, false);
  });
});
