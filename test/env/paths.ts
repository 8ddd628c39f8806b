// Where the test environment's binaries and CRDs are: the cache folder that
// `bash test/env/install.sh` fills (outside the repository, kept between runs).
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The binaries install.sh provides. */
export type ToolName =
  | 'sops'
  | 'etcd'
  | 'kube-apiserver'
  | 'age'
  | 'age-keygen'
  | 'source-controller'
  | 'kustomize-controller'
  | 'helm-controller'
  | 'gitserver'
  | 'flux';

const INSTALL_HINT = 'run `bash test/env/install.sh` first';

/** `${FLUX_GITOPS_CACHE:-$HOME/.cache/flux-gitops}` */
export function cacheDir(): string {
  const fromEnv = process.env.FLUX_GITOPS_CACHE;
  return fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.cache', 'flux-gitops');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of a tool: the cache's bin folder (where install.sh builds or links it), then
 * $KUBEBUILDER_ASSETS, then PATH. Throws with a hint when it is nowhere.
 */
export function binPath(name: ToolName): string {
  const candidates = [join(cacheDir(), 'bin', name)];
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets) candidates.push(join(assets, name));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir) candidates.push(join(dir, name));
  }
  for (const candidate of candidates) {
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(
    `${name} not found in ${join(cacheDir(), 'bin')}, $KUBEBUILDER_ASSETS or PATH: ${INSTALL_HINT}`,
  );
}

/** The folder holding the Flux CRDs, one `<group>_<plural>.yaml` file per CRD. */
export function crdDir(): string {
  const dir = join(cacheDir(), 'crds');
  if (!existsSync(dir)) throw new Error(`no CRD folder at ${dir}: ${INSTALL_HINT}`);
  return dir;
}

/** Absolute paths of the CRD files, sorted. */
export function crdFiles(): string[] {
  const dir = crdDir();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`no CRDs in ${dir}: ${INSTALL_HINT}`);
  return files;
}

/**
 * The CRDs the test cluster installs: those of the controllers that run in it (source-controller,
 * kustomize-controller, helm-controller at the versions install.sh builds), the notification CRDs
 * generated from their API module and the Flux Operator's, one `<module>@<version>/` folder each.
 * The top-level files of crdDir() (Flux v2.7.3's) are what the editor schemas are generated from.
 */
/**
 * The Flux release whose controller set install.sh builds (FLUX_CLI_VERSION there) and whose CRDs
 * the test cluster installs: the cluster's Flux CRDs carry it as `flux install` labels them.
 */
export const CLUSTER_FLUX_VERSION = 'v2.9.5';

export function clusterCrdFiles(): string[] {
  const dir = crdDir();
  const folders = readdirSync(dir)
    .filter((f) => f.includes('@') && statSync(join(dir, f)).isDirectory())
    .sort();
  const files = folders.flatMap((folder) =>
    readdirSync(join(dir, folder))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => join(dir, folder, f)),
  );
  if (files.length === 0) throw new Error(`no cluster CRDs in ${dir}/*@*/: ${INSTALL_HINT}`);
  return files;
}
