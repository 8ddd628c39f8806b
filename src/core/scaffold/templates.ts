/**
 * Templates of the files a new app gets. A repository can override any of them with a file of the
 * same name in `.flux-gitops/templates/` at its root (the workspace folder or the Git root):
 *
 *   release.yaml        HelmRelease from a HelmRepository chart
 *   release-oci.yaml    HelmRelease from an OCIRepository (spec.chartRef)
 *   deployment.yaml     plain manifests (Deployment, and a Service when a port is given)
 *   ns.yaml             the Namespace
 *   kustomization.yaml  the app's kustomization.yaml ({{resources}} alone on a line: one `- file` per line)
 *   secrets.yaml        the Secret (its keys are added under stringData/data, never written in a template)
 *   helmrepository.yaml / ocirepository.yaml   a new chart source
 *
 * Placeholders are `{{name}}`: name, namespace, interval, chart, version, sourceKind, sourceName,
 * sourceNamespace, url, image, port, secretName, resources, and the API versions helmReleaseApiVersion,
 * sourceApiVersion, kustomizeApiVersion. An unknown placeholder, or one with no value for this app
 * (e.g. {{port}} without a port), is an error. Overridden templates are written as they are; the
 * built-in ones are re-indented to the repository's style.
 */
import * as path from 'node:path';

export const TEMPLATE_DIR = path.join('.flux-gitops', 'templates');

export type TemplateName =
  | 'release.yaml'
  | 'release-oci.yaml'
  | 'deployment.yaml'
  | 'ns.yaml'
  | 'kustomization.yaml'
  | 'secrets.yaml'
  | 'helmrepository.yaml'
  | 'ocirepository.yaml';

export const PLACEHOLDERS = [
  'name',
  'namespace',
  'interval',
  'chart',
  'version',
  'sourceKind',
  'sourceName',
  'sourceNamespace',
  'url',
  'image',
  'port',
  'secretName',
  'resources',
  'helmReleaseApiVersion',
  'sourceApiVersion',
  'kustomizeApiVersion',
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

export const BUILTIN_TEMPLATES: Record<TemplateName, string> = {
  'ns.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: {{namespace}}
`,
  'release.yaml': `apiVersion: {{helmReleaseApiVersion}}
kind: HelmRelease
metadata:
  name: {{name}}
  namespace: {{namespace}}
spec:
  interval: {{interval}}
  chart:
    spec:
      chart: {{chart}}
      version: "{{version}}"
      sourceRef:
        kind: {{sourceKind}}
        name: {{sourceName}}
        namespace: {{sourceNamespace}}
`,
  'release-oci.yaml': `apiVersion: {{helmReleaseApiVersion}}
kind: HelmRelease
metadata:
  name: {{name}}
  namespace: {{namespace}}
spec:
  interval: {{interval}}
  chartRef:
    kind: OCIRepository
    name: {{sourceName}}
    namespace: {{sourceNamespace}}
`,
  'deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{name}}
  namespace: {{namespace}}
  labels:
    app.kubernetes.io/name: {{name}}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {{name}}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{name}}
    spec:
      containers:
        - name: {{name}}
          image: {{image}}
`,
  'kustomization.yaml': `apiVersion: {{kustomizeApiVersion}}
kind: Kustomization
resources:
  {{resources}}
`,
  'secrets.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: {{secretName}}
  namespace: {{namespace}}
type: Opaque
`,
  'helmrepository.yaml': `apiVersion: {{sourceApiVersion}}
kind: HelmRepository
metadata:
  name: {{sourceName}}
  namespace: {{sourceNamespace}}
spec:
  interval: {{interval}}
  url: {{url}}
`,
  'ocirepository.yaml': `apiVersion: {{sourceApiVersion}}
kind: OCIRepository
metadata:
  name: {{sourceName}}
  namespace: {{sourceNamespace}}
spec:
  interval: {{interval}}
  url: {{url}}
  ref:
    tag: "{{version}}"
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
    operation: copy
`,
};

export interface LoadedTemplate {
  text: string;
  /** Absolute path of the repository's override, or null for the built-in one. */
  override: string | null;
}

/** The repository's override of a template when it has one, else the built-in template. */
export function loadTemplate(
  name: TemplateName,
  repoRoots: string[],
  read: (file: string) => string | undefined,
): LoadedTemplate {
  for (const root of repoRoots) {
    const file = path.join(root, TEMPLATE_DIR, name);
    const text = read(file);
    if (text !== undefined) return { text, override: file };
  }
  return { text: BUILTIN_TEMPLATES[name], override: null };
}

export type Values = Partial<Record<Placeholder, string | string[]>>;

/**
 * Replaces `{{key}}` placeholders. A list value must stand alone on its line and becomes one
 * `- item` line per element at that indentation. Throws on unknown or missing placeholders.
 */
export function renderTemplate(text: string, values: Values, label: string): string {
  const known = new Set<string>(PLACEHOLDERS);
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const alone = /^(\s*)\{\{\s*([A-Za-z]+)\s*\}\}\s*$/.exec(line);
    if (alone && Array.isArray(values[alone[2] as Placeholder])) {
      for (const item of values[alone[2] as Placeholder] as string[]) out.push(`${alone[1]}- ${item}`);
      continue;
    }
    out.push(
      line.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, key: string) => {
        if (!known.has(key)) throw new Error(`${label}: unknown placeholder {{${key}}}`);
        const v = values[key as Placeholder];
        if (v === undefined) throw new Error(`${label}: {{${key}}} has no value for this app`);
        if (Array.isArray(v))
          throw new Error(`${label}: {{${key}}} is a list and must stand alone on its line`);
        return v;
      }),
    );
  }
  return out.join('\n');
}
