// Writes Flux objects' status through the status subresource the way the Flux controllers do
// (JSON merge patch on .../status), so tests can meet objects in every state the extension shows
// without running the controllers. Reasons and messages follow the controllers' own:
//   - Ready / Reconciling / Stalled conditions (metav1.Condition, with observedGeneration and a
//     lastTransitionTime that only moves when the condition's status changes);
//   - Kustomization: lastAppliedRevision, lastAttemptedRevision, ReconciliationSucceeded;
//   - HelmRelease v2: history (newest first), lastAttemptedRevision/Generation/ReleaseAction,
//     Released condition, InstallSucceeded/UpgradeSucceeded and their *Failed reasons;
//   - sources: artifact (revision, digest, path, url, lastUpdateTime, size), ArtifactInStorage;
//   - lastHandledReconcileAt (and HelmRelease lastHandledForceAt/ResetAt) when a request was handled.
import { createHash } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { FLUX_KINDS, FluxKind, FluxRef, SOURCE_KINDS } from './flux-kinds';

export const REQUESTED_AT_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';
export const FORCE_AT_ANNOTATION = 'reconcile.fluxcd.io/forceAt';
export const RESET_AT_ANNOTATION = 'reconcile.fluxcd.io/resetAt';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface FluxObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    generation?: number;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: Condition[] };
}

export interface ReadyOptions {
  /** Revision applied/stored. Defaults to a realistic one derived from the object's name. */
  revision?: string;
  /** Override the Ready message. */
  message?: string;
  /**
   * Record the handled reconcile request: a value for lastHandledReconcileAt, or true to take it
   * from the object's reconcile.fluxcd.io/requestedAt annotation (as the controllers do).
   */
  handled?: string | boolean;
  /** HelmRelease: chart name, version and app version for the history entry. */
  chartName?: string;
  chartVersion?: string;
  appVersion?: string;
}

export interface FailureOptions {
  /**
   * Ready=False reason, e.g. BuildFailed, HealthCheckFailed, InstallFailed, GitOperationFailed.
   * Default: the kind's usual failure reason.
   */
  reason?: string;
  message: string;
  /** Final failure: Stalled=True (no retry) instead of Reconciling=True ProgressingWithRetry. */
  stalled?: boolean;
  revision?: string;
  handled?: string | boolean;
}

const PROGRESSING = 'Progressing';
const PROGRESSING_WITH_RETRY = 'ProgressingWithRetry';

/** RFC 3339 in whole seconds, as metav1.Time serialises. */
export function nowRfc3339(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}#${i}`).digest('hex');
  return out.slice(0, length);
}

/** A revision in the format the kind reports, derived from the object's identity. */
export function defaultRevision(ref: FluxRef): string {
  const seed = `${ref.kind}/${ref.namespace}/${ref.name}`;
  switch (ref.kind) {
    case 'Kustomization':
    case 'GitRepository':
      return `main@sha1:${hex(seed, 40)}`;
    case 'OCIRepository':
      return `latest@sha256:${hex(seed, 64)}`;
    case 'HelmChart':
      return '6.0.3';
    default:
      return `sha256:${hex(seed, 64)}`;
  }
}

function defaultFailureReason(kind: FluxKind, installed: boolean): string {
  switch (kind) {
    case 'Kustomization':
      return 'ReconciliationFailed';
    case 'HelmRelease':
      return installed ? 'UpgradeFailed' : 'InstallFailed';
    case 'GitRepository':
      return 'GitOperationFailed';
    case 'OCIRepository':
      return 'OCIArtifactPullFailed';
    case 'HelmRepository':
      return 'IndexationFailed';
    case 'HelmChart':
      return 'ChartPullError';
    case 'Bucket':
      return 'BucketOperationFailed';
    default:
      return 'ReconciliationFailed';
  }
}

/**
 * Returns `conditions` with `updates` applied like fluxcd/pkg conditions.Set: the transition time
 * is kept when the status did not change; Ready first, then the others by type. Types in
 * `remove` are deleted.
 */
export function setConditions(
  current: Condition[] | undefined,
  updates: Omit<Condition, 'lastTransitionTime'>[],
  remove: string[] = [],
  now = nowRfc3339(),
): Condition[] {
  const byType = new Map<string, Condition>();
  for (const c of current ?? []) byType.set(c.type, c);
  for (const t of remove) byType.delete(t);
  for (const u of updates) {
    const previous = byType.get(u.type);
    const lastTransitionTime = previous && previous.status === u.status ? previous.lastTransitionTime : now;
    byType.set(u.type, { ...u, lastTransitionTime });
  }
  return [...byType.values()].sort((a, b) =>
    a.type === 'Ready' ? -1 : b.type === 'Ready' ? 1 : a.type.localeCompare(b.type),
  );
}

function condition(
  type: string,
  status: ConditionStatus,
  reason: string,
  message: string,
  generation: number,
): Omit<Condition, 'lastTransitionTime'> {
  return { type, status, observedGeneration: generation, reason, message };
}

function handledValue(obj: FluxObject, handled: string | boolean | undefined): string | undefined {
  if (typeof handled === 'string') return handled;
  if (handled === true) return obj.metadata.annotations?.[REQUESTED_AT_ANNOTATION];
  return undefined;
}

interface HistoryEntry {
  name: string;
  namespace: string;
  version: number;
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  configDigest: string;
  digest: string;
  firstDeployed: string;
  lastDeployed: string;
}

function helmReleaseIdentity(obj: FluxObject): {
  releaseName: string;
  releaseNamespace: string;
  storage: string;
} {
  const spec = obj.spec ?? {};
  const target = typeof spec.targetNamespace === 'string' ? spec.targetNamespace : undefined;
  let releaseName =
    typeof spec.releaseName === 'string' && spec.releaseName
      ? spec.releaseName
      : target
        ? `${target}-${obj.metadata.name}`
        : obj.metadata.name;
  if (releaseName.length > 53) {
    // helm-controller shortens long names: a prefix and a short hash of the full name.
    releaseName = `${releaseName.slice(0, 40)}-${createHash('sha256').update(releaseName).digest('hex').slice(0, 12)}`;
  }
  const storage = typeof spec.storageNamespace === 'string' ? spec.storageNamespace : obj.metadata.namespace;
  return { releaseName, releaseNamespace: target ?? obj.metadata.namespace, storage };
}

function helmChartSpec(obj: FluxObject): { chart?: string; version?: string; sourceNamespace?: string } {
  const chart = (obj.spec?.chart as { spec?: Record<string, unknown> } | undefined)?.spec;
  const sourceRef = chart?.sourceRef as { namespace?: string } | undefined;
  return {
    chart: typeof chart?.chart === 'string' ? chart.chart : undefined,
    version:
      typeof chart?.version === 'string' && /^\d+\.\d+\.\d+/.test(chart.version) ? chart.version : undefined,
    sourceNamespace: sourceRef?.namespace,
  };
}

/** Sets Flux objects' status through the status subresource, as the controllers do. */
export class StatusWriter {
  private readonly api: k8s.CustomObjectsApi;

  constructor(
    kc: k8s.KubeConfig,
    private readonly fieldManager = 'flux-gitops-status-writer',
  ) {
    this.api = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  async get(ref: FluxRef): Promise<FluxObject> {
    const k = FLUX_KINDS[ref.kind];
    return (await this.api.getNamespacedCustomObject({
      group: k.group,
      version: k.version,
      namespace: ref.namespace,
      plural: k.plural,
      name: ref.name,
    })) as FluxObject;
  }

  /** JSON merge patch of `{status}` on the status subresource. */
  async patchStatus(ref: FluxRef, status: Record<string, unknown>): Promise<FluxObject> {
    const k = FLUX_KINDS[ref.kind];
    return (await this.api.patchNamespacedCustomObjectStatus(
      {
        group: k.group,
        version: k.version,
        namespace: ref.namespace,
        plural: k.plural,
        name: ref.name,
        body: { status },
        fieldManager: this.fieldManager,
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )) as FluxObject;
  }

  /** Reconciling=True (Progressing) and Ready=Unknown: a reconciliation has started. */
  async reconciling(ref: FluxRef, message = 'Reconciliation in progress'): Promise<FluxObject> {
    const obj = await this.get(ref);
    const gen = obj.metadata.generation ?? 1;
    const conditions = setConditions(
      obj.status?.conditions,
      [
        condition('Reconciling', 'True', PROGRESSING, message, gen),
        condition('Ready', 'Unknown', PROGRESSING, message, gen),
      ],
      ['Stalled'],
    );
    return this.patchStatus(ref, { conditions });
  }

  /** The reconciliation succeeded: Ready=True with the kind's reason, revision fields, history. */
  async ready(ref: FluxRef, options: ReadyOptions = {}): Promise<FluxObject> {
    const obj = await this.get(ref);
    const gen = obj.metadata.generation ?? 1;
    const now = nowRfc3339();
    const status: Record<string, unknown> = { observedGeneration: gen };
    const handled = handledValue(obj, options.handled);
    if (handled !== undefined) status.lastHandledReconcileAt = handled;
    let updates: Omit<Condition, 'lastTransitionTime'>[];

    if (ref.kind === 'Kustomization') {
      const revision = options.revision ?? defaultRevision(ref);
      status.lastAppliedRevision = revision;
      status.lastAttemptedRevision = revision;
      const message = options.message ?? `Applied revision: ${revision}`;
      updates = [condition('Ready', 'True', 'ReconciliationSucceeded', message, gen)];
    } else if (ref.kind === 'HelmRelease') {
      Object.assign(status, this.helmReleaseSuccess(obj, options, gen, now, handled));
      const history = status.history as HistoryEntry[];
      const h = history[0];
      const action = h.version === 1 ? 'install' : 'upgrade';
      const reason = action === 'install' ? 'InstallSucceeded' : 'UpgradeSucceeded';
      const message =
        options.message ??
        `Helm ${action} succeeded for release ${h.namespace}/${h.name}.v${h.version} with chart ${h.chartName}@${h.chartVersion}`;
      updates = [
        condition('Ready', 'True', reason, message, gen),
        condition('Released', 'True', reason, message, gen),
      ];
    } else if (SOURCE_KINDS.includes(ref.kind)) {
      const revision = options.revision ?? defaultRevision(ref);
      const digest = `sha256:${hex(`${revision}/${ref.name}`, 64)}`;
      const path = `${ref.kind.toLowerCase()}/${ref.namespace}/${ref.name}/${digest.slice(7, 47)}.tar.gz`;
      status.artifact = {
        path,
        url: `http://source-controller.flux-system.svc.cluster.local./${path}`,
        revision,
        digest,
        lastUpdateTime: now,
        size: 4096,
      };
      if (ref.kind === 'HelmChart') {
        const chart = (obj.spec as { chart?: string } | undefined)?.chart;
        if (chart) status.observedChartName = chart;
      }
      const message = options.message ?? `stored artifact for revision '${revision}'`;
      updates = [
        condition('Ready', 'True', 'Succeeded', message, gen),
        condition('ArtifactInStorage', 'True', 'Succeeded', message, gen),
      ];
    } else {
      updates = [condition('Ready', 'True', 'Succeeded', options.message ?? 'Initialized', gen)];
    }
    const removed = [
      'Reconciling',
      'Stalled',
      'FetchFailed',
      'BuildFailed',
      'StorageOperationFailed',
      'ArtifactOutdated',
    ];
    status.conditions = setConditions(obj.status?.conditions, updates, removed, now);
    return this.patchStatus(ref, status);
  }

  private helmReleaseSuccess(
    obj: FluxObject,
    options: ReadyOptions,
    gen: number,
    now: string,
    handled: string | undefined,
  ): Record<string, unknown> {
    const { releaseName, releaseNamespace, storage } = helmReleaseIdentity(obj);
    const spec = helmChartSpec(obj);
    const chartName = options.chartName ?? spec.chart ?? 'podinfo';
    const chartVersion = options.chartVersion ?? spec.version ?? '6.5.4';
    const previous = ((obj.status?.history as HistoryEntry[] | undefined) ?? []).map((e) => ({
      ...e,
      status: e.status === 'deployed' ? 'superseded' : e.status,
    }));
    const version = (previous[0]?.version ?? 0) + 1;
    const configDigest = `sha256:${hex(JSON.stringify(obj.spec?.values ?? {}), 64)}`;
    const entry: HistoryEntry = {
      name: releaseName,
      namespace: releaseNamespace,
      version,
      status: 'deployed',
      chartName,
      chartVersion,
      appVersion: options.appVersion ?? chartVersion,
      configDigest,
      digest: `sha256:${hex(`${releaseNamespace}/${releaseName}.v${version}`, 64)}`,
      firstDeployed: previous[previous.length - 1]?.firstDeployed ?? now,
      lastDeployed: now,
    };
    const result: Record<string, unknown> = {
      history: [entry, ...previous].slice(0, 5),
      lastAttemptedRevision: chartVersion,
      lastAttemptedConfigDigest: configDigest,
      lastAttemptedGeneration: gen,
      lastAttemptedReleaseAction: version === 1 ? 'install' : 'upgrade',
      lastReleaseRevision: version,
      storageNamespace: storage,
      helmChart: `${spec.sourceNamespace ?? obj.metadata.namespace}/${obj.metadata.namespace}-${obj.metadata.name}`,
      failures: null,
      installFailures: null,
      upgradeFailures: null,
    };
    // helm-controller acts on forceAt/resetAt only when they equal requestedAt.
    const annotations = obj.metadata.annotations ?? {};
    if (handled !== undefined && annotations[FORCE_AT_ANNOTATION] === handled)
      result.lastHandledForceAt = handled;
    if (handled !== undefined && annotations[RESET_AT_ANNOTATION] === handled)
      result.lastHandledResetAt = handled;
    return result;
  }

  /**
   * The reconciliation failed. Retrying (default): Ready=False with the reason, Reconciling=True
   * ProgressingWithRetry, observedGeneration left as it was. Stalled: Stalled=True and Ready=False
   * with the reason, no Reconciling, observedGeneration = generation.
   */
  async failed(ref: FluxRef, options: FailureOptions): Promise<FluxObject> {
    const obj = await this.get(ref);
    const gen = obj.metadata.generation ?? 1;
    const now = nowRfc3339();
    const installed = Array.isArray(obj.status?.history) && obj.status.history.length > 0;
    const reason =
      options.reason ??
      (options.stalled && ref.kind === 'HelmRelease'
        ? 'RetriesExceeded'
        : defaultFailureReason(ref.kind, installed));
    const status: Record<string, unknown> = {};
    const handled = handledValue(obj, options.handled);
    if (handled !== undefined) status.lastHandledReconcileAt = handled;
    const updates = [condition('Ready', 'False', reason, options.message, gen)];
    const remove: string[] = [];
    if (options.stalled) {
      updates.push(condition('Stalled', 'True', reason, options.message, gen));
      remove.push('Reconciling');
      status.observedGeneration = gen;
    } else {
      const previous = obj.status?.conditions?.find((c) => c.type === 'Reconciling');
      updates.push(
        condition(
          'Reconciling',
          'True',
          PROGRESSING_WITH_RETRY,
          previous?.message ?? 'Reconciliation in progress',
          gen,
        ),
      );
      remove.push('Stalled');
    }
    if (ref.kind === 'Kustomization') {
      status.lastAttemptedRevision = options.revision ?? defaultRevision(ref);
    } else if (ref.kind === 'HelmRelease') {
      const spec = helmChartSpec(obj);
      status.lastAttemptedRevision = options.revision ?? spec.version ?? '6.5.4';
      status.lastAttemptedGeneration = gen;
      status.lastAttemptedReleaseAction = installed ? 'upgrade' : 'install';
      status.failures = ((obj.status?.failures as number | undefined) ?? 0) + 1;
      const counter = installed ? 'upgradeFailures' : 'installFailures';
      status[counter] = ((obj.status?.[counter] as number | undefined) ?? 0) + 1;
      updates.push(condition('Released', 'False', reason, options.message, gen));
    } else if (SOURCE_KINDS.includes(ref.kind) && !options.stalled) {
      updates.push(condition('FetchFailed', 'True', reason, options.message, gen));
    }
    status.conditions = setConditions(obj.status?.conditions, updates, remove, now);
    return this.patchStatus(ref, status);
  }

  /** Stalled=True: an error no retry can fix (InvalidCELExpression, AccessDenied, ...). */
  async stalled(ref: FluxRef, reason: string, message: string): Promise<FluxObject> {
    return this.failed(ref, { reason, message, stalled: true });
  }
}
