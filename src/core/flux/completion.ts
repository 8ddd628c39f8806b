// Completion of a reconcile request, seen through the watch (the status store), not by polling:
// done when status.lastHandledReconcileAt equals our token and Ready has settled (True or False),
// or Stalled=True.
import { ClusterRef, FluxRef } from '../cluster/kinds';
import { FluxObject, ObjectStatus } from '../cluster/status';
import { StatusStore } from '../cluster/store';
import { FluxApi } from '../cluster/api';
import { REQUESTED_AT } from './annotations';
import { requestReconcile, ReconcileRequestOptions, RequestResult, withSourceChain } from './actions';

export type CompletionResult =
  | {
      kind: 'succeeded';
      ref: ClusterRef;
      token: string;
      status: ObjectStatus;
      revision?: string;
      message: string;
    }
  | {
      kind: 'failed';
      ref: ClusterRef;
      token: string;
      status: ObjectStatus;
      reason?: string;
      message: string;
      stalled: boolean;
    }
  | { kind: 'suspended'; ref: ClusterRef; token: string; message: string }
  | { kind: 'deleted'; ref: ClusterRef; token: string; message: string }
  | { kind: 'timeout'; ref: ClusterRef; token: string; status?: ObjectStatus; message: string }
  | { kind: 'cancelled'; ref: ClusterRef; token: string; message: string };

export interface WaitOptions {
  /** Default 5 minutes, as `flux reconcile --timeout`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

function label(ref: FluxRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** Whether the object shows the outcome of the request `token`; undefined while in progress. */
export function completionOf(
  ref: ClusterRef,
  token: string,
  object: FluxObject,
  status: ObjectStatus,
): CompletionResult | undefined {
  if (object.status?.lastHandledReconcileAt !== token) return undefined;
  const stalled = status.conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
  const ready = status.conditions.find((c) => c.type === 'Ready');
  if (stalled || ready?.status === 'False') {
    const cond = ready?.status === 'False' ? ready : stalled;
    const result: CompletionResult = {
      kind: 'failed',
      ref,
      token,
      status,
      message: `${label(ref)} reconciliation failed: ${cond?.message ?? ''}`,
      stalled: !!stalled,
    };
    if (cond?.reason) result.reason = cond.reason;
    return result;
  }
  if (ready?.status !== 'True') return undefined;
  const verb = ref.kind === 'Kustomization' || ref.kind === 'HelmRelease' ? 'applied' : 'fetched';
  const result: CompletionResult = {
    kind: 'succeeded',
    ref,
    token,
    status,
    message: status.revision ? `${verb} revision ${status.revision}` : `${label(ref)} reconciled`,
  };
  if (status.revision) result.revision = status.revision;
  return result;
}

/** Waits until the store shows the outcome of the request `token` on `ref` (or timeout / abort). */
export function waitForReconcile(
  store: StatusStore,
  ref: ClusterRef,
  token: string,
  options: WaitOptions = {},
): Promise<CompletionResult> {
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  return new Promise<CompletionResult>((resolve) => {
    let done = false;
    const check = (): CompletionResult | undefined => {
      const entry = store.get(ref);
      if (!entry) return undefined;
      // Only an object that already carries our request can have been suspended "while
      // reconciling"; before the watch delivers our patch (e.g. of a resume) the store is stale.
      if (entry.status.suspended && entry.object.metadata.annotations?.[REQUESTED_AT] === token)
        return { kind: 'suspended', ref, token, message: `${label(ref)} was suspended while reconciling` };
      return completionOf(ref, token, entry.object, entry.status);
    };
    const finish = (result: CompletionResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      subscription.dispose();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () =>
      finish({ kind: 'cancelled', ref, token, message: `waiting for ${label(ref)} cancelled` });
    const subscription = store.onDidChange((event) => {
      const key = store.get(ref)?.key;
      for (const change of event.changes) {
        const r = change.ref;
        if (
          r.cluster !== ref.cluster ||
          r.kind !== ref.kind ||
          r.namespace !== ref.namespace ||
          r.name !== ref.name
        )
          continue;
        if (change.type === 'removed' && key === undefined) {
          finish({ kind: 'deleted', ref, token, message: `${label(ref)} was deleted` });
          return;
        }
        const result = check();
        if (result) finish(result);
        return;
      }
    });
    const timer = setTimeout(() => {
      const status = store.get(ref)?.status;
      const message = `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${label(ref)} to reconcile`;
      finish(
        status ? { kind: 'timeout', ref, token, status, message } : { kind: 'timeout', ref, token, message },
      );
    }, timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort);
    const now = check();
    if (now) finish(now);
  });
}

export interface ReconcileOptions extends ReconcileRequestOptions, WaitOptions {
  /** Reconcile the source first, as `flux reconcile ks|hr --with-source`. */
  withSource?: boolean;
  /** Called before each object is requested (source steps first). */
  onStep?: (ref: FluxRef, index: number, total: number) => void;
}

export interface ReconcileStep {
  ref: FluxRef;
  request: RequestResult;
  completion?: CompletionResult;
}

export interface ReconcileOutcome {
  /** True when every step succeeded. */
  ok: boolean;
  /** The final message: the revision applied / fetched, or why it failed. */
  message: string;
  steps: ReconcileStep[];
  /** The last completion (of `ref` itself when it got that far). */
  completion?: CompletionResult;
}

/**
 * The whole `flux reconcile` flow for one object of one connected cluster: optional sources first
 * (each requested and awaited), then the object; stops at the first step that does not succeed.
 * A static source (OCI HelmRepository) is skipped, as flux does.
 */
export async function reconcile(
  api: FluxApi,
  store: StatusStore,
  cluster: string,
  ref: FluxRef,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const chain = options.withSource ? await withSourceChain(api, ref) : [ref];
  const steps: ReconcileStep[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
  let completion: CompletionResult | undefined;
  for (let i = 0; i < chain.length; i++) {
    const step = chain[i];
    const isTarget = i === chain.length - 1;
    options.onStep?.(step, i, chain.length);
    const request = await requestReconcile(api, step, {
      force: isTarget ? options.force : undefined,
      reset: isTarget ? options.reset : undefined,
      token: options.token,
    });
    const record: ReconcileStep = { ref: step, request };
    steps.push(record);
    if (request.kind === 'not-supported' && !isTarget) continue;
    if (request.kind !== 'requested') return { ok: false, message: request.message, steps };
    completion = await waitForReconcile(store, { cluster, ...step }, request.token, {
      timeoutMs: Math.max(0, deadline - Date.now()),
      signal: options.signal,
    });
    record.completion = completion;
    if (completion.kind !== 'succeeded') return { ok: false, message: completion.message, steps, completion };
  }
  return { ok: true, message: completion?.message ?? 'reconciled', steps, completion };
}
