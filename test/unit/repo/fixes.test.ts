import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, referenceCandidates, referenceNameSpan } from '../../../src/core/repo/fixes';
import type { ManifestObject } from '../../../src/core/repo/model';

const object = (kind: string, namespace: string, name: string): ManifestObject => ({
  apiVersion: 'v1',
  kind,
  name,
  namespace,
  file: `/repo/${name}.yaml`,
  line: 1,
  documentIndex: 0,
  appliedBy: [],
  sops: null,
});

test('edit distance counts single-character edits', () => {
  assert.equal(editDistance('podinfo', 'podinfo'), 0);
  assert.equal(editDistance('podinf', 'podinfo'), 1);
  assert.equal(editDistance('bjw-s', 'bjws'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('candidates are same kind and namespace, close or containing, closest first', () => {
  const objects = [
    object('HelmRepository', 'flux-system', 'bjw-s'),
    object('HelmRepository', 'flux-system', 'bitnami'),
    object('HelmRepository', 'flux-system', 'jetstack'),
    object('HelmRepository', 'other', 'bjw-s-labs'),
    object('OCIRepository', 'flux-system', 'bjw-s'),
    object('HelmRepository', 'flux-system', 'bjw-s-charts'),
  ];
  assert.deepEqual(
    referenceCandidates(objects, { refKind: 'HelmRepository', namespace: 'flux-system', name: 'bjws' }),
    ['bjw-s'],
  );
  assert.deepEqual(
    referenceCandidates(objects, { refKind: 'HelmRepository', namespace: 'flux-system', name: 'charts' }),
    ['bjw-s-charts'],
    'a name that contains the wanted one',
  );
  assert.deepEqual(
    referenceCandidates(objects, { refKind: 'HelmRepository', namespace: 'flux-system', name: 'bj' }),
    [],
    'too short to be contained meaningfully, and too far',
  );
  assert.deepEqual(
    referenceCandidates(objects, { refKind: 'HelmRepository', namespace: 'flux-system', name: 'grafana' }),
    [],
    'no close name: no guess',
  );
});

test('the referenced name is found at or after the problem line, quoted or in flow style', () => {
  const text = [
    'spec:',
    '  chart:',
    '    spec:',
    '      sourceRef:',
    '        kind: HelmRepository',
    '        name: "bjws"',
    '  dependsOn:',
    '    - {name: infra, namespace: flux-system}',
  ].join('\n');
  assert.deepEqual(referenceNameSpan(text, 4, 'bjws'), { line: 5, start: 15, end: 19 });
  assert.deepEqual(referenceNameSpan(text, 8, 'infra'), { line: 7, start: 13, end: 18 });
  assert.equal(referenceNameSpan(text, 1, 'missing'), undefined);
  // A longer name that starts with the wanted one is not it.
  assert.equal(referenceNameSpan('name: bjws-x\n', 1, 'bjws'), undefined);
});
