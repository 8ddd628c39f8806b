// An EMULATION of the Flux controllers' API behaviour, for tests only: the controllers do not run
// in the test cluster, so this watches Flux objects and answers like they do, through the status
// subresource (see status-writer.ts):
//   - a new reconcile.fluxcd.io/requestedAt value (not yet in status.lastHandledReconcileAt), or a
//     spec change (metadata.generation != status.observedGeneration, e.g. a resume that removed
//     spec.suspend) starts a reconciliation: Reconciling=True/Progressing, Ready=Unknown;
//   - after `delayMs`, the outcome: Ready=True with the kind's reason and revision, or the failure
//     the `outcome` hook (or the object's emulation annotation) asks for;
//   - the handled request lands in status.lastHandledReconcileAt (and HelmRelease
//     lastHandledForceAt/ResetAt when those annotations carry the same value).
// Suspended objects (spec.suspend: true) are left alone, as the controllers leave them.
// It applies no manifests and installs no charts: only the status a client can observe.
import * as k8s from '@kubernetes/client-node';
import { collectionPath, FLUX_KINDS, FluxKind, FluxRef } from './flux-kinds';
import { FluxObject, REQUESTED_AT_ANNOTATION, StatusWriter } from './status-writer';

/** Annotation a test can put on an object to make the emulation fail it: "Reason: message". */
export const EMULATE_FAILURE_ANNOTATION = 'test.flux-gitops.dev/emulate-failure';
/** Annotation making the failure final (Stalled) when "true". */
export const EMULATE_STALLED_ANNOTATION = 'test.flux-gitops.dev/emulate-stalled';

export type EmulatedOutcome =
  | { ready: true; revision?: string; message?: string }
  | { ready: false; reason?: string; message: string; stalled?: boolean };

export interface EmulationOptions {
  /** Kinds to answer for. Default: every kind whose CRD the cluster serves among Kustomization, HelmRelease and the sources. */
  kinds?: FluxKind[];
  /** Only this namespace (default: all namespaces). */
  namespace?: string;
  /** Time between Reconciling and the outcome. Default 300 ms. */
  delayMs?: number;
  /** Decides the outcome; default: the failure annotation if present, else success. */
  outcome?: (obj: FluxObject) => EmulatedOutcome | Promise<EmulatedOutcome>;
  /** Errors met while answering (the emulation keeps going). */
  onError?: (err: unknown) => void;
}

export interface ControllerEmulation {
  /** Objects answered so far (kind/namespace/name), in order. */
  readonly handled: string[];
  stop(): Promise<void>;
}

const DEFAULT_KINDS: FluxKind[] = [
  'Kustomization',
  'HelmRelease',
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
];

function defaultOutcome(obj: FluxObject): EmulatedOutcome {
  const failure = obj.metadata.annotations?.[EMULATE_FAILURE_ANNOTATION];
  if (!failure) return { ready: true };
  const i = failure.indexOf(':');
  const reason = i > 0 ? failure.slice(0, i).trim() : undefined;
  const message = i > 0 ? failure.slice(i + 1).trim() : failure;
  return {
    ready: false,
    reason,
    message,
    stalled: obj.metadata.annotations?.[EMULATE_STALLED_ANNOTATION] === 'true',
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Why the object needs a reconciliation now, or undefined. */
function pendingWork(obj: FluxObject): 'request' | 'generation' | undefined {
  if (obj.spec?.suspend === true) return undefined;
  const requested = obj.metadata.annotations?.[REQUESTED_AT_ANNOTATION];
  if (requested !== undefined && requested !== obj.status?.lastHandledReconcileAt) return 'request';
  if ((obj.metadata.generation ?? 1) !== obj.status?.observedGeneration) {
    // A failed (retrying) reconciliation keeps the old observedGeneration: do not loop on it.
    const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
    const reconciling = obj.status?.conditions?.find((c) => c.type === 'Reconciling');
    if (ready?.status === 'False' && ready.observedGeneration === obj.metadata.generation && reconciling)
      return undefined;
    return 'generation';
  }
  return undefined;
}

/** Starts the emulation; stop() ends its watches and waits for reconciliations in flight. */
export async function startControllerEmulation(
  kc: k8s.KubeConfig,
  options: EmulationOptions = {},
): Promise<ControllerEmulation> {
  const writer = new StatusWriter(kc, 'flux-controller-emulation');
  const watch = new k8s.Watch(kc);
  const delayMs = options.delayMs ?? 300;
  const outcome = options.outcome ?? defaultOutcome;
  const onError = options.onError ?? (() => undefined);
  const inFlight = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const handled: string[] = [];
  const aborts: AbortController[] = [];
  let stopped = false;

  const reconcile = async (ref: FluxRef, key: string): Promise<void> => {
    do {
      again.delete(key);
      let obj = await writer.get(ref);
      if (!pendingWork(obj)) return;
      await writer.reconciling(ref);
      await sleep(delayMs);
      if (stopped) return;
      obj = await writer.get(ref);
      const result = await outcome(obj);
      const requested = obj.metadata.annotations?.[REQUESTED_AT_ANNOTATION];
      if (result.ready) {
        await writer.ready(ref, { revision: result.revision, message: result.message, handled: requested });
      } else {
        await writer.failed(ref, {
          reason: result.reason,
          message: result.message,
          stalled: result.stalled,
          handled: requested,
        });
      }
      handled.push(key);
    } while (again.has(key) && !stopped);
  };

  const onEvent = (kind: FluxKind) => (phase: string, obj: FluxObject) => {
    if (stopped || (phase !== 'ADDED' && phase !== 'MODIFIED')) return;
    if (!pendingWork(obj)) return;
    const ref: FluxRef = { kind, name: obj.metadata.name, namespace: obj.metadata.namespace };
    const key = `${kind}/${ref.namespace}/${ref.name}`;
    if (inFlight.has(key)) {
      again.add(key);
      return;
    }
    const p = reconcile(ref, key)
      .catch((err: unknown) => {
        if (!stopped) onError(err);
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  };

  const startWatch = async (kind: FluxKind): Promise<void> => {
    const path = collectionPath(kind, options.namespace);
    const controller = await watch.watch(path, {}, onEvent(kind), (err: unknown) => {
      // The server ends watches from time to time: start again unless stopped.
      if (stopped) return;
      if (err) onError(err);
      setTimeout(() => {
        if (!stopped) startWatch(kind).catch(onError);
      }, 200);
    });
    if (stopped) controller.abort();
    else aborts.push(controller);
  };

  let kinds = options.kinds;
  if (!kinds) {
    const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const served = new Set((await api.listCustomResourceDefinition()).items.map((c) => c.spec.names.kind));
    kinds = DEFAULT_KINDS.filter((k) => served.has(k) && FLUX_KINDS[k] !== undefined);
  }
  await Promise.all(kinds.map(startWatch));

  return {
    handled,
    stop: async () => {
      stopped = true;
      for (const a of aborts) a.abort();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
