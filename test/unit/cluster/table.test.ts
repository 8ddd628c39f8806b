import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLUX_KINDS_GET_ORDER } from '../../../src/core/cluster/kinds';
import { deriveStatus } from '../../../src/core/cluster/status';
import { buildGetAllTables, renderTables } from '../../../src/core/cluster/table';
import { gitRepository, helmRelease, kustomization } from './fixtures';

test('flux order of kinds', () => {
  assert.deepEqual(FLUX_KINDS_GET_ORDER, [
    'OCIRepository',
    'Bucket',
    'GitRepository',
    'HelmRepository',
    'HelmChart',
    'HelmRelease',
    'Kustomization',
  ]);
});

test('tables like flux get all -A', () => {
  const ks = kustomization();
  const suspended = kustomization({ metadata: { name: 'Zeta', namespace: 'flux-system' } });
  suspended.spec = { ...suspended.spec, suspend: true };
  const waiting = helmRelease({});
  const items = [
    {
      ref: { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' },
      status: deriveStatus('Kustomization', ks),
    },
    {
      ref: { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'Zeta' },
      status: deriveStatus('Kustomization', suspended),
    },
    {
      ref: { kind: 'HelmRelease' as const, namespace: 'apps', name: 'podinfo' },
      status: deriveStatus('HelmRelease', waiting),
    },
    {
      ref: { kind: 'GitRepository' as const, namespace: 'flux-system', name: 'flux-system' },
      status: deriveStatus('GitRepository', gitRepository()),
    },
  ];
  const tables = buildGetAllTables(items);
  assert.deepEqual(
    tables.map((t) => t.kind),
    ['GitRepository', 'HelmRelease', 'Kustomization'],
  );
  assert.deepEqual(tables[0].columns, ['NAMESPACE', 'NAME', 'REVISION', 'SUSPENDED', 'READY', 'MESSAGE']);
  assert.deepEqual(tables[0].rows[0], {
    namespace: 'flux-system',
    name: 'gitrepository/flux-system',
    revision: 'main@sha1:4e5cbb7b',
    suspended: 'False',
    ready: 'True',
    message: "stored artifact for revision 'main@sha1:4e5cbb7b97d00a0f2e4a9d3b1c0a5e6f7a8b9c0d'",
  });
  assert.deepEqual(tables[1].rows[0], {
    namespace: 'apps',
    name: 'helmrelease/podinfo',
    revision: '',
    suspended: 'False',
    ready: 'False',
    message: 'waiting to be reconciled',
  });
  assert.deepEqual(
    tables[2].rows.map((r) => [r.name, r.suspended]),
    [
      ['kustomization/apps', 'False'],
      ['kustomization/Zeta', 'True'],
    ],
  );
  const text = renderTables(tables);
  const lines = text.split('\n');
  assert.match(lines[0], /^NAMESPACE\s+NAME\s+REVISION\s+SUSPENDED\s+READY\s+MESSAGE$/);
  assert.match(
    lines[1],
    /^flux-system\s+gitrepository\/flux-system\s+main@sha1:4e5cbb7b\s+False\s+True\s+stored/,
  );
  assert.equal(lines[2], '');
  const noNs = buildGetAllTables(items, { allNamespaces: false });
  assert.equal(noNs[0].columns[0], 'NAME');
  assert.equal(buildGetAllTables([], { includeEmpty: true }).length, 7);
});
