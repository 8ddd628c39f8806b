/**
 * What the repository already does, to pre-fill the scaffolder's prompts and follow its style:
 * clusters and their app targets, chart sources, charts in use, API versions, file names,
 * indentation and intervals. Reads manifests only (never writes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { FluxKustomization, ManifestObject, RepoModel } from '../repo/model';
import type { SourceRef } from './types';

/** Reads a file as UTF-8, or undefined when it cannot be read. */
export type ReadText = (file: string) => string | undefined;

export const readTextSync: ReadText = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

export interface TargetInfo {
  /** Key of the Flux Kustomization. */
  key: string;
  name: string;
  /** Absolute folder that receives app folders. */
  folder: string;
  /** Its app folders now. */
  apps: string[];
}

export interface ClusterTargets {
  cluster: string;
  folder: string;
  targets: TargetInfo[];
}

export interface SourceInfo extends SourceRef {
  file: string;
  url: string | null;
  /** HelmRepository spec.type ('default' or 'oci'). */
  type: string | null;
  /** How many HelmReleases use it. */
  usedBy: number;
}

export interface ChartUse {
  chart: string;
  /** The version used most with this chart (newest on a tie). */
  version: string | null;
  count: number;
}

export interface RepoStyle {
  /** Spaces per level in manifests. */
  indent: number;
  /** `resources:` items indented under the key (`  - x`) or at its column (`- x`). */
  indentSeq: boolean;
  apiVersions: {
    helmRelease: string;
    helmRepository: string;
    ociRepository: string;
    kustomize: string;
  };
  fileNames: {
    namespace: string;
    release: string;
    deployment: string;
    kustomization: string;
    secret: string;
  };
  /** Whether releases write spec.chart.spec.sourceRef.namespace. */
  sourceRefNamespace: boolean;
  /** Whether chart versions are quoted (`version: "4.1.1"`). */
  quoteVersion: boolean;
  /** HelmRelease spec.interval. */
  interval: string;
  /** Source (HelmRepository/OCIRepository) spec.interval. */
  sourceInterval: string;
  /** Namespace the cluster's sources live in. */
  sourceNamespace: string;
  /** Secrets carry `stringData` (as written by hand before encryption) or `data`. */
  secretField: 'stringData' | 'data';
}

export const DEFAULT_STYLE: RepoStyle = {
  indent: 2,
  indentSeq: true,
  apiVersions: {
    helmRelease: 'helm.toolkit.fluxcd.io/v2',
    helmRepository: 'source.toolkit.fluxcd.io/v1',
    ociRepository: 'source.toolkit.fluxcd.io/v1',
    kustomize: 'kustomize.config.k8s.io/v1beta1',
  },
  fileNames: {
    namespace: 'ns.yaml',
    release: 'release.yaml',
    deployment: 'deployment.yaml',
    kustomization: 'kustomization.yaml',
    secret: 'secrets.yaml',
  },
  sourceRefNamespace: true,
  quoteVersion: true,
  interval: '10m',
  sourceInterval: '1h',
  sourceNamespace: 'flux-system',
  secretField: 'stringData',
};

function mostCommon<T>(values: T[], fallback: T): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = fallback;
  let n = 0;
  for (const [v, c] of counts) {
    if (c > n) {
      best = v;
      n = c;
    }
  }
  return best;
}

function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/);
  const pb = b.replace(/^v/, '').split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const c = !isNaN(nx) && !isNaN(ny) && x !== '' && y !== '' ? nx - ny : x.localeCompare(y);
    if (c !== 0) return c;
  }
  return 0;
}

function clusterKeys(model: RepoModel, cluster: string): Set<string> {
  return new Set(model.clusters.find((c) => c.name === cluster)?.kustomizations ?? []);
}

/** Objects applied by a Kustomization of the cluster (every object when cluster is undefined). */
export function clusterObjects(model: RepoModel, cluster?: string): ManifestObject[] {
  if (cluster === undefined) return model.objects;
  const keys = clusterKeys(model, cluster);
  return model.objects.filter((o) => o.appliedBy.some((k) => keys.has(k)));
}

function isFluxSystemFolder(model: RepoModel, folder: string): boolean {
  return model.objects.some(
    (o) =>
      o.file.startsWith(folder + path.sep) && /^gotk-(components|sync)\.ya?ml$/.test(path.basename(o.file)),
  );
}

/** Clusters and, for each, the Flux Kustomizations whose path holds app folders (in cluster order). */
export function listTargets(model: RepoModel): ClusterTargets[] {
  return model.clusters.map((c) => {
    const all = c.kustomizations
      .map((k) => model.kustomizations.get(k))
      .filter((k): k is FluxKustomization => k !== undefined && !k.external);
    const info = (k: FluxKustomization): TargetInfo => ({
      key: k.key,
      name: k.name,
      folder: k.resolvedPath,
      apps: k.entries.filter((e) => e.isFolder && !isFluxSystemFolder(model, e.path)).map((e) => e.name),
    });
    let targets = all.map(info).filter((t) => t.apps.length > 0 && t.folder !== c.folder);
    if (targets.length === 0) targets = all.filter((k) => k.resolvedPath !== c.folder).map(info);
    if (targets.length === 0) targets = all.map(info);
    return { cluster: c.name, folder: c.folder, targets };
  });
}

interface Docs {
  get(file: string): unknown[];
}

function docCache(read: ReadText): Docs {
  const cache = new Map<string, unknown[]>();
  return {
    get(file) {
      let docs = cache.get(file);
      if (!docs) {
        const text = read(file);
        docs = [];
        if (text !== undefined) {
          try {
            docs = parseAllDocuments(text).flatMap((d) => ('toJS' in d ? [d.toJS() as unknown] : []));
          } catch {
            docs = [];
          }
        }
        cache.set(file, docs);
      }
      return docs;
    },
  };
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function docOf(docs: Docs, o: ManifestObject): Obj {
  return asObj(docs.get(o.file)[o.documentIndex]);
}

interface ReleaseFacts {
  obj: ManifestObject;
  chart: string | null;
  version: string | null;
  sourceKind: string | null;
  sourceName: string | null;
  /** As written, or null when omitted. */
  sourceNamespace: string | null;
  interval: string | null;
}

function releaseFacts(model: RepoModel, docs: Docs, cluster?: string): ReleaseFacts[] {
  return clusterObjects(model, cluster)
    .filter((o) => o.kind === 'HelmRelease')
    .map((o) => {
      const spec = asObj(docOf(docs, o).spec);
      const chartSpec = asObj(asObj(spec.chart).spec);
      const chartRef = asObj(spec.chartRef);
      const ref = Object.keys(chartSpec).length > 0 ? asObj(chartSpec.sourceRef) : chartRef;
      const version = chartSpec.version;
      return {
        obj: o,
        chart: str(chartSpec.chart),
        version: typeof version === 'number' ? String(version) : str(version),
        sourceKind: str(ref.kind),
        sourceName: str(ref.name),
        sourceNamespace: str(ref.namespace),
        interval: str(spec.interval),
      };
    });
}

/** HelmRepository and OCIRepository objects of a cluster, the most used first. */
export function listSources(model: RepoModel, cluster?: string, read: ReadText = readTextSync): SourceInfo[] {
  const docs = docCache(read);
  const releases = releaseFacts(model, docs, cluster);
  const sources = clusterObjects(model, cluster)
    .filter((o) => o.kind === 'HelmRepository' || o.kind === 'OCIRepository')
    .map((o): SourceInfo => {
      const spec = asObj(docOf(docs, o).spec);
      const usedBy = releases.filter(
        (r) =>
          r.sourceKind === o.kind &&
          r.sourceName === o.name &&
          (r.sourceNamespace ?? r.obj.namespace) === o.namespace,
      ).length;
      return {
        kind: o.kind as SourceRef['kind'],
        name: o.name,
        namespace: o.namespace,
        file: o.file,
        url: str(spec.url),
        type: str(spec.type),
        usedBy,
      };
    });
  const seen = new Set<string>();
  return sources
    .filter((s) => {
      const k = `${s.kind}/${s.namespace}/${s.name}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => b.usedBy - a.usedBy);
}

/** Charts used with a source, the most used first, each with its most used version. */
export function chartsForSource(
  model: RepoModel,
  source: SourceRef,
  cluster?: string,
  read: ReadText = readTextSync,
): ChartUse[] {
  const releases = releaseFacts(model, docCache(read), cluster).filter(
    (r) =>
      r.sourceKind === source.kind &&
      r.sourceName === source.name &&
      (r.sourceNamespace ?? r.obj.namespace) === source.namespace &&
      r.chart !== null,
  );
  const byChart = new Map<string, string[]>();
  for (const r of releases) {
    const list = byChart.get(r.chart!) ?? [];
    if (r.version !== null) list.push(r.version);
    byChart.set(r.chart!, list);
  }
  const uses: ChartUse[] = [];
  for (const [chart, versions] of byChart) {
    const counts = new Map<string, number>();
    for (const v of versions) counts.set(v, (counts.get(v) ?? 0) + 1);
    const version =
      [...counts].sort((a, b) => b[1] - a[1] || compareVersions(b[0], a[0])).map((e) => e[0])[0] ?? null;
    uses.push({ chart, version, count: releases.filter((r) => r.chart === chart).length });
  }
  return uses.sort((a, b) => b.count - a.count);
}

/** The chart and version to suggest for a source (null when no release uses it). */
export function suggestChart(
  model: RepoModel,
  source: SourceRef,
  cluster?: string,
  read: ReadText = readTextSync,
): { chart: string; version: string | null } | null {
  const first = chartsForSource(model, source, cluster, read)[0];
  return first ? { chart: first.chart, version: first.version } : null;
}

function leadingIndent(text: string): number | null {
  // The first nested key of a block mapping gives the step (sequences may sit at the key's column).
  for (const line of text.split('\n')) {
    const m = /^( +)[A-Za-z0-9_"'-]+:/.exec(line);
    if (m) return m[1].length;
  }
  return null;
}

function seqIndented(text: string): boolean | null {
  const m = /^resources:[ \t]*\n((?: *#.*\n)*)( *)- /m.exec(text);
  return m ? m[2].length > 0 : null;
}

/** Manifest files of the app folders of the cluster's targets (not flux-system's own files). */
function appFiles(model: RepoModel, cluster: string): string[] {
  const targets = listTargets(model).find((c) => c.cluster === cluster)?.targets ?? [];
  const files: string[] = [];
  for (const t of targets) {
    const ks = model.kustomizations.get(t.key);
    if (!ks) continue;
    for (const e of ks.entries) if (e.isFolder && t.apps.includes(e.name)) files.push(...e.files);
  }
  return files;
}

/** How the repository writes its apps (for a cluster; the target's own apps weigh first). */
export function detectStyle(model: RepoModel, cluster: string, read: ReadText = readTextSync): RepoStyle {
  const docs = docCache(read);
  const objects = clusterObjects(model, cluster);
  const files = appFiles(model, cluster);
  const kustFiles = new Set<string>();
  for (const f of files) kustFiles.add(path.join(path.dirname(f), 'kustomization.yaml'));
  const kustNames: string[] = [];
  const seqStyles: boolean[] = [];
  for (const k of kustFiles) {
    const text = read(k);
    if (text === undefined) continue;
    kustNames.push(path.basename(k));
    const s = seqIndented(text);
    if (s !== null) seqStyles.push(s);
  }
  const indents: number[] = [];
  const nonSecret = objects.filter((o) => o.kind !== 'Secret' && o.sops === null && files.includes(o.file));
  for (const f of new Set(nonSecret.map((o) => o.file))) {
    const text = read(f);
    const n = text === undefined ? null : leadingIndent(text);
    if (n !== null && n > 0 && n <= 8) indents.push(n);
  }
  const fileName = (kind: string, fallback: string, filter: (o: ManifestObject) => boolean = () => true) =>
    mostCommon(
      objects
        .filter((o) => o.kind === kind && files.includes(o.file) && filter(o))
        .map((o) => path.basename(o.file)),
      fallback,
    );
  const api = (kind: string, fallback: string) =>
    mostCommon(
      objects.filter((o) => o.kind === kind).map((o) => o.apiVersion),
      fallback,
    );
  const releases = releaseFacts(model, docs, cluster);
  const chartReleases = releases.filter((r) => r.sourceKind === 'HelmRepository');
  const sources = objects.filter((o) => o.kind === 'HelmRepository' || o.kind === 'OCIRepository');
  const quoted: boolean[] = [];
  for (const f of new Set(releases.map((r) => r.obj.file))) {
    const text = read(f) ?? '';
    for (const m of text.matchAll(/^\s+version:\s*(\S+)/gm)) quoted.push(/^["']/.test(m[1]));
  }
  const secretFields: Array<'stringData' | 'data'> = [];
  for (const s of objects.filter((o) => o.kind === 'Secret')) {
    const d = docOf(docs, s);
    if (d.stringData !== undefined) secretFields.push('stringData');
    else if (d.data !== undefined) secretFields.push('data');
  }
  const d = DEFAULT_STYLE;
  return {
    indent: mostCommon(indents, d.indent),
    indentSeq: mostCommon(seqStyles, d.indentSeq),
    apiVersions: {
      helmRelease: api('HelmRelease', d.apiVersions.helmRelease),
      helmRepository: api('HelmRepository', d.apiVersions.helmRepository),
      ociRepository: api('OCIRepository', d.apiVersions.ociRepository),
      kustomize: d.apiVersions.kustomize,
    },
    fileNames: {
      namespace: fileName('Namespace', d.fileNames.namespace),
      release: fileName('HelmRelease', d.fileNames.release),
      deployment: fileName('Deployment', d.fileNames.deployment),
      kustomization: mostCommon(kustNames, d.fileNames.kustomization),
      secret: fileName('Secret', d.fileNames.secret, (o) => o.sops === 'encrypted'),
    },
    sourceRefNamespace:
      chartReleases.length === 0
        ? d.sourceRefNamespace
        : chartReleases.some((r) => r.sourceNamespace !== null),
    quoteVersion: quoted.length === 0 ? d.quoteVersion : mostCommon(quoted, d.quoteVersion),
    interval: mostCommon(
      releases.map((r) => r.interval).filter((i): i is string => i !== null),
      d.interval,
    ),
    sourceInterval: mostCommon(
      sources.map((o) => str(asObj(docOf(docs, o).spec).interval)).filter((i): i is string => i !== null),
      d.sourceInterval,
    ),
    sourceNamespace: mostCommon(
      sources.map((o) => o.namespace),
      d.sourceNamespace,
    ),
    secretField: mostCommon(secretFields, d.secretField),
  };
}

/** Where a new chart source goes: the folder its file is written to, and its namespace. */
export interface SourcePlacement {
  folder: string;
  namespace: string;
}

/** App folders of the cluster: folder entries of its Flux Kustomizations (each app's own files). */
function appFolders(model: RepoModel, cluster: string): string[] {
  const folders: string[] = [];
  for (const key of clusterKeys(model, cluster)) {
    const ks = model.kustomizations.get(key);
    if (!ks) continue;
    // A Kustomization's own path is shared (a target), even when another lists it as a folder.
    for (const e of ks.entries) if (e.isFolder) folders.push(e.path);
  }
  const shared = new Set([...model.kustomizations.values()].map((k) => k.resolvedPath));
  return folders.filter((f) => !shared.has(f));
}

const inside = (file: string, folder: string) => file.startsWith(folder + path.sep);

/**
 * Where a new chart source goes: beside the cluster's sources that are kept on their own (not in
 * an app's folder), in their namespace; when every source sits in an app's folder, in the folder
 * of the Flux Kustomization that applies most of them (on a tie the one applied first), in
 * Flux's namespace (flux-system).
 * Null when the cluster has no source and no target.
 */
export function sourcePlacement(model: RepoModel, cluster: string): SourcePlacement | null {
  const sources = clusterObjects(model, cluster).filter(
    (o) => o.kind === 'HelmRepository' || o.kind === 'OCIRepository',
  );
  const apps = appFolders(model, cluster);
  const shared = sources.filter((o) => !apps.some((a) => inside(o.file, a)));
  if (shared.length > 0) {
    const folders = shared.map((o) => path.dirname(o.file));
    const folder = mostCommon(folders, folders[0]);
    const here = shared.filter((o) => path.dirname(o.file) === folder).map((o) => o.namespace);
    return { folder, namespace: mostCommon(here, here[0]) };
  }
  // In the cluster's order, so that a tie goes to the Kustomization applied first (sources
  // should be there before the releases that use them).
  const order = model.clusters.find((c) => c.name === cluster)?.kustomizations ?? [];
  const applying = sources
    .flatMap((o) => o.appliedBy.filter((k) => order.includes(k)))
    .sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const ks = applying.length > 0 ? model.kustomizations.get(mostCommon(applying, applying[0])) : undefined;
  const fallback = listTargets(model).find((c) => c.cluster === cluster)?.targets[0];
  const folder = ks?.resolvedPath ?? fallback?.folder;
  if (folder === undefined) return null;
  // Sources in app folders live in their apps' namespaces: a shared one goes to Flux's own.
  return { folder, namespace: DEFAULT_STYLE.sourceNamespace };
}

/** The folder of `sourcePlacement` (null when there is none). */
export function sourceFolder(model: RepoModel, cluster: string): string | null {
  return sourcePlacement(model, cluster)?.folder ?? null;
}
