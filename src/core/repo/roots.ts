/**
 * Where a cluster starts. A cluster is a sync root and nothing else: `flux bootstrap`'s
 * gotk-sync.yaml (or the placeholder bootstrap fills in later), a Flux Operator FluxInstance's
 * `spec.sync` (declared as a file or through the flux-instance Helm chart's values), or a
 * Kustomization that applies itself (a hand-made bootstrap). Anything else is reached from a root
 * or is not applied at all.
 */
import * as path from 'node:path';
import { applyJsonPatch, matchesSelector, strategicMerge, type Selector } from './patch';
import { asObj, str, type Obj } from './values';
import { parseYaml } from './yaml';

/** A document of the repository as written. */
export interface RepoDoc {
  file: string;
  index: number;
  line: number;
  value: Obj;
  /** Set on the objects a ResourceSet templates (see withEmbedded): that ResourceSet. */
  embeddedIn?: { kind: string; name: string; namespace: string };
}

export type RootKind = 'bootstrap' | 'placeholder' | 'flux-instance' | 'self-managed' | 'inferred';

/** The source a sync root reads, as the FluxInstance or gotk-sync.yaml declares it. */
export interface SyncSource {
  kind: string;
  name: string;
  namespace: string;
  url: string | null;
  ref: string | null;
}

export interface SyncRoot {
  kind: RootKind;
  /** The Kustomization the root creates or is. */
  name: string;
  namespace: string;
  /** spec of that Kustomization (path, sourceRef, postBuild...). */
  spec: Obj;
  apiVersion: string;
  /** Where it is declared: the Kustomization document, the FluxInstance, or the values' sync. */
  file: string;
  line: number;
  docIndex: number;
  /** The source object the root creates (FluxInstance, placeholder), when not a document. */
  source: SyncSource | null;
  /** The FluxInstance or flux-instance HelmRelease that declares a `flux-instance` root. */
  declaredBy?: { kind: string; name: string; namespace: string };
  /** The ResourceSet that templates that FluxInstance. */
  templatedBy?: { kind: string; name: string; namespace: string };
  /** The FluxInstance's spec.distribution.version. */
  distribution?: string | null;
}

export function isFluxKustomization(o: Obj): boolean {
  return (
    o.kind === 'Kustomization' &&
    typeof o.apiVersion === 'string' &&
    o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')
  );
}

/** Text of another file of the repository (values files, generator inputs). */
export interface RootHost {
  readText(file: string): string | null;
  /** configMapGenerator entries of every kustomization file: name → key → file. */
  generatedConfigMaps(): Map<string, Map<string, string>>;
}

function deepMerge(a: unknown, b: unknown): unknown {
  const ao = asObj(a);
  const bo = asObj(b);
  if (!ao || !bo) return b === undefined ? a : b;
  const out: Obj = { ...ao };
  for (const [k, v] of Object.entries(bo)) out[k] = deepMerge(out[k], v);
  return out;
}

/**
 * The Kustomization a FluxInstance generates after its `spec.kustomize.patches` (the operator
 * applies them to every object it renders, the sync Kustomization included: decryption,
 * postBuild...). A patch is a strategic merge patch or a JSON 6902 list, chosen by its target or,
 * without one, by the patch's own kind and name.
 */
function patchedSyncKustomization(kustomization: Obj, kustomize: Obj | null): Obj {
  let out = kustomization;
  for (const entry of Array.isArray(kustomize?.patches) ? kustomize.patches : []) {
    const p = asObj(entry);
    const text = str(p?.patch);
    if (!p || text === null) continue;
    const target = asObj(p.target) as Selector | null;
    for (const doc of parseYaml(text).docs.map((d) => d.value)) {
      const smp = asObj(doc);
      const selects = target
        ? matchesSelector(out, target)
        : !!smp && smp.kind === out.kind && asObj(smp.metadata)?.name === asObj(out.metadata)?.name;
      if (!selects) continue;
      if (Array.isArray(doc)) {
        try {
          out = applyJsonPatch(structuredClone(out), doc);
        } catch {
          // The operator fails on a JSON patch whose path is absent; keep the Kustomization.
        }
      } else if (smp) {
        out = strategicMerge(out, smp) as Obj;
      }
    }
  }
  return out;
}

/** A FluxInstance's `spec.sync` as the Kustomization and source it creates. */
function fromSync(
  sync: Obj,
  kustomize: Obj | null,
  namespace: string,
  at: { file: string; line: number; docIndex: number },
): SyncRoot | null {
  const p = str(sync.path);
  if (p === null) return null;
  const name = str(sync.name) || 'flux-system';
  const kind = str(sync.kind) || 'GitRepository';
  const generated = patchedSyncKustomization(
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name, namespace },
      spec: { path: p, sourceRef: { kind, name, namespace } },
    },
    kustomize,
  );
  return {
    kind: 'flux-instance',
    name,
    namespace,
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    spec: asObj(generated.spec) ?? {},
    ...at,
    source: { kind, name, namespace, url: str(sync.url), ref: str(sync.ref) },
  };
}

/** The values a HelmRelease gives its chart: valuesFrom ConfigMaps of the repository, then spec.values. */
function helmValues(hr: Obj, docs: RepoDoc[], host: RootHost): Obj {
  const spec = asObj(hr.spec) ?? {};
  let values: unknown = {};
  const ns = str(asObj(hr.metadata)?.namespace);
  for (const ref of Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []) {
    const r = asObj(ref);
    if (!r || str(r.kind) !== 'ConfigMap') continue;
    const name = str(r.name) ?? '';
    const key = str(r.valuesKey) ?? 'values.yaml';
    let text: string | null = null;
    const cm = docs.find(
      (d) =>
        d.value.kind === 'ConfigMap' &&
        str(asObj(d.value.metadata)?.name) === name &&
        (!ns || !str(asObj(d.value.metadata)?.namespace) || str(asObj(d.value.metadata)?.namespace) === ns),
    );
    if (cm) text = str(asObj(cm.value.data)?.[key]);
    if (text === null) {
      const file = host.generatedConfigMaps().get(name)?.get(key);
      if (file) text = host.readText(file);
    }
    if (text === null) continue;
    const parsed = parseYaml(text).docs[0]?.value;
    const target = str(r.targetPath);
    if (target) continue;
    values = deepMerge(values, parsed);
  }
  return (deepMerge(values, spec.values) as Obj | null) ?? {};
}

function isFluxInstanceChart(hr: Obj, docs: RepoDoc[]): boolean {
  const spec = asObj(hr.spec) ?? {};
  const chart = str(asObj(asObj(spec.chart)?.spec)?.chart);
  if (chart && /(^|\/)flux-instance$/.test(chart)) return true;
  const chartRef = asObj(spec.chartRef);
  if (!chartRef) return false;
  const name = str(chartRef.name) ?? '';
  const oci = docs.find(
    (d) => d.value.kind === 'OCIRepository' && str(asObj(d.value.metadata)?.name) === name,
  );
  const url = str(asObj(oci?.value.spec)?.url) ?? '';
  return /\/flux-instance\/?$/.test(url) || (!oci && name === 'flux-instance');
}

/** Documents, with the objects a ResourceSet templates (its spec.resources) as documents too. */
export function withEmbedded(docs: RepoDoc[]): RepoDoc[] {
  const out: RepoDoc[] = [];
  for (const d of docs) {
    out.push(d);
    if (d.value.kind === 'ResourceSet' && Array.isArray(asObj(d.value.spec)?.resources)) {
      const m = asObj(d.value.metadata) ?? {};
      const embeddedIn = { kind: 'ResourceSet', name: str(m.name) ?? '', namespace: str(m.namespace) ?? '' };
      for (const r of asObj(d.value.spec)!.resources as unknown[]) {
        const o = asObj(r);
        if (o) out.push({ ...d, value: o, embeddedIn });
      }
    }
  }
  return out;
}

/** Sync roots declared by documents (gotk-sync.yaml, FluxInstance, the flux-instance chart). */
export function declaredRoots(gitRoot: string, files: string[], docs: RepoDoc[], host: RootHost): SyncRoot[] {
  const roots: SyncRoot[] = [];
  const docsByFile = new Map<string, RepoDoc[]>();
  for (const d of docs) {
    let l = docsByFile.get(d.file);
    if (!l) docsByFile.set(d.file, (l = []));
    l.push(d);
  }
  for (const file of files) {
    if (path.basename(file) !== 'gotk-sync.yaml' || path.basename(path.dirname(file)) !== 'flux-system')
      continue;
    const ks = (docsByFile.get(file) ?? []).filter((d) => isFluxKustomization(d.value));
    if (ks.length > 0) {
      for (const d of ks) {
        const m = asObj(d.value.metadata) ?? {};
        roots.push({
          kind: 'bootstrap',
          name: str(m.name) ?? 'flux-system',
          namespace: str(m.namespace) ?? 'flux-system',
          apiVersion: str(d.value.apiVersion) ?? '',
          spec: asObj(d.value.spec) ?? {},
          file,
          line: d.line,
          docIndex: d.index,
          source: null,
        });
      }
    } else if ((docsByFile.get(file) ?? []).length === 0) {
      // The placeholder the official examples ship: bootstrap syncs the folder holding flux-system/.
      const folder = path
        .relative(gitRoot, path.dirname(path.dirname(file)))
        .split(path.sep)
        .join('/');
      roots.push({
        kind: 'placeholder',
        name: 'flux-system',
        namespace: 'flux-system',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        spec: { path: `./${folder}`, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
        file,
        line: 1,
        docIndex: -1,
        source: {
          kind: 'GitRepository',
          name: 'flux-system',
          namespace: 'flux-system',
          url: null,
          ref: null,
        },
      });
    }
  }
  for (const d of withEmbedded(docs)) {
    const v = d.value;
    const apiVersion = str(v.apiVersion) ?? '';
    const m = asObj(v.metadata) ?? {};
    if (v.kind === 'FluxInstance' && apiVersion.startsWith('fluxcd.controlplane.io/')) {
      const spec = asObj(v.spec);
      const sync = asObj(spec?.sync);
      const r =
        sync &&
        fromSync(sync, asObj(spec?.kustomize), str(m.namespace) ?? 'flux-system', {
          file: d.file,
          line: d.line,
          docIndex: d.index,
        });
      if (r) {
        r.declaredBy = { kind: 'FluxInstance', name: str(m.name) ?? '', namespace: r.namespace };
        r.templatedBy = d.embeddedIn;
        r.distribution = str(asObj(asObj(v.spec)?.distribution)?.version);
        roots.push(r);
      }
    } else if (
      v.kind === 'HelmRelease' &&
      apiVersion.startsWith('helm.toolkit.fluxcd.io/') &&
      isFluxInstanceChart(v, docs)
    ) {
      const values = helmValues(v, docs, host);
      const instance = asObj(values.instance);
      const sync = asObj(instance?.sync);
      const spec = asObj(v.spec) ?? {};
      const ns = str(spec.targetNamespace) ?? str(m.namespace) ?? 'flux-system';
      const r =
        sync &&
        fromSync(sync, asObj(instance?.kustomize), ns, { file: d.file, line: d.line, docIndex: d.index });
      if (r) {
        r.declaredBy = { kind: 'HelmRelease', name: str(m.name) ?? '', namespace: str(m.namespace) ?? ns };
        r.templatedBy = d.embeddedIn;
        r.distribution = str(asObj(asObj(values.instance)?.distribution)?.version);
        roots.push(r);
      }
    }
  }
  // One root per Kustomization: the same sync declared twice (a chart and its values) counts once.
  const seen = new Set<string>();
  return roots.filter((r) => {
    const k = `${r.namespace}/${r.name}/${String(r.spec.path)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
