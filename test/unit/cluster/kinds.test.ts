import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectionPath, pickServedVersions, refKey } from '../../../src/core/cluster/kinds';

test('served versions: v1/v2 preferred, deprecated fallback, missing kinds left out', () => {
  const served = new Map<string, Set<string>>([
    ['kustomize.toolkit.fluxcd.io/v1', new Set(['Kustomization'])],
    ['kustomize.toolkit.fluxcd.io/v1beta2', new Set(['Kustomization'])],
    ['helm.toolkit.fluxcd.io/v2beta2', new Set(['HelmRelease'])],
    ['source.toolkit.fluxcd.io/v1', new Set(['GitRepository', 'HelmRepository', 'HelmChart', 'Bucket'])],
    ['source.toolkit.fluxcd.io/v1beta2', new Set(['GitRepository', 'OCIRepository'])],
  ]);
  assert.deepEqual(pickServedVersions(served), [
    { kind: 'OCIRepository', version: 'v1beta2', deprecated: true },
    { kind: 'Bucket', version: 'v1', deprecated: false },
    { kind: 'GitRepository', version: 'v1', deprecated: false },
    { kind: 'HelmRepository', version: 'v1', deprecated: false },
    { kind: 'HelmChart', version: 'v1', deprecated: false },
    { kind: 'HelmRelease', version: 'v2beta2', deprecated: true },
    { kind: 'Kustomization', version: 'v1', deprecated: false },
  ]);
  assert.deepEqual(pickServedVersions(new Map()), []);
});

test('paths and keys', () => {
  assert.equal(collectionPath('HelmRelease', 'v2'), '/apis/helm.toolkit.fluxcd.io/v2/helmreleases');
  assert.equal(
    collectionPath('GitRepository', 'v1', 'flux-system'),
    '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories',
  );
  const a = refKey({ cluster: 'c', kind: 'Kustomization', namespace: 'a', name: 'b' });
  const b = refKey({ cluster: 'c', kind: 'Kustomization', namespace: 'a/b', name: '' });
  assert.notEqual(a, b);
});
