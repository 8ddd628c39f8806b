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
  /** HelmRelease only: spec.chart.spec.chart and .version. */
  chart?: { name: string | null; version: string | null };
  /** HelmRelease and ResourceSet: spec.dependsOn, with Flux 2.7's readyExpr. */
  dependsOn?: Dependency[];
  /** Flux Operator and source-extension kinds: what their rows show (see details.ts). */
  details?: FluxDetails;
}

/** A dependsOn entry: `[Kind/]namespace/name` (namespace defaulted) and its readyExpr (Flux 2.7+). */
export interface Dependency {
  id: string;
  readyExpr: string | null;
}

/** What a sync reads: FluxInstance spec.sync, or the source of a root Kustomization. */
export interface SyncSpec {
  kind: string;
  url: string | null;
  ref: string | null;
  path: string;
}

/** An object a ResourceSet templates, kind and names as written (`<< inputs.x >>` kept). */
export interface TemplatedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  line: number;
}

/** An entry of a ResourceSet's spec.inputsFrom: by name, or by label selector. */
export interface InputSourceRef {
  kind: string;
  name: string | null;
  /** matchLabels of a selector, as `key=value`. */
  selector: string[];
  line: number;
}

/** An ArtifactGenerator's artifact: the ExternalArtifact it produces and what it copies. */
export interface GeneratedArtifact {
  name: string;
  line: number;
  copies: Array<{ from: string; to: string }>;
}

/** The parts of Flux Operator (fluxcd.controlplane.io) and source-extension kinds the tree shows. */
export type FluxDetails =
  | {
      kind: 'FluxInstance';
      /** spec.distribution.version, e.g. `2.7.x`. */
      version: string | null;
      registry: string | null;
      components: string[];
      sync: SyncSpec | null;
    }
  | {
      kind: 'ResourceSet';
      /** spec.inputs, each a map as written. */
      inputs: Array<{ values: Record<string, unknown>; line: number }>;
      inputsFrom: InputSourceRef[];
      resources: TemplatedObject[];
      /** spec.resourcesTemplate is set (a Go template whose objects exist once rendered). */
      hasTemplate: boolean;
    }
  | {
      kind: 'ResourceSetInputProvider';
      type: string | null;
      url: string | null;
      labels: Record<string, string>;
    }
  | {
      kind: 'ArtifactGenerator';
      sources: Array<{ alias: string; kind: string; name: string; namespace: string; line: number }>;
      artifacts: GeneratedArtifact[];
    }
  | { kind: 'ExternalArtifact'; sourceRef: ObjectRef | null };

/** A top-level item of what a Flux Kustomization applies: an app folder or a loose file. */
export interface KustomizationEntry {
  name: string;
  /** Absolute path of the folder or file. */
  path: string;
  isFolder: boolean;
  /** Absolute paths of the manifest files applied through this entry, in kustomize order. */
  files: string[];
}

/** Files with manifests that nothing applies, grouped by the folder (or file) that was forgotten. */
export interface OrphanUnit {
  /** Absolute path of the forgotten folder or file. */
  path: string;
  isFolder: boolean;
  files: string[];
  /** Key of the Flux Kustomization whose tree holds it, when it sits inside one. */
  kustomization: string | null;
  cluster: string | null;
  /** The kustomization.yaml it should be listed in, when known. */
  listedIn: string | null;
}

/** A Flux Kustomization (kustomize.toolkit.fluxcd.io) found in the repository. */
export interface FluxKustomization extends SourceLocation {
  /**
   * {@link kustomizationKey} of its document; a cluster that builds the same document differently
   * (an overlay patching its spec) has an entry of its own, keyed `<that key>#<cluster>`.
   */
  key: string;
  name: string;
  namespace: string;
  apiVersion: string;
  /** First cluster that reaches it ('' when none). */
  cluster: string;
  /** Every cluster that reaches it and builds it the same (a shared Kustomization file can be in several). */
  clusters: string[];
  /** spec.path as written. */
  specPath: string;
  /** Absolute folder that spec.path resolves to. */
  resolvedPath: string;
  /** True when its source is another repository (or an OCI artifact): its path is not followed. */
  external: boolean;
  /** `namespace/name` of each dependsOn entry (namespace defaulted to the Kustomization's). */
  dependsOn: string[];
  /** The same entries with their readyExpr (Flux 2.7+), for the tooltip. */
  dependencies?: Dependency[];
  sourceRef: ObjectRef | null;
  interval: string | null;
  /** spec as Flux applies it: after the parent's patches and postBuild substitution. */
  builtSpec?: Record<string, unknown>;
  suspend: boolean;
  targetNamespace: string | null;
  decryption: { provider: string; secretRef: string | null } | null;
  /** Absolute paths of manifest files this Kustomization applies, in kustomize order. */
  files: string[];
  /** Top-level entries of its path: folders first, then files, each in kustomize order. */
  entries: KustomizationEntry[];
  /** Key of the Kustomization that applies this one, or null for a cluster root. */
  parent: string | null;
}

/** Where a cluster's sync root is declared, and what it syncs. */
export interface ClusterRoot extends SourceLocation {
  /**
   * `bootstrap`: flux bootstrap's gotk-sync.yaml; `placeholder`: the empty gotk-sync.yaml bootstrap
   * fills in; `flux-instance`: a FluxInstance document; `flux-instance-chart`: the flux-instance
   * Helm chart's values; `self-managed`: a Kustomization that applies itself; `inferred`: no root
   * found, a Kustomization nothing applies stands for one.
   */
  via: 'bootstrap' | 'placeholder' | 'flux-instance' | 'flux-instance-chart' | 'self-managed' | 'inferred';
  /** The document that declares the root (kind, namespace and name as written). */
  declaredBy: ObjectRef;
  /** The ResourceSet whose spec.resources hold the FluxInstance, when it is templated. */
  templatedBy: ObjectRef | null;
  /** The root Kustomization: `namespace/name`. */
  kustomization: string;
  sync: SyncSpec;
  /** The source object the sync reads (created by bootstrap or the Flux Operator when no file has it). */
  source: ObjectRef;
  /** Flux Operator roots: the FluxInstance's spec.distribution.version. */
  distribution: string | null;
}

/** Where a cluster's Flux version comes from. */
export type FluxVersionSource =
  | 'setting'
  | 'gotk-components'
  | 'flux-manifests'
  | 'flux-instance'
  | 'flux-instance-chart'
  | 'flux-instance-chart-default'
  | 'cluster';

/** The Flux a cluster runs, as declared and as resolved to a release. */
export interface ClusterFlux {
  /** As written: `v2.7.3`, `2.x`, `>=2.6.0 <2.8.0`. */
  declared: string;
  /** The release it stands for (`2.7.3`); null when it names no known release. */
  version: string | null;
  source: FluxVersionSource;
  /** The file (and 1-based line) that declares it; absent for a setting or the cluster. */
  file?: string;
  line?: number;
  /** When the connected cluster reports its version: what the repository declares (if anything). */
  repository?: ClusterFlux | null;
}

export interface Cluster {
  name: string;
  /** Absolute folder of the root Kustomization's path (e.g. .../clusters/superbloom). */
  folder: string;
  /** Where its sync root comes from (absent on models built before roots were recorded). */
  root?: ClusterRoot;
  /** Keys of the Kustomizations of this cluster, in dependency order. */
  kustomizations: string[];
  /** The Flux it runs, when the repository (or a setting) says. */
  flux?: ClusterFlux | null;
}

/** A repository the scan read: spec.path values are relative to its folder. */
export interface Checkout {
  /** The Git root (or, without .git, the top folder that holds the sync roots). */
  folder: string;
  isGit: boolean;
  /** Remote URLs as .git/config writes them. */
  remotes: string[];
  /** The checked-out branch, when known. */
  branch: string | null;
}

/** The checkout a file or folder belongs to (the innermost one). */
export function checkoutOf(model: RepoModel, file: string): Checkout | undefined {
  return model.checkouts
    .filter((c) => file === c.folder || file.startsWith(c.folder.endsWith('/') ? c.folder : `${c.folder}/`))
    .sort((a, b) => b.folder.length - a.folder.length)[0];
}

export type Severity = 'error' | 'warning' | 'info';

export interface Problem extends SourceLocation {
  severity: Severity;
  code: string;
  message: string;
  /** The obvious change that resolves it, when there is one (offered as a Quick Fix). */
  fix?: ProblemFix;
}

/** What a Quick Fix changes; the editor side turns it into an edit or a command. */
export type ProblemFix =
  /** List `entry` in the `resources` of `kustomizationFile` (the line the message names). */
  | { kind: 'add-resource'; kustomizationFile: string; entry: string }
  /** Encrypt `file` with sops by the repository's .sops.yaml rule. */
  | { kind: 'encrypt'; file: string }
  /** A reference to an object the repository does not define: point it at one it does. */
  | { kind: 'reference'; refKind: string; namespace: string; name: string };

export interface RepoModel {
  /** Absolute folders scanned (workspace roots). */
  roots: string[];
  clusters: Cluster[];
  kustomizations: Map<string, FluxKustomization>;
  objects: ManifestObject[];
  /** Absolute paths of files with manifests that no Flux Kustomization applies. */
  orphans: string[];
  orphanUnits: OrphanUnit[];
  problems: Problem[];
  /** Remote resources (URLs) referenced by kustomization.yaml files: listed, never fetched. */
  remoteResources: Array<SourceLocation & { url: string }>;
  /** Facts about the whole scan that are no file's problem (a copy without .git), said once. */
  notices: string[];
  /** The repository each part of the workspace is (a folder with a Git root, or without one). */
  checkouts: Checkout[];
}

/** Identity of a Flux Kustomization inside a model: `<namespace>/<name>@<file>`. */
export function kustomizationKey(namespace: string, name: string, file: string): string {
  return `${namespace}/${name}@${file}`;
}

export function problem(
  severity: Severity,
  code: string,
  file: string,
  line: number,
  message: string,
): Problem {
  return { severity, code, file, line, message };
}
