import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DISPATCHER_URI,
  SCHEMA_SCHEME,
  deprecationMessages,
  parseSchemaIndex,
  schemaFileOf,
} from '../../../src/core/schemas/catalog';

const index = parseSchemaIndex(
  JSON.stringify({
    flux: 'v2.7.3',
    missingModules: ['github.com/fluxcd/notification-controller@v1.7.4'],
    schemas: [
      {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        file: 'helmrelease-helm-v2.json',
        deprecated: false,
      },
      {
        apiVersion: 'helm.toolkit.fluxcd.io/v2beta2',
        kind: 'HelmRelease',
        file: 'helmrelease-helm-v2beta2.json',
        deprecated: true,
        deprecationMessage: 'v2beta2 HelmRelease is deprecated',
      },
    ],
  }),
);

test('schema URIs map to generated files only', () => {
  assert.equal(DISPATCHER_URI, `${SCHEMA_SCHEME}://schemas/all.json`);
  assert.equal(schemaFileOf(DISPATCHER_URI, index), 'all.json');
  assert.equal(
    schemaFileOf(`${SCHEMA_SCHEME}://schemas/helmrelease-helm-v2.json`, index),
    'helmrelease-helm-v2.json',
  );
  assert.equal(
    schemaFileOf(`${SCHEMA_SCHEME}://schemas/helmrelease-helm-v2.json#/properties`, index),
    'helmrelease-helm-v2.json',
  );
  assert.equal(schemaFileOf(`${SCHEMA_SCHEME}://schemas/..%2F..%2Fpackage.json`, index), undefined);
  assert.equal(schemaFileOf(`${SCHEMA_SCHEME}://schemas/prometheus.json`, index), undefined);
  assert.equal(schemaFileOf('https://json.schemastore.org/prometheus.json', index), undefined);
});

test('the index lists missing modules and deprecation messages', () => {
  assert.deepEqual(index.missingModules, ['github.com/fluxcd/notification-controller@v1.7.4']);
  assert.deepEqual([...deprecationMessages(index)], ['v2beta2 HelmRelease is deprecated']);
  assert.throws(() => parseSchemaIndex('{}'), /not a schema index/);
});
