/** Checks of the scaffolder's inputs, each returning a message for the user or null. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FluxKustomization, RepoModel } from '../repo/model';
import { clusterObjects } from './defaults';

/** Null when `value` is a DNS-1123 label (what Kubernetes accepts as a namespace or app name). */
export function dnsLabelError(value: string, what = 'The name'): string | null {
  if (value.length === 0) return `${what} is empty.`;
  if (value.length > 63) return `${what} has ${value.length} characters; at most 63 are allowed.`;
  if (/[A-Z]/.test(value)) return `${what} must be lower case ("${value.toLowerCase()}").`;
  if (!/^[a-z0-9-]+$/.test(value)) return `${what} may only hold a-z, 0-9 and "-".`;
  if (!/^[a-z0-9]/.test(value) || !/[a-z0-9]$/.test(value))
    return `${what} must start and end with a letter or a digit.`;
  return null;
}

/** Null when `value` is a DNS-1123 subdomain (names of most objects, e.g. Secrets). */
export function dnsSubdomainError(value: string, what = 'The name'): string | null {
  if (value.length === 0) return `${what} is empty.`;
  if (value.length > 253) return `${what} has ${value.length} characters; at most 253 are allowed.`;
  for (const part of value.split('.')) {
    const e = dnsLabelError(part, what);
    if (e) return e.replace(/ at most 63/, ' at most 63 per dot-separated part');
  }
  return null;
}

/** The cluster's Flux Kustomization for a key, or a message. */
export function findTarget(
  model: RepoModel,
  cluster: string,
  targetKey: string,
): { ks: FluxKustomization } | { error: string } {
  const c = model.clusters.find((x) => x.name === cluster);
  if (!c)
    return {
      error: `There is no cluster "${cluster}" in the repository (${model.clusters.map((x) => x.name).join(', ') || 'none found'}).`,
    };
  const ks = model.kustomizations.get(targetKey);
  if (!ks || !c.kustomizations.includes(targetKey))
    return { error: `The Flux Kustomization ${targetKey} is not part of cluster ${cluster}.` };
  if (ks.external)
    return { error: `${ks.name} applies another repository; apps cannot be added to it here.` };
  return { ks };
}

/** The app's folder inside the target, or a message when the name would leave it. */
export function appFolderFor(targetFolder: string, name: string): string | { error: string } {
  const folder = path.resolve(targetFolder, name);
  if (path.dirname(folder) !== path.resolve(targetFolder) || path.basename(folder) !== name)
    return { error: `"${name}" would not be a folder directly inside ${targetFolder}.` };
  return folder;
}

/**
 * Null when `name` can be a new app in the target: a DNS-1123 label, no folder or entry of that
 * name in the target or elsewhere in the cluster. `exists` tells whether a path is on disk.
 */
export function appNameError(
  model: RepoModel,
  cluster: string,
  targetKey: string,
  name: string,
  exists: (p: string) => boolean = fs.existsSync,
): string | null {
  const label = dnsLabelError(name, 'The app name');
  if (label) return label;
  const t = findTarget(model, cluster, targetKey);
  if ('error' in t) return t.error;
  const folder = appFolderFor(t.ks.resolvedPath, name);
  if (typeof folder !== 'string') return folder.error;
  if (exists(folder)) return `${path.join(path.basename(t.ks.resolvedPath), name)} already exists.`;
  for (const ext of ['.yaml', '.yml'])
    if (exists(folder + ext))
      return `${path.basename(t.ks.resolvedPath)}/${name}${ext} already exists: pick another name.`;
  const c = model.clusters.find((x) => x.name === cluster)!;
  for (const key of c.kustomizations) {
    const ks = model.kustomizations.get(key);
    if (!ks) continue;
    const hit = ks.entries.find((e) => (e.isFolder ? e.name : e.name.replace(/\.ya?ml$/i, '')) === name);
    if (hit) return `"${name}" is already an app of ${ks.name} in cluster ${cluster} (${hit.path}).`;
  }
  return null;
}

/** Null when no workload object `kind` named `name` exists in `namespace` in the cluster. */
export function objectClash(
  model: RepoModel,
  cluster: string,
  kinds: string[],
  namespace: string,
  name: string,
): string | null {
  const hit = clusterObjects(model, cluster).find(
    (o) => kinds.includes(o.kind) && o.namespace === namespace && o.name === name,
  );
  return hit ? `A ${hit.kind} ${namespace}/${name} already exists (${hit.file}:${hit.line}).` : null;
}

/** Whether the cluster already has a Namespace object of that name. */
export function namespaceExists(model: RepoModel, cluster: string, namespace: string): boolean {
  return clusterObjects(model, cluster).some((o) => o.kind === 'Namespace' && o.name === namespace);
}

/**
 * Null unless the namespace came from the app name by default and already exists: adding an app
 * to another app's namespace has to be asked for explicitly.
 */
export function defaultNamespaceError(
  model: RepoModel,
  cluster: string,
  name: string,
  explicitNamespace: string | undefined,
): string | null {
  if (explicitNamespace !== undefined) return null;
  const ns = clusterObjects(model, cluster).find((o) => o.kind === 'Namespace' && o.name === name);
  return ns
    ? `Namespace ${name} already exists in cluster ${cluster} (${ns.file}:${ns.line}); choose it explicitly to add the app to it, or pick another name.`
    : null;
}

export function chartError(chart: string): string | null {
  if (chart.trim() === '') return 'The chart name is empty.';
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(chart)) return `"${chart}" is not a chart name.`;
  return null;
}

export function versionError(version: string): string | null {
  if (version.trim() === '') return 'The chart version is empty.';
  if (!/^[A-Za-z0-9^~<>=*|., +-]+$/.test(version) || /\n/.test(version))
    return `"${version}" is not a version or version range.`;
  return null;
}

export function imageError(image: string): string | null {
  if (image.trim() === '') return 'The image is empty.';
  if (
    !/^[a-z0-9][a-z0-9._\-/:]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(image)
  )
    return `"${image}" is not an image reference (e.g. ghcr.io/org/app:1.2.3).`;
  return null;
}

export function portError(port: number): string | null {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? null : `Port ${port} is not in 1-65535.`;
}

export function secretKeyError(key: string): string | null {
  return /^[-._a-zA-Z0-9]+$/.test(key) && key.length <= 253
    ? null
    : `Secret key "${key}" may only hold letters, digits, "-", "_" and ".".`;
}
