// Real Flux in the test cluster: source-controller, kustomize-controller and helm-controller run
// against the test kube-apiserver, a repository is pushed to the local Git server and a chart is
// published to the local Helm repository. Every status asserted here is what the controllers
// wrote. Needs `bash test/env/install.sh` first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { Cluster, startCluster } from '../env/cluster';
import type { FluxEnv, GitRepo } from '../env/flux';
import { FLUX_KINDS, FluxKind, FluxRef } from '../env/flux-kinds';
import type { Condition, FluxObject } from '../env/status-writer';

const NS = 'flux-system';
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
// Generous: two shared cores, and the controllers' first reconciliations include a Helm install.
const WAIT_MS = 180_000;

const configMap = (name: string, namespace: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n` +
  Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join('');

function kustomization(name: string, path: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: NS },
    spec: {
      interval: '10m',
      path,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet' },
      ...extra,
    },
  };
}

const cond = (obj: FluxObject | undefined, type: string): Condition | undefined =>
  obj?.status?.conditions?.find((c) => c.type === type);

void describe('real Flux controllers against the test cluster', () => {
  let cluster: Cluster;
  let flux: FluxEnv;
  let custom: k8s.CustomObjectsApi;
  let core: k8s.CoreV1Api;
  let repo: GitRepo;
  let firstCommit: string;

  const ref = (kind: FluxKind, name: string, namespace = NS): FluxRef => ({ kind, name, namespace });
  const get = async (r: FluxRef): Promise<FluxObject> => {
    const k = FLUX_KINDS[r.kind];
    return (await custom.getNamespacedCustomObject({
      group: k.group,
      version: k.version,
      namespace: r.namespace,
      plural: k.plural,
      name: r.name,
    })) as FluxObject;
  };
  const create = async (kind: FluxKind, body: { metadata: { namespace: string } }) => {
    const k = FLUX_KINDS[kind];
    await custom.createNamespacedCustomObject({
      group: k.group,
      version: k.version,
      namespace: body.metadata.namespace,
      plural: k.plural,
      body,
    });
  };
  const patch = async (r: FluxRef, body: object) => {
    const k = FLUX_KINDS[r.kind];
    await custom.patchNamespacedCustomObject(
      { group: k.group, version: k.version, namespace: r.namespace, plural: k.plural, name: r.name, body },
      mergePatch,
    );
  };
  const requestReconcile = async (r: FluxRef, extra: Record<string, string> = {}): Promise<string> => {
    const at = new Date().toISOString();
    await patch(r, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at, ...extra } } });
    return at;
  };

  /** Waits until `check` accepts the object; on timeout prints the object and the controllers' logs. */
  const waitFor = async (
    r: FluxRef,
    what: string,
    check: (obj: FluxObject) => boolean,
  ): Promise<FluxObject> => {
    const deadline = Date.now() + WAIT_MS;
    let last: FluxObject | undefined;
    for (;;) {
      flux.assertRunning();
      last = await get(r).catch(() => undefined);
      if (last && check(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${r.kind} ${r.namespace}/${r.name}: ${what}\n` +
            `last seen status: ${JSON.stringify(last?.status, null, 2)}\n${flux.logTail(15)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const waitReady = (r: FluxRef, check: (obj: FluxObject) => boolean = () => true) =>
    waitFor(
      r,
      'Ready=True',
      (o) =>
        cond(o, 'Ready')?.status === 'True' &&
        o.status?.observedGeneration === o.metadata.generation &&
        check(o),
    );
  const configMapData = async (name: string, namespace: string) =>
    (await core.readNamespacedConfigMap({ name, namespace })).data ?? {};

  before(
    async () => {
      const t0 = Date.now();
      cluster = await startCluster({ flux: true, namespaces: ['infra', 'apps'] });
      console.log(
        `# cluster and Flux started in ${Date.now() - t0} ms (${JSON.stringify(cluster.timingsMs)})`,
      );
      assert.ok(cluster.fluxEnv);
      flux = cluster.fluxEnv;
      const kc = cluster.kubeConfig('admin');
      custom = kc.makeApiClient(k8s.CustomObjectsApi);
      core = kc.makeApiClient(k8s.CoreV1Api);
      await flux.publishChart({
        name: 'demo',
        version: '1.0.0',
        templates: {
          'configmap.yaml':
            'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n' +
            'data:\n  greeting: {{ .Values.greeting | quote }}\n  revision: {{ .Release.Revision | quote }}\n',
        },
        values: 'greeting: hello\n',
      });
      repo = await flux.createRepo('fleet', {
        'infra/settings.yaml': configMap('infra-settings', 'infra', { tier: 'infra' }),
        'apps/settings.yaml': configMap('app-settings', 'apps', { color: 'blue' }),
        'apps/release.yaml': [
          'apiVersion: source.toolkit.fluxcd.io/v1',
          'kind: HelmRepository',
          'metadata:\n  name: charts\n  namespace: apps',
          `spec:\n  interval: 10m\n  url: ${flux.helmRepoUrl}`,
          '---',
          'apiVersion: helm.toolkit.fluxcd.io/v2',
          'kind: HelmRelease',
          'metadata:\n  name: demo\n  namespace: apps',
          'spec:\n  interval: 10m',
          '  chart:\n    spec:\n      chart: demo\n      version: "1.x"',
          '      sourceRef:\n        kind: HelmRepository\n        name: charts',
          '  values:\n    greeting: from-git',
          '',
        ].join('\n'),
      });
      firstCommit = await repo.head();
      await create('GitRepository', {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: 'fleet', namespace: NS },
        spec: { interval: '10m', url: repo.url, ref: { branch: 'main' } },
      } as never);
      await create('Kustomization', kustomization('infra', './infra') as never);
      await create(
        'Kustomization',
        kustomization('apps', './apps', { dependsOn: [{ name: 'infra' }] }) as never,
      );
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await cluster?.stop();
  });

  test(
    'a pushed repository: GitRepository, Kustomizations and HelmRelease become Ready with the revision Flux writes',
    { timeout: WAIT_MS * 2 },
    async () => {
      const revision = `main@sha1:${firstCommit}`;
      const source = await waitReady(ref('GitRepository', 'fleet'));
      assert.equal((source.status?.artifact as { revision?: string }).revision, revision);
      assert.match(
        String(cond(source, 'Ready')?.message),
        new RegExp(`stored artifact for revision '${revision}'`),
      );
      for (const name of ['infra', 'apps']) {
        const k = await waitReady(
          ref('Kustomization', name),
          (o) => o.status?.lastAppliedRevision === revision,
        );
        assert.match(String(cond(k, 'Ready')?.message), new RegExp(`Applied revision: ${revision}`));
      }
      const release = await waitReady(ref('HelmRelease', 'demo', 'apps'));
      const history = release.status?.history as { chartVersion?: string; chartName?: string }[];
      assert.equal(history?.[0]?.chartName, 'demo');
      assert.equal(history?.[0]?.chartVersion, '1.0.0');
      assert.deepEqual(await configMapData('demo-settings', 'apps'), { greeting: 'from-git', revision: '1' });
      assert.deepEqual(await configMapData('app-settings', 'apps'), { color: 'blue' });
    },
  );

  test(
    'a broken manifest pushed: kustomize-controller reports its failure; the fix clears it',
    { timeout: WAIT_MS * 2 },
    async () => {
      repo.write({ 'apps/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n' });
      const broken = await repo.commitAndPush('a broken manifest');
      await requestReconcile(ref('GitRepository', 'fleet'));
      const failed = await waitFor(
        ref('Kustomization', 'apps'),
        `Ready=False for main@sha1:${broken}`,
        (o) =>
          cond(o, 'Ready')?.status === 'False' && o.status?.lastAttemptedRevision === `main@sha1:${broken}`,
      );
      const ready = cond(failed, 'Ready');
      console.log(`# kustomize-controller: ${ready?.reason}: ${ready?.message}`);
      assert.equal(ready?.reason, 'BuildFailed');
      assert.match(String(ready?.message), /broken\.yaml/);
      // The last good revision stays applied.
      assert.equal(failed.status?.lastAppliedRevision, `main@sha1:${firstCommit}`);

      repo.remove(['apps/broken.yaml']);
      const fixed = await repo.commitAndPush('fix the manifest');
      await requestReconcile(ref('GitRepository', 'fleet'));
      await waitReady(
        ref('Kustomization', 'apps'),
        (o) => o.status?.lastAppliedRevision === `main@sha1:${fixed}`,
      );
    },
  );

  test(
    'a reconcile request is handled: lastHandledReconcileAt takes its value',
    { timeout: WAIT_MS },
    async () => {
      const at = await requestReconcile(ref('Kustomization', 'infra'));
      const handled = await waitFor(
        ref('Kustomization', 'infra'),
        `lastHandledReconcileAt ${at}`,
        (o) => o.status?.lastHandledReconcileAt === at,
      );
      assert.equal(cond(handled, 'Ready')?.status, 'True');
    },
  );

  test(
    'a suspended Kustomization does not apply a pushed commit until resumed',
    { timeout: WAIT_MS * 2 },
    async () => {
      const apps = ref('Kustomization', 'apps');
      const before = (await get(apps)).status?.lastAppliedRevision;
      await patch(apps, { spec: { suspend: true } });
      repo.write({
        'apps/settings.yaml': configMap('app-settings', 'apps', { color: 'green' }),
        'infra/settings.yaml': configMap('infra-settings', 'infra', { tier: 'infra-2' }),
      });
      const commit = await repo.commitAndPush('green');
      await requestReconcile(ref('GitRepository', 'fleet'));
      // infra, not suspended and on the same source, applies the commit: the source change reached
      // the Kustomizations, and apps, suspended, kept its revision and its objects.
      await waitReady(
        ref('Kustomization', 'infra'),
        (o) => o.status?.lastAppliedRevision === `main@sha1:${commit}`,
      );
      assert.deepEqual(await configMapData('infra-settings', 'infra'), { tier: 'infra-2' });
      assert.equal((await get(apps)).status?.lastAppliedRevision, before);
      assert.deepEqual(await configMapData('app-settings', 'apps'), { color: 'blue' });

      await patch(apps, { spec: { suspend: null } });
      await waitReady(apps, (o) => o.status?.lastAppliedRevision === `main@sha1:${commit}`);
      assert.deepEqual(await configMapData('app-settings', 'apps'), { color: 'green' });
    },
  );

  test('dependsOn: Flux reports the dependency that is not ready', { timeout: WAIT_MS }, async () => {
    await create('Kustomization', kustomization('blocked', './does-not-exist') as never);
    await create(
      'Kustomization',
      kustomization('waiting', './apps-extra', { dependsOn: [{ name: 'blocked' }] }) as never,
    );
    const waiting = await waitFor(
      ref('Kustomization', 'waiting'),
      'the dependency message',
      (o) => cond(o, 'Ready')?.reason === 'DependencyNotReady',
    );
    const ready = cond(waiting, 'Ready');
    console.log(`# kustomize-controller: ${ready?.reason}: ${ready?.message}`);
    assert.equal(ready?.status, 'False');
    assert.match(String(ready?.message), /dependency 'flux-system\/blocked' is not ready/);
    const blocked = await waitFor(
      ref('Kustomization', 'blocked'),
      'Ready=False',
      (o) => cond(o, 'Ready')?.status === 'False',
    );
    assert.match(String(cond(blocked, 'Ready')?.message), /does-not-exist/);
  });

  test('a forced HelmRelease upgrades again', { timeout: WAIT_MS }, async () => {
    const release = ref('HelmRelease', 'demo', 'apps');
    const before = await waitReady(release);
    const versions = (before.status?.history as { version: number }[]).map((h) => h.version);
    const at = new Date().toISOString();
    await patch(release, {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at, 'reconcile.fluxcd.io/forceAt': at } },
    });
    const forced = await waitReady(release, (o) => o.status?.lastHandledForceAt === at);
    const history = forced.status?.history as { version: number; status: string }[];
    assert.equal(history[0].version, Math.max(...versions) + 1, JSON.stringify(history));
    assert.equal(history[0].status, 'deployed');
    assert.equal((await configMapData('demo-settings', 'apps')).revision, String(history[0].version));
  });
});
