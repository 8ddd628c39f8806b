// How the cluster core scales against the real kube-apiserver: 1,000 Flux objects, time from
// connect to a full store, and time from a status patch on the server to the store update.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { Cluster, startCluster } from '../env/cluster';
import { StatusWriter } from '../env/status-writer';
import { ConnectionManager } from '../../src/core/cluster/connection';
import { loadKubeconfig } from '../../src/core/cluster/kubeconfig';
import { StatusStore } from '../../src/core/cluster/store';

const COUNT = Number(process.env.FLUX_GITOPS_SCALE_OBJECTS ?? 1000);
const NS = 'flux-system';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

void describe(`cluster core with ${COUNT} Flux objects`, () => {
  let cluster: Cluster;
  let manager: ConnectionManager | undefined;

  before(
    async () => {
      cluster = await startCluster();
      const custom = cluster.kubeConfig('admin').makeApiClient(k8s.CustomObjectsApi);
      const names = Array.from({ length: COUNT }, (_, i) => `app-${String(i).padStart(4, '0')}`);
      // Create in small parallel batches: fast, without flooding a 2-core machine.
      for (let i = 0; i < names.length; i += 20) {
        await Promise.all(
          names.slice(i, i + 20).map((name) =>
            custom.createNamespacedCustomObject({
              group: 'kustomize.toolkit.fluxcd.io',
              version: 'v1',
              namespace: NS,
              plural: 'kustomizations',
              body: {
                apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
                kind: 'Kustomization',
                metadata: { name, namespace: NS },
                spec: {
                  interval: '10m',
                  path: `./apps/${name}`,
                  prune: true,
                  sourceRef: { kind: 'GitRepository', name: 'flux-system' },
                },
              },
            }),
          ),
        );
      }
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await manager?.dispose();
    await cluster?.stop();
  });

  void test('connect to full store, and status patch to store update', { timeout: 120_000 }, async () => {
    const loaded = await loadKubeconfig({ path: cluster.kubeconfig });
    if (loaded.kind !== 'loaded') throw new Error(loaded.message);
    const store = new StatusStore();
    manager = new ConnectionManager(store);
    const t0 = performance.now();
    await manager.connect('c', 'admin', loaded.kubeConfig);
    await new Promise<void>((resolve) => {
      const check = () => {
        if (store.size >= COUNT && store.getHealth('c')?.state === 'connected') {
          sub.dispose();
          hsub.dispose();
          resolve();
        }
      };
      const sub = store.onDidChange(check);
      const hsub = store.onDidChangeHealth(check);
      check();
    });
    const fullMs = performance.now() - t0;

    const writer = new StatusWriter(cluster.kubeConfig('admin'));
    const latencies: number[] = [];
    for (let i = 0; i < 40; i++) {
      const name = `app-${String((i * 37) % COUNT).padStart(4, '0')}`;
      const ref = { cluster: 'c', kind: 'Kustomization' as const, namespace: NS, name };
      // The status writer reads the object first; time only the patch → store path.
      const obj = await writer.get({ kind: 'Kustomization', namespace: NS, name });
      const message = `Applied revision: run ${i}`;
      const seen = new Promise<number>((resolve) => {
        const sub = store.onDidChange((e) => {
          if (!e.changes.some((c) => c.ref.name === name)) return;
          if (store.status(ref).message !== message) return;
          sub.dispose();
          resolve(performance.now());
        });
      });
      const start = performance.now();
      await writer.patchStatus(
        { kind: 'Kustomization', namespace: NS, name },
        {
          observedGeneration: obj.metadata.generation,
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'ReconciliationSucceeded',
              message,
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      );
      latencies.push((await seen) - start);
    }
    latencies.sort((a, b) => a - b);
    const median = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    console.log(
      `# ${COUNT} objects: connect → full store ${fullMs.toFixed(0)} ms; status patch → store median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
    );
    assert.equal(store.size, COUNT);
    assert.ok(fullMs < 5000, `full store in ${fullMs} ms`);
    assert.ok(p95 < 1000, `p95 ${p95} ms`);
  });
});
