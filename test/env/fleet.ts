// A small Flux repository for tests with the real controllers (flux.ts): a cluster folder
// bootstrapped by gotk-sync.yaml (GitRepository + Kustomization flux-system pointing at the local
// Git server), an infra and an apps Kustomization (apps dependsOn infra), ConfigMaps, and a
// HelmRelease of a chart from the local Helm repository. Every object becomes ready without a
// kubelet. Also written by the integration harness as the workspace of the `flux` run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChartFile } from './flux';

export const FLEET_CLUSTER = 'dev';
export const FLEET_REPO = 'fleet';

/** The chart the fleet's HelmRelease installs: a ConfigMap recording the release's revision. */
export const DEMO_CHART: ChartFile = {
  name: 'demo',
  version: '1.0.0',
  templates: {
    'configmap.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n' +
      'data:\n  greeting: {{ .Values.greeting | quote }}\n  revision: {{ .Release.Revision | quote }}\n',
  },
  values: 'greeting: hello\n',
};

export interface FleetUrls {
  /** The Git server's base URL; the fleet lives at `${gitUrl}/fleet.git`. */
  gitUrl: string;
  helmRepoUrl: string;
}

/** Until a Git server runs: URLs that say so (the harness writes the workspace before the server starts). */
export const PLACEHOLDER_URLS: FleetUrls = {
  gitUrl: 'http://127.0.0.1:9/not-started',
  helmRepoUrl: 'http://127.0.0.1:9/not-started/static/charts/',
};

const kustomization = (name: string, path: string, extra = '') =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata:',
    `  name: ${name}`,
    '  namespace: flux-system',
    'spec:',
    '  interval: 10m',
    `  path: ${path}`,
    '  prune: true',
    '  sourceRef:',
    '    kind: GitRepository',
    '    name: flux-system',
    extra,
  ]
    .filter(Boolean)
    .join('\n') + '\n';

export const configMapYaml = (name: string, namespace: string, data: Record<string, string>): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n` +
  Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join('');

const namespaceYaml = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

/** The fleet's files, by path. */
export function fleetFiles(urls: FleetUrls): Record<string, string> {
  const cluster = `clusters/${FLEET_CLUSTER}`;
  return {
    // The editor's workspace settings (the test's kubeconfig path) are not part of the fleet.
    '.gitignore': '.vscode/\n',
    [`${cluster}/flux-system/gotk-sync.yaml`]:
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata:',
        '  name: flux-system',
        '  namespace: flux-system',
        'spec:',
        '  interval: 10m',
        '  ref:',
        '    branch: main',
        `  url: ${urls.gitUrl}/${FLEET_REPO}.git`,
        '---',
      ].join('\n') +
      '\n' +
      kustomization('flux-system', `./${cluster}`),
    [`${cluster}/flux-system/kustomization.yaml`]:
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n',
    [`${cluster}/infra.yaml`]: kustomization('infra', './infra'),
    [`${cluster}/apps.yaml`]: kustomization('apps', './apps', '  dependsOn:\n    - name: infra'),
    'infra/namespace.yaml': namespaceYaml('infra'),
    'infra/settings.yaml': configMapYaml('infra-settings', 'infra', { tier: 'infra' }),
    'apps/namespace.yaml': namespaceYaml('apps'),
    'apps/settings.yaml': configMapYaml('app-settings', 'apps', { color: 'blue' }),
    'apps/release.yaml': [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata:',
      '  name: charts',
      '  namespace: apps',
      'spec:',
      '  interval: 10m',
      `  url: ${urls.helmRepoUrl}`,
      '---',
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      `  name: ${DEMO_CHART.name}`,
      '  namespace: apps',
      'spec:',
      '  interval: 10m',
      '  chart:',
      '    spec:',
      `      chart: ${DEMO_CHART.name}`,
      '      version: "1.x"',
      '      sourceRef:',
      '        kind: HelmRepository',
      '        name: charts',
      '  values:',
      '    greeting: from-git',
      '',
    ].join('\n'),
  };
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Writes the fleet into `dir` (the harness's workspace for the `flux` run). */
export function writeFleet(dir: string, urls: FleetUrls = PLACEHOLDER_URLS): void {
  writeFiles(dir, fleetFiles(urls));
}
