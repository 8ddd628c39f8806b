/**
 * The tree's rows for sync roots and the Flux Operator / Flux 2.7 kinds, on small repositories
 * written by each test: where a cluster's root comes from, FluxInstance, ResourceSet (inputs,
 * input providers, templated objects), ResourceSetInputProvider, ArtifactGenerator and
 * ExternalArtifact, and readyExpr in dependency tooltips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LensIndex } from '../../../src/core/codelens/lenses';
import { scanRepository } from '../../../src/core/repo';
import { buildRepoTree, type RepoNode } from '../../../src/core/tree/repoTree';
import { removeTemp, write } from '../repo/helpers';

/** Writes `files` (path → text) into a new temporary folder. */
function repo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tree-flux-kinds-'));
  for (const [file, text] of Object.entries(files)) write(path.join(dir, file), text);
  return dir;
}

/** Every row of a tree, depth first. */
function rows(nodes: RepoNode[]): RepoNode[] {
  return nodes.flatMap((n) => [n, ...rows(n.children)]);
}

function row(nodes: RepoNode[], label: string, kind?: RepoNode['kind']): RepoNode {
  const all = rows(nodes);
  const found = all.find((n) => n.label === label && (!kind || n.kind === kind));
  if (!found)
    throw new Error(
      `no ${kind ?? ''} row "${label}"; rows:\n${all.map((n) => `${n.kind} ${n.label}`).join('\n')}`,
    );
  return found;
}

function labels(nodes: RepoNode[]): string[] {
  return nodes.map((n) => n.label);
}

function lines(node: RepoNode): string[] {
  return node.tooltip.split('\n');
}

const operatorRepo = {
  'clusters/prod/flux-instance.yaml': `apiVersion: fluxcd.controlplane.io/v1
kind: FluxInstance
metadata:
  name: flux
  namespace: flux-system
spec:
  distribution:
    version: "2.7.x"
    registry: ghcr.io/fluxcd
  components:
    - source-controller
    - kustomize-controller
  sync:
    kind: GitRepository
    url: https://git.example.com/fleet.git
    ref: refs/heads/main
    path: clusters/prod
`,
  'clusters/prod/infra.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: infra
  namespace: flux-system
spec:
  interval: 1h
  path: ./infra
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
  'clusters/prod/apps.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 1h
  path: ./apps
  dependsOn:
    - name: infra
      readyExpr: status.observedGeneration >= 2
    - name: crds
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
  'infra/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - providers.yaml
  - tenants.yaml
`,
  'infra/providers.yaml': `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata:
  name: app-prs
  namespace: flux-system
spec:
  type: GitHubPullRequest
  url: https://github.example.com/org/app
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata:
  name: app-tags
  namespace: flux-system
  labels:
    app: web
spec:
  type: OCIArtifactTag
  url: oci://registry.example.com/org/app
`,
  'infra/tenants.yaml': `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: tenants
  namespace: flux-system
spec:
  inputs:
    - tenant: team1
      app:
        version: "6.7.x"
    - tenant: team2
  inputsFrom:
    - kind: ResourceSetInputProvider
      name: app-prs
    - kind: ResourceSetInputProvider
      selector:
        matchLabels:
          app: web
    - kind: ResourceSetInputProvider
      name: gone
  dependsOn:
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      name: infra
      namespace: flux-system
      readyExpr: status.conditions.exists(c, c.type == 'Ready')
  resources:
    - apiVersion: v1
      kind: Namespace
      metadata:
        name: << inputs.tenant >>
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: << inputs.tenant >>-apps
        namespace: << inputs.tenant >>
      spec:
        path: ./tenants/<< inputs.tenant >>
        sourceRef:
          kind: GitRepository
          name: flux-system
          namespace: flux-system
`,
  'apps/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - release.yaml
`,
  'apps/release.yaml': `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: web
spec:
  interval: 1h
  dependsOn:
    - name: db
      namespace: data
      readyExpr: status.history[0].chartVersion == '1.2.3'
  chart:
    spec:
      chart: web
      version: 1.0.0
      sourceRef:
        kind: HelmRepository
        name: charts
`,
};

test('a FluxInstance file: the cluster row names it, links to it and shows the sync in its tooltip', () => {
  const dir = repo(operatorRepo);
  try {
    const model = scanRepository([dir]);
    const tree = buildRepoTree(model);
    const cluster = tree.find((n) => n.kind === 'cluster');
    assert.ok(cluster, `clusters: ${labels(tree).join(', ')}`);
    assert.equal(cluster.label, 'prod');
    assert.equal(
      cluster.description,
      'Flux Operator · FluxInstance flux-system/flux · Flux 2.7.x → 2.7.5 · 3 Kustomizations',
    );
    assert.deepEqual(cluster.location, { file: path.join(dir, 'clusters/prod/flux-instance.yaml'), line: 1 });
    const tip = lines(cluster);
    for (const expected of [
      'root: Flux Operator, FluxInstance flux-system/flux',
      'distribution: Flux 2.7.x',
      'sync: GitRepository',
      'url: https://git.example.com/fleet.git',
      'ref: refs/heads/main',
      'path: clusters/prod',
    ])
      assert.ok(tip.includes(expected), `cluster tooltip lacks "${expected}":\n${cluster.tooltip}`);

    const instance = row(tree, 'FluxInstance flux', 'object');
    assert.equal(instance.description, 'flux-system · Flux 2.7.x · GitRepository clusters/prod');
    assert.equal(instance.icon, 'rocket');
    assert.deepEqual(instance.tags, ['fluxinstance', 'flux']);
    for (const expected of [
      'distribution: Flux 2.7.x from ghcr.io/fluxcd',
      'components: source-controller, kustomize-controller',
      'url: https://git.example.com/fleet.git',
      'sync root of cluster prod',
    ])
      assert.ok(
        lines(instance).includes(expected),
        `FluxInstance tooltip lacks "${expected}":\n${instance.tooltip}`,
      );
  } finally {
    removeTemp(dir);
  }
});

test('a ResourceSet lists its inputs, its input providers and the objects it templates, names as written', () => {
  const dir = repo(operatorRepo);
  try {
    const model = scanRepository([dir]);
    const tree = buildRepoTree(model);
    const set = row(tree, 'ResourceSet tenants', 'object');
    assert.equal(set.description, 'flux-system · 5 inputs · 2 objects');
    assert.equal(set.icon, 'symbol-array');
    assert.deepEqual(set.tags, ['resourceset', 'flux']);
    assert.deepEqual(labels(set.children), [
      'input 1',
      'input 2',
      'ResourceSetInputProvider app-prs',
      'ResourceSetInputProvider app=web',
      'ResourceSetInputProvider gone',
      'Namespace << inputs.tenant >>',
      'Kustomization << inputs.tenant >>-apps',
    ]);
    const tenants = path.join(dir, 'infra/tenants.yaml');
    const providers = path.join(dir, 'infra/providers.yaml');
    const [input1, input2, byName, bySelector, missing, namespace, kustomization] = set.children;
    assert.equal(input1.description, 'tenant: team1, app: {"version":"6.7.x"}');
    assert.deepEqual(input1.location, { file: tenants, line: 8 });
    assert.equal(input2.description, 'tenant: team2');
    // Providers: the row leads to the provider's document and says its type and URL.
    assert.equal(byName.description, 'GitHubPullRequest · https://github.example.com/org/app');
    assert.deepEqual(byName.location, { file: providers, line: 1 });
    assert.equal(bySelector.description, 'OCIArtifactTag · oci://registry.example.com/org/app');
    assert.deepEqual(bySelector.location, { file: providers, line: 10 });
    assert.equal(missing.description, 'not in the repository');
    assert.deepEqual(missing.location, { file: tenants, line: 19 });
    // Templated objects: as written, with their kind's icon, never a cluster object or a menu word.
    assert.equal(namespace.icon, 'symbol-namespace');
    assert.equal(kustomization.description, '<< inputs.tenant >> · templated');
    assert.equal(kustomization.icon, 'layers');
    assert.deepEqual(kustomization.tags, ['templated']);
    assert.equal(kustomization.ref, undefined);
    assert.equal(kustomization.kind, 'part');
    assert.deepEqual(kustomization.location, { file: tenants, line: 32 });
    assert.ok(
      lines(set).includes(
        "readyExpr of Kustomization/flux-system/infra: `status.conditions.exists(c, c.type == 'Ready')`",
      ),
      set.tooltip,
    );
    // Template expressions are no error: nothing is reported on the ResourceSet's file.
    assert.deepEqual(
      model.problems.filter((p) => p.file === tenants).map((p) => `${p.code} ${p.message}`),
      [],
    );
  } finally {
    removeTemp(dir);
  }
});

test('a ResourceSetInputProvider shows its type and URL and the ResourceSets that read it', () => {
  const dir = repo(operatorRepo);
  try {
    const tree = buildRepoTree(scanRepository([dir]));
    const provider = row(tree, 'ResourceSetInputProvider app-tags', 'object');
    assert.equal(provider.description, 'flux-system · OCIArtifactTag · oci://registry.example.com/org/app');
    assert.equal(provider.icon, 'symbol-parameter');
    assert.deepEqual(provider.tags, ['resourcesetinputprovider', 'flux']);
    assert.ok(lines(provider).includes('inputs of ResourceSet flux-system/tenants'), provider.tooltip);
  } finally {
    removeTemp(dir);
  }
});

test('dependsOn readyExpr shows in the Kustomization and HelmRelease tooltips', () => {
  const dir = repo(operatorRepo);
  try {
    const tree = buildRepoTree(scanRepository([dir]));
    const apps = row(tree, 'apps', 'kustomization');
    const tip = lines(apps);
    assert.ok(tip.includes('dependsOn: flux-system/infra, flux-system/crds'), apps.tooltip);
    assert.ok(tip.includes('readyExpr of flux-system/infra: `status.observedGeneration >= 2`'), apps.tooltip);
    assert.ok(!tip.some((l) => l.startsWith('readyExpr of flux-system/crds')), apps.tooltip);
    const release = row(tree, 'HelmRelease web', 'object');
    assert.ok(lines(release).includes('dependsOn: data/db'), release.tooltip);
    assert.ok(
      lines(release).includes("readyExpr of data/db: `status.history[0].chartVersion == '1.2.3'`"),
      release.tooltip,
    );
  } finally {
    removeTemp(dir);
  }
});

test('Flux Operator kinds get rows but no CodeLenses (the extension does not watch them)', () => {
  const dir = repo(operatorRepo);
  try {
    const index = new LensIndex(scanRepository([dir]));
    assert.deepEqual(index.refsIn(path.join(dir, 'infra/tenants.yaml')), []);
    assert.deepEqual(index.refsIn(path.join(dir, 'clusters/prod/flux-instance.yaml')), []);
    assert.deepEqual(
      index.refsIn(path.join(dir, 'clusters/prod/apps.yaml')).map((r) => `${r.kind} ${r.name}`),
      ['Kustomization apps'],
    );
  } finally {
    removeTemp(dir);
  }
});

const generatorRepo = {
  'clusters/staging/flux-system/gotk-sync.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  ref:
    branch: main
  url: ssh://git@git.example.com/org/fleet
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m
  path: ./clusters/staging
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
  'clusters/staging/artifacts.yaml': `apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: monorepo
  namespace: flux-system
spec:
  sources:
    - alias: repo
      kind: GitRepository
      name: flux-system
  artifacts:
    - name: apps
      copy:
        - from: "@repo/apps/base/**"
          to: "@artifact/base/"
        - from: "@repo/apps/staging/**"
          to: "@artifact/staging/"
    - name: extra
      copy:
        - from: "@repo/extra/**"
          to: "@artifact/"
`,
  'clusters/staging/apps.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 1h
  path: ./staging
  sourceRef:
    kind: ExternalArtifact
    name: apps
`,
  'clusters/staging/extra.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: ExternalArtifact
metadata:
  name: extra
  namespace: flux-system
spec:
  sourceRef:
    apiVersion: source.extensions.fluxcd.io/v1beta1
    kind: ArtifactGenerator
    name: monorepo
`,
  'apps/base/web/deploy.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: web
`,
  'apps/staging/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base/web/deploy.yaml
`,
};

test('bootstrap root: the cluster row says so and its tooltip has the GitRepository of gotk-sync.yaml', () => {
  const dir = repo(generatorRepo);
  try {
    const tree = buildRepoTree(scanRepository([dir]));
    const cluster = tree.find((n) => n.kind === 'cluster');
    assert.ok(cluster, `rows: ${labels(tree).join(', ')}`);
    assert.equal(cluster.description, 'flux bootstrap · gotk-sync.yaml · 2 Kustomizations');
    assert.deepEqual(cluster.location, {
      file: path.join(dir, 'clusters/staging/flux-system/gotk-sync.yaml'),
      line: 12,
    });
    for (const expected of [
      'root: flux bootstrap (gotk-sync.yaml)',
      'sync: GitRepository',
      'url: ssh://git@git.example.com/org/fleet',
      'ref: main',
      'path: ./clusters/staging',
    ])
      assert.ok(
        lines(cluster).includes(expected),
        `cluster tooltip lacks "${expected}":\n${cluster.tooltip}`,
      );
  } finally {
    removeTemp(dir);
  }
});

test('an ArtifactGenerator lists its sources and the ExternalArtifacts it produces; those link back to it', () => {
  const dir = repo(generatorRepo);
  try {
    const tree = buildRepoTree(scanRepository([dir]));
    const generator = row(tree, 'ArtifactGenerator monorepo', 'object');
    const file = path.join(dir, 'clusters/staging/artifacts.yaml');
    const gotkSync = path.join(dir, 'clusters/staging/flux-system/gotk-sync.yaml');
    assert.equal(generator.description, 'flux-system · 2 artifacts');
    assert.equal(generator.icon, 'gear');
    assert.deepEqual(generator.tags, ['artifactgenerator', 'flux']);
    assert.deepEqual(labels(generator.children), [
      'GitRepository flux-system',
      'ExternalArtifact apps',
      'ExternalArtifact extra',
    ]);
    const [source, apps, extra] = generator.children;
    assert.equal(source.description, '@repo');
    // The source row leads to the GitRepository's document.
    assert.deepEqual(source.location, { file: gotkSync, line: 1 });
    assert.equal(apps.description, '@repo/apps/base/** → @artifact/base/ +1');
    assert.equal(apps.icon, 'export');
    assert.equal(apps.location?.file, file);
    assert.ok(lines(apps).includes('generated by ArtifactGenerator flux-system/monorepo'), apps.tooltip);
    assert.ok(lines(apps).includes('copy: @repo/apps/staging/** → @artifact/staging/'), apps.tooltip);
    assert.ok(lines(apps).includes('source of Kustomization flux-system/apps'), apps.tooltip);
    assert.equal(extra.description, '@repo/extra/** → @artifact/');

    // The Kustomization reading the artifact names its generator, and builds the copied folder.
    const ks = row(tree, 'apps', 'kustomization');
    assert.ok(
      lines(ks).includes(
        'source: ExternalArtifact/flux-system/apps (ArtifactGenerator flux-system/monorepo)',
      ),
      ks.tooltip,
    );
    assert.ok(
      rows(ks.children).some((n) => n.label === 'ConfigMap web'),
      `under apps: ${labels(rows(ks.children)).join(', ')}`,
    );

    // An ExternalArtifact document: its row says where it comes from and leads to the generator.
    const document = row(tree, 'ExternalArtifact extra', 'object');
    assert.equal(document.description, 'flux-system · from ArtifactGenerator monorepo');
    assert.deepEqual(document.tags, ['externalartifact', 'flux']);
    assert.deepEqual(labels(document.children), ['ArtifactGenerator monorepo']);
    assert.equal(document.children[0].location?.file, file);
    assert.equal(document.children[0].location?.line, extra.location?.line);
  } finally {
    removeTemp(dir);
  }
});

test('the cluster row says where every other kind of root comes from', () => {
  const cases: Array<{
    name: string;
    files: Record<string, string>;
    description: string;
    tooltip: string[];
  }> = [
    {
      name: 'the flux-instance chart',
      files: {
        'clusters/home/flux-operator/instance.yaml': `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: flux-instance
  namespace: flux-system
spec:
  interval: 1h
  chart:
    spec:
      chart: flux-instance
      sourceRef:
        kind: HelmRepository
        name: controlplane
  values:
    instance:
      distribution:
        version: "2.9.x"
      sync:
        kind: OCIRepository
        url: oci://registry.example.com/fleet
        ref: latest
        path: clusters/home
`,
      },
      description:
        'Flux Operator · HelmRelease flux-system/flux-instance · Flux 2.9.x → 2.9.5 · 1 Kustomizations',
      tooltip: [
        "root: Flux Operator, the values of the flux-instance chart's HelmRelease flux-system/flux-instance",
        'distribution: Flux 2.9.x',
        'sync: OCIRepository',
        'url: oci://registry.example.com/fleet',
        'ref: latest',
        'path: clusters/home',
      ],
    },
    {
      name: 'a FluxInstance templated by a ResourceSet',
      files: {
        'fleet/instances.yaml': `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: fleet
  namespace: flux-system
spec:
  resources:
    - apiVersion: fluxcd.controlplane.io/v1
      kind: FluxInstance
      metadata:
        name: flux
        namespace: flux-system
      spec:
        distribution:
          version: "2.8.x"
        sync:
          kind: GitRepository
          url: https://git.example.com/fleet.git
          path: clusters/edge
`,
        'clusters/edge/config.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edge\n  namespace: default\n',
      },
      description: 'Flux Operator · FluxInstance flux-system/flux · Flux 2.8.x → 2.8.0 · 1 Kustomizations',
      tooltip: [
        'templated by ResourceSet flux-system/fleet',
        'distribution: Flux 2.8.x',
        'path: clusters/edge',
      ],
    },
    {
      name: 'the placeholder gotk-sync.yaml',
      files: {
        'clusters/lab/flux-system/gotk-sync.yaml': '',
        'clusters/lab/config.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lab\n  namespace: default\n',
      },
      description: 'flux bootstrap · placeholder gotk-sync.yaml · 1 Kustomizations',
      tooltip: ['sync: GitRepository', 'path: ./clusters/lab'],
    },
    {
      name: 'no root at all',
      files: {
        'apps.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 1h
  path: ./apps
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
        'apps/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\n',
      },
      description: 'no sync root · Kustomization flux-system/apps · 1 Kustomizations',
      tooltip: ['sync: GitRepository', 'path: ./apps'],
    },
  ];
  for (const c of cases) {
    const dir = repo(c.files);
    try {
      const tree = buildRepoTree(scanRepository([dir]));
      const cluster = tree.find((n) => n.kind === 'cluster');
      assert.ok(cluster, `${c.name}: no cluster row; rows: ${labels(tree).join(', ')}`);
      assert.equal(cluster.description, c.description, c.name);
      for (const expected of c.tooltip)
        assert.ok(
          lines(cluster).includes(expected),
          `${c.name}: tooltip lacks "${expected}":\n${cluster.tooltip}`,
        );
      assert.ok(
        cluster.location && fs.existsSync(cluster.location.file),
        `${c.name}: ${cluster.location?.file}`,
      );
    } finally {
      removeTemp(dir);
    }
  }
});

test('ResourceSet templates are shown as written and are never an error', () => {
  const dir = repo({
    'clusters/hub/flux-system/gotk-sync.yaml': '',
    'clusters/hub/fleet.yaml': `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: fleet
  namespace: flux-system
spec:
  inputs:
    - cluster: edge1
  resources:
    - apiVersion: fluxcd.controlplane.io/v1
      kind: FluxInstance
      metadata:
        name: << inputs.cluster >>
        namespace: flux-system
      spec:
        sync:
          kind: GitRepository
          url: https://git.example.com/fleet.git
          path: clusters/<< inputs.cluster >>
`,
    'clusters/hub/generated.yaml': `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: generated
  namespace: flux-system
spec:
  inputs:
    - name: a
  resourcesTemplate: |
    <<- range $i := until 2 >>
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: << inputs.name >>-<< $i >>
    <<- end >>
`,
  });
  try {
    const model = scanRepository([dir]);
    const tree = buildRepoTree(model);
    // The templated FluxInstance is a cluster of its own, named as written, its path not followed.
    const templated = tree.find((n) => n.kind === 'cluster' && n.label === '<< inputs.cluster >>');
    assert.ok(templated, `clusters: ${labels(tree).join(', ')}`);
    assert.ok(lines(templated).includes('templated by ResourceSet flux-system/fleet'), templated.tooltip);
    assert.deepEqual(
      model.problems.filter((p) => p.severity !== 'info').map((p) => `${p.code} ${p.message}`),
      [],
    );
    assert.ok(
      model.problems.some((p) => p.code === 'symbolic-path' && p.message.includes('ResourceSet template')),
      model.problems.map((p) => p.message).join('\n'),
    );
    const fleet = row(tree, 'ResourceSet fleet', 'object');
    assert.deepEqual(labels(fleet.children), ['input 1', 'FluxInstance << inputs.cluster >>']);
    const generated = row(tree, 'ResourceSet generated', 'object');
    assert.equal(generated.description, 'flux-system · 1 input · template');
    assert.deepEqual(labels(generated.children), ['input 1', 'resourcesTemplate']);
    assert.deepEqual(generated.children[1].tags, ['templated']);
  } finally {
    removeTemp(dir);
  }
});
