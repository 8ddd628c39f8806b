import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  clusterKustomizations,
  objectsByFile,
  problemsByFile,
  scanRepository,
  type FluxKustomization,
} from '../../../src/core/repo';
import { modelToJson } from '../../../src/core/repo/json';
import { clusterKs, codes, entryNames, fixture, rel, removeTemp, tempCopy, write } from './helpers';

test('superbloom-like layout: one cluster, flux-system → infra → apps, app folders as entries', () => {
  const root = fixture('superbloom-like');
  const model = scanRepository([root]);
  assert.deepEqual(
    model.clusters.map((c) => c.name),
    ['demo'],
  );
  assert.deepEqual(clusterKs(model, 'demo'), ['flux-system', 'infra', 'apps']);
  assert.deepEqual(entryNames(model, 'demo', 'infra'), ['ingress', 'dns', 'charts']);
  assert.deepEqual(entryNames(model, 'demo', 'apps'), ['cache', 'web']);
  assert.deepEqual(model.problems, []);
  assert.deepEqual(model.orphans, []);

  const apps = [...model.kustomizations.values()].find((k) => k.name === 'apps')!;
  assert.deepEqual(apps.dependsOn, ['flux-system/infra']);
  assert.deepEqual(apps.sourceRef, { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' });
  assert.equal(apps.interval, '10m0s');
  assert.equal(apps.suspend, false);
  assert.deepEqual(apps.decryption, { provider: 'sops', secretRef: 'sops-age' });
  assert.equal(rel(root, apps.file), 'flux/clusters/demo/apps.yaml');
  assert.equal(apps.parent, [...model.kustomizations.values()].find((k) => k.name === 'flux-system')!.key);

  const secret = model.objects.find((o) => o.kind === 'Secret' && o.name === 'web-env')!;
  assert.equal(secret.sops, 'encrypted');
  assert.equal(secret.namespace, 'web');
  assert.deepEqual(secret.appliedBy, [apps.key]);
  const web = model.objects.find((o) => o.kind === 'HelmRelease' && o.name === 'web')!;
  assert.deepEqual(web.chart, { name: 'app-template', version: '4.1.1' });
  assert.equal(model.objects.find((o) => o.kind === 'ClusterRole')!.namespace, '');
  const rbac = model.objects.filter((o) => o.file.endsWith('rbac.yaml'));
  assert.deepEqual(
    rbac.map((o) => [o.kind, o.line, o.documentIndex]),
    [
      ['ServiceAccount', 1, 0],
      ['ClusterRole', 8, 1],
    ],
  );
});

test('official Flux example: two clusters share apps/base through ../, values patches are not resources', () => {
  const root = fixture('flux-example');
  const model = scanRepository([root]);
  assert.deepEqual(model.clusters.map((c) => c.name).sort(), ['production', 'staging']);
  for (const env of ['staging', 'production']) {
    assert.deepEqual(clusterKs(model, env), ['flux-system', 'infra-controllers', 'infra-configs', 'apps']);
    assert.deepEqual(entryNames(model, env, 'apps'), ['podinfo']);
  }
  const release = model.objects.find((o) => o.kind === 'HelmRelease' && o.name === 'podinfo')!;
  assert.equal(rel(root, release.file), 'apps/base/podinfo/release.yaml');
  assert.equal(release.namespace, 'podinfo');
  const json = modelToJson(model, root);
  const jr = json.objects.find((o) => o.kind === 'HelmRelease' && o.name === 'podinfo')!;
  assert.deepEqual(jr.appliedBy.map((a) => `${a.cluster}:${a.namespace}/${a.name}`).sort(), [
    'production:flux-system/apps',
    'staging:flux-system/apps',
  ]);
  // The values patch is read by kustomize, not applied, and not an orphan.
  assert.ok(!model.objects.some((o) => o.file.endsWith('podinfo-values.yaml')));
  assert.deepEqual(model.orphans, []);
  assert.deepEqual(model.problems, []);
});

test('cluster-template layout: per-app ks.yaml + app/, targetNamespace, namespace from kustomization.yaml', () => {
  const root = fixture('cluster-template');
  const model = scanRepository([root]);
  assert.equal(model.clusters.length, 1);
  const cluster = model.clusters[0].name;
  assert.deepEqual(clusterKs(model, cluster), ['cluster-apps', 'echo', 'cloudflared']);
  const ks = [...model.kustomizations.values()];
  const echo = ks.find((k) => k.name === 'echo')!;
  // ks.yaml has no namespace: the namespace folder's kustomization.yaml gives it one.
  assert.equal(echo.namespace, 'default');
  assert.equal(echo.targetNamespace, 'default');
  assert.deepEqual(ks.find((k) => k.name === 'cloudflared')!.dependsOn, ['default/echo']);
  const hr = model.objects.find((o) => o.kind === 'HelmRelease' && o.name === 'echo')!;
  assert.equal(hr.namespace, 'default');
  const secret = model.objects.find((o) => o.kind === 'Secret')!;
  assert.equal(secret.namespace, 'network');
  assert.equal(secret.sops, 'encrypted');
  // The root ks.yaml is applied at bootstrap, not an orphan; the GitRepository lives in the cluster.
  assert.deepEqual(model.orphans, []);
  assert.deepEqual([...new Set(codes(model))], ['unresolved-reference']);
  assert.ok(model.problems.every((p) => p.severity === 'warning'));
});

test('multi-tenancy layout: tenant Kustomization from another repository is not followed', () => {
  const root = fixture('multi-tenancy');
  const model = scanRepository([root]);
  assert.deepEqual(clusterKs(model, 'staging'), ['flux-system', 'infrastructure', 'tenants', 'dev-team']);
  const devTeam = [...model.kustomizations.values()].find((k) => k.name === 'dev-team')!;
  assert.equal(devTeam.external, true);
  assert.equal(devTeam.namespace, 'apps');
  assert.deepEqual(devTeam.files, []);
  // Plain folder without kustomization.yaml: every YAML below, sub-kustomizations as units.
  assert.deepEqual(entryNames(model, 'staging', 'infrastructure'), ['kyverno', 'kyverno-policies']);
  assert.ok(!model.objects.some((o) => o.file.endsWith('dev-team-patch.yaml')));
  assert.deepEqual(model.problems, []);
});

test('JSON contract: relative forward-slash paths and the documented fields', () => {
  const root = fixture('superbloom-like');
  const json = modelToJson(scanRepository([root]), root);
  const infra = json.kustomizations.find((k) => k.name === 'infra')!;
  assert.deepEqual(
    {
      cluster: infra.cluster,
      name: infra.name,
      namespace: infra.namespace,
      file: infra.file,
      line: infra.line,
      path: infra.path,
      dependsOn: infra.dependsOn,
      sourceRef: infra.sourceRef,
    },
    {
      cluster: 'demo',
      name: 'infra',
      namespace: 'flux-system',
      file: 'flux/clusters/demo/infra.yaml',
      line: 1,
      path: 'flux/clusters/demo/infra',
      dependsOn: [],
      sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
    },
  );
  const all = [
    ...json.kustomizations.map((k) => k.file),
    ...json.objects.map((o) => o.file),
    ...json.orphans,
  ];
  assert.ok(all.every((f) => !f.startsWith('./') && !f.includes('\\') && !path.isAbsolute(f)));
  const ns = json.objects.find((o) => o.kind === 'Namespace' && o.name === 'web')!;
  assert.equal(ns.sops, null);
  assert.deepEqual(Object.keys(json).sort(), [
    'clusters',
    'kustomizations',
    'objects',
    'orphans',
    'problems',
    'remoteResources',
  ]);
});

test('query helpers group objects and problems by file; overlapping roots scan once', () => {
  const root = fixture('superbloom-like');
  const model = scanRepository([root, path.join(root, 'flux')]);
  assert.equal(model.kustomizations.size, 3);
  const byFile = objectsByFile(model);
  const rbac = [...byFile.entries()].find(([f]) => f.endsWith('rbac.yaml'))![1];
  assert.deepEqual(
    rbac.map((o) => o.kind),
    ['ServiceAccount', 'ClusterRole'],
  );
  assert.equal(problemsByFile(model).size, 0);
  assert.deepEqual(
    clusterKustomizations(model, 'demo').map((k) => k.name),
    ['flux-system', 'infra', 'apps'],
  );
  assert.deepEqual(clusterKustomizations(model, 'nope'), []);
});

test('a Kustomization document two clusters build differently has an entry per build', () => {
  const root = tempCopy('multi-tenancy');
  try {
    // production: the same tenant document, its spec.path patched by its own overlay;
    // qa: the staging overlay again, so the same build as staging.
    const copyCluster = (name: string, tenants: string): void => {
      fs.cpSync(path.join(root, 'clusters/staging'), path.join(root, 'clusters', name), { recursive: true });
      for (const [file, from, to] of [
        ['flux-system/gotk-sync.yaml', './clusters/staging', `./clusters/${name}`],
        ['tenants.yaml', './tenants/staging', `./tenants/${tenants}`],
      ]) {
        const f = path.join(root, 'clusters', name, file);
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(from, to));
      }
    };
    copyCluster('production', 'production');
    copyCluster('qa', 'staging');
    write(
      path.join(root, 'tenants/production/kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        '  - ../base/dev-team',
        'patches:',
        '  - target: {kind: Kustomization, name: dev-team}',
        '    patch: |',
        '      - op: replace',
        '        path: /spec/path',
        '        value: ./deploy/production',
        '',
      ].join('\n'),
    );
    const model = scanRepository([root]);
    const devTeamOf = (cluster: string): FluxKustomization => {
      const c = model.clusters.find((x) => x.name === cluster)!;
      return c.kustomizations.map((k) => model.kustomizations.get(k)!).find((k) => k.name === 'dev-team')!;
    };
    const [production, staging, qa] = ['production', 'staging', 'qa'].map(devTeamOf);
    assert.equal(production.specPath, './deploy/production');
    assert.equal(staging.specPath, './deploy/staging');
    assert.notEqual(production.key, staging.key);
    assert.equal(production.file, staging.file);
    assert.equal(qa.key, staging.key);
    assert.deepEqual(
      [production.clusters, [...staging.clusters].sort()],
      [['production'], ['qa', 'staging']],
    );
    // Each entry's parent is its own cluster's tenants Kustomization.
    const tenantsOf = (cluster: string): string =>
      model.clusters
        .find((x) => x.name === cluster)!
        .kustomizations.find((k) => model.kustomizations.get(k)!.name === 'tenants')!;
    assert.equal(production.parent, tenantsOf('production'));
    assert.equal(staging.parent, tenantsOf(staging.cluster));
    assert.deepEqual(model.problems, []);
  } finally {
    removeTemp(root);
  }
});
