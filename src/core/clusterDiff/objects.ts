// Kubernetes objects on the two sides of a diff: read from flux's YAML, stripped of what the
// cluster writes and Flux ignores, Secrets masked, printed so the two sides line up.
import { parseAllDocuments, stringify } from 'yaml';
import type { ObjectSubject } from './diffOutput';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKubeObject(value: unknown): value is KubeObject {
  return (
    isObject(value) &&
    typeof value.apiVersion === 'string' &&
    typeof value.kind === 'string' &&
    isObject(value.metadata) &&
    typeof value.metadata.name === 'string'
  );
}

/** The objects of a multi-document YAML stream (flux build's output); throws on invalid YAML. */
export function parseObjects(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0].message}`);
    const value: unknown = doc.toJS();
    if (isKubeObject(value)) objects.push(value);
  }
  return objects;
}

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether an object is the one flux names (kind, namespace, name). */
export function matchesSubject(object: KubeObject, subject: ObjectSubject): boolean {
  return (
    object.kind === subject.kind &&
    object.metadata.name === subject.name &&
    (object.metadata.namespace ?? '') === subject.namespace
  );
}

/** Metadata the API server writes on every object: never part of what Git changes. */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
] as const;
/** Labels and annotations kustomize-controller sets itself (`kustomize.toolkit.fluxcd.io/name`, …). */
const FLUX_OWNED_PREFIX = 'kustomize.toolkit.fluxcd.io/';

function withoutFluxKeys(map: unknown): Record<string, string> | undefined {
  if (!isObject(map)) return undefined;
  const kept = Object.entries(map).filter(([key]) => !key.startsWith(FLUX_OWNED_PREFIX));
  return kept.length > 0 ? (Object.fromEntries(kept) as Record<string, string>) : undefined;
}

/**
 * A copy without what Flux does not decide: status, the server's metadata (managedFields,
 * resourceVersion, uid, generation, creationTimestamp) and kustomize-controller's own labels and
 * annotations. Empty label and annotation maps are dropped so both sides print the same.
 */
export function normaliseObject(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  delete copy.status;
  for (const field of SERVER_METADATA) delete copy.metadata[field];
  const labels = withoutFluxKeys(copy.metadata.labels);
  const annotations = withoutFluxKeys(copy.metadata.annotations);
  if (labels) copy.metadata.labels = labels;
  else delete copy.metadata.labels;
  if (annotations) copy.metadata.annotations = annotations;
  else delete copy.metadata.annotations;
  return copy;
}

export const MASK = '***';
export const MASK_BEFORE = '*** (before)';
export const MASK_AFTER = '*** (after)';
/** What `flux build` puts in place of a SOPS-encrypted value (its `mask`). */
export const SOPS_BUILD_MASK = '**SOPS**';

/** A Secret's values as the API stores them (stringData folded into data, base64-decoded). */
function secretValues(secret: KubeObject): Map<string, string> {
  const values = new Map<string, string>();
  if (isObject(secret.data)) {
    for (const [key, value] of Object.entries(secret.data)) {
      values.set(key, Buffer.from(String(value), 'base64').toString('utf8'));
    }
  }
  if (isObject(secret.stringData)) {
    for (const [key, value] of Object.entries(secret.stringData)) values.set(key, String(value));
  }
  return values;
}

function maskedData(keys: Iterable<string>, maskOf: (key: string) => string): Record<string, string> {
  return Object.fromEntries([...keys].sort().map((key) => [key, maskOf(key)]));
}

/**
 * Both sides of a Secret with every value masked, as flux diff does: a value that differs shows
 * `*** (before)` / `*** (after)`, an equal one `***`. A value still encrypted with SOPS in Git
 * (flux build's `**SOPS**`) cannot be compared and stays `***`, as flux compares such Secrets by
 * their keys only. Non-Secrets are returned unchanged.
 */
export function maskSecrets(
  live: KubeObject | undefined,
  wouldBe: KubeObject | undefined,
): [KubeObject | undefined, KubeObject | undefined] {
  const isSecret = (o: KubeObject | undefined) => o?.kind === 'Secret' && groupOf(o.apiVersion) === '';
  if (!isSecret(live) && !isSecret(wouldBe)) return [live, wouldBe];
  const before = live ? secretValues(live) : new Map<string, string>();
  const after = wouldBe ? secretValues(wouldBe) : new Map<string, string>();
  const changed = (key: string) => {
    const next = after.get(key);
    return (
      before.has(key) && next !== undefined && !next.includes(SOPS_BUILD_MASK) && before.get(key) !== next
    );
  };
  const mask = (object: KubeObject, values: Map<string, string>, changedMask: string): KubeObject => {
    const copy = structuredClone(object);
    delete copy.stringData;
    if (values.size > 0) copy.data = maskedData(values.keys(), (key) => (changed(key) ? changedMask : MASK));
    else delete copy.data;
    return copy;
  };
  return [
    live && isSecret(live) ? mask(live, before, MASK_BEFORE) : live,
    wouldBe && isSecret(wouldBe) ? mask(wouldBe, after, MASK_AFTER) : wouldBe,
  ];
}

/** YAML with sorted keys (as kubectl and flux print), so the two sides of a diff line up. */
export function objectYaml(object: KubeObject | undefined): string {
  if (!object) return '';
  return stringify(object, { sortMapEntries: true, lineWidth: 0 });
}

/** A copy of a multi-document build with every Secret value masked (for "Flux: Build"). */
export function maskBuildOutput(objects: readonly KubeObject[]): string {
  return objects.map((object) => objectYaml(maskSecrets(undefined, object)[1])).join('---\n');
}
