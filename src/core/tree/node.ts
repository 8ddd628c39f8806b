import type { ClusterRef } from '../cluster/kinds';
import type { FluxKustomization, ManifestObject } from '../repo/model';

/**
 * The kinds of node in the repository tree; each has its own context value for menus. A `part` is
 * a piece of an object's spec shown as its own row: a ResourceSet's input or templated object, an
 * ArtifactGenerator's source or artifact.
 */
export type RepoNodeKind = 'cluster' | 'kustomization' | 'folder' | 'file' | 'object' | 'part' | 'orphans';

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
  /** The cluster object this node stands for (Flux kinds only), to show its live status and act on it. */
  ref?: ClusterRef;
  children: RepoNode[];
}
