// Live-status benchmark against the real kube-apiserver (test/env): 1,000 Flux Kustomizations;
// prints the time from connect to a full status store, the time from a status patch on the
// server to the store update (median, p95), how many child processes the watch started (goal 0),
// and, side by side, the archived extension's method: one `kubectl get <kind> -A -o json` per
// kind per refresh. Goals: full store <= 2 s, change -> store <= 300 ms.
// The statuses are written by the status writer, not by the Flux controllers: 1,000 objects
// reconciled by real controllers would measure the controllers on two cores, not the watch. This
// is the one place where the emulation stays (test/env/README.md).
// Needs `bash test/env/install.sh` and `npm run compile-tests`.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const k8s = require('@kubernetes/client-node');
const { startCluster } = require('../out/test/env/cluster.js');
const { StatusWriter } = require('../out/test/env/status-writer.js');
const {
  ConnectionManager,
  StatusStore,
  loadKubeconfig,
  FLUX_KINDS,
} = require('../out/src/core/cluster/index.js');

const COUNT = Number(process.env.BENCH_OBJECTS || 1000);
const NS = 'flux-system';
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Child processes of this process, other than the test cluster's own etcd and kube-apiserver. */
function childProcesses(exclude) {
  const children = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && !exclude.includes(Number(pid))) children.push(Number(pid));
    } catch {
      // gone
    }
  }
  return children;
}

const cluster = await startCluster();
let manager;
try {
  const custom = cluster.kubeConfig('admin').makeApiClient(k8s.CustomObjectsApi);
  const names = Array.from({ length: COUNT }, (_, i) => `app-${String(i).padStart(4, '0')}`);
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
  const before = childProcesses([cluster.pids.etcd, cluster.pids.apiserver]);
  const loaded = await loadKubeconfig({ path: cluster.kubeconfig });
  const store = new StatusStore();
  manager = new ConnectionManager(store);
  const started = performance.now();
  await manager.connect('bench', 'admin', loaded.kubeConfig);
  await new Promise((resolve) => {
    const check = () => store.size >= COUNT && store.getHealth('bench')?.state === 'connected' && resolve();
    store.onDidChange(check);
    store.onDidChangeHealth(check);
    check();
  });
  const fullMs = performance.now() - started;

  const writer = new StatusWriter(cluster.kubeConfig('admin'));
  const latencies = [];
  for (let i = 0; i < 40; i++) {
    const name = names[(i * 37) % COUNT];
    const object = await writer.get({ kind: 'Kustomization', namespace: NS, name });
    const message = `Applied revision: run ${i}`;
    const seen = new Promise((resolve) => {
      const subscription = store.onDidChange((event) => {
        if (!event.changes.some((change) => change.ref.name === name)) return;
        if (
          store.status({ cluster: 'bench', kind: 'Kustomization', namespace: NS, name }).message !== message
        )
          return;
        subscription.dispose();
        resolve(performance.now());
      });
    });
    const patched = performance.now();
    await writer.patchStatus(
      { kind: 'Kustomization', namespace: NS, name },
      {
        observedGeneration: object.metadata.generation,
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
    latencies.push((await seen) - patched);
  }
  latencies.sort((a, b) => a - b);
  const spawned = childProcesses([cluster.pids.etcd, cluster.pids.apiserver, ...before]);
  console.log(`cluster bench, ${COUNT} Flux objects on the real kube-apiserver:`);
  console.log(`  connect -> full store: ${fullMs.toFixed(0)} ms (goal <= 2000)`);
  console.log(
    `  status patch -> store: median ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (goal <= 300)`,
  );
  console.log(`  child processes started by the watches: ${spawned.length}`);

  // The archived extension's method: kubectl get <kind> -A -o json, one per kind, every refresh.
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (kubectl.error) {
    console.log(
      '  archived method (kubectl get per kind per refresh): kubectl is not installed here, not measured.',
    );
  } else {
    const rounds = [];
    for (let round = 0; round < 5; round++) {
      const t = performance.now();
      for (const kind of FLUX_KINDS) {
        execFileSync(
          'kubectl',
          ['--kubeconfig', cluster.kubeconfig, 'get', kind.toLowerCase(), '-A', '-o', 'json'],
          { stdio: 'ignore', maxBuffer: 1 << 28 },
        );
      }
      rounds.push(performance.now() - t);
    }
    rounds.sort((a, b) => a - b);
    console.log(
      `  archived method: one refresh = ${FLUX_KINDS.length} kubectl processes, median ${percentile(rounds, 50).toFixed(0)} ms per refresh`,
    );
  }
} finally {
  await manager?.dispose();
  await cluster.stop();
}
