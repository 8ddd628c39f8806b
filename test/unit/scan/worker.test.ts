/**
 * The scan worker (src/core/scan) against an in-process RepoIndex: the model that crosses the
 * thread boundary by structured clone is the same model, for a generated repository and a
 * corpus repository, after a scan and after updates; stale answers are dropped; a crashed
 * worker is restarted once.
 */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { RepoIndex, type RepoModel } from '../../../src/core/repo';
import { ScanWorkerClient, type ScanOutcome } from '../../../src/core/scan/scanClient';
import { generateSyntheticRepo } from '../../env/syntheticRepo';
import { repoRoot } from '../repo/helpers';

/** The compiled worker entry next to this test's compiled sources (out/src/core/scan). */
const WORKER = path.join(repoRoot, 'out', 'src', 'core', 'scan', 'scanWorker.js');
const CORPUS_REPO = path.resolve(repoRoot, '..', 'shared', 'corpus', 'onedr0p+home-ops');

function quietLog(): { info(m: string): void; error(m: string): void; errors: string[] } {
  const errors: string[] = [];
  return { info: () => {}, error: (m) => errors.push(m), errors };
}

function modelOf(outcome: ScanOutcome): RepoModel {
  if ('error' in outcome) assert.fail(`the worker answered an error: ${outcome.error}`);
  return outcome.model;
}

/** Fails on anything structured clone would not give back as it is (class instances, functions). */
function assertPlainData(value: unknown, where = 'model'): void {
  if (value === null || typeof value !== 'object') {
    assert.ok(typeof value !== 'function' && typeof value !== 'symbol', `${where} is a ${typeof value}`);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (value instanceof Map) {
    assert.strictEqual(proto, Map.prototype, `${where} is a subclass of Map`);
    for (const [k, v] of value) assertPlainData(v, `${where}.get(${String(k)})`);
    return;
  }
  assert.ok(
    proto === Object.prototype || proto === Array.prototype || proto === null,
    `${where} is an instance of ${proto?.constructor?.name}`,
  );
  for (const [k, v] of Object.entries(value)) assertPlainData(v, `${where}.${k}`);
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

test('a generated repository: the worker model equals the in-process model, after a scan and after updates', async () => {
  const root = tempDir('scan-worker-synthetic-');
  const client = new ScanWorkerClient(WORKER, quietLog());
  try {
    generateSyntheticRepo(root, { apps: 200, crds: 4 });
    const index = new RepoIndex([root]);
    const local = index.scan();
    assertPlainData(local);
    assert.deepStrictEqual(structuredClone(local), local);
    assert.ok(local.objects.length > 800, `only ${local.objects.length} objects`);
    assert.deepStrictEqual(modelOf(await client.scan([root])), local);

    // An edit, a new app folder nothing lists yet, and a deleted app folder.
    const release = path.join(root, 'apps/apps-07/app-0107/release.yaml');
    fs.writeFileSync(release, fs.readFileSync(release, 'utf8').replace('replicas: 1', 'replicas: 2'));
    const added = path.join(root, 'apps/apps-03/new-app/ns.yaml');
    fs.mkdirSync(path.dirname(added));
    fs.writeFileSync(added, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: new-app\n');
    const removed = path.join(root, 'apps/apps-05/app-0005');
    fs.rmSync(removed, { recursive: true });
    index.updateFile(release);
    index.updateFile(added);
    const updated = index.removeFile(removed);
    assert.ok(updated.orphans.includes(added), 'the in-process update missed the new folder');
    assert.ok(!updated.objects.some((o) => o.file.startsWith(removed + path.sep)), 'kept the deleted folder');
    assert.deepStrictEqual(modelOf(await client.update([release, added], [removed])), updated);
  } finally {
    client.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a corpus repository (onedr0p+home-ops): the worker model equals the in-process model', async (t) => {
  if (!fs.existsSync(CORPUS_REPO)) {
    t.skip(`${CORPUS_REPO} is absent (it comes with ../shared/corpus): nothing to compare`);
    return;
  }
  const local = new RepoIndex([CORPUS_REPO], { repoRoot: CORPUS_REPO }).scan();
  assertPlainData(local);
  assert.ok(local.kustomizations.size > 10, `only ${local.kustomizations.size} Flux Kustomizations`);
  const client = new ScanWorkerClient(WORKER, quietLog());
  try {
    assert.deepStrictEqual(modelOf(await client.scan([CORPUS_REPO], { repoRoot: CORPUS_REPO })), local);
  } finally {
    client.dispose();
  }
});

test('a result that a newer request replaces is dropped: every caller gets the newest', async () => {
  const root = tempDir('scan-worker-stale-');
  const client = new ScanWorkerClient(WORKER, quietLog());
  try {
    generateSyntheticRepo(root, { apps: 40, crds: 1 });
    const first = client.scan([root]);
    const extra = path.join(root, 'apps/apps-01/late/ns.yaml');
    fs.mkdirSync(path.dirname(extra));
    fs.writeFileSync(extra, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: late\n');
    const second = client.update([extra], []);
    const [a, b] = await Promise.all([first, second]);
    assert.strictEqual(a.id, b.id, 'the first caller got a stale answer');
    assert.ok(
      modelOf(a).objects.some((o) => o.file === extra),
      'the newest model lacks the new file',
    );
  } finally {
    client.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('an update before any scan is an error, not a model', async () => {
  const client = new ScanWorkerClient(WORKER, quietLog());
  try {
    const outcome = await client.update(['/nowhere/file.yaml'], []);
    assert.ok('error' in outcome, JSON.stringify(outcome).slice(0, 200));
  } finally {
    client.dispose();
  }
});

test('a crashed worker is restarted once, scans again and answers the waiting caller; a second crash stops it', async () => {
  const dir = tempDir('scan-worker-crash-');
  const root = path.join(dir, 'repo');
  fs.mkdirSync(root);
  generateSyntheticRepo(root, { apps: 10, crds: 1 });
  // A worker that dies on its first message while a marker file is absent, else is the real one.
  const crashOnce = path.join(dir, 'crash-once.js');
  const marker = path.join(dir, 'crashed');
  fs.writeFileSync(
    crashOnce,
    `const fs = require('fs');
const { parentPort } = require('worker_threads');
if (fs.existsSync(${JSON.stringify(marker)})) require(${JSON.stringify(WORKER)});
else parentPort.once('message', () => { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(3); });
`,
  );
  const log = quietLog();
  const client = new ScanWorkerClient(crashOnce, log);
  try {
    const outcome = await client.scan([root]);
    assert.ok(modelOf(outcome).kustomizations.size > 0);
    assert.strictEqual(log.errors.length, 1, log.errors.join('\n'));
    assert.match(log.errors[0], /crashed \(exited with code 3\); restarting/);
  } finally {
    client.dispose();
  }

  // Crashing every time: one restart, then every request is answered with the error.
  fs.rmSync(marker, { force: true });
  const alwaysCrash = path.join(dir, 'always-crash.js');
  fs.writeFileSync(
    alwaysCrash,
    "require('worker_threads').parentPort.once('message', () => { throw new Error('boom'); });\n",
  );
  const log2 = quietLog();
  const failing = new ScanWorkerClient(alwaysCrash, log2);
  try {
    const outcome = await failing.scan([root]);
    assert.ok('error' in outcome && /crashed/.test(outcome.error), JSON.stringify(outcome));
    assert.strictEqual(log2.errors.length, 2, log2.errors.join('\n'));
    assert.match(log2.errors[1], /boom[\s\S]*not restarted again/);
    const later = await failing.update([root], []);
    assert.ok('error' in later, 'a stopped worker answered a model');
  } finally {
    failing.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
