// Credential and kubeconfig faults against the real kube-apiserver: a token the server stops
// accepting (401: "credentials rejected", then recovery once the kubeconfig holds a valid one), an
// `exec` credential plugin that issues short-lived credentials and is run again when they expire,
// and a kubeconfig edited while connected (server changed, context switched). Tokens are bound
// service-account tokens: deleting the Secret a token is bound to makes the server reject it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { Cluster, startCluster } from '../env/cluster';
import { StatusWriter } from '../env/status-writer';
import { ConnectionManager } from '../../src/core/cluster/connection';
import { loadKubeconfig, watchKubeconfigFiles } from '../../src/core/cluster/kubeconfig';
import { ClusterHealth, StatusStore } from '../../src/core/cluster/store';

const NAMESPACE = 'credentials-test';
const SERVICE_ACCOUNT = 'flux-watcher';
const AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
/** Watches end after 1–2 s, so every watcher asks the server (and authenticates) again often. */
const FAST = { backoff: { initialMs: 100, maxMs: 500 }, watchTimeoutSeconds: [1, 2] as [number, number] };

/** Resolves when `check` holds for the cluster's health; the history is printed when it does not. */
function healthUntil(
  store: StatusStore,
  history: string[],
  what: string,
  check: (h: ClusterHealth | undefined) => boolean,
  timeoutMs = 60_000,
): Promise<ClusterHealth> {
  return new Promise((resolve, reject) => {
    const now = store.getHealth('c');
    if (check(now)) return resolve(now!);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; health seen:\n  ${history.slice(-30).join('\n  ')}`));
    }, timeoutMs);
    const sub = store.onDidChangeHealth(() => {
      const h = store.getHealth('c');
      if (!check(h)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(h!);
    });
  });
}

function recordHealth(store: StatusStore): string[] {
  const history: string[] = [];
  const t0 = Date.now();
  store.onDidChangeHealth((h) => {
    const kinds = h.kinds.map((k) => `${k.kind}:${k.state}`).join(' ');
    history.push(
      `${Date.now() - t0} ms ${h.context} ${h.state}${h.message ? ` (${h.message})` : ''} ${kinds}`,
    );
  });
  return history;
}

/** Waits until the store shows the object Ready (a status written after the fault reached it). */
function readyUntil(store: StatusStore, name: string, timeoutMs = 60_000): Promise<void> {
  const ref = { cluster: 'c', kind: 'Kustomization' as const, namespace: NAMESPACE, name };
  return new Promise((resolve, reject) => {
    if (store.status(ref).state === 'Ready') return resolve();
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${name} Ready: ${JSON.stringify(store.status(ref))}`));
    }, timeoutMs);
    const sub = store.onDidChange(() => {
      if (store.status(ref).state !== 'Ready') return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

/** Writes a kubeconfig file the way editors do: a new file renamed over the old one. */
function writeKubeconfig(file: string, config: object): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(config, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

void describe('credentials and kubeconfig edits against the real kube-apiserver', () => {
  let cluster: Cluster;
  let admin: k8s.KubeConfig;
  let caData: string;
  let secretCount = 0;

  before(
    async () => {
      cluster = await startCluster({ namespaces: [NAMESPACE] });
      admin = cluster.kubeConfig('admin');
      caData = readFileSync(cluster.caFile).toString('base64');
      const core = admin.makeApiClient(k8s.CoreV1Api);
      await core.createNamespacedServiceAccount({
        namespace: NAMESPACE,
        body: { metadata: { name: SERVICE_ACCOUNT, namespace: NAMESPACE } },
      });
      await admin.makeApiClient(k8s.RbacAuthorizationV1Api).createClusterRoleBinding({
        body: {
          metadata: { name: 'flux-watcher-admin' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: NAMESPACE }],
        },
      });
      const custom = admin.makeApiClient(k8s.CustomObjectsApi);
      for (const name of ['after-401', 'after-refresh', 'after-edit']) {
        await custom.createNamespacedCustomObject({
          group: 'kustomize.toolkit.fluxcd.io',
          version: 'v1',
          namespace: NAMESPACE,
          plural: 'kustomizations',
          body: {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            metadata: { name, namespace: NAMESPACE },
            spec: {
              interval: '10m',
              path: './',
              prune: true,
              sourceRef: { kind: 'GitRepository', name: 'x' },
            },
          },
        });
      }
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await cluster?.stop();
  });

  /** A token the server accepts until revoke() deletes the Secret it is bound to. */
  async function issueToken(): Promise<{ token: string; revoke: () => Promise<void> }> {
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const name = `token-anchor-${++secretCount}`;
    const secret = await core.createNamespacedSecret({
      namespace: NAMESPACE,
      body: { metadata: { name, namespace: NAMESPACE }, type: 'Opaque' },
    });
    const request = await core.createNamespacedServiceAccountToken({
      name: SERVICE_ACCOUNT,
      namespace: NAMESPACE,
      body: {
        spec: {
          audiences: [AUDIENCE],
          expirationSeconds: 3600,
          boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name, uid: secret.metadata!.uid! },
        },
      },
    });
    return {
      token: request.status!.token,
      revoke: async () => {
        await core.deleteNamespacedSecret({ name, namespace: NAMESPACE });
      },
    };
  }

  /** The HTTP status the server answers a plain request with this token (200 or 401). */
  async function statusWithToken(token: string): Promise<number> {
    const file = join(cluster.dir, 'probe.kubeconfig');
    writeKubeconfig(file, kubeconfig([{ name: 'probe', server: cluster.server, user: { token } }], 'probe'));
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(file);
    try {
      await kc.makeApiClient(k8s.CoreV1Api).listNamespacedConfigMap({ namespace: NAMESPACE });
      return 200;
    } catch (error) {
      return (error as { code?: number }).code ?? 0;
    }
  }

  /**
   * Waits until the server answers the token with 401: it caches authenticated tokens for a few
   * seconds, so a revocation takes effect a little later.
   */
  async function rejectedByServer(token: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let status = await statusWithToken(token);
    while (status !== 401) {
      if (Date.now() > deadline) assert.fail(`the revoked token still gets ${status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
      status = await statusWithToken(token);
    }
  }

  function kubeconfig(
    contexts: { name: string; server: string; user: Record<string, unknown> }[],
    current: string,
  ): Record<string, unknown> {
    return {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map((c) => ({
        name: c.name,
        cluster: { server: c.server, 'certificate-authority-data': caData },
      })),
      users: contexts.map((c) => ({ name: c.name, user: c.user })),
      contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: c.name } })),
      'current-context': current,
    };
  }

  /**
   * What ClusterService does, without VS Code: connects the current context, and again whenever
   * the kubeconfig file changes. Returns the manager, the store's health history and a stop().
   */
  async function follow(file: string) {
    const store = new StatusStore();
    const history = recordHealth(store);
    const manager = new ConnectionManager(store);
    const connectCurrent = async () => {
      const loaded = await loadKubeconfig({ path: file });
      if (loaded.kind !== 'loaded' || !loaded.currentContext) throw new Error(JSON.stringify(loaded));
      await manager.connect('c', loaded.currentContext, loaded.kubeConfig, FAST);
    };
    let reloads = Promise.resolve();
    const watch = watchKubeconfigFiles([file], () => {
      reloads = reloads.then(connectCurrent).catch((error: unknown) => {
        history.push(`reload failed: ${String(error)}`);
      });
    });
    await connectCurrent();
    return {
      store,
      history,
      stop: async () => {
        watch.dispose();
        await reloads;
        await manager.dispose();
      },
    };
  }

  void test(
    'a token the server stops accepting: "credentials rejected", then connected again with a new one',
    { timeout: 180_000 },
    async () => {
      const file = join(cluster.dir, 'token.kubeconfig');
      const first = await issueToken();
      writeKubeconfig(
        file,
        kubeconfig([{ name: 'sa', server: cluster.server, user: { token: first.token } }], 'sa'),
      );
      const live = await follow(file);
      try {
        await healthUntil(live.store, live.history, 'connected', (h) => h?.state === 'connected');

        await first.revoke();
        await rejectedByServer(first.token);
        const rejected = await healthUntil(
          live.store,
          live.history,
          'credentials rejected',
          (h) => h?.state === 'credentials rejected',
        );
        assert.match(
          rejected.message ?? '',
          /Unauthorized/,
          `the reason is said: ${JSON.stringify(rejected)}`,
        );

        // The user renews the credentials in the kubeconfig: the connection follows.
        const second = await issueToken();
        writeKubeconfig(
          file,
          kubeconfig([{ name: 'sa', server: cluster.server, user: { token: second.token } }], 'sa'),
        );
        await healthUntil(
          live.store,
          live.history,
          'connected with the new token',
          (h) => h?.state === 'connected',
        );
        await new StatusWriter(admin).ready({
          kind: 'Kustomization',
          namespace: NAMESPACE,
          name: 'after-401',
        });
        await readyUntil(live.store, 'after-401');
      } finally {
        await live.stop();
      }
    },
  );

  void test(
    'an exec credential plugin: run for short-lived tokens, run again when they expire',
    { timeout: 180_000 },
    async () => {
      const tokenFile = join(cluster.dir, 'plugin-token');
      const runsFile = join(cluster.dir, 'plugin-runs');
      const plugin = join(cluster.dir, 'credential-plugin.js');
      // The plugin hands out whatever token the test put in its store, valid for 2 s.
      writeFileSync(
        plugin,
        `const fs = require('fs');
fs.appendFileSync(${JSON.stringify(runsFile)}, 'run\\n');
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: {
    token: fs.readFileSync(${JSON.stringify(tokenFile)}, 'utf8').trim(),
    expirationTimestamp: new Date(Date.now() + 2000).toISOString(),
  },
}));
`,
      );
      writeFileSync(runsFile, '');
      const runs = () =>
        readFileSync(runsFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '').length;
      const first = await issueToken();
      writeFileSync(tokenFile, first.token);
      const file = join(cluster.dir, 'exec.kubeconfig');
      const exec = {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: [plugin],
        interactiveMode: 'Never',
      };
      writeKubeconfig(file, kubeconfig([{ name: 'exec', server: cluster.server, user: { exec } }], 'exec'));
      const live = await follow(file);
      try {
        await healthUntil(
          live.store,
          live.history,
          'connected through the plugin',
          (h) => h?.state === 'connected',
        );
        assert.ok(runs() >= 1, 'the plugin was run');

        // The old token is revoked and the plugin's store holds a new one: once the cached credential
        // expires, the plugin must be run again and its new token used.
        const runsBefore = runs();
        const second = await issueToken();
        writeFileSync(tokenFile, second.token);
        await first.revoke();
        await rejectedByServer(first.token);
        // Watches end every 1–2 s and ask again (each health change re-checks): after the cached
        // credential expires, only a new run of the plugin can make them work.
        await healthUntil(
          live.store,
          live.history,
          'connected on a token from a new run of the plugin',
          (h) => runs() > runsBefore && h?.state === 'connected',
        );
        assert.ok(runs() > runsBefore, `the plugin ran again (${runsBefore} → ${runs()} runs)`);
        await new StatusWriter(admin).ready({
          kind: 'Kustomization',
          namespace: NAMESPACE,
          name: 'after-refresh',
        });
        await readyUntil(live.store, 'after-refresh');
      } finally {
        await live.stop();
      }
    },
  );

  void test(
    'a kubeconfig edited while connected: a changed server and a switched context are followed',
    { timeout: 180_000 },
    async () => {
      const { token } = await issueToken();
      const file = join(cluster.dir, 'edited.kubeconfig');
      const good = { name: 'main', server: cluster.server, user: { token } };
      const other = { name: 'other', server: cluster.server, user: { token } };
      writeKubeconfig(file, kubeconfig([good, other], 'main'));
      const live = await follow(file);
      try {
        await healthUntil(
          live.store,
          live.history,
          'connected to main',
          (h) => h?.state === 'connected' && h.context === 'main',
        );

        // The server of the current context is changed to one where nothing listens.
        writeKubeconfig(file, kubeconfig([{ ...good, server: 'https://127.0.0.1:1' }, other], 'main'));
        const moved = await healthUntil(
          live.store,
          live.history,
          'the new server tried',
          (h) => h?.state === 'error',
        );
        assert.match(moved.message ?? '', /ECONNREFUSED/, JSON.stringify(moved));

        // The current context is switched to one on the real server.
        writeKubeconfig(file, kubeconfig([{ ...good, server: 'https://127.0.0.1:1' }, other], 'other'));
        await healthUntil(
          live.store,
          live.history,
          'connected to other',
          (h) => h?.state === 'connected' && h.context === 'other',
        );
        await new StatusWriter(admin).ready({
          kind: 'Kustomization',
          namespace: NAMESPACE,
          name: 'after-edit',
        });
        await readyUntil(live.store, 'after-edit');
      } finally {
        await live.stop();
      }
    },
  );
});
