// The Flux API kinds the test environment knows, with their group, served version and plural.

export type FluxKind =
  | 'Kustomization'
  | 'HelmRelease'
  | 'GitRepository'
  | 'OCIRepository'
  | 'HelmRepository'
  | 'HelmChart'
  | 'Bucket'
  | 'ExternalArtifact'
  | 'Alert'
  | 'Provider'
  | 'Receiver';

export interface FluxKindInfo {
  group: string;
  version: string;
  plural: string;
}

export const FLUX_KINDS: Record<FluxKind, FluxKindInfo> = {
  Kustomization: { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
  HelmRelease: { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' },
  GitRepository: { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
  OCIRepository: { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'ocirepositories' },
  HelmRepository: { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmrepositories' },
  HelmChart: { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmcharts' },
  Bucket: { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'buckets' },
  ExternalArtifact: { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'externalartifacts' },
  Alert: { group: 'notification.toolkit.fluxcd.io', version: 'v1beta3', plural: 'alerts' },
  Provider: { group: 'notification.toolkit.fluxcd.io', version: 'v1beta3', plural: 'providers' },
  Receiver: { group: 'notification.toolkit.fluxcd.io', version: 'v1', plural: 'receivers' },
};

export const FLUX_GROUPS = [...new Set(Object.values(FLUX_KINDS).map((k) => k.group))];

export const SOURCE_KINDS: readonly FluxKind[] = [
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
  'ExternalArtifact',
];

/** Reference to one Flux object. */
export interface FluxRef {
  kind: FluxKind;
  name: string;
  namespace: string;
}

/** The URL path of a kind's collection, in one namespace or (namespace undefined) all. */
export function collectionPath(kind: FluxKind, namespace?: string): string {
  const k = FLUX_KINDS[kind];
  return namespace
    ? `/apis/${k.group}/${k.version}/namespaces/${namespace}/${k.plural}`
    : `/apis/${k.group}/${k.version}/${k.plural}`;
}
