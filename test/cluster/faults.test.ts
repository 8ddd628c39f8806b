// Faults of the cluster core against real servers: nothing listening, a cluster without the Flux
// CRDs, and a kube-apiserver restarted under a running watch (status recovers by itself).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cluster, isAlive, startCluster } from '../env/cluster';
import { crdFiles } from '../env/paths';
import { StatusWriter } from '../env/status-writer';
import * as k8s from '@kubernetes/client-node';
import { ConnectionManager } from '../../src/core/cluster/connection';
import { loadKubeconfig } from '../../src/core/cluster/kubeconfig';
import { ClusterHealth, StatusStore } from '../../src/core/cluster/store';

function healthUntil(
  store: StatusStore,
  cluster: string,
  what: string,
  check: (h: ClusterHealth | undefined) => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check(store.getHealth(cluster))) return resolve();
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(store.getHealth(cluster))}`));
    }, timeoutMs);
    const sub = store.onDidChangeHealth(() => {
      if (!check(store.getHealth(cluster))) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

/** Resolves when `check` holds after a change of the store's objects; says what it saw when it does not. */
function storeUntil(
  store: StatusStore,
  what: string,
  check: () => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      sub.dispose();
      const objects = store
        .list({ cluster: 'c' })
        .map((e) => `${e.ref.kind}/${e.ref.name}: ${e.status.state}`);
      reject(new Error(`timed out waiting for ${what}; the store holds ${JSON.stringify(objects)}`));
    }, timeoutMs);
    const sub = store.onDidChange(() => {
      if (!check()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

void describe('cluster core faults', () => {
  let cluster: Cluster | undefined;
  let restartedPid = 0;

  before(
    async () => {
      cluster = await startCluster({ installCrds: false });
    },
    { timeout: 120_000 },
  );

  after(async () => {
    if (restartedPid > 0) {
      try {
        process.kill(-restartedPid, 'SIGKILL');
      } catch {
        /* gone */
      }
      while (isAlive(restartedPid)) await sleep(50);
    }
    await cluster?.stop();
  });

  void test('an unreachable server: error health with the reason, logged once, stop is prompt', async () => {
    const dir = cluster!.dir;
    const file = join(dir, 'unreachable.kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'nowhere', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 'x' } }],
        contexts: [{ name: 'nowhere', context: { cluster: 'nowhere', user: 'u' } }],
        'current-context': 'nowhere',
      }),
    );
    const loaded = await loadKubeconfig({ path: file });
    assert.equal(loaded.kind, 'loaded');
    if (loaded.kind !== 'loaded') return;
    const store = new StatusStore();
    const logs: string[] = [];
    const m = new ConnectionManager(store, (l) => logs.push(l));
    await m.connect('c', 'nowhere', loaded.kubeConfig, { backoff: { initialMs: 50, maxMs: 100 } });
    await healthUntil(store, 'c', 'error', (h) => h?.state === 'error');
    assert.match(store.getHealth('c')?.message ?? '', /ECONNREFUSED/);
    await sleep(400);
    assert.equal(logs.length, 1, `one log line for a repeated failure: ${JSON.stringify(logs)}`);
    const t = Date.now();
    await m.dispose();
    assert.ok(Date.now() - t < 2000);
  });

  void test('no Flux CRDs: the cluster says so', async () => {
    const loaded = await loadKubeconfig({ path: cluster!.kubeconfig });
    if (loaded.kind !== 'loaded') throw new Error(loaded.message);
    const store = new StatusStore();
    const m = new ConnectionManager(store);
    try {
      await m.connect('c', 'admin', loaded.kubeConfig, { backoff: { initialMs: 100, maxMs: 200 } });
      await healthUntil(store, 'c', 'no CRDs', (h) => h?.state === 'error');
      assert.equal(store.getHealth('c')?.message, 'the Flux CRDs are not installed');
    } finally {
      await m.dispose();
    }
  });

  void test(
    'kube-apiserver restarted under the watch: the store recovers by itself',
    { timeout: 120_000 },
    async () => {
      const c = cluster!;
      // Install the CRDs now (the cluster started without them).
      const admin = c.kubeConfig('admin');
      const ext = admin.makeApiClient(k8s.ApiextensionsV1Api);
      const crds = crdFiles()
        .flatMap((f) => k8s.loadAllYaml(readFileSync(f, 'utf8')) as (k8s.V1CustomResourceDefinition | null)[])
        .filter((x): x is k8s.V1CustomResourceDefinition => x?.kind === 'CustomResourceDefinition');
      await Promise.all(crds.map((body) => ext.createCustomResourceDefinition({ body })));
      for (;;) {
        const list = await ext.listCustomResourceDefinition();
        const established = list.items.filter((x) =>
          x.status?.conditions?.some((cond) => cond.type === 'Established' && cond.status === 'True'),
        );
        if (established.length >= crds.length) break;
        await sleep(100);
      }

      const loaded = await loadKubeconfig({ path: c.kubeconfig });
      if (loaded.kind !== 'loaded') throw new Error(loaded.message);
      const store = new StatusStore();
      const m = new ConnectionManager(store);
      // Every health change, printed when the test fails (what each kind's watch went through).
      const seen: string[] = [];
      const t00 = Date.now();
      store.onDidChangeHealth((h) => {
        const kinds = h.kinds.map(
          (k) => `${k.kind}:${k.state}${k.message ? `(${k.message.slice(0, 80)})` : ''}`,
        );
        seen.push(`${Date.now() - t00} ms ${h.state} ${kinds.join(' ')}`);
      });
      let passed = false;
      try {
        await m.connect('c', 'admin', loaded.kubeConfig, { backoff: { initialMs: 200, maxMs: 1000 } });
        await healthUntil(store, 'c', 'connected', (h) => h?.state === 'connected', 60_000);
        const custom = admin.makeApiClient(k8s.CustomObjectsApi);
        await custom.createNamespacedCustomObject({
          group: 'kustomize.toolkit.fluxcd.io',
          version: 'v1',
          namespace: 'flux-system',
          plural: 'kustomizations',
          body: {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            metadata: { name: 'survivor', namespace: 'flux-system' },
            spec: {
              interval: '10m',
              path: './',
              prune: true,
              sourceRef: { kind: 'GitRepository', name: 'flux-system' },
            },
          },
        });
        const ref = {
          cluster: 'c',
          kind: 'Kustomization' as const,
          namespace: 'flux-system',
          name: 'survivor',
        };
        await storeUntil(store, 'survivor in the store', () => store.get(ref) !== undefined);

        // Restart kube-apiserver with the same command line (etcd keeps the data).
        const pid = c.pids.apiserver;
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split('\0')
          .filter((a) => a !== '');
        const t0 = Date.now();
        process.kill(-pid, 'SIGKILL');
        while (isAlive(pid)) await sleep(50);
        console.log(`# kube-apiserver killed in ${Date.now() - t0} ms`);
        await healthUntil(store, 'c', 'the outage seen', (h) => h?.state !== 'connected');
        const fd = openSync(join(c.dir, 'kube-apiserver-restarted.log'), 'a');
        const child = spawn(args[0], args.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
        closeSync(fd);
        child.unref();
        restartedPid = child.pid ?? 0;
        const restartedAt = Date.now();
        await healthUntil(store, 'c', 'reconnected', (h) => h?.state === 'connected', 60_000).catch(
          (error) => {
            // Say why the restarted kube-apiserver did not come back (its folder is removed after the test).
            const log = readFileSync(join(c.dir, 'kube-apiserver-restarted.log'), 'utf8')
              .trimEnd()
              .split('\n');
            console.log(
              `# restarted kube-apiserver (alive: ${isAlive(restartedPid)}), last lines:\n# ${log.slice(-15).join('\n# ')}`,
            );
            throw error;
          },
        );
        const recoveredMs = Date.now() - restartedAt;
        console.log(`# watches recovered ${recoveredMs} ms after kube-apiserver was started again`);

        // A status change after the restart reaches the store.
        await new StatusWriter(admin).ready({
          kind: 'Kustomization',
          namespace: 'flux-system',
          name: 'survivor',
        });
        await storeUntil(store, 'survivor Ready', () => store.status(ref).state === 'Ready');
        assert.equal(store.status(ref).state, 'Ready');
        passed = true;
      } finally {
        if (!passed) console.log(`# health seen:\n# ${seen.slice(-60).join('\n# ')}`);
        await m.dispose();
      }
    },
  );
});
