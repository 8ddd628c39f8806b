// The Flux kinds the extension watches, with their API group, plural and the versions it can read
// (preferred first; older ones are deprecated but still served by some clusters).

export type FluxKind =
  | 'Kustomization'
  | 'HelmRelease'
  | 'GitRepository'
  | 'OCIRepository'
  | 'HelmRepository'
  | 'HelmChart'
  | 'Bucket';

export interface FluxKindInfo {
  kind: FluxKind;
  group: string;
  plural: string;
  /** Versions in order of preference; the first served one is used. */
  versions: readonly string[];
  /** Lowercased kind as `flux get` prints it in NAME (kind/name). */
  label: string;
  source: boolean;
}

const SOURCE = 'source.toolkit.fluxcd.io';

export const FLUX_KIND_INFO: Readonly<Record<FluxKind, FluxKindInfo>> = {
  Kustomization: {
    kind: 'Kustomization',
    group: 'kustomize.toolkit.fluxcd.io',
    plural: 'kustomizations',
    versions: ['v1', 'v1beta2'],
    label: 'kustomization',
    source: false,
  },
  HelmRelease: {
    kind: 'HelmRelease',
    group: 'helm.toolkit.fluxcd.io',
    plural: 'helmreleases',
    versions: ['v2', 'v2beta2'],
    label: 'helmrelease',
    source: false,
  },
  GitRepository: {
    kind: 'GitRepository',
    group: SOURCE,
    plural: 'gitrepositories',
    versions: ['v1', 'v1beta2'],
    label: 'gitrepository',
    source: true,
  },
  OCIRepository: {
    kind: 'OCIRepository',
    group: SOURCE,
    plural: 'ocirepositories',
    versions: ['v1', 'v1beta2'],
    label: 'ocirepository',
    source: true,
  },
  HelmRepository: {
    kind: 'HelmRepository',
    group: SOURCE,
    plural: 'helmrepositories',
    versions: ['v1', 'v1beta2'],
    label: 'helmrepository',
    source: true,
  },
  HelmChart: {
    kind: 'HelmChart',
    group: SOURCE,
    plural: 'helmcharts',
    versions: ['v1', 'v1beta2'],
    label: 'helmchart',
    source: true,
  },
  Bucket: {
    kind: 'Bucket',
    group: SOURCE,
    plural: 'buckets',
    versions: ['v1', 'v1beta2'],
    label: 'bucket',
    source: true,
  },
};

/** Every watched kind, in the order `flux get all` prints its tables. */
export const FLUX_KINDS_GET_ORDER: readonly FluxKind[] = [
  'OCIRepository',
  'Bucket',
  'GitRepository',
  'HelmRepository',
  'HelmChart',
  'HelmRelease',
  'Kustomization',
];

export const FLUX_KINDS: readonly FluxKind[] = FLUX_KINDS_GET_ORDER;

export function isFluxKind(value: string): value is FluxKind {
  return Object.prototype.hasOwnProperty.call(FLUX_KIND_INFO, value);
}

/** One Flux object: kind, namespace and name (namespaced kinds only). */
export interface FluxRef {
  kind: FluxKind;
  namespace: string;
  name: string;
}

/** A Flux object in one cluster (the cluster of the repository it is bound to). */
export interface ClusterRef extends FluxRef {
  cluster: string;
}

/** The store key of an object: cluster, kind, namespace and name. */
export function refKey(ref: ClusterRef): string {
  return `${ref.cluster}\u0000${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`;
}

/** The served version picked for each kind, from what discovery reports per group/version. */
export interface ServedVersion {
  kind: FluxKind;
  version: string;
  /** True when a deprecated version had to be used. */
  deprecated: boolean;
}

/**
 * Picks the served version of each kind: `served` maps `group/version` to the resource kinds that
 * version serves. Kinds with no served version are left out.
 */
export function pickServedVersions(served: ReadonlyMap<string, ReadonlySet<string>>): ServedVersion[] {
  const out: ServedVersion[] = [];
  for (const kind of FLUX_KINDS) {
    const info = FLUX_KIND_INFO[kind];
    const index = info.versions.findIndex((v) => served.get(`${info.group}/${v}`)?.has(kind) === true);
    if (index >= 0) out.push({ kind, version: info.versions[index], deprecated: index > 0 });
  }
  return out;
}

/** The URL path of a kind's collection in one namespace, or in all when namespace is undefined. */
export function collectionPath(kind: FluxKind, version: string, namespace?: string): string {
  const info = FLUX_KIND_INFO[kind];
  return namespace
    ? `/apis/${info.group}/${version}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`
    : `/apis/${info.group}/${version}/${info.plural}`;
}
