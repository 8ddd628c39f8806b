// Problems for Flux objects whose apiVersion the cluster's Flux no longer serves (an error) or has
// deprecated (a warning). Their codes are what the Quick Fix and "Migrate all files" look for.
import {
  problem,
  type Cluster,
  type FluxKustomization,
  type ManifestObject,
  type Problem,
} from '../repo/model';
import { judgeApiVersion } from './apis';
import { parseFluxVersion } from './releases';

export const API_REMOVED = 'api-removed';
export const API_DEPRECATED = 'api-deprecated';

/** The clusters whose Flux judges an object: those of the Kustomizations that apply it. */
function clustersOf(
  object: ManifestObject,
  kustomizations: ReadonlyMap<string, FluxKustomization>,
  byName: ReadonlyMap<string, Cluster>,
): Cluster[] {
  const names = new Set<string>();
  for (const key of object.appliedBy) for (const c of kustomizations.get(key)?.clusters ?? []) names.add(c);
  return [...names].map((n) => byName.get(n)).filter((c): c is Cluster => !!c);
}

/** One problem per object whose apiVersion its cluster's Flux removed or deprecated (the worst one). */
export function apiLifecycleProblems(
  objects: readonly ManifestObject[],
  kustomizations: ReadonlyMap<string, FluxKustomization>,
  clusters: readonly Cluster[],
): Problem[] {
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const problems: Problem[] = [];
  for (const object of objects) {
    let found: Problem | undefined;
    for (const cluster of clustersOf(object, kustomizations, byName)) {
      const flux = cluster.flux?.version ? parseFluxVersion(cluster.flux.version) : undefined;
      if (!flux || !cluster.flux) continue;
      const judged = judgeApiVersion(object.apiVersion, object.kind, flux);
      if (judged.state === 'current') continue;
      const use = judged.target ? `: use apiVersion ${judged.target}` : '';
      const runs = `cluster ${cluster.name} runs Flux ${cluster.flux.version}`;
      const candidate =
        judged.state === 'removed'
          ? problem(
              'error',
              API_REMOVED,
              object.file,
              object.line,
              `${object.kind} ${object.apiVersion} was removed in Flux ${judged.since} (${runs})${use}.`,
            )
          : problem(
              'warning',
              API_DEPRECATED,
              object.file,
              object.line,
              `${object.kind} ${object.apiVersion} is deprecated since Flux ${judged.since} (${runs})${use}.`,
            );
      if (!found || (found.severity !== 'error' && candidate.severity === 'error')) found = candidate;
    }
    if (found) problems.push(found);
  }
  return problems;
}
