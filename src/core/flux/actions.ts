// Reconcile, suspend and resume, with exactly the API writes `flux` makes: JSON merge patches of
// the requestedAt (forceAt, resetAt) annotations and of spec.suspend. Nothing else is ever written.
import { ApiErrorInfo, describeApiError, FluxApi, FluxApiError } from '../cluster/api';
import { FluxRef } from '../cluster/kinds';
import { FluxObject } from '../cluster/status';
import { FORCE_AT, REQUESTED_AT, RESET_AT } from './annotations';
import { newRequestToken } from './token';

export interface ReconcileRequestOptions {
  /** HelmRelease: also set forceAt (a one-off forced upgrade). */
  force?: boolean;
  /** HelmRelease: also set resetAt (reset the remediation counters). */
  reset?: boolean;
  /** The requestedAt value; default a fresh RFC3339Nano timestamp. */
  token?: string;
}

/** The merge patch that requests a reconciliation. */
export function reconcilePatch(
  ref: FluxRef,
  token: string,
  options: ReconcileRequestOptions = {},
): Record<string, unknown> {
  const annotations: Record<string, string> = { [REQUESTED_AT]: token };
  if (ref.kind === 'HelmRelease' && options.force) annotations[FORCE_AT] = token;
  if (ref.kind === 'HelmRelease' && options.reset) annotations[RESET_AT] = token;
  return { metadata: { annotations } };
}

/** The merge patch of `flux suspend`. */
export function suspendPatch(): Record<string, unknown> {
  return { spec: { suspend: true } };
}

/**
 * The merge patch of `flux resume`: spec.suspend removed (null; the field is omitempty), plus a
 * requestedAt token when given so the completion can be told from the watch.
 */
export function resumePatch(token?: string): Record<string, unknown> {
  const patch: Record<string, unknown> = { spec: { suspend: null } };
  if (token !== undefined) patch.metadata = { annotations: { [REQUESTED_AT]: token } };
  return patch;
}

export type RequestResult =
  | { kind: 'requested'; ref: FluxRef; token: string; patch: Record<string, unknown>; object: FluxObject }
  | { kind: 'suspended'; ref: FluxRef; message: string }
  | { kind: 'not-supported'; ref: FluxRef; message: string }
  | { kind: 'error'; ref: FluxRef; error: ApiErrorInfo; message: string };

function label(ref: FluxRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

function errorResult(ref: FluxRef, err: unknown, doing: string): RequestResult & { kind: 'error' } {
  const error = err instanceof FluxApiError ? err.info : describeApiError(err);
  const why =
    error.kind === 'forbidden'
      ? `forbidden: ${error.message}`
      : error.kind === 'not-found'
        ? 'not found in the cluster'
        : error.message;
  return { kind: 'error', ref, error, message: `cannot ${doing} ${label(ref)}: ${why}` };
}

/** A HelmRepository of type oci is static: Flux refuses to reconcile it. */
export function isStaticSource(ref: FluxRef, obj: FluxObject): boolean {
  return ref.kind === 'HelmRepository' && obj.spec?.type === 'oci';
}

/**
 * Requests a reconciliation like `flux reconcile`: reads the object (refusing suspended ones and
 * static OCI HelmRepositories), then merge-patches the annotations.
 */
export async function requestReconcile(
  api: FluxApi,
  ref: FluxRef,
  options: ReconcileRequestOptions = {},
): Promise<RequestResult> {
  let obj: FluxObject;
  try {
    obj = await api.get(ref);
  } catch (err) {
    return errorResult(ref, err, 'reconcile');
  }
  if (obj.spec?.suspend === true)
    return { kind: 'suspended', ref, message: `${label(ref)}: resource is suspended` };
  if (isStaticSource(ref, obj))
    return {
      kind: 'not-supported',
      ref,
      message: `${label(ref)}: reconciliation not supported by the object`,
    };
  const token = options.token ?? newRequestToken();
  const patch = reconcilePatch(ref, token, options);
  try {
    const object = await api.mergePatch(ref, patch);
    return { kind: 'requested', ref, token, patch, object };
  } catch (err) {
    return errorResult(ref, err, 'reconcile');
  }
}

export type WriteResult =
  | { kind: 'done'; ref: FluxRef; patch: Record<string, unknown>; object: FluxObject; token?: string }
  | { kind: 'error'; ref: FluxRef; error: ApiErrorInfo; message: string };

/** `flux suspend`: merge patch spec.suspend=true. */
export async function suspend(api: FluxApi, ref: FluxRef): Promise<WriteResult> {
  const patch = suspendPatch();
  try {
    return { kind: 'done', ref, patch, object: await api.mergePatch(ref, patch) };
  } catch (err) {
    return errorResult(ref, err, 'suspend');
  }
}

export interface ResumeOptions {
  /** Also set requestedAt so waitForReconcile can follow the resumed reconciliation. Default true. */
  requestReconcile?: boolean;
  token?: string;
}

/** `flux resume`: merge patch removing spec.suspend (and, by default, a requestedAt token). */
export async function resume(api: FluxApi, ref: FluxRef, options: ResumeOptions = {}): Promise<WriteResult> {
  const token = options.requestReconcile === false ? undefined : (options.token ?? newRequestToken());
  const patch = resumePatch(token);
  try {
    const object = await api.mergePatch(ref, patch);
    return token === undefined
      ? { kind: 'done', ref, patch, object }
      : { kind: 'done', ref, patch, object, token };
  } catch (err) {
    return errorResult(ref, err, 'resume');
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function rec(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/**
 * The source `flux reconcile --with-source` reconciles first: a Kustomization's sourceRef
 * (GitRepository, OCIRepository, Bucket); a HelmRelease's HelmChart `<ns>-<name>` (spec.chart) or
 * its chartRef; a HelmChart's sourceRef. Undefined when there is none.
 */
export function sourceRefFor(ref: FluxRef, obj: FluxObject): FluxRef | undefined {
  const spec = obj.spec ?? {};
  const pick = (r: Record<string, unknown> | undefined, allowed: readonly string[]): FluxRef | undefined => {
    const kind = str(r?.kind);
    const name = str(r?.name);
    if (!kind || !name || !allowed.includes(kind)) return undefined;
    return { kind: kind as FluxRef['kind'], name, namespace: str(r?.namespace) ?? ref.namespace };
  };
  switch (ref.kind) {
    case 'Kustomization':
      return pick(rec(spec.sourceRef), ['GitRepository', 'OCIRepository', 'Bucket']);
    case 'HelmRelease': {
      const chartRef = rec(spec.chartRef);
      if (chartRef) return pick(chartRef, ['OCIRepository', 'HelmChart']);
      const chartSpec = rec(rec(spec.chart)?.spec);
      if (!chartSpec) return undefined;
      const sourceNs = str(rec(chartSpec.sourceRef)?.namespace) ?? ref.namespace;
      return { kind: 'HelmChart', namespace: sourceNs, name: `${ref.namespace}-${ref.name}` };
    }
    case 'HelmChart':
      return pick(rec(spec.sourceRef), ['HelmRepository', 'GitRepository', 'Bucket']);
    default:
      return undefined;
  }
}

/**
 * The objects `--with-source` reconciles, deepest source first and `ref` last (HelmRelease →
 * HelmChart → HelmRepository gives [HelmRepository, HelmChart, HelmRelease]).
 */
export async function withSourceChain(api: FluxApi, ref: FluxRef): Promise<FluxRef[]> {
  const chain: FluxRef[] = [ref];
  let current = ref;
  for (let depth = 0; depth < 3; depth++) {
    let obj: FluxObject;
    try {
      obj = await api.get(current);
    } catch {
      break;
    }
    const source = sourceRefFor(current, obj);
    if (!source) break;
    chain.unshift(source);
    current = source;
  }
  return chain;
}
