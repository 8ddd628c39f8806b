// Which Flux a cluster of the repository runs, read from what declares it: the "Flux Version"
// header flux bootstrap writes into gotk-components.yaml, a FluxInstance's spec.distribution.version,
// the flux-instance chart's values (its default is `2.x`), or a setting that overrides them.
import * as path from 'node:path';
import type { Cluster, ClusterFlux, FluxVersionSource } from '../repo/model';
import { formatFluxVersion, resolveFluxVersion } from './releases';

/** The flux-instance chart's default `instance.distribution.version` (its values.yaml). */
export const FLUX_INSTANCE_CHART_DEFAULT_VERSION = '2.x';

const GOTK_COMPONENTS = 'gotk-components.yaml';
const HEADER_LINES = 10;

/** The `# Flux Version: v2.7.3` header of a gotk-components.yaml text, with its 1-based line. */
export function gotkComponentsVersion(text: string): { version: string; line: number } | undefined {
  const lines = text.split('\n', HEADER_LINES);
  for (let i = 0; i < lines.length; i++) {
    const match = /^#\s*Flux Version:\s*(\S+)\s*$/.exec(lines[i] ?? '');
    if (match?.[1]) return { version: match[1], line: i + 1 };
  }
  return undefined;
}

/** A declaration resolved against the known releases. */
export function clusterFlux(
  declared: string,
  source: FluxVersionSource,
  where: { file?: string; line?: number } = {},
): ClusterFlux {
  const resolved = resolveFluxVersion(declared);
  return { declared, version: resolved ? formatFluxVersion(resolved) : null, source, ...where };
}

export interface DetectInput {
  cluster: Cluster;
  /** Absolute paths of the files the cluster's Kustomizations apply. */
  files: readonly string[];
  readText: (file: string) => string | null;
  /** The sources (GitRepository, OCIRepository) the cluster applies, with their spec. */
  sources?: ReadonlyArray<{ kind: string; file: string; line: number; spec: Record<string, unknown> }>;
  /** A version set by the user for this cluster (setting, `--flux-version`). */
  override?: string;
  /** The version the connected cluster reports (its GitRepository CRD's version label). */
  reported?: string;
}

const FLUX2_GIT = /^(?:https?:\/\/|ssh:\/\/git@|git@)github\.com[/:]fluxcd\/flux2(?:\.git)?\/?$/;
const FLUX_MANIFESTS_OCI = /^oci:\/\/ghcr\.io\/fluxcd\/flux-manifests\/?$/;

/**
 * A source that installs Flux from its own release manifests (flux2's Git repository, or the
 * flux-manifests OCI artifact) pinned to a tag or semver range.
 */
function fluxManifestsSource(input: DetectInput): ClusterFlux | null {
  for (const source of input.sources ?? []) {
    const url = typeof source.spec.url === 'string' ? source.spec.url : '';
    const pattern = source.kind === 'GitRepository' ? FLUX2_GIT : FLUX_MANIFESTS_OCI;
    if (!pattern.test(url)) continue;
    const ref = source.spec.ref;
    if (!ref || typeof ref !== 'object') continue;
    const { tag, semver } = ref as Record<string, unknown>;
    const declared = typeof tag === 'string' ? tag : typeof semver === 'string' ? semver : undefined;
    if (declared) return clusterFlux(declared, 'flux-manifests', { file: source.file, line: source.line });
  }
  return null;
}

/**
 * The Flux a cluster runs: a setting first, then what the connected cluster reports, then what the
 * repository declares; null when none says.
 */
export function detectClusterFlux(input: DetectInput): ClusterFlux | null {
  if (input.override?.trim()) return clusterFlux(input.override.trim(), 'setting');
  const declared = declaredClusterFlux(input);
  if (input.reported?.trim())
    return { ...clusterFlux(input.reported.trim(), 'cluster'), repository: declared };
  return declared;
}

/** The Flux the repository declares for a cluster; null when nothing in it says. */
function declaredClusterFlux(input: DetectInput): ClusterFlux | null {
  const { cluster, readText } = input;
  const root = cluster.root;
  if (root?.via === 'flux-instance' && root.distribution)
    return clusterFlux(root.distribution, 'flux-instance', { file: root.file, line: root.line });
  if (root?.via === 'flux-instance-chart')
    return root.distribution
      ? clusterFlux(root.distribution, 'flux-instance-chart', { file: root.file, line: root.line })
      : clusterFlux(FLUX_INSTANCE_CHART_DEFAULT_VERSION, 'flux-instance-chart-default', {
          file: root.file,
          line: root.line,
        });
  // flux bootstrap: the components file the cluster applies, else the one beside gotk-sync.yaml.
  const candidates = input.files.filter((f) => path.basename(f) === GOTK_COMPONENTS);
  if (root && (root.via === 'bootstrap' || root.via === 'placeholder'))
    candidates.push(path.join(path.dirname(root.file), GOTK_COMPONENTS));
  for (const file of candidates) {
    const text = readText(file);
    const header = text === null ? undefined : gotkComponentsVersion(text);
    if (header) return clusterFlux(header.version, 'gotk-components', { file, line: header.line });
  }
  return fluxManifestsSource(input);
}

/** How the cluster row says it: `Flux 2.7.3`, `Flux 2.x → 2.9.5`. */
export function fluxLabel(flux: ClusterFlux): string {
  const declared = flux.declared.replace(/^v(?=\d)/, '');
  if (!flux.version) return `Flux ${declared} (unknown release)`;
  return declared === flux.version ? `Flux ${flux.version}` : `Flux ${declared} → ${flux.version}`;
}

/** The tooltip line that says where the version comes from. */
export function fluxSourceLine(flux: ClusterFlux): string {
  const from: Record<FluxVersionSource, string> = {
    setting: 'the fluxGitops.fluxVersions setting',
    'gotk-components': 'the "Flux Version" header of gotk-components.yaml',
    'flux-manifests': "the ref of the source that applies Flux's own manifests",
    'flux-instance': "the FluxInstance's spec.distribution.version",
    'flux-instance-chart': "the flux-instance chart's instance.distribution.version",
    'flux-instance-chart-default': `the flux-instance chart's default instance.distribution.version (${FLUX_INSTANCE_CHART_DEFAULT_VERSION})`,
    cluster:
      "the connected cluster (its GitRepository CRD's app.kubernetes.io/version label, as flux version reads it)",
  };
  const resolved =
    flux.version && flux.version !== flux.declared.replace(/^v(?=\d)/, '')
      ? `, the newest known release in ${flux.declared}`
      : '';
  const repository =
    flux.source !== 'cluster'
      ? ''
      : flux.repository
        ? `; the repository declares Flux ${flux.repository.version ?? flux.repository.declared}`
        : '; the repository declares no version';
  return `Flux ${flux.version ?? flux.declared}: from ${from[flux.source]}${resolved}${repository}`;
}
