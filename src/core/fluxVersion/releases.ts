// Flux releases this extension knows, the Flux version a cluster runs, and which API versions
// each release line serves. Facts read from the controllers' CRDs (served/deprecated versions and
// `+kubebuilder:skipversion` in their api modules) and flux2's manifests/bases.

/** A Flux distribution version: major.minor.patch. */
export interface FluxVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * Flux releases known to this build, oldest first. A semver range (a FluxInstance's `2.x`)
 * resolves to the newest of these it admits; add new releases here.
 */
export const KNOWN_FLUX_RELEASES: readonly string[] = [
  '2.0.0',
  '2.0.1',
  '2.1.0',
  '2.1.1',
  '2.1.2',
  '2.2.0',
  '2.2.1',
  '2.2.2',
  '2.2.3',
  '2.3.0',
  '2.4.0',
  '2.5.0',
  '2.5.1',
  '2.6.0',
  '2.6.1',
  '2.6.2',
  '2.6.3',
  '2.6.4',
  '2.7.0',
  '2.7.1',
  '2.7.2',
  '2.7.3',
  '2.7.4',
  '2.7.5',
  '2.8.0',
  '2.9.0',
  '2.9.1',
  '2.9.2',
  '2.9.3',
  '2.9.4',
  '2.9.5',
];

/** Parses `v2.7.3`, `2.7.3`, `flux-v2.7.3` (also with a pre-release or build suffix); undefined otherwise. */
export function parseFluxVersion(text: string): FluxVersion | undefined {
  const match = /^(?:flux-)?v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function formatFluxVersion(version: FluxVersion): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

export function compareFluxVersions(a: FluxVersion, b: FluxVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The release line of a version, e.g. `2.7`. */
export function releaseLine(version: FluxVersion): string {
  return `${version.major}.${version.minor}`;
}

type Comparator = (v: FluxVersion) => boolean;

/** One comparator set of a range (`>=2.6.0 <2.8.0`, `~2.7`, `2.x`), as the semver grammar reads it. */
function comparatorSet(text: string): Comparator[] | undefined {
  const parts = text
    .trim()
    .replace(/([<>=~^]+)\s+/g, '$1')
    .split(/\s+/)
    .filter(Boolean);
  if (parts.length === 0) return [() => true];
  const result: Comparator[] = [];
  for (const part of parts) {
    const m =
      /^(>=|<=|>|<|=|~>?|\^)?v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?$/.exec(
        part,
      );
    if (!m) return undefined;
    const op = m[1] ?? '';
    const num = (s: string | undefined): number | undefined =>
      s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s);
    const major = num(m[2]);
    const minor = num(m[3]);
    const patch = num(m[4]);
    const low: FluxVersion = { major: major ?? 0, minor: minor ?? 0, patch: patch ?? 0 };
    const cmp = (v: FluxVersion): number => compareFluxVersions(v, low);
    // The first version past the part's precision: 2 → 3.0.0, 2.7 → 2.8.0, 2.7.3 → 2.7.4.
    const next = (): FluxVersion | undefined =>
      major === undefined
        ? undefined
        : minor === undefined
          ? { major: major + 1, minor: 0, patch: 0 }
          : patch === undefined
            ? { major, minor: minor + 1, patch: 0 }
            : undefined;
    const below = (limit: FluxVersion | undefined): Comparator =>
      limit ? (v) => compareFluxVersions(v, limit) < 0 : () => true;
    if (major === undefined) {
      if (op === '<' || op === '>') result.push(() => false);
      else result.push(() => true);
      continue;
    }
    switch (op) {
      case '>=':
        result.push((v) => cmp(v) >= 0);
        break;
      case '>':
        result.push(next() ? (v) => compareFluxVersions(v, next()!) >= 0 : (v) => cmp(v) > 0);
        break;
      case '<':
        result.push((v) => cmp(v) < 0);
        break;
      case '<=':
        result.push(next() ? below(next()) : (v) => cmp(v) <= 0);
        break;
      case '~':
      case '~>': {
        const limit =
          minor === undefined
            ? { major: major + 1, minor: 0, patch: 0 }
            : { major, minor: minor + 1, patch: 0 };
        result.push((v) => cmp(v) >= 0, below(limit));
        break;
      }
      case '^': {
        const limit =
          major > 0 || minor === undefined
            ? { major: major + 1, minor: 0, patch: 0 }
            : minor > 0 || patch === undefined
              ? { major, minor: minor + 1, patch: 0 }
              : { major, minor, patch: patch + 1 };
        result.push((v) => cmp(v) >= 0, below(limit));
        break;
      }
      default: {
        // `2.7.3` is exact; `2.7`, `2.7.x` and `2.x` admit the whole line.
        const limit = next();
        result.push(limit ? (v) => cmp(v) >= 0 && compareFluxVersions(v, limit) < 0 : (v) => cmp(v) === 0);
      }
    }
  }
  return result;
}

/** True when `version` satisfies the semver range `range` (`||`, hyphen ranges, x-ranges, ~, ^). */
export function satisfiesRange(version: FluxVersion, range: string): boolean | undefined {
  let valid = false;
  let admitted = false;
  for (const alternative of range.split('||')) {
    const hyphen = /^\s*(\S+)\s+-\s+(\S+)\s*$/.exec(alternative);
    const set = hyphen ? comparatorSet(`>=${hyphen[1]} <=${hyphen[2]}`) : comparatorSet(alternative);
    if (!set) continue;
    valid = true;
    if (set.every((c) => c(version))) admitted = true;
  }
  return valid ? admitted : undefined;
}

/**
 * The Flux release a version or range stands for: an exact version as written, a range
 * (`2.x`, `2.7.x`, `>=2.6 <2.8`) the newest known release it admits. Undefined when nothing fits.
 */
export function resolveFluxVersion(
  spec: string,
  known: readonly string[] = KNOWN_FLUX_RELEASES,
): FluxVersion | undefined {
  const exact = parseFluxVersion(spec);
  if (exact) return exact;
  const candidates = known
    .map((k) => parseFluxVersion(k))
    .filter((v): v is FluxVersion => !!v)
    .sort(compareFluxVersions)
    .reverse();
  return candidates.find((v) => satisfiesRange(v, spec.trim().replace(/^v(?=\d)/, '')) === true);
}

/** The Flux release line a controller image tag belongs to (`source-controller:v1.7.3` → 2.7). */
export function fluxLineOfController(controller: string, tag: string): string | undefined {
  const v = parseFluxVersion(tag);
  if (!v || v.major !== 1) return undefined;
  // Since Flux 2.0 these controllers share Flux's minor number; helm-controller lags by three.
  const offset: Record<string, number> = {
    'source-controller': 0,
    'kustomize-controller': 0,
    'notification-controller': 0,
    'helm-controller': 3,
  };
  const by = offset[controller];
  return by === undefined ? undefined : `2.${v.minor + by}`;
}
