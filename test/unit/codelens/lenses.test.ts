import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { ClusterRef } from '../../../src/core/cluster/kinds';
import { deriveStatus, type FluxObject } from '../../../src/core/cluster/status';
import { LensIndex, statusTitle } from '../../../src/core/codelens/lenses';
import { scanRepository } from '../../../src/core/repo';

const sample = resolve(__dirname, '..', '..', '..', '..', 'samples', 'homelab');
const release = join(sample, 'flux', 'clusters', 'homelab', 'apps', 'podinfo', 'release.yaml');

function helmRelease(conditions: object[], suspend = false): FluxObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'podinfo', namespace: 'podinfo', generation: 1 },
    spec: { interval: '30m', suspend },
    status: {
      observedGeneration: 1,
      conditions,
      history: [{ chartName: 'podinfo', chartVersion: '6.7.1', appVersion: '6.7.1', status: 'deployed' }],
    },
  } as FluxObject;
}

const readyCondition = {
  type: 'Ready',
  status: 'True',
  reason: 'UpgradeSucceeded',
  message: 'Helm upgrade succeeded',
  lastTransitionTime: '2026-11-26T00:00:00Z',
};

test('lenses sit on the first line of each Flux document, with the cluster not connected', () => {
  const index = new LensIndex(scanRepository([sample]));
  const lenses = index.lenses(release, { contextOf: () => undefined, statusOf: () => undefined });
  assert.deepEqual(
    lenses.map((l) => [l.line, l.action]),
    [
      [0, 'connect'],
      [0, 'reveal'],
      [11, 'connect'],
      [11, 'reveal'],
    ],
  );
  assert.match(lenses[0].title, /homelab: not connected/);
});

test('a connected cluster gives status and actions; Suspend and Resume follow spec.suspend', () => {
  const index = new LensIndex(scanRepository([sample]));
  let object = helmRelease([readyCondition]);
  const live = {
    contextOf: () => 'admin',
    statusOf: (ref: ClusterRef) =>
      ref.kind === 'HelmRelease' ? deriveStatus('HelmRelease', object) : undefined,
    releaseOf: () => ({ chart: 'podinfo', revision: 7 }),
  };
  const titles = () =>
    index
      .lenses(release, live)
      .filter((l) => l.line === 11)
      .map((l) => l.title);
  assert.deepEqual(titles(), [
    '$(pass-filled) Ready · podinfo 6.7.1 · rev 7',
    'Reconcile',
    'Reconcile with source',
    'Suspend',
    'Show in tree',
  ]);
  object = helmRelease([readyCondition], true);
  assert.ok(titles().includes('Resume') && !titles().includes('Suspend'));
  assert.deepEqual(
    index
      .lenses(release, live)
      .filter((l) => l.line === 0)
      .map((l) => l.title),
    ['$(circle-large-outline) not in cluster', 'Reconcile', 'Show in tree'],
  );
});

test('a Kustomization the cluster has gets "Diff with cluster"; one it does not have, none', () => {
  const model = scanRepository([sample]);
  const index = new LensIndex(model);
  const ks = [...model.kustomizations.values()].find((k) => k.name === 'apps');
  assert.ok(ks, 'the sample has an apps Kustomization');
  const kustomization: FluxObject = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: ks.name, namespace: ks.namespace, generation: 1 },
    spec: {},
    status: { observedGeneration: 1, conditions: [readyCondition] },
  } as FluxObject;
  const titles = (inCluster: boolean) =>
    index
      .lenses(ks.file, {
        contextOf: () => 'admin',
        statusOf: (ref) =>
          inCluster && ref.kind === 'Kustomization' && ref.name === ks.name
            ? deriveStatus('Kustomization', kustomization)
            : undefined,
      })
      .filter((l) => l.line === ks.line - 1)
      .map((l) => [l.title, l.action]);
  assert.deepEqual(titles(true).slice(1), [
    ['Reconcile', 'reconcile'],
    ['Reconcile with source', 'reconcileWithSource'],
    ['Suspend', 'suspend'],
    ['Diff with cluster', 'diff'],
    ['Show in tree', 'reveal'],
  ]);
  assert.ok(!titles(false).some(([, action]) => action === 'diff'));
});

test('status titles name the failure reason and clip long messages', () => {
  const failed = deriveStatus(
    'HelmRelease',
    helmRelease([
      {
        type: 'Ready',
        status: 'False',
        reason: 'UpgradeFailed',
        message: 'x'.repeat(200),
        lastTransitionTime: '2026-11-26T00:00:00Z',
      },
    ]),
  );
  const title = statusTitle('HelmRelease', failed);
  assert.match(title, /^\$\(error\) UpgradeFailed: x+…$/);
  assert.ok(title.length < 110);
  assert.equal(statusTitle('Kustomization', undefined), '$(circle-large-outline) not in cluster');
});

test('files that no Flux Kustomization applies get no lenses', () => {
  const index = new LensIndex(scanRepository([sample]));
  assert.deepEqual(
    index.lenses(join(sample, 'README.md'), { contextOf: () => 'admin', statusOf: () => undefined }),
    [],
  );
});
