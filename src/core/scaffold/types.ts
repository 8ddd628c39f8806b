/** Inputs and outputs of the app scaffolder (VS Code-free). */
import type { RepoModel } from '../repo/model';

/** A chart source already in the repository (HelmRepository or OCIRepository). */
export interface SourceRef {
  kind: 'HelmRepository' | 'OCIRepository';
  name: string;
  namespace: string;
}

/** A source to add next to the others: a HelmRepository (type helm), or an OCIRepository for one chart (type oci). */
export interface NewSource {
  type: 'helm' | 'oci';
  name: string;
  /** https://… for helm; oci://registry/path for oci (the chart name is appended when missing). */
  url: string;
  /** Absolute folder to write `<name>.yaml` into (default: where the cluster's other sources are). */
  folder?: string;
}

export interface HelmWorkload {
  kind: 'helm';
  source: { existing: SourceRef } | { new: NewSource };
  chart: string;
  version: string;
  /** Goes under spec.values as given. */
  values?: Record<string, unknown>;
  /**
   * The app's one container, for charts whose values describe it (the bjw-s app-template):
   * written as a controller with that image, and a Service when a port is given.
   */
  container?: { image: string; port?: number };
}

export interface PlainWorkload {
  kind: 'plain';
  /** Container image, e.g. `ghcr.io/org/app:1.2.3`. */
  image: string;
  /** With a port, a Service is written too. */
  port?: number;
}

export interface SecretInput {
  /** Default `<app>-env`. */
  name?: string;
  /** Keys and values (written as stringData, then encrypted). */
  data: Record<string, string>;
}

export interface ScaffoldInput {
  model: RepoModel;
  cluster: string;
  /** Key of the Flux Kustomization (see kustomizationKey) whose resolvedPath receives the app folder. */
  target: string;
  name: string;
  /** Default: the app name. */
  namespace?: string;
  workload: HelmWorkload | PlainWorkload;
  secret?: SecretInput;
  /** Write the Secret in plaintext when no .sops.yaml rule matches (only after the user confirmed). */
  allowPlaintextSecret?: boolean;
}

export interface PlannedFile {
  /** Absolute path. */
  path: string;
  content: string;
}

/** A file whose plaintext must go through SOPS before it is written (never written as is). */
export interface PlannedSecretFile {
  path: string;
  plaintext: string;
  encrypt: true;
}

export interface PlannedEdit {
  path: string;
  before: string;
  after: string;
}

export interface ScaffoldPlan {
  /** Absolute folder of the new app. */
  appFolder: string;
  /** Files to create, in the order they are listed (the main manifest is `mainFile`). */
  create: Array<PlannedFile | PlannedSecretFile>;
  edit: PlannedEdit[];
  /** The file to open after writing (release.yaml or the Deployment's file). */
  mainFile: string;
  /** Things the user may want to know (e.g. "namespace nexus exists: no ns.yaml written"). */
  notes: string[];
}

export interface ScaffoldIssue {
  /** Which input the message is about. */
  field:
    | 'cluster'
    | 'target'
    | 'name'
    | 'namespace'
    | 'source'
    | 'chart'
    | 'version'
    | 'image'
    | 'port'
    | 'secret'
    /** A template or kustomization.yaml that cannot be used as it is. */
    | 'template';
  message: string;
}

export type PlanResult = { ok: true; plan: ScaffoldPlan } | { ok: false; issues: ScaffoldIssue[] };

export function isSecretFile(f: PlannedFile | PlannedSecretFile): f is PlannedSecretFile {
  return (f as PlannedSecretFile).encrypt === true;
}
