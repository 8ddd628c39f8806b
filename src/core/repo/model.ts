/** The repository model: what Flux would apply from a Git repository, file by file. */

/** A position in a workspace file; `file` is an absolute path, `line` is 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface ObjectRef {
  kind: string;
  name: string;
  namespace: string;
}

export type SopsState = 'encrypted' | 'plaintext' | null;

/** A Kubernetes object found in a manifest file. */
export interface ManifestObject extends SourceLocation {
  apiVersion: string;
  kind: string;
  name: string;
  /** Effective namespace: Flux targetNamespace > kustomization.yaml namespace > metadata.namespace. */
  namespace: string;
  /** 0-based index of the YAML document in its file. */
  documentIndex: number;
  /** Keys of the Flux Kustomizations (see {@link kustomizationKey}) that apply this object. */
  appliedBy: string[];
  /** Only for Secrets and SOPS files. */
  sops: SopsState;
}

/** A Flux Kustomization (kustomize.toolkit.fluxcd.io) found in the repository. */
export interface FluxKustomization extends SourceLocation {
  key: string;
  name: string;
  namespace: string;
  apiVersion: string;
  cluster: string;
  /** spec.path as written. */
  specPath: string;
  /** Absolute folder that spec.path resolves to. */
  resolvedPath: string;
  dependsOn: string[];
  sourceRef: ObjectRef | null;
  interval: string | null;
  suspend: boolean;
  targetNamespace: string | null;
  decryption: { provider: string; secretRef: string | null } | null;
  /** Absolute paths of manifest files this Kustomization applies, in kustomize order. */
  files: string[];
  /** Key of the Kustomization that applies this one, or null for a cluster root. */
  parent: string | null;
}

export interface Cluster {
  name: string;
  /** Absolute folder of the root Kustomization's path (e.g. .../clusters/superbloom). */
  folder: string;
  /** Keys of the Kustomizations of this cluster, in dependency order. */
  kustomizations: string[];
}

export type Severity = 'error' | 'warning';

export interface Problem extends SourceLocation {
  severity: Severity;
  code: string;
  message: string;
}

export interface RepoModel {
  /** Absolute folders scanned (workspace roots). */
  roots: string[];
  clusters: Cluster[];
  kustomizations: Map<string, FluxKustomization>;
  objects: ManifestObject[];
  /** Absolute paths of files with manifests that no Flux Kustomization applies. */
  orphans: string[];
  problems: Problem[];
  /** Remote resources (URLs) referenced by kustomization.yaml files: listed, never fetched. */
  remoteResources: Array<SourceLocation & { url: string }>;
}

/** Identity of a Flux Kustomization inside a model: `<namespace>/<name>@<file>`. */
export function kustomizationKey(namespace: string, name: string, file: string): string {
  return `${namespace}/${name}@${file}`;
}
