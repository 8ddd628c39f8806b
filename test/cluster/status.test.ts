// The cluster core (src/core/cluster, src/core/flux) against the real kube-apiserver of test/env:
// watches, derived status, the writes of reconcile / suspend / resume, completion with the
// controller emulation, the restricted context, and a clean stop. Needs `bash test/env/install.sh`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { Cluster, startCluster } from '../env/cluster';
import { CLUSTER_FLUX_VERSION } from '../env/paths';
import {
  ControllerEmulation,
  EMULATE_FAILURE_ANNOTATION,
  startControllerEmulation,
} from '../env/controller-emulation';
import { FLUX_KINDS as ENV_KINDS } from '../env/flux-kinds';
import { StatusWriter } from '../env/status-writer';
import { createFluxApi, FluxApi } from '../../src/core/cluster/api';
import { ClusterConnection, ConnectionManager } from '../../src/core/cluster/connection';
import { ClusterRef, FluxKind, FluxRef } from '../../src/core/cluster/kinds';
import { kubeConfigForContext, loadKubeconfig } from '../../src/core/cluster/kubeconfig';
import { FluxObject } from '../../src/core/cluster/status';
import { StatusStore, StoreChangeEvent } from '../../src/core/cluster/store';
import { buildGetAllTables } from '../../src/core/cluster/table';
import { requestReconcile, resume, suspend } from '../../src/core/flux/actions';
import { reconcile } from '../../src/core/flux/completion';

const CLUSTER = 'superbloom';
const NS = 'flux-system';
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

function bodyFor(kind: FluxKind, name: string, namespace: string, extra: Record<string, unknown> = {}) {
  const specs: Record<FluxKind, Record<string, unknown>> = {
    Kustomization: {
      interval: '10m',
      path: './apps',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
    HelmRelease: {
      interval: '30m',
      chart: {
        spec: {
          chart: 'podinfo',
          version: '6.5.4',
          sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: NS },
        },
      },
    },
    GitRepository: { interval: '1m', url: 'ssh://git@github.com/acme/fleet-infra', ref: { branch: 'main' } },
    OCIRepository: {
      interval: '5m',
      url: 'oci://ghcr.io/stefanprodan/manifests/podinfo',
      ref: { tag: 'latest' },
    },
    HelmRepository: { interval: '1h', url: 'https://stefanprodan.github.io/podinfo' },
    HelmChart: {
      interval: '1h',
      chart: 'podinfo',
      version: '6.5.4',
      sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
    },
    Bucket: { interval: '5m', bucketName: 'fleet', endpoint: 'minio.example:9000' },
  };
  const info = ENV_KINDS[kind];
  return {
    apiVersion: `${info.group}/${info.version}`,
    kind,
    metadata: { name, namespace, ...((extra.metadata as object | undefined) ?? {}) },
    spec: { ...specs[kind], ...((extra.spec as object | undefined) ?? {}) },
  };
}

/** Resolves when `check` holds on the store (checked now and on every change event). */
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
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const sub = store.onDidChange(() => {
      if (!check()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

function healthUntil(
  store: StatusStore,
  cluster: string,
  what: string,
  check: () => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(store.getHealth(cluster))}`));
    }, timeoutMs);
    const sub = store.onDidChangeHealth(() => {
      if (!check()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

void describe('cluster core against the real kube-apiserver', () => {
  let cluster: Cluster;
  let custom: k8s.CustomObjectsApi;
  let writer: StatusWriter;
  let base: k8s.KubeConfig;
  let store: StatusStore;
  let manager: ConnectionManager;
  let conn: ClusterConnection;
  let api: FluxApi;
  let emulation: ControllerEmulation | undefined;
  const logs: string[] = [];

  const create = async (
    kind: FluxKind,
    name: string,
    namespace = NS,
    extra: Record<string, unknown> = {},
  ) => {
    const info = ENV_KINDS[kind];
    return (await custom.createNamespacedCustomObject({
      group: info.group,
      version: info.version,
      namespace,
      plural: info.plural,
      body: bodyFor(kind, name, namespace, extra),
    })) as FluxObject;
  };
  const read = async (ref: FluxRef) => {
    const info = ENV_KINDS[ref.kind];
    return (await custom.getNamespacedCustomObject({
      group: info.group,
      version: info.version,
      namespace: ref.namespace,
      plural: info.plural,
      name: ref.name,
    })) as FluxObject;
  };
  const patchSpec = async (ref: FluxRef, spec: Record<string, unknown>) => {
    const info = ENV_KINDS[ref.kind];
    await custom.patchNamespacedCustomObject(
      {
        group: info.group,
        version: info.version,
        namespace: ref.namespace,
        plural: info.plural,
        name: ref.name,
        body: { spec },
      },
      mergePatch,
    );
  };
  const remove = async (ref: FluxRef) => {
    const info = ENV_KINDS[ref.kind];
    await custom.deleteNamespacedCustomObject({
      group: info.group,
      version: info.version,
      namespace: ref.namespace,
      plural: info.plural,
      name: ref.name,
    });
  };
  const inStore = (ref: FluxRef): ClusterRef => ({ cluster: CLUSTER, ...ref });

  before(
    async () => {
      cluster = await startCluster({ namespaces: ['apps'] });
      const admin = cluster.kubeConfig('admin');
      custom = admin.makeApiClient(k8s.CustomObjectsApi);
      writer = new StatusWriter(admin);
      const loaded = await loadKubeconfig({ path: cluster.kubeconfig });
      assert.equal(loaded.kind, 'loaded');
      if (loaded.kind !== 'loaded') return;
      base = loaded.kubeConfig;
      store = new StatusStore();
      manager = new ConnectionManager(store, (m) => logs.push(m));
      conn = await manager.connect(CLUSTER, 'admin', base, { backoff: { initialMs: 200, maxMs: 2000 } });
      api = conn.api;
      await healthUntil(
        store,
        CLUSTER,
        'connected',
        () => store.getHealth(CLUSTER)?.state === 'connected',
        30_000,
      );
    },
    { timeout: 120_000 },
  );

  after(async () => {
    await emulation?.stop();
    await manager?.dispose();
    await cluster?.stop();
  });

  void test('discovery: every Flux kind at v1 / v2, one watch each, all namespaces', () => {
    const served = new Map(conn.servedVersions.map((s) => [s.kind, s.version]));
    assert.equal(served.get('Kustomization'), 'v1');
    assert.equal(served.get('HelmRelease'), 'v2');
    assert.equal(served.get('GitRepository'), 'v1');
    assert.equal(served.size, 7);
    const health = store.getHealth(CLUSTER);
    assert.equal(health?.kinds.length, 7);
    assert.ok(health?.kinds.every((k) => k.state === 'watching' && k.namespace === undefined));
    assert.equal(base.getCurrentContext(), 'admin', 'the loaded config keeps its current context');
  });

  void test("the cluster's Flux version: the GitRepository CRD's app.kubernetes.io/version label, as flux version reads it", async () => {
    // The test cluster labels its toolkit CRDs as `flux install` does (test/env/cluster.ts).
    const crd = await cluster
      .kubeConfig('admin')
      .makeApiClient(k8s.ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: 'gitrepositories.source.toolkit.fluxcd.io' });
    const label = crd.metadata?.labels?.['app.kubernetes.io/version'];
    assert.equal(label, CLUSTER_FLUX_VERSION);
    assert.equal(await api.fluxVersion?.(), label);
    assert.equal(conn.fluxVersion, label);
    assert.equal(store.getHealth(CLUSTER)?.fluxVersion, label);
  });

  void test('the watch brings adds, updates and deletes, one event per changed key', async () => {
    const events: StoreChangeEvent[] = [];
    const sub = store.onDidChange((e) => events.push(e));
    const ref: FluxRef = { kind: 'Kustomization', namespace: 'apps', name: 'watched' };
    try {
      await create('Kustomization', 'watched', 'apps');
      await storeUntil(store, 'added', () => store.get(inStore(ref)) !== undefined);
      const entry = store.get(inStore(ref));
      assert.equal(entry?.status.state, 'NotReady');
      assert.equal(entry?.status.message, 'waiting to be reconciled');
      assert.equal(entry?.apiVersion, 'kustomize.toolkit.fluxcd.io/v1');
      await patchSpec(ref, { interval: '7m' });
      await storeUntil(store, 'updated', () => store.get(inStore(ref))?.status.interval === '7m');
      await remove(ref);
      await storeUntil(store, 'deleted', () => store.get(inStore(ref)) === undefined);
      const mine = events.flatMap((e) => e.changes).filter((c) => c.ref.name === 'watched');
      assert.deepEqual(
        mine.map((c) => c.type),
        ['added', 'updated', 'removed'],
      );
      for (const e of events) assert.equal(e.changes.length, 1, 'each event lists only the key that changed');
    } finally {
      sub.dispose();
    }
  });

  void test('statuses written like the controllers show as Ready / NotReady / Stalled / Reconciling / Suspended', async () => {
    const refs = {
      git: { kind: 'GitRepository', namespace: NS, name: 'flux-system' },
      ready: { kind: 'Kustomization', namespace: NS, name: 'infra' },
      failing: { kind: 'Kustomization', namespace: NS, name: 'apps-broken' },
      stalled: { kind: 'Kustomization', namespace: NS, name: 'apps-stalled' },
      progressing: { kind: 'Kustomization', namespace: NS, name: 'apps-progressing' },
      suspended: { kind: 'Kustomization', namespace: NS, name: 'apps-suspended' },
      hr: { kind: 'HelmRelease', namespace: 'apps', name: 'podinfo' },
    } satisfies Record<string, FluxRef>;
    for (const r of Object.values(refs)) await create(r.kind, r.name, r.namespace);
    await writer.ready(refs.git);
    await writer.ready(refs.ready);
    await writer.failed(refs.failing, {
      reason: 'BuildFailed',
      message: 'kustomize build failed: missing resource',
    });
    await writer.stalled(refs.stalled, 'InvalidCELExpression', 'invalid CEL expression');
    await writer.reconciling(refs.progressing);
    await writer.ready(refs.suspended);
    await patchSpec(refs.suspended, { suspend: true });
    await writer.ready(refs.hr, { chartVersion: '6.5.4' });
    const state = (r: FluxRef) => store.status(inStore(r)).state;
    await storeUntil(
      store,
      'all statuses',
      () =>
        state(refs.git) === 'Ready' &&
        state(refs.ready) === 'Ready' &&
        state(refs.failing) === 'NotReady' &&
        state(refs.stalled) === 'Stalled' &&
        state(refs.progressing) === 'Reconciling' &&
        state(refs.suspended) === 'Suspended' &&
        state(refs.hr) === 'Ready',
    );
    const git = store.status(inStore(refs.git));
    assert.match(git.shortRevision ?? '', /^main@sha1:[0-9a-f]{8}$/);
    assert.ok(git.conditions.some((c) => c.type === 'ArtifactInStorage' && c.status === 'True'));
    const failing = store.status(inStore(refs.failing));
    assert.equal(failing.reason, 'BuildFailed');
    assert.equal(failing.message, 'kustomize build failed: missing resource');
    assert.equal(store.status(inStore(refs.hr)).revision, '6.5.4');
    assert.equal(
      store.status(inStore({ kind: 'Kustomization', namespace: NS, name: 'absent' })).state,
      'Unknown',
    );

    const tables = buildGetAllTables(store.list({ cluster: CLUSTER }));
    const ks = tables.find((t) => t.kind === 'Kustomization');
    const row = ks?.rows.find((r) => r.name === 'kustomization/apps-suspended');
    assert.equal(row?.suspended, 'True');
    assert.equal(row?.ready, 'True');
    assert.deepEqual(
      tables.map((t) => t.kind),
      ['GitRepository', 'HelmRelease', 'Kustomization'],
    );
  });

  void test('reconcile, suspend and resume write exactly their patches', async () => {
    const ref: FluxRef = { kind: 'HelmRelease', namespace: 'apps', name: 'patched' };
    await create('HelmRelease', 'patched', 'apps', { metadata: { annotations: { keep: 'me' } } });
    const before = await read(ref);

    const r = await requestReconcile(api, ref, { force: true, reset: true });
    assert.equal(r.kind, 'requested');
    if (r.kind !== 'requested') return;
    let now = await read(ref);
    assert.deepEqual(now.metadata.annotations, {
      keep: 'me',
      'reconcile.fluxcd.io/requestedAt': r.token,
      'reconcile.fluxcd.io/forceAt': r.token,
      'reconcile.fluxcd.io/resetAt': r.token,
    });
    assert.deepEqual(now.spec, before.spec, 'spec untouched');
    assert.equal(now.metadata.generation, before.metadata.generation);

    const s = await suspend(api, ref);
    assert.equal(s.kind, 'done');
    now = await read(ref);
    assert.deepEqual(now.spec, { ...before.spec, suspend: true });
    const refused = await requestReconcile(api, ref);
    assert.equal(refused.kind, 'suspended');

    const res = await resume(api, ref);
    assert.equal(res.kind, 'done');
    now = await read(ref);
    assert.deepEqual(now.spec, before.spec, 'spec.suspend removed');
    assert.equal(
      now.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'],
      res.kind === 'done' ? res.token : '',
    );
    assert.equal(
      now.metadata.annotations?.['reconcile.fluxcd.io/forceAt'],
      r.token,
      'resume does not touch forceAt',
    );
  });

  void test('with the controller emulation, reconcile with source completes with our token; a failure says why', async () => {
    emulation = await startControllerEmulation(cluster.kubeConfig('admin'), { delayMs: 100 });
    await create('HelmRepository', 'podinfo', NS);
    await create('HelmChart', 'apps-rollout', NS, { spec: { chart: 'podinfo' } });
    await create('HelmRelease', 'rollout', 'apps');
    const ref: FluxRef = { kind: 'HelmRelease', namespace: 'apps', name: 'rollout' };
    await storeUntil(store, 'emulated first reconcile', () => store.status(inStore(ref)).state === 'Ready');
    const steps: string[] = [];
    const outcome = await reconcile(api, store, CLUSTER, ref, {
      withSource: true,
      timeoutMs: 20_000,
      onStep: (r) => steps.push(`${r.kind}/${r.name}`),
    });
    assert.equal(outcome.ok, true, outcome.message);
    assert.deepEqual(steps, ['HelmRepository/podinfo', 'HelmChart/apps-rollout', 'HelmRelease/rollout']);
    assert.equal(outcome.completion?.kind, 'succeeded');
    const token = outcome.steps[2].request.kind === 'requested' ? outcome.steps[2].request.token : '';
    assert.equal((await read(ref)).status?.lastHandledReconcileAt, token);
    assert.equal(store.status(inStore(ref)).lastHandledReconcileAt, token);
    assert.match(outcome.message, /^applied revision 6\.5\.4$/);

    const failing: FluxRef = { kind: 'Kustomization', namespace: 'apps', name: 'will-fail' };
    await create('Kustomization', 'will-fail', 'apps');
    await storeUntil(store, 'first reconcile', () => store.status(inStore(failing)).state === 'Ready');
    await custom.patchNamespacedCustomObject(
      {
        group: 'kustomize.toolkit.fluxcd.io',
        version: 'v1',
        namespace: 'apps',
        plural: 'kustomizations',
        name: 'will-fail',
        body: {
          metadata: {
            annotations: {
              [EMULATE_FAILURE_ANNOTATION]: 'HealthCheckFailed: timeout waiting for Deployment/apps/web',
            },
          },
        },
      },
      mergePatch,
    );
    const failed = await reconcile(api, store, CLUSTER, failing, { timeoutMs: 20_000 });
    assert.equal(failed.ok, false);
    assert.equal(failed.completion?.kind, 'failed');
    assert.equal(failed.completion?.kind === 'failed' && failed.completion.reason, 'HealthCheckFailed');
    assert.match(failed.message, /reconciliation failed: timeout waiting for Deployment\/apps\/web/);

    // Resume: the emulation handles the requestedAt token that resume sets.
    const resumed: FluxRef = { kind: 'Kustomization', namespace: 'apps', name: 'resumed' };
    await create('Kustomization', 'resumed', 'apps', { spec: { suspend: true } });
    const res = await resume(api, resumed);
    assert.equal(res.kind, 'done');
    await storeUntil(
      store,
      'resumed and reconciled',
      () =>
        res.kind === 'done' &&
        store.status(inStore(resumed)).lastHandledReconcileAt === res.token &&
        store.status(inStore(resumed)).state === 'Ready',
    );
    await emulation.stop();
    emulation = undefined;
  });

  void test('the restricted context: a clear forbidden error, no crash; its namespace as a fallback', async () => {
    const restricted = new StatusStore();
    const m = new ConnectionManager(restricted);
    try {
      await m.connect('r1', 'restricted', base, {
        namespaceFallback: false,
        backoff: { initialMs: 200, maxMs: 1000 },
      });
      await healthUntil(restricted, 'r1', 'forbidden', () => restricted.getHealth('r1')?.state === 'error');
      const health = restricted.getHealth('r1');
      assert.match(health?.message ?? '', /forbidden/);
      assert.match(health?.message ?? '', /flux-gitops-viewer/);
      assert.ok(health?.kinds.every((k) => k.state === 'forbidden'));

      await create('Kustomization', 'team-app', cluster.restrictedNamespace);
      const c2 = await m.connect('r2', 'restricted', base, { backoff: { initialMs: 200, maxMs: 1000 } });
      await healthUntil(
        restricted,
        'r2',
        'watching team-a',
        () => restricted.getHealth('r2')?.state === 'connected',
      );
      assert.ok(restricted.getHealth('r2')?.kinds.every((k) => k.namespace === cluster.restrictedNamespace));
      // CRDs are cluster-scoped: this context may not read them, so the version stays unknown.
      assert.equal(c2.fluxVersion, undefined);
      assert.equal(restricted.getHealth('r2')?.fluxVersion, undefined);
      await storeUntil(restricted, 'team-app', () =>
        restricted.list({ cluster: 'r2' }).some((e) => e.ref.name === 'team-app'),
      );

      const denied = await suspend(c2.api, {
        kind: 'Kustomization',
        namespace: cluster.restrictedNamespace,
        name: 'team-app',
      });
      assert.equal(denied.kind, 'error');
      assert.equal(denied.kind === 'error' && denied.error.kind, 'forbidden');
      assert.match(
        denied.kind === 'error' ? denied.message : '',
        /^cannot suspend Kustomization team-a\/team-app: forbidden: /,
      );
      const r = await requestReconcile(c2.api, { kind: 'Kustomization', namespace: NS, name: 'infra' });
      assert.equal(r.kind === 'error' && r.error.kind, 'forbidden');
    } finally {
      await m.dispose();
    }
  });

  void test('after stop nothing is left open: a process that connects and stops exits by itself', async () => {
    // Run in a separate Node process: it can only exit on its own if no socket, timer or watch is left.
    const core = join(__dirname, '..', '..', 'src', 'core', 'cluster', 'index.js');
    const script = `
      const { ConnectionManager, loadKubeconfig, StatusStore } = require(${JSON.stringify(core)});
      (async () => {
        const loaded = await loadKubeconfig({ path: process.argv[1] });
        const store = new StatusStore();
        const manager = new ConnectionManager(store);
        await manager.connect('tmp', 'admin', loaded.kubeConfig);
        await new Promise((resolve) => {
          const sub = store.onDidChangeHealth((h) => { if (h.state === 'connected') { sub.dispose(); resolve(); } });
        });
        const watching = store.getHealth('tmp').kinds.filter((k) => k.state === 'watching').length;
        await manager.dispose();
        console.log('stopped ' + watching + ' ' + (store.getHealth('tmp') === undefined));
        // Does not keep the process alive itself: if anything else does, it says what, and fails.
        setTimeout(() => {
          console.log('still alive after stop, held by: ' + process.getActiveResourcesInfo().join(', '));
          process.exit(4);
        }, 30_000).unref();
      })().catch((err) => { console.error(err); process.exit(3); });
    `;
    // Exit code 0 means the process ended on its own (a kill leaves no exit code); the 180 s limit
    // only turns a hang into a failure on a machine too loaded to connect in time.
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['-e', script, cluster.kubeconfig],
        { timeout: 180_000, killSignal: 'SIGKILL' },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, out: `${stdout}${stderr}` }),
      );
    });
    assert.equal(result.code, 0, result.out);
    assert.equal(result.out.trim(), 'stopped 7 true');
  });

  void test('a per-connection KubeConfig copy and a direct FluxApi work on another context', async () => {
    const kc = await kubeConfigForContext(base, 'restricted');
    const a = await createFluxApi(kc);
    const served = await a.discover();
    assert.equal(served.length, 7);
    assert.equal(base.getCurrentContext(), 'admin');
  });
});
