// The user's flux CLI: where it is, whether it is recent enough, and the argument arrays of the
// two commands the extension runs with it (`flux diff kustomization`, `flux build kustomization`).
import * as nodePath from 'node:path';
import { findOnPath } from '../process/which';
import type { ProcessResult, RunOptions } from '../process/run';

export const FLUX_INSTALL_HINT =
  'Install the flux CLI (https://fluxcd.io/flux/installation/#install-the-flux-cli), e.g. `brew install fluxcd/tap/flux` or `curl -s https://fluxcd.io/install.sh | sudo bash`, or set fluxGitops.fluxPath to the flux binary.';

/** kustomize.toolkit.fluxcd.io/v1 and `--kustomization-file` with several documents: Flux 2.0. */
export const MIN_FLUX_VERSION = '2.0.0';

export type Run = (command: string, args: readonly string[], options: RunOptions) => Promise<ProcessResult>;

/** A flux CLI that was found and checked. */
export interface FluxCli {
  path: string;
  /** `2.9.5`, without the leading v. */
  version: string;
  /**
   * Whether it has `--in-memory-build` (read from its own help, not guessed from the version):
   * without it, flux writes a kustomization.yaml into the user's folder for the time of the build.
   */
  inMemoryBuild: boolean;
}

export type FluxCliLookup =
  | { kind: 'found'; cli: FluxCli }
  | { kind: 'missing'; message: string }
  | { kind: 'unusable'; message: string };

/** The version in `flux version --client` output (`flux: v2.9.5`), without the v. */
export function parseFluxClientVersion(stdout: string): string | undefined {
  return /^flux:\s*v?(\d+\.\d+\.\d+[^\s]*)/m.exec(stdout)?.[1];
}

/** Compares two dotted versions numerically (pre-release suffixes ignored): <0, 0 or >0. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .split(/[-+]/)[0]
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface LocateOptions {
  /** The fluxGitops.fluxPath setting (empty: look on PATH). */
  configuredPath?: string;
  env?: NodeJS.ProcessEnv;
  run: Run;
  signal?: AbortSignal;
}

/** Finds the flux CLI (setting, else PATH), checks its version and whether it builds in memory. */
export async function locateFluxCli(options: LocateOptions): Promise<FluxCliLookup> {
  const env = options.env ?? process.env;
  const configured = options.configuredPath?.trim();
  const path = configured || findOnPath('flux', env);
  if (!path) return { kind: 'missing', message: `the flux CLI is not on PATH. ${FLUX_INSTALL_HINT}` };
  if (configured && !nodePath.isAbsolute(configured)) {
    return {
      kind: 'unusable',
      message: `fluxGitops.fluxPath must be an absolute path, not "${configured}".`,
    };
  }
  const version = await options.run(path, ['version', '--client'], {
    env,
    timeoutMs: 15_000,
    signal: options.signal,
  });
  if (version.kind === 'not-found')
    return { kind: 'missing', message: `${path} does not exist. ${FLUX_INSTALL_HINT}` };
  if (version.kind !== 'ok')
    return { kind: 'unusable', message: `${path} version --client: ${describeRun(version)}` };
  const found = parseFluxClientVersion(version.stdout);
  if (!found)
    return { kind: 'unusable', message: `${path} did not print a flux version: ${version.stdout.trim()}` };
  if (compareVersions(found, MIN_FLUX_VERSION) < 0) {
    return {
      kind: 'unusable',
      message: `flux ${found} is too old: the diff needs flux ${MIN_FLUX_VERSION} or later. ${FLUX_INSTALL_HINT}`,
    };
  }
  const help = await options.run(path, ['build', 'kustomization', '--help'], {
    env,
    timeoutMs: 15_000,
    signal: options.signal,
  });
  const inMemoryBuild = help.kind === 'ok' && help.stdout.includes('--in-memory-build');
  return { kind: 'found', cli: { path, version: found, inMemoryBuild } };
}

/** What to build or diff: one Flux Kustomization of the working tree. */
export interface KustomizationTarget {
  name: string;
  namespace: string;
  /** The repository root, flux's working directory (an in-memory build reads only below it). */
  cwd: string;
  /** Absolute folder of spec.path in the working tree. */
  path: string;
  /** Absolute path of the file that defines the Kustomization (its spec is read from there). */
  kustomizationFile?: string;
  /** kubeconfig context (the cluster's binding); flux reads KUBECONFIG from its environment. */
  context?: string;
}

function relativeArg(cwd: string, file: string): string {
  const rel = nodePath.relative(cwd, file);
  if (rel === '') return '.';
  return rel.startsWith('..') || nodePath.isAbsolute(rel) ? file : `.${nodePath.sep}${rel}`;
}

function commonArgs(target: KustomizationTarget, cli: FluxCli): string[] {
  const args = [target.name, '--namespace', target.namespace, '--path', relativeArg(target.cwd, target.path)];
  if (target.kustomizationFile) {
    args.push('--kustomization-file', relativeArg(target.cwd, target.kustomizationFile));
  }
  if (cli.inMemoryBuild) args.push('--in-memory-build');
  if (target.context) args.push('--context', target.context);
  return args;
}

/** `flux diff kustomization NAME …`: a build, a server-side dry run, and what would change. */
export function fluxDiffArgs(target: KustomizationTarget, cli: FluxCli, timeoutSeconds: number): string[] {
  return [
    'diff',
    'kustomization',
    ...commonArgs(target, cli),
    '--progress-bar=false',
    '--timeout',
    `${timeoutSeconds}s`,
  ];
}

/**
 * `flux build kustomization NAME …`: the objects Flux would apply. With dryRun it never contacts a
 * cluster (then `postBuild.substituteFrom` is not read), so it works without a connection.
 */
export function fluxBuildArgs(
  target: KustomizationTarget,
  cli: FluxCli,
  options: { dryRun: boolean; timeoutSeconds: number },
): string[] {
  const args = [
    'build',
    'kustomization',
    ...commonArgs(target, cli),
    '--timeout',
    `${options.timeoutSeconds}s`,
  ];
  if (options.dryRun) {
    // --context would make flux look for the context even though it reads nothing from it.
    const at = args.indexOf('--context');
    if (at >= 0) args.splice(at, 2);
    args.push('--dry-run');
  }
  return args;
}

/** One line about a process result that is not a success. */
export function describeRun(result: ProcessResult): string {
  switch (result.kind) {
    case 'ok':
      return 'ok';
    case 'not-found':
      return `${result.command} not found`;
    case 'timeout':
      return `timed out${result.stderr.trim() ? `: ${lastLines(result.stderr)}` : ''}`;
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return `exit ${result.code ?? result.signal ?? '?'}: ${lastLines(result.stderr) || lastLines(result.stdout)}`;
  }
}

function lastLines(text: string, count = 6): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
