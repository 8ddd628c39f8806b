// What the extension shows about one Flux object, derived from the object the API server returns:
// the state (Ready, Not ready, Reconciling, Stalled, Suspended, or Unknown when it is not in the
// cluster), the revision shortened like `flux get`, every condition and the reconcile timing.
import { FluxKind } from './kinds';

export type StatusState = 'Ready' | 'NotReady' | 'Reconciling' | 'Stalled' | 'Suspended' | 'Unknown';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface FluxCondition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** The parts of a Flux object the extension reads (kept loose: several API versions). */
export interface FluxObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ObjectStatus {
  state: StatusState;
  /** Ready condition's status; False when there is none, as `flux get` prints it. */
  ready: ConditionStatus;
  /** Ready's reason, when there is a Ready condition. */
  reason?: string;
  /** Ready's message, or "waiting to be reconciled" when there is no Ready condition. */
  message: string;
  suspended: boolean;
  /** The revision `flux get` shows, in full. */
  revision?: string;
  /** The revision with long hex digests cut to 8 characters. */
  shortRevision?: string;
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  conditions: FluxCondition[];
  lastHandledReconcileAt?: string;
  /** spec.interval as written (Go duration), and in milliseconds when it parses. */
  interval?: string;
  intervalMs?: number;
  /** The latest time the status records a reconciliation effect (best estimate), RFC 3339. */
  lastReconcileAt?: string;
  generation?: number;
  observedGeneration?: number;
}

export const WAITING_MESSAGE = 'waiting to be reconciled';

/** The status of an object the repository declares but the cluster does not have. */
export function unknownStatus(): ObjectStatus {
  return {
    state: 'Unknown',
    ready: 'Unknown',
    message: 'not found in the cluster',
    suspended: false,
    conditions: [],
  };
}

/** Cuts every hex digest of 40 to 128 characters in a revision to its first 8, as `flux get` does. */
export function shortRevision(revision: string): string {
  return revision.replace(
    /(^|[^0-9a-fA-F])([0-9a-fA-F]{40,128})(?![0-9a-fA-F])/g,
    (_m, pre: string, hex: string) => `${pre}${hex.slice(0, 8)}`,
  );
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration (`10m`, `1h30m`, `1m0s`, `500ms`) into milliseconds; undefined if invalid. */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += parseFloat(m[1]) * DURATION_UNITS[m[2]];
    consumed = re.lastIndex;
  }
  return consumed > 0 && consumed === s.length ? total : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function conditionStatus(value: unknown): ConditionStatus {
  return value === 'True' || value === 'False' ? value : 'Unknown';
}

/** The object's conditions, normalised. */
export function readConditions(obj: FluxObject): FluxCondition[] {
  const list = obj.status?.conditions;
  if (!Array.isArray(list)) return [];
  const out: FluxCondition[] = [];
  for (const raw of list) {
    const c = record(raw);
    const type = str(c?.type);
    if (!c || !type) continue;
    const cond: FluxCondition = { type, status: conditionStatus(c.status) };
    const reason = str(c.reason);
    if (reason !== undefined) cond.reason = reason;
    if (typeof c.message === 'string') cond.message = c.message;
    const time = str(c.lastTransitionTime);
    if (time !== undefined) cond.lastTransitionTime = time;
    const gen = num(c.observedGeneration);
    if (gen !== undefined) cond.observedGeneration = gen;
    out.push(cond);
  }
  return out;
}

/** The revision `flux get <kind>` prints for the object. */
export function displayRevision(kind: FluxKind, obj: FluxObject): string | undefined {
  const status = obj.status ?? {};
  switch (kind) {
    case 'Kustomization':
      return str(status.lastAppliedRevision);
    case 'HelmRelease': {
      const history = Array.isArray(status.history) ? status.history : [];
      return (
        str(record(history[0])?.chartVersion) ??
        str(status.lastAttemptedRevision) ??
        str(status.lastAppliedRevision)
      );
    }
    default:
      return str(record(status.artifact)?.revision);
  }
}

function latestTime(values: (string | undefined)[]): string | undefined {
  let best: string | undefined;
  let bestMs = -Infinity;
  for (const v of values) {
    if (!v) continue;
    const ms = Date.parse(v);
    if (!Number.isNaN(ms) && ms > bestMs) {
      bestMs = ms;
      best = v;
    }
  }
  return best;
}

/** Derives the displayed status of a Flux object of the given kind. */
export function deriveStatus(kind: FluxKind, obj: FluxObject): ObjectStatus {
  const status = obj.status ?? {};
  const spec = obj.spec ?? {};
  const conditions = readConditions(obj);
  const find = (type: string) => conditions.find((c) => c.type === type);
  const ready = find('Ready');
  const stalled = find('Stalled');
  const reconciling = find('Reconciling');
  const suspended = spec.suspend === true;
  const generation = num(obj.metadata.generation);
  const observedGeneration = num(status.observedGeneration);

  let state: StatusState;
  if (suspended) state = 'Suspended';
  else if (stalled?.status === 'True') state = 'Stalled';
  else if (!ready) state = obj.metadata.deletionTimestamp ? 'Reconciling' : 'NotReady';
  else if (ready.status === 'False') state = 'NotReady';
  else if (ready.status === 'Unknown' || reconciling?.status === 'True' || obj.metadata.deletionTimestamp)
    state = 'Reconciling';
  else if (generation !== undefined && observedGeneration !== undefined && observedGeneration < generation)
    state = 'Reconciling';
  else state = 'Ready';

  const result: ObjectStatus = {
    state,
    ready: ready ? ready.status : 'False',
    message: ready ? (ready.message ?? '') : WAITING_MESSAGE,
    suspended,
    conditions,
  };
  if (ready?.reason) result.reason = ready.reason;
  const revision = displayRevision(kind, obj);
  if (revision) {
    result.revision = revision;
    result.shortRevision = shortRevision(revision);
  }
  const applied = str(status.lastAppliedRevision);
  if (applied) result.lastAppliedRevision = applied;
  const attempted = str(status.lastAttemptedRevision);
  if (attempted) result.lastAttemptedRevision = attempted;
  const handled = str(status.lastHandledReconcileAt);
  if (handled) result.lastHandledReconcileAt = handled;
  const interval = str(spec.interval);
  if (interval) {
    result.interval = interval;
    const ms = parseGoDuration(interval);
    if (ms !== undefined) result.intervalMs = ms;
  }
  const history = Array.isArray(status.history) ? status.history : [];
  const last = latestTime([
    ...conditions.map((c) => c.lastTransitionTime),
    handled,
    str(record(status.artifact)?.lastUpdateTime),
    str(record(history[0])?.lastDeployed),
  ]);
  if (last) result.lastReconcileAt = last;
  if (generation !== undefined) result.generation = generation;
  if (observedGeneration !== undefined) result.observedGeneration = observedGeneration;
  return result;
}

/**
 * When the next periodic reconcile is due: the last known reconcile time plus whole intervals, the
 * first one after `now`. Undefined when suspended or either time is unknown. An estimate: the
 * controllers add jitter and requeue earlier on failure.
 */
export function nextReconcileDue(status: ObjectStatus, now: Date = new Date()): Date | undefined {
  if (status.suspended || !status.intervalMs || !status.lastReconcileAt) return undefined;
  const last = Date.parse(status.lastReconcileAt);
  if (Number.isNaN(last)) return undefined;
  const nowMs = now.getTime();
  if (last + status.intervalMs > nowMs) return new Date(last + status.intervalMs);
  const periods = Math.floor((nowMs - last) / status.intervalMs) + 1;
  return new Date(last + periods * status.intervalMs);
}
