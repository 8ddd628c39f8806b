import type { ClusterRef, FluxKind } from '../cluster/kinds';
import type { ObjectStatus } from '../cluster/status';
import type { ManifestObject, RepoModel } from '../repo/model';
import { hasLenses } from '../tree/kinds';

const WITH_SOURCE: ReadonlySet<FluxKind> = new Set(['HelmRelease', 'Kustomization']);

export type LensAction =
  'status' | 'connect' | 'reconcile' | 'reconcileWithSource' | 'suspend' | 'resume' | 'reveal' | 'diff';

/** One CodeLens to show: at a 0-based line, a title, and what clicking does. */
export interface LensSpec {
  line: number;
  title: string;
  action: LensAction;
  ref: ClusterRef;
}

/** What the lenses need to know about the live side. */
export interface LensStatusSource {
  /** The context a cluster is bound to, or undefined when it is not connected. */
  contextOf(cluster: string): string | undefined;
  /** The live status, or undefined when the cluster has no such object. */
  statusOf(ref: ClusterRef): ObjectStatus | undefined;
  /** A HelmRelease's latest release in the cluster (status.history[0]): chart name and Helm revision. */
  releaseOf?(ref: ClusterRef): { chart?: string; revision?: number } | undefined;
}

/** Per-file index of the lensable objects of a model, built once per model (so a lens request is a map lookup). */
export class LensIndex {
  private readonly byFile = new Map<string, { object: ManifestObject; ref: ClusterRef }[]>();

  constructor(model: RepoModel) {
    for (const object of model.objects) {
      // Kinds that get lenses: what a user reconciles, suspends and resumes (see tree/kinds.ts).
      if (!hasLenses(object.apiVersion, object.kind)) continue;
      const ks = object.appliedBy.map((key) => model.kustomizations.get(key)).find(Boolean);
      const cluster = ks?.cluster;
      // Not applied by any Flux Kustomization: not part of a Flux repository's tree, no lenses.
      if (!cluster) continue;
      const list = this.byFile.get(object.file) ?? [];
      list.push({
        object,
        ref: { cluster, kind: object.kind, namespace: object.namespace || 'default', name: object.name },
      });
      this.byFile.set(object.file, list);
    }
  }

  /** The cluster objects a file defines. */
  refsIn(file: string): ClusterRef[] {
    return (this.byFile.get(file) ?? []).map((entry) => entry.ref);
  }

  /** The lenses of one file, in document order. */
  lenses(file: string, live: LensStatusSource): LensSpec[] {
    const out: LensSpec[] = [];
    for (const { object, ref } of this.byFile.get(file) ?? []) {
      const line = object.line - 1;
      const context = live.contextOf(ref.cluster);
      if (!context) {
        out.push({
          line,
          title: `$(debug-disconnect) ${ref.cluster}: not connected`,
          action: 'connect',
          ref,
        });
        out.push({ line, title: 'Show in tree', action: 'reveal', ref });
        continue;
      }
      const status = live.statusOf(ref);
      const release = ref.kind === 'HelmRelease' ? live.releaseOf?.(ref) : undefined;
      out.push({ line, title: statusTitle(ref.kind, status, object, release), action: 'status', ref });
      out.push({ line, title: 'Reconcile', action: 'reconcile', ref });
      if (WITH_SOURCE.has(ref.kind))
        out.push({ line, title: 'Reconcile with source', action: 'reconcileWithSource', ref });
      if (status) {
        out.push(
          status.suspended
            ? { line, title: 'Resume', action: 'resume', ref }
            : { line, title: 'Suspend', action: 'suspend', ref },
        );
        // What applying the working tree would change: only for a Kustomization the cluster has.
        if (ref.kind === 'Kustomization') out.push({ line, title: 'Diff with cluster', action: 'diff', ref });
      }
      out.push({ line, title: 'Show in tree', action: 'reveal', ref });
    }
    return out;
  }
}

const MAX_MESSAGE = 80;

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/** "✓ Ready · app-template 4.1.1 · main@sha1:1a2b3c4d", "✗ UpgradeFailed: …", "not in cluster", "suspended". */
export function statusTitle(
  kind: FluxKind,
  status: ObjectStatus | undefined,
  object?: ManifestObject,
  release?: { chart?: string; revision?: number },
): string {
  if (!status) return '$(circle-large-outline) not in cluster';
  const chart = kind === 'HelmRelease' ? (release?.chart ?? object?.chart?.name ?? undefined) : undefined;
  switch (status.state) {
    case 'Ready': {
      const revision = status.shortRevision;
      const parts = ['$(pass-filled) Ready'];
      if (chart && revision && !revision.includes(chart)) parts.push(`${chart} ${revision}`);
      else if (revision) parts.push(revision);
      if (release?.revision !== undefined) parts.push(`rev ${release.revision}`);
      return parts.join(' · ');
    }
    case 'Suspended':
      return `$(debug-pause) suspended${status.shortRevision ? ` · ${status.shortRevision}` : ''}`;
    case 'Reconciling':
      return `$(sync~spin) reconciling${status.message ? `: ${clip(status.message)}` : ''}`;
    case 'Stalled':
      return `$(warning) stalled: ${status.reason ? `${status.reason}: ` : ''}${clip(status.message)}`;
    case 'NotReady':
      return `$(error) ${status.reason ?? 'not ready'}: ${clip(status.message)}`;
    case 'Unknown':
      return '$(circle-large-outline) not in cluster';
  }
}
