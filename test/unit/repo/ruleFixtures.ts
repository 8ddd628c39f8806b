/**
 * One tiny repository per rule of Flux and kustomize that the repository model implements, each
 * with the result the rule demands. The unit tests (rules-*.test.ts) assert the model on them;
 * the conformance test (test/conformance/rules.test.ts) runs the real flux CLI on the same
 * repositories, so that every expected object list is Flux's own, not ours.
 *
 * The repositories are written here in code, file by file, never copied from elsewhere.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RepoModel } from '../../../src/core/repo';

export type Stage = 'roots' | 'kustomize' | 'postbuild' | 'sources' | 'intent';

export interface ExpectedProblem {
  severity: 'error' | 'warning' | 'info';
  code: string;
  /** Repository-relative file the problem is on. */
  file: string;
  /** 1-based line, when the rule decides it (the `resources:` line to add to). */
  line?: number;
  /** Text the message must hold (the line to add, the folder named). */
  says?: string;
  /** Text the message must not hold (no advice to add to a shared base). */
  saysNot?: string;
}

export interface Expected {
  /** Cluster name → its Flux Kustomizations (`namespace/name`) in the model's order. */
  clusters: Record<string, string[]>;
  /**
   * `<cluster> <namespace>/<name>` of each Kustomization → the objects its build applies,
   * as `apiVersion kind namespace/name` (order free: Flux applies by kind, not by file order).
   */
  applies: Record<string, string[]>;
  /** Kustomizations (`namespace/name`) whose source is another repository. */
  external?: string[];
  problems: ExpectedProblem[];
  /** Repository-relative files with manifests that nothing applies. */
  orphans?: string[];
  /** Remote kustomize resources listed (never fetched). */
  remote?: string[];
  /** What the scan says once about the whole repository (a copy without .git). */
  notices?: RegExp[];
}

/** How the conformance test asks flux for the same result. */
export interface FluxJudge {
  /**
   * The sync roots to build recursively: `file` is the repository file holding the root
   * Kustomization document; without it the Kustomization the root's maker (bootstrap's
   * placeholder, the Flux Operator) would create is written from name/path/source.
   */
  roots: Array<{
    cluster: string;
    name: string;
    path: string;
    file?: string;
    source?: { kind: string; name: string };
  }>;
  /**
   * Sources of the Kustomizations met on the way (`Kind/namespace/name`): a folder of this
   * checkout (relative), or the paths an empty stand-in for another repository must have.
   * Default: GitRepository/flux-system/flux-system is the checkout's root.
   */
  sources?: Record<string, string | { standIn: string[] }>;
}

export interface RuleFixture {
  id: string;
  stage: Stage;
  /** The rule, in one line. */
  rule: string;
  files: Record<string, string>;
  /** A Git checkout with this origin and branch; null: a plain copy without .git. */
  git: { url: string; branch: string } | null;
  expect: Expected;
  /** How flux judges the fixture, or why it cannot. */
  flux: FluxJudge | { cannot: string };
}

export const ORIGIN = 'https://git.example.com/acme/fleet.git';

/** Removes the indentation common to a template's lines (and its first empty line). */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n') + '\n';
}

/** `flux bootstrap`'s gotk-sync.yaml and flux-system/kustomization.yaml for a cluster folder. */
function bootstrap(clusterFolder: string, extraSpec = ''): Record<string, string> {
  return {
    [`${clusterFolder}/flux-system/gotk-sync.yaml`]:
      yaml`
      ---
      apiVersion: source.toolkit.fluxcd.io/v1
      kind: GitRepository
      metadata:
        name: flux-system
        namespace: flux-system
      spec:
        interval: 1m0s
        ref:
          branch: main
        url: ${ORIGIN}
      ---
      apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: flux-system
        namespace: flux-system
      spec:
        interval: 10m0s
        path: ./${clusterFolder}
        prune: true
        sourceRef:
          kind: GitRepository
          name: flux-system
      ` + extraSpec,
    [`${clusterFolder}/flux-system/kustomization.yaml`]: yaml`
      apiVersion: kustomize.config.k8s.io/v1beta1
      kind: Kustomization
      resources:
        - gotk-sync.yaml
      `,
  };
}

const FLUX_SYSTEM = [
  'source.toolkit.fluxcd.io/v1 GitRepository flux-system/flux-system',
  'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/flux-system',
];

/** A Flux Kustomization in flux-system; `spec` lines are added under spec (4 spaces deep). */
function fluxKs(name: string, specPath: string | null, spec = '', source = 'flux-system'): string {
  return (
    yaml`
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata:
      name: ${name}
      namespace: flux-system
    spec:
      interval: 10m
      prune: true
      sourceRef:
        kind: GitRepository
        name: ${source}
    ` +
    (specPath === null ? '' : `  path: ${specPath}\n`) +
    spec
  );
}

function configMap(name: string, namespace: string | null, labels = ''): string {
  return (
    yaml`
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: ${name}
    ` +
    (namespace ? `  namespace: ${namespace}\n` : '') +
    labels +
    'data:\n  key: value\n'
  );
}

function kustomization(body: string): string {
  return 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' + body;
}

/** The usual small tree: bootstrap for clusters/prod and a child Kustomization `apps` on ./apps. */
function prodWithApps(apps: Record<string, string>, appsSpec = ''): Record<string, string> {
  return {
    ...bootstrap('clusters/prod'),
    'clusters/prod/apps.yaml': fluxKs('apps', './apps', appsSpec),
    ...Object.fromEntries(Object.entries(apps).map(([k, v]) => [`apps/${k}`, v])),
  };
}

const PROD_ROOT: FluxJudge['roots'][number] = {
  cluster: 'prod',
  name: 'flux-system',
  path: './clusters/prod',
  file: 'clusters/prod/flux-system/gotk-sync.yaml',
};

const PROD_APPS_ROOT_OBJECTS = [
  ...FLUX_SYSTEM,
  'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/apps',
];

const git = { url: ORIGIN, branch: 'main' };

// ---------------------------------------------------------------------------------------------
// Roots

/** The tree every root fixture syncs: apps.yaml in the cluster folder, one ConfigMap in apps/. */
const syncedTree: Record<string, string> = {
  'clusters/prod/apps.yaml': fluxKs('apps', './apps'),
  'apps/kustomization.yaml': kustomization('resources:\n  - web.yaml\n'),
  'apps/web.yaml': configMap('web', 'default'),
};

const fluxInstanceSync = yaml`
  sync:
    kind: GitRepository
    url: ${ORIGIN}
    ref: refs/heads/main
    path: clusters/prod
  `;

function indent(text: string, by: number): string {
  return text
    .split('\n')
    .map((l) => (l ? ' '.repeat(by) + l : l))
    .join('\n');
}

function fluxInstanceRelease(values: string, valuesFrom = ''): string {
  return (
    yaml`
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: HelmRepository
    metadata:
      name: controlplaneio
      namespace: flux-system
    spec:
      type: oci
      url: oci://registry.example.com/controlplaneio-fluxcd/charts
    ---
    apiVersion: helm.toolkit.fluxcd.io/v2
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
            name: controlplaneio
    ` +
    valuesFrom +
    values
  );
}

/** The Kustomization a FluxInstance (or the flux-instance chart) creates for clusters/prod. */
const OPERATOR_ROOT: FluxJudge['roots'][number] = {
  cluster: 'prod',
  name: 'flux-system',
  path: './clusters/prod',
  source: { kind: 'GitRepository', name: 'flux-system' },
};

const operatorExpect: Expected = {
  clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
  applies: {
    'prod flux-system/flux-system': ['kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/apps'],
    'prod flux-system/apps': ['v1 ConfigMap default/web'],
  },
  problems: [],
};

const roots: RuleFixture[] = [
  {
    id: 'roots/bootstrap',
    stage: 'roots',
    rule: "flux bootstrap's gotk-sync.yaml (GitRepository + Kustomization) is a root; its spec.path is the cluster folder",
    files: { ...bootstrap('clusters/prod'), ...syncedTree },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: {
        'prod flux-system/flux-system': PROD_APPS_ROOT_OBJECTS,
        'prod flux-system/apps': ['v1 ConfigMap default/web'],
      },
      problems: [],
    },
    flux: { roots: [PROD_ROOT] },
  },
  {
    id: 'roots/placeholder',
    stage: 'roots',
    rule: 'a placeholder gotk-sync.yaml (no documents yet): the folder holding flux-system/ is the root',
    files: {
      'clusters/staging/flux-system/gotk-sync.yaml': '# flux bootstrap writes this file\n',
      'clusters/staging/apps.yaml': fluxKs('apps', './apps'),
      'apps/kustomization.yaml': kustomization('resources:\n  - web.yaml\n'),
      'apps/web.yaml': configMap('web', 'default'),
    },
    git,
    expect: {
      clusters: { staging: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: {
        'staging flux-system/flux-system': ['kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/apps'],
        'staging flux-system/apps': ['v1 ConfigMap default/web'],
      },
      problems: [],
    },
    flux: {
      roots: [
        {
          cluster: 'staging',
          name: 'flux-system',
          path: './clusters/staging',
          source: { kind: 'GitRepository', name: 'flux-system' },
        },
      ],
    },
  },
  {
    id: 'roots/flux-instance',
    stage: 'roots',
    rule: 'a FluxInstance file: spec.sync {kind, url, ref, path} is a root, its name defaulting to flux-system',
    files: {
      'clusters/prod/flux-system/flux-instance.yaml':
        yaml`
        apiVersion: fluxcd.controlplane.io/v1
        kind: FluxInstance
        metadata:
          name: flux
          namespace: flux-system
        spec:
          distribution:
            version: "2.x"
            registry: registry.example.com/fluxcd
        ` + indent(fluxInstanceSync, 2),
      ...syncedTree,
    },
    git,
    expect: {
      ...operatorExpect,
      applies: {
        ...operatorExpect.applies,
        'prod flux-system/flux-system': [
          'fluxcd.controlplane.io/v1 FluxInstance flux-system/flux',
          'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/apps',
        ],
      },
    },
    flux: { roots: [OPERATOR_ROOT] },
  },
  {
    id: 'roots/flux-instance-chart-inline',
    stage: 'roots',
    rule: "the flux-instance chart's HelmRelease with instance.sync in spec.values is a root",
    files: {
      'bootstrap/flux-instance/release.yaml': fluxInstanceRelease(
        '  values:\n    instance:\n' + indent(fluxInstanceSync, 6),
      ),
      ...syncedTree,
    },
    git,
    expect: operatorExpect,
    flux: { roots: [OPERATOR_ROOT] },
  },
  {
    id: 'roots/flux-instance-chart-values-file',
    stage: 'roots',
    rule: "the flux-instance chart's values from a values file made into a ConfigMap by configMapGenerator",
    files: {
      'bootstrap/flux-instance/release.yaml': fluxInstanceRelease(
        '',
        '  valuesFrom:\n    - kind: ConfigMap\n      name: flux-instance-values\n',
      ),
      'bootstrap/flux-instance/values.yaml': 'instance:\n' + indent(fluxInstanceSync, 2),
      'bootstrap/flux-instance/kustomization.yaml': kustomization(yaml`
        resources:
          - release.yaml
        configMapGenerator:
          - name: flux-instance-values
            namespace: flux-system
            files:
              - values.yaml
        `),
      ...syncedTree,
    },
    git,
    expect: operatorExpect,
    flux: { roots: [OPERATOR_ROOT] },
  },
  {
    id: 'roots/flux-instance-chart-values-from-configmap',
    stage: 'roots',
    rule: "the flux-instance chart's values from a ConfigMap of the repository named in valuesFrom",
    files: {
      'bootstrap/flux-instance/release.yaml':
        fluxInstanceRelease('', '  valuesFrom:\n    - kind: ConfigMap\n      name: instance-values\n') +
        '---\n' +
        yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: instance-values
          namespace: flux-system
        data:
          values.yaml: |
            instance:
        ` +
        indent(fluxInstanceSync, 6),
      ...syncedTree,
    },
    git,
    expect: operatorExpect,
    flux: { roots: [OPERATOR_ROOT] },
  },
  {
    id: 'roots/not-applied',
    stage: 'roots',
    rule: 'a Kustomization no root reaches is not applied, and not a cluster',
    files: {
      ...bootstrap('clusters/prod'),
      'standalone/ks.yaml': fluxKs('stray', './standalone/app'),
      'standalone/app/cm.yaml': configMap('stray', 'default'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system'] },
      applies: { 'prod flux-system/flux-system': FLUX_SYSTEM },
      orphans: ['standalone/app/cm.yaml', 'standalone/ks.yaml'],
      problems: [{ severity: 'info', code: 'outside-flux', file: 'standalone/ks.yaml', says: 'standalone/' }],
    },
    flux: { roots: [PROD_ROOT] },
  },
  {
    id: 'roots/unique-names',
    stage: 'roots',
    rule: 'cluster names are unique: two roots whose folders end alike are named with their parent folder',
    files: { ...bootstrap('clusters/eu/prod'), ...bootstrap('clusters/us/prod') },
    git,
    expect: {
      clusters: { 'eu/prod': ['flux-system/flux-system'], 'us/prod': ['flux-system/flux-system'] },
      applies: {
        'eu/prod flux-system/flux-system': FLUX_SYSTEM,
        'us/prod flux-system/flux-system': FLUX_SYSTEM,
      },
      problems: [],
    },
    flux: {
      roots: [
        {
          cluster: 'eu/prod',
          name: 'flux-system',
          path: './clusters/eu/prod',
          file: 'clusters/eu/prod/flux-system/gotk-sync.yaml',
        },
        {
          cluster: 'us/prod',
          name: 'flux-system',
          path: './clusters/us/prod',
          file: 'clusters/us/prod/flux-system/gotk-sync.yaml',
        },
      ],
    },
  },
];

// ---------------------------------------------------------------------------------------------
// kustomize

/** A kustomize fixture: the usual tree whose apps/ holds `apps`, expected to apply `objects`. */
function kustomizeFixture(
  id: string,
  rule: string,
  apps: Record<string, string>,
  objects: string[],
  more: Partial<Expected> = {},
  appsSpec = '',
): RuleFixture {
  return {
    id: `kustomize/${id}`,
    stage: 'kustomize',
    rule,
    files: prodWithApps(apps, appsSpec),
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: { 'prod flux-system/flux-system': PROD_APPS_ROOT_OBJECTS, 'prod flux-system/apps': objects },
      problems: [],
      ...more,
    },
    flux: { roots: [PROD_ROOT] },
  };
}

const component = (body: string): string =>
  'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n' + body;

const kustomizeRules: RuleFixture[] = [
  kustomizeFixture(
    'namespace-renames-namespace',
    '`namespace:` renames v1/Namespace objects (the `name: _` idiom) and sets it on namespaced ones',
    {
      'kustomization.yaml': kustomization('namespace: team-a\nresources:\n  - ns.yaml\n  - cm.yaml\n'),
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: _\n',
      'cm.yaml': configMap('settings', null),
    },
    ['v1 Namespace /team-a', 'v1 ConfigMap team-a/settings'],
  ),
  kustomizeFixture(
    'namespace-scope',
    '`namespace:` goes on custom resources (even cluster-scoped ones kustomize does not know) but not on cluster-scoped builtins',
    {
      'kustomization.yaml': kustomization('namespace: team-a\nresources:\n  - objects.yaml\n'),
      'objects.yaml': yaml`
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata:
          name: web
        spec:
          endpoints: []
        ---
        apiVersion: cert-manager.io/v1
        kind: ClusterIssuer
        metadata:
          name: letsencrypt
        spec: {}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: reader
        rules: []
        ---
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata:
          name: fast
        provisioner: example.com/fast
        `,
    },
    [
      'monitoring.coreos.com/v1 ServiceMonitor team-a/web',
      'cert-manager.io/v1 ClusterIssuer team-a/letsencrypt',
      'rbac.authorization.k8s.io/v1 ClusterRole /reader',
      'storage.k8s.io/v1 StorageClass /fast',
    ],
  ),
  kustomizeFixture(
    'components',
    "components listed in kustomization.yaml add their resources, and the parent's namespace reaches them",
    {
      'kustomization.yaml': kustomization(
        'namespace: shop\nresources:\n  - cm.yaml\ncomponents:\n  - ../components/extra\n',
      ),
      'cm.yaml': configMap('settings', null),
      '../components/extra/kustomization.yaml': component('resources:\n  - extra.yaml\n'),
      '../components/extra/extra.yaml': configMap('extra', null),
    },
    ['v1 ConfigMap shop/settings', 'v1 ConfigMap shop/extra'],
  ),
  kustomizeFixture(
    'flux-spec-components',
    "a Flux Kustomization's spec.components are read relative to its spec.path",
    {
      'kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
      'cm.yaml': configMap('settings', 'shop'),
      '../components/extra/kustomization.yaml': component('resources:\n  - extra.yaml\n'),
      '../components/extra/extra.yaml': configMap('extra', 'shop'),
    },
    ['v1 ConfigMap shop/settings', 'v1 ConfigMap shop/extra'],
    {},
    '  components:\n    - ../components/extra\n',
  ),
  kustomizeFixture(
    'patches',
    'patches: JSON 6902 by kind and by name regex, strategic merge by labelSelector and by the patch own name; a patch file is not an object',
    {
      'kustomization.yaml': kustomization(yaml`
        resources:
          - objects.yaml
        patches:
          - target:
              kind: ConfigMap
              name: "cache-.*"
            patch: |-
              - op: add
                path: /metadata/namespace
                value: cache
          - target:
              kind: Service
            patch: |-
              - op: add
                path: /metadata/namespace
                value: web
          - target:
              kind: Deployment
              labelSelector: tier=legacy
            patch: |-
              apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: any
              $patch: delete
          - path: drop-debug.yaml
        `),
      'objects.yaml': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cache-a
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cache-b
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: debug
          namespace: web
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - port: 80
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: web
        spec:
          template:
            spec:
              containers: []
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: old-web
          namespace: web
          labels:
            tier: legacy
        spec:
          template:
            spec:
              containers: []
        `,
      'drop-debug.yaml': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: debug
          namespace: web
        $patch: delete
        `,
    },
    [
      'v1 ConfigMap cache/cache-a',
      'v1 ConfigMap cache/cache-b',
      'v1 Service web/web',
      'apps/v1 Deployment web/web',
    ],
  ),
  {
    id: 'kustomize/patch-child-kustomization',
    stage: 'kustomize',
    rule: "a patch on a child Kustomization's spec.path, spec.targetNamespace and spec.postBuild is what Flux builds it with",
    files: {
      ...bootstrap('clusters/prod'),
      'clusters/prod/kustomization.yaml': kustomization(yaml`
        resources:
          - flux-system
          - apps.yaml
        patches:
          - target:
              kind: Kustomization
              name: apps
            patch: |-
              - op: replace
                path: /spec/path
                value: ./apps/prod
              - op: add
                path: /spec/targetNamespace
                value: prod-apps
              - op: add
                path: /spec/postBuild
                value:
                  substitute:
                    env: prod
        `),
      'clusters/prod/apps.yaml': fluxKs('apps', './apps/base'),
      'apps/base/kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
      'apps/base/cm.yaml': configMap('settings-${env}', 'default'),
      'apps/prod/kustomization.yaml': kustomization('resources:\n  - ../base\n'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: {
        'prod flux-system/flux-system': PROD_APPS_ROOT_OBJECTS,
        'prod flux-system/apps': ['v1 ConfigMap prod-apps/settings-prod'],
      },
      problems: [],
    },
    flux: { roots: [PROD_ROOT] },
  },
  kustomizeFixture(
    'replacements',
    'replacements copy a field of one object into fields of others',
    {
      'kustomization.yaml': kustomization(yaml`
        resources:
          - objects.yaml
        replacements:
          - source:
              kind: ConfigMap
              name: placement
              fieldPath: data.namespace
            targets:
              - select:
                  kind: Service
                fieldPaths:
                  - metadata.namespace
                options:
                  create: true
        `),
      'objects.yaml': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: placement
          namespace: default
        data:
          namespace: shop
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - port: 80
        `,
    },
    ['v1 ConfigMap default/placement', 'v1 Service shop/web'],
  ),
  {
    ...kustomizeFixture(
      'remote-resources',
      'a remote resource (URL, git base) is external: listed, never fetched, never "missing"',
      {
        'kustomization.yaml': kustomization(
          'resources:\n  - https://git.example.com/acme/shared//base?ref=v1.0.0\n  - cm.yaml\n',
        ),
        'cm.yaml': configMap('settings', 'default'),
      },
      ['v1 ConfigMap default/settings'],
      { remote: ['https://git.example.com/acme/shared//base?ref=v1.0.0'] },
    ),
    flux: {
      cannot:
        'kustomize fetches remote bases over the network, which tests do not have: flux build fails on the URL',
    },
  },
  kustomizeFixture(
    'generators',
    'configMapGenerator/secretGenerator objects get a content hash suffix, unless disableNameSuffixHash',
    {
      'kustomization.yaml': kustomization(yaml`
        namespace: shop
        configMapGenerator:
          - name: app-config
            literals:
              - LOG_LEVEL=debug
          - name: fixed-config
            literals:
              - MODE=fixed
            options:
              disableNameSuffixHash: true
        secretGenerator:
          - name: app-secret
            literals:
              - TOKEN=${'${TOKEN}'}
        `),
    },
    // The suffixes are kustomize's own, as flux build prints them.
    [
      'v1 ConfigMap shop/app-config-47668c6k28',
      'v1 ConfigMap shop/fixed-config',
      'v1 Secret shop/app-secret-t99cgdf9c8',
    ],
  ),
  kustomizeFixture(
    'name-prefix-suffix',
    'namePrefix and nameSuffix rename every object but Namespaces and CRDs',
    {
      'kustomization.yaml': kustomization(
        'namePrefix: pre-\nnameSuffix: -suf\nresources:\n  - objects.yaml\n',
      ),
      'objects.yaml':
        configMap('settings', 'default') +
        '---\n' +
        yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: reader
        rules: []
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          names:
            kind: Widget
            plural: widgets
          scope: Namespaced
          versions: []
        `,
    },
    [
      'v1 ConfigMap default/pre-settings-suf',
      'v1 Namespace /team',
      'rbac.authorization.k8s.io/v1 ClusterRole /pre-reader-suf',
      'apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.example.com',
    ],
  ),
  kustomizeFixture(
    'generator-inputs',
    'generators read files (key = file name or given) and env files; generatorOptions labels; the hash covers the data as read',
    {
      'kustomization.yaml': kustomization(yaml`
        namespace: shop
        generatorOptions:
          labels:
            app: shop
        configMapGenerator:
          - name: files-config
            files:
              - config.json
              - nginx=site.conf
          - name: env-config
            envs:
              - settings.env
        `),
      'config.json': '{"greeting": "<hello> & \\"bye\\""}\n',
      'site.conf': 'server {\n  listen 80;\n}\n',
      'settings.env': '# comment\nA=1\nB=two words\n\nC="quoted"\n',
    },
    ['v1 ConfigMap shop/files-config-47dh849tf7', 'v1 ConfigMap shop/env-config-4622767k7f'],
  ),
  kustomizeFixture(
    'generator-merge',
    'an overlay generator with behavior: merge adds to the base one: one object, hashed over the merged data',
    {
      'kustomization.yaml': kustomization(yaml`
        resources:
          - ./base
        configMapGenerator:
          - name: app-config
            namespace: shop
            behavior: merge
            literals:
              - MODE=overlay
        `),
      'base/kustomization.yaml': kustomization(yaml`
        configMapGenerator:
          - name: app-config
            namespace: shop
            literals:
              - LOG_LEVEL=info
              - MODE=base
        `),
    },
    ['v1 ConfigMap shop/app-config-4gdh56mmkc'],
  ),
  {
    ...kustomizeFixture(
      'plain-folder',
      'a spec.path without kustomization.yaml: every manifest below, recursively, a subfolder with its own kustomization.yaml as one unit',
      {
        'web.yaml': configMap('web', 'default'),
        'nested/deeper/worker.yaml': configMap('worker', 'default'),
        'unit/kustomization.yaml': kustomization('namespace: unit\nresources:\n  - cm.yaml\n'),
        'unit/cm.yaml': configMap('unit', null),
        'unit/unlisted.yaml': configMap('unlisted', 'default'),
        'notes.txt': 'not a manifest\n',
      },
      ['v1 ConfigMap default/web', 'v1 ConfigMap default/worker', 'v1 ConfigMap unit/unit'],
      {
        orphans: ['apps/unit/unlisted.yaml'],
        problems: [
          {
            severity: 'warning',
            code: 'not-applied',
            file: 'apps/unit/kustomization.yaml',
            says: 'add "unlisted.yaml" to the resources of apps/unit/kustomization.yaml',
          },
        ],
      },
    ),
  },
  kustomizeFixture(
    'target-namespace',
    "a Flux Kustomization's spec.targetNamespace wins over kustomization.yaml's namespace and renames Namespace objects too",
    {
      'kustomization.yaml': kustomization('namespace: ignored\nresources:\n  - objects.yaml\n'),
      'objects.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: placeholder\n---\n' +
        configMap('settings', 'elsewhere') +
        '---\n' +
        yaml`
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: readers
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: view
        subjects: []
        `,
    },
    [
      'v1 Namespace /team-b',
      'v1 ConfigMap team-b/settings',
      'rbac.authorization.k8s.io/v1 ClusterRoleBinding /readers',
    ],
    {},
    '  targetNamespace: team-b\n',
  ),
];

// ---------------------------------------------------------------------------------------------
// postBuild

/** The cluster folder's vars.yaml: a ConfigMap and Secret for substituteFrom. */
const substituteFrom = yaml`
  substituteFrom:
    - kind: ConfigMap
      name: cluster-vars
    - kind: Secret
      name: cluster-secrets
  `;

const postBuild: RuleFixture[] = [
  {
    id: 'postbuild/substitute-forms',
    stage: 'postbuild',
    rule: 'postBuild.substitute: ${VAR}, ${VAR:=default}, ${VAR:-default}, $${VAR} kept literal, unset → empty',
    files: prodWithApps(
      {
        'kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
        'cm.yaml': [
          configMap('plain-${app}', 'default'),
          configMap('assign-${unset:=fallback}', 'default'),
          configMap('dash-${empty:-dflt}', 'default'),
          configMap('literal-$${app}', 'default'),
          configMap('gone-${unset}x', 'default'),
        ].join('---\n'),
      },
      '  postBuild:\n    substitute:\n      app: shop\n      empty: ""\n',
    ),
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: {
        'prod flux-system/flux-system': PROD_APPS_ROOT_OBJECTS,
        'prod flux-system/apps': [
          'v1 ConfigMap default/plain-shop',
          'v1 ConfigMap default/assign-fallback',
          'v1 ConfigMap default/dash-dflt',
          'v1 ConfigMap default/literal-${app}',
          'v1 ConfigMap default/gone-x',
        ],
      },
      problems: [],
    },
    flux: { roots: [PROD_ROOT] },
  },
  {
    id: 'postbuild/substitute-from',
    stage: 'postbuild',
    rule: 'postBuild.substituteFrom reads a ConfigMap and a Secret (data base64, stringData) defined in the repository',
    files: {
      ...prodWithApps(
        {
          'kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
          'cm.yaml': configMap('app-${region}-${tier}-${zone}', 'default'),
        },
        '  postBuild:\n' + indent(substituteFrom, 4),
      ),
      'clusters/prod/vars.yaml':
        configMap('cluster-vars', 'flux-system').replace('key: value', 'region: eu') +
        '---\n' +
        yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: cluster-secrets
          namespace: flux-system
        data:
          tier: Z29sZA==
        stringData:
          zone: b
        `,
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: {
        'prod flux-system/flux-system': [
          ...PROD_APPS_ROOT_OBJECTS,
          'v1 ConfigMap flux-system/cluster-vars',
          'v1 Secret flux-system/cluster-secrets',
        ],
        'prod flux-system/apps': ['v1 ConfigMap default/app-eu-gold-b'],
      },
      problems: [{ severity: 'warning', code: 'plaintext-secret', file: 'clusters/prod/vars.yaml' }],
    },
    flux: {
      cannot:
        'flux build --dry-run skips postBuild.substituteFrom (it would read the ConfigMaps and Secrets from a cluster)',
    },
  },
  {
    id: 'postbuild/sops-secret-keys',
    stage: 'postbuild',
    rule: 'a SOPS Secret in substituteFrom gives its keys with unknown values: they stay ${VAR}; other variables become empty',
    files: {
      ...bootstrap(
        'clusters/prod',
        '  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n',
      ),
      'clusters/prod/apps.yaml': fluxKs(
        'apps',
        './apps',
        '  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: cluster-secrets\n',
      ),
      'clusters/prod/secrets.sops.yaml': yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: cluster-secrets
          namespace: flux-system
        stringData:
          token: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]
        sops:
          age:
            - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
              enc: |
                -----BEGIN AGE ENCRYPTED FILE-----
                -----END AGE ENCRYPTED FILE-----
          lastmodified: "2025-01-01T00:00:00Z"
          mac: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]
          version: 3.9.0
        `,
      'apps/kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
      'apps/cm.yaml': configMap('token-${token}-${other}x', 'default'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: {
        'prod flux-system/flux-system': [...PROD_APPS_ROOT_OBJECTS, 'v1 Secret flux-system/cluster-secrets'],
        'prod flux-system/apps': ['v1 ConfigMap default/token-${token}-x'],
      },
      problems: [],
    },
    flux: {
      cannot:
        'flux build --dry-run skips substituteFrom, and decrypting the Secret needs its key: only the cluster knows the values',
    },
  },
  {
    id: 'postbuild/symbolic-path',
    stage: 'postbuild',
    rule: 'a ${VAR} in a child spec.path that the repository cannot resolve is information, never an error',
    files: {
      ...bootstrap('clusters/prod'),
      'clusters/prod/apps.yaml': fluxKs('apps', './apps/${cluster_name}'),
      'apps/prod/kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
      'apps/prod/cm.yaml': configMap('settings', 'default'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: { 'prod flux-system/flux-system': PROD_APPS_ROOT_OBJECTS, 'prod flux-system/apps': [] },
      problems: [
        {
          severity: 'info',
          code: 'symbolic-path',
          file: 'clusters/prod/apps.yaml',
          line: 12,
          says: '${cluster_name}',
        },
        // What the path may point to is not reached, so not applied, but not forgotten either.
        { severity: 'info', code: 'outside-flux', file: 'apps/prod/cm.yaml', says: 'apps/' },
      ],
      orphans: ['apps/prod/cm.yaml'],
    },
    flux: {
      cannot:
        'the variable comes from the cluster (a substituteFrom the parent does not have here): flux build fails on the path ./apps/${cluster_name}',
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Sources

const gitRepository = (name: string, url: string, branch: string): string => yaml`
  apiVersion: source.toolkit.fluxcd.io/v1
  kind: GitRepository
  metadata:
    name: ${name}
    namespace: flux-system
  spec:
    interval: 1m
    url: ${url}
    ref:
      branch: ${branch}
  `;

const sources: RuleFixture[] = [
  {
    id: 'sources/checkout-by-url-and-branch',
    stage: 'sources',
    rule: 'a GitRepository is this checkout only when its URL is a remote of it and its branch is the checked-out one',
    files: {
      ...bootstrap('clusters/prod'),
      'clusters/prod/sources.yaml': [
        gitRepository('fleet-main', 'ssh://git@git.example.com/acme/fleet.git', 'main'),
        gitRepository('fleet-dev', ORIGIN, 'dev'),
      ].join('---\n'),
      'clusters/prod/apps.yaml': [
        fluxKs('apps-main', './apps', '', 'fleet-main'),
        fluxKs('apps-dev', './apps', '', 'fleet-dev'),
      ].join('---\n'),
      'apps/kustomization.yaml': kustomization('resources:\n  - web.yaml\n'),
      'apps/web.yaml': configMap('web', 'default'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps-main', 'flux-system/apps-dev'] },
      applies: {
        'prod flux-system/flux-system': [
          ...FLUX_SYSTEM,
          'source.toolkit.fluxcd.io/v1 GitRepository flux-system/fleet-main',
          'source.toolkit.fluxcd.io/v1 GitRepository flux-system/fleet-dev',
          'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/apps-main',
          'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/apps-dev',
        ],
        'prod flux-system/apps-main': ['v1 ConfigMap default/web'],
        'prod flux-system/apps-dev': [],
      },
      external: ['flux-system/apps-dev'],
      problems: [],
    },
    flux: {
      roots: [PROD_ROOT],
      sources: {
        'GitRepository/flux-system/flux-system': '.',
        'GitRepository/flux-system/fleet-main': '.',
        'GitRepository/flux-system/fleet-dev': { standIn: ['apps'] },
      },
    },
  },
  {
    id: 'sources/external-without-path',
    stage: 'sources',
    rule: "a Kustomization on another repository's source, with no spec.path, is external and builds nothing here",
    files: {
      ...bootstrap('clusters/prod'),
      'clusters/prod/tenant.yaml':
        gitRepository('tenant', 'https://git.example.com/acme/tenant.git', 'main') +
        '---\n' +
        fluxKs('tenant', null, '', 'tenant'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/tenant'] },
      applies: {
        'prod flux-system/flux-system': [
          ...FLUX_SYSTEM,
          'source.toolkit.fluxcd.io/v1 GitRepository flux-system/tenant',
          'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/tenant',
        ],
        'prod flux-system/tenant': [],
      },
      external: ['flux-system/tenant'],
      problems: [],
    },
    flux: {
      roots: [PROD_ROOT],
      sources: {
        'GitRepository/flux-system/flux-system': '.',
        'GitRepository/flux-system/tenant': { standIn: [] },
      },
    },
  },
  {
    id: 'sources/oci-root-folder',
    stage: 'sources',
    rule: 'an OCIRepository sync root reads the folder the artifact is pushed from: where its path exists',
    files: {
      'kubernetes/clusters/prod/flux-instance.yaml': yaml`
        apiVersion: fluxcd.controlplane.io/v1
        kind: FluxInstance
        metadata:
          name: flux
          namespace: flux-system
        spec:
          distribution:
            version: "2.x"
            registry: registry.example.com/fluxcd
          sync:
            kind: OCIRepository
            url: oci://registry.example.com/acme/fleet
            ref: latest
            path: clusters/prod
        `,
      'kubernetes/clusters/prod/apps.yaml': fluxKs('apps', './apps').replace(
        'kind: GitRepository',
        'kind: OCIRepository',
      ),
      'kubernetes/apps/kustomization.yaml': kustomization('resources:\n  - web.yaml\n'),
      'kubernetes/apps/web.yaml': configMap('web', 'default'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps'] },
      applies: {
        'prod flux-system/flux-system': [
          'fluxcd.controlplane.io/v1 FluxInstance flux-system/flux',
          'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/apps',
        ],
        'prod flux-system/apps': ['v1 ConfigMap default/web'],
      },
      problems: [
        {
          severity: 'info',
          code: 'oci-folder',
          file: 'kubernetes/clusters/prod/flux-instance.yaml',
          says: 'kubernetes/',
        },
      ],
    },
    flux: {
      roots: [
        {
          cluster: 'prod',
          name: 'flux-system',
          path: './kubernetes/clusters/prod',
          source: { kind: 'OCIRepository', name: 'flux-system' },
        },
      ],
      sources: { 'OCIRepository/flux-system/flux-system': 'kubernetes' },
    },
  },
  {
    id: 'sources/no-git',
    stage: 'sources',
    rule: "without .git the scan says so once, and sources with another URL than the root's are external",
    files: {
      ...bootstrap('clusters/prod'),
      'clusters/prod/apps.yaml': fluxKs('apps', './apps'),
      'clusters/prod/other.yaml':
        gitRepository('other', 'https://git.example.com/acme/other.git', 'main') +
        '---\n' +
        fluxKs('other-apps', './apps', '', 'other'),
      'apps/kustomization.yaml': kustomization('resources:\n  - web.yaml\n'),
      'apps/web.yaml': configMap('web', 'default'),
    },
    git: null,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/apps', 'flux-system/other-apps'] },
      applies: {
        'prod flux-system/flux-system': [
          ...PROD_APPS_ROOT_OBJECTS,
          'source.toolkit.fluxcd.io/v1 GitRepository flux-system/other',
          'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/other-apps',
        ],
        'prod flux-system/apps': ['v1 ConfigMap default/web'],
        'prod flux-system/other-apps': [],
      },
      external: ['flux-system/other-apps'],
      problems: [],
      notices: [/is not a Git checkout/],
    },
    flux: {
      roots: [PROD_ROOT],
      sources: {
        'GitRepository/flux-system/flux-system': '.',
        'GitRepository/flux-system/other': { standIn: ['apps'] },
      },
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Intent

function intentFixture(
  id: string,
  rule: string,
  apps: Record<string, string>,
  objects: string[],
  more: Partial<Expected>,
): RuleFixture {
  return { ...kustomizeFixture(id, rule, apps, objects, more), id: `intent/${id}`, stage: 'intent' };
}

const webApp = {
  'web/kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
  'web/cm.yaml': configMap('web', 'default'),
};
const apiApp = {
  'api/kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
  'api/cm.yaml': configMap('api', 'default'),
};

const intent: RuleFixture[] = [
  intentFixture(
    'commented-entry',
    'an entry commented out (`# - ./api`) is disabled on purpose: information',
    { 'kustomization.yaml': kustomization('resources:\n  - ./web\n  # - ./api\n'), ...webApp, ...apiApp },
    ['v1 ConfigMap default/web'],
    {
      orphans: ['apps/api/cm.yaml'],
      problems: [{ severity: 'info', code: 'disabled', file: 'apps/api/cm.yaml', says: 'apps/api/' }],
    },
  ),
  {
    id: 'intent/commented-in-overlay',
    stage: 'intent',
    rule: 'an entry commented out in any kustomization file a build reads (an overlay listing ks.yaml files) is disabled',
    files: {
      ...bootstrap('clusters/prod'),
      'clusters/prod/kustomization.yaml': kustomization(
        'resources:\n  - flux-system\n  - ../../apps/web/ks.yaml\n  # - ../../apps/api/ks.yaml\n',
      ),
      'apps/web/ks.yaml': fluxKs('web', './apps/web/app'),
      'apps/web/app/kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
      'apps/web/app/cm.yaml': configMap('web', 'default'),
      'apps/api/ks.yaml': fluxKs('api', './apps/api/app'),
      'apps/api/app/kustomization.yaml': kustomization('resources:\n  - cm.yaml\n'),
      'apps/api/app/cm.yaml': configMap('api', 'default'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system', 'flux-system/web'] },
      applies: {
        'prod flux-system/flux-system': [
          ...FLUX_SYSTEM,
          'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/web',
        ],
        'prod flux-system/web': ['v1 ConfigMap default/web'],
      },
      orphans: ['apps/api/app/cm.yaml', 'apps/api/ks.yaml'],
      problems: [{ severity: 'info', code: 'disabled', file: 'apps/api/ks.yaml', says: 'apps/api/' }],
    },
    flux: { roots: [PROD_ROOT] },
  },
  intentFixture(
    'empty-resources',
    '`resources: []` lists nothing on purpose: the folders beside it are disabled, information',
    { 'kustomization.yaml': kustomization('resources: []\n'), ...webApp },
    [],
    {
      orphans: ['apps/web/cm.yaml'],
      problems: [{ severity: 'info', code: 'disabled', file: 'apps/web/cm.yaml', says: 'apps/web/' }],
    },
  ),
  intentFixture(
    'forgotten-folder',
    'a folder beside applied ones that nothing lists is a warning on the kustomization.yaml, with the line to add',
    { 'kustomization.yaml': kustomization('resources:\n  - ./web\n'), ...webApp, ...apiApp },
    ['v1 ConfigMap default/web'],
    {
      orphans: ['apps/api/cm.yaml'],
      problems: [
        {
          severity: 'warning',
          code: 'not-applied',
          file: 'apps/kustomization.yaml',
          line: 3,
          says: 'add "./api" to the resources of apps/kustomization.yaml',
        },
      ],
    },
  ),
  {
    id: 'intent/shared-base',
    stage: 'intent',
    rule: 'a folder forgotten in a base that several overlays share is reported without advice to add it there',
    files: {
      ...bootstrap('clusters/staging'),
      ...bootstrap('clusters/production'),
      'clusters/staging/apps.yaml': fluxKs('apps', './apps/staging'),
      'clusters/production/apps.yaml': fluxKs('apps', './apps/production'),
      'apps/staging/kustomization.yaml': kustomization('resources:\n  - ../base\n'),
      'apps/production/kustomization.yaml': kustomization('resources:\n  - ../base\n'),
      'apps/base/kustomization.yaml': kustomization('resources:\n  - ./web\n'),
      ...Object.fromEntries(Object.entries({ ...webApp, ...apiApp }).map(([k, v]) => [`apps/base/${k}`, v])),
    },
    git,
    expect: {
      clusters: {
        staging: ['flux-system/flux-system', 'flux-system/apps'],
        production: ['flux-system/flux-system', 'flux-system/apps'],
      },
      applies: {
        'staging flux-system/flux-system': PROD_APPS_ROOT_OBJECTS,
        'staging flux-system/apps': ['v1 ConfigMap default/web'],
        'production flux-system/flux-system': PROD_APPS_ROOT_OBJECTS,
        'production flux-system/apps': ['v1 ConfigMap default/web'],
      },
      orphans: ['apps/base/api/cm.yaml'],
      problems: [
        {
          severity: 'warning',
          code: 'not-applied',
          file: 'apps/base/kustomization.yaml',
          says: 'shared',
          saysNot: 'add "',
        },
      ],
    },
    flux: {
      roots: ['staging', 'production'].map((c) => ({
        cluster: c,
        name: 'flux-system',
        path: `./clusters/${c}`,
        file: `clusters/${c}/flux-system/gotk-sync.yaml`,
      })),
    },
  },
  intentFixture(
    'secret-references',
    'a Secret holding only ${…} placeholders or secret-manager references is not plaintext; one with a value is',
    {
      'kustomization.yaml': kustomization('resources:\n  - secrets.yaml\n'),
      'secrets.yaml': yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: references
          namespace: default
        stringData:
          password: ${'${DB_PASSWORD}'}
          token: op://vault/item/field
          key: ref+vault://secret/app#key
          cert: vault:secret/data/app#cert
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: real
          namespace: default
        stringData:
          password: hunter2
        `,
    },
    ['v1 Secret default/references', 'v1 Secret default/real'],
    {
      problems: [{ severity: 'warning', code: 'plaintext-secret', file: 'apps/secrets.yaml', says: 'real' }],
    },
  ),
  {
    id: 'intent/argocd-managed',
    stage: 'intent',
    rule: 'a folder an Argo CD Application of the repository reads is managed by Argo CD: information',
    files: {
      ...bootstrap('clusters/prod'),
      'clusters/prod/argocd-app.yaml': yaml`
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: guestbook
          namespace: argocd
        spec:
          project: default
          source:
            repoURL: ${ORIGIN}
            path: argo/guestbook
          destination:
            server: https://kubernetes.default.svc
            namespace: guestbook
        `,
      'argo/guestbook/cm.yaml': configMap('guestbook', 'guestbook'),
    },
    git,
    expect: {
      clusters: { prod: ['flux-system/flux-system'] },
      applies: {
        'prod flux-system/flux-system': [...FLUX_SYSTEM, 'argoproj.io/v1alpha1 Application argocd/guestbook'],
      },
      orphans: ['argo/guestbook/cm.yaml'],
      problems: [
        { severity: 'info', code: 'argocd-managed', file: 'argo/guestbook/cm.yaml', says: 'Argo CD' },
      ],
    },
    flux: { roots: [PROD_ROOT] },
  },
  intentFixture(
    'unused-component',
    'a kustomize Component folder that nothing uses is information',
    {
      'kustomization.yaml': kustomization('resources:\n  - ./web\n'),
      ...webApp,
      'optional/kustomization.yaml': component('resources:\n  - cm.yaml\n'),
      'optional/cm.yaml': configMap('optional', 'default'),
    },
    ['v1 ConfigMap default/web'],
    {
      orphans: ['apps/optional/cm.yaml'],
      problems: [
        { severity: 'info', code: 'unused-component', file: 'apps/optional/cm.yaml', says: 'apps/optional/' },
      ],
    },
  ),
];

/** Every rule fixture, by stage. */
export const RULE_FIXTURES: RuleFixture[] = [
  ...roots,
  ...kustomizeRules,
  ...postBuild,
  ...sources,
  ...intent,
];

/** Writes a fixture into a new temporary folder (a Git checkout when it says so) and returns it. */
export function materialise(f: RuleFixture): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rule-${f.id.replace(/\W/g, '-')}-`));
  for (const [rel, text] of Object.entries(f.files)) {
    const file = path.resolve(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  if (f.git) {
    execFileSync('git', ['init', '-q', '-b', f.git.branch, dir], { timeout: 30_000 });
    execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', f.git.url], { timeout: 30_000 });
  }
  return dir;
}

/** What the model says about a fixture, in the shape of {@link Expected}. */
export function observe(model: RepoModel, dir: string): Required<Expected> {
  const rel = (p: string): string => path.relative(dir, p).split(path.sep).join('/');
  const id = (k: { namespace: string; name: string }): string => `${k.namespace}/${k.name}`;
  const clusters: Record<string, string[]> = {};
  const applies: Record<string, string[]> = {};
  for (const c of model.clusters) {
    clusters[c.name] = c.kustomizations.map((k) => id(model.kustomizations.get(k)!));
    for (const key of c.kustomizations) {
      applies[`${c.name} ${id(model.kustomizations.get(key)!)}`] = model.objects
        .filter((o) => o.appliedBy.includes(key))
        .map((o) => `${o.apiVersion} ${o.kind} ${o.namespace}/${o.name}`)
        .sort();
    }
  }
  return {
    clusters,
    applies,
    external: [...model.kustomizations.values()]
      .filter((k) => k.external)
      .map(id)
      .sort(),
    problems: model.problems
      .map((p) => ({ severity: p.severity, code: p.code, file: rel(p.file), line: p.line, says: p.message }))
      .sort(byProblem),
    orphans: model.orphans.map(rel).sort(),
    remote: model.remoteResources.map((r) => r.url).sort(),
    notices: model.notices.map((n) => new RegExp(n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))),
  };
}

export function byProblem(a: ExpectedProblem, b: ExpectedProblem): number {
  return `${a.file} ${a.code} ${a.severity}`.localeCompare(`${b.file} ${b.code} ${b.severity}`);
}

/** Asserts the model of a fixture against its expectation, part by part; each failure prints what the model said. */
export function assertRule(f: RuleFixture, model: RepoModel, dir: string): void {
  const seen = observe(model, dir);
  const want = f.expect;
  assert.deepEqual(seen.clusters, want.clusters, `${f.id}: clusters`);
  const wanted = Object.fromEntries(Object.entries(want.applies).map(([k, v]) => [k, [...v].sort()]));
  assert.deepEqual(seen.applies, wanted, `${f.id}: objects each Kustomization applies`);
  assert.deepEqual(seen.external, [...(want.external ?? [])].sort(), `${f.id}: external Kustomizations`);
  assert.deepEqual(seen.orphans, [...(want.orphans ?? [])].sort(), `${f.id}: files nothing applies`);
  assert.deepEqual(seen.remote, [...(want.remote ?? [])].sort(), `${f.id}: remote resources`);
  const problems = [...want.problems].sort(byProblem);
  assert.deepEqual(
    seen.problems.map(({ severity, code, file }) => ({ severity, code, file })),
    problems.map(({ severity, code, file }) => ({ severity, code, file })),
    `${f.id}: problems ${JSON.stringify(seen.problems, null, 1)}`,
  );
  problems.forEach((p, i) => {
    const message = seen.problems[i].says ?? '';
    if (p.line !== undefined) assert.equal(seen.problems[i].line, p.line, `${f.id}: line of "${message}"`);
    if (p.says) assert.ok(message.includes(p.says), `${f.id}: "${message}" should say ${p.says}`);
    if (p.saysNot)
      assert.ok(!message.includes(p.saysNot), `${f.id}: "${message}" should not say ${p.saysNot}`);
  });
  assert.equal(
    model.notices.length,
    (want.notices ?? []).length,
    `${f.id}: notices ${JSON.stringify(model.notices)}`,
  );
  (want.notices ?? []).forEach((n, i) => assert.match(model.notices[i], n));
}
