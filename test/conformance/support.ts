/**
 * What the conformance tests share: the corpus of real Flux repositories, git-initialised copies
 * of them as a user has them, and the real flux CLI (test/env/flux-oracle.mjs) as the judge.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../unit/repo/helpers';

export const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');

/** origin URL of each snapshot (the corpus README's table). */
export const ORIGINS: Record<string, string> = {
  'fluxcd+flux2-kustomize-helm-example': 'https://github.com/fluxcd/flux2-kustomize-helm-example.git',
  'fluxcd+flux2-multi-tenancy': 'https://github.com/fluxcd/flux2-multi-tenancy.git',
  'onedr0p+home-ops': 'https://github.com/onedr0p/home-ops.git',
  'buroa+k8s-gitops': 'https://github.com/buroa/k8s-gitops.git',
  'xunholy+k8s-gitops': 'https://github.com/xunholy/k8s-gitops.git',
  'toboshii+home-ops': 'https://github.com/toboshii/home-ops.git',
  'saavy1+sb': 'https://github.com/saavy1/sb.git',
};

/** A writable copy of a corpus repository, git-initialised on main with its origin. */
export function copyAsCheckout(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `conformance-${name.replace(/\W/g, '-')}-`));
  fs.cpSync(path.join(corpus, name), dir, { recursive: true });
  // The snapshots are read-only and flux build writes kustomization.yaml files while it builds.
  execFileSync('chmod', ['-R', 'u+w', dir]);
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', ORIGINS[name]]);
  return dir;
}

export interface OracleObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  appliedBy: string | null;
}

export interface Oracle {
  fluxBinary(): string;
  fluxBuild(o: {
    fluxBin?: string;
    name: string;
    namespace: string;
    path: string;
    kustomizationFile: string;
    localSources: string[];
    cwd: string;
    dryRun?: boolean;
  }): Promise<{ objects: OracleObject[]; stderr: string; exitCode: number }>;
}

/** The flux CLI runner. It is an ES module; these tests compile to CommonJS, whose require() cannot load it. */
export function loadOracle(): Promise<Oracle> {
  const importEsm = new Function('p', 'return import(p)') as (p: string) => Promise<Oracle>;
  return importEsm(path.join(repoRoot, 'test', 'env', 'flux-oracle.mjs'));
}
