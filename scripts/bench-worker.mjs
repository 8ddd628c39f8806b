// Benchmark of the scan worker: on the synthetic repository (test/env/syntheticRepo.ts), the
// round trip of a scan through the worker against the same scan in process, what structured
// cloning the model costs, and how late a 50 ms timer of the calling thread fires meanwhile
// (the extension host's event-loop lag without the views' work). Prints medians of 3 rounds.
// Needs `npx tsc -p tsconfig.json` (out/src/core, out/test/env).
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'out');
const modules = {
  repo: join(out, 'src', 'core', 'repo', 'index.js'),
  client: join(out, 'src', 'core', 'scan', 'scanClient.js'),
  worker: join(out, 'src', 'core', 'scan', 'scanWorker.js'),
  generator: join(out, 'test', 'env', 'syntheticRepo.js'),
};
if (!Object.values(modules).every((m) => existsSync(m))) {
  console.error('bench-worker: out/ is missing the compiled sources; run "npx tsc -p tsconfig.json" first.');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { RepoIndex } = require(modules.repo);
const { ScanWorkerClient } = require(modules.client);
const { generateSyntheticRepo } = require(modules.generator);

const APPS = Number(process.env.BENCH_APPS ?? 2000);
const ROUNDS = 3;
const PERIOD_MS = 50;

function lagProbe() {
  let expected = performance.now() + PERIOD_MS;
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - expected);
    expected = now + PERIOD_MS;
  }, PERIOD_MS);
  return {
    async stop() {
      // One more tick, so work that just ended is counted.
      await new Promise((resolve) => setTimeout(resolve, PERIOD_MS * 2));
      clearInterval(timer);
      return max;
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(1)} ms [${xs.map((x) => x.toFixed(1)).join(', ')}]`;

const root = mkdtempSync(join(tmpdir(), 'flux-bench-worker-'));
const client = new ScanWorkerClient(modules.worker, { info: () => {}, error: (m) => console.error(m) });
try {
  const { files } = generateSyntheticRepo(root, { apps: APPS });
  console.log(`synthetic repository: ${APPS} apps, ${files} files`);
  const figures = { inProcess: [], inProcessLag: [], worker: [], inWorker: [], workerLag: [], clone: [] };
  const updates = { total: [], inWorker: [], lag: [] };
  let model;
  for (let round = 0; round < ROUNDS; round++) {
    let probe = lagProbe();
    let t = performance.now();
    model = new RepoIndex([root]).scan();
    figures.inProcess.push(performance.now() - t);
    figures.inProcessLag.push(await probe.stop());

    probe = lagProbe();
    t = performance.now();
    const outcome = await client.scan([root]);
    figures.worker.push(performance.now() - t);
    if ('error' in outcome) throw new Error(outcome.error);
    figures.inWorker.push(outcome.workerMs);
    figures.workerLag.push(await probe.stop());

    t = performance.now();
    structuredClone(model);
    figures.clone.push(performance.now() - t);

    // One edited file: the worker rebuilds and sends the whole model again.
    const target = join(root, 'apps/apps-07/app-1007/release.yaml');
    const original = readFileSync(target, 'utf8');
    writeFileSync(target, `# edit ${round}\n${original}`);
    probe = lagProbe();
    t = performance.now();
    const updated = await client.update([target], []);
    updates.total.push(performance.now() - t);
    if ('error' in updated) throw new Error(updated.error);
    updates.inWorker.push(updated.workerMs);
    updates.lag.push(await probe.stop());
    writeFileSync(target, original);
  }
  const overhead = figures.worker.map((w, i) => w - figures.inWorker[i]);
  const updateOverhead = updates.total.map((w, i) => w - updates.inWorker[i]);
  console.log(`model: ${model.objects.length} objects, ${model.kustomizations.size} Flux Kustomizations`);
  console.log(`scan in process:            ${fmt(figures.inProcess)}`);
  console.log(`scan through the worker:    ${fmt(figures.worker)} (in the worker ${fmt(figures.inWorker)})`);
  console.log(`worker round-trip overhead: ${fmt(overhead)} (messages + structured clone of the model)`);
  console.log(`structuredClone(model):     ${fmt(figures.clone)}`);
  console.log(`one-file update via worker: ${fmt(updates.total)}, overhead ${fmt(updateOverhead)}`);
  console.log(`max lag of a ${PERIOD_MS} ms timer: in-process scan ${fmt(figures.inProcessLag)}`);
  console.log(
    `                             worker scan ${fmt(figures.workerLag)}, worker update ${fmt(updates.lag)}`,
  );
  console.log(`(load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
} finally {
  client.dispose();
  rmSync(root, { recursive: true, force: true });
}
