/** The JSON contract of `flux-gitops scan --json` (other tools rely on these fields). */
import * as path from 'node:path';
import { relSlash } from './fsCache';
import type { FluxKustomization, RepoModel } from './model';

export interface RepoJson {
  clusters: Array<{ name: string; folder: string; kustomizations: string[] }>;
  kustomizations: Array<{
    cluster: string;
    name: string;
    namespace: string;
    file: string;
    line: number;
    path: string;
    dependsOn: string[];
    sourceRef: { kind: string; name: string; namespace: string } | null;
    clusters: string[];
    specPath: string;
    interval: string | null;
    suspend: boolean;
    targetNamespace: string | null;
    decryption: { provider: string; secretRef: string | null } | null;
    external: boolean;
  }>;
  objects: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    namespace: string;
    file: string;
    line: number;
    appliedBy: Array<{ cluster: string; namespace: string; name: string }>;
    sops: 'encrypted' | 'plaintext' | null;
    chart?: { name: string | null; version: string | null };
  }>;
  orphans: string[];
  problems: Array<{
    severity: 'error' | 'warning' | 'info';
    code: string;
    file: string;
    line: number;
    message: string;
  }>;
  remoteResources: Array<{ file: string; line: number; url: string }>;
}

/** Converts a model to the CLI's JSON shape, paths relative to `base` with forward slashes. */
export function modelToJson(model: RepoModel, base: string): RepoJson {
  const rel = (p: string): string => relSlash(path.resolve(base), p) || '.';
  const ks = model.kustomizations;
  return {
    clusters: model.clusters.map((c) => ({
      name: c.name,
      folder: rel(c.folder),
      kustomizations: c.kustomizations.map((k) => {
        const x = ks.get(k);
        return x ? `${x.namespace}/${x.name}` : k;
      }),
    })),
    kustomizations: clusterOrder(model).map((k) => ({
      cluster: k.cluster,
      name: k.name,
      namespace: k.namespace,
      file: rel(k.file),
      line: k.line,
      path: k.external ? k.specPath.replace(/^\.\//, '') : rel(k.resolvedPath),
      dependsOn: k.dependsOn,
      sourceRef: k.sourceRef,
      clusters: k.clusters,
      specPath: k.specPath,
      interval: k.interval,
      suspend: k.suspend,
      targetNamespace: k.targetNamespace,
      decryption: k.decryption,
      external: k.external,
    })),
    objects: model.objects.map((o) => {
      const appliedBy: Array<{ cluster: string; namespace: string; name: string }> = [];
      for (const key of o.appliedBy) {
        const k = ks.get(key);
        if (!k) continue;
        const clusters = k.clusters.length > 0 ? k.clusters : [''];
        for (const cluster of clusters) appliedBy.push({ cluster, namespace: k.namespace, name: k.name });
      }
      const out: RepoJson['objects'][number] = {
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.name,
        namespace: o.namespace,
        file: rel(o.file),
        line: o.line,
        appliedBy,
        sops: o.sops,
      };
      if (o.chart) out.chart = o.chart;
      return out;
    }),
    orphans: model.orphans.map(rel),
    problems: sortedProblems(model).map((p) => ({
      severity: p.severity,
      code: p.code,
      file: rel(p.file),
      line: p.line,
      message: p.message,
    })),
    remoteResources: model.remoteResources.map((r) => ({ file: rel(r.file), line: r.line, url: r.url })),
  };
}

/** Kustomizations cluster by cluster in dependency order, then any left over. */
function clusterOrder(model: RepoModel): FluxKustomization[] {
  const keys = new Set<string>();
  for (const c of model.clusters) for (const k of c.kustomizations) keys.add(k);
  for (const k of model.kustomizations.keys()) keys.add(k);
  return [...keys].map((k) => model.kustomizations.get(k)!).filter((k) => k !== undefined);
}

/** Problems sorted by file, then line, errors first on the same line. */
export function sortedProblems(model: RepoModel): RepoModel['problems'] {
  return [...model.problems].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.code.localeCompare(b.code),
  );
}
