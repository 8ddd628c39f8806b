import * as path from 'path';
import { fluxLabel, fluxSourceLine } from '../fluxVersion/detect';
import { isFluxKind, type ClusterRef } from '../cluster/kinds';
import type { FluxKustomization, ManifestObject, RepoModel } from '../repo/model';
import {
  dependencyLines,
  FluxRowContext,
  objectExtras,
  rootSummary,
  rootTooltip,
  sourceLine,
} from './fluxRows';
import { iconForKind, isFluxObject } from './kinds';
import type { RepoNode } from './node';

export type { RepoNode, RepoNodeKind } from './node';
export { iconForKind } from './kinds';

/** The cluster object of a Flux object found in the repository, as shown under `cluster`. */
function fluxRef(
  cluster: string,
  object: { apiVersion: string; kind: string; namespace: string; name: string },
): ClusterRef | undefined {
  if (!isFluxObject(object.apiVersion, object.kind) || !isFluxKind(object.kind)) return undefined;
  return { cluster, kind: object.kind, namespace: object.namespace || 'default', name: object.name };
}

function objectNode(
  object: ManifestObject,
  parentId: string,
  cluster: string,
  ctx: FluxRowContext,
): RepoNode {
  const id = `${parentId}|obj:${object.documentIndex}:${object.kind}/${object.namespace}/${object.name}`;
  const extras = objectExtras(object, id, cluster, ctx);
  const tags = [object.kind.toLowerCase()];
  if (isFluxObject(object.apiVersion, object.kind)) tags.push('flux');
  if (object.sops) tags.push(`sops-${object.sops}`);
  const chart = object.chart?.name
    ? `${object.chart.name}${object.chart.version ? `@${object.chart.version}` : ''}`
    : undefined;
  const descriptionParts = [
    object.namespace || undefined,
    chart,
    object.sops === 'encrypted' ? 'encrypted' : undefined,
    ...extras.description,
  ];
  if (object.sops === 'plaintext') descriptionParts.push('plaintext!');
  return {
    id,
    kind: 'object',
    label: `${object.kind} ${object.name}`,
    description: descriptionParts.filter(Boolean).join(' · ') || undefined,
    tooltip: [
      `${object.apiVersion} ${object.kind}`,
      `${object.namespace ? `${object.namespace}/` : ''}${object.name}`,
      ...extras.tooltip,
      `${object.file}:${object.line}`,
    ].join('\n'),
    icon: iconForKind(object.kind, object.sops),
    location: { file: object.file, line: object.line },
    tags,
    object,
    ref: fluxRef(cluster, object),
    children: extras.children,
  };
}

function fileNode(
  file: string,
  objects: ManifestObject[],
  parentId: string,
  label: string,
  cluster: string,
  ctx: FluxRowContext,
): RepoNode {
  const id = `${parentId}|file:${file}`;
  const children = objects.map((object) => objectNode(object, id, cluster, ctx));
  const sops = objects.find((o) => o.sops)?.sops ?? null;
  const tags = ['manifest'];
  if (sops) tags.push(`sops-${sops}`);
  const only = objects.length === 1 ? objects[0] : undefined;
  return {
    id,
    kind: 'file',
    label,
    description: only
      ? `${only.kind} ${only.name}${sops === 'encrypted' ? ' · encrypted' : ''}`
      : `${objects.length} objects`,
    tooltip: file,
    icon: sops === 'encrypted' ? 'lock' : sops === 'plaintext' ? 'unlock' : 'file-code',
    location: { file, line: 1 },
    tags,
    // A file that holds one Flux object stands for it (e.g. infra.yaml, bjw-s.yaml).
    ref: only ? fluxRef(cluster, only) : undefined,
    children,
  };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * A Kustomization's app folders and loose files, in the order kustomize applies them. A file that
 * several Kustomizations apply (a component with `${APP}` names) yields different objects for each:
 * under this Kustomization only the ones it applies.
 */
function kustomizationChildren(
  key: string,
  ks: FluxKustomization,
  allObjectsByFile: Map<string, ManifestObject[]>,
  id: string,
  cluster: string,
  ctx: FluxRowContext,
): RepoNode[] {
  const objectsByFile = new Map<string, ManifestObject[]>();
  for (const file of ks.entries.flatMap((entry) => (entry.isFolder ? entry.files : [entry.path])))
    objectsByFile.set(
      file,
      (allObjectsByFile.get(file) ?? []).filter((o) => o.appliedBy.includes(key)),
    );
  return ks.entries.map((entry) => {
    if (!entry.isFolder) {
      // A lone file that defines an app (bjw-s.yaml, cnpg-operator.yaml) reads as the app's name.
      return fileNode(entry.path, objectsByFile.get(entry.path) ?? [], id, entry.name, cluster, ctx);
    }
    const folderId = `${id}|dir:${entry.path}`;
    const fileNodes = entry.files.map((file) =>
      fileNode(
        file,
        objectsByFile.get(file) ?? [],
        folderId,
        toPosix(path.relative(entry.path, file)),
        cluster,
        ctx,
      ),
    );
    const objects = entry.files.flatMap((file) => objectsByFile.get(file) ?? []);
    const release = objects.find((o) => o.kind === 'HelmRelease');
    const namespace = objects.find((o) => o.kind === 'Namespace')?.name ?? release?.namespace;
    const chart = release?.chart?.name
      ? `${release.chart.name}${release.chart.version ? `@${release.chart.version}` : ''}`
      : undefined;
    const plaintext = objects.some((o) => o.sops === 'plaintext');
    return {
      id: folderId,
      kind: 'folder' as const,
      label: entry.name,
      description:
        [namespace, chart, plaintext ? 'plaintext secret!' : undefined].filter(Boolean).join(' · ') ||
        undefined,
      tooltip: `${entry.path}\n${entry.files.length} manifest file(s), ${objects.length} object(s)`,
      icon: 'folder',
      tags: ['app', ...(plaintext ? ['sops-plaintext'] : [])],
      children: fileNodes,
    };
  });
}

/** Builds the tree the user thinks in: cluster → Flux Kustomizations → apps → manifests → objects. */
export function buildRepoTree(model: RepoModel): RepoNode[] {
  const objectsByFile = new Map<string, ManifestObject[]>();
  for (const object of model.objects) {
    const list = objectsByFile.get(object.file) ?? [];
    list.push(object);
    objectsByFile.set(object.file, list);
  }
  const ctx = new FluxRowContext(model);
  const nodes: RepoNode[] = [];
  for (const cluster of model.clusters) {
    const clusterId = `cluster:${cluster.folder}`;
    const children: RepoNode[] = [];
    for (const key of cluster.kustomizations) {
      const ks = model.kustomizations.get(key);
      if (!ks) continue;
      const id = `${clusterId}|ks:${key}`;
      const details = [ks.specPath || './', ks.suspend ? 'suspended' : undefined].filter(Boolean).join(' · ');
      children.push({
        id,
        kind: 'kustomization',
        label: ks.name,
        description: details,
        tooltip: [
          `Kustomization ${ks.namespace}/${ks.name}`,
          `path: ${ks.specPath || './'}`,
          ks.interval ? `interval: ${ks.interval}` : undefined,
          ...dependencyLines(ks.dependencies ?? ks.dependsOn.map((id) => ({ id, readyExpr: null }))),
          sourceLine(ks, ctx),
          ks.decryption ? `decryption: ${ks.decryption.provider}` : undefined,
          ks.targetNamespace ? `targetNamespace: ${ks.targetNamespace}` : undefined,
          `${ks.file}:${ks.line}`,
        ]
          .filter(Boolean)
          .join('\n'),
        icon: 'layers',
        location: { file: ks.file, line: ks.line },
        tags: ['kustomization', 'flux', ks.suspend ? 'suspended' : 'active'],
        kustomization: ks,
        ref: { cluster: cluster.name, kind: 'Kustomization', namespace: ks.namespace, name: ks.name },
        children: kustomizationChildren(key, ks, objectsByFile, id, cluster.name, ctx),
      });
    }
    const orphans = orphansNode(
      model.orphanUnits.filter((unit) => unit.cluster === cluster.name),
      objectsByFile,
      clusterId,
      cluster.folder,
      cluster.name,
      ctx,
    );
    if (orphans) children.push(orphans);
    nodes.push({
      id: clusterId,
      kind: 'cluster',
      label: cluster.name,
      // In a multi-root workspace, say which root the cluster comes from.
      description: [
        model.roots.length > 1 ? rootName(model.roots, cluster.folder) : undefined,
        cluster.root ? rootSummary(cluster.root) : undefined,
        cluster.flux ? fluxLabel(cluster.flux) : undefined,
        `${cluster.kustomizations.length} Kustomizations`,
      ]
        .filter(Boolean)
        .join(' · '),
      tooltip: [
        `Cluster ${cluster.name}`,
        cluster.folder,
        ...(cluster.flux ? [fluxSourceLine(cluster.flux)] : ['Flux version: not declared in the repository']),
        ...(cluster.root ? rootTooltip(cluster.root) : []),
      ].join('\n'),
      icon: 'server-environment',
      // The row leads to where the root is declared (gotk-sync.yaml, the FluxInstance...).
      location: cluster.root ? { file: cluster.root.file, line: cluster.root.line } : undefined,
      tags: ['cluster'],
      children,
    });
  }
  const elsewhere = orphansNode(
    model.orphanUnits.filter((unit) => !unit.cluster || !model.clusters.some((c) => c.name === unit.cluster)),
    objectsByFile,
    'repo',
    model.roots[0] ?? '',
    '',
    ctx,
  );
  if (elsewhere) nodes.push(elsewhere);
  return nodes;
}

function rootName(roots: string[], folder: string): string | undefined {
  const root = roots
    .filter((r) => folder === r || folder.startsWith(r + path.sep))
    .sort((a, b) => b.length - a.length)[0];
  return root ? path.basename(root) : undefined;
}

/** "Not applied by Flux": folders and files with manifests that no Flux Kustomization applies. */
function orphansNode(
  units: RepoModel['orphanUnits'],
  objectsByFile: Map<string, ManifestObject[]>,
  parentId: string,
  base: string,
  cluster: string,
  ctx: FluxRowContext,
): RepoNode | undefined {
  if (units.length === 0) return undefined;
  const id = `${parentId}|orphans`;
  const children = units.map((unit): RepoNode => {
    const label = toPosix(path.relative(base, unit.path)) || path.basename(unit.path);
    if (!unit.isFolder)
      return fileNode(unit.path, objectsByFile.get(unit.path) ?? [], id, label, cluster, ctx);
    const folderId = `${id}|dir:${unit.path}`;
    return {
      id: folderId,
      kind: 'folder',
      label,
      description: unit.listedIn
        ? `not in ${path.basename(path.dirname(unit.listedIn))}/${path.basename(unit.listedIn)}`
        : undefined,
      tooltip: unit.listedIn
        ? `${unit.path}\nNothing applies this folder: add it to the resources of ${unit.listedIn}.`
        : `${unit.path}\nNo Flux Kustomization applies this folder.`,
      icon: 'folder',
      tags: ['orphan'],
      children: unit.files.map((file) =>
        fileNode(
          file,
          objectsByFile.get(file) ?? [],
          folderId,
          toPosix(path.relative(unit.path, file)),
          cluster,
          ctx,
        ),
      ),
    };
  });
  const files = units.reduce((sum, unit) => sum + unit.files.length, 0);
  return {
    id,
    kind: 'orphans',
    label: 'Not applied by Flux',
    description: `${files} file${files === 1 ? '' : 's'}`,
    tooltip:
      'Manifests that no Flux Kustomization applies: list their folder in a kustomization.yaml, or delete them.',
    icon: 'warning',
    tags: ['orphans'],
    children,
  };
}
