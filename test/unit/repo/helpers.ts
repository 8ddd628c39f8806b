/** Shared paths and small builders for the repository model tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RepoModel } from '../../../src/core/repo';

/** The project folder (tests run from out/test/unit/repo). */
export const repoRoot = path.resolve(__dirname, '../../../..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'repos');
/** The user's real repositories; read in place, never copied into the project. */
export const sharedFixtures = path.resolve(repoRoot, '../shared/fixtures');

export function fixture(name: string): string {
  return path.join(fixturesDir, name);
}

/** A temporary copy of a project fixture (for tests that add or break files). */
export function tempCopy(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `repo-${name}-`));
  fs.cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

export function removeTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function write(file: string, text: string | Buffer): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** Path relative to `base` with forward slashes. */
export function rel(base: string, p: string): string {
  return path.relative(base, p).split(path.sep).join('/');
}

/** Names of a cluster's Flux Kustomizations in model order. */
export function clusterKs(model: RepoModel, cluster: string): string[] {
  const c = model.clusters.find((x) => x.name === cluster);
  if (!c) throw new Error(`no cluster ${cluster}: ${model.clusters.map((x) => x.name).join(', ')}`);
  return c.kustomizations.map((k) => model.kustomizations.get(k)!.name);
}

/** Entry names (app folders, then loose files without extension) of a Kustomization in a cluster. */
export function entryNames(model: RepoModel, cluster: string, ks: string): string[] {
  const c = model.clusters.find((x) => x.name === cluster)!;
  const key = c.kustomizations.find((k) => model.kustomizations.get(k)!.name === ks);
  if (!key) throw new Error(`no Kustomization ${ks} in ${cluster}`);
  return model.kustomizations
    .get(key)!
    .entries.map((e) => (e.isFolder ? e.name : e.name.replace(/\.ya?ml$/, '')));
}

export function codes(model: RepoModel): string[] {
  return model.problems.map((p) => p.code).sort();
}

/** A small deterministic generator (mulberry32), so that a failure can be replayed by its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
