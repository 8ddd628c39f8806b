/** Read-only views of a {@link RepoModel} that the tree and the Problems panel need. */
import type { FluxKustomization, ManifestObject, Problem, RepoModel } from './model';

/** Objects grouped by absolute file path, in document order. */
export function objectsByFile(model: RepoModel): Map<string, ManifestObject[]> {
  const out = new Map<string, ManifestObject[]>();
  for (const o of model.objects) {
    let list = out.get(o.file);
    if (!list) out.set(o.file, (list = []));
    list.push(o);
  }
  for (const list of out.values()) list.sort((a, b) => a.documentIndex - b.documentIndex);
  return out;
}

/** Problems grouped by absolute file path (what a DiagnosticCollection wants). */
export function problemsByFile(model: RepoModel): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const p of model.problems) {
    let list = out.get(p.file);
    if (!list) out.set(p.file, (list = []));
    list.push(p);
  }
  return out;
}

/** A cluster's Flux Kustomizations in dependency order (root first). */
export function clusterKustomizations(model: RepoModel, cluster: string): FluxKustomization[] {
  const c = model.clusters.find((x) => x.name === cluster);
  if (!c) return [];
  return c.kustomizations.map((k) => model.kustomizations.get(k)).filter((k): k is FluxKustomization => !!k);
}
