// Which Flux API versions each Flux release line serves, deprecates and has removed, and the version
// `flux migrate` moves each kind to. Read from the controllers' CRDs (Flux 2.7.3's gotk-components and
// the 2.9.5 controllers' config/crd/bases: `deprecated: true`, versions no longer listed) and from
// flux2's cmd/flux/migrate.go (latestAPIVersions).
import { type FluxVersion, compareFluxVersions } from './releases';

interface KindVersion {
  readonly group: string;
  readonly version: string;
  readonly kinds: readonly string[];
  /** First release line whose CRDs mark it deprecated. */
  readonly deprecatedIn: string;
  /** First release line whose CRDs no longer serve it. */
  readonly removedIn: string;
}

const SOURCE = 'source.toolkit.fluxcd.io';
const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io';
const HELM = 'helm.toolkit.fluxcd.io';
const NOTIFICATION = 'notification.toolkit.fluxcd.io';
const IMAGE = 'image.toolkit.fluxcd.io';

const SOURCE_KINDS = ['GitRepository', 'HelmRepository', 'HelmChart', 'Bucket'];
const IMAGE_KINDS = ['ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation'];

/** Versions that are or will be gone; current versions are not listed. */
const RETIRING: readonly KindVersion[] = [
  { group: SOURCE, version: 'v1beta1', kinds: SOURCE_KINDS, deprecatedIn: '2.0', removedIn: '2.7' },
  { group: KUSTOMIZE, version: 'v1beta1', kinds: ['Kustomization'], deprecatedIn: '2.0', removedIn: '2.7' },
  { group: HELM, version: 'v2beta1', kinds: ['HelmRelease'], deprecatedIn: '2.2', removedIn: '2.7' },
  {
    group: NOTIFICATION,
    version: 'v1beta1',
    kinds: ['Alert', 'Provider', 'Receiver'],
    deprecatedIn: '2.0',
    removedIn: '2.7',
  },
  { group: IMAGE, version: 'v1beta1', kinds: IMAGE_KINDS, deprecatedIn: '2.0', removedIn: '2.7' },
  { group: SOURCE, version: 'v1beta2', kinds: ['GitRepository'], deprecatedIn: '2.0', removedIn: '2.8' },
  {
    group: SOURCE,
    version: 'v1beta2',
    kinds: ['HelmRepository', 'HelmChart'],
    deprecatedIn: '2.3',
    removedIn: '2.8',
  },
  { group: SOURCE, version: 'v1beta2', kinds: ['Bucket'], deprecatedIn: '2.5', removedIn: '2.8' },
  { group: SOURCE, version: 'v1beta2', kinds: ['OCIRepository'], deprecatedIn: '2.6', removedIn: '2.8' },
  { group: KUSTOMIZE, version: 'v1beta2', kinds: ['Kustomization'], deprecatedIn: '2.0', removedIn: '2.8' },
  { group: HELM, version: 'v2beta2', kinds: ['HelmRelease'], deprecatedIn: '2.3', removedIn: '2.8' },
  {
    group: NOTIFICATION,
    version: 'v1beta2',
    kinds: ['Alert', 'Provider', 'Receiver'],
    deprecatedIn: '2.1',
    removedIn: '2.9',
  },
  { group: IMAGE, version: 'v1beta2', kinds: IMAGE_KINDS, deprecatedIn: '2.7', removedIn: '2.9' },
];

/** flux migrate's target versions: Flux 2.7 and later (flux27LatestAPIVersions). */
const LATEST_SINCE_2_7: Readonly<Record<string, string>> = {
  [`${SOURCE}/Bucket`]: 'v1',
  [`${SOURCE}/GitRepository`]: 'v1',
  [`${SOURCE}/OCIRepository`]: 'v1',
  [`${SOURCE}/HelmRepository`]: 'v1',
  [`${SOURCE}/HelmChart`]: 'v1',
  [`${SOURCE}/ExternalArtifact`]: 'v1',
  [`${KUSTOMIZE}/Kustomization`]: 'v1',
  [`${HELM}/HelmRelease`]: 'v2',
  [`${NOTIFICATION}/Receiver`]: 'v1',
  [`${NOTIFICATION}/Alert`]: 'v1beta3',
  [`${NOTIFICATION}/Provider`]: 'v1beta3',
  [`${IMAGE}/ImageRepository`]: 'v1',
  [`${IMAGE}/ImagePolicy`]: 'v1',
  [`${IMAGE}/ImageUpdateAutomation`]: 'v1',
  ['source.extensions.fluxcd.io/ArtifactGenerator']: 'v1beta1',
};

/** flux26LatestAPIVersions: the image APIs were still v1beta2 in Flux 2.6. */
const LATEST_2_6: Readonly<Record<string, string>> = {
  ...LATEST_SINCE_2_7,
  [`${IMAGE}/ImageRepository`]: 'v1beta2',
  [`${IMAGE}/ImagePolicy`]: 'v1beta2',
  [`${IMAGE}/ImageUpdateAutomation`]: 'v1beta2',
};

function lineVersion(line: string): FluxVersion {
  const [major, minor] = line.split('.').map(Number);
  return { major: major ?? 0, minor: minor ?? 0, patch: 0 };
}

function atLeast(flux: FluxVersion, line: string): boolean {
  return compareFluxVersions(flux, lineVersion(line)) >= 0;
}

/** The version `flux migrate --version <line>` writes for a kind, or undefined for a kind it leaves alone. */
export function latestApiVersion(group: string, kind: string, flux: FluxVersion): string | undefined {
  const table = atLeast(flux, '2.7') ? LATEST_SINCE_2_7 : LATEST_2_6;
  return table[`${group}/${kind}`];
}

/** How a Flux release treats one apiVersion of one kind. */
export type ApiJudgement =
  { state: 'current' } | { state: 'deprecated' | 'removed'; since: string; target: string | undefined };

/** Splits `group/version`; undefined for a core apiVersion (`v1`). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } | undefined {
  const slash = apiVersion.lastIndexOf('/');
  if (slash <= 0) return undefined;
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Whether `flux` serves `apiVersion` for `kind`, deprecated or not, and what replaces it. */
export function judgeApiVersion(apiVersion: string, kind: string, flux: FluxVersion): ApiJudgement {
  const parts = splitApiVersion(apiVersion);
  if (!parts) return { state: 'current' };
  const entry = RETIRING.find(
    (r) => r.group === parts.group && r.version === parts.version && r.kinds.includes(kind),
  );
  if (!entry) return { state: 'current' };
  const target = latestApiVersion(parts.group, kind, flux);
  const apiTarget = target && target !== parts.version ? `${parts.group}/${target}` : undefined;
  if (atLeast(flux, entry.removedIn)) return { state: 'removed', since: entry.removedIn, target: apiTarget };
  if (atLeast(flux, entry.deprecatedIn))
    return { state: 'deprecated', since: entry.deprecatedIn, target: apiTarget };
  return { state: 'current' };
}
