/* eslint-disable @typescript-eslint/no-explicit-any -- migrated objects are parsed YAML, read by path in the assertions */
/**
 * Each removed Flux API, migrated as `flux migrate` would (plus the field moves a newer version
 * needs): the result names the version the newer Flux serves and passes the editor's schema check
 * (yaml-language-server over dist/schemas) for that version.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { migrateText, planMigrations } from '../../../src/core/fluxVersion/migrate';
import { parseFluxVersion, type FluxVersion } from '../../../src/core/fluxVersion/releases';
import { createSchemaValidator, type SchemaValidator } from '../../../src/core/schemas/validate';
import { repoRoot } from '../repo/helpers';

const schemaDir = path.join(repoRoot, 'dist', 'schemas');
let validator: Promise<SchemaValidator | null> | undefined;
function schemas(): Promise<SchemaValidator | null> {
  validator ??= fs.existsSync(path.join(schemaDir, 'index.json'))
    ? createSchemaValidator(schemaDir)
    : Promise.resolve(null);
  return validator;
}

const flux = (text: string): FluxVersion => {
  const v = parseFluxVersion(text);
  assert.ok(v);
  return v;
};

interface Case {
  name: string;
  /** The first release that no longer serves it. */
  removedIn: string;
  text: string;
  to: string;
  /** Checks on the migrated object beyond its apiVersion. */
  expect?: (object: Record<string, any>) => void;
}

const CASES: Case[] = [
  {
    name: 'GitRepository source v1beta1',
    removedIn: '2.7.0',
    text: `apiVersion: source.toolkit.fluxcd.io/v1beta1
kind: GitRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 1m
  url: https://github.com/stefanprodan/podinfo
  ref:
    branch: master
  gitImplementation: go-git
  accessFrom:
    namespaceSelectors:
      - matchLabels:
          team: a
`,
    to: 'source.toolkit.fluxcd.io/v1',
    expect: (o) => {
      assert.equal(o.spec.gitImplementation, undefined);
      assert.equal(o.spec.accessFrom, undefined);
      assert.deepEqual(o.spec.ref, { branch: 'master' });
    },
  },
  {
    name: 'HelmRepository source v1beta1',
    removedIn: '2.7.0',
    text: `apiVersion: source.toolkit.fluxcd.io/v1beta1
kind: HelmRepository
metadata:
  name: bitnami
spec:
  interval: 30m
  url: https://charts.bitnami.com/bitnami
`,
    to: 'source.toolkit.fluxcd.io/v1',
  },
  {
    name: 'HelmChart source v1beta1 with valuesFile',
    removedIn: '2.7.0',
    text: `apiVersion: source.toolkit.fluxcd.io/v1beta1
kind: HelmChart
metadata:
  name: podinfo
spec:
  chart: podinfo
  version: '6.x'
  interval: 10m
  sourceRef:
    kind: HelmRepository
    name: podinfo
  valuesFile: values-prod.yaml
  valuesFiles:
    - values-extra.yaml
`,
    to: 'source.toolkit.fluxcd.io/v1',
    expect: (o) => assert.deepEqual(o.spec.valuesFiles, ['values-prod.yaml', 'values-extra.yaml']),
  },
  {
    name: 'Bucket source v1beta1',
    removedIn: '2.7.0',
    text: `apiVersion: source.toolkit.fluxcd.io/v1beta1
kind: Bucket
metadata:
  name: minio
spec:
  interval: 5m
  provider: generic
  bucketName: podinfo
  endpoint: minio.minio.svc.cluster.local:9000
  insecure: true
`,
    to: 'source.toolkit.fluxcd.io/v1',
  },
  {
    name: 'Kustomization kustomize v1beta1 with validation and the old patch fields',
    removedIn: '2.7.0',
    text: `apiVersion: kustomize.toolkit.fluxcd.io/v1beta1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  validation: client
  sourceRef:
    kind: GitRepository
    name: flux-system
  patchesStrategicMerge:
    - apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: podinfo
      spec:
        replicas: 2
  patchesJson6902:
    - target:
        group: apps
        version: v1
        kind: Deployment
        name: podinfo
      patch:
        - op: add
          path: /metadata/labels/env
          value: prod
`,
    to: 'kustomize.toolkit.fluxcd.io/v1',
    expect: (o) => {
      assert.equal(o.spec.validation, undefined);
      assert.equal(o.spec.patchesStrategicMerge, undefined);
      assert.equal(o.spec.patchesJson6902, undefined);
      assert.equal(o.spec.patches.length, 2);
      assert.deepEqual(YAML.parse(o.spec.patches[0].patch), {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'podinfo' },
        spec: { replicas: 2 },
      });
      assert.deepEqual(o.spec.patches[1].target, {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        name: 'podinfo',
      });
      assert.deepEqual(YAML.parse(o.spec.patches[1].patch), [
        { op: 'add', path: '/metadata/labels/env', value: 'prod' },
      ]);
    },
  },
  {
    name: 'HelmRelease helm v2beta1 with valuesFile and post-renderer patches',
    removedIn: '2.7.0',
    text: `apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata:
  name: podinfo
  namespace: default
spec:
  interval: 5m
  chart:
    spec:
      chart: podinfo
      version: '>=6.0.0'
      valuesFile: values.yaml
      sourceRef:
        kind: HelmRepository
        name: podinfo
  postRenderers:
    - kustomize:
        patchesStrategicMerge:
          - kind: Deployment
            apiVersion: apps/v1
            metadata:
              name: podinfo
            spec:
              replicas: 3
        patchesJson6902:
          - target:
              kind: Deployment
              name: podinfo
            patch:
              - op: remove
                path: /spec/template/spec/securityContext
  values:
    replicaCount: 2
`,
    to: 'helm.toolkit.fluxcd.io/v2',
    expect: (o) => {
      assert.deepEqual(o.spec.chart.spec.valuesFiles, ['values.yaml']);
      assert.equal(o.spec.chart.spec.valuesFile, undefined);
      const k = o.spec.postRenderers[0].kustomize;
      assert.equal(k.patchesStrategicMerge, undefined);
      assert.equal(k.patches.length, 2);
      assert.deepEqual(k.patches[1].target, { kind: 'Deployment', name: 'podinfo' });
      assert.deepEqual(o.spec.values, { replicaCount: 2 });
    },
  },
  {
    name: 'Alert notification v1beta1',
    removedIn: '2.7.0',
    text: `apiVersion: notification.toolkit.fluxcd.io/v1beta1
kind: Alert
metadata:
  name: on-call
spec:
  providerRef:
    name: slack
  eventSeverity: error
  eventSources:
    - kind: Kustomization
      name: '*'
`,
    to: 'notification.toolkit.fluxcd.io/v1beta3',
  },
  {
    name: 'ImagePolicy image v1beta1',
    removedIn: '2.7.0',
    text: `apiVersion: image.toolkit.fluxcd.io/v1beta1
kind: ImagePolicy
metadata:
  name: podinfo
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: 5.0.x
`,
    to: 'image.toolkit.fluxcd.io/v1',
  },
  {
    name: 'GitRepository source v1beta2',
    removedIn: '2.8.0',
    text: `---
# the app's source
apiVersion: "source.toolkit.fluxcd.io/v1beta2" # pinned
kind: GitRepository
metadata:
  name: app
spec:
  interval: 1m
  url: https://github.com/example/app
  ref:
    tag: v1.0.0
`,
    to: 'source.toolkit.fluxcd.io/v1',
  },
  {
    name: 'OCIRepository source v1beta2',
    removedIn: '2.8.0',
    text: `apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: OCIRepository
metadata:
  name: app-template
spec:
  interval: 1h
  url: oci://ghcr.io/bjw-s-labs/helm/app-template
  ref:
    tag: 4.1.1
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
    operation: copy
`,
    to: 'source.toolkit.fluxcd.io/v1',
  },
  {
    name: 'Kustomization kustomize v1beta2',
    removedIn: '2.8.0',
    text: `apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
kind: Kustomization
metadata:
  name: infra
  namespace: flux-system
spec:
  interval: 1h
  path: ./infrastructure
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
    to: 'kustomize.toolkit.fluxcd.io/v1',
  },
  {
    name: 'HelmRelease helm v2beta2',
    removedIn: '2.8.0',
    text: `apiVersion: helm.toolkit.fluxcd.io/v2beta2
kind: HelmRelease
metadata:
  name: app
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: app-template
  values:
    controllers: {}
`,
    to: 'helm.toolkit.fluxcd.io/v2',
  },
  {
    name: 'Provider notification v1beta2',
    removedIn: '2.9.0',
    text: `apiVersion: notification.toolkit.fluxcd.io/v1beta2
kind: Provider
metadata:
  name: slack
spec:
  type: slack
  channel: general
  secretRef:
    name: slack-url
`,
    to: 'notification.toolkit.fluxcd.io/v1beta3',
  },
  {
    name: 'Receiver notification v1beta2',
    removedIn: '2.9.0',
    text: `apiVersion: notification.toolkit.fluxcd.io/v1beta2
kind: Receiver
metadata:
  name: github
spec:
  type: github
  events: [ping, push]
  secretRef:
    name: webhook-token
  resources:
    - kind: GitRepository
      name: flux-system
`,
    to: 'notification.toolkit.fluxcd.io/v1',
  },
  {
    name: 'ImageUpdateAutomation image v1beta2',
    removedIn: '2.9.0',
    text: `apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageUpdateAutomation
metadata:
  name: apps
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: flux-system
  git:
    commit:
      author:
        name: fluxbot
        email: fluxbot@example.invalid
  update:
    path: ./apps
    strategy: Setters
`,
    to: 'image.toolkit.fluxcd.io/v1',
  },
];

async function assertValid(t: TestContext, text: string, apiVersion: string, kind: string): Promise<void> {
  const v = await schemas();
  if (!v) {
    t.diagnostic(
      'dist/schemas absent (npm run build): the migrated object was not checked against its schema',
    );
    return;
  }
  if (!v.index.schemas.some((s) => s.apiVersion === apiVersion && s.kind === kind)) {
    t.diagnostic(
      `no generated schema for ${kind} ${apiVersion} (its CRDs are not in the build): schema check skipped`,
    );
    return;
  }
  const findings = await v.validate('/migrated.yaml', text);
  assert.deepEqual(findings, [], `the migrated ${kind} fails its ${apiVersion} schema:\n${text}`);
}

for (const c of CASES) {
  test(`${c.name}: removed in Flux ${c.removedIn}, migrated to ${c.to} and valid for it`, async (t) => {
    const target = flux(c.removedIn);
    const [migration, ...more] = planMigrations(c.text, target);
    assert.equal(more.length, 0);
    assert.ok(migration, 'nothing to migrate');
    assert.equal(migration.removed, true);
    assert.equal(migration.to, c.to);
    const { text } = migrateText(c.text, target);
    const object = YAML.parse(text) as Record<string, any>;
    assert.equal(object.apiVersion, c.to);
    c.expect?.(object);
    await assertValid(t, text, c.to, String(object.kind));
    // Migrating again changes nothing (flux migrate is idempotent too).
    assert.equal(migrateText(text, target).text, text);
  });
}

test('an apiVersion-only migration changes the version characters alone: quotes, comments and layout stay', () => {
  const c = CASES.find((x) => x.name === 'GitRepository source v1beta2');
  assert.ok(c);
  const { text } = migrateText(c.text, flux('2.8.0'));
  assert.equal(text, c.text.replace('source.toolkit.fluxcd.io/v1beta2', 'source.toolkit.fluxcd.io/v1'));
});

test('a deprecated apiVersion migrates too (as flux migrate does); current ones and other kinds are left alone', () => {
  const text = `apiVersion: helm.toolkit.fluxcd.io/v2beta2
kind: HelmRelease
metadata:
  name: a
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: b
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: c
`;
  const plan = planMigrations(text, flux('2.7.3'));
  assert.deepEqual(
    plan.map((m) => [m.name, m.line, m.removed, m.from, m.to]),
    [['a', 1, false, 'helm.toolkit.fluxcd.io/v2beta2', 'helm.toolkit.fluxcd.io/v2']],
  );
  // The Quick Fix for one object touches only that object's document.
  assert.equal(planMigrations(text, flux('2.7.3'), 7).length, 0);
  assert.equal(planMigrations(text, flux('2.7.3'), 3).length, 1);
});

test('indentation of block sequences follows the file when fields move', () => {
  const unindented = `apiVersion: kustomize.toolkit.fluxcd.io/v1beta1
kind: Kustomization
metadata:
  name: a
spec:
  validation: client
  patchesStrategicMerge:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: x
`;
  const { text } = migrateText(unindented, flux('2.7.0'));
  assert.match(text, /^ {2}patches:\n {2}- patch: \|-\n {6}apiVersion: v1\n/m);
});

test('the schema check bites: the apiVersion alone, without the field moves, is not valid for v1', async (t) => {
  const c = CASES.find((x) => x.name.startsWith('Kustomization kustomize v1beta1'));
  assert.ok(c);
  const v = await schemas();
  if (!v) return t.skip('dist/schemas absent (npm run build)');
  const versionOnly = c.text.replace('kustomize.toolkit.fluxcd.io/v1beta1', 'kustomize.toolkit.fluxcd.io/v1');
  const messages = (await v.validate('/version-only.yaml', versionOnly))
    .map((f) => `${f.line} ${f.message}`)
    .sort();
  assert.deepEqual(messages, [
    '10 Property validation is not allowed.',
    '14 Property patchesStrategicMerge is not allowed.',
    '21 Property patchesJson6902 is not allowed.',
  ]);
});
