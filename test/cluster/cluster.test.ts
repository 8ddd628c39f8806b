// Smoke test of the real test cluster (etcd + kube-apiserver + Flux CRDs) with
// @kubernetes/client-node. Needs `bash test/env/install.sh` first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { Cluster, isAlive, startCluster } from '../env/cluster';
import {
  EMULATE_FAILURE_ANNOTATION,
  startControllerEmulation,
  ControllerEmulation,
} from '../env/controller-emulation';
import { FLUX_KINDS, FluxKind, FluxRef } from '../env/flux-kinds';
import { Condition, FluxObject, REQUESTED_AT_ANNOTATION, StatusWriter } from '../env/status-writer';

const NS = 'flux-system';
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

function kustomization(name: string, namespace = NS, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace, annotations },
    spec: {
      interval: '10m',
      path: './apps/production',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  };
}

function helmRelease(name: string, namespace = NS) {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace },
    spec: {
      interval: '30m',
      chart: {
        spec: { chart: 'podinfo', version: '6.5.4', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } },
      },
      values: { replicaCount: 2 },
    },
  };
}

function errorCode(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

async function expectForbidden(what: string, call: () => Promise<unknown>): Promise<void> {
  await assert.rejects(call, (err: unknown) => {
    assert.equal(errorCode(err), 403, `${what}: expected 403, got ${String(err)}`);
    return true;
  });
}

async function waitUntil<T>(
  what: string | (() => string),
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function cond(obj: FluxObject, type: string): Condition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

void describe('test cluster (etcd + kube-apiserver + Flux CRDs)', () => {
  let cluster: Cluster;
  let kc: k8s.KubeConfig;
  let custom: k8s.CustomObjectsApi;
  let writer: StatusWriter;
  let emulation: ControllerEmulation | undefined;

  const get = async (kind: FluxKind, name: string, namespace = NS) => {
    const k = FLUX_KINDS[kind];
    return (await custom.getNamespacedCustomObject({
      group: k.group,
      version: k.version,
      namespace,
      plural: k.plural,
      name,
    })) as FluxObject;
  };
  const create = async (kind: FluxKind, body: { metadata: { namespace: string } }) => {
    const k = FLUX_KINDS[kind];
    return (await custom.createNamespacedCustomObject({
      group: k.group,
      version: k.version,
      namespace: body.metadata.namespace,
      plural: k.plural,
      body,
    })) as FluxObject;
  };
  const patch = async (ref: FluxRef, body: object) => {
    const k = FLUX_KINDS[ref.kind];
    return (await custom.patchNamespacedCustomObject(
      {
        group: k.group,
        version: k.version,
        namespace: ref.namespace,
        plural: k.plural,
        name: ref.name,
        body,
      },
      mergePatch,
    )) as FluxObject;
  };

  before(
    async () => {
      const t0 = Date.now();
      cluster = await startCluster();
      console.log(
        `# cluster started in ${Date.now() - t0} ms (${JSON.stringify(cluster.timingsMs)}) at ${cluster.server}`,
      );
      kc = cluster.kubeConfig('admin');
      custom = kc.makeApiClient(k8s.CustomObjectsApi);
      writer = new StatusWriter(kc);
    },
    { timeout: 120_000 },
  );

  after(async () => {
    await emulation?.stop();
    await cluster?.stop();
  });

  void test('serves the Flux CRDs, Established', async () => {
    const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const crds = await api.listCustomResourceDefinition();
    const names = crds.items.map((c) => c.metadata?.name);
    for (const n of [
      'kustomizations.kustomize.toolkit.fluxcd.io',
      'helmreleases.helm.toolkit.fluxcd.io',
      'gitrepositories.source.toolkit.fluxcd.io',
    ]) {
      assert.ok(names.includes(n), `${n} installed`);
    }
    for (const c of crds.items) {
      assert.ok(
        c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'),
        c.metadata?.name,
      );
    }
  });

  void test('creates, lists and watches a HelmRelease and a Kustomization', async () => {
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const aborts: AbortController[] = [];
    for (const kind of ['Kustomization', 'HelmRelease'] as const) {
      const k = FLUX_KINDS[kind];
      aborts.push(
        await watch.watch(
          `/apis/${k.group}/${k.version}/namespaces/${NS}/${k.plural}`,
          {},
          (phase: string, obj: FluxObject) => seen.push(`${phase} ${obj.kind}/${obj.metadata.name}`),
          (err: unknown) => seen.push(`done ${kind}: ${String(err)}`),
        ),
      );
    }
    try {
      await create('Kustomization', kustomization('apps'));
      await create('HelmRelease', helmRelease('podinfo'));
      const ks = (await custom.listNamespacedCustomObject({
        group: 'kustomize.toolkit.fluxcd.io',
        version: 'v1',
        namespace: NS,
        plural: 'kustomizations',
      })) as { items: FluxObject[] };
      assert.deepEqual(
        ks.items.map((i) => i.metadata.name),
        ['apps'],
      );
      const hr = (await custom.listNamespacedCustomObject({
        group: 'helm.toolkit.fluxcd.io',
        version: 'v2',
        namespace: NS,
        plural: 'helmreleases',
      })) as { items: FluxObject[] };
      assert.deepEqual(
        hr.items.map((i) => i.metadata.name),
        ['podinfo'],
      );
      await waitUntil(
        () => `watch events (seen: ${seen.join('; ')})`,
        async () =>
          seen.includes('ADDED Kustomization/apps') && seen.includes('ADDED HelmRelease/podinfo')
            ? true
            : undefined,
      );
    } finally {
      for (const a of aborts) a.abort();
    }
  });

  void test('patches the reconcile annotation with a JSON merge patch', async () => {
    const before = await get('Kustomization', 'apps');
    const token = new Date().toISOString();
    const patched = await patch(
      { kind: 'Kustomization', name: 'apps', namespace: NS },
      {
        metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: token } },
      },
    );
    assert.equal(patched.metadata.annotations?.[REQUESTED_AT_ANNOTATION], token);
    assert.equal(
      patched.metadata.generation,
      before.metadata.generation,
      'annotations do not bump generation',
    );
    assert.equal((patched.spec as { path: string }).path, './apps/production', 'spec kept');
  });

  void test('status writer: Kustomization and HelmRelease status as the controllers write it', async () => {
    const ks: FluxRef = { kind: 'Kustomization', name: 'apps', namespace: NS };
    const token = (await get('Kustomization', 'apps')).metadata.annotations?.[REQUESTED_AT_ANNOTATION];
    await writer.reconciling(ks);
    let obj = await get('Kustomization', 'apps');
    assert.equal(cond(obj, 'Reconciling')?.reason, 'Progressing');
    assert.equal(cond(obj, 'Ready')?.status, 'Unknown');

    await writer.ready(ks, { revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567', handled: true });
    obj = await get('Kustomization', 'apps');
    assert.equal(cond(obj, 'Ready')?.status, 'True');
    assert.equal(cond(obj, 'Ready')?.reason, 'ReconciliationSucceeded');
    assert.equal(
      cond(obj, 'Ready')?.message,
      'Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567',
    );
    assert.equal(cond(obj, 'Reconciling'), undefined);
    assert.equal(obj.status?.lastAppliedRevision, 'main@sha1:0123456789abcdef0123456789abcdef01234567');
    assert.equal(obj.status?.lastHandledReconcileAt, token);
    assert.equal(obj.status?.observedGeneration, obj.metadata.generation);

    const hr: FluxRef = { kind: 'HelmRelease', name: 'podinfo', namespace: NS };
    await writer.ready(hr);
    let rel = await get('HelmRelease', 'podinfo');
    assert.equal(cond(rel, 'Ready')?.reason, 'InstallSucceeded');
    assert.equal(cond(rel, 'Released')?.status, 'True');
    assert.equal(
      cond(rel, 'Ready')?.message,
      'Helm install succeeded for release flux-system/podinfo.v1 with chart podinfo@6.5.4',
    );
    const history = rel.status?.history as {
      chartName: string;
      chartVersion: string;
      status: string;
      version: number;
    }[];
    assert.deepEqual(
      history.map((h) => [h.chartName, h.chartVersion, h.status, h.version]),
      [['podinfo', '6.5.4', 'deployed', 1]],
    );

    await writer.failed(hr, {
      message: 'Helm upgrade failed for release flux-system/podinfo with chart podinfo@6.5.4: timeout',
    });
    rel = await get('HelmRelease', 'podinfo');
    assert.equal(cond(rel, 'Ready')?.status, 'False');
    assert.equal(cond(rel, 'Ready')?.reason, 'UpgradeFailed');
    assert.equal(cond(rel, 'Reconciling')?.reason, 'ProgressingWithRetry');
    assert.equal(rel.status?.upgradeFailures, 1);

    await writer.stalled(ks, 'InvalidCELExpression', 'invalid CEL expression in healthCheckExprs');
    obj = await get('Kustomization', 'apps');
    assert.equal(cond(obj, 'Stalled')?.status, 'True');
    assert.equal(cond(obj, 'Ready')?.reason, 'InvalidCELExpression');
    assert.equal(cond(obj, 'Reconciling'), undefined);
  });

  void test('controller emulation answers requestedAt, suspend/resume and failures', async () => {
    const transitions: string[] = [];
    emulation = await startControllerEmulation(kc, { namespace: 'team-b', delayMs: 200 });
    const watch = new k8s.Watch(kc);
    const abort = await watch.watch(
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/team-b/kustomizations',
      {},
      (_phase: string, obj: FluxObject) => {
        const r = cond(obj, 'Reconciling');
        const ready = cond(obj, 'Ready');
        transitions.push(
          `${obj.metadata.name}:${r?.status === 'True' ? 'Reconciling' : (ready?.status ?? 'none')}`,
        );
      },
      () => undefined,
    );
    try {
      const core = kc.makeApiClient(k8s.CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: 'team-b' } } });
      const ref: FluxRef = { kind: 'Kustomization', name: 'web', namespace: 'team-b' };
      await create('Kustomization', kustomization('web', 'team-b'));
      await waitUntil('new object Ready', async () => {
        const o = await get('Kustomization', 'web', 'team-b');
        return cond(o, 'Ready')?.status === 'True' && o.status?.observedGeneration === o.metadata.generation
          ? o
          : undefined;
      });

      const token = new Date().toISOString();
      transitions.length = 0;
      await patch(ref, { metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: token } } });
      const done = await waitUntil('requestedAt handled', async () => {
        const o = await get('Kustomization', 'web', 'team-b');
        return o.status?.lastHandledReconcileAt === token ? o : undefined;
      });
      assert.equal(cond(done, 'Ready')?.status, 'True');
      assert.equal(cond(done, 'Ready')?.reason, 'ReconciliationSucceeded');
      assert.ok(transitions.includes('web:Reconciling'), `saw Reconciling: ${transitions.join(' ')}`);
      assert.ok(
        transitions.lastIndexOf('web:True') > transitions.indexOf('web:Reconciling'),
        `Ready after Reconciling: ${transitions.join(' ')}`,
      );

      // Suspended: a spec change is not reconciled; the resume is.
      const suspended = await patch(ref, { spec: { suspend: true } });
      await new Promise((r) => setTimeout(r, 600));
      assert.notEqual(
        (await get('Kustomization', 'web', 'team-b')).status?.observedGeneration,
        suspended.metadata.generation,
      );
      const resumed = await patch(ref, { spec: { suspend: null } });
      const afterResume = await waitUntil('resume reconciled', async () => {
        const o = await get('Kustomization', 'web', 'team-b');
        return o.status?.observedGeneration === resumed.metadata.generation &&
          cond(o, 'Ready')?.status === 'True'
          ? o
          : undefined;
      });
      assert.equal(cond(afterResume, 'Ready')?.observedGeneration, resumed.metadata.generation);

      // A failing object: Ready=False with the reason, Reconciling=True ProgressingWithRetry.
      await create(
        'Kustomization',
        kustomization('broken', 'team-b', {
          [EMULATE_FAILURE_ANNOTATION]:
            "HealthCheckFailed: timeout waiting for: [Deployment/team-b/web status: 'InProgress']",
        }),
      );
      const broken = await waitUntil('failure', async () => {
        const o = await get('Kustomization', 'broken', 'team-b');
        return cond(o, 'Ready')?.status === 'False' ? o : undefined;
      });
      assert.equal(cond(broken, 'Ready')?.reason, 'HealthCheckFailed');
      assert.equal(cond(broken, 'Reconciling')?.reason, 'ProgressingWithRetry');
    } finally {
      abort.abort();
      await emulation.stop();
      emulation = undefined;
    }
  });

  void test('the restricted context reads Flux objects in its namespace only', async () => {
    const ns = cluster.restrictedNamespace;
    await create('Kustomization', kustomization('tenant', ns));
    const restricted = cluster.kubeConfig('restricted').makeApiClient(k8s.CustomObjectsApi);
    const k = FLUX_KINDS.Kustomization;
    const list = (await restricted.listNamespacedCustomObject({
      group: k.group,
      version: k.version,
      namespace: ns,
      plural: k.plural,
    })) as { items: FluxObject[] };
    assert.deepEqual(
      list.items.map((i) => i.metadata.name),
      ['tenant'],
    );
    await expectForbidden('list in flux-system', () =>
      restricted.listNamespacedCustomObject({
        group: k.group,
        version: k.version,
        namespace: NS,
        plural: k.plural,
      }),
    );
    await expectForbidden('create in own namespace', () =>
      restricted.createNamespacedCustomObject({
        group: k.group,
        version: k.version,
        namespace: ns,
        plural: k.plural,
        body: kustomization('nope', ns),
      }),
    );
    await expectForbidden('patch in own namespace', () =>
      restricted.patchNamespacedCustomObject(
        {
          group: k.group,
          version: k.version,
          namespace: ns,
          plural: k.plural,
          name: 'tenant',
          body: { metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: 'x' } } },
        },
        mergePatch,
      ),
    );
    const core = cluster.kubeConfig('restricted').makeApiClient(k8s.CoreV1Api);
    await expectForbidden('secrets in own namespace', () => core.listNamespacedSecret({ namespace: ns }));
  });

  void test('stop ends every process and removes the folder', async () => {
    const { pids, dir } = cluster;
    assert.ok(isAlive(pids.etcd) && isAlive(pids.apiserver), 'running before stop');
    await cluster.stop();
    assert.ok(!isAlive(pids.etcd), 'etcd gone');
    assert.ok(!isAlive(pids.apiserver), 'kube-apiserver gone');
    assert.ok(!existsSync(dir), 'folder removed');
    const ps = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8', timeout: 10_000 });
    const left = ps.split('\n').filter((line) => line.includes(dir) && !/^\s*\d+\s+Z/.test(line));
    assert.deepEqual(left, [], 'no process mentions the cluster folder');
  });
});
