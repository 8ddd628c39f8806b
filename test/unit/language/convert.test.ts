import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import {
  DRAFT_07,
  convertOpenApiSchema,
  crdToSchemas,
  dispatcherSchema,
  isPortablePattern,
  mentionsFluxApi,
  schemaFileName,
  type JsonObject,
} from '../../../src/core/schemas/convert';

/** A small CRD in the shape controller-gen writes: one current and one deprecated version. */
function widgetCrd(): JsonObject {
  const schema = (specProperties: JsonObject): JsonObject => ({
    openAPIV3Schema: {
      description: 'Widget is the Schema for the widgets API.',
      type: 'object',
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema.' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: { type: 'object', required: ['interval'], properties: specProperties },
        status: { type: 'object', properties: { observedGeneration: { type: 'integer', format: 'int64' } } },
      },
    },
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.gadget.toolkit.fluxcd.io' },
    spec: {
      group: 'gadget.toolkit.fluxcd.io',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: schema({ interval: { type: 'string' }, size: { type: 'integer' } }),
        },
        {
          name: 'v1beta2',
          served: true,
          storage: false,
          deprecated: true,
          deprecationWarning: 'v1beta2 Widget is deprecated, upgrade to v1',
          schema: schema({ interval: { type: 'string' } }),
        },
        { name: 'v1alpha1', served: false, storage: false, schema: schema({}) },
      ],
    },
  };
}

test('x-kubernetes-int-or-string becomes integer-or-string, without the duplicate anyOf', () => {
  const converted = convertOpenApiSchema({
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    description: 'Max unavailable.',
  });
  assert.deepEqual(converted, { description: 'Max unavailable.', type: ['integer', 'string'] });
});

test('nullable adds null to the type', () => {
  assert.deepEqual(convertOpenApiSchema({ type: 'string', nullable: true }), { type: ['string', 'null'] });
  assert.deepEqual(convertOpenApiSchema({ 'x-kubernetes-int-or-string': true, nullable: true }), {
    type: ['integer', 'string', 'null'],
  });
});

test('objects with properties reject unknown fields unless they preserve them', () => {
  const strict = convertOpenApiSchema({ type: 'object', properties: { a: { type: 'string' } } });
  assert.equal(strict.additionalProperties, false);
  const open = convertOpenApiSchema({
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    properties: { a: { type: 'string' } },
  });
  assert.equal(open.additionalProperties, undefined);
  const values = convertOpenApiSchema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  assert.deepEqual(values, { type: 'object' }, 'HelmRelease values: any object');
  const map = convertOpenApiSchema({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
  });
  assert.deepEqual(map, { type: 'object', additionalProperties: { type: ['string', 'null'] } });
});

test('Kubernetes-only keywords and formats are dropped; validation keywords stay', () => {
  const converted = convertOpenApiSchema({
    type: 'array',
    maxItems: 3,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
    'x-kubernetes-validations': [{ rule: 'self.size() > 0' }],
    items: {
      type: 'string',
      format: 'int64',
      enum: ['a', 'b'],
      default: 'a',
      pattern: '^[a-z]+$',
      maxLength: 5,
    },
  });
  assert.deepEqual(converted, {
    type: 'array',
    maxItems: 3,
    items: { type: 'string', enum: ['a', 'b'], default: 'a', pattern: '^[a-z]+$', maxLength: 5 },
  });
});

test('a pattern JavaScript cannot compile is dropped rather than breaking validation', () => {
  assert.equal(isPortablePattern('^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'), true);
  assert.equal(isPortablePattern('[z-a]'), false);
  assert.deepEqual(convertOpenApiSchema({ type: 'string', pattern: '[z-a]' }), { type: 'string' });
});

test('combinators and nested items convert recursively', () => {
  const converted = convertOpenApiSchema({
    oneOf: [{ required: ['a'] }, { required: ['b'] }],
    not: { type: 'object', properties: { c: { type: 'string' } } },
    items: [{ type: 'string', nullable: true }],
  });
  assert.deepEqual(converted, {
    oneOf: [{ required: ['a'] }, { required: ['b'] }],
    not: { type: 'object', properties: { c: { type: 'string' } }, additionalProperties: false },
    items: [{ type: ['string', 'null'] }],
  });
});

test('a CRD gives one draft-07 schema per served version, named like flux2 crd-schemas', () => {
  const schemas = crdToSchemas(widgetCrd());
  assert.deepEqual(
    schemas.map((s) => [s.apiVersion, s.kind, s.fileName, s.deprecated]),
    [
      ['gadget.toolkit.fluxcd.io/v1', 'Widget', 'widget-gadget-v1.json', false],
      ['gadget.toolkit.fluxcd.io/v1beta2', 'Widget', 'widget-gadget-v1beta2.json', true],
    ],
  );
  const [current] = schemas;
  assert.ok(current);
  const root = current.schema;
  const properties = root.properties as Record<string, JsonObject>;
  assert.equal(root.$schema, DRAFT_07);
  assert.equal(root.additionalProperties, false);
  assert.deepEqual(root.required, ['apiVersion', 'kind', 'metadata']);
  assert.equal(properties.apiVersion?.const, 'gadget.toolkit.fluxcd.io/v1');
  assert.equal(properties.kind?.const, 'Widget');
  assert.equal(properties.apiVersion?.deprecationMessage, undefined);
  assert.deepEqual((properties.metadata?.properties as JsonObject | undefined)?.name, {
    type: 'string',
    description: 'Name of the object, unique within its namespace.',
  });
  assert.deepEqual(properties.spec?.required, ['interval']);
  assert.equal(properties.spec?.additionalProperties, false);
  assert.equal(current.deprecationMessage, undefined);
});

test('a deprecated version carries its warning on apiVersion and in its description', () => {
  const deprecated = crdToSchemas(widgetCrd())[1];
  assert.ok(deprecated);
  const message =
    'v1beta2 Widget is deprecated, upgrade to v1 (use apiVersion: gadget.toolkit.fluxcd.io/v1).';
  assert.equal(deprecated.deprecationMessage, message);
  const apiVersion = (deprecated.schema.properties as Record<string, JsonObject>).apiVersion;
  assert.equal(apiVersion?.deprecationMessage, message);
  assert.match(String(deprecated.schema.description), /^Deprecated: v1beta2 Widget is deprecated/);
  assert.match(String(deprecated.schema.title), /\(deprecated\)$/);
});

test('anything but a CustomResourceDefinition gives no schema', () => {
  assert.deepEqual(crdToSchemas({ kind: 'ConfigMap' }), []);
  assert.deepEqual(crdToSchemas(null), []);
  assert.deepEqual(crdToSchemas({ kind: 'CustomResourceDefinition', spec: { group: 'g' } }), []);
});

test('the dispatcher selects a schema by apiVersion and kind only', () => {
  const dispatcher = dispatcherSchema([
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      file: 'helmrelease-helm-v2.json',
      deprecated: false,
    },
  ]);
  assert.deepEqual(dispatcher.allOf, [
    {
      if: {
        type: 'object',
        required: ['apiVersion', 'kind'],
        properties: {
          apiVersion: { type: 'string', pattern: '^helm\\.toolkit\\.fluxcd\\.io\\/v2$' },
          kind: { type: 'string', pattern: '^HelmRelease$' },
        },
      },
      then: { $ref: './helmrelease-helm-v2.json' },
    },
  ]);
  // A pattern, not const: completion accepts a const that merely starts with the typed text.
  const apiVersion = new RegExp('^helm\\.toolkit\\.fluxcd\\.io\\/v2$', 'u');
  assert.equal(apiVersion.test('helm.toolkit.fluxcd.io/v2'), true);
  assert.equal(apiVersion.test('helm.toolkit.fluxcd.io/v2beta2'), false);
  assert.equal(
    schemaFileName('OCIRepository', 'source.toolkit.fluxcd.io', 'v1'),
    'ocirepository-source-v1.json',
  );
});

test('Flux objects are recognised by their apiVersion, not by the file', () => {
  assert.equal(mentionsFluxApi('apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n'), true);
  assert.equal(mentionsFluxApi('---\napiVersion: "kustomize.toolkit.fluxcd.io/v1"\n'), true);
  assert.equal(mentionsFluxApi('items:\n  - apiVersion: source.toolkit.fluxcd.io/v1\n'), true);
  assert.equal(
    mentionsFluxApi('{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository"}'),
    true,
  );
  assert.equal(mentionsFluxApi('apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n'), false);
  assert.equal(mentionsFluxApi('# see helm.toolkit.fluxcd.io/v2\napiVersion: v1\nkind: ConfigMap\n'), false);
});

// The real Flux CRDs, when gen-schemas or test/env/install.sh has cached them.
const crdDir = path.join(
  process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops'),
  'crds',
);
const crdFiles = fs.existsSync(crdDir) ? fs.readdirSync(crdDir).filter((f) => f.endsWith('.yaml')) : [];

test(
  'the cached Flux CRDs convert: every version, every pattern portable',
  { skip: crdFiles.length === 0 && `no CRDs in ${crdDir}` },
  () => {
    const all = crdFiles.flatMap((file) =>
      YAML.parseAllDocuments(fs.readFileSync(path.join(crdDir, file), 'utf8')).flatMap((doc) =>
        crdToSchemas(doc.toJS()),
      ),
    );
    const byApi = new Set(all.map((s) => `${s.apiVersion} ${s.kind}`));
    for (const expected of [
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
      'helm.toolkit.fluxcd.io/v2beta2 HelmRelease',
      'kustomize.toolkit.fluxcd.io/v1 Kustomization',
    ]) {
      if (crdFiles.some((f) => f.startsWith(expected.split('.')[0] ?? '')))
        assert.ok(byApi.has(expected), expected);
    }
    for (const s of all) {
      assert.equal(s.deprecated, s.deprecationMessage !== undefined, s.fileName);
      if (s.apiVersion.endsWith('beta2')) assert.ok(s.deprecated, `${s.fileName} should be deprecated`);
      JSON.stringify(s.schema, (key, value: unknown) => {
        if (key === 'pattern')
          assert.ok(typeof value === 'string' && isPortablePattern(value), `${s.fileName}: ${String(value)}`);
        assert.ok(!key.startsWith('x-kubernetes-') && key !== 'nullable', `${s.fileName}: ${key} left over`);
        return value;
      });
    }
    const release = all.find((s) => s.fileName === 'helmrelease-helm-v2.json');
    if (release) {
      const spec = (release.schema.properties as Record<string, JsonObject>).spec;
      const sourceRef = ((
        ((spec?.properties as Record<string, JsonObject>).chart?.properties as Record<string, JsonObject>)
          .spec?.properties as Record<string, JsonObject>
      ).sourceRef?.properties ?? {}) as Record<string, JsonObject>;
      assert.deepEqual(sourceRef.kind?.enum, ['HelmRepository', 'GitRepository', 'Bucket']);
    }
  },
);
