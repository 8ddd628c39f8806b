// The few Kubernetes API calls the extension makes on Flux objects, over @kubernetes/client-node:
// discovery, list, watch, get and JSON merge patch. Errors come back classified so callers can say
// "forbidden" or "unreachable" instead of printing a stack.
import type * as K8s from '@kubernetes/client-node';
import {
  collectionPath,
  FLUX_KIND_INFO,
  FLUX_KINDS,
  FluxKind,
  FluxRef,
  pickServedVersions,
  ServedVersion,
} from './kinds';
import { loadClientNode } from './kubeconfig';
import { FluxObject } from './status';

export type ApiErrorKind =
  | 'forbidden'
  | 'unauthorized'
  | 'not-found'
  | 'gone'
  | 'conflict'
  | 'invalid'
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'aborted'
  | 'server'
  | 'other';

export interface ApiErrorInfo {
  kind: ApiErrorKind;
  /** HTTP status when there was a response. */
  status?: number;
  message: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return body.trim() || undefined;
    }
  }
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return undefined;
}

/** Classifies an error thrown by client-node (ApiException, fetch errors, watch errors). */
export function describeApiError(err: unknown): ApiErrorInfo {
  const e = (err ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    body?: unknown;
    message?: unknown;
    name?: unknown;
    type?: unknown;
  };
  const status =
    typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const raw = typeof e.message === 'string' ? e.message : String(err);
  if (status !== undefined) {
    const message =
      status === 401
        ? `Unauthorized: the server rejected the credentials (expired or invalid)${statusMessage(e.body) ? `: ${statusMessage(e.body)}` : ''}`
        : (statusMessage(e.body) ?? raw.split('\n')[0]);
    const kind: ApiErrorKind =
      status === 401
        ? 'unauthorized'
        : status === 403
          ? 'forbidden'
          : status === 404
            ? 'not-found'
            : status === 409
              ? 'conflict'
              : status === 410
                ? 'gone'
                : status === 400 || status === 422
                  ? 'invalid'
                  : status >= 500
                    ? 'server'
                    : 'other';
    return { kind, status, message };
  }
  if (e.name === 'AbortError' || e.type === 'aborted') return { kind: 'aborted', message: 'aborted' };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && NETWORK_CODES.has(code)) return { kind: 'unreachable', message: raw };
  if (code === 'ETIMEDOUT' || e.type === 'request-timeout') return { kind: 'timeout', message: raw };
  if (code && (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')))
    return { kind: 'tls', message: raw };
  if (/certificate|self[- ]signed|SSL/i.test(raw)) return { kind: 'tls', message: raw };
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|socket hang up/.test(raw))
    return { kind: 'unreachable', message: raw };
  return { kind: 'other', message: raw };
}

/** A typed error carrying the classification. */
export class FluxApiError extends Error {
  constructor(readonly info: ApiErrorInfo) {
    super(info.message);
    this.name = 'FluxApiError';
  }
}

export interface FluxList {
  items: FluxObject[];
  resourceVersion: string;
  apiVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchParams {
  resourceVersion?: string;
  /** Ask the server to end the watch after this long (it then resumes from the last version). */
  timeoutSeconds?: number;
}

/** Per connection: the API calls on Flux objects, each kind at its served version. */
export interface FluxApi {
  /** Reads which Flux kinds the cluster serves and at which version; later calls use them. */
  discover(): Promise<ServedVersion[]>;
  /** The version used for a kind (discovered, else the preferred one). */
  versionOf(kind: FluxKind): string;
  list(kind: FluxKind, namespace?: string): Promise<FluxList>;
  /** Starts a watch; resolves with a function that ends it. `onDone` is called once, when it ends. */
  watch(
    kind: FluxKind,
    namespace: string | undefined,
    params: WatchParams,
    onEvent: (type: WatchEventType, object: FluxObject) => void,
    onDone: (err: unknown) => void,
  ): Promise<() => void>;
  get(ref: FluxRef): Promise<FluxObject>;
  /** JSON merge patch (application/merge-patch+json) on the object. */
  mergePatch(ref: FluxRef, patch: Record<string, unknown>): Promise<FluxObject>;
  /**
   * The Flux version the cluster runs, as `flux version` and `flux check` read it: the
   * `app.kubernetes.io/version` label that `flux install` (and bootstrap, the Flux Operator) puts
   * on the GitRepository CRD. Undefined when the label is absent or the CRD may not be read.
   */
  fluxVersion?(): Promise<string | undefined>;
}

/** The CRD whose version label says which Flux a cluster runs (flux2's cluster_info.go). */
export const FLUX_VERSION_CRD = 'gitrepositories.source.toolkit.fluxcd.io';
export const FLUX_VERSION_LABEL = 'app.kubernetes.io/version';

const FLUX_GROUPS = new Set(FLUX_KINDS.map((k) => FLUX_KIND_INFO[k].group));

/** The FluxApi of one connection, over a KubeConfig already on the connection's context. */
export async function createFluxApi(kc: K8s.KubeConfig): Promise<FluxApi> {
  const k8s = await loadClientNode();
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const apis = kc.makeApiClient(k8s.ApisApi);
  const crds = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const watcher = new k8s.Watch(kc);
  const mergePatchHeader = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const versions = new Map<FluxKind, string>();
  const versionOf = (kind: FluxKind) => versions.get(kind) ?? FLUX_KIND_INFO[kind].versions[0];

  const wrap = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw err instanceof FluxApiError ? err : new FluxApiError(describeApiError(err));
    }
  };

  return {
    discover: () =>
      wrap(async () => {
        const groups = await apis.getAPIVersions();
        const served = new Map<string, Set<string>>();
        const lookups: Promise<void>[] = [];
        for (const group of groups.groups) {
          if (!FLUX_GROUPS.has(group.name)) continue;
          for (const v of group.versions) {
            const wanted = FLUX_KINDS.some(
              (k) => FLUX_KIND_INFO[k].group === group.name && FLUX_KIND_INFO[k].versions.includes(v.version),
            );
            if (!wanted) continue;
            lookups.push(
              custom.getAPIResources({ group: group.name, version: v.version }).then((list) => {
                served.set(
                  `${group.name}/${v.version}`,
                  new Set(list.resources.filter((r) => !r.name.includes('/')).map((r) => r.kind)),
                );
              }),
            );
          }
        }
        await Promise.all(lookups);
        const picked = pickServedVersions(served);
        versions.clear();
        for (const p of picked) versions.set(p.kind, p.version);
        return picked;
      }),
    versionOf,
    list: (kind, namespace) =>
      wrap(async () => {
        const info = FLUX_KIND_INFO[kind];
        const version = versionOf(kind);
        const body = (await (namespace
          ? custom.listNamespacedCustomObject({ group: info.group, version, namespace, plural: info.plural })
          : custom.listClusterCustomObject({ group: info.group, version, plural: info.plural }))) as {
          items?: FluxObject[];
          metadata?: { resourceVersion?: string };
        };
        return {
          items: body.items ?? [],
          resourceVersion: body.metadata?.resourceVersion ?? '',
          apiVersion: `${info.group}/${version}`,
        };
      }),
    watch: async (kind, namespace, params, onEvent, onDone) => {
      const query: Record<string, string | number | boolean> = { allowWatchBookmarks: true };
      if (params.resourceVersion) query.resourceVersion = params.resourceVersion;
      if (params.timeoutSeconds) query.timeoutSeconds = params.timeoutSeconds;
      const controller = await watcher.watch(
        collectionPath(kind, versionOf(kind), namespace),
        query,
        (type: string, object: unknown) => onEvent(type as WatchEventType, object as FluxObject),
        onDone,
      );
      return () => controller.abort();
    },
    get: (ref) =>
      wrap(async () => {
        const info = FLUX_KIND_INFO[ref.kind];
        return (await custom.getNamespacedCustomObject({
          group: info.group,
          version: versionOf(ref.kind),
          namespace: ref.namespace,
          plural: info.plural,
          name: ref.name,
        })) as FluxObject;
      }),
    mergePatch: (ref, patch) =>
      wrap(async () => {
        const info = FLUX_KIND_INFO[ref.kind];
        return (await custom.patchNamespacedCustomObject(
          {
            group: info.group,
            version: versionOf(ref.kind),
            namespace: ref.namespace,
            plural: info.plural,
            name: ref.name,
            body: patch,
          },
          mergePatchHeader,
        )) as FluxObject;
      }),
    fluxVersion: async () => {
      try {
        const crd = await crds.readCustomResourceDefinition({ name: FLUX_VERSION_CRD });
        return crd.metadata?.labels?.[FLUX_VERSION_LABEL] || undefined;
      } catch {
        // Reading CRDs is cluster-scoped: a context limited to namespaces may not; the version is then unknown.
        return undefined;
      }
    },
  };
}
