/** What the repository model needs from one YAML file: a small summary per document. */
import { lineOf, parseYaml, type YamlIssue } from './yaml';
import { asObj, isSopsEncrypted, str, type Obj } from './values';

export type { Obj };

export interface RefAt {
  kind: string;
  name: string;
  /** Empty when not written (the referrer's namespace applies). */
  namespace: string;
  line: number;
}

export interface FluxKsSpec {
  path: string;
  pathLine: number;
  dependsOn: RefAt[];
  sourceRef: RefAt | null;
  interval: string | null;
  suspend: boolean;
  targetNamespace: string | null;
  decryption: { provider: string; secretRef: string | null } | null;
}

export interface HelmSpec {
  chart: string | null;
  version: string | null;
  sourceRef: RefAt | null;
  chartRef: RefAt | null;
  dependsOn: RefAt[];
}

export interface KustEntry {
  value: string;
  line: number;
  /** Absolute path, filled in by the first expansion that resolves it. */
  abs?: string;
}

/** The parts of a kustomize kustomization.yaml that decide what is applied. */
export interface KustConfig {
  resources: KustEntry[];
  components: KustEntry[];
  namespace: string | null;
  namePrefix: string;
  nameSuffix: string;
  /** Files kustomize reads but does not apply as resources (patches, generator inputs...). */
  inputs: KustEntry[];
  line: number;
  /** Line of the `resources:` key (where a forgotten folder should be added). */
  resourcesLine: number;
}

export interface DocSummary {
  index: number;
  line: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace as written ('' when absent). */
  namespace: string;
  /** A top-level `sops:` block with mac or lastmodified. */
  sopsEncrypted: boolean;
  /** Secret with data or stringData. */
  secretHasData: boolean;
  fluxKs?: FluxKsSpec;
  helm?: HelmSpec;
  /** spec.url of source objects (GitRepository, OCIRepository, HelmRepository, Bucket). */
  url?: string;
  /** The whole document as plain JS: what a kustomize build starts from. Never mutated. */
  value: Obj;
}

export interface ParsedFile {
  path: string;
  docs: DocSummary[];
  errors: YamlIssue[];
  /** Set when the file is the kustomize config of its folder. */
  kustomize: KustConfig | null;
  /** The kustomize config document as written (patches, generators, transformers). */
  kustomizeValue?: Obj;
  /** Raw first document, kept only for `.sops.yaml`. */
  raw?: unknown;
  /** True when at least one document is a Kubernetes object (apiVersion and kind). */
  hasManifests: boolean;
  fast: boolean;
}

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

function line(container: unknown, key: string | number, fallback: number): number {
  return lineOf(container, key) ?? fallback;
}

function refAt(parent: Obj | null, key: string, fallback: number, defaultKind = ''): RefAt | null {
  const r = asObj(parent?.[key]);
  if (!r) return null;
  const name = str(r.name);
  if (!name) return null;
  return {
    kind: str(r.kind) ?? defaultKind,
    name,
    namespace: str(r.namespace) ?? '',
    line: line(parent, key, fallback),
  };
}

function dependsOn(spec: Obj, kind: string, fallback: number): RefAt[] {
  const list = spec.dependsOn;
  if (!Array.isArray(list)) return [];
  const out: RefAt[] = [];
  list.forEach((item, i) => {
    const o = asObj(item);
    const name = str(o?.name);
    if (name) out.push({ kind, name, namespace: str(o?.namespace) ?? '', line: line(list, i, fallback) });
  });
  return out;
}

function entries(v: unknown, fallback: number): KustEntry[] {
  if (typeof v === 'string') return [{ value: v, line: fallback }];
  if (!Array.isArray(v)) return [];
  const out: KustEntry[] = [];
  v.forEach((item, i) => {
    const s = str(item);
    if (s !== null && s !== '') out.push({ value: s, line: line(v, i, fallback) });
  });
  return out;
}

/** Paths of a list of `{path: ...}` objects, or of plain strings that are not inline patches. */
function pathEntries(v: unknown, fallback: number): KustEntry[] {
  if (!Array.isArray(v)) return [];
  const out: KustEntry[] = [];
  v.forEach((item, i) => {
    const l = line(v, i, fallback);
    if (typeof item === 'string') {
      // patchesStrategicMerge accepts inline patches; a file name has no newline.
      if (!item.includes('\n')) out.push({ value: item, line: l });
      return;
    }
    const p = str(asObj(item)?.path);
    if (p) out.push({ value: p, line: l });
  });
  return out;
}

function generatorInputs(v: unknown, fallback: number): KustEntry[] {
  if (!Array.isArray(v)) return [];
  const out: KustEntry[] = [];
  v.forEach((item, i) => {
    const g = asObj(item);
    if (!g) return;
    const l = line(v, i, fallback);
    for (const f of entries(g.files, l)) {
      const eq = f.value.indexOf('=');
      out.push({ value: eq >= 0 ? f.value.slice(eq + 1) : f.value, line: f.line });
    }
    for (const f of entries(g.envs, l)) out.push(f);
    const env = str(g.env);
    if (env) out.push({ value: env, line: line(g, 'env', l) });
  });
  return out;
}

function kustConfig(doc: Obj, docLine: number): KustConfig {
  const inputs: KustEntry[] = [
    ...pathEntries(doc.patches, docLine),
    ...pathEntries(doc.patchesStrategicMerge, docLine),
    ...pathEntries(doc.patchesJson6902, docLine),
    ...pathEntries(doc.replacements, docLine),
    ...generatorInputs(doc.configMapGenerator, docLine),
    ...generatorInputs(doc.secretGenerator, docLine),
    ...entries(doc.crds, docLine),
    ...entries(doc.configurations, docLine),
    ...entries(doc.generators, docLine).filter((e) => !e.value.includes('\n')),
    ...entries(doc.transformers, docLine).filter((e) => !e.value.includes('\n')),
    ...entries(doc.validators, docLine).filter((e) => !e.value.includes('\n')),
  ];
  if (Array.isArray(doc.helmCharts)) {
    doc.helmCharts.forEach((h, i) => {
      const vf = str(asObj(h)?.valuesFile);
      if (vf) inputs.push({ value: vf, line: line(doc.helmCharts, i, docLine) });
    });
  }
  const openapi = str(asObj(doc.openapi)?.path);
  if (openapi) inputs.push({ value: openapi, line: line(doc, 'openapi', docLine) });
  return {
    resources: [
      ...entries(doc.resources, line(doc, 'resources', docLine)),
      // `bases` is the deprecated spelling of folder resources; kustomize still reads it.
      ...entries(doc.bases, line(doc, 'bases', docLine)),
    ],
    components: entries(doc.components, line(doc, 'components', docLine)),
    namespace: str(doc.namespace) || null,
    namePrefix: str(doc.namePrefix) ?? '',
    nameSuffix: str(doc.nameSuffix) ?? '',
    inputs,
    line: docLine,
    resourcesLine: line(doc, 'resources', docLine),
  };
}

function fluxKsSpec(spec: Obj, docLine: number): FluxKsSpec {
  const dec = asObj(spec.decryption);
  return {
    path: str(spec.path) ?? '',
    pathLine: line(spec, 'path', docLine),
    dependsOn: dependsOn(spec, 'Kustomization', docLine),
    sourceRef: refAt(spec, 'sourceRef', docLine),
    interval: str(spec.interval),
    suspend: spec.suspend === true,
    targetNamespace: str(spec.targetNamespace) || null,
    decryption: dec
      ? { provider: str(dec.provider) ?? '', secretRef: str(asObj(dec.secretRef)?.name) ?? null }
      : null,
  };
}

function helmSpec(spec: Obj, docLine: number): HelmSpec {
  const chart = asObj(spec.chart);
  const chartSpec = asObj(chart?.spec);
  return {
    chart: str(chartSpec?.chart),
    version: str(chartSpec?.version),
    sourceRef: refAt(chartSpec, 'sourceRef', docLine),
    chartRef: refAt(spec, 'chartRef', docLine),
    dependsOn: dependsOn(spec, 'HelmRelease', docLine),
  };
}

/** True when apiVersion belongs to a Flux toolkit group (e.g. kustomize.toolkit.fluxcd.io/v1). */
export function isFluxGroup(apiVersion: string, group: string): boolean {
  return apiVersion.startsWith(group + '.toolkit.fluxcd.io/');
}

/** True for kustomize's own config kinds, which are never applied to a cluster. */
export function isKustomizeConfig(apiVersion: string): boolean {
  return apiVersion.startsWith('kustomize.config.k8s.io/');
}

/** Summarises one YAML file; never throws. `basename` decides whether it is a kustomize config. */
export function summarizeFile(path: string, text: string, basename: string): ParsedFile {
  const { docs, errors, fast } = parseYaml(text);
  const out: ParsedFile = { path, docs: [], errors, kustomize: null, hasManifests: false, fast };
  const isKustFile = KUSTOMIZATION_FILES.includes(basename);
  if (basename === '.sops.yaml') out.raw = docs[0]?.value ?? null;
  for (const d of docs) {
    const doc = asObj(d.value);
    if (!doc) continue;
    const apiVersion = str(doc.apiVersion) ?? '';
    const kind = str(doc.kind) ?? '';
    if (isKustFile && d.index === 0 && (apiVersion === '' || isKustomizeConfig(apiVersion))) {
      out.kustomize = kustConfig(doc, d.line);
      out.kustomizeValue = doc;
      continue;
    }
    if (!apiVersion || !kind) continue;
    const meta = asObj(doc.metadata);
    const spec = asObj(doc.spec);
    const summary: DocSummary = {
      index: d.index,
      line: d.line,
      apiVersion,
      kind,
      name: str(meta?.name) ?? '',
      namespace: str(meta?.namespace) ?? '',
      sopsEncrypted: isSopsEncrypted(doc),
      secretHasData: kind === 'Secret' && (asObj(doc.data) !== null || asObj(doc.stringData) !== null),
      value: doc,
    };
    if (spec) {
      if (kind === 'Kustomization' && isFluxGroup(apiVersion, 'kustomize')) {
        summary.fluxKs = fluxKsSpec(spec, d.line);
      } else if (kind === 'HelmRelease' && isFluxGroup(apiVersion, 'helm')) {
        summary.helm = helmSpec(spec, d.line);
      } else if (isFluxGroup(apiVersion, 'source')) {
        const url = str(spec.url);
        if (url) summary.url = url;
      }
    } else if (kind === 'Kustomization' && isFluxGroup(apiVersion, 'kustomize')) {
      summary.fluxKs = fluxKsSpec({}, d.line);
    }
    if (!isKustomizeConfig(apiVersion)) out.hasManifests = true;
    out.docs.push(summary);
  }
  return out;
}
