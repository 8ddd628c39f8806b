import * as path from 'path';
import type { FluxKustomization, ManifestObject, RepoModel } from '../repo/model';

/** The kinds of node in the repository tree; each has its own context value for menus. */
export type RepoNodeKind = 'cluster' | 'kustomization' | 'folder' | 'file' | 'object' | 'orphans';

/** One row of the repository tree, computed from the model without VS Code. */
export interface RepoNode {
  /** Stable across refreshes, so the tree keeps expansion and selection. */
  id: string;
  kind: RepoNodeKind;
  label: string;
  description?: string;
  tooltip: string;
  /** A codicon name. */
  icon: string;
  /** Where a click leads: the manifest and its 1-based line. */
  location?: { file: string; line: number };
  /** Extra words for the menus' `viewItem` context value (e.g. `helmrelease`, `sops-encrypted`). */
  tags: string[];
  /** Set on nodes of Flux objects, for actions on the cluster object. */
  object?: ManifestObject;
  kustomization?: FluxKustomization;
  children: RepoNode[];
}

const KIND_ICONS: Record<string, string> = {
  Kustomization: 'layers',
  HelmRelease: 'package',
  GitRepository: 'repo',
  OCIRepository: 'archive',
  HelmRepository: 'library',
  HelmChart: 'file-zip',
  Bucket: 'database',
  Namespace: 'symbol-namespace',
  Secret: 'key',
  ConfigMap: 'symbol-constant',
  Deployment: 'server-process',
  StatefulSet: 'server-process',
  DaemonSet: 'server-process',
  Service: 'plug',
  Ingress: 'globe',
  ServiceAccount: 'account',
  Role: 'shield',
  ClusterRole: 'shield',
  RoleBinding: 'shield',
  ClusterRoleBinding: 'shield',
  CustomResourceDefinition: 'symbol-class',
  PersistentVolumeClaim: 'save',
  CronJob: 'watch',
  Job: 'run-all',
  Provider: 'bell',
  Alert: 'bell-dot',
  Receiver: 'radio-tower',
};

/** The codicon shown for an object kind (a generic one for kinds without their own). */
export function iconForKind(kind: string, sops: ManifestObject['sops'] = null): string {
  if (kind === 'Secret' && sops === 'encrypted') return 'lock';
  if (kind === 'Secret' && sops === 'plaintext') return 'unlock';
  return KIND_ICONS[kind] ?? 'symbol-misc';
}

function isFluxApi(apiVersion: string): boolean {
  return apiVersion.includes('.toolkit.fluxcd.io/');
}

function objectNode(object: ManifestObject, parentId: string): RepoNode {
  const tags = [object.kind.toLowerCase()];
  if (isFluxApi(object.apiVersion)) tags.push('flux');
  if (object.sops) tags.push(`sops-${object.sops}`);
  const descriptionParts = [object.namespace || undefined, object.sops === 'encrypted' ? 'encrypted' : undefined];
  if (object.sops === 'plaintext') descriptionParts.push('plaintext!');
  return {
    id: `${parentId}|obj:${object.documentIndex}:${object.kind}/${object.namespace}/${object.name}`,
    kind: 'object',
    label: `${object.kind} ${object.name}`,
    description: descriptionParts.filter(Boolean).join(' · ') || undefined,
    tooltip: `${object.apiVersion} ${object.kind}\n${object.namespace ? `${object.namespace}/` : ''}${object.name}\n${object.file}:${object.line}`,
    icon: iconForKind(object.kind, object.sops),
    location: { file: object.file, line: object.line },
    tags,
    object,
    children: [],
  };
}

function fileNode(file: string, objects: ManifestObject[], parentId: string, label: string): RepoNode {
  const id = `${parentId}|file:${file}`;
  const children = objects.map((object) => objectNode(object, id));
  const sops = objects.find((o) => o.sops)?.sops ?? null;
  const tags = ['manifest'];
  if (sops) tags.push(`sops-${sops}`);
  const only = objects.length === 1 ? objects[0] : undefined;
  return {
    id,
    kind: 'file',
    label,
    description: only ? `${only.kind} ${only.name}${sops === 'encrypted' ? ' · encrypted' : ''}` : `${objects.length} objects`,
    tooltip: file,
    icon: sops === 'encrypted' ? 'lock' : sops === 'plaintext' ? 'unlock' : 'file-code',
    location: { file, line: 1 },
    tags,
    children,
  };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Groups a Kustomization's files into app folders (first folder under its path) and loose files. */
function kustomizationChildren(ks: FluxKustomization, objectsByFile: Map<string, ManifestObject[]>, id: string): RepoNode[] {
  const folders = new Map<string, string[]>();
  const loose: string[] = [];
  for (const file of ks.files) {
    const relative = toPosix(path.relative(ks.resolvedPath, file));
    const segments = relative.split('/');
    if (segments.length === 1) {
      loose.push(file);
      continue;
    }
    // Files outside the path (kustomize `../` references) are grouped by their folder.
    const group = segments[0] === '..' ? segments.slice(0, -1).join('/') : segments[0];
    const files = folders.get(group) ?? [];
    files.push(file);
    folders.set(group, files);
  }
  const children: RepoNode[] = [];
  for (const [group, files] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    const folderId = `${id}|dir:${group}`;
    const folderPath = path.resolve(ks.resolvedPath, group);
    const fileNodes = files.map((file) =>
      fileNode(file, objectsByFile.get(file) ?? [], folderId, toPosix(path.relative(folderPath, file))),
    );
    const objects = files.flatMap((file) => objectsByFile.get(file) ?? []);
    const release = objects.find((o) => o.kind === 'HelmRelease');
    const namespace = objects.find((o) => o.kind === 'Namespace')?.name ?? release?.namespace;
    children.push({
      id: folderId,
      kind: 'folder',
      label: group,
      description: [namespace, `${objects.length} objects`].filter(Boolean).join(' · '),
      tooltip: folderPath,
      icon: 'folder',
      tags: ['app'],
      children: fileNodes,
    });
  }
  for (const file of loose.sort()) {
    const objects = objectsByFile.get(file) ?? [];
    // A lone file that defines an app (bjw-s.yaml, cnpg-operator.yaml) reads as the app's name.
    children.push(fileNode(file, objects, id, path.basename(file)));
  }
  return children;
}

/** Builds the tree the user thinks in: cluster → Flux Kustomizations → apps → manifests → objects. */
export function buildRepoTree(model: RepoModel): RepoNode[] {
  const objectsByFile = new Map<string, ManifestObject[]>();
  for (const object of model.objects) {
    const list = objectsByFile.get(object.file) ?? [];
    list.push(object);
    objectsByFile.set(object.file, list);
  }
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
          ks.dependsOn.length ? `dependsOn: ${ks.dependsOn.join(', ')}` : undefined,
          ks.sourceRef ? `source: ${ks.sourceRef.kind}/${ks.sourceRef.namespace}/${ks.sourceRef.name}` : undefined,
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
        children: kustomizationChildren(ks, objectsByFile, id),
      });
    }
    const orphans = model.orphans.filter((file) => file.startsWith(cluster.folder + path.sep));
    if (orphans.length > 0) {
      const orphansId = `${clusterId}|orphans`;
      children.push({
        id: orphansId,
        kind: 'orphans',
        label: 'Not applied by Flux',
        description: `${orphans.length} file${orphans.length === 1 ? '' : 's'}`,
        tooltip: 'Files with manifests that no Flux Kustomization applies: add their folder to a kustomization.yaml, or delete them.',
        icon: 'warning',
        tags: ['orphans'],
        children: orphans.map((file) =>
          fileNode(file, objectsByFile.get(file) ?? [], orphansId, toPosix(path.relative(cluster.folder, file))),
        ),
      });
    }
    nodes.push({
      id: clusterId,
      kind: 'cluster',
      label: cluster.name,
      description: `${cluster.kustomizations.length} Kustomizations`,
      tooltip: `Cluster ${cluster.name}\n${cluster.folder}`,
      icon: 'server-environment',
      tags: ['cluster'],
      children,
    });
  }
  return nodes;
}
